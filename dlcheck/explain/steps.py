"""The worked solution of a problem, derived from its graph (nothing here is typed in).

For each definition in order: its formula, the formula with the numbers substituted,
and its value; then each part, as its kind explains it (the same for value parts, the
right option for a choice, a known solution with a trace for a construction, the model
answer and rubric of an essay). Values are the very ones ``grade`` compares against.
"""

from __future__ import annotations

import sympy as sp

from dlcheck.check.registry import kind_of
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.instance import Instance
from dlcheck.engine.steps import Step, formula_step, withheld
from dlcheck.parse.printing import latex, plain


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
    for step in out:
        _in_author_order(inst, step, env)
    return out


def _in_author_order(inst: Instance, step: Step, env: dict) -> None:
    """A definition or formula part printed in the order its author wrote it (``w5 - eta*dE_dw5``),
    its line with the numbers in the same order."""
    problem = inst.spec.problem
    if step.kind == "define":
        expr, text = inst.shallow[step.name], problem.define[step.name]
    elif step.kind == "part" and inst.part_node.get(step.name) == step.name:
        part = problem.parts[step.name]
        shown = getattr(inst.prepared.get(step.name), "shown", None)
        expr = shown if shown is not None else inst.shallow[step.name]
        text = getattr(part, "show", None) or raw_text(getattr(part, "answer", ""))
    else:
        return
    if plain(expr) != step.formula:  # not the formula this step was printed from: leave it
        return
    step.formula, step.latex = plain(expr, like=text), latex(expr, like=text)
    if step.substituted:
        step.substituted = plain(expr, like=text, values=env)
        step.latex_substituted = latex(expr, like=text, values=env)


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
