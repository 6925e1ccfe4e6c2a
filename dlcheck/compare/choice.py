"""Multiple choice: one option or several, numbered from 1 as on the sheet."""

from __future__ import annotations

import re

from dlcheck.errors import ParseError
from dlcheck.parse.text import _DIGITS
from dlcheck.verdict import Verdict

_LETTERS = "abcdefghij"


def parse_choice(text: str, n_options: int) -> frozenset[int]:
    """``2``, ``[2, 3]``, ``2 and 3``, ``{2,3}``, ``b`` -> a set of option numbers."""
    cleaned = str(text).translate(_DIGITS).strip().strip("[]{}() ").lower()
    if not cleaned:
        raise ParseError("no option chosen")
    if len(cleaned) > 200:
        raise ParseError("too long for a choice")
    picks = set()
    for item in re.split(r"\s*(?:,|;|\band\b|\s)\s*", cleaned):
        if not item:
            continue
        if item.isdigit():
            k = int(item)
        elif len(item) == 1 and item in _LETTERS:
            k = _LETTERS.index(item) + 1
        else:
            raise ParseError(f"'{item}' is not an option number; write e.g. 2 or [2, 3]")
        if not 1 <= k <= n_options:
            raise ParseError(f"there is no option {k}; options are 1 to {n_options}")
        picks.add(k)
    return frozenset(picks)


def show(picks: frozenset[int]) -> str:
    return ", ".join(str(k) for k in sorted(picks))


def check_choice(inst, pid: str, text: str) -> Verdict:
    part = inst.spec.problem.parts[pid]
    expected = inst.choices[pid]
    try:
        picks = parse_choice(text, len(part.options))
    except ParseError as exc:
        return Verdict(pid, "invalid", 0.0, part.points, str(exc), text, show(expected))
    if picks == expected:
        return Verdict(pid, "correct", part.points, part.points, "correct", text, show(expected))
    for mistake, parsed in zip(part.mistakes, inst.mistakes.get(pid, [])):
        if picks == parsed:
            return Verdict(pid, "incorrect", mistake.credit * part.points, part.points, mistake.feedback,
                           text, show(expected), {"mistake": mistake.name or mistake.feedback})
    missing, extra = expected - picks, picks - expected
    bits = []
    if missing:
        bits.append(f"{len(missing)} right option{'' if len(missing) == 1 else 's'} missing")
    if extra:
        bits.append(f"{show(extra)} {'is' if len(extra) == 1 else 'are'} not right")
    score = 0.0
    if part.partial_credit and len(expected) > 1:
        score = part.points * max(0.0, (len(picks & expected) - len(extra)) / len(expected))
    status = "partial" if score > 0 else "incorrect"
    return Verdict(pid, status, score, part.points, "; ".join(bits), text, show(expected))
