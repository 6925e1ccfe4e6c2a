"""The wrong answers the misread search (:mod:`dlcheck.diagnose.misread`) looks behind, told without sympy.

The search asks whether one misread given explains several wrong answers, and it only starts when at
least :data:`MIN_EXPLAINED` wrong answers are single numbers that nothing else explains yet (a mistake the
spec names, a slip, a misread). The numeric path (:mod:`dlcheck.grade.numeric`) asks the same question
of its own verdicts: where the search would not start, the card's verdicts are the whole result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from dlcheck.core.verdict import Status, Verdict

MIN_EXPLAINED = 2           # one value must explain at least this many wrong parts
NEEDS = (Status.INCORRECT, Status.PARTIAL)
EXPLAINED = ("mistake", "diagnosis", "misread")   # a wrong answer already explained another way


def explained(v: Verdict) -> bool:
    """Already explained another way (a named mistake, a slip); "rounded too early" is only a guess from
    the figures that agree, which a misread that fits exactly replaces."""
    if v.detail.get("diagnosis") == "rounded-early":
        return False
    return any(key in v.detail for key in EXPLAINED)


def scalar(value: Any) -> bool:
    """A single real number (a float, a fraction, an mpf), not a vector."""
    if isinstance(value, (list, tuple, dict, str)) or value is None:
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def to_explain(v: Verdict) -> bool:
    """A wrong single number nothing explains yet: what the search needs :data:`MIN_EXPLAINED` of (it also
    asks that the part is a node of the problem's graph, which only makes it need more)."""
    return v.status in NEEDS and scalar(v.value) and not explained(v)


def may_search(verdicts: Iterable[Verdict]) -> bool:
    """Whether the misread search could start on these verdicts (False: it certainly would not)."""
    return sum(to_explain(v) for v in verdicts) >= MIN_EXPLAINED
