"""``dlcheck list`` and ``dlcheck show``: the bank and one statement, drawn with rich."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

AUTO = ("number", "vector", "matrix", "expression", "choice", "construction")


def bank_table(ids: list[str]) -> Table:
    from dlcheck.spec import bank

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
        problem = bank.load(pid).problem
        kinds = [p.kind for p in problem.parts.values()]
        table.add_row(pid, problem.title, ", ".join(problem.topics),
                      str(sum(k in AUTO for k in kinds)), str(sum(k == "essay" for k in kinds)))
    return table


def usable_names(problem, pid: str) -> list[str]:
    """The names a student may write in a formula answer to part ``pid``."""
    names = list(problem.symbols) + list(problem.given if not _numeric_problem(problem) else [])
    names += [d for d in problem.define if d not in problem.internal]
    for other, part in problem.parts.items():
        if other == pid:
            break
        if part.kind in ("vector", "matrix", "expression", "number") and other not in names:
            names.append(other)
    own = str(problem.parts[pid].answer or "").strip()
    return [n for n in names if n != own]


def _numeric_problem(problem) -> bool:
    return not problem.symbols


def show_problem(pid: str, console: Console) -> None:
    from dlcheck.spec import bank

    problem = bank.load(pid).problem
    console.print(Panel(Text(problem.statement.rstrip()), title=f"{pid} — {problem.title}", title_align="left"))
    table = Table("part", "kind", "points", "what to give", box=None, padding=(0, 2))
    for part_id, part in problem.parts.items():
        what = Text(part.prompt)
        if part.options:
            for k, option in enumerate(part.options, 1):
                what.append(f"\n  {k}. {option}")
            what.append("\n  answer with the option number(s), e.g. 2 or [1, 3]", style="dim")
        if part.kind == "construction":
            from dlcheck.compare.construction import lookup

            arch, target = lookup(part)
            what.append(f"\n  network: {arch.description}\n  must do: {target.description}", style="dim")
            what.append(f"\n  fields: {', '.join(arch.fields)}", style="dim")
        if part.kind in ("expression", "vector", "matrix") and problem.symbols:
            what.append(f"\n  symbols: {', '.join(usable_names(problem, part_id))}", style="dim")
        table.add_row(part_id, part.kind, f"{part.points:g}", what)
    console.print(table)
