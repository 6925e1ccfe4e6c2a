"""An assignment: the problems a grade is out of (``--assignment`` or ``[assignment]`` in dlcheck.toml).

A class run, one file and the Gradescope autograder score exactly the assignment: a problem
of it that a student did not answer counts 0 of its points, and answers to problems outside
it are listed as ignored and earn nothing, so skipping a problem never raises a percentage
and answering a problem nobody set never adds points.

- ``--assignment rnn/q1,rnn/q2`` (repeatable; ``qN`` alone when one set has it). A problem
  may carry its points, ``rnn/q1=10``: its parts' points are scaled to sum to that.
- ``dlcheck.toml``::

      [assignment]
      name = "Homework 3"
      problems = ["rnn/q1", "rnn/q2"]
      points = { "rnn/q1" = 10 }     # optional

The option wins over the file. Ids are checked against the bank when read: a typo is an
error naming the problem, never an assignment with a problem nobody can answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.core.errors import DlcheckError
from dlcheck.core.visible import clip
from dlcheck.spec import bank


@dataclass(frozen=True)
class Assignment:
    name: str
    problems: tuple[str, ...]
    points: dict[str, float] = field(default_factory=dict)   # a problem's points, when not the spec's
    source: str = "--assignment"                             # where it comes from, said in messages

    def option(self) -> str:
        """The ``--assignment`` value that means this assignment (for the autograder's script)."""
        return ",".join(f"{p}={self.points[p]:g}" if p in self.points else p for p in self.problems)


def _points(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise DlcheckError(f"{where}: '{clip(text)}' is not a number of points; write e.g. rnn/q1=10")
    return value


def parse_option(values: list[str], name: str | None = None) -> Assignment:
    """``--assignment ID[=POINTS][,ID…]`` (repeatable), every id resolved in the bank."""
    problems: list[str] = []
    points: dict[str, float] = {}
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            ident, _, given = item.partition("=")
            pid = bank.resolve(ident.strip())
            if pid not in problems:
                problems.append(pid)
            if given.strip():
                points[pid] = _points(given.strip(), f"--assignment {item}")
    if not problems:
        raise DlcheckError("--assignment names no problem; give ids such as rnn/q1,rnn/q2")
    return Assignment(name or "the assignment", tuple(problems), points, "--assignment")


def from_config(folder: Path | None = None) -> Assignment | None:
    """``[assignment]`` of ./dlcheck.toml (when the bank reads that file), else None."""
    found = bank.config_table("assignment", folder)
    if found is None:
        return None
    table, path = found
    if not isinstance(table, dict):
        raise DlcheckError("assignment must be a table: [assignment] with name and problems", path=str(path))
    listed = table.get("problems")
    if not isinstance(listed, list) or not listed or not all(isinstance(p, str) for p in listed):
        raise DlcheckError('[assignment] problems must be a list of problem ids, e.g. problems = ["rnn/q1"]',
                           path=str(path))
    given = table.get("points", {})
    if not isinstance(given, dict):
        raise DlcheckError('[assignment] points must be a table, e.g. points = { "rnn/q1" = 10 }', path=str(path))
    name = table.get("name", "the assignment")
    try:
        problems = tuple(dict.fromkeys(bank.resolve(p) for p in listed))
        points = {bank.resolve(k): _points(str(v), f"[assignment] points {k}") for k, v in given.items()}
    except DlcheckError as exc:
        raise DlcheckError(f"[assignment]: {exc.message}", path=str(path)) from None
    outside = [p for p in points if p not in problems]
    if outside:
        raise DlcheckError(f"[assignment] points names {outside[0]}, which is not in its problems; add it there",
                           path=str(path))
    return Assignment(str(name), problems, points, str(path))
