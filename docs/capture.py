"""Capture the screenshots in docs/screens/ from the real program, in a real terminal.

Each screen runs ``dlcheck`` inside tmux at 80 columns (in a scratch folder holding a
copy of examples/), types what a person would type,
waits for what the program shows, and saves the pane twice: as text
(``docs/screens/NAME.txt``, what the README quotes) and as SVG rendered by rich from the
pane's own colours (``docs/screens/NAME.svg``). Nothing is drawn by hand.

    python docs/capture.py          # needs tmux and dlcheck on PATH (or PYTHONPATH=.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
WIDTH = 80

# name, command, [(keys to type, text to wait for)], text that ends the screen
SCREENS = [
    ("grade", "dlcheck grade examples/answers.yaml", [], "Score:"),
    ("grade-stacked", "dlcheck grade examples/rnn.yaml", [], "Score:"),
    ("explain", "dlcheck explain backprop/q1 --part dE_dw5 --part w5_new", [], "common mistake: That climbs"),
    ("solve", "dlcheck solve rnn/q1",
     [("", "a> "), ("[1, 2]", "try again"), ("Up End Left BSpace 3 Enter", "try again"), ("skip", "b> "),
      ("1", "try again"), ("quit", "resume")], "resume"),   # no answer shown right: the screen reveals none
    ("class", "dlcheck grade examples/ --only-wrong", [], "6 files"),
    ("errors", "dlcheck grade mistyped.yaml", [], "fix them and run again"),
    ("yaml-error", "dlcheck grade unclosed.yaml", [], "^"),
]
FILES = {
    # made-up answers: a screen in the README shows no problem's answer
    "mistyped.yaml": "set: backprop\nstudnet: 99521469\nanswers:\n  Q1:\n    out_h1: 0.5\n  q2:\n"
                     "    d_z21: v2*σ(z2_1)\n",
    "unclosed.yaml": "set: backprop\nanswers:\n  q1:\n    out_h1: [0.5, 0.6\n    out_h2: 0.6\n",
}
TMUX_KEYS = {"Up", "Down", "Left", "Right", "Home", "End", "Delete", "Enter", "BSpace", "C-c", "C-d"}


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def pane(session: str, colours: bool = False) -> str:
    return tmux("capture-pane", "-p", "-J", *(["-e"] if colours else []), "-S", "-", "-t", session)


def wait(session: str, text: str, after: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while " ".join(text.split()) not in " ".join(pane(session).split())[after:]:
        if time.monotonic() > deadline:
            raise SystemExit(f"{session}: '{text}' never appeared:\n{pane(session)}")
        time.sleep(0.2)


def send(session: str, keys: str) -> None:
    if keys and all(k in TMUX_KEYS or len(k) == 1 for k in keys.split()) and any(k in TMUX_KEYS for k in keys.split()):
        for key in keys.split():
            tmux("send-keys", "-t", session, key)
            time.sleep(0.1)
    elif keys:
        tmux("send-keys", "-t", session, "-l", keys)
        tmux("send-keys", "-t", session, "Enter")


def capture(name: str, command: str, steps: list, end: str, tmp: Path) -> None:
    session = f"dlcheck-docs-{os.getpid()}-{name}"
    env = f"cd {tmp} && export PYTHONPATH={ROOT} DLCHECK_HISTORY={tmp}/history INPUTRC=/dev/null && clear && "
    script = tmp / f"{name}.sh"
    script.write_text(f"{env} echo '$ {command}' && {command}; sleep 30\n")
    tmux("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", "150", f"bash {script}")
    try:
        seen = 0
        for keys, expect in steps:
            send(session, keys)
            wait(session, expect, seen)
            seen = len(" ".join(pane(session).split()))
        wait(session, end, 0)
        time.sleep(0.5)
        text = pane(session).rstrip() + "\n"
        coloured = pane(session, colours=True).rstrip() + "\n"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    (OUT / f"{name}.txt").write_text(text, encoding="utf-8")
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=WIDTH, file=open(os.devnull, "w"), force_terminal=True)  # noqa: SIM115
    console.print(Text.from_ansi(coloured), end="")
    console.save_svg(str(OUT / f"{name}.svg"), title=f"dlcheck — {name} (80 columns)")
    print(f"{name}: {len(text.splitlines())} lines")


def main() -> None:
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed to capture real terminal screens")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        shutil.copytree(ROOT / "examples", tmp / "examples")
        for file, text in FILES.items():
            (tmp / file).write_text(text, encoding="utf-8")
        for name, command, steps, end in SCREENS:
            if len(sys.argv) > 1 and name not in sys.argv[1:]:
                continue
            capture(name, command, steps, end, tmp)


if __name__ == "__main__":
    main()
