"""The names of an instance: who may write which name where (a student's scope per part, their
spellings, the author's wider vocabulary), and the parsers that read with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from dlcheck.core.errors import ParseError
from dlcheck.parse.functions import spec_functions, student_functions
from dlcheck.parse.latex import alias_key
from dlcheck.parse.safe import Parser

SPEC_MAX_LENGTH = 20000
SPEC_MAX_NODES = 20000


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

    def graph_functions(self) -> dict[str, Callable[..., Any]]:
        """The author's functions over the graph (diff, subs, argmax, ...): the instance's."""
        return {}

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
