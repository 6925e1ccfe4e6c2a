"""``dlcheck explain``: resolve the problem, check the parts and policy, render."""

from __future__ import annotations

from pathlib import Path

from dlcheck.errors import DlcheckError


def attempted_parts(answers: Path | None, problem_id: str) -> set[str]:
    """Parts of ``problem_id`` that have an answer in the student's file."""
    if answers is None or not Path(answers).exists():
        return set()
    from dlcheck.answers import read_answers

    parts = read_answers(answers).problems.get(problem_id, {})
    return {p for p, a in parts.items() if (a.text if isinstance(a.text, str) else "x").strip()}


def run_explain(pid: str, parts, fmt: str, answers, console) -> str:
    """Render the worked solution of ``pid``; the terminal form is printed and '' returned."""
    from dlcheck import engine
    from dlcheck.explain import steps
    from dlcheck.report import explain as render

    inst = engine.load(pid)
    known = list(inst.spec.problem.parts)
    for p in parts or []:
        if p not in known:
            raise DlcheckError(f"{pid} has no part '{p}'; its parts are {', '.join(known)}")
    chosen = [p for p in known if p in parts] if parts else None
    solution = steps(inst, chosen, attempted_parts(answers, pid))
    title = f"{pid} — {inst.spec.problem.title}"
    if fmt == "md":
        return render.to_markdown(title, solution)
    if fmt == "latex":
        return render.to_latex(title, solution)
    render.to_terminal(title, solution, console)
    return ""
