"""Run a call in a forked child with a time limit: the bound on every symbolic step.

``signal.alarm`` cannot interrupt sympy stuck inside a C-level big-integer operation,
and threads cannot be killed; a child process can. The child inherits the parent's
memory (the derived problem), runs the call, and pickles the result back through a
pipe; an exception comes back with the child's traceback as text (``.child_traceback``)
so ``--debug`` can show where it happened. Where ``fork`` does not exist (Windows) the
call runs in-process, unbounded.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any


class TimeLimit(Exception):
    """The call did not finish within its time limit."""


class ChildFailure(RuntimeError):
    """An exception in the child that could not be sent back as itself."""


def bounded(fn: Callable[..., Any], *args: Any, seconds: float = 5.0) -> Any:
    if not hasattr(os, "fork"):
        return fn(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, leave without running the parent's cleanup
        os.close(read_fd)
        try:
            payload = pickle.dumps((True, fn(*args), ""))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            trace = traceback.format_exc()
            try:
                payload = pickle.dumps((False, exc, trace))
            except Exception:  # noqa: BLE001 - an unpicklable exception is sent as text
                payload = pickle.dumps((False, ChildFailure(f"{type(exc).__name__}: {exc}"), trace))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeLimit(f"gave up after {seconds:g} s")
                ready, _, _ = select.select([pipe], [], [], left)
                if ready:
                    chunk = os.read(pipe.fileno(), 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not chunks:
        raise TimeLimit("the check stopped without an answer")
    ok, value, trace = pickle.loads(b"".join(chunks))
    if ok:
        return value
    value.child_traceback = trace
    raise value
