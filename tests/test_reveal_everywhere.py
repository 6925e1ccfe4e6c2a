"""Issue 18, item 8: the reveal policy holds in ``explain`` (and ``solve``'s explain) as in ``grade``."""

from __future__ import annotations

import pytest

from dlcheck.cli import app

SPEC = """\
title: Cubes
statement: x = 7.
given: {x: 7}
define:
  cube: x^3
parts:
  a: {kind: number, prompt: x cubed, answer: cube, reveal: never}
  b: {kind: number, prompt: x plus one, answer: x + 1}
  c: {kind: number, prompt: x squared, answer: x^2, reveal: after_attempt}
"""


@pytest.fixture
def course(tmp_path, monkeypatch):
    folder = tmp_path / "course" / "week1"
    folder.mkdir(parents=True)
    (folder / "q1.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "course"


def _explain(runner, course, *args: str) -> str:
    result = runner.invoke(app, ["explain", "week1/q1", "--problems", str(course), *args], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_explain_keeps_a_reveal_never_reference(runner, course):
    shown = _explain(runner, course)
    assert "343" not in shown                                   # x^3, neither as a part nor as its definition
    assert "held back from students (reveal: never)" in shown
    assert "8" in shown                                         # the part that may be revealed is worked
    assert "49" not in shown                                    # after_attempt: not attempted yet


def test_an_attempt_unlocks_after_attempt_but_never_a_never(runner, course, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("set: week1\nanswers:\n  q1:\n    a: 1\n    c: 2\n", encoding="utf-8")
    shown = _explain(runner, course, "--answers", str(answers))
    assert "49" in shown and "343" not in shown


def test_instructor_sees_every_part(runner, course):
    shown = _explain(runner, course, "--instructor")
    assert "343" in shown and "49" in shown


def test_grade_and_explain_agree(runner, course, tmp_path):
    answers = tmp_path / "mine.yaml"
    answers.write_text("set: week1\nanswers:\n  q1:\n    a: 1\n", encoding="utf-8")
    graded = runner.invoke(app, ["grade", str(answers), "--problems", str(course)], env={"COLUMNS": "100"}).stdout
    assert "343" not in graded


def test_solve_keeps_a_reveal_never_reference_in_its_summary_and_its_explain(course, tmp_path):
    """solve's table at the end of a problem, and its explain of an answered reveal: never part, show
    only what grade's student view shows (the table printed the raw verdicts: 'expected 343')."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "100"}
    run = subprocess.run([sys.executable, "-m", "dlcheck", "solve", "week1/q1", "--problems", str(course),
                          "--answers", str(tmp_path / "s.yaml")], input="1\nexplain\nskip\n8\n2\nskip\n", env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    out = run.stdout + run.stderr
    assert "✗" in out and "✓" in out, out                     # the answers were checked
    assert "343" not in out, out                               # neither in a line, the table nor explain
    assert "held back from students (reveal: never)" in out, out
