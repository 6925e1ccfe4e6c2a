"""Formulas and numbers back to text: plain (what dlcheck reads), pretty (a terminal), LaTeX names.

The inverse of parsing, so it lives beside the parser: ``plain`` writes a formula in the
very syntax a student types, ``fmt`` a number as a person writes it.

Order. sympy stores a sum's terms and a product's factors sorted its own way, so
``w5 - eta*dE_dw5`` comes back as ``-dE_dw5*eta + w5``. ``plain`` puts them back in a
person's order: given the author's text (``like=``), each term and factor goes where
its first name appears in that text; without it, a sum starts with a positive term
(``W_s2 - W_s1``, not ``-W_s1 + W_s2``). ``values=`` prints each symbol as its number,
in the same order, for the "with the numbers" line of a worked solution.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dlcheck.parse.text import to_python
from dlcheck.parse.vocabulary import VOCABULARY

if TYPE_CHECKING:  # sympy itself is imported lazily, only when a formula is printed
    import sympy as sp
    from sympy.printing.printer import Printer as SympyPrinter

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


def _chains(like: str | None) -> list[tuple[str, list[frozenset]]]:
    """The sums and products the author wrote, each as the names in its operands, in order."""
    if not like:
        return []
    try:  # to_python only rewrites text and ast only reads it: nothing is evaluated
        tree = ast.parse(to_python(like, frozenset()), mode="eval")
    except (SyntaxError, ValueError, RecursionError):  # ParseError is a ValueError: a hint that cannot be read
        return []

    def names(node: ast.AST) -> frozenset:
        found = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        called = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        consts = {repr(n.value) for n in ast.walk(node) if isinstance(n, ast.Constant)}
        return frozenset((found - called) or {f"#{c}" for c in consts})

    def flatten(node: ast.AST, ops: tuple) -> list[ast.AST]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            return flatten(node.left, ops) + flatten(node.right, ops)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return flatten(node.operand, ops)
        return [node]

    out = []
    for node in ast.walk(tree):
        for kind, ops in (("add", (ast.Add, ast.Sub)), ("mul", (ast.Mult, ast.Div))):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ops):
                out.append((kind, [names(n) for n in flatten(node, ops)]))
    return out


def _in_order(items: list, kind: str, chains: list[tuple[str, list[frozenset]]]) -> list:
    """``items`` (terms or factors) in the order of the author's best-matching sum or product."""
    def key_of(item: Any) -> frozenset:
        syms = {s.name for s in item.free_symbols}
        return frozenset(syms or {f"#{abs(item)}"} if item.is_Number else syms)

    keys = [key_of(i) for i in items]
    best, best_score = None, 0.0
    for chain_kind, operands in chains:
        if chain_kind != kind:
            continue
        score = sum(max((len(k & o) / len(k | o) for o in operands if k | o), default=0.0) for k in keys)
        if score > best_score:
            best, best_score = operands, score
    if best is None or best_score < len(items) / 2:
        return items

    def place(k: frozenset) -> float:
        overlaps = [(len(k & o) / len(k | o), -i) for i, o in enumerate(best) if k | o and k & o]
        return -max(overlaps)[1] if overlaps else float("inf")

    return [item for _, _, item in sorted((place(k), n, item) for n, (k, item) in enumerate(zip(keys, items)))]


def _printer(like: str | None, values: Mapping | None, latex: bool = False) -> SympyPrinter:
    import sympy as sp  # lazy: report modules call this only for formulas
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.str import StrPrinter

    chains = _chains(like)
    base: Any = LatexPrinter if latex else StrPrinter

    class Printer(base):
        def __init__(self) -> None:
            super().__init__({"order": "none"})

        def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
            terms = list(sp.Add.make_args(expr))
            terms = sorted(terms, key=lambda t: t.could_extract_minus_sign())  # stable: a positive term first
            terms = _in_order(terms, "add", chains)
            return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

        def _print_Mul(self, expr: sp.Mul) -> str:
            if not expr.is_commutative:  # W^T·delta is not delta·W^T: keep the order it has
                return super()._print_Mul(expr)
            coeff, rest = expr.as_coeff_Mul()
            factors = _in_order(list(sp.Mul.make_args(rest)), "mul", chains)
            return super()._print_Mul(sp.Mul(*([coeff] if coeff != 1 else []), *factors, evaluate=False))

        def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
            if values is not None and expr in values:
                text = fmt(values[expr])
                if not text.startswith("-"):
                    return text
                return f"\\left({text}\\right)" if latex else f"({text})"
            if latex:
                return latex_names(super()._print_Symbol(expr, style=style))
            return super()._print_Symbol(expr)

    return Printer()


def plain(expr: Any, like: str | None = None, values: Mapping | None = None) -> str:
    """One line in the syntax dlcheck reads: ``(out_y1 - t1)*out_y1*(1 - out_y1)``.

    ``like``: the author's text, whose order the terms and factors follow. ``values``:
    symbols printed as their numbers (the formula with the numbers substituted).
    """
    import sympy as sp  # lazy: report modules call this only for formulas

    printer = _printer(like, values)
    if isinstance(expr, sp.MatrixBase):
        return brackets([[printer.doprint(x).replace("**", "^") for x in expr.row(i)] for i in range(expr.rows)])
    return printer.doprint(expr).replace("**", "^")


def latex(expr: Any, like: str | None = None, values: Mapping | None = None) -> str:
    """The LaTeX of a formula, in the author's order, names as :func:`latex_name` writes them."""
    return _printer(like, values, latex=True).doprint(expr)


def pretty(expr: Any) -> str:
    """``plain`` with σ, ·, superscripts: readable in a terminal, still one line."""
    text = plain(expr) if not isinstance(expr, str) else expr.replace("**", "^")
    text = re.sub(r"\^\(?(-?\d+)\b\)?", lambda m: m.group(1).translate(_SUPERSCRIPT)
                  if m.group(0).startswith("^(") == m.group(0).endswith(")") else m.group(0), text)
    for name, shown in _PRINTS.items():   # how the vocabulary prints a function (sigmoid as σ)
        text = text.replace(name, shown)
    text = text.replace("sqrt", "√").replace("*", "·")
    return text


_PRINTS = {f.name: f.prints for f in VOCABULARY if f.prints}


# a multi-letter name in LaTeX that is not a command (\frac), not inside braces ({hh}) and not a function
_LATEX_WORD = re.compile(r"(?<![\\{a-zA-Z])([a-zA-Z]{2,})(?=_\{|[^a-zA-Z{(]|$)")


def latex_names(tex: str) -> str:
    """Multi-letter names upright, as a name: ``net_{h1}`` -> ``\\mathrm{net}_{h1}`` (idempotent)."""
    return _LATEX_WORD.sub(r"\\mathrm{\1}", tex)


def latex_name(name: str) -> str:
    """A quantity's name in LaTeX, the same way its formulas print it: ``\\mathrm{net}_{h1}``."""
    import sympy as sp  # lazy: only the LaTeX renderer calls this

    return latex_names(sp.latex(sp.Symbol(name)))
