"""The labelled equivalence suite: dlcheck compare against a naive ``simplify(a - b) == 0``.

Run: python benchmarks/equivalence.py [--family dl] [--no-baseline] [--process N]

For every uncontested row of tests/data/equivalence.yaml it reports, for dlcheck and for
the baseline on the same pairs: agreement with the label, false "equivalent" (exit 0 on
a row labelled 1), and time per pair. The baseline parses both sides with dlcheck's own
safe parser (nothing typed is ever sympified), answers "equivalent" when sympy's
simplify of the difference is 0 (entrywise for matrices), "different" otherwise, and
cannot read options (a tolerance row is compared as if it had none). Each baseline
simplify runs in a forked child with a 10 s bound; a timeout counts as "different".

Then the speed targets: in-process pairs per second on the deep-learning formula rows
(the median of several passes), and the wall time of the whole ``dlcheck compare``
process on a few rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from tests.test_equivalence import run_compare  # noqa: E402

DATA = ROOT / "tests" / "data" / "equivalence.yaml"
NOTATION = ROOT / "tests" / "data" / "notation.yaml"


def naive(expected: str, answer: str, options: list[str]) -> int:
    """Exit code of the naive checker: 0 when simplify(a - b) == 0, 2 when a side cannot be read."""
    import sympy as sp

    from dlcheck.core.errors import ParseError
    from dlcheck.engine.bounded import TimeLimit, bounded
    from dlcheck.parse.functions import student_functions
    from dlcheck.parse.safe import Parser
    from dlcheck.parse.text import normalize, tokenize

    if any(o.startswith("--") for o in options) and (len(options) % 2 or options[-1].startswith("--")):
        return 2
    try:
        names = {v for text in (expected, answer) for k, v, _ in tokenize(normalize(text)) if k == "name"}
        fns = student_functions()
        parser = Parser({n: sp.Symbol(n, real=True) for n in names if n not in fns}, fns)
        a, b = parser.parse(expected), parser.parse(answer)
    except (ParseError, ValueError):
        return 2

    def zero() -> bool:
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
                return False
            return all(sp.simplify(x - y) == 0 for x, y in zip(a, b))
        return bool(sp.simplify(a - b) == 0)

    try:
        return 0 if bounded(zero, seconds=10.0) else 1
    except TimeLimit:
        return 1
    except Exception:  # noqa: BLE001 - sympy failing on a pair is the baseline's answer "not shown equal"
        return 1


def score(rows: list[dict], checker) -> dict:
    agree = false_equal = 0
    times = []
    for row in rows:
        start = time.perf_counter()
        code = checker(str(row["expected"]), str(row["answer"]), [str(o) for o in row["options"]])
        times.append(time.perf_counter() - start)
        agree += code == row["exit"]
        false_equal += code == 0 and row["exit"] == 1
    return {"agree": agree, "n": len(rows), "false_equal": false_equal,
            "ms_mean": 1000 * statistics.mean(times), "ms_median": 1000 * statistics.median(times),
            "ms_max": 1000 * max(times)}


def show(name: str, s: dict) -> None:
    print(f"{name:<26} agreement {s['agree']}/{s['n']} ({100 * s['agree'] / s['n']:.1f}%)   "
          f"false 'equivalent' {s['false_equal']:>3}   per pair: mean {s['ms_mean']:.1f} ms, "
          f"median {s['ms_median']:.1f} ms, max {s['ms_max']:.0f} ms")


def dlcheck_code(expected: str, answer: str, options: list[str]) -> int:
    return run_compare(expected, answer, options)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", help="only rows of this family")
    ap.add_argument("--no-baseline", action="store_true", help="skip the (slow) simplify baseline")
    ap.add_argument("--process", type=int, default=8, help="rows timed as whole `dlcheck compare` processes")
    args = ap.parse_args()
    rows = [r for r in YAML(typ="safe").load(DATA.read_text(encoding="utf-8")) if not r.get("contested")]
    if args.family:
        rows = [r for r in rows if r["family"] == args.family]
    dlcheck_code("x", "x", [])  # imports and caches warm, as in a long-running grader
    print(f"{len(rows)} uncontested rows of {DATA.relative_to(ROOT)}\n")
    groups = {"all rows": rows, "formulas (no options)": [r for r in rows if not r["options"]]}
    for label, group in groups.items():
        if not group:
            continue
        print(f"-- {label}")
        show("dlcheck compare", score(group, dlcheck_code))
        if not args.no_baseline:
            show("naive simplify(a-b) == 0", score(group, naive))
        print()

    notation = [r for r in YAML(typ="safe").load(NOTATION.read_text(encoding="utf-8")) if not r.get("contested")]
    if args.family:
        notation = [r for r in notation if r["family"] == args.family]
    if notation:  # issue 20's notation rows, scored apart from the independent corpus above
        print(f"-- notation rows ({NOTATION.relative_to(ROOT)})")
        show("dlcheck compare", score(notation, dlcheck_code))
        if not args.no_baseline:
            show("naive simplify(a-b) == 0", score(notation, naive))
        print()

    dl = [r for r in rows if r["family"] == "dl" and not r["options"]]
    if dl:
        passes = []
        for _ in range(5):
            start = time.perf_counter()
            for r in dl:
                dlcheck_code(str(r["expected"]), str(r["answer"]), [])
            passes.append(len(dl) / (time.perf_counter() - start))
        print(f"in-process, {len(dl)} deep-learning formula pairs: {statistics.median(passes):.0f} pairs/s "
              f"(median of 5 passes; target >= 500)")

    sample = [r for r in rows if not r["options"]][: args.process]
    # as an installed copy runs: compiled modules cached (a first run writes them)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if sample:
        subprocess.run([sys.executable, "-m", "dlcheck", "compare", "x", "x"], cwd=ROOT, capture_output=True, env=env)
    walls = []
    for r in sample:
        cmd = [sys.executable, "-m", "dlcheck", "compare", str(r["expected"]), str(r["answer"])]
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
    if walls:
        print(f"whole `dlcheck compare` process: median {statistics.median(walls):.3f} s, max {max(walls):.3f} s "
              f"over {len(walls)} rows (target < 0.5 s)")


if __name__ == "__main__":
    main()
