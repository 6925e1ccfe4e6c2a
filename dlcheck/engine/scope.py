"""The names of an instance: who may write which name where (a student's scope per part, their
spellings, the author's wider vocabulary), and the parsers that read with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sympy as sp

from dlcheck.core.errors import ParseError, raise_all
from dlcheck.core.suggest import did_you_mean
from dlcheck.core.yamlio import raw_text
from dlcheck.parse.functions import spec_functions, student_functions
from dlcheck.parse.latex import alias_key
from dlcheck.parse.safe import Parser

SPEC_MAX_LENGTH = 20000
SPEC_MAX_NODES = 20000


_FIXED_INDEX = re.compile(r"\bfor ([A-Za-z]) = (\d{1,3})\b")   # "dL/dh_0 for t = 3": the part fixes t

_PROMPT_LABEL = re.compile(r"^\s*(?:\([^()]{1,3}\)\s*)?")
_DERIVATIVE = r"d[A-Za-z][\w^\[\]{}]*/d[A-Za-z][\w^\[\]{}]*"
_PROMPT_DERIVATIVE = re.compile(rf"({_DERIVATIVE})(?:\s*=\s*\[([^\[\]]*)\])?")


def prompt_derivatives(pid: str, prompt: str) -> list[tuple[str, str]]:
    """The derivative a part's prompt asks for, as (spelling, part): ``df/dz2_1`` names the part
    ``d_z2_1``, and ``df/dZ2 = [df/dz2_1, df/dz2_2]`` its entries too (``d_Z2[1]``, ``d_Z2[2]``), so a
    student's later ``\\frac{\\partial f}{\\partial z_1^{[2]}}`` or ``∂f/∂z_1^{[2]}`` is that part's value."""
    m = _PROMPT_DERIVATIVE.match(prompt, _PROMPT_LABEL.match(prompt).end())  # type: ignore[union-attr]
    if m is None:
        return []
    out = [(m.group(1), pid)]
    if m.group(2):
        entries = [e.strip() for e in m.group(2).split(",")]
        if all(re.fullmatch(_DERIVATIVE, e) for e in entries):
            out += [(e, f"{pid}[{k}]") for k, e in enumerate(entries, 1)]
    return out


def _base(target: str) -> str:
    """``d_Z2`` of an alias target ``d_Z2[2]``."""
    return target.split("[", 1)[0].strip()


class Scope:
    """The name-scope part of :class:`dlcheck.engine.instance.Instance` (whose fields these are)."""

    spec: Any
    leaves: dict[str, Any]
    named: dict[str, Any]
    part_node: dict[str, str]
    author_rules: bool
    _read: dict
    free_leaves: Callable[[Any], frozenset[Any]]   # the graph's (a declaration: Graph defines it)

    def graph_functions(self) -> dict[str, Callable[..., Any]]:
        """The author's functions over the graph (diff, subs, argmax, ...): the instance's."""
        return {}

    def _check_names(self) -> None:
        """Every alias stands for a name of the problem (or a function: the sheet's g for sigmoid), every
        part scope lists real names; every one wrong in one run, each with the name it could have meant."""
        known = set(self.leaves) | set(self.named)
        names = ", ".join(sorted(known))
        errors = []
        for target in self.spec.problem.aliases:
            if _base(target) not in known and target not in student_functions():
                errors.append(self.spec.error(("key", "aliases", target), f"alias for '{target}', which is not a "
                                              f"name of this problem{did_you_mean(_base(target), known)}; use one "
                                              f"of {names}"))
        for pid, part in self.spec.problem.parts.items():
            for k, name in enumerate(part.names or []):
                if name not in known:
                    errors.append(self.spec.error(("parts", pid, "names", k), f"'{name}' is not a name of this "
                                                  f"problem{did_you_mean(name, known)}; use one of {names}"))
        raise_all(errors)

    # -- parsing -------------------------------------------------------------------
    def spec_parser(self, names: dict | None = None) -> Parser:
        """The author's parser: the problem's names, plus diff/subs/argmax over this graph."""
        scope = dict(self.leaves)
        scope.update(self.named)
        if not self.author_rules:
            return Parser(scope if names is None else names, student_functions())
        fns = spec_functions()
        fns.update(self.graph_functions())
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
        for pid, part in self.spec.problem.parts.items():  # a part asked as df/dz2_1 is written so
            if pid in names:
                for spelling, target in prompt_derivatives(pid, getattr(part, "prompt", "") or ""):
                    out.setdefault(alias_key(spelling), target)
        return out

    def student_parser(self, pid: str, with_names: bool) -> Parser:
        """The parser for a student's answer; ``with_names=False`` reads numbers only."""
        names = self.student_names(pid) if with_names else {}
        functions = student_functions()
        if any(isinstance(v, sp.MatrixBase) for v in names.values()):
            # answers over vectors and matrices may transpose (W^T) and take outer products
            author = spec_functions()
            functions.update({"transpose": author["transpose"], "outer": author["outer"]})
        for target, alias in self.spec.problem.aliases.items():  # the sheet's g for sigmoid: g(z), g'(z)
            if target in functions:
                for spelling in (t for t in alias.typed if t.isidentifier() and t not in names):
                    functions[spelling] = functions[target]
                    if f"d{target}" in functions:
                        functions[f"d{spelling}"] = functions[f"d{target}"]
        activation = self._activation()
        if activation and "g" not in names and "g" not in functions:
            # the sheets write a layer's activation as g (a = g(z), g'(z)): the one this problem uses
            functions["g"] = functions[activation]
            if f"d{activation}" in functions:
                functions["dg"] = functions[f"d{activation}"]
        kind = getattr(self.spec.problem.parts.get(pid), "kind", "")
        expects = "list" if kind in ("vector", "matrix") else "scalar" if kind in ("number", "expression") else ""
        prompt = getattr(self.spec.problem.parts.get(pid), "prompt", "") or ""
        indices = {m[1]: int(m[2]) for m in _FIXED_INDEX.finditer(prompt) if m[1] not in names}
        applied = {n: frozenset(str(s) for s in self.free_leaves(names[n]))   # f(x) is f, x among its inputs
                   for n in self.spec.problem.define if n in names and n not in functions}
        return Parser(names, functions, aliases=self.student_aliases(names), loose_names=True,
                      subscripts=True, expects=expects, indices=indices, applied=applied)

    def _activation(self) -> str:
        """The one activation (sigmoid, tanh, relu) the problem's definitions apply, or ''."""
        used = {m for text in self.spec.problem.define.values()
                for m in re.findall(r"\b(sigmoid|tanh|relu)\s*\(", raw_text(text))}
        return used.pop() if len(used) == 1 else ""
