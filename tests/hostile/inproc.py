"""Run the hostile corpus in this process, through the same code path as the command line.

``dlcheck grade``, ``compare`` and ``solve`` are invoked through typer's test runner with
colour kept (``color=True``), so click strips nothing a terminal would receive: a raw
escape sequence that got through would be in the captured bytes. Every answer is still
checked in dlcheck's own bounded children, as on the command line.

Grading one file costs a forked check per part of each problem in it, answered or not.
So payloads that target a part share a file with other payloads (:func:`batches`): a
payload for ``backprop/q1 out_h1`` may sit in any of that problem's 25 number parts, since
being unreadable (or wrong) does not depend on which number part it is. A payload whose
verdict depends on its place stays there (:data:`PINNED`, ``incorrect`` expectations,
choice parts, construction fields), and a payload that makes the whole file refused, or
that is large, gets a file of its own. Every payload keeps its own canary.
"""

from __future__ import annotations

import json
import resource
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dlcheck.check.registry import get_spec
from dlcheck.cli import app
from dlcheck.grade.run import PART_SECONDS
from tests.hostile import harness as H

MAX_RSS_MB = 500           # peak memory of dlcheck and of each of its children
PACKED_BYTES = 16_000      # payloads up to this size share a file with others
SLACK = 1.0                # an invocation ends within (parts x part bound) + this
WATCHDOG = 60.0            # past the budget, an invocation is stopped and reported as hung
PINNED = {"mb-022", "mb-023", "mb-033", "ls-013"}  # the right value in the wrong form: only at their part


class Hung(BaseException):
    """An invocation ran past its budget and the watchdog: it would have hung the grader."""


@dataclass
class Slot:
    entry: dict
    problem: str
    part: str
    payload: str
    canary: Path


@dataclass
class Batch:
    """One answers file: payloads in parts (a construction part holds one payload in one field)."""

    name: str
    slots: list[Slot] = field(default_factory=list)
    entry: dict | None = None          # a file of its own: a yaml-attacks entry or an unpackable payload

    def ids(self) -> list[str]:
        return [self.entry["id"]] if self.entry is not None else [s.entry["id"] for s in self.slots]


@dataclass
class Invocation:
    """What one run of dlcheck did: exit code, output, time, and the problems seen in it."""

    args: list[str]
    rc: int
    stdout: bytes
    stderr: bytes
    wall: float
    exception: BaseException | None = None
    peaks: tuple[tuple[float, float], tuple[float, float]] = ((0, 0), (0, 0))  # (self, children) MB before, after

    @property
    def text(self) -> str:
        return (self.stdout + self.stderr).decode("utf-8", "replace")


def kind_of_part(problem: str, part: str) -> str:
    return get_spec(problem).problem.parts[part].kind


def parts_like(problem: str, part: str) -> list[str]:
    """The parts a payload aimed at ``part`` may stand in: its own first, then those of the same kind."""
    kind = kind_of_part(problem, part)
    if kind in ("choice", "construction"):
        return [part]
    return [part] + [p for p, spec in get_spec(problem).problem.parts.items() if p != part and spec.kind == kind]


def packable(entry: dict) -> bool:
    if entry["family"] == H.FILE_FAMILY or entry.get("embed") == "raw":
        return False
    t = entry["target"]
    if not ("problem" in t and "part" in t) or t.get("field_key") or entry["expect"] in ("error", "graded"):
        return False
    return H.estimated_bytes(entry) <= PACKED_BYTES


def batches(entries: list[dict], workdir: Path, alone: set[str] = frozenset()) -> list[Batch]:
    """Pack the packable entries into as few files as their places allow; the rest one file each."""
    out: list[Batch] = []
    packed: list[Batch] = []
    taken: list[set[tuple[str, str]]] = []
    for entry in entries:
        if not packable(entry) or entry["id"] in alone:
            out.append(Batch(entry["id"], entry=entry))
            continue
        t = entry["target"]
        movable = entry["expect"] != "incorrect" and entry["id"] not in PINNED and "field" not in t
        places = parts_like(t["problem"], t["part"]) if movable else [t["part"]]
        canary = workdir / f"canary-{entry['id']}"
        k = next((k for k in range(len(packed)) if any((t["problem"], p) not in taken[k] for p in places)), None)
        if k is None:
            packed.append(Batch(f"batch{len(packed):03d}"))
            taken.append(set())
            k = len(packed) - 1
        place = next(p for p in places if (t["problem"], p) not in taken[k])
        taken[k].add((t["problem"], place))
        packed[k].slots.append(Slot(entry, t["problem"], place, H.payload_text(entry, canary), canary))
    return packed + out


def file_text(batch: Batch) -> str:
    """The answers file of a packed batch, every payload written as an explicit YAML escape string."""
    problems: dict[str, list[str]] = {}
    for s in batch.slots:
        lines = problems.setdefault(s.problem, [])
        field_name = s.entry["target"].get("field")
        if field_name is None:
            lines.append(f"    {H.yaml_dq(s.part)}: {H.yaml_dq(s.payload)}")
            continue
        known = dict(H.KNOWN_CONSTRUCTIONS[(s.problem, s.part)])
        known[field_name] = s.payload
        lines.append(f"    {H.yaml_dq(s.part)}:")
        lines += [f"      {H.yaml_dq(k)}: {H.yaml_dq(v)}" for k, v in known.items()]
    out = ["answers:"]
    for problem, lines in problems.items():
        out += [f"  {H.yaml_dq(problem)}:", *lines]
    return "\n".join(out) + "\n"


def materialise(batch: Batch, workdir: Path) -> tuple[Path, str]:
    """Write the batch's file; returns it and the text the output is compared with (file + payloads)."""
    if batch.entry is not None:
        path = H.materialise(batch.entry, workdir / f"canary-{batch.entry['id']}", workdir)
        payload = H.payload_text(batch.entry, workdir / f"canary-{batch.entry['id']}") or ""
        head = path.read_bytes()[:2 * H.BIG_BYTES]
        return path, head.decode("utf-8", "surrogateescape") + payload
    path = workdir / f"{batch.name}.yaml"
    text = file_text(batch)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path, text + "".join(s.payload for s in batch.slots)


def invoke(args: list[str], budget: float, input: str | None = None) -> Invocation:
    """One dlcheck command in this process, under a watchdog; colour codes kept."""
    def hang(signum: int, frame: Any) -> None:
        raise Hung(f"{' '.join(args[:2])} ran past {budget + WATCHDOG:g} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, budget + WATCHDOG)
    before = _peaks()
    start = time.monotonic()
    try:
        result = CliRunner().invoke(app, args, input=input, color=True)
        stdout, stderr, rc, exc = result.stdout_bytes, result.stderr_bytes, result.exit_code, result.exception
    except Hung as hung:
        stdout, stderr, rc, exc = b"", b"", -1, hung
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    if isinstance(exc, SystemExit):
        exc = None
    wall = time.monotonic() - start
    return Invocation(args, rc, stdout, stderr, wall, exc, (before, _peaks()))


def output_problems(inv: Invocation, input_text: str) -> list[str]:
    """What must never be in any output: tracebacks, internal errors, raw control bytes from the input."""
    run = H.Run(inv.args, "pipe", inv.rc, False, inv.wall, 0, inv.stdout, inv.stderr)
    found = [k for k in H.output_problems(run, input_text) if k != "c0-other"]
    if inv.exception is not None:
        found.append(f"exception {type(inv.exception).__name__}: {str(inv.exception)[:200]}")
    if inv.rc not in (0, 1, 2):
        found.append(f"exit code {inv.rc}")
    return found


def _peaks() -> tuple[float, float]:
    """Peak memory so far of this process and of its largest child, in MB."""
    return tuple(resource.getrusage(w).ru_maxrss / 1024  # type: ignore[return-value]
                 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def memory_problems(inv: Invocation) -> list[str]:
    """A new peak over the limit during this invocation, in dlcheck (this process) or in a check it forked.

    The peaks are high-water marks of the whole process, so only a rise during the invocation is its own."""
    out = []
    for who, was, now in zip(("dlcheck (this process)", "a check dlcheck forked"), *inv.peaks):
        if now > MAX_RSS_MB and now > was:
            out.append(f"{who} reached {now:.0f} MB (the limit is {MAX_RSS_MB} MB)")
    return out


def budget_of(doc: Any) -> float:
    """(parts graded x part bound) + slack; a file refused before grading has only the slack."""
    if isinstance(doc, dict) and "problems" in doc:
        return sum(len(p["parts"]) for p in doc["problems"]) * PART_SECONDS + SLACK
    return SLACK


def parse_json(inv: Invocation) -> Any:
    try:
        return json.loads(inv.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


ACCEPT = {"invalid": {"invalid"}, "incorrect": {"incorrect", "partial"},
          "any": {"invalid", "incorrect", "partial"}, "manual": {"manual"}}


def status_of(doc: Any, problem: str, part: str) -> tuple[str, str]:
    for p in (doc or {}).get("problems", []):
        if p["id"] == problem:
            for v in p["parts"]:
                if v["id"] == part:
                    return v["status"], v.get("message", "")
    return "no-part", ""


def judge_file(entry: dict, inv: Invocation, doc: Any) -> list[str]:
    """A whole-file expectation (yaml-attacks, or a payload that makes the file refused)."""
    expect = entry["expect"]
    refused = inv.rc == 2 and isinstance(doc, dict) and "error" in doc and inv.stderr.startswith(b"error: ")
    graded = inv.rc in (0, 1) and isinstance(doc, dict) and "problems" in doc
    problems = []
    if expect == "error" and not refused:
        problems.append(f"expected the file to be refused with an error, got exit {inv.rc}")
    elif expect == "graded" and not graded:
        problems.append(f"expected the file to be graded, got exit {inv.rc}: {inv.stderr[:200]!r}")
    elif expect == "any" and not (refused or graded):
        problems.append(f"expected graded or refused, got exit {inv.rc}: {inv.stderr[:200]!r}")
    if expect in ACCEPT and entry["family"] != H.FILE_FAMILY and not graded:
        problems.append(f"expected the answer to be {expect}, but the whole file was not graded (exit {inv.rc}: "
                        f"{inv.stderr[:200]!r})")
    if graded:
        for pe in entry.get("part_expect") or []:
            status, message = status_of(doc, pe["problem"], pe["part"])
            if status not in ACCEPT.get(pe["expect"], {pe["expect"]}):
                problems.append(f"{pe['problem']} {pe['part']}: expected {pe['expect']}, got {status} ({message})")
        target = H._part_target(entry) if entry["family"] != H.FILE_FAMILY else None
        if target is not None and entry["expect"] in ACCEPT:
            status, message = status_of(doc, target["problem"], target["part"])
            if status not in ACCEPT[entry["expect"]]:
                problems.append(f"expected {entry['expect']}, got {status} ({message[:200]})")
    return problems


def judge_slot(slot: Slot, doc: Any) -> list[str]:
    status, message = status_of(doc, slot.problem, slot.part)
    expect = slot.entry["expect"]
    if status in ACCEPT[expect]:
        return []
    return [f"{slot.problem} {slot.part}: expected {expect}, got {status} ({message[:200]})"]


def canary_problems(canary: Path) -> list[str]:
    return ["CODE EXECUTED: the canary file exists"] if any(canary.parent.glob(canary.name + "*")) else []
