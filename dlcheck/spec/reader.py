"""Read one problem file: YAML with positions -> validated :class:`Problem`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from dlcheck.core.errors import SpecError, raise_all
from dlcheck.core.suggest import did_you_mean
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
        errors: dict[tuple, SpecError] = {}   # every error of the file at once, each place once
        for err in exc.errors():
            loc = _clean_loc(err["loc"], located.data)
            if err.get("type", "").startswith("union_tag"):
                loc += ("kind",)
            unknown = err.get("type") == "extra_forbidden"
            message = _friendly(err, loc, located.data, _fields_at(loc[:-1], located.data, part_models)
                                if unknown else [])
            place = ("key", *loc) if unknown else loc  # an unknown field: the caret under its name
            errors.setdefault((place, message), located.error(place, message, SpecError))  # type: ignore[arg-type]
        raise_all(sorted(errors.values(), key=lambda e: (e.line or 0, e.column or 0)))
        raise  # not reached: pydantic reports at least one error
    return Spec(problem_id, problem, located)


def _fields_at(loc: tuple, data: Any, part_models: tuple[type[PartBase], ...]) -> list[str]:
    """The fields the model at ``loc`` (a part, a tolerance, a mistake, the problem) has: what a
    misspelt field could have meant."""
    model: Any = problem_model(part_models)
    path = list(loc)
    if path[:1] == ["parts"] and len(path) >= 2:
        part = data.get("parts", {}).get(path[1]) if isinstance(data.get("parts"), dict) else None
        kind = part.get("kind") if isinstance(part, dict) else None
        model = next((m for m in part_models if kind in get_args(m.model_fields["kind"].annotation)), None)
        path = path[2:]
    for step in path:
        if model is None:
            return []
        field = model.model_fields.get(step) if isinstance(step, str) else None
        if field is not None:
            model = _model_in(field.annotation)
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation (``Tolerance | None``, ``list[Mistake]``, ...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


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


def _friendly(err: Any, loc: tuple, data: Any, fields: list[str] | None = None) -> str:
    field = ".".join(str(p) for p in loc) or "the file"
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        where = ".".join(map(str, loc[:-1])) or "the problem"
        close = did_you_mean(str(loc[-1]), fields or [])
        if len(loc) == 3 and loc[0] == "parts":
            part_kind = data["parts"][loc[1]].get("kind")
            return (f"unknown field '{loc[-1]}' for a {part_kind} part ({where})" +
                    (close or "; check its spelling, or whether it belongs to another kind"))
        return f"unknown field '{loc[-1]}' in {where}" + (close or "; check its spelling")
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
