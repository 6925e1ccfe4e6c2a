"""A derived problem's card for the numeric path (:mod:`dlcheck.check.fast`), made with sympy at hand.

Only the sheet's numbers are carded (a student's variant is derived as before). A part is carded
when it is a number, vector or matrix whose reference has a value: an exact one as fractions, an
irrational one as the interval ``value -/+ |value| * 10^-45`` of a 90-digit evaluation (grading's own
50 digits lie inside it; the tolerances people write are far wider). What a wrong value's diagnosis
asks of the graph is computed here too, by the diagnosis' own code (``diagnose.slips.Wrong``): the
spec's mistakes' values, the givens, the reference under every rewrite slip.

A card is made once per problem and content, wherever dlcheck has the problem derived for grading
(:func:`ensure`), and stored beside the derivation in the cache.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dlcheck.check import fast
from dlcheck.check.equivalence import digits_needed, formulas_behind
from dlcheck.check.kinds.value import expected_text
from dlcheck.check.registry import instance_and_source, kind_of
from dlcheck.check.shapes import as_grid
from dlcheck.check.tolerance import Tol
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.diagnose.slips import DETECTORS, Wrong, method_slips
from dlcheck.engine.exact import exact_value
from dlcheck.engine.instance import Instance
from dlcheck.engine.numbers import Inexact, to_fraction
from dlcheck.engine.numeval import HP_DPS, TooLarge
from dlcheck.spec import bank

CARD_DPS = 90
WIDTH = Fraction(1, 10 ** 45)
MAX_BITS = 4000                     # a reference beyond this is left to the full checker's high precision
_DONE: set[tuple] = set()           # (problem, spec file, mtime, size) carded in this process


def ensure(problem_id: str) -> None:
    """The problem's card is in the cache (made from its derived instance if it is not)."""
    try:
        path = bank.spec_path(problem_id)
        info = path.stat()
    except (OSError, bank.UnknownProblem):
        return
    key = (problem_id, str(path), info.st_mtime_ns, info.st_size)
    if key in _DONE:
        return
    _DONE.add(key)
    if fast.load_card(problem_id) is not None:
        return
    inst, source = instance_and_source(problem_id)
    if source is None:
        return
    try:
        card = build_card(inst)
    except (ArithmeticError, ValueError, TypeError, RecursionError, Undefined, UnknownSymbol):
        return  # no card: the full checker grades the problem, as it always did
    fast.store_card(problem_id, source, card)   # filed under the bytes the instance stands for


def build_card(inst: Instance) -> fast.Card:
    problem = inst.spec.problem
    numeric: dict[str, fast.PartCard] = {}
    for pid, part in problem.parts.items():
        if part.kind not in ("number", "vector", "matrix") or pid not in inst.part_ref or not inst.is_numeric(pid):
            continue
        made = _part_card(inst, pid, part)
        if made is not None:
            numeric[pid] = made
    exact_givens = inst.exact_givens().items()
    givens = tuple((sym.name, value) for sym, value in exact_givens) \
        if all(isinstance(value, Fraction) for _, value in exact_givens) else None
    return fast.Card(fast.CARD_FORMAT, inst.spec.id, problem.title, bool(problem.vary), tuple(problem.parts),
                     {pid: float(part.points) for pid, part in problem.parts.items()},
                     {pid: getattr(part, "reveal", None) or problem.reveal for pid, part in problem.parts.items()},
                     numeric, givens, frozenset(method_slips()), problem.carry_forward, _graph(inst, numeric),
                     frozenset(pid for pid, part in problem.parts.items() if not kind_of(part).auto))


def _interval(value: Any) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]] | None:
    """A value's cells (row by row) as fractions: an exact one twice, an mpf as the narrow interval around it."""
    grid = as_grid(value)
    cells = [c for row in grid for c in row]
    fractions = [to_fraction(c) for c in cells]
    if any(abs(f.numerator).bit_length() > MAX_BITS or f.denominator.bit_length() > MAX_BITS for f in fractions):
        return None
    # an mpf that is exactly 0 is 0 to the full checker too (its gap and error are taken to 0, not near it)
    exact = [isinstance(c, (Fraction, int)) or f == 0 for c, f in zip(cells, fractions)]
    # an inexact end is compared as the full checker compares its mpf: with the slack of working precision
    lo = tuple(f if ok else Inexact(f - abs(f) * WIDTH) for f, ok in zip(fractions, exact))
    hi = tuple(f if ok else Inexact(f + abs(f) * WIDTH) for f, ok in zip(fractions, exact))
    return lo, hi


def _shaped(value: Any) -> fast.Interval | None:
    """:func:`_interval` in the value's own shape: two numbers, or two lists of rows."""
    ends = _interval(value)
    if ends is None:
        return None
    if not isinstance(value, list):
        return ends[0][0], ends[1][0]
    cols = len(as_grid(value)[0])
    return tuple([list(end[i:i + cols]) for i in range(0, len(end), cols)] for end in ends)  # type: ignore[return-value]


def _part_card(inst: Instance, pid: str, part: Any) -> fast.PartCard | None:
    try:
        value = exact_value(inst, inst.part_ref[pid], dps=CARD_DPS)
        interval = _interval(value)
        text = expected_text(inst, pid)
    except (Undefined, TooLarge, OverflowError, ValueError, TypeError):
        return None  # no finite value to card: the full checker says what there is to say
    if interval is None:
        return None
    grid = as_grid(value)
    rows, cols = len(grid), len(grid[0]) if grid else 0
    longest = digits_needed(*formulas_behind(inst, inst.part_ref[pid])) - HP_DPS
    return fast.PartCard(pid, part.kind, float(part.points), rows, cols, interval[0], interval[1], Tol.of(part),
                         text, _clues(inst, pid, part, rows * cols), longest, HP_DPS)


def _clues(inst: Instance, pid: str, part: Any, cells: int) -> fast.PartClues | None:
    """What diagnosing a wrong value of ``pid`` asks of the graph; None when some of it is not exact."""
    try:
        mistakes = []
        for mistake, formula in zip(part.mistakes, inst.prepared_for(pid).mistakes):
            try:
                target = _shaped(exact_value(inst, formula, dps=CARD_DPS))
            except Undefined:
                target = None
            mistakes.append(fast.CardMistake(mistake.name, mistake.feedback, float(mistake.credit), target))
        wrong = Wrong(inst, pid)
        formula_givens = tuple(wrong.formula_givens())
        if any(v is not None and not isinstance(v, Fraction) for _, v in formula_givens):
            return None
        rewrites = {d.name: tuple(wrong.rewritten(d)) for d in DETECTORS if d.number is None and d.rewrite is not None}
    except (Undefined, UnknownSymbol, TooLarge, ArithmeticError, ValueError, TypeError):
        return None
    informative = inst.prepared_for(pid).informative
    return fast.PartClues(tuple(mistakes), bool(getattr(part, "partial_credit", False)),
                          tuple(informative) if informative else (True,) * cells, formula_givens, rewrites)


# -- the graph as data (error carried forward on the card) ------------------------------------------
class _Unsupported(Exception):
    """A formula the card's evaluator does not know: error carried forward stays the full checker's."""


_FUNCTIONS = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "sigmoid": "sigmoid", "tanh": "tanh",
              "Abs": "abs"}


def _ir(expr: Any) -> Any:
    """A sympy formula of the graph as the card's tuples (see :class:`dlcheck.check.fast.GraphData`)."""
    import sympy as sp  # lazy: only a card being made reads sympy's formulas

    if expr.is_Symbol:
        return ("s", expr.name)
    if expr.is_Number:
        if not expr.is_finite:
            raise _Unsupported(str(expr))
        exact = sp.Rational(expr)  # a Float's binary value exactly, as the full checker computes with it
        return ("n", Fraction(int(exact.p), int(exact.q)))
    if expr.is_Add:
        return ("+", *(_ir(a) for a in expr.args))
    if expr.is_Mul:
        return ("*", *(_ir(a) for a in expr.args))
    if expr.is_Pow:
        return ("^", _ir(expr.base), _ir(expr.exp))
    name = type(expr).__name__
    if name in _FUNCTIONS and len(expr.args) == 1:
        return ("f", _FUNCTIONS[name], _ir(expr.args[0]))
    if name in ("Max", "Min"):
        return (name.lower(), *(_ir(a) for a in expr.args))
    if expr is sp.pi or expr is sp.E:
        raise _Unsupported(name)  # an irrational constant: the decimal evaluator would need its digits
    raise _Unsupported(name)


def _graph(inst: Instance, numeric: dict[str, fast.PartCard]) -> fast.GraphData | None:
    """The graph as data, or None where a formula, a given or a part is beyond it."""
    try:
        return _graph_of(inst, numeric)
    except (_Unsupported, RecursionError):
        return None


def _graph_of(inst: Instance, numeric: dict[str, fast.PartCard]) -> fast.GraphData | None:
    from dlcheck.check.shapes import is_matrix  # lazy: as above
    from dlcheck.diagnose.carried import _through_parts  # lazy: as above

    nodes = {sym.name: _ir(expr) for sym, expr in inst.node_expr.items()}
    leaves = {sym.name: value for sym, value in inst.exact_givens().items()}
    if any(not isinstance(v, Fraction) for v in leaves.values()):
        return None
    deps = {sym.name: tuple(sorted(s.name for s in expr.free_symbols)) for sym, expr in inst.node_expr.items()}
    pins: dict[str, tuple[str, ...]] = {}
    for part, node in inst.part_node.items():
        placeholder = inst.named[node]
        pins[part] = tuple(s.name for s in (list(placeholder) if is_matrix(placeholder) else [placeholder]))
    refs: dict[str, tuple[int, int, tuple[str, ...]]] = {}
    through: dict[str, tuple[frozenset[str], dict[str, Any]]] = {}
    for pid in numeric:
        ref = inst.part_ref[pid]
        cells = list(ref) if is_matrix(ref) else [ref]
        if not all(getattr(c, "is_Symbol", False) for c in cells):
            return None
        refs[pid] = (ref.rows, ref.cols, tuple(c.name for c in cells)) if is_matrix(ref) else (1, 1, (ref.name,))
        through[pid] = _through_of(inst, pid, ref, _through_parts)
    return fast.GraphData(nodes, deps, leaves, pins, refs, through)


def _through_of(inst: Instance, pid: str, ref: Any, rewrite: Any) -> tuple[frozenset[str], dict[str, Any]]:
    """The earlier parts a product rewrite (diagnose.carried._through_parts) might use for ``pid``, and the
    rewritten formula of each part that alone does rewrite it."""
    from dlcheck.check.shapes import is_matrix  # lazy: as above

    if is_matrix(ref) or ref not in inst.node_expr:
        return frozenset(), {}
    ancestors = inst.ancestors(ref)
    could: set[str] = set()
    rewritten: dict[str, Any] = {}
    for part, node in inst.part_node.items():
        sym = inst.named[node]
        if is_matrix(sym) or sym in ancestors or sym not in inst.node_expr or not inst.node_expr[sym].is_Mul:
            continue
        could.add(part)
        formula = rewrite(inst, ref, [(part, {sym: 0})])
        if formula is not None:
            rewritten[part] = _ir(formula)
    return frozenset(could), rewritten
