"""Verdicts: what a comparer decides about one part. Renderers only draw these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

@dataclass
class Verdict:
    part: str
    status: str
    score: float
    max_score: float
    message: str = ""
    answer: str = ""           # the text the student typed
    expected: str = ""         # the reference, shown as text
    detail: dict[str, Any] = field(default_factory=dict)
    value: Any = None          # the student's value as floats, for carrying forward
    reference: Any = None      # the expected value as floats, when numeric

    @property
    def ok(self) -> bool:
        return self.status in ("correct", "consistent-with-earlier-error", "manual", "missing")

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.part, "status": self.status, "score": round(self.score, 6),
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
    if isinstance(value, float) or isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)


@dataclass
class ProblemResult:
    id: str
    title: str
    verdicts: list[Verdict]

    @property
    def score(self) -> float:
        return sum(v.score for v in self.verdicts)

    @property
    def max_score(self) -> float:
        return sum(v.max_score for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": round(self.score, 6),
                "max_score": self.max_score, "parts": [v.to_json() for v in self.verdicts]}

