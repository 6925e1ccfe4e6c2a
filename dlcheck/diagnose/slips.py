"""Generic slips: mistakes any problem can provoke, found without the spec naming them.

Each detector recomputes what the answer *would* be under one well-known slip (sign
flipped, update not applied, a factor of 2, sigmoid where sigmoid' belongs, degrees for
radians, rounding too early, a transposed matrix) and says so when the student's value
matches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from dlcheck.check.equivalence import equivalent
from dlcheck.check.shapes import as_grid, close
from dlcheck.check.tolerance import Tol, correct_figures
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import numeval, numeval_any, to_float, to_fraction
from dlcheck.parse.functions import sigmoid
from dlcheck.parse.printing import fmt

# slips that name a mistake of method without handing over the value: a report that holds the
# reference back still names them (the others -- a factor, a transpose, swapped rows, digits lost to
# rounding -- turn the answer into the reference)
METHOD_SLIPS = frozenset({"negated", "unchanged", "sigmoid-for-derivative", "derivative-dropped", "degrees",
                          "identity", "zero"})


@dataclass
class Finding:
    name: str
    message: str
    credit: float = 0.0


# -- rewrites of the reference ----------------------------------------------------
def _sigmoid_like(inst: Instance, x: Any) -> bool:
    if isinstance(x, sigmoid):
        return True
    return x.is_Symbol and isinstance(inst.node_expr.get(x), sigmoid)


def _derivative_factors(inst: Instance, mul: Any) -> tuple[list, list]:
    """In a product, the sigmoid factors s that come with a (1 - s) factor."""
    factors = list(mul.args)
    pairs = [f for f in factors if _sigmoid_like(inst, f) and (1 - f) in factors]
    return pairs, [1 - f for f in pairs]


def sigmoid_for_derivative(inst: Instance, only: Any = None) -> Callable[[Any], Any]:
    """s*(1-s) -> s: sigmoid written where sigmoid' belongs (for one s, or every s)."""
    def rewrite(expr: Any) -> Any:
        def fix(m: Any) -> Any:
            sig, ones = _derivative_factors(inst, m)
            drop = [1 - s for s in sig if only is None or s == only]
            return sp.Mul(*[f for f in m.args if f not in drop]) if drop else m
        return expr.replace(lambda e: e.is_Mul, fix)
    return rewrite


def derivative_dropped(inst: Instance, only: Any = None) -> Callable[[Any], Any]:
    """s*(1-s) -> 1: the sigmoid derivative forgotten altogether (for one s, or every s)."""
    def rewrite(expr: Any) -> Any:
        def fix(m: Any) -> Any:
            sig, _ = _derivative_factors(inst, m)
            drop = {f for s in sig if only is None or s == only for f in (s, 1 - s)}
            return sp.Mul(*[f for f in m.args if f not in drop]) if drop else m
        return expr.replace(lambda e: e.is_Mul, fix)
    return rewrite


def sigmoid_factors(inst: Instance, expr: Any) -> list:
    """Every s that appears as s*(1-s) somewhere in ``expr`` (the sigmoid' sites)."""
    found: list = []
    for m in (expr.atoms(sp.Mul) if hasattr(expr, "atoms") else []):
        for s in _derivative_factors(inst, m)[0]:
            if s not in found:
                found.append(s)
    return sorted(found, key=str)


def degrees_for_radians(expr: Any) -> Any:
    return expr.replace(lambda e: isinstance(e, (sp.sin, sp.cos, sp.tan)),
                        lambda e: e.func(e.args[0] * sp.pi / 180))


def _rewritten_value(inst: Instance, ref: Any, slip: tuple, rewrite: Callable[[Any], Any]) -> Any:
    """The reference's value with every formula of the graph rewritten (a slip made everywhere), or None
    when the rewrite changes nothing or leaves no real value. In floats: a slip is matched to 3
    significant figures at most (``DIAGNOSIS_RTOL``), a double's error is 10^-13 of that, and the
    value only names a mistake -- it never decides a grade.

    Neither depends on an answer: the rewritten graph is kept per slip (``slip`` names it: the kind and
    the site) and the value per slip and reference, for the instance's life."""
    cells = tuple(ref) if isinstance(ref, sp.MatrixBase) else (ref,)
    value = inst.remember(("slip-value", slip, cells), lambda: _slipped(inst, ref, slip, rewrite))
    return [list(row) for row in value] if isinstance(value, list) else value


def _rewritten_graph(inst: Instance, rewrite: Callable[[Any], Any]) -> dict:
    changed = {}
    for sym, expr in inst.node_expr.items():
        new = rewrite(expr)
        if new != expr:
            changed[sym] = new
    return changed


def _slipped(inst: Instance, ref: Any, slip: tuple, rewrite: Callable[[Any], Any]) -> Any:
    changed = inst.remember(("slip-graph", slip), lambda: _rewritten_graph(inst, rewrite), shape=True)
    if not changed:
        return None
    env = inst.remember(("slip-env", slip), lambda: inst.env_rewritten(changed))
    try:
        return numeval_any(ref, env)
    except (Undefined, UnknownSymbol):
        return None


def _neg(value: Any) -> Any:
    return [[-x for x in row] for row in value] if isinstance(value, list) else -value


# -- numeric answers --------------------------------------------------------------
def numeric_mistake(inst: Instance, pid: str, given: Any, expected: Any, tol: Tol,
                    grading: Tol | None = None) -> Finding | None:
    """The first generic slip that explains a wrong numeric answer.

    ``tol`` is the (looser) tolerance a diagnosis matches with; ``grading`` the part's own,
    used where the message claims equality ("that is w1 before the update").
    """
    ref = inst.part_ref[pid]
    matrix = isinstance(expected, list)
    if close(given, _neg(expected), tol) and not close(given, expected, tol):
        return Finding("negated", "sign error: your value is the negative of the expected one")
    if matrix:
        found = _matrix_slip(given, expected, tol)
        if found:
            return found
    else:
        found = _unchanged_given(inst, pid, given, grading or tol)
        if found:
            return found
    sites = inst.remember(("sigmoid-sites",), lambda: [None] + sorted(
        {s for e in inst.node_expr.values() for s in sigmoid_factors(inst, e)}, key=str), shape=True)
    slips = [("sigmoid-for-derivative", s, "you used sigmoid(z) where its derivative sigmoid'(z) = "
              "sigmoid(z)(1 - sigmoid(z)) belongs", sigmoid_for_derivative(inst, s)) for s in sites]
    slips += [("derivative-dropped", s, "you left out the sigmoid derivative sigmoid(z)(1 - sigmoid(z)) in the "
               "chain rule", derivative_dropped(inst, s)) for s in sites]
    slips.append(("degrees", None, "your calculator was in degrees; the angles here are in radians",
                  degrees_for_radians))
    for name, site, message, rewrite in slips:
        alt = _rewritten_value(inst, ref, (name, site), rewrite)
        if alt is not None and close(given, alt, tol) and not close(alt, expected, tol):
            return Finding(name, message)
    if not matrix and expected != 0 and given != 0:
        return _factor(inst, given, expected, tol)
    return None


def rounded_early(given: Any, expected: Any) -> Finding | None:
    """A value right to 2 or 3 significant figures only: digits lost along the way (the count is true)."""
    if isinstance(expected, list) or expected == 0 or given == 0:
        return None
    figures = correct_figures(given, expected)
    if not 2 <= figures < 4:
        return None
    return Finding("rounded-early", f"right to {figures} significant figures only ({fmt(to_float(given), 6)} vs "
                   f"{fmt(to_float(expected), 6)}): keep more digits in the intermediate steps")


def _unchanged_given(inst: Instance, pid: str, given: Any, tol: Tol) -> Finding | None:
    formula = inst.shallow.get(pid)
    if formula is None or isinstance(formula, sp.MatrixBase):
        return None
    exact_givens = inst.exact_givens()
    for sym in sorted(formula.free_symbols & set(inst.given_values), key=lambda s: s.name):
        value = exact_givens.get(sym)
        if value is not None and value != 0 and tol.accepts(given, value):
            return Finding("unchanged", f"that is {sym.name} before the update; apply the step "
                           f"({sym.name} minus the learning rate times the gradient)")
    return None


def _factor(inst: Instance, given: Any, expected: Any, tol: Tol) -> Finding | None:
    ratio = to_float(to_fraction(given) / to_fraction(expected))
    candidates = [(Fraction(2), "2"), (Fraction(1, 2), "1/2")]
    for sym, value in inst.exact_givens().items():
        v = to_fraction(value)
        if sym.name in ("eta", "lr", "alpha") and v not in (0, 1):
            candidates += [(v, sym.name), (1 / v, f"1/{sym.name}")]
    candidates += [(Fraction(10) ** k, f"10^{k}") for k in (-3, -2, -1, 1, 2, 3)]
    for factor, name in candidates:
        if tol.accepts(given, to_fraction(expected) * factor) or abs(ratio - float(factor)) <= 1e-3 * float(factor):
            return Finding("factor", f"off by a factor of {name}")
    return None


def _matrix_slip(given: list, expected: list, tol: Tol) -> Finding | None:
    g, e = as_grid(given), as_grid(expected)
    n = len(e)
    if n == len(e[0]) and n > 1:
        identity = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
        if close(g, identity, tol):
            return Finding("identity", "that is the identity matrix, which leaves every vector unchanged; "
                           "it is not the matrix asked for")
    if all(x == 0 for row in g for x in row) and len(g) * len(g[0]) > 1:
        return Finding("zero", "that is the zero matrix")
    if len(e) == len(e[0]) and len(e) > 1:
        transposed = [list(col) for col in zip(*e)]
        if close(g, transposed, tol):
            return Finding("transposed", "your matrix is the transpose of the expected one")
    if len(e) > 1:
        for a in range(len(e)):
            for b in range(a + 1, len(e)):
                swapped = [row[:] for row in e]
                swapped[a], swapped[b] = swapped[b], swapped[a]
                if close(g, swapped, tol):
                    return Finding("rows-swapped", f"rows {a + 1} and {b + 1} are swapped")
    return None


# -- formulas -----------------------------------------------------------------------
def formula_mistake(inst: Instance, pid: str, student: Any, ref: Any) -> Finding | None:
    part = inst.spec.problem.parts[pid]
    seed = f"{inst.spec.id}/{pid}/diagnose"

    def same(a: Any, b: Any) -> bool:
        return all(equivalent(inst, x, y, seed).equal for ra, rb in zip(as_grid(a), as_grid(b))
                   for x, y in zip(ra, rb))

    formula = inst.shallow.get(inst.part_node.get(pid, pid), ref)
    # a slip that changes nothing (the negative of 0, the transpose of a symmetric matrix) names nothing
    if -formula != formula and same(student, -formula):
        return Finding("negated", "sign error: yours is the negative of the expected formula")
    square = isinstance(formula, sp.MatrixBase) and formula.rows == formula.cols and formula.rows > 1
    if square and formula != formula.T and same(student, formula.T):
        return Finding("transposed", "yours is the transpose of the expected matrix")
    cells = list(formula) if isinstance(formula, sp.MatrixBase) else [formula]
    for site in [None] + sorted({s for c in cells for s in sigmoid_factors(inst, c)}, key=str):
        rewrite = sigmoid_for_derivative(inst, site)
        rewritten = formula.applyfunc(rewrite) if isinstance(formula, sp.MatrixBase) else rewrite(formula)
        if rewritten != formula and same(student, rewritten):
            where = f" (at {site})" if site is not None else ""
            return Finding("sigmoid-for-derivative", f"you used sigmoid where sigmoid' = sigmoid(1 - sigmoid) "
                           f"belongs{where}")
    if not isinstance(formula, sp.MatrixBase):
        factor = _constant_factor(inst, student, formula, seed)
        if factor is not None:
            shown = next(t for t in (fmt(factor, d) for d in range(4, 18)) if t not in ("1", "1.0"))  # 1.0001 is no 1
            return Finding("factor", f"off by a constant factor of {shown}",
                           0.5 if getattr(part, "partial_credit", False) else 0.0)
    return None


def _constant_factor(inst: Instance, a: Any, b: Any, seed: str) -> float | None:
    ratios = []
    for env in inst.sample_envs(seed + "/ratio", 12, a.free_symbols | b.free_symbols):
        try:
            va, vb = numeval(a, env), numeval(b, env)
        except Undefined:
            continue
        if abs(vb) < 1e-12:
            continue
        ratios.append(va / vb)
    if len(ratios) >= 6 and all(abs(r - ratios[0]) <= 1e-8 * max(1, abs(r)) for r in ratios) \
            and abs(ratios[0] - 1) > 1e-8 and abs(ratios[0]) > 1e-12:
        return ratios[0]
    return None
