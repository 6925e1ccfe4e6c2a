"""Grading runs: a file, a problem or one part, each part checked within its time bound.

A file or a problem is graded by the workers of :mod:`dlcheck.grade.pool` (long-lived
processes, each part bounded); one part alone (``solve``, ``compare``) runs in a forked
child of its own (:func:`grade_part`). Either way a failure is a verdict
(:mod:`dlcheck.grade.work`).
"""

from __future__ import annotations

from typing import Any

from dlcheck.check import fast
from dlcheck.check.registry import get_instance, get_spec, variant_of
from dlcheck.core.verdict import ProblemResult, Verdict
from dlcheck.engine.instance import Instance
from dlcheck.grade import numeric
from dlcheck.grade.failures import answer_text
from dlcheck.grade.guarded import run_bounded
from dlcheck.grade.pool import grade_plans
from dlcheck.grade.work import PART_SECONDS, ProblemPlan, check_and_diagnose, compare_texts, plan_file
from dlcheck.spec.answers import AnswersFile

__all__ = ["PART_SECONDS", "check_and_diagnose", "compare_texts", "grade_file", "grade_part", "grade_problem",
           "run_bounded"]


def grade_part(inst: Instance, pid: str, answer: Any, earlier: dict[str, Verdict],
               seconds: float = PART_SECONDS) -> Verdict:
    """One part in a forked child of its own, bounded in time (``solve`` checks this way); a literal of a
    numeric part is checked from the problem's card at once where it can be (:mod:`dlcheck.grade.numeric`)."""
    card = fast.load_card(inst.spec.id) if isinstance(answer, str) else None
    if card is not None and (not card.varies or inst is get_instance(inst.spec.id)):  # the sheet's numbers
        quick = numeric.decide(card, pid, answer, earlier=list(earlier.values()))
        if quick is not None:
            return quick
    part = inst.spec.problem.parts[pid]
    return run_bounded(check_and_diagnose, (inst, pid, answer, earlier), pid, part.points, answer_text(answer), seconds)


def grade_problem(problem_id: str, answers: dict[str, Any], seconds: float = PART_SECONDS,
                  student: str | None = None) -> ProblemResult:
    """``answers`` maps part ids to the typed text (or a mapping for constructions); graded in one
    worker process, each part within ``seconds``."""
    spec = get_spec(problem_id)
    plan = ProblemPlan(problem_id, spec.problem.title, student,
                       [(pid, answers.get(pid)) for pid in spec.problem.parts], variant_of(problem_id, student),
                       bool(spec.problem.vary))
    return grade_plans([plan], seconds=seconds, jobs=1)[0]


def grade_file(answers_file: AnswersFile, seconds: float = PART_SECONDS) -> list[ProblemResult]:
    return grade_plans(plan_file(answers_file).problems, seconds=seconds)
