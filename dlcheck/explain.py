"""Worked solutions, derived from the spec's own graph (nothing here is typed in).

For each definition in order: its formula, the formula with the numbers substituted,
and its value; then each part: the same for value parts, the right option for a choice,
a known solution with a trace for a construction, the model answer and rubric for an
essay. Values are the very ones ``grade`` compares against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from dlcheck.compare.numeric import fmt
from dlcheck.render import plain


@dataclass
class Step:
    name: str
    kind: str                      # define, part, choice, construction, essay, withheld
    formula: str = ""
    substituted: str = ""
    value: str = ""
    latex: str = ""
    latex_substituted: str = ""
    notes: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # construction trace
    is_part: bool = False


class _ValuePrinter(StrPrinter):
    """Prints symbols as their values: the formula with the numbers in."""

    def __init__(self, env: dict) -> None:
        super().__init__()
        self.env = env

    def _print_Symbol(self, expr):
        if expr in self.env:
            text = fmt(self.env[expr])
            return f"({text})" if text.startswith("-") else text
        return super()._print_Symbol(expr)


class _ValueLatexPrinter(LatexPrinter):
    def __init__(self, env: dict) -> None:
        super().__init__()
        self.env = env

    def _print_Symbol(self, expr, style="plain"):
        if expr in self.env:
            text = fmt(self.env[expr])
            return f"\\left({text}\\right)" if text.startswith("-") else text
        return super()._print_Symbol(expr)


def _with_numbers(expr: Any, env: dict) -> str:
    printer = _ValuePrinter(env)
    if isinstance(expr, sp.MatrixBase):
        rows = [[printer.doprint(x) for x in expr.row(i)] for i in range(expr.rows)]
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"
    return printer.doprint(expr).replace("**", "^")


def _value_text(value: Any) -> str:
    from dlcheck.compare.value import show_value

    return show_value(value)


def _numeric(inst, expr: Any) -> bool:
    return not inst.free_leaves(expr)


def steps(inst, parts: list[str] | None = None, attempted: set[str] | None = None) -> list[Step]:
    """The worked solution of ``inst``; ``parts`` limits which parts are shown."""
    problem = inst.spec.problem
    env = inst.env()
    wanted = list(problem.parts) if parts is None else parts
    out: list[Step] = []
    needed = _needed_defines(inst, wanted)
    for name in problem.define:
        if name in needed:
            out.append(_formula_step(inst, name, inst.shallow[name], env, "define"))
    for pid in wanted:
        part = problem.parts[pid]
        policy = part.explain or problem.explain
        if policy == "after_attempt" and pid not in (attempted or set()):
            out.append(Step(pid, "withheld", notes=["attempt this part first; its solution is shown once you "
                                                    "have answered it"], is_part=True))
            continue
        out.append(_part_step(inst, pid, part, env))
    return out


def _needed_defines(inst, parts: list[str]) -> set[str]:
    """Definitions the chosen parts depend on (all of them when every part is shown)."""
    if list(inst.spec.problem.parts) == parts:
        return set(inst.spec.problem.define)
    nodes: set = set()
    for pid in parts:
        ref = inst.part_ref.get(pid)
        if ref is not None:
            nodes |= inst.ancestors(ref)
    names = set()
    for name in inst.spec.problem.define:
        placeholder = inst.named[name]
        syms = set(placeholder) if isinstance(placeholder, sp.MatrixBase) else {placeholder}
        if syms & nodes:
            names.add(name)
    return names


def _formula_step(inst, name: str, formula: Any, env: dict, kind: str) -> Step:
    step = Step(name, kind, formula=plain(formula), latex=sp.latex(formula))
    placeholder = inst.named.get(name, formula)
    if _numeric(inst, placeholder):
        if not isinstance(formula, sp.Symbol):  # 'loss = E' needs no second line
            step.substituted = _with_numbers(formula, env)
            step.latex_substituted = _ValueLatexPrinter(env).doprint(formula)
        step.value = _value_text(inst.value(placeholder, env))
    return step


def _part_step(inst, pid: str, part, env: dict) -> Step:
    if part.kind == "choice":
        picks = sorted(inst.choices[pid])
        return Step(pid, "choice", value=", ".join(map(str, picks)), is_part=True,
                    notes=[f"{k}. {part.options[k - 1]}" for k in picks] + _mistake_notes(part))
    if part.kind == "essay":
        return Step(pid, "essay", is_part=True, notes=[part.model_answer.strip()] +
                    [f"rubric: {r}" for r in part.rubric])
    if part.kind == "construction":
        return _construction_step(pid, part)
    node = inst.part_node[pid]
    formula = inst.shown.get(pid, inst.shallow[node])
    if node != pid:  # the part asks for a defined quantity
        step = _formula_step(inst, pid, inst.named[node], env, "part")
        step.formula = f"{node}" if step.formula == node else step.formula
    else:
        step = _formula_step(inst, pid, formula, env, "part")
        if pid in inst.shown:
            step.notes.append(f"derived as {plain(inst.shallow[node])}")
    step.is_part = True
    step.notes += _mistake_notes(part)
    return step


def _mistake_notes(part) -> list[str]:
    return [f"common mistake: {m.feedback}" for m in part.mistakes]


def _construction_step(pid: str, part) -> Step:
    from dlcheck.compare.construction import _show_x, lookup, parse_fields
    from dlcheck.simulators import trace
    from dlcheck.yamlio import raw_text

    arch, target = lookup(part)
    fields = {k: raw_text(v) for k, v in part.known_solution.items()}
    weights = parse_fields(arch, fields)
    sample = list(target.sample)
    rows = [["t", "x", "state", "output", "required"]]
    for t, (x, state, y) in enumerate(trace(arch, weights, sample), 1):
        rows.append([str(t), _show_x(x), _show_x(tuple(state)) if isinstance(state, tuple) else str(state),
                     str(y), str(target.expected(sample[:t]))])
    return Step(pid, "construction", is_part=True, table=rows,
                notes=[f"network: {arch.description}", f"required: {target.description}",
                       "one solution: " + ", ".join(f"{k} = {v}" for k, v in fields.items()),
                       "any weights that behave the same are right; this is one of many"])
