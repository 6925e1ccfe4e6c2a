"""What a student may see: expected answers and hints held back until a policy allows.

A problem (or one part) says when its references may reach a student-facing report —
the grade table, the feedback files, Gradescope's results, JUnit:

- ``reveal: always`` (the default): the expected answer is shown with every verdict;
- ``reveal: after_attempt``: only for parts the student really attempted (an ``idk`` or a
  blank answer does not unlock it, as for ``explain: after_attempt``);
- ``reveal: never``: never; ``dlcheck grade --hide-expected`` applies this to every part.

Hidden means: no expected value, no number that gives it away (an "off by 0.0251" next
to the answer is the reference; a formula's value at the sample point too), no hints.
A mistake of method is still named -- a sign error, sigmoid where its derivative belongs,
the update not applied, degrees for radians, an author's named mistake -- and a carried
part still says it earned its points on the student's own values; a relation that turns
the answer into the reference (a factor, a transpose, swapped rows, digits lost to
rounding) is not. The gradebook formats (CSV, JSON) are the instructor's and keep everything.
"""

from __future__ import annotations

from dataclasses import replace

from dlcheck.check import fast
from dlcheck.core.verdict import ProblemResult, Verdict
from dlcheck.spec.answers import is_attempt

# the facts of ``Verdict.detail`` that give the reference away (--instructor keeps them): the
# gap, the reference's value at a sample point, the significant-figure reasons (they may name it)
_REVEALING = ("abs_error", "rel_error", "values", "sigfigs",
              "yours")  # the student's formula as sympy normalised it, which can be the reference itself



def policy(problem_id: str, part_id: str, hide_all: bool = False) -> str:
    if hide_all:
        return "never"
    card = fast.load_card(problem_id)  # the problem's card says it without reading the spec (check/fast.py)
    if card is not None and part_id in card.reveal:
        return card.reveal[part_id]
    from dlcheck.check.registry import get_spec  # lazy: a problem with no card yet

    spec = get_spec(problem_id)
    part = spec.problem.parts.get(part_id)
    own = getattr(part, "reveal", None)
    return own or spec.problem.reveal


def by_hand(problem_id: str, part_id: str) -> bool:
    """Whether a person marks the part (an essay: its kind is not automatic); a part the spec does not
    have is not. Read from the problem's card when it has one, as :func:`policy` is."""
    card = fast.load_card(problem_id)
    if card is not None and part_id in card.parts:
        return part_id in card.by_hand
    from dlcheck.check.registry import get_spec, kind_of  # lazy: a problem with no card yet

    part = get_spec(problem_id).problem.parts.get(part_id)
    return part is not None and not kind_of(part).auto


def may_reveal(problem_id: str, verdict: Verdict, hide_all: bool = False) -> bool:
    return allows(policy(problem_id, verdict.part, hide_all), verdict)


def allows(rule: str, verdict: Verdict) -> bool:
    """Whether a part whose policy is ``rule`` shows its reference with ``verdict``."""
    return rule == "always" or (rule == "after_attempt" and is_attempt(verdict.answer))


def view(verdict: Verdict, rule: str) -> Verdict:
    """``verdict`` as a student may see it under the policy ``rule``."""
    return verdict if allows(rule, verdict) else hidden(verdict)


def hidden(verdict: Verdict) -> Verdict:
    """The verdict as a student may see it when its reference is held back: each piece of its evidence
    that reveals the reference in its withheld words (:meth:`Verdict.withheld`), the facts that give it
    away out of ``detail``. No text is edited: a message is only ever what its evidence says."""
    detail = {k: v for k, v in verdict.detail.items() if k not in _REVEALING}
    if isinstance(detail.get("entries"), list):
        detail["entries"] = [{k: v for k, v in e.items() if k != "expected"} for e in detail["entries"]]
    if "abs_error" in verdict.detail:  # "off by 0.0251 (7.76%)": the gap, given the answer, is the reference
        detail.pop("summary", None)
    # a factor, a transpose: they turn the answer into the reference
    if "diagnosis" in detail and detail["diagnosis"] not in _method_slips():
        detail.pop("diagnosis", None)
    return replace(verdict.withheld(), expected="", detail=detail, reference=None)


def _method_slips() -> frozenset[str]:
    from dlcheck.diagnose.slips import method_slips  # lazy: only a diagnosed verdict asks

    return method_slips()


def student_view(results: list[ProblemResult], hide_all: bool = False) -> list[ProblemResult]:
    """``results`` with every reference a policy holds back taken out."""
    return [replace(r, verdicts=[v if may_reveal(r.id, v, hide_all) else hidden(v) for v in r.verdicts])
            for r in results]


def hints(problem_id: str, verdict: Verdict, hide_all: bool = False) -> list[str]:
    """The part's hints for a student who did not earn its points, when the policy allows them."""
    if verdict.status.earned and verdict.score >= verdict.max_score:
        return []
    if not may_reveal(problem_id, verdict, hide_all):
        return []
    from dlcheck.check.registry import get_spec  # lazy: as in policy

    part = get_spec(problem_id).problem.parts.get(verdict.part)
    return list(getattr(part, "hints", []) or [])
