"""The numeric path: literal numbers checked and diagnosed from the problem's card, without sympy.

:func:`decide` gives a part's verdict from its card (:mod:`dlcheck.check.fast`) when it can give the
one the full checker would: a right literal is ``correct``; a wrong one is judged by the same code
(:func:`dlcheck.check.numbers.judge`) and diagnosed by the same code
(:func:`dlcheck.diagnose.diagnose_number`, the same slips), with what the diagnosis asks of the graph
read from the card -- unless an earlier part of the problem is wrong (error carried forward re-reads
the graph), the student has numbers of their own, or the answer is not a literal. An irrational
reference is a narrow interval on the card: the verdict is given only when both of its ends give the
same one. Everything else returns None and goes to the full checker, which loads sympy as before.

:func:`quick_file` grades one answers file this way when every answered part can be, in this process:
no worker, no sympy, no numpy. ``tests/test_fast_path.py`` holds every verdict to the full checker's.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dlcheck.check import fast
from dlcheck.check.numbers import judge
from dlcheck.check.tolerance import Tol
from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.diagnose import Named, diagnose_number, entry_credit
from dlcheck.diagnose.slips import Detector, Wrong
from dlcheck.grade.batch import FileResult, Source
from dlcheck.spec.answers import read_answers

TINY = Fraction(1, 10 ** 20)    # a gap this small to an inexact reference may be rounding: the full checker's
_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.CARRIED)


class _Unknown(Exception):
    """The card does not hold what a slip asks (a detector added since it was made, a formula)."""


@dataclass
class CardWrong(Wrong):
    """A wrong value whose graph questions the card answers."""

    card: fast.Card | None = None
    clues: fast.PartClues | None = None

    def givens(self) -> list[tuple[str, Any]]:
        assert self.card is not None
        return list(self.card.givens)

    def formula_givens(self) -> list[tuple[str, Any]]:
        assert self.clues is not None
        return list(self.clues.formula_givens)

    def rewritten(self, detector: Detector) -> list[Any]:
        assert self.clues is not None
        if detector.name not in self.clues.rewrites:
            raise _Unknown(detector.name)
        return list(self.clues.rewrites[detector.name])

    def same(self, a: Any, b: Any) -> bool:
        raise _Unknown("formulas")


@dataclass
class CardClues:
    """:class:`dlcheck.diagnose.Clues` from a card, with every interval read at one end (``side``)."""

    card: fast.Card
    part: fast.PartCard
    side: int

    @property
    def method(self) -> frozenset[str]:
        return self.card.method

    def mistake(self, verdict: Verdict, tol: Tol) -> Named | None:
        from dlcheck.check.shapes import close  # lazy: start-up

        assert self.part.clues is not None
        for mistake in self.part.clues.mistakes:
            if mistake.value is not None and close(verdict.value, mistake.value[self.side], tol):
                return mistake
        return None

    def wrong(self, given: Any, expected: Any, tol: Tol, grading: Tol | None) -> Wrong | None:
        return CardWrong(None, self.part.pid, given, expected, tol, grading, card=self.card, clues=self.part.clues)

    def entry_credit(self, verdict: Verdict) -> float:
        assert self.part.clues is not None
        return entry_credit(verdict, self.part.points, self.part.clues.partial, list(self.part.clues.informative),
                            self.part.cols)


def decide(card: fast.Card, pid: str, answer: Any, student: str | None = None,
           earlier: list[Verdict] | None = None) -> Verdict | None:
    """``answer``'s verdict from the card, as the full checker would give it, or None (see the module)."""
    quick = fast.decide(card, pid, answer, student)
    if quick is not None:
        return quick
    part = card.numeric.get(pid)
    if part is None or part.clues is None or not isinstance(answer, str) or (card.varies and student is not None):
        return None
    if any(v.value is not None and v.status in _WRONG for v in earlier or []):
        return None  # error carried forward reads the graph
    cells = fast.read_literal(answer, part.rows, part.cols)
    if cells is None:
        return None
    for (given, _), lo, hi in zip(cells, part.lo, part.hi):
        if lo != hi and abs(given - lo) <= (abs(lo) + 1) * TINY:
            return None
    sides = (0,) if part.lo == part.hi else (0, 1)
    try:
        verdicts = [_judged(card, part, cells, answer, side) for side in sides]
    except _Unknown:
        return None
    if any(v.to_json() != verdicts[0].to_json() or v.status is Status.CORRECT for v in verdicts):
        return None  # the reference's two ends disagree: only its exact value can say
    return verdicts[0]


def _judged(card: fast.Card, part: fast.PartCard, cells: list[tuple[Fraction, str]], answer: str,
            side: int) -> Verdict:
    ends = part.lo if side == 0 else part.hi
    if part.rows == part.cols == 1:
        given: Any = cells[0][0]
        expected: Any = ends[0]
    else:
        given = [[cells[i * part.cols + j][0] for j in range(part.cols)] for i in range(part.rows)]
        expected = [[ends[i * part.cols + j] for j in range(part.cols)] for i in range(part.rows)]
    verdict = Verdict(part.pid, Status.INCORRECT, 0.0, part.points, answer=answer, expected=part.expected)
    judge(verdict, given, expected, part.tol, answer, part.points, Fraction(0))
    if verdict.status is Status.CORRECT:
        return verdict
    return diagnose_number(verdict, part.tol, part.points, CardClues(card, part, side))


# -- one answers file ------------------------------------------------------------------------------
class _NoCard(Exception):
    """A problem of the file has no card: the full path grades it."""


def _parts_of(problem_id: str) -> list[str]:
    card = fast.load_card(problem_id)
    if card is None:
        raise _NoCard(problem_id)
    return list(card.parts)


def quick_file(source: Source, student: str | None = None) -> FileResult | None:
    """``source`` graded on the numeric path, or None when it needs the full one."""
    try:
        answers = read_answers(source.path, _parts_of)
    except (_NoCard, DlcheckError, OSError, ValueError):
        return None  # the pool reads it again and says what there is to say
    who = student if student is not None else (None if answers.student is None else str(answers.student))
    results = []
    for problem_id, given in answers.problems.items():
        result = quick_problem(problem_id, {pid: answer.text for pid, answer in given.items()}, who)
        if result is None:
            return None
        results.append(result)
    if not results:
        return None  # nothing answered: the full path says so
    return FileResult(source.shown, who, results)


def quick_problem(problem_id: str, answers: dict[str, Any], student: str | None = None) -> ProblemResult | None:
    """One problem's parts (``answers``: part id -> text) checked in order from its card, or None when
    any of them needs the full checker."""
    card = fast.load_card(problem_id)
    if card is None or (card.varies and student is not None):
        return None
    verdicts: list[Verdict] = []
    for pid in card.parts:
        text = answers.get(pid)
        if text is None or (isinstance(text, str) and not text.strip()):
            verdicts.append(Verdict(pid, Status.MISSING, 0.0, card.points[pid], "not answered"))
            continue
        verdict = decide(card, pid, text, student, verdicts)
        if verdict is None:
            return None
        verdicts.append(verdict)
    return ProblemResult(problem_id, card.title, verdicts, {}, card.varies)
