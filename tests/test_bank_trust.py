"""Issue 18, item 4: a course bank comes from the instructor, never from the students' folder."""

from __future__ import annotations

import os
import zipfile

import pytest

from dlcheck.cli import app
from dlcheck.spec import bank

SPEC = ("title: Squares\nstatement: x = 2.\ngiven: {x: 2}\n"
        "parts:\n  a: {kind: number, prompt: x squared, answer: x^2}\n")


@pytest.fixture(autouse=True)
def _fresh_bank():
    yield
    bank._IGNORED_CONFIG.clear()
    bank._ROOTS.clear()


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course" / "week1"
    folder.mkdir(parents=True)
    (folder / "q1.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path / "course"


def test_a_bank_from_the_environment_or_dlcheck_toml_is_announced(runner, course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"], env={"DLCHECK_PROBLEMS": str(course)})
    assert f"note: using the course bank {course} (from DLCHECK_PROBLEMS)" in result.stderr
    (tmp_path / "dlcheck.toml").write_text('problems = "course"\n', encoding="utf-8")
    result = runner.invoke(app, ["list"])
    assert "(from ./dlcheck.toml)" in result.stderr and "week1/q1" in result.stdout
    assert "note:" not in runner.invoke(app, ["list", "--problems", str(course)]).stderr   # asked for: not news


def test_a_class_run_ignores_a_dlcheck_toml_inside_the_submissions(runner, course, tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    evil = subs / "evil" / "week1"
    evil.mkdir(parents=True)
    # the student's own bank: the same problem, with the answer they gave as its reference
    (evil / "q1.yaml").write_text(SPEC.replace("answer: x^2", "answer: x^2 + 5"), encoding="utf-8")
    (subs / "dlcheck.toml").write_text('problems = "evil"\n[assignment]\nproblems = []\n', encoding="utf-8")
    (subs / "a.yaml").write_text('set: week1\nstudent: "1"\nanswers:\n  q1:\n    a: 9\n', encoding="utf-8")
    monkeypatch.chdir(subs)
    result = runner.invoke(app, ["grade", ".", "--format", "csv", "--problems", str(course)])
    assert "./dlcheck.toml is not read" in " ".join(result.stderr.split())
    row = next(line for line in result.stdout.splitlines() if line.startswith("1,"))
    assert row.split(",")[2] == "0"                   # 9 is wrong: the course's x^2 = 4, not the student's bank


def test_gradescope_build_packs_regular_files_only_and_names_the_rest(runner, course, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: secret\n", encoding="utf-8")
    os.symlink(secret, course / "week1" / "q2.yaml")
    os.symlink(tmp_path, course / "linked")
    result = runner.invoke(app, ["gradescope", "build", "--problems", str(course), "-o",
                                 str(tmp_path / "ag.zip")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        names = archive.namelist()
        packed = b"".join(archive.read(n) for n in names if n.startswith("problems/"))
    assert [n for n in names if n.startswith("problems/")] == ["problems/week1/q1.yaml"]
    assert b"secret" not in packed
    said = " ".join(result.stderr.split())
    assert f"{course / 'week1' / 'q2.yaml'} is not a regular file" in said
    assert f"{course / 'linked'} is not a regular file" in said
    assert "it scores 1 problem (week1/q1)" in result.stdout
