"""``dlcheck compare``: two typed expressions, checked as a one-part problem.

The expected text becomes the answer of a one-part spec whose symbols are every name
either side uses (all real), and the answer goes through the very checker ``grade``
uses. The expected text is read with a student's rules, not an author's: both sides
are typed by whoever runs the command.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from dlcheck.check.registry import build_instance, part_models
from dlcheck.core.errors import ParseError, Undefined
from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.yamlio import Located
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import numeval_any
from dlcheck.parse.functions import student_functions
from dlcheck.parse.safe import Parser
from dlcheck.parse.text import normalize, tokenize
from dlcheck.spec.reader import spec_from_data

PART = "answer"


def _names(text: str, functions: Any) -> set[str]:
    try:
        return {v for k, v, _ in tokenize(normalize(text)) if k == "name" and v not in functions
                and v not in ("pi", "e")}
    except ParseError:
        return set()


def compare_instance(expected: str, answer: str, rtol: float | None = None,
                     atol: float | None = None) -> Instance | Verdict:
    """A one-part instance whose part's answer is ``expected``, or an invalid verdict."""
    fns = student_functions()
    names = sorted(_names(expected, fns) | _names(answer, fns))

    def invalid(message: str) -> Verdict:
        return Verdict(PART, Status.INVALID, 0.0, 1.0, message, answer, expected)

    if not answer.strip():
        return invalid("answer is not valid: empty answer")
    try:
        ref = Parser({n: sp.Symbol(n, real=True) for n in names}, fns).parse(expected)
    except ParseError as exc:
        return invalid(f"expected is not valid: {exc}")
    if not any(c.free_symbols for c in (ref if isinstance(ref, sp.MatrixBase) else [ref])):
        try:
            numeval_any(ref, {})
        except Undefined:
            return invalid("expected has no finite real value")
    if isinstance(ref, sp.MatrixBase):
        kind = "vector" if 1 in ref.shape else "matrix"
    else:
        kind = "expression" if names else "number"
    part: dict[str, Any] = {"kind": kind, "prompt": "compare", "answer": expected}
    if rtol is not None or atol is not None:
        part["tolerance"] = {"rtol": rtol, "atol": atol}
    data = {"title": "compare", "statement": "", "symbols": {n: "real" for n in names}, "parts": {PART: part}}
    spec = spec_from_data(Located(data, {}, "<compare>"), "compare", part_models())
    return build_instance(spec, author_rules=False)
