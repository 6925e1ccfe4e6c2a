"""A class's results: the gradebook CSV and the closing summary table of ``grade`` over many files.

The CSV has one row per student, as Otter's and nbgrader's exports and a Canvas
gradebook import have it::

    student,file,backprop/q1/out_h1,...,score,max_score,percentage,error
    Points Possible,,1,...,25,25,100,
    99521469,subs/a.yaml,1,...,22,25,88,

- a column per part of every problem any file answers (in the bank's order), holding the
  points earned; an essay awaiting its marker and a problem the file does not answer are
  blank (a spreadsheet sums them as 0);
- ``score`` is the same number as the JSON's ``score`` (the sum of the row's part columns);
  ``max_score`` is every column's points (the ``Points Possible`` row), and ``percentage``
  is the score out of the points dlcheck checks (essays are left to a marker);
- a file that could not be read has its error in the last column and no score.
"""

from __future__ import annotations

import csv
import io

from rich.table import Table
from rich.text import Text

from dlcheck.check.registry import get_spec, kind_of
from dlcheck.core.verdict import Status
from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.report.errors import each
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
    part = get_spec(problem_id).problem.parts.get(part_id)
    return part is not None and not kind_of(part).auto


def _first_line(error) -> str:
    errors = each(error)
    text = visible(str(errors[0]), newlines=False)
    return text + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")


def to_csv(files: list[FileResult]) -> str:
    cols = columns(files)
    possible = sum(points for *_, points, _auto in cols)
    checked = sum(points for *_, points, auto in cols if auto)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", *(f"{pid}/{part}" for pid, part, _, _ in cols), "score", "max_score",
                     "percentage", "error"])
    writer.writerow([POINTS_POSSIBLE, "", *(number(points) for *_, points, _ in cols), number(possible),
                     number(possible), "100", ""])
    for f in files:
        student = visible(f.student or "", newlines=False)
        if f.error is not None:
            writer.writerow([student, visible(f.path, newlines=False), *([""] * len(cols)), "", number(possible),
                             "", _first_line(f.error)])
            continue
        earned = {(r.id, v.part): v for r in f.results for v in r.verdicts}
        cells = []
        for pid, part, _, _ in cols:
            v = earned.get((pid, part))
            cells.append("" if v is None or v.status is Status.MANUAL else number(v.score))
        score = round(sum(r.score for r in f.results), 6)
        pct = number(round(100 * score / checked, 2)) if checked else ""
        writer.writerow([student, visible(f.path, newlines=False), *cells, number(score), number(possible), pct, ""])
    return out.getvalue()


def class_table(files: list[FileResult]) -> Table:
    """One line per file after the reports of ``grade`` over several files."""
    table = Table(title=f"{len(files)} files", title_justify="left")
    names = [visible(f.path, newlines=False) for f in files]
    # a file name stays on one line while it fits in 40 columns (the parts column wraps instead)
    table.add_column("file", overflow="fold", min_width=min(40, max(len(n) for n in names)))
    with_ids = any(f.student for f in files)
    if with_ids:
        table.add_column("student", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("parts")
    for f, shown in zip(files, names):
        first = [Text(shown)] + ([Text(visible(f.student or "", newlines=False))] if with_ids else [])
        if f.error is not None:
            table.add_row(*first, "", "", Text(f"could not be read: {_first_line(f.error)}", style="magenta"))
            continue
        verdicts = [v for r in f.results for v in r.verdicts]
        checked = sum(v.max_score for v in verdicts if v.status is not Status.MANUAL)
        score = sum(v.score for v in verdicts)
        table.add_row(*first, f"{number(score)} / {number(checked)}",
                      f"{score / checked:.0%}" if checked else "", counts(f.results) or "nothing answered")
    return table
