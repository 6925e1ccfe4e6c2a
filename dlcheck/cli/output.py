"""Output that is whole or absent: a gradebook (or any report) to a file or to stdout.

- ``--output FILE``: the text goes to a temporary file beside it, is flushed and fsynced,
  then renamed over FILE (:func:`dlcheck.core.safefile.atomic_write_chunks`); a full disk
  leaves FILE as it was and no temporary file.
- stdout: the text is written as it is made (a class streams, file by file); when stdout is
  a regular file (``> grades.csv``) and a write fails, the file is cut back to where this
  run started, so a full disk leaves no half-written gradebook that looks complete.

Either failure -- a full disk, a quota, a read-only folder, a reader that closed the pipe
(``| head``) -- is one :class:`OutputError` sentence naming the cause, and exit code 2.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from dlcheck.core.errors import DlcheckError
from dlcheck.core.safefile import SaveError, atomic_write_chunks, reason


class OutputError(DlcheckError):
    """The output could not be written whole; nothing that looks complete was left."""

    stdout_gone = True   # no error document may follow on stdout: it is what failed


def deliver(chunks: Iterable[str], target: Path | None, what: str) -> None:
    """Write ``chunks`` whole to ``target`` (atomically) or to stdout; else an :class:`OutputError`."""
    if target is not None:
        try:
            atomic_write_chunks(target, chunks)
        except SaveError as exc:
            raise OutputError(f"the {what} was not written ({exc.message}); {target} was left as it was",
                              path=str(target)) from None
        return
    _to_stdout(chunks, what)


def _stdout_fd() -> int | None:
    try:
        return sys.stdout.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):  # a test's captured stdout
        return None


def _to_stdout(chunks: Iterable[str], what: str) -> None:
    fd = _stdout_fd()
    start = None
    if fd is not None:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.fstat(fd).st_mode):
                sys.stdout.flush()
                start = os.lseek(fd, 0, os.SEEK_CUR)
    try:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except OSError as exc:
        cut = ""
        if start is not None and fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                cut = "; the part already written was removed"
        _silence(fd)
        if exc.errno == errno.EPIPE or isinstance(exc, BrokenPipeError):
            raise OutputError(f"the {what} was not written whole: the program reading it closed the pipe "
                              "first; write it to a file with --output FILE") from None
        raise OutputError(f"the {what} was not written whole: {reason(exc, Path.cwd())}{cut}") from None


def _silence(fd: int | None) -> None:
    """Whatever is still buffered for stdout goes nowhere (else Python's exit would write it, or fail)."""
    if fd is None:
        return
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
