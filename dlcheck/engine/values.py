"""The numbers of an instance: float values of every node (at the sheet's givens, at sample points,
with pins or a slip's rewritten formulas), seeded sample points, the exact givens, and the memo of
what depends on no answer (kept for the instance's life) and of answers already decided.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from dlcheck.core.errors import ParseError, Undefined, UnknownSymbol
from dlcheck.engine.graph import Graph
from dlcheck.engine.numeval import hp_value, numeval, numeval_any

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


class Values(Graph):
    """The numbers part of :class:`dlcheck.engine.instance.Instance` (whose fields these are)."""

    domains: dict[sp.Symbol, str]
    part_ref: dict[str, Any]
    _exact_givens: dict | None

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
