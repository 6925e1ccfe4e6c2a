"""Verdicts for people: a table per problem when it fits, a stacked list when it does not.

Nothing is ever broken or cut to make it fit. Every cell is wrapped here
(:mod:`dlcheck.report.layout`) to a width chosen so that no number, word or matrix row
is split; when a problem's table cannot give each column that much (an 80-column
terminal, a pipe, a 4x4 matrix), the problem is drawn stacked instead, check50/pytest
style: one line per part (mark, part, your answer, expected) and the diagnosis on its
own indented line under it. A closing list says what to fix, one line each, and the
score line counts the statuses always in the same order.

"Your answer" is what the student typed (a matrix as a grid of the typed cells), never
a re-rendering; a message that only repeats the status ("correct") is not shown.
Student and spec text is drawn through :func:`dlcheck.core.visible.visible` and as
rich ``Text``, so neither markup (``[x, 2*x]``) nor escape sequences get through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.core.visible import visible
from dlcheck.parse.printing import fmt, pretty
from dlcheck.report.layout import (
    Block,
    Column,
    fit_columns,
    grid_lines,
    hanging,
    join,
    matrix_cells,
    matrix_rows_text,
    rows_text,
    split_top,
    width_of,
)
from dlcheck.report.working import working_lines

# the order statuses are counted in, everywhere
ORDER = (Status.CORRECT, Status.CARRIED, Status.PARTIAL, Status.INCORRECT, Status.INVALID, Status.UNDECIDED,
         Status.MANUAL, Status.MISSING)
TO_FIX = (Status.INCORRECT, Status.PARTIAL, Status.INVALID, Status.UNDECIDED)
LONG_ANSWER = 400          # characters of a typed answer shown without -v
TABLE_EDGES = 16           # five columns: six rules and a space either side of each cell
DETAIL_FLOOR = 24          # a detail column narrower than this reads badly even when no word breaks
VALUE_CAP = 40             # answer and expected columns grow to this before the detail column does
SHORT_VALUE = 24           # values up to this wide are kept on one line before the detail column grows
TALL_ROW = 6               # a table row taller than this: stacked instead


@dataclass(frozen=True)
class View:
    """What ``grade`` shows: ``--only-wrong``, ``-q`` (summary only), ``-v`` (full detail)."""

    only_wrong: bool = False
    quiet: bool = False
    verbose: bool = False


# -- what each cell holds --------------------------------------------------------------
def news(v: Verdict, position: bool = True) -> str:
    """The verdict's message, unless it only repeats the status ("correct", "equivalent"); ``position``:
    with the column a parse error stopped at, in words (a terminal draws a caret instead)."""
    message = v.says(position)
    said = message.strip().rstrip(".").lower()
    if said in {"correct", "equivalent", "not answered", v.status.value, v.status.word}:
        return ""
    return message


def _marked(v: Verdict) -> set[tuple[int, int]]:
    return {(e["row"] - 1, e["col"] - 1) for e in v.detail.get("entries", []) if "row" in e and "col" in e}


def _fields(text: str) -> list[str] | None:
    """A construction's ``W: [[..]], b: [..]`` split into one field per line, else None."""
    items = split_top(text)
    if len(items) > 1 and all(re.match(r"^[^\W\d]\w*: ", i) for i in items):
        return items
    return None


def value_block(text: str, marked: AbstractSet[tuple[int, int]] = frozenset(), style: str = "",
                room: int | None = None, formula: bool = False, read: tuple[tuple[str, ...], ...] = ()) -> Block:
    """A value as typed or expected: a grid for a matrix (rows kept whole), else wrappable text. ``read``:
    an answer's entries as the parser read them (:attr:`Verdict.cells`); the grid holds the text's own
    cells when they are those entries, row for row, else the entries read (``[[0,5; 0,2], …]``: its
    commas are decimal commas, not columns)."""
    shown = pretty(text) if formula else text
    cells = matrix_cells(text)
    by_rows = None
    if cells is not None and read and [len(r) for r in cells] != [len(r) for r in read]:
        cells = [[_typed(c) for c in row] for row in read]
        by_rows = rows_text(cells)
    if cells is not None:
        if formula:
            cells = [[pretty(c) for c in row] for row in cells]
        grid = Block.rigid_lines(grid_lines([[visible(c, newlines=False) for c in row] for row in cells],
                                            {ij: style for ij in marked}))
        if room is None or grid.natural <= room:
            return grid
        rows = by_rows or matrix_rows_text(shown)
        if rows is not None:
            return Block.text(rows)
    fields = _fields(text)
    if fields is not None:
        return Block.text("\n".join(fields))
    return Block.text(shown)


def _typed(entry: str) -> str:
    """An entry as the parser read it (Python syntax: ``- 0.2``, ``2 * x ** 2``) in the syntax one types."""
    return "".join(entry.split()).replace("**", "^")


def answer_block(v: Verdict, verbose: bool = False, room: int | None = None) -> Block:
    if v.status is Status.MISSING or not v.answer.strip():
        return Block([Text("—", style="dim")])
    text = v.answer.rstrip()
    if len(text) > LONG_ANSWER and not verbose:
        text = text[:LONG_ANSWER].rsplit(" ", 1)[0] + f" … ({len(v.answer)} characters; -v shows all)"
    return value_block(text, _marked(v), "bold red", room, read=v.cells)


def expected_block(v: Verdict, room: int | None = None) -> Block:
    if v.status is Status.MISSING or not v.expected:
        return Block()
    if v.status is Status.MANUAL:
        return Block.text(v.expected, style="dim")
    return value_block(v.expected, _marked(v), "bold green", room, formula=v.formula)


def status_text(v: Verdict) -> Text:
    return Text(f"{v.status.mark} {v.status.word}", style=v.status.style)


def _caret(v: Verdict, column: int) -> Block:
    """The typed answer with a caret under the character the parser stopped at."""
    answer = visible(v.answer, newlines=False)
    lead = len(answer) - len(answer.lstrip())
    at = lead + column - 1
    if "\n" in v.answer or not 0 <= at <= len(answer):
        return Block()
    return Block.rigid_lines([Text("  " + answer.rstrip(), style="dim"),
                              Text("  " + " " * width_of(answer[:at]) + "^", style="bold magenta")])


def _verbose_lines(v: Verdict) -> list[str]:
    out = []
    for key, value in v.detail.items():
        if key in ("summary", "failing_input", "yours"):
            continue
        if key == "point" and isinstance(value, dict):
            out.append("sample point: " + ", ".join(f"{k}={_num(x)}" for k, x in value.items()))
        elif key == "values" and isinstance(value, list) and len(value) == 2:
            out.append(f"there: yours {_num(value[0])}, expected {_num(value[1])}")
        elif key == "entries" and isinstance(value, list):
            for e in value:
                where = f"({e.get('row')},{e.get('col')})"
                if "given" in e:  # the expected value only where the reference may be shown
                    out.append(f"entry {where}: yours {_num(e['given'])}" +
                               (f", expected {_num(e['expected'])}" if "expected" in e else ""))
                else:
                    out.append(f"entry {where} differs")
        elif key == "rel_error" and isinstance(value, float):
            out.append(f"relative error: {value:.4%}")
        else:
            out.append(f"{key.replace('_', ' ')}: {_num(value)}")
    return out


def _num(x: Any) -> str:
    if isinstance(x, float):
        return fmt(x)
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_num(i) for i in x) + "]"
    if isinstance(x, dict):
        return ", ".join(f"{k}: {_num(i)}" for k, i in x.items())
    return str(x)


def detail_block(v: Verdict, verbose: bool = False) -> Block:
    message, column = news(v, position=False), v.column
    blocks = [Block.text(message)] if message else []
    if column is not None and v.status is Status.INVALID:
        blocks.append(_caret(v, column))
    table = v.detail.get("failing_input")
    if table:
        rows = [["t", "x", "expected", "produced"]] + [[str(r["t"]), str(r["x"]), str(r["expected"]),
                                                        str(r["produced"])] for r in table]
        bad = {(i + 1, 3): "bold red" for i, r in enumerate(table) if r["expected"] != r["produced"]}
        lines = grid_lines([[visible(c, newlines=False) for c in row] for row in rows], bad, right=False)
        lines[0].stylize("dim")
        blocks.append(Block.rigid_lines(lines))
    if verbose:
        blocks.append(Block([Text(line, style="dim") for line in _verbose_lines(v)]))
    return join(blocks)


# -- one problem -------------------------------------------------------------------
def score_text(result: ProblemResult) -> str:
    manual = sum(v.max_score for v in result.verdicts if v.status is Status.MANUAL)
    text = f"{_points(result.score)} / {_points(result.max_score - manual)}"
    return text + (f" (+{_points(manual)} to mark)" if manual else "")


def _title(result: ProblemResult) -> Text:
    title = Text.assemble((result.id, "bold"), " — ", visible(result.title, newlines=False))
    if result.variant:  # a student's own numbers: say which, they are not the sheet's
        numbers = ", ".join(f"{k} = {v}" for k, v in result.variant.items())
        title.append(f" (your numbers: {visible(numbers, newlines=False)})", style="dim")
    elif result.varies:  # no student id: graded with the sheet's numbers, which may not be the student's
        title.append(" (the sheet's numbers: they vary per student; add student: to the file)", style="dim")
    return title


def problem_table(result: ProblemResult, width: int, verbose: bool = False, score: str | None = None) -> Table | None:
    """The problem as a table whose every column is wide enough, or None when that cannot fit."""
    vs = result.verdicts
    columns = [Column("part", [Block.text(v.part) for v in vs], fixed=True),
               Column("your answer", [answer_block(v, verbose) for v in vs]),
               Column("expected", [expected_block(v) for v in vs]),
               Column("status", [Block([status_text(v)]) for v in vs], fixed=True),
               Column("detail", [detail_block(v, verbose) for v in vs], floor=DETAIL_FLOOR)]
    widths = fit_columns(columns, width - TABLE_EDGES, [None, VALUE_CAP, VALUE_CAP, None, None],
                         [0, SHORT_VALUE, SHORT_VALUE, 0, 0])
    if widths is None:
        return None
    if max(len(col.blocks[i].wrapped(w)) for col, w in zip(columns, widths) for i in range(len(vs))) > TALL_ROW:
        return None  # a cell this tall in a narrow column reads worse than the stacked layout
    if any(len(b.wrapped(w)) > len(b.lines) + 1 for col, w in zip(columns[1:3], widths[1:3]) for b in col.blocks):
        return None  # a value over three lines or more: the stacked layout gives it the whole width
    if any(w < b.natural <= SHORT_VALUE
           for col, w in zip(columns[1:3], widths[1:3]) for b in col.blocks):
        return None  # a short value wrapped over lines: the stacked layout shows it whole
    table = Table(title=_title(result), title_justify="left", caption=score or score_text(result),
                  caption_justify="right", box=box.HEAVY_HEAD)
    for col, w in zip(columns, widths):
        table.add_column(Block.text(col.header).render(w), width=w, no_wrap=True, overflow="ignore",
                         style="bold" if col.header == "part" else "")
    for i in range(len(vs)):
        table.add_row(*[col.blocks[i].render(w) for col, w in zip(columns, widths)])
    return table


def _indented(block: Block, indent: int, width: int) -> list[Text]:
    return [Text(" " * indent) + line for line in block.wrapped(max(width - indent, 1))]


def stacked(result: ProblemResult, width: int, verbose: bool = False, score: str | None = None) -> list[Text]:
    """The problem as lines: ``✗ part  answer  expected X`` and the diagnosis indented under it."""
    vs = result.verdicts
    pw = max((width_of(v.part) for v in vs), default=0)
    head = 2 + 2 + pw + 2                                # "  ✗ part  "
    label = 10                                           # "expected  "
    title, score = _title(result), score or score_text(result)
    if width_of(title.plain) + 2 + width_of(score) <= width:
        lines = [title + Text(" " * (width - width_of(title.plain) - width_of(score)) + score)]
    else:
        lines = hanging(title, width) + [Text(score.rjust(width))]
    answers = [answer_block(v, verbose) for v in vs]
    expecteds = [expected_block(v) for v in vs]

    def inline(k: int) -> bool:
        return len(answers[k].lines) == 1 and len(expecteds[k].lines) <= 1 and not answers[k].rigid

    aw = 0
    for cand in sorted({answers[k].natural for k in range(len(vs)) if inline(k)}, reverse=True):
        widest = max(expecteds[k].natural for k in range(len(vs)) if inline(k) and answers[k].natural == cand)
        if head + cand + 2 + label + widest <= width:
            aw = cand
            break
    inline_indent = head if width - head >= 40 else 6
    for k, v in enumerate(vs):
        start = Text.assemble("  ", (v.status.mark, v.status.style), " ", (v.part.ljust(pw), "bold"), "  ")
        a, e = answers[k], expecteds[k]
        one_line = inline(k) and a.natural <= aw and head + aw + 2 + label + e.natural <= width
        diag_indent = inline_indent if one_line else 6
        if one_line:
            line = start + a.lines[0] + Text(" " * (aw - a.natural))
            if not e.empty:
                line += Text("  expected ", style="dim") + e.lines[0]
            lines.append(line)
        else:
            head_only = start.copy()
            head_only.rstrip()
            lines.append(head_only)
            room = width - 6 - label
            for name, block in (("yours", answer_block(v, verbose, room)), ("expected", expected_block(v, room))):
                if block.empty:
                    continue
                for j, line in enumerate(block.wrapped(room)):
                    lead = f"{name:<{label}}" if j == 0 else " " * label
                    lines.append(Text(" " * 6) + Text(lead, style="dim") + line)
        lines += _indented(detail_block(v, verbose), diag_indent, width)
    return lines


# -- the whole report ----------------------------------------------------------------
def visible_parts(results: list[ProblemResult], view: View) -> list[tuple[ProblemResult, ProblemResult]]:
    """(what to draw, the whole problem): ``--only-wrong`` leaves out correct and missing rows
    (and problems left empty); the score shown stays the whole problem's."""
    if not view.only_wrong:
        return [(r, r) for r in results]
    out = []
    for r in results:
        kept = [v for v in r.verdicts if v.status not in (Status.CORRECT, Status.MISSING)]
        if kept:
            out.append((ProblemResult(r.id, r.title, kept, r.variant, r.varies), r))
    return out


def _points(x: float) -> str:
    return f"{round(x, 4):g}"


def counts(results: Iterable[ProblemResult]) -> str:
    tally = {s: 0 for s in ORDER}
    for r in results:
        for v in r.verdicts:
            tally[v.status] += 1
    return ", ".join(f"{n} {s.word}" for s, n in tally.items() if n)


def summary(results: list[ProblemResult]) -> Text:
    """``Score: 22 / 25 (88%) · 21 correct, 1 carried, 3 incorrect`` (manual parts set apart)."""
    verdicts = [v for r in results for v in r.verdicts]
    score = sum(v.score for v in verdicts)
    manual = [v for v in verdicts if v.status is Status.MANUAL]
    total = sum(v.max_score for v in verdicts) - sum(v.max_score for v in manual)
    pct = f" ({score / total:.0%})" if total else ""
    text = Text(f"Score: {_points(score)} / {_points(total)}{pct}", style="bold")
    text.append(f" · {counts(results)}")
    if manual:
        points = _points(sum(v.max_score for v in manual))
        text.append(f" · {points} point{'' if points == '1' else 's'} awaiting a marker, not in the score")
    return text


def _short(message: str) -> str:
    """The first clause of a message, for the one-line list of what to fix."""
    first = re.split(r"(?<=[.;])\s", message.strip(), maxsplit=1)[0]
    return first.rstrip(".;")


def fix_list(results: list[ProblemResult], width: int) -> list[Text]:
    """``✗ backprop/q1 loss: 0.2983, expected 0.323394 — off by 0.0251 (7.76%)``, one per part to fix."""
    lines: list[Text] = []
    items = 0
    for r in results:
        for v in r.verdicts:
            if v.status not in TO_FIX:
                continue
            line = Text.assemble("  ", (v.status.mark, v.status.style), " ", f"{r.id} ", (v.part, "bold"))
            answer, expected = visible(v.answer, newlines=False), visible(v.expected, newlines=False)
            if 0 < len(answer) <= 24 and 0 < len(expected) <= 24 and "\n" not in v.answer:
                line.append(f": {answer}, expected {expected}")
            reason = _short(v.says(position=False))
            if reason:
                line.append(f" — {visible(reason, newlines=False)}", style="dim")
            lines += hanging(line, width, 6)
            items += 1
    if lines:
        lines.insert(0, Text(f"To fix ({items}):", style="bold"))
    return lines


def header(path: str, student: str | None) -> Text:
    text = Text(visible(path, newlines=False), style="bold")
    if student:
        text.append(f" — student {visible(str(student), newlines=False)}")
    return text


def problem_view(result: ProblemResult, width: int, verbose: bool = False,
                 whole: ProblemResult | None = None) -> RenderableType:
    score = score_text(whole or result)
    table = problem_table(result, width, verbose, score)
    if table is not None:
        return table
    return Group(*stacked(result, width, verbose, score))


def print_results(results: list[ProblemResult], console: Console | None = None, view: View = View(),
                  path: str | None = None, student: str | None = None, working: list[dict] | None = None) -> None:
    console = console or Console()
    width = console.width
    if path is not None and not view.quiet:
        console.print(header(path, student))
        console.print()
    if working and not view.quiet:  # a write-up: its steps first (dlcheck.report.working)
        for line in working_lines(working, width):
            console.print(line)
        console.print()
    if not view.quiet:
        for shown, whole in visible_parts(results, view):
            console.print(problem_view(shown, width, view.verbose, whole))
            console.print()
    fixes = fix_list(results, width)
    for line in fixes:
        console.print(line)
    if fixes:
        console.print()
    for line in hanging(summary(results), width, 7):
        console.print(line)


def verdict_line(v: Verdict) -> RenderableType:
    """One verdict for ``compare`` and ``solve``: mark, status and what it says (never read as markup)."""
    line = status_text(v)
    message, column = news(v, position=False), v.column
    if message:
        line.append(": " + visible(message))
    if column is not None and v.status is Status.INVALID:
        caret = _caret(v, column)
        if not caret.empty:
            return Group(line, *caret.lines)
    return line
