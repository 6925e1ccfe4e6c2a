"""Issue 19's benchmark: a write-up of 100 math lines graded (goal: under 1 s).

    python benchmarks/writeup.py [--lines 100] [--repeat 5]

Writes a write-up in the sheets' style for backprop/q1 (Persian heading and prose, decimal
commas, labels the later lines reuse, activations after arrows, a slip every tenth line) and
prints, each the median of ``--repeat`` runs:

- reading the write-up and checking every step, in one process with the problem derived
  (``grade.writeup.plan_writeup``): the cost of the step checker itself;
- the same plus grading the answers found and the misread search (``check_problem``);
- one whole ``dlcheck grade FILE --set backprop --format json`` (a new process: Python, the
  pool's worker, reading, checking, grading, printing), with a warm derivation cache.

Measured (2 cores shared with five other sessions, load average 2.3): 104 steps read and
checked in 108 ms, 110 ms with the answers found graded and the misread search; the whole
command 0.83-1.22 s, as long as ``dlcheck grade examples/answers.yaml`` took at the same
moment (1.00-1.14 s): the write-up adds about 0.1 s to what any grade costs to start.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def _num(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def make_writeup(lines: int, seed: int = 19) -> str:
    """``lines`` math lines (and prose between them) for backprop/q1."""
    rng = random.Random(seed)
    out = ["# تمرین سری اول", "", "## سوال ۱) شبکه عصبی زیر را در نظر بگیرید.", ""]
    head = [
        r"$$net_{h1} = (0,05 \cdot 0,15) + (0,1 \cdot 0,25) + 0,35 = 0,3825 \rightarrow 0,5945$$",
        r"$$net_{h2} = (0,05 \cdot 0,2) + (0,1 \cdot 0,3) + 0,35 = 0,39 \rightarrow 0,5963$$",
        r"$$net_{y1} = 0,4 \cdot 0,5945 + 0,5 \cdot 0,5963 + 0,8 = 1,3359 \rightarrow 0,7918$$",
        r"$$net_{y2} = 0,45 \cdot 0,5945 + 0,55 \cdot 0,5963 + 0,8 = 1,3955 \rightarrow 0,8015$$",
        r"$$E = \frac{1}{2}(0,01 - 0,7918)^2 + \frac{1}{2}(0,99 - 0,8015)^2 = 0,3234$$",
        r"$$\delta_{y1} = (0,7918 - 0,01) \cdot 0,7918 \cdot (1 - 0,7918) = 0,1289$$",
        r"$$\frac{\partial E}{\partial w_5} = \delta_{y1} \cdot out_{h1} = 0,0766$$",
        r"$$w_5^{new} = 0,4 - 0,5 \cdot 0,0766 = 0,3617$$",
    ]
    math = list(head)
    previous = 0.5
    k = 0
    while len(math) < lines:
        k += 1
        a, b, c = (round(rng.uniform(0.05, 0.95), 2) for _ in range(3))
        value = a * previous + b * c
        shown = _num(value)
        if k % 10 == 0:
            shown = _num(value + 0.05)     # a slip
        name = f"s_{{{k}}}"
        before = f"s_{{{k - 1}}}" if k > 1 else "0,5"
        math.append(f"$${name} = {_num(a, 2)} \\cdot {before} + {_num(b, 2)} \\cdot {_num(c, 2)} = {shown}$$")
        previous = float(shown.replace(",", "."))
    for k, line in enumerate(math[:lines]):
        out.append(line)
        if k % 5 == 4:
            out += ["", "حالا مرحله بعد را حساب میکنیم:", ""]
    return "\n".join(out) + "\n"


def in_process(path: Path, repeat: int) -> tuple[float, float, int]:
    from dlcheck.check.registry import instance_for
    from dlcheck.grade.work import check_problem
    from dlcheck.grade.writeup import plan_writeup

    instance_for("backprop/q1", None)  # derived (or loaded) once, as a grading worker has it
    plans, wholes = [], []
    steps = 0
    for _ in range(repeat):
        start = time.perf_counter()
        plan = plan_writeup(str(path), "backprop")
        plans.append(time.perf_counter() - start)
        steps = len(plan.working)
        for problem in plan.problems:
            check_problem(problem)
        wholes.append(time.perf_counter() - start)
    return statistics.median(plans), statistics.median(wholes), steps


def cli(path: Path, repeat: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "dlcheck", "grade", str(path), "--set", "backprop", "--format", "json"]
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm the derivation cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "writeup.md"
        path.write_text(make_writeup(args.lines), encoding="utf-8")
        plan, whole, steps = in_process(path, args.repeat)
        wall = cli(path, args.repeat)
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{args.lines} math lines, {steps} steps")
    print(f"read + every step checked (in process): {plan * 1000:.0f} ms")
    print(f"+ answers found graded, misread search:  {whole * 1000:.0f} ms")
    print(f"dlcheck grade FILE --set backprop --format json (a new process): {wall:.2f} s  (goal < 1 s)")


if __name__ == "__main__":
    main()
