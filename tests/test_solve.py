"""``dlcheck solve``: piped input, a real pseudo-terminal with Ctrl-C, resuming, atomic saves."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dlcheck.cli import app

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


def _read_until(fd: int, needle: str, timeout: float = 60.0) -> str:
    buf = ""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; screen so far:\n{buf[-2000:]}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += ANSI.sub("", chunk.decode(errors="replace"))
    return buf


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _finish(pid: int, fd: int, failed: bool) -> int:
    """Reap the child; if the test already failed, kill it first so nothing hangs."""
    if failed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return status


def test_pseudo_terminal_session_survives_ctrl_c_and_resumes(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("# keep me\nset: backprop\nanswers: {}\n")
    env = dict(os.environ, COLUMNS="120", TERM="xterm", PYTHONPATH=str(ROOT))  # the source tree

    def start():
        pid, fd = pty.fork()
        if pid == 0:  # child: a real terminal session
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "dlcheck", "solve", "backprop/q1", "--answers",
                                       str(path)], env)
        return pid, fd

    pid, fd = start()
    failed = True
    try:
        _read_until(fd, "out_h1> ")
        os.write(fd, b"0.59\r")
        _read_until(fd, "try again")
        os.write(fd, b"hint\r")
        os.write(fd, b"0.5945\r")
        _read_until(fd, "out_h2> ")
        os.write(fd, b"0.5963\r")
        _read_until(fd, "out_y1> ")
        os.write(fd, b"\x03")  # Ctrl-C at the prompt
        out = _read_until(fd, "Run solve again to resume")
        assert "saved" in out
        failed = False
    finally:
        status = _finish(pid, fd, failed)
    assert os.waitstatus_to_exitcode(status) == 130
    saved = load(path)["answers"]["q1"]
    assert saved == {"out_h1": "0.5945", "out_h2": "0.5963"}
    assert path.read_text().startswith("# keep me")

    pid, fd = start()  # resume: the next prompt is out_y1
    failed = True
    try:
        out = _read_until(fd, "out_y1> ")
        assert "resuming: 2 part(s) already answered" in out
        os.write(fd, b"quit\r")
        _read_until(fd, "Run solve again")
        failed = False
    finally:
        _finish(pid, fd, failed)


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
