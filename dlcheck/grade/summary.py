"""A class at a glance: what the class report and the terminal's closing lines draw, counted here.

:func:`summarize` turns a class's :class:`FileResult` list into a :class:`ClassSummary`:

- each student's score, the points it is out of (less essays awaiting a marker) and their
  percentage, as the terminal and the CSV gradebook count them (:func:`totals`);
- for every part of every problem answered in the class (in the bank's order): how many
  students' verdicts were correct, carried, partial, incorrect, invalid, missing, undecided
  or awaiting a marker; the wrong or unreadable answers given most often (the same text, spaces
  aside) with their diagnosis; and the named mistakes (a spec's ``mistakes:`` or a generic slip, by name)
  with how many students made them;
- the students who may need help: a file that could not be read, nothing answered, a score
  under :data:`HELP_BELOW`, or several answers dlcheck could not read (the notation).

:func:`scores` is what a gradebook an LMS imports needs: each student id's total, and the
files that give no total to write (unreadable, no ``student:``, a student named twice).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import Status, Verdict
from dlcheck.grade.batch import FileResult
from dlcheck.grade.reveal import by_hand
from dlcheck.spec import bank

HELP_BELOW = 0.5        # a score under this share of the points: may need help
HELP_INVALID = 2        # this many answers that could not be read: may need help with the notation
RIGHT = (Status.CORRECT, Status.CARRIED)   # a part counted as right (its points earned in full or carried)
WRONG = (Status.INCORRECT, Status.PARTIAL)  # a readable answer that is not right


def percent(share: float) -> str:
    """``43%``; one decimal where rounding would hide which side of :data:`HELP_BELOW` it is on (49.7%)."""
    text = f"{share:.0%}"
    if (share < HELP_BELOW) != (round(share * 100) / 100 < HELP_BELOW):
        text = f"{share:.1%}"
    return text


def totals(f: FileResult) -> tuple[float, float, float]:
    """(score, max_score, the points of max_score not awaiting a marker): the JSON's score and
    max_score, and the denominator of the terminal's percentage."""
    verdicts = [v for r in f.results for v in r.verdicts]
    most = sum(v.max_score for v in verdicts)
    return (round(sum(v.score for v in verdicts), 6), most,
            most - sum(v.max_score for v in verdicts if v.status is Status.MANUAL))


@dataclass
class Given:
    """A wrong answer or a named mistake, and how many students gave it."""

    text: str           # the answer as typed (the first student's spelling), or the mistake's name
    count: int
    message: str        # the diagnosis (the most common one, when they differ)
    same: bool = True   # every student's diagnosis was this message


@dataclass
class PartStats:
    problem: str
    title: str
    part: str
    points: float
    auto: bool = True                                     # checked by dlcheck (an essay is not)
    tally: Counter = field(default_factory=Counter)       # Status -> students
    answers: list[Given] = field(default_factory=list)    # most common wrong answers first
    mistakes: list[Given] = field(default_factory=list)   # most common named mistakes first

    @property
    def students(self) -> int:
        return sum(self.tally.values())

    @property
    def right(self) -> int:
        return sum(self.tally[s] for s in RIGHT)

    @property
    def answered(self) -> int:
        """Students who wrote something dlcheck decided on (not blank, not an essay awaiting a marker)."""
        return self.students - self.tally[Status.MISSING] - self.tally[Status.MANUAL]

    @property
    def share_right(self) -> float:
        return self.right / self.students if self.students else 0.0

    @property
    def name(self) -> str:
        return f"{self.problem} {self.part}"


@dataclass
class Student:
    path: str
    student: str | None
    score: float = 0.0
    most: float = 0.0               # max_score: the points of the problems answered
    checked: float = 0.0            # most, less the essays awaiting a marker
    error: DlcheckError | None = None   # why the file could not be read
    invalid: int = 0                # answers that could not be read
    answered: int = 0               # answers dlcheck decided on
    reasons: list[str] = field(default_factory=list)   # why they may need help

    @property
    def share(self) -> float | None:
        return self.score / self.checked if self.error is None and self.checked else None


@dataclass
class ProblemStats:
    id: str
    title: str
    students: int = 0
    score: float = 0.0       # the points earned by all the students together
    points: float = 0.0      # the problem's points (its parts')

    @property
    def mean(self) -> float:
        return self.score / self.students if self.students else 0.0


@dataclass
class ClassSummary:
    students: list[Student]
    parts: list[PartStats]                 # in the bank's order
    problems: dict[str, ProblemStats]      # problem id -> its totals, in the bank's order

    @property
    def graded(self) -> list[Student]:
        return [s for s in self.students if s.error is None]

    @property
    def unreadable(self) -> list[Student]:
        return [s for s in self.students if s.error is not None]

    @property
    def shares(self) -> list[float]:
        """Each graded student's share of the points (a student with nothing checked has none)."""
        return [s.share for s in self.students if s.share is not None]

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.shares) if self.shares else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.shares) if self.shares else None

    def parts_of(self, problem: str) -> list[PartStats]:
        return [p for p in self.parts if p.problem == problem]

    def hardest(self, n: int) -> list[PartStats]:
        """The ``n`` checked parts with the smallest share right, hardest first: right of all the students who
        had the problem (a blank counts as not right), of the parts someone answered (no answer is no evidence)."""
        ranked = [p for p in self.parts if p.auto and p.answered]
        ranked.sort(key=lambda p: (p.share_right, -p.students))
        return [p for p in ranked[:n] if p.share_right < 1]

    def top_mistakes(self, n: int) -> list[tuple[PartStats, Given]]:
        """The ``n`` named mistakes made by the most students (two or more), over every part."""
        found = [(p, m) for p in self.parts for m in p.mistakes if m.count > 1]
        found.sort(key=lambda pm: -pm[1].count)
        return found[:n]

    @property
    def need_help(self) -> list[Student]:
        """Students who may need help, the unreadable files first, then the lowest share."""
        return sorted((s for s in self.students if s.reasons),
                      key=lambda s: (s.error is None, s.share if s.share is not None else -1.0, s.path))


def _student(f: FileResult) -> Student:
    s = Student(f.path, f.student)
    if f.error is not None:
        s.error = f.error
        s.reasons.append("the file could not be read")
        return s
    s.score, s.most, s.checked = totals(f)
    verdicts = [v for r in f.results for v in r.verdicts]
    s.invalid = sum(v.status is Status.INVALID for v in verdicts)
    s.answered = sum(v.status not in (Status.MISSING, Status.MANUAL) for v in verdicts)
    if not s.answered:
        s.reasons.append("no answer dlcheck checks")
    elif s.share is not None and s.share < HELP_BELOW:
        s.reasons.append(f"scored {percent(s.share)}")
    if s.invalid >= HELP_INVALID:
        s.reasons.append(f"{s.invalid} answers could not be read (notation)")
    return s


def mistake_name(v: Verdict) -> str | None:
    """The name of the mistake a verdict's diagnosis found (the spec's or a generic slip), or None."""
    return v.detail.get("mistake") or v.detail.get("diagnosis") or None


def _ranked(groups: dict[str, list[tuple[str, str]]]) -> list[Given]:
    """Groups of (shown text, message) as :class:`Given`, the biggest first (ties: first given first)."""
    out = []
    for items in groups.values():
        messages = Counter(message for _, message in items)
        message, _ = messages.most_common(1)[0]
        out.append(Given(items[0][0], len(items), message, len(messages) == 1))
    return sorted(out, key=lambda g: -g.count)   # stable: equal counts keep the order first seen


def _auto(problem: str, part: str) -> bool:
    return not by_hand(problem, part)


def _key(answer: str) -> str:
    return " ".join(answer.split())


def summarize(files: list[FileResult]) -> ClassSummary:
    """Count a class's verdicts (see the module's docstring)."""
    students = [_student(f) for f in files]
    parts: dict[tuple[str, str], PartStats] = {}
    wrong: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
    named: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
    problems: dict[str, ProblemStats] = {}
    for f in files:
        for r in f.results:
            problem = problems.setdefault(r.id, ProblemStats(r.id, r.title, points=r.max_score))
            problem.students += 1
            problem.score += r.score
            for v in r.verdicts:
                key = (r.id, v.part)
                stats = parts.get(key)
                if stats is None:
                    stats = parts[key] = PartStats(r.id, r.title, v.part, v.max_score, _auto(r.id, v.part))
                stats.tally[v.status] += 1
                if v.status in WRONG or v.status is Status.INVALID:  # an unreadable one: the notation to teach
                    wrong.setdefault(key, {}).setdefault(_key(v.answer), []).append((_key(v.answer), v.message))
                    name = mistake_name(v) if v.status in WRONG else None
                    if name:
                        named.setdefault(key, {}).setdefault(name, []).append((name, v.message))
    for key, stats in parts.items():
        stats.answers = _ranked(wrong.get(key, {}))
        stats.mistakes = _ranked(named.get(key, {}))
    order = {pid: k for k, pid in enumerate(bank.all_ids())}
    ordered = sorted(parts.values(), key=lambda p: (order.get(p.problem, len(order)), p.problem))
    return ClassSummary(students, ordered, {pid: problems[pid] for pid in dict.fromkeys(p.problem for p in ordered)})


@dataclass
class Scores:
    """What a gradebook an LMS imports gets: a total per student id, and why some files give none."""

    total: dict[str, float] = field(default_factory=dict)      # student id -> score
    most: dict[str, float] = field(default_factory=dict)       # student id -> max_score
    awaiting: dict[str, float] = field(default_factory=dict)   # student id -> points of essays awaiting a marker
    path: dict[str, str] = field(default_factory=dict)         # student id -> the file
    unreadable: list[FileResult] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)         # files with no student:
    twice: dict[str, list[str]] = field(default_factory=dict)  # student id -> its files, when several


def scores(files: list[FileResult]) -> Scores:
    out = Scores()
    by_id: dict[str, list[FileResult]] = {}
    for f in files:
        if not f.student or not f.student.strip():
            if f.error is None:
                out.anonymous.append(f.path)
            else:
                out.unreadable.append(f)
            continue
        by_id.setdefault(f.student.strip(), []).append(f)
    for sid, given in by_id.items():
        if len(given) > 1:
            out.twice[sid] = [f.path for f in given]
            continue
        f = given[0]
        if f.error is not None:
            out.unreadable.append(f)
            continue
        score, most, checked = totals(f)
        out.total[sid], out.most[sid], out.awaiting[sid], out.path[sid] = score, most, most - checked, f.path
    return out
