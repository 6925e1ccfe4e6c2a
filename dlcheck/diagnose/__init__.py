"""Layer 5: why is a wrong answer wrong, and what is it worth?

:func:`diagnose` takes a checker's ``incorrect`` (or ``partial``) verdict and, in order:
error carried forward from the student's own earlier values; the spec's named
mistakes; generic slips (sign, factor, transposition, sigmoid for sigmoid', ...). It
then settles the score: a named mistake earns what the spec grants it and nothing
more; an unnamed wrong matrix earns entry credit when the part allows partial credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dlcheck.check.shapes import cells, close
from dlcheck.check.tolerance import DIAGNOSIS_RTOL, Tol, not_within
from dlcheck.core.verdict import Evidence, Status, Verdict

if TYPE_CHECKING:
    from dlcheck.diagnose.slips import Finding, Wrong
    from dlcheck.engine.instance import Instance

# the graph's diagnoses (carried forward, the spec's mistakes, the sheet's numbers, formulas) are imported
# where they are used: a number's diagnosis also runs on the numeric path's card, without sympy

_CARRY_CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}


class Named(Protocol):
    """A mistake the spec names: the spec's own (a Mistake) or the card's copy of it."""

    @property
    def name(self) -> str | None: ...
    @property
    def feedback(self) -> str: ...
    @property
    def credit(self) -> float: ...


class Clues(Protocol):
    """What the diagnosis of a wrong number asks of its problem: the problem's graph (:class:`InstanceClues`)
    or what the numeric path's card kept of it (``grade/numeric.py``)."""

    @property
    def method(self) -> frozenset[str]: ...     # the slips that name a mistake of method
    def mistake(self, verdict: Verdict, tol: Tol) -> Named | None: ...
    def wrong(self, given: Any, expected: Any, tol: Tol, grading: Tol | None) -> Wrong | None: ...
    def entry_credit(self, verdict: Verdict) -> float: ...


def diagnose(inst: Instance, pid: str, verdict: Verdict, earlier: dict[str, Verdict]) -> Verdict:
    """Name the mistake behind a wrong answer and settle its score (the verdict is updated)."""
    if verdict.status not in (Status.INCORRECT, Status.PARTIAL):
        return verdict
    part = inst.spec.problem.parts[pid]
    if verdict.value is not None:
        from dlcheck.diagnose.carried import carried_forward  # lazy: the graph
        from dlcheck.diagnose.sheet import sheet_values  # lazy: as above

        found = sheet_values(inst, pid, verdict.value, verdict.reference, Tol.of(part))
        if found:
            return _found(verdict, found, part.points, _method())
        carried = carried_forward(inst, pid, verdict.value, Tol.of(part), earlier)
        if carried:
            return carry(verdict, carried, part.points, inst.spec.problem.carry_forward)
        return diagnose_number(verdict, Tol.of(part), part.points, InstanceClues(inst, pid))
    return _diagnose_formula(inst, pid, verdict)


def carry(verdict: Verdict, carried: list[str], points: float, policy: str) -> Verdict:
    """A value right on the student's own earlier values: the problem's ``carry_forward`` policy says
    what it earns."""
    from dlcheck.diagnose.carried import carried_message  # lazy: as in diagnose

    verdict.status = Status.CARRIED if policy != "none" else Status.INCORRECT
    verdict.score = _CARRY_CREDIT[policy] * points
    verdict.tell(Evidence("carried", carried_message(carried), at=carried))
    verdict.detail["carried_from"] = carried
    return verdict


def diagnose_number(verdict: Verdict, tol: Tol, points: float, clues: Clues) -> Verdict:
    """A wrong number (or matrix of numbers) that no earlier value explains: the spec's mistakes and the
    generic slips at the part's tolerance, then at the looser one a diagnosis may use; digits lost to
    rounding last; else the credit of its right entries."""
    if "sigfigs" in verdict.detail and close(verdict.value, verdict.reference, tol.matching()):
        return verdict  # the value is right; the figures written are not: the message already says so
    from dlcheck.diagnose.slips import number_slip  # lazy: the slips' own imports are light

    for match in (tol, tol.loosened(DIAGNOSIS_RTOL)):
        mistake = clues.mistake(verdict, match)
        if mistake is not None:
            return _named(verdict, mistake, points)
        wrong = clues.wrong(verdict.value, verdict.reference, match, tol)
        if wrong is None:
            return verdict
        found = number_slip(wrong)
        if found:
            return _found(verdict, found, points, clues.method)
    last = clues.wrong(verdict.value, verdict.reference, Tol(), None)
    found = number_slip(last, last=True) if last is not None else None
    if found:
        return _found(verdict, found, points, clues.method)
    return _settle(verdict, clues.entry_credit(verdict))


def _diagnose_formula(inst: Instance, pid: str, verdict: Verdict) -> Verdict:
    from dlcheck.diagnose.mistakes import spec_mistake  # lazy: the graph
    from dlcheck.diagnose.slips import formula_mistake  # lazy: as above

    part = inst.spec.problem.parts[pid]
    mistake = spec_mistake(inst, pid, verdict)
    if mistake is not None:
        return _named(verdict, mistake, part.points)
    if pid not in inst.part_ref or verdict.parsed is None:  # choice and the like, or no value to look at
        return verdict
    found = formula_mistake(inst, pid, verdict.parsed, inst.part_ref[pid])
    if found:  # the slip, and the point where the formulas differ in brackets (both go when the slip reveals)
        reveals = found.name not in _method()
        verdict.tell(Evidence("slip", f"{found.message} (", reveals_reference=reveals), *verdict.evidence,
                     Evidence("slip", ")", reveals_reference=reveals))
        verdict.detail["diagnosis"] = found.name
        return _settle(verdict, found.credit * part.points)
    return _settle(verdict, InstanceClues(inst, pid).entry_credit(verdict))


def _method() -> frozenset[str]:
    from dlcheck.diagnose.slips import method_slips  # lazy: as above

    return method_slips()


@dataclass
class InstanceClues:
    """The clues of a problem's derived graph."""

    inst: Instance
    pid: str

    @property
    def method(self) -> frozenset[str]:
        return _method()

    def mistake(self, verdict: Verdict, tol: Tol) -> Named | None:
        from dlcheck.diagnose.mistakes import spec_mistake  # lazy: the graph

        return spec_mistake(self.inst, self.pid, verdict, tol)

    def wrong(self, given: Any, expected: Any, tol: Tol, grading: Tol | None) -> Wrong | None:
        from dlcheck.diagnose.slips import Wrong  # lazy: as above

        if self.pid not in self.inst.part_ref:
            return None
        return Wrong(self.inst, self.pid, given, expected, tol, grading)

    def entry_credit(self, verdict: Verdict) -> float:
        inst, pid = self.inst, self.pid
        part = inst.spec.problem.parts[pid]
        ref = inst.part_ref[pid]
        total = len(cells(ref))
        informative = inst.prepared_for(pid).informative or [True] * total
        return entry_credit(verdict, part.points, bool(getattr(part, "partial_credit", False)), informative,
                            ref.cols if hasattr(ref, "cols") else 1)


def _found(verdict: Verdict, found: Finding, points: float, method: frozenset[str]) -> Verdict:
    verdict.tell(Evidence("slip", found.message, reveals_reference=found.name not in method,
                          withheld=not_within(verdict.detail.get("tolerance"))))
    verdict.detail["diagnosis"] = found.name
    return _settle(verdict, found.credit * points)


def _named(verdict: Verdict, mistake: Named, points: float) -> Verdict:
    """A spec mistake earns what the spec grants it, and nothing more."""
    verdict.tell(Evidence("mistake", mistake.feedback))
    verdict.detail["mistake"] = mistake.name or mistake.feedback
    return _settle(verdict, mistake.credit * points)


def entry_credit(verdict: Verdict, points: float, partial: bool, informative: list[bool], cols: int) -> float:
    """Credit for the right entries of a vector or matrix, when the part allows it (``partial``).

    Only entries a wrong method would not get right by accident count (``informative``): a structural
    constant of the reference (the zeros of a block-diagonal matrix) is right in the identity and the
    zero matrix alike, so it earns nothing.
    """
    total = len(informative)
    if not partial or total < 2 or "shape" in verdict.detail:
        return 0.0
    wrong = {(e["row"] - 1) * cols + (e["col"] - 1) for e in verdict.detail.get("entries", [])}
    counted = [k for k in range(total) if informative[k]]
    if not counted:
        return 0.0
    right = sum(1 for k in counted if k not in wrong)
    return points * right / len(counted)


def _settle(verdict: Verdict, score: float) -> Verdict:
    verdict.score = score
    verdict.status = Status.PARTIAL if score > 0 else Status.INCORRECT
    return verdict
