"""Worked solutions drawn three ways: rich in the terminal, Markdown, LaTeX."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck.core.visible import visible
from dlcheck.engine.steps import Step
from dlcheck.parse.printing import latex_name, latex_names, pretty
from dlcheck.report.layout import (
    Block,
    Column,
    fit_columns,
    grid_lines,
    hanging,
    matrix_cells,
    matrix_rows_text,
    split_top,
    width_of,
)

if TYPE_CHECKING:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

TABLE_EDGES = 13      # four columns: five rules and a space either side of each cell
PANEL_EDGES = 4       # a panel's rules and padding
TALL = 2              # a definition taking more lines than this in the table: drawn as lines instead


def _value_lines(text: str, room: int) -> list[Text]:
    """A value: a matrix as a grid (rows whole) when it fits, else wrapped text."""
    cells = matrix_cells(text)
    if cells is not None:
        grid = grid_lines([[visible(c, newlines=False) for c in row] for row in cells])
        if max(width_of(g.plain) for g in grid) <= room:
            return grid
    return Block.text(text).wrapped(room)


def _equation(name: str, formula: str, substituted: str, value: str, width: int, style: str = "") -> list[Text]:
    """``name = formula`` / ``= with the numbers`` / ``= value``, each wrapped under its '='."""
    lead = width_of(name) + 1
    out: list[Text] = []
    rows = [(name, pretty(formula), "")] if formula else []
    if substituted and substituted != formula:
        rows.append(("", pretty(substituted), "dim"))
    if value:
        rows.append(("", value, style or "bold green"))
    for k, (label, text, look) in enumerate(rows):
        head = Text(label.ljust(lead - 1) + " = ", style="bold" if label else "")
        room = max(width - lead - 2, 8)
        if k == len(rows) - 1 and value:
            body = _value_lines(text, room)
        else:  # a matrix too wide for one line: one row per line
            by_rows = matrix_rows_text(text) if width_of(text) > room else None
            body = Block.text(by_rows or text).wrapped(room)
        for j, line in enumerate(body):
            out.append((head if j == 0 else Text(" " * (lead + 2))) + Text(line.plain, style=look))
    return out


def _definitions(defines: list[Step], width: int) -> list:
    """The definitions as a table when each fits in a line or two, else as equations."""
    columns = [Column("step", [Block.text(s.name) for s in defines], fixed=True),
               Column("formula", [Block.text(pretty(s.formula)) for s in defines]),
               Column("with the numbers", [Block.text(pretty(s.substituted)) for s in defines]),
               Column("value", [Block.text(s.value) for s in defines])]
    widths = fit_columns(columns, width - TABLE_EDGES)
    if widths is not None and all(len(c.blocks[i].wrapped(w)) <= TALL
                                  for c, w in zip(columns, widths) for i in range(len(defines))):
        table = Table(title="definitions", title_justify="left")
        for c, w in zip(columns, widths):
            table.add_column(c.header, width=w, no_wrap=True, overflow="ignore")
        for i in range(len(defines)):
            table.add_row(*[c.blocks[i].render(w) for c, w in zip(columns, widths)])
        return [table]
    lines: list = [Text("definitions", style="italic")]
    for s in defines:
        lines += [Text("  ") + line for line in _equation(s.name, s.formula, s.substituted, s.value, width - 2)]
    return [Group(*lines)]


def to_terminal(title: str, steps: list[Step], console: Console) -> None:
    """Every line wrapped to the terminal here, between words, never inside a number."""
    width = console.width
    for line in hanging(Text(visible(title, newlines=False), style="bold"), width):
        console.print(line)
    defines = [s for s in steps if not s.is_part]
    if defines:
        for item in _definitions(defines, width):
            console.print(item)
    inner = width - PANEL_EDGES
    for s in (s for s in steps if s.is_part):
        body: list = []
        if s.formula or s.value:
            body += _equation(s.name, s.formula, s.substituted, s.value, inner)
        for note in s.notes:
            look = "italic" if note.startswith("common mistake") else ""
            body += Block.text(note, style=look).wrapped(inner)
        if s.table:
            grid = grid_lines([[visible(c, newlines=False) for c in row] for row in s.table], right=False)
            grid[0].stylize("dim")
            body += grid
        console.print(Panel(Group(*body), title=Text(f"part {visible(s.name, newlines=False)}"),
                            title_align="left", width=width))


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


@functools.cache
def _tex_encoder() -> UnicodeToLatexEncoder:
    from pylatexenc.latexencode import UnicodeToLatexEncoder  # lazy: only LaTeX output needs it

    return UnicodeToLatexEncoder(replacement_latex_protection="braces-all", unknown_char_policy="unihex",
                                 unknown_char_warning=False)


def _tex_escape(text: str) -> str:
    """Text as LaTeX text mode reads it: TeX's special characters escaped, and every other character
    pdflatex has no glyph for as its LaTeX (ω -> \\ensuremath{\\omega}, — -> \\textemdash), by pylatexenc;
    a character with no LaTeX form is written as its code point, never dropped."""
    return _tex_encoder().unicode_to_latex(text)


def _tex_value(value: str) -> str:
    """A value inside math: a matrix (``[[a, b], [c, d]]``) or a column (``[a, b]``, as
    :func:`~dlcheck.parse.printing.brackets` writes one) as a bmatrix."""
    rows = matrix_cells(value)
    text = value.strip()
    if rows is None and text.startswith("[") and text.endswith("]") and "[" not in text[1:-1]:
        rows = [[cell] for cell in split_top(text[1:-1])]
    if not rows or any(not cell for row in rows for cell in row):
        return value
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"


def _tex_rows(s: Step, substituted: str) -> list[str]:
    """``name &= formula``, then ``&= with the numbers`` and ``&= value`` each on a row of their own
    (as the terminal draws them): a long step stays within the page."""
    rows = [f"  {latex_name(s.name)} &= {latex_names(s.latex)}"]
    if substituted:
        rows.append(f"  &= {latex_names(substituted)}")
    if s.value:
        rows.append(f"  &= {_tex_value(s.value)}")
    return [row + " \\\\" for row in rows]


LATEX_PREAMBLE = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{amsmath}\n"
                  "\\begin{document}")


def to_latex(title: str, steps: list[Step]) -> str:
    """A whole document (pdflatex compiles it as it is): the definitions as an align*, each part's
    step in display math, values that are matrices as bmatrix, every text escaped for text mode."""
    lines = [LATEX_PREAMBLE, f"\\section*{{{_tex_escape(title)}}}"]
    defines = [s for s in steps if not s.is_part]
    if defines:
        lines.append("\\begin{align*}")
        for s in defines:
            lines += _tex_rows(s, s.latex_substituted)
        lines[-1] = lines[-1].removesuffix(" \\\\")
        lines.append("\\end{align*}")
    for s in (s for s in steps if s.is_part):
        lines.append(f"\\subsection*{{Part {_tex_escape(s.name)}}}")
        if s.latex:
            substituted = s.latex_substituted if s.latex_substituted != s.latex else ""
            rows = _tex_rows(s, substituted)
            rows[-1] = rows[-1].removesuffix(" \\\\")
            lines += ["\\begin{align*}", *rows, "\\end{align*}"]
        elif s.value:
            lines.append(f"Answer: {_tex_escape(s.value)}")
        lines += [_tex_escape(n) + "\n" for n in s.notes]
        if s.table:
            lines.append("\\begin{tabular}{" + "l" * len(s.table[0]) + "}")
            lines += [" & ".join(_tex_escape(c) for c in r) + " \\\\" for r in s.table]
            lines.append("\\end{tabular}")
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"
