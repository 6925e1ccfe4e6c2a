"""Layer 5: why is a wrong answer wrong, and what is it worth?

:func:`diagnose` takes a checker's ``incorrect`` (or ``partial``) verdict and, in order:
error carried forward from the student's own earlier values; the spec's named
mistakes; generic slips (sign, factor, transposition, sigmoid for sigmoid', ...). It
then settles the score: a named mistake earns what the spec grants it and nothing
more; an unnamed wrong matrix earns entry credit when the part allows partial credit.
"""

from __future__ import annotations

from dlcheck.check.shapes import cells
from dlcheck.check.tolerance import Tol
from dlcheck.core.verdict import Status, Verdict
from dlcheck.diagnose.carried import carried_forward
from dlcheck.diagnose.mistakes import spec_mistake
from dlcheck.diagnose.slips import formula_mistake, numeric_mistake

_CARRY_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}


def diagnose(inst, pid: str, verdict: Verdict, earlier: dict[str, Verdict]) -> Verdict:
    """Name the mistake behind a wrong answer and settle its score (the verdict is updated)."""
    if verdict.status not in (Status.INCORRECT, Status.PARTIAL):
        return verdict
    part = inst.spec.problem.parts[pid]
    numeric = verdict.value is not None
    if numeric:
        carried = carried_forward(inst, pid, verdict.value, Tol.of(part), earlier)
        if carried:
            policy = inst.spec.problem.carry_forward
            verdict.status = Status.CARRIED if policy != "none" else Status.INCORRECT
            verdict.score = _CARRY_CREDIT[policy] * part.points
            verdict.message = f"consistent with your answer to {', '.join(carried)}"
            verdict.detail["carried_from"] = carried
            return verdict
    mistake = spec_mistake(inst, pid, verdict)
    if mistake is not None:
        verdict.message = mistake.feedback
        verdict.detail["mistake"] = mistake.name or mistake.feedback
        return _settle(verdict, mistake.credit * part.points)
    if pid not in inst.part_ref:  # choice and the like: nothing generic to look for
        return verdict
    if numeric:
        found = numeric_mistake(inst, pid, verdict.value, verdict.reference, Tol.of(part))
        if found:
            verdict.message = found.message
    elif verdict.parsed is not None:
        found = formula_mistake(inst, pid, verdict.parsed, inst.part_ref[pid])
        if found:
            verdict.message = f"{found.message} ({verdict.message})"
    else:
        return verdict
    if found:
        verdict.detail["diagnosis"] = found.name
        return _settle(verdict, found.credit * part.points)
    return _settle(verdict, _entry_credit(inst, pid, verdict))


def _entry_credit(inst, pid: str, verdict: Verdict) -> float:
    """Credit for the right entries of a vector or matrix, when the part allows it."""
    part = inst.spec.problem.parts[pid]
    total = len(cells(inst.part_ref[pid]))
    if not getattr(part, "partial_credit", False) or total < 2:
        return 0.0
    wrong = len(verdict.detail.get("entries", []))
    return part.points * max(0.0, 1 - wrong / total)


def _settle(verdict: Verdict, score: float) -> Verdict:
    verdict.score = score
    verdict.status = Status.PARTIAL if score > 0 else Status.INCORRECT
    return verdict
