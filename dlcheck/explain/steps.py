"""The worked solution of a problem, derived from its graph (nothing here is typed in).

For each definition in order: its formula, the formula with the numbers substituted,
and its value; then each part, as its kind explains it (the same for value parts, the
right option for a choice, a known solution with a trace for a construction, the model
answer and rubric of an essay). Values are the very ones ``grade`` compares against.
"""

from __future__ import annotations

import sympy as sp

from dlcheck.check.registry import kind_of
from dlcheck.engine.instance import Instance
from dlcheck.engine.steps import Step, formula_step, withheld


def solution(inst: Instance, parts: list[str] | None = None, attempted: set[str] | None = None) -> list[Step]:
    """The worked solution of ``inst``; ``parts`` limits which parts are shown."""
    problem = inst.spec.problem
    env = inst.env()
    wanted = list(problem.parts) if parts is None else parts
    out: list[Step] = []
    needed = _needed_defines(inst, wanted)
    for name in problem.define:
        if name in needed:
            out.append(formula_step(inst, name, inst.shallow[name], env, "define", text=problem.define[name]))
    for pid in wanted:
        part = problem.parts[pid]
        policy = part.explain or problem.explain
        if policy == "after_attempt" and pid not in (attempted or set()):
            out.append(withheld(pid))
            continue
        out.append(kind_of(part).explain(inst, pid, part, env))
    return out


def _needed_defines(inst: Instance, parts: list[str]) -> set[str]:
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
