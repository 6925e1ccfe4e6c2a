"""``dlcheck solve``: answer part by part, checked at once, saved at once.

Each accepted answer is written to the answers file straight away, atomically (a
temporary file, fsync, rename), through ruamel's round-trip mode so the comments and
order already in the file survive. Running ``solve`` again resumes at the first part
without an answer. Works in a terminal and with piped input (one line per answer).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode

from dlcheck.check.registry import get_instance, kind_of, parts_of
from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import ProblemResult, Status
from dlcheck.explain.command import attempted_parts
from dlcheck.explain.render import to_terminal
from dlcheck.explain.steps import solution
from dlcheck.grade.run import grade_part
from dlcheck.report.catalog import bank_table, show_problem
from dlcheck.report.terminal import problem_table, verdict_line
from dlcheck.spec import bank
from dlcheck.spec.store import AnswersStore

COMMANDS = "commands: hint, skip, explain, quit (or Ctrl-C); anything else is your answer"


def parse_mapping(text: str) -> dict[str, str] | None:
    """``{w1: -1, W: [[1, 2], [3, 4]]}`` typed at the prompt -> field texts, or None."""
    try:
        node = YAML(typ="rt").compose(text)
    except YAMLError:
        return None
    if not isinstance(node, MappingNode):
        return None
    return {str(k.value): v.value if isinstance(v, ScalarNode) else text[v.start_mark.index:v.end_mark.index]
            for k, v in node.value}


def choose_problem(console: Console, ask: Callable[[str], str]) -> str:
    """The menu shown by a bare ``dlcheck solve``."""
    ids = bank.all_ids()
    console.print(bank_table(ids))
    for k, pid in enumerate(ids, 1):
        console.print(f"  {k:2d}. {pid}")
    while True:
        choice = ask("problem (number or id)> ").strip()
        if choice.isdigit() and 1 <= int(choice) <= len(ids):
            return ids[int(choice) - 1]
        try:
            return bank.resolve(choice)
        except DlcheckError as exc:
            console.print(Text(exc.message, style="red"))


def solve(problem_id: str | None, answers_path: Path, console: Console,
          ask: Callable[[str], str] = input) -> int:
    """Run the interactive loop; returns the exit code."""
    store = AnswersStore(answers_path, parts_of)
    try:
        pid = problem_id or choose_problem(console, ask)
    except (EOFError, KeyboardInterrupt):
        console.print("\nnothing chosen")
        return 0
    inst = get_instance(pid)
    show_problem(pid, console)
    console.print(Text(f"{COMMANDS}. Answers are saved to {answers_path} as you go.", style="dim"))
    saved = store.answers_for(pid)
    earlier: dict = {}
    for part_id in inst.spec.problem.parts:  # replay saved answers: resume after them
        if part_id in saved:
            earlier[part_id] = grade_part(inst, part_id, saved[part_id], dict(earlier))
    todo = [p for p in inst.spec.problem.parts if p not in saved]
    if saved:
        console.print(Text(f"resuming: {len(saved)} part(s) already answered ({', '.join(saved)})"))
    try:
        for part_id in todo:
            verdict = _ask_part(inst, pid, part_id, store, earlier, console, ask)
            if verdict is not None:
                earlier[part_id] = verdict
    except (EOFError, KeyboardInterrupt):
        console.print(Text(f"\nstopped; your answers so far are saved in {answers_path}. "
                           "Run solve again to resume."))
        return 130
    verdicts = [earlier[p] for p in inst.spec.problem.parts if p in earlier]
    if verdicts:
        console.print(problem_table(ProblemResult(pid, inst.spec.problem.title, verdicts)))
    console.print(Text(f"done; answers saved in {answers_path}"))
    return 0


def _ask_part(inst, pid, part_id, store, earlier, console, ask):
    part = inst.spec.problem.parts[part_id]
    hints = list(part.hints)
    console.print(Text.assemble("\n", (part_id, "bold"), f" ({part.kind}): {part.prompt}"))
    last = None
    while True:
        text = ask(f"{part_id}> ").strip()
        command = text.lower()
        if not text:
            continue
        if command in ("quit", "exit", "q"):
            raise EOFError
        if command == "skip":
            return last
        if command == "hint":
            console.print(Text.assemble(("hint: ", "yellow"), hints.pop(0)) if hints else "no more hints for this part")
            continue
        if command == "explain":
            done = attempted_parts(store.path, pid) if store.path.exists() else set()
            to_terminal(f"{pid} part {part_id}", solution(inst, [part_id], done), console)
            continue
        answer: Any = text
        if kind_of(part).takes_mapping:
            answer = parse_mapping(text)
            if answer is None:
                console.print("[magenta]write the weights as a mapping, e.g. {w1: -1, w2: 1, ...}[/]")
                continue
        verdict = grade_part(inst, part_id, answer, dict(earlier))
        console.print(verdict_line(verdict))
        if verdict.status is Status.INVALID:
            continue
        store.save(pid, part_id, answer)
        last = verdict
        if verdict.status in (Status.CORRECT, Status.CARRIED, Status.MANUAL):
            return verdict
        console.print("[dim]try again, or: hint, skip, explain, quit[/]")
