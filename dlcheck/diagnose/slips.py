"""Generic slips: mistakes any problem can provoke, found without the spec naming them.

Each slip is one :class:`Detector` in :data:`DETECTORS`, tried in the list's order: its name,
whether it names a mistake of *method* (a report that holds the reference back still names
it; the others -- a factor, a transpose, swapped rows, digits lost to rounding -- turn the
answer into the reference), and how it finds itself: by recomputing the reference under the
slip (a rewrite of every formula of the graph: sigmoid for sigmoid', degrees for radians),
or by relating the student's value or formula to the reference's (its negative, a factor, a
transpose). A new slip is one more entry in the list; :mod:`dlcheck.diagnose` and
:mod:`dlcheck.grade.reveal` take everything else from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dlcheck.check.shapes import as_grid, close, is_matrix
from dlcheck.check.tolerance import Tol, correct_figures
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.engine.numbers import to_float, to_fraction
from dlcheck.parse.printing import fmt

if TYPE_CHECKING:
    from dlcheck.engine.instance import Instance

# sympy, the graph and equivalence are imported where a slip is looked for in them: a number's slips
# run on the numeric path's card too (grade/numeric.py), in a process that never loads sympy


@dataclass
class Finding:
    name: str
    message: str
    credit: float = 0.0


@dataclass
class Wrong:
    """A wrong answer to explain: a number's value against the reference's (``given``, ``expected``, the
    tolerance a match uses and the part's own), or a formula against the reference's formula."""

    inst: Instance | None           # None on the numeric path: what the graph says was computed beforehand
    pid: str
    given: Any = None
    expected: Any = None
    tol: Tol = Tol()
    grading: Tol | None = None
    student: Any = None
    formula: Any = None

    @property
    def matrix(self) -> bool:
        return isinstance(self.expected, list)

    def givens(self) -> list[tuple[str, Any]]:
        """Every given's name and exact value."""
        assert self.inst is not None
        return [(sym.name, value) for sym, value in self.inst.exact_givens().items()]

    def formula_givens(self) -> list[tuple[str, Any]]:
        """The givens the part's own formula uses (by name, in order), with their exact values; none for a
        part whose formula is a matrix."""
        inst = self.inst
        assert inst is not None
        formula = inst.shallow.get(self.pid)
        if formula is None or is_matrix(formula):
            return []
        exact_givens = inst.exact_givens()
        return [(sym.name, exact_givens.get(sym))
                for sym in sorted(formula.free_symbols & set(inst.given_values), key=lambda s: s.name)]

    def rewritten(self, detector: Detector) -> list[Any]:
        """The reference's value under ``detector``'s rewrite of the graph, at each of its sites (None where
        the rewrite changes nothing or leaves no real value)."""
        inst, rewrite = self.inst, detector.rewrite
        assert inst is not None and rewrite is not None
        return [_rewritten_value(inst, inst.part_ref[self.pid], (detector.name, site), rewrite(inst, site))
                for site in (detector.sites(inst) if detector.sites is not None else [None])]

    def same(self, a: Any, b: Any) -> bool:
        """Two formulas (or matrices of them) are equivalent over the problem's graph."""
        from dlcheck.check.equivalence import equivalent  # lazy: formulas only

        assert self.inst is not None
        seed = f"{self.inst.spec.id}/{self.pid}/diagnose"
        return all(equivalent(self.inst, x, y, seed).equal for ra, rb in zip(as_grid(a), as_grid(b))
                   for x, y in zip(ra, rb))


Rewrite = Callable[[Any], Any]


@dataclass(frozen=True)
class Detector:
    """One generic slip. ``number`` explains a wrong value (a number or matrix of numbers), ``formula``
    a wrong formula; either may be absent. ``rewrite(inst, site)`` is the graph under the slip (for
    one site, or everywhere when ``site`` is None) and ``sites(inst)`` where it can happen: a detector
    with a rewrite and no ``number`` of its own matches the value the rewritten graph gives. ``last``:
    tried only when nothing else, at any tolerance, explains the value."""

    name: str
    method: bool                      # names a mistake of method: still named when the reference is held back
    message: str = ""                 # the sentence of a rewrite's match
    number: Callable[[Wrong], Finding | None] | None = None
    formula: Callable[[Wrong], Finding | None] | None = None
    rewrite: Callable[[Instance, Any], Rewrite] | None = None
    sites: Callable[[Instance], list] | None = None
    last: bool = False

    def explains_number(self, wrong: Wrong) -> Finding | None:
        if self.number is not None:
            return self.number(wrong)
        if self.rewrite is None:
            return None
        for alt in wrong.rewritten(self):
            if alt is not None and close(wrong.given, alt, wrong.tol) and not close(alt, wrong.expected, wrong.tol):
                return Finding(self.name, self.message)
        return None


# -- rewrites of the reference ----------------------------------------------------
def _sigmoid_like(inst: Instance, x: Any) -> bool:
    from dlcheck.parse.functions import sigmoid  # lazy: the graph's formulas are sympy's

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
    import sympy as sp  # lazy: a rewrite of the graph's formulas

    def rewrite(expr: Any) -> Any:
        def fix(m: Any) -> Any:
            sig, ones = _derivative_factors(inst, m)
            drop = [1 - s for s in sig if only is None or s == only]
            return sp.Mul(*[f for f in m.args if f not in drop]) if drop else m
        return expr.replace(lambda e: e.is_Mul, fix)
    return rewrite


def derivative_dropped(inst: Instance, only: Any = None) -> Callable[[Any], Any]:
    """s*(1-s) -> 1: the sigmoid derivative forgotten altogether (for one s, or every s)."""
    import sympy as sp  # lazy: as above

    def rewrite(expr: Any) -> Any:
        def fix(m: Any) -> Any:
            sig, _ = _derivative_factors(inst, m)
            drop = {f for s in sig if only is None or s == only for f in (s, 1 - s)}
            return sp.Mul(*[f for f in m.args if f not in drop]) if drop else m
        return expr.replace(lambda e: e.is_Mul, fix)
    return rewrite


def sigmoid_factors(inst: Instance, expr: Any) -> list:
    """Every s that appears as s*(1-s) somewhere in ``expr`` (the sigmoid' sites)."""
    import sympy as sp  # lazy: as above

    found: list = []
    for m in (expr.atoms(sp.Mul) if hasattr(expr, "atoms") else []):
        for s in _derivative_factors(inst, m)[0]:
            if s not in found:
                found.append(s)
    return sorted(found, key=str)


def degrees_for_radians(expr: Any) -> Any:
    import sympy as sp  # lazy: as above

    return expr.replace(lambda e: isinstance(e, (sp.sin, sp.cos, sp.tan)),
                        lambda e: e.func(e.args[0] * sp.pi / 180))


def _rewritten_value(inst: Instance, ref: Any, slip: tuple, rewrite: Callable[[Any], Any]) -> Any:
    """The reference's value with every formula of the graph rewritten (a slip made everywhere), or None
    when the rewrite changes nothing or leaves no real value. In floats: a slip is matched to 3
    significant figures at most (``DIAGNOSIS_RTOL``), a double's error is 10^-13 of that, and the
    value only names a mistake -- it never decides a grade.

    Neither depends on an answer: the rewritten graph is kept per slip (``slip`` names it: the kind and
    the site) and the value per slip and reference, for the instance's life."""
    cells = tuple(ref) if is_matrix(ref) else (ref,)
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
    from dlcheck.engine.numeval import numeval_any  # lazy: the graph's floats

    env = inst.remember(("slip-env", slip), lambda: inst.env_rewritten(changed))
    try:
        return numeval_any(ref, env)
    except (Undefined, UnknownSymbol):
        return None


def _neg(value: Any) -> Any:
    return [[-x for x in row] for row in value] if isinstance(value, list) else -value


def _degrees(inst: Instance, site: Any) -> Rewrite:
    return degrees_for_radians


def _every_sigmoid_site(inst: Instance) -> list:
    """None (every site at once), then each s that appears as s*(1-s) in the graph."""
    return inst.remember(("sigmoid-sites",), lambda: [None] + sorted(
        {s for e in inst.node_expr.values() for s in sigmoid_factors(inst, e)}, key=str), shape=True)


# -- numeric answers --------------------------------------------------------------
def _negated_number(w: Wrong) -> Finding | None:
    if close(w.given, _neg(w.expected), w.tol) and not close(w.given, w.expected, w.tol):
        return Finding("negated", "sign error: your value is the negative of the expected one")
    return None


def _square(w: Wrong) -> bool:
    e = as_grid(w.expected)
    return w.matrix and len(e) == len(e[0]) and len(e) > 1


def _identity(w: Wrong) -> Finding | None:
    if not _square(w):
        return None
    n = len(w.expected)
    identity = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    if close(as_grid(w.given), identity, w.tol):
        return Finding("identity", "that is the identity matrix, which leaves every vector unchanged; "
                       "it is not the matrix asked for")
    return None


def _zero(w: Wrong) -> Finding | None:
    g = as_grid(w.given)
    if w.matrix and all(x == 0 for row in g for x in row) and len(g) * len(g[0]) > 1:
        return Finding("zero", "that is the zero matrix")
    return None


def _transposed_number(w: Wrong) -> Finding | None:
    if not _square(w):
        return None
    transposed = [list(col) for col in zip(*as_grid(w.expected))]
    if close(as_grid(w.given), transposed, w.tol):
        return Finding("transposed", "your matrix is the transpose of the expected one")
    return None


def _rows_swapped(w: Wrong) -> Finding | None:
    e = as_grid(w.expected)
    if not w.matrix or len(e) < 2:
        return None
    for a in range(len(e)):
        for b in range(a + 1, len(e)):
            swapped = [row[:] for row in e]
            swapped[a], swapped[b] = swapped[b], swapped[a]
            if close(as_grid(w.given), swapped, w.tol):
                return Finding("rows-swapped", f"rows {a + 1} and {b + 1} are swapped")
    return None


def _unchanged_given(w: Wrong) -> Finding | None:
    """A given the answer's formula uses, typed as the answer: the update not applied (matched with the
    part's own tolerance: the message claims equality)."""
    if w.matrix:
        return None
    tol = w.grading or w.tol
    for name, value in w.formula_givens():
        if value is not None and value != 0 and tol.accepts(w.given, value):
            return Finding("unchanged", f"that is {name} before the update; apply the step "
                           f"({name} minus the learning rate times the gradient)")
    return None


def _factor_number(w: Wrong) -> Finding | None:
    given, expected, tol = w.given, w.expected, w.tol
    if w.matrix or expected == 0 or given == 0:
        return None
    ratio = to_float(to_fraction(given) / to_fraction(expected))
    candidates = [(Fraction(2), "2"), (Fraction(1, 2), "1/2")]
    for name, value in w.givens():
        v = to_fraction(value)
        if name in ("eta", "lr", "alpha") and v not in (0, 1):
            candidates += [(v, name), (1 / v, f"1/{name}")]
    candidates += [(Fraction(10) ** k, f"10^{k}") for k in (-3, -2, -1, 1, 2, 3)]
    for factor, name in candidates:
        if tol.accepts(given, to_fraction(expected) * factor) or abs(ratio - float(factor)) <= 1e-3 * float(factor):
            return Finding("factor", f"off by a factor of {name}")
    return None


def _rounded_early(w: Wrong) -> Finding | None:
    """A value right to 2 or 3 significant figures only: digits lost along the way (the count is true)."""
    given, expected = w.given, w.expected
    if w.matrix or expected == 0 or given == 0:
        return None
    figures = correct_figures(given, expected)
    if not 2 <= figures < 4:
        return None
    return Finding("rounded-early", f"right to {figures} significant figures only ({fmt(to_float(given), 6)} vs "
                   f"{fmt(to_float(expected), 6)}): keep more digits in the intermediate steps")


# -- formulas -----------------------------------------------------------------------
# a slip that changes nothing (the negative of 0, the transpose of a symmetric matrix) names nothing
def _negated_formula(w: Wrong) -> Finding | None:
    if -w.formula != w.formula and w.same(w.student, -w.formula):
        return Finding("negated", "sign error: yours is the negative of the expected formula")
    return None


def _transposed_formula(w: Wrong) -> Finding | None:
    f = w.formula
    square = is_matrix(f) and f.rows == f.cols and f.rows > 1
    if square and f != f.T and w.same(w.student, f.T):
        return Finding("transposed", "yours is the transpose of the expected matrix")
    return None


def _sigmoid_formula(w: Wrong) -> Finding | None:
    inst, formula = w.inst, w.formula
    assert inst is not None
    cells = list(formula) if is_matrix(formula) else [formula]
    for site in [None] + sorted({s for c in cells for s in sigmoid_factors(inst, c)}, key=str):
        rewrite = sigmoid_for_derivative(inst, site)
        rewritten = formula.applyfunc(rewrite) if is_matrix(formula) else rewrite(formula)
        if rewritten != formula and w.same(w.student, rewritten):
            where = f" (at {site})" if site is not None else ""
            return Finding("sigmoid-for-derivative", f"you used sigmoid where sigmoid' = sigmoid(1 - sigmoid) "
                           f"belongs{where}")
    return None


def _factor_formula(w: Wrong) -> Finding | None:
    if is_matrix(w.formula) or w.inst is None:
        return None
    factor = _constant_factor(w.inst, w.student, w.formula, f"{w.inst.spec.id}/{w.pid}/diagnose")
    if factor is None:
        return None
    shown = next(t for t in (fmt(factor, d) for d in range(4, 18)) if t not in ("1", "1.0"))  # 1.0001 is no 1
    part = w.inst.spec.problem.parts[w.pid]
    return Finding("factor", f"off by a constant factor of {shown}",
                   0.5 if getattr(part, "partial_credit", False) else 0.0)


# every generic slip, in the order they are tried
DETECTORS: list[Detector] = [
    Detector("negated", method=True, number=_negated_number, formula=_negated_formula),
    Detector("identity", method=True, number=_identity),
    Detector("zero", method=True, number=_zero),
    Detector("transposed", method=False, number=_transposed_number, formula=_transposed_formula),
    Detector("rows-swapped", method=False, number=_rows_swapped),
    Detector("unchanged", method=True, number=_unchanged_given),
    Detector("sigmoid-for-derivative", method=True, formula=_sigmoid_formula,
             message="you used sigmoid(z) where its derivative sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)) belongs",
             rewrite=sigmoid_for_derivative, sites=_every_sigmoid_site),
    Detector("derivative-dropped", method=True,
             message="you left out the sigmoid derivative sigmoid(z)(1 - sigmoid(z)) in the chain rule",
             rewrite=derivative_dropped, sites=_every_sigmoid_site),
    Detector("degrees", method=True, message="your calculator was in degrees; the angles here are in radians",
             rewrite=_degrees),
    Detector("factor", method=False, number=_factor_number, formula=_factor_formula),
    Detector("rounded-early", method=False, number=_rounded_early, last=True),
]


# findings made outside the list that hand over no value either: the sheet's numbers typed under a
# variant (diagnose.sheet) names only the student's own givens
FOUND_ELSEWHERE = frozenset({"sheet-values"})


def method_slips() -> frozenset[str]:
    """The slips that name a mistake of method without handing over the value."""
    return frozenset(d.name for d in DETECTORS if d.method) | FOUND_ELSEWHERE


METHOD_SLIPS = method_slips()


def numeric_mistake(inst: Instance, pid: str, given: Any, expected: Any, tol: Tol,
                    grading: Tol | None = None) -> Finding | None:
    """The first generic slip that explains a wrong numeric answer.

    ``tol`` is the (looser) tolerance a diagnosis matches with; ``grading`` the part's own,
    used where the message claims equality ("that is w1 before the update").
    """
    return number_slip(Wrong(inst, pid, given, expected, tol, grading))


def rounded_early(inst: Instance, pid: str, given: Any, expected: Any) -> Finding | None:
    """The slips tried last, when nothing else explains a wrong value (digits lost to rounding)."""
    return number_slip(Wrong(inst, pid, given, expected), last=True)


def number_slip(wrong: Wrong, last: bool = False) -> Finding | None:
    """The first detector (of those tried last, with ``last``) that explains ``wrong``'s value."""
    for detector in DETECTORS:
        if detector.last == last:
            found = detector.explains_number(wrong)
            if found:
                return found
    return None


def formula_mistake(inst: Instance, pid: str, student: Any, ref: Any) -> Finding | None:
    """The first generic slip that explains a wrong formula."""
    formula = inst.shallow.get(inst.part_node.get(pid, pid), ref)
    wrong = Wrong(inst, pid, student=student, formula=formula)
    for detector in DETECTORS:
        if detector.formula is not None:
            found = detector.formula(wrong)
            if found:
                return found
    return None


def _constant_factor(inst: Instance, a: Any, b: Any, seed: str) -> float | None:
    from dlcheck.engine.numeval import numeval  # lazy: the graph's floats

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
