"""Without fork (Windows; macOS; a threaded host such as a Jupyter kernel; DLCHECK_NO_FORK=1): bounded
checks and the grading pool use warm spawned workers (issue 21, item 4).

A dlcheck process here has ``os.fork`` really hidden: a ``sitecustomize`` on its PYTHONPATH deletes it
before dlcheck is imported (as on Windows, where it does not exist). Spawned workers inherit nothing from
their parent, so a check is made to hang or fail by the same ``sitecustomize``, in every process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dlcheck.engine import bounded as bounded_module
from dlcheck.engine import spawned
from dlcheck.engine.bounded import TimeLimit, bounded

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SITECUSTOMIZE = textwrap.dedent("""
    import os

    if os.environ.get("TEST_HIDE_FORK"):
        for name in ("fork", "forkpty"):
            if hasattr(os, name):
                delattr(os, name)

    if os.environ.get("TEST_TRIGGER"):
        import time

        import dlcheck.grade.work as work

        _real = work.check_and_diagnose

        def _check(inst, pid, answer, earlier):
            if answer == os.environ["TEST_TRIGGER"]:
                with open(os.environ["TEST_MARKER"], "a") as fh:
                    fh.write(str(os.getpid()) + "\\n")
                if os.environ["TEST_ACTION"] == "hang":
                    time.sleep(600)
                raise KeyError("no such thing")
            return _real(inst, pid, answer, earlier)

        work.check_and_diagnose = _check
""")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return folder


def dlcheck_run(site: Path, *args: str, hide: bool = True, timeout: float = 600, **extra: str):
    """``python -m dlcheck ARGS`` with fork hidden (``hide``); (completed process, wall seconds)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DLCHECK_NO_FORK", "TEST_HIDE_FORK", "TEST_TRIGGER")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    env["COLUMNS"] = "80"
    if hide:
        env["TEST_HIDE_FORK"] = "1"
    env.update(extra)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "dlcheck", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)
    return done, time.monotonic() - start


def test_fork_is_used_only_where_it_is_safe(monkeypatch):
    monkeypatch.delenv("DLCHECK_NO_FORK", raising=False)
    if not hasattr(os, "fork") or sys.platform == "darwin":
        assert not spawned.fork_usable()
        return
    assert spawned.fork_usable() == (threading.active_count() == 1)
    monkeypatch.setenv("DLCHECK_NO_FORK", "1")
    assert not spawned.fork_usable()
    monkeypatch.setenv("DLCHECK_NO_FORK", "0")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not spawned.fork_usable()   # a threaded process (a Jupyter kernel) does not fork
    finally:
        stop.set()
        thread.join()


def test_one_file_graded_without_fork_is_the_same_json(site):
    forked, _ = dlcheck_run(site, "grade", "examples/answers.yaml", "--format", "json", hide=False)
    hidden, _ = dlcheck_run(site, "grade", "examples/answers.yaml", "--format", "json")
    assert "internal error" not in hidden.stdout + hidden.stderr
    assert hidden.returncode == forked.returncode == 1, hidden.stderr
    assert json.loads(hidden.stdout) == json.loads(forked.stdout)
    table, _ = dlcheck_run(site, "grade", "examples/answers.yaml")
    assert "Sign error" in table.stdout and table.returncode == 1


def test_a_class_graded_without_fork_is_the_same_json(site, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for source in sorted(EXAMPLES.glob("*.yaml")):
        shutil.copy(source, folder / source.name)
    text = (EXAMPLES / "answers.yaml").read_text("utf-8")
    (folder / "varied.yaml").write_text(text.replace("# student:", "student:"), encoding="utf-8")
    (folder / "broken.yaml").write_text("set: backprop\nanswers:\n  q1:\n    los: 1\n", encoding="utf-8")
    args = ("grade", str(folder), "--format", "json", "--jobs", "2")
    forked, _ = dlcheck_run(site, *args, hide=False)
    hidden, _ = dlcheck_run(site, *args)
    assert hidden.returncode == forked.returncode, hidden.stderr
    docs = json.loads(hidden.stdout)
    assert docs == json.loads(forked.stdout)
    assert len(docs) == len(list(folder.glob("*.yaml"))) and any("error" in d for d in docs)
    csv_forked, _ = dlcheck_run(site, "grade", str(folder), "--format", "csv", hide=False)
    csv_hidden, _ = dlcheck_run(site, "grade", str(folder), "--format", "csv")
    assert csv_hidden.stdout == csv_forked.stdout and "varied.yaml" in csv_hidden.stdout


def test_a_hung_part_without_fork_ends_within_its_bound(site, tmp_path):
    answers = tmp_path / "hung.yaml"
    # arithmetic: a literal number is checked from the problem's card (grade/numeric.py), never hanging
    answers.write_text('set: backprop\nanswers:\n  q1:\n    out_h1: "0.123456789*1"\n    out_h2: 0.5963\n',
                       encoding="utf-8")
    marker = tmp_path / "started"
    bound = 3.0
    calm, calm_wall = dlcheck_run(site, "grade", str(answers), "--format", "json", "--timeout", str(bound),
                                  TEST_TRIGGER="never typed", TEST_MARKER=str(marker), TEST_ACTION="hang")
    hung, hung_wall = dlcheck_run(site, "grade", str(answers), "--format", "json", "--timeout", str(bound),
                                  TEST_TRIGGER="0.123456789*1", TEST_MARKER=str(marker), TEST_ACTION="hang")
    parts = {p["id"]: p for p in json.loads(hung.stdout)["problems"][0]["parts"]}
    assert marker.is_file()   # the check did hang, in a spawned worker
    assert parts["out_h1"]["status"] == "undecided" and parts["out_h1"]["detail"]["timed_out"] == bound
    assert f"took longer than {bound:g} s" in parts["out_h1"]["message"]
    assert parts["out_h2"]["status"] == "correct"   # the rest of the file, in a fresh worker
    # the hang costs its bound and a fresh worker's start, nothing like the 600 s it would take
    assert hung_wall - calm_wall < bound + 60, (hung_wall, calm_wall)
    assert json.loads(calm.stdout)["problems"][0]["parts"][0]["status"] == "incorrect"


def test_an_internal_error_without_fork_is_a_sentence_and_debug_shows_its_traceback(site, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945*1\n", encoding="utf-8")  # arithmetic
    env = {"TEST_TRIGGER": "0.5945*1", "TEST_MARKER": str(tmp_path / "m"), "TEST_ACTION": "fail"}
    done, _ = dlcheck_run(site, "grade", str(answers), "--format", "json", **env)
    part = json.loads(done.stdout)["problems"][0]["parts"][0]
    assert part["status"] == "undecided" and part["detail"]["error"] == {"type": "KeyError",
                                                                         "message": "'no such thing'"}
    loud, _ = dlcheck_run(site, "--debug", "grade", str(answers), **env)
    assert "Traceback" in loud.stderr and "in _check" in loud.stderr


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_sigkill_of_dlcheck_without_fork_leaves_no_worker_behind(site, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("set: backprop\nanswers:\n  q1:\n    out_h2: 0.5963*1\n", encoding="utf-8")  # arithmetic
    marker = tmp_path / "started"
    env = {k: v for k, v in os.environ.items() if k != "DLCHECK_NO_FORK"}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), TEST_HIDE_FORK="1", TEST_TRIGGER="0.5963*1",
               TEST_MARKER=str(marker), TEST_ACTION="hang")
    proc = subprocess.Popen([sys.executable, "-m", "dlcheck", "grade", "--timeout", "600", str(answers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while not marker.is_file() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert marker.is_file(), "the check never started"
        worker = int(marker.read_text().split()[0])
        assert worker != proc.pid and _alive(worker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 30
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "a spawned worker outlived dlcheck"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_compare_and_explain_work_without_fork(site):
    done, _ = dlcheck_run(site, "compare", "sigmoid(x)*(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))^2")
    assert done.returncode == 0 and "correct" in done.stdout, done.stderr
    wrong, _ = dlcheck_run(site, "compare", "0.5", "0.6")
    assert wrong.returncode == 1 and "incorrect" in wrong.stdout
    explained, _ = dlcheck_run(site, "explain", "backprop/q1", "--format", "md")
    assert explained.returncode == 0 and "## Part `loss`" in explained.stdout, explained.stderr


# -- in this process: engine.bounded and grade.run without fork -------------------------------
def test_bounded_without_fork_answers_raises_and_stops_a_hang(monkeypatch):
    monkeypatch.setenv("DLCHECK_NO_FORK", "1")
    assert bounded(sum, [1, 2, 3], seconds=60) == 6
    worker = spawned.warm_worker(bounded_module._spawned_child, None)
    first = worker.process.pid
    with pytest.raises(ZeroDivisionError) as caught:
        bounded(divmod, 1, 0, seconds=60)
    assert "ZeroDivisionError" in caught.value.child_traceback
    start = time.monotonic()
    with pytest.raises(TimeLimit):
        bounded(time.sleep, 600, seconds=1.0)
    assert time.monotonic() - start < 30
    assert bounded(sum, [4, 5], seconds=60) == 9   # a fresh worker took the killed one's place
    assert worker.process.pid != first


def test_a_part_checked_alone_without_fork(monkeypatch):
    """``solve`` checks one part at a time (grade.run.grade_part): the instance is sent to a warm worker."""
    from dlcheck.check.registry import instance_for
    from dlcheck.grade.run import grade_part

    monkeypatch.setenv("DLCHECK_NO_FORK", "1")
    inst = instance_for("backprop/q1")
    assert grade_part(inst, "out_h1", "0.5945", {}).status.value == "correct"
    wrong = grade_part(inst, "dE_dw5", "-0.0766", {})
    assert wrong.status.value == "incorrect" and "Sign error" in wrong.message


def test_the_api_without_fork_stops_a_hung_check_and_goes_on(site, tmp_path):
    code = textwrap.dedent("""
        import time, dlcheck
        start = time.monotonic()
        hung = dlcheck.check("backprop/q1", "out_h1", "0.123456789*1")  # arithmetic: not from the card
        print(hung.status.value, round(time.monotonic() - start, 1))
        print(hung.message)
        print(dlcheck.check("backprop/q1", "out_h1", 0.5945).status.value)
    """)
    env = {k: v for k, v in os.environ.items() if k != "DLCHECK_NO_FORK"}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), TEST_HIDE_FORK="1", TEST_TRIGGER="0.123456789*1",
               TEST_MARKER=str(tmp_path / "m"), TEST_ACTION="hang")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("undecided"), done.stderr
    assert float(lines[0].split()[1]) < 5 + 60   # the part's bound (5 s) and a busy machine, not 600 s
    assert "took longer than 5 s" in lines[1]
    assert lines[2] == "correct"   # a fresh worker took the hung one's place
