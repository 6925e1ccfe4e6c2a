"""Verdicts kept: a problem's answers, judged once, are not judged again until something changes.

A student runs ``dlcheck grade answers.yaml`` again and again while working; most problems of the file
are as they were last time. Grading is a pure function of the spec's bytes, dlcheck's code (and the
libraries'), and the problem's answers: so when one file is graded, each problem's result is kept in the
derivation cache under exactly those (:func:`key`), and the next run of the same answers to the same
spec reads it back in this process, loading neither sympy nor numpy -- a formula part too, which
otherwise needs sympy. Any change (one character of one answer, the spec, dlcheck) is another key: that
problem is judged afresh, and the others are still read back.

Only what cannot depend on the machine is kept: never a problem with an ``undecided`` part (a time
bound, a worker's memory cap, a fault), never one whose misread search stopped at its time bound
(:class:`dlcheck.diagnose.misread.Amended`), never a job resumed after a kill, never a student's own
numbers (a problem that varies is kept for the sheet's numbers only, as the card is). A class is not
kept (its files are other people's answers, graded once). What is kept is plain data: the verdicts
with their values as floats, so reading them back imports no sympy, numpy or mpmath; a verdict holding
anything else is not kept. Entries are the cache's own (owner and mode checked, never through a link);
the oldest are removed past :data:`KEEP`. ``DLCHECK_KEEP_VERDICTS=0`` judges every file afresh (the
test suite runs so, but for tests/test_judged.py: a test that patches dlcheck for one run must not hand
that run's verdicts to its next).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dlcheck.core import diskcache
from dlcheck.core.verdict import ProblemResult, Status, Verdict

ENV = "DLCHECK_KEEP_VERDICTS"   # 0 (or off, no, false): judge every file afresh, keep nothing
KIND = "judged"
FORMAT = 1            # bump when what is kept changes (the key includes dlcheck's code anyway)
KEEP = 4096           # entries kept; the oldest go first
_PLAIN = (str, int, float, bool, type(None), Fraction, Decimal, Status)


def enabled() -> bool:
    """Verdicts are kept and read back (unless :data:`ENV` turns it off; the cache off turns it off too)."""
    return os.environ.get(ENV, "").strip().lower() not in ("0", "off", "no", "false")


def key(problem_id: str, source: bytes, parts: list[tuple[str, Any]]) -> str | None:
    """Where the result of ``parts`` (every part of the problem in order, with its answer or None) is
    kept, for the spec whose bytes are ``source``; None for answers that are not plain data."""
    try:
        # ASCII (a lone surrogate a student typed is an escape, never an encoding error); a mapping as its
        # pairs in the order typed (an answer's text shows them so)
        answers = json.dumps([FORMAT, [[pid, _ordered(answer)] for pid, answer in parts]], ensure_ascii=True,
                             separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return diskcache.key_of(problem_id, KIND, source, answers)


def _ordered(answer: Any) -> Any:
    """``answer`` as JSON keeps it, a mapping's order included (lists of pairs, tagged apart from lists)."""
    if isinstance(answer, dict):
        return {"pairs": [[_ordered(k), _ordered(v)] for k, v in answer.items()]}
    if isinstance(answer, (list, tuple)):
        return [_ordered(x) for x in answer]
    if answer is None or isinstance(answer, (str, bool, int, float)):
        return answer
    raise TypeError(type(answer).__name__)


def load(problem_id: str, source: bytes, parts: list[tuple[str, Any]]) -> ProblemResult | None:
    """The result kept for these answers, or None."""
    if not enabled():
        return None
    found = key(problem_id, source, parts)
    kept = diskcache.load(KIND, found) if found is not None else None
    if not isinstance(kept, ProblemResult) or kept.id != problem_id or \
            [v.part for v in kept.verdicts] != [pid for pid, _ in parts]:
        return None
    return kept


def store(problem_id: str, source: bytes, parts: list[tuple[str, Any]], result: ProblemResult) -> bool:
    """Keep ``result`` for these answers, if it is whole and plain (see the module's docstring)."""
    if not enabled() or result.variant or any(v.status is Status.UNDECIDED or v.trace for v in result.verdicts):
        return False
    found = key(problem_id, source, parts)
    if found is None:
        return False
    verdicts = [_kept(v) for v in result.verdicts]
    if any(v is None for v in verdicts):
        return False
    kept = ProblemResult(result.id, result.title, [v for v in verdicts if v is not None], {}, result.varies)
    if not diskcache.store(KIND, found, kept):
        return False
    diskcache.prune(KIND, KEEP)
    return True


def _kept(v: Verdict) -> Verdict | None:
    """``v`` as plain data: its values (for carrying forward, never shown) as floats, the evidence's data
    likewise; None when what is shown holds anything but plain data."""
    if not _plain(v.detail) or not _plain(v.cells) or not _plain(v.answer) or not _plain(v.expected):
        return None
    try:
        evidence = tuple(replace(e, yours=_floats(e.yours), expected=_floats(e.expected), at=_floats(e.at))
                         for e in v.evidence)
        return replace(v, value=_floats(v.value), reference=_floats(v.reference), parsed=None,
                       evidence=evidence)
    except _NotPlain:
        return None


class _NotPlain(Exception):
    pass


def _floats(value: Any) -> Any:
    """Numbers as floats, lists and tuples as lists, the plain kept as they are."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)):
        return [_floats(x) for x in value]
    if isinstance(value, dict):
        return {k: _floats(x) for k, x in value.items() if isinstance(k, _PLAIN)}
    try:
        return float(value)   # an mpf, a sympy number
    except (TypeError, ValueError, OverflowError):
        raise _NotPlain(type(value).__name__) from None


def _plain(value: Any) -> bool:
    """Plain data only: what a report shows is kept exactly as it was, or the verdict is not kept."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(x) for x in value)
    if isinstance(value, dict):
        return all(isinstance(k, _PLAIN) and _plain(x) for k, x in value.items())
    return False


def source_of(problem_id: str) -> bytes | None:
    """The bytes of the spec file the bank has for ``problem_id`` now (None: not there, unreadable)."""
    from dlcheck.spec import bank  # lazy: the bank's folders are read only when a kept result is wanted

    try:
        return bank.spec_path(problem_id).read_bytes()
    except (OSError, bank.UnknownProblem):
        return None
