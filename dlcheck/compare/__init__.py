"""One comparer per kind of answer; :func:`check_part` picks it."""

from __future__ import annotations

from typing import Any

from dlcheck.verdict import Verdict


def check_part(inst, pid: str, answer: Any, earlier: dict[str, Verdict] | None = None) -> Verdict:
    """Grade one answer (text, or a mapping for a construction) for part ``pid``."""
    part = inst.spec.problem.parts[pid]
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Verdict(pid, "missing", 0.0, part.points, "not answered")
    if part.kind == "essay":
        from dlcheck.compare.essay import check_essay
        return check_essay(inst, pid, answer if isinstance(answer, str) else str(answer))
    if part.kind == "construction":
        from dlcheck.compare.construction import check_construction
        return check_construction(inst, pid, answer)
    if not isinstance(answer, str):
        return Verdict(pid, "invalid", 0.0, part.points, "expected a single answer, not a mapping", str(answer))
    if part.kind == "choice":
        from dlcheck.compare.choice import check_choice
        return check_choice(inst, pid, answer)
    from dlcheck.compare.value import check_value
    return check_value(inst, pid, answer, earlier)
