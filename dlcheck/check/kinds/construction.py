"""Hand-built networks: the answer is a mapping of weights, checked by simulation.

Many weight settings are right; none is compared with the known solution. The
student's weights run on every input up to the spec's length and the verdict shows the
shortest input where the output is wrong.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

import sympy as sp
from pydantic import Field

from dlcheck.check.kind import Kind
from dlcheck.check.simulators import ARCHITECTURES, TARGETS, simulate, trace
from dlcheck.core.errors import ParseError
from dlcheck.core.verdict import Evidence, Status, Verdict
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.instance import Instance
from dlcheck.engine.steps import Step
from dlcheck.parse.functions import student_functions
from dlcheck.parse.safe import NoRealValue, Parser
from dlcheck.spec.model import PartBase


class ConstructionPart(PartBase):
    kind: Literal["construction"]
    simulator: str                    # a name in check.simulators.ARCHITECTURES
    target: str                       # a name in check.simulators.TARGETS
    known_solution: dict[str, Any]    # simulated at load: the spec's proof that the task can be done
    max_length: int = Field(6, ge=1, le=12)


def _fold_keys(fields: dict[str, str], names: list[str]) -> dict[str, str]:
    out = dict(fields)
    for key in fields:
        if key in names:
            continue
        same = [n for n in names if n.casefold() == key.casefold()]
        if len(same) == 1 and same[0] not in out and \
                sum(k.casefold() == key.casefold() for k in fields) == 1:
            out[same[0]] = out.pop(key)
    return out


def parse_fields(arch: Any, fields: dict[str, str]) -> dict[str, Any]:
    """Each field's text through the safe parser, as exact fractions of the right shape. A key in
    another case (the sheet's ``w`` for the field ``W``) is that field when no other field or key
    could be meant."""
    fields = _fold_keys(fields, list(arch.fields))
    missing = [f for f in arch.fields if f not in fields and f not in arch.defaults]
    extra = [f for f in fields if f not in arch.fields]
    if missing or extra:
        bits = ([f"missing {', '.join(missing)}"] if missing else []) + \
               ([f"unknown {', '.join(extra)}"] if extra else [])
        raise ParseError(f"{'; '.join(bits)}; the fields are {', '.join(arch.fields)}")
    parser = Parser({}, student_functions())
    out: dict[str, Any] = {}
    for name, shape in arch.fields.items():
        if name not in fields:
            continue  # an optional field, filled in below
        try:
            value = parser.parse(fields[name])
        except NoRealValue:  # a weight must be a number to run the network
            raise ParseError(f"{name} has no real value") from None
        except ParseError as exc:
            raise ParseError(f"{name}: {exc}") from None
        out[name] = _to_fractions(name, value, shape)
    for name, default in arch.defaults.items():
        if name not in out:
            out[name] = default(out)
    problem = arch.check(out)
    if problem:
        raise ParseError(problem)
    return out


def _to_fractions(name: str, value: Any, shape: tuple) -> Any:
    def frac(x: Any) -> Any:
        if not x.is_Rational:
            value = x.evalf(30)
            if not value.is_real or not value.is_finite:  # sqrt(-1), log(-1), (-1)^0.5: no real weight
                raise ParseError(f"{name} has no real value (a square root or log of a negative number?); "
                                 "a weight is a real number")
            x = sp.Rational(sp.Float(value, 30))
        return Fraction(int(x.p), int(x.q))

    is_matrix = isinstance(value, sp.MatrixBase)
    if len(shape) == 0:
        if is_matrix:
            raise ParseError(f"{name} must be a single number")
        return frac(value)
    if not is_matrix:
        raise ParseError(f"{name} must be a {'vector' if len(shape) == 1 else 'matrix'}")
    if len(shape) == 1:
        if 1 not in value.shape:
            raise ParseError(f"{name} must be a vector such as [1, 2]")
        items = tuple(frac(x) for x in value)
        if shape[0] is not None and len(items) != shape[0]:
            raise ParseError(f"{name} must have {shape[0]} entries, got {len(items)}")
        return items
    rows, cols = shape
    if value.cols == 1 and value.rows > 1 and (cols or 0) > 1:
        raise ParseError(f"{name} must be a matrix written as rows, e.g. [[1, 2], [3, 4]]")
    if (rows is not None and value.rows != rows) or (cols is not None and value.cols != cols):
        want = f"{rows if rows is not None else 'n'}x{cols if cols is not None else 'm'}"
        raise ParseError(f"{name} must be {want}, got {value.rows}x{value.cols}")
    return tuple(tuple(frac(value[i, j]) for j in range(value.cols)) for i in range(value.rows))


def lookup(part: Any) -> tuple[Any, Any]:
    return ARCHITECTURES[part.simulator], TARGETS[part.target]


def prepare(inst: Instance, pid: str, part: ConstructionPart) -> None:
    """At load: the simulator and target exist, and (with the instance's self-checks) the known
    solution passes."""
    spec = inst.spec
    if part.simulator not in ARCHITECTURES:
        raise spec.error(("parts", pid, "simulator"), f"unknown simulator '{part.simulator}'; "
                         f"known: {', '.join(ARCHITECTURES)}")
    if part.target not in TARGETS:
        raise spec.error(("parts", pid, "target"), f"unknown target '{part.target}'; known: {', '.join(TARGETS)}")
    arch, target = lookup(part)
    try:
        weights = parse_fields(arch, {k: raw_text(v) for k, v in part.known_solution.items()})
    except ParseError as exc:
        raise spec.error(("parts", pid, "known_solution"), f"known_solution: {exc}") from None
    if not inst.self_checks:  # the known solution is the author's proof: validate and the tests run it
        return
    failure, _ = simulate(arch, target, weights, part.max_length)
    if failure:
        raise spec.error(("parts", pid, "known_solution"), "known_solution fails on input "
                         f"{_show_inputs(failure.inputs)}; fix the weights")


def show_x(x: Any) -> str:
    if isinstance(x, tuple):
        return "[" + ", ".join(str(v) for v in x) + "]"
    return str(x)


def _show_inputs(inputs: list) -> str:
    return " ".join(show_x(x) for x in inputs)


def check(inst: Instance, pid: str, answer: Any) -> Verdict:
    part = inst.spec.problem.parts[pid]
    arch, target = lookup(part)
    shown = answer if isinstance(answer, str) else ", ".join(f"{k}: {v}" for k, v in answer.items())
    verdict = Verdict(pid, Status.INCORRECT, 0.0, part.points, answer=shown,
                      expected=f"any weights that make: {target.description}")
    if not isinstance(answer, dict):
        verdict.status = Status.INVALID
        verdict.message = f"write the weights as a mapping: {{{', '.join(f'{f}: ...' for f in arch.fields)}}}"
        return verdict
    try:
        weights = parse_fields(arch, answer)
    except ParseError as exc:
        verdict.status = Status.INVALID
        verdict.tell(Evidence("parse", exc.message), column=exc.column)
        return verdict
    failure, tried = simulate(arch, target, weights, part.max_length)
    if failure is None:
        verdict.status, verdict.score = Status.CORRECT, part.points
        verdict.message = f"right on all {tried} input prefixes up to length {part.max_length}"
        return verdict
    t = len(failure.inputs)
    verdict.message = (f"wrong at step {t} of input {_show_inputs(failure.inputs)}: "
                       f"expected {failure.expected[-1]}, produced {failure.produced[-1]}")
    verdict.detail["failing_input"] = [{"t": k + 1, "x": show_x(x), "expected": e, "produced": p}
                                       for k, (x, e, p) in enumerate(zip(failure.inputs, failure.expected,
                                                                         failure.produced))]
    return verdict


def explain(inst: Instance, pid: str, part: ConstructionPart, env: dict) -> Step:
    """One known solution, traced on the target's sample input."""
    arch, target = lookup(part)
    fields = {k: raw_text(v) for k, v in part.known_solution.items()}
    weights = parse_fields(arch, fields)
    sample = list(target.sample)
    rows = [["t", "x", "state", "output", "required"]]
    for t, (x, state, y) in enumerate(trace(arch, weights, sample), 1):
        rows.append([str(t), show_x(x), show_x(tuple(state)) if isinstance(state, tuple) else str(state),
                     str(y), str(target.expected(sample[:t]))])
    return Step(pid, "construction", is_part=True, table=rows,
                notes=[f"network: {arch.description}", f"required: {target.description}",
                       "one solution: " + ", ".join(f"{k} = {v}" for k, v in fields.items()),
                       "any weights that behave the same are right; this is one of many"])


def describe(part: ConstructionPart) -> list[str]:
    """What ``show`` prints under the prompt."""
    arch, target = lookup(part)
    return [f"network: {arch.description}", f"must do: {target.description}", f"fields: {', '.join(arch.fields)}"]


KIND = Kind("construction", ConstructionPart, prepare, check, explain, describe=describe, takes_mapping=True)
