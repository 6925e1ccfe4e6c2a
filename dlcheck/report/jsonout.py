"""Machine-readable results: exactly one JSON document, no colour codes."""

from __future__ import annotations

import json

from dlcheck.core.verdict import ProblemResult


def results_json(results: list[ProblemResult]) -> str:
    doc = {"score": round(sum(r.score for r in results), 6),
           "max_score": sum(r.max_score for r in results),
           "problems": [r.to_json() for r in results]}
    return json.dumps(doc, indent=2, ensure_ascii=False)
