"""The spec's own mistakes: the one place a wrong answer is matched against them.

Each kind says whether the student's answer equals a prepared mistake
(:attr:`dlcheck.check.kind.Kind.same`); this module walks the spec's list in order.
"""

from __future__ import annotations

from dlcheck.check.registry import kind_of
from dlcheck.check.shapes import close
from dlcheck.check.tolerance import GRADE_DPS, Tol
from dlcheck.core.errors import Undefined
from dlcheck.core.verdict import Verdict
from dlcheck.engine.exact import exact_value
from dlcheck.engine.instance import Instance
from dlcheck.spec.model import Mistake


def spec_mistake(inst: Instance, pid: str, verdict: Verdict, tol: Tol | None = None) -> Mistake | None:
    """The first mistake listed in the spec that the answer is, or None.

    A numeric answer may be matched with a tolerance ``tol`` of the diagnosis' choosing
    (looser than the grade's: 0.538 is "climbed the gradient" when that gives 0.538424).
    """
    part = inst.spec.problem.parts[pid]
    same = kind_of(part).same
    prepared = inst.prepared_for(pid).mistakes
    if same is None:
        return None
    for mistake, value in zip(getattr(part, "mistakes", []), prepared):
        if tol is not None and verdict.value is not None:
            try:
                target = exact_value(inst, value, dps=GRADE_DPS)
            except Undefined:
                continue
            if close(verdict.value, target, tol):
                return mistake
        elif same(inst, pid, verdict, value):
            return mistake
    return None
