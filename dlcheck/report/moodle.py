"""``grade --format moodle``: the class's totals as Moodle's grade import reads them.

Moodle imports grades from a CSV file (Grades → Import → CSV file): the user is identified by a
column mapped to one of their fields (the *ID number*, username, email address or Moodle's own
id) and each other column is mapped to a grade item. dlcheck writes a column ``ID number`` (the
answers file's ``student:``, which a course sets to its students' ID numbers) and one grade column
(named by ``--column``, else ``dlcheck``) holding the dlcheck total, one row per student. A file
that gives no total (could not be read, names no student, a student with several files) is not
a row; it is said on stderr.
"""

from __future__ import annotations

import csv
import io

from dlcheck.grade.batch import FileResult
from dlcheck.grade.summary import Scores, scores
from dlcheck.report.formats import Run
from dlcheck.report.gradebook import number, text_cell
from dlcheck.report.lms import BOM, deliver, left_out

IDENTIFIER = "ID number"
GRADE = "dlcheck"


def to_moodle(scores: Scores, column: str | None = None) -> tuple[str, list[str]]:
    """(the CSV, notes for stderr)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([IDENTIFIER, text_cell(column.strip()) if column and column.strip() else GRADE])
    ids = sorted(scores.total, key=lambda s: scores.path[s])
    for sid in ids:
        writer.writerow([text_cell(sid), number(scores.total[sid])])
    notes = [f"moodle: {len(ids)} student{'s' if len(ids) != 1 else ''}; in Moodle's Grades → Import → CSV file, "
             f"map '{IDENTIFIER}' to the users' ID number and the grade column to the grade item"]
    return out.getvalue(), notes + left_out(scores)


def render(files: list[FileResult], run: Run) -> None:
    """``--format moodle``: the CSV on stdout, its notes on stderr."""
    text, notes = to_moodle(scores(files), run.column)
    deliver(((BOM if run.excel else "") + text).encode("utf-8"), notes, run)
