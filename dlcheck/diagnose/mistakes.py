"""The spec's own mistakes: the one place a wrong answer is matched against them.

Each kind says whether the student's answer equals a prepared mistake
(:attr:`dlcheck.check.kind.Kind.same`); this module walks the spec's list in order.
"""

from __future__ import annotations

from dlcheck.check.registry import kind_of
from dlcheck.core.verdict import Verdict
from dlcheck.spec.model import Mistake


def spec_mistake(inst, pid: str, verdict: Verdict) -> Mistake | None:
    """The first mistake listed in the spec that the answer is, or None."""
    part = inst.spec.problem.parts[pid]
    same = kind_of(part).same
    prepared = getattr(inst.prepared.get(pid), "mistakes", [])
    if same is None:
        return None
    for mistake, value in zip(getattr(part, "mistakes", []), prepared):
        if same(inst, pid, verdict, value):
            return mistake
    return None
