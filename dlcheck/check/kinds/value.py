"""Numbers, vectors, matrices and formulas (and matrices of formulas): four kinds, one checker.

They differ only in shape: a part's reference is either numeric (every leaf it depends
on has a given value) and compared within a tolerance, or symbolic and compared by
equivalence; vectors and matrices are checked for shape, then entry by entry with the
same scalar rule. A wrong answer leaves here as ``incorrect`` with the facts (error
size, differing entries, a point where formulas differ); naming the mistake is
:mod:`dlcheck.diagnose`'s job.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import sympy as sp

from dlcheck.check.equivalence import digits_needed, equivalent, formulas_behind
from dlcheck.check.kind import Kind
from dlcheck.check.numbers import judge
from dlcheck.check.shapes import as_grid, cells, differing, fit_shape
from dlcheck.check.tolerance import GRADE_DPS, Tol, diagnosis_tol
from dlcheck.core.errors import ParseError, Undefined, UnknownName
from dlcheck.core.verdict import Evidence, Status, Verdict, note
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.exact import exact_value
from dlcheck.engine.instance import Instance
from dlcheck.engine.instance import Prepared as PreparedBase
from dlcheck.engine.numeval import TooLarge, hp_value_any, to_fraction
from dlcheck.engine.steps import Step, formula_step, value_text
from dlcheck.parse.printing import fmt, plain
from dlcheck.parse.safe import NoRealValue
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
class Prepared(PreparedBase):
    """What a value part keeps: the base's (its mistakes parsed, the display form, which entries are
    informative) and these."""

    guards: list[Any] = field(default_factory=list)     # the reference's lost partial sub-formulas (compare)
    free_names: bool = False                            # any name may be typed (compare: both sides are the user's)
    expected: str | None = None                         # the reference as the user typed it (compare only)


# -- at load ---------------------------------------------------------------------
def prepare(inst: Instance, pid: str, part: ValuePart) -> None:
    ref = inst.add_part_node(pid, part.answer)
    _check_shape(inst, pid, part, ref)
    prepared = Prepared()
    if part.show:
        prepared.shown = _check_show(inst, pid, part.show, ref)
    prepared.mistakes = [inst.parse_spec(raw_text(m.answer), ("parts", pid, "mistakes", i, "answer"))
                         for i, m in enumerate(part.mistakes)]
    if isinstance(ref, sp.MatrixBase) and getattr(part, "partial_credit", False):
        prepared.informative = [bool(inst.expand(c).free_symbols) for c in ref]
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
    return not inst.is_numeric(pid) or part.kind == "expression" or part.names is not None or \
        _prepared(inst, pid).free_names


def names(inst: Instance, pid: str) -> list[str]:
    return list(inst.student_names(pid)) if takes_names(inst, pid) else []


# -- checking --------------------------------------------------------------------
def _prepared(inst: Instance, pid: str) -> Prepared:
    """What the value kind prepared for ``pid`` (nothing yet, while it is being prepared)."""
    prepared = inst.prepared.get(pid)
    return prepared if isinstance(prepared, Prepared) else Prepared()


def expected_text(inst: Instance, pid: str) -> str:
    """The reference as text: as the user typed it for compare's one-off problem, else computed once per
    instance (a student's variant has numbers of its own, and what a kind prepared is shared with the
    variants, so the computed text is not kept there)."""
    prepared = inst.prepared.get(pid)
    if isinstance(prepared, Prepared) and prepared.expected is not None:
        return prepared.expected
    return inst.remember(("expected-text", pid), lambda: _expected_text(inst, pid))


def _expected_text(inst: Instance, pid: str) -> str:
    ref = inst.part_ref[pid]
    if inst.is_numeric(pid):
        try:
            return value_text(inst.value(ref))
        except Undefined:  # beyond floats (2^10000): the formula itself
            return plain(inst.shallow.get(inst.part_node[pid], ref))
    shown = inst.prepared[pid].shown
    return plain(shown if shown is not None else inst.shallow.get(inst.part_node[pid], ref))


def check(inst: Instance, pid: str, text: str) -> Verdict:
    """Grade one value part: shape, then the number within tolerance or the formula by equivalence."""
    part = inst.spec.problem.parts[pid]
    ref = inst.part_ref[pid]
    numeric = inst.is_numeric(pid)
    verdict = Verdict(pid, Status.INCORRECT, 0.0, part.points, answer=text, expected=expected_text(inst, pid),
                      formula=not numeric)
    parser = inst.student_parser(pid, takes_names(inst, pid))
    try:
        student, guards, entries = parser.read(text)
    except UnknownName as exc:
        if numeric and exc.kind == "symbol" and not takes_names(inst, pid):
            return _invalid(verdict, "this part wants a number (or arithmetic on numbers), not a formula")
        return _invalid(verdict, exc.message, exc.column)
    except NoRealValue as exc:  # no real number to compare: 1/0 and sqrt(-4) alike (one rule)
        said = exc.message if "value" in exc.message else f"your answer has no real value: {exc.message}"
        return _invalid(verdict, said, exc.column)
    except ParseError as exc:
        return _invalid(verdict, exc.message, exc.column)
    verdict.cells = entries
    student, problem = fit_shape(student, ref, part.kind)
    if problem:  # read, but the wrong shape: a wrong answer
        verdict.tell(Evidence("shape", problem))
        verdict.detail["shape"] = problem
        return verdict
    if numeric and not any(c.free_symbols for c in cells(student)) and not guards:
        return _noted(_check_numeric(inst, part, student, ref, verdict, text, entries), parser.notes)
    return _noted(_check_formula(inst, pid, student, ref, verdict, list(guards)), parser.notes)


def _noted(verdict: Verdict, notes: list[str]) -> Verdict:
    """A chain of equal sides is graded by its last side; a side of the working that disagrees is said
    (the student's own arithmetic: it reveals nothing of the reference)."""
    if notes:
        said = "; ".join(notes)
        verdict.tell(*verdict.evidence, note(f"; {said}" if verdict.evidence and verdict.message else said),
                     column=verdict.column)
        verdict.detail["working"] = list(notes)
    return verdict


def _invalid(verdict: Verdict, reason: str, column: int | None = None) -> Verdict:
    verdict.status = Status.INVALID
    verdict.tell(Evidence("parse", reason), column=column)
    return verdict


def _check_numeric(inst: Instance, part: ValuePart, student: Any, ref: Any, verdict: Verdict, text: str,
                   entries: tuple[tuple[str, ...], ...] = ()) -> Verdict:
    tol = Tol.of(part)
    dps = max(GRADE_DPS, digits_needed(student, *formulas_behind(inst, ref)) + 20)
    try:
        given = hp_value_any(student, {}, None, dps)
    except TooLarge:
        return _invalid(verdict, "that number is too large to compute; write the value itself")
    except Undefined:
        verdict.message = "your answer has no finite real value"
        return verdict
    expected = exact_value(inst, ref, dps=dps)

    def recheck(bad: list) -> list:
        return _rounding_only(inst, student, ref, bad, given, expected, tol, dps)

    return judge(verdict, given, expected, tol, text, part.points, Fraction(1, 10 ** (dps - 10)), recheck, entries)


def _rounding_only(inst: Instance, student: Any, ref: Any, bad: list, given: Any, expected: Any, tol: Tol,
                   dps: int) -> list:
    """The differing entries that still differ at twice the precision (a gap that shrinks with the
    precision is rounding, as in 0 against sqrt(3 + 2*sqrt(2)) - 1 - sqrt(2))."""
    g1, e1 = as_grid(given), as_grid(expected)
    if all(isinstance(g1[i][j], Fraction) and isinstance(e1[i][j], Fraction) for i, j in bad):
        return bad
    g2 = as_grid(hp_value_any(student, {}, None, 2 * dps))
    e2 = as_grid(exact_value(inst, ref, dps=2 * dps))
    still = []
    for i, j in bad:
        gap1 = abs(to_fraction(g1[i][j]) - to_fraction(e1[i][j]))
        gap2 = abs(to_fraction(g2[i][j]) - to_fraction(e2[i][j]))
        if gap2 <= gap1 / 10 ** (dps // 2) and tol.accepts(e2[i][j], e2[i][j]):
            continue
        still.append((i, j))
    return still


def _check_formula(inst: Instance, pid: str, student: Any, ref: Any, verdict: Verdict, guards: list) -> Verdict:
    part = inst.spec.problem.parts[pid]
    ref_guards = _prepared(inst, pid).guards
    pairs = list(zip(as_grid(student), as_grid(ref)))
    grid = [(i, j, s, r) for i, (srow, rrow) in enumerate(pairs) for j, (s, r) in enumerate(zip(srow, rrow))]
    bad, undecided = [], []
    for i, j, s, r in grid:
        seed = f"{inst.spec.id}/{pid}/{i},{j}"  # fixes the sample points: the outcome depends on nothing else
        outcome = inst.remember_answer(("equivalent", s, r, seed, tuple(guards), tuple(ref_guards)),
                                       functools.partial(equivalent, inst, s, r, seed, guards, ref_guards))
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
        verdict.tell(Evidence("witness", f"your formula{where} has no real value at any sample point (a log or "
                              "square root of a negative number, or an overflow?)"))
        return verdict  # no value to diagnose: verdict.parsed stays empty
    assert first.point is not None and first.values is not None  # a proven difference has its witness
    verdict.parsed = student
    verdict.detail.update({"point": first.point, "values": list(first.values), "yours": plain(student)})
    if len(grid) > 1:
        verdict.detail["entries"] = [{"row": a + 1, "col": b + 1} for a, b, _ in bad]
    point = ", ".join(f"{k} = {fmt(v, 6)}" for k, v in (first.point or {}).items())
    at = f"at {point}" if point else "its value"
    head = f"not equivalent{where}: {at} yours"
    if first.how == "no-value-here":
        verdict.tell(Evidence("witness", f"{head} has no real value (a log or root of a negative?)", at=first.point),
                     Evidence("witness", f", while the expected one is {fmt(first.values[1], 5)}",
                              reveals_reference=True, expected=first.values[1], at=first.point))
        return verdict
    yours, expected = first.texts or _distinct(*first.values)
    if first.texts is not None and math.isinf(first.gap or 0.0) or yours != expected:
        verdict.tell(Evidence("witness", f"{head} is {yours}", yours=first.values[0], at=first.point),
                     Evidence("witness", f", expected {expected}", reveals_reference=True,
                              expected=first.values[1], at=first.point))
        return verdict
    gap = first.gap or 0.0  # closer than a float shows: say by how much
    how = f"is {'smaller' if gap < 0 else 'larger'} than the expected value" if gap else \
        "differs from the expected value"
    by = f" by about {fmt(abs(gap), 3)}" if gap else " by less than 1e-300"
    verdict.tell(Evidence("witness", f"{head} {how}", yours=first.values[0], at=first.point),
                 Evidence("witness", f"{by} (both are {yours} to 16 digits)", reveals_reference=True,
                          expected=first.values[1], at=first.point))
    return verdict


def _distinct(a: float, b: float) -> tuple[str, str]:
    """Two different values printed with enough digits to see that they differ (the same text when
    even a float's 17 digits cannot tell them apart)."""
    for digits in range(5, 18):
        ta, tb = fmt(a, digits), fmt(b, digits)
        if ta != tb:
            return ta, tb
    return fmt(a, 16), fmt(b, 16)


def same(inst: Instance, pid: str, verdict: Verdict, mistake: Any) -> bool:
    """Is the student's wrong answer the spec's mistake ``mistake`` (within the part's rules)?"""
    part = inst.spec.problem.parts[pid]
    if verdict.value is not None:  # numeric: within the looser tolerance a diagnosis uses
        try:
            target = exact_value(inst, mistake, dps=GRADE_DPS)
        except Undefined:
            return False
        return not differing(verdict.value, target, diagnosis_tol(part))
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
