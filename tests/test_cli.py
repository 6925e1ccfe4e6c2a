"""The command line through typer's runner, and start-up cost through a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dlcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "answers.yaml"
SOURCE_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # subprocesses run the source tree, not an installed copy


def test_grade_example_table(runner):
    result = runner.invoke(app, ["grade", str(EXAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "backprop/q1" in result.output
    assert "Sign error" in result.output
    assert "Score:" in result.output


def test_grade_example_json(runner):
    result = runner.invoke(app, ["grade", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert "\x1b[" not in result.stdout
    assert set(doc) == {"file", "student", "score", "max_score", "awaiting_marker", "nothing_to_grade", "problems"}
    assert doc["student"] is None and doc["nothing_to_grade"] is False   # no id: the sheet's numbers
    q1 = doc["problems"][0]
    assert q1["id"] == "backprop/q1" and q1["max_score"] == 25
    parts = {p["id"]: p for p in q1["parts"]}
    assert parts["out_h2"]["status"] == "correct"      # Persian digits
    assert parts["out_y1"]["status"] == "correct"      # decimal comma
    assert parts["w1_new"]["status"] == "incorrect"    # unchanged weight
    assert parts["dE_dw5"]["status"] == "incorrect"
    assert doc["score"] == sum(p["score"] for p in q1["parts"])
    for p in q1["parts"]:
        assert set(p) >= {"id", "status", "score", "max_score", "message"}


def test_grade_all_correct_exits_zero(runner, write):
    path = write("a.yaml", """
        set: backprop
        answers:
          q1:
            out_h1: 0.594476
            w1_new: 0.14977
    """)
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output


def test_yaml_typing_is_not_applied(runner, write):
    # `no` stays the text "no" (invalid for a number), `0.5945000` keeps its digits
    path = write("a.yaml", """
        answers:
          backprop/q1:
            out_h1: 0.5945000
            out_h2: no
    """)
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    parts = {p["id"]: p for p in doc["problems"][0]["parts"]}
    assert parts["out_h1"]["answer"] == "0.5945000" and parts["out_h1"]["status"] == "correct"
    assert parts["out_h2"]["answer"] == "no" and parts["out_h2"]["status"] == "invalid"


@pytest.mark.parametrize("text, words", [
    ("set: backprop\nanswers:\n  q1:\n    nope: 1\n", "has no part 'nope'; its parts are out_h1"),
    ("answers:\n  q9:\n    a: 1\n", "unknown problem 'q9'"),
    ("answers:\n  backprop/q1:\n    out_h1: [1\n", "invalid YAML"),
    ("answers:\n  backprop/q1:\n    out_h1: 1\n    out_h1: 2\n", "duplicate key 'out_h1'"),
    ("student: x\n", "needs a mapping 'answers:'"),
    ("answers:\n  q2:\n    a: 1\n", "in several sets"),
])
def test_input_errors_exit_2_with_a_place(runner, write, text, words):
    path = write("a.yaml", text)
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2
    assert words in result.output
    assert str(path) in result.output
    assert "Traceback" not in result.output


def test_unknown_part_error_has_line_and_column(runner, write):
    path = write("a.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.59\n    outh2: 0.6\n")
    result = runner.invoke(app, ["grade", str(path)])
    assert f"{path}:5:5:" in result.output


def test_missing_file(runner, tmp_path):
    result = runner.invoke(app, ["grade", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_hostile_file_is_graded_part_by_part(runner, write):
    long = "x" * 100_000
    path = write("a.yaml", f"""
        set: backprop
        answers:
          q1:
            out_h1: "__import__('os').system('touch /tmp/dlcheck-pwned')"
            out_h2: "().__class__"
            out_y1: "9**9**9**9"
            out_y2: {long}
            loss: 0.3234
    """)
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    parts = {p["id"]: p["status"] for p in json.loads(result.stdout)["problems"][0]["parts"]}
    assert parts["out_h1"] == parts["out_h2"] == parts["out_y1"] == parts["out_y2"] == "invalid"
    assert parts["loss"] == "correct"
    assert not Path("/tmp/dlcheck-pwned").exists()


def test_list_and_show(runner):
    listing = runner.invoke(app, ["list"])
    assert listing.exit_code == 0
    for set_name in ("backprop", "rnn", "rnn-gradients", "seq-models", "attention"):
        assert f"{set_name}/q1" in listing.output
    shown = runner.invoke(app, ["show", "q2", "--set", "backprop"])
    assert shown.exit_code == 0
    for part in ("d_z2_1", "d_Z2", "d_Z1", "d_w1_11"):
        assert part in shown.output
    assert "a2_1" in shown.output  # the names a student may use
    choice = runner.invoke(app, ["show", "rnn/q1"])
    assert "speech recognition" in choice.output
    ambiguous = runner.invoke(app, ["show", "q2"])
    assert ambiguous.exit_code == 2 and "backprop/q2" in ambiguous.output and "rnn/q2" in ambiguous.output


@pytest.mark.parametrize("args, code, status", [
    (["2*(yhat - y)*w", "2w(yhat-y)"], 0, "correct"),
    (["sigmoid(z)*(1-sigmoid(z))", "σ'(z)"], 0, "correct"),
    (["x^2", "x^3"], 1, "incorrect"),
    (["0.3617", "0.36"], 1, "incorrect"),            # no tolerance unless asked for
    (["0.3617", "0.36", "--rtol", "1e-2"], 0, "correct"),
    (["0.3617", "0.36", "--rtol", "1e-3"], 1, "incorrect"),
    (["0.15", "0.1498", "--atol", "5e-5"], 1, "incorrect"),
    (["[[1,2],[3,4]]", "[[1,2],[3,4.01]]"], 1, "incorrect"),
    (["[[1,2],[3,4]]", "[[1,2],[3,4.01]]", "--rtol", "0.01"], 0, "correct"),
    (["[[1,2],[3,4]]", "[[1,3],[2,4]]"], 1, "incorrect"),
    (["x", "__import__('os')"], 2, "invalid"),
    (["x", "9**9**9**9"], 2, "invalid"),
])
def test_compare(runner, args, code, status):
    result = runner.invoke(app, ["compare", *args, "--format", "json"])
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["status"] == status


def test_compare_shows_the_point_where_formulas_differ(runner):
    result = runner.invoke(app, ["compare", "x^2", "x^3"])
    assert "at x = " in result.output


def test_cli_import_does_not_load_sympy_or_numpy():
    code = "import dlcheck.cli, sys; print('sympy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env=SOURCE_ENV)
    assert out.stdout.strip() == "False False"


COMPARE_PROCESS = """
import atexit, sys
loaded = lambda: sorted(m for m in ('sympy', 'numpy', 'pydantic', 'ruamel.yaml') if m in sys.modules)
atexit.register(lambda: print('PARENT LOADED', loaded(), file=sys.stderr))
from dlcheck.cli import main
sys.argv = ['dlcheck', 'compare', *sys.argv[1:]]
main()
"""


def compare_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", COMPARE_PROCESS, *args], capture_output=True, text=True,
                          cwd=ROOT, env=SOURCE_ENV, timeout=300)


def test_compare_as_a_process_checks_in_its_child_and_stays_light():
    """`dlcheck compare` starts its checker's child before reading the command line; the child loads
    sympy and the checker, the command's own process none of them (its atexit runs, the child's not)."""
    right = compare_process("sigmoid(z)*(1-sigmoid(z))", "exp(-z)/(1+exp(-z))^2", "--format", "json")
    assert right.returncode == 0 and json.loads(right.stdout)["status"] == "correct", right.stderr
    wrong = compare_process("x^2", "x^3")
    assert wrong.returncode == 1 and "at x = " in wrong.stdout
    for run in (right, wrong):
        assert run.stderr.count("PARENT LOADED") == 1
        assert "'sympy'" not in run.stderr and "'numpy'" not in run.stderr, run.stderr
        assert "'ruamel.yaml'" not in run.stderr, run.stderr
        # typer 0.29 coerces every option through pydantic; pyproject keeps typer below it
        assert "'pydantic'" not in run.stderr, "pydantic loaded by the parent: is typer >= 0.29 installed?"


def test_compare_when_no_process_can_be_forked_is_one_line_not_a_traceback():
    code = ("import os, sys\n"
            "def refuse():\n    raise BlockingIOError(11, 'Resource temporarily unavailable')\n"
            "os.fork = refuse\n"
            "from dlcheck.cli import main\nsys.argv = ['dlcheck', 'compare', 'x', 'x']\nmain()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=SOURCE_ENV,
                         timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    said = " ".join(out.stdout.split())  # rich wraps at the terminal's width
    assert "undecided: could not start a process to check this answer (Resource temporarily unavailable)" in said


def test_a_compare_child_is_reaped_by_the_command_when_nothing_is_checked(monkeypatch):
    """In-process, so the child cannot be killed by its parent's death instead: after a usage error
    the command itself has killed and reaped the child it started ahead."""
    from dlcheck.cli import commands
    from dlcheck.grade.guarded import start_compare

    child = start_compare()
    assert child is not None
    pid = child.pid
    monkeypatch.setattr(sys, "argv", ["dlcheck", "compare", "1", "2", "--no-such-option"])
    with pytest.raises(SystemExit) as done:
        commands.run(child)
    assert done.value.code == 2 and child.pid is None
    with pytest.raises(ChildProcessError):   # nothing left to wait for: killed and reaped
        os.waitpid(pid, os.WNOHANG)


def test_dlchecks_global_options_are_flags():
    """dlcheck.cli.main finds the command as the first word that is not an option: true while every
    global option is a flag (one taking a value would only cost compare its head start)."""
    from dlcheck.cli import app

    callback = typer.main.get_command(app)
    for param in callback.params:
        assert getattr(param, "is_flag", False) or param.name in ("install_completion", "show_completion"), param


def _processes_naming(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_compare_that_checks_nothing_leaves_no_child():
    token = f"nothing-to-check-{os.getpid()}"
    usage = compare_process(token, "1", "--no-such-option")
    assert usage.returncode == 2 and "no such option" in usage.stderr
    helped = compare_process(token, "--help")
    assert helped.returncode == 0 and "Usage" in helped.stdout
    assert _processes_naming(token) == []


def test_python_dash_m(tmp_path):
    out = subprocess.run([sys.executable, "-m", "dlcheck", "--help"], capture_output=True, text=True, cwd=ROOT,
                         env=SOURCE_ENV)
    assert out.returncode == 0 and "grade" in out.stdout


def test_debug_flag_shows_traceback(runner, tmp_path):
    quiet = runner.invoke(app, ["grade", str(tmp_path / "none.yaml")])
    assert "Traceback" not in quiet.output
    loud = runner.invoke(app, ["--debug", "grade", str(tmp_path / "none.yaml")])
    assert loud.exception is not None


def test_qN_resolves_in_the_answers_files_set(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["explain", "q3", "--format", "md"]).exit_code == 2  # ambiguous
    (tmp_path / "answers.yaml").write_text("set: rnn\nanswers: {}\n")
    result = runner.invoke(app, ["explain", "q3", "--format", "md"])
    assert result.exit_code == 0 and result.output.startswith("# rnn/q3")
    assert "rnn/q2" in runner.invoke(app, ["show", "q2"]).output


def test_an_internal_error_names_itself_and_debug_shows_the_childs_traceback(runner, write, monkeypatch):
    import dlcheck.check.kinds.value as value

    def broken(*args):
        raise KeyError("no such thing")

    monkeypatch.setattr(value, "_check_numeric", broken)
    # arithmetic: a literal number is checked from the problem's card (grade/numeric.py), never getting here
    path = write("a.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945*1\n")
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    part = doc["problems"][0]["parts"][0]
    assert part["status"] == "undecided"
    assert part["detail"]["error"] == {"type": "KeyError", "message": "'no such thing'"}
    # a sentence for the student; the exception's type and message only under --debug
    assert "KeyError" not in part["message"] and "dlcheck failed while checking" in part["message"]
    quiet = runner.invoke(app, ["grade", str(path)])
    assert "Traceback" not in quiet.output and "KeyError" not in quiet.output
    assert "dlcheck failed while checking this answer" in quiet.stdout
    loud = runner.invoke(app, ["--debug", "grade", str(path)])
    assert "Traceback" in loud.stderr and "in broken" in loud.stderr
    assert "KeyError: 'no such thing'" in loud.stderr
    env = runner.invoke(app, ["grade", str(path)], env={"DLCHECK_DEBUG": "1"})
    assert "in broken" in env.stderr
