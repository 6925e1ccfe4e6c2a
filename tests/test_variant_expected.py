"""Each student with a variant is shown their own expected value, whichever student a worker graded first.

Found while building the class report: the expected text was kept on what a kind prepared, which a
problem shares with every student's variant, so one grading process showed the first student's
number to all the others (three students of backprop/q1, one worker: 0.61491 three times).
"""

from __future__ import annotations

from dlcheck.check.registry import instance_for, variant_of
from dlcheck.engine.steps import value_text
from dlcheck.grade.batch import Source, grade_files

STUDENTS = ("9950001", "9950006", "9950011")


def test_each_variant_gets_its_own_expected_value_in_one_worker(tmp_path):
    sources = []
    for sid in STUDENTS:
        path = tmp_path / f"{sid}.yaml"
        path.write_text(f'set: backprop\nstudent: "{sid}"\nanswers:\n  q1:\n    out_h1: 0.1\n', encoding="utf-8")
        sources.append(Source(str(path), str(path)))
    assert len({tuple(sorted(variant_of("backprop/q1", s).items())) for s in STUDENTS}) == 3  # three variants
    files = grade_files(sources, jobs=1)
    shown = {}
    for f in files:
        (verdict,) = [v for v in f.results[0].verdicts if v.part == "out_h1"]
        shown[f.student] = verdict.expected
    for sid in STUDENTS:  # the student's own number, from their own instance
        inst = instance_for("backprop/q1", sid)
        assert shown[sid] == value_text(inst.value(inst.part_ref["out_h1"]))
    assert len(set(shown.values())) == 3
