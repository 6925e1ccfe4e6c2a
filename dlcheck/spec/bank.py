"""Find problem files and resolve ids such as ``backprop/q1`` or ``q1`` (no parsing here)."""

from __future__ import annotations

import os
from pathlib import Path

from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import closest, did_you_mean


def problems_root() -> Path:
    """``$DLCHECK_PROBLEMS``, else the bank shipped in the wheel, else the checkout's."""
    env = os.environ.get("DLCHECK_PROBLEMS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_problems", here.parent / "problems"):
        if candidate.is_dir():
            return candidate
    raise DlcheckError("cannot find the problem bank; set DLCHECK_PROBLEMS to a problems/ folder")


def _qkey(name: str) -> tuple:
    stem = name[1:] if name.startswith("q") else name
    return (int(stem), name) if stem.isdigit() else (10**9, name)


def all_ids(root: Path | None = None) -> list[str]:
    root = root or problems_root()
    ids = []
    for set_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        for f in sorted(set_dir.glob("*.yaml"), key=lambda p: _qkey(p.stem)):
            ids.append(f"{set_dir.name}/{f.stem}")
    return ids


class UnknownProblem(DlcheckError):
    """A problem id that is not in the bank; ``choices`` are the ids worth listing."""

    def __init__(self, message: str, choices: list[str] | None = None, **where) -> None:
        super().__init__(message, **where)
        self.choices = choices or []


def set_names(root: Path | None = None) -> list[str]:
    return sorted({i.split("/")[0] for i in all_ids(root)})


def check_set(set_name: str, root: Path | None = None) -> str:
    """``set_name`` if it is a set of the bank, else an error that names the sets."""
    sets = set_names(root)
    if set_name not in sets:
        raise UnknownProblem(f"unknown set '{set_name}' (the sets are {', '.join(sets)})"
                             f"{did_you_mean(set_name, sets)}")
    return set_name


def resolve(ident: str, set_name: str | None = None, root: Path | None = None) -> str:
    """A full ``set/qN`` id; ``qN`` alone is looked up in ``set_name`` or in every set."""
    ids = all_ids(root)
    ident = ident.strip().strip("/")
    if ident in ids:
        return ident
    if set_name is not None:
        check_set(set_name, root)
    sets = set_names(root)
    listing = f"the sets are {', '.join(sets)}; run 'dlcheck list'"
    if "/" in ident:
        set_part, q = ident.split("/", 1)
        if set_part in sets:
            qs = [i.split("/", 1)[1] for i in ids if i.startswith(set_part + "/")]
            raise UnknownProblem(f"{set_part} has no problem '{q}'; its problems are {', '.join(qs)}"
                                 f"{did_you_mean(q, qs)}", [f"{set_part}/{x}" for x in qs])
        fixed = [f"{s}/{q}" for s in closest(set_part, sets) if f"{s}/{q}" in ids]
        hint = "; did you mean " + " or ".join(fixed) + "?" if fixed else did_you_mean(ident, ids)
        raise UnknownProblem(f"unknown problem '{ident}' ({listing}){hint}")
    if set_name and f"{set_name}/{ident}" in ids:
        return f"{set_name}/{ident}"
    matches = [i for i in ids if i.split("/", 1)[1] == ident]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownProblem(f"'{ident}' is in several sets: {', '.join(matches)}; "
                             f"write one of them, or pass --set", matches)
    pool = [i.split("/", 1)[1] for i in ids if set_name is None or i.startswith(set_name + "/")]
    close = did_you_mean(ident, pool) or did_you_mean(ident, ids)
    if set_name:
        raise UnknownProblem(f"{set_name} has no problem '{ident}'; its problems are {', '.join(pool)}{close}",
                             [f"{set_name}/{x}" for x in pool])
    raise UnknownProblem(f"unknown problem '{ident}' (problems look like {ids[0] if ids else 'set/q1'}; "
                         f"{listing}){close}")


def spec_path(problem_id: str, root: Path | None = None) -> Path:
    return (root or problems_root()) / f"{problem_id}.yaml"
