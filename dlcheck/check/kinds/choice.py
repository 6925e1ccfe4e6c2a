"""Multiple choice: one option or several, numbered from 1 as on the sheet."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from dlcheck.check.kind import Kind
from dlcheck.core.errors import ParseError
from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.yamlio import raw_text
from dlcheck.engine.instance import Instance
from dlcheck.engine.instance import Prepared as PreparedBase
from dlcheck.engine.steps import Step
from dlcheck.parse.text import DIGITS
from dlcheck.spec.model import Mistake, PartBase

_LETTERS = "abcdefghij"


class ChoicePart(PartBase):
    kind: Literal["choice"]
    answer: str | list                      # option number(s), 1-based
    options: list[str] = Field(min_length=2)
    mistakes: list[Mistake] = []
    partial_credit: bool = False


@dataclass
class Prepared(PreparedBase):
    answer: frozenset[int] = frozenset()


MAX_CHOICE = 200


# words that answer a yes/no or true/false question, in English and Persian -> the option they pick
_SYNONYMS = {
    "yes": ("yes", "y", "بله", "بلی", "آری", "آره", "yeah"),
    "no": ("no", "n", "خیر", "نه", "نخیر"),
    "true": ("true", "t", "درست", "صحیح"),
    "false": ("false", "f", "نادرست", "غلط"),
}


def _words(text: str) -> str:
    """Option text compared as words: case, spacing, Persian letter forms and end punctuation aside."""
    text = unicodedata.normalize("NFKC", text).replace("ي", "ی").replace("ك", "ک").replace("\u200c", " ")
    return re.sub(r"\s+", " ", text).strip().strip(".!:;,،؛").strip().casefold()


def by_text(text: str, options: list[str]) -> frozenset[int] | None:
    """The options a text names by their own words (``no``, ``خیر``, the option's text), or None; a text
    that says several (``yes, no``) chooses them all."""
    said = _words(text)
    if not said:
        return None
    named = [k for k, option in enumerate(options, 1) if _words(option) == said]
    if len(named) == 1:
        return frozenset(named)
    words = [w for w in re.split(r"[\s,،.:;!؛/|-]+", said) if w]
    named_by = {k for w in words for k, option in enumerate(options, 1) if w in _SYNONYMS.get(_words(option), ())}
    if len(named_by) > 1:  # "yes, no", "بله خیر": both options chosen, as "1, 2" would (never the first alone)
        return frozenset(named_by)
    first = words[0] if words else ""   # "no, because ...": the first word answers
    for word in (said, first):
        picks = [k for k, option in enumerate(options, 1)
                 if word in _SYNONYMS.get(_words(option), ())]
        if len(picks) == 1:
            return frozenset(picks)
    return None


def parse_choice(text: str, n_options: int, options: list[str] | None = None) -> frozenset[int]:
    """``2``, ``[2, 3]``, ``2 and 3``, ``{2,3}``, ``b`` -> a set of option numbers; with ``options``, also
    an option's own text, and yes/no (true/false) in English or Persian for such options."""
    text = str(text)
    if len(text) > MAX_CHOICE:  # before any other work, stripping included
        raise ParseError(f"too long for a choice ({len(text)} characters; at most {MAX_CHOICE})")
    cleaned = text.translate(DIGITS).strip().strip("[]{}() ")
    if not cleaned:
        raise ParseError("no option chosen")
    if options and not re.fullmatch(r"[\d\s,;\[\]{}()]+|[a-jA-J]", cleaned):
        named = by_text(text, options)
        if named is not None:
            return named
    picks = set()
    for item in re.split(r"\s*(?:,|;|\band\b|\s)\s*", cleaned, flags=re.IGNORECASE):
        if not item:
            continue
        if item.isascii() and item.isdigit():  # not ², ① or ₃: str.isdigit is true for them, int() fails
            k = int(item)
        elif len(item) == 1 and item.lower() in _LETTERS:  # the typed text is quoted as typed, below
            k = _LETTERS.index(item.lower()) + 1
        else:
            raise ParseError(f"'{item}' is not an option number; write e.g. 2 or [2, 3]")
        if not 1 <= k <= n_options:
            raise ParseError(f"there is no option {k}; options are 1 to {n_options}")
        picks.add(k)
    return frozenset(picks)


def show(picks: frozenset[int]) -> str:
    return ", ".join(str(k) for k in sorted(picks))


def prepare(inst: Instance, pid: str, part: ChoicePart) -> None:
    n = len(part.options)
    try:
        answer = parse_choice(raw_text(part.answer), n)
    except ParseError as exc:
        raise inst.spec.error(("parts", pid, "answer"), f"choice answer: {exc}") from None
    mistakes = []
    for i, m in enumerate(part.mistakes):
        try:
            mistakes.append(parse_choice(raw_text(m.answer), n))
        except ParseError as exc:
            raise inst.spec.error(("parts", pid, "mistakes", i, "answer"), f"choice mistake: {exc}") from None
    inst.prepared[pid] = Prepared(mistakes=mistakes, answer=answer)


def check(inst: Instance, pid: str, text: str) -> Verdict:
    part = inst.spec.problem.parts[pid]
    expected = _prepared(inst, pid).answer
    try:
        picks = parse_choice(text, len(part.options), part.options)
    except ParseError as exc:
        return Verdict(pid, Status.INVALID, 0.0, part.points, exc.message, text, show(expected), column=exc.column)
    if picks == expected:
        return Verdict(pid, Status.CORRECT, part.points, part.points, "correct", text, show(expected))
    missing, extra = expected - picks, picks - expected
    bits = []
    if missing:
        bits.append(f"{len(missing)} right option{'' if len(missing) == 1 else 's'} missing")
    if extra:
        bits.append(f"{show(extra)} {'is' if len(extra) == 1 else 'are'} not right")
    score = 0.0
    if part.partial_credit and len(expected) > 1:
        score = part.points * max(0.0, (len(picks & expected) - len(extra)) / len(expected))
    status = Status.PARTIAL if score > 0 else Status.INCORRECT
    return Verdict(pid, status, score, part.points, "; ".join(bits), text, show(expected), parsed=picks)


def _prepared(inst: Instance, pid: str) -> Prepared:
    prepared = inst.prepared[pid]
    assert isinstance(prepared, Prepared)
    return prepared


def same(inst: Instance, pid: str, verdict: Verdict, mistake: frozenset[int]) -> bool:
    return verdict.parsed == mistake


def explain(inst: Instance, pid: str, part: ChoicePart, env: dict) -> Step:
    picks = sorted(_prepared(inst, pid).answer)
    return Step(pid, "choice", value=", ".join(map(str, picks)), is_part=True,
                notes=[f"{k}. {part.options[k - 1]}" for k in picks] +
                [f"common mistake: {m.feedback}" for m in part.mistakes])


def describe(part: ChoicePart) -> list[str]:
    return [f"{k}. {option}" for k, option in enumerate(part.options, 1)] + \
        ["answer with the option number(s), e.g. 2 or [1, 3]"]


KIND = Kind("choice", ChoicePart, prepare, check, explain, same, describe=describe)
