"""Per-student variants: which givens vary, and the numbers one student gets.

A spec lists the givens that vary::

    vary:
      x1: [0.01, 0.09, 0.01]                    # low, high, step: 0.01, 0.02, ..., 0.09
      x_3: {one_of: ["[1, 1]", "[1, -1]"]}      # any shape: one of these

Each value is drawn from the student id (the answers file's ``student:``) by SHA-256
of the problem id, the given's name and the id: the same numbers on every machine and
every Python version (no ``random``, whose algorithms may change), independent from one
given to the next. Without a student id a problem keeps the sheet's numbers.

The statement keeps the sheet's text: every varied given must appear in it as
``name = value`` (``x1 = 0.05``), and a student's statement shows their value there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Callable
from typing import Any

from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.core.yamlio import raw_text
from dlcheck.spec.answers import student_key
from dlcheck.spec.model import OneOf, range_values


def options(entry: Any) -> list[str]:
    """Every value a varied given may take, as text."""
    if isinstance(entry, OneOf):
        return [raw_text(v) for v in entry.one_of]
    return [format(d, "f") for d in range_values(entry)]


def possible_variants(vary: dict[str, Any]) -> int:
    """How many different sets of givens the draw can give (the product of each given's choices)."""
    count = 1
    for entry in vary.values():
        count *= len(options(entry))
    return count


def _index(problem_id: str, name: str, student: str, count: int) -> int:
    # surrogatepass: an id YAML decoded from an escape such as "\ud800" still has bytes, the same everywhere
    digest = hashlib.sha256(f"dlcheck-vary\0{problem_id}\0{name}\0{student}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


def draw(problem_id: str, vary: dict[str, Any], student: Any) -> dict[str, str]:
    """The given values of ``student``'s variant (empty: no variants, or no student id)."""
    key = student_key(student)
    if not vary or key is None:
        return {}
    out = {}
    for name, entry in vary.items():
        choices = options(entry)
        out[name] = choices[_index(problem_id, name, key, len(choices))]
    return out


def _mention(name: str, sheet: str) -> re.Pattern:
    """``name = <the sheet's value>`` in a statement, spaces inside the value free."""
    value = r"\s*".join(re.escape(ch) for ch in sheet if not ch.isspace())
    return re.compile(rf"(?<![\w.]){re.escape(name)}(\s*=\s*){value}(?![\d]|\.\d)")


def statement_for(statement: str, given: dict[str, Any], values: dict[str, str]) -> str:
    """The statement with each varied given's sheet value replaced by the student's."""
    for name, value in values.items():
        statement = _mention(name, raw_text(given[name])).sub(_replacer(name, value), statement)
    return statement


def _replacer(name: str, value: str) -> Callable[[re.Match], str]:
    return lambda m: f"{name}{m.group(1)}{value}"


def variant_spec(spec: Any, values: dict[str, str]) -> Any:
    """``spec`` with the student's given values, in its givens and in its statement."""
    problem = spec.problem
    given = dict(problem.given)
    given.update(values)
    statement = statement_for(problem.statement, problem.given, values)
    return dataclasses.replace(spec, problem=problem.model_copy(update={"given": given, "statement": statement}))


def check_vary(inst: Any) -> None:
    """At load: every varied name is a given, shown in the statement as ``name = value``, and every
    value it may take is a number (or vector, matrix) of the sheet value's shape."""
    problem = inst.spec.problem
    for name, entry in problem.vary.items():
        loc = ("vary", name)
        if name not in problem.given:
            raise inst.spec.error(loc, f"'{name}' varies but is not a given; vary the givens only "
                                  f"({', '.join(problem.given) or 'this problem has none'})")
        sheet_text = raw_text(problem.given[name])
        sheet = inst.parse_spec(sheet_text, ("given", name), names={})
        shape = getattr(sheet, "shape", None)
        if shape is not None and not isinstance(entry, OneOf):
            raise inst.spec.error(loc, f"'{name}' is a vector or matrix; vary it with {{one_of: [...]}}")
        for text in options(entry):
            value = inst.parse_spec(text, loc, names={})
            if getattr(value, "shape", None) != shape or any(
                    v.free_symbols for v in (value if shape is not None else [value])):
                raise inst.spec.error(loc, f"'{text}' is not a {'number' if shape is None else 'vector or matrix'}"
                                      f" of the shape of {name}'s sheet value {sheet_text}")
        if not _mention(name, sheet_text).search(problem.statement):
            raise inst.spec.error(loc, f"the statement must say '{name} = {sheet_text}' so that each student's "
                                  "statement shows their value; write it that way in the statement")


def corner_draws(vary: dict[str, Any]) -> list[dict[str, str]]:
    """Draws every value of every varied given appears in: all lows, all highs, and each one_of
    alternative (the others at their first value)."""
    firsts = {name: options(entry)[0] for name, entry in vary.items()}
    lasts = {name: options(entry)[-1] for name, entry in vary.items()}
    draws = [firsts, lasts]
    for name, entry in vary.items():
        for value in options(entry)[1:-1] if isinstance(entry, OneOf) else []:
            draws.append({**firsts, name: value})
    return draws


def check_draws(problem_id: str, inst: Any, derive: Callable[[dict[str, str]], Any], students: int = 40) -> int:
    """Derive variants (corners and ``students`` drawn ids) and check every numeric reference is a finite
    number; a spec error at ``vary`` otherwise. Returns how many variants were checked."""
    vary = inst.spec.problem.vary
    if not vary:
        return 0
    draws = corner_draws(vary) + [draw(problem_id, vary, f"validate-{k}") for k in range(students)]
    for values in draws:
        twin = derive(values)
        for pid in twin.part_ref:
            if not twin.is_numeric(pid):
                continue
            try:
                value = twin.value(twin.part_ref[pid])
            except (Undefined, UnknownSymbol):
                value = float("nan")
            cells = [x for row in value for x in (row if isinstance(row, list) else [row])] \
                if isinstance(value, list) else [value]
            if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in cells):
                shown = ", ".join(f"{k} = {v}" for k, v in values.items())
                raise inst.spec.error(("vary",), f"with {shown} part '{pid}' has no finite value; narrow the "
                                      "ranges so every variant can be worked")
    return len(draws)
