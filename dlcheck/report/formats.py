"""The output formats of ``dlcheck grade``: one :class:`Format` each, every one in :data:`FORMATS`.

``grade`` asks this list everything it does differently per format: ``--format``'s choices, its
help and its shell completion are the names and words here, read when the command line is read
(a format put in the list is a choice at once); which results a format is given (a student-facing
one what :mod:`dlcheck.grade.reveal` leaves, an instructor's everything); whether one file that
cannot be read is an error; whether the files are one student's submission (Gradescope); whether
a class is streamed into it file by file. A format's own module (``report/<name>.py``) turns the
results into text: its ``render`` (and ``stream``, for a streamed class), imported only when the
format is used, so that ``dlcheck grade --help`` reads this list without loading sympy, numpy or rich.

A new format is a module with ``render(files, run)`` and one entry below (ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dlcheck.grade.batch import FileResult


@dataclass
class Run:
    """What a format may read of the run besides the files."""

    batch: bool = False                # several files (a class), not one file
    console: Any = None                # the rich console a format drawn for a terminal prints on (the table)
    view: Any = None                   # the table's --only-wrong, --quiet, --verbose (report.terminal.View)
    hide: bool = False                 # --hide-expected without --instructor: every reference held back
    seconds: float = 0.0               # how long grading took
    unanswered: list = field(default_factory=list)   # a submission's assignment problems no file answers
    notes: list[str] = field(default_factory=list)   # what a submission's walk skipped, said to the student
    excel: bool = False                # --excel: a UTF-8 byte-order mark first
    roster: Any = None                 # --roster: the Canvas export (a Path)
    column: str | None = None          # --column: the gradebook column to fill
    prepared: Any = None               # what the format's ``prepare`` made before grading (Canvas's export)
    assigned: bool = False             # a streamed class: an assignment was given (others' answers are ignored)
    template: Any = None               # a streamed class: a FileResult holding every problem of the class
    say: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))   # a line on stderr
    write: Callable[[bytes], None] = field(default=lambda data: _write(data))   # bytes on stdout, as they are


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


# A render returns the text in chunks, which ``grade`` writes whole (to --output or stdout), or None
# when it wrote itself: the table drawn on ``run.console``, an LMS's bytes through ``run.write``.
Render = Callable[["list[FileResult]", Run], "Iterable[str] | None"]
Stream = Callable[["Iterator[FileResult]", Run], "Iterable[str]"]


@dataclass(frozen=True)
class Lazy:
    """``module.name``, imported when it is first called (not when this list is read)."""

    module: str
    name: str = "render"

    def target(self) -> Callable[..., Any]:
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self, *args: Any) -> Any:
        return self.target()(*args)


@dataclass(frozen=True)
class Format:
    name: str                          # the value of --format
    help: str                          # its words in --format's help ("csv (a gradebook)")
    render: Render                     # the files -> the output (see Render)
    student_facing: bool = True        # given the results after the reveal policy (else everything)
    personal: bool = False             # for a person grading their own file (table, json): one file that
    #                                    cannot be read is raised as its error (exit 2) and may be read
    #                                    through a link; other formats are made for someone else, their
    #                                    files read as data (a link refused)
    submission: bool = False           # the files are one student's submission (Gradescope): paths relative
    #                                    to it, no student-id checks, an empty one still answered, scored
    #                                    out of the assignment's problems only
    stream: Stream | None = None       # a class written file by file as graded (json, csv), when nothing
    #                                    else (--feedback-dir, --part, --report) needs the whole class
    what: str = "report"               # what an output error calls it ("the gradebook was not written")
    takes: frozenset[str] = frozenset()   # which of --roster, --column, --excel it reads
    prepare: Callable[[Run], Any] | None = None   # before grading: the options checked, files it reads read
    to_file: bool = True               # its text can be written whole to --output (the table and the LMS
    #                                    gradebooks are written to the terminal as they go: no --output)


_CSV = frozenset({"excel"})

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", "table (for people)", Lazy("dlcheck.report.table"), personal=True, to_file=False),
    Format("json", "json", Lazy("dlcheck.report.jsonout"), personal=True,
           stream=Lazy("dlcheck.report.jsonout", "stream"), what="gradebook"),
    Format("csv", "csv (a gradebook)", Lazy("dlcheck.report.gradebook"), student_facing=False,
           stream=Lazy("dlcheck.report.gradebook", "stream"), what="gradebook", takes=_CSV),
    Format("junit", "junit", Lazy("dlcheck.report.junit")),
    Format("gradescope", "gradescope", Lazy("dlcheck.report.gradescope"), submission=True),
    Format("canvas", "canvas (fills --roster's --column)", Lazy("dlcheck.report.canvas"), student_facing=False,
           takes=_CSV | {"roster", "column"}, prepare=Lazy("dlcheck.report.canvas", "prepare"), to_file=False),
    Format("moodle", "moodle (ID number, grade)", Lazy("dlcheck.report.moodle"), student_facing=False,
           takes=_CSV | {"column"}, to_file=False),
)}


def get(name: str) -> Format:
    return FORMATS[name]


def names() -> list[str]:
    return list(FORMATS)


def taking(option: str) -> list[str]:
    """The formats that read ``option`` (``"excel"``: csv, canvas, moodle)."""
    return [f.name for f in FORMATS.values() if option in f.takes]


def help_text() -> str:
    """--format's help: every format's words, ``a, b or c.``"""
    words = [f.help for f in FORMATS.values()]
    return (", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)) + "."
