"""A class's results: the gradebook CSV and the closing summary table of ``grade`` over many files.

The CSV has one row per student, as Otter's and nbgrader's exports and a Canvas
gradebook import have it::

    student,file,backprop/q1/out_h1,...,score,max_score,percentage,error
    Points Possible,,1,...,25,25,100,
    99521469,subs/a.yaml,1,...,22,25,88,

- a column per part of every problem any file answers (in the bank's order), holding the
  points earned; an essay awaiting its marker and a problem the file does not answer are
  blank (a spreadsheet sums them as 0);
- ``score`` and ``max_score`` are the JSON's ``score`` and ``max_score`` for that student:
  the sum of the row's part columns, and the points of the assignment (every row has the
  same, the ``Points Possible`` row's; a problem not answered counts 0); ``percentage`` is
  the terminal's: the score out of ``max_score``
  less the essays awaiting a marker. The ``Points Possible`` row has every column's points;
- a file that could not be read has its error in the ``error`` column and no score (its
  student when the YAML could be read);
- with an assignment (a class run always has one: the problems anyone answered when none
  is given) every row has every problem of it, so every row's ``max_score`` is the Points
  Possible row's; answers outside it earn nothing and are named in a last ``ignored``
  column (only when some file has such answers);
- a cell of text (student id, file, error, a part's name) that a spreadsheet would take for
  a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) starts
  with a ``'`` instead, as OWASP's "CSV injection" advises; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

from rich.table import Table
from rich.text import Text

from dlcheck.core.verdict import Status
from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.grade.reveal import by_hand
from dlcheck.grade.summary import totals
from dlcheck.report.errors import each
from dlcheck.report.formats import Run
from dlcheck.report.lms import BOM
from dlcheck.report.terminal import counts
from dlcheck.spec import bank

POINTS_POSSIBLE = "Points Possible"


def number(x: float) -> str:
    """A score as a spreadsheet reads it: no exponent, no trailing zeros (6 decimals at most)."""
    text = f"{round(x, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def columns(files: list[FileResult]) -> list[tuple[str, str, float, bool]]:
    """(problem, part, points, checked by dlcheck) for every part any file answers, in the bank's order."""
    order = {pid: k for k, pid in enumerate(bank.all_ids())}
    parts: dict[str, list[tuple[str, float, bool]]] = {}
    for f in files:
        for r in f.results:
            if r.id not in parts:
                parts[r.id] = [(v.part, v.max_score, not _essay(r.id, v.part)) for v in r.verdicts]
    ordered = sorted(parts, key=lambda pid: (order.get(pid, len(order)), pid))
    return [(pid, part, points, auto) for pid in ordered for part, points, auto in parts[pid]]


def _essay(problem_id: str, part_id: str) -> bool:
    return by_hand(problem_id, part_id)


def first_line(error, where: bool = True) -> str:
    """The first error's sentence (``where``: with its ``file:line:col``), and how many more."""
    errors = each(error)
    first = errors[0]
    if where:
        text = str(first)
    else:
        at = f"{first.line}:{first.column}" if first.line is not None and first.column is not None else first.line
        text = f"line {at}: {first.message}" if at is not None else first.message
    return visible(text, newlines=False) + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """Text for a spreadsheet cell: control characters made visible, and never a formula (a leading
    ``= + - @``, tab or carriage return gets a ``'``, which spreadsheets show as text)."""
    text = visible(text, newlines=False)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(files: list[FileResult]) -> str:
    return "".join(csv_lines(files, columns(files), any(f.ignored for f in files)))


def render(files: list[FileResult], run: Run) -> Iterable[str]:
    """``--format csv``: the class's gradebook (points only: every verdict, whatever the reveal policy)."""
    return [(BOM if run.excel else "") + to_csv(files)]


def stream(files: Iterator[FileResult], run: Run) -> Iterable[str]:
    """The same a row at a time: the columns are ``run.template``'s problems."""
    chunks = csv_lines(files, columns([run.template]), run.assigned)
    return itertools.chain([BOM], chunks) if run.excel else chunks


def csv_lines(files: Iterable[FileResult], cols: list[tuple[str, str, float, bool]], ignoring: bool) -> Iterator[str]:
    """The gradebook a line at a time (a class streams: each row is written as its file is graded).
    ``cols`` are the part columns; ``ignoring`` adds the last column, the problems a row answered
    outside the assignment."""
    possible = sum(points for *_, points, _auto in cols)
    extra = ["ignored"] if ignoring else []
    yield _line(["student", "file", *(text_cell(f"{pid}/{part}") for pid, part, _, _ in cols), "score",
                 "max_score", "percentage", "error", *extra])
    yield _line([POINTS_POSSIBLE, "", *(number(points) for *_, points, _ in cols), number(possible),
                 number(possible), "100", "", *([""] if ignoring else [])])
    for f in files:
        student, path = text_cell(f.student or ""), text_cell(f.path)
        ignored = [text_cell(" ".join(f.ignored))] if ignoring else []
        if f.error is not None:
            yield _line([student, path, *([""] * len(cols)), "", "", "", text_cell(first_line(f.error)), *ignored])
            continue
        earned = {(r.id, v.part): v for r in f.results for v in r.verdicts}
        cells = []
        for pid, part, _, _ in cols:
            v = earned.get((pid, part))
            cells.append("" if v is None or v.status is Status.MANUAL else number(v.score))
        score, most, checked = totals(f)
        pct = number(round(100 * score / checked, 2)) if checked else ""
        yield _line([student, path, *cells, number(score), number(most), pct, "", *ignored])


def _line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def class_table(files: list[FileResult]) -> Table:
    """One line per file after the reports of ``grade`` over several files."""
    table = Table(title=f"{len(files)} files", title_justify="left")
    names = [visible(f.path, newlines=False) for f in files]
    # a file name stays on one line while it fits in 40 columns (the student and parts columns wrap
    # instead); a longer one folds in 40. Either way rich never narrows this column below its names
    # (a min_width would be narrowed, then restored, and the table cropped at the terminal's edge)
    if max(len(n) for n in names) <= 40:
        table.add_column("file", no_wrap=True)
    else:
        table.add_column("file", overflow="fold", width=40)
    with_ids = any(f.student for f in files)
    if with_ids:
        table.add_column("student", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("parts")
    for f, shown in zip(files, names):
        first = [Text(shown)] + ([Text(visible(f.student or "", newlines=False))] if with_ids else [])
        if f.error is not None:  # the file column names it: its line and the sentence
            table.add_row(*first, "", "", Text(f"could not be read: {first_line(f.error, where=False)}",
                                               style="magenta"))
            continue
        score, _, checked = totals(f)
        table.add_row(*first, f"{number(score)} / {number(checked)}",
                      f"{score / checked:.0%}" if checked else "", counts(f.results) or "nothing answered")
    return table
