"""A new output format of ``grade`` is one entry in ``report/formats.py``'s ``FORMATS``: nothing else changes.

TAP (the Test Anything Protocol) lives entirely in this file, as ARCHITECTURE.md's recipe says: its
render (here, where a real one would be a module in ``report/``) and its :class:`Format`. Put in the
list, it is a ``--format`` choice at once (the help, shell completion, the error for a mistyped one),
it is given the results after the reveal policy (it prints every reference it is handed, so a
``reveal: never`` reference it does not print is one the registry kept from it), and it is written
whole through ``--output`` like every format that returns its text.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.core.verdict import Status
from dlcheck.grade.batch import FileResult
from dlcheck.report import formats
from dlcheck.report.formats import FORMATS, Format, Run
from tests.test_reveal_everywhere import SPEC  # x = 7; a: x^3 (reveal: never), b: x + 1, c: x^2

ROOT = Path(__file__).resolve().parent.parent


def render_tap(files: list[FileResult], run: Run) -> list[str]:
    """Every part a test point: ``ok`` when its points are earned; a failure's message and expected answer
    (whatever it is given: the registry decides what that is) in a YAML block under it."""
    lines: list[str] = []
    number = itertools.count(1)
    for f in files:
        if f.error is not None:
            lines.append(f"not ok {next(number)} - {f.path} # could not be read")
        for r in f.results:
            for v in r.verdicts:
                good = v.status is Status.CORRECT
                lines.append(f"{'ok' if good else 'not ok'} {next(number)} - {r.id}/{v.part}")
                if not good:
                    lines += ["  ---", f"  message: {v.message!r}", f"  expected: {v.expected!r}", "  ..."]
    return [f"TAP version 13\n1..{next(number) - 1}\n", *(line + "\n" for line in lines)]


TAP = Format("tap", "tap (Test Anything Protocol)", render_tap)


@pytest.fixture
def with_tap(monkeypatch):
    monkeypatch.setitem(formats.FORMATS, "tap", TAP)


@pytest.fixture
def course(tmp_path, monkeypatch):
    folder = tmp_path / "course" / "week1"
    folder.mkdir(parents=True)
    (folder / "q1.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("set: week1\nanswers:\n  q1:\n    a: 1\n    b: 8\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _grade(runner, course, *args: str):
    return runner.invoke(app, ["grade", str(course / "mine.yaml"), "--problems", str(course / "course"), *args],
                         env={"COLUMNS": "80"})


def test_a_registered_format_is_graded_into_end_to_end(runner, course, with_tap):
    result = _grade(runner, course, "--format", "tap")
    assert result.exit_code == 1, result.output  # a part is wrong: the exit code is grade's, whatever the format
    lines = result.stdout.splitlines()
    assert lines[:3] == ["TAP version 13", "1..3", "not ok 1 - week1/q1/a"]
    assert "ok 2 - week1/q1/b" in lines and "not ok 3 - week1/q1/c" in lines


def test_it_goes_through_the_reveal_policy(runner, course, with_tap):
    """TAP prints the expected answer it is given: the student's never holds 343 (x^3, reveal: never);
    the instructor's does, and so does a format registered as not student-facing."""
    student = _grade(runner, course, "--format", "tap").stdout
    assert "not ok 1 - week1/q1/a" in student and "343" not in student
    assert "343" in _grade(runner, course, "--format", "tap", "--instructor").stdout
    formats.FORMATS["tap"] = Format("tap", "tap", render_tap, student_facing=False)
    assert "343" in _grade(runner, course, "--format", "tap").stdout


def test_the_help_lists_it_and_a_mistyped_one_names_it(runner, with_tap):
    help_text = runner.invoke(app, ["grade", "--help"], env={"COLUMNS": "200"}, terminal_width=200).stdout
    assert "|moodle|tap>" in help_text and "moodle (ID number, grade) or tap (Test Anything Protocol)." in help_text
    result = runner.invoke(app, ["grade", "answers.yaml", "--format", "tpa"])
    assert result.exit_code == 2
    error = result.output.strip()
    assert len(error.splitlines()) == 1 and "'tpa' is not one of 'table', " in error and "'tap'" in error
    assert "did you mean tap?" in error


def test_without_the_entry_there_is_no_such_format(runner, course):
    result = _grade(runner, course, "--format", "tap")
    assert result.exit_code == 2 and "'tap' is not one of" in result.output and "'tap'," not in result.output
    assert "tap" not in runner.invoke(app, ["grade", "--help"]).stdout


def test_shell_completion_offers_it(runner, with_tap):
    env = {"_DLCHECK_COMPLETE": "complete_bash", "COMP_WORDS": "dlcheck grade x --format t", "COMP_CWORD": "4"}
    result = runner.invoke(app, [], env=env, prog_name="dlcheck")
    assert result.stdout.split() == ["table", "tap"]


def test_a_class_is_written_whole_through_output(runner, course, with_tap):
    (course / "class").mkdir()
    for name, b in (("one", 8), ("two", 9)):
        (course / "class" / f"{name}.yaml").write_text(f"set: week1\nstudent: {name}\nanswers:\n  q1:\n    b: {b}\n",
                                                       encoding="utf-8")
    target = course / "out.tap"
    result = runner.invoke(app, ["grade", str(course / "class"), "--problems", str(course / "course"), "--format",
                                 "tap", "--output", str(target), "--assignment", "week1/q1"])
    assert result.exit_code == 1, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("TAP version 13\n1..6\n") and text.count("ok 2 - week1/q1/b") == 1
    assert "ok 5 - week1/q1/b" in text and "not ok 4 - week1/q1/a" in text


def test_the_list_is_light_and_every_entry_names_a_real_function():
    """``--help`` reads the list: it loads no format's module (nor sympy, numpy or rich) until one is used."""
    import subprocess
    import sys

    code = ("import sys\nfrom dlcheck.report.formats import FORMATS, help_text\nhelp_text()\n"
            "print(sorted(m for m in sys.modules if m in ('sympy', 'numpy', 'rich')\n"
            "             or m.startswith('dlcheck.report.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert loaded.strip() == "['dlcheck.report.formats']"
    for f in formats.FORMATS.values():
        for hook in (f.render, f.stream, f.prepare):
            if isinstance(hook, formats.Lazy):
                assert callable(hook.target()), (f.name, hook)


@pytest.mark.parametrize("fmt", [name for name, f in FORMATS.items() if not f.to_file])
def test_output_is_refused_where_a_format_writes_to_the_terminal(runner, tmp_path, fmt):
    """--output was taken and then ignored by the table and the LMS gradebooks: now said at once."""
    target = tmp_path / "out.txt"
    result = runner.invoke(app, ["grade", str(ROOT / "examples" / "answers.yaml"), "--format", fmt,
                                 "--output", str(target)])
    assert result.exit_code == 2 and "--output is for the formats written as one text" in result.output
    assert not target.exists()
