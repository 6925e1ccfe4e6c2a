"""Bounded work without ``fork``: warm worker processes started fresh (``spawn``), killed on a timeout.

``fork`` is how dlcheck bounds a check everywhere it is safe (:mod:`dlcheck.engine.bounded`,
the grading pool): the child inherits the derived problem and costs nothing to start. It
is missing on Windows, fragile on macOS (system frameworks are not fork-safe, and Python
spawns there by default), and risky in a threaded host such as a Jupyter kernel (a lock
held by another thread at the fork stays held in the child; Python warns from 3.12).
There a worker is started with ``multiprocessing``'s ``spawn`` context instead: a fresh
interpreter that imports what it needs *once* (sympy, the checker) and then serves calls
sent to it pickled, one at a time. The parent keeps the clock: a call that does not
answer in time gets its worker killed (``Process.kill``: SIGKILL, or TerminateProcess on
Windows) and a fresh one started at once in its place, so the next call finds one warm.

:func:`fork_usable` decides, and ``DLCHECK_NO_FORK=1`` forces the spawned path (the test
suite runs a second time so, in CI). A worker dies with its parent (POSIX; elsewhere its
pipe closes and it leaves) and caps its memory after its imports where the OS has the
limit (Linux ``RLIMIT_AS``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator
from typing import Any

from dlcheck.engine.childerrors import CannotFork, ChildFailure, TimeLimit

NO_FORK = "DLCHECK_NO_FORK"
START_SECONDS = 120.0     # a fresh worker's imports (sympy: 1-2 s, far more on a busy machine); not a check's bound


def fork_usable() -> bool:
    """Whether a check may fork: not where ``os.fork`` is missing (Windows), on macOS, in a process
    with other threads running (a Jupyter kernel), or when ``DLCHECK_NO_FORK`` is set."""
    if os.environ.get(NO_FORK, "").strip() not in ("", "0", "false", "no"):
        return False
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    return threading.active_count() == 1


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """While a worker starts, ``__main__`` is a bare module: ``spawn`` would otherwise import the
    caller's script again in the worker (running a notebook-less script's top level twice)."""
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def start(target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """A spawned process running ``target(conn, parent_pid, *args)``; (the process, the parent's end of its pipe)."""
    import multiprocessing  # lazy: only the spawned path needs it

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs, os.getpid(), *args), daemon=True,
                              name="dlcheck-worker")
    try:
        with _plain_main():
            process.start()
    except OSError as exc:
        ours.close()
        raise CannotFork(exc.strerror or str(exc)) from None
    finally:
        theirs.close()
    return process, ours


def settle(parent: int) -> None:
    """The first thing a spawned worker does: Ctrl-C is its parent's, and a crash is a verdict rather
    than a dump on the screen (dying with the parent and the memory cap are the caller's:
    :mod:`dlcheck.engine.bounded` keeps them)."""
    import faulthandler  # lazy: only spawned workers need it
    import signal  # lazy: only spawned workers need it

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()


def kill(process: Any) -> str:
    """Kill a spawned process and collect it; how it ended ("signal SIGKILL", "exit code 1")."""
    with contextlib.suppress(OSError, ValueError):
        if process.is_alive():
            process.kill()
    with contextlib.suppress(OSError, ValueError, AssertionError):
        process.join(10)
    return ended(process.exitcode)


def ended(code: int | None) -> str:
    if code is None:
        return "it stopped"
    if code < 0:
        import signal  # lazy: only to name the signal

        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def wait_ready(conn: Any, process: Any, seconds: float = START_SECONDS) -> None:
    """Wait for a fresh worker's ("ready",): CannotFork when it dies or does not load in ``seconds``."""
    try:
        if conn.poll(seconds):
            message = conn.recv()
            if message == ("ready",):
                return
    except (EOFError, OSError):
        pass
    how = kill(process)
    raise CannotFork(f"a checking process did not start ({how})")


# -- one call at a time, in a warm spawned worker ---------------------------------------------
def serve_calls(conn: Any, prepare: Callable[[], Any] | None, cap: Callable[[], Any]) -> None:
    """A spawned worker's life after :func:`settle`: load (``prepare``), cap its memory (``cap``), say
    ready, then answer calls until the pipe closes."""
    if prepare is not None:
        prepare()
    cap()
    conn.send(("ready",))
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a call that cannot be read here is answered with why
            conn.send((False, ChildFailure(f"the call could not be read: {type(exc).__name__}: {exc}"),
                       traceback.format_exc()))
            continue
        try:
            outcome = (True, fn(*args), "")
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            outcome = (False, exc, traceback.format_exc())
        try:
            conn.send(outcome)
        except Exception:  # noqa: BLE001 - an unpicklable result or exception is sent as text
            conn.send((False, ChildFailure(f"{type(outcome[1]).__name__}: {outcome[1]}"), outcome[2]))
        if not outcome[0] and isinstance(outcome[1], MemoryError):
            return  # its state is not trusted after a MemoryError: the parent starts another


class Warm:
    """A spawned worker kept warm for bounded calls (see the module docstring)."""

    def __init__(self, target: Callable[..., None], prepare: Callable[[], Any] | None = None) -> None:
        self.target = target           # the worker's life: target(conn, parent, prepare), module-level
        self.prepare = prepare
        self.process: Any = None
        self.conn: Any = None
        self._ready = False
        self.lock = threading.Lock()   # one call at a time, whichever thread asks

    def begin(self) -> None:
        """Start a worker (it loads while the caller goes on) unless one is running."""
        if self.process is None:
            self.process, self.conn = start(self.target, self.prepare)

    def ensure(self) -> None:
        """A worker started and loaded (its imports are not a call's time)."""
        self.begin()
        if not self._ready:
            try:
                wait_ready(self.conn, self.process)
            except CannotFork:
                self.process = self.conn = None
                raise
            self._ready = True

    def call(self, fn: Callable[..., Any], *args: Any, seconds: float,
             meanwhile: Callable[[], Any] | None = None) -> Any:
        """``fn(*args)`` (both pickled) answered within ``seconds`` (TimeLimit), exceptions raised again."""
        with self.lock:
            self.ensure()
            deadline = time.monotonic() + seconds
            try:
                self.conn.send((fn, args))
                if meanwhile is not None:
                    meanwhile()
                if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                    self.replace()
                    raise TimeLimit(f"gave up after {seconds:g} s")
                ok, value, trace = self.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self.replace()
                raise TimeLimit("the check stopped without an answer") from None
            if ok:
                return value
            if isinstance(value, MemoryError):
                self.replace()
            value.child_traceback = trace
            raise value

    def replace(self) -> None:
        """Kill this worker and start a fresh one now, so that it loads while nothing waits for it."""
        self.close()
        with contextlib.suppress(CannotFork):
            self.begin()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
        if self.process is not None:
            kill(self.process)
        self.process = self.conn = None
        self._ready = False


_WARM: dict[Any, Warm] = {}


def warm_worker(target: Callable[..., None], prepare: Callable[[], Any] | None) -> Warm:
    """The one warm worker for this ``target`` and ``prepare`` (module-level functions), started on first use."""
    key = (target.__module__, target.__qualname__,
           None if prepare is None else (prepare.__module__, prepare.__qualname__))
    worker = _WARM.get(key)
    if worker is None:
        worker = _WARM[key] = Warm(target, prepare)
    return worker


def close_all() -> None:
    for worker in _WARM.values():
        worker.close()
