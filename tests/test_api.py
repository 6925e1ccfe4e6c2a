"""The Python API (issue 21): dlcheck.check / grade / compare / explain, their results and their errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import dlcheck
from dlcheck.api.answers import answer_text
from dlcheck.spec import bank

ROOT = Path(__file__).resolve().parent.parent
DW3 = [[-0.363078, -0.363078], [1.71165, 0.778024]]   # rnn/q2 dJ3_dWhh, from `dlcheck explain rnn/q2`


# -- answers of every Python type go through the typed path ---------------------------------
@pytest.mark.parametrize("value", [0.5945, np.float64(0.5945), np.float32(0.5945), np.array([0.5945])[0],
                                   Fraction(5945, 10000), Decimal("0.5945"), "0.5945", "۰٫۵۹۴۵"])
def test_a_number_of_any_type_is_checked_like_typed_text(value):
    verdict = dlcheck.check("backprop/q1", "out_h1", value)
    assert verdict.correct and verdict.status is dlcheck.Status.CORRECT and verdict.score == verdict.max_score == 1


def test_a_wrong_number_is_incorrect_with_the_reference_shown():
    verdict = dlcheck.check("backprop/q1", "loss", 0.2983)
    assert not verdict.correct and verdict.status.value == "incorrect" and verdict.score == 0
    assert verdict.expected == "0.323394"
    assert "off by 0.0251" in verdict.message


def test_a_sign_slip_is_named():
    verdict = dlcheck.check("backprop/q1", "dE_dw5", np.float64(-0.0766))
    assert verdict.status.value == "incorrect"
    assert "Sign error" in verdict.message


def test_a_matrix_from_numpy_and_a_wrong_entry():
    assert dlcheck.check("rnn/q2", "dJ3_dWhh", np.array(DW3)).correct
    assert dlcheck.check("rnn/q2", "dJ3_dWhh", DW3).correct   # nested lists
    wrong = np.array(DW3)
    wrong[1, 0] = 1.5
    verdict = dlcheck.check("rnn/q2", "dJ3_dWhh", wrong)
    assert verdict.status.value == "partial" and verdict.score == 0.75
    assert verdict.message == "1 of 4 entries differ: (2,1)"


class FakeTensor:
    """What a torch tensor offers (tolist), without torch."""

    def __init__(self, rows):
        self.rows = rows

    def tolist(self):
        return self.rows


class ArrayLike:
    def __init__(self, rows):
        self.rows = rows

    def __array__(self, dtype=None, copy=None):
        return np.array(self.rows, dtype=dtype)


def test_tensors_and_array_likes_are_read_through_tolist_or_array():
    assert dlcheck.check("rnn/q2", "dJ3_dWhh", FakeTensor(DW3)).correct
    assert dlcheck.check("rnn/q2", "dJ3_dWhh", ArrayLike(DW3)).correct


def test_a_sympy_expression_is_printed_then_parsed_never_evaluated():
    s = sp.Symbol("a1_1")
    assert answer_text(s * (1 - s)) in ("a1_1*(1 - a1_1)", "-a1_1*(a1_1 - 1)")
    x = sp.Symbol("x")
    verdict = dlcheck.compare("sigmoid(x)*(1 - sigmoid(x))", sp.exp(-x) / (1 + sp.exp(-x)) ** 2)
    assert verdict.correct


def test_hostile_text_is_invalid_not_run(tmp_path):
    marker = tmp_path / "ran"
    verdict = dlcheck.check("backprop/q1", "out_h1", f"__import__('os').system('touch {marker}')")
    assert verdict.status.value == "invalid"
    assert not marker.exists()


@pytest.mark.parametrize("value, why", [(True, "truth value"), (1 + 2j, "complex"), (object(), "object"),
                                        ([[[[0.5] * 2] * 2] * 2] * 20, "entries")])
def test_an_answer_of_no_usable_type_is_an_error_saying_what_to_give(value, why):
    if why == "entries":
        value = [0.5] * 200_001
    with pytest.raises(dlcheck.AnswerTypeError, match=why if why != "object" else "give text, a number"):
        dlcheck.check("backprop/q1", "out_h1", value)


# -- errors: the CLI's messages --------------------------------------------------------------
def test_a_misspelt_part_says_did_you_mean():
    with pytest.raises(dlcheck.UnknownPart) as caught:
        dlcheck.check("backprop/q1", "los", 0.3)
    assert str(caught.value) == "backprop/q1 has no part 'los'; did you mean loss?"
    assert isinstance(caught.value, dlcheck.DlcheckError)


def test_an_unknown_problem_says_did_you_mean():
    with pytest.raises(dlcheck.UnknownProblem, match=r"backprop has no problem 'q11'.*did you mean q1\?"):
        dlcheck.check("backprop/q11", "loss", 0.3)


# -- results show themselves -----------------------------------------------------------------
def test_a_verdict_is_short_plain_data_and_escaped_html():
    verdict = dlcheck.check("backprop/q1", "out_h1", "<script>alert(1)</script>")
    assert len(repr(verdict)) < 200 and repr(verdict).startswith("<Verdict backprop/q1/out_h1: invalid 0/1")
    html = verdict._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" not in html or "invalid" in html
    assert "<script>" not in html
    data = verdict.to_dict()
    assert data["status"] == "invalid" and data["correct"] is False and data["problem"] == "backprop/q1"
    json.dumps(data)
    assert "**" in verdict._repr_markdown_()
    from rich.console import Console

    console = Console(width=80, record=True, color_system=None)
    console.print(verdict)
    assert "backprop/q1/out_h1: invalid" in console.export_text()


def test_expected_respects_the_reveal_policy_and_banks_are_per_call(tmp_path):
    course = tmp_path / "course" / "backprop"
    course.mkdir(parents=True)
    (course / "q1.yaml").write_text("reveal: never\n" + (ROOT / "problems/backprop/q1.yaml").read_text("utf-8"),
                                    encoding="utf-8")
    before = bank.course_banks()
    hidden = dlcheck.check("backprop/q1", "loss", 0.2983, problems=tmp_path / "course")
    assert hidden.expected is None and "0.323" not in hidden.message and "0.323" not in hidden._repr_html_()
    assert bank.course_banks() == before     # the process's banks are back
    shown = dlcheck.check("backprop/q1", "loss", 0.2983)
    assert shown.expected == "0.323394"
    with pytest.raises(dlcheck.DlcheckError, match="no such folder"):
        dlcheck.check("backprop/q1", "loss", 0.2983, problems=tmp_path / "nowhere")


def test_a_student_gets_their_own_numbers():
    from dlcheck.check.registry import instance_for

    inst = instance_for("backprop/q1", "99521469")
    own = inst.value(inst.part_ref["out_h1"], inst.env())
    assert dlcheck.check("backprop/q1", "out_h1", float(own), student="99521469").correct


def test_a_variant_and_the_sheet_each_show_their_own_expected_value():
    """One worker checks both (the pool is kept warm): the sheet's reference text was once cached where the
    variant shares it, so a student saw the sheet's number beside a verdict on their own."""
    for _ in range(2):
        assert dlcheck.check("backprop/q1", "loss", 0.2983).expected == "0.323394"
        assert dlcheck.check("backprop/q1", "loss", 0.2983, student="99521469").expected == "0.286506"


# -- grade -----------------------------------------------------------------------------------
def test_grade_a_dict_with_error_carried_forward():
    report = dlcheck.grade({"backprop/q1": {"out_h1": 0.5945, "loss": 0.2983, "dE_dw5": np.float64(-0.0766),
                                            "w5_new": 0.4383}})
    assert isinstance(report, dlcheck.Report)
    assert report["out_h1"].correct and report["backprop/q1/loss"].status.value == "incorrect"
    assert report.problems["backprop/q1"][0].part == "out_h1"
    assert report.score == 1 + report["w5_new"].score and report.max_score == 25
    assert report["out_h2"].status.value == "missing"
    assert len(repr(report)) < 200
    html = report._repr_html_()
    assert html.count("<tr>") == 1 + 25 and "backprop/q1/dE_dw5" in html
    data = report.to_dict()
    assert data["score"] == report.score and data["problems"][0]["id"] == "backprop/q1"
    assert "| part | status |" in report._repr_markdown_()


def test_grade_a_file_or_its_text_equals_the_cli(tmp_path):
    path = ROOT / "examples" / "answers.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = json.loads(subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(path), "--format", "json"],
                                    capture_output=True, text=True, env=env, timeout=300).stdout)
    for source in (path, str(path), path.read_text("utf-8")):
        report = dlcheck.grade(source)
        assert report.score == cli["score"] and report.max_score == cli["max_score"]
        assert {**report.to_dict(), "file": cli["file"]} == cli


def test_grade_errors_name_the_mistake(tmp_path):
    with pytest.raises(dlcheck.UnknownPart, match="did you mean loss"):
        dlcheck.grade({"backprop/q1": {"los": 0.3}})
    with pytest.raises(dlcheck.DlcheckError, match="no such file"):
        dlcheck.grade(tmp_path / "missing.yaml")
    with pytest.raises(dlcheck.DlcheckError, match="has no part 'los'"):
        dlcheck.grade("set: backprop\nanswers:\n  q1:\n    los: 0.3\n")


def test_grade_an_assignment_counts_every_problem_of_it():
    report = dlcheck.grade({"q1": {"out_h1": 0.5945}}, assignment="backprop")
    assert list(report.problems) == ["backprop/q1", "backprop/q2", "backprop/q3"]
    assert all(v.status.value == "missing" for v in report.problems["backprop/q3"])
    with pytest.raises(dlcheck.DlcheckError, match="not in the assignment"):
        dlcheck.grade({"rnn/q2": {"J": 1}}, assignment="backprop")


def test_calls_reuse_the_warm_pool():
    from dlcheck import api

    # arithmetic: a literal number is checked from the problem's card (grade/numeric.py), without the pool
    dlcheck.check("backprop/q1", "out_h1", "0.5945*1")
    first = {w.pid for pool in api._POOLS.values() for w in pool.workers}
    for _ in range(3):
        dlcheck.check("backprop/q1", "out_h2", "0.5963*1")
    assert first and {w.pid for pool in api._POOLS.values() for w in pool.workers} == first


# -- compare and explain ---------------------------------------------------------------------
def test_compare_arrays_with_a_tolerance():
    assert dlcheck.compare(np.array([0.1, 0.2]), [0.1001, 0.2], rtol=1e-2).correct
    verdict = dlcheck.compare([0.1, 0.2], np.array([0.1, -0.2]), rtol=1e-2)
    assert verdict.status.value == "incorrect"


def test_explain_is_markdown():
    explanation = dlcheck.explain("rnn/q2", "dJ3_dWhh")
    assert isinstance(explanation, dlcheck.Explanation)
    assert "## Part `dJ3_dWhh`" in explanation.markdown and explanation._repr_markdown_() == explanation.markdown
    assert "-0.363078" in explanation.markdown
    assert explanation.latex.strip()
    with pytest.raises(dlcheck.UnknownPart, match="did you mean"):
        dlcheck.explain("rnn/q2", "dJ3_dWh")


# -- the package stays light, and its layers are still packages ------------------------------
def test_import_dlcheck_is_light_and_the_names_load_on_use():
    code = ("import sys, dlcheck; heavy = [m for m in ('sympy', 'numpy', 'typer', 'rich', 'pydantic', 'typing') "
            "if m in sys.modules]; print(heavy); import dlcheck.grade.work as w; from dlcheck.check import registry; "
            "print(callable(dlcheck.check), callable(dlcheck.grade), callable(dlcheck.explain), w.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True True True dlcheck.grade.work"


def test_the_signature_of_a_callable_package_is_the_functions():
    import inspect

    assert list(inspect.signature(dlcheck.check).parameters) == ["problem", "part", "answer", "student", "problems"]
    assert (ROOT / "dlcheck" / "py.typed").is_file()


# -- the example notebook, in a real Jupyter kernel ------------------------------------------
def test_the_example_notebook_runs_in_a_kernel_and_says_what_it_should(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(ROOT / "examples" / "dlcheck-in-jupyter.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []   # what it shows is what this run computes, not what was saved
    # and a last cell of the test's own: a kernel is a threaded process, so the workers of a check that needs
    # them (arithmetic: the notebook's literals are all decided from the cards) are spawned, not forked
    notebook.cells.append(nbformat.v4.new_code_cell(
        "from dlcheck import api\n"
        "arithmetic = dlcheck.check('backprop/q1', 'out_h1', '0.5945*1')\n"
        "print(arithmetic.status, sorted({w.process is not None for p in api._POOLS.values() for w in p.workers}))"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    shown = []
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        text = []
        for out in cell.outputs:
            assert out.output_type != "error", out
            text.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
            if "text/html" in out.get("data", {}):
                assert "<script" not in out["data"]["text/html"]
        shown.append("".join(text))
    assert shown[1] == "<Verdict backprop/q1/out_h1: correct 1/1>"
    assert shown[2].count("correct 1/1") == 3 and "out_y2" in shown[2]
    assert shown[3] == "<Verdict backprop/q1/loss: correct 1/1>"
    assert shown[4].startswith("<Verdict backprop/q1/dE_dw5: incorrect 0/1 - Sign error")
    assert shown[5].startswith("incorrect False 0.0 / 1.0\nSign error: dE/dout_y1 = out_y1 - t1")
    assert shown[6] == "<Verdict backprop/q1/dE_dw5: correct 1/1>"
    assert shown[7] == "UnknownPart: backprop/q1 has no part 'los'; did you mean loss?\n"
    assert shown[8].startswith("<Verdict answer: correct")
    assert shown[9].startswith("<Report 1 problem: 3/25 points (2 correct, 20 missing, 2 incorrect, 1 consistent")
    assert shown[10].startswith("3.0 / 25.0\noff by 0.0251 (7.76%)")
    assert shown[11] == "correct [True]\n"


def test_close_stops_the_workers_and_the_next_call_starts_others():
    from dlcheck import api

    dlcheck.check("backprop/q1", "out_h1", "0.5945*1")   # arithmetic: checked by the pool (a literal is not)
    workers = [w for pool in api._POOLS.values() for w in pool.workers]
    assert workers
    api.close()
    assert not api._POOLS
    assert dlcheck.check("backprop/q1", "out_h1", "0.5945*1").correct
    now = {w.pid for pool in api._POOLS.values() for w in pool.workers}
    assert now and now.isdisjoint({w.pid for w in workers})
