"""A class in one call: answers files from paths, folders, globs and stdin, graded by one pool.

``dlcheck grade a.yaml b.yaml``, ``dlcheck grade submissions/`` (every ``*.yaml`` and
``*.yml`` under it, hidden files and folders skipped), ``dlcheck grade 'subs/*.yaml'``
(a quoted glob; ``**`` crosses folders) and ``dlcheck grade -`` (the file on stdin).

Every file is one student. A file that cannot be read (bad YAML, an unknown problem, a
FIFO, a crash of its reader) is a :class:`FileResult` with its error, never a stop:
the gradebook has a row for it and the others are graded.
"""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.core.errors import DlcheckError, ErrorList
from dlcheck.core.verdict import ProblemResult, Status
from dlcheck.grade.pool import Job, Pool, default_jobs, warm
from dlcheck.grade.work import PART_SECONDS
from dlcheck.spec import bank

STDIN = "<stdin>"
STDIN_LIMIT = 8 * 2**20     # bytes read from stdin at most (an answers file is far smaller)
SUFFIXES = (".yaml", ".yml")
_GLOB = set("*?[")


class NoFiles(DlcheckError):
    """A folder or a glob with no answers file in it."""


@dataclass
class Source:
    """An answers file: where it is read from, and how reports name it."""

    path: str
    shown: str


@dataclass
class FileResult:
    path: str
    student: str | None = None
    results: list[ProblemResult] = field(default_factory=list)
    error: DlcheckError | None = None
    ignored: list[str] = field(default_factory=list)   # problems answered outside the assignment: no points

    @property
    def nothing_to_grade(self) -> bool:
        """No answered part that dlcheck checks (an empty file, all blank, only essays)."""
        return self.error is None and not any(v.status not in (Status.MISSING, Status.MANUAL)
                                              for r in self.results for v in r.verdicts)

    @property
    def ok(self) -> bool:
        return self.error is None and all(v.ok for r in self.results for v in r.verdicts)


def _folder(folder: Path) -> list[Path]:
    found = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(here) / f for f in sorted(files) if f.endswith(SUFFIXES) and not f.startswith(".")]
    return found


def expand(args: list[str], stdin_read: Callable[[int], bytes] | None = None
           ) -> tuple[list[Source], bool, list[NoFiles]]:
    """The files named by ``args`` in order, each once; whether this is a batch (several files, a
    folder or a glob) rather than one file; and the folders and globs that hold no answers file.

    An argument naming nothing is kept: its row says so. A folder or a glob with nothing in it is
    not a student (it is, say, ``late/*.yaml`` with no late work): it is returned for a warning and
    the others are graded; only when no argument names any file is it an error (:class:`NoFiles`)."""
    sources: list[Source] = []
    empty: list[NoFiles] = []
    batch = len(args) > 1
    seen: set[str] = set()

    def add(path: str, shown: str | None = None) -> None:
        key = os.path.realpath(path) if shown is None else shown
        if key not in seen:
            seen.add(key)
            sources.append(Source(path, shown or path))

    for arg in args:
        path = Path(arg)
        if arg == "-":
            add(_stdin_file(stdin_read or sys.stdin.buffer.read), STDIN)
        elif path.is_dir():
            batch = True
            files = _folder(path)
            if not files:
                empty.append(NoFiles(f"{arg}: no *.yaml answers file in this folder (hidden ones are skipped)"))
            for f in files:
                add(str(f))
        elif not path.exists() and _GLOB & set(arg):
            batch = True
            found = [f for f in sorted(glob.glob(arg, recursive=True))
                     if Path(f).is_file() and not Path(f).name.startswith(".")]
            if not found:
                empty.append(NoFiles(f"{arg}: no file matches this pattern; check it (quote it so the shell "
                                     "does not expand it first)"))
            for name in found:
                add(name)
        else:
            add(arg)
    if not sources and empty:
        raise empty[0] if len(empty) == 1 else NoFiles("no answers file in any of these: " +
                                                       "; ".join(e.message for e in empty))
    return sources, batch, empty


_STDIN_DIR: list[tempfile.TemporaryDirectory] = []


def _stdin_file(read: Callable[[int], bytes]) -> str:
    """The answers on stdin, kept in a private temporary file so they are read like any other."""
    data = read(STDIN_LIMIT + 1)
    if len(data) > STDIN_LIMIT:
        raise DlcheckError(f"{STDIN}: more than {STDIN_LIMIT // 2**20} MB; an answers file is far smaller")
    folder = tempfile.TemporaryDirectory(prefix="dlcheck-stdin-")
    _STDIN_DIR.append(folder)
    path = Path(folder.name) / "stdin.yaml"
    path.write_bytes(data)
    return str(path)


def _renamed(error: DlcheckError, path: str, shown: str) -> DlcheckError:
    """An error about a temporary file, naming what the user gave instead (``<stdin>``)."""
    for e in error.errors if isinstance(error, ErrorList) else [error]:
        if e.path == path:
            e.path = shown
    if error.path == path:
        error.path = shown
    return error


def grade_files(sources: list[Source], seconds: float = PART_SECONDS, jobs: int | None = None,
                on_done: Callable[[int], None] | None = None, warm_bank: bool | None = None,
                student: str | None = None) -> list[FileResult]:
    """Every file graded by one pool of ``jobs`` workers; results in the order of ``sources``.

    With more than one file the parent derives (or loads) the whole bank first, so every worker
    starts warm; one file is read and derived by its worker alone (only its problems). ``student``
    grades every file as that student (their variant), whatever the files say."""
    if not sources:
        return []
    if warm_bank if warm_bank is not None else len(sources) > 1:
        warm(bank.all_ids())
    size = min(jobs or default_jobs(), len(sources))
    with Pool(size, seconds, on_done) as pool:
        outcomes = pool.run([Job(k, s.path, student=student) for k, s in enumerate(sources)])
    out = []
    for k, source in enumerate(sources):
        outcome = outcomes[k]
        if outcome.error is not None:
            out.append(FileResult(source.shown, outcome.student,
                                  error=_renamed(outcome.error, source.path, source.shown)))
            continue
        plan = outcome.plan
        out.append(FileResult(source.shown, plan.student if plan else None, outcome.results()))
    return out
