"""The one place part kinds are listed, and the way every other layer gets a problem.

``get_spec`` / ``get_instance`` read and derive a bundled problem once per process;
``check_answer`` grades one answer with its kind's checker.

To add a kind: write ``dlcheck/check/kinds/<kind>.py`` ending in ``KIND = Kind(...)``
and add it to ``KINDS`` below (see ARCHITECTURE.md for a worked example).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from dlcheck.check.kind import Kind
from dlcheck.check.kinds import choice, construction, essay, value
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.instance import Instance
from dlcheck.spec import bank
from dlcheck.spec.answers import AnswersFile, read_answers
from dlcheck.spec.model import PartBase
from dlcheck.spec.reader import Spec, read_spec

KINDS: dict[str, Kind] = {k.name: k for k in (*value.KINDS, choice.KIND, construction.KIND, essay.KIND)}


def part_models() -> tuple[type[PartBase], ...]:
    return tuple(k.model for k in KINDS.values())


def kind_of(part: Any) -> Kind:
    return KINDS[part.kind]


def prepare(inst: Instance, pid: str, part: Any) -> None:
    kind_of(part).prepare(inst, pid, part)


def build_instance(spec: Spec, author_rules: bool = True) -> Instance:
    """Derive a spec: its graph, and every part prepared by its kind."""
    return Instance.build(spec, prepare, author_rules)


def read_spec_file(path: str | Path, problem_id: str) -> Spec:
    return read_spec(path, problem_id, part_models())


@cache
def get_spec(problem_id: str) -> Spec:
    """The validated spec of a full problem id (read once per process)."""
    return read_spec_file(bank.spec_path(problem_id), problem_id)


@cache
def get_instance(problem_id: str) -> Instance:
    """The derived instance of a full problem id (built once per process)."""
    return build_instance(get_spec(problem_id))


def parts_of(problem_id: str) -> list[str]:
    return list(get_spec(problem_id).problem.parts)


def read_answers_file(path: str | Path) -> AnswersFile:
    """An answers file, with its part ids checked against the bank."""
    return read_answers(path, parts_of)


def check_answer(inst: Instance, pid: str, answer: Any) -> Verdict:
    """Grade one answer (text, or a mapping for a construction) with its kind's checker."""
    part = inst.spec.problem.parts[pid]
    kind = kind_of(part)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Verdict(pid, Status.MISSING, 0.0, part.points, "not answered")
    if isinstance(answer, dict) and kind.auto and not kind.takes_mapping:
        return Verdict(pid, Status.INVALID, 0.0, part.points, "expected a single answer, not a mapping", str(answer))
    return kind.check(inst, pid, answer)
