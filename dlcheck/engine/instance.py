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
import random
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from dlcheck.core.errors import ParseError, Undefined, UnknownSymbol
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.numeval import hp_value, numeval, numeval_any
from dlcheck.engine.variants import check_vary
from dlcheck.parse.functions import spec_functions, student_functions
from dlcheck.parse.latex import alias_key
from dlcheck.parse.safe import Parser

Prepare = Callable[["Instance", str, Any], None]
SPEC_MAX_LENGTH = 20000
SPEC_MAX_NODES = 20000

_DOMAIN_SAMPLERS = {
    "real": lambda r: r.choice((-1, 1)) * r.uniform(0.1, 2.0),
    "nonzero": lambda r: r.choice((-1, 1)) * r.uniform(0.2, 2.0),
    "positive": lambda r: r.uniform(0.1, 3.0),
    "negative": lambda r: -r.uniform(0.1, 3.0),
    "probability": lambda r: r.uniform(0.05, 0.95),
    "integer": lambda r: float(r.randint(1, 6)),
    "angle": lambda r: r.uniform(-3.0, 3.0),
}


ANSWER_MEMO = 4096  # decided answers an instance keeps (a class types far fewer distinct formulas)
MEMO_LIMIT = 20000  # entries an instance remembers; past it (formulas of many answers) it recomputes
_MISSING = object()


@dataclass(frozen=True)
class _Raised:
    exc: Exception


def _remember(memo: dict, key: Any, value: Any) -> Any:
    if len(memo) < MEMO_LIMIT:
        memo[key] = value
    return value


def _base(target: str) -> str:
    """``d_Z2`` of an alias target ``d_Z2[2]``."""
    return target.split("[", 1)[0].strip()


def element_names(name: str, shape: tuple[int, int]) -> list[list[str]]:
    """``v[1]`` for vectors, ``M[1,2]`` for matrices (1-based, as written on paper)."""
    rows, cols = shape
    if cols == 1 or rows == 1:
        flat = [[f"{name}[{k + 1}]"] for k in range(rows * cols)]
        return flat if cols == 1 else [[f"{name}[{k + 1}]" for k in range(cols)]]
    return [[f"{name}[{i + 1},{j + 1}]" for j in range(cols)] for i in range(rows)]


@dataclass
class Prepared:
    """What a part's kind keeps from load (:meth:`Instance.build`'s ``prepare``), for the layers above:
    a kind keeps more in a subclass of its own."""

    mistakes: list[Any] = field(default_factory=list)   # each spec mistake, prepared for the kind's ``same``
    shown: Any = None                                   # a display form of the reference, when the spec gives one
    informative: list[bool] | None = None               # per entry: may earn entry credit (not a structural constant)


NOTHING_PREPARED = Prepared()


@dataclass
class Instance:
    """The derived form of one problem (see module docstring)."""

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
        for pid, part in problem.parts.items():
            prepare(inst, pid, part)
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

    def _check_names(self) -> None:
        """Every alias stands for a name of the problem, every part scope lists real names."""
        known = set(self.leaves) | set(self.named)
        for target in self.spec.problem.aliases:
            if _base(target) not in known:
                raise self.spec.error(("aliases", target), f"alias for '{target}', which is not a name of this "
                                      f"problem; use one of {', '.join(sorted(known))}")
        for pid, part in self.spec.problem.parts.items():
            for k, name in enumerate(part.names or []):
                if name not in known:
                    raise self.spec.error(("parts", pid, "names", k), f"'{name}' is not a name of this problem; "
                                          f"use one of {', '.join(sorted(known))}")

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

    # -- parsing -------------------------------------------------------------------
    def spec_parser(self, names: dict | None = None) -> Parser:
        """The author's parser: the problem's names, plus diff/subs/argmax over this graph."""
        scope = dict(self.leaves)
        scope.update(self.named)
        if not self.author_rules:
            return Parser(scope if names is None else names, student_functions())
        fns = spec_functions()
        fns.update({"diff": self._diff, "subs": self._subs, "argmax": self._argmax, "argmax_over": self._argmax_over,
                    "max_over": self._max_over})
        return Parser(scope if names is None else names, fns, max_length=SPEC_MAX_LENGTH,
                      max_nodes=SPEC_MAX_NODES, subscripts=True)

    def parse_spec(self, text: str, loc: tuple, names: dict | None = None) -> Any:
        """A formula from the spec; a ParseError becomes a SpecError at ``loc``."""
        if names is None and text in self._read:
            return self._read[text]
        try:
            return self.spec_parser(names).parse(text)
        except ParseError as exc:
            raise self.spec.error(loc, f"{exc}; fix this formula") from None

    def student_names(self, pid: str) -> dict[str, Any]:
        """The names a student may write in an answer to part ``pid``.

        The problem's symbols and givens, its defined quantities (except ``internal``
        ones) and earlier parts, never the part itself: ``yhat`` is no answer to "what is
        yhat". A part that lists its ``names`` may use exactly those (internal ones
        included), still never itself or a later part. The single source of this rule:
        ``show`` lists exactly these.
        """
        names: dict[str, Any] = dict(self.leaves)
        own = self.part_node.get(pid)
        internal = set(self.spec.problem.internal)
        scope = self.spec.problem.parts[pid].names if pid in self.spec.problem.parts else None
        for name, placeholder in self.named.items():
            if name == own:
                break
            if scope is not None or name not in internal:
                names[name] = placeholder
        if scope is not None:
            names = {n: names[n] for n in scope if n in names}
        return names

    def student_aliases(self, names: dict[str, Any]) -> dict[str, str]:
        """The spellings a student may type (as alias_key writes them) -> the name they stand for,
        for the names in ``names`` only."""
        out: dict[str, str] = {}
        for target, alias in self.spec.problem.aliases.items():
            if _base(target) in names:
                for spelling in alias.typed:
                    out[alias_key(spelling)] = target
        return out

    def student_parser(self, pid: str, with_names: bool) -> Parser:
        """The parser for a student's answer; ``with_names=False`` reads numbers only."""
        names = self.student_names(pid) if with_names else {}
        functions = student_functions()
        if any(isinstance(v, sp.MatrixBase) for v in names.values()):
            # answers over vectors and matrices may transpose (W^T) and take outer products
            author = spec_functions()
            functions.update({"transpose": author["transpose"], "outer": author["outer"]})
        return Parser(names, functions, aliases=self.student_aliases(names), loose_names=True,
                      subscripts=True)

    # -- derivatives ---------------------------------------------------------------
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

    # -- numbers -------------------------------------------------------------------
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

    def remember(self, key: Any, compute: Callable[[], Any], shape: bool = False) -> Any:
        """What does not depend on any answer, computed once for this instance: ``compute()`` the first
        time ``key`` is asked for (an exception it raises is remembered and raised again). ``shape``:
        it depends on the graph alone and is shared with the students' variants; else on the given
        values too."""
        memo = self._shape_memo if shape else self._value_memo
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = compute()
            except (Undefined, UnknownSymbol, ParseError) as exc:
                found = _Raised(exc)
            _remember(memo, key, found)
        if isinstance(found, _Raised):
            raise found.exc
        return found

    def remember_answer(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The outcome of checking one answer, kept for the next student who types the same one (it
        depends on nothing else); at most ``ANSWER_MEMO`` answers per instance."""
        found = self._answer_memo.get(key, _MISSING)
        if found is _MISSING:
            found = compute()
            if len(self._answer_memo) < ANSWER_MEMO:
                self._answer_memo[key] = found
        return found

    def _leaf_dependent(self) -> list[sp.Symbol]:
        """The nodes, in order, whose value depends on a leaf without a given value."""
        found = self._shape_memo.get("leaf-dependent")
        if found is None:
            found = self._shape_memo["leaf-dependent"] = [s for s, e in self.node_expr.items()
                                                          if self.free_leaves(e)]
        return found

    def is_numeric(self, pid: str) -> bool:
        key = ("numeric", pid)
        if key not in self._shape_memo:
            ref = self.part_ref.get(pid)
            self._shape_memo[key] = ref is not None and not self.free_leaves(ref)
        return self._shape_memo[key]

    def env(self, leaf_values: dict | None = None, overrides: dict | None = None) -> dict:
        """Float value of every leaf and node; ``overrides`` pin chosen nodes.

        A node that depends on a leaf with no value (a symbol of a formula part) is NaN.
        The plain call (no leaf values, no overrides) does not depend on any answer and
        is computed once; callers must not modify the dict it returns.
        """
        if not leaf_values and not overrides:
            if self._base_env is None:
                self._base_env = self._compute_env(None, None)
            return self._base_env
        return self._compute_env(leaf_values, overrides)

    def _compute_env(self, leaf_values: dict | None, overrides: dict | None) -> dict:
        if leaf_values and not overrides and not leaf_values.keys() & self.given_values.keys():
            # a sample point: only the nodes that depend on a leaf without a value change; the rest
            # are the sheet's numbers, already in the plain env
            point = dict(self.env())
            point.update(leaf_values)
            for sym in self._leaf_dependent():
                try:
                    point[sym] = numeval(self.node_expr[sym], point)
                except (Undefined, UnknownSymbol):
                    point[sym] = float("nan")
            return point
        env: dict = {s: float(v) for s, v in self.given_values.items()}
        if leaf_values:
            env.update(leaf_values)
        overrides = overrides or {}
        for sym, expr in self.node_expr.items():
            if sym in overrides:
                env[sym] = overrides[sym]
                continue
            try:
                env[sym] = numeval(expr, env)
            except (Undefined, UnknownSymbol):  # no real value here, or a leaf without one
                env[sym] = float("nan")
        return env

    def env_rewritten(self, formulas: dict) -> dict:
        """Float value of every leaf and node with ``formulas`` (node -> formula) in place of those nodes'
        own: a slip made everywhere. Only the nodes they reach are evaluated again; no real value is NaN."""
        touched = set(formulas)
        env = dict(self.env())
        for sym, expr in self.node_expr.items():
            if self.ancestors(sym) & touched:
                try:
                    env[sym] = numeval(formulas.get(sym, expr), env)
                except (Undefined, UnknownSymbol):
                    env[sym] = float("nan")
        return env

    def prepared_for(self, pid: str) -> Prepared:
        """What part ``pid``'s kind prepared (nothing, for a part whose kind keeps nothing)."""
        return self.prepared.get(pid, NOTHING_PREPARED)

    def exact_givens(self) -> dict[sp.Symbol, Any]:
        """The given values, exact (Fractions; a high-precision number for an irrational one), once per
        instance: every exact evaluation through the graph starts from them (:mod:`dlcheck.engine.exact`)."""
        if self._exact_givens is None:
            found = {}
            for s, v in self.given_values.items():
                try:
                    found[s] = hp_value(v, {}, None, 60)
                except Undefined:
                    continue
            self._exact_givens = found
        return self._exact_givens

    def value(self, item: Any, env: dict | None = None) -> Any:
        """Float (or nested list) value of a placeholder or formula."""
        return numeval_any(item, self.env() if env is None else env)

    def sample_envs(self, seed_text: str, count: int, symbols: Iterable[sp.Symbol] = ()) -> list[dict]:
        """Seeded random points for the free leaves (each in its declared domain).

        They depend on the seed and the problem only, so they are computed once per instance;
        callers must not modify them."""
        symbols = frozenset(symbols)
        key = ("samples", seed_text, count, symbols)
        found = self._value_memo.get(key)
        if found is None:
            found = _remember(self._value_memo, key, self._sample_envs(seed_text, count, symbols))
        return found

    def _sample_envs(self, seed_text: str, count: int, symbols: frozenset[sp.Symbol]) -> list[dict]:
        rng = random.Random(zlib.crc32(seed_text.encode()))
        free = sorted({*self.domains, *symbols} - set(self.given_values), key=lambda s: s.name)
        envs = []
        for _ in range(count):
            leaf_values = {s: _DOMAIN_SAMPLERS[self.domains.get(s, "real")](rng) for s in free}
            envs.append(self.env(leaf_values))
        return envs

    def expand(self, expr: Any) -> Any:
        """``expr`` with every node's formula substituted until only leaves remain."""
        subs: dict = {}
        for sym, node in self.node_expr.items():  # ordered: earlier nodes are ready
            subs[sym] = node.xreplace(subs)
        return expr.xreplace(subs)

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

