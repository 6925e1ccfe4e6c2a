"""The class at a glance in the terminal, under the class table: the spread of scores, the hardest
parts, the named mistakes made most often and who may need help (the report's first screen, in lines)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from dlcheck.core.verdict import Status
from dlcheck.core.visible import visible
from dlcheck.grade.summary import ClassSummary, PartStats, percent

HARDEST = 5
MISTAKES = 5
NAMED = 6        # students who may need help named on the line (the rest counted)


def _how(p: PartStats) -> str:
    """``5 incorrect, 2 missing``: how the students who did not get it right got it."""
    wrong = [(p.tally[s], s) for s in Status if s not in (Status.CORRECT, Status.CARRIED) and p.tally[s]]
    return ", ".join(f"{n} {s.word}" for n, s in sorted(wrong, key=lambda ns: -ns[0]))


def _pct(x: float | None) -> str:
    return "–" if x is None else percent(x)


def class_summary(summary: ClassSummary) -> list:
    """The renderables to print after the class table (nothing for a class with nothing checked)."""
    graded, unreadable = summary.graded, summary.unreadable
    head = Text(f"Class: {len(graded)} of {len(summary.students)} files graded", style="bold")
    if unreadable:
        head.append(f" ({len(unreadable)} could not be read)")
    head.append(f" · median {_pct(summary.median)} · mean {_pct(summary.mean)}")
    out: list = [Text(), head]
    hardest = summary.hardest(HARDEST)
    if hardest:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for p in hardest:
            grid.add_row(f"  {visible(p.name, newlines=False)}", f"{p.right}/{p.students} right", _how(p))
        out += [Text("Hardest parts:"), grid]
    top = summary.top_mistakes(MISTAKES)
    if top:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column()
        for p, m in top:
            label = "" if m.text == m.message else f"{m.text}: "   # a spec's mistake without a name: its feedback
            grid.add_row(f"  {m.count}×", visible(p.name, newlines=False),
                         visible(f"{label}{'' if m.same else 'e.g. '}{m.message}", newlines=False))
        out += [Text("Most common mistakes:"), grid]
    need = summary.need_help
    if need:
        named = [f"{visible(s.student or s.path, newlines=False)} ({_pct(s.share) if s.error is None else 'unread'})"
                 for s in need[:NAMED]]
        more = f" and {len(need) - NAMED} more (the class report, --report FILE, lists them all)" \
            if len(need) > NAMED else ""
        out.append(Text(f"May need help ({len(need)}): {', '.join(named)}{more}"))
    return [Group(*out)]
