"""``dlcheck show ID --template``: an answers file to fill in for one problem.

Every part is there with no answer (so the file grades as a valid, empty answers file:
each part ``missing``), under a comment with its prompt and the shape of answer it
expects. The comments sit above their keys, where ruamel's round trip keeps them when
``solve`` saves into the file.
"""

from __future__ import annotations

import json
import textwrap

import sympy as sp

from dlcheck.check.registry import instance_for, kind_of
from dlcheck.core.visible import visible

INDENT = "    "
WIDTH = 88     # comment lines wrap here


def answers_template(pid: str, student: str | None = None) -> str:
    """The YAML text of an answers file for problem ``pid`` (``student``: the id to write in)."""
    inst = instance_for(pid, student)
    problem = inst.spec.problem
    set_name, short = pid.split("/", 1)
    title = visible(problem.title, newlines=False)
    lines = [f"# answers for {pid}: {title}",
             f"# write each answer after its part's colon; 'dlcheck show {pid}' shows the statement,",
             "# 'dlcheck grade THIS-FILE' checks the answers, 'dlcheck solve' asks them one by one.",
             f"set: {set_name}"]
    if student is not None:
        lines.append(f"student: {json.dumps(str(student), ensure_ascii=False)}")
    else:
        lines.append("student:    # your student id in quotes, e.g. \"99521469\"" +
                     (" (this problem's numbers vary per student)" if problem.vary else ""))
    lines += ["answers:", f"  {short}:"]
    for part_id, part in problem.parts.items():
        prompt = visible(part.prompt).splitlines() or [""]
        shape = expects(inst, part_id, part)
        if len(prompt) == 1 and len(shape) == 1 and len(prompt[0]) + len(shape[0]) <= WIDTH - 8:
            prompt, shape = [f"{prompt[0]}  {shape[0]}"], []
        lines += [_comment(text) for text in [*prompt, *shape]]
        lines.append(f"{INDENT}{part_id}:")
        if kind_of(part).takes_mapping:  # a mapping of fields: each one blank
            lines += [f"{INDENT}  {name}:" for name in _fields(part)]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    """``    # text``, wrapped at spaces (never inside a number or a formula's word) to :data:`WIDTH`."""
    wrapped = textwrap.wrap(text, WIDTH - len(INDENT) - 2, break_long_words=False, break_on_hyphens=False,
                            subsequent_indent="  ") or [""]
    return "\n".join(f"{INDENT}# {line}".rstrip() for line in wrapped)


def expects(inst, part_id: str, part) -> list[str]:
    """What shape of answer the part takes, in a line or two: from the reference for a part with one
    in the graph (numbers, vectors, matrices, formulas), else what its kind tells ``show``."""
    kind = part.kind
    if part_id in inst.part_ref:
        ref = inst.part_ref[part_id]
        if isinstance(ref, sp.MatrixBase):
            if kind == "vector" or 1 in ref.shape:
                n = max(ref.shape)
                return [f"({kind}: {n} entries, e.g. [{', '.join(['0'] * n)}])"]
            return [f"(matrix: {ref.rows}x{ref.cols}, rows in brackets, e.g. "
                    f"[{', '.join('[' + ', '.join(['0'] * ref.cols) + ']' for _ in range(ref.rows))}])"]
        if kind == "expression":
            return ["(a formula in the problem's names)"]
        return ["(a number)"]
    lines = [visible(line, newlines=False) for line in kind_of(part).describe(part)]
    if not kind_of(part).auto:
        lines.append("(marked by a person; for several lines write | and the text indented below it)")
    return lines


def _fields(part) -> list[str]:
    from dlcheck.check.kinds.construction import lookup  # lazy: only construction parts have fields

    arch, _ = lookup(part)
    return list(arch.fields)
