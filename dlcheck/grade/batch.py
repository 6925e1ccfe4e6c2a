"""A class in one call: answers files from paths, folders, globs and stdin, graded by one pool.

``dlcheck grade a.yaml b.yaml``, ``dlcheck grade submissions/`` (every ``*.yaml`` and
``*.yml`` under it, hidden files and folders skipped), ``dlcheck grade 'subs/*.yaml'``
(a quoted glob; ``**`` crosses folders) and ``dlcheck grade -`` (the file on stdin).

Submissions are data, read inside their folder: only regular files are taken, a symlink
is skipped with a warning that names it (never its target) and is never followed, not by
a folder's walk, not by a glob, not by the read itself (``O_NOFOLLOW`` in the workers, so
a link swapped in after the listing is refused too); the walk is bounded (depth
:data:`MAX_DEPTH`, :data:`MAX_FILES` files) with a sentence when a bound is reached.

Every file is one student. A file that cannot be read (bad YAML, an unknown problem, a
FIFO, a crash of its reader) is a :class:`FileResult` with its error, never a stop:
the gradebook has a row for it and the others are graded.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import tempfile
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dlcheck.core.errors import DlcheckError, ErrorList
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.core.yamlio import links_refused
from dlcheck.grade.failures import PART_SECONDS
from dlcheck.spec import bank
from dlcheck.spec.writeup import WRITEUP_SUFFIXES, is_writeup

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
    working: list[dict] | None = None      # a write-up's checked steps; None for an answers file
    ignored: list[str] = field(default_factory=list)   # problems answered outside the assignment: no points

    @property
    def nothing_to_grade(self) -> bool:
        """No answered part that dlcheck checks (an empty file, all blank, only essays)."""
        return self.error is None and not any(v.status not in (Status.MISSING, Status.MANUAL)
                                              for r in self.results for v in r.verdicts)

    @property
    def ok(self) -> bool:
        return self.error is None and all(v.ok for r in self.results for v in r.verdicts)


MAX_DEPTH = 32        # folders below an argument that are looked into
MAX_FILES = 20_000    # answers files one run takes at most
MAX_ENTRIES = 200_000  # names looked at while walking, whatever they are


class _Walk:
    """The regular files under a folder, read as data: hidden names skipped, a symlink never followed
    (a link that would have been taken is named in a warning, never its target), depth and count
    bounded with a sentence. ``keep`` says whether a file's path relative to the folder is taken;
    ``deeper`` whether a folder at that relative path may hold one."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self.warn = warn
        self.entries = 0
        self.files = 0
        self.stopped = False

    def run(self, top: Path, keep: Callable[[tuple[str, ...]], bool],
            deeper: Callable[[tuple[str, ...]], bool]) -> list[Path]:
        found: list[Path] = []
        stack: list[tuple[Path, tuple[str, ...]]] = [(top, ())]
        too_deep = False
        while stack and not self.stopped:
            folder, rel = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError:
                continue
            subfolders = []
            for entry in entries:
                self.entries += 1
                if self.entries > MAX_ENTRIES:
                    self._stop(f"{top}: more than {MAX_ENTRIES:,} names under this folder; only those before "
                               "were looked at (give the folder of the submissions themselves)")
                    break
                if entry.name.startswith("."):
                    continue
                path, here = folder / entry.name, (*rel, entry.name)
                try:
                    if entry.is_symlink():
                        if keep(here) or deeper(here):
                            self.warn(f"{path}: a symbolic link, skipped (only regular files of a submission "
                                      "are read)")
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if deeper(here):
                            subfolders.append((path, here))
                        continue
                    regular = entry.is_file(follow_symlinks=False)
                except OSError:
                    continue
                if not keep(here):
                    continue
                if not regular:
                    self.warn(f"{path}: not a regular file (a FIFO, a device or a socket), skipped")
                    continue
                self.files += 1
                if self.files > MAX_FILES:
                    self._stop(f"{top}: more than {MAX_FILES:,} answers files; the first {MAX_FILES:,} are "
                               "graded (split the class into several runs)")
                    break
                found.append(path)
            if len(rel) >= MAX_DEPTH and subfolders:
                too_deep = True
                continue
            stack.extend(reversed(subfolders))
        if too_deep:
            self.warn(f"{top}: folders more than {MAX_DEPTH} levels deep are not looked into (no submission is "
                      "that deep; move the files up)")
        return found

    def _stop(self, sentence: str) -> None:
        if not self.stopped:
            self.warn(f"warning: {sentence}")
        self.stopped = True


def _folder(folder: Path, walk: _Walk | None = None, suffixes: tuple[str, ...] = SUFFIXES) -> list[Path]:
    """The answers files (and with ``--set``, the write-ups) under ``folder``."""
    return (walk or _Walk(lambda _: None)).run(folder, lambda rel: rel[-1].endswith(suffixes), lambda _rel: True)


def _glob_root(pattern: str) -> tuple[Path, list[str]]:
    """A glob's literal folder (where the walk starts) and the patterns of the names below it."""
    parts = pattern.replace(os.sep, "/").split("/")
    literal: list[str] = []
    for k, part in enumerate(parts):
        if _GLOB & set(part):
            rest = [q for q in parts[k:] if q]
            break
        literal.append(part)
    else:
        rest = []
    if not literal:
        return Path("."), rest
    root = "/".join(literal) or "/"
    return Path(root), rest


def _matches(names: tuple[str, ...], patterns: list[str]) -> bool:
    if not patterns:
        return not names
    if patterns[0] == "**":
        return _matches(names, patterns[1:]) or (bool(names) and _matches(names[1:], patterns))
    return bool(names) and fnmatch.fnmatchcase(names[0], patterns[0]) and _matches(names[1:], patterns[1:])


def _could_hold(names: tuple[str, ...], patterns: list[str]) -> bool:
    """Whether a folder at ``names`` could hold a match (the walk goes no deeper than the pattern)."""
    if "**" in patterns:
        return True
    return len(names) < len(patterns) and all(fnmatch.fnmatchcase(n, q) for n, q in zip(names, patterns))


def _glob(pattern: str, walk: _Walk) -> list[str]:
    """``pattern``'s files (``**`` crosses folders), found by walking its literal folder: links are never
    followed out of the tree or back into it, hidden names are skipped, the walk is bounded."""
    root, patterns = _glob_root(pattern)
    if not root.is_dir():
        return []
    found = walk.run(root, lambda rel: _matches(rel, patterns), lambda rel: _could_hold(rel, patterns))
    if str(root) == "." and not pattern.startswith("./"):
        return [str(f.relative_to(root)) for f in found]
    return [str(f) for f in found]


def expand(args: list[str], stdin_read: Callable[[int], bytes] | None = None,
           warn: Callable[[str], None] | None = None, relative: bool = False, writeups: bool = False
           ) -> tuple[list[Source], bool, list[NoFiles]]:
    """The files named by ``args`` in order, each once; whether this is a batch (several files, a
    folder or a glob) rather than one file; and the folders and globs that hold no answers file.

    An argument naming nothing is kept: its row says so. A folder or a glob with nothing in it is
    not a student (it is, say, ``late/*.yaml`` with no late work): it is returned for a warning and
    the others are graded; only when no argument names any file is it an error (:class:`NoFiles`).

    Only regular files are taken from folders and globs (:class:`_Walk`); in a batch a named file that
    is a symlink is skipped too. ``warn`` hears a sentence for each thing skipped. ``relative``: files
    of a folder are named relative to it (a Gradescope submission: never the grader's paths)."""
    sources: list[Source] = []
    empty: list[NoFiles] = []
    batch = len(args) > 1
    seen: set[str] = set()
    say = warn or (lambda _: None)
    walk = _Walk(say)

    def add(path: str, shown: str | None = None) -> None:
        key = STDIN if shown == STDIN else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            sources.append(Source(path, shown or path))

    for arg in args:
        path = Path(arg)
        if arg == "-":
            add(_stdin_file(stdin_read or sys.stdin.buffer.read), STDIN)
        elif path.is_dir():
            batch = True
            files = _folder(path, walk, SUFFIXES + WRITEUP_SUFFIXES if writeups else SUFFIXES)
            if not files:
                empty.append(NoFiles(f"{arg}: no *.yaml answers file in this folder (hidden ones are skipped)"))
            for f in files:
                add(str(f), str(f.relative_to(path)) if relative else None)
        elif not path.exists() and not path.is_symlink() and _GLOB & set(arg):
            batch = True
            found = _glob(arg, walk)
            if not found:
                empty.append(NoFiles(f"{arg}: no file matches this pattern; check it (quote it so the shell "
                                     "does not expand it first)"))
            for name in found:
                add(name)
        elif batch and path.is_symlink():
            say(f"{arg}: a symbolic link, skipped (only regular files of a submission are read)")
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


CHUNK = 64   # files handed to the pool at a time when a class streams (memory: a few chunks, not the class)


def grade_files(sources: list[Source], seconds: float = PART_SECONDS, jobs: int | None = None,
                on_done: Callable[[int], None] | None = None, warm_bank: bool | None = None,
                student: str | None = None, warn: Callable[[str], None] | None = None,
                set_name: str | None = None) -> list[FileResult]:
    """Every file graded by one pool of ``jobs`` workers; results in the order of ``sources``.

    With more than one file the parent derives (or loads) the whole bank first, so every worker
    starts warm; one file is read and derived by its worker alone (only its problems). ``student``
    grades every file as that student (their variant), whatever the files say."""
    return list(stream_files(sources, seconds, jobs, on_done, warm_bank, student, warn, set_name))


def stream_files(sources: list[Source], seconds: float = PART_SECONDS, jobs: int | None = None,
                 on_done: Callable[[int], None] | None = None, warm_bank: bool | None = None,
                 student: str | None = None, warn: Callable[[str], None] | None = None,
                 set_name: str | None = None) -> Generator[FileResult, None, None]:
    """:func:`grade_files` as it goes: each file's result in the order of ``sources``, handed out as soon
    as it and those before it are graded, so a caller that writes and forgets them holds a few chunks of
    :data:`CHUNK` files, never the class. The pool (and its warm workers) serves every chunk."""
    if not sources:
        return
    from dlcheck.grade.derive import DISABLED, warm_class  # lazy: what reads a file here needs no sympy
    from dlcheck.grade.pool import Job, Pool, default_jobs  # lazy: as above

    DISABLED.clear()  # a problem is disabled by this run's warm-up only, and only while it runs
    try:
        if warm_bank if warm_bank is not None else len(sources) > 1:
            warm_class(bank.all_ids(), warn)  # each problem derived bounded; one that fails is disabled
        size = min(jobs or default_jobs(), len(sources))
        # a class: its files are data, a symlink among them is never read (the workers inherit this)
        with links_refused(len(sources) > 1), Pool(size, seconds, on_done) as pool:
            for first in range(0, len(sources), CHUNK):
                chunk = sources[first:first + CHUNK]
                # one student's file is kept for their next run (grade/judged.py); a class is graded once
                outcomes = pool.run([Job(first + k, s.path, student=student, set_name=set_name,
                                         remember=len(sources) == 1 and set_name is None)
                                     for k, s in enumerate(chunk)])
                for k, source in enumerate(chunk):
                    yield _file_result(source, outcomes.pop(first + k), set_name)
    finally:
        DISABLED.clear()


def _file_result(source: Source, outcome: Any, set_name: str | None = None) -> FileResult:
    if outcome.error is not None:
        return FileResult(source.shown, outcome.student, error=_renamed(outcome.error, source.path, source.shown))
    plan = outcome.plan
    results = outcome.results()
    for r in results:
        for v in r.verdicts:
            shorten(v)
    working = plan.working if plan and is_writeup(source.path, set_name is not None) else None
    return FileResult(source.shown, plan.student if plan else None, results, working=working)


LONG_TEXT = 600        # characters of an answer (or a message quoting one) a report shows whole
_HEAD, _TAIL = 300, 100


def shorten(v: Verdict) -> None:
    """A verdict's long answer, and each long piece of its evidence (a message quoting the answer),
    shortened; the evidence keeps what reveals the reference marked as such."""
    v.answer = shortened(v.answer)
    if any(len(e.text) > LONG_TEXT or len(e.withheld) > LONG_TEXT for e in v.evidence):
        v.tell(*(replace(e, text=shortened(e.text), withheld=shortened(e.withheld)) for e in v.evidence),
               column=v.column)


def shortened(text: str) -> str:
    """A long text as reports show it: its first and last characters and its length (a 1 MB answer is
    not echoed whole into every report; the score does not depend on this)."""
    if not isinstance(text, str) or len(text) <= LONG_TEXT:
        return text
    return f"{text[:_HEAD]} … {text[-_TAIL:]} ({len(text):,} characters in all)"
