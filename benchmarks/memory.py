"""Issue 18's memory benchmark: a class as ``--format json`` (and csv) into a file, peak resident memory.

    python benchmarks/memory.py [--files 3000] [--jobs 2] [--format json] [--baseline DIR]

Generates ``--files`` answers files (benchmarks/classroom.py: all five sets, perturbed, 2%
broken), runs ``dlcheck grade DIR --format json --jobs 2 > out.json`` and samples /proc every
50 ms: the peak resident memory of the parent process and of the whole process tree (the
parent and its grading workers). ``--baseline DIR`` runs the same command with
``PYTHONPATH=DIR`` (a checkout of the code before this work) first. Goal (issue 18): 3,000
files under 400 MB; the issue measured 433 MB at 3,000 files and 1.9 GB at 20,000.

Measured on the shared 2-core machine (load 8 to 16, so wall times say little), 3,000 files,
``--format json --jobs 2``, output 76 MB:

- before (main at 871fcc1): parent 1,234 MB, tree 1,234 MB (the whole list of results and
  the whole JSON text built at the end), 277 s;
- after (results streamed in chunks of 64 files, spooled to a temporary file while the
  class's problems are not known): parent 83 MB, tree 347 MB (the parent and two workers,
  each with sympy loaded), 661 s under load 14.

500 files, run one after the other: before 109 s, parent 80 MB, tree 267 MB; after 81 s,
80 MB, 267 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from batch import _tree_rss  # noqa: E402
from classroom import make_class  # noqa: E402


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


def measure(folder: Path, fmt: str, jobs: int, code: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "DLCHECK_CACHE": str(cache)}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "dlcheck", "grade", str(folder), "--format", fmt,
                                 "--jobs", str(jobs)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.DEVNULL)
        peak = {"parent": 0, "tree": 0}

        def sample() -> None:
            while proc.poll() is None:
                peak["parent"] = max(peak["parent"], _rss(proc.pid))
                peak["tree"] = max(peak["tree"], _tree_rss(proc.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        proc.wait()
        watcher.join()
        wall = time.perf_counter() - start
        out.seek(0)
        data = out.read()
    docs = len(json.loads(data)) if fmt == "json" and data else None
    return {"wall_s": round(wall, 1), "parent_mb": peak["parent"] // 2**20, "tree_mb": peak["tree"] // 2**20,
            "exit": proc.returncode, "output_mb": round(len(data) / 2**20, 1), "documents": docs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", default="json")
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlcheck-memory-") as tmp:
        folder = Path(tmp) / "class"
        make_class(folder, args.files)
        print(f"{args.files} files, --format {args.format}, --jobs {args.jobs}, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        for label, code in ([("before", args.baseline)] if args.baseline else []) + [("now", ROOT)]:
            cache = Path(tmp) / f"cache-{label}"
            result = measure(folder, args.format, args.jobs, code, cache)
            print(f"{label:>6}: {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main()
