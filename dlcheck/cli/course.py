"""A course's own problems: ``dlcheck new SET/qN`` writes a spec to start from, ``dlcheck schema``
prints the spec's JSON Schema for editors. docs/spec.md describes every field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dlcheck.check.registry import part_models
from dlcheck.core.errors import DlcheckError
from dlcheck.spec import bank
from dlcheck.spec.model import problem_model

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$")

TEMPLATE = '''\
# {pid}: a problem of this course's bank. Every field is described in dlcheck's docs/spec.md.
# Check it with:  dlcheck validate {path}      See it with:  dlcheck show {pid} --problems {root}
title: A one-line title shown above the parts
topics: [backprop]                      # words for `dlcheck list`
statement: |
  What the student reads. Write the given numbers here as on the sheet, e.g. x = 0.5, w = 2
  and b = -1; a unit computes y = sigmoid(w*x + b).
# symbols: {{z: real}}                  # names with no value (for formula answers), with their domain:
                                        # real positive negative nonzero probability integer angle
given:                                  # numbers (or vectors [1, 2], matrices [[1, 2], [3, 4]])
  x: 0.5
  w: 2
  b: -1
define:                                 # derived quantities, in order; references are derived from these
  z: w*x + b
  y: sigmoid(z)
  L: (y - 1)^2/2
internal: [L]                           # defines a student may not use in an answer
# vary:                                 # per-student numbers, drawn from the answers file's student:
#   x: [0.1, 0.9, 0.1]                  # low, high, step; the statement must say "x = 0.5"
# reveal: always                        # when students may see expected answers: always, after_attempt, never
parts:
  y:
    kind: number                        # number vector matrix expression choice construction essay
    prompt: y, the unit's output
    answer: y                           # a formula over the names above; diff(L, w) is a derivative
    tolerance: {{rtol: 1e-3}}
    points: 1
    hints: ["y = sigmoid(w*x + b)"]
  dL_dw:
    kind: number
    prompt: dL/dw
    answer: diff(L, w)
    tolerance: {{rtol: 1e-3}}
    mistakes:                           # wrong answers worth naming, with the feedback a student gets
      - {{answer: "-diff(L, w)", name: sign, feedback: "Sign error: dL/dy = y - 1."}}
  why:
    kind: choice
    prompt: Why does a saturated sigmoid learn slowly?
    options: [its derivative is near 0, its output is near 0]
    answer: 1
  learning_rate:
    kind: essay
    prompt: In two sentences, what does the learning rate do?
    model_answer: It scales the step taken along the negative gradient.
    rubric: [mentions the gradient, mentions the step size]
'''


def new_problem(ident: str, folder: Path | None = None, replace: bool = False) -> Path:
    """Write a commented spec for ``SET/qN`` into ``folder`` (else the first course bank, else
    ./problems); never over an existing file, and over a built-in problem's id only with ``replace``."""
    ident = ident.strip().strip("/")
    if not _ID.match(ident):
        raise DlcheckError(f"'{ident}' is not a problem id; write SET/qN with lower-case letters, digits, - "
                           "and _ (e.g. week3/q1)")
    root = folder if folder is not None else _course_root()
    path = root / f"{ident}.yaml"
    if path.exists():
        raise DlcheckError(f"{path} exists already; choose another id or edit that file")
    if not replace and (bank.builtin_root() / f"{ident}.yaml").exists():
        raise DlcheckError(f"{ident} is a built-in problem; a course problem with that id would replace it for "
                           "everyone using this bank. Choose another id, or pass --replace to replace it on purpose")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(pid=ident, path=path, root=root), encoding="utf-8")
    return path


def _course_root() -> Path:
    builtin = bank.builtin_root().resolve()
    for root in bank.roots():
        if root.resolve() != builtin:
            return root
    return Path("problems")


def schema_json() -> str:
    schema = problem_model(part_models()).model_json_schema()
    schema["title"] = "dlcheck problem spec"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False)
