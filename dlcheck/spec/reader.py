"""Read one problem file: YAML with positions -> validated :class:`Problem`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dlcheck.core.errors import SpecError
from dlcheck.core.yamlio import Located, read_located
from dlcheck.spec.model import PartBase, Problem, problem_model


@dataclass
class Spec:
    """A validated problem with its id and the positions of everything in its file."""

    id: str
    problem: Problem
    located: Located

    def error(self, loc: tuple, message: str) -> SpecError:
        return self.located.error(loc, message, SpecError)  # type: ignore[return-value]


def read_spec(path: str | Path, problem_id: str, part_models: tuple[type[PartBase], ...]) -> Spec:
    """Validate a problem file whose parts may be any of ``part_models``."""
    located = read_located(path, SpecError, "a problem file")
    return spec_from_data(located, problem_id, part_models)


def spec_from_data(located: Located, problem_id: str, part_models: tuple[type[PartBase], ...]) -> Spec:
    if not isinstance(located.data, dict):
        raise SpecError("a problem file must be a mapping with title, statement and parts",
                        path=located.path, line=1, column=1)
    _no_control_characters(located)
    try:
        problem = problem_model(part_models).model_validate(located.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _clean_loc(err["loc"], located.data)
        if err.get("type", "").startswith("union_tag"):
            loc += ("kind",)
        raise located.error(loc, _friendly(err, loc, located.data), SpecError) from None
    return Spec(problem_id, problem, located)


def _no_control_characters(located: Located) -> None:
    """A control character or lone surrogate written as an escape (``"\\e[2J"``) in any key or text:
    a problem's text is shown to every student, so it is refused where it is, like a raw one."""
    todo: list[tuple[tuple, Any]] = [((), located.data)]
    while todo:
        loc, value = todo.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(located, ("key",) + loc + (key,), key)
                todo.append((loc + (key,), item))
        elif isinstance(value, list):
            todo.extend((loc + (i,), item) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(located, loc, value)


def _check_text(located: Located, loc: tuple, text: str) -> None:
    bad = next((ch for ch in text if (ch < " " and ch not in "\n\t") or "\x7f" <= ch <= "\x9f"
                or "\ud800" <= ch <= "\udfff" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"), None)
    if bad is not None:
        raise located.error(loc, f"this text holds the control character U+{ord(bad):04X} (written as an escape); "
                                 "a problem's text is shown to students as it is, so remove it", SpecError)


def _clean_loc(raw: tuple, data: Any) -> tuple:
    """pydantic's location without its own bookkeeping (union tags, type names)."""
    loc: list = []
    node = data
    for p in raw:
        if isinstance(p, str) and p.startswith(("list[", "str", "function")):
            continue
        if isinstance(node, dict) and p not in node and isinstance(p, str) and len(loc) == 2 and loc[0] == "parts":
            continue  # the discriminator tag pydantic inserts: parts.<pid>.<kind>.field
        loc.append(p)
        node = node.get(p) if isinstance(node, dict) else (node[p] if isinstance(node, list) and
                                                               isinstance(p, int) and p < len(node) else None)
    return tuple(loc)


def _friendly(err: Any, loc: tuple, data: Any) -> str:
    field = ".".join(str(p) for p in loc) or "the file"
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        where = ".".join(map(str, loc[:-1])) or "the problem"
        if len(loc) == 3 and loc[0] == "parts":
            part_kind = data["parts"][loc[1]].get("kind")
            return (f"unknown field '{loc[-1]}' for a {part_kind} part ({where}); check its spelling, "
                    "or whether it belongs to another kind")
        return f"unknown field '{loc[-1]}' in {where}; check its spelling"
    if kind == "missing":
        return f"missing required field '{field}'; add it"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"{field}: {ctx.get('tag', '')!r} is not allowed; use one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return f"{field}: a part needs a 'kind'; add one"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{field}: {err.get('input')!r} is not allowed; use one of {expected}"
    return f"{field}: {err.get('msg', 'invalid value')}"
