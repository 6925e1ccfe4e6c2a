"""``dlcheck solve``: answer part by part, checked at once, saved at once.

Each accepted answer is written to the answers file straight away
(:mod:`dlcheck.spec.store`: locked, merged with what another session saved meanwhile,
atomic), through ruamel's round-trip mode so the comments and order already in the
file survive. Running ``solve`` again resumes at the first part
without an answer, says which saved answers are not right, and ``--retry`` asks them
again with the old answer ready to edit. Works in a terminal and with piped input (one
line per answer).

Line editing and history come from the standard library's ``readline`` (GNU readline,
or libedit on macOS): arrow keys, Ctrl-R search, Tab completion of commands and of the
names a part accepts, and a history kept across sessions. It needs no dependency and
``input()`` uses it unchanged, so the piped path and the terminal path are one code
path; prompt_toolkit would add a dependency and a full-screen renderer that fights
rich's output for the terminal, for features (menus, multi-line) a one-line answer does
not need. Without a terminal (pipes, Windows) the prompt is plain ``input()``.

A problem that varies per student is posed, checked and explained with the numbers of
the answers file's ``student:`` (or of ``--student``), the very ones ``grade`` uses; an
id given with ``--student`` is written into a file that names no student yet, with the
first answer saved, and one that names another student is refused (its answers were
worked on that student's numbers).

Ctrl-C at the prompt stops the session (exit 130); Ctrl-C while an answer is being
checked stops the check, and the message says that answer was not saved. ``quit``,
Ctrl-D and finishing exit 0 — or 1 when an answer could not be saved (a read-only file
or folder, a full disk): each such answer is shown when it is typed, kept for the
session (saved with the next answer that can be) and listed again at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dlcheck.check.registry import get_spec, instance_for, kind_of, parts_of
from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.safefile import SaveError
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.core.visible import clip, visible
from dlcheck.core.yamlio import located_from_text, raw_text
from dlcheck.explain.command import revealed_solution
from dlcheck.explain.render import to_terminal
from dlcheck.grade.reveal import hidden, may_reveal
from dlcheck.grade.run import grade_part
from dlcheck.parse.functions import student_functions
from dlcheck.report.catalog import show_problem
from dlcheck.report.layout import hanging_lines
from dlcheck.report.terminal import TO_FIX, problem_view, verdict_line
from dlcheck.spec import bank
from dlcheck.spec.answers import is_attempt, student_key
from dlcheck.spec.store import AnswersStore

COMMANDS = ("hint", "skip", "explain", "quit")
QUIT = ("quit", "exit", "q", ":q")
HELP = "commands: hint, skip, explain, quit (or Ctrl-D); ↑/↓ recall earlier answers; anything else is your answer"
HISTORY_ENV = "DLCHECK_HISTORY"


class Quit(Exception):
    """``quit`` or Ctrl-D: leave, exit 0."""


class Stopped(Exception):
    """Ctrl-C: leave, exit 130, saying truthfully what was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the prompt ----------------------------------------------------------------------
def history_path() -> Path:
    """``$DLCHECK_HISTORY``, else ``$XDG_STATE_HOME/dlcheck/history`` (``~/.local/state``)."""
    if os.environ.get(HISTORY_ENV):
        return Path(os.environ[HISTORY_ENV])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "dlcheck" / "history"


class Prompter:
    """Reads one line: with readline's editing, history and completion in a terminal, plain otherwise."""

    def __init__(self, interactive: bool | None = None) -> None:
        self.readline: Any = None
        self.words: list[str] = []
        if interactive is None:
            interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if not interactive:
            return
        try:
            import readline  # lazy: only a terminal session needs line editing (and it is missing on Windows)
        except ImportError:
            return
        self.readline = readline
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
        readline.set_completer_delims(" \t\n()[]{},*+-/^=")
        readline.set_completer(self._complete)
        readline.set_history_length(1000)
        with contextlib.suppress(OSError):
            readline.read_history_file(history_path())

    def _complete(self, text: str, state: int) -> str | None:
        matches = [w for w in self.words if w.startswith(text)]
        return matches[state] if state < len(matches) else None

    def remember(self, lines: Iterable[str]) -> None:
        """Lines ↑ recalls (the saved answers of the problem), unless already the latest."""
        if self.readline is None:
            return
        for line in lines:
            n = self.readline.get_current_history_length()
            if line and (n == 0 or self.readline.get_history_item(n) != line):
                self.readline.add_history(line)

    def ask(self, prompt: str, prefill: str = "", words: Iterable[str] = ()) -> str:
        if self.readline is None:
            return input(prompt)
        self.words = sorted(set(COMMANDS) | set(words))
        self.readline.set_startup_hook((lambda: self.readline.insert_text(prefill)) if prefill else None)
        try:
            return input(prompt)
        finally:
            self.readline.set_startup_hook(None)

    def close(self) -> None:
        if self.readline is None:
            return
        with contextlib.suppress(OSError):
            path = history_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(path)


def parse_mapping(text: str) -> dict[str, str] | None:
    """``{w1: -1, W: [[1, 2], [3, 4]]}`` typed at the prompt -> field texts, or None.

    Read with the answers file's own reader and limits (no anchors, aliases or tags, bounded depth)."""
    try:
        data = located_from_text(text, "<typed>").data
    except DlcheckError:
        return None
    if not isinstance(data, dict):
        return None
    return {k: raw_text(v) for k, v in data.items()}


def _typed(answer: Any) -> str:
    """A saved answer as one line to type again (a mapping as ``{w1: -1, ...}``)."""
    if isinstance(answer, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in answer.items()) + "}"
    return str(answer)


# -- the menu ------------------------------------------------------------------------
def _progress(store: AnswersStore, pid: str) -> tuple[int, int]:
    saved = store.answers_for(pid)
    parts = parts_of(pid)
    return sum(1 for p in parts if is_attempt(saved.get(p))), len(parts)


def menu(store: AnswersStore, console: Console) -> list[str]:
    """Every problem with its title and how many of its parts have a saved answer."""
    ids = bank.all_ids()
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(justify="right", no_wrap=True)
    for k, pid in enumerate(ids, 1):
        done, total = _progress(store, pid)
        look = "green" if done == total else ("yellow" if done else "dim")
        table.add_row(f"{k}.", Text(pid, style="bold"), Text(visible(get_spec(pid).problem.title, newlines=False)),
                      Text(f"{done}/{total} answered", style=look))
    console.print(table)
    return ids


def choose_problem(store: AnswersStore, console: Console, ask: Callable[..., str]) -> str:
    """The menu shown by a bare ``dlcheck solve``: a number, an id, or ``quit``."""
    ids = menu(store, console)
    while True:
        choice = ask("problem (number, id or quit)> ", words=ids).strip()
        if not choice:
            continue
        if choice.lower() in QUIT:
            raise Quit
        if choice.isdecimal() and 1 <= int(choice) <= len(ids):
            return ids[int(choice) - 1]
        try:
            return bank.resolve(choice, store.data.get("set") if store.data.get("set") in bank.set_names() else None)
        except DlcheckError as exc:
            console.print(Text(visible(exc.message), style="red"))


# -- a session -----------------------------------------------------------------------
def solve(problem_id: str | None, answers_path: Path, console: Console,
          ask: Callable[..., str] | None = None, retry: bool = False, student: str | None = None) -> int:
    """Run the interactive loop; returns the exit code."""
    store = AnswersStore(answers_path, parts_of)
    claim_student(store, student)
    prompter = Prompter() if ask is None else None
    if prompter is not None:
        reader: Callable[..., str] = prompter.ask
    else:
        assert ask is not None
        given: Callable[[str], str] = ask
        reader = lambda prompt, **_: given(prompt)  # noqa: E731 - a plain input()-like function

    saved_now: list[str] = []
    try:
        if problem_id:
            run_problem(problem_id, store, console, reader, prompter, retry, saved_now)
        else:
            while True:
                pid = choose_problem(store, console, reader)
                run_problem(pid, store, console, reader, prompter, retry, saved_now)
                console.print()
    except (Quit, EOFError):
        console.print(Text(f"\nleaving; {_saved(saved_now, store)} Run solve again to resume."))
        _unsaved(store, console)
        return 1 if store.pending else 0
    except Stopped as stop:
        console.print(Text(f"\n{stop.message}"))
        _unsaved(store, console)
        return 130
    except KeyboardInterrupt:
        console.print(Text(f"\nstopped; {_saved(saved_now, store)} Run solve again to resume."))
        _unsaved(store, console)
        return 130
    finally:
        if prompter is not None:
            prompter.close()
    if store.pending:
        _unsaved(store, console)
        return 1
    console.print(Text(f"done; answers saved in {visible(str(answers_path), newlines=False)}"))
    return 0


def claim_student(store: AnswersStore, student: str | None) -> None:
    """``--student ID``: the file's own id must agree; a file without one gets it with the first answer
    saved (so ``grade`` later checks the answers on the numbers they were worked with)."""
    wanted = student_key(student)
    if wanted is None:
        return
    present = store.student
    if present is None:
        store.pending_student = wanted
        return
    if present != wanted:
        located = located_from_text(store.text, str(store.path), AnswerFileError)
        raise located.error(("student",), f"this file is student {clip(present)}'s, and its answers are checked on "
                            f"their numbers; to solve as student {clip(wanted)}, leave out --student or save to "
                            "another file (--answers FILE)", AnswerFileError)


def session_student(store: AnswersStore) -> str | None:
    """Whose numbers this session poses and checks: the id about to be written, else the file's."""
    return store.pending_student or store.student


def _saved(saved_now: list[str], store: AnswersStore) -> str:
    parts = list(dict.fromkeys(saved_now))
    shown = visible(str(store.path), newlines=False)
    if not parts:
        if not store.path.exists():
            return f"nothing was saved ({shown} was not created)."
        if not store.data["answers"]:
            return f"nothing was saved ({shown} holds no answers yet)."
        return f"nothing new was saved this time (earlier answers are in {shown})."
    return f"{len(parts)} answer{'' if len(parts) == 1 else 's'} saved to {shown} this time ({', '.join(parts)})."


def _unsaved(store: AnswersStore, console: Console) -> None:
    """The answers a failed save kept in memory, printed so they are not lost with the session."""
    if not store.pending:
        return
    n = len(store.pending)
    console.print(Text(f"{n} answer{'' if n == 1 else 's'} could not be saved to "
                       f"{visible(str(store.path), newlines=False)}; to keep {'it' if n == 1 else 'them'}, "
                       "copy these lines into an answers file:", style="bold yellow"))
    console.print(Text(visible(store.pending_yaml().rstrip())))


def _save(store: AnswersStore, pid: str, part_id: str, answer: Any, console: Console) -> bool:
    """Save one answer; a failure says why in one sentence and shows the answer, kept for the session."""
    try:
        notes = store.save(pid, part_id, answer)
    except SaveError as exc:
        console.print(Text.assemble(("! ", "bold yellow"), visible(exc.message, newlines=False),
                                    ". Your answer (", (visible(_typed(answer), newlines=False), "bold"),
                                    ") is kept for this session and saved with the next answer that can be."))
        return False
    for note in notes:
        console.print(Text(f"note: {visible(note, newlines=False)}", style="yellow"))
    return True


def run_problem(pid: str, store: AnswersStore, console: Console, ask: Callable[..., str],
                prompter: Prompter | None, retry: bool, saved_now: list[str]) -> None:
    student = session_student(store)
    inst = instance_for(pid, student)
    show_problem(pid, console, student)
    console.print(Text(f"{HELP}. Answers are saved to {visible(str(store.path), newlines=False)} as you go.",
                       style="dim"))
    saved = store.answers_for(pid)
    if prompter is not None:
        prompter.remember(_typed(a) for a in saved.values())
    earlier: dict[str, Verdict] = {}
    for part_id in inst.spec.problem.parts:  # replay saved answers: resume after them
        if part_id in saved:
            earlier[part_id] = grade_part(inst, part_id, saved[part_id], dict(earlier))
    wrong = [p for p, v in earlier.items() if v.status in TO_FIX]
    if saved:
        console.print(Text(f"resuming: {len(saved)} part(s) already answered ({', '.join(saved)})"))
    if wrong and not retry:
        console.print(Text.assemble("saved answers that are not right: ", (", ".join(
            f"{p} ({earlier[p].status.word})" for p in wrong), "bold"),
            f"; to answer them again: dlcheck solve {pid} --retry", style="yellow"))
    elif wrong:
        console.print(Text(f"asking again: {', '.join(wrong)} (your saved answer is ready to edit)", style="yellow"))
    todo = [p for p in inst.spec.problem.parts if p not in saved or (retry and p in wrong)]
    for part_id in todo:
        verdict = ask_part(inst, pid, part_id, store, earlier, console, ask, saved_now,
                           previous=earlier.get(part_id) if part_id in wrong else None)
        if verdict is not None:
            earlier[part_id] = verdict
    verdicts = [as_shown(pid, earlier[p]) for p in inst.spec.problem.parts if p in earlier]
    if verdicts:  # as the policy lets the student see them, like each line above
        console.print(problem_view(ProblemResult(pid, inst.spec.problem.title, verdicts), console.width))


def attempted(store: AnswersStore, pid: str) -> set[str]:
    """The parts of ``pid`` with a real attempt in the file, or typed this session and not saved yet."""
    answers = store.answers_for(pid)
    answers.update({part: a for (problem, part), a in store.pending.items() if problem == pid})
    return {part for part, a in answers.items() if is_attempt(a)}


def withheld_until_tried(inst: Any, part_id: str) -> bool:
    """The spec's ``explain: after_attempt`` (the part's own, else the problem's): no solution before a try."""
    problem = inst.spec.problem
    return (problem.parts[part_id].explain or problem.explain) == "after_attempt"


def as_shown(pid: str, v: Verdict) -> Verdict:
    """The verdict as the problem's reveal policy lets a student see it (as ``grade``'s reports do)."""
    return v if may_reveal(pid, v) else hidden(v)


def previous_line(v: Verdict) -> Text:
    line = verdict_line(v)
    return line if isinstance(line, Text) else Text(f"{v.status.mark} {v.status.word}", style=v.status.style)


def _check(inst: Any, part_id: str, answer: Any, earlier: dict) -> Verdict:
    """``grade_part`` where Ctrl-C stops the check in this process only.

    The check runs in a forked child, which inherits this handler: there it does nothing
    (the child is killed by the parent, without a traceback), here it raises
    KeyboardInterrupt so the session can say what was and was not saved.
    """
    parent = os.getpid()

    def on_interrupt(signum: int, frame: Any) -> None:
        if os.getpid() == parent:
            raise KeyboardInterrupt

    old = signal.signal(signal.SIGINT, on_interrupt)
    try:
        return grade_part(inst, part_id, answer, dict(earlier))
    finally:
        signal.signal(signal.SIGINT, old)


def ask_part(inst: Any, pid: str, part_id: str, store: AnswersStore, earlier: dict, console: Console,
             ask: Callable[..., str], saved_now: list[str], previous: Verdict | None = None) -> Verdict | None:
    part = inst.spec.problem.parts[part_id]
    kind = kind_of(part)
    hints = list(part.hints)
    shown = 0
    console.print(Text.assemble("\n", (part_id, "bold"), f" ({part.kind}, {part.points:g} point"
                                f"{'' if part.points == 1 else 's'}): ", visible(part.prompt)))
    for line in kind.describe(part):  # a choice's options, a network's fields: at the prompt, not only above
        for piece in hanging_lines(f"  {visible(line)}", console.width):
            console.print(Text(piece))
    if previous is not None:
        console.print(Text.assemble("  your saved answer: ", (visible(previous.answer, newlines=False), "bold")))
        console.print(Text("  ") + previous_line(as_shown(pid, previous)))
    words = [*kind.names(inst, part_id), *student_functions()]
    prefill = previous.answer if previous is not None else ""
    last = None
    while True:
        text = ask(f"{part_id}> ", prefill=prefill, words=words).strip()
        prefill = ""
        command = text.lower()
        if not text:
            continue
        if command in QUIT:
            raise Quit
        if command == "skip":
            return last
        if command == "hint":
            if shown < len(hints):
                shown += 1
                label = f"hint {shown} of {len(hints)}: " if len(hints) > 1 else "hint: "
                console.print(Text.assemble((label, "yellow"), visible(hints[shown - 1])))
            else:
                console.print("no more hints for this part" if shown else "this part has no hints")
            continue
        if command == "explain":
            steps = revealed_solution(inst, pid, [part_id], attempted(store, pid))
            to_terminal(f"{pid} part {part_id}", steps, console)
            continue
        if not is_attempt(text):
            later = withheld_until_tried(inst, part_id) and part_id not in attempted(store, pid)
            console.print(Text("nothing saved: that is not an answer yet. Type hint for a hint, skip to move on, "
                               + ("or explain once you have really tried this part" if later else
                                  "or explain for the worked solution"), style="dim"))
            continue
        answer: Any = text
        if kind.takes_mapping:
            answer = parse_mapping(text)
            if answer is None:
                fields = kind.describe(part)[-1] if kind.describe(part) else ""
                console.print(Text(f"write the weights as a mapping, e.g. {{w1: -1, w2: 1, ...}} ({visible(fields)})",
                                   style="magenta"))
                continue
        try:
            verdict = _check(inst, part_id, answer, earlier)
        except KeyboardInterrupt:
            raise Stopped(f"stopped while checking your answer to {part_id}; that answer was not saved "
                          f"(you typed: {visible(text, newlines=False)}). {_saved(saved_now, store)} "
                          "Run solve again to resume.") from None
        console.print(verdict_line(as_shown(pid, verdict)))
        if verdict.status is Status.INVALID:
            console.print(Text("not saved; fix it and type it again", style="dim"))
            continue
        saved = _save(store, pid, part_id, answer, console)
        if saved:
            saved_now.append(part_id)
        last = verdict
        if verdict.status in (Status.CORRECT, Status.CARRIED, Status.MANUAL):
            return verdict
        console.print(Text(f"{'saved' if saved else 'kept'}; try again, or: hint, skip, explain, quit", style="dim"))
