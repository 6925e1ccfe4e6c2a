"""Text from a student or a spec, made safe to show: control characters become visible.

A terminal obeys escape sequences (``\\x1b[2J`` clears the screen, ``\\x1b]0;…\\x07`` sets
the window title); a student's answer must never be able to send one. Every piece of
such text goes through :func:`visible` before it is drawn: C0 and C1 control
characters (other than newline and tab where they are allowed), DEL, bidirectional
overrides and other invisible format characters are replaced by their escaped form.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

_KEEP = {"\n", "\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _hidden(ch: str) -> bool:
    """A character a terminal obeys or a reader cannot see: control, format (bidi), surrogate, unassigned."""
    return unicodedata.category(ch) in _HIDDEN or ch in ("\u2028", "\u2029")


_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn")


def visible(text: str, newlines: bool = True) -> str:
    """``text`` with every control or format character shown as ``\\x1b`` / ``\\u202e``."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a look at each character
    out = []
    for ch in text:
        if ch in _KEEP and (newlines or ch == "\t"):
            out.append(ch)
        elif _hidden(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def json_text(doc: Any, indent: int | None = 2) -> str:
    """``doc`` as JSON with no character a terminal could act on: C0 controls are escaped by JSON
    itself; DEL, C1 controls, bidi and other format characters, separators and lone surrogates are
    written as ``\\uXXXX`` too. The document decodes to exactly the same data, except a lone surrogate
    (no character, which JSON readers such as jq refuse): it becomes the six characters ``\\udc80``."""
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if "\ud800" <= ch <= "\udfff":  # a lone surrogate is no character: JSON readers (jq) refuse it
            out.append(f"\\\\u{ord(ch):04x}")  # so it is written as the text \udc80, visible and valid
        elif ch == "\n" or not _hidden(ch):
            out.append(ch)
        elif ord(ch) > 0xFFFF:  # JSON spells such a character as a surrogate pair
            high, low = divmod(ord(ch) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def clip(text: str, limit: int = 60) -> str:
    """A name someone typed, short enough to quote in a one-line message (``abc…`` past ``limit``)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
