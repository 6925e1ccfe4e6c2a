"""Grade answers problem by problem: every part checked and diagnosed in a time-bounded child.

A hang becomes ``undecided`` after the part's bound; any exception becomes ``undecided``
with its type and message in the verdict (``detail.error``) and the child's traceback
kept for ``--debug``: one bad part never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dlcheck.check.oneoff import PART, compare_instance
from dlcheck.check.registry import check_answer, get_instance
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.diagnose import diagnose
from dlcheck.engine.bounded import TimeLimit, bounded
from dlcheck.engine.instance import Instance
from dlcheck.spec.answers import AnswersFile

PART_SECONDS = 5.0


def check_and_diagnose(inst: Instance, pid: str, answer: Any, earlier: dict[str, Verdict]) -> Verdict:
    """One part, unbounded: the checker's verdict, then the diagnosis of a wrong one."""
    verdict = diagnose(inst, pid, check_answer(inst, pid, answer), earlier)
    verdict.parsed = None  # sympy objects are for diagnosis only; keep the result small
    return verdict


def grade_part(inst: Instance, pid: str, answer: Any, earlier: dict[str, Verdict],
               seconds: float = PART_SECONDS) -> Verdict:
    """One part, bounded in time; a hang or a crash becomes a verdict, never an exception."""
    part = inst.spec.problem.parts[pid]
    text = answer if isinstance(answer, str) else str(answer)
    return run_bounded(check_and_diagnose, (inst, pid, answer, earlier), pid, part.points, text, seconds)


def compare_texts(expected: str, answer: str, rtol: str | None = None, atol: str | None = None,
                  sigfigs: str | None = None) -> Verdict:
    """``dlcheck compare``: ``answer`` checked against ``expected`` as a one-part problem.

    The options are the typed text (``"5e-5"``, ``"4,3"``), read exactly."""
    made = compare_instance(expected, answer, rtol, atol, sigfigs)
    return made if isinstance(made, Verdict) else check_and_diagnose(made, PART, answer, {})


def run_bounded(fn: Callable[..., Verdict], args: tuple, pid: str, points: float, text: str,
                seconds: float) -> Verdict:
    """``fn(*args)`` in a time-bounded child; whatever goes wrong comes back as a verdict."""
    try:
        return bounded(fn, *args, seconds=seconds)
    except TimeLimit:
        verdict = Verdict(pid, Status.UNDECIDED, 0.0, points,
                          f"checking took longer than {seconds:g} s; simplify the answer or ask a person", text)
        verdict.detail["timed_out"] = seconds
        return verdict
    except RecursionError:
        return Verdict(pid, Status.INVALID, 0.0, points, "the answer is nested too deeply", text)
    except Exception as exc:  # noqa: BLE001 - one bad part never hides the others
        verdict = Verdict(pid, Status.UNDECIDED, 0.0, points,
                          f"internal error while checking ({type(exc).__name__}: {exc}); please report it", text)
        verdict.detail["error"] = {"type": type(exc).__name__, "message": str(exc)}
        verdict.trace = getattr(exc, "child_traceback", "")
        return verdict


def grade_problem(problem_id: str, answers: dict[str, Any], seconds: float = PART_SECONDS) -> ProblemResult:
    """``answers`` maps part ids to the typed text (or a mapping for constructions)."""
    inst = get_instance(problem_id)
    inst.env()  # answer-independent: computed once here, inherited by every part's child
    earlier: dict[str, Verdict] = {}
    for pid in inst.spec.problem.parts:
        earlier[pid] = grade_part(inst, pid, answers.get(pid), dict(earlier), seconds)
    return ProblemResult(problem_id, inst.spec.problem.title, list(earlier.values()))


def grade_file(answers_file: AnswersFile, seconds: float = PART_SECONDS) -> list[ProblemResult]:
    return [grade_problem(pid, {k: a.text for k, a in parts.items()}, seconds)
            for pid, parts in answers_file.problems.items()]
