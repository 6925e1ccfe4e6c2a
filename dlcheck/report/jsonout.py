"""Machine-readable results: exactly one JSON document, no colour codes.

``{"file", "student", "score", "max_score", "awaiting_marker", "problems": [...]}``:
``max_score`` counts every part; ``awaiting_marker`` is the points of answered essays a
person still has to mark (their score is 0 until then). ``nothing_to_grade`` is true
when no answered part is one dlcheck checks (the exit code is then 1).
"""

from __future__ import annotations

import json

from dlcheck.core.verdict import ProblemResult, Status


def results_json(results: list[ProblemResult], path: str | None = None, student: str | None = None,
                 nothing_to_grade: bool = False) -> str:
    doc = {"file": path, "student": student,
           "score": round(sum(r.score for r in results), 6),
           "max_score": sum(r.max_score for r in results),
           "awaiting_marker": sum(v.max_score for r in results for v in r.verdicts if v.status is Status.MANUAL),
           "nothing_to_grade": nothing_to_grade,
           "problems": [r.to_json() for r in results]}
    return json.dumps(doc, indent=2, ensure_ascii=False)
