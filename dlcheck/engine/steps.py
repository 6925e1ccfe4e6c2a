"""Worked-solution steps, derived from the graph (nothing here is typed in).

A :class:`Step` is one line of ``explain``: a formula, the formula with the numbers in,
and its value. :func:`formula_step` builds one for any named quantity; each part kind
builds its own step from these (see :mod:`dlcheck.check.kinds`), and
:mod:`dlcheck.explain` collects and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from dlcheck.parse.printing import brackets, fmt, plain

if TYPE_CHECKING:  # the instance imports nothing of steps; steps need it only to say what they take
    from dlcheck.engine.instance import Instance


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

    def _print_Symbol(self, expr: Any) -> str:
        if expr in self.env:
            text = fmt(self.env[expr])
            return f"({text})" if text.startswith("-") else text
        return super()._print_Symbol(expr)


class _ValueLatexPrinter(LatexPrinter):
    def __init__(self, env: dict) -> None:
        super().__init__()
        self.env = env

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
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


class _Transpose(sp.Function):
    """transpose(W) as written; W^T in LaTeX."""

    def _latex(self, printer: Any) -> str:
        return f"{_atom(printer, self.args[0])}^{{T}}"


class _Outer(sp.Function):
    """outer(a, b) as written; a b^T in LaTeX."""

    def _latex(self, printer: Any) -> str:
        a, b = (_atom(printer, x) for x in self.args)
        return f"{a} {b}^{{T}}"


def _atom(printer: Any, x: Any) -> str:
    text = printer._print(x)
    return text if x.is_Atom else f"\\left({text}\\right)"


_Transpose.__name__ = "transpose"
_Outer.__name__ = "outer"


def as_written(text: str) -> Any:
    """A spec formula as the author wrote it, unevaluated: every name a non-commuting symbol
    and every function unapplied, so ``transpose(W_hh)*delta_3`` stays that short (the
    derived matrix would print entry by entry, hundreds of characters wide)."""
    from dlcheck.parse.functions import spec_functions  # lazy: only explain needs this
    from dlcheck.parse.safe import Parser

    class _Names(dict):
        def __missing__(self, key: str) -> Any:
            return sp.Symbol(key, commutative=False)

        def __contains__(self, key: object) -> bool:
            return isinstance(key, str) and key.isidentifier()

    names = ["diff", "subs", "argmax", "argmax_over", "max_over"]
    functions = {n: sp.Function(n) for n in [*spec_functions(), *names]}
    functions.update(transpose=_Transpose, outer=_Outer)
    return Parser(_Names(), functions, max_length=20000, max_nodes=20000).parse(text)


def formula_step(inst: Instance, name: str, formula: Any, env: dict, kind: str, text: str | None = None) -> Step:
    """``name = formula = formula with numbers = value`` (the last two when it is numeric).

    A vector or matrix formula with the author's ``text`` is shown as written, with its value
    and without the entry-by-entry expansion."""
    if text is not None and isinstance(formula, sp.MatrixBase):
        written = as_written(text)
        step = Step(name, kind, formula=plain(written), latex=sp.latex(written))
        if not inst.free_leaves(inst.named.get(name, formula)):
            step.value = value_text(inst.value(inst.named.get(name, formula), env))
        return step
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
