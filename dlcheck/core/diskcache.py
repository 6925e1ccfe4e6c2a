"""Derived problems kept on disk between runs, addressed by the content they come from.

Reading a spec (YAML + pydantic) and deriving it (the chain rule over its graph) costs
from milliseconds to most of a second per problem; a pickle of the result loads in a
few milliseconds. An entry's key is a hash of everything the result depends on: the
spec file's bytes, the problem id, and the code that derives it (dlcheck's own files,
the Python, sympy and pydantic versions), so a changed spec or a new dlcheck version is
a miss, never a stale hit.

``$DLCHECK_CACHE`` moves the cache (default ``$XDG_CACHE_HOME/dlcheck`` or
``~/.cache/dlcheck``); ``DLCHECK_CACHE=off`` turns it off. The folder is created private
(0700) and is used only while nobody else may write to it: a pickle is code. Every folder on the way
and every entry is checked *after* it is opened, by descriptor (``O_NOFOLLOW``, so a link swapped in
between a check and an open is never followed): the folders above the cache are this user's or
root's (others may write only to a sticky one, like ``/tmp``), the cache's own folders and entries
are this user's and written by nobody else. An entry that fails is removed and rebuilt, never
loaded; a kind's folder that fails is moved aside (``.untrusted-*``) and made anew. Any failure to
read or write the cache is a miss, never an error: the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

ENV = "DLCHECK_CACHE"
_OFF = {"off", "0", "no", "false", "none"}
_fingerprint: str | None = None


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in _OFF:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "dlcheck"


def _version(module: str) -> str:
    loaded = sys.modules.get(module)
    if loaded is not None and hasattr(loaded, "__version__"):
        return str(loaded.__version__)
    try:
        from importlib.metadata import version  # lazy: start-up (only on a cache lookup)

        return version(module)
    except Exception:  # noqa: BLE001 - an unknown version only makes the key more specific
        return "?"


def code_fingerprint() -> str:
    """What derivation (and grading) depends on besides the spec: every dlcheck source file and the
    libraries."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        # the libraries a derivation or a verdict depends on (mpmath's and numpy's numbers too: a verdict kept
        # by grade/judged.py is read back only for the versions that judged it)
        libraries = "|".join(_version(m) for m in ("sympy", "pydantic", "mpmath", "numpy"))
        digest.update(f"{sys.version}|{libraries}".encode())
        for path in sorted(package.rglob("*.py")):
            with contextlib.suppress(OSError):
                stat = path.stat()
                digest.update(f"{path.relative_to(package)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        _fingerprint = digest.hexdigest()
    return _fingerprint


def key_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _mine(info: os.stat_result) -> bool:
    """Owned by this user and written by nobody else (a pickle is code)."""
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and not info.st_mode & 0o022


def _safe_ancestor(info: os.stat_result) -> bool:
    """A folder above the cache: this user's or root's, and writable by others only when sticky (``/tmp``)."""
    owner_ok = not hasattr(os, "getuid") or info.st_uid in (0, os.getuid())
    return owner_ok and (not info.st_mode & 0o022 or bool(info.st_mode & stat.S_ISVTX))


def _private(folder: Path) -> bool:
    """Only a folder this user owns and nobody else may write to is trusted (a pickle is code)."""
    fd = _open_root(folder)
    if fd is None:
        return False
    os.close(fd)
    return True


def _open_root(folder: Path) -> int | None:
    """The cache folder, opened component by component from ``/`` without following a link (the path is
    resolved first: a link the user put in their own setting is theirs), every folder on the way checked
    after it is opened; None when one is not safe. The caller closes the descriptor."""
    try:
        real = Path(os.path.realpath(folder))
        fd = os.open(real.anchor or "/", _DIR_FLAGS)
    except OSError:
        return None
    try:
        parts = real.parts[1:]
        for k, name in enumerate(parts):
            if not _safe_ancestor(os.fstat(fd)):
                return _closed(fd)
            child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
            if k == len(parts) - 1 and not _mine(os.fstat(fd)):
                return _closed(fd)
        return fd
    except OSError:
        return _closed(fd)


def _closed(fd: int) -> int | None:
    """Close ``fd``; None, the answer of a check that failed."""
    with contextlib.suppress(OSError):
        os.close(fd)
    return None


def _open_kind(root_fd: int, kind: str, create: bool) -> int | None:
    """The folder of one kind of entry inside the cache, checked after it is opened. With ``create``, a
    folder that fails the check (another owner, others may write to it) is moved aside and made anew:
    nothing in it is ever loaded."""
    for _ in range(3):  # moved aside, made anew, opened
        try:
            fd = os.open(kind, _DIR_FLAGS, dir_fd=root_fd)
        except FileNotFoundError:
            if not create:
                return None
            with contextlib.suppress(FileExistsError):
                os.mkdir(kind, 0o700, dir_fd=root_fd)
            continue
        except OSError:  # a link, a file: not ours to read
            fd = None
        if fd is not None and _mine(os.fstat(fd)):
            return fd
        if fd is not None:
            os.close(fd)
        if not create:
            return None
        try:
            os.rename(kind, f".untrusted-{kind}-{secrets.token_hex(8)}", src_dir_fd=root_fd, dst_dir_fd=root_fd)
        except OSError:
            return None
    return None


def _name(key: str) -> str:
    return f"{key}.pickle"


def load(kind: str, key: str) -> Any | None:
    """The object stored under ``key``, or None (not there, unreadable, from other code, or a file anyone
    but this user could have written: such a file is removed, never loaded, and the entry is rebuilt)."""
    folder = cache_dir()
    if folder is None:
        return None
    root = _open_root(folder)
    if root is None:
        return None
    try:
        kind_fd = _open_kind(root, kind, create=False)
        if kind_fd is None:
            return None
        try:
            return _load_entry(kind_fd, _name(key))
        finally:
            os.close(kind_fd)
    finally:
        os.close(root)


def _load_entry(kind_fd: int, name: str) -> Any | None:
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=kind_fd)
    except FileNotFoundError:
        return None
    except OSError:  # a symlink (O_NOFOLLOW), a FIFO we may not open: not an entry of ours
        _remove(kind_fd, name)
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(info.st_mode) or not _mine(info):   # a folder, a device, someone else's file
        os.close(fd)
        _remove(kind_fd, name)
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            return pickle.load(fh)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss; remove it so it is rebuilt
            _remove(kind_fd, name)
            return None


def _remove(kind_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=kind_fd)


def store(kind: str, key: str, value: Any) -> bool:
    """Keep ``value`` under ``key`` (atomically: readers see the whole entry or none)."""
    folder = cache_dir()
    if folder is None:
        return False
    if not folder.exists():
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, mode=0o700)
    root = _open_root(folder)
    if root is None:
        return False
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        kind_fd = _open_kind(root, kind, create=True)
        if kind_fd is None:
            return False
        try:
            tmp = f".{secrets.token_hex(8)}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) |
                         getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=kind_fd)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, _name(key), src_dir_fd=kind_fd, dst_dir_fd=kind_fd)
            except BaseException:
                _remove(kind_fd, tmp)
                raise
        finally:
            os.close(kind_fd)
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk, unpicklable): only slower
        return False
    finally:
        os.close(root)
    return True


def prune(kind: str, keep: int) -> int:
    """With more than ``keep`` entries of ``kind``, the oldest removed down to three quarters of ``keep``
    (through the folder's descriptor, as every entry is read); how many were removed."""
    folder = cache_dir()
    root = _open_root(folder) if folder is not None else None
    if root is None:
        return 0
    try:
        kind_fd = _open_kind(root, kind, create=False)
        if kind_fd is None:
            return 0
        try:
            entries = []
            with os.scandir(kind_fd) as listing:
                for entry in listing:
                    if entry.name.endswith(".pickle") and entry.is_file(follow_symlinks=False):
                        with contextlib.suppress(OSError):
                            entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
            if len(entries) <= keep:
                return 0
            entries.sort()
            gone = entries[:len(entries) - keep * 3 // 4]
            for _, name in gone:
                _remove(kind_fd, name)
            return len(gone)
        finally:
            os.close(kind_fd)
    except OSError:
        return 0
    finally:
        os.close(root)
