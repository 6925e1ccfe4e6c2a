"""``dlcheck compare``: two typed expressions, checked as a one-part problem.

The expected text becomes the answer of a one-part spec whose symbols are every name
either side uses (all real), and the answer goes through the very checker ``grade``
uses. The expected text is read with a student's rules, not an author's: both sides
are typed by whoever runs the command. A multi-letter name that is only ever followed
by ``(`` is a function call (``sigmod(z)`` is a typo of a function, not a symbol).

No tolerance applies unless one is asked for: ``rtol``/``atol`` (exact decimals) or
``sigfigs`` (STACK's NumSigFigs, see :mod:`dlcheck.check.tolerance`).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from dlcheck.check.kinds.value import Prepared as ValuePrepared
from dlcheck.check.registry import build_instance, part_models
from dlcheck.check.tolerance import read_options
from dlcheck.core.errors import ParseError, Undefined
from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.yamlio import Located
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import hp_value_any
from dlcheck.parse.functions import student_functions
from dlcheck.parse.latex import latex_to_plain, looks_like_latex
from dlcheck.parse.safe import Parser
from dlcheck.parse.text import is_transposable, normalize, tokenize
from dlcheck.spec.model import Tolerance
from dlcheck.spec.reader import spec_from_data

PART = "answer"


def _names(text: str, functions: Any) -> set[str]:
    """The symbols a text uses: every name that is not a function, except a call-only multi-letter one."""
    try:
        plain = latex_to_plain(text) if looks_like_latex(text) else text  # \frac{a}{b}: the names a and b
        tokens = tokenize(normalize(plain))
    except ParseError:
        return set()
    called: set[str] = set()
    used: set[str] = set()
    for k, (kind, value, _) in enumerate(tokens):
        if kind != "name" or value in functions or value in ("pi", "e"):
            continue
        if value == "T" and k > 1 and tokens[k - 1][1] in ("^", "**") and is_transposable(tokens[k - 2]):
            continue  # M^T: the transpose, not a power (e^T is one)
        followed = k + 1 < len(tokens) and tokens[k + 1][1] == "("
        (called if followed and len(value) > 1 else used).add(value)
    return used | {c for c in called if c in used}


def part_id(names: list[str] | set[str]) -> str:
    """The one part's id: ``answer``, unless a text uses that name for a symbol."""
    return next(p for p in (PART, *(f"{PART}_{k}" for k in range(1, len(names) + 2))) if p not in names)


def only_part(inst: Instance) -> str:
    return next(iter(inst.spec.problem.parts))


def tolerance_options(rtol: str | None = None, atol: str | None = None,
                      sigfigs: str | None = None) -> Tolerance | None:
    """The options of ``compare`` as an exact tolerance (ParseError names a malformed one)."""
    read = read_options(rtol, atol, sigfigs)
    if read is None:
        return None
    r, a, s = read
    return Tolerance.model_construct(rtol=r, atol=a, sigfigs=s)


def compare_instance(expected: str, answer: str, rtol: str | None = None, atol: str | None = None,
                     sigfigs: str | None = None) -> Instance | Verdict:
    """A one-part instance whose part's answer is ``expected``, or an invalid verdict."""
    fns = student_functions()
    names = sorted(_names(expected, fns) | _names(answer, fns))

    def invalid(message: str) -> Verdict:
        return Verdict(PART, Status.INVALID, 0.0, 1.0, message, answer, expected)

    try:
        tolerance = tolerance_options(rtol, atol, sigfigs)
    except ParseError as exc:
        return invalid(str(exc))
    if not answer.strip():
        return invalid("answer is not valid: empty answer")
    parser = Parser({n: sp.Symbol(n, real=True) for n in names}, fns)
    try:
        ref, guards, _ = parser.read(expected)
    except ParseError as exc:
        return invalid(f"expected is not valid: {exc}")
    cells = list(ref) if isinstance(ref, sp.MatrixBase) else [ref]
    if not any(c.free_symbols for c in cells):
        try:
            hp_value_any(ref)
        except Undefined:
            return invalid("expected has no finite real value")
    elif tolerance is not None and tolerance.sigfigs is not None:
        return invalid("--sigfigs compares numbers, and expected is a formula")
    if isinstance(ref, sp.MatrixBase):
        kind = "vector" if 1 in ref.shape else "matrix"
    else:
        kind = "expression" if names else "number"
    part: dict[str, Any] = {"kind": kind, "prompt": "compare", "answer": expected}
    pid = part_id(names)
    data = {"title": "compare", "statement": "", "symbols": {n: "real" for n in names}, "parts": {pid: part}}
    spec = spec_from_data(Located(data, {}, "<compare>"), "compare", part_models())
    spec.problem.parts[pid].tolerance = tolerance
    inst = build_instance(spec, author_rules=False, read={expected: ref})
    prepared = inst.prepared[pid]
    assert isinstance(prepared, ValuePrepared)  # a one-part problem of a value kind
    prepared.free_names = True
    prepared.expected = expected.strip()   # the reference as the user typed it (not reprinted for each pair)
    prepared.guards = list(guards)
    return inst
