"""The misread given: one number of the problem read as another explains several wrong parts.

A marker who sees several wrong answers asks whether they all follow from one misread: the
target 0.99 read as 0.02, an input 0.05 read as 0.5, two weights swapped. This module asks
the same, after a problem's parts are graded: for each given (and each defined value that is
no part), the values a student may have used -- a decimal-place slip (x10, /10, x100, /100),
the given swapped with another, and the value that makes a wrong part come out exactly (solved
for, then rounded to the digits the given is written with) -- and keeps the one that explains
the most wrong parts, when it explains two or more. Each part it explains says so and earns
what error carried forward earns; the student's own earlier wrong values are used as they used
them (pinned), as :mod:`dlcheck.diagnose.carried` does.

Floats find the candidates; the exact (high-precision) graph confirms each part before it is
named. The search stops after :data:`SECONDS` whatever it has found (every check is bounded).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import sympy as sp

from dlcheck.check.shapes import close
from dlcheck.check.tolerance import GRADE_DPS, Tol
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.core.verdict import Status, Verdict
from dlcheck.diagnose.unexplained import MIN_EXPLAINED as MIN_EXPLAINED  # where callers have found it
from dlcheck.diagnose.unexplained import NEEDS as _NEEDS
from dlcheck.diagnose.unexplained import explained as _explained
from dlcheck.diagnose.unexplained import scalar as _scalar
from dlcheck.engine.exact import exact_value
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import float_function

SECONDS = 1.5               # the whole search, per problem
SECANT_STEPS = 30
_DEFINED_DECIMALS = 4       # a defined value worked out by hand is written to about 4 decimals
_CARRY_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}


@dataclass
class Misread:
    """Given ``name`` (the problem gives ``given``) read as ``used``; ``other`` is the partner of a swap."""

    name: str
    given: Any
    used: Any
    other: str | None = None
    shown: str | None = None      # the value used as the student would write it (0.90 for t2 = 0.99)
    defined: bool = False         # a defined value (net_h1), not a given

    def sentence(self, flipped: bool = False) -> str:
        if self.other is not None:
            text = (f"follows exactly if {self.name} and {self.other} are swapped ({self.name} = {_num(self.used)}, "
                    f"{self.other} = {_num(self.given)}): check how you read {self.name} and {self.other}")
        elif self.defined:
            used = self.shown or _num(self.used)
            text = (f"follows exactly if {self.name} = {used} (it is {_num(self.given)}): "
                    f"check how you worked out {self.name}")
        else:
            used = self.shown or _num(self.used)
            text = (f"follows exactly if {self.name} = {used} (the problem gives {_num(self.given)}): "
                    f"check how you read {self.name}")
        if flipped:
            text = text.replace("follows exactly if", "follows, but for its sign, if", 1)
        return text


def _num(x: Any) -> str:
    if isinstance(x, (sp.Rational, int)) or getattr(x, "is_Rational", False):
        try:
            return format(Decimal(int(x.p)) / Decimal(int(x.q)), "f") if hasattr(x, "p") else str(x)
        except (InvalidOperation, ZeroDivisionError):
            return str(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


class Amended(NamedTuple):
    """What :func:`explain` did: the verdicts it changed, and whether its search ran to its end (False: it
    stopped at :data:`SECONDS`, so on a faster machine it might have found more)."""

    changed: list[Verdict]
    whole: bool = True


def explain(inst: Instance, verdicts: list[Verdict]) -> Amended:
    """Amend (in place) the wrong verdicts one misread explains; the ones changed. Never raises on a
    student's values: a candidate that cannot be evaluated is skipped."""
    wrong = [v for v in verdicts if v.status in (*_NEEDS, Status.CARRIED) and _scalar(v.value)
             and v.part in inst.part_ref and isinstance(inst.part_ref[v.part], sp.Symbol)
             and not _explained(v)]
    if sum(v.status in _NEEDS for v in wrong) < MIN_EXPLAINED:
        return Amended([])
    deadline = time.monotonic() + SECONDS
    search = _Search(inst, wrong, deadline)
    best = search.run()
    if best is None:
        return Amended([], not search.cut)
    misread, explained = best
    changed = []
    policy = inst.spec.problem.carry_forward
    # the credit of error carried forward when two parts or more follow exactly; a reading that fits
    # only with the opposite sign as well is named, and the verdicts stand
    credit = sum(not flipped and v.status in _NEEDS for v, flipped in explained) >= MIN_EXPLAINED
    for v, flipped in explained:
        part = inst.spec.problem.parts[v.part]
        v.detail["misread"] = {"given": misread.name, "used": misread.shown or _num(misread.used),
                               "problem_gives": _num(misread.given),
                               **({"swapped_with": misread.other} if misread.other else {})}
        if flipped or not credit:
            text = misread.sentence(flipped)
            v.message = f"{v.message.rstrip('. ')}; {text}" if v.message else text
        else:
            v.status = Status.CARRIED if policy != "none" else Status.INCORRECT
            v.score = _CARRY_CREDIT[policy] * part.points
            v.message = misread.sentence()
            v.detail.pop("diagnosis", None)
            v.detail.pop("carried_from", None)   # the misread is the cause, not the earlier answer
        changed.append(v)
    return Amended(changed, not search.cut)


class _Search:
    def __init__(self, inst: Instance, wrong: list[Verdict], deadline: float) -> None:
        self.inst, self.wrong, self.deadline = inst, wrong, deadline
        self.cut = False   # the deadline stopped the search before it had tried everything
        self.syms = {v.part: inst.part_ref[v.part] for v in wrong}
        self.pins = {self.syms[v.part]: float(v.value) for v in wrong}
        self.tols = {v.part: Tol.of(inst.spec.problem.parts[v.part]) for v in wrong}
        self.base = inst.env()
        self.chains: dict[sp.Symbol, list] = {}
        self.leaves: dict[sp.Symbol, set] = {}

    def _late(self) -> bool:
        """The search's time is up (and it is cut short: said in :attr:`cut`)."""
        if time.monotonic() > self.deadline:
            self.cut = True
        return self.cut

    def _chain(self, sym: sp.Symbol) -> list[tuple[sp.Symbol, Any]]:
        """The nodes ``sym`` is computed from, in the graph's order, each with its compiled float formula."""
        if sym not in self.chains:
            needed = set(self.inst.ancestors(sym)) | {sym}
            self.chains[sym] = [(n, float_function(e)) for n, e in self.inst.node_expr.items() if n in needed]
        return self.chains[sym]

    def _value(self, sym: sp.Symbol, leaf: dict, pins: dict) -> float:
        """``sym`` with the givens in ``leaf`` read otherwise and the nodes in ``pins`` held (its own value is
        always computed); NaN where it has no value."""
        env = dict(self.base)
        env.update(leaf)
        for n, fn in self._chain(sym):
            if n in pins and n != sym:
                env[n] = pins[n]
                continue
            try:
                env[n] = fn(env)
            except (Undefined, UnknownSymbol, ZeroDivisionError, OverflowError, ValueError, TypeError):
                return float("nan")
        return env[sym]

    def _explains(self, leaf: dict, node: dict, parts: list[Verdict]) -> list[tuple[Verdict, bool]]:
        """The parts of ``parts`` a reading explains: (the verdict, whether only with the opposite sign). Each
        part's value is tried with the student's earlier values pinned and without (a carried part: without)."""
        found = []
        pinned = {**self.pins, **node}
        for v in parts:
            sym = self.syms[v.part]
            answer = float(v.value)
            trials = (node,) if v.status is Status.CARRIED else (pinned, node)
            for pins in trials:
                x = self._value(sym, leaf, pins)
                if not math.isfinite(x):
                    continue
                if _near(answer, x) and close(answer, x, self.tols[v.part]):
                    found.append((v, False))
                    break
                if x != 0 and _near(answer, -x) and close(answer, -x, self.tols[v.part]):
                    found.append((v, True))
                    break
        return found

    def _candidates(self) -> Iterator[tuple[Misread, dict[Any, float], dict[Any, Any]]]:
        inst = self.inst
        givens = [(name, leaf) for name, leaf in inst.leaves.items()
                  if isinstance(leaf, sp.Symbol) and leaf in inst.given_values
                  and inst.given_values[leaf].is_number and inst.given_values[leaf].is_real]
        for name, leaf in givens:
            value = inst.given_values[leaf]
            for factor in (10, sp.Rational(1, 10), 100, sp.Rational(1, 100)):
                yield Misread(name, value, value * factor), {leaf: float(value * factor)}, {}
        for k, (name, leaf) in enumerate(givens):
            for other, leaf2 in givens[k + 1:]:
                a, b = inst.given_values[leaf], inst.given_values[leaf2]
                if a != b:
                    yield Misread(name, a, b, other), {leaf: float(b), leaf2: float(a)}, {}
        for v in self.wrong:
            if v.status not in _NEEDS:
                continue
            for name, leaf in givens:
                value = inst.given_values[leaf]
                for used, shown in self._solved(v, leaf, float(value), _decimals(inst, name)):
                    if _plausible(float(value), float(used)):
                        yield Misread(name, value, used, shown=shown), {leaf: float(used)}, {}
        # a defined value that is no part (net_h1): worked out as another number, everything after it follows
        parts = set(inst.part_node.values())
        defines = [(name, sym) for name, sym in inst.named.items()
                   if isinstance(sym, sp.Symbol) and name not in parts and sym in inst.node_expr
                   and math.isfinite(self.base.get(sym, math.nan))]
        for v in self.wrong:
            if v.status not in _NEEDS:
                continue
            for name, sym in defines:
                value = self.base[sym]
                for used, shown in self._solved(v, sym, value, _DEFINED_DECIMALS, node=True):
                    if _plausible(float(value), float(used)):
                        yield Misread(name, value, used, shown=shown, defined=True), {}, {sym: float(used)}

    def _leaves(self, sym: sp.Symbol) -> set:
        """The symbols a node's value is computed from, through every node before it."""
        if sym not in self.leaves:
            nodes = set(self.inst.ancestors(sym)) | {sym}
            exprs = [self.inst.node_expr[n] for n in nodes if n in self.inst.node_expr]
            self.leaves[sym] = {s for e in exprs for s in e.free_symbols}
        return self.leaves[sym]

    def _solved(self, v: Verdict, leaf: sp.Symbol, start: float, decimals: int,
                node: bool = False) -> list[tuple[Any, str]]:
        """Values of ``leaf`` (a given, or with ``node`` a defined value) that make part ``v`` come out as the
        student's answer (secant, then rounded)."""
        sym = self.syms[v.part]
        if leaf not in self._leaves(sym) or leaf == sym:
            return []
        pins = {s: x for s, x in self.pins.items() if s != sym}
        out: list[tuple[Any, str]] = []
        # the answer as written, and its negative (a student's own sign convention); from the given's value
        # and from 0 (a quadratic loss has a root on either side of the output)
        for target in (float(v.value), -float(v.value)):
            for x0 in (start, 0.0):
                for used, shown in self._root(sym, leaf, pins, target, x0, decimals, node):
                    if used != sp.Rational(f"{start:.{decimals}f}") and used not in [u for u, _ in out]:
                        out.append((used, shown))
        return out

    def _root(self, sym: sp.Symbol, leaf: sp.Symbol, pins: dict, target: float, x0: float,
              decimals: int, node: bool = False) -> list[tuple[Any, str]]:
        def f(x: float) -> float:
            if node:
                return self._value(sym, {}, {**pins, leaf: x}) - target
            return self._value(sym, {leaf: x}, pins) - target

        x1 = x0 * 1.1 + 0.01
        f0, f1 = f(x0), f(x1)
        for _ in range(SECANT_STEPS):
            if self._late() or not (math.isfinite(f0) and math.isfinite(f1)) or f1 == f0:
                break
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            if not math.isfinite(x1) or abs(x1) > 1e6:
                return []
            f1 = f(x1)
            if abs(x1 - x0) < 1e-12 * max(1.0, abs(x1)):
                break
        if not math.isfinite(f1) or abs(f1) > 1e-6 * max(1.0, abs(target)):
            return []
        shown = f"{x1:.{decimals}f}"   # a value is read as a number written like the given
        return [(sp.Rational(shown), shown)]

    def run(self) -> tuple[Misread, list[tuple[Verdict, bool]]] | None:
        best: tuple[Misread, list[tuple[Verdict, bool]]] | None = None
        seen: set = set()
        already = {v.part for v, _ in self._explains({}, {}, self.wrong)}
        for misread, leaf, node in self._candidates():
            if self._late():
                break
            key = (misread.name, misread.other, misread.used)
            if key in seen:
                continue
            seen.add(key)
            reach = set(leaf) | set(node)
            reached = [v for v in self.wrong if v.part not in already and reach & self._leaves(self.syms[v.part])]
            needs = self._explains(leaf, node, [v for v in reached if v.status in _NEEDS])
            if not _enough(needs, reached):
                continue   # the wrong answers to explain are not explained: the carried ones need not be tried
            explained = needs + self._explains(leaf, node, [v for v in reached if v.status not in _NEEDS])
            if not _enough(explained, reached) or \
                    (best is not None and _rank(misread, explained) <= _rank(*best)):
                continue
            confirmed = self._confirm(misread, explained)
            if _enough(confirmed, reached) and \
                    (best is None or _rank(misread, confirmed) > _rank(*best)):
                best = (misread, confirmed)
        return best

    def _confirm(self, misread: Misread, explained: list[tuple[Verdict, bool]]) -> list[tuple[Verdict, bool]]:
        """The parts the exact graph confirms (high precision, like grading)."""
        inst = self.inst
        leaf = inst.named[misread.name] if misread.defined else inst.leaves[misread.name]
        overrides: dict = {leaf: sp.nsimplify(misread.used)}
        if misread.other is not None:
            overrides[inst.leaves[misread.other]] = misread.given
        out = []
        for v, flipped in explained:
            sym = self.syms[v.part]
            pins = {s: sp.Float(x, 30) for s, x in self.pins.items() if s != sym}
            trials = [overrides] if v.status is Status.CARRIED else [{**overrides, **pins}, overrides]
            for trial in trials:
                try:
                    value = exact_value(inst, sym, trial, GRADE_DPS)
                except (Undefined, UnknownSymbol, ZeroDivisionError, TypeError, ValueError):
                    continue
                target = -value if flipped else value
                if close(float(v.value), float(target), self.tols[v.part]):
                    out.append((v, flipped))
                    break
        return out


def _near(a: float, b: float) -> bool:
    """A quick float look before the exact tolerance (no part's tolerance is near 10%)."""
    return abs(a - b) <= 0.1 * max(abs(a), abs(b)) + 1e-12


def _enough(explained: list[tuple[Verdict, bool]], reached: list[Verdict]) -> bool:
    """Two wrong parts or more that no earlier answer explains (a part carried from an earlier wrong answer
    follows from that answer whatever the given, so it is no evidence of a misread; it is told of one),
    and at least a third of the wrong parts the given reaches: in a file of wrong answers, two that one
    value happens to fit are chance, not a misread. The same number written for two parts (0.1 for both
    dE/dw5 and dE/dw7, whose values are close) counts once."""
    count = len({float(v.value) for v, _ in explained if v.status in _NEEDS})
    return count >= MIN_EXPLAINED and 3 * count >= sum(v.status in _NEEDS for v in reached)


def _rank(misread: Misread, explained: list[tuple[Verdict, bool]]) -> tuple[int, bool, int]:
    """More parts explained first (with the opposite sign too: a student's own sign convention); then a
    reading that stays on the given's side of 0 and 1 (0.99 read as 0.02 rather than 1.58); then more
    parts explained exactly."""
    given, used = float(misread.given), float(misread.used)
    plausible = (given >= 0) == (used >= 0) and (abs(given) < 1) == (abs(used) < 1)
    return len(explained), plausible, sum(not flipped for _, flipped in explained)


def _plausible(value: float, used: float) -> bool:
    """Whether ``used`` could be how a student read ``value``: the same sign and as many digits before the
    point (0.02 for a target of 0.99, 0.8825 for 0.3775; never -6.75 for 0.94: that is no misreading, and
    a value solved for can be anything). Decimal-place slips and swaps are candidates of their own."""
    if value == 0 or used == 0:
        return value == used
    if (value > 0) != (used > 0):
        return False
    digits = [max(0, math.floor(math.log10(abs(x))) + 1) for x in (value, used)]
    return digits[0] == digits[1]


def _decimals(inst: Instance, name: str) -> int:
    """The digits after the point the given is written with (0.99: 2), at least 1."""
    text = str(inst.spec.problem.given.get(name, "")).strip()
    if "." in text and text.replace(".", "", 1).lstrip("-").isdigit():
        return max(1, len(text.split(".")[1]))
    return 2
