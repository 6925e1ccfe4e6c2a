"""The numeric path (check/fast.py) against the imports it avoids, measured as ratios in one run.

Run: python benchmarks/numeric.py [RUNS]

With a warm derivation cache (this script warms it first):
- `dlcheck grade FILE` for a file of right numbers (backprop/q1's first part, written to 4 figures), and
  for examples/backprop.yaml (formula parts) and examples/answers.yaml (numbers, several wrong), each
  graded again (read back: grade/judged.py) and judged afresh (the kept verdicts removed before each
  run: the full checker, sympy loaded), each against `python -c "import sympy, numpy"` alone;
- `import dlcheck`, and one numeric `dlcheck.check` in a warm process (median of many calls);
- `dlcheck compare 0.5945 0.5944 --rtol 0.01`.
Every figure is a median wall time of RUNS processes.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import timed  # noqa: E402  # the same median of RUNS processes as benchmarks/run.py

ROOT = Path(__file__).resolve().parent.parent
RIGHT = """set: backprop
answers:
  q1:
    out_h1: 0.5945
    out_h2: 0.5963
    out_y1: 0.7918
    out_y2: 0.8015
    loss: 0.3234
    dE_dw5: 0.07661
    dE_dw6: -0.01783
    dE_dw7: 0.07685
    dE_dw8: -0.01789
"""


def _afresh(command: list[str]) -> list[str]:
    """``command`` after the kept verdicts are removed (a shell's start and one rm: a few ms)."""
    sys.path.insert(0, str(ROOT))
    from dlcheck.core.diskcache import cache_dir

    folder = cache_dir()
    assert folder is not None, "the cache is off: nothing is kept, nothing to measure"
    return ["sh", "-c", f"rm -rf {shlex.quote(str(folder / 'judged'))} && exec {shlex.join(command)}"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    dl = [sys.executable, "-m", "dlcheck"]
    with tempfile.TemporaryDirectory() as folder:
        right = Path(folder) / "right.yaml"
        right.write_text(RIGHT, encoding="utf-8")
        for warm in (["grade", str(right)], ["grade", "examples/backprop.yaml"], ["grade", "examples/answers.yaml"]):
            subprocess.run(dl + warm, cwd=ROOT, capture_output=True)
        check = subprocess.run(dl + ["grade", str(right), "--format", "json"], cwd=ROOT, capture_output=True,
                               text=True)
        assert '"status": "correct"' in check.stdout and '"incorrect"' not in check.stdout, "right.yaml is not right"
        base = timed([sys.executable, "-c", "import sympy, numpy"], runs)
        rows = [("python -c 'import sympy, numpy'", base),
                ("dlcheck grade right.yaml (9 right numbers)", timed(dl + ["grade", str(right)], runs)),
                ("dlcheck grade examples/backprop.yaml (formulas, graded again)",
                 timed(dl + ["grade", "examples/backprop.yaml"], runs)),
                ("dlcheck grade examples/answers.yaml (numbers, graded again)",
                 timed(dl + ["grade", "examples/answers.yaml"], runs)),
                ("dlcheck grade examples/backprop.yaml (judged afresh)",
                 timed(_afresh(dl + ["grade", "examples/backprop.yaml"]), runs)),
                ("dlcheck grade examples/answers.yaml (judged afresh)",
                 timed(_afresh(dl + ["grade", "examples/answers.yaml"]), runs)),
                ("dlcheck compare 0.5945 0.5944 --rtol 0.01",
                 timed(dl + ["compare", "0.5945", "0.5944", "--rtol", "0.01"], runs)),
                ("python -c 'import dlcheck'", timed([sys.executable, "-c", "import dlcheck"], runs))]
    for name, seconds in rows:
        print(f"{name:<64} {seconds:6.3f} s  ({seconds / base:4.2f} x import sympy, numpy)")
    code = ("import time, statistics, dlcheck\n"
            "dlcheck.check('backprop/q1', 'out_h1', 0.5945)\n"
            "t = []\n"
            "for _ in range(2000):\n"
            "    s = time.perf_counter()\n"
            "    dlcheck.check('backprop/q1', 'out_h1', 0.5945)\n"
            "    t.append(time.perf_counter() - s)\n"
            "print(f'{statistics.median(t) * 1e3:.3f} {max(t) * 1e3:.3f}')")
    median, worst = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                   check=True).stdout.split()
    print(f"{'dlcheck.check(backprop/q1, out_h1, 0.5945), warm process':<64} {median} ms median, {worst} ms max "
          "(2,000 calls)")


if __name__ == "__main__":
    main()
