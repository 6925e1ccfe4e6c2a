"""Essay parts: never auto-graded; reported as manual with the model answer to compare."""

from __future__ import annotations

from dlcheck.verdict import Verdict


def check_essay(inst, pid: str, text: str) -> Verdict:
    part = inst.spec.problem.parts[pid]
    return Verdict(pid, "manual", 0.0, part.points,
                   f"graded by hand; compare with the model answer: dlcheck explain {inst.spec.id} --part {pid}",
                   text, "(model answer)")
