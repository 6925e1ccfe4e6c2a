"""Gradescope's ``results.json`` for one submission (``grade --format gradescope``).

The format is Gradescope's (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): a top-level ``score`` and ``output``, and ``tests``, one per part, each
with ``name``, ``number``, ``score``, ``max_score``, ``status`` (passed / failed),
``output`` and ``visibility``. Every file given is part of the one submission (a student
may upload one answers file per set). A problem is graded once per submission: when
several files answer it, the file last by name is graded for it and the others' answers
to it are not (``output`` says so), so a second copy of a file never adds points and
every test name is unique. Essays carry no score: a marker grades them in
Gradescope, so they are listed with the model answer's place and no points. The outputs
are what the student sees: the problem's reveal policy (or ``--hide-expected``) holds
references and hints back (:mod:`dlcheck.grade.reveal`). With an assignment (the autograder
always has one) the score is out of exactly its problems: one not answered is tested at 0
points, answers to others are named as ignored and earn nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.core.visible import json_text, visible
from dlcheck.grade.batch import FileResult
from dlcheck.grade.reveal import hints
from dlcheck.report.errors import error_text, ignored_text
from dlcheck.report.formats import Run
from dlcheck.report.terminal import fix_list, news, summary

# what Gradescope documents, for the test that checks this output against it
TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
              "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
               "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "simple_format", "html", "md", "ansi"}
STATUSES = {"passed", "failed"}
ONE_LINE = 10**6


def _output(v: Verdict, problem_id: str, hide_all: bool) -> str:
    lines = [f"{v.status.mark} {v.status.word}"]
    if v.answer.strip():
        lines.append(f"your answer: {v.answer}")
    if v.expected:
        lines.append(f"expected: {v.expected}")
    if news(v):
        lines.append(news(v))
    lines += [f"hint: {h}" for h in hints(problem_id, v, hide_all)]
    return visible("\n".join(lines))


def _test(number: str, problem_id: str, v: Verdict, hide_all: bool, visibility: str) -> dict[str, Any]:
    test: dict[str, Any] = {"name": visible(f"{problem_id} {v.part}", newlines=False), "number": number,
                            "output": _output(v, problem_id, hide_all), "output_format": "text",
                            "visibility": visibility, "extra_data": {"status": v.status.value}}
    if v.status is not Status.MANUAL:
        test.update(score=round(v.score, 6), max_score=v.max_score,
                    status="passed" if v.max_score > 0 and v.score >= v.max_score else "failed")
    return test


def one_per_problem(files: list[FileResult]) -> tuple[list[FileResult], list[str]]:
    """Each problem from one file only, the last by name of those that answer it; and a sentence per
    problem answered more than once."""
    where: dict[str, list[int]] = {}
    for k in sorted(range(len(files)), key=lambda k: (files[k].path, k)):
        for r in files[k].results:
            where.setdefault(r.id, []).append(k)
    kept = [replace(f, results=[r for r in f.results if where[r.id][-1] == k]) for k, f in enumerate(files)]
    notes = []
    for pid, ks in where.items():
        if len(ks) > 1:
            names = [visible(files[k].path, newlines=False) for k in ks]
            notes.append(f"{pid} is answered in {len(ks)} files ({', '.join(names)}): only the last by name, "
                         f"{names[-1]}, is graded for it. Keep each problem in one file and submit again.")
    return kept, notes


def results_json(files: list[FileResult], hide_all: bool = False, visibility: str = "visible",
                 seconds: float | None = None, unanswered: list[ProblemResult] | None = None,
                 notes: list[str] | None = None) -> str:
    """``files`` are one submission, their results already as the student may see them; ``unanswered``
    are the assignment's problems no file answers (each part 0 of its points), tested after the others."""
    files, twice = one_per_problem(files)
    notes = [visible(n) for n in notes or []] + twice
    ignored = sorted({pid for f in files for pid in f.ignored})
    if ignored:
        notes.append(ignored_text(ignored) + "; answer the assignment's problems.")
    tests: list[dict[str, Any]] = []
    lines: list[str] = notes + [""] if notes else []
    number = 0
    for f in files:
        if f.error is not None:
            lines += [f"{f.path} could not be graded; fix it and submit again:", visible(error_text(f.error)), ""]
        for r in f.results:
            number += 1
            tests += [_test(f"{number}.{k}", r.id, v, hide_all, visibility) for k, v in enumerate(r.verdicts, 1)]
    for r in unanswered or []:
        number += 1
        tests += [_test(f"{number}.{k}", r.id, v, hide_all, visibility) for k, v in enumerate(r.verdicts, 1)]
    results = [r for f in files for r in f.results] + list(unanswered or [])
    if not files:
        lines.append("No answers file (*.yaml) in this submission: upload your answers.yaml.")
    elif results:
        lines += [visible(t.plain) for t in fix_list(results, ONE_LINE)]
        lines.append(visible(summary(results).plain))
    doc: dict[str, Any] = {"score": round(sum(r.score for r in results), 6), "output": "\n".join(lines).strip(),
                           "output_format": "text", "visibility": visibility, "stdout_visibility": "hidden",
                           "tests": tests,
                           "extra_data": {"files": [f.path for f in files],
                                          "students": sorted({f.student for f in files if f.student})}}
    if seconds is not None:
        doc["execution_time"] = round(seconds, 3)
    return json_text(doc)


def render(files: list[FileResult], run: Run) -> list[str]:
    """``--format gradescope``: the files are one submission."""
    return [results_json(files, run.hide, seconds=run.seconds, unanswered=run.unanswered, notes=run.notes) + "\n"]
