"""Issue 18, item 5: file names and student ids cannot pose as options or as another student."""

from __future__ import annotations

import subprocess
import sys

from dlcheck.cli import app
from dlcheck.grade.batch import FileResult
from dlcheck.report.feedback import NAME_BYTES, file_names, id_key
from tests.test_assignment import Q1_RIGHT


def test_a_file_named_like_an_option_from_a_glob_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(Q1_RIGHT.format(sid="alice"), encoding="utf-8")
    (tmp_path / "--student=mallory.yaml").write_text(Q1_RIGHT.format(sid="mallory"), encoding="utf-8")
    # the shell expands an unquoted glob before dlcheck sees it: the planted name comes first
    run = subprocess.run(f"{sys.executable} -m dlcheck grade *.yaml --format csv", shell=True, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and run.stdout == ""
    assert "'--student=mallory.yaml' is a file here" in run.stderr and "./*.yaml" in run.stderr
    safe = subprocess.run(f"{sys.executable} -m dlcheck grade ./*.yaml --format csv", shell=True, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert "alice," in safe.stdout and "mallory," in safe.stdout      # each file its own student


def test_student_with_several_files_is_an_error(runner, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(Q1_RIGHT.format(sid=name), encoding="utf-8")
    result = runner.invoke(app, ["grade", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--student", "7"])
    assert result.exit_code == 2 and "would grade all 2 files as one student" in result.stderr


def _names(*students: str) -> list[str]:
    return file_names([FileResult(f"subs/{k}.yaml", s) for k, s in enumerate(students)])


def test_an_id_with_an_invisible_character_or_a_dot_never_takes_the_real_students_file():
    for fake in ("12345\u200b", "12345.", "１２３４５"):
        assert _names(fake, "12345") == ["12345-2.md", "12345.md"]


def test_names_differing_in_case_are_two_files_on_every_system():
    names = _names("Alice", "alice")
    assert len({id_key(n) for n in names}) == 2


def test_a_long_id_is_cut_and_hashed_and_a_reserved_name_is_avoided():
    long = "x" * 300
    names = _names(long, long + "y", "CON", "lpt1", "nul.txt")
    assert all(len(n.encode()) <= NAME_BYTES + 3 for n in names[:2]) and names[0] != names[1]
    assert names[2:] == ["CON_.md", "lpt1_.md", "nul.txt_.md"]


def test_feedback_for_a_300_byte_id_is_written_with_the_others(runner, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_text(Q1_RIGHT.format(sid="é" * 150), encoding="utf-8")
    (subs / "b.yaml").write_text(Q1_RIGHT.format(sid="2"), encoding="utf-8")
    result = runner.invoke(app, ["grade", str(subs), "--feedback-dir", str(tmp_path / "fb")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "fb").iterdir())) == 2


def test_a_near_duplicate_id_is_warned_like_a_duplicate(runner, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "real.yaml").write_text(Q1_RIGHT.format(sid="12345"), encoding="utf-8")
    (subs / "fake.yaml").write_text(Q1_RIGHT.format(sid="12345\\u200b"), encoding="utf-8")
    result = runner.invoke(app, ["grade", str(subs), "--format", "csv"])
    said = " ".join(result.stderr.split())
    assert "differ only in case, Unicode form or invisible characters" in said
