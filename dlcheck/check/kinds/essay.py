"""Essay parts: never auto-graded; reported as manual with the model answer to compare."""

from __future__ import annotations

from typing import Any, Literal

from dlcheck.check.kind import Kind
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.instance import Instance
from dlcheck.engine.steps import Step
from dlcheck.spec.model import PartBase


class EssayPart(PartBase):
    kind: Literal["essay"]
    model_answer: str
    rubric: list[str] = []


def prepare(inst: Instance, pid: str, part: EssayPart) -> None:
    """Nothing to derive: the model answer is text."""


def check(inst: Instance, pid: str, answer: Any) -> Verdict:
    part = inst.spec.problem.parts[pid]
    return Verdict(pid, Status.MANUAL, 0.0, part.points,
                   f"graded by hand; compare with the model answer: dlcheck explain {inst.spec.id} --part {pid}",
                   answer if isinstance(answer, str) else str(answer), "(model answer)")


def explain(inst: Instance, pid: str, part: EssayPart, env: dict) -> Step:
    return Step(pid, "essay", is_part=True, notes=[part.model_answer.strip()] + [f"rubric: {r}" for r in part.rubric])


KIND = Kind("essay", EssayPart, prepare, check, explain, auto=False)
