"""Numbers, vectors, matrices and formulas (and matrices of formulas): four kinds, one checker.

They differ only in shape: a part's reference is either numeric (every leaf it depends
on has a given value) and compared within a tolerance, or symbolic and compared by
equivalence; vectors and matrices are checked for shape, then entry by entry with the
same scalar rule. A wrong answer leaves here as ``incorrect`` with the facts (error
size, differing entries, a point where formulas differ); naming the mistake is
:mod:`dlcheck.diagnose`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from dlcheck.check.equivalence import equivalent
from dlcheck.check.kind import Kind
from dlcheck.check.shapes import as_grid, cells, differing, fit_shape
from dlcheck.check.tolerance import Tol, rel_error
from dlcheck.core.errors import ParseError, Undefined, UnknownName
from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.instance import Instance
from dlcheck.engine.numeval import numeval_any
from dlcheck.engine.steps import Step, formula_step, value_text
from dlcheck.parse.printing import fmt, plain
from dlcheck.spec.model import Mistake, PartBase, Tolerance


class ValuePart(PartBase):
    answer: str | list          # a formula over the problem's graph
    show: str | None = None        # a tidier form of the answer, checked equal at load
    tolerance: Tolerance | None = None
    mistakes: list[Mistake] = []


class NumberPart(ValuePart):
    kind: Literal["number"]


class VectorPart(ValuePart):
    kind: Literal["vector"]
    partial_credit: bool = False


class MatrixPart(ValuePart):
    kind: Literal["matrix"]
    partial_credit: bool = False


class ExpressionPart(ValuePart):
    kind: Literal["expression"]
    partial_credit: bool = False


@dataclass
class Prepared:
    shown: Any = None                                   # the display form, when the spec gives one
    mistakes: list[Any] = field(default_factory=list)   # each spec mistake, parsed


# -- at load ---------------------------------------------------------------------
def prepare(inst: Instance, pid: str, part: ValuePart) -> None:
    ref = inst.add_part_node(pid, part.answer)
    _check_shape(inst, pid, part, ref)
    prepared = Prepared()
    if part.show:
        prepared.shown = _check_show(inst, pid, part.show, ref)
    prepared.mistakes = [inst.parse_spec(raw_text(m.answer), ("parts", pid, "mistakes", i, "answer"))
                         for i, m in enumerate(part.mistakes)]
    inst.prepared[pid] = prepared


def _check_show(inst: Instance, pid: str, text: str, ref: Any) -> Any:
    """A display form is typed by the author, so it must agree with the derivation."""
    shown = inst.parse_spec(text, ("parts", pid, "show"))
    pairs = zip(shown, ref) if isinstance(ref, sp.MatrixBase) and isinstance(shown, sp.MatrixBase) \
        and shown.shape == ref.shape else [(shown, ref)]
    for a, b in pairs:
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase) or \
                not equivalent(inst, a, b, f"{inst.spec.id}/{pid}/show").equal:
            raise inst.spec.error(("parts", pid, "show"), f"'show' of part '{pid}' is not equal to its "
                                  "derived answer; fix one of them")
    return shown


def _check_shape(inst: Instance, pid: str, part: ValuePart, ref: Any) -> None:
    is_matrix = isinstance(ref, sp.MatrixBase)
    if part.kind in ("number", "expression") and is_matrix:
        raise inst.spec.error(("parts", pid, "kind"), f"part '{pid}' is a {part.kind} but its answer is a "
                              f"{ref.rows}x{ref.cols} matrix; use kind vector or matrix")
    if part.kind in ("vector", "matrix") and not is_matrix:
        raise inst.spec.error(("parts", pid, "kind"), f"part '{pid}' is a {part.kind} but its answer is a scalar")
    if part.kind == "number" and inst.free_leaves(ref):
        names = ", ".join(sorted(s.name for s in inst.free_leaves(ref)))
        raise inst.spec.error(("parts", pid, "answer"), f"part '{pid}' is a number but its answer depends "
                              f"on {names}, which have no given value; give them or use kind expression")


def takes_names(inst: Instance, pid: str) -> bool:
    """A formula answer may name the problem's quantities; a numeric one only numbers."""
    part = inst.spec.problem.parts[pid]
    return not inst.is_numeric(pid) or part.kind == "expression" or part.names is not None


def names(inst: Instance, pid: str) -> list[str]:
    return list(inst.student_names(pid)) if takes_names(inst, pid) else []


# -- checking --------------------------------------------------------------------
def expected_text(inst: Instance, pid: str) -> str:
    ref = inst.part_ref[pid]
    if inst.is_numeric(pid):
        return value_text(inst.value(ref))
    shown = inst.prepared[pid].shown
    return plain(shown if shown is not None else inst.shallow.get(inst.part_node[pid], ref))


def check(inst: Instance, pid: str, text: str) -> Verdict:
    """Grade one value part: shape, then the number within tolerance or the formula by equivalence."""
    part = inst.spec.problem.parts[pid]
    ref = inst.part_ref[pid]
    numeric = inst.is_numeric(pid)
    verdict = Verdict(pid, Status.INCORRECT, 0.0, part.points, answer=text, expected=expected_text(inst, pid))
    try:
        student = inst.student_parser(pid, takes_names(inst, pid)).parse(text)
    except UnknownName as exc:
        reason = str(exc)
        if numeric and exc.kind == "symbol" and not takes_names(inst, pid):
            reason = "this part wants a number (or arithmetic on numbers), not a formula"
        return _invalid(verdict, reason)
    except ParseError as exc:
        return _invalid(verdict, str(exc))
    student, problem = fit_shape(student, ref, part.kind)
    if problem:
        return _invalid(verdict, problem)
    if numeric and not any(c.free_symbols for c in cells(student)):
        return _check_numeric(inst, part, student, ref, verdict)
    return _check_formula(inst, pid, student, ref, verdict)


def _invalid(verdict: Verdict, reason: str) -> Verdict:
    verdict.status, verdict.message = Status.INVALID, reason
    return verdict


def _check_numeric(inst: Instance, part: ValuePart, student: Any, ref: Any, verdict: Verdict) -> Verdict:
    tol = Tol.of(part)
    try:
        given = numeval_any(student, {})
    except Undefined:
        return _invalid(verdict, "the answer has no finite real value")
    verdict.value = given
    expected = inst.value(ref)
    verdict.reference = expected
    bad = differing(given, expected, tol)
    if not bad:
        verdict.status, verdict.score, verdict.message = Status.CORRECT, part.points, "correct"
        return verdict
    verdict.detail.update(_numeric_detail(given, expected, bad, tol))
    verdict.message = verdict.detail["summary"]
    return verdict


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


def _check_formula(inst: Instance, pid: str, student: Any, ref: Any, verdict: Verdict) -> Verdict:
    part = inst.spec.problem.parts[pid]
    pairs = list(zip(as_grid(student), as_grid(ref)))
    grid = [(i, j, s, r) for i, (srow, rrow) in enumerate(pairs) for j, (s, r) in enumerate(zip(srow, rrow))]
    bad, undecided = [], []
    for i, j, s, r in grid:
        outcome = equivalent(inst, s, r, f"{inst.spec.id}/{pid}/{i},{j}")
        if outcome.equal is False:
            bad.append((i, j, outcome))
        elif outcome.equal is None:
            undecided.append((i, j))
    if not bad and not undecided:
        verdict.status, verdict.score, verdict.message = Status.CORRECT, part.points, "equivalent"
        return verdict
    if not bad:
        verdict.status = Status.UNDECIDED
        verdict.message = "could not decide equivalence by sampling or simplification; a person will check"
        return verdict
    i, j, first = bad[0]
    if len(grid) == 1:
        where = ""
    else:
        where = f" in entry {i + 1}" if len(pairs[0][0]) == 1 else f" in entry ({i + 1},{j + 1})"
    if first.how == "undefined":
        verdict.message = (f"your formula{where} has no real value at any sample point (a log or square root "
                           "of a negative number, or an overflow?)")
        return verdict  # no value to diagnose: verdict.parsed stays empty
    assert first.point is not None and first.values is not None  # a proven difference has its witness
    verdict.parsed = student
    verdict.detail.update({"point": first.point, "values": list(first.values), "yours": plain(student)})
    if len(grid) > 1:
        verdict.detail["entries"] = [{"row": a + 1, "col": b + 1} for a, b, _ in bad]
    point = ", ".join(f"{k}={fmt(v, 4)}" for k, v in (first.point or {}).items())
    verdict.message = (f"not equivalent{where}: at {point or 'a sample point'} yours is "
                       f"{fmt(first.values[0], 5)}, expected {fmt(first.values[1], 5)}")
    return verdict


def same(inst: Instance, pid: str, verdict: Verdict, mistake: Any) -> bool:
    """Is the student's wrong answer the spec's mistake ``mistake`` (within the part's rules)?"""
    part = inst.spec.problem.parts[pid]
    if verdict.value is not None:  # numeric
        target = inst.value(mistake)
        return not differing(verdict.value, target, Tol.of(part))
    if verdict.parsed is None:
        return False
    fitted, problem = fit_shape(mistake, inst.part_ref[pid], part.kind)
    return problem is None and all(
        equivalent(inst, s, m, f"{inst.spec.id}/{pid}/m").equal
        for srow, mrow in zip(as_grid(verdict.parsed), as_grid(fitted)) for s, m in zip(srow, mrow))


# -- explain ---------------------------------------------------------------------
def explain(inst: Instance, pid: str, part: ValuePart, env: dict) -> Step:
    node = inst.part_node[pid]
    shown = inst.prepared[pid].shown
    formula = shown if shown is not None else inst.shallow[node]
    if node != pid:  # the part asks for a defined quantity
        step = formula_step(inst, pid, inst.named[node], env, "part")
    else:
        step = formula_step(inst, pid, formula, env, "part", text=part.show)
        if shown is not None and not isinstance(shown, sp.MatrixBase):
            step.notes.append(f"derived as {plain(inst.shallow[node])}")
    step.is_part = True
    step.notes += [f"common mistake: {m.feedback}" for m in part.mistakes]
    return step


KINDS = tuple(Kind(name, model, prepare, check, explain, same, names)
              for name, model in (("number", NumberPart), ("vector", VectorPart), ("matrix", MatrixPart),
                                  ("expression", ExpressionPart)))
