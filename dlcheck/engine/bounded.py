"""Run a call in a forked child with a time limit: the bound on every symbolic step.

``signal.alarm`` cannot interrupt sympy stuck inside a C-level big-integer operation,
and threads cannot be killed; a child process can. The child inherits the parent's
memory (the derived problem), runs the call, and pickles the result back through a
pipe; an exception comes back with the child's traceback as text (``.child_traceback``)
so ``--debug`` can show where it happened. Where ``fork`` is missing or unsafe (Windows,
macOS, a threaded host such as a Jupyter kernel, ``DLCHECK_NO_FORK=1``) the call goes to a
warm spawned worker instead (:mod:`dlcheck.engine.spawned`), killed and replaced when late.

Every child dlcheck forks (these, and the grading pool's workers) is bounded twice more:

- it dies with its parent (:func:`die_with_parent`): on Linux the kernel sends it SIGKILL
  when the parent dies (``prctl(PR_SET_PDEATHSIG)``), elsewhere a watchdog thread notices
  the parent is gone, so a ``dlcheck`` killed by ``timeout -s KILL`` or a CI runner leaves
  nothing running;
- its memory is capped (:func:`limit_memory`): ``RLIMIT_AS`` set to what the process
  already maps (the child was forked with sympy loaded) plus a headroom, so a blow-up is a
  ``MemoryError`` the check turns into "too large to check", not a machine out of memory.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from dlcheck.engine.childerrors import CannotFork, ChildFailure, TimeLimit
from dlcheck.engine.spawned import fork_usable, serve_calls, settle, warm_worker

__all__ = ["CannotFork", "Child", "ChildFailure", "TimeLimit", "bounded", "die_with_parent", "limit_memory",
           "start_warm"]

MEMORY_MB = 384          # address space a child may add to what it inherited (DLCHECK_CHILD_MEMORY_MB)
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a freshly forked child: be killed when ``parent`` dies, however it dies."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # lazy: only forked children need it

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc symbol: fall back to watching
            _watch_parent(parent)
    else:
        _watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _watch_parent(parent: int) -> None:
    import threading  # lazy: only forked children without prctl need it

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def memory_headroom() -> int:
    """Bytes of address space a child may add (``DLCHECK_CHILD_MEMORY_MB`` overrides the default)."""
    try:
        mb = float(os.environ.get("DLCHECK_CHILD_MEMORY_MB", MEMORY_MB))
    except ValueError:
        mb = MEMORY_MB
    return int(max(mb, 64) * 2**20)


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def limit_memory(headroom: int | None = None) -> None:
    """Cap this process's address space at what it maps now plus ``headroom`` (Linux; elsewhere
    the time bound alone stops a runaway check)."""
    mapped = _mapped_bytes()
    if mapped is None:
        return
    try:
        import resource  # lazy: only forked children need it

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = mapped + (headroom if headroom is not None else memory_headroom())
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        return


def bounded(fn: Callable[..., Any], *args: Any, seconds: float = 5.0, prepare: Callable[[], Any] | None = None,
            meanwhile: Callable[[], Any] | None = None) -> Any:
    """``fn(*args)`` computed in a forked child within ``seconds``; TimeLimit when it is late.

    ``prepare`` runs in the child before its memory is capped (the imports a light parent left
    to it, inside the time bound); ``meanwhile`` runs in the parent while the child works.
    """
    if not fork_usable():  # Windows, macOS, a threaded host: a warm spawned worker (engine.spawned)
        return warm_worker(_spawned_child, prepare).call(fn, *args, seconds=seconds, meanwhile=meanwhile)
    return Child(prepare, (fn, args)).result(seconds, meanwhile)


def start_warm(prepare: Callable[[], Any] | None) -> None:
    """Where :func:`bounded` would not fork: start its warm worker for ``prepare`` now, so that it loads
    while the caller goes on (``compare`` reads its command line meanwhile)."""
    if not fork_usable():
        with contextlib.suppress(CannotFork):
            warm_worker(_spawned_child, prepare).begin()


def _spawned_child(conn: Any, parent: int, prepare: Callable[[], Any] | None) -> None:
    """A spawned worker for :func:`bounded` (``fn`` and ``args`` must pickle there): bounded like a forked
    child (dead with its parent, memory capped after ``prepare``), serving calls until its pipe closes."""
    settle(parent)
    if os.name == "posix":
        die_with_parent(parent)
    serve_calls(conn, prepare, limit_memory)


class Child:
    """A forked child that computes one call and sends its result (or its exception) back.

    With ``call`` the child inherits the call at the fork (anything may be passed, an
    instance of a problem included). Without it the child is started *ahead*: it runs
    ``prepare`` at once (a light parent's imports) and then waits for a call sent with
    :meth:`call`, pickled; ``dlcheck compare`` starts one before it has read its arguments,
    so that the imports and the reading of the command line overlap.
    """

    def __init__(self, prepare: Callable[[], Any] | None = None,
                 call: tuple[Callable[..., Any], tuple] | None = None) -> None:
        fds: list[int] = []
        try:
            read_fd, write_fd = os.pipe()
            fds += [read_fd, write_fd]
            job_read, job_write = os.pipe() if call is None else (-1, -1)
            fds += [job_read, job_write]
            parent = os.getpid()
            pid = os.fork()
        except OSError as exc:
            for fd in fds:
                if fd >= 0:
                    os.close(fd)
            raise CannotFork(exc.strerror or str(exc)) from None
        if pid == 0:  # child: compute, send, leave without running the parent's cleanup
            os.close(read_fd)
            if job_write >= 0:
                os.close(job_write)
            die_with_parent(parent)
            _serve(prepare, call, job_read, write_fd)
        os.close(write_fd)
        if job_read >= 0:
            os.close(job_read)
        self.pid: int | None = pid
        self._results = read_fd
        self._jobs = job_write

    def call(self, fn: Callable[..., Any], *args: Any, seconds: float,
             meanwhile: Callable[[], Any] | None = None) -> Any:
        """For a child started ahead: ``fn(*args)`` (both must pickle) sent and answered within
        ``seconds`` in all (the sending too: a large call waits for a child still preparing)."""
        return self._finish(seconds, meanwhile, (fn, args))

    def result(self, seconds: float, meanwhile: Callable[[], Any] | None = None) -> Any:
        """The inherited call's value, waited for at most ``seconds`` (TimeLimit); the child is gone afterwards."""
        return self._finish(seconds, meanwhile, None)

    def _finish(self, seconds: float, meanwhile: Callable[[], Any] | None,
                call: tuple[Callable[..., Any], tuple] | None) -> Any:
        chunks: list[bytes] = []
        deadline = time.monotonic() + seconds
        try:
            pending = memoryview(pickle.dumps(call) if call is not None else b"")
            if self._jobs >= 0:
                os.set_blocking(self._jobs, False)
            if meanwhile is not None:
                meanwhile()
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeLimit(f"gave up after {seconds:g} s")
                writing = [self._jobs] if self._jobs >= 0 else []
                readable, writable, _ = select.select([self._results], writing, [], left)
                if writable:
                    try:
                        pending = pending[os.write(self._jobs, pending[:1 << 16]):]
                    except BlockingIOError:
                        pass
                    except OSError:  # the child is gone: what it sent before going is read below
                        pending = pending[:0]
                    if not pending:
                        os.close(self._jobs)  # end of the call: the child reads to here
                        self._jobs = -1
                if readable:
                    chunk = os.read(self._results, 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
        finally:
            self.close()
        if not chunks:
            raise TimeLimit("the check stopped without an answer")
        ok, value, trace = pickle.loads(b"".join(chunks))
        if ok:
            return value
        value.child_traceback = trace
        raise value

    def close(self) -> None:
        """Kill and reap the child (a child started ahead and never used, too)."""
        for fd in (self._jobs, self._results):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._jobs = self._results = -1
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None


def _serve(prepare: Callable[[], Any] | None, call: tuple[Callable[..., Any], tuple] | None, job_read: int,
           write_fd: int) -> None:
    """The child's whole life: prepare, take the call, compute, send the pickled outcome, exit."""
    try:
        if prepare is not None:
            prepare()
        limit_memory()
        if call is None:
            with os.fdopen(job_read, "rb") as jobs:
                call = pickle.loads(jobs.read())
        fn, args = call
        payload = pickle.dumps((True, fn(*args), ""))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        trace = traceback.format_exc()
        try:
            payload = pickle.dumps((False, exc, trace))
        except Exception:  # noqa: BLE001 - an unpicklable exception is sent as text
            payload = pickle.dumps((False, ChildFailure(f"{type(exc).__name__}: {exc}"), trace))
    try:
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        os._exit(0)
