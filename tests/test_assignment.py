"""Issue 18, item 1: a score no student can move by skipping a problem or answering one nobody set."""

from __future__ import annotations

import csv
import io
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
Q1_RIGHT = 'student: "{sid}"\nset: rnn\nanswers:\n  q1:\n    a: "[2, 3]"\n    b: 3\n    c: 3\n'
Q1_Q2 = ('student: "{sid}"\nset: rnn\nanswers:\n  q1:\n    a: "[2, 3]"\n    b: 1\n    c: 3\n'
         '  q2:\n    dJ_do: "[yhat1 - y1, yhat2 - (1 - y1)]"\n    J: 1.7622\n')
COURSE = ("title: Squares\nstatement: x = 2.\ngiven: {x: 2}\n"
          "parts:\n  a: {kind: number, prompt: x squared, answer: x^2}\n")


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def klass(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "skipper.yaml").write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    (subs / "worker.yaml").write_text(Q1_Q2.format(sid="2"), encoding="utf-8")
    return subs


def test_without_an_assignment_a_skipped_problem_lowers_the_percentage(runner, klass):
    result = runner.invoke(app, ["grade", str(klass), "--format", "csv"])
    rows = _rows(result.stdout)
    possible, skipper = rows[0], rows[1]
    assert all(r["max_score"] == possible["max_score"] == "9" for r in rows[1:])   # rnn/q1 and rnn/q2
    assert skipper["score"] == "3" and skipper["percentage"] == "33.33"            # was 3 / 3 = 100%
    said = " ".join(result.stderr.split())
    assert "scored on the 2 problems someone in the class answered (rnn/q1, rnn/q2)" in said


def test_an_assignment_scores_exactly_its_problems(runner, klass):
    result = runner.invoke(app, ["grade", str(klass), "--format", "csv", "--assignment", "rnn/q1,rnn/q3"])
    rows = _rows(result.stdout)
    possible = rows[0]
    assert possible["max_score"] == "8" and all(r["max_score"] == "8" for r in rows[1:])   # 3 + 5 points
    assert not any(c.startswith("rnn/q2/") for c in possible)                    # no column for rnn/q2
    worker = rows[2]
    assert worker["ignored"] == "rnn/q2" and worker["score"] == "2"             # q2's right answer earns nothing
    assert all(worker[c] == "0" for c in possible if c.startswith("rnn/q3/"))   # not answered: 0 of its points
    docs = json.loads(runner.invoke(app, ["grade", str(klass), "--format", "json", "--assignment",
                                          "rnn/q1,rnn/q3"]).stdout)
    assert [d["max_score"] for d in docs] == [8, 8] and docs[1]["ignored"] == ["rnn/q2"]
    assert [p["id"] for p in docs[0]["problems"]] == ["rnn/q1", "rnn/q3"]


def test_points_of_the_assignment_scale_the_problem(runner, klass):
    rows = _rows(runner.invoke(app, ["grade", str(klass), "--format", "csv", "--assignment",
                                     "rnn/q1=30"]).stdout)
    assert rows[0]["max_score"] == "30" and rows[1]["score"] == "30" and rows[2]["score"] == "20"
    assert rows[0]["rnn/q1/a"] == "10"


def test_one_file_is_scored_on_the_assignment_in_dlcheck_toml(runner, tmp_path, monkeypatch):
    (tmp_path / "dlcheck.toml").write_text('[assignment]\nname = "HW 3"\nproblems = ["rnn/q1", "rnn/q2"]\n',
                                           encoding="utf-8")
    answers = tmp_path / "mine.yaml"
    answers.write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = json.loads(runner.invoke(app, ["grade", str(answers), "--format", "json"]).stdout)
    assert doc["score"] == 3 and doc["max_score"] == 9
    shown = runner.invoke(app, ["grade", str(answers)], env={"COLUMNS": "100"}).output
    assert "Score: 3 / 9 (33%)" in shown


def test_an_unknown_problem_in_an_assignment_is_an_error_naming_it(runner, klass):
    result = runner.invoke(app, ["grade", str(klass), "--assignment", "rnn/q99"])
    assert result.exit_code == 2 and "rnn has no problem 'q99'" in result.stderr


def _autograder(runner, tmp_path: Path, *build_args: str) -> Path:
    course = tmp_path / "course" / "week1"
    course.mkdir(parents=True)
    (course / "q1.yaml").write_text(COURSE, encoding="utf-8")
    built = runner.invoke(app, ["gradescope", "build", "--problems", str(tmp_path / "course"), "-o",
                                str(tmp_path / "autograder.zip"), *build_args])
    assert built.exit_code == 0, built.output
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "12345"}]}))
    return root


def run_autograder(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "DLCHECK_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(sys.platform == "win32", reason="run_autograder is a bash script")
def test_a_gradescope_student_cannot_add_points_with_built_in_problems(runner, tmp_path):
    root = _autograder(runner, tmp_path)            # no assignment: the course bank's problems only
    (root / "submission" / "mine.yaml").write_text("set: week1\nanswers:\n  q1:\n    a: 4\n", encoding="utf-8")
    # the attack: answers to built-in problems, references taken from `dlcheck grade --instructor`
    (root / "submission" / "extra.yaml").write_text((EXAMPLES / "seq-models.yaml").read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    doc = run_autograder(root)
    assert doc["score"] == 1
    assert sum(t.get("max_score", 0) for t in doc["tests"]) == 1
    assert not any(t["name"].startswith("seq-models/") for t in doc["tests"])
    assert "seq-models/q2, seq-models/q3, seq-models/q4 are not in the assignment" in doc["output"]


@pytest.mark.skipif(sys.platform == "win32", reason="run_autograder is a bash script")
def test_the_autograder_counts_an_unanswered_problem_of_the_assignment_as_zero(runner, tmp_path):
    root = _autograder(runner, tmp_path, "--assignment", "week1/q1,rnn/q1")
    (root / "submission" / "mine.yaml").write_text(Q1_RIGHT.format(sid="x"), encoding="utf-8")
    doc = run_autograder(root)
    assert doc["score"] == 3
    week1 = next(t for t in doc["tests"] if t["name"] == "week1/q1 a")
    assert week1["score"] == 0 and week1["max_score"] == 1 and "missing" in week1["output"]
    assert sum(t["max_score"] for t in doc["tests"]) == 4
