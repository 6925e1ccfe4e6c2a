"""Error carried forward: a later part that is right given the student's own earlier values.

The problem's graph is re-evaluated with the values the student typed for earlier wrong
parts pinned in place; if this part's answer then matches, the student did this step
right on wrong inputs, and the problem's ``carry_forward`` policy decides the credit.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from dlcheck.check.shapes import cells, close
from dlcheck.check.tolerance import Tol
from dlcheck.core.errors import Undefined
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.numeval import numeval_any

_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.CARRIED)


def carried_forward(inst, pid: str, given: Any, tol: Tol, earlier: dict[str, Verdict]) -> list[str]:
    """Earlier wrong parts whose values, used as the student used them, explain this one."""
    ref = inst.part_ref[pid]
    ancestors = inst.ancestors(ref)
    wrong = []
    for other, verdict in earlier.items():
        node = inst.part_node.get(other)
        if node is None or verdict.value is None or verdict.status not in _WRONG:
            continue
        placeholder = inst.named[node]
        syms = list(placeholder) if isinstance(placeholder, sp.MatrixBase) else [placeholder]
        if not set(syms) & ancestors:
            continue
        wrong.append((other, dict(zip(syms, cells(verdict.value)))))
    if not wrong:
        return []
    trials = [wrong] + [[w] for w in wrong] if len(wrong) > 1 else [wrong]
    for trial in trials:
        overrides = {s: v for _, pins in trial for s, v in pins.items()}
        try:
            carried = numeval_any(ref, inst.env(overrides=overrides))
        except Undefined:
            continue
        if close(given, carried, tol):
            return [name for name, _ in trial]
    return []
