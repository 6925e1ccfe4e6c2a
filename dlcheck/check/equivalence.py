"""Are two formulas the same function? Decided by seeded sampling, then sympy if needed.

Both sides are evaluated through the problem's graph at the same random points (each
symbol inside its declared domain), so ``v1*a2_1*(1-a2_1)`` and the fully substituted
form in x and W agree where they should. A clear disagreement at one point is a proof of
difference and gives the student a point to look at. Only when sampling cannot decide
(too few points where both are defined, or differences at rounding level) is sympy asked
to simplify the difference; that runs inside the time-bounded child of the grader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from dlcheck.core.errors import Undefined
from dlcheck.engine.numeval import numeval
from dlcheck.parse.functions import sigmoid

POINTS = 24
MIN_DEFINED = 8
SAME = 1e-9      # relative difference below which two values are the same number
DIFFERENT = 1e-6  # relative difference above which they are certainly different


@dataclass
class Outcome:
    equal: bool | None           # None: could not decide
    point: dict[str, float] | None = None
    values: tuple[float, float] | None = None
    how: str = "sampling"


def equivalent(inst, a: Any, b: Any, seed: str, points: int = POINTS) -> Outcome:
    """Is scalar formula ``a`` equal to ``b`` on the problem's domain?"""
    extra = (a.free_symbols | b.free_symbols) - set(inst.node_expr)
    agree = unsure = only_b = 0
    for env in inst.sample_envs(seed, points, extra):
        try:
            vb = numeval(b, env)
        except Undefined:
            continue
        try:
            va = numeval(a, env)
        except Undefined:
            only_b += 1
            continue
        diff = abs(va - vb) / max(1.0, abs(va), abs(vb))
        if diff <= SAME:
            agree += 1
        elif diff >= DIFFERENT:
            leaves = inst.free_leaves(a) | inst.free_leaves(b) | (extra - set(inst.given_values))
            point = {s.name: env[s] for s in sorted(leaves, key=lambda s: s.name)}
            return Outcome(False, point, (va, vb))
        else:
            unsure += 1
    if agree >= MIN_DEFINED and not unsure:
        return Outcome(True)
    if only_b >= MIN_DEFINED and not agree:
        return Outcome(False, how="undefined")  # a has no real value wherever b has one
    return _symbolic(inst, a, b)


def _symbolic(inst, a: Any, b: Any) -> Outcome:
    difference = (inst.expand(a) - inst.expand(b)).rewrite(sigmoid, sp.exp)
    try:
        zero = sp.simplify(difference) == 0
    except Exception:  # noqa: BLE001 - sympy fails in many ways on odd input; that is "cannot decide"
        return Outcome(None, how="symbolic")
    return Outcome(True if zero else None, how="symbolic")

