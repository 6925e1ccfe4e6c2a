"""``dlcheck solve``: piped input, a real pseudo-terminal with Ctrl-C, resuming, atomic saves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dlcheck.cli import app
from tests.pty_session import Session

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_piped_session_checks_saves_and_keeps_comments(runner, write):
    path = write("answers.yaml", """
        # my homework, week 3
        set: backprop
        answers:
          q1:
            out_h1: 0.5945   # done in class
    """)
    result = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path)],
                           input="0.59\nhint\n0.5963\nskip\nquit\n")
    out = result.output
    assert "resuming: 1 part(s) already answered (out_h1)" in out
    assert "incorrect" in out and "correct" in out
    text = path.read_text()
    assert "# my homework, week 3" in text and "# done in class" in text
    data = load(path)
    assert data["answers"]["q1"] == {"out_h1": 0.5945, "out_h2": "0.5963"}


def test_hint_commands_and_constructions(runner, tmp_path):
    path = tmp_path / "a.yaml"
    result = runner.invoke(app, ["solve", "rnn-gradients/q5", "--answers", str(path)],
                           input="hint\nhint\nw1 = -1\n{w1: -1, w2: 1, b2: 0.5, w3: -1, b3: 0.5}\n"
                                 "explain\n{W: [[-1, -1], [1, 1]], b: [0.5, -1.5], v: [1, 1], r: 0, c: -0.5}\nquit\n")
    out = result.output
    assert "hint:" in out and "no more hints" in out
    assert "write the weights as a mapping" in out
    assert "right on all" in out                      # part a checked by simulation
    assert "wrong at step 2" in out                   # part b: forgets the past
    assert "attempt this part first" in out           # explain before b is answered
    data = load(path)
    assert data["set"] == "rnn-gradients"
    assert data["answers"]["q5"]["a"]["w1"] == "-1"
    assert data["answers"]["q5"]["b"]["W"] == "[[-1, -1], [1, 1]]"
    # and the file grades the same way
    graded = runner.invoke(app, ["grade", str(path), "--format", "json"])
    import json

    parts = {p["id"]: p["status"] for p in json.loads(graded.stdout)["problems"][0]["parts"]}
    assert parts == {"a": "correct", "b": "incorrect"}


def test_menu_without_an_id(runner, tmp_path):
    path = tmp_path / "a.yaml"
    result = runner.invoke(app, ["solve", "--answers", str(path)], input="nope\nbackprop/q3\n2\nquit\n")
    assert "unknown problem 'nope'" in result.output
    assert "more_expressive" in result.output
    assert load(path)["answers"]["q3"]["more_expressive"] == "2"


def test_broken_answers_file_is_not_touched(runner, write):
    path = write("a.yaml", "answers:\n  backprop/q1:\n    out_h1: [1\n")
    before = path.read_text()
    result = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path)], input="0.5945\n")
    assert result.exit_code == 2 and "invalid YAML" in result.output
    assert path.read_text() == before


@pytest.fixture
def terminal(tmp_path):
    """Start dlcheck sessions in a pty; whatever happens, none is left running."""
    sessions: list[Session] = []

    def start(*args: str, cols: int = 100, script: Path | None = None) -> Session:
        session = Session(list(args), tmp_path, cols, script)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.kill()


def test_pty_ctrl_c_at_the_prompt_keeps_what_was_saved_and_resumes(terminal, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("# keep me\nset: backprop\nanswers: {}\n")
    s = terminal("solve", "backprop/q1", "--answers", str(path))
    s.wait_for("out_h1> ")
    s.line("0.59")
    s.wait_for("try again")
    s.wait_for("out_h1> ")
    s.line("hint")
    s.wait_for("out_h1> ")
    s.line("0.5945")
    s.wait_for("out_h2> ")
    s.line("0.5963")
    s.wait_for("out_y1> ")
    s.type("ctrl-c")
    out = s.wait_for("Run solve again to resume")
    assert "2 answers saved to" in out and "(out_h1, out_h2)" in out
    assert s.finish() == 130
    saved = load(path)["answers"]["q1"]
    assert saved == {"out_h1": "0.5945", "out_h2": "0.5963"}
    assert path.read_text().startswith("# keep me")

    s = terminal("solve", "backprop/q1", "--answers", str(path))  # resume: the next prompt is out_y1
    out = s.wait_for("out_y1> ")
    assert "resuming: 2 part(s) already answered" in out and "not right" not in out
    s.line("quit")
    s.wait_for("Run solve again to resume")
    assert s.finish() == 0


def test_pty_arrow_keys_edit_a_recalled_answer(terminal, tmp_path):
    path = tmp_path / "answers.yaml"
    s = terminal("solve", "rnn/q1", "--answers", str(path))
    s.wait_for("a> ")
    s.line("[1, 2]")
    assert "incorrect" in s.wait_for("a> ")
    # up recalls "[1, 2]"; home, right, delete, "3" makes it "[3, 2]"
    s.type("up", "home", "right", "delete", "3", "enter")
    out = s.wait_for("b> ")
    assert "✓ correct" in out and "correct: correct" not in out
    assert load(path)["answers"]["q1"]["a"] == "[3, 2]"
    s.type("ctrl-d")
    s.wait_for("Run solve again to resume")
    assert s.finish() == 0
    assert "[1, 2]" in (tmp_path / "history").read_text()  # history outlives the session

    s = terminal("solve", "rnn/q1", "--answers", str(path))
    s.wait_for("b> ")
    s.type("up", "up", "enter")  # the saved answer of a, then "[1, 2]" from the history file
    s.wait_for("b> ")
    s.line("quit")
    assert s.finish() == 0
    assert load(path)["answers"]["q1"]["b"] == "[1, 2]"


SLOW = textwrap.dedent("""
    import sys, time
    import dlcheck.grade.run as run

    real = run.check_and_diagnose

    def slow(inst, pid, answer, earlier):
        if answer == "0.5963":  # this one answer takes forever to check
            print("CHECK-STARTED", flush=True)
            time.sleep(600)
        return real(inst, pid, answer, earlier)

    run.check_and_diagnose = slow
    run.grade_part.__defaults__ = (900.0,)
    from dlcheck.cli import main

    sys.argv = ["dlcheck", *sys.argv[1:]]
    main()
""")


def test_pty_ctrl_c_during_a_check_says_the_answer_was_not_saved(terminal, tmp_path):
    path = tmp_path / "answers.yaml"
    script = tmp_path / "slow_dlcheck.py"
    script.write_text(SLOW)
    s = terminal("solve", "backprop/q1", "--answers", str(path), script=script)
    s.wait_for("out_h1> ")
    s.line("0.5945")
    s.wait_for("out_h2> ")
    s.line("0.5963")
    s.wait_for("CHECK-STARTED")
    s.type("ctrl-c")
    out = s.wait_for("Run solve again to resume")
    assert "stopped while checking your answer to out_h2; that answer was not saved" in out
    assert "(you typed: 0.5963)" in out and "1 answer saved to" in out and "(out_h1)" in out
    assert s.finish() == 130
    rest = s.screen[s.seen:]
    assert "Traceback" not in s.screen and "KeyboardInterrupt" not in s.screen, rest
    assert load(path)["answers"]["q1"] == {"out_h1": "0.5945"}


def test_pty_resume_names_wrong_answers_and_retry_asks_them_again(terminal, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("set: backprop\nanswers:\n  q1:\n    out_h1: 0.59  # rounded too early\n"
                    "    out_h2: 0.5963\n")
    s = terminal("solve", "backprop/q1", "--answers", str(path))
    out = s.wait_for("out_y1> ")
    assert "saved answers that are not right: out_h1 (incorrect)" in out
    assert "dlcheck solve backprop/q1 --retry" in out
    s.line("quit")
    assert s.finish() == 0

    s = terminal("solve", "backprop/q1", "--answers", str(path), "--retry")
    out = s.wait_for("out_h1> 0.59")  # the saved answer, ready to edit
    assert "asking again: out_h1" in out and "your saved answer: 0.59" in out
    s.type("45", "enter")  # 0.59 -> 0.5945
    out = s.wait_for("out_y1> ")
    assert "✓ correct" in out and "out_h2> " not in out  # out_h2 was right: not asked again
    s.line("quit")
    assert s.finish() == 0
    text = path.read_text()
    assert load(path)["answers"]["q1"] == {"out_h1": "0.5945", "out_h2": 0.5963}
    assert "# rounded too early" in text


SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dlcheck.check.registry import parts_of
    from dlcheck.spec.store import AnswersStore
    store = AnswersStore(Path(sys.argv[1]), parts_of)
    k = 0
    print("ready", flush=True)
    while True:
        k += 1
        store.save("backprop/q1", "out_h1", "0.5945" if k % 2 else "0.6")
""")


def test_a_process_killed_while_saving_leaves_a_whole_file(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("# keep me\nset: backprop\nanswers:\n  q1:\n    out_h2: '0.5963'\n")
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    for delay in (0.05, 0.11, 0.17, 0.23, 0.31):
        proc = subprocess.Popen([sys.executable, str(script), str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})  # the source tree
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = load(path)  # parses: never half a file
        assert data["answers"]["q1"]["out_h2"] == "0.5963"
        assert data["answers"]["q1"].get("out_h1") in (None, "0.5945", "0.6")
        assert path.read_text().startswith("# keep me")


@pytest.mark.parametrize("text", ["{w1: -1, w2: 1}", "{W: [[1, 2], [3, 4]], b: [1, 2]}"])
def test_parse_mapping_keeps_typed_text(text):
    from dlcheck.cli.solve import parse_mapping

    parsed = parse_mapping(text)
    assert parsed is not None and all(isinstance(v, str) for v in parsed.values())
    assert parse_mapping("w1 = -1") is None
