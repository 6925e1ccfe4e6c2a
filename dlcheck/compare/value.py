"""Numbers, vectors, matrices and formulas (and matrices of formulas).

One comparer for the four kinds because they differ only in shape: a part's reference
is either numeric (every leaf it depends on has a given value) and compared within a
tolerance, or symbolic and compared by equivalence; vectors and matrices are checked
for shape, then entry by entry with the same scalar rule.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from dlcheck.compare.numeric import Tol, fmt, rel_error
from dlcheck.compare.symbolic import equivalent
from dlcheck.engine.numeval import Undefined, numeval_any
from dlcheck.errors import ParseError
from dlcheck.render import plain
from dlcheck.verdict import Verdict


def as_grid(value: Any) -> list[list[Any]]:
    if isinstance(value, list):
        return value if value and isinstance(value[0], list) else [[v] for v in value]
    if isinstance(value, sp.MatrixBase):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    return [[value]]


def show_value(value: Any) -> str:
    """Floats (or nested lists of them) as short text."""
    from dlcheck.render import brackets

    if isinstance(value, list):
        return brackets([[fmt(x) for x in row] for row in as_grid(value)])
    return fmt(value)


def fit_shape(student: Any, ref: Any, kind: str) -> tuple[Any, str | None]:
    """The student's value reshaped to the reference, or a message about the shape."""
    s_is, r_is = isinstance(student, sp.MatrixBase), isinstance(ref, sp.MatrixBase)
    if not r_is:
        return (None, f"expected a single {'number' if kind == 'number' else 'formula'}, got a list") if s_is \
            else (student, None)
    if not s_is:
        return None, f"expected a {ref.rows}x{ref.cols} {kind}, got a single value"
    if kind == "vector" or 1 in ref.shape:
        if len(student) != len(ref) or 1 not in student.shape:
            return None, f"expected a vector of {len(ref)} entries, got {_shape_text(student)}"
        return sp.Matrix(list(student)).reshape(*ref.shape), None
    if student.shape != ref.shape:
        hint = "; is it transposed?" if student.shape == ref.shape[::-1] else ""
        return None, f"expected a {ref.rows}x{ref.cols} matrix, got {_shape_text(student)}{hint}"
    return student, None


def _shape_text(m: Any) -> str:
    return f"{len(m)} entries" if 1 in m.shape else f"a {m.rows}x{m.cols} matrix"


def check_value(inst, pid: str, text: str, earlier: dict[str, Verdict] | None = None) -> Verdict:
    """Grade one value part. ``earlier`` holds this student's verdicts for earlier parts."""
    part = inst.spec.problem.parts[pid]
    ref = inst.part_ref[pid]
    numeric = inst.is_numeric(pid)
    expected_text = show_value(inst.value(ref)) if numeric else plain(inst.shown.get(pid, inst.shallow.get(inst.part_node[pid], ref)))
    verdict = Verdict(pid, "incorrect", 0.0, part.points, answer=text, expected=expected_text)
    try:
        student = inst.student_parser(pid).parse(text)
    except ParseError as exc:
        return _invalid(verdict, str(exc), numeric)
    student, problem = fit_shape(student, ref, part.kind)
    if problem:
        verdict.status, verdict.message = "invalid", problem
        return verdict
    if numeric:
        return _check_numeric(inst, pid, part, student, ref, verdict, earlier or {})
    return _check_formula(inst, pid, part, student, ref, verdict)


def _invalid(verdict: Verdict, reason: str, numeric: bool) -> Verdict:
    if numeric and reason.startswith("unknown symbol"):
        reason = "this part wants a number (or arithmetic on numbers), not a formula"
    verdict.status, verdict.message = "invalid", reason
    return verdict


# -- numeric ---------------------------------------------------------------------
def _check_numeric(inst, pid, part, student, ref, verdict, earlier) -> Verdict:
    from dlcheck import diagnose

    tol = Tol.of(part)
    try:
        given = numeval_any(student, {})
    except (Undefined, KeyError):
        verdict.status, verdict.message = "invalid", "the answer has no finite real value"
        return verdict
    verdict.value = given
    expected = inst.value(ref)
    verdict.reference = expected
    bad = _differing(given, expected, tol)
    if not bad:
        verdict.status, verdict.score, verdict.message = "correct", part.points, "correct"
        return verdict
    verdict.detail.update(_numeric_detail(given, expected, bad, tol))
    carried = diagnose.carried_forward(inst, pid, given, tol, earlier)
    if carried:
        policy = inst.spec.problem.carry_forward
        verdict.status = "consistent-with-earlier-error" if policy != "none" else "incorrect"
        verdict.score = {"full": 1.0, "half": 0.5, "none": 0.0}[policy] * part.points
        verdict.message = f"consistent with your answer to {', '.join(carried)}"
        verdict.detail["carried_from"] = carried
        return verdict
    for mistake, mvalue in zip(part.mistakes, inst.mistakes.get(pid, [])):
        target = inst.value(mvalue)
        if not _differing(given, target, tol):
            verdict.message = mistake.feedback
            verdict.score = mistake.credit * part.points
            verdict.detail["mistake"] = mistake.name or mistake.feedback
            verdict.status = "partial" if verdict.score > 0 else "incorrect"
            return verdict
    found = diagnose.numeric_mistake(inst, pid, given, expected, tol)
    if found:
        verdict.message, verdict.detail["diagnosis"] = found.message, found.name
        verdict.score = found.credit * part.points
    else:
        verdict.message = verdict.detail.get("summary", "incorrect")
    if part.partial_credit and isinstance(expected, list):
        total = sum(len(r) for r in as_grid(expected))
        frac = 1 - len(bad) / total
        if frac > 0 and frac * part.points > verdict.score:
            verdict.score = frac * part.points
            verdict.status = "partial"
    if verdict.score > 0 and verdict.status == "incorrect":
        verdict.status = "partial"
    return verdict


def _differing(given: Any, expected: Any, tol: Tol) -> list[tuple[int, int]]:
    g, e = as_grid(given), as_grid(expected)
    return [(i, j) for i, row in enumerate(e) for j, x in enumerate(row) if not tol.accepts(g[i][j], x)]


def _numeric_detail(given: Any, expected: Any, bad: list, tol: Tol) -> dict:
    if not isinstance(expected, list):
        err = rel_error(given, expected)
        return {"rel_error": err, "abs_error": abs(given - expected), "tolerance": tol.describe(),
                "summary": f"off by {fmt(abs(given - expected), 3)} ({err:.2%}); tolerance {tol.describe()}"}
    g, e = as_grid(given), as_grid(expected)
    entries = [{"row": i + 1, "col": j + 1, "given": g[i][j], "expected": e[i][j]} for i, j in bad]
    total = sum(len(r) for r in e)
    return {"entries": entries, "tolerance": tol.describe(),
            "summary": f"{len(bad)} of {total} entries differ: " + ", ".join(
                f"({d['row']},{d['col']})" if len(e[0]) > 1 else f"entry {d['row']}" for d in entries[:6])}


# -- formulas --------------------------------------------------------------------
def _check_formula(inst, pid, part, student, ref, verdict) -> Verdict:
    from dlcheck import diagnose

    pairs = list(zip(as_grid(student), as_grid(ref)))
    cells = [(i, j, s, r) for i, (srow, rrow) in enumerate(pairs) for j, (s, r) in enumerate(zip(srow, rrow))]
    bad, undecided = [], []
    for i, j, s, r in cells:
        outcome = equivalent(inst, s, r, f"{inst.spec.id}/{pid}/{i},{j}")
        if outcome.equal is False:
            bad.append((i, j, outcome))
        elif outcome.equal is None:
            undecided.append((i, j))
    if not bad and not undecided:
        verdict.status, verdict.score, verdict.message = "correct", part.points, "equivalent"
        return verdict
    if not bad:
        verdict.status = "undecided"
        verdict.message = "could not decide equivalence by sampling or simplification; a person will check"
        return verdict
    i, j, first = bad[0]
    where = "" if len(cells) == 1 else (f" in entry {i + 1}" if len(pairs[0][0]) == 1 else f" in entry ({i + 1},{j + 1})")
    if first.how == "undefined":
        verdict.message = (f"your formula{where} has no real value at any sample point (a log or square root "
                           "of a negative number, or an overflow?)")
        return verdict
    verdict.detail.update({"point": first.point, "values": list(first.values), "yours": plain(student)})
    if len(cells) > 1:
        verdict.detail["entries"] = [{"row": a + 1, "col": b + 1} for a, b, _ in bad]
    point = ", ".join(f"{k}={fmt(v, 4)}" for k, v in (first.point or {}).items())
    verdict.message = (f"not equivalent{where}: at {point or 'a sample point'} yours is "
                       f"{fmt(first.values[0], 5)}, expected {fmt(first.values[1], 5)}")
    for mistake, mvalue in zip(part.mistakes, inst.mistakes.get(pid, [])):
        fitted, problem = fit_shape(mvalue, ref, part.kind)
        if problem is None and all(equivalent(inst, s, m, f"{inst.spec.id}/{pid}/m").equal
                                   for srow, mrow in zip(as_grid(student), as_grid(fitted))
                                   for s, m in zip(srow, mrow)):
            verdict.message = mistake.feedback
            verdict.score = mistake.credit * part.points
            verdict.detail["mistake"] = mistake.name or mistake.feedback
            break
    else:
        found = diagnose.formula_mistake(inst, pid, student, ref)
        if found:
            verdict.message = f"{found.message} ({verdict.message})"
            verdict.detail["diagnosis"] = found.name
            verdict.score = found.credit * part.points
    if part.partial_credit and len(cells) > 1 and verdict.score == 0:
        verdict.score = part.points * (1 - len(bad) / len(cells))
    if verdict.score > 0:
        verdict.status = "partial"
    return verdict
