"""A problem instance: givens, ordered definitions and part references as one graph.

Every given, definition and part answer becomes a *node*: a sympy symbol standing for
it, plus its *shallow* formula in terms of earlier nodes (``out_h1 -> sigmoid(net_h1)``).
Keeping formulas shallow is what makes the rest possible:

- ``diff(E, w5)`` is the total derivative by the chain rule over the graph, written back
  in terms of the intermediate quantities (``(out_y1 - t1)*out_y1*(1 - out_y1)*out_h1``),
  which is the worked solution a student would write, and what ``explain`` shows;
- numbers come from evaluating nodes in order, so the values a student typed for
  earlier parts can replace the true ones (error carried forward) without re-deriving;
- formulas are compared by evaluating the same graph at random points.

Vector and matrix quantities become matrices of element nodes (``h1[1]``, ``W_hh[1,2]``).

The engine knows nothing of part kinds: :meth:`Instance.build` takes a ``prepare``
callback (the check layer's registry) that turns each part into graph nodes and
whatever else its kind needs, stored in :attr:`Instance.prepared`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from dlcheck.core.errors import ParseError, SpecError, raise_all
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.graph import element_names
from dlcheck.engine.numeval import numeval
from dlcheck.engine.scope import Scope, prompt_derivatives  # noqa: F401 (read from here too)
from dlcheck.engine.values import Values
from dlcheck.engine.variants import check_vary

Prepare = Callable[["Instance", str, Any], None]


@dataclass
class Prepared:
    """What a part's kind keeps from load (:meth:`Instance.build`'s ``prepare``), for the layers above:
    a kind keeps more in a subclass of its own."""

    mistakes: list[Any] = field(default_factory=list)   # each spec mistake, prepared for the kind's ``same``
    shown: Any = None                                   # a display form of the reference, when the spec gives one
    informative: list[bool] | None = None               # per entry: may earn entry credit (not a structural constant)


NOTHING_PREPARED = Prepared()


@dataclass
class Instance(Values, Scope):
    """The derived form of one problem (see module docstring): its graph (:mod:`dlcheck.engine.graph`),
    numbers (:mod:`dlcheck.engine.values`) and names (:mod:`dlcheck.engine.scope`)."""

    spec: Any
    leaves: dict[str, Any] = field(default_factory=dict)       # symbols and givens
    domains: dict[sp.Symbol, str] = field(default_factory=dict)
    given_values: dict[sp.Symbol, Any] = field(default_factory=dict)
    node_expr: dict[sp.Symbol, Any] = field(default_factory=dict)  # ordered
    named: dict[str, Any] = field(default_factory=dict)        # defines and part nodes
    shallow: dict[str, Any] = field(default_factory=dict)      # name -> shallow formula
    part_ref: dict[str, Any] = field(default_factory=dict)     # part id -> placeholder
    part_node: dict[str, str] = field(default_factory=dict)    # part id -> node name
    prepared: dict[str, Prepared] = field(default_factory=dict)  # part id -> what its kind prepared
    reverse: dict[Any, sp.Symbol] = field(default_factory=dict)
    author_rules: bool = True      # specs parse with the author's wider vocabulary
    # the author's own proofs (a known solution simulated, ...): run by validate and the tests;
    # grading skips them, they say nothing about an answer
    self_checks: bool = True
    value_dependent: bool = False  # a formula was derived from given values (argmax): variants rebuild
    _base_env: dict | None = field(default=None, repr=False)
    # answer-independent results, kept for the instance's life: structure (shared with variants)
    # and values (per set of given values)
    _shape_memo: dict = field(default_factory=dict, repr=False)
    _value_memo: dict = field(default_factory=dict, repr=False)
    # answers already decided (the same formula typed by many students of a class), bounded apart
    # from the answer-independent memos so that a class cannot crowd them out
    _answer_memo: dict = field(default_factory=dict, repr=False)
    _read: dict = field(default_factory=dict, repr=False)   # formulas already parsed by the caller of build
    _exact_givens: dict | None = field(default=None, repr=False)  # the given values, exact (per variant)

    # -- building ------------------------------------------------------------------
    @classmethod
    def build(cls, spec: Any, prepare: Prepare, author_rules: bool = True, self_checks: bool = True,
              read: dict[str, Any] | None = None) -> Instance:
        """Derive ``spec``: symbols, givens, definitions in order, then each part via ``prepare``.

        ``read`` holds formulas of the spec the caller has already parsed with this instance's
        rules (``compare`` reads its expected text to choose the part's kind), by their text."""
        inst = cls(spec, author_rules=author_rules, self_checks=self_checks)
        inst._read = dict(read or {})
        problem = spec.problem
        for name, domain in problem.symbols.items():
            sym = sp.Symbol(name, real=True)
            inst.leaves[name] = sym
            inst.domains[sym] = domain
        for name, raw in problem.given.items():
            inst._add_given(name, raw)
        for name, text in problem.define.items():
            inst.check_new_name(name, ("define", name))
            value = inst.parse_spec(text, ("define", name))
            inst.add_node(name, value)
        errors: list[SpecError] = []   # every part's error in one run (validate), not the first only
        failed: list[str] = []
        for pid, part in problem.parts.items():
            try:
                prepare(inst, pid, part)
            except SpecError as exc:
                if not any(f"'{f}'" in exc.message for f in failed):  # not an echo of an earlier part's error
                    errors.append(exc)
                failed.append(pid)
        raise_all(errors)  # type: ignore[arg-type]
        inst._check_names()
        check_vary(inst)
        return inst

    def with_givens(self, values: dict[str, str], spec: Any) -> Instance:
        """The same problem with other given values (a student's variant): the graph, the derived
        formulas and what each kind prepared are shared; only numbers are recomputed."""
        twin = copy.copy(self)
        twin.spec = spec
        twin.given_values = dict(self.given_values)
        for name, text in values.items():
            value = self.parse_spec(text, ("vary", name), names={})
            leaf = self.leaves[name]
            if isinstance(leaf, sp.MatrixBase):
                for s, v in zip(leaf, value):
                    twin.given_values[s] = v
            else:
                twin.given_values[leaf] = value
        twin._base_env, twin._exact_givens = None, None
        twin._value_memo, twin._answer_memo = {}, {}
        return twin


    def check_new_name(self, name: str, loc: tuple) -> None:
        if name in self.leaves or name in self.named:
            raise self.spec.error(loc, f"'{name}' is defined twice (as a symbol, given, define or part); rename one")

    def _add_given(self, name: str, raw: Any) -> None:
        self.check_new_name(name, ("given", name))
        value = self.parse_spec(raw_text(raw), ("given", name), names={})
        if isinstance(value, sp.MatrixBase):
            syms = sp.Matrix([[sp.Symbol(n, real=True) for n in row]
                              for row in element_names(name, value.shape)])
            for s, v in zip(syms, value):
                self.given_values[s] = v
            self.leaves[name] = syms
        else:
            sym = sp.Symbol(name, real=True)
            self.given_values[sym] = value
            self.leaves[name] = sym
        if any(v.free_symbols for v in (value if isinstance(value, sp.MatrixBase) else [value])):
            raise self.spec.error(("given", name), f"given '{name}' must be a number, vector or matrix of numbers")


    def add_part_node(self, pid: str, answer: Any) -> Any:
        """The graph node of a part whose answer is a formula: a defined quantity it names, or a new node."""
        text = raw_text(answer).strip()
        if text in self.named:  # the part asks for a defined quantity
            self.part_node[pid] = text
            self.part_ref[pid] = self.named[text]
        else:
            self.check_new_name(pid, ("parts", pid))
            value = self.parse_spec(text, ("parts", pid, "answer"))
            self.part_ref[pid] = self.add_node(pid, value)
            self.part_node[pid] = pid
        return self.part_ref[pid]

    # -- the author's functions over the graph --------------------------------------
    def graph_functions(self) -> dict[str, Callable[..., Any]]:
        return {"diff": self._diff, "subs": self._subs, "argmax": self._argmax, "argmax_over": self._argmax_over,
                "max_over": self._max_over}

    def _diff(self, *args: Any) -> Any:
        if len(args) != 2:
            raise ParseError("diff takes (quantity, variable)")
        f, x = args
        if isinstance(x, sp.MatrixBase):
            if isinstance(f, sp.MatrixBase):
                raise ParseError("diff of a vector by a vector is not supported; take one component")
            return x.applyfunc(lambda xi: self.total_diff(f, xi))
        if not isinstance(x, sp.Symbol):
            raise ParseError("diff needs a variable: a symbol, a given, or a defined quantity")
        if isinstance(f, sp.MatrixBase):
            return f.applyfunc(lambda fi: self.total_diff(fi, x))
        return self.total_diff(f, x)

    def prepared_for(self, pid: str) -> Prepared:
        """What part ``pid``'s kind prepared (nothing, for a part whose kind keeps nothing)."""
        return self.prepared.get(pid, NOTHING_PREPARED)

    def _subs(self, *args: Any) -> Any:
        """subs(quantity, symbol, value): the quantity written out in leaves, then substituted."""
        if len(args) != 3 or not isinstance(args[1], sp.Symbol) or args[1] in self.node_expr:
            raise ParseError("subs takes (quantity, symbol, value) with a symbol or given as the second argument")
        expr, var, value = args

        def one(e: Any) -> Any:
            # expanding trig arguments lets sympy see sin(a + pi/2) = cos(a)
            return self.expand(e).xreplace({var: value}).replace(
                lambda f: isinstance(f, (sp.sin, sp.cos, sp.tan)), lambda f: f.func(sp.expand(f.args[0])))
        return expr.applyfunc(one) if isinstance(expr, sp.MatrixBase) else one(expr)

    def _argmax(self, *args: Any) -> Any:
        self.value_dependent = True
        (v,) = args
        values = [numeval(e, self.env()) for e in v]
        return sp.Integer(values.index(max(values)) + 1)

    def _scan(self, args: tuple) -> tuple[float, float]:
        self.value_dependent = True
        expr, var, lo, hi = args
        env = self.env()
        f = lambda t: numeval(expr, {**env, var: t})  # noqa: E731
        lo, hi = float(lo), float(hi)
        grid = [lo + (hi - lo) * k / 2000 for k in range(2001)]
        best = max(grid, key=f)
        a, b = best - (hi - lo) / 2000, best + (hi - lo) / 2000
        for _ in range(100):  # golden-section refinement
            c, d = b - (b - a) / 1.618033988749895, a + (b - a) / 1.618033988749895
            if f(c) > f(d):
                b = d
            else:
                a = c
        t = (a + b) / 2
        return t, f(t)

    def _argmax_over(self, *args: Any) -> Any:
        t, _ = self._scan(args)
        return sp.Float(round(t, 6))

    def _max_over(self, *args: Any) -> Any:
        _, value = self._scan(args)
        return sp.Float(value)

