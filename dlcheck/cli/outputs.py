"""What ``grade`` checks and writes for the instructor beside a format: the LMS options, the class report.

:func:`prepare` checks the options before any file is graded (a class of a thousand files is not
graded to learn that ``--roster`` is missing or names no such column): each of ``--roster``,
``--column`` and ``--excel`` only with a format that reads it (:mod:`dlcheck.report.formats`), then
the format's own ``prepare`` (Canvas reads its export); :func:`write_report` writes ``--report``
atomically (the old report stays whole until the new one is complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlcheck.core.errors import DlcheckError
from dlcheck.grade.batch import FileResult
from dlcheck.report.formats import Format, Run, taking


@dataclass
class Lms:
    roster: Path | None = None       # --roster: Canvas's gradebook export
    column: str | None = None        # --column: the assignment to fill (canvas), the grade column (moodle)
    excel: bool = False              # --excel: a UTF-8 byte-order mark first


def _either(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def prepare(fmt: Format, run: Run, report: Path | None) -> Any:
    """Every option of this module checked and what the format prepares made (Canvas's export read and
    its column found); or an error."""
    if run.roster is not None and "roster" not in fmt.takes:
        raise DlcheckError(f"--roster is the Canvas export that --format {_either(taking('roster'))} fills; "
                           f"add --format {_either(taking('roster'))}")
    if run.column is not None and "column" not in fmt.takes:
        raise DlcheckError(f"--column names the gradebook column of --format {_either(taking('column'))}; "
                           "add one of them")
    if run.excel and "excel" not in fmt.takes:
        raise DlcheckError(f"--excel is for CSV: --format {_either(taking('excel'))}")
    if report is not None:
        _writable(report)
    return fmt.prepare(run) if fmt.prepare is not None else None


def _writable(path: Path) -> None:
    if path.is_dir():
        raise DlcheckError("is a folder; --report names the HTML file to write, e.g. --report report.html",
                           path=str(path))
    if not path.parent.is_dir():
        raise DlcheckError(f"the folder {path.parent} does not exist; create it or write the report elsewhere",
                           path=str(path))


def write_report(files: list[FileResult], path: Path, args: list[str]) -> None:
    """The class report (for the instructor: everything, whatever the reveal policy), written atomically;
    its title names what was graded (the first arguments, when a shell expanded a glob into many)."""
    from dlcheck import __version__  # lazy: start-up
    from dlcheck.core.safefile import atomic_write_text
    from dlcheck.grade.summary import summarize
    from dlcheck.report.classreport import class_report
    from dlcheck.report.lms import note

    named = ", ".join(args[:3]) + (f" and {len(args) - 3} more" if len(args) > 3 else "")
    atomic_write_text(path, class_report(summarize(files), f"Class report: {named}", version=__version__))
    note(f"class report: {path}")
