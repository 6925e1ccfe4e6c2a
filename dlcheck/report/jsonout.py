"""Machine-readable results: exactly one JSON document, no colour codes.

``{"file", "student", "score", "max_score", "awaiting_marker", "problems": [...]}``:
``max_score`` counts every part; ``awaiting_marker`` is the points of answered essays a
person still has to mark (their score is 0 until then). ``nothing_to_grade`` is true
when no answered part is one dlcheck checks (the exit code is then 1). ``ignored`` lists the
problems answered outside the assignment (they earn nothing), when there are any. Several files are
a list of such documents, one per file, in the order given. Student text is kept whole,
but no character in it reaches a terminal raw (:func:`~dlcheck.core.visible.json_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dlcheck.core.verdict import ProblemResult, Status
from dlcheck.core.visible import json_text
from dlcheck.grade.batch import FileResult
from dlcheck.report.errors import error_doc
from dlcheck.report.formats import Run


def results_doc(results: list[ProblemResult], path: str | None = None, student: str | None = None,
                nothing_to_grade: bool = False, ignored: list[str] | None = None,
                working: list[dict] | None = None) -> dict:
    extra = {"ignored": list(ignored)} if ignored else {}
    doc = {"file": path, "student": student, **extra,
           "score": round(sum(r.score for r in results), 6),
           "max_score": sum(r.max_score for r in results),
           "awaiting_marker": sum(v.max_score for r in results for v in r.verdicts if v.status is Status.MANUAL),
           "nothing_to_grade": nothing_to_grade,
           "problems": [r.to_json() for r in results]}
    if working is not None:  # a write-up: every step checked, {"line", "text", "status", "value", "message"}
        doc["working"] = [{k: e.get(k) for k in WORKING_KEYS} for e in working]
    return doc


WORKING_KEYS = ("line", "text", "status", "value", "message")


def results_json(results: list[ProblemResult], path: str | None = None, student: str | None = None,
                 nothing_to_grade: bool = False, ignored: list[str] | None = None,
                 working: list[dict] | None = None) -> str:
    return json_text(results_doc(results, path, student, nothing_to_grade, ignored, working))


def files_json(files: list[FileResult]) -> str:
    """Several files: a list of the documents above, a file that could not be read as its error
    document (``{"file", "student", "error", "errors"}``; the student when its YAML could be read)."""
    return "".join(files_json_chunks(files)).rstrip("\n")


def file_doc(f: FileResult) -> dict:
    if f.error is not None:
        return {"file": f.path, "student": f.student, **error_doc(f.error)}
    return results_doc(f.results, f.path, f.student, f.nothing_to_grade, f.ignored, f.working)


def files_json_chunks(files: Iterable[FileResult]) -> Iterator[str]:
    """:func:`files_json` a document at a time (a class streams: each file's document is written as it
    is graded, the text the same as the whole list's)."""
    first = True
    for f in files:
        text = json_text(file_doc(f))
        yield ("[\n" if first else ",\n") + "\n".join("  " + line for line in text.split("\n"))
        first = False
    yield "[]\n" if first else "\n]\n"


def render(files: list[FileResult], run: Run) -> Iterable[str]:
    """``--format json``: one file's document, or a class's list."""
    if run.batch:
        return files_json_chunks(files)
    one = files[0]
    return [results_json(one.results, path=one.path, student=one.student, nothing_to_grade=one.nothing_to_grade,
                         ignored=one.ignored, working=one.working) + "\n"]


def stream(files: Iterator[FileResult], run: Run) -> Iterable[str]:
    return files_json_chunks(files)
