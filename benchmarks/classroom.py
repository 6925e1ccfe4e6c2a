"""A class of generated answers files, for the batch benchmarks (issue 11).

``make_class(folder, n)`` writes ``n`` answers files over all five sets: each student
answers every problem of one set, each part drawn from the reference (right), the
reference perturbed (a factor, a sign, rounded too early), the example file's answer
(partly wrong on purpose), a blank or an ``idk``; about 2% of the files are broken (bad
YAML, an unknown problem or part, binary data). Deterministic for a seed, so two runs
grade the same class.

``big_problem(folder, parts)`` writes a course bank with one problem of ``parts`` number
parts (a chain of sigmoid units) and an answers file for it, partly wrong, for the
cost-per-part benchmark.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+")


def references(student: str | None = None) -> dict[str, dict[str, Any]]:
    """Every part's reference as ``student`` would type it (their own numbers where a problem varies;
    a mapping for a network)."""
    from dlcheck.check.kinds import choice, value
    from dlcheck.check.registry import instance_for
    from dlcheck.core.yamlio import raw_text
    from dlcheck.spec import bank

    out: dict[str, dict[str, Any]] = {}
    for pid in bank.all_ids(bank.builtin_root()):
        inst = instance_for(pid, student)
        parts: dict[str, Any] = {}
        for part_id, part in inst.spec.problem.parts.items():
            if part.kind == "choice":
                parts[part_id] = choice.show(inst.prepared[part_id].answer)
            elif part.kind == "construction":
                parts[part_id] = {k: raw_text(v) for k, v in part.known_solution.items()}
            elif part.kind == "essay":
                parts[part_id] = "the gradient vanishes because every step multiplies by a small factor"
            else:
                parts[part_id] = value.expected_text(inst, part_id)
        out[pid] = parts
    return out


def examples() -> dict[str, dict[str, Any]]:
    """The example files' answers (partly wrong on purpose), by problem id."""
    from dlcheck.check.registry import read_answers_file

    out: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        for pid, parts in read_answers_file(path).problems.items():
            out.setdefault(pid, {}).update({k: a.text for k, a in parts.items()})
    return out


def _scale(text: str, factor: float, rng: random.Random) -> str:
    def one(m: re.Match) -> str:
        x = float(m.group())
        return f"{x * factor:.4g}" if "." in m.group() else m.group()
    return _NUMBER.sub(one, text)


def perturb(text: Any, rng: random.Random) -> Any:
    if isinstance(text, dict) or not _NUMBER.search(text):
        return text
    how = rng.choice(["factor", "sign", "round", "noise"])
    if how == "factor":
        return _scale(text, rng.choice([2.0, 0.5, 10.0]), rng)
    if how == "sign":
        return _scale(text, -1.0, rng)
    if how == "round":
        return _NUMBER.sub(lambda m: f"{float(m.group()):.2g}" if "." in m.group() else m.group(), text)
    return _scale(text, 1 + rng.uniform(-0.2, 0.2), rng)


def _quoted(answer: Any) -> str:
    if isinstance(answer, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in answer.items()) + "}"
    return json.dumps(answer, ensure_ascii=False)


VARIED_SETS = ("backprop", "rnn")   # sets with a problem that varies per student
BROKEN = [
    "set: backprop\nanswers:\n  q1:\n    out_h1: [0.5945, 0.5963\n",          # an unclosed bracket
    "set: backprop\nanswers:\n  q9:\n    out_h1: 0.5945\n",                   # no such problem
    "set: rnn\nanswers:\n  q2:\n    dJ_dWhhh: 1\n",                            # no such part
    "set: backprop\nstudnet: 1\nanswers:\n  q1:\n    out_h1: 0.5\n",          # a misspelt key
]


def make_class(folder: Path, n: int = 1000, seed: int = 11, broken_every: int = 50) -> list[Path]:
    """Every student answers their own numbers (``student:`` draws them where a problem varies)."""
    sheet, given = references(), examples()
    sets = sorted({pid.split("/")[0] for pid in sheet})
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        path = folder / f"student{k:04d}.yaml"
        paths.append(path)
        if broken_every and k % broken_every == broken_every - 1:
            kind = (k // broken_every) % (len(BROKEN) + 1)
            if kind == len(BROKEN):
                path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
            else:
                path.write_text(BROKEN[kind], encoding="utf-8")
            continue
        set_name = sets[k % len(sets)]
        student = str(9950000 + k)
        refs = references(student) if set_name in VARIED_SETS else sheet
        lines = [f"set: {set_name}", f'student: "{student}"', "answers:"]
        for pid in (p for p in refs if p.startswith(set_name + "/")):
            lines.append(f"  {pid.split('/')[1]}:")
            for part_id, ref in refs[pid].items():
                roll = rng.random()
                if roll < 0.55:
                    answer = ref
                elif roll < 0.75:
                    answer = perturb(ref, rng)
                elif roll < 0.87 and part_id in given.get(pid, {}) and refs is sheet:
                    answer = given[pid][part_id]
                elif roll < 0.95:
                    continue  # left blank
                else:
                    answer = "idk"
                lines.append(f"    {part_id}: {_quoted(answer)}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def big_problem(folder: Path, parts: int = 1000, seed: int = 3) -> tuple[Path, Path]:
    """A course bank with ``big/q1``: ``parts`` number parts a_k = sigmoid(w*a_{k-1} + b), and answers."""
    import math

    bank = folder / "bank" / "big"
    bank.mkdir(parents=True, exist_ok=True)
    lines = ["title: A long chain of sigmoid units", "statement: |", "  a_0 = x; a_k = sigmoid(w*a_{k-1} + b).",
             "given: {x: 0.5, w: 0.9, b: 0.1}", "define:"]
    lines += [f"  z{k}: w*{'x' if k == 1 else f'a{k - 1}'} + b\n  a{k}: sigmoid(z{k})" for k in range(1, parts + 1)]
    lines.append("parts:")
    lines += [f"  p{k}: {{kind: number, prompt: a_{k}, answer: a{k}, tolerance: {{rtol: 1e-3}}}}"
              for k in range(1, parts + 1)]
    (bank / "q1.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(seed)
    a = 0.5
    answers = ["set: big", "answers:", "  q1:"]
    for k in range(1, parts + 1):
        a = 1 / (1 + math.exp(-(0.9 * a + 0.1)))
        roll = rng.random()
        typed = a if roll < 0.8 else -a if roll < 0.9 else a * 1.5
        answers.append(f"    p{k}: {typed:.6f}")
    path = folder / "big.yaml"
    path.write_text("\n".join(answers) + "\n", encoding="utf-8")
    return folder / "bank", path
