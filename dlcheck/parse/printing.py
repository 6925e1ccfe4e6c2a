"""Formulas and numbers back to text: plain (what dlcheck reads) and pretty (a terminal).

The inverse of parsing, so it lives beside the parser: ``plain`` writes a formula in the
very syntax a student types, ``fmt`` a number as a person writes it.
"""

from __future__ import annotations

import re
from typing import Any

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fmt(x: float, digits: int = 6) -> str:
    """A number as a person writes it: 6 significant figures, no '-0'."""
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def brackets(rows: list[list[str]]) -> str:
    """Cells as dlcheck reads them: ``[a, b]`` for a column, ``[[a, b], [c, d]]`` otherwise."""
    if all(len(r) == 1 for r in rows):
        return "[" + ", ".join(r[0] for r in rows) + "]"
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def plain(expr: Any) -> str:
    """One line in the syntax dlcheck reads: ``(out_y1 - t1)*out_y1*(1 - out_y1)``."""
    import sympy as sp  # lazy: report modules call this only for formulas

    if isinstance(expr, sp.MatrixBase):
        return brackets([[plain(x) for x in expr.row(i)] for i in range(expr.rows)])
    return sp.sstr(expr).replace("**", "^")


def pretty(expr: Any) -> str:
    """``plain`` with σ, ·, superscripts: readable in a terminal, still one line."""
    text = plain(expr) if not isinstance(expr, str) else expr
    text = re.sub(r"\^(-?\d+)\b", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = text.replace("sigmoid", "σ").replace("sqrt", "√").replace("*", "·")
    return text
