"""Find problem files and resolve ids such as ``backprop/q1`` or ``q1`` (no parsing here)."""

from __future__ import annotations

import os
from pathlib import Path

from dlcheck.core.errors import DlcheckError


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


def resolve(ident: str, set_name: str | None = None, root: Path | None = None) -> str:
    """A full ``set/qN`` id; ``qN`` alone is looked up in ``set_name`` or in every set."""
    ids = all_ids(root)
    ident = ident.strip().strip("/")
    if ident in ids:
        return ident
    if "/" not in ident:
        if set_name and f"{set_name}/{ident}" in ids:
            return f"{set_name}/{ident}"
        matches = [i for i in ids if i.split("/", 1)[1] == ident]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise DlcheckError(f"'{ident}' is in several sets: {', '.join(matches)}; "
                               f"write one of them, or pass --set")
    sets = sorted({i.split('/')[0] for i in ids})
    raise DlcheckError(f"unknown problem '{ident}'; problems look like {ids[0] if ids else 'set/q1'} "
                       f"(sets: {', '.join(sets)}); run 'dlcheck list'")


def spec_path(problem_id: str, root: Path | None = None) -> Path:
    return (root or problems_root()) / f"{problem_id}.yaml"
