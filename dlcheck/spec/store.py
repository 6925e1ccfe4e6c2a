"""The answers file ``solve`` edits in place: round-trip YAML, atomic saves.

Each accepted answer is written straight away through a temporary file, fsync and a
rename (:func:`dlcheck.core.yamlio.atomic_write_text`), with ruamel's round-trip mode so
the comments and order already in the file survive.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.yamlio import atomic_write_text, raw_text, read_text
from dlcheck.spec import bank
from dlcheck.spec.answers import PartsOf, read_answers


class AnswersStore:
    """The answers file, edited in place."""

    def __init__(self, path: Path, parts_of: PartsOf) -> None:
        self.path = Path(path)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        text = read_text(self.path, AnswerFileError) if self.path.exists() else ""
        if text.strip():
            read_answers(self.path, parts_of)  # reject a broken file before touching it, with its position
            self.data = self.yaml.load(text)
        else:
            self.data = CommentedMap()
        if "answers" not in self.data or self.data["answers"] is None:
            self.data["answers"] = CommentedMap()

    def key_for(self, problem_id: str, create: bool = False) -> str:
        """The key this problem has in the file, or the one to give it (``create``: a first answer
        in an empty file also sets the file's ``set:``, so later keys can be short)."""
        for key in self.data["answers"]:
            try:
                if bank.resolve(str(key), self.data.get("set")) == problem_id:
                    return str(key)
            except DlcheckError:
                continue
        set_name, q = problem_id.split("/")
        if create and self.data.get("set") is None and not self.data["answers"]:
            self.data.insert(0, "set", set_name)
        return q if self.data.get("set") == set_name else problem_id

    def answers_for(self, problem_id: str) -> dict[str, Any]:
        key = self.key_for(problem_id)
        parts = self.data["answers"].get(key) or {}
        out: dict[str, Any] = {}
        for part, value in parts.items():
            if isinstance(value, dict):
                out[str(part)] = {str(k): raw_text(v) for k, v in value.items()}
            elif value is not None:
                out[str(part)] = raw_text(value)
        return out

    def save(self, problem_id: str, part: str, answer: Any) -> None:
        key = self.key_for(problem_id, create=True)
        answers = self.data["answers"]
        if answers.get(key) is None:
            answers[key] = CommentedMap()
        if isinstance(answer, dict):
            value = CommentedMap((k, DoubleQuotedScalarString(v)) for k, v in answer.items())
            value.fa.set_flow_style()
        else:
            value = DoubleQuotedScalarString(answer)
        answers[key][part] = value
        atomic_write_text(self.path, self.dump())

    def dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()
