"""A file's results scored against an assignment (:mod:`dlcheck.spec.assignment`).

Every problem of the assignment is in the results, in the assignment's order: one the
student did not answer has each part ``missing`` with 0 of its points. A problem outside
the assignment is taken out and its id kept in ``FileResult.ignored`` (the reports list it;
it earns nothing). A problem with points of its own has its parts' points scaled to them.
So every student of a class has the same maximum, and it is the assignment's.
"""

from __future__ import annotations

from dataclasses import replace

from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.grade.batch import FileResult
from dlcheck.spec import bank
from dlcheck.spec.assignment import Assignment

NOT_ANSWERED = "not answered"


def answered(files: list[FileResult]) -> Assignment:
    """No assignment given: the problems anyone in the class answered, in the bank's order."""
    return answered_ids({r.id for f in files for r in f.results})


def answered_ids(ids: set[str]) -> Assignment:
    """The assignment of these problems (those a class answered), in the bank's order."""
    order = {pid: k for k, pid in enumerate(bank.all_ids())}
    ordered = sorted(ids, key=lambda i: (order.get(i, len(order)), i))
    return Assignment("the problems answered in this class", tuple(ordered), {}, "answered")


def spec_points(problem_id: str) -> float:
    """A problem's points as its spec gives them (read from the spec, never derived again)."""
    from dlcheck.check.registry import get_spec  # lazy: only a run with an assignment reads the specs

    return sum(part.points for part in get_spec(problem_id).problem.parts.values())


def unanswered(problem_id: str, student: str | None) -> ProblemResult:
    """A problem of the assignment the student did not answer: every part missing, 0 of its points."""
    from dlcheck.check.registry import get_spec, variant_of  # lazy: as above

    problem = get_spec(problem_id).problem
    verdicts = [Verdict(pid, Status.MISSING, 0.0, part.points, NOT_ANSWERED) for pid, part in problem.parts.items()]
    try:
        variant = variant_of(problem_id, student)
    except Exception:  # noqa: BLE001 - the numbers are a courtesy; the score does not depend on them
        variant = {}
    return ProblemResult(problem_id, problem.title, verdicts, variant)


def scaled(result: ProblemResult, points: float | None) -> ProblemResult:
    """The problem's parts scaled so that they sum to ``points`` (None: as the spec has them)."""
    if points is None:
        return result
    total = spec_points(result.id)
    factor = points / total if total else 0.0
    return replace(result, verdicts=[replace(v, score=v.score * factor, max_score=v.max_score * factor)
                                     for v in result.verdicts])


def restrict(f: FileResult, assignment: Assignment) -> FileResult:
    """Only the assignment's problems of ``f`` (scaled); the others' ids in ``ignored``."""
    if f.error is not None:
        return f
    kept = [scaled(r, assignment.points.get(r.id)) for r in f.results if r.id in assignment.problems]
    return replace(f, results=kept, ignored=[r.id for r in f.results if r.id not in assignment.problems])


def missing(assignment: Assignment, files: list[FileResult], student: str | None) -> list[ProblemResult]:
    """The assignment's problems no file of ``files`` answers, each all ``missing`` (scaled)."""
    done = {r.id for f in files for r in f.results}
    return [scaled(unanswered(pid, student), assignment.points.get(pid))
            for pid in assignment.problems if pid not in done]


def apply(f: FileResult, assignment: Assignment) -> FileResult:
    """``f`` scored against the assignment: exactly its problems, in its order."""
    if f.error is not None:
        return f
    kept = restrict(f, assignment)
    by_id = {r.id: r for r in kept.results}
    filled = {r.id: r for r in missing(assignment, [kept], f.student)}
    return replace(kept, results=[by_id.get(pid) or filled[pid] for pid in assignment.problems])


def most(assignment: Assignment) -> float:
    """The assignment's maximum."""
    return sum(assignment.points.get(pid, spec_points(pid)) for pid in assignment.problems)
