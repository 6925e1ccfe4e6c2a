"""What a grading process does with a file: a plan of its parts, each checked and diagnosed.

Everything here touches a student's text (parsing, checking, diagnosis, the messages),
so it runs in a bounded process: a worker of :mod:`dlcheck.grade.pool`, or a forked
child per call (:func:`dlcheck.grade.run.grade_part`). Whatever goes wrong comes back as
a verdict, never an exception: a hang is ``undecided`` after the part's bound, a blow-up
in memory is "too large to check", a nesting too deep is ``invalid``, and a failure of
dlcheck itself is ``undecided`` with a sentence saying so (its type, message and
traceback kept for ``--debug``).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Protocol

from dlcheck.check import fast
from dlcheck.check.oneoff import compare_instance, only_part
from dlcheck.check.registry import (
    check_answer,
    get_instance,
    get_spec,
    instance_and_source,
    kind_of,
    unanswered,
    variant_of,
)
from dlcheck.core.verdict import ProblemResult, Verdict
from dlcheck.diagnose import diagnose, misread
from dlcheck.engine.instance import Instance
from dlcheck.grade import judged
from dlcheck.grade.derive import DISABLED, disabled_verdicts, instance_or_reason
from dlcheck.grade.failures import PART_SECONDS as PART_SECONDS  # where callers have always found it
from dlcheck.grade.failures import check_seconds as check_seconds  # as above
from dlcheck.grade.failures import failed, too_deep, too_large
from dlcheck.spec.answers import AnswersFile

TRIVIAL_KINDS = ("choice", "essay")   # checked without any symbolic work: no bound to keep


# -- one part ------------------------------------------------------------------------------
def check_and_diagnose(inst: Instance, pid: str, answer: Any, earlier: dict[str, Verdict]) -> Verdict:
    """One part, unbounded: the checker's verdict, then the diagnosis of a wrong one."""
    verdict = diagnose(inst, pid, check_answer(inst, pid, answer), earlier)
    verdict.parsed = None  # sympy objects are for diagnosis only; keep the result small
    for note in verdict.detail.get("working", []):  # a chain's disagreeing side, whatever the diagnosis said
        if note not in verdict.message:
            verdict.message = f"{verdict.message}; {note}" if verdict.message else note
    return verdict


def compare_texts(expected: str, answer: str, rtol: str | None = None, atol: str | None = None,
                  sigfigs: str | None = None) -> Verdict:
    """``dlcheck compare``: ``answer`` checked against ``expected`` as a one-part problem, unbounded.

    The options are the typed text (``"5e-5"``, ``"4,3"``), read exactly."""
    made = compare_instance(expected, answer, rtol, atol, sigfigs)
    return made if isinstance(made, Verdict) else check_and_diagnose(made, only_part(made), answer, {})


def checked(inst: Instance, pid: str, answer: Any, earlier: dict[str, Verdict]) -> tuple[Verdict, bool]:
    """One part inside a bounded process: (its verdict, whether the process should be replaced).

    Every failure is a verdict; after a MemoryError the worker's state is not trusted again."""
    points = inst.spec.problem.parts[pid].points
    try:
        return check_and_diagnose(inst, pid, answer, earlier), False
    except RecursionError:
        return too_deep(pid, points, answer), False
    except MemoryError:
        return too_large(pid, points, answer), True
    except Exception as exc:  # noqa: BLE001 - one bad part never hides the others
        return failed(pid, points, answer, exc, traceback.format_exc()), False


def needs_bound(inst: Instance, pid: str, answer: Any) -> bool:
    """Whether checking this answer does any work that might not end: not for a missing answer,
    a choice or an essay (those are decided at once, at no risk)."""
    if unanswered(answer):
        return False
    return inst.spec.problem.parts[pid].kind not in TRIVIAL_KINDS and kind_of(inst.spec.problem.parts[pid]).auto


# -- a file's plan: what each worker checks, in order -------------------------------------
@dataclass
class ProblemPlan:
    """One problem of a file: every part of the spec in order, with the typed answer or None."""

    problem_id: str
    title: str
    student: str | None
    parts: list[tuple[str, Any]]
    variant: dict[str, str] = field(default_factory=dict)   # the student's given values, if they vary
    varies: bool = False                                     # the problem varies per student


@dataclass
class FilePlan:
    path: str
    student: str | None
    problems: list[ProblemPlan]
    working: list[dict] = field(default_factory=list)   # a write-up's checked steps (dlcheck.check.working)


def plan_file(answers_file: AnswersFile) -> FilePlan:
    student = None if answers_file.student is None else str(answers_file.student)
    problems = []
    for problem_id, answers in answers_file.problems.items():
        spec = get_spec(problem_id)
        parts = [(pid, answers[pid].text if pid in answers else None) for pid in spec.problem.parts]
        problems.append(ProblemPlan(problem_id, spec.problem.title, student, parts, variant_of(problem_id, student),
                                    bool(spec.problem.vary)))
    return FilePlan(answers_file.path, student, problems)


class Reporter(Protocol):
    def starting(self, bounded: bool) -> None: ...         # a part is about to be checked
    def decided(self, problem_id: str, verdict: Verdict) -> None: ...
    def amended(self, problem_id: str, verdict: Verdict) -> None: ...   # a verdict decided before, changed


def check_problem(plan: ProblemPlan, earlier: dict[str, Verdict] | None = None,
                  report: Reporter | None = None, remember: bool = False) -> tuple[list[Verdict], bool]:
    """Check a problem's parts in order (later parts see earlier verdicts), each as it comes.

    ``report`` hears before each part whether it needs its time bound, and each verdict once
    decided. Returns the verdicts and whether the process should be replaced (a MemoryError).
    With ``remember``, a result that cannot depend on the machine is kept for the same answers' next
    grading (:mod:`dlcheck.grade.judged`)."""
    inst, why = (None, None) if plan.problem_id in DISABLED else instance_or_reason(plan.problem_id, plan.student)
    if inst is None:  # its spec would not derive: its parts are undecided, the file's other problems go on
        stuck = disabled_verdicts(plan.problem_id, plan.parts, why) or []
        for verdict in stuck:
            if report is not None:
                report.decided(plan.problem_id, verdict)
        return stuck, False
    seen = dict(earlier or {})
    out = []
    retire = False
    card = fast.load_card(plan.problem_id)
    if card is not None and card.varies and inst is not get_instance(plan.problem_id):
        card = None  # a student's own numbers: the card holds the sheet's
    for pid, answer in plan.parts:
        # a right literal from the card (tens of microseconds); a wrong one is diagnosed here on the graph this
        # worker holds anyway, memo and all (the card's own diagnosis saves loading sympy, not time, once loaded)
        quick = fast.decide(card, pid, answer) if card is not None else None
        if report is not None:
            report.starting(quick is None and needs_bound(inst, pid, answer))
        verdict, stop = (quick, False) if quick is not None else checked(inst, pid, answer, seen)
        retire = retire or stop
        seen[pid] = verdict
        out.append(verdict)
        if report is not None:
            report.decided(plan.problem_id, verdict)
    whole = not retire and _misread(inst, plan.problem_id, seen, report)
    if remember and whole and not earlier and not plan.variant and inst is get_instance(plan.problem_id):
        _keep(plan, out)
    return out, retire


def _keep(plan: ProblemPlan, verdicts: list[Verdict]) -> None:
    """The problem's result kept for the same answers' next grading; a failure to keep it changes nothing."""
    _, source = instance_and_source(plan.problem_id)
    if source is None:
        return
    try:
        judged.store(plan.problem_id, source, plan.parts,
                     ProblemResult(plan.problem_id, plan.title, verdicts, {}, plan.varies))
    except Exception:  # noqa: BLE001 - keeping is only a saving: never a verdict's (or a worker's) undoing
        return


def _misread(inst: Instance, problem_id: str, seen: dict[str, Verdict], report: Reporter | None) -> bool:
    """One misread given behind several wrong parts (:mod:`dlcheck.diagnose.misread`): the verdicts it
    explains are amended in place and reported again. A failure of the search changes nothing. Whether
    the search ran to its end (it has a time bound, and a memory error depends on the machine)."""
    if report is not None:
        report.starting(True)   # the search has the bound of a part of its own
    try:
        changed, whole = misread.explain(inst, list(seen.values()))
    except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError):
        return False
    if report is not None:
        for verdict in changed:
            report.amended(problem_id, verdict)
    return whole
