"""The grading pool keeps every bound: a hang, a crash or a blow-up in one part is a verdict, the
rest of the file and the other files are graded, and no worker outlives dlcheck.

Hangs, crashes and blow-ups are made by replacing the check with one that sleeps, dies or
allocates (the workers are forked from this process, so they run the replacement); the
bounds themselves are the real ones. No test here asserts a time: deadlines are generous
and only say when to stop waiting.
"""

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

import dlcheck.grade.work as work
from dlcheck.cli import app
from dlcheck.grade.batch import Source, grade_files
from dlcheck.grade.pool import Job, Pool

ROOT = Path(__file__).resolve().parent.parent
posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool forks its workers")

ANSWERS = """\
set: backprop
answers:
  q1:
    out_h1: 0.5945
    out_h2: {out_h2}
    out_y1: 0.7918
"""


def _misbehave(monkeypatch, trigger: str, action) -> None:
    """Checking the answer ``trigger`` runs ``action`` instead (in the worker); others are checked. A trigger
    is arithmetic (``0.1111*1``): a literal number is checked from the problem's card (grade/numeric.py) and
    never reaches the check replaced here."""
    real = work.check_and_diagnose

    def check(inst, pid, answer, earlier):
        if answer == trigger:
            action()
        return real(inst, pid, answer, earlier)

    monkeypatch.setattr(work, "check_and_diagnose", check)


def _file(tmp_path: Path, name: str, out_h2: str) -> Path:
    path = tmp_path / name
    path.write_text(ANSWERS.format(out_h2=out_h2), encoding="utf-8")
    return path


def _verdicts(result) -> dict:
    return {v.part: v for r in result.results for v in r.verdicts}


@posix_only
def test_a_hung_part_costs_one_bound_and_the_rest_is_graded(monkeypatch, tmp_path):
    _misbehave(monkeypatch, "0.1111*1", lambda: time.sleep(600))
    files = [_file(tmp_path, f"s{k}.yaml", "0.1111*1" if k == 1 else "0.5963") for k in range(4)]
    results = grade_files([Source(str(f), str(f)) for f in files], seconds=1.0, jobs=2)
    hung = _verdicts(results[1])
    assert hung["out_h2"].status == "undecided" and hung["out_h2"].detail["timed_out"] == 1.0
    assert "its worker was stopped and a fresh one took over" in hung["out_h2"].message
    # the parts after the hung one, in the same file, were checked by the fresh worker
    assert hung["out_y1"].status == "correct" and hung["out_h1"].status == "correct"
    assert hung["loss"].status == "missing" and len(hung) == 25
    for k in (0, 2, 3):
        assert _verdicts(results[k])["out_h2"].status == "correct"


@posix_only
def test_a_crashing_check_is_a_verdict_naming_how_its_worker_died(monkeypatch, tmp_path):
    _misbehave(monkeypatch, "0.2222*1", lambda: os.kill(os.getpid(), signal.SIGSEGV))
    results = grade_files([Source(str(p), str(p)) for p in (_file(tmp_path, "a.yaml", "0.2222*1"),
                                                             _file(tmp_path, "b.yaml", "0.5963"))], jobs=1)
    crashed = _verdicts(results[0])["out_h2"]
    assert crashed.status == "undecided" and "SIGSEGV" in crashed.message
    assert _verdicts(results[0])["out_y1"].status == "correct"
    assert _verdicts(results[1])["out_h2"].status == "correct"


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space cap is Linux's RLIMIT_AS")
def test_a_blow_up_in_memory_is_too_large_to_check_not_a_memory_error(monkeypatch, tmp_path):
    hoard: list[bytearray] = []
    _misbehave(monkeypatch, "0.3333*1", lambda: hoard.append(bytearray(3 * 2**30)))  # 3 GB: past the cap
    results = grade_files([Source(str(p), str(p)) for p in (_file(tmp_path, "a.yaml", "0.3333*1"),
                                                             _file(tmp_path, "b.yaml", "0.5963"))], jobs=1)
    blown = _verdicts(results[0])["out_h2"]
    assert blown.status == "undecided" and blown.message.startswith("too large to check")
    assert _verdicts(results[0])["out_y1"].status == "correct"     # the same worker finished the file ...
    assert _verdicts(results[1])["out_h2"].status == "correct"     # ... then retired; a fresh one took over


@posix_only
def test_a_failure_of_dlcheck_is_a_sentence_and_keeps_its_traceback(monkeypatch, tmp_path):
    def broken():
        raise ZeroDivisionError("division by zero in a checker")

    _misbehave(monkeypatch, "0.4444*1", broken)
    result = grade_files([Source(str(p), str(p)) for p in [_file(tmp_path, "a.yaml", "0.4444*1")]])[0]
    v = _verdicts(result)["out_h2"]
    assert v.status == "undecided" and "dlcheck failed while checking this answer" in v.message
    assert "ZeroDivisionError" not in v.message
    assert v.detail["error"]["type"] == "ZeroDivisionError" and "in broken" in v.trace


@posix_only
def test_no_worker_outlives_the_pool(monkeypatch):
    pool = Pool(jobs=2, seconds=5.0)
    with pool:
        pool.run([Job(k, None, []) for k in range(3)])
        pids = [w.pid for w in pool.workers]
        assert 1 <= len(pids) <= 2
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # collected: neither running nor a zombie


@posix_only
def test_one_broken_file_is_a_row_and_the_others_are_graded(tmp_path):
    good = _file(tmp_path, "good.yaml", "0.5963")
    bad = tmp_path / "bad.yaml"
    bad.write_text("set: backprop\nanswers:\n  q1:\n    out_h1: [0.5, 0.6\n", encoding="utf-8")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02binary")
    results = grade_files([Source(str(p), str(p)) for p in (bad, good, binary)], jobs=2)
    assert results[0].error is not None and results[0].error.line == 4
    assert results[1].error is None and _verdicts(results[1])["out_h2"].status == "correct"
    assert results[2].error is not None and "NUL (U+0000)" in str(results[2].error)  # binary: its first byte
    assert results[2].error.errors[0].line == 1 and results[2].error.errors[0].column == 1


KILLED = textwrap.dedent("""
    import sys, time
    import dlcheck.grade.work as work

    real = work.check_and_diagnose

    def slow(inst, pid, answer, earlier):
        if answer == "0.5963*1":  # arithmetic: a literal is checked from the card (grade/numeric.py), not here
            print("CHECK-STARTED", flush=True)
            time.sleep(600)
        return real(inst, pid, answer, earlier)

    work.check_and_diagnose = slow
    from dlcheck.cli import main

    sys.argv = ["dlcheck", *sys.argv[1:]]
    main()
""")


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and int(entry.name) not in found:
                found.add(int(entry.name))
                frontier.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_sigkill_of_dlcheck_grade_leaves_no_worker_behind(tmp_path):
    files = [_file(tmp_path, f"s{k}.yaml", "0.5963*1") for k in range(3)]
    proc = subprocess.Popen([sys.executable, "-c", KILLED, "grade", "--jobs", "2", "--timeout", "600",
                             *map(str, files)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                            start_new_session=True)
    workers: set[int] = set()
    try:
        line = b""
        deadline = time.monotonic() + 120
        while b"CHECK-STARTED" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line and proc.poll() is not None:
                break
        assert b"CHECK-STARTED" in line, proc.stderr.read().decode()  # type: ignore[union-attr]
        workers = _children(proc.pid)
        assert workers, "the check runs in a worker process"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 60
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = [pid for pid in workers if _alive(pid)]
        assert not survivors, f"workers left running after SIGKILL: {survivors}"
    finally:  # whatever happened, nothing of this test keeps running
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        for pid in workers | _children(proc.pid):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "0.1", "-5"])
def test_a_timeout_that_is_no_bound_is_refused_in_one_sentence(runner, value):
    result = runner.invoke(app, ["grade", str(ROOT / "examples" / "answers.yaml"), "--timeout", value])
    assert result.exit_code == 2
    assert "--timeout" in result.output and "from 0.5 to 3600" in result.output
    assert "Traceback" not in result.output and "Overflow" not in result.output


def test_json_of_a_hung_part_says_what_happened(monkeypatch, tmp_path, runner):
    # arithmetic: one file of literal numbers is checked from the problem's card (grade/numeric.py), not here
    _misbehave(monkeypatch, "0.5555*1", lambda: time.sleep(600))
    path = _file(tmp_path, "a.yaml", "0.5555*1")
    result = runner.invoke(app, ["grade", str(path), "--format", "json", "--timeout", "1"])
    doc = json.loads(result.stdout)
    part = next(p for p in doc["problems"][0]["parts"] if p["id"] == "out_h2")
    assert part["status"] == "undecided" and part["detail"]["timed_out"] == 1.0
    assert result.exit_code == 1
