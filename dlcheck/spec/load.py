"""Load one problem file: YAML with positions -> validated :class:`Problem`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlcheck.errors import SpecError
from dlcheck.yamlio import Located, read_located


@dataclass
class Spec:
    """A validated problem with its id and the positions of everything in its file."""

    id: str
    problem: "Problem"  # noqa: F821 - pydantic model, imported lazily
    located: Located

    def error(self, loc: tuple, message: str) -> SpecError:
        return self.located.error(loc, message, SpecError)  # type: ignore[return-value]


def load_spec(path: str | Path, problem_id: str) -> Spec:
    from pydantic import ValidationError

    from dlcheck.spec.model import Problem

    located = read_located(path, SpecError)
    if not isinstance(located.data, dict):
        raise SpecError("a problem file must be a mapping with title, statement and parts",
                        path=str(path), line=1, column=1)
    try:
        problem = Problem.model_validate(located.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("list[", "str", "function"))))
        raise located.error(loc, _friendly(err, loc), SpecError) from None
    return Spec(problem_id, problem, located)


def _friendly(err: dict, loc: tuple) -> str:
    field = ".".join(str(p) for p in loc) or "the file"
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}' in {'.'.join(map(str, loc[:-1])) or 'the problem'}; check its spelling"
    if kind == "missing":
        return f"missing required field '{field}'; add it"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{field}: {err.get('input')!r} is not allowed; use one of {expected}"
    return f"{field}: {err.get('msg', 'invalid value')}"
