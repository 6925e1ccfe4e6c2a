"""Errors for people (the line of the file with a caret under the place) and for programs (JSON).

```
error: a.yaml:7:5: backprop/q1 has no part 'outh2'; did you mean out_h2?
  |
7 |     outh2: 0.6
  |     ^^^^^
```
Every error of a file is drawn, then a count. The file is read again only to quote its
line; a file that cannot be read simply gets no quote.
"""

from __future__ import annotations

import os
import re
import stat

from dlcheck.core.errors import DlcheckError, ErrorList
from dlcheck.core.visible import json_text, visible
from dlcheck.core.yamlio import MAX_FILE_BYTES, open_flags
from dlcheck.report.layout import width_of

_WORD = re.compile(r"[\w./\-]+")
QUOTED = 100  # characters of a source line quoted under an error


def each(exc: DlcheckError) -> list[DlcheckError]:
    return list(exc.errors) if isinstance(exc, ErrorList) else [exc]


def source_line(path: str | None, line: int | None) -> str | None:
    if not path or not line:
        return None
    try:  # a file of a class is read again only if it is still a regular file, never through a link
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | open_flags())
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            lines = fh.read(MAX_FILE_BYTES + 1).decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def snippet(path: str | None, line: int | None, column: int | None) -> list[str]:
    """The source line, numbered, with a caret under ``column`` (under the whole word there)."""
    text = source_line(path, line)
    if text is None or line is None:
        return []
    if len(text) > QUOTED:  # a long line: the part around the place, so the caret stays on screen
        lo = max(0, min((column or 1) - 1 - QUOTED // 2, len(text) - QUOTED))
        cut = ("…" if lo else "") + text[lo:lo + QUOTED] + ("…" if lo + QUOTED < len(text) else "")
        column = column - lo + (1 if lo else 0) if column is not None else None
        text = cut
    shown = visible(text.replace("\t", " "), newlines=False)
    gutter = " " * len(str(line))
    out = [f"{gutter} |", f"{line} | {shown}"]
    if column is not None and 0 < column <= len(text) + 1:
        start = text.replace("\t", " ")[:column - 1]
        word = _WORD.match(text, column - 1)
        length = len(word.group()) if word else 1
        out.append(f"{gutter} | {' ' * width_of(visible(start, newlines=False))}{'^' * length}")
    return out


def error_text(exc: DlcheckError, debug_hint: bool = False) -> str:
    """``error: file:line:col: message`` and the quoted line, for every error in ``exc``."""
    errors = each(exc)
    blocks = []
    for e in errors:
        lines = [f"error: {visible(str(e), newlines=True)}"] + snippet(e.path, e.line, e.column)
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks) if any("\n" in b for b in blocks) else "\n".join(blocks)
    if len(errors) > 1:
        where = f" in {errors[0].path}" if errors[0].path and all(e.path == errors[0].path for e in errors) else ""
        text += f"\n\n{len(errors)} errors{where}; fix them and run again"
    return text


def error_doc(exc: DlcheckError) -> dict:
    """``{"error": ..., "errors": [{message, file, line, column}]}``."""
    items = [{"message": e.message, "file": e.path, "line": e.line, "column": e.column} for e in each(exc)]
    return {"error": str(items[0]["message"]) if len(items) == 1 else f"{len(items)} errors", "errors": items}


def error_json(exc: DlcheckError) -> str:
    """The errors as one JSON document (:func:`error_doc`)."""
    return json_text(error_doc(exc))


def ignored_text(ignored: list[str]) -> str:
    """The sentence every report gives for answers outside the assignment."""
    names = ", ".join(visible(p, newlines=False) for p in ignored)
    return (f"ignored: {names} {'is' if len(ignored) == 1 else 'are'} not in the assignment, so "
            f"{'its answers earn' if len(ignored) == 1 else 'their answers earn'} nothing")
