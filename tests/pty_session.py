"""Drive a real ``dlcheck`` in a pseudo-terminal: keys in, screen text out.

Every wait is for something the test expects to see, with a generous deadline (other
test runs share the machine); the child is killed and reaped whatever happens.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]|\r")
KEYS = {"up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D", "home": b"\x01",
        "end": b"\x05", "delete": b"\x1b[3~", "backspace": b"\x7f", "enter": b"\r", "ctrl-c": b"\x03",
        "ctrl-d": b"\x04"}
DEADLINE = 90.0


class Session:
    """One ``python -m dlcheck ARGS`` (or a script) in a pty of ``cols`` columns."""

    def __init__(self, args: list[str], tmp: Path, cols: int = 100, script: Path | None = None) -> None:
        env = dict(os.environ, TERM="xterm", COLUMNS=str(cols), LINES="50", PYTHONPATH=str(ROOT),
                   DLCHECK_HISTORY=str(tmp / "history"), INPUTRC=str(tmp / "inputrc"), HOME=str(tmp))
        (tmp / "inputrc").write_text("set enable-bracketed-paste off\n")
        argv = [sys.executable, str(script)] if script else [sys.executable, "-m", "dlcheck"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a terminal session
            try:
                os.chdir(tmp)
                os.execve(sys.executable, argv + args, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
        self.screen = ""       # everything shown so far, escape codes removed
        self.seen = 0          # how much of it the last wait consumed
        self.status: int | None = None

    def wait_for(self, needle: str, timeout: float = DEADLINE) -> str:
        """The text shown since the last wait, up to and including ``needle`` (which may be wrapped
        over lines where it has spaces); the result has its line breaks joined back into spaces."""
        pattern = re.compile(r"\s+".join(re.escape(w) for w in needle.split(" ")))
        deadline = time.monotonic() + timeout
        while (found := pattern.search(self.screen, self.seen)) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {needle!r}; screen so far:\n{self.screen[-3000:]}")
            if not self._read(left):
                raise AssertionError(f"the program ended before showing {needle!r}; screen:\n{self.screen[-3000:]}")
        out, self.seen = self.screen[self.seen:found.end()], found.end()
        return " ".join(out.split(" ")).replace(" \n", " ").replace("\n", " ")

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], min(timeout, 1.0))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.screen += ANSI.sub("", chunk.decode("utf-8", errors="replace"))
        return True

    def type(self, *keys: str) -> None:
        """Text, or named keys (``up``, ``enter``, ``ctrl-c``)."""
        for key in keys:
            os.write(self.fd, KEYS.get(key, key.encode()))
            time.sleep(0.05)  # a person's typing speed; readline sees one key at a time

    def line(self, text: str) -> None:
        self.type(text, "enter")

    def finish(self, timeout: float = DEADLINE) -> int:
        """Wait for the exit (draining the screen), return the exit code; kill after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(status)
                break
            self._read(0.2)
        if self.status is None:
            self.kill()
            raise AssertionError(f"the program did not end; screen:\n{self.screen[-3000:]}")
        while select.select([self.fd], [], [], 0.1)[0] and self._read(0.1):
            pass
        os.close(self.fd)
        return self.status

    def kill(self) -> None:
        if self.status is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        self.status = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(OSError):
            os.close(self.fd)
