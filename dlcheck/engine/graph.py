"""The derivation graph of a problem: nodes (a symbol per given, definition and part answer) with
their shallow formulas, and what follows from the graph alone: the total derivative by the chain
rule, each node's ancestors and free leaves, a formula written out in leaves.
"""

from __future__ import annotations

from typing import Any

import sympy as sp


def element_names(name: str, shape: tuple[int, int]) -> list[list[str]]:
    """``v[1]`` for vectors, ``M[1,2]`` for matrices (1-based, as written on paper)."""
    rows, cols = shape
    if cols == 1 or rows == 1:
        flat = [[f"{name}[{k + 1}]"] for k in range(rows * cols)]
        return flat if cols == 1 else [[f"{name}[{k + 1}]" for k in range(cols)]]
    return [[f"{name}[{i + 1},{j + 1}]" for j in range(cols)] for i in range(rows)]


class Graph:
    """The graph part of :class:`dlcheck.engine.instance.Instance` (whose fields these are)."""

    leaves: dict[str, Any]
    given_values: dict[sp.Symbol, Any]
    node_expr: dict[sp.Symbol, Any]
    named: dict[str, Any]
    shallow: dict[str, Any]
    reverse: dict[Any, sp.Symbol]
    _base_env: dict | None
    _shape_memo: dict
    _value_memo: dict
    _answer_memo: dict

    def add_node(self, name: str, value: Any) -> Any:
        """A named quantity with its shallow formula; returns its placeholder (symbol or matrix)."""
        if isinstance(value, sp.MatrixBase):
            placeholder = sp.Matrix([[sp.Symbol(n, real=True) for n in row]
                                     for row in element_names(name, value.shape)])
            for s, v in zip(placeholder, value):
                self._set_node(s, v)
        else:
            placeholder = sp.Symbol(name, real=True)
            self._set_node(placeholder, value)
        self.named[name] = placeholder
        self.shallow[name] = value
        self._base_env = None
        self._shape_memo, self._value_memo, self._answer_memo = {}, {}, {}  # remembered while the graph was smaller
        return placeholder

    def _set_node(self, sym: sp.Symbol, expr: Any) -> None:
        self.node_expr[sym] = expr
        if isinstance(expr, sp.Function) and expr.args:
            self.reverse.setdefault(expr, sym)

    def total_diff(self, f: Any, x: sp.Symbol) -> Any:
        """df/dx through every path of the graph (chain rule), in intermediate terms."""
        memo: dict[sp.Symbol, Any] = {}

        def d(expr: Any) -> Any:
            out = sp.diff(expr, x)
            for s in expr.free_symbols:
                if s is not x and s in self.node_expr:
                    ds = dnode(s)
                    if ds != 0:
                        out += sp.diff(expr, s) * ds
            return out

        def dnode(s: sp.Symbol) -> Any:
            if s not in memo:
                memo[s] = d(self.node_expr[s])
            return memo[s]

        return d(f).xreplace(self.reverse)

    def free_leaves(self, value: Any) -> frozenset[sp.Symbol]:
        """Leaf symbols (no given value) that a formula depends on through the graph."""
        table = self._node_table()
        out: set = set()
        for item in (value if isinstance(value, sp.MatrixBase) else (value,)):
            for s in item.free_symbols:
                if s in table:
                    out |= table[s][1]
                elif s not in self.given_values:
                    out.add(s)
        return frozenset(out)

    def ancestors(self, value: Any) -> frozenset[sp.Symbol]:
        """Every node a formula depends on, directly or through other nodes."""
        table = self._node_table()
        if isinstance(value, sp.Symbol) and value in table:
            return table[value][0]
        out: set = set()
        for item in (value if isinstance(value, sp.MatrixBase) else (value,)):
            for s in item.free_symbols:
                if s in table:
                    out |= table[s][0]
        return frozenset(out)

    def _node_table(self) -> dict[sp.Symbol, tuple[frozenset, frozenset]]:
        """Each node's ancestors (itself included) and free leaves, built once in the graph's order from
        its parents' (so a problem of a thousand chained parts costs one pass, not one walk per part)."""
        table = self._shape_memo.get("node-table")
        if table is None or len(table) != len(self.node_expr):
            table = {}
            for sym, expr in self.node_expr.items():
                ancestors, leaves = {sym}, set()
                for s in expr.free_symbols:
                    if s in table:
                        ancestors |= table[s][0]
                        leaves |= table[s][1]
                    elif s not in self.given_values:
                        leaves.add(s)
                table[sym] = (frozenset(ancestors), frozenset(leaves))
            self._shape_memo["node-table"] = table
        return table

    def _leaf_dependent(self) -> list[sp.Symbol]:
        """The nodes, in order, whose value depends on a leaf without a given value."""
        found = self._shape_memo.get("leaf-dependent")
        if found is None:
            found = self._shape_memo["leaf-dependent"] = [s for s, e in self.node_expr.items()
                                                          if self.free_leaves(e)]
        return found

    def expand(self, expr: Any) -> Any:
        """``expr`` with every node's formula substituted until only leaves remain."""
        subs: dict = {}
        for sym, node in self.node_expr.items():  # ordered: earlier nodes are ready
            subs[sym] = node.xreplace(subs)
        return expr.xreplace(subs)
