"""The one place part kinds are listed, and the way every other layer gets a problem.

``get_spec`` / ``get_instance`` read and derive a problem of the bank once per process
(and once per content: a spec file read again after it changed is read anew), through
the derivation cache on disk (:mod:`dlcheck.core.diskcache`) so a second run only loads
it; ``instance_for`` is a student's variant of it; ``check_answer`` grades one answer
with its kind's checker.

To add a kind: write ``dlcheck/check/kinds/<kind>.py`` ending in ``KIND = Kind(...)``
and add it to ``KINDS`` below (see ARCHITECTURE.md for a worked example).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dlcheck.check.kind import Kind
from dlcheck.check.kinds import choice, construction, essay, value
from dlcheck.core import diskcache
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.instance import Instance
from dlcheck.engine.variants import check_draws, draw, variant_spec
from dlcheck.spec import bank
from dlcheck.spec.answers import AnswersFile, read_answers
from dlcheck.spec.model import PartBase, problem_model
from dlcheck.spec.reader import Spec, read_spec

KINDS: dict[str, Kind] = {k.name: k for k in (*value.KINDS, choice.KIND, construction.KIND, essay.KIND)}


def part_models() -> tuple[type[PartBase], ...]:
    return tuple(k.model for k in KINDS.values())


def kind_of(part: Any) -> Kind:
    return KINDS[part.kind]


def prepare(inst: Instance, pid: str, part: Any) -> None:
    kind_of(part).prepare(inst, pid, part)


def build_instance(spec: Spec, author_rules: bool = True, self_checks: bool = True,
                   read: dict[str, Any] | None = None) -> Instance:
    """Derive a spec: its graph, and every part prepared by its kind (and, with ``self_checks``,
    the author's own proofs run: known solutions simulated). ``read``: formulas already parsed."""
    return Instance.build(spec, prepare, author_rules, self_checks, read)


def read_spec_file(path: str | Path, problem_id: str) -> Spec:
    return read_spec(path, problem_id, part_models())


_SPECS: dict[tuple, Spec] = {}
_INSTANCES: dict[tuple, Instance] = {}
_VARIANTS: dict[tuple, Instance] = {}
VARIANTS_KEPT = 256  # students' variants an instance keeps derived (each is a copy of the numbers)


_LOOKED: dict[str, tuple[float, tuple]] = {}


def _file_key(problem_id: str) -> tuple[tuple, Path]:
    """What identifies a spec's content in memory: its path, time stamp and size (the file is looked at
    again when the last look is older than the bank's FRESH_SECONDS; the content hash is for the disk)."""
    path = bank.spec_path(problem_id)
    now = time.monotonic()
    seen = _LOOKED.get(str(path))
    if seen is not None and now - seen[0] <= bank.FRESH_SECONDS and seen[1][0] == problem_id:
        return seen[1], path
    try:
        stat = path.stat()
        key: tuple = (problem_id, str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (problem_id, str(path), None, None)
    _LOOKED[str(path)] = (now, key)
    return key, path


def _disk_key(problem_id: str, path: Path) -> str | None:
    return _disk_source(problem_id, path)[0]


def _disk_source(problem_id: str, path: Path) -> tuple[str | None, bytes | None]:
    """The spec's key in the derivation cache, and the bytes it was made from."""
    try:
        data = path.read_bytes()
    except OSError:
        return None, None  # unreadable: read_spec says why
    return diskcache.key_of(problem_id, ",".join(KINDS), data), data


def get_spec(problem_id: str) -> Spec:
    """The validated spec of a full problem id (read once while its file is unchanged)."""
    key, path = _file_key(problem_id)
    spec = _SPECS.get(key)
    if spec is None:
        disk = _disk_key(problem_id, path)
        problem_model(part_models())  # the problem model exists (by name) before a stored one is loaded
        spec = diskcache.load("spec", disk) if disk else None
        if not isinstance(spec, Spec) or spec.id != problem_id:
            spec = read_spec_file(path, problem_id)
            if disk:
                diskcache.store("spec", disk, spec)
        _SPECS[key] = spec
    return spec


def get_instance(problem_id: str) -> Instance:
    """The derived instance of a full problem id (derived once while its file is unchanged; the
    author's self-checks are left to ``dlcheck validate`` and the tests)."""
    key, path = _file_key(problem_id)
    inst = _INSTANCES.get(key)
    if inst is None:
        disk, _SOURCES[key] = _disk_source(problem_id, path)
        problem_model(part_models())
        inst = diskcache.load("instance", disk) if disk else None
        if not isinstance(inst, Instance) or inst.spec.id != problem_id:
            inst = build_instance(get_spec(problem_id), self_checks=False)
            inst.env()  # the sheet's numbers: stored with it
            if disk:
                diskcache.store("instance", disk, inst)
        _INSTANCES[key] = inst
    return inst


_SOURCES: dict[tuple, bytes | None] = {}   # the spec bytes each kept instance was derived (or loaded) for


def instance_and_source(problem_id: str) -> tuple[Instance, bytes | None]:
    """:func:`get_instance`, and the bytes of the spec it stands for (None when they could not be read):
    what is made from the instance is filed under them, never under a file that changed since."""
    inst = get_instance(problem_id)
    key, _ = _file_key(problem_id)
    return inst, _SOURCES.get(key)


def instance_for(problem_id: str, student: Any = None) -> Instance:
    """The instance ``student`` answers: their variant when the problem varies, else the sheet's."""
    base = get_instance(problem_id)
    values = draw(problem_id, base.spec.problem.vary, student)
    if not values:
        return base
    key = (id(base), tuple(values.items()))
    inst = _VARIANTS.get(key)
    if inst is None:
        spec = variant_spec(base.spec, values)
        inst = build_instance(spec, self_checks=False) if base.value_dependent else base.with_givens(values, spec)
        if len(_VARIANTS) >= VARIANTS_KEPT:
            _VARIANTS.pop(next(iter(_VARIANTS)))
        _VARIANTS[key] = inst
    return inst


def check_variants(inst: Instance) -> int:
    """``dlcheck validate``: the problem's variants (corners and drawn ids) all have finite references."""
    def derive(values: dict[str, str]) -> Instance:
        spec = variant_spec(inst.spec, values)
        return build_instance(spec, self_checks=False) if inst.value_dependent else inst.with_givens(values, spec)

    return check_draws(inst.spec.id, inst, derive)


def variant_of(problem_id: str, student: Any) -> dict[str, str]:
    """The given values ``student`` gets in ``problem_id`` (empty: the sheet's)."""
    return draw(problem_id, get_spec(problem_id).problem.vary, student)


def parts_of(problem_id: str) -> list[str]:
    return list(get_spec(problem_id).problem.parts)


def read_answers_file(path: str | Path) -> AnswersFile:
    """An answers file, with its part ids checked against the bank."""
    return read_answers(path, parts_of)


def unanswered(answer: Any) -> bool:
    """No answer at all: none, blank text, or a mapping whose every field is blank (a construction
    left as ``show --template`` wrote it)."""
    if isinstance(answer, dict):
        return all(unanswered(v) for v in answer.values())
    return answer is None or (isinstance(answer, str) and not answer.strip())


def check_answer(inst: Instance, pid: str, answer: Any) -> Verdict:
    """Grade one answer (text, or a mapping for a construction) with its kind's checker."""
    part = inst.spec.problem.parts[pid]
    kind = kind_of(part)
    if unanswered(answer):
        return Verdict(pid, Status.MISSING, 0.0, part.points, "not answered")
    if isinstance(answer, dict) and kind.auto and not kind.takes_mapping:
        return Verdict(pid, Status.INVALID, 0.0, part.points, "expected a single answer, not a mapping", str(answer))
    return kind.check(inst, pid, answer)
