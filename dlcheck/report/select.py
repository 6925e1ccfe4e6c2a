"""Which verdicts a report shows: ``--part`` and whether anything was gradable at all."""

from __future__ import annotations

from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import did_you_mean
from dlcheck.core.verdict import ProblemResult, Status


def only_parts(results: list[ProblemResult], wanted: list[str] | None) -> list[ProblemResult]:
    """The verdicts of ``--part`` (``loss``, ``q1/loss`` or ``backprop/q1/loss``), in file order.

    A name that matches no graded part is an error (with the closest part names), never ignored.
    """
    if not wanted:
        return results
    keep: set[tuple[str, str]] = set()
    for name in wanted:
        problem, _, part = name.strip().rpartition("/")
        found = {(r.id, v.part) for r in results for v in r.verdicts
                 if v.part == part and (not problem or r.id == problem or r.id.endswith("/" + problem))}
        if not found:
            known = [v.part for r in results for v in r.verdicts]
            full = [f"{r.id}/{v.part}" for r in results for v in r.verdicts]
            hint = did_you_mean(part, known) or did_you_mean(name, full) or \
                f"; the parts are {', '.join(dict.fromkeys(known))}"
            raise DlcheckError(f"--part {name}: no such part in this file{hint}")
        keep |= found
    out = []
    for r in results:
        kept = [v for v in r.verdicts if (r.id, v.part) in keep]
        if kept:
            out.append(ProblemResult(r.id, r.title, kept, r.variant, r.varies))
    return out


def nothing_to_grade(results: list[ProblemResult]) -> bool:
    """No part was answered that dlcheck checks (an empty file, all blank, only essays)."""
    return not any(v.status not in (Status.MISSING, Status.MANUAL) for r in results for v in r.verdicts)
