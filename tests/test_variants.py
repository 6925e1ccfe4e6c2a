"""Per-student variants: the same draw everywhere, each variant's references checked by an independent
route, grading and ``show`` with the student's numbers, and the sheet's numbers without an id."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from dlcheck.check.registry import get_instance, get_spec, instance_for, variant_of
from dlcheck.cli import app
from dlcheck.engine.variants import corner_draws, draw, options
from tests.test_bank_references import NUMERIC, TOLERANCE, givens_of

VARIED = [pid for pid in ("backprop/q1", "rnn/q2")]
STUDENTS = ["99521469", "1", "alice@example.org", "  42  ", "x" * 40]


def test_the_bank_declares_variants_where_the_issue_asks():
    for pid in VARIED:
        assert get_instance(pid).spec.problem.vary, pid


def test_the_draw_is_sha256_of_the_ids_alone():
    """The same numbers on every machine and Python version: nothing but SHA-256 and integer arithmetic."""
    vary = get_instance("backprop/q1").spec.problem.vary
    for student in STUDENTS:
        values = draw("backprop/q1", vary, student)
        for name, entry in vary.items():
            choices = options(entry)
            digest = hashlib.sha256(f"dlcheck-vary\0backprop/q1\0{name}\0{student.strip()}".encode()).digest()
            assert values[name] == choices[int.from_bytes(digest[:8], "big") % len(choices)]
    # pinned: a change to the draw would give every student of a running course new numbers
    assert draw("backprop/q1", vary, "99521469") == {"x1": "0.06", "x2": "0.15", "b1": "0.35", "b2": "0.80",
                                                      "t1": "0.05", "t2": "0.95"}
    assert draw("backprop/q1", vary, " 42 ") == draw("backprop/q1", vary, "42")


def test_no_student_id_keeps_the_sheets_numbers():
    for pid in VARIED:
        assert variant_of(pid, None) == {} and variant_of(pid, "  ") == {}
        assert instance_for(pid, None) is get_instance(pid)


def _students(pid: str) -> list[dict[str, str]]:
    vary = get_instance(pid).spec.problem.vary
    return corner_draws(vary) + [draw(pid, vary, f"student-{k}") for k in range(12)]


@pytest.mark.parametrize("pid", VARIED)
def test_every_variant_is_reproduced_by_the_independent_route(pid):
    """The registry of tests/test_bank_references.py fed each variant's givens: every numeric part agrees."""
    from dlcheck.check.registry import build_instance
    from dlcheck.engine.variants import variant_spec

    base = get_instance(pid)
    checked = 0
    for values in _students(pid):
        inst = base.with_givens(values, variant_spec(base.spec, values))
        rebuilt = build_instance(variant_spec(base.spec, values))  # the fast path derives what a rebuild does
        expected = NUMERIC[pid](givens_of(inst))
        for part in inst.part_ref:
            if not inst.is_numeric(part):
                continue
            ours = np.array(inst.value(inst.part_ref[part]), dtype=float).squeeze()
            assert ours == pytest.approx(np.array(rebuilt.value(rebuilt.part_ref[part]), dtype=float).squeeze())
            assert ours == pytest.approx(np.array(expected[part], dtype=float).squeeze(),
                                         **TOLERANCE[("numeric", pid)]), (values, part)
            checked += 1
    assert checked > 0


def test_variants_differ_between_students():
    values = {json.dumps(variant_of("backprop/q1", f"s{k}"), sort_keys=True) for k in range(30)}
    assert len(values) > 20


def test_grading_uses_the_students_draw(runner, write):
    inst = instance_for("backprop/q1", "7")
    own = f"{inst.value(inst.part_ref['loss']):.6f}"
    sheet = f"{get_instance('backprop/q1').value(get_instance('backprop/q1').part_ref['loss']):.6f}"
    assert own != sheet
    path = write("a.yaml", f'set: backprop\nstudent: "7"\nanswers:\n  q1:\n    loss: {own}\n')
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    problem = doc["problems"][0]
    assert problem["variant"] == variant_of("backprop/q1", "7")
    assert next(p for p in problem["parts"] if p["id"] == "loss")["status"] == "correct"
    other = write("b.yaml", f'set: backprop\nstudent: "8"\nanswers:\n  q1:\n    loss: {own}\n')
    doc = json.loads(runner.invoke(app, ["grade", str(other), "--format", "json"]).stdout)
    assert next(p for p in doc["problems"][0]["parts"] if p["id"] == "loss")["status"] != "correct"
    overridden = json.loads(runner.invoke(app, ["grade", str(other), "--student", "7", "--format", "json"]).stdout)
    assert next(p for p in overridden["problems"][0]["parts"] if p["id"] == "loss")["status"] == "correct"


def test_show_prints_the_students_statement(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./answers.yaml: its student: would be shown
    values = variant_of("backprop/q1", "7")
    shown = runner.invoke(app, ["show", "backprop/q1", "--student", "7"], env={"COLUMNS": "120"}).output
    assert f"x1 = {values['x1']}" in shown and f"t2 = {values['t2']}" in shown
    assert "numbers for student 7" in shown
    sheet = runner.invoke(app, ["show", "backprop/q1"], env={"COLUMNS": "120"}).output
    assert "x1 = 0.05" in sheet and "t2 = 0.99" in sheet
    same = runner.invoke(app, ["show", "rnn/q1", "--student", "7"], env={"COLUMNS": "120"}).output
    assert "same numbers for every student" in same


def test_a_spec_whose_statement_does_not_show_a_varied_given_is_refused(runner, tmp_path):
    bank = tmp_path / "bank" / "v"
    bank.mkdir(parents=True)
    (bank / "q1.yaml").write_text("title: t\nstatement: the input is half.\ngiven: {x: 0.5}\n"
                                  "vary: {x: [0.1, 0.9, 0.1]}\nparts:\n  a: {kind: number, prompt: x, answer: 2*x}\n",
                                  encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bank / "q1.yaml")])
    assert result.exit_code == 2 and "the statement must say 'x = 0.5'" in result.output
    (bank / "q1.yaml").write_text("title: t\nstatement: x = 0.5.\ngiven: {x: 0.5}\n"
                                  "vary: {x: [0.1, 0.9, 0.3]}\nparts:\n  a: {kind: number, prompt: x, answer: 2*x}\n",
                                  encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bank / "q1.yaml")])
    assert result.exit_code == 2 and "whole number of steps" in result.output
    (bank / "q1.yaml").write_text("title: t\nstatement: x = 0.5.\ngiven: {x: 0.5}\nvary: {x: [-0.5, 0.5, 0.5]}\n"
                                  "parts:\n  a: {kind: number, prompt: x, answer: log(x)}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bank / "q1.yaml")])
    assert result.exit_code == 2 and "has no finite value" in result.output


def test_validate_checks_the_variants(runner):
    out = runner.invoke(app, ["validate"]).output
    line = next(line for line in out.splitlines() if line.startswith("ok  backprop/q1"))
    possible = 1
    for entry in get_spec("backprop/q1").problem.vary.values():
        possible *= len(options(entry))  # every value a given may take, multiplied out
    assert f"(25 parts; {possible} variants, " in line and " of them checked)" in line
    assert "ok  seq-models/q3  (1 part)\n" in out  # one part, not "1 parts"


def test_a_variant_keeps_nothing_the_base_cached_about_its_numbers():
    """Exact evaluation keeps the givens with an instance: a variant must not inherit the sheet's."""
    base = get_instance("backprop/q1")
    sheet = base.exact_givens()
    twin = instance_for("backprop/q1", "7")
    own = twin.exact_givens()
    x1 = base.leaves["x1"]
    assert float(own[x1]) == float(variant_of("backprop/q1", "7")["x1"]) != float(sheet[x1])


def test_any_student_id_draws_a_variant(runner, tmp_path):
    """An id YAML decodes to a lone surrogate (``"\\ud800"``) still draws, the same every time, and the
    file is graded (no worker stopped, no traceback)."""
    drawn = draw("backprop/q1", _vary("backprop/q1"), "\ud800")
    assert drawn and drawn == draw("backprop/q1", _vary("backprop/q1"), "\ud800")
    path = tmp_path / "a.yaml"
    path.write_text('student: "\\ud800"\nanswers:\n  backprop/q1:\n    out_h1: 0.5\n', encoding="utf-8")
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    assert doc["problems"][0]["parts"][0]["status"] in ("correct", "incorrect")


def _vary(pid: str):
    return get_instance(pid).spec.problem.vary
