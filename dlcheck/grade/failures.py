"""What can go wrong with a check, as verdicts: a hang, a blow-up in memory, a nesting too deep,
a fault of dlcheck itself (its type, message and traceback kept for ``--debug``)."""

from __future__ import annotations

import math
from typing import Any

from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import Status, Verdict

PART_SECONDS = 5.0                    # a part's time bound unless --timeout says otherwise
MAX_SECONDS = 3600.0


def check_seconds(seconds: float) -> float:
    """A part's bound, or a clear error: a number of seconds from 0.5 to an hour (``inf``, ``nan`` and
    ``1e308`` are refused: a bound that never ends is no bound)."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or not 0.5 <= seconds <= MAX_SECONDS:
        raise DlcheckError(f"--timeout {seconds}: give the seconds allowed per part, from 0.5 to "
                           f"{MAX_SECONDS:g} (an hour)")
    return float(seconds)


def answer_text(answer: Any) -> str:
    if answer is None:
        return ""
    if isinstance(answer, dict):
        return ", ".join(f"{k}: {v}" for k, v in answer.items())
    return str(answer)


def undecided(pid: str, points: float, answer: Any, message: str, key: str, fact: Any) -> Verdict:
    """A part no check could decide, with the fact behind it in ``detail[key]`` (for JSON and --debug)."""
    verdict = Verdict(pid, Status.UNDECIDED, 0.0, points, message, answer_text(answer))
    verdict.detail[key] = fact
    return verdict


def timed_out(pid: str, points: float, answer: Any, seconds: float, replaced: bool = False) -> Verdict:
    how = "; its worker was stopped and a fresh one took over" if replaced else ""
    return undecided(pid, points, answer, f"checking took longer than {seconds:g} s{how}; simplify the answer "
                     "or ask a person", "timed_out", seconds)


def crashed(pid: str, points: float, answer: Any, how: str) -> Verdict:
    return undecided(pid, points, answer, f"the check of this answer stopped its worker ({how}); a fresh worker "
                     "took over; a person will check this part", "crashed", how)


def too_large(pid: str, points: float, answer: Any) -> Verdict:
    return undecided(pid, points, answer, "too large to check: working it out needs more memory than a check "
                     "may use; simplify the answer or ask a person", "too_large", True)


def too_deep(pid: str, points: float, answer: Any) -> Verdict:
    return Verdict(pid, Status.INVALID, 0.0, points, "the answer is nested too deeply; write it flatter",
                   answer_text(answer))


def failed(pid: str, points: float, answer: Any, exc: BaseException, trace: str = "") -> Verdict:
    """dlcheck itself failed on this answer: a sentence for the student, the facts for ``--debug``."""
    verdict = undecided(pid, points, answer, "dlcheck failed while checking this answer (a fault in dlcheck, not "
                        "in the answer); a person will check it", "error",
                        {"type": type(exc).__name__, "message": str(exc)})
    verdict.trace = trace or f"{type(exc).__name__}: {exc}"
    return verdict


def not_started(pid: str, points: float, answer: Any, why: str) -> Verdict:
    """No process could be started to check the answer: the machine's limits, not the answer."""
    return undecided(pid, points, answer, f"could not start a process to check this answer ({why}); run dlcheck "
                     "again, or a person will check it", "not_started", why)
