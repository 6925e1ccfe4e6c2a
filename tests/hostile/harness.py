#!/usr/bin/env python3
"""Red-team harness for dlcheck: materialise the hostile corpus and run dlcheck on it.

Usage (options first, then the dlcheck command, quoted or as separate words)::

    python3 harness.py --cwd /work/main /work/venv/bin/dlcheck
    python3 harness.py --cwd /work/main --families code-injection,terminal-escapes "python -m dlcheck"
    python3 harness.py --only-big --cwd /work/main /work/venv/bin/dlcheck      # the >1 MB generators only
    python3 harness.py --list                                                   # counts, no runs

It needs a YAML loader to read the corpus: ruamel.yaml (dlcheck's own dependency) or
PyYAML, so run it with the project's interpreter (``/work/venv/bin/python harness.py``).

For every entry it writes an answers file into a fresh temporary folder and runs
``DLCHECK grade FILE --format json``; for a sample of the single-answer families also
``DLCHECK compare --format json -- x PAYLOAD``, ``DLCHECK solve PROBLEM --answers F``
with the payload piped as a typed line, and (for terminal and unicode payloads, or any
payload holding control or bidi characters) the human table format under a real
pseudo-terminal, because click strips CSI sequences only when output is not a
terminal. Each child runs in its own session (killed as a group on timeout, and swept
afterwards), at nice 5, with an address-space limit, one at a time.

It reports per family: code executed (the canary exists), tracebacks, 'internal
error', control bytes from student text in stdout/stderr (ESC and other C0 but \\n and
\\t; separately DEL/C1 and bidi controls), exit codes, wall time, peak RSS of the child
(``os.wait4``, which includes the grandchildren dlcheck forks and reaps), and verdicts
that differ from ``expect``.

Importable: :func:`load_corpus`, :func:`materialise`, :func:`payload_text`,
:func:`run_dlcheck`, :func:`check_entry` are what a pytest module needs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import random
import resource
import select
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

FAMILIES = ["code-injection", "sympy-constructors", "huge-numbers", "deep-nesting", "matrix-bombs",
            "unicode-tricks", "terminal-escapes", "hostile-latex", "long-strings", "nan-inf", "yaml-attacks"]
FILE_FAMILY = "yaml-attacks"

# what a verdict must be, for each 'expect' of the single-answer families
ACCEPT = {
    "invalid": {"invalid"},
    "incorrect": {"incorrect", "partial"},
    "any": {"invalid", "incorrect", "partial"},
    "manual": {"manual"},
}
FILE_EXPECTS = {"error", "graded", "any"}
ANSWER_EXPECTS = set(ACCEPT) | {"error", "graded"}

# known-good construction answers: the other fields when a payload replaces one
KNOWN_CONSTRUCTIONS = {
    ("rnn-gradients/q5", "a"): {"w1": "-1", "w2": "1", "b2": "0.5", "w3": "-1", "b3": "0.5"},
    ("rnn-gradients/q5", "b"): {"W": "[[-1, -1], [1, 1]]", "b": "[0.5, -1.5]", "v": "[1, 1]", "r": "1",
                                "c": "-1.5"},
    ("seq-models/q3", "network"): {"W": "[[0, 1, 0], [0, 1, 0], [0, 1, 0]]", "U": "[[1, 1], [1, 1], [1, 1]]",
                                   "b_h": "[-0.5, -1.5, -2.5]", "v": "[1, -1, 1]", "b_g": "-0.5"},
}
# the ordinary answer that goes with a payload in student:/set: (graded incorrect)
COMPANION = ("backprop/q1", "out_h1", "0.1234")

# part order of the problems the corpus targets (for piping 'skip' lines into solve)
PART_ORDER = {
    "backprop/q1": ["out_h1", "out_h2", "out_y1", "out_y2", "loss", "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8",
                    "dE_db2", "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4", "dE_db1", "w1_new", "w2_new", "w3_new",
                    "w4_new", "w5_new", "w6_new", "w7_new", "w8_new", "b1_new", "b2_new"],
    "backprop/q2": ["d_z2_1", "d_Z2", "d_Z1", "d_w1_11"],
    "backprop/q3": ["more_expressive", "W_l", "b_l"],
    "rnn/q1": ["a", "b", "c"],
    "rnn/q2": ["dJ_do", "J", "dJ3_dh1", "dJ3_dWhh", "dJ_dWhh"],
    "rnn/q3": ["scores", "hard_output", "soft_weights", "soft_output", "why_not_argmax"],
    "rnn-gradients/q1": ["dL_dht", "max_dsigmoid", "argmax_dsigmoid", "W_threshold", "dL_dht_skip", "clipping"],
    "seq-models/q2": ["yhat", "dL_dw", "small_w_effect"],
    "seq-models/q4": ["M", "det_M", "T"],
    "attention/q1": ["answer"],
}

BIG_BYTES = 1_000_000
ARG_LIMIT = 100_000          # longest payload passed on a command line (MAX_ARG_STRLEN is 128 KiB)

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# ---------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------
def _yaml_loader():
    try:
        from ruamel.yaml import YAML

        y = YAML(typ="safe", pure=True)
        return y.load
    except ImportError:
        pass
    try:
        import yaml

        return yaml.safe_load
    except ImportError:
        raise SystemExit("harness.py needs ruamel.yaml or PyYAML to read the corpus; "
                         "run it with the project's interpreter, e.g. /work/venv/bin/python harness.py") from None


def load_corpus(directory: str | Path | None = None, families: Iterable[str] | None = None) -> list[dict]:
    """Every entry of every ``<family>.yaml``, each with its ``family``; checked for shape."""
    directory = Path(directory) if directory else HERE
    load = _yaml_loader()
    wanted = list(families) if families else FAMILIES
    entries: list[dict] = []
    seen: set[str] = set()
    for fam in wanted:
        path = directory / f"{fam}.yaml"
        with open(path, encoding="utf-8") as fh:
            doc = load(fh)
        if doc.get("family") != fam:
            raise ValueError(f"{path}: family is {doc.get('family')!r}, expected {fam!r}")
        for entry in doc["payloads"]:
            entry = dict(entry)
            entry["family"] = fam
            _check_entry_shape(entry, path)
            if entry["id"] in seen:
                raise ValueError(f"{path}: duplicate id {entry['id']}")
            seen.add(entry["id"])
            entries.append(entry)
    return entries


def _check_entry_shape(e: dict, path: Path) -> None:
    where = f"{path}: {e.get('id', '?')}"
    if "id" not in e:
        raise ValueError(f"{where}: no id")
    if e["family"] == FILE_FAMILY:
        if ("file" in e) == ("generate" in e):
            raise ValueError(f"{where}: needs exactly one of file / generate")
        if e.get("expect") not in FILE_EXPECTS:
            raise ValueError(f"{where}: expect must be one of {sorted(FILE_EXPECTS)}")
        return
    if ("text" in e) == ("generate" in e):
        raise ValueError(f"{where}: needs exactly one of text / generate")
    if not isinstance(e.get("target"), dict):
        raise ValueError(f"{where}: no target")
    if e.get("expect") not in ANSWER_EXPECTS:
        raise ValueError(f"{where}: expect must be one of {sorted(ANSWER_EXPECTS)}")
    if "canary" not in e:
        raise ValueError(f"{where}: canary: true/false is required")


# ---------------------------------------------------------------------------------
# generators for single answers
# ---------------------------------------------------------------------------------
def _digits(n: int) -> str:
    return ("1234567890" * (n // 10 + 1))[:n]


def _gen_iter(spec: Any) -> Iterator[str]:
    """Chunks of a generated text. Specs (all keys but the first are optional):

    {repeat: U, times: N, prefix: P, suffix: S}     P + U*N + S
    {nest: [OPEN, CLOSE], depth: N, inner: X}       OPEN*N + X + CLOSE*N
    {matrix: [R, C], entry: E}                      [[E, E, ...], ...] (E may use {i}, {j}, 1-based)
    {vector: N, entry: E}                           [E, E, ...]
    {digits: N, prefix: P, suffix: S}               P + 1234567890... (N digits) + S
    {concat: [piece, ...]}                          each piece a string or a spec
    """
    if isinstance(spec, str):
        yield spec
        return
    if "concat" in spec:
        for piece in spec["concat"]:
            yield from _gen_iter(piece)
        return
    yield spec.get("prefix", "")
    if "repeat" in spec:
        unit, times = spec["repeat"], int(spec["times"])
        block = max(1, 65536 // max(1, len(unit)))
        while times > 0:
            k = min(block, times)
            yield unit * k
            times -= k
    elif "nest" in spec:
        opening, closing = spec["nest"]
        depth = int(spec["depth"])
        yield opening * depth
        yield from _gen_iter(spec.get("inner", ""))
        yield closing * depth
    elif "matrix" in spec:
        rows, cols = spec["matrix"]
        entry = spec.get("entry", "1")
        yield "["
        for i in range(rows):
            yield ("[" if i == 0 else ", [") + ", ".join(
                entry.replace("{i}", str(i + 1)).replace("{j}", str(j + 1)) for j in range(cols)) + "]"
        yield "]"
    elif "vector" in spec:
        entry = spec.get("entry", "1")
        yield "[" + ", ".join(entry.replace("{i}", str(i + 1)) for i in range(int(spec["vector"]))) + "]"
    elif "digits" in spec:
        yield _digits(int(spec["digits"]))
    else:
        raise ValueError(f"unknown generator {spec!r}")
    yield spec.get("suffix", "")


def generated_text(spec: Any) -> str:
    return "".join(_gen_iter(spec))


def _gen_size(spec: Any) -> int:
    if isinstance(spec, str):
        return len(spec.encode("utf-8", "surrogatepass"))
    if "concat" in spec:
        return sum(_gen_size(p) for p in spec["concat"])
    extra = _gen_size(spec.get("prefix", "")) + _gen_size(spec.get("suffix", ""))
    if "repeat" in spec:
        return extra + _gen_size(spec["repeat"]) * int(spec["times"])
    if "nest" in spec:
        o, c = spec["nest"]
        return extra + (_gen_size(o) + _gen_size(c)) * int(spec["depth"]) + _gen_size(spec.get("inner", ""))
    if "matrix" in spec:
        r, c = spec["matrix"]
        return extra + r * c * (len(spec.get("entry", "1")) + 4) + 4 * r
    if "vector" in spec:
        return extra + int(spec["vector"]) * (len(spec.get("entry", "1")) + 2)
    if "digits" in spec:
        return extra + int(spec["digits"])
    return 0


def payload_text(entry: dict, canary_path: str | Path = "{canary}") -> str | None:
    """The text a single-answer entry puts into its field ({canary} replaced); None for files."""
    if entry["family"] == FILE_FAMILY:
        return None
    text = entry["text"] if "text" in entry else generated_text(entry["generate"])
    return text.replace("{canary}", str(canary_path))


def estimated_bytes(entry: dict) -> int:
    """Size of the materialised file, without building it (for --max-bytes / --only-big)."""
    if entry["family"] != FILE_FAMILY:
        if "text" in entry:
            return len(entry["text"].encode("utf-8", "surrogatepass")) + 200
        return _gen_size(entry["generate"]) + 200
    if "file" in entry:
        return len(entry["file"].encode("utf-8", "surrogatepass"))
    g = entry["generate"]
    kind = g["kind"]
    if kind == "alias-bomb":
        return 60 + int(g["depth"]) * (14 + 6 * int(g["width"]))
    if kind == "alias-fanout":
        return int(g["scalar_bytes"]) + 12 * int(g["aliases"]) + 120
    if kind in ("nested-flow", "nested-flow-map", "nested-block-seq"):
        return 4 * int(g["depth"]) + 120
    if kind == "nested-block-map":
        d = int(g["depth"])
        return d * (d - 1) // 2 * int(g.get("indent", 1)) + 4 * d + 120
    if kind in ("many-keys", "many-parts", "many-problems"):
        return int(g["count"]) * 24 + 120
    if kind == "comments":
        return int(g["bytes"]) + 120
    if kind == "long-line":
        return int(g["bytes"]) + 120
    if kind == "encoding":
        return 4 * len(g["of"]) + 8
    if kind == "binary":
        return int(g["bytes"])
    raise ValueError(f"unknown file generator kind {kind!r}")


# ---------------------------------------------------------------------------------
# YAML writing (the answers files are written by hand so every byte is ours)
# ---------------------------------------------------------------------------------
_DQ_SIMPLE = {"\\": "\\\\", '"': '\\"', "\x00": "\\0", "\x07": "\\a", "\x08": "\\b", "\t": "\\t",
              "\n": "\\n", "\x0b": "\\v", "\x0c": "\\f", "\r": "\\r", "\x1b": "\\e"}


def _needs_escape(ch: str) -> bool:
    import unicodedata

    o = ord(ch)
    if 0x20 <= o < 0x7F:
        return False
    if o < 0x20 or 0x7F <= o <= 0x9F or 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF, 0xFEFF):
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me", "Mc")


def yaml_dq(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``text`` (every escape explicit)."""
    out = ['"']
    for ch in text:
        if ch in _DQ_SIMPLE:
            out.append(_DQ_SIMPLE[ch])
        elif _needs_escape(ch):
            o = ord(ch)
            out.append(f"\\x{o:02x}" if o <= 0xFF else (f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def yaml_dq_raw(text: str) -> str:
    """Double quotes escaping only \\ and \" (and line breaks): other characters go into the file raw."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _answers_file_text(entry: dict, payload: str) -> str:
    t = entry["target"]
    q = yaml_dq_raw if entry.get("embed") == "raw" else yaml_dq
    lines: list[str] = []
    if t.get("student"):
        lines.append(f"student: {q(payload)}")
    if t.get("set"):
        lines.append(f"set: {q(payload)}")
        cp, cpart, cval = COMPANION
        lines += ["answers:", f"  {yaml_dq(cp.split('/')[1])}:", f"    {yaml_dq(cpart)}: {yaml_dq(cval)}"]
        return "\n".join(lines) + "\n"
    lines.append("answers:")
    if t.get("student"):
        cp, cpart, cval = COMPANION
        lines += [f"  {yaml_dq(cp)}:", f"    {yaml_dq(cpart)}: {yaml_dq(cval)}"]
        return "\n".join(lines) + "\n"
    if t.get("problem_key"):
        cp, cpart, cval = COMPANION
        lines += [f"  {q(payload)}:", f"    {yaml_dq(cpart)}: {yaml_dq(cval)}"]
        return "\n".join(lines) + "\n"
    problem = t["problem"]
    lines.append(f"  {yaml_dq(problem)}:")
    if t.get("part_key"):
        lines.append(f"    {q(payload)}: {yaml_dq('0.1234')}")
        return "\n".join(lines) + "\n"
    part = t["part"]
    if "field" in t or t.get("field_key"):
        known = dict(KNOWN_CONSTRUCTIONS[(problem, part)])
        lines.append(f"    {yaml_dq(part)}:")
        if t.get("field_key"):
            for k, v in known.items():
                lines.append(f"      {yaml_dq(k)}: {yaml_dq(v)}")
            lines.append(f"      {q(payload)}: {yaml_dq('1')}")
        else:
            known[t["field"]] = None
            for k, v in known.items():
                lines.append(f"      {yaml_dq(k)}: {q(payload) if v is None else yaml_dq(v)}")
        return "\n".join(lines) + "\n"
    lines.append(f"    {yaml_dq(part)}: {q(payload)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------
# generators for whole files (family yaml-attacks)
# ---------------------------------------------------------------------------------
_ANSWER_TAIL = 'answers:\n  "backprop/q1":\n    "out_h1": "0.1234"\n'


def _file_chunks(g: dict, canary: str) -> Iterator[bytes]:
    kind = g["kind"]
    if kind == "encoding":
        text = g["of"].replace("{canary}", canary)
        enc = g["encoding"]
        data = text.encode(enc)
        if g.get("bom") and enc.lower() in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            data = "\ufeff".encode(enc) + data
        yield data
        return
    if kind == "binary":
        rng = random.Random(int(g.get("seed", 1)))
        n = int(g["bytes"])
        alphabet = g.get("alphabet")
        if alphabet:
            yield "".join(rng.choice(alphabet) for _ in range(n)).encode("utf-8")
        else:
            yield bytes(rng.getrandbits(8) for _ in range(n))
        return
    yield from (s.encode("utf-8", "surrogatepass") for s in _file_text_chunks(g))



def _lines(count: int, template: str) -> Iterator[str]:
    """``count`` lines of ``template`` (``{i}`` numbered), 10,000 at a time: never the whole text at once."""
    for k in range(0, count, 10000):
        yield "".join(template.format(i=i) for i in range(k, min(count, k + 10000)))

def _file_text_chunks(g: dict) -> Iterator[str]:
    kind = g["kind"]
    under = g.get("under", "student")
    if kind == "alias-bomb":
        depth, width = int(g["depth"]), int(g["width"])
        anchors = ["  - &a0 \"lol\"\n"]
        for k in range(1, depth + 1):
            anchors.append(f"  - &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]\n")
        block = "".join(anchors)
        if under == "student":
            yield "set: backprop\nstudent:\n" + block + _ANSWER_TAIL
        elif under == "unknown-key":
            yield "set: backprop\nlols:\n" + block + _ANSWER_TAIL
        elif under == "answers":
            yield 'answers:\n  "backprop/q1":\n    "out_h1":\n' + block.replace("  - ", "      - ")
        elif under == "part-flow":   # one flow list in the answer itself: raw text is short
            yield 'answers:\n  "backprop/q1":\n    "loss": [' + ", ".join(f"&a{k} " + ("[" + ", ".join(
                [f"*a{k - 1}"] * width) + "]" if k else '"lol"') for k in range(depth + 1)) + "]\n"
        else:
            raise ValueError(f"alias-bomb under {under!r}")
        return
    if kind == "alias-fanout":
        size, n = int(g["scalar_bytes"]), int(g["aliases"])
        scalar = '"' + "x" * size + '"'
        if under == "part-block":    # a block list of aliases: joined into one answer text
            yield 'answers:\n  "backprop/q1":\n    "out_h1":\n      - &s ' + scalar + "\n"
            yield "      - *s\n" * (n - 1)
        elif under == "part-flow":
            yield 'answers:\n  "backprop/q1":\n    "out_h1": [&s ' + scalar + ", " + ", ".join(["*s"] * (n - 1)) + "]\n"
        elif under == "student":
            yield "student:\n  - &s " + scalar + "\n" + "  - *s\n" * (n - 1) + _ANSWER_TAIL
        elif under == "construction":
            yield ('answers:\n  "rnn-gradients/q5":\n    "a": {w1: &s ' + scalar
                   + ", w2: *s, b2: *s, w3: *s, b3: *s}\n")
        else:
            raise ValueError(f"alias-fanout under {under!r}")
        return
    if kind in ("nested-flow", "nested-flow-map"):
        depth = int(g["depth"])
        opening, closing = ("[", "]") if kind == "nested-flow" else ("{a: ", "}")
        prefix = 'answers:\n  "backprop/q1":\n    "out_h1": ' if under == "part" else "student: "
        yield prefix + opening * depth + "0.1" + closing * depth + "\n"
        if under != "part":
            yield _ANSWER_TAIL
        return
    if kind == "nested-block-seq":
        depth = int(g["depth"])
        yield "student: \n  " + "- " * depth + "0.1\n" + _ANSWER_TAIL
        return
    if kind == "nested-block-map":
        depth, indent = int(g["depth"]), int(g.get("indent", 1))
        yield "student:\n"
        for k in range(depth):
            yield " " * (indent * (k + 1)) + "a:\n"
        yield " " * (indent * (depth + 1)) + "x\n" + _ANSWER_TAIL
        return
    if kind == "many-keys":
        count = int(g["count"])
        if under == "student":
            yield "set: backprop\nstudent:\n"
            yield from _lines(count, "  k{i}: v\n")
            yield _ANSWER_TAIL
        elif under == "unknown-key":
            yield "junk:\n"
            yield from _lines(count, "  k{i}: v\n")
            yield _ANSWER_TAIL
        else:
            raise ValueError(f"many-keys under {under!r}")
        return
    if kind == "many-parts":
        yield 'answers:\n  "backprop/q1":\n    "out_h1": "0.1234"\n'
        yield from _lines(int(g["count"]), "    p{i}: 1\n")
        return
    if kind == "many-problems":
        yield "answers:\n"
        yield from _lines(int(g["count"]), "  s{i}/q{i}: {{a: 1}}\n")
        return
    if kind == "comments":
        total = int(g["bytes"])
        line = "# " + "lorem ipsum dolor sit amet " * 3 + "\n"
        yield "set: backprop\n"
        written = 0
        block = line * 1000
        while written < total:
            chunk = block if total - written >= len(block) else line * ((total - written) // len(line) + 1)
            yield chunk
            written += len(chunk)
        yield _ANSWER_TAIL
        return
    if kind == "long-line":
        total = int(g["bytes"])
        yield 'answers: {"backprop/q1": {"out_h1": "0.1234"' + "".join(
            f", p{i}: 1" for i in range(total // 10)) + "}}\n"
        return
    raise ValueError(f"unknown file generator kind {kind!r}")


def materialise(entry: dict, canary_path: str | Path, tmpdir: str | Path) -> Path:
    """Write the answers file for ``entry`` (every generator included); return its path."""
    tmpdir = Path(tmpdir)
    path = tmpdir / f"{entry['id']}.yaml"
    canary = str(canary_path)
    with open(path, "wb") as fh:
        if entry["family"] == FILE_FAMILY:
            if "file" in entry:
                fh.write(entry["file"].replace("{canary}", canary).encode("utf-8", "surrogatepass"))
            else:
                for chunk in _file_chunks(entry["generate"], canary):
                    fh.write(chunk)
        else:
            text = _answers_file_text(entry, payload_text(entry, canary))
            fh.write(text.encode("utf-8", "surrogatepass"))
    return path


# ---------------------------------------------------------------------------------
# running dlcheck
# ---------------------------------------------------------------------------------
@dataclass
class Run:
    argv: list[str]
    mode: str                  # pipe | tty
    rc: int | None
    timed_out: bool
    wall: float
    maxrss_kb: int
    stdout: bytes
    stderr: bytes

    @property
    def output(self) -> bytes:
        return self.stdout + self.stderr


def _child_setup(mem_mb: int) -> Any:
    def setup() -> None:
        if mem_mb:
            limit = mem_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with contextlib.suppress(OSError):
            os.nice(5)
    return setup


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS"):
        env.pop(k, None)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "LINES": "50", "PYTHONIOENCODING": "utf-8"})
    return env


def _sweep(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_dlcheck(cmd: list[str], args: list[str], *, timeout: float = 60.0, cwd: str | None = None,
                stdin: bytes | None = None, tty_mode: bool = False, mem_mb: int = 4096,
                max_capture: int = 64 << 20) -> Run:
    """Run ``cmd + args`` in its own session; kill the whole group on timeout or after exit."""
    argv = list(cmd) + list(args)
    with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, tempfile.TemporaryFile() as ferr:
        if stdin is not None:
            fin.write(stdin)
            fin.seek(0)
        masters: list[int] = []
        if tty_mode:
            pairs = [os.openpty(), os.openpty()]
            for _master, slave in pairs:
                tty.setraw(slave)
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
            out_fd, err_fd = pairs[0][1], pairs[1][1]
            masters = [pairs[0][0], pairs[1][0]]
        else:
            out_fd, err_fd = fout.fileno(), ferr.fileno()
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=fin if stdin is not None else subprocess.DEVNULL,
                                stdout=out_fd, stderr=err_fd, env=_env(), start_new_session=True,
                                preexec_fn=_child_setup(mem_mb))
        pid = proc.pid
        captured = {0: bytearray(), 1: bytearray()}
        if tty_mode:
            os.close(pairs[0][1])
            os.close(pairs[1][1])
        deadline = start + timeout
        status = None
        rusage = None
        timed_out = False
        open_masters = list(masters)

        def drain(wait: float) -> None:
            if not open_masters:
                time.sleep(wait)
                return
            ready, _, _ = select.select(open_masters, [], [], wait)
            for fd in ready:
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:   # EIO: the slave side is closed
                    chunk = b""
                if not chunk:
                    open_masters.remove(fd)
                    continue
                buf = captured[masters.index(fd)]
                if len(buf) < max_capture:
                    buf.extend(chunk)

        try:
            while True:
                wpid, status, rusage = os.wait4(pid, os.WNOHANG)
                if wpid == pid:
                    break
                if time.monotonic() >= deadline:
                    timed_out = True
                    _sweep(pid)
                    _, status, rusage = os.wait4(pid, 0)
                    break
                drain(0.02)
            wall = time.monotonic() - start
            _sweep(pid)   # grandchildren left in the group
            proc.returncode = os.waitstatus_to_exitcode(status)
            end_drain = time.monotonic() + 2.0
            while open_masters and time.monotonic() < end_drain:
                drain(0.05)
        finally:
            _sweep(pid)
            for fd in masters:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if tty_mode:
            out, err = bytes(captured[0]), bytes(captured[1])
        else:
            fout.seek(0)
            ferr.seek(0)
            out, err = fout.read(max_capture), ferr.read(max_capture)
    return Run(argv, "tty" if tty_mode else "pipe", None if timed_out else proc.returncode, timed_out, wall,
               rusage.ru_maxrss if rusage else 0, out, err)


# ---------------------------------------------------------------------------------
# judging one run
# ---------------------------------------------------------------------------------
def output_problems(run: Run, input_text: str) -> list[str]:
    """Kinds of trouble visible in the output, whatever the verdict."""
    kinds = []
    out = run.output
    if b"Traceback (most recent call last)" in out:
        kinds.append("traceback")
    if b"internal error" in out:
        kinds.append("internal-error")
    if b"MemoryError" in out:
        kinds.append("memory-error")
    if run.timed_out:
        kinds.append("timeout")
    elif run.rc is not None and (run.rc < 0 or run.rc not in (0, 1, 2, 130)):
        kinds.append(f"crash-rc{run.rc}")
    c0 = {b for b in out if b < 0x20 and b not in (0x0A, 0x09)}
    if run.mode == "tty":
        c0.discard(0x0D)   # a terminal's own line endings are not the student's
    from_input = {b for b in c0 if chr(b) in input_text}
    if 0x1B in from_input:
        kinds.append("esc-from-input")
    if from_input - {0x1B}:
        kinds.append("c0-from-input")
    if c0 - from_input:
        kinds.append("c0-other")
    text = out.decode("utf-8", "replace")
    c1 = {ch for ch in text if ch == "\x7f" or 0x80 <= ord(ch) <= 0x9F}
    if {ch for ch in c1 if ch in input_text}:
        kinds.append("c1-del-from-input")
    if {ch for ch in text if ch in _BIDI and ch in input_text}:
        kinds.append("bidi-from-input")
    return kinds


def _grade_verdict(run: Run, target: dict | None) -> tuple[str, str]:
    """(verdict, message) of a grade --format json run: a part status, 'refused', or 'broken'."""
    if run.timed_out:
        return "timeout", ""
    if run.rc == 2:
        err = run.stderr.decode("utf-8", "replace").strip()
        return "refused", err[:300]
    if run.rc not in (0, 1):
        return "broken", f"exit {run.rc}"
    try:
        doc = json.loads(run.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "bad-json", run.stdout[:200].decode("utf-8", "replace")
    if target is None:
        return "graded", ""
    for p in doc.get("problems", []):
        if p.get("id") == target["problem"]:
            for part in p.get("parts", []):
                if part.get("id") == target["part"]:
                    return part.get("status", "?"), str(part.get("message", ""))[:300]
    return "no-part", ""


def _part_target(entry: dict) -> dict | None:
    t = entry.get("target") or {}
    if t.get("student") or t.get("set"):
        return {"problem": COMPANION[0], "part": COMPANION[1]}
    if "problem" in t and "part" in t:
        return {"problem": t["problem"], "part": t["part"]}
    return None


def judge_grade(entry: dict, run: Run) -> tuple[str, str, bool]:
    """(verdict, message, as_expected) for the JSON grade run of an entry.

    Part-level expectations (invalid, incorrect, any, manual) look at the target part's
    status; a refused file is then a mismatch (one bad answer must not hide the others).
    File-level ones: error = exit 2, stderr starting "error: " (each error may quote its line),
    stdout empty or the JSON error document, no traceback; graded = exit 0/1 and one JSON
    document (plus any part_expect); any = either.
    """
    expect = entry["expect"]
    if expect in ACCEPT and entry["family"] != FILE_FAMILY:
        verdict, message = _grade_verdict(run, _part_target(entry))
        return verdict, message, verdict in ACCEPT[expect]
    verdict, message = _grade_verdict(run, None)
    if verdict == "refused":
        err = run.stderr.decode("utf-8", "replace").strip()
        try:  # with --format json the error is also a JSON document on stdout
            out_ok = not run.stdout.strip() or "error" in json.loads(run.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            out_ok = False
        clean = (out_ok and err.startswith("error: ") and "Traceback" not in err and "internal error" not in err)
        if not clean:
            verdict = "refused-unclean"
    ok = {"error": verdict == "refused", "graded": verdict == "graded",
          "any": verdict in ("refused", "graded")}[expect]
    if verdict == "graded":
        for pe in entry.get("part_expect") or []:
            v, m = _grade_verdict(run, pe)
            if v not in ACCEPT.get(pe["expect"], {pe["expect"]}):
                return f"graded/{pe['problem']}:{pe['part']}={v}", m, False
        target = _part_target(entry)
        if target:
            v, message = _grade_verdict(run, target)
            verdict = f"graded/{v}"
    return verdict, message, ok


# ---------------------------------------------------------------------------------
# one entry, all modes
# ---------------------------------------------------------------------------------
@dataclass
class Result:
    id: str
    family: str
    expect: str
    size: int
    verdict: str = ""
    message: str = ""
    as_expected: bool = False
    canary: bool = False
    problems: dict[str, list[str]] = field(default_factory=dict)   # mode -> kinds
    runs: dict[str, dict] = field(default_factory=dict)             # mode -> rc, wall, rss
    notes: list[str] = field(default_factory=list)

    def kinds(self) -> set[str]:
        out = {k for ks in self.problems.values() for k in ks}
        if self.canary:
            out.add("CODE-EXECUTED")
        if not self.as_expected:
            out.add("verdict-mismatch")
        return out


def _has_special(text: str) -> bool:
    return any(ord(c) < 0x20 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F or c in _BIDI for c in text)


def _canary_hit(canary: Path) -> bool:
    return any(canary.parent.glob(canary.name + "*"))


def _record(res: Result, mode: str, run: Run, input_text: str, canary: Path) -> None:
    res.runs[mode] = {"rc": run.rc, "wall": round(run.wall, 3), "rss_mb": round(run.maxrss_kb / 1024, 1),
                      "timed_out": run.timed_out}
    kinds = output_problems(run, input_text)
    if kinds:
        res.problems[mode] = kinds
    if _canary_hit(canary):
        res.canary = True
        res.notes.append(f"canary created during {mode}")


def check_entry(entry: dict, cmd: list[str], *, workdir: Path, cwd: str | None = None, timeout: float = 60.0,
                compare: bool = False, solve: bool = False, table: bool | None = None,
                mem_mb: int = 4096) -> Result:
    """Materialise ``entry`` and run every mode asked for; the Result lists what went wrong."""
    d = Path(tempfile.mkdtemp(prefix=f"{entry['id']}-", dir=workdir))
    canary = d / "canary"
    path = materialise(entry, canary, d)
    payload = payload_text(entry, canary)
    raw = path.read_bytes()
    input_text = raw.decode("utf-8", "surrogateescape") + (payload or "")
    res = Result(entry["id"], entry["family"], entry["expect"], len(raw))

    run = run_dlcheck(cmd, ["grade", str(path), "--format", "json"], timeout=timeout, cwd=cwd, mem_mb=mem_mb)
    _record(res, "grade-json", run, input_text, canary)
    res.verdict, res.message, res.as_expected = judge_grade(entry, run)
    if entry["family"] != FILE_FAMILY and res.verdict == "undecided":
        res.problems.setdefault("grade-json", []).append("undecided")

    if table is None:
        table = entry["family"] in ("terminal-escapes", "unicode-tricks") or _has_special(input_text)
    if table and len(raw) <= 2 * BIG_BYTES:
        run = run_dlcheck(cmd, ["grade", str(path)], timeout=timeout, cwd=cwd, tty_mode=True, mem_mb=mem_mb)
        _record(res, "grade-tty", run, input_text, canary)

    passable = (payload is not None and "\x00" not in payload
                and len(payload.encode("utf-8", "surrogatepass")) <= ARG_LIMIT
                and not any(0xD800 <= ord(c) <= 0xDFFF for c in payload))
    if compare and passable:
        run = run_dlcheck(cmd, ["compare", "--format", "json", "--", "x", payload], timeout=timeout, cwd=cwd,
                          mem_mb=mem_mb)
        _record(res, "compare", run, input_text, canary)
        status = "?"
        try:
            status = json.loads(run.stdout.decode("utf-8")).get("status", "?")
        except (UnicodeDecodeError, ValueError):
            if run.rc == 2:
                status = "error"
        res.runs["compare"]["status"] = status
        if status == "undecided" or b"took too long" in run.stderr:
            res.problems.setdefault("compare", []).append("compare-undecided")
        if table:
            run = run_dlcheck(cmd, ["compare", "--", "x", payload], timeout=timeout, cwd=cwd, tty_mode=True,
                              mem_mb=mem_mb)
            _record(res, "compare-tty", run, input_text, canary)

    t = entry.get("target") or {}
    if (solve and payload is not None and "\n" not in payload and len(payload) <= ARG_LIMIT
            and t.get("problem") in PART_ORDER and t.get("part") in PART_ORDER.get(t.get("problem"), [])
            and "field" not in t and not t.get("field_key")
            and not any(0xD800 <= ord(c) <= 0xDFFF for c in payload)):
        saved = d / "solve-answers.yaml"
        skips = PART_ORDER[t["problem"]].index(t["part"])
        stdin = ("skip\n" * skips + payload + "\nquit\n").encode("utf-8")
        run = run_dlcheck(cmd, ["solve", t["problem"], "--answers", str(saved)], timeout=timeout, cwd=cwd,
                          stdin=stdin, mem_mb=mem_mb)
        _record(res, "solve", run, input_text, canary)
        if saved.exists():
            back = run_dlcheck(cmd, ["grade", str(saved), "--format", "json"], timeout=timeout, cwd=cwd,
                               mem_mb=mem_mb)
            _record(res, "solve-regrade", back, input_text, canary)
            if back.rc not in (0, 1):
                res.problems.setdefault("solve-regrade", []).append("solve-saved-unreadable")
            else:
                try:
                    doc = json.loads(back.stdout)
                    got = [pt["answer"] for p in doc["problems"] for pt in p["parts"]
                           if p["id"] == t["problem"] and pt["id"] == t["part"]]
                    if got and got[0] != payload.strip():
                        res.problems.setdefault("solve-regrade", []).append("solve-saved-altered")
                except (ValueError, KeyError):
                    res.problems.setdefault("solve-regrade", []).append("bad-json")
    if _canary_hit(canary):
        res.canary = True
    return res


# ---------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------
def summarise(results: list[Result], skipped: list[dict]) -> str:
    lines = ["# dlcheck hostile corpus run", ""]
    lines.append("| family | ran | skipped | as expected | code executed | traceback | internal error | "
                 "ESC/C0 from input | DEL/C1 | bidi | timeout | undecided | max wall s | max RSS MB |")
    lines.append("|" + "---|" * 14)
    by_fam: dict[str, list[Result]] = {}
    for r in results:
        by_fam.setdefault(r.family, []).append(r)
    skipped_by: dict[str, int] = {}
    for e in skipped:
        skipped_by[e["family"]] = skipped_by.get(e["family"], 0) + 1
    for fam in FAMILIES:
        rs = by_fam.get(fam, [])
        if not rs and not skipped_by.get(fam):
            continue

        def n(kind: str, rs: list[Result] = rs) -> int:
            return sum(1 for r in rs if any(k == kind or k.startswith(kind) for k in r.kinds()))
        walls = [v["wall"] for r in rs for v in r.runs.values()]
        rss = [v["rss_mb"] for r in rs for v in r.runs.values()]
        lines.append(f"| {fam} | {len(rs)} | {skipped_by.get(fam, 0)} | {sum(r.as_expected for r in rs)} | "
                     f"{sum(r.canary for r in rs)} | {n('traceback')} | {n('internal-error')} | "
                     f"{sum(1 for r in rs if r.kinds() & {'esc-from-input', 'c0-from-input'})} | "
                     f"{n('c1-del-from-input')} | {n('bidi-from-input')} | {n('timeout')} | "
                     f"{sum(1 for r in rs if 'undecided' in r.kinds() or 'compare-undecided' in r.kinds())} | "
                     f"{max(walls, default=0):.1f} | {max(rss, default=0):.0f} |")
    lines.append("")
    for fam in FAMILIES:
        rs = by_fam.get(fam, [])
        if not rs:
            continue
        lines += [f"## {fam}", ""]
        kinds: dict[str, list[str]] = {}
        for r in rs:
            for mode, ks in r.problems.items():
                for k in ks:
                    kinds.setdefault(f"{k} ({mode})", []).append(r.id)
            if r.canary:
                kinds.setdefault("CODE-EXECUTED", []).append(r.id)
        for k in sorted(kinds):
            ids = kinds[k]
            lines.append(f"- {k}: {len(ids)} — {', '.join(ids[:8])}{' …' if len(ids) > 8 else ''}")
        rcs: dict[str, int] = {}
        for r in rs:
            for mode, v in r.runs.items():
                key = f"{mode}:{'timeout' if v['timed_out'] else v['rc']}"
                rcs[key] = rcs.get(key, 0) + 1
        lines.append("- exit codes: " + ", ".join(f"{k}×{v}" for k, v in sorted(rcs.items())))
        slow = sorted(((v["wall"], r.id, m) for r in rs for m, v in r.runs.items()), reverse=True)[:3]
        lines.append("- slowest: " + ", ".join(f"{i} {m} {w:.1f}s" for w, i, m in slow))
        big = sorted(((v["rss_mb"], r.id, m) for r in rs for m, v in r.runs.items()), reverse=True)[:2]
        lines.append("- peak RSS: " + ", ".join(f"{i} {m} {w:.0f} MB" for w, i, m in big))
        bad = [r for r in rs if not r.as_expected]
        if bad:
            lines.append(f"- verdict ≠ expect: {len(bad)}")
            for r in bad[:12]:
                lines.append(f"  - {r.id}: expect {r.expect}, got {r.verdict}"
                             + (f" — {r.message[:140]!r}" if r.message else ""))
            if len(bad) > 12:
                lines.append(f"  - … {len(bad) - 12} more (see the JSON results)")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(HERE), help="folder with <family>.yaml (default: beside this file)")
    ap.add_argument("--cwd", default=None, help="run dlcheck in this folder")
    ap.add_argument("--families", default=None, help="comma-separated families (default: all)")
    ap.add_argument("--ids", default=None, help="comma-separated entry ids")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per dlcheck invocation (default 60)")
    ap.add_argument("--max-bytes", type=int, default=BIG_BYTES,
                    help=f"skip entries whose file would exceed this (default {BIG_BYTES}; 0: no limit)")
    ap.add_argument("--only-big", action="store_true", help="run only the entries above --max-bytes")
    ap.add_argument("--compare", choices=["sample", "all", "none"], default="sample",
                    help="compare runs: all code-injection and terminal-escapes, every 3rd of the rest (default)")
    ap.add_argument("--solve", choices=["sample", "all", "none"], default="sample",
                    help="solve runs: every 5th eligible payload and all terminal-escapes (default)")
    ap.add_argument("--no-tty", action="store_true", help="skip the table-format runs under a pseudo-terminal")
    ap.add_argument("--mem-mb", type=int, default=4096, help="address-space limit of each child (0: none)")
    ap.add_argument("--json-out", default=None, help="write every result as JSON here")
    ap.add_argument("--md-out", default=None, help="write the markdown summary here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--list", action="store_true", help="print counts per family and exit")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="the dlcheck command, e.g. /work/venv/bin/dlcheck")
    a = ap.parse_args(argv)

    families = a.families.split(",") if a.families else None
    entries = load_corpus(a.corpus, families)
    if a.ids:
        wanted = set(a.ids.split(","))
        entries = [e for e in entries if e["id"] in wanted]
    if a.list:
        counts: dict[str, int] = {}
        for e in entries:
            counts[e["family"]] = counts.get(e["family"], 0) + 1
        for fam in FAMILIES:
            if fam in counts:
                print(f"{fam:20s} {counts[fam]:4d}")
        print(f"{'total':20s} {len(entries):4d}")
        return 0
    if not a.cmd:
        ap.error("give the dlcheck command, e.g. /work/venv/bin/dlcheck")
    cmd = shlex.split(a.cmd[0]) if len(a.cmd) == 1 else list(a.cmd)

    big = [e for e in entries if a.max_bytes and estimated_bytes(e) > a.max_bytes]
    if a.only_big:
        run_list, skipped = big, []
    else:
        run_list, skipped = [e for e in entries if e not in big], big

    workdir = Path(tempfile.mkdtemp(prefix="dlcheck-hostile-"))
    results: list[Result] = []
    per_family_index: dict[str, int] = {}
    t0 = time.monotonic()
    try:
        for e in run_list:
            k = per_family_index.get(e["family"], 0)
            per_family_index[e["family"]] = k + 1
            do_compare = e["family"] != FILE_FAMILY and (
                a.compare == "all" or (a.compare == "sample" and (
                    e["family"] in ("code-injection", "terminal-escapes") or k % 3 == 0)))
            do_solve = e["family"] != FILE_FAMILY and (
                a.solve == "all" or (a.solve == "sample" and (e["family"] == "terminal-escapes" or k % 5 == 0)))
            res = check_entry(e, cmd, workdir=workdir, cwd=a.cwd, timeout=a.timeout, compare=do_compare,
                              solve=do_solve, table=False if a.no_tty else None, mem_mb=a.mem_mb)
            results.append(res)
            flag = " ".join(sorted(res.kinds())) or "ok"
            walls = max((v["wall"] for v in res.runs.values()), default=0)
            print(f"[{time.monotonic() - t0:7.1f}s] {res.id:10s} {res.verdict[:28]:28s} {walls:6.1f}s  {flag}",
                  flush=True)
    finally:
        if a.keep:
            print(f"kept {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    summary = summarise(results, skipped)
    print()
    print(summary)
    if a.md_out:
        Path(a.md_out).write_text(summary + "\n", encoding="utf-8")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps([r.__dict__ for r in results], indent=1, ensure_ascii=True),
                                    encoding="utf-8")
    return 1 if any(r.canary for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
