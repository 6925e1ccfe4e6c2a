"""Grade answers problem by problem: every part checked in a time-bounded child."""

from __future__ import annotations

from typing import Any

from dlcheck.verdict import ProblemResult, Verdict

PART_SECONDS = 5.0


def grade_part(inst, pid: str, answer: Any, earlier: dict[str, Verdict], seconds: float = PART_SECONDS) -> Verdict:
    """One part, bounded in time; a hang or a crash becomes a verdict, never an exception."""
    from dlcheck.compare import check_part
    from dlcheck.engine.bounded import TimeLimit, bounded

    part = inst.spec.problem.parts[pid]
    text = answer if isinstance(answer, str) else str(answer)
    try:
        return bounded(check_part, inst, pid, answer, earlier, seconds=seconds)
    except TimeLimit:
        return Verdict(pid, "undecided", 0.0, part.points,
                       f"checking took longer than {seconds:g} s; simplify the answer or ask a person", text)
    except RecursionError:
        return Verdict(pid, "invalid", 0.0, part.points, "the answer is nested too deeply", text)
    except Exception as exc:  # noqa: BLE001 - one bad part never hides the others
        return Verdict(pid, "undecided", 0.0, part.points, f"internal error while checking ({type(exc).__name__}); "
                       "please report it", text)


def grade_problem(problem_id: str, answers: dict[str, Any], seconds: float = PART_SECONDS) -> ProblemResult:
    """``answers`` maps part ids to the typed text (or a mapping for constructions)."""
    from dlcheck import engine

    inst = engine.load(problem_id)
    earlier: dict[str, Verdict] = {}
    for pid in inst.spec.problem.parts:
        earlier[pid] = grade_part(inst, pid, answers.get(pid), dict(earlier), seconds)
    return ProblemResult(problem_id, inst.spec.problem.title, list(earlier.values()))


def grade_file(answers_file, seconds: float = PART_SECONDS) -> list[ProblemResult]:
    return [grade_problem(pid, {k: a.text for k, a in parts.items()}, seconds)
            for pid, parts in answers_file.problems.items()]
