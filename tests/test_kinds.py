"""A new kind of part is one module plus one line in the registry: nothing else changes.

The kind below (a yes/no question) lives entirely in this file, as ARCHITECTURE.md's
worked example does; registered, it is validated in specs, graded, diagnosed, explained
and shown by the same code as every bundled kind.
"""

from __future__ import annotations

from typing import Literal

import pytest
from rich.console import Console

from dlcheck.check import registry
from dlcheck.check.kind import Kind
from dlcheck.core.errors import SpecError
from dlcheck.core.verdict import Status, Verdict
from dlcheck.engine.steps import Step
from dlcheck.spec.model import Mistake, PartBase

WORDS = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


class YesNoPart(PartBase):
    kind: Literal["yesno"]
    answer: Literal["yes", "no"]
    mistakes: list[Mistake] = []


def prepare(inst, pid, part):
    inst.prepared[pid] = type("Prepared", (), {"mistakes": [WORDS[str(m.answer).lower()] for m in part.mistakes]})()


def check(inst, pid, text):
    part = inst.spec.problem.parts[pid]
    said = WORDS.get(text.strip().lower())
    if said is None:
        return Verdict(pid, Status.INVALID, 0.0, part.points, "answer yes or no", text, part.answer)
    right = said == (part.answer == "yes")
    return Verdict(pid, Status.CORRECT if right else Status.INCORRECT, part.points if right else 0.0,
                   part.points, "" if right else "no", text, part.answer, parsed=said)


def explain(inst, pid, part, env):
    return Step(pid, "yesno", value=part.answer, is_part=True)


YESNO = Kind("yesno", YesNoPart, prepare, check, explain, same=lambda inst, pid, v, m: v.parsed == m,
             describe=lambda part: ["answer yes or no"])

SPEC = """
title: A yes/no question
statement: Is the sigmoid's derivative at most 1/4?
parts:
  bounded:
    kind: yesno
    prompt: is it?
    answer: "yes"
    mistakes:
      - {answer: "no", feedback: "sigmoid'(z) = s(1 - s) is largest at s = 1/2, where it is 1/4."}
"""


@pytest.fixture
def with_yesno(monkeypatch):
    monkeypatch.setitem(registry.KINDS, "yesno", YESNO)


def test_a_new_kind_is_validated_graded_diagnosed_explained_and_shown(with_yesno, write):
    from dlcheck.explain.steps import solution
    from dlcheck.grade.run import grade_part

    inst = registry.build_instance(registry.read_spec_file(write("q1.yaml", SPEC), "x/q1"))
    assert grade_part(inst, "bounded", "Yes", {}).status is Status.CORRECT
    wrong = grade_part(inst, "bounded", "no", {})
    assert wrong.status is Status.INCORRECT and "largest at s = 1/2" in wrong.message  # the spec's mistake
    assert grade_part(inst, "bounded", "maybe", {}).status is Status.INVALID
    assert [s.value for s in solution(inst)] == ["yes"]


def test_a_new_kinds_fields_are_checked_like_any_others(with_yesno, write):
    bad = SPEC.replace("    prompt: is it?\n", "    prompt: is it?\n    tolerance: {rtol: 1}\n")
    with pytest.raises(SpecError, match="unknown field 'tolerance' for a yesno part"):
        registry.read_spec_file(write("q1.yaml", bad), "x/q1")


def test_an_unregistered_kind_is_a_spec_error_naming_the_known_ones(write):
    with pytest.raises(SpecError, match="'yesno' is not allowed; use one of .*'number'") as err:
        registry.read_spec_file(write("q1.yaml", SPEC), "x/q1")
    assert ":5:" in str(err.value)  # the line of 'kind: yesno'


def test_show_draws_a_new_kind_without_knowing_it(with_yesno, write, monkeypatch):
    from dlcheck.report.catalog import show_problem

    inst = registry.build_instance(registry.read_spec_file(write("q1.yaml", SPEC), "x/q1"))
    monkeypatch.setattr("dlcheck.report.catalog.instance_for", lambda pid, student=None: inst)
    monkeypatch.setattr("dlcheck.report.catalog.variant_of", lambda pid, student: {})
    console = Console(record=True, width=100)
    show_problem("x/q1", console)
    assert "answer yes or no" in console.export_text()
