"""The numeric path: literal numbers checked and diagnosed from the problem's card, without sympy.

:func:`decide` gives a part's verdict from its card (:mod:`dlcheck.check.fast`) when it can give the
one the full checker would: a right literal is ``correct``; a wrong one is judged by the same code
(:func:`dlcheck.check.numbers.judge`), carried forward by the same code
(:func:`dlcheck.diagnose.carried.carried_in`, on the card's graph evaluated in 80-digit decimals:
:class:`CardGraph`) and diagnosed by the same code (:func:`dlcheck.diagnose.diagnose_number`, the same
slips), with what they ask of the graph read from the card. An irrational reference is a narrow
interval on the card, and a carried value near the tolerance's edge is not trusted: a verdict is given
only when it cannot depend on them. A student's own numbers, an answer that is not a literal, a graph
the card could not hold: None, and the full checker (sympy loaded as before) decides.

:func:`quick_problem` checks a problem's parts this way when every answered one can be, in this
process: no worker, no sympy, no numpy (``grade/quick.py`` grades a file so; ``dlcheck.check``,
``dlcheck.grade`` and ``solve`` use :func:`decide`). ``tests/test_fast_path.py`` holds every verdict to the
full checker's.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dlcheck.check import fast
from dlcheck.check.numbers import judge
from dlcheck.check.shapes import cells, close
from dlcheck.check.tolerance import GRADE_DPS, Tol
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.diagnose import Named, carry, diagnose_number, entry_credit, unexplained
from dlcheck.diagnose.carried import carried_in, walk_to_pins
from dlcheck.diagnose.slips import Detector, Wrong
from dlcheck.engine.numbers import digits

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
        if self.card.givens is None:
            raise _Unknown("an irrational given")  # a factor of it is matched on its exact value: the graph's
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
    """``answer``'s verdict from the card, as the full checker would give it, or None (see the module):
    whatever goes wrong here sends the answer to the full checker, never a student's grading astray."""
    try:
        return _decide(card, pid, answer, student, earlier)
    except (ArithmeticError, ValueError, TypeError, RecursionError, KeyError, IndexError):
        return None


def _decide(card: fast.Card, pid: str, answer: Any, student: str | None,
            earlier: list[Verdict] | None) -> Verdict | None:
    quick = fast.decide(card, pid, answer, student)
    if quick is not None:
        return quick
    part = card.numeric.get(pid)
    if part is None or part.clues is None or not isinstance(answer, str) or (card.varies and student is not None) \
            or not fast.literal(part):
        return None
    before = {v.part: v for v in earlier or []}
    wrong = [v for v in before.values() if v.value is not None and v.status in _WRONG]
    if wrong and (card.graph is None or not all(_exact_cells(v.value) for v in wrong)):
        return None  # error carried forward reads a graph the card could not hold, or a formula's value
    cells = fast.read_literal(answer, part.rows, part.cols)
    if cells is None:
        return None
    for (given, _), lo, hi in zip(cells, part.lo, part.hi):
        if lo != hi and abs(given - lo) <= (abs(lo) + 1) * TINY:
            return None
    try:  # at both ends of every interval on the card (the reference's, its mistakes')
        verdicts = [_judged(card, part, cells, answer, side, before) for side in (0, 1)]
    except _Unknown:
        return None
    if any(v.to_json() != verdicts[0].to_json() or v.status is Status.CORRECT for v in verdicts):
        return None  # the reference's two ends disagree: only its exact value can say
    return verdicts[0]


def _exact_cells(value: Any) -> bool:
    """A value the card's graph can be pinned to: fractions (a formula's answer is an mpf: the graph's)."""
    return all(isinstance(c, (Fraction, int)) for c in cells(value))


def _judged(card: fast.Card, part: fast.PartCard, cells: list[tuple[Fraction, str]], answer: str,
            side: int, before: dict[str, Verdict]) -> Verdict:
    ends = part.lo if side == 0 else part.hi
    if part.rows == part.cols == 1:
        given: Any = cells[0][0]
        expected: Any = ends[0]
    else:
        given = [[cells[i * part.cols + j][0] for j in range(part.cols)] for i in range(part.rows)]
        expected = [[ends[i * part.cols + j] for j in range(part.cols)] for i in range(part.rows)]
    written = fast.entries(part, answer)
    verdict = Verdict(part.pid, Status.INCORRECT, 0.0, part.points, answer=answer, expected=part.expected,
                      cells=written)
    judge(verdict, given, expected, part.tol, answer, part.points, _noise(part, cells), entries=written)
    if verdict.status is Status.CORRECT:
        return verdict
    if card.graph is not None and before:
        carried = carried_in(CardGraph(card.graph), part.pid, verdict.value, part.tol, before)
        if carried:
            return carry(verdict, carried, part.points, card.carry)
    return diagnose_number(verdict, part.tol, part.points, CardClues(card, part, side))


def _noise(part: fast.PartCard, cells: list[tuple[Fraction, str]]) -> Fraction:
    """The slack the full checker's working precision gives an inexact reference (kinds/value.py: every
    literal's digits, the answer's and the graph's, plus 20; at least grading's 50)."""
    longest = max([part.longest] + [digits(abs(v.numerator)) + digits(v.denominator) for v, _ in cells])
    dps = max(GRADE_DPS, min(4000, part.hp_dps + longest) + 20)
    return Fraction(1, 10 ** (dps - 10))


# -- error carried forward on the card's graph --------------------------------------------------------
DIGITS = 80                       # the decimals the card's graph is evaluated in (grading's own: 50)
MARGIN = Fraction(1, 10 ** 12)    # a carried value this close to the tolerance's edge: the full checker's


@dataclass
class CardGraph:
    """:class:`dlcheck.diagnose.carried.Graph` from the card: formulas are ``("ref", pid)`` or a rewritten
    ``("ir", formula)``, nodes are names, values 80-digit decimals (a float constant of a spec differs from
    grading's by 1e-16 at most, and a match within :data:`MARGIN` of the edge is left to the full checker)."""

    data: fast.GraphData

    def reference(self, pid: str) -> Any:
        return ("ref", pid)

    def pins(self, part: str, value: Any) -> dict[Any, Any] | None:
        names = self.data.pins.get(part)
        return None if names is None else dict(zip(names, cells(value)))

    def through(self, pid: str, wrong: list[tuple[str, dict]]) -> Any | None:
        could, rewritten = self.data.through.get(pid, (frozenset(), {}))
        used = [name for name, pins in wrong if name in could and len(pins) == 1]
        if len(used) > 1:
            raise _Unknown("two products to write through")  # rewritten one after the other: the graph's
        return ("ir", rewritten[used[0]]) if used and used[0] in rewritten else None

    def reached(self, formula: Any, pinned: set) -> frozenset:
        return frozenset(walk_to_pins(self._names(formula), pinned, lambda name: self.data.deps.get(name, ())))

    def _names(self, formula: Any) -> set[str]:
        if formula[0] == "ref":
            return set(self.data.refs[formula[1]][2])
        names: set[str] = set()
        stack = [formula[1]]
        while stack:
            node = stack.pop()
            if node[0] == "s":
                names.add(node[1])
            elif node[0] != "n":
                stack.extend(a for a in node[1:] if isinstance(a, tuple))
        return names

    def value(self, formula: Any, overrides: dict) -> Any:
        context = decimal.Context(prec=DIGITS, Emax=10 ** 6, Emin=-10 ** 6,
                                  traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow,
                                         decimal.Underflow])
        evaluator = _Decimals(self.data, overrides, context)
        try:
            if formula[0] == "ir":
                return evaluator.exact(evaluator.formula(formula[1]))
            rows, cols, names = self.data.refs[formula[1]]
            values = [evaluator.exact(evaluator.node(n)) for n in names]
        except (decimal.InvalidOperation, decimal.DivisionByZero, ZeroDivisionError):
            raise Undefined("no real value") from None
        except (decimal.Overflow, decimal.Underflow):
            raise _Unknown("beyond decimals' range: where the full checker's ends differ") from None
        if rows == cols == 1:
            return values[0]
        return [[values[i * cols + j] for j in range(cols)] for i in range(rows)]

    def close(self, given: Any, value: Any, tol: Tol) -> bool:
        verdicts = {close(given, _scaled(value, factor), tol) for factor in (1 - MARGIN, Fraction(1), 1 + MARGIN)}
        if len(verdicts) > 1:
            raise _Unknown("a carried value at the tolerance's edge")
        return verdicts.pop()


def _scaled(value: Any, factor: Fraction) -> Any:
    return [[x * factor for x in row] for row in value] if isinstance(value, list) else value * factor


class _Decimals:
    """The card's formulas in decimals: givens, the student's pinned values, each node once."""

    def __init__(self, data: fast.GraphData, overrides: dict, context: Any) -> None:
        self.data, self.overrides, self.ctx = data, overrides, context
        self.memo: dict[str, Any] = {}

    def exact(self, x: Any) -> Fraction:
        if not x.is_finite():
            raise Undefined("no real value")
        return Fraction(x)

    def number(self, x: Fraction) -> Any:
        return self.ctx.divide(self.ctx.create_decimal(x.numerator), self.ctx.create_decimal(x.denominator))

    def node(self, name: str) -> Any:
        if name in self.overrides:
            return self.number(Fraction(self.overrides[name]))
        if name in self.memo:
            return self.memo[name]
        if name in self.data.leaves:
            value = self.number(self.data.leaves[name])
        elif name in self.data.nodes:
            value = self.formula(self.data.nodes[name])
        else:
            raise UnknownSymbol(name)
        self.memo[name] = value
        return value

    def sum(self, terms: list[Any]) -> Any:
        """A sum, unless it cancels (0, or far below its largest term): then the digits lost decide, and the
        full checker, whose digits are not these, decides (3q - 1 with q = 1/3 is 0 there, -1e-80 here)."""
        total = terms[0]
        for term in terms[1:]:
            total = self.ctx.add(total, term)
        largest = max(abs(t) for t in terms)
        if len(terms) > 1 and largest and abs(total) <= largest * self.number(CANCELLED):
            raise _Unknown("a sum that cancels")
        return total

    def exp(self, x: Any) -> Any:
        if abs(x) > 10 ** 4:
            raise _Unknown("an exponential beyond the range both checkers agree on")
        return self.ctx.exp(x)

    def formula(self, f: Any) -> Any:
        ctx, op = self.ctx, f[0]
        if op == "n":
            return self.number(f[1])
        if op == "s":
            return self.node(f[1])
        args = [self.formula(a) for a in f[2 if op == "f" else 1:]]
        if op == "+":
            return self.sum(args)
        if op == "*":
            product = args[0]
            for a in args[1:]:
                product = ctx.multiply(product, a)
            return product
        if op == "^":
            base, exponent = args
            if base == 0 and exponent < 0:
                raise Undefined("no real value")   # 1/0: as the full checker, no value to carry
            if exponent == exponent.to_integral_value() and abs(exponent) <= 10 ** 6:
                return ctx.power(base, int(exponent))
            if base > 0:
                return self.exp(ctx.multiply(exponent, ctx.ln(base)))
            if base == 0 and exponent > 0:
                return ctx.create_decimal(0)
            raise _Unknown("a root of a negative number")   # the full checker's real roots of odd order
        if op in ("max", "min"):
            return max(args) if op == "max" else min(args)
        (x,) = args
        name = f[1]
        if name == "exp":
            return self.exp(x)
        if name == "log":
            if x <= 0:
                raise Undefined("no real value")
            return ctx.ln(x)
        if name == "sigmoid":
            return ctx.divide(1, ctx.add(1, self.exp(ctx.minus(x))))
        if name == "tanh":
            e2 = self.exp(ctx.multiply(2, x))
            return ctx.divide(self.sum([e2, ctx.create_decimal(-1)]), ctx.add(e2, 1))
        if name == "abs":
            return ctx.abs(x)
        if name in ("sin", "cos"):
            return _trig(ctx, x, name)
        raise _Unknown(name)


CANCELLED = Fraction(1, 10 ** 30)   # a sum this much smaller than its terms has lost the digits that tell


def _trig(ctx: Any, x: Any, name: str) -> Any:
    """sin or cos by its series, the argument first brought within [-pi, pi] (the decimal docs' recipe)."""
    if abs(x) > 10 ** 6:
        raise _Unknown("a trigonometric argument too large for the series")
    turn = ctx.multiply(2, _pi(ctx))
    x = ctx.subtract(x, ctx.multiply(turn, ctx.to_integral_value(ctx.divide(x, turn))))
    square = ctx.multiply(x, x)
    term, power = (x, 1) if name == "sin" else (ctx.create_decimal(1), 0)
    total = term
    while True:
        term = ctx.divide(ctx.minus(ctx.multiply(term, square)), (power + 1) * (power + 2))
        power += 2
        new = ctx.add(total, term)
        if new == total:
            return total
        total = new


def _pi(ctx: Any) -> Any:
    """pi to the context's precision (the decimal docs' recipe)."""
    three = ctx.create_decimal(3)
    last, t, s, n, na, d, da = 0, three, 3, 1, 0, 0, 24
    while s != last:
        last = s
        n, na = n + na, na + 8
        d, da = d + da, da + 32
        t = ctx.divide(ctx.multiply(t, n), d)
        s = ctx.add(s, t)
    return s


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
    if unexplained.may_search(verdicts):
        return None  # one misread given may explain them: diagnose.misread searches the graph
    return ProblemResult(problem_id, card.title, verdicts, {}, card.varies)
