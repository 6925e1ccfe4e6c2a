"""Issue 18, item 7: a course's own spec cannot stall a class.

The specs are the issue's: the determinant of an 8x8 symbolic matrix in a define (it hung
``validate`` and ``grade`` past 90 s, and ``Pool._fail`` derived it again in the parent to read
its points) and 600 chained defines (an internal RecursionError, the class run dead)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcheck.grade.derive import MAX_DEFINE_DEPTH

N = 8
SYMS = [f"a{i}{j}" for i in range(N) for j in range(N)]
ROWS = ", ".join("[" + ", ".join(f"a{i}{j}" for j in range(N)) + "]" for i in range(N))
SLOW = ("title: Slow\nstatement: a determinant.\nsymbols:\n" + "".join(f"  {s}: real\n" for s in SYMS) +
        f"define:\n  D: det([{ROWS}])\nparts:\n  a: {{kind: expression, prompt: the determinant, answer: D}}\n")
DEEP = ("title: Deep\nstatement: a chain.\ngiven: {x: 2}\ndefine:\n  d0: x\n" +
        "".join(f"  d{i}: d{i - 1} + 1\n" for i in range(1, 600)) +
        "parts:\n  a: {kind: number, prompt: the end, answer: d599}\n")
GOOD = "title: Squares\nstatement: x = 2.\ngiven: {x: 2}\nparts:\n  a: {kind: number, prompt: x squared, answer: x^2}\n"


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "course" / "week1"
    folder.mkdir(parents=True)
    (folder / "q1.yaml").write_text(SLOW, encoding="utf-8")
    (folder / "q2.yaml").write_text(DEEP, encoding="utf-8")
    (folder / "q3.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path / "course"


def _dlcheck(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "DLCHECK_DERIVE_SECONDS": "3", "DLCHECK_CACHE": str(cwd / "cache")}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "dlcheck", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=300)
    return run, time.monotonic() - started


def test_validate_says_which_spec_took_too_long_at_its_defines(course, tmp_path):
    run, _ = _dlcheck("validate", str(course / "week1" / "q1.yaml"), cwd=tmp_path)
    assert run.returncode == 2
    assert "q1.yaml:" in run.stderr and "took more than 3 s to derive" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


def test_a_deep_define_chain_is_a_spec_error_at_the_define_too_deep(course, tmp_path):
    run, _ = _dlcheck("validate", str(course / "week1" / "q2.yaml"), cwd=tmp_path)
    line = 5 + MAX_DEFINE_DEPTH    # "d0" is on line 5, each define a line
    assert run.returncode == 2 and f"q2.yaml:{line}:" in run.stderr and f"d{MAX_DEFINE_DEPTH}:" in run.stderr
    assert "RecursionError" not in run.stderr and "internal error" not in run.stderr


def test_a_class_is_graded_without_the_broken_problems(course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(3):
        (subs / f"s{k}.yaml").write_text(f'set: week1\nstudent: "{k}"\nanswers:\n  q1:\n    a: 1\n  q2:\n    a: 601\n'
                                         "  q3:\n    a: 4\n", encoding="utf-8")
    run, seconds = _dlcheck("grade", str(subs), "--problems", str(course), "--format", "csv", cwd=tmp_path)
    said = " ".join(run.stderr.split())
    assert "week1/q1 cannot be graded" in said and "took more than 3 s to derive" in said
    assert "week1/q2 cannot be graded" in said
    rows = [line.split(",") for line in run.stdout.splitlines()]
    assert rows[1][:5] == ["Points Possible", "", "1", "1", "1"]       # the broken problems' points: from the spec
    assert all(r[2:5] == ["0", "0", "1"] for r in rows[2:])            # q3 graded for everyone
    assert seconds < 120                                                # it hung past 90 s per problem


def test_one_file_with_a_slow_problem_is_undecided_not_a_hang(course, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("set: week1\nanswers:\n  q1:\n    a: 1\n  q3:\n    a: 4\n", encoding="utf-8")
    run, seconds = _dlcheck("grade", str(answers), "--problems", str(course), "--format", "json",
                            "--timeout", "2", cwd=tmp_path)
    assert seconds < 120, "the parent derived the problem again to read its points"
    assert '"undecided"' in run.stdout and '"correct"' in run.stdout
