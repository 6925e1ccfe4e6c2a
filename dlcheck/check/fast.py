"""The numeric path's card: a derived problem as plain data, and a right literal checked from it.

Deriving a problem needs sympy; checking ``0.5945`` against a derived reference does not. When a
problem is derived for grading, its *card* is stored beside it in the derivation cache
(:mod:`dlcheck.grade.cards` makes it): for every numeric part the reference as exact fractions (an
irrational one as a narrow interval of fractions around it, far inside any tolerance's own slack),
the part's tolerance, points and the reference's text, and what diagnosing a wrong value asks of the
graph; for every part its points and reveal policy -- plain Python data, loaded by a process that
never imports sympy.

:func:`decide` gives only the verdict it can give exactly as the full checker would, and only
``correct``: an answer that is a literal number (``0.5945``, ``-7.66e-2``, Persian digits, a lone
decimal comma) or a bracketed list of them in the part's shape, within the tolerance at both ends of
the reference's interval. A wrong literal is judged and diagnosed from the card by
:mod:`dlcheck.grade.numeric` (the diagnosis is a layer above); anything else -- arithmetic, names, a
label, the wrong shape, a student's own variant -- goes to the full checker, which loads sympy as
before. ``tests/test_fast_path.py`` holds both to the full checker's verdicts on every numeric part of
the bank.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from dlcheck.check.tolerance import Tol, sigfig_check
from dlcheck.core import diskcache
from dlcheck.core.verdict import Status, Verdict
from dlcheck.parse.text import DIGITS

CARD_FORMAT = 6          # bump when the card's fields change (the cache key includes dlcheck's code anyway)
MAX_TEXT = 400           # a longer answer is not a plain literal worth a fast path
MAX_EXPONENT = 400       # 1e999999999 is left to the full checker's bounds
MAX_DIGITS = 30          # a longer number is the full checker's (its own limit is 60; its precision grows)


Interval = tuple[Any, Any]    # a value's lower and upper ends (a Fraction each, or rows of them for a matrix)


@dataclass(frozen=True)
class CardMistake:
    """A mistake the spec names, with its value's two ends (None where it has no value)."""

    name: str | None
    feedback: str
    credit: float
    value: Interval | None


@dataclass(frozen=True)
class PartCard:
    """What checking a numeric part needs: its reference as fractions, row by row (``lo == hi`` where a
    cell is exact), its tolerance and points, the reference as the report prints it; and what diagnosing
    a wrong value needs of the graph (``clues``: None when the card cannot diagnose this part)."""

    pid: str
    kind: str                                   # number, vector or matrix
    points: float
    rows: int                                   # 1 x 1 for a number; n x 1 for a vector
    cols: int
    lo: tuple[Fraction, ...]                    # every cell, row by row
    hi: tuple[Fraction, ...]
    tol: Tol
    expected: str
    clues: PartClues | None = None
    longest: int = 0                            # digits of the longest number the reference stands on
    hp_dps: int = 30                            # the working precision those digits are added to


@dataclass(frozen=True)
class PartClues:
    """The graph's answers to a wrong value's diagnosis, computed when the card was made: the spec's
    mistakes, entry credit, the givens the part's formula uses, and the reference under each rewrite
    slip at each of its sites (``grade/numeric.py`` reads them through ``diagnose.slips.Wrong``)."""

    mistakes: tuple[CardMistake, ...]
    partial: bool
    informative: tuple[bool, ...]
    formula_givens: tuple[tuple[str, Fraction | None], ...]
    rewrites: dict[str, tuple[Any, ...]]         # detector name -> the value at each site (None: no value)


@dataclass(frozen=True)
class GraphData:
    """The problem's derivation graph as data, for error carried forward (``grade/numeric.py`` evaluates it
    in 80-digit decimals). A formula is a tuple: ``("n", Fraction)``, ``("s", name)``, ``("+", *terms)``,
    ``("*", *factors)``, ``("^", base, exponent)``, ``("f", function, argument)``, ``("max"|"min", *args)``."""

    nodes: dict[str, Any]                       # each node's name -> its formula
    deps: dict[str, tuple[str, ...]]            # each node's name -> the names its formula uses
    leaves: dict[str, Fraction]                 # each given's exact value
    pins: dict[str, tuple[str, ...]]            # a part -> its node's names, row by row (a matrix: its cells)
    refs: dict[str, tuple[int, int, tuple[str, ...]]]   # a part -> its reference: rows, cols, the names
    # a part -> (the earlier parts whose product it may be written through, and for each that does write
    # it so, the rewritten formula: diagnose.carried._through_parts on that part alone)
    through: dict[str, tuple[frozenset[str], dict[str, Any]]]


@dataclass(frozen=True)
class Card:
    """A derived problem as the numeric path sees it (:mod:`dlcheck.grade.cards` makes it)."""

    format: int
    problem_id: str
    title: str
    varies: bool                                # numbers vary per student: only the sheet's are here
    parts: tuple[str, ...]                      # every part id, in the spec's order
    points: dict[str, float]                    # every part's points (a missing answer scores 0 of them)
    reveal: dict[str, str]                      # every part's reveal policy: always, after_attempt or never
    numeric: dict[str, PartCard]                # the parts this path can check
    givens: tuple[tuple[str, Fraction], ...] | None = ()   # every given's value (None: one is irrational)
    method: frozenset[str] = frozenset()        # the slips that name a mistake of method
    carry: str = "full"                         # the problem's carry_forward policy
    graph: GraphData | None = None              # None: error carried forward is the full checker's
    by_hand: frozenset[str] = frozenset()       # the parts a person marks (an essay: its kind is not automatic)


# -- where a card lives ---------------------------------------------------------------------------
def card_key(problem_id: str, path: Path) -> str | None:
    """The card's key in the derivation cache: the spec's bytes and dlcheck's code (as every entry)."""
    try:
        return diskcache.key_of(problem_id, "card", path.read_bytes())
    except OSError:
        return None


_CARDS: dict[tuple, Card] = {}                          # spec file content -> its card
_MISSED: dict[tuple, float] = {}                        # spec file content -> when no card was found
_LOOKED: dict[tuple, tuple[float, tuple | None]] = {}   # (problem, banks) -> when its file was looked at, its key


def load_card(problem_id: str) -> Card | None:
    """The stored card of a full problem id, or None (never derived here, the cache off, a spec that
    changed since): the caller then takes the full path. Kept in memory per spec file content; the file
    is looked at again, as the bank's listing is, once the last look is older than FRESH_SECONDS (a
    report asks for every verdict's policy: a class is thousands of calls)."""
    key = _file_key(problem_id)
    if key is None:
        return None
    card = _CARDS.get(key)
    if card is not None:
        return card
    from dlcheck.spec import bank  # lazy: as in _file_key

    now = time.monotonic()
    if now - _MISSED.get(key, -math.inf) <= bank.FRESH_SECONDS:
        return None
    disk = card_key(problem_id, Path(key[1]))
    found = diskcache.load("card", disk) if disk else None
    if isinstance(found, Card) and found.format == CARD_FORMAT and found.problem_id == problem_id:
        _CARDS[key] = found
        return found
    _MISSED[key] = now   # looked for again after a while: the problem may be derived meanwhile
    return None


def _file_key(problem_id: str) -> tuple | None:
    """What identifies the spec's content in memory: its path, time stamp and size."""
    from dlcheck.spec import bank  # lazy: the bank's folders are read only when a card is wanted

    banks = (problem_id, tuple(str(p) for p in bank.course_banks()))
    now = time.monotonic()
    seen = _LOOKED.get(banks)
    if seen is not None and now - seen[0] <= bank.FRESH_SECONDS:
        return seen[1]
    try:
        path = bank.spec_path(problem_id)
        info = path.stat()
        key: tuple | None = (problem_id, str(path), info.st_mtime_ns, info.st_size)
    except (OSError, bank.UnknownProblem):
        key = None
    _LOOKED[banks] = (now, key)
    return key


def store_card(problem_id: str, source: bytes, card: Card) -> None:
    """Keep ``card`` for the spec whose bytes are ``source`` (those the instance was derived from)."""
    diskcache.store("card", diskcache.key_of(problem_id, "card", source), card)
    _MISSED.clear()   # a miss remembered a moment ago is not one now


# -- reading a literal answer ---------------------------------------------------------------------
_DIGITS = {**DIGITS, ord("−"): "-", ord("–"): "-"}   # the parser's digits of other scripts, and its minus signs
# ASCII digits only (the parser reads no others: ０.５ and ०.५ are not numbers to it), and one way only to
# match a number (digits, then a point and digits): a list that fails to match costs linear time, never a
# backtracking search over where each number's digits split (a hang on 400 characters)
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_SCALAR = re.compile(rf"\s*({_NUMBER})\s*", re.ASCII)
_LONE_COMMA = re.compile(r"\s*([+-]?[0-9]+),([0-9]+)\s*", re.ASCII)   # 0,7918: a decimal comma, not a list
_LIST = re.compile(rf"\[\s*{_NUMBER}(?:\s*,\s*{_NUMBER})*\s*\]", re.ASCII)
_MATRIX = re.compile(rf"\s*\[\s*{_LIST.pattern}(?:\s*,\s*{_LIST.pattern})*\s*\]\s*", re.ASCII)
_ITEM = re.compile(_NUMBER, re.ASCII)
_DIGIT_COMMA = re.compile(r"[0-9],[0-9]")
_COMMA_SPACE = re.compile(r",\s")


def _number(text: str) -> Fraction | None:
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or (value and abs(value.adjusted()) > MAX_EXPONENT):
        return None
    return Fraction(value)


def read_literal(text: str, rows: int, cols: int) -> list[tuple[Fraction, str]] | None:
    """The cells of a literal answer in a ``rows x cols`` shape (each with its typed text, which
    significant figures count), or None when the text is anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    plain = text.translate(_DIGITS)
    if not plain.isascii():
        return None
    if rows == cols == 1:
        found = _SCALAR.fullmatch(plain)
        if found is None:
            comma = _LONE_COMMA.fullmatch(plain)
            if comma is None:
                return None
            typed = f"{comma.group(1)}.{comma.group(2)}"
        else:
            typed = found.group(1)
        value = _number(typed)
        return None if value is None else [(value, text)]   # a number's figures are counted on all it says
    if _DIGIT_COMMA.search(plain) and _COMMA_SPACE.search(plain):
        return None  # [0,5, 0,2]: decimal commas, or four entries? The full checker says it cannot tell
    if cols == 1:  # a vector, typed as one bracketed list
        if _LIST.fullmatch(plain.strip()) is None:
            return None
        items = _ITEM.findall(plain)
    else:
        if _MATRIX.fullmatch(plain) is None:
            return None
        lists = _LIST.findall(plain)
        if len(lists) != rows or any(len(_ITEM.findall(row)) != cols for row in lists):
            return None
        items = _ITEM.findall(plain)
    if len(items) != rows * cols:
        return None
    cells = [(_number(t), t) for t in items]
    if any(v is None for v, _ in cells):
        return None
    return cells  # type: ignore[return-value]


def entries(part: PartCard, text: str) -> tuple[tuple[str, ...], ...]:
    """A list answer's entries as the parser reads them, row by row (``Verdict.cells``: the same rewriting
    into Python syntax, the same tree); none for a number."""
    if part.rows == part.cols == 1:
        return ()
    import ast  # lazy: only a list answer's entries are read so

    from dlcheck.parse.text import entry_texts, to_python  # lazy: as above

    source = to_python(text, frozenset())
    return entry_texts(ast.parse(source, mode="eval").body, source)


def literal(part: PartCard) -> bool:
    """Whether the part's answers can be read here: a one-entry vector or matrix wants its brackets, which
    the full checker reads its own way (``0.125`` for ``[0.125]`` is the wrong shape)."""
    return part.kind == "number" or part.rows * part.cols > 1


# -- deciding -------------------------------------------------------------------------------------
def _within(part: PartCard, cells: list[tuple[Fraction, str]]) -> bool:
    """Every cell accepted against both ends of its reference's interval (so against the reference)."""
    for (given, typed), lo, hi in zip(cells, part.lo, part.hi):
        for ref in ((lo,) if lo == hi else (lo, hi)):
            if part.tol.sigfigs is not None:
                if not sigfig_check(typed, given, ref, *part.tol.sigfigs)[0]:
                    return False
            elif not part.tol.accepts(given, ref, noise=Fraction(0)):
                return False
    return True


def decide(card: Card, pid: str, answer: Any, student: str | None = None) -> Verdict | None:
    """The verdict of ``answer`` to ``pid`` when this path can give it (a correct literal), else None."""
    part = card.numeric.get(pid)
    if part is None or not isinstance(answer, str) or (card.varies and student is not None) or not literal(part):
        return None
    cells = read_literal(answer, part.rows, part.cols)
    if cells is None or not _within(part, cells):
        return None
    values: Any
    reference: Any
    if part.rows == part.cols == 1:
        values, reference = cells[0][0], part.lo[0]
    else:
        values = [[cells[i * part.cols + j][0] for j in range(part.cols)] for i in range(part.rows)]
        reference = [[part.lo[i * part.cols + j] for j in range(part.cols)] for i in range(part.rows)]
    return Verdict(pid, Status.CORRECT, part.points, part.points, "correct", answer, part.expected,
                   value=values, reference=reference, cells=entries(part, answer))


# -- compare ----------------------------------------------------------------------------------------
def compare_literals(expected: str, answer: str, rtol: str | None = None, atol: str | None = None,
                     sigfigs: str | None = None) -> Verdict | None:
    """``dlcheck compare`` of two literals (numbers, or lists of them in one shape) when the answer is
    within the tolerance, as the one-part problem of :mod:`dlcheck.check.oneoff` would say; else None."""
    from dlcheck.check.tolerance import read_options  # lazy: only compare reads options
    from dlcheck.core.errors import ParseError

    if not isinstance(expected, str) or not isinstance(answer, str) or ("," in expected and "[" not in expected):
        return None  # a decimal comma in the reference is left to the full reader's rules
    try:
        read = read_options(rtol, atol, sigfigs)
    except ParseError:
        return None
    tol = Tol() if read is None else Tol(rtol=read[0], atol=read[1], sigfigs=read[2])
    plain = expected.translate(_DIGITS).strip()
    if _LIST.fullmatch(plain):
        rows, cols = len(_ITEM.findall(plain)), 1
    elif _MATRIX.fullmatch(plain):
        lists = _LIST.findall(plain)
        rows, cols = len(lists), len(_ITEM.findall(lists[0]))
    else:
        rows = cols = 1
    if rows * cols == 1 and plain.startswith("[") or (cols > 1 and rows == 1):
        return None  # [5] or [[1, 2]]: shapes the full checker reads its own way
    cells = read_literal(expected, rows, cols)
    if cells is None:
        return None
    values = tuple(v for v, _ in cells)
    kind = "number" if rows == cols == 1 else "vector" if cols == 1 else "matrix"
    part = PartCard("answer", kind, 1.0, rows, cols, values, values, tol, expected.strip())
    card = Card(CARD_FORMAT, "compare", "compare", False, ("answer",), {"answer": 1.0}, {"answer": "always"},
                {"answer": part})
    return decide(card, "answer", answer)
