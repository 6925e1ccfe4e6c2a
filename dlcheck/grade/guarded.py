"""One call in a time-bounded child, whatever goes wrong a verdict; and ``dlcheck compare``'s run.

This module stays light (no sympy, numpy or pydantic): ``compare`` is a process that
starts, checks one pair and ends, so its own process never loads the checker. A child
started ahead (:func:`start_compare`, before the command line is even read) imports sympy
and the checker while the parent reads its arguments, then takes the pair; meanwhile the
parent loads what prints the verdict. The fork of a small process is cheap, and on two
cores the imports overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.bounded import CannotFork, Child, TimeLimit, bounded, start_warm
from dlcheck.engine.spawned import fork_usable
from dlcheck.grade.failures import failed, not_started, timed_out, too_deep, too_large

COMPARE_SECONDS = 10.0   # one pair, the child's imports included


def run_bounded(fn: Callable[..., Verdict], args: tuple, pid: str, points: float, text: str,
                seconds: float, prepare: Callable[[], Any] | None = None,
                meanwhile: Callable[[], Any] | None = None, child: Child | None = None) -> Verdict:
    """``fn(*args)`` in a time-bounded child (``child``, when one was started ahead); whatever goes
    wrong comes back as a verdict."""
    try:
        if child is not None:
            return child.call(fn, *args, seconds=seconds, meanwhile=meanwhile)
        if prepare is None and not fork_usable():
            prepare = load_checker  # a spawned worker loads the checker once, before its first call
        return bounded(fn, *args, seconds=seconds, prepare=prepare, meanwhile=meanwhile)
    except TimeLimit:
        return timed_out(pid, points, text, seconds)
    except CannotFork as exc:
        return not_started(pid, points, text, str(exc))
    except RecursionError:
        return too_deep(pid, points, text)
    except MemoryError:
        return too_large(pid, points, text)
    except Exception as exc:  # noqa: BLE001 - one bad part never hides the others
        return failed(pid, points, text, exc, getattr(exc, "child_traceback", ""))


def start_compare() -> Child | None:
    """A child that starts loading the checker now, for the pair ``compare`` will read (None when no
    process can be forked now: the check then forks its own, and says so if it fails). Without fork
    (:func:`dlcheck.engine.spawned.fork_usable`) the warm spawned worker starts loading instead."""
    if not fork_usable():
        start_warm(load_checker)
        return None
    try:
        return Child(prepare=load_checker)
    except CannotFork:
        return None


def compare_bounded(expected: str, answer: str, rtol: str | None = None, atol: str | None = None,
                    sigfigs: str | None = None, seconds: float = COMPARE_SECONDS,
                    meanwhile: Callable[[], Any] | None = None, ahead: Child | None = None) -> Verdict:
    """``answer`` against ``expected`` in a bounded child that loads the checker itself (``ahead``:
    one :func:`start_compare` started). Two literals within the tolerance are decided here, without sympy
    (:func:`dlcheck.check.fast.compare_literals`), and the child is not waited for."""
    from dlcheck.check.fast import compare_literals  # lazy: start-up

    quick = compare_literals(expected, answer, rtol, atol, sigfigs)
    if quick is not None:
        if ahead is not None:
            ahead.close()
        return quick
    return run_bounded(_compare, (expected, answer, rtol, atol, sigfigs), "compare", 1.0, answer, seconds,
                       prepare=load_checker, meanwhile=meanwhile, child=ahead)


def load_checker() -> None:
    """The child's imports, with the cyclic garbage collector paused: a third of sympy's import
    time is spent collecting objects that all stay alive."""
    import gc

    gc.disable()
    try:
        import sympy.tensor.tensor  # noqa: F401  # lazy: sympy imports it at the first sum; loaded here, gc paused

        from dlcheck.check.registry import part_models  # lazy: as below
        from dlcheck.grade import work  # noqa: F401  # lazy: the child's import, never the light parent's
        from dlcheck.spec.model import problem_model  # lazy: as above

        problem_model(part_models())  # the problem model exists (by name) before an instance is unpickled
    finally:
        gc.enable()
        gc.freeze()


def _compare(expected: str, answer: str, rtol: str | None, atol: str | None, sigfigs: str | None) -> Verdict:
    from dlcheck.grade.work import compare_texts  # lazy: loaded by load_checker in the child

    return compare_texts(expected, answer, rtol, atol, sigfigs)


def exit_code(status: Status) -> int:
    """``compare``'s exit code: 0 equivalent, 2 unreadable text, 1 anything else (wrong, wrong shape, undecided)."""
    return {Status.CORRECT: 0, Status.INVALID: 2}.get(status, 1)
