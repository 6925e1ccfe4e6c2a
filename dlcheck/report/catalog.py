"""``dlcheck list`` and ``dlcheck show``: the bank and one statement, drawn with rich."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck.check.registry import get_spec, instance_for, kind_of, variant_of
from dlcheck.core.visible import visible
from dlcheck.report.layout import hanging_lines, reflow


def bank_table(ids: list[str]) -> Table:
    table = Table(title="dlcheck problem bank", title_justify="left")
    for col in ("problem", "title", "topics", "auto", "manual"):
        table.add_column(col, justify="right" if col in ("auto", "manual") else "left")
    current = None
    for pid in ids:
        set_name = pid.split("/")[0]
        if set_name != current:
            if current is not None:
                table.add_section()
            current = set_name
        problem = get_spec(pid).problem
        auto = [kind_of(p).auto for p in problem.parts.values()]
        table.add_row(pid, Text(visible(problem.title, newlines=False)), Text(visible(", ".join(problem.topics))),
                      str(sum(auto)), str(len(auto) - sum(auto)))
    return table


def problem_listing(ids: list[str]) -> str:
    """``  backprop/q1  One gradient-descent step …`` for each id: what an unknown id could have been."""
    width = max(len(i) for i in ids)
    return "\n".join(f"  {pid.ljust(width)}  {visible(get_spec(pid).problem.title, newlines=False)}" for pid in ids)


def show_problem(pid: str, console: Console, student: str | None = None, source: Path | None = None) -> None:
    """The statement (a student's own numbers with ``student``, when the problem varies) and its parts;
    ``source`` is the answers file ``student`` was read from, said with it."""
    inst = instance_for(pid, student)
    problem = inst.spec.problem
    inner = console.width - 4
    statement = reflow(visible(problem.statement.rstrip()), inner)
    numbers = variant_of(pid, student)
    subtitle = None
    if student is None and problem.vary:
        subtitle = Text("the sheet's numbers; they vary per student: --student ID shows yours")
    elif student is not None:
        subtitle = Text(f"numbers for student {visible(str(student), newlines=False)}" if numbers else
                        "this problem has the same numbers for every student")
    console.print(Panel(Text("\n").join(Text(line) for line in statement),
                        title=Text(f"{pid} — {visible(problem.title, newlines=False)}"), title_align="left",
                        subtitle=subtitle, subtitle_align="right"))
    if numbers and source is not None:  # an id the user did not type: say where it is from
        console.print(Text(f"student {visible(str(student), newlines=False)} is the student: in "
                           f"{visible(str(source), newlines=False)}; --student ID shows another student's numbers",
                           style="dim"))
    common = _common_names(inst)
    any_names = False
    rows = []
    for part_id, part in problem.parts.items():
        kind = kind_of(part)
        lines = [visible(part.prompt)] + [f"  {visible(line)}" for line in kind.describe(part)]
        names = kind.names(inst, part_id)
        any_names = any_names or bool(names)
        listed = ""
        if names and part.names is not None:  # a part with its own scope lists it
            listed = f"  names: {', '.join(names)}"
        elif names and [n for n in names if n not in common]:
            listed = f"  also: {', '.join(n for n in names if n not in common)}"
        rows.append((part_id, part.kind, f"{part.points:g}", lines, listed))
    if any_names:
        console.print(Text(f"names: {', '.join(common)}", style="dim"))
        for line in spellings(inst):
            console.print(Text(f"  {visible(line)}", style="dim"))
    headers = ("part", "kind", "points", "what to give")
    fixed = [max(len(headers[k]), *(len(r[k]) for r in rows)) for k in range(3)]
    room = max(console.width - sum(fixed) - 4 * len(headers), 24)  # 2 cells of padding either side of each
    table = Table(box=None, padding=(0, 2))
    for k, header in enumerate(headers):
        table.add_column(header, width=fixed[k] if k < 3 else room, no_wrap=True)
    for part_id, kind_name, points, lines, listed in rows:
        what = Text("\n").join(Text(line) for text in lines for line in hanging_lines(text, room))
        if listed:
            what.append("\n")
            what.append(Text("\n").join(Text(line, style="dim") for line in hanging_lines(listed, room)))
        table.add_row(Text(part_id), Text(kind_name), points, what)
    console.print(table)


def _common_names(inst) -> list[str]:
    """The names every part may use unless it has its own scope (listed once per problem)."""
    internal = set(inst.spec.problem.internal)
    defines = [n for n in inst.spec.problem.define if n not in internal]
    return [*inst.leaves, *defines]


def spellings(inst) -> list[str]:
    """One line per name with other accepted spellings: ``v1 (w^[3]_1): also w^{[3]}_1``."""
    out = []
    for target, alias in inst.spec.problem.aliases.items():
        shown = f"{target} ({alias.display})" if alias.display and alias.display != target else target
        out.append(f"{shown}: also {', '.join(alias.typed)}" if alias.typed else shown)
    return out
