"""Text from a student or a spec, made safe to show: control characters become visible.

A terminal obeys escape sequences (``\\x1b[2J`` clears the screen, ``\\x1b]0;…\\x07`` sets
the window title); a student's answer must never be able to send one. Every piece of
such text goes through :func:`visible` before it is drawn: C0 and C1 control
characters (other than newline and tab where they are allowed), DEL, bidirectional
overrides and other invisible format characters are replaced by their escaped form.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, newlines: bool = True) -> str:
    """``text`` with every control or format character shown as ``\\x1b`` / ``\\u202e``."""
    out = []
    for ch in text:
        if ch in _KEEP and (newlines or ch == "\t"):
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in ("\u2028", "\u2029"):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)
