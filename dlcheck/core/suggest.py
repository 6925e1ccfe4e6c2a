""""Did you mean …?": the closest known names to a mistyped one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates close to ``word`` (case-insensitive), best first."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return [lowered[word.lower()]]  # only the case differs: Q1 -> q1
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[f] for f in found]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean sigmoid?"`` (or ``" or "`` between several), or ``""`` when nothing is close."""
    found = closest(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(found) + "?"
