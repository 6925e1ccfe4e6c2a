"""Verdicts: what a checker decides about one part. Renderers only draw these.

A :class:`Status` carries everything a renderer or an exit code needs to know about
itself (its mark, colour, short word, whether its points count as earned and whether
it lets ``grade`` exit 0), so no other module keeps its own table of statuses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    PARTIAL = "partial"
    CARRIED = "consistent-with-earlier-error"
    INVALID = "invalid"
    MISSING = "missing"
    MANUAL = "manual"
    UNDECIDED = "undecided"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def mark(self) -> str:
        return _LOOK[self][0]

    @property
    def style(self) -> str:
        """A rich style name."""
        return _LOOK[self][1]

    @property
    def word(self) -> str:
        """A short word for a table column ("carried" for the error carried forward)."""
        return _LOOK[self][2]

    @property
    def earned(self) -> bool:
        """The part's score counts as points earned (not merely 0 of something)."""
        return self in (Status.CORRECT, Status.PARTIAL, Status.CARRIED)

    @property
    def passes(self) -> bool:
        """The part does not make ``grade`` exit 1."""
        return self in (Status.CORRECT, Status.CARRIED, Status.MANUAL, Status.MISSING)


_LOOK: dict[Status, tuple[str, str, str]] = {
    Status.CORRECT: ("✓", "green", "correct"),
    Status.INCORRECT: ("✗", "red", "incorrect"),
    Status.PARTIAL: ("½", "yellow", "partial"),
    Status.CARRIED: ("→", "cyan", "carried"),
    Status.INVALID: ("!", "magenta", "invalid"),
    Status.MISSING: ("·", "dim", "missing"),
    Status.MANUAL: ("✎", "blue", "manual"),
    Status.UNDECIDED: ("?", "yellow", "undecided"),
}


@dataclass
class Verdict:
    part: str
    status: Status
    score: float
    max_score: float
    message: str = ""
    answer: str = ""           # the text the student typed
    expected: str = ""         # the reference, shown as text
    detail: dict[str, Any] = field(default_factory=dict)
    value: Any = None          # the student's value as floats, for carrying forward
    reference: Any = None      # the expected value as floats, when numeric
    parsed: Any = None         # the student's parsed value (sympy), for diagnosis; never serialised
    trace: str = ""            # a traceback behind an internal error, shown only with --debug

    @property
    def ok(self) -> bool:
        return self.status.passes

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.part, "status": self.status.value, "score": round(self.score, 6),
               "max_score": self.max_score, "message": self.message, "answer": self.answer,
               "expected": self.expected}
        if self.detail:
            out["detail"] = _plain(self.detail)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity: "inf" (an exact answer past the largest double)
    if isinstance(value, (float, int, str, bool)) or value is None:
        return value
    return str(value)


@dataclass
class ProblemResult:
    id: str
    title: str
    verdicts: list[Verdict]
    variant: dict[str, str] = field(default_factory=dict)   # the student's given values, when they vary
    varies: bool = False    # the problem's numbers vary per student (without a student: the sheet's)

    @property
    def score(self) -> float:
        return sum(v.score for v in self.verdicts)

    @property
    def max_score(self) -> float:
        return sum(v.max_score for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "title": self.title, "score": round(self.score, 6),
               "max_score": self.max_score, "parts": [v.to_json() for v in self.verdicts]}
        if self.variant:
            out["variant"] = dict(self.variant)
        return out
