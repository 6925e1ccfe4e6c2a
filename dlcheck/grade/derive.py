"""A course's spec cannot stall a class: deriving a problem is bounded, and a broken one is disabled.

``grade`` over a class derives the bank in the parent before its workers fork, and
``validate`` and ``gradescope build`` derive every spec of a course: a define such as the
determinant of an 8x8 symbolic matrix would hang them all, and 600 chained defines end in a
RecursionError. So, before a problem is derived where nothing bounds it:

- its define chains are measured from the spec's text (no parsing): a chain deeper than
  :data:`MAX_DEFINE_DEPTH` is a :class:`SpecError` at the define that is too deep;
- it is derived once in a forked child (:func:`dlcheck.engine.bounded.bounded`: time-limited
  by :data:`DERIVE_SECONDS`, or ``DLCHECK_DERIVE_SECONDS``, and memory-capped), which keeps
  the result in the derivation cache for the parent to load; late is "took more than N s to
  derive", at the spec's file;
- a problem that fails is *disabled* (:data:`DISABLED`, inherited by the grading workers):
  its parts are ``undecided`` with that sentence, its points still counted from the spec,
  and every other problem of the class is graded as usual.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from dlcheck.check.registry import build_instance, check_variants, get_instance, get_spec, instance_for, part_models
from dlcheck.core.errors import DlcheckError, SpecError
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.bounded import TimeLimit, bounded
from dlcheck.engine.instance import Instance
from dlcheck.grade.cards import ensure
from dlcheck.spec import bank
from dlcheck.spec.model import problem_model
from dlcheck.spec.reader import Spec

DERIVE_SECONDS = 120.0   # generous: a real problem derives in seconds, even cold on a busy machine
MAX_DEFINE_DEPTH = 150     # defines that each use the one before (600 ran out of Python's stack)
DISABLED: dict[str, str] = {}   # problem id -> why it cannot be graded (a sentence with the spec's place)
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def derive_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("DLCHECK_DERIVE_SECONDS", DERIVE_SECONDS)))
    except ValueError:
        return DERIVE_SECONDS


def check_define_depth(spec: Spec) -> None:
    """A SpecError at the first define whose chain of defines (each using another) is too deep to derive."""
    define = spec.problem.define
    depth: dict[str, int] = {}
    for name, text in define.items():
        used = {w for w in _NAME.findall(str(text)) if w in depth}
        depth[name] = 1 + max((depth[u] for u in used), default=0)
        if depth[name] > MAX_DEFINE_DEPTH:
            raise spec.error(("define", name), f"this define is step {depth[name]} of a chain of defines, each "
                                               f"using the one before; at most {MAX_DEFINE_DEPTH} can be derived: "
                                               "write the chain with fewer steps")


def _derive_here(problem_id: str) -> bool:
    get_instance(problem_id)  # in the child: derived, and kept in the derivation cache for the parent
    return True


def bounded_call(fn: Callable[..., object], *args: object, spec: Spec) -> object:
    """``fn(*args)`` in a bounded child; its failures as a SpecError at the spec's defines."""
    seconds = derive_seconds()
    try:
        # the child knows the problem model by name before a spec is unpickled into it (a spawned worker
        # starts with nothing loaded; a forked one has it already, and the call costs it nothing)
        return bounded(fn, *args, seconds=seconds, prepare=know_the_models)
    except TimeLimit:
        raise _at_defines(spec, f"{spec.id} took more than {seconds:g} s to derive (a define too costly: a "
                                "determinant or inverse of a large symbolic matrix?); simplify it, or set "
                                "DLCHECK_DERIVE_SECONDS") from None
    except MemoryError:
        raise _at_defines(spec, f"{spec.id} needs more memory to derive than a check may use; simplify its "
                                "defines") from None
    except RecursionError:
        raise _at_defines(spec, f"{spec.id} nests too deeply to derive; write its defines with fewer steps") from None


def know_the_models() -> None:
    """A child's preparation: the problem model built, so a spec pickled by the parent reads back."""
    problem_model(part_models())


def _at_defines(spec: Spec, message: str) -> SpecError:
    """An error at the spec's ``define:`` (where a costly derivation comes from), else at its top."""
    if spec.problem.define:
        return spec.error(("define",), message)
    return SpecError(message, path=str(spec.located.path), line=1, column=1)


_DERIVED: set[tuple] = set()   # (problem id, spec file, its time stamp and size) derived in this process


def _stamp(problem_id: str) -> tuple:
    path = bank.spec_path(problem_id)
    try:
        info = path.stat()
        return (problem_id, str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        return (problem_id, str(path), None, None)


def derive(problem_id: str) -> None:
    """Derive ``problem_id`` where nothing else bounds it: checked, then bounded, then loaded here.
    A failure is a :class:`SpecError` (or a DlcheckError of the spec) with its place. A spec this
    process already derived (unchanged since) is not derived again."""
    stamp = _stamp(problem_id)
    if stamp in _DERIVED:
        get_instance(problem_id)
        return
    spec = get_spec(problem_id)
    check_define_depth(spec)
    bounded_call(_derive_here, problem_id, spec=spec)
    get_instance(problem_id)  # from the cache the child filled (or derived again: it is known to end)
    _DERIVED.add(stamp)


def warm_class(problem_ids: list[str], warn: Callable[[str], None] | None = None) -> list[str]:
    """Derive every problem a class may answer; the ids that derived. Each that fails is disabled (its
    sentence to ``warn``), never a stop: the class is graded without it."""
    DISABLED.clear()  # what an earlier run of this process found is looked at again
    ok = []
    for problem_id in problem_ids:
        try:
            derive(problem_id)
        except DlcheckError as exc:
            at = f" (line {exc.line} of its spec)" if exc.line else ""
            DISABLED[problem_id] = f"{problem_id} cannot be graded: {exc.message}{at}"
            if warn is not None:
                warn(f"warning: {problem_id} cannot be graded: {exc}; its parts are undecided, the other "
                     "problems are graded")
            continue
        ok.append(problem_id)
    return ok


def instance_or_reason(problem_id: str, student: str | None) -> tuple[Instance | None, str | None]:
    """The instance a student answers, or why the problem cannot be graded (in a bounded process: a
    worker; a spec whose defines nest too deeply is said at its define, never a RecursionError)."""
    try:
        check_define_depth(get_spec(problem_id))
        inst = instance_for(problem_id, student)
        ensure(problem_id)  # the numeric path's card for the next run (grade/cards.py)
        return inst, None
    except DlcheckError as exc:  # its place by line only: a student's report names no grader's path
        at = f" (line {exc.line} of its spec)" if exc.line else ""
        return None, f"{problem_id} cannot be graded: {exc.message}{at}"
    except RecursionError:
        return None, f"{problem_id} cannot be graded: its defines nest too deeply to derive"


def disabled_verdicts(problem_id: str, parts: list[tuple[str, object]], why: str | None = None
                      ) -> list[Verdict] | None:
    """The verdicts of a disabled problem's parts (points from the spec, never derived), else None."""
    why = why or DISABLED.get(problem_id)
    if why is None:
        return None
    spec_parts = get_spec(problem_id).problem.parts
    return [Verdict(pid, Status.UNDECIDED, 0.0, spec_parts[pid].points, why,
                    answer if isinstance(answer, str) else "" if answer is None else str(answer))
            for pid, answer in parts]


def validated(spec: Spec) -> int:
    """``dlcheck validate`` of one spec, bounded: derived with the author's self-checks, every variant
    checked; the number of variants checked."""
    check_define_depth(spec)
    result = bounded_call(_validate_here, spec, spec=spec)
    return int(result)  # type: ignore[call-overload]


def _validate_here(spec: Spec) -> int:
    return check_variants(build_instance(spec))
