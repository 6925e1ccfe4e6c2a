"""Issue 11's benchmark: a class of 1,000 answers files into a gradebook, and 1,000 parts in one problem.

    python benchmarks/batch.py [--files 1000] [--jobs 2] [--baseline DIR] [--repeat 3]

Prints, each next to the figure issue 11 measured before this work:

- 1,000 generated answers files (all five sets, perturbed, 2% broken) graded into a CSV by
  one ``dlcheck grade DIR --format csv --jobs 2``: wall time with a cold derivation cache
  (goal < 15 s) and a warm one (goal < 10 s), CPU time, the peak memory of the whole
  process tree (sampled from /proc; goal < 1 GB);
- the CSV's scores against the JSON's, file by file (they must match);
- one hung part (a check replaced by a sleep, in a wrapper) among the 1,000: the extra
  wall time (goal: about one bound, not a stop);
- the per-file median and the per-part cost of checking, in one process;
- 1,000 number parts in one problem of a course bank (goal < 5 s);
- ``dlcheck grade examples/<set>.yaml`` against ``--baseline DIR`` (a checkout of the code
  before this work, run with ``PYTHONPATH=DIR``), medians of ``--repeat`` runs.

Timings on a shared machine move with its load: each is the median of ``--repeat``
runs, and the load average is printed with them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from classroom import big_problem, make_class  # noqa: E402

ISSUE = {  # what issue 11 measured before this work (1,000 files, 14.8 parts each)
    "cli per file": "1,072 CPU-s (one CLI call per file)",
    "api fork": "279 CPU-s (Python API, fork per part)",
    "api": "121 CPU-s (no fork)",
    "prototype": "11.9 CPU-s (throw-away prototype)",
    "part": "10.7 ms per part (fork per part, in practice)",
    "big": "113 CPU-s (1,000 parts in one problem)",
}
HANG = textwrap.dedent("""
    import sys, time
    import dlcheck.grade.work as work

    real = work.check_and_diagnose

    def check(inst, pid, answer, earlier):
        if answer == "0.123456789":   # the one hung part of the class
            time.sleep(3600)
        return real(inst, pid, answer, earlier)

    work.check_and_diagnose = check
    from dlcheck.cli import main

    sys.argv = ["dlcheck", *sys.argv[1:]]
    main()
""")


def _tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and every descendant, in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


def run(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float, int, str, int]:
    """(wall s, CPU s of the process tree, peak tree RSS bytes, stdout, exit code)."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    watcher.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak[0], out, proc.returncode


def dl(*args: str) -> list[str]:
    return [sys.executable, "-m", "dlcheck", *args]


def median_run(cmd: list[str], repeat: int, env: dict | None = None, fresh_cache: Path | None = None,
               cwd: Path = ROOT):
    runs = []
    for k in range(repeat):
        extra = dict(env or {})
        if fresh_cache is not None:
            extra["DLCHECK_CACHE"] = str(fresh_cache / f"cold-{time.monotonic_ns()}-{k}")
        runs.append(run(cmd, extra, cwd))
    walls = [r[0] for r in runs]
    k = walls.index(statistics.median_low(walls))
    return runs[k], walls


def _runs(walls: list[float]) -> str:
    return ", ".join(f"{w:.1f}" for w in walls)


def sums_match(csv_text: str, json_text: str) -> tuple[int, int]:
    rows = list(csv.DictReader(io.StringIO(csv_text)))[1:]
    docs = json.loads(json_text)
    matched = 0
    for row, doc in zip(rows, docs):
        if "error" in doc:
            matched += bool(row["error"]) and row["score"] == ""
        else:
            matched += abs(float(row["score"]) - doc["score"]) < 1e-6
    return matched, len(docs)


def in_process(files: list[Path]) -> tuple[float, float, int]:
    """Per-file median and per-part cost of reading and checking, in this process (no pool)."""
    from dlcheck.check.registry import read_answers_file
    from dlcheck.core.errors import DlcheckError
    from dlcheck.grade.pool import warm
    from dlcheck.grade.work import check_problem, plan_file
    from dlcheck.spec import bank

    warm(bank.all_ids())
    per_file, parts, checking = [], 0, 0.0
    for path in files:
        start = time.process_time()
        try:
            plan = plan_file(read_answers_file(path))
        except DlcheckError:
            continue
        read = time.process_time()
        for problem in plan.problems:
            check_problem(problem)
            parts += len(problem.parts)
        done = time.process_time()
        checking += done - read
        per_file.append(done - start)
    return statistics.median(per_file), checking / max(parts, 1), parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="a checkout of dlcheck before this work (run with PYTHONPATH)")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of {args.repeat}")
    with tempfile.TemporaryDirectory(prefix="dlcheck-bench-") as folder:
        tmp = Path(folder)
        subs = tmp / "subs"
        files = make_class(subs, args.files)
        cache = tmp / "cache"
        grade = dl("grade", str(subs), "--format", "csv", "--jobs", str(args.jobs))

        (cold, cpu, peak, csv_text, code), walls = median_run(grade, args.repeat, fresh_cache=tmp)
        print(f"{args.files} files -> CSV, cold cache   {cold:6.2f} s wall (runs {_runs(walls)})  {cpu:6.1f} CPU-s  "
              f"peak {peak / 2**20:.0f} MB   [goal < 15 s, < 1 GB; before: {ISSUE['cli per file']}, "
              f"{ISSUE['api fork']}, {ISSUE['api']}; prototype {ISSUE['prototype']}]")
        run(grade, {"DLCHECK_CACHE": str(cache)})  # fill the cache
        (warm_wall, cpu, peak, csv_text, code), walls = median_run(grade, args.repeat, {"DLCHECK_CACHE": str(cache)})
        print(f"{args.files} files -> CSV, warm cache   {warm_wall:6.2f} s wall (runs {_runs(walls)})  "
              f"{cpu:6.1f} CPU-s  peak {peak / 2**20:.0f} MB   [goal < 10 s]")
        rows = list(csv.DictReader(io.StringIO(csv_text)))
        broken = sum(1 for r in rows[1:] if r["error"])
        print(f"gradebook: {len(rows) - 1} rows, {broken} broken files as rows with their error, exit code {code}")
        _, _, _, json_text, _ = run(dl("grade", str(subs), "--format", "json", "--jobs", str(args.jobs)),
                                    {"DLCHECK_CACHE": str(cache)})
        matched, total = sums_match(csv_text, json_text)
        print(f"CSV scores equal to the JSON's: {matched} of {total} files")

        hung = subs / "zz-hung.yaml"
        hung.write_text('set: backprop\nanswers:\n  q1:\n    out_h1: "0.123456789"\n    out_h2: 0.5963\n',
                        encoding="utf-8")
        bound = 5.0
        wall_hung, _, _, hung_csv, _ = run([sys.executable, "-c", HANG, "grade", str(subs), "--format", "csv",
                                            "--jobs", str(args.jobs), "--timeout", str(bound)],
                                           {"DLCHECK_CACHE": str(cache)})
        row = next(r for r in csv.DictReader(io.StringIO(hung_csv)) if r["file"].endswith("zz-hung.yaml"))
        print(f"one hung part among {args.files + 1} files: {wall_hung:6.2f} s wall, {wall_hung - warm_wall:+.2f} s "
              f"against the run without it (bound {bound:g} s); its file scored {row['score']} "
              f"(out_h2 {row['backprop/q1/out_h2']}), every other file graded")
        hung.unlink()

        median_file, per_part, parts = in_process(files)
        print(f"in one process: per-file median {median_file * 1000:.1f} ms CPU, checking {per_part * 1000:.2f} ms "
              f"per part over {parts} parts   [before: {ISSUE['part']}]")

        bank_dir, big = big_problem(tmp / "big", 1000)
        one = dl("grade", str(big), "--problems", str(bank_dir), "--format", "csv")
        (big_cold, big_cpu, _, _, _), _ = median_run(one, args.repeat, fresh_cache=tmp)
        (big_warm, big_warm_cpu, _, _, _), _ = median_run(one, args.repeat, {"DLCHECK_CACHE": str(cache)})
        print(f"1,000 parts in one problem: {big_cold:6.2f} s wall cold ({big_cpu:.1f} CPU-s), {big_warm:6.2f} s warm "
              f"({big_warm_cpu:.1f} CPU-s)   [goal < 5 s; before: {ISSUE['big']}]")

        for example in sorted((ROOT / "examples").glob("*.yaml")):
            (now, now_cpu, _, _, _), _ = median_run(dl("grade", str(example)), args.repeat,
                                                   {"DLCHECK_CACHE": str(cache)})
            line = f"grade examples/{example.name:<20} {now:5.2f} s wall {now_cpu:5.2f} CPU-s"
            if args.baseline:
                # from another folder, so that `python -m dlcheck` finds the baseline, not this checkout
                (then, then_cpu, _, _, _), _ = median_run(dl("grade", str(example)), args.repeat,
                                                          {"PYTHONPATH": str(args.baseline)}, cwd=tmp)
                line += f"   before: {then:5.2f} s wall {then_cpu:5.2f} CPU-s"
            print(line)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
