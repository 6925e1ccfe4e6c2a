"""Gradescope: results.json checked field by field against Gradescope's documented format
(gradescope-autograders.readthedocs.io, "Autograder Specifications"), and the built
autograder run against a fake /autograder tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dlcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Gradescope's documented results.json (every field optional except a score at the top or per test)
TOP = {"score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
       "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
       "extra_data": dict, "tests": list, "leaderboard": list}
TEST = {"score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
        "number": str, "output": str, "output_format": str, "tags": list, "visibility": str, "extra_data": dict}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "simple_format", "html", "md", "ansi"}


def check_results(doc: dict) -> None:
    """Every field is one Gradescope documents, of the documented type and value."""
    assert isinstance(doc, dict)
    for key, value in doc.items():
        assert key in TOP, f"results.json has an undocumented field {key!r}"
        assert isinstance(value, TOP[key]), key
    assert "score" in doc or all("score" in t for t in doc.get("tests", []))
    for key in ("visibility", "stdout_visibility"):
        assert doc.get(key, "visible") in VISIBILITY
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert doc.get(key, "text") in FORMATS
    for test in doc.get("tests", []):
        for key, value in test.items():
            assert key in TEST, f"a test has an undocumented field {key!r}"
            assert isinstance(value, TEST[key]), key
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("visibility", "visible") in VISIBILITY
        assert test.get("output_format", "text") in FORMATS
        if "score" in test and "max_score" in test:
            assert 0 <= test["score"] <= test["max_score"]


def _gradescope(runner, *args: str) -> dict:
    result = runner.invoke(app, ["grade", *args, "--format", "gradescope"])
    doc = json.loads(result.stdout)
    check_results(doc)
    return doc


def test_results_json_of_a_submission_passes_the_field_check(runner):
    doc = _gradescope(runner, str(EXAMPLES / "rnn.yaml"), str(EXAMPLES / "answers.yaml"))
    parts = [t for t in doc["tests"] if "score" in t]
    assert doc["score"] == pytest.approx(sum(t["score"] for t in parts))
    assert doc["score"] == 8 + 22                     # the two files are one submission
    names = [t["name"] for t in doc["tests"]]
    assert "rnn/q2 dJ3_dWhh" in names and "backprop/q1 loss" in names
    transposed = next(t for t in doc["tests"] if t["name"] == "rnn/q2 dJ3_dWhh")
    assert transposed["status"] == "failed" and "transpose" in transposed["output"]
    essay = next(t for t in doc["tests"] if t["name"] == "rnn/q3 why_not_argmax")
    assert "score" not in essay and "graded by hand" in essay["output"]   # a marker grades it on Gradescope
    assert "Score: 30 / 38 (79%)" in doc["output"]


def test_a_broken_or_missing_submission_still_has_a_results_json(runner, tmp_path):
    broken = tmp_path / "a.yaml"
    broken.write_text("answers:\n  q1: [\n", encoding="utf-8")
    doc = _gradescope(runner, str(broken))
    assert doc["score"] == 0 and "could not be graded" in doc["output"]
    empty = tmp_path / "empty"
    empty.mkdir()
    doc = _gradescope(runner, str(empty))
    assert doc["score"] == 0 and "No answers file" in doc["output"]


def test_hide_expected_reaches_the_students_outputs(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("set: backprop\nanswers:\n  q1:\n    loss: 0.2983\n", encoding="utf-8")
    shown = _gradescope(runner, str(path))
    hidden = _gradescope(runner, str(path), "--hide-expected")
    loss = [next(t for t in d["tests"] if t["name"] == "backprop/q1 loss") for d in (shown, hidden)]
    assert "0.323394" in loss[0]["output"] and "hint: E = " in loss[0]["output"]
    assert "0.323394" not in json.dumps(hidden) and "hint:" not in loss[1]["output"]


@pytest.mark.skipif(sys.platform == "win32", reason="run_autograder is a bash script")
def test_the_built_autograder_grades_a_fake_submission(runner, tmp_path):
    course = tmp_path / "course" / "week1"
    course.mkdir(parents=True)
    (course / "q1.yaml").write_text("title: Squares\nstatement: x = 2.\ngiven: {x: 2}\n"
                                    "parts:\n  a: {kind: number, prompt: x squared, answer: x^2}\n",
                                    encoding="utf-8")
    # the assignment names the built-in problems it sets (without one, a course bank's autograder scores
    # only the course's problems: issue 18)
    built = runner.invoke(app, ["gradescope", "build", "--problems", str(tmp_path / "course"), "-o",
                                str(tmp_path / "autograder.zip"), "--assignment",
                                "week1/q1,seq-models/q2,seq-models/q3,seq-models/q4"])
    assert built.exit_code == 0, built.output
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)   # at the root, as Gradescope needs
        assert "problems/week1/q1.yaml" in names and "dlcheck/_problems/backprop/q1.yaml" in names
        archive.extractall(root / "source")
        mode = archive.getinfo("run_autograder").external_attr >> 16
        listed = archive.getinfo("requirements.txt")
    assert mode & 0o111
    assert listed.external_attr >> 16 == 0o100644 and listed.date_time == (1980, 1, 1, 0, 0, 0)  # a plain file
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    assert "sympy" in (root / "source" / "requirements.txt").read_text()
    (root / "submission").mkdir()
    (root / "submission" / "mine.yaml").write_text("set: week1\nanswers:\n  q1:\n    a: 4\n", encoding="utf-8")
    (root / "submission" / "seq.yaml").write_text((EXAMPLES / "seq-models.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "12345", "email": "a@b.c"}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "DLCHECK_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    doc = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_results(doc)
    assert doc["score"] == 1 + 8    # no problem of these sets varies: the examples grade as they always do
    assert doc["extra_data"]["students"] == ["12345"]       # the Gradescope student's id
    assert next(t for t in doc["tests"] if t["name"] == "week1/q1 a")["status"] == "passed"


def test_a_problem_in_two_files_of_a_submission_is_graded_once(runner, tmp_path):
    """Two copies of a file do not double the score: the file last by name is graded for the problem,
    the output says so, and every test name is unique."""
    sub = tmp_path / "submission"
    sub.mkdir()
    good = (EXAMPLES / "answers.yaml").read_text(encoding="utf-8")
    (sub / "a.yaml").write_text(good, encoding="utf-8")
    (sub / "b.yaml").write_text(good, encoding="utf-8")
    doc = _gradescope(runner, str(sub))
    names = [t["name"] for t in doc["tests"]]
    assert doc["score"] == 22 and len(names) == len(set(names)) == 25
    # the files of a submission are named as the student named them, never by the grader's paths (issue 18)
    assert "backprop/q1 is answered in 2 files (a.yaml, b.yaml): only the last by name, b.yaml, is graded for it" \
        in doc["output"]
    assert str(tmp_path) not in json.dumps(doc)
    (sub / "b.yaml").write_text("set: backprop\nanswers:\n  q1:\n    loss: 0.323394\n", encoding="utf-8")
    doc = _gradescope(runner, str(sub / "b.yaml"), str(sub / "a.yaml"))   # not the order given: the names
    assert doc["score"] == 1 and len(doc["tests"]) == 25
