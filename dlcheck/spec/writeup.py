"""Worked write-ups: Markdown (or LaTeX, or plain text) split into question sections and math lines.

A write-up is what a student hands in when they show their working: prose, headings and
math (``$$…$$``, ``$…$``, ``\\[…\\]``, rows of ``aligned`` / ``cases``). This module only
reads it: where each question starts and which math lines it holds, each with its line
number in the file (1-based). Deciding whether a step is right is the check layer's.

A question heading is a line that *starts* with the question's number as students write it:
``Question 3``, ``Q3``, ``q3)``, ``3.`` (only as the next question after the last one),
``سوال ۳``, ``سوال (3)``, ``سوال ۲-۲`` (question 2, its second part); Markdown ``#`` and
``**`` around it are fine. The word inside a sentence is no heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.yamlio import read_text

ANSWERS_SUFFIXES = (".yaml", ".yml")
WRITEUP_SUFFIXES = (".md", ".markdown", ".tex", ".txt")
MAX_BYTES = 2_000_000          # a write-up is a few pages; a larger file is refused with a sentence
MAX_MATH = 1500                # math lines read from one file at most (the sheets hold 20 to 130)

_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
# what may stand before a heading's word on its line: Markdown heading marks, bold, a list dash
_LEAD = r"^[\s#>*_\-]*"
_WORD = r"(?:question|problem|exercise|q|سوال|سؤال|پرسش|تمرین)"
_NAMED = re.compile(_LEAD + _WORD + r"\s*(?:no\.?\s*)?[(\[]?\s*(\d{1,3})(?:\s*[-–.]\s*\d{1,2})?\s*[)\]]?"
                    r"(?=$|[\s:.)\]*_\-–،؛]|[^\w])", re.IGNORECASE)
_BARE = re.compile(_LEAD + r"(\d{1,3})\s*[.)](?=\s|$)(?!\s*\d)")


@dataclass
class MathLine:
    line: int          # 1-based line of the file where this math starts
    text: str          # the LaTeX inside its delimiters (one row of an aligned block)


@dataclass
class Section:
    number: int | None           # the question's number (None: text before any heading)
    line: int                    # the heading's line (1 for a file without headings)
    math: list[MathLine] = field(default_factory=list)


def is_writeup(path: str | Path, set_given: bool = False) -> bool:
    """Whether a file is read as a write-up: a ``.md``, ``.tex`` or ``.txt`` file, and with a set given
    (``grade --set``) any file that is not an answers YAML."""
    name = str(path).lower()
    if name.endswith(WRITEUP_SUFFIXES):
        return True
    return set_given and not name.endswith(ANSWERS_SUFFIXES)


def heading_number(line: str, expected_bare: int | None) -> int | None:
    """The question number a line starts with, or None when it is no heading. A bare ``3.`` counts
    only as ``expected_bare`` (the question after the last one), so a numbered list is no heading."""
    text = unicodedata.normalize("NFC", line).translate(_DIGITS)
    m = _NAMED.match(text)
    if m:
        return int(m.group(1))
    m = _BARE.match(text)
    if m and expected_bare is not None and int(m.group(1)) == expected_bare:
        return expected_bare
    return None


_DELIMITER = re.compile(r"\\\$|\$\$|\\\[|\\\]|\$")
_CLOSES = {"$$": "$$", "\\[": "\\]", "$": "$"}
_ENV = re.compile(r"\\begin\{(aligned|align\*?|cases|gathered|split|eqnarray\*?)\}(.*?)\\end\{\1\}", re.DOTALL)
MAX_DELIMITERS = 50_000        # $ and \[ \] in one file (a few pages hold hundreds)


class TooManyDelimiters(DlcheckError):
    """A file with more math delimiters than a write-up holds."""


def math_blocks(text: str) -> list[tuple[int, str]]:
    """(offset, body) of every ``$$…$$``, ``\\[…\\]`` and ``$…$``, in one linear pass over the delimiters (an
    opener never closed is text: a file of ``\\[`` without end costs one pass, not one per opener)."""
    tokens = []
    for m in _DELIMITER.finditer(text):
        if m.group() != "\\$":
            tokens.append((m.start(), m.group()))
            if len(tokens) > MAX_DELIMITERS:
                raise TooManyDelimiters(f"more than {MAX_DELIMITERS:,} math delimiters ($, \\[, \\]); a write-up "
                                        "is a few pages: is this the right file?")
    after = {close: [-1] * len(tokens) for close in ("$$", "\\]")}   # the next closer of each kind after k
    for close, nxt in after.items():
        seen = -1
        for k in range(len(tokens) - 1, -1, -1):
            nxt[k] = seen
            if tokens[k][1] == close:
                seen = k
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(tokens):
        start, opener = tokens[k]
        closer = _CLOSES.get(opener)
        j = -1
        if opener == "$":
            j = k + 1 if k + 1 < len(tokens) and tokens[k + 1][1] == "$" else -1   # $…$ holds no delimiter
        elif closer is not None:
            j = after[closer][k]
        if j > k:
            body = text[start + len(opener):tokens[j][0]]
            if opener != "$" or "\n\n" not in body:   # an inline $…$ stays in its paragraph
                out.append((start, body))
                k = j + 1
                continue
        k += 1
    return out


def read_writeup(path: str | Path, text: str | None = None) -> list[Section]:
    """The sections of a write-up, each with its math lines in order."""
    if text is None:
        text = _read(path)
    lines = text.splitlines()
    sections: list[Section] = [Section(None, 1)]
    last = 0
    starts: list[int] = []   # character offset of each line
    offset = 0
    for k, line in enumerate(lines):
        starts.append(offset)
        offset += len(line) + 1
        number = heading_number(line, last + 1)
        if number is not None:
            sections.append(Section(number, k + 1))
            last = number
    heads = [s.line for s in sections]
    count = 0
    try:
        blocks = math_blocks(text)
    except TooManyDelimiters as exc:
        exc.path = str(path)
        raise
    for offset, body in blocks:
        first = _line_at(starts, offset)
        section = sections[max(i for i, h in enumerate(heads) if h <= first or i == 0)]
        for row, extra in _rows(body):
            if row.strip():
                section.math.append(MathLine(first + extra, " ".join(row.split())))
                count += 1
        if count > MAX_MATH:
            raise DlcheckError(f"more than {MAX_MATH} math lines; a write-up is a few pages (split it)", path=str(path))
    if len(sections) > 1 and not sections[0].math:
        sections = sections[1:]
    return sections


def _read(path: str | Path) -> str:
    """A regular file of UTF-8 text of at most :data:`MAX_BYTES` (a FIFO, a device, a huge file: one error)."""
    return read_text(path, AnswerFileError, "a write-up (Markdown, LaTeX or text)", MAX_BYTES)


def _line_at(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _rows(body: str) -> list[tuple[str, int]]:
    """A math block as rows: one per row of an aligned/cases environment (``&`` dropped; in cases
    only the value before it), else the block itself. Each with its line offset inside the block."""
    m = _ENV.search(body)
    if m is None:
        return [(body, 0)]
    before = body[:m.start()]
    rows: list[tuple[str, int]] = []
    inner_start = m.start(2)
    pos = 0
    cases = m.group(1) == "cases"
    for piece in re.split(r"\\\\", m.group(2)):
        extra = body[:inner_start + pos].count("\n")
        pos += len(piece) + 2
        if cases:
            piece = piece.split("&")[0]
        piece = piece.replace("&", " ")
        if before.strip() and not rows and not cases:
            piece = before + piece   # "x = \begin{aligned} a \\ = b \end{aligned}": the head joins the first row
        rows.append((piece, extra))
    return rows
