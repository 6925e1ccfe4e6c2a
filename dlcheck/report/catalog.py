"""``dlcheck list`` and ``dlcheck show``: the bank and one statement, drawn with rich."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck.check.registry import get_spec, instance_for, kind_of, variant_of
from dlcheck.core.visible import visible
from dlcheck.report.layout import hanging_lines, preformatted, width_of, wrap_line

# what starts a new paragraph of a statement: a part label "(a) " or a list mark, whose
# continuation lines may be indented under its text, or a label line "Names: ..."
_ITEM = re.compile(r"(?:\([^\s()]{1,6}\)|[-*•]|\d{1,2}[.)])\s+(?=\S)")
_LABEL = re.compile(r"[A-Z][A-Za-z]*:\s")
_WIDE_GAP = re.compile(r"\S\s{3,}\S")
_SHORT_GROUP = 20   # a bracketed group this long or shorter is not broken at its spaces: cos(ω_k t)
_KEEP = "\u00a0"    # stands for such a space while the paragraph is wrapped


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
    statement = statement_lines(visible(problem.statement.rstrip()), inner)
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
    any_names = False   # a part without a scope of its own takes names: list the common ones
    rows = []
    for part_id, part in problem.parts.items():
        kind = kind_of(part)
        lines = [visible(part.prompt)] + [f"  {visible(line)}" for line in kind.describe(part)]
        names = kind.names(inst, part_id)
        any_names = any_names or (bool(names) and part.names is None)
        listed = ""
        if names and part.names is not None:  # a part with its own scope lists it
            listed = f"  names: {', '.join(names)}"
        elif names and [n for n in names if n not in common]:
            listed = f"  also: {', '.join(n for n in names if n not in common)}"
        rows.append((part_id, part.kind, f"{part.points:g}", lines, listed))
    if any_names:
        console.print(Text(f"names: {', '.join(common)}", style="dim"))
    if any_names or any(part.names for part in problem.parts.values()):
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


def statement_lines(text: str, width: int) -> list[str]:
    """A statement laid out in ``width`` columns: its paragraphs rewrapped (the line breaks of the
    YAML block are not the author's layout), each part label "(a) " or list mark starting an
    item whose wrapped lines hang under its text, and the lines the author laid out (indented,
    or with wide gaps: formulas, tables) kept as written. A line indented exactly under an
    item's text continues that item."""
    out: list[str] = []
    paragraph: list[str] = []
    hang = 0

    def flush() -> None:
        if not paragraph:
            return
        joined = _keep_short_groups(re.sub(r" {2,}", " ", " ".join(paragraph)))
        indent = hang if width - hang >= 20 else 0
        first = wrap_line(joined, width)[0] if indent else ""
        tail = joined[len(first):].lstrip(" ")
        lines = ([first] if first else []) + [" " * indent + piece for piece in
                                              (wrap_line(tail, width - indent) if tail else [])]
        out.extend(line.replace(_KEEP, " ") for line in lines)
        paragraph.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        lead = width_of(line) - width_of(line.lstrip(" "))
        if not stripped:
            flush()
            out.append("")
        elif paragraph and hang and lead == hang and not _WIDE_GAP.search(stripped):
            paragraph.append(stripped)  # the continuation of an item, indented under its text
        elif lead or _WIDE_GAP.search(line):
            flush()
            out.extend(preformatted(line, width))
        else:
            item = _ITEM.match(stripped)
            if item or _LABEL.match(stripped) or not paragraph:
                flush()
                hang = width_of(item.group()) if item else 0
            paragraph.append(stripped)
    flush()
    return out


def _keep_short_groups(text: str) -> str:
    """``text`` with the spaces inside short bracketed groups (``cos(ω_k t)``, ``(k = 0, 1)``)
    and around a relation (``x1 = 0.05``) made unbreakable, so a line never ends inside one."""
    text = re.sub(r"(?<=\S) (=|<=|>=|≤|≥|≈|≠) (?=\S)", rf"{_KEEP}\1{_KEEP}", text.replace(_KEEP, " "))
    chars = list(text)
    opened: list[int] = []
    for k, ch in enumerate(chars):
        if ch in "([{":
            opened.append(k)
        elif ch in ")]}" and opened:
            start = opened.pop()
            if k - start + 1 <= _SHORT_GROUP:
                chars[start:k + 1] = [_KEEP if c == " " else c for c in chars[start:k + 1]]
    return "".join(chars)


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
