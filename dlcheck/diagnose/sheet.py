"""The sheet's numbers typed under a variant: the answer is right for the sheet, not for the student.

A problem that varies per student (``vary:``) poses each student their own givens; one who
works from the printed sheet (or a friend's answers) types the value for the sheet's numbers.
That answer is named, with the student's own givens -- which they may see (``dlcheck show``
prints them) -- and never the student's own reference.
"""

from __future__ import annotations

from typing import Any

from dlcheck.check.registry import get_instance
from dlcheck.check.shapes import close
from dlcheck.check.tolerance import Tol
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.core.yamlio import raw_text
from dlcheck.diagnose.slips import Finding
from dlcheck.engine.exact import exact_value
from dlcheck.engine.instance import Instance

NAME = "sheet-values"


def sheet_values(inst: Instance, pid: str, given: Any, expected: Any, tol: Tol) -> Finding | None:
    """``given`` equals the part's value at the sheet's givens (and that is not the student's)."""
    vary = inst.spec.problem.vary
    if not vary:
        return None
    base = get_instance(inst.spec.id)
    if base is inst or pid not in base.part_ref:
        return None
    mine, sheet_given = inst.spec.problem.given, base.spec.problem.given
    yours = {n: raw_text(mine[n]) for n in vary if n in mine and raw_text(mine[n]) != raw_text(sheet_given.get(n))}
    if not yours:
        return None
    try:
        sheet = exact_value(base, base.part_ref[pid])
    except (Undefined, UnknownSymbol):
        return None
    if not close(given, sheet, tol) or close(sheet, expected, tol):
        return None
    numbers = ", ".join(f"{n} = {v}" for n, v in yours.items())
    return Finding(NAME, f"that is the value for the sheet's numbers; yours are {numbers}")
