"""``dlcheck explain``: check the parts and the policy, derive the steps, render them."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from dlcheck.check.registry import get_instance, read_answers_file
from dlcheck.core.errors import DlcheckError
from dlcheck.explain import render
from dlcheck.explain.steps import solution


def attempted_parts(answers: Path | None, problem_id: str) -> set[str]:
    """Parts of ``problem_id`` that have an answer in the student's file."""
    if answers is None or not Path(answers).exists():
        return set()
    parts = read_answers_file(answers).problems.get(problem_id, {})
    return {p for p, a in parts.items() if (a.text if isinstance(a.text, str) else "x").strip()}


def explain_problem(pid: str, parts: list[str] | None, fmt: str, answers: Path | None, console: Console) -> str:
    """Render the worked solution of ``pid``; the terminal form is printed and '' returned."""
    inst = get_instance(pid)
    known = list(inst.spec.problem.parts)
    for p in parts or []:
        if p not in known:
            raise DlcheckError(f"{pid} has no part '{p}'; its parts are {', '.join(known)}")
    chosen = [p for p in known if p in parts] if parts else None
    steps = solution(inst, chosen, attempted_parts(answers, pid))
    title = f"{pid} — {inst.spec.problem.title}"
    if fmt == "md":
        return render.to_markdown(title, steps)
    if fmt == "latex":
        return render.to_latex(title, steps)
    render.to_terminal(title, steps, console)
    return ""
