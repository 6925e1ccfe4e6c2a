"""Exact evaluation through an instance's graph: what grading, error carried forward and the slips
compare with, and the memo it lives in.

A node's value is computed on demand from its shallow formula (:func:`resolver`, the one
way every caller walks the graph), at a working precision of ``dps`` digits, exact where
the arithmetic is rational. The values that depend on no answer (the givens, the plain
graph, a reference) are kept by the instance (:meth:`Instance.remember`), so a part checked
in a problem of a thousand parts does not evaluate the thousand again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from dlcheck.core.errors import UnknownSymbol
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import HP_DPS, Num, hp_value

Resolve = Callable[[Any], Num]


def resolver(inst: Instance, env: dict, dps: int, formulas: dict | None = None,
             shared: tuple[dict, Resolve] | None = None, touched: frozenset | set = frozenset()) -> Resolve:
    """A node's value at ``dps`` digits, through the graph on demand (each value kept in ``env``):
    ``formulas`` replace chosen nodes' own (a slip made everywhere); with ``shared`` (an env and its
    resolver), a node that nothing ``touched`` reaches takes its value from there."""
    nodes = inst.node_expr
    replaced = formulas or {}

    def resolve(sym: Any) -> Num:
        if sym not in nodes:
            raise UnknownSymbol(sym.name)
        if shared is not None and not inst.ancestors(sym) & touched:
            value = shared[0].get(sym)
            return value if value is not None else shared[1](sym)
        return hp_value(replaced.get(sym, nodes[sym]), env, resolve, dps)

    return resolve


def exact_value(inst: Instance, item: Any, overrides: dict | None = None, dps: int = HP_DPS) -> Any:
    """A placeholder's (or formula's) value through the graph, exact where the arithmetic is rational.

    ``overrides`` pin chosen nodes (a student's earlier answers, for error carried forward).
    Raises Undefined where there is no real value. Matrices give nested lists. Without overrides the
    value depends on no answer: it is computed once per instance (a reference, a spec's mistake).
    """
    if not overrides:
        cells = tuple(item) if isinstance(item, sp.MatrixBase) else (item,)
        found = inst.remember(("exact", cells, getattr(item, "shape", None), dps),
                              lambda: _exact_value(inst, item, None, dps))
        return [list(row) for row in found] if isinstance(found, list) else found
    return _exact_value(inst, item, overrides, dps)


def _exact_value(inst: Instance, item: Any, overrides: dict | None, dps: int) -> Any:
    resolve, env = node_resolver(inst, dps, overrides or {})
    if isinstance(item, sp.MatrixBase):
        return [[hp_value(item[i, j], env, resolve, dps) for j in range(item.cols)] for i in range(item.rows)]
    return hp_value(item, env, resolve, dps)


def node_resolver(inst: Instance, dps: int, pins: dict, rewritten: dict | None = None,
                  key: Any = None) -> tuple[Resolve, dict]:
    """(resolve, env) for evaluating through the graph at ``dps`` digits, with ``pins`` (node -> value:
    a student's earlier answers) and ``rewritten`` formulas (node -> formula: a slip made everywhere).

    A node the pins and rewrites cannot reach has the value it has with neither: those are kept once
    per instance and shared by every evaluation, so a part checked in a problem of a thousand parts
    does not evaluate the thousand again. With ``key`` (and no pins) the rewritten values are kept too.
    """
    base = inst.remember(("exact-env", dps), lambda: dict(inst.exact_givens()))
    plain = resolver(inst, base, dps)
    touched = set(pins) | set(rewritten or {})
    if not touched:
        return plain, base
    if any(sym not in inst.node_expr for sym in touched):  # a pinned leaf: its reach is not tracked
        alone = dict(inst.exact_givens())
        alone.update(pins)
        return resolver(inst, alone, dps, rewritten), alone
    if key is not None and not pins:
        env = inst.remember(("exact-env", dps, key), lambda: dict(inst.exact_givens()))
    else:
        env = dict(inst.exact_givens())
        env.update(pins)
    return resolver(inst, env, dps, rewritten, shared=(base, plain), touched=touched), env
