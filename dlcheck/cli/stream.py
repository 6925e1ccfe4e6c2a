"""A class streamed into a gradebook: results handed on file by file, never all held at once.

:func:`class_results` grades the files in chunks (:func:`dlcheck.grade.batch.stream_files`).
With an assignment every result can be written as soon as it is graded. Without one, the
class's problems (those anyone answered) are known only after the last file, so each result
is pickled into a private temporary file (unlinked at once, readable by this process only) and
read back one at a time once the problems are known: memory stays a few files, the disk holds
the class. :class:`Tally` keeps what the end of the run needs of each file (its student and
path for the duplicate warnings, whether it was right or unreadable for the exit code) and
prints a failed check's traceback under ``--debug`` as the file passes.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

import typer

from dlcheck.grade import assignment as scoring
from dlcheck.grade.batch import FileResult, Source, stream_files
from dlcheck.spec.assignment import Assignment


@contextlib.contextmanager
def class_results(sources: list[Source], seconds: float, jobs: int | None, on_done: Callable | None,
                  student: str | None, assignment: Assignment | None, warn: Callable[[str], None] | None = None,
                  set_name: str | None = None) -> Iterator[tuple[Assignment, Iterator[FileResult]]]:
    """(the assignment, the files' results in order): the given assignment and the results as they are
    graded, or the problems anyone answered and the results read back from a temporary file."""
    results = stream_files(sources, seconds, jobs, on_done, student=student, warn=warn, set_name=set_name)
    if assignment is not None:
        try:
            yield assignment, results
        finally:
            results.close()
        return
    with tempfile.TemporaryFile(prefix="dlcheck-class-") as spool:
        answered: set[str] = set()
        count = 0
        try:
            for f in results:
                answered.update(r.id for r in f.results)
                pickle.dump(f, spool, protocol=pickle.HIGHEST_PROTOCOL)
                count += 1
        finally:
            results.close()  # the pool and its workers end here, whatever happened
        spool.seek(0)
        yield scoring.answered_ids(answered), _read_back(spool, count)


def _read_back(spool: IO[bytes], count: int) -> Iterator[FileResult]:
    for _ in range(count):
        yield pickle.load(spool)  # our own objects, in a file only this process can open


class Tally:
    """What the end of a streamed run needs of each file, kept small."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.seen: list[FileResult] = []     # student and path only, no results
        self.errors = 0
        self.wrong = 0

    def add(self, f: FileResult) -> FileResult:
        self.seen.append(FileResult(f.path, f.student))
        self.errors += f.error is not None
        self.wrong += f.error is None and not f.ok
        if self.debug:
            for r in f.results:
                for v in r.verdicts:
                    if v.trace:
                        typer.echo(f"--- {f.path} {r.id} {v.part}: traceback from the check ---\n{v.trace}",
                                   err=True)
        return f

    def exit_code(self) -> int:
        if not self.seen or self.errors:
            return 2
        return 1 if self.wrong else 0
