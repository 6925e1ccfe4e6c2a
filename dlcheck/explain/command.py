"""``dlcheck explain``: check the parts and the policy, derive the steps, render them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from dlcheck.check.registry import instance_for, read_answers_file
from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import did_you_mean
from dlcheck.engine.steps import withheld
from dlcheck.explain import render
from dlcheck.explain.steps import solution
from dlcheck.grade.reveal import policy
from dlcheck.spec.answers import is_attempt

DEFAULT_ANSWERS = Path("answers.yaml")


def attempted_parts(answers: Path | None, problem_id: str) -> set[str]:
    """Parts of ``problem_id`` the student really attempted in their file (not blank, not ``idk``)."""
    if answers is None or not Path(answers).exists():
        return set()
    parts = read_answers_file(answers).problems.get(problem_id, {})
    return {p for p, a in parts.items() if is_attempt(a.text)}


def _implicit_answers() -> Path | None:
    """./answers.yaml, when there is a readable one (a broken one is not the user's request)."""
    if not DEFAULT_ANSWERS.is_file():
        return None
    try:
        read_answers_file(DEFAULT_ANSWERS)
    except DlcheckError:
        return None
    return DEFAULT_ANSWERS


def file_student(answers: Path | None) -> str | None:
    """The ``student:`` of an answers file that can be read (whose numbers a varied problem uses)."""
    if answers is None or not Path(answers).is_file():
        return None
    try:
        student = read_answers_file(answers).student
    except DlcheckError:
        return None
    return None if student is None else str(student)


def student_of(answers: Path | None) -> tuple[str | None, Path | None]:
    """The ``student:`` meant when none is given, and the file it is from: ``--answers FILE``'s (which
    must be readable), else ./answers.yaml's when there is a readable one (as ``explain`` and ``solve``
    use it, so ``show`` in the same folder poses the same numbers)."""
    if answers is None:
        source = _implicit_answers()
        return file_student(source), source
    found = read_answers_file(answers).student
    return (None if found is None else str(found)), answers


def held_back(pid: str, parts: list[str], attempted: set[str], instructor: bool = False) -> set[str]:
    """The parts whose worked solution the problem's reveal policy holds back from this student (the
    policy ``grade`` applies to its expected answers: ``never``, or ``after_attempt`` before an attempt)."""
    if instructor:
        return set()
    return {p for p in parts if policy(pid, p) == "never" or (policy(pid, p) == "after_attempt" and p not in attempted)}


def revealed_solution(inst, pid: str, parts: list[str], attempted: set[str], instructor: bool = False) -> list:
    """The worked solution with every part the reveal policy holds back withheld, and the definitions
    only those parts need left out (a definition on the way to a hidden answer gives it away)."""
    hidden = held_back(pid, parts, attempted, instructor)
    if not hidden:
        return solution(inst, parts if parts != list(inst.spec.problem.parts) else None, attempted)
    open_parts = [p for p in parts if p not in hidden]
    shown = {s.name: s for s in solution(inst, open_parts, attempted)} if open_parts else {}
    defines = [s for s in shown.values() if s.kind == "define"]
    return defines + [shown[p] if p in shown else _withheld(pid, p) for p in parts]


def _withheld(pid: str, part: str) -> Any:
    """A withheld part's step, saying why: never shown to students, or not before an attempt."""
    step = withheld(part)
    if policy(pid, part) == "never":
        step.notes[:] = [NEVER]
    return step


NEVER = "its solution is held back from students (reveal: never)"


def explain_problem(pid: str, parts: list[str] | None, fmt: str, answers: Path | None, console: Console,
                    student: str | None = None, instructor: bool = False) -> str:
    """Render the worked solution of ``pid``; the terminal form is printed and '' returned.

    Without ``--answers``, ./answers.yaml (where ``solve`` saves) unlocks the parts it attempted. A problem
    that varies is worked with the numbers of ``student``, else of the answers file's ``student:``. The
    problem's reveal policy holds here as in ``grade``'s reports (``reveal: never`` parts are withheld,
    ``after_attempt`` ones until attempted); ``instructor`` shows everything.
    """
    source = answers if answers is not None else _implicit_answers()
    inst = instance_for(pid, student if student is not None else file_student(source))
    known = list(inst.spec.problem.parts)
    for p in parts or []:
        if p not in known:
            hint = did_you_mean(p, known) or f"; its parts are {', '.join(known)}"
            raise DlcheckError(f"{pid} has no part '{p}'{hint}")
    chosen = [p for p in known if p in parts] if parts else None
    attempted = attempted_parts(source, pid)
    steps = revealed_solution(inst, pid, chosen or known, attempted, instructor)
    for step in steps:
        if step.kind == "withheld" and not instructor and policy(pid, step.name) == "never":
            step.notes[:] = [NEVER]
        elif step.kind == "withheld":
            step.notes.append(f"answer it in {source} (dlcheck solve {pid} --answers {source}), then ask again"
                              if source is not None else
                              "no answers file here; pass --answers FILE with your answers to unlock the parts "
                              "you attempted")
    title = f"{pid} — {inst.spec.problem.title}"
    if fmt == "md":
        return render.to_markdown(title, steps)
    if fmt == "latex":
        return render.to_latex(title, steps)
    render.to_terminal(title, steps, console)
    return ""
