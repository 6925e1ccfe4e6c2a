"""Worked solutions drawn three ways: rich in the terminal, Markdown, LaTeX."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck.engine.steps import Step
from dlcheck.parse.printing import pretty


def to_terminal(title: str, steps: list[Step], console: Console) -> None:
    console.print(Text(title, style="bold"))
    defines = [s for s in steps if not s.is_part]
    if defines:
        table = Table("step", "formula", "with the numbers", "value", title="definitions", title_justify="left")
        for s in defines:
            table.add_row(s.name, pretty(s.formula), pretty(s.substituted), Text(s.value, style="bold"))
        console.print(table)
    for s in (s for s in steps if s.is_part):
        body: list = []
        if s.formula:
            body.append(Text(f"{s.name} = {pretty(s.formula)}"))
        if s.substituted and s.substituted != s.formula:
            body.append(Text(f"     = {pretty(s.substituted)}", style="dim"))
        if s.value:
            body.append(Text(f"     = {s.value}", style="bold green"))
        for note in s.notes:
            body.append(Text(note, style="italic" if note.startswith("common mistake") else ""))
        if s.table:
            grid = Table(*s.table[0], box=None, padding=(0, 2))
            for row in s.table[1:]:
                grid.add_row(*row)
            body.append(grid)
        console.print(Panel(Group(*body), title=f"part {s.name}", title_align="left"))


def to_markdown(title: str, steps: list[Step]) -> str:
    lines = [f"# {title}", ""]
    defines = [s for s in steps if not s.is_part]
    if defines:
        lines += ["## Definitions", ""]
        for k, s in enumerate(defines, 1):
            line = f"{k}. `{s.name} = {s.formula}`"
            if s.substituted:
                line += f" = `{s.substituted}`"
            if s.value:
                line += f" = **{s.value}**"
            lines.append(line)
        lines.append("")
    for s in (s for s in steps if s.is_part):
        lines += [f"## Part `{s.name}`", ""]
        if s.formula:
            text = f"`{s.name} = {s.formula}`"
            if s.substituted and s.substituted != s.formula:
                text += f" = `{s.substituted}`"
            if s.value:
                text += f" = **{s.value}**"
            lines.append(text)
        elif s.value:
            lines.append(f"Answer: **{s.value}**")
        for note in s.notes:
            lines += ["", note]
        if s.table:
            lines += ["", "| " + " | ".join(s.table[0]) + " |", "|" + "---|" * len(s.table[0])]
            lines += ["| " + " | ".join(r) + " |" for r in s.table[1:]]
        lines.append("")
    return "\n".join(lines)


def _tex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"),
                 ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}")):
        text = text.replace(a, b)
    return text


def to_latex(title: str, steps: list[Step]) -> str:
    lines = [f"\\section*{{{_tex_escape(title)}}}"]
    defines = [s for s in steps if not s.is_part]
    if defines:
        lines.append("\\begin{align*}")
        for s in defines:
            row = f"  \\mathrm{{{_tex_escape(s.name)}}} &= {s.latex}"
            if s.latex_substituted:
                row += f" = {s.latex_substituted}"
            if s.value:
                row += f" = {s.value}"
            lines.append(row + " \\\\")
        lines.append("\\end{align*}")
    for s in (s for s in steps if s.is_part):
        lines.append(f"\\subsection*{{Part {_tex_escape(s.name)}}}")
        if s.latex:
            row = f"\\[ \\mathrm{{{_tex_escape(s.name)}}} = {s.latex}"
            if s.latex_substituted and s.latex_substituted != s.latex:
                row += f" = {s.latex_substituted}"
            if s.value:
                row += f" = {s.value}"
            lines.append(row + " \\]")
        elif s.value:
            lines.append(f"Answer: {s.value}")
        lines += [_tex_escape(n) + "\n" for n in s.notes]
        if s.table:
            lines.append("\\begin{tabular}{" + "l" * len(s.table[0]) + "}")
            lines += [" & ".join(_tex_escape(c) for c in r) + " \\\\" for r in s.table]
            lines.append("\\end{tabular}")
    return "\n".join(lines) + "\n"
