"""Answers files: read each answer as the text the student typed, with its line.

```yaml
set: backprop
student: "99521469"
answers:
  q1:
    loss: 0.3234
```
Problem ids resolve against the bank; part ids are checked against ``parts_of``, which
the caller supplies (it knows the problems' parts; this layer only reads files).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.core.errors import AnswerFileError, DlcheckError, raise_all
from dlcheck.core.suggest import did_you_mean
from dlcheck.core.visible import clip
from dlcheck.core.yamlio import Located, located_from_text, raw_text, read_located
from dlcheck.spec import bank

PartsOf = Callable[[str], Sequence[str]]


@dataclass
class Answer:
    text: str | dict[str, str]   # a construction answer is a mapping of fields
    line: int | None = None
    column: int | None = None


@dataclass
class AnswersFile:
    path: str
    set: str | None
    student: str | None
    problems: dict[str, dict[str, Answer]] = field(default_factory=dict)  # full id -> part -> answer
    located: Located | None = None


TOP_KEYS = ("set", "student", "answers")
WHAT = "an answers file"
MAX_ERRORS = 20  # a file of thousands of unknown parts: the first ones say enough
# what people type when they have no answer: not an attempt (it does not unlock an explanation)
NOT_AN_ATTEMPT = {"", "idk", "i don't know", "i dont know", "dont know", "don't know", "dunno", "no idea", "?",
                  "??", "???", "-", "--", "—", "...", "…", "n/a", "na", "none", "skip", "pass", "todo", "tbd", "?!"}


def student_key(student: Any) -> str | None:
    """The id a draw is made from (surrounding spaces ignored), or None for no id."""
    text = "" if student is None else str(student).strip()
    return text or None


def is_attempt(answer: Any) -> bool:
    """Did the student really try (not blank, not ``idk``)? A mapping is an attempt if any field is."""
    if isinstance(answer, dict):
        return any(is_attempt(v) for v in answer.values())
    if answer is None:
        return False
    return " ".join(str(answer).lower().split()).strip(" .!") not in NOT_AN_ATTEMPT


def read_answers(path: str | Path, parts_of: PartsOf, text: str | None = None) -> AnswersFile:
    """Read and check an answers file (or ``text``, its content as just read); every unknown problem,
    part or key is reported with its place (the first :data:`MAX_ERRORS` of them)."""
    if text is None:
        located = read_located(path, AnswerFileError, WHAT)
    else:
        located = located_from_text(text, str(path), AnswerFileError, WHAT)
    data = located.data
    if data is None:
        return AnswersFile(str(path), None, None, located=located)  # an empty file: nothing to grade
    try:
        return _answers(path, parts_of, located)
    except DlcheckError as exc:
        if isinstance(data, dict) and data.get("student") is not None:
            exc.student = str(data["student"])  # type: ignore[attr-defined]  # see student_of
        raise


def student_of(error: DlcheckError) -> str | None:
    """The ``student:`` of a file :func:`read_answers` refused after reading its YAML (an unknown
    problem, part or key): the gradebook's row still names the student."""
    student = getattr(error, "student", None)
    return student if isinstance(student, str) else None


def _answers(path: str | Path, parts_of: PartsOf, located: Located) -> AnswersFile:
    data = located.data
    if not isinstance(data, dict) or "answers" not in data or not isinstance(data["answers"], (dict, type(None))):
        raise located.error((), "an answers file needs a mapping 'answers:' of problems to parts; "
                            "'dlcheck show ID --template' prints one to start from", AnswerFileError)
    errors: list[DlcheckError] = []
    for key in data:
        if key not in TOP_KEYS:
            errors.append(located.error(("key", key), f"unknown key '{clip(key)}'; an answers file has set, student "
                                        f"and answers{did_you_mean(key, TOP_KEYS)}", AnswerFileError))
    set_name = data.get("set")
    if set_name is not None:
        try:
            bank.check_set(str(set_name))
        except DlcheckError as exc:
            errors.append(located.error(("set",), exc.message, AnswerFileError))
            set_name = None
    result = AnswersFile(str(path), set_name, data.get("student"), located=located)
    for raw_id, parts in (data["answers"] or {}).items():
        try:
            pid = bank.resolve(str(raw_id), set_name)
        except DlcheckError as exc:
            hint = "; or name the set once, with set: at the top of the file" \
                if set_name is None and "/" not in str(raw_id) and getattr(exc, "choices", None) else ""
            errors.append(located.error(("key", "answers", raw_id), exc.message + hint, AnswerFileError))
            continue
        if pid in result.problems:
            errors.append(located.error(("key", "answers", raw_id), f"{pid} appears twice; merge the two",
                                        AnswerFileError))
            continue
        known = list(parts_of(pid))
        if parts is None:
            result.problems[pid] = {}
            continue
        if not isinstance(parts, dict):
            errors.append(located.error(("answers", raw_id), f"{raw_id} must be a mapping of part ids to "
                                        f"answers, e.g. '{known[0]}: ...'", AnswerFileError))
            continue
        result.problems[pid] = {}
        for part_id, value in parts.items():
            if part_id not in known:
                hint = did_you_mean(part_id, known) or f"; its parts are {', '.join(known)}"
                errors.append(located.error(("key", "answers", raw_id, part_id),
                                            f"{pid} has no part '{clip(part_id)}'{hint}", AnswerFileError))
                continue
            line, col = located.where(("answers", raw_id, part_id)) or (None, None)
            result.problems[pid][part_id] = Answer(_answer_text(value), line, col)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [AnswerFileError(f"and {more} more error{'s' if more > 1 else ''} like these; "
                                                        "fix these first", path=str(path))]
    raise_all(errors)
    return result


def answers_set(path: Path) -> str | None:
    """The ``set:`` of an answers file, if there is a readable one (for resolving ``qN``)."""
    if not path.is_file():
        return None
    try:
        data = read_located(path).data
    except DlcheckError:
        return None
    return data.get("set") if isinstance(data, dict) and isinstance(data.get("set"), str) else None


def _answer_text(value: Any) -> str | dict[str, str]:
    if isinstance(value, dict):
        return {str(k): raw_text(v) for k, v in value.items()}
    return raw_text(value)
