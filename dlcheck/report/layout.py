"""Text that never breaks a number or a word: blocks of lines, wrapped by us, drawn by rich.

Rich wraps a table cell at spaces and, when a column is squeezed below its longest
word, folds that word character by character (``-0.017834`` / ``1``). So dlcheck wraps
every cell itself, to a width it chose: a :class:`Block` is a few lines of text that
either may be re-wrapped at spaces (a message, a formula) or are *rigid* (a matrix
grid, a time table, a caret under an answer), and knows the narrowest width it can take
without breaking anything. A layout asks the blocks for their widths and either
gives every column enough or switches to a stacked layout (:mod:`dlcheck.report.terminal`).

A word longer than the whole line (a 90-character formula with no spaces) is split
between tokens, never inside a number or a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from dlcheck.core.visible import visible

# a number (with its sign when the sign cannot be an operator), a name, or one other character
_NUMBER = r"(?:\d+(?:[.٫]\d*)?|[.٫]\d+)(?:[eE][-+]?\d+)?"
_PIECE = re.compile(rf"[-+]?{_NUMBER}|\w+|\s+|.", re.S)


def width_of(text: str) -> int:
    return cell_len(text)


def pieces(word: str) -> list[str]:
    """A word split where a line may break: between numbers, names and operators, after a
    sign only when the sign is an operator (``a-0.5`` may break as ``a-`` / ``0.5``, ``-0.5`` never)."""
    out: list[str] = []
    for m in _PIECE.finditer(word):
        piece = m.group()
        if piece[0] in "+-" and len(piece) > 1 and out and (out[-1][-1].isalnum() or out[-1][-1] in ")]"):
            out += [piece[0], piece[1:]]  # binary operator: the sign may end a line, the number stays whole
        else:
            out.append(piece)
    return out


def wrap_line(line: str, width: int) -> list[str]:
    """One line of text wrapped at spaces to ``width``; a longer word is split between tokens."""
    width = max(width, 1)
    if width_of(line) <= width:
        return [line]
    lead = line[:len(line) - len(line.lstrip(" "))]
    if lead and len(lead) < width:  # an indented first line keeps its indent
        body = line[len(lead):]
        first = wrap_line(body, width - len(lead))[0]
        rest = body[len(first):].lstrip(" ")
        return [lead + first] + (wrap_line(rest, width) if rest else [])
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if width_of(candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        if width_of(word) <= width:
            current = word
            continue
        current = ""
        for piece in pieces(word):
            if current and width_of(current + piece) > width:
                out.append(current)
                current = ""
            current += piece
    if current:
        out.append(current)
    return out or [""]


def preformatted(line: str, width: int) -> list[str]:
    """A line laid out by its author (``a = 1      b = 2``): broken first at its wide gaps, its indent kept."""
    if width_of(line) <= width:
        return [line]
    lead = line[:len(line) - len(line.lstrip(" "))]
    segments = re.split(r"(?<=\S)\s{3,}(?=\S)", line.strip())
    out: list[str] = []
    current = ""
    for seg in segments:
        candidate = f"{current}   {seg}" if current else seg
        if width_of(lead + candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(lead + current)
        current = seg
    out.append(lead + current)
    return [piece for row in out for piece in (wrap_line(row, width) if width_of(row) > width else [row])]


def hanging_lines(text: str, width: int) -> list[str]:
    """Each line wrapped to ``width`` with its continuation under its text (``  1. an option ...``)."""
    out: list[str] = []
    for line in text.split("\n"):
        m = re.match(r"\s*(?:\d+\.\s+|[-*•]\s+)?", line)
        indent = " " * width_of(m.group() if m else "")
        first, *rest = wrap_line(line, width)
        out.append(first)
        if rest:
            tail = line[len(first):].lstrip(" ")
            out.extend(indent + piece for piece in wrap_line(tail, max(width - len(indent), 8)))
    return out


def longest_word(text: str) -> int:
    """The narrowest width ``text`` can be wrapped to without splitting a word."""
    return max((width_of(w) for line in text.split("\n") for w in line.split(" ")), default=0)


class Block:
    """Lines of text for one cell; a rigid line (a grid row, a caret) is never re-wrapped."""

    def __init__(self, lines: Iterable[Text] = (), rigid: bool = False) -> None:
        self.lines: list[Text] = list(lines)
        self.fixed: list[bool] = [rigid] * len(self.lines)

    @classmethod
    def text(cls, text: str, style: str = "") -> Block:
        """Student or spec text: control characters made visible, never read as markup."""
        shown = visible(text, newlines=True).replace("\t", "    ")
        return cls([Text(line, style=style) for line in shown.split("\n")])

    @classmethod
    def rigid_lines(cls, lines: Iterable[Text]) -> Block:
        return cls(lines, rigid=True)

    @property
    def rigid(self) -> bool:
        return bool(self.fixed) and all(self.fixed)

    @property
    def natural(self) -> int:
        return max((width_of(line.plain) for line in self.lines), default=0)

    @property
    def minimum(self) -> int:
        return max((width_of(line.plain) if fixed else longest_word(line.plain)
                    for line, fixed in zip(self.lines, self.fixed)), default=0)

    @property
    def empty(self) -> bool:
        return not any(line.plain.strip() for line in self.lines)

    def wrapped(self, width: int) -> list[Text]:
        """The lines at ``width``: re-wrapped at spaces, rigid ones as they are."""
        out: list[Text] = []
        for line, fixed in zip(self.lines, self.fixed):
            if fixed:
                out.append(line)
                continue
            start = 0
            for chunk in wrap_line(line.plain, width):
                at = line.plain.find(chunk, start)
                piece = line[at:at + len(chunk)] if at >= 0 else Text(chunk, style=line.style)
                start = at + len(chunk) if at >= 0 else start
                out.append(piece)
        return out

    def render(self, width: int) -> Text:
        return Text("\n").join(self.wrapped(width))

    def extend(self, other: Block) -> Block:
        """This block's lines then ``other``'s, each keeping whether it may be re-wrapped."""
        out = Block()
        out.lines, out.fixed = self.lines + other.lines, self.fixed + other.fixed
        return out


def hanging(line: Text, width: int, indent: int = 4) -> list[Text]:
    """A long line wrapped to ``width``, its continuation lines indented (styles kept)."""
    plain = line.plain
    first = wrap_line(plain, width)[0]
    out = [line[:len(first)]]
    rest_at = len(first)
    while rest_at < len(plain) and plain[rest_at] == " ":
        rest_at += 1
    if rest_at < len(plain):
        out += [Text(" " * indent) + piece for piece in Block([line[rest_at:]]).wrapped(max(width - indent, 1))]
    return out


def join(blocks: Sequence[Block]) -> Block:
    out = Block()
    for b in blocks:
        if not b.empty:
            out = out.extend(b) if out.lines else b
    return out


def grid_lines(rows: Sequence[Sequence[str]], styles: dict[tuple[int, int], str] | None = None,
               gap: int = 2, right: bool = True) -> list[Text]:
    """Cells aligned in columns (numbers right-aligned), one line per row; ``styles`` by (row, col), 0-based."""
    styles = styles or {}
    ncols = max((len(r) for r in rows), default=0)
    widths = [max((width_of(r[j]) for r in rows if j < len(r)), default=0) for j in range(ncols)]
    lines = []
    for i, row in enumerate(rows):
        line = Text()
        for j, cell in enumerate(row):
            pad = " " * (widths[j] - width_of(cell))
            if j:
                line.append(" " * gap)
            if right:
                line.append(pad)
            line.append(cell, style=styles.get((i, j), ""))
            if not right and j < len(row) - 1:
                line.append(pad)
        lines.append(line)
    return lines


def split_top(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside any bracket: ``a, f(b, c), [d, e]`` -> three items."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [i.strip() for i in items]


def matrix_cells(text: str) -> list[list[str]] | None:
    """The cells of ``[[a, b], [c, d]]`` as typed, or None when the text is not such a matrix."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner = text[1:-1].strip()
    if not inner.startswith("["):
        return None
    rows = []
    for item in split_top(inner):
        if not (item.startswith("[") and item.endswith("]")) or "[" in item[1:-1]:
            return None
        rows.append(split_top(item[1:-1]))
    if not rows or any(len(r) != len(rows[0]) for r in rows) or any(not c for r in rows for c in r):
        return None
    return rows


def matrix_rows_text(text: str) -> str | None:
    """``[[a, b], [c, d]]`` written one row per line, for a matrix too wide to draw as a grid."""
    rows = matrix_cells(text)
    return None if rows is None else rows_text(rows)


def rows_text(rows: list[list[str]]) -> str:
    """A matrix's cells written ``[[a, b],`` / `` [c, d]]``, one row per line."""
    body = [("[" if i == 0 else " ") + "[" + ", ".join(r) + "]" + ("]" if i == len(rows) - 1 else ",")
            for i, r in enumerate(rows)]
    return "\n".join(body)


@dataclass
class Column:
    """One column of a table being fitted: its block per row and its header."""

    header: str
    blocks: list[Block]
    fixed: bool = False        # never wrapped (ids, status words)
    floor: int = 0             # a wrappable column is never narrower than this (or its text)

    @property
    def minimum(self) -> int:
        widest = max((b.minimum for b in self.blocks), default=0)
        base = max(widest, longest_word(self.header))
        if self.fixed:
            return max(base, self.natural)
        return max(base, min(self.floor, self.natural))

    @property
    def natural(self) -> int:
        return max([b.natural for b in self.blocks] + [width_of(self.header)])


def fit_columns(columns: Sequence[Column], room: int, caps: Sequence[int | None] | None = None,
                prefer: Sequence[int] | None = None) -> list[int] | None:
    """Widths for ``columns`` within ``room`` cells, or None when even their minimums do not fit.

    Every column first gets its minimum (nothing breaks), then, while there is room, its
    header on one line and its ``prefer`` width (short values unwrapped), then the spare
    room goes where it shortens the most: to the column furthest below its natural width
    (up to its cap).
    """
    caps = list(caps) if caps is not None else [None] * len(columns)
    mins = [c.minimum for c in columns]
    if sum(mins) > room:
        return None
    goals = [max(m, c.natural if cap is None else min(c.natural, cap)) for c, m, cap in zip(columns, mins, caps)]
    widths = list(mins)
    spare = room - sum(widths)
    firsts = [min(width_of(c.header), g) for c, g in zip(columns, goals)]
    naturals = [max(m, c.natural) for c, m in zip(columns, mins)]  # caps give way to room nobody else wants
    for targets in (firsts, [min(p, g) for p, g in zip(prefer or [0] * len(columns), goals)], goals, naturals):
        spare = _fill(widths, targets, spare)
    return widths


def _fill(widths: list[int], targets: Sequence[int], spare: int) -> int:
    """Give ``spare`` cells one at a time to the column furthest (relatively) below its target."""
    while spare > 0:
        wanting = [(t - w) / max(t, 1) for w, t in zip(widths, targets)]
        best = max(range(len(widths)), key=lambda i: wanting[i])
        if wanting[best] <= 0:
            break
        widths[best] += 1
        spare -= 1
    return spare
