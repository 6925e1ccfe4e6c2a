"""What ``grade`` writes for the instructor beside a format: the class report and the LMS gradebooks.

:func:`prepare` checks the options before any file is graded (a class of a thousand files is not
graded to learn that ``--roster`` is missing or names no such column) and reads the Canvas
export; :func:`gradebook` prints ``--format canvas`` or ``moodle`` with its notes on stderr;
:func:`write_report` writes ``--report`` atomically (the old report stays whole until the new
one is complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from dlcheck.core.errors import DlcheckError
from dlcheck.grade.batch import FileResult

CSV_FORMATS = ("csv", "canvas", "moodle")


@dataclass
class Lms:
    roster: Path | None = None       # --roster: Canvas's gradebook export
    column: str | None = None        # --column: the assignment to fill (canvas), the grade column (moodle)
    excel: bool = False              # --excel: a UTF-8 byte-order mark first


@dataclass
class Prepared:
    export: Any = None               # the Canvas export, read
    column: int = -1                 # the index of the column to fill


def prepare(fmt: str, lms: Lms, report: Path | None) -> Prepared:
    """Every option of this module checked, the Canvas export read and its column found; or an error."""
    if lms.roster is not None and fmt != "canvas":
        raise DlcheckError("--roster is the Canvas export that --format canvas fills; add --format canvas")
    if lms.column is not None and fmt not in ("canvas", "moodle"):
        raise DlcheckError("--column names the gradebook column of --format canvas or moodle; add one of them")
    if lms.excel and fmt not in CSV_FORMATS:
        raise DlcheckError(f"--excel is for CSV: --format {', '.join(CSV_FORMATS[:-1])} or {CSV_FORMATS[-1]}")
    if report is not None:
        _writable(report)
    if fmt != "canvas":
        return Prepared()
    if lms.roster is None or lms.column is None:
        raise DlcheckError("--format canvas fills a Canvas gradebook export: give it with --roster EXPORT.csv "
                           "(Grades → Export in Canvas) and the assignment with --column \"NAME (ID)\"")
    from dlcheck.report.canvas import find_column, read_export  # lazy: start-up

    try:
        data = lms.roster.read_bytes()
    except OSError as exc:
        raise DlcheckError(f"cannot read it ({exc.strerror or exc}); pass the CSV file Canvas exported",
                           path=str(lms.roster)) from None
    export = read_export(data, str(lms.roster))
    return Prepared(export, find_column(export, lms.column))


def _writable(path: Path) -> None:
    if path.is_dir():
        raise DlcheckError("is a folder; --report names the HTML file to write, e.g. --report report.html",
                           path=str(path))
    if not path.parent.is_dir():
        raise DlcheckError(f"the folder {path.parent} does not exist; create it or write the report elsewhere",
                           path=str(path))


def gradebook(files: list[FileResult], fmt: str, lms: Lms, prepared: Prepared) -> None:
    """``--format canvas`` or ``moodle`` on stdout (as bytes: the export's line endings are its own), the
    notes on stderr."""
    from dlcheck.grade.summary import scores  # lazy: start-up

    totals = scores(files)
    if fmt == "canvas":
        from dlcheck.report.canvas import fill  # lazy: start-up

        filled = fill(prepared.export, prepared.column, totals, bom=lms.excel)
        data, notes = filled.data, filled.notes
    else:
        from dlcheck.report.lms import BOM  # lazy: start-up
        from dlcheck.report.moodle import to_moodle

        text, notes = to_moodle(totals, lms.column)
        data = ((BOM if lms.excel else "") + text).encode("utf-8")
    typer.echo(data, nl=False)
    for note in notes:
        _note(note)


def _note(text: str) -> None:
    from rich.console import Console  # lazy: start-up

    # soft-wrapped: a note names files, and a path or an id folded at the console's width is no longer
    # one word a TA can copy (the terminal wraps the line for the eye)
    Console(stderr=True, highlight=False, soft_wrap=True).print(text, markup=False)


def write_report(files: list[FileResult], path: Path, args: list[str]) -> None:
    """The class report (for the instructor: everything, whatever the reveal policy), written atomically;
    its title names what was graded (the first arguments, when a shell expanded a glob into many)."""
    from dlcheck import __version__  # lazy: start-up
    from dlcheck.core.safefile import atomic_write_text
    from dlcheck.grade.summary import summarize
    from dlcheck.report.classreport import class_report

    named = ", ".join(args[:3]) + (f" and {len(args) - 3} more" if len(args) > 3 else "")
    atomic_write_text(path, class_report(summarize(files), f"Class report: {named}", version=__version__))
    _note(f"class report: {path}")
