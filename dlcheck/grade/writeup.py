"""A write-up graded as a file: its sections planned as problems, its working checked step by step.

Each section of the write-up (:mod:`dlcheck.spec.writeup`) is question ``qN`` of the set given
with ``--set``. Its math lines are checked (:mod:`dlcheck.check.working`) and the answers found in
them (a line whose label is a part) become the part's answer, graded exactly like an answer typed
in an answers file. A section whose question is not in the set is one ``unchecked`` line saying so.
This runs inside a grading worker (bounded like reading any file).
"""

from __future__ import annotations

from dlcheck.check.registry import get_spec, instance_for, variant_of
from dlcheck.check.working import Step, check_lines
from dlcheck.core.errors import DlcheckError
from dlcheck.grade.work import FilePlan, ProblemPlan
from dlcheck.spec import bank
from dlcheck.spec.writeup import Section, read_writeup


def plan_writeup(path: str, set_name: str | None, student: str | None = None) -> FilePlan:
    """The plan of a write-up: one problem per question section (in the order written), and its working."""
    if set_name is None:
        raise DlcheckError("a write-up is graded against a set: add --set SET (e.g. --set backprop), or grade "
                           "an answers file (.yaml)", path=path)
    bank.check_set(set_name)
    sections = _merged(read_writeup(path))
    problems: list[ProblemPlan] = []
    working: list[Step] = []
    for number, section in sections:
        try:
            problem_id = bank.resolve(f"q{number}", set_name)
        except DlcheckError:
            line = section.math[0].line if section.math else section.line
            working.append(Step(line, f"question {number}", "unchecked", None,
                                f"set {set_name} has no q{number}: this section is not checked", number))
            continue
        inst = instance_for(problem_id, student)
        checked = check_lines(inst, [(m.line, m.text) for m in section.math], number)
        working.extend(checked.steps)
        spec = get_spec(problem_id)
        found = checked.found
        parts = [(pid, found[pid].text if pid in found else None) for pid in spec.problem.parts]
        problems.append(ProblemPlan(problem_id, spec.problem.title, student, parts, variant_of(problem_id, student)))
    working.sort(key=lambda s: s.line)
    plan = FilePlan(path, student, problems)
    plan.working = [s.to_json() | {"section": s.section} for s in working]
    return plan


def _merged(sections: list[Section]) -> list[tuple[int, Section]]:
    """Sections by question number, in the order first written; a file without headings is q1."""
    out: dict[int, Section] = {}
    for s in sections:
        number = s.number if s.number is not None else 1
        if s.number is None and len(sections) > 1:
            continue   # text before the first heading (the sheet's title, the student's name)
        if number in out:
            out[number].math.extend(s.math)
        else:
            out[number] = Section(number, s.line, list(s.math))
    return list(out.items())
