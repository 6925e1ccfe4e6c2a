"""Are two formulas the same function on the reference's real domain? Three answers, each earned.

- **equal** needs a proof: the difference simplifies to 0 on construction, or the two
  sides agree, in high-precision arithmetic (mpmath, exact fractions while the arithmetic
  is rational), at enough points spread over the reference's whole real domain --
  negative values, integers and half-integers included -- and the answer has a value
  wherever the reference has one (up to isolated points, such as x = 0 in x/x);
- **different** needs a witness: a point where both sides are real and differ (confirmed
  at two precisions, so rounding cannot fake it), or an open set on which the reference
  has a value and the answer has none (``2 log(x)`` for ``log(x^2)`` at x = -1);
- only what is neither is **undecided**; sympy then tries to simplify the difference
  (inside the grader's time bound).

Floats are used only to look quickly: every point they flag is re-decided with mpmath.
``sqrt(x)^2`` is simplified by sympy to ``x`` while it is parsed; the parser keeps such
lost partial sub-formulas as *guards* (see :class:`dlcheck.parse.safe.Parser`), and a side
has a value at a point only where its guards do too.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy as sp

from dlcheck.core.errors import Undefined
from dlcheck.engine.exact import resolver
from dlcheck.engine.instance import Instance
from dlcheck.engine.numbers import digits
from dlcheck.engine.numeval import HP_DPS, hp_value, numeval, to_mpf
from dlcheck.parse.functions import sigmoid, sympy_function
from dlcheck.parse.vocabulary import VOCABULARY

MIN_AGREE = 6        # high-precision agreements (both sides real) that make a proof ...
MIN_GENERIC = 4      # ... of which at least this many at generic (random) points
MAX_POINTS = 160     # the most points one comparison looks at
FLOAT_DIFFERENT = 1e-7
MAX_DPS = 4000

# special values every symbol meets: signs, zero, integers, half-integers
_SPECIAL = [Fraction(v) for v in (0, 1, -1, 2, -2, 3, -3)] + \
    [Fraction(p, 2) for p in (1, -1, 3, -3, 5, -5)] + [Fraction(1, 4), Fraction(-1, 4)]


@dataclass
class Outcome:
    equal: bool | None                      # None: could not decide
    point: dict[str, float] | None = None   # the witness (symbol -> value) when different
    values: tuple[float, float] | None = None  # (answer, expected) there; answer nan when it has no value
    how: str = "sampling"                   # identical, sampling, symbolic, undefined (nowhere real), no-value-here
    gap: float | None = None                # answer - expected at the witness, when both have a value
    texts: tuple[str, str] | None = None    # the values as text when one is beyond a float (1e616)


# -- points -------------------------------------------------------------------------------
def _magnitude(rng: random.Random) -> Fraction:
    """A random positive dyadic number, from small to moderately large."""
    roll = rng.random()
    lo, hi = (0.05, 1.0) if roll < 0.35 else (1.0, 3.0) if roll < 0.9 else (3.0, 8.0)
    return Fraction(round(rng.uniform(lo, hi) * 2 ** 20), 2 ** 20)


def _generic(domain: str, rng: random.Random, sign: int) -> Fraction:
    if domain == "integer":
        return Fraction(rng.randint(-3, 6))
    if domain == "probability":
        return Fraction(round(rng.uniform(0.02, 0.98) * 2 ** 20), 2 ** 20)
    if domain == "angle":
        return Fraction(round(rng.uniform(-3.0, 3.0) * 2 ** 20), 2 ** 20)
    m = _magnitude(rng)
    if domain == "positive":
        return m
    if domain == "negative":
        return -m
    return m * sign


_GRID = [Fraction(v) for v in (1, -1, 2, -2)] + [Fraction(p, 2) for p in (1, -1, 3, -3)] + [Fraction(0)]


def _grid_values(domain: str) -> list[Fraction]:
    return [v for v in _GRID if v in _POOLS.get(domain, _SPECIAL)] or _POOLS.get(domain, _SPECIAL)


_POOLS = {"positive": [v for v in _SPECIAL if v > 0], "negative": [v for v in _SPECIAL if v < 0],
          "nonzero": [v for v in _SPECIAL if v != 0], "integer": [v for v in _SPECIAL if v.denominator == 1],
          "probability": [Fraction(1, 2), Fraction(1, 4), Fraction(3, 4)]}


def _special(domain: str, rng: random.Random) -> Fraction:
    return rng.choice(_POOLS.get(domain, _SPECIAL))


def sample_points(symbols: Sequence[sp.Symbol], domains: dict, seed: str, generic: int,
                  special: int) -> list[tuple[bool, dict]]:
    """Seeded points: ``generic`` random ones running through every sign pattern, then ``special`` ones
    built mostly from 0, +-1, +-2, +-3, halves and quarters (each point tagged 'generic' or not)."""
    kinds = tuple(domains.get(s, "real") for s in symbols)
    return [(is_generic, dict(zip(symbols, values)))
            for is_generic, values in _point_values(kinds, seed, generic, special)]


@lru_cache(maxsize=256)
def _point_values(kinds: tuple[str, ...], seed: str, generic: int, special: int) -> tuple:
    """The values of :func:`sample_points` for symbols of these domains (cached: a part is checked
    many times with the same seed)."""
    rng = random.Random(zlib.crc32(seed.encode()))
    points: list[tuple[bool, tuple]] = []
    k = len(kinds)
    for i in range(generic):
        if k > 16 or i >= 2 ** k:  # all sign patterns seen: random signs from here on
            values = tuple(_generic(d, rng, rng.choice((-1, 1))) for d in kinds)
        else:
            values = tuple(_generic(d, rng, -1 if (i >> j) & 1 else 1) for j, d in enumerate(kinds))
        points.append((True, values))
    for _ in range(special):
        values = tuple(_special(d, rng) if rng.random() < 0.75 else _generic(d, rng, rng.choice((-1, 1)))
                       for d in kinds)
        points.append((False, values))
    return tuple(points)


# floor, sign, abs, max ... (the vocabulary's piecewise functions; max/min are sympy's Max/Min)
_PIECEWISE = (*(f for f in (sympy_function(r) for r in VOCABULARY if r.piecewise) if isinstance(f, type)),
              sp.Max, sp.Min)


def _risky(exprs: Iterable[Any]) -> bool:
    """Formulas whose differences may hide at special points: powers whose real domain turns on
    integer exponents (symbolic exponents, roots of roots), and piecewise functions (floor, sign, max)."""
    for e in exprs:
        if e.has(*_PIECEWISE):
            return True
        for p in e.atoms(sp.Pow):
            if p.exp.free_symbols or (not p.exp.is_Integer and
                                      any(not q.exp.is_Integer for q in p.base.atoms(sp.Pow))):
                return True
    return False


def digits_needed(*exprs: Any) -> int:
    """Working precision that sees every literal: 30 digits, plus the digits of the longest number typed."""
    longest = 0
    for e in exprs:
        items = list(e) if isinstance(e, sp.MatrixBase) else [e]
        for item in items:
            if not isinstance(item, sp.Basic):
                continue
            for r in item.atoms(sp.Rational):  # digits from bit lengths: str() of a huge int raises
                longest = max(longest, digits(abs(int(r.p))) + digits(int(r.q)))
    return min(4000, HP_DPS + longest)


def formulas_behind(inst: Instance, *exprs: Any) -> list:
    """The formulas of the graph's nodes that ``exprs`` stand on, and the given values: their literals
    count for the working precision as much as those typed (a reference ``x + 1e-300`` is a node)."""
    nodes: set = set()
    for e in exprs:
        nodes |= inst.ancestors(e)
    return [inst.node_expr[s] for s in nodes if s in inst.node_expr] + list(inst.given_values.values())




# -- evaluating the two sides at one point ----------------------------------------------------
class _Side:
    """A formula with its guards (the partial sub-formulas sympy simplified away)."""

    def __init__(self, expr: Any, guards: Sequence[Any]) -> None:
        self.expr = expr
        self.guards = list(guards)
        self.key = (expr, *self.guards)   # what its values depend on, besides the point

    def floats(self, env: dict) -> float | None:
        try:
            for g in self.guards:
                numeval(g, env)
            return numeval(self.expr, env)
        except Undefined:
            return None

    def precise(self, env: dict, resolve: Callable[[Any], Any], dps: int) -> Any:
        try:
            for g in self.guards:
                hp_value(g, env, resolve, dps)
            return hp_value(self.expr, env, resolve, dps)
        except Undefined:
            return None


def precise_pair(inst: Instance, answer: _Side, expected: _Side, leaf_env: dict, dps: int) -> tuple[Any, Any]:
    """(answer, expected) at ``dps`` digits (Fractions when exact; None where a side has no value).

    Graph nodes are computed on demand from the leaves, once for both sides. Leaves
    with a large denominator (random points) enter as mpmath numbers, which is faster;
    special points (0, 1/2, -3/2 ...) stay exact, so that whole exponents are seen as whole.
    """
    point = _point_key(leaf_env)
    # the graph's values at this point serve every answer checked there
    env = inst.remember(("point-env", point, dps), lambda: _leaf_values(inst, leaf_env, dps))
    resolve = resolver(inst, env, dps)
    # the expected side depends on the point alone
    vb = inst.remember(("precise-side", expected.key, point, dps), lambda: expected.precise(env, resolve, dps))
    va = answer.precise(env, resolve, dps) if vb is not None else None
    return va, vb


def _point_key(leaf_env: dict) -> tuple:
    """A point as a key of the instance's memo (whole numbers: a Fraction's hash is not cached)."""
    return tuple(sorted(((s, v.numerator, v.denominator) for s, v in leaf_env.items()), key=lambda t: t[0].name))


def _leaf_values(inst: Instance, leaf_env: dict, dps: int) -> dict:
    env = dict(inst.exact_givens())
    with _workdps(dps):
        env.update({s: v if v.denominator <= 4 else to_mpf(v) for s, v in leaf_env.items()})
    return env


def _workdps(dps: int) -> Any:
    import mpmath  # lazy: see numeval

    return mpmath.workdps(dps)


def _close(va: Any, vb: Any, dps: int) -> bool:
    """Equal to ``dps - 12`` digits (exactly, for two Fractions)."""
    if isinstance(va, Fraction) and isinstance(vb, Fraction):
        return va == vb
    with _workdps(dps + 10):
        a, b = to_mpf(va), to_mpf(vb)
        scale = max(abs(a), abs(b))
        return bool(abs(a - b) <= scale * _ten(12 - dps)) or bool(a == b)


@lru_cache(maxsize=64)
def _ten(k: int) -> Any:
    import mpmath  # lazy: see numeval

    with mpmath.workdps(abs(k) + 10):
        return mpmath.mpf(10) ** k


# -- the decision --------------------------------------------------------------------------
def equivalent(inst: Instance, a: Any, b: Any, seed: str, guards_a: Sequence[Any] = (), guards_b: Sequence[Any] = (),
               ) -> Outcome:
    """Is scalar formula ``a`` (the answer) equal to ``b`` (the reference) on ``b``'s real domain?"""
    if not guards_a and not guards_b and (a == b or sp.expand(a - b) == 0 if _small(a, b) else a == b):
        return Outcome(True, how="identical")
    answer, expected = _Side(a, guards_a), _Side(b, guards_b)
    # the guards' symbols too: a factor sympy cancelled (0*canary/canary) leaves its guard behind
    leaves = sorted(set().union(*(inst.free_leaves(e) | _extra(inst, e) for e in (a, b, *guards_a, *guards_b))),
                    key=lambda s: s.name)
    dps = digits_needed(a, b, *guards_a, *guards_b, *formulas_behind(inst, a, b))
    risky = _risky([a, b, *guards_a, *guards_b])
    generic = min(32, max(8, 2 ** len(leaves)))
    special = 64 if risky else 8
    decided = _run(inst, answer, expected, leaves, seed, generic, special, dps, grid=risky and len(leaves) <= 3)
    if decided.equal is None:  # too few points where both are real: look wider once
        decided = _run(inst, answer, expected, leaves, seed + "/wider", 48, 48, dps)
    if decided.equal is None and not guards_a and not guards_b:
        return _symbolic(inst, a, b)
    return decided


def _small(a: Any, b: Any) -> bool:
    """Cheap and safe to expand on the spot: small polynomials (no division, roots or functions)."""
    return all(not e.atoms(sp.Function) and sp.count_ops(e) <= 40 and
               all(p.exp.is_Integer and 0 <= p.exp <= 12 for p in e.atoms(sp.Pow)) for e in (a, b))


def _float_env(inst: Instance, floats: dict, givens: dict | None) -> dict:
    """The graph's floats at a point (``givens``: the formulas stand on the given values alone)."""
    return inst.env(floats) if givens is None else {**givens, **floats}


def _extra(inst: Instance, e: Any) -> set:
    return e.free_symbols - set(inst.node_expr) - set(inst.given_values)


def _run(inst: Instance, answer: _Side, expected: _Side, leaves: list, seed: str, generic: int, special: int,
         dps: int, grid: bool = False) -> Outcome:
    domains = inst.domains
    points = sample_points(leaves, domains, seed, generic, special)
    points = points[generic:] + points[:generic]  # special points first: a witness there is easiest to read
    if grid:  # every combination of small special values: (a^b)^c differs from a^(b*c) only at a few
        points = [(False, dict(zip(leaves, values))) for values in
                  itertools.product(*[_grid_values(domains.get(s, "real")) for s in leaves])] + points
    agree_float: list[tuple[bool, dict]] = []
    beyond_floats: list[tuple[bool, dict]] = []   # the reference had no float value: too large for one?
    missing: list[tuple[bool, dict]] = []         # the reference has a float value here, the answer none
    both = only_answer = 0
    through_graph = any(s in inst.node_expr for side in (answer, expected)
                        for e in (side.expr, *side.guards) for s in e.free_symbols)
    givens = {s: float(v) for s, v in inst.exact_givens().items()}
    for is_generic, leaf_env in points:
        floats = {s: float(v) for s, v in leaf_env.items()}
        # the graph at a point, and the expected side there, serve every answer
        point = _point_key(leaf_env)
        env = inst.remember(("float-env", point, through_graph), functools.partial(
            _float_env, inst, floats, givens if not through_graph else None))
        fb = inst.remember(("float-side", expected.key, point), functools.partial(expected.floats, env))
        fa = answer.floats(env)
        if fb is None:
            if fa is not None:
                only_answer += 1
            # floats can miss a value (overflow): the precise check below looks again when needed
            beyond_floats.append((is_generic, leaf_env))
            continue
        if fa is None:
            missing.append((is_generic, leaf_env))
            continue
        both += 1
        scale = max(abs(fa), abs(fb))
        if abs(fa - fb) > FLOAT_DIFFERENT * scale and scale > 1e-250:
            found = _witness(inst, answer, expected, leaf_env, dps)
            if found is not None:
                return found
        agree_float.append((is_generic, leaf_env))
    # every float agreement is only a hint: confirm a spread of them in high precision
    generic_ok = [p for p in agree_float if p[0]]
    special_ok = [p for p in agree_float if not p[0]]
    chosen = generic_ok[:MIN_GENERIC] + special_ok[:MIN_AGREE - MIN_GENERIC]
    chosen += generic_ok[MIN_GENERIC:MIN_GENERIC + MIN_AGREE - len(chosen)]
    # a point where the high-precision pass finds no value on a side (sin of 10^80: beyond the
    # digits it keeps) proves nothing either way; another point the floats agreed on stands in
    spare = [p for p in agree_float if p not in chosen][:2 * MIN_AGREE]
    agreed = generic_agreed = 0
    unsure = False
    for is_generic, leaf_env in chosen + spare:
        if agreed >= MIN_AGREE and generic_agreed >= MIN_GENERIC:
            break
        if (is_generic, leaf_env) in spare and unsure:
            break
        verdict = _precise_point(inst, answer, expected, leaf_env, dps)
        if isinstance(verdict, Outcome):
            return verdict
        if verdict:
            agreed += 1
            generic_agreed += is_generic
        elif verdict is not None:
            unsure = True
    if agreed < MIN_AGREE or generic_agreed < MIN_GENERIC:  # values beyond floats (1e616): in high precision
        for is_generic, leaf_env in beyond_floats[:2 * MIN_AGREE] + missing[:2 * MIN_AGREE]:
            found = compare_at(inst, answer, expected, leaf_env, dps)
            if isinstance(found, tuple):
                return _different(leaf_env, found, dps)
            if found is not None:  # both have a value here after all (a float overflowed)
                missing = [m for m in missing if m[1] is not leaf_env]
            if found == EQUAL:
                agreed += 1
                generic_agreed += is_generic
                both += 1
            elif found == UNSURE:
                unsure = True
    hole = _open_hole(inst, answer, expected, [env for _, env in missing], leaves, seed, dps)
    if hole is not None:
        return hole
    if both == 0 and only_answer == 0 and missing:
        return Outcome(False, how="undefined")  # the answer has no real value anywhere the reference has one
    if agreed >= MIN_AGREE and generic_agreed >= MIN_GENERIC and not unsure:
        return Outcome(True, how="sampling")
    return Outcome(None)


EQUAL, UNSURE = "equal", "unsure"


def compare_at(inst: Instance, answer: _Side, expected: _Side, leaf_env: dict, dps: int) -> Any:
    """EQUAL, UNSURE, None (a side has no value here) or (answer, expected) proven different.

    A gap that shrinks with the precision is rounding (cancellation, as in
    cosh(x)^2 - sinh(x)^2 at x = 30); a gap that stays put at two precisions, the second
    fine enough to resolve the gap's own size, is real.
    """
    gap, level = None, dps
    for _ in range(5):
        va, vb = precise_pair(inst, answer, expected, leaf_env, level)
        if va is None or vb is None:
            return None if gap is None else UNSURE
        if gap is None and level == dps:
            # a huge value hides a small difference (exp(300) + x against exp(300)): look again with
            # as many more digits as the value has above the point
            more = _digits_above_one(va, vb)
            if more and dps + more <= MAX_DPS:
                level = dps + more
                continue
        if _close(va, vb, level):
            return EQUAL
        new_gap = _gap(va, vb, level)
        if gap is not None:
            with _workdps(level + 10):
                if abs(new_gap) <= abs(gap) * _ten(-(dps // 2)):
                    return EQUAL  # the gap fell with the precision: it was rounding
                if abs(new_gap - gap) <= abs(new_gap) * _ten(-3):
                    return va, vb
        gap = new_gap
        level = min(MAX_DPS, max(2 * level, dps + _digits_below_one(gap) + 20))
    return UNSURE


def _gap(va: Any, vb: Any, dps: int) -> Any:
    """va - vb, computed at the precision the values were computed at."""
    with _workdps(dps + 10):
        return to_mpf(va) - to_mpf(vb)


def _digits_above_one(va: Any, vb: Any) -> int:
    """How many decimal digits the larger of two values has before the point (0 for exact values, whose
    comparison needs no precision, and for values under 10)."""
    if isinstance(va, Fraction) and isinstance(vb, Fraction):
        return 0
    import mpmath  # lazy: see numeval

    bits = max(mpmath.mag(to_mpf(va)), mpmath.mag(to_mpf(vb)))  # |x| < 2^bits: cheap, no logarithm
    return 0 if bits <= 4 else int(bits * 0.30103) + 1


def _digits_below_one(x: Any) -> int:
    """How many decimal places below 1 the first digit of ``x`` sits (0 for |x| >= 1)."""
    import mpmath  # lazy: see numeval

    if not x:
        return 0
    return max(0, -int(mpmath.floor(mpmath.log10(abs(x)))))


def _precise_point(inst: Instance, answer: _Side, expected: _Side, leaf_env: dict,
                   dps: int) -> bool | Outcome | None:
    """True when both sides agree here in high precision, an Outcome when they provably differ, None when
    a side has no value here at this precision."""
    found = compare_at(inst, answer, expected, leaf_env, dps)
    if isinstance(found, tuple):
        return _different(leaf_env, found, dps)
    if found is None:
        return None   # a side has no value here at this precision (a float had one): no evidence
    return found == EQUAL


def _different(leaf_env: dict, values: tuple[Any, Any], dps: int) -> Outcome:
    va, vb = values
    floats = (_float(va), _float(vb))
    texts = None
    if any(math.isinf(f) for f in floats):
        import mpmath  # lazy: see numeval

        texts = (mpmath.nstr(to_mpf(va), 16), mpmath.nstr(to_mpf(vb), 16))
    return Outcome(False, _show(leaf_env), floats, gap=_float(_gap(va, vb, dps)), texts=texts)


def _float(x: Any) -> float:
    """A value to show; beyond the largest float, +-inf (the message then says how it differs)."""
    try:
        return float(to_mpf(x))
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _witness(inst: Instance, answer: _Side, expected: _Side, leaf_env: dict, dps: int) -> Outcome | None:
    """A confirmed difference at this point, or None."""
    found = _precise_point(inst, answer, expected, leaf_env, dps)
    return found if isinstance(found, Outcome) else None


def _open_hole(inst: Instance, answer: _Side, expected: _Side, missing: list[dict], leaves: list, seed: str,
               dps: int) -> Outcome | None:
    """Points where the reference has a value and the answer none: a witness when they fill an open set."""
    rng = random.Random(zlib.crc32((seed + "/hole").encode()))
    for leaf_env in missing[:4]:
        va, vb = precise_pair(inst, answer, expected, leaf_env, dps)
        if vb is None or va is not None:
            continue
        holes = tried = 0
        for _ in range(8):
            moved = {s: v + v * Fraction(rng.randint(-1000, 1000), 97 * 10 ** 5) + Fraction(rng.randint(-9, 9), 10 ** 4)
                     for s, v in leaf_env.items()}
            va, vb_moved = precise_pair(inst, answer, expected, moved, dps)
            if vb_moved is None:
                continue
            tried += 1
            holes += va is None
        if tried >= 4 and holes == tried:
            return Outcome(False, _show(leaf_env), (math.nan, float(to_mpf(vb))), how="no-value-here")
    return None


def _show(leaf_env: dict) -> dict[str, float]:
    return {s.name: float(v) for s, v in sorted(leaf_env.items(), key=lambda kv: kv[0].name)}


def _symbolic(inst: Instance, a: Any, b: Any) -> Outcome:
    difference = (inst.expand(a) - inst.expand(b)).rewrite(sigmoid, sp.exp)
    try:
        zero = sp.simplify(difference) == 0
    except Exception:  # noqa: BLE001 - sympy fails in many ways on odd input; that is "cannot decide"
        return Outcome(None, how="symbolic")
    return Outcome(True if zero else None, how="symbolic")
