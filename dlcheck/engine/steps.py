"""Worked-solution steps, derived from the graph (nothing here is typed in).

A :class:`Step` is one line of ``explain``: a formula, the formula with the numbers in,
and its value. :func:`formula_step` builds one for any named quantity; each part kind
builds its own step from these (see :mod:`dlcheck.check.kinds`), and
:mod:`dlcheck.explain` collects and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from dlcheck.parse.printing import brackets, fmt, plain


@dataclass
class Step:
    name: str
    kind: str                      # define, part, choice, construction, essay, withheld
    formula: str = ""
    substituted: str = ""
    value: str = ""
    latex: str = ""
    latex_substituted: str = ""
    notes: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # construction trace
    is_part: bool = False


class _ValuePrinter(StrPrinter):
    """Prints symbols as their values: the formula with the numbers in."""

    def __init__(self, env: dict) -> None:
        super().__init__()
        self.env = env

    def _print_Symbol(self, expr):
        if expr in self.env:
            text = fmt(self.env[expr])
            return f"({text})" if text.startswith("-") else text
        return super()._print_Symbol(expr)


class _ValueLatexPrinter(LatexPrinter):
    def __init__(self, env: dict) -> None:
        super().__init__()
        self.env = env

    def _print_Symbol(self, expr, style="plain"):
        if expr in self.env:
            text = fmt(self.env[expr])
            return f"\\left({text}\\right)" if text.startswith("-") else text
        return super()._print_Symbol(expr)


def with_numbers(expr: Any, env: dict) -> str:
    printer = _ValuePrinter(env)
    if isinstance(expr, sp.MatrixBase):
        return brackets([[printer.doprint(x) for x in expr.row(i)] for i in range(expr.rows)])
    return printer.doprint(expr).replace("**", "^")


def value_text(value: Any) -> str:
    """Floats (or nested lists of them) as short text: ``0.594476``, ``[[1, 2], [3, 4]]``."""
    if isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [[v] for v in value]
        return brackets([[fmt(x) for x in row] for row in rows])
    return fmt(value)


def formula_step(inst, name: str, formula: Any, env: dict, kind: str) -> Step:
    """``name = formula = formula with numbers = value`` (the last two when it is numeric)."""
    step = Step(name, kind, formula=plain(formula), latex=sp.latex(formula))
    placeholder = inst.named.get(name, formula)
    if not inst.free_leaves(placeholder):
        if not isinstance(formula, sp.Symbol):  # 'loss = E' needs no second line
            step.substituted = with_numbers(formula, env)
            step.latex_substituted = _ValueLatexPrinter(env).doprint(formula)
        step.value = value_text(inst.value(placeholder, env))
    return step


def withheld(pid: str) -> Step:
    return Step(pid, "withheld", notes=["attempt this part first; its solution is shown once you have answered it"],
                is_part=True)
