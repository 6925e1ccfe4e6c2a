"""``solve``'s saves never lose an answer (issue 12): locked, merged, atomic, honest when they cannot.

Fault tests: SIGKILL at random moments during saves (120 times), two writers on one
file, a read-only file and folder, a full disk (a real tiny tmpfs where the machine
allows one, and a simulated ENOSPC everywhere), a symlinked file. After each, the file
is valid YAML with its comments and holds every answer a save reported as done.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dlcheck.core.safefile import SaveError, temp_files
from dlcheck.spec.store import AnswersStore

ROOT = Path(__file__).resolve().parent.parent
PARTS = [f"p{i}" for i in range(200)]
HEADER = "# my homework, keep this comment\nset: backprop\nanswers:\n  q1:\n    out_h1: '0.5945'   # from class\n"


def parts_of(pid: str) -> list[str]:
    """Parts for the store's checks, with no sympy: backprop/q1's own and many made-up ones."""
    return ["out_h1", "out_h2", "out_y1", "out_y2", "loss", *PARTS]


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def saved(path: Path) -> dict:
    return {k: str(v) for k, v in (load(path)["answers"]["q1"] or {}).items()}


@pytest.fixture
def answers(tmp_path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(HEADER)
    return path


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}  # the source tree, even when an installed copy exists


# -- merging -----------------------------------------------------------------------------
def test_another_sessions_answers_survive_a_save(answers):
    mine, theirs = AnswersStore(answers, parts_of), AnswersStore(answers, parts_of)
    assert theirs.save("backprop/q1", "out_h2", "0.5963") == []
    assert mine.save("backprop/q1", "out_y1", "0.7918") == []  # mine had not seen out_h2: merged, not lost
    assert saved(answers) == {"out_h1": "0.5945", "out_h2": "0.5963", "out_y1": "0.7918"}
    assert answers.read_text().startswith("# my homework") and "# from class" in answers.read_text()
    assert mine.answers_for("backprop/q1")["out_h2"] == "0.5963"  # and this session now knows it


def test_a_pending_student_id_is_written_with_the_first_answer_after_set(answers):
    store = AnswersStore(answers, parts_of)
    store.pending_student = "7"
    notes = store.save("backprop/q1", "out_h2", "0.5963")
    assert any('student: "7" written to' in n for n in notes)
    text = answers.read_text()
    assert text.startswith("# my homework, keep this comment\nset: backprop\nstudent: \"7\"\nanswers:")
    assert "# from class" in text and store.student == "7" and store.pending_student is None
    assert store.save("backprop/q1", "out_y1", "0.7918") == []  # written once


def test_a_student_id_another_session_wrote_meanwhile_is_not_overwritten(answers):
    mine, theirs = AnswersStore(answers, parts_of), AnswersStore(answers, parts_of)
    mine.pending_student = "7"
    theirs.pending_student = "8"
    theirs.save("backprop/q1", "out_h2", "0.5963")
    with pytest.raises(SaveError, match="another session wrote student: 8"):
        mine.save("backprop/q1", "out_y1", "0.7918")  # checked on student 7's numbers: not under 8
    assert load(answers)["student"] == "8" and "out_y1" not in saved(answers)
    assert mine.pending == {("backprop/q1", "out_y1"): "0.7918"}  # kept for the session, not lost


def test_a_conflict_on_the_same_part_keeps_the_newer_and_says_so(answers):
    mine, theirs = AnswersStore(answers, parts_of), AnswersStore(answers, parts_of)
    theirs.save("backprop/q1", "loss", "0.2983")
    notes = mine.save("backprop/q1", "loss", "0.3234")
    assert saved(answers)["loss"] == "0.3234"
    assert len(notes) == 1 and "another dlcheck session saved a different answer to loss" in notes[0]
    assert "(0.2983)" in notes[0] and "yours is newer and replaces it" in notes[0]
    assert mine.save("backprop/q1", "out_y2", "0.8015") == []  # no conflict: no note


def test_a_file_broken_by_another_program_is_not_overwritten(answers):
    store = AnswersStore(answers, parts_of)
    answers.write_text(HEADER + "    out_h2: [0.5\n")
    broken = answers.read_text()
    with pytest.raises(SaveError) as caught:
        store.save("backprop/q1", "loss", "0.3234")
    assert "another program changed it and it cannot be read now (line 6" in caught.value.message
    assert answers.read_text() == broken and store.pending == {("backprop/q1", "loss"): "0.3234"}


# -- files and permissions -----------------------------------------------------------------
def test_stale_temporary_files_are_removed_and_others_left(answers):
    folder = answers.parent
    stale = [folder / ".answers.yaml.k3j_x9ab.tmp", folder / ".answers.yaml.zz.tmp"]
    others = [folder / ".other.yaml.abc.tmp", folder / "answers.yaml.bak", folder / ".answers.yaml.tmp.keep"]
    for p in stale + others:
        p.write_text("half a file")
    AnswersStore(answers, parts_of)  # opening cleans up when no save is under way
    assert not any(p.exists() for p in stale) and all(p.exists() for p in others)
    stale[0].write_text("half a file")
    AnswersStore(answers, parts_of).save("backprop/q1", "loss", "1")  # so does every save
    assert not stale[0].exists() and temp_files(answers) == []


def test_a_read_only_file_is_respected(answers):
    answers.chmod(0o444)
    before = answers.read_text()
    store = AnswersStore(answers, parts_of)
    with pytest.raises(SaveError) as caught:
        store.save("backprop/q1", "loss", "0.3234")
    assert "the file is read-only, so it was left as it is" in caught.value.message
    assert "chmod u+w" in caught.value.message
    assert answers.read_text() == before and (answers.stat().st_mode & 0o777) == 0o444
    assert store.pending == {("backprop/q1", "loss"): "0.3234"}
    answers.chmod(0o644)  # made writable again: the kept answer goes in with the next save
    store.save("backprop/q1", "out_h2", "0.5963")
    assert saved(answers)["loss"] == "0.3234" and store.pending == {}


def test_a_symlinked_file_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "course" / "mine.yaml"
    real.parent.mkdir()
    real.write_text(HEADER)
    link = tmp_path / "answers.yaml"
    link.symlink_to(os.path.relpath(real, tmp_path))
    AnswersStore(link, parts_of).save("backprop/q1", "loss", "0.3234")
    assert link.is_symlink() and saved(real)["loss"] == "0.3234"
    assert temp_files(real) == [] and not list(tmp_path.glob(".answers.yaml.*"))
    dangling = tmp_path / "new.yaml"
    dangling.symlink_to(tmp_path / "course" / "new-target.yaml")
    AnswersStore(dangling, parts_of).save("backprop/q1", "loss", "1")
    assert dangling.is_symlink() and load(tmp_path / "course" / "new-target.yaml")["answers"]["q1"]["loss"] == "1"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umasks_permissions(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = tmp_path / "answers.yaml"
        AnswersStore(path, parts_of).save("backprop/q1", "loss", "1")
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == mode


def test_a_rewritten_file_keeps_its_permissions(answers):
    answers.chmod(0o640)
    AnswersStore(answers, parts_of).save("backprop/q1", "loss", "1")
    assert (answers.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EDQUOT, "your disk quota is used up"),
                                         (errno.EROFS, "is on a read-only file system"),
                                         (errno.EACCES, "is not writable (permission denied)")])
def test_a_failed_write_is_one_sentence_and_keeps_the_file_and_the_answer(answers, monkeypatch, code, words):
    before = answers.read_text()
    store = AnswersStore(answers, parts_of)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync" if code in (errno.ENOSPC, errno.EDQUOT) else "open", fail)
    with pytest.raises(SaveError) as caught:
        store.save("backprop/q1", "loss", "0.3234")
    monkeypatch.undo()
    assert caught.value.message.startswith(f"could not save to {answers}: ") and words in caught.value.message
    assert answers.read_text() == before and temp_files(answers) == []
    assert store.pending == {("backprop/q1", "loss"): "0.3234"}


def test_a_failed_first_save_leaves_no_empty_file(tmp_path, monkeypatch):
    path = tmp_path / "answers.yaml"
    store = AnswersStore(path, parts_of)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(SaveError):
        store.save("backprop/q1", "loss", "1")
    monkeypatch.undo()
    assert not path.exists() and temp_files(path) == []


# -- processes ------------------------------------------------------------------------------
KILLED_SAVER = textwrap.dedent("""
    # Forks writers that save in a loop and SIGKILLs each at a random moment inside a save; after each
    # kill the file must be valid YAML with its comments and hold every save the writer reported done.
    import json, os, random, signal, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.test_saves import parts_of, saved
    from dlcheck.core.safefile import temp_files
    from dlcheck.spec.store import AnswersStore

    path, kills = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(12)
    parts = ["out_h2", "out_y1", "p1", "p2", "p3"]
    state = saved(path)
    stats = {"kills": 0, "inside_a_save": 0, "done_saves": 0, "stale_seen": 0}
    k0 = 0
    store = AnswersStore(path, parts_of)  # read once; each writer's first save merges what is on disk now
    for round in range(kills):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a writer: say a save starts, save, say it is done
            os.close(read)
            k = k0
            while True:
                os.write(write, f"s{k} ".encode())
                store.save("backprop/q1", parts[k % len(parts)], f"0.{k}")
                os.write(write, f"d{k} ".encode())
                k += 1
        os.close(write)
        starts, wanted, seen = 0, rng.randrange(3), ""
        while starts <= wanted:  # wait for save number `wanted` of this writer to start ...
            seen += os.read(read, 4096).decode()
            starts = seen.count("s")
        time.sleep(rng.uniform(0.0, 0.03))  # ... and kill it somewhere in it (or in the next)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while True:
            chunk = os.read(read, 1 << 16).decode()
            if not chunk:
                break
            seen += chunk
        os.close(read)
        marks = seen.split()
        done = [int(m[1:]) for m in marks if m[0] == "d"]
        stats["kills"] += 1
        stats["inside_a_save"] += marks[-1][0] == "s"
        stats["stale_seen"] += len(temp_files(path))
        text = path.read_text()
        assert text.startswith("# my homework, keep this comment"), text[:200]
        now = saved(path)  # parses: never half a file
        expected = dict(state)
        for k in done:
            expected[parts[k % len(parts)]] = f"0.{k}"
        nxt = (done[-1] + 1) if done else k0
        after = dict(expected, **{parts[nxt % len(parts)]: f"0.{nxt}"})
        assert now in (expected, after), (round, now, expected, after)  # every reported save is there
        stats["done_saves"] += len(done)
        state, k0 = now, nxt + 1
    print(json.dumps(stats))
""")


def test_sigkill_at_random_moments_during_saves_loses_nothing(answers, tmp_path):
    script = tmp_path / "killer.py"
    script.write_text(KILLED_SAVER)
    run = subprocess.run([sys.executable, str(script), str(answers), "120", str(ROOT)], cwd=ROOT, env=env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    stats = json.loads(run.stdout)
    assert stats["kills"] == 120 and stats["inside_a_save"] > 0 and stats["done_saves"] > 0, stats
    assert "# from class" in answers.read_text()
    AnswersStore(answers, parts_of).save("backprop/q1", "loss", "1")  # the next save cleans what kills left
    assert temp_files(answers) == []


CONCURRENT_SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.test_saves import parts_of
    from dlcheck.spec.store import AnswersStore
    store = AnswersStore(Path(sys.argv[1]), parts_of)   # both read the file before either saves
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(sys.argv[2]), 200, 2):
        store.save("backprop/q1", f"p{i}", f"{i}")
""")


def test_two_writers_at_once_lose_no_answer(answers, tmp_path):
    script = tmp_path / "saver.py"
    script.write_text(CONCURRENT_SAVER)
    procs = [subprocess.Popen([sys.executable, str(script), str(answers), str(start), str(ROOT)], cwd=ROOT,
                              env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for start in (0, 1)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            assert p.wait(timeout=300) == 0, p.stderr.read()[-2000:]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    got = saved(answers)
    assert {f"p{i}" for i in range(200)} <= set(got) and all(got[f"p{i}"] == str(i) for i in range(200))
    assert got["out_h1"] == "0.5945" and "# from class" in answers.read_text()


# -- solve, end to end ------------------------------------------------------------------
def solve_run(answers: Path, lines: str, *, wrapper: list[str] | None = None, pre: str = "",
              problem: str = "backprop/q1") -> subprocess.CompletedProcess:
    """``dlcheck solve`` as a real process with piped answers; ``pre`` is Python run before it."""
    code = f"{pre}\nfrom dlcheck.cli import main\nimport sys\nsys.argv = ['dlcheck', 'solve', {problem!r}, " \
           f"'--answers', {str(answers)!r}]\nmain()\n"
    return subprocess.run([*(wrapper or []), sys.executable, "-c", code], input=lines, cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=300)


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


ENOSPC = ("import errno, os\n"
          "def _full(fd):\n    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
          "os.fsync = _full\n")


def check_unsaved_report(run: subprocess.CompletedProcess, words: str, typed: str) -> None:
    out = " ".join(run.stdout.split())
    assert run.returncode == 1, (run.returncode, out[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "internal error" not in out + run.stderr
    assert "! could not save to" in out and words in out
    assert f"Your answer ({typed}) is kept for this session" in out         # shown when it was typed ...
    assert "could not be saved to" in out and f'backprop/q1: out_h2: "{typed}"' in out  # ... and at the end


def test_solve_with_a_full_disk_keeps_and_shows_the_answer(answers):
    before = answers.read_text()
    run = solve_run(answers, "0.5963\nquit\n", pre=ENOSPC)
    check_unsaved_report(run, "the disk is full", "0.5963")
    assert answers.read_text() == before and temp_files(answers) == []


@pytest.mark.skipif(not can_mount(), reason="needs root and unshare to mount a tiny tmpfs in a private namespace")
def test_solve_on_a_really_full_tmpfs(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    answers = folder / "answers.yaml"
    inner = (f"mount -t tmpfs -o size=16k tmpfs {folder} && printf '%s' \"$HEADER\" > {answers} && "
             f"(head -c 1000000 /dev/zero > {folder}/filler 2>/dev/null; true) && "
             f"exec {sys.executable} -c \"$CODE\"")
    code = (f"from dlcheck.cli import main\nimport sys\nsys.argv = ['dlcheck', 'solve', 'backprop/q1', '--answers', "
            f"{str(answers)!r}]\nmain()\n")
    run = subprocess.run(["unshare", "-m", "sh", "-c", inner + f" && cat {answers}"],
                         input="0.5963\nquit\n", cwd=ROOT, env={**env(), "HEADER": HEADER, "CODE": code},
                         capture_output=True, text=True, timeout=300)
    check_unsaved_report(run, "the disk is full", "0.5963")


def test_solve_with_a_read_only_file(answers):
    answers.chmod(0o444)
    before = answers.read_text()
    run = solve_run(answers, "0.5963\nquit\n")
    check_unsaved_report(run, "the file is read-only, so it was left as it is", "0.5963")
    assert answers.read_text() == before and (answers.stat().st_mode & 0o777) == 0o444


def test_solve_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    answers = folder / "answers.yaml"
    answers.write_text(HEADER)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            run = solve_run(answers, "0.5963\nquit\n")
        finally:
            folder.chmod(0o755)
        check_unsaved_report(run, "is not writable (permission denied)", "0.5963")
    elif can_mount():  # root writes anywhere: a read-only bind mount in a private namespace
        code = (f"from dlcheck.cli import main\nimport sys\nsys.argv = ['dlcheck', 'solve', 'backprop/q1', "
                f"'--answers', {str(answers)!r}]\nmain()\n")
        run = subprocess.run(["unshare", "-m", "sh", "-c",
                              f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
                              f"exec {sys.executable} -c \"$CODE\""], input="0.5963\nquit\n", cwd=ROOT,
                             env={**env(), "CODE": code}, capture_output=True, text=True, timeout=300)
        check_unsaved_report(run, "is on a read-only file system", "0.5963")
    else:
        pytest.skip("running as root without a private mount namespace: a folder cannot be made read-only")
    assert answers.read_text() == HEADER


def test_two_solve_sessions_on_one_file(answers):
    """Both have read the file before either saves: each one's answers survive; the same part is a
    conflict the later save wins, and says so."""
    def start(problem: str) -> subprocess.Popen:
        code = (f"from dlcheck.cli import main\nimport sys\nsys.argv = ['dlcheck', 'solve', {problem!r}, "
                f"'--answers', {str(answers)!r}]\nmain()\n")
        return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env(), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=0)

    def until(proc: subprocess.Popen, prompt: str) -> str:
        seen = ""
        deadline = time.monotonic() + 120
        while not seen.endswith(prompt):
            ch = proc.stdout.read(1)
            assert ch and time.monotonic() < deadline, seen[-2000:] + proc.stderr.read()[-2000:]
            seen += ch
        return seen

    a, b = start("backprop/q1"), start("backprop/q1")
    try:
        until(a, "out_h2> ")
        until(b, "out_h2> ")            # both sessions have loaded the file
        a.stdin.write("0.6\n")          # a saves out_h2 (wrong, but saved)
        until(a, "out_h2> ")
        b.stdin.write("0.5963\n")       # b saves out_h2 too: newer, it wins and says so
        out_b = until(b, "out_y1> ")
        a.stdin.write("skip\n0.7918\nquit\n")   # a saves out_y1 after b's save: b's out_h2 survives
        b.stdin.write("quit\n")
        out_a = a.communicate(timeout=120)[0]
        out_b += b.communicate(timeout=120)[0]
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait()
    assert a.returncode == 0 and b.returncode == 0
    assert "another dlcheck session saved a different answer to out_h2 since this one read the file (0.6)" \
        in " ".join(out_b.split())
    assert saved(answers) == {"out_h1": "0.5945", "out_h2": "0.5963", "out_y1": "0.7918"}
    assert "# from class" in answers.read_text() and "another dlcheck session" not in out_a


def test_random_order_of_saves_by_two_stores_in_one_process(answers):
    """The merge itself, without processes: any interleaving of two sessions keeps every answer."""
    rng = random.Random(5)
    stores = [AnswersStore(answers, parts_of), AnswersStore(answers, parts_of)]
    expected = saved(answers)
    for i in range(60):
        store = rng.choice(stores)
        store.save("backprop/q1", f"p{i}", str(i))
        expected[f"p{i}"] = str(i)
    assert saved(answers) == expected


def test_a_save_never_removes_the_next_writers_temporary_file(answers, monkeypatch):
    """Once a save's rename puts a new file at the path, its lock (on the file it replaced) no longer
    keeps others out: the next writer may already be writing its temporary file. The clean-up of
    killed writers' leftovers must not run then (it deleted that file under load: 'No such file')."""
    import dlcheck.spec.store as store_module

    real_write = store_module.atomic_write_text
    planted: list[Path] = []

    def write_then_another_writer_starts(target: Path, text: str) -> None:
        real_write(target, text)
        other = target.parent / f".{target.name}.inflight.tmp"  # the next writer's file, mid-write
        other.write_text("half of a file")
        planted.append(other)

    monkeypatch.setattr(store_module, "atomic_write_text", write_then_another_writer_starts)
    AnswersStore(answers, parts_of).save("backprop/q1", "loss", "0.3")
    assert planted and planted[0].exists(), "a save removed a temporary file written after its rename"
    assert saved(answers)["loss"] == "0.3"
