"""``dlcheck solve``: answer part by part, checked at once, saved at once.

Each accepted answer is written to the answers file straight away, atomically (a
temporary file, fsync, rename), through ruamel's round-trip mode so the comments and
order already in the file survive. Running ``solve`` again resumes at the first part
without an answer. Works in a terminal and with piped input (one line per answer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from rich.text import Text

from dlcheck.errors import DlcheckError

COMMANDS = "commands: hint, skip, explain, quit (or Ctrl-C); anything else is your answer"


class AnswersStore:
    """The answers file, edited in place: round-trip YAML, atomic saves."""

    def __init__(self, path: Path) -> None:
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap

        self.path = Path(path)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        if text.strip():
            from dlcheck.answers import read_answers

            read_answers(self.path)  # reject a broken file before touching it, with its position
            self.data = self.yaml.load(text)
        else:
            self.data = CommentedMap()
        if "answers" not in self.data or self.data["answers"] is None:
            self.data["answers"] = CommentedMap()

    def key_for(self, problem_id: str) -> str:
        """The key this problem has in the file, or the one to give it."""
        from dlcheck.spec import bank

        for key in self.data["answers"]:
            try:
                if bank.resolve(str(key), self.data.get("set")) == problem_id:
                    return str(key)
            except DlcheckError:
                continue
        set_name, q = problem_id.split("/")
        if self.data.get("set") is None and not self.data["answers"]:
            self.data.insert(0, "set", set_name)
        return q if self.data.get("set") == set_name else problem_id

    def answers_for(self, problem_id: str) -> dict[str, Any]:
        from dlcheck.yamlio import raw_text

        key = self.key_for(problem_id)
        parts = self.data["answers"].get(key) or {}
        out = {}
        for part, value in parts.items():
            if isinstance(value, dict):
                out[str(part)] = {str(k): raw_text(v) for k, v in value.items()}
            elif value is not None:
                out[str(part)] = raw_text(value)
        return out

    def save(self, problem_id: str, part: str, answer: Any) -> None:
        from ruamel.yaml.comments import CommentedMap
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        from dlcheck.yamlio import atomic_write_text

        key = self.key_for(problem_id)
        answers = self.data["answers"]
        if answers.get(key) is None:
            answers[key] = CommentedMap()
        if isinstance(answer, dict):
            value = CommentedMap((k, DoubleQuotedScalarString(v)) for k, v in answer.items())
            value.fa.set_flow_style()
        else:
            value = DoubleQuotedScalarString(answer)
        answers[key][part] = value
        atomic_write_text(self.path, self.dump())

    def dump(self) -> str:
        import io

        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()


def parse_mapping(text: str) -> dict[str, str] | None:
    """``{w1: -1, W: [[1, 2], [3, 4]]}`` typed at the prompt -> field texts, or None."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

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
    from dlcheck.report.catalog import bank_table
    from dlcheck.spec import bank

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
    from dlcheck import engine
    from dlcheck.grade import grade_part
    from dlcheck.report.catalog import show_problem
    from dlcheck.report.terminal import problem_table
    from dlcheck.verdict import ProblemResult

    store = AnswersStore(answers_path)
    try:
        pid = problem_id or choose_problem(console, ask)
    except (EOFError, KeyboardInterrupt):
        console.print("\nnothing chosen")
        return 0
    inst = engine.load(pid)
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
    from dlcheck.explain import steps
    from dlcheck.explain_cmd import attempted_parts
    from dlcheck.grade import grade_part
    from dlcheck.report.explain import to_terminal
    from dlcheck.report.terminal import verdict_line

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
            to_terminal(f"{pid} part {part_id}", steps(inst, [part_id], done), console)
            continue
        answer: Any = text
        if part.kind == "construction":
            answer = parse_mapping(text)
            if answer is None:
                console.print("[magenta]write the weights as a mapping, e.g. {w1: -1, w2: 1, ...}[/]")
                continue
        verdict = grade_part(inst, part_id, answer, dict(earlier))
        console.print(verdict_line(verdict))
        if verdict.status == "invalid":
            continue
        store.save(pid, part_id, answer)
        last = verdict
        if verdict.status in ("correct", "consistent-with-earlier-error", "manual"):
            return verdict
        console.print("[dim]try again, or: hint, skip, explain, quit[/]")
