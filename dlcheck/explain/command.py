"""``dlcheck explain``: check the parts and the policy, derive the steps, render them."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from dlcheck.check.registry import instance_for, read_answers_file
from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import did_you_mean
from dlcheck.explain import render
from dlcheck.explain.steps import solution
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


def explain_problem(pid: str, parts: list[str] | None, fmt: str, answers: Path | None, console: Console,
                    student: str | None = None) -> str:
    """Render the worked solution of ``pid``; the terminal form is printed and '' returned.

    Without ``--answers``, ./answers.yaml (where ``solve`` saves) unlocks the parts it attempted. A problem
    that varies is worked with the numbers of ``student``, else of the answers file's ``student:``.
    """
    source = answers if answers is not None else _implicit_answers()
    inst = instance_for(pid, student if student is not None else file_student(source))
    known = list(inst.spec.problem.parts)
    for p in parts or []:
        if p not in known:
            hint = did_you_mean(p, known) or f"; its parts are {', '.join(known)}"
            raise DlcheckError(f"{pid} has no part '{p}'{hint}")
    chosen = [p for p in known if p in parts] if parts else None
    steps = solution(inst, chosen, attempted_parts(source, pid))
    for step in steps:
        if step.kind == "withheld":
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
