"""The answers file ``solve`` edits in place: round-trip YAML, saves that never lose an answer.

Every accepted answer is saved at once (:mod:`dlcheck.core.safefile`): holding a lock on
the file, the file is read again and the answer merged into what is there now, so an
answer another ``solve`` saved in the meantime survives; when that other session
changed the very part being saved, the newer answer (this one) is kept and
:meth:`AnswersStore.save` says so. ruamel's round-trip mode keeps the comments and order
already in the file; the write is a temporary file, fsync and a rename.

A save that cannot be done (a read-only file or folder, a full disk) raises
:class:`~dlcheck.core.safefile.SaveError` with one sentence; the answer stays in
:attr:`AnswersStore.pending` and is written with the next save that succeeds, so the
session can go on and show the student what was not saved.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.safefile import (
    SaveError,
    atomic_write_text,
    locked,
    remove_if_empty,
    remove_stale_temps,
    target_of,
    unwritable,
)
from dlcheck.core.visible import clip
from dlcheck.core.yamlio import raw_text, read_text
from dlcheck.spec import bank
from dlcheck.spec.answers import WHAT, PartsOf, read_answers, student_key


class AnswersStore:
    """The answers file, edited in place."""

    def __init__(self, path: Path, parts_of: PartsOf) -> None:
        self.path = Path(path)
        self.parts_of = parts_of
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        self.pending: dict[tuple[str, str], Any] = {}   # answers not on disk yet (a save failed), oldest first
        self.pending_student: str | None = None          # a student: to write with the next answer saved
        self.text = read_text(self.path, AnswerFileError, WHAT) if self.path.exists() else ""
        self.data = self._load(self.text)  # a broken file is refused here, before it is touched
        if self.path.exists():
            self._clean()

    def _load(self, text: str) -> Any:
        if not text.strip():
            data = CommentedMap()
        else:
            read_answers(self.path, self.parts_of, text)  # every check of `grade`, with positions
            data = self.yaml.load(text)
        if "answers" not in data or data["answers"] is None:
            data["answers"] = CommentedMap()
        return data

    def _clean(self) -> None:
        """Remove the temporary files a killed save left, when no other save is under way."""
        with contextlib.suppress(SaveError), locked(self.path, wait=0) as target:
            remove_stale_temps(target)

    # -- reading ---------------------------------------------------------------------
    def key_for(self, problem_id: str, create: bool = False, data: Any = None) -> str:
        """The key this problem has in the file, or the one to give it (``create``: a first answer
        in an empty file also sets the file's ``set:``, so later keys can be short)."""
        data = self.data if data is None else data
        for key in data["answers"]:
            try:
                if bank.resolve(str(key), data.get("set")) == problem_id:
                    return str(key)
            except DlcheckError:
                continue
        set_name, q = problem_id.split("/")
        if create and data.get("set") is None and not data["answers"]:
            data.insert(0, "set", set_name)
        return q if data.get("set") == set_name else problem_id

    @property
    def student(self) -> str | None:
        """The file's ``student:`` (None when it has none or an empty one)."""
        return student_key(self.data.get("student"))

    def answers_for(self, problem_id: str, data: Any = None) -> dict[str, Any]:
        """The saved answers of a problem (in ``data``, else as the file was last read or written)."""
        data = self.data if data is None else data
        parts = data["answers"].get(self.key_for(problem_id, data=data)) or {}
        out: dict[str, Any] = {}
        for part, value in parts.items():
            if isinstance(value, dict):
                fields = {str(k): raw_text(v) for k, v in value.items()}
                if any(text.strip() for text in fields.values()):  # every field blank (a template): unanswered
                    out[str(part)] = fields
            elif value is not None:
                out[str(part)] = raw_text(value)
        return out

    # -- saving ----------------------------------------------------------------------
    def save(self, problem_id: str, part: str, answer: Any) -> list[str]:
        """Save one answer (and any still pending); returns notes for the student (a conflict resolved).

        Raises :class:`SaveError` when the file cannot be written; the answer is then kept in
        :attr:`pending` and tried again with the next save.
        """
        self.pending.pop((problem_id, part), None)
        self.pending[(problem_id, part)] = answer
        target = target_of(self.path)
        why = unwritable(target)
        if why:
            raise SaveError(f"could not save to {self.path}: {why}")
        existed = target.exists()
        try:
            with locked(self.path) as target:
                try:
                    data, notes = self._current(target)
                    for (pid, p), value in self.pending.items():
                        self._put(data, pid, p, value)
                    notes += self._put_student(data)
                    text = self._dump(data)
                    # What killed writers left goes *before* the rename: once our file replaces the
                    # one we locked, the next writer can lock the new one and start its own
                    # temporary file, which a clean-up after the rename would delete under it.
                    remove_stale_temps(target)
                    atomic_write_text(target, text)
                except BaseException:
                    if not existed:
                        remove_if_empty(target)
                    raise
        except SaveError as exc:
            raise SaveError(f"could not save to {self.path}: {exc.message}") from None
        self.data, self.text = data, text
        self.pending.clear()
        self.pending_student = None
        return notes

    def _current(self, target: Path) -> tuple[Any, list[str]]:
        """The file as it is now (another process may have saved since this one last looked), freshly
        loaded so a failed write leaves :attr:`data` as it was; and a note for each pending part whose
        answer another session changed meanwhile (the pending one, being newer, wins)."""
        try:
            text = read_text(target, AnswerFileError, WHAT)
        except DlcheckError as exc:
            raise SaveError(f"the file can no longer be read ({exc.message})") from None
        if text == self.text or not text.strip():
            return self._load(self.text), []  # unchanged, or emptied under us: write back what we hold
        try:
            data = self._load(text)
        except DlcheckError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            raise SaveError(f"another program changed it and it cannot be read now ({where}{exc.message}); "
                            "fix the file, then type the answer again") from None
        notes = []
        for (pid, part), mine in self.pending.items():
            theirs = self.answers_for(pid, data).get(part)
            if theirs is not None and theirs != self.answers_for(pid).get(part) and theirs != mine:
                notes.append(f"another dlcheck session saved a different answer to {part} since this one read "
                             f"the file ({clip(_one_line(theirs))}); yours is newer and replaces it")
        return data, notes

    def _put(self, data: Any, problem_id: str, part: str, answer: Any) -> None:
        key = self.key_for(problem_id, create=True, data=data)
        answers = data["answers"]
        if answers.get(key) is None:
            answers[key] = CommentedMap()
        self._put_value(answers[key], part, answer)

    def _put_student(self, data: Any) -> list[str]:
        """Write :attr:`pending_student` as the file's ``student:`` (after ``set:``), unless the file
        names a student already: another session wrote one meanwhile, and the answers checked on this
        one's numbers must not be saved under it."""
        wanted = self.pending_student
        if wanted is None:
            return []
        present = student_key(data.get("student"))
        if present == wanted:
            return []
        if present is not None:
            raise SaveError(f"another session wrote student: {clip(present)} in the file meanwhile, and your "
                            f"answers are checked on student {clip(wanted)}'s numbers")
        value = DoubleQuotedScalarString(wanted)
        if "student" in data:
            data["student"] = value
        else:
            data.insert(list(data).index("set") + 1 if "set" in data else 0, "student", value)
        return [f"student: \"{wanted}\" written to {self.path}, so grade and explain use the same numbers"]

    @staticmethod
    def _put_value(parts: Any, part: str, answer: Any) -> None:
        """An answer exactly as typed: double-quoted (every character escaped that needs it)."""
        if isinstance(answer, dict):
            value = CommentedMap((k, DoubleQuotedScalarString(v)) for k, v in answer.items())
            value.fa.set_flow_style()
        else:
            value = DoubleQuotedScalarString(answer)
        parts[part] = value

    def dump(self) -> str:
        return self._dump(self.data)

    def _dump(self, data: Any) -> str:
        buf = io.StringIO()
        self.yaml.dump(data, buf)
        return buf.getvalue()

    def pending_yaml(self) -> str:
        """The answers not saved yet, as YAML to paste into an answers file by hand."""
        data = CommentedMap()
        data["answers"] = CommentedMap()
        for (pid, part), answer in self.pending.items():
            parts = data["answers"].setdefault(pid, CommentedMap())
            self._put_value(parts, part, answer)
        return self._dump(data)


def _one_line(answer: Any) -> str:
    if isinstance(answer, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in answer.items()) + "}"
    return str(answer)
