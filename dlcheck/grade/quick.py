"""One answers file graded on the numeric path (:mod:`dlcheck.grade.numeric`), in this process.

When every problem in the file is decided here -- each answered part a literal the card decides (and
the others blank), or the very same answers graded before and kept (:mod:`dlcheck.grade.judged`) --
the file's result is made here: no worker, no sympy, no numpy. Otherwise -- the file cannot be read,
names a problem with no card, two parts of a problem are wrong (the search for a misread given reads
the graph), or any part needs the full checker -- None, and the file goes to the pool as always (which
says what is wrong with it, and keeps what it judged for next time).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dlcheck.check import fast
from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import ProblemResult
from dlcheck.grade import judged
from dlcheck.grade.batch import FileResult, Source, shorten
from dlcheck.grade.numeric import quick_problem
from dlcheck.spec.answers import read_answers
from dlcheck.spec.writeup import is_writeup


class _NoCard(Exception):
    """A problem of the file has no card: the full path grades it."""


def _parts_of(problem_id: str) -> list[str]:
    card = fast.load_card(problem_id)
    if card is None:
        raise _NoCard(problem_id)
    return list(card.parts)


def quick_file(source: Source, student: str | None = None) -> FileResult | None:
    """``source`` graded on the numeric path, or None when it needs the full one."""
    if is_writeup(source.path):
        return None  # a write-up is read against a set (grade --set), by the full checker
    try:
        answers = read_answers(source.path, _parts_of)
    except (_NoCard, DlcheckError, OSError, ValueError):
        return None  # the pool reads it again and says what there is to say
    who = student if student is not None else (None if answers.student is None else str(answers.student))
    results = []
    for problem_id, given in answers.problems.items():
        result = decided(problem_id, {pid: answer.text for pid, answer in given.items()}, who)
        if result is None:
            return None
        for verdict in result.verdicts:
            shorten(verdict)   # a long answer as a file's report shows it (dlcheck.grade keeps it whole)
        results.append(result)
    if not results:
        return None  # nothing answered: the full path says so
    return FileResult(source.shown, who, results)




def decided(problem_id: str, answers: dict[str, Any], student: str | None = None) -> ProblemResult | None:
    """One problem's answers (part id -> text) decided in this process: from its card, else as the same
    answers were judged before (kept only for the sheet's numbers); None when neither can."""
    result = quick_problem(problem_id, answers, student)
    if result is not None:
        return result
    card = fast.load_card(problem_id)
    if card is None or (card.varies and student is not None):
        return None
    source = judged.source_of(problem_id)
    if source is None:
        return None
    kept = judged.load(problem_id, source, [(pid, answers.get(pid)) for pid in card.parts])
    return None if kept is None else replace(kept, title=card.title, varies=card.varies)
