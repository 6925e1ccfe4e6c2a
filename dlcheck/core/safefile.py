"""Saving a file a person keeps (``solve``'s answers file) so that no answer is ever lost.

- **Atomic**: the text goes to a temporary file in the same folder, is flushed and
  fsynced, then renamed over the file; a crash or SIGKILL at any moment leaves the old
  file or the new one, never half of one. Temporary files a killed writer left behind
  are removed by the next writer (it holds the lock, so no other write is under way).
- **Locked**: a writer holds an exclusive ``flock`` on the file itself while it re-reads,
  merges and renames; because the rename replaces the file, the lock is taken again when
  the file it locked is no longer the one at the path.
- **Through symlinks**: a symlinked file is written to its target, which stays a symlink.
- **Permissions**: a new file gets the umask's permissions (it is created by ``open``,
  not by ``mkstemp``'s 0600); a rewritten file keeps its own.
- **Refusals**: a read-only file is not replaced; a read-only folder, a full disk or a
  quota are a :class:`SaveError` with one sentence saying why, for the caller to keep the
  answer in memory and show it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from dlcheck.core.errors import DlcheckError

LOCK_WAIT = 15.0        # seconds to wait for another writer (a save takes milliseconds)
_TEMP = "{name}.{rand}.tmp"


class SaveError(DlcheckError):
    """A file could not be saved; the message is one sentence saying why."""


def target_of(path: str | Path) -> Path:
    """Where writes to ``path`` land: a symlink's target (followed to the end), else the path."""
    return Path(os.path.realpath(path))


def reason(exc: OSError, folder: Path) -> str:
    """Why a write failed, in words (a full disk, a quota, permissions)."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"the folder {folder} is not writable (permission denied)"
    if code == errno.EROFS:
        return f"the folder {folder} is on a read-only file system"
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == getattr(errno, "EDQUOT", -1):
        return "your disk quota is used up"
    return exc.strerror or str(exc)


def unwritable(path: Path) -> str | None:
    """Why an existing file must not be replaced, or None: its owner made it read-only (no write bit;
    root included), it is on a read-only file system, or we may not write it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    elsewhere = "save elsewhere with --answers FILE"
    if not mode & 0o222:
        return f"the file is read-only, so it was left as it is; make it writable (chmod u+w {path}) or {elsewhere}"
    if os.access(path, os.W_OK):
        return None
    with contextlib.suppress(OSError, AttributeError):
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return f"the folder {path.parent} is on a read-only file system; {elsewhere}"
    return f"you may not write to the file (permission denied), so it was left as it is; {elsewhere}"


@contextlib.contextmanager
def locked(path: Path, wait: float = LOCK_WAIT) -> Iterator[Path]:
    """Hold an exclusive lock on ``path``'s target while the block runs; yields the target.

    A missing file is created empty (with the umask's permissions) so there is something
    to lock; a caller whose save then fails removes it again if it is still empty.
    """
    target = target_of(path)
    try:
        import fcntl  # lazy: POSIX only; elsewhere saves are atomic but not locked
    except ImportError:
        yield target
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(target, os.O_RDONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise SaveError(reason(exc, target.parent), path=str(path)) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SaveError(f"another program has held {path} locked for {wait:g} s",
                                        path=str(path)) from None
                    time.sleep(0.01)
            try:
                now = os.stat(target)
            except FileNotFoundError:
                continue  # renamed away while we waited: lock the new one
            held = os.fstat(fd)
            if (now.st_ino, now.st_dev) != (held.st_ino, held.st_dev):
                continue  # another writer renamed a new file in: lock that one
            yield target
            return
        finally:
            os.close(fd)  # closing releases the lock


def temp_files(target: Path) -> list[Path]:
    """The temporary files writers of ``target`` make (left behind only by a killed writer)."""
    pattern = re.compile(r"\." + re.escape(target.name) + r"\.[A-Za-z0-9_]+\.tmp")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return [target.parent / n for n in names if pattern.fullmatch(n)]


def remove_stale_temps(target: Path) -> int:
    """Remove what killed writers left; call it holding the lock (then no write is under way)."""
    removed = 0
    for tmp in temp_files(target):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
            removed += 1
    return removed


def atomic_write_text(target: Path, text: str) -> None:
    """``text`` replaces ``target`` whole: a temporary file, fsync, rename; permissions kept.

    Raises :class:`SaveError` (one sentence) for a read-only folder, a full disk and the like.
    """
    try:
        info = os.stat(target)
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:
        mode, owner = 0o666 & ~_umask(), None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise SaveError(reason(exc, target.parent), path=str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown") and owner != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # root saving a student's file leaves it theirs
                os.chown(tmp, *owner)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(reason(exc, target.parent), path=str(target)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


def atomic_write_chunks(target: Path, chunks: Iterable[str]) -> None:
    """The text of ``chunks`` (written as they come, so a class is never all in memory) replaces
    ``target`` whole: a temporary file beside it, fsync, rename. A failure leaves ``target`` as it was,
    removes the temporary file and is a :class:`SaveError` saying why."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SaveError(reason(exc, folder), path=str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(reason(exc, folder), path=str(target)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut right after it keeps the new file)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def remove_if_empty(target: Path) -> None:
    """Undo the empty file :func:`locked` created for a save that then failed."""
    with contextlib.suppress(OSError):
        if os.stat(target).st_size == 0:
            os.unlink(target)
