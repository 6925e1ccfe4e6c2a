"""The README's picture of the class report: a generated class of 40 answers files graded with ``--report``,
the page's first screen taken by headless Chromium into ``docs/screens/report.png``.

    python docs/capture_report.py [--height 1500]

Needs Debian's ``chromium`` (``apt-get install chromium``). The class is ``benchmarks/classroom.py``'s
(every set; right, perturbed, blank and ``idk`` answers; two broken files), the same for every run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--force-device-scale-factor=1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens" / "report.png")
    args = parser.parse_args()
    from classroom import make_class

    with tempfile.TemporaryDirectory(prefix="dlcheck-report-") as folder:
        here = Path(folder)
        make_class(here / "submissions", 40, broken_every=20)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "dlcheck", "grade", "submissions/", "-q", "--report", "report.html"],
                       cwd=here, env=env, stdout=subprocess.DEVNULL, check=False)
        subprocess.run(["chromium", *FLAGS, f"--user-data-dir={here / 'profile'}",
                        f"--window-size=1200,{args.height}", f"--screenshot={args.out.resolve()}",
                        (here / "report.html").as_uri()], check=True, capture_output=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
