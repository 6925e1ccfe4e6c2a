"""``dlcheck solve``: piped input, a real pseudo-terminal with Ctrl-C, resuming, atomic saves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

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
        if answer == "0.5963*1":  # this one answer takes forever to check (arithmetic: a literal number is
            # checked from the problem's card, grade/numeric.py, and never reaches the check patched here)
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
    s.line("0.5963*1")
    s.wait_for("CHECK-STARTED")
    s.type("ctrl-c")
    out = s.wait_for("Run solve again to resume")
    assert "stopped while checking your answer to out_h2; that answer was not saved" in out
    assert "(you typed: 0.5963*1)" in out and "1 answer saved to" in out and "(out_h1)" in out
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


# -- a student's own numbers (issue 11's variants; review-11-12 findings 1, 12, 14) -----------
def _forward(student: str | None) -> tuple[float, float, float, float]:
    """backprop/q1's out_h1, out_y1, out_y2 and out_h2 computed here from the givens the student draws (the sheet's
    weights w1..w8 = 0.15 ... 0.55 do not vary)."""
    import math

    from dlcheck.check.registry import variant_of

    g = {"x1": "0.05", "x2": "0.10", "b1": "0.35", "b2": "0.80", **(variant_of("backprop/q1", student) if student
                                                                    else {})}
    x1, x2, b1, b2 = (float(g[k]) for k in ("x1", "x2", "b1", "b2"))
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    h1, h2 = sig(0.15 * x1 + 0.25 * x2 + b1), sig(0.20 * x1 + 0.30 * x2 + b1)
    return h1, sig(0.40 * h1 + 0.50 * h2 + b2), sig(0.45 * h1 + 0.55 * h2 + b2), h2


def _out_h1(student: str | None) -> float:
    return _forward(student)[0]


def test_pty_solve_poses_and_checks_the_files_students_numbers(terminal, tmp_path):
    from dlcheck.check.registry import variant_of

    values = variant_of("backprop/q1", "7")
    h1, y1, y2, h2 = _forward("7")
    sheet_y1, sheet_y2 = _forward(None)[1:3]
    assert abs(y1 - sheet_y1) / y1 > 0.005 and abs(y2 - sheet_y2) / y2 > 0.005  # apart at the parts' tolerance
    path = tmp_path / "answers.yaml"  # saved on student 7's numbers, as grade checks them
    path.write_text(f'set: backprop\nstudent: "7"\nanswers:\n  q1:\n    out_h1: {h1:.6f}\n'
                    f'    out_h2: {h2:.6f}\n    out_y1: {y1:.6f}\n')
    s = terminal("solve", "backprop/q1", "--answers", str(path))
    out = s.wait_for("out_y2> ")
    assert f"x1 = {values['x1']}, x2 = {values['x2']}" in out and "x1 = 0.05" not in out
    assert "numbers for student 7" in out
    assert "resuming: 3 part(s) already answered" in out and "not right" not in out  # the resume verdicts too
    s.line(f"{sheet_y2:.4f}")              # the sheet's value: not this student's
    out = s.wait_for("out_y2> ")
    assert "incorrect" in out and "✓ correct" not in out
    s.line("explain")                      # worked with the student's numbers
    out = s.wait_for("out_y2> ")
    assert f"{y2:.6f}" in out and f"{sheet_y2:.6f}" not in out
    s.line(f"{y2:.4f}")                    # the student's own value: right
    out = s.wait_for("loss> ")
    assert "✓ correct" in out
    s.line("quit")
    s.wait_for("Run solve again to resume")
    assert s.finish() == 0
    doc = json.loads(CliRunner().invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    status = {p["id"]: p["status"] for p in doc["problems"][0]["parts"]}
    assert [status[p] for p in ("out_h1", "out_h2", "out_y1", "out_y2")] == ["correct"] * 4  # grade agrees


def test_solve_student_option_writes_the_id_into_a_file_without_one(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("# week 3\nset: backprop\nanswers: {}\n")
    result = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path), "--student", "7"],
                           input=f"{_out_h1('7'):.4f}\nquit\n")
    assert result.exit_code == 0, result.output
    assert "✓ correct" in result.output and 'student: "7" written to' in result.output
    text = path.read_text()
    assert text.startswith("# week 3\nset: backprop\nstudent: \"7\"\n")
    graded = json.loads(runner.invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    assert graded["problems"][0]["parts"][0]["status"] == "correct"
    # the same id again (spaces aside) is no conflict; another id is refused, the file untouched
    assert runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path), "--student", " 7 "],
                         input="quit\n").exit_code == 0
    before = path.read_text()
    refused = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path), "--student", "8"], input="quit\n")
    assert refused.exit_code == 2
    assert f"{path}:3:10: this file is student 7's" in refused.stderr and "--answers FILE" in refused.stderr
    assert "Traceback" not in refused.output and path.read_text() == before


def test_solve_student_option_alone_writes_nothing(runner, tmp_path):
    path = tmp_path / "s.yaml"
    result = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path), "--student", "7"], input="quit\n")
    assert result.exit_code == 0 and not path.exists()
    assert "numbers for student 7" in result.output


def test_show_without_student_uses_the_answers_file_like_explain(runner, tmp_path, monkeypatch):
    from dlcheck.check.registry import variant_of

    monkeypatch.chdir(tmp_path)
    values = variant_of("backprop/q1", "7")
    wide = {"COLUMNS": "120"}
    sheet = runner.invoke(app, ["show", "q1", "--set", "backprop"], env=wide).output  # no answers.yaml yet
    assert "x1 = 0.05" in sheet and "numbers for student" not in sheet
    (tmp_path / "answers.yaml").write_text('set: backprop\nstudent: "7"\nanswers: {}\n')
    shown = runner.invoke(app, ["show", "q1"], env=wide).output
    given = runner.invoke(app, ["show", "q1", "--student", "7"], env=wide).output
    panel = shown[:shown.index("╯") + 1]
    assert panel == given[:given.index("╯") + 1]               # the very statement of --student 7
    assert f"x1 = {values['x1']}, x2 = {values['x2']}" in panel and "numbers for student 7" in panel
    assert "student 7 is the student: in answers.yaml" in shown
    explained = runner.invoke(app, ["explain", "q1", "--part", "out_h1"], env=wide).output
    assert f"{_out_h1('7'):.6f}" in explained and f"{_out_h1(None):.6f}" not in explained
    # --answers FILE from another folder is read the same way
    monkeypatch.chdir(ROOT)
    other = runner.invoke(app, ["show", "q1", "--answers", str(tmp_path / "answers.yaml")], env=wide).output
    assert other[:other.index("╯") + 1] == panel
    missing = runner.invoke(app, ["show", "backprop/q1", "--answers", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "none.yaml: no such file" in missing.stderr


def test_nothing_saved_says_what_is_true(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "s.yaml"

    def session() -> str:
        out = runner.invoke(app, ["solve", "backprop/q1", "--answers", "s.yaml"], input="quit\n").output
        return " ".join(out.split())  # the message wraps at the terminal's width

    out = session()
    assert "nothing was saved (s.yaml was not created)" in out and "earlier answers are in" not in out
    assert not path.exists()
    path.write_text("# nothing yet\nanswers: {}\n")
    out = session()
    assert "nothing was saved (s.yaml holds no answers yet)" in out and "earlier answers are in" not in out
    path.write_text("set: backprop\nanswers:\n  q3:\n    more_expressive: 2\n")
    assert "nothing new was saved this time (earlier answers are in s.yaml)" in session()


def test_idk_at_the_prompt_says_what_explain_will_do(runner, tmp_path):
    """explain follows the spec's explain: policy; the hint after an idk says the same."""
    path = tmp_path / "a.yaml"
    out = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path)],  # explain: always
                        input="idk\nexplain\nquit\n").output
    assert "or explain for the worked solution" in out and "once you have" not in out
    assert f"{_out_h1(None):.6f}" in out and "attempt this part first" not in out
    out = runner.invoke(app, ["solve", "rnn-gradients/q5", "--answers", str(path)],  # explain: after_attempt
                        input="idk\nexplain\nquit\n").output
    assert "or explain once you have really tried this part" in out and "for the worked solution" not in out
    assert "attempt this part first" in out
