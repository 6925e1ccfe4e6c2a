"""What only a real process shows: bytes on a terminal, exit codes, memory, children after SIGKILL.

The corpus's terminal and Unicode payloads are packed into a few answers files and graded by
a real ``dlcheck`` under a pseudo-terminal (where click strips nothing), and typed into
``solve`` and ``compare``; the files a reader must refuse by what they are (a FIFO, a
device, an alias bomb, 50 MB) are given to real processes. Every run: no traceback or
"internal error", no raw control byte from the input, exit 0/1/2 as documented, within its
budget ((parts x part bound) + 1 s over the cost of starting dlcheck, measured here), peak
memory (``wait4``, which counts the checks dlcheck forks) under 500 MB.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcheck.check.registry import get_spec, parts_of
from dlcheck.grade.run import PART_SECONDS
from tests.hostile import harness as H
from tests.hostile.inproc import MAX_RSS_MB, SLACK, kind_of_part
from tests.hostile.test_corpus import CORPUS, PENDING

ROOT = Path(__file__).resolve().parents[2]
DLCHECK = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); from dlcheck.cli import main; main()"]
SCREEN = ("terminal-escapes", "unicode-tricks")


@pytest.fixture(scope="module")
def startup() -> float:
    """What starting dlcheck and refusing a missing file costs on this machine now (imports included)."""
    runs = [H.run_dlcheck(DLCHECK, ["grade", "/nonexistent/answers.yaml"], timeout=120, cwd=str(ROOT))
            for _ in range(2)]
    return min(r.wall for r in runs)


def run(args: list[str], input_text: str, startup: float, parts: int = 0, tty: bool = False,
        stdin: bytes | None = None) -> H.Run:
    """One real dlcheck; whatever it did wrong is an assertion naming the command."""
    budget = parts * PART_SECONDS + SLACK
    r = H.run_dlcheck(DLCHECK, args, timeout=budget + startup + 60, cwd=str(ROOT), tty_mode=tty, stdin=stdin,
                      mem_mb=0)
    problems = [k for k in H.output_problems(r, input_text) if k != "c0-other"]
    if r.wall > startup + budget:
        problems.append(f"took {r.wall:.1f} s, over its budget of {budget:g} s (+{startup:.1f} s to start)")
    if r.maxrss_kb / 1024 > MAX_RSS_MB:
        problems.append(f"peaked at {r.maxrss_kb / 1024:.0f} MB")
    assert not problems, f"dlcheck {' '.join(args)[:200]}: {problems}\n{r.output[-3000:]!r}"
    return r


def screen_files(tmp_path: Path) -> list[tuple[Path, str, int]]:
    """The terminal and Unicode payloads of answers (not keys) packed into as few answers files as the
    bank's parts allow, each in a part of its kind: (file, its input text, parts graded). Here only the
    screen is judged, so a payload may stand in any part of its kind (the corpus test judges verdicts)."""
    entries = [e for e in CORPUS if e["family"] in SCREEN and e["id"] not in PENDING and e.get("embed") != "raw"
               and "part" in e["target"] and not e["target"].get("field_key") and e["expect"] != "error"]
    pools: dict[str, list[tuple[str, str, str | None]]] = {}
    for problem in ("backprop/q1", "backprop/q2", "backprop/q3", "rnn/q1", "rnn/q2", "rnn/q3", "attention/q1",
                    "rnn-gradients/q5"):
        for part, spec in get_spec(problem).problem.parts.items():
            if spec.kind == "construction":
                for name in H.KNOWN_CONSTRUCTIONS.get((problem, part), {}):
                    pools.setdefault("construction", []).append((problem, part, name))
            else:
                kind = spec.kind if spec.kind in ("choice", "essay") else "value"
                pools.setdefault(kind, []).append((problem, part, None))
    files: list[dict] = []
    used: dict[str, int] = {}
    for e in entries:
        kind = kind_of_part(e["target"]["problem"], e["target"]["part"])
        kind = kind if kind in ("choice", "essay", "construction") else "value"
        k = used.get(kind, 0)
        used[kind] = k + 1
        n, (problem, part, field) = divmod(k, len(pools[kind]))[0], pools[kind][k % len(pools[kind])]
        while len(files) <= n:
            files.append({})
        answer = files[n].setdefault(problem, {}).setdefault(part, {} if field else None)
        payload = H.payload_text(e)
        if field:
            answer[field] = payload
        else:
            files[n][problem][part] = payload
    out = []
    for n, answers in enumerate(files):
        lines = [f"student: {H.yaml_dq(H.payload_text(BY['te-001']))}", "answers:"]
        for problem, parts in answers.items():
            lines.append(f"  {H.yaml_dq(problem)}:")
            for part, answer in parts.items():
                if isinstance(answer, dict):
                    fields = {**H.KNOWN_CONSTRUCTIONS[(problem, part)], **answer}
                    lines += [f"    {H.yaml_dq(part)}:"] + [f"      {H.yaml_dq(k)}: {H.yaml_dq(v)}"
                                                           for k, v in fields.items()]
                else:
                    lines.append(f"    {H.yaml_dq(part)}: {H.yaml_dq(answer)}")
        path = tmp_path / f"screen{n}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        text = path.read_text() + "".join(H.payload_text(e) for e in entries) + H.payload_text(BY["te-001"])
        out.append((path, text, sum(len(parts_of(p)) for p in answers)))
    return out


def test_grading_screen_payloads_under_a_terminal_sends_nothing_raw(tmp_path, startup):
    files = screen_files(tmp_path)
    assert len(files) >= 2
    for path, text, parts in files:
        r = run(["grade", str(path)], text, startup, parts, tty=True)
        assert r.rc == 1 and b"Score:" in r.stdout
        if "\x1b" in text:
            assert b"\\x1b" in r.stdout  # shown, escaped


def test_errors_quoting_hostile_keys_send_nothing_raw(tmp_path, startup):
    """Unknown part and problem keys, a student and a set: every error of the file, each made visible."""
    keys = [e for e in CORPUS if e["family"] in SCREEN and e["target"].get("part_key")]
    problems = [e for e in CORPUS if e["family"] in SCREEN and e["target"].get("problem_key")]
    lines = ['set: "backprop"', f"student: {H.yaml_dq(H.payload_text(BY['te-001']))}", "answers:", '  "q1":']
    lines += [f"    {H.yaml_dq(H.payload_text(e))}: \"0.1\"" for e in keys]
    lines += [f"  {H.yaml_dq(H.payload_text(e))}:\n    out_h1: \"0.1\"" for e in problems]
    path = tmp_path / "keys.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    payloads = "".join(H.payload_text(e) for e in keys + problems + [BY["te-001"]])
    for tty in (True,):
        r = run(["grade", str(path)], path.read_text() + payloads, startup, tty=tty)
        assert r.rc == 2 and r.stdout == b""
        assert r.stderr.count(b"error: ") == len(keys) + len(problems)  # every error at once (the student is fine)
        assert b"has no part '\\x1b]0;PWNED\\x07" in r.stderr
    r = run(["grade", str(path), "--format", "json"], path.read_text() + payloads, startup)
    assert r.rc == 2 and b'"errors"' in r.stdout


def test_raw_characters_in_a_file_are_reported_visibly(tmp_path, startup):
    raw = [e for e in CORPUS if e["family"] in SCREEN and e.get("embed") == "raw"]
    path = tmp_path / "raw.yaml"
    lines = ["answers:", '  "backprop/q1":'] + [f"    out_h{k}: {H.yaml_dq_raw(H.payload_text(e))}"
                                                 for k, e in enumerate(raw)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    r = run(["grade", str(path)], path.read_bytes().decode("utf-8", "surrogateescape"), startup, tty=True)
    assert r.rc == 2 and b"error: " in r.stderr


def test_compare_on_a_terminal(startup):
    """Both sides of compare are typed text: a hostile expected value and a hostile answer, on a terminal."""
    for expected, answer in (("te-001", "te-032"), ("ut-001", "te-036")):
        texts = [H.payload_text(BY[expected]), H.payload_text(BY[answer])]
        r = run(["compare", "--", *texts], "".join(texts), startup, parts=1, tty=True)
        assert r.rc == 2 and b"invalid" in r.stdout


def test_solve_with_hostile_typing_sends_nothing_raw_and_saves_exactly(tmp_path, startup):
    """Escapes typed at a vector part, a choice part (its message quotes the typing) and an essay:
    shown escaped, the essay saved exactly."""
    path = tmp_path / "answers.yaml"
    order = parts_of("rnn/q3")
    essay = "argmax \x1b[2J\x1b[H\x9b2J\u202e has no gradient"
    typed = [H.payload_text(BY["te-001"])] + ["skip"] * order.index("why_not_argmax") + [essay, "quit"]
    text = "\n".join(typed) + "\n"
    r = run(["solve", "rnn/q3", "--answers", str(path)], text, startup, parts=len(order) + 1,
            stdin=text.encode("utf-8"))
    assert r.rc == 0, r.output[-2000:]
    saved = H._yaml_loader()(path.read_text(encoding="utf-8"))["answers"]["q3"]
    assert saved == {"why_not_argmax": essay}
    typed = [H.payload_text(BY["te-046"]), H.payload_text(BY["te-047"]), "quit"]  # rnn/q1 a: a choice whose
    text = "\n".join(typed) + "\n"                                              # message quotes the typing
    r = run(["solve", "rnn/q1", "--answers", str(tmp_path / "c.yaml")], text, startup, parts=5,
            stdin=text.encode("utf-8"))
    assert r.rc == 0 and b"not an option" in r.stdout


@pytest.mark.parametrize("make", ["fifo", "dev-zero", "alias-bomb", "sparse-10-GB"])
def test_files_refused_by_what_they_are(tmp_path, startup, make):
    path = tmp_path / "answers.yaml"
    if make == "fifo":
        os.mkfifo(path)
    elif make.startswith("dev-"):
        path.symlink_to(f"/dev/{make[4:]}")
    elif make == "alias-bomb":
        path.write_text(H.materialise(BY["ya-001"], tmp_path / "canary", tmp_path).read_text())
    else:
        with open(path, "wb") as fh:
            fh.truncate(10 * 10**9)
    r = run(["grade", str(path)], "", startup)
    assert r.rc == 2 and r.stderr.startswith(b"error: ") and r.stdout == b""


def _session_members(sid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ProcessLookupError):
                if os.getsid(int(entry)) == sid:
                    members.append(int(entry))
    return members


HANG = ("import sys, time, dataclasses; sys.path.insert(0, {root!r})\n"
        "from dlcheck.check import registry\n"
        "def hang(inst, pid, answer):\n    time.sleep(120)\n"
        "registry.KINDS['number'] = dataclasses.replace(registry.KINDS['number'], check=hang)\n"
        "from dlcheck.cli import main\nmain()\n")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the children through /proc")
def test_sigkill_of_grade_leaves_no_check_running(tmp_path):
    """A check stuck (a sympy call in C, say): ``dlcheck grade`` is SIGKILLed, as ``timeout -s KILL`` or a
    CI runner would; no check may outlive it."""
    path = tmp_path / "answers.yaml"
    # arithmetic: a literal number is checked from the problem's card (grade/numeric.py), never hanging here
    path.write_text('answers:\n  "backprop/q1":\n    "out_h1": "0.5945*1"\n')
    proc = subprocess.Popen([sys.executable, "-c", HANG.format(root=str(ROOT)), "grade", str(path),
                             "--timeout", "100"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(_session_members(proc.pid)) < 2:  # dlcheck and at least one check it forked
            assert proc.poll() is None and time.monotonic() < deadline, "no check was started"
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _session_members(proc.pid)
        assert not left, f"{len(left)} process(es) outlived dlcheck: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


BY = {e["id"]: e for e in CORPUS}
