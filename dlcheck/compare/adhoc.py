"""``dlcheck compare``: two typed expressions, no problem file. Every name is a real symbol."""

from __future__ import annotations

from dlcheck.compare.numeric import Tol, fmt
from dlcheck.errors import ParseError
from dlcheck.verdict import Verdict


def _names(text: str, functions) -> set[str]:
    from dlcheck.parse.text import normalize, tokenize

    try:
        return {v for k, v, _ in tokenize(normalize(text)) if k == "name" and v not in functions
                and v not in ("pi", "e")}
    except ParseError:
        return set()


def compare_texts(expected: str, answer: str, rtol: float | None = None, atol: float | None = None) -> Verdict:
    import sympy as sp

    from dlcheck.compare.symbolic import equivalent
    from dlcheck.compare.value import as_grid, fit_shape
    from dlcheck.render import plain
    from dlcheck.engine.instance import Instance
    from dlcheck.engine.numeval import Undefined, numeval
    from dlcheck.mathfns import student_functions
    from dlcheck.parse.safe import Parser

    fns = student_functions()
    inst = Instance(spec=None)
    for name in sorted(_names(expected, fns) | _names(answer, fns)):
        inst.leaves[name] = sp.Symbol(name, real=True)
        inst.domains[inst.leaves[name]] = "real"
    parser = Parser(inst.leaves, fns)
    verdict = Verdict("compare", "incorrect", 0.0, 1.0, answer=answer, expected=expected)
    values = []
    for side, text in (("expected", expected), ("answer", answer)):
        try:
            values.append(parser.parse(text))
        except ParseError as exc:
            verdict.status, verdict.message = "invalid", f"{side} is not valid: {exc}"
            return verdict
    ref, given = values
    given, problem = fit_shape(given, ref, "matrix" if isinstance(ref, sp.MatrixBase) else "expression")
    if problem:
        verdict.status, verdict.message = "invalid", problem
        return verdict
    tol = Tol() if rtol is None and atol is None else Tol(rtol=rtol or 0.0, atol=max(atol or 0.0, 1e-12))
    for i, (grow, rrow) in enumerate(zip(as_grid(given), as_grid(ref))):
        for j, (g, r) in enumerate(zip(grow, rrow)):
            where = "" if not isinstance(ref, sp.MatrixBase) else f" at entry ({i + 1},{j + 1})"
            if not (g.free_symbols | r.free_symbols):
                try:
                    gv, rv = numeval(g, {}), numeval(r, {})
                except Undefined:
                    verdict.status, verdict.message = "invalid", "a side has no finite real value"
                    return verdict
                if not tol.accepts(gv, rv):
                    verdict.message = f"{fmt(gv)} differs from {fmt(rv)}{where} (tolerance {tol.describe()})"
                    return verdict
                continue
            outcome = equivalent(inst, g, r, "compare")
            if outcome.equal is None:
                verdict.status, verdict.message = "undecided", f"could not decide{where}"
                return verdict
            if not outcome.equal and outcome.how == "undefined":
                verdict.message = f"the answer has no real value at any sample point{where}"
                return verdict
            if not outcome.equal:
                point = ", ".join(f"{k}={fmt(v, 4)}" for k, v in (outcome.point or {}).items())
                verdict.message = (f"not equivalent{where}: at {point} the answer is {fmt(outcome.values[0], 5)}, "
                                   f"expected {fmt(outcome.values[1], 5)}")
                verdict.detail = {"point": outcome.point, "values": list(outcome.values)}
                return verdict
    verdict.status, verdict.score = "correct", 1.0
    verdict.message = "equivalent" if any(v.free_symbols for v in as_grid(ref)[0]) else "equal within tolerance"
    verdict.expected = plain(ref)
    return verdict
