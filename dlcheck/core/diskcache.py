"""Derived problems kept on disk between runs, addressed by the content they come from.

Reading a spec (YAML + pydantic) and deriving it (the chain rule over its graph) costs
from milliseconds to most of a second per problem; a pickle of the result loads in a
few milliseconds. An entry's key is a hash of everything the result depends on: the
spec file's bytes, the problem id, and the code that derives it (dlcheck's own files,
the Python, sympy and pydantic versions), so a changed spec or a new dlcheck version is
a miss, never a stale hit.

``$DLCHECK_CACHE`` moves the cache (default ``$XDG_CACHE_HOME/dlcheck`` or
``~/.cache/dlcheck``); ``DLCHECK_CACHE=off`` turns it off. The folder is created private
(0700) and is used only while nobody else may write to it: a pickle is code. Any failure to read or
write the cache is a miss, never an error: the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
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
    """What derivation depends on besides the spec: every dlcheck source file and the libraries."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        digest.update(f"{sys.version}|{_version('sympy')}|{_version('pydantic')}".encode())
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


def _private(folder: Path) -> bool:
    """Only a folder this user owns and nobody else may write to is trusted (a pickle is code)."""
    try:
        stat = folder.stat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or stat.st_uid == os.getuid()
    return owner_ok and not stat.st_mode & 0o022


def _entry(kind: str, key: str, create: bool = False) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    if create and not folder.exists():
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, mode=0o700)
    if not _private(folder):
        return None
    return folder / kind / f"{key}.pickle"


def load(kind: str, key: str) -> Any | None:
    """The object stored under ``key``, or None (not there, unreadable, or from other code)."""
    path = _entry(kind, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged entry is a miss; remove it so it is rebuilt
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def store(kind: str, key: str, value: Any) -> bool:
    """Keep ``value`` under ``key`` (atomically: readers see the whole entry or none)."""
    path = _entry(kind, key, create=True)
    if path is None:
        return False
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk, unpicklable): only slower
        return False
    return True
