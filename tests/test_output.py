"""Issue 18, item 6: output that is whole or absent, and that does not grow with the answers."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.cli import output as output_module
from dlcheck.grade.batch import LONG_TEXT, shortened
from tests.test_assignment import Q1_RIGHT


@pytest.fixture
def klass(tmp_path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(80):
        (subs / f"s{k:02d}.yaml").write_text(Q1_RIGHT.format(sid=str(1000 + k)), encoding="utf-8")
    return subs


@pytest.fixture
def tiny_disk(tmp_path):
    """A 12 KB tmpfs (root only; three pages) with one page free (a filler takes the rest): a full disk
    for real, whatever the length of the paths in the output."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or \
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", str(folder)],
                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        (folder / ".filler").write_bytes(b"x" * 8192)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def _dlcheck(*args: str, stdout=subprocess.PIPE, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlcheck", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=600, cwd=cwd)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_full_disk_leaves_no_cut_gradebook_and_says_so(klass, tiny_disk, fmt):
    target = tiny_disk / f"grades.{fmt}"
    with open(target, "w") as out:
        run = _dlcheck("grade", str(klass), "--format", fmt, "--assignment", "rnn/q1,rnn/q2", stdout=out)
    assert run.returncode == 2
    assert target.stat().st_size == 0                                    # cut back: nothing that looks whole
    errors = [line for line in run.stderr.splitlines() if line.startswith("error")]
    assert errors == ["error: the gradebook was not written whole: the disk is full; the part already written "
                      "was removed"]
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr


def test_output_to_a_full_disk_leaves_the_old_file_and_no_temporary_one(klass, tiny_disk):
    target = tiny_disk / "grades.csv"
    (tiny_disk / ".filler").write_bytes(b"x" * 4096)          # a page for the old gradebook, one free
    target.write_text("the old gradebook\n", encoding="utf-8")
    run = _dlcheck("grade", str(klass), "--format", "csv", "--output", str(target))
    assert run.returncode == 2 and "the disk is full" in run.stderr
    assert target.read_text(encoding="utf-8") == "the old gradebook\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == [".filler", "grades.csv"]


def test_a_failed_write_is_an_error_naming_its_cause_without_a_tmpfs(runner, klass, tmp_path, monkeypatch):
    """The same, on any machine: the write itself made to fail (ENOSPC) while --output is written."""
    import errno

    from dlcheck.core import safefile

    real = os.fdopen

    def failing(fd, *args, **kwargs):
        handle = real(fd, *args, **kwargs)
        if "w" in (args[0] if args else kwargs.get("mode", "r")):
            def write(_text):
                raise OSError(errno.ENOSPC, "No space left on device")
            handle.write = write
        return handle

    monkeypatch.setattr(safefile.os, "fdopen", failing)
    target = tmp_path / "grades.csv"
    result = runner.invoke(app, ["grade", str(klass), "--format", "csv", "--output", str(target)])
    assert result.exit_code == 2 and "the disk is full" in result.stderr
    assert not target.exists() and not list(tmp_path.glob(".grades.csv.*"))


def test_output_is_written_whole(runner, klass, tmp_path):
    target = tmp_path / "grades.json"
    result = runner.invoke(app, ["grade", str(klass), "--format", "json", "--output", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    docs = json.loads(target.read_text(encoding="utf-8"))
    assert len(docs) == 80 and all(d["score"] == 3 for d in docs)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell pipeline")
def test_a_closed_pipe_is_one_line_and_exit_2(klass):
    run = subprocess.run(f"{sys.executable} -m dlcheck grade {klass} --format json --assignment rnn/q1 | head -c 10;"
                         " exit ${PIPESTATUS[0]}", shell=True, executable="bash", capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 2
    assert [line for line in run.stderr.splitlines() if line.startswith("error")] == [
        "error: the gradebook was not written whole: the program reading it closed the pipe first; write it "
        "to a file with --output FILE"]
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr


def test_streamed_json_is_the_same_text_as_the_whole_list(runner, klass):
    from dlcheck.core.visible import json_text
    from dlcheck.grade.batch import FileResult
    from dlcheck.report.jsonout import file_doc, files_json

    files = [FileResult("a.yaml", "1"), FileResult("b.yaml", None)]
    assert files_json(files) == json_text([file_doc(f) for f in files])
    streamed = runner.invoke(app, ["grade", str(klass), "--format", "json"]).stdout
    assert len(json.loads(streamed)) == 80


def test_a_long_answer_is_shortened_in_every_report(runner, tmp_path):
    long = "0." + "1" * 200_000 + "9"
    path = tmp_path / "a.yaml"
    path.write_text(f'student: "1"\nset: rnn\nanswers:\n  q2:\n    J: "{long}"\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text(Q1_RIGHT.format(sid="2"), encoding="utf-8")
    for fmt in ("json", "csv", "gradescope", "table"):
        out = runner.invoke(app, ["grade", str(tmp_path), "--format", fmt]).stdout
        assert "1" * 1000 not in out
        if fmt in ("json", "gradescope"):
            assert "(200,003 characters in all)" in out
    assert shortened("x" * LONG_TEXT) == "x" * LONG_TEXT


def test_a_lone_surrogate_in_an_id_leaves_the_class_json_readable(runner, tmp_path):
    (tmp_path / "a.yaml").write_text('student: "12345\\udc80"\nset: rnn\nanswers:\n  q1:\n    b: 3\n',
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text(Q1_RIGHT.format(sid="2"), encoding="utf-8")
    out = runner.invoke(app, ["grade", str(tmp_path), "--format", "json"]).stdout
    out.encode("utf-8")                           # strict UTF-8: no surrogate, raw
    assert "\\udc80" not in out.replace("\\\\udc80", "")   # nor escaped alone (jq refuses both)
    assert json.loads(out)[0]["student"] == "12345\\udc80"


def test_output_module_truncates_only_what_it_wrote(tmp_path, monkeypatch):
    """Text already in the file before this run (>> grades.csv) is kept when the run's write fails."""
    target = tmp_path / "grades.csv"
    target.write_text("kept\n", encoding="utf-8")

    def chunks():
        yield "half a row"
        raise OSError(28, "No space left on device")

    with open(target, "a", encoding="utf-8") as out:
        monkeypatch.setattr(sys, "stdout", out)
        with contextlib.suppress(output_module.OutputError):
            output_module.deliver(chunks(), None, "gradebook")
    assert target.read_text(encoding="utf-8") == "kept\n"
