"""Timings that tests must not assert: start-up, grading, hostile input.

Run: python benchmarks/run.py   (prints one line per measurement, median of N runs)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = """set: backprop
answers:
  q1:
    out_h1: "__import__('os').system('touch /tmp/x')"
    out_h2: "().__class__"
    out_y1: "9**9**9**9"
    out_y2: "exp(exp(exp(1000)))"
    loss: "{long}"
    dE_dw5: "((((((((((((((((((((x))))))))))))))))))))"
"""


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    dl = [sys.executable, "-m", "dlcheck"]
    print(f"dlcheck --help                     {timed(dl + ['--help'], 7):.3f} s")
    print(f"import dlcheck.cli                 {timed([sys.executable, '-c', 'import dlcheck.cli'], 7):.3f} s")
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        print(f"grade examples/{example.name:<20} {timed(dl + ['grade', str(example)], 3):.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        hostile = Path(tmp) / "hostile.yaml"
        hostile.write_text(HOSTILE.format(long="x" * 100_000))
        print(f"grade a hostile file               {timed(dl + ['grade', str(hostile)], 3):.3f} s")
    formula = [sys.executable, "-c", "from dlcheck.grade.run import grade_problem; grade_problem('backprop/q2', "
               "{'d_z2_1': 'exp(exp(exp(1000)))', 'd_Z2': '[sqrt(-1), 1]', 'd_w1_11': '(x1+w1_11)^1000'})"]
    print(f"grade hostile formulas (backprop/q2) {timed(formula, 3):.3f} s")
    print(f"validate (derive the whole bank)   {timed(dl + ['validate'], 3):.3f} s")
    print(f"explain backprop/q1 --format md    {timed(dl + ['explain', 'backprop/q1', '--format', 'md'], 3):.3f} s")


if __name__ == "__main__":
    main()
