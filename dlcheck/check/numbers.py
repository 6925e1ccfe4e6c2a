"""A number (or vector, or matrix of numbers) against its reference: within the tolerance, or what is wrong.

The full checker (``kinds/value.py``) and the numeric path (``grade/numeric.py``) both decide here, on
exact values: what a wrong number's verdict says (the gap, the entries that differ, the significant-
figure rule it breaks) is one piece of code whichever way the value was read. No sympy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from dlcheck.check.shapes import as_grid, cells, differing
from dlcheck.check.tolerance import Tol, correct_figures, not_within, rel_error, sigfig_check
from dlcheck.core.verdict import Evidence, Status, Verdict
from dlcheck.engine.numbers import to_float, to_fraction
from dlcheck.parse.printing import fmt


def judge(verdict: Verdict, given: Any, expected: Any, tol: Tol, text: str, points: float, noise: Fraction,
          recheck: Callable[[list], list] | None = None, entries: tuple[tuple[str, ...], ...] = ()) -> Verdict:
    """``given`` (exact) against ``expected``: correct within ``tol``, else incorrect with the facts.
    ``recheck`` takes the entries that differ and keeps those that still differ at a higher precision;
    ``entries`` are a list's entries as written, row by row (significant figures are counted on them)."""
    verdict.value, verdict.reference = given, expected
    if tol.sigfigs is not None:
        bad, reasons = sigfig_entries(text, entries, given, expected, tol.sigfigs)
    else:
        bad, reasons = differing(given, expected, tol, noise), []
        if bad and recheck is not None:
            bad = recheck(bad)
    if not bad:
        verdict.status, verdict.score, verdict.message = Status.CORRECT, points, "correct"
        return verdict
    verdict.detail.update(numeric_detail(given, expected, bad, tol))
    if reasons:  # significant figures: say which rule failed, entry by entry
        verdict.detail["sigfigs"] = [why.text for why in reasons]
        if len(cells(given)) == 1:
            verdict.tell(reasons[0])
        else:
            verdict.tell(*(why.framed(f"{'; ' if k else ''}entry {_entry_name(i, j, expected)}: ", "")
                           for k, ((i, j), why) in enumerate(list(zip(bad, reasons))[:3])))
    elif isinstance(expected, list):  # which entries differ (where, not what they should be)
        verdict.tell(Evidence("entries", verdict.detail["summary"], at=[(i + 1, j + 1) for i, j in bad]))
    else:  # the size of the gap is the reference, given the answer
        verdict.tell(Evidence("tolerance", verdict.detail["summary"], reveals_reference=True,
                              withheld=not_within(verdict.detail.get("tolerance")), yours=given, expected=expected))
    return verdict


def _power_of_ten(x: Fraction) -> str:
    """``10^400`` for a number about that size (from bit lengths: no float holds it)."""
    value = abs(x)  # math.log10 takes ints of any size
    return f"10^{round(math.log10(value.numerator) - math.log10(value.denominator))}"


def _entry_name(i: int, j: int, expected: Any) -> str:
    return f"({i + 1},{j + 1})" if len(as_grid(expected)[0]) > 1 else f"{i + 1}"


def sigfig_entries(text: str, entries: tuple[tuple[str, ...], ...], given: Any, expected: Any,
                   sigfigs: tuple[int, int]) -> tuple[list, list[Evidence]]:
    """STACK NumSigFigs on each entry (a vector's entries are counted on their own text, as the parser
    read them: ``entries``; a scalar on the whole text)."""
    g, e = as_grid(given), as_grid(expected)
    texts = [typed for row in entries for typed in row] or [text]
    flat = [(i, j) for i, row in enumerate(e) for j in range(len(row))]
    if len(texts) != len(flat):
        texts = [text] * len(flat)
    bad: list[tuple[int, int]] = []
    reasons: list[Evidence] = []
    for (i, j), typed in zip(flat, texts):
        ok, why = sigfig_check(typed, g[i][j], e[i][j], *sigfigs)
        if not ok and why is not None:
            bad.append((i, j))
            reasons.append(why)
    return bad, reasons


def numeric_detail(given: Any, expected: Any, bad: list, tol: Tol) -> dict:
    if not isinstance(expected, list):
        exact_gap = abs(to_fraction(given) - to_fraction(expected))
        gap = to_float(exact_gap)
        err = rel_error(given, expected)
        figures = correct_figures(given, expected)
        agree = f"; right to {figures} significant figure{'s' if figures != 1 else ''}" if 0 < figures < 15 else ""
        # a gap no double holds (1e-999 against 0, 10^1001 against 1) is shown by its size, never as 0 or inf
        shown = fmt(gap, 3) if exact_gap == 0 or (gap != 0 and math.isfinite(gap)) else \
            f"about {_power_of_ten(exact_gap)}"
        if not math.isfinite(err):  # past the largest double
            off = f"about {_power_of_ten(exact_gap)}"
        else:  # no percentage of 0
            off = shown if to_fraction(expected) == 0 else f"{shown} ({fmt(err * 100, 3)}%)"
        return {"rel_error": err if math.isfinite(err) else None, "abs_error": gap if math.isfinite(gap) else None,
                "tolerance": tol.describe(), "correct_figures": figures,
                "summary": f"off by {off}{agree}; tolerance {tol.describe()}"}
    g, e = as_grid(given), as_grid(expected)
    entries = [{"row": i + 1, "col": j + 1, "given": to_float(g[i][j]),
                "expected": to_float(e[i][j])} for i, j in bad]
    total = sum(len(r) for r in e)
    return {"entries": entries, "tolerance": tol.describe(),
            "summary": f"{len(bad)} of {total} entries differ: " + ", ".join(
                f"({d['row']},{d['col']})" if len(e[0]) > 1 else f"entry {d['row']}" for d in entries[:6])}
