"""Verdicts: what a checker decides about one part. Renderers only draw these.

A :class:`Status` carries everything a renderer or an exit code needs to know about
itself (its mark, colour, short word, whether its points count as earned and whether
it lets ``grade`` exit 0), so no other module keeps its own table of statuses.

What a verdict says is :class:`Evidence`, not a sentence: each fact (a gap within a
tolerance, a sample point where formulas differ, a significant-figure rule, a slip) is
one piece with its words, its data, and whether it reveals the reference. The message
is those pieces read in order (``Verdict.message``, the full view); a student's view
whose reference is held back reads each revealing piece in its withheld words
(:meth:`Verdict.withheld`), so no text is ever edited after the fact. A parse error's
place travels as ``column``, never inside the words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from dlcheck.core.errors import AT


class Status(str, Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    PARTIAL = "partial"
    CARRIED = "consistent-with-earlier-error"
    INVALID = "invalid"
    MISSING = "missing"
    MANUAL = "manual"
    UNDECIDED = "undecided"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def mark(self) -> str:
        return _LOOK[self][0]

    @property
    def style(self) -> str:
        """A rich style name."""
        return _LOOK[self][1]

    @property
    def word(self) -> str:
        """A short word for a table column ("carried" for the error carried forward)."""
        return _LOOK[self][2]

    @property
    def earned(self) -> bool:
        """The part's score counts as points earned (not merely 0 of something)."""
        return self in (Status.CORRECT, Status.PARTIAL, Status.CARRIED)

    @property
    def passes(self) -> bool:
        """The part does not make ``grade`` exit 1."""
        return self in (Status.CORRECT, Status.CARRIED, Status.MANUAL, Status.MISSING)


_LOOK: dict[Status, tuple[str, str, str]] = {
    Status.CORRECT: ("✓", "green", "correct"),
    Status.INCORRECT: ("✗", "red", "incorrect"),
    Status.PARTIAL: ("½", "yellow", "partial"),
    Status.CARRIED: ("→", "cyan", "carried"),
    Status.INVALID: ("!", "magenta", "invalid"),
    Status.MISSING: ("·", "dim", "missing"),
    Status.MANUAL: ("✎", "blue", "manual"),
    Status.UNDECIDED: ("?", "yellow", "undecided"),
}


@dataclass(frozen=True)
class Evidence:
    """One fact behind a verdict, with the words that say it.

    ``text`` is how it reads in full, joined as it is to the pieces before and after it
    (a piece carries its own separator: ``", expected 6.5"``). A piece that gives away the
    reference (``reveals_reference``) reads ``withheld`` instead when the reference is held
    back ("" says nothing at all). ``yours``, ``expected`` and ``at`` are the fact's data: the
    student's value, the reference's, and where (a sample point, an entry).
    """

    kind: str                      # note, parse, shape, tolerance, sigfigs, entries, witness, carried, mistake, slip
    text: str
    reveals_reference: bool = False
    withheld: str = ""
    yours: Any = None
    expected: Any = None
    at: Any = None

    def said(self, reveal: bool = True) -> str:
        return self.text if reveal or not self.reveals_reference else self.withheld

    def hidden(self) -> Evidence:
        """The same fact with what gives the reference away taken out."""
        if not self.reveals_reference:
            return self
        return Evidence(self.kind, self.withheld, yours=self.yours, at=self.at)

    def framed(self, before: str = "", after: str = "") -> Evidence:
        """These words with ``before`` and ``after`` around them (a withheld piece that says nothing
        stays silent)."""
        return replace(self, text=before + self.text + after,
                       withheld=before + self.withheld + after if self.withheld else "")


def note(text: str) -> Evidence:
    """Words that give nothing of the reference away ("correct", an undecided check's reason)."""
    return Evidence("note", text)


@dataclass(init=False)
class Verdict:
    part: str
    status: Status
    score: float
    max_score: float
    answer: str = ""           # the text the student typed
    expected: str = ""         # the reference, shown as text
    detail: dict[str, Any] = field(default_factory=dict)
    value: Any = None          # the student's value as floats, for carrying forward
    reference: Any = None      # the expected value as floats, when numeric
    parsed: Any = None         # the student's parsed value (sympy), for diagnosis; never serialised
    trace: str = ""            # a traceback behind an internal error, shown only with --debug
    evidence: tuple[Evidence, ...] = ()   # what the message says, piece by piece
    column: int | None = None  # where in the answer the parser stopped (1-based), for an invalid answer
    formula: bool = False      # the expected answer is a formula (drawn in a terminal's notation: σ, ·, x²)
    cells: tuple[tuple[str, ...], ...] = ()   # a list answer's entries as the parser read them, row by row

    def __init__(self, part: str, status: Status, score: float, max_score: float, message: str = "",
                 answer: str = "", expected: str = "", detail: dict[str, Any] | None = None, value: Any = None,
                 reference: Any = None, parsed: Any = None, trace: str = "", evidence: tuple[Evidence, ...] = (),
                 column: int | None = None, formula: bool = False,
                 cells: tuple[tuple[str, ...], ...] = ()) -> None:
        self.part, self.status, self.score, self.max_score = part, status, score, max_score
        self.answer, self.expected = answer, expected
        self.detail = {} if detail is None else detail
        self.value, self.reference, self.parsed, self.trace = value, reference, parsed, trace
        said = "".join(e.text for e in evidence)
        # a message given as words is a plain note (unless it is what the evidence given with it says)
        self.evidence = (note(message),) if message and message != said else tuple(evidence)
        self.column, self.formula, self.cells = column, formula, cells

    @property
    def message(self) -> str:
        """What the verdict says in full: its evidence read in order (a plain note when one is set)."""
        return self.says()

    @message.setter
    def message(self, text: str) -> None:
        self.tell(note(text))

    def says(self, position: bool = True, reveal: bool = True) -> str:
        """The message: every piece of evidence in order (the parse error's column after it)."""
        text = "".join(e.said(reveal) for e in self.evidence)
        if position and self.column is not None:
            text += f"{AT}{self.column})"
        return text

    def tell(self, *evidence: Evidence, column: int | None = None) -> None:
        """Say ``evidence`` (and nothing else): the message is rebuilt from it."""
        self.evidence, self.column = tuple(evidence), column

    def withheld(self) -> Verdict:
        """This verdict with every piece of evidence that reveals the reference in its withheld words."""
        return replace(self, evidence=tuple(e.hidden() for e in self.evidence))

    @property
    def reveals_reference(self) -> bool:
        return any(e.reveals_reference for e in self.evidence)

    @property
    def ok(self) -> bool:
        return self.status.passes

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.part, "status": self.status.value, "score": round(self.score, 6),
               "max_score": self.max_score, "message": self.message, "answer": self.answer,
               "expected": self.expected}
        if self.detail:
            out["detail"] = _plain(self.detail)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity: "inf" (an exact answer past the largest double)
    if isinstance(value, (float, int, str, bool)) or value is None:
        return value
    return str(value)


@dataclass
class ProblemResult:
    id: str
    title: str
    verdicts: list[Verdict]
    variant: dict[str, str] = field(default_factory=dict)   # the student's given values, when they vary
    varies: bool = False    # the problem's numbers vary per student (without a student: the sheet's)

    @property
    def score(self) -> float:
        return sum(v.score for v in self.verdicts)

    @property
    def max_score(self) -> float:
        return sum(v.max_score for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "title": self.title, "score": round(self.score, 6),
               "max_score": self.max_score, "parts": [v.to_json() for v in self.verdicts]}
        if self.variant:
            out["variant"] = dict(self.variant)
        return out
