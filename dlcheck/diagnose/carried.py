"""Error carried forward: a later part that is right given the student's own earlier values.

The problem's graph is re-evaluated -- exactly, like grading -- with the values the
student typed for earlier wrong parts pinned in place; if this part's answer then
matches, the student did this step right on wrong inputs, and the problem's
``carry_forward`` policy decides the credit. Pins reach through vectors (entry by
entry) and any number of steps of the graph.

A student also reuses quantities that are not parts: the output deltas behind
``dE_dw5 = out_h1 * delta1`` feed the hidden-layer gradients. So the reference may also
be re-expressed through earlier parts -- wherever it contains ``dE_dw5 / out_h1`` as a
product, that product is replaced -- and evaluated on the student's values, when the
step brings in inputs of its own (a later step, not a sibling of the earlier part).

Only the answers the value really depends on are cited: a pinned part reached only
through another pinned part is not. For the same reason a wrong answer is tried alone only
when the value reaches it directly (the student used the later answer, not a value
recomputed from the earlier one); this keeps a part's cost in proportion to what it
depends on, not to every wrong answer before it. What depends on the graph alone (what a
formula reaches, the reference re-expressed through earlier parts) is kept per problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dlcheck.check.shapes import cells, close, is_matrix
from dlcheck.check.tolerance import GRADE_DPS, Tol
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.core.verdict import Status, Verdict

if TYPE_CHECKING:
    from dlcheck.engine.instance import Instance

_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.CARRIED)


class Graph(Protocol):
    """What error carried forward asks of a problem's graph: the problem's derived instance
    (:class:`InstanceGraph`) or the numeric path's card of it (``grade/numeric.py``)."""

    def reference(self, pid: str) -> Any: ...                              # the part's value, as a formula
    def pins(self, part: str, value: Any) -> dict[Any, Any] | None: ...   # a part's nodes pinned to a value
    def through(self, pid: str, wrong: list[tuple[str, dict]]) -> Any | None: ...   # see _through_parts
    def reached(self, formula: Any, pinned: set) -> frozenset: ...
    def value(self, formula: Any, overrides: dict) -> Any: ...             # Undefined where none
    def close(self, given: Any, value: Any, tol: Tol) -> bool: ...


def carried_forward(inst: Instance, pid: str, given: Any, tol: Tol, earlier: dict[str, Verdict]) -> list[str]:
    """Earlier wrong parts whose values, used as the student used them, explain this one (only those
    the value depends on); empty when none do. See :func:`carried_message`."""
    return carried_in(InstanceGraph(inst), pid, given, tol, earlier)


def carried_in(graph: Graph, pid: str, given: Any, tol: Tol, earlier: dict[str, Verdict]) -> list[str]:
    """:func:`carried_forward` over any :class:`Graph`."""
    wrong: list[tuple[str, dict]] = []
    for other, verdict in earlier.items():
        if verdict.value is None or verdict.status not in _WRONG:
            continue
        pins = graph.pins(other, verdict.value)
        if pins is not None:
            wrong.append((other, pins))
    if not wrong:
        return []
    owner = {s: name for name, pins in wrong for s in pins}
    formulas = [graph.reference(pid)]
    rewritten = graph.through(pid, wrong)
    if rewritten is not None:
        formulas.append(rewritten)
    everything = {s for _, pins in wrong for s in pins}
    for formula in formulas:
        # all the wrong answers together, then each one the value reaches directly: one reached only
        # through another pinned answer cannot be what the student used (they used the later one)
        direct = graph.reached(formula, everything)
        trials = [wrong] + ([[w] for w in wrong if direct & set(w[1])] if len(wrong) > 1 else [])
        for trial in trials:
            overrides = {s: v for _, pins in trial for s, v in pins.items()}
            reached = direct if trial is wrong else graph.reached(formula, set(overrides))
            if not reached:
                continue
            try:
                carried = graph.value(formula, overrides)
            except (Undefined, UnknownSymbol):
                continue
            if graph.close(given, carried, tol):
                return sorted({owner[s] for s in reached}, key=list(earlier).index)
    return []


@dataclass
class InstanceGraph:
    """The derived instance's graph (exact evaluation at grading's precision)."""

    inst: Instance

    def reference(self, pid: str) -> Any:
        return self.inst.part_ref[pid]

    def pins(self, part: str, value: Any) -> dict[Any, Any] | None:
        node = self.inst.part_node.get(part)
        if node is None:
            return None
        placeholder = self.inst.named[node]
        syms = list(placeholder) if is_matrix(placeholder) else [placeholder]
        return dict(zip(syms, cells(value)))

    def through(self, pid: str, wrong: list[tuple[str, dict]]) -> Any | None:
        return _rewritten_through_parts(self.inst, pid, self.inst.part_ref[pid], wrong)

    def reached(self, formula: Any, pinned: set) -> frozenset:
        return _reached(self.inst, formula, pinned)

    def value(self, formula: Any, overrides: dict) -> Any:
        from dlcheck.engine.exact import exact_value  # lazy: the card's graph needs no sympy

        return exact_value(self.inst, formula, overrides, GRADE_DPS)

    def close(self, given: Any, value: Any, tol: Tol) -> bool:
        return close(given, value, tol)


def _rewritten_through_parts(inst: Instance, pid: str, ref: Any, wrong: list[tuple[str, dict]]) -> Any | None:
    """:func:`_through_parts`, once per part and set of wrong answers (it depends on which answers are
    wrong, not on their values)."""
    shape = tuple((name, tuple(pins)) for name, pins in wrong)
    return inst.remember(("through-parts", pid, shape), lambda: _through_parts(inst, ref, wrong), shape=True)


def _reached(inst: Instance, formula: Any, pinned: set) -> frozenset:
    """The pinned nodes ``formula`` depends on without passing through another pinned node (once per
    formula and set of pinned nodes: it depends on the graph alone)."""
    cells = tuple(formula) if is_matrix(formula) else (formula,)
    return inst.remember(("reached", cells, frozenset(pinned)),
                         lambda: frozenset(_walk_to_pins(inst, formula, pinned)), shape=True)


def _walk_to_pins(inst: Instance, formula: Any, pinned: set) -> set:
    items = list(formula) if is_matrix(formula) else [formula]
    return walk_to_pins([s for i in items for s in i.free_symbols], pinned,
                        lambda s: inst.node_expr[s].free_symbols if s in inst.node_expr else ())


def walk_to_pins(start: Iterable[Any], pinned: set, uses: Callable[[Any], Iterable[Any]]) -> set:
    """The pinned nodes reached from ``start`` through what each node ``uses`` (nothing for a given),
    stopping at each pinned one."""
    stack = list(start)
    seen: set = set()
    found: set = set()
    while stack:
        s = stack.pop()
        if s in seen:
            continue
        seen.add(s)
        if s in pinned:
            found.add(s)
        else:
            stack.extend(uses(s))
    return found


def _through_parts(inst: Instance, ref: Any, wrong: list[tuple[str, dict]]) -> Any | None:
    """The reference's formula with products that equal an earlier part divided by one of its
    factors replaced by that quotient (``(out_y1 - t1)*out_y1*(1 - out_y1)`` -> ``dE_dw5/out_h1``);
    None when nothing could be replaced."""
    if is_matrix(ref) or ref not in inst.node_expr:
        return None
    formula = inst.node_expr[ref]
    ancestors = inst.ancestors(ref)
    givens = set(inst.given_values)
    used_givens: set = set()
    changed = False
    for _, pins in wrong:
        if len(pins) != 1:
            continue
        (sym,) = pins
        if sym in ancestors or sym not in inst.node_expr:
            continue  # already reached by plain pinning
        part_formula = inst.node_expr[sym]
        if not part_formula.is_Mul:
            continue
        for factor in part_formula.args:
            if not factor.is_Symbol:
                continue
            rest = part_formula / factor
            if not rest.is_Mul:
                continue
            new = formula.subs(rest, sym / factor)
            if new != formula and sym in new.free_symbols:
                formula, changed = new, True
                used_givens |= part_formula.free_symbols & givens
                break
    # a later step brings in inputs of its own (the weights and inputs of the layer below);
    # a sibling of the earlier part (dE_dw8 beside dE_dw6, dE_db2 beside dE_dw5) does not,
    # and repeating the same slip there is no carried error
    if not changed or not (inst.node_expr[ref].free_symbols & givens) - used_givens:
        return None
    return formula


def carried_message(names: list[str]) -> str:
    """The sentence for a carried-forward verdict, naming exactly the answers it rests on."""
    if len(names) == 1:
        return f"consistent with your answer to {names[0]}: this step is right on your value"
    return f"consistent with your answers to {', '.join(names)}: this step is right on your values"
