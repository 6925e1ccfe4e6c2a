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

from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.yamlio import Located, raw_text, read_located
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


def read_answers(path: str | Path, parts_of: PartsOf) -> AnswersFile:
    """Read and check an answers file (unknown problems and parts are located errors)."""
    located = read_located(path, AnswerFileError)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise located.error((), "an answers file needs a mapping 'answers:' of problems to parts "
                            "(see examples/answers.yaml)", AnswerFileError)
    unknown = set(data) - {"set", "student", "answers"}
    if unknown:
        key = sorted(unknown)[0]
        raise located.error(("key", key), f"unknown key '{key}'; an answers file has set, student and answers",
                            AnswerFileError)
    set_name = data.get("set")
    result = AnswersFile(str(path), set_name, data.get("student"), located=located)
    for raw_id, parts in data["answers"].items():
        try:
            pid = bank.resolve(str(raw_id), set_name)
        except DlcheckError as exc:
            raise located.error(("key", "answers", raw_id), exc.message, AnswerFileError) from None
        if pid in result.problems:
            raise located.error(("key", "answers", raw_id), f"{pid} appears twice; merge the two", AnswerFileError)
        known = list(parts_of(pid))
        if not isinstance(parts, dict):
            raise located.error(("answers", raw_id), f"{raw_id} must be a mapping of part ids to answers, "
                                f"e.g. '{known[0]}: ...'", AnswerFileError)
        result.problems[pid] = {}
        for part_id, value in parts.items():
            if part_id not in known:
                raise located.error(("key", "answers", raw_id, part_id),
                                    f"{pid} has no part '{part_id}'; its parts are {', '.join(known)}",
                                    AnswerFileError)
            line, col = located.where(("answers", raw_id, part_id)) or (None, None)
            result.problems[pid][part_id] = Answer(_answer_text(value), line, col)
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
