"""Layer 5: why is a wrong answer wrong, and what is it worth?

:func:`diagnose` takes a checker's ``incorrect`` (or ``partial``) verdict and, in order:
error carried forward from the student's own earlier values; the spec's named
mistakes; generic slips (sign, factor, transposition, sigmoid for sigmoid', ...). It
then settles the score: a named mistake earns what the spec grants it and nothing
more; an unnamed wrong matrix earns entry credit when the part allows partial credit.
"""

from __future__ import annotations

from typing import Any

from dlcheck.check.shapes import cells, close
from dlcheck.check.tolerance import Tol, diagnosis_tol, not_within
from dlcheck.core.verdict import Evidence, Status, Verdict
from dlcheck.diagnose.carried import carried_forward, carried_message
from dlcheck.diagnose.mistakes import spec_mistake
from dlcheck.diagnose.sheet import sheet_values
from dlcheck.diagnose.slips import Finding, formula_mistake, method_slips, numeric_mistake, rounded_early
from dlcheck.engine.instance import Instance
from dlcheck.spec.model import Mistake

_CARRY_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}


def diagnose(inst: Instance, pid: str, verdict: Verdict, earlier: dict[str, Verdict]) -> Verdict:
    """Name the mistake behind a wrong answer and settle its score (the verdict is updated)."""
    if verdict.status not in (Status.INCORRECT, Status.PARTIAL):
        return verdict
    part = inst.spec.problem.parts[pid]
    numeric = verdict.value is not None
    if numeric:
        found = sheet_values(inst, pid, verdict.value, verdict.reference, Tol.of(part))
        if found:
            return _found(verdict, found, part)
        carried = carried_forward(inst, pid, verdict.value, Tol.of(part), earlier)
        if carried:
            policy = inst.spec.problem.carry_forward
            verdict.status = Status.CARRIED if policy != "none" else Status.INCORRECT
            verdict.score = _CARRY_CREDIT[policy] * part.points
            verdict.tell(Evidence("carried", carried_message(carried), at=carried))
            verdict.detail["carried_from"] = carried
            return verdict
    if numeric and "sigfigs" in verdict.detail and close(verdict.value, verdict.reference, Tol.of(part).matching()):
        return verdict  # the value is right; the figures written are not: the message already says so
    if numeric:  # the part's own tolerance first, then the looser one a diagnosis may use
        for tol in (Tol.of(part), diagnosis_tol(part)):
            mistake = spec_mistake(inst, pid, verdict, tol)
            if mistake is not None:
                return _named(verdict, mistake, part)
            if pid not in inst.part_ref:
                return verdict
            found = numeric_mistake(inst, pid, verdict.value, verdict.reference, tol, Tol.of(part))
            if found:
                return _found(verdict, found, part)
        found = rounded_early(inst, pid, verdict.value, verdict.reference)
        if found:
            return _found(verdict, found, part)
        return _settle(verdict, _entry_credit(inst, pid, verdict))
    mistake = spec_mistake(inst, pid, verdict)
    if mistake is not None:
        return _named(verdict, mistake, part)
    if pid not in inst.part_ref or verdict.parsed is None:  # choice and the like, or no value to look at
        return verdict
    found = formula_mistake(inst, pid, verdict.parsed, inst.part_ref[pid])
    if found:  # the slip, and the point where the formulas differ in brackets (both go when the slip reveals)
        reveals = found.name not in method_slips()
        verdict.tell(Evidence("slip", f"{found.message} (", reveals_reference=reveals), *verdict.evidence,
                     Evidence("slip", ")", reveals_reference=reveals))
        verdict.detail["diagnosis"] = found.name
        return _settle(verdict, found.credit * part.points)
    return _settle(verdict, _entry_credit(inst, pid, verdict))


def _found(verdict: Verdict, found: Finding, part: Any) -> Verdict:
    verdict.tell(Evidence("slip", found.message, reveals_reference=found.name not in method_slips(),
                          withheld=not_within(verdict.detail.get("tolerance"))))
    verdict.detail["diagnosis"] = found.name
    return _settle(verdict, found.credit * part.points)


def _named(verdict: Verdict, mistake: Mistake, part: Any) -> Verdict:
    """A spec mistake earns what the spec grants it, and nothing more."""
    verdict.tell(Evidence("mistake", mistake.feedback))
    verdict.detail["mistake"] = mistake.name or mistake.feedback
    return _settle(verdict, mistake.credit * part.points)


def _entry_credit(inst: Instance, pid: str, verdict: Verdict) -> float:
    """Credit for the right entries of a vector or matrix, when the part allows it.

    Only entries a wrong method would not get right by accident count: a structural
    constant of the reference (the zeros of a block-diagonal matrix) is right in the
    identity and the zero matrix alike, so it earns nothing.
    """
    part = inst.spec.problem.parts[pid]
    total = len(cells(inst.part_ref[pid]))
    if not getattr(part, "partial_credit", False) or total < 2 or "shape" in verdict.detail:
        return 0.0
    informative = inst.prepared_for(pid).informative or [True] * total
    cols = inst.part_ref[pid].cols if hasattr(inst.part_ref[pid], "cols") else 1
    wrong = {(e["row"] - 1) * cols + (e["col"] - 1) for e in verdict.detail.get("entries", [])}
    counted = [k for k in range(total) if informative[k]]
    if not counted:
        return 0.0
    right = sum(1 for k in counted if k not in wrong)
    return part.points * right / len(counted)


def _settle(verdict: Verdict, score: float) -> Verdict:
    verdict.score = score
    verdict.status = Status.PARTIAL if score > 0 else Status.INCORRECT
    return verdict
