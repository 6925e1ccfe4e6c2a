"""Find problem files and resolve ids such as ``backprop/q1`` or ``q1`` (no parsing here).

The bank is the built-in problems (shipped in the wheel, or the checkout's ``problems/``)
plus any course banks beside them, in this order of precedence:

1. folders given with ``--problems DIR`` (:func:`use_course_banks`);
2. ``$DLCHECK_PROBLEMS`` (one folder, or several separated by ``os.pathsep``);
3. ``problems = "DIR"`` (or a list) in a ``dlcheck.toml`` in the working folder, relative
   to that file.

A course bank has the same layout (``SET/qN.yaml``); a course problem with the id of a
built-in one replaces it, so a course can adapt a problem without renaming it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import closest, did_you_mean
from dlcheck.core.visible import clip

CONFIG = "dlcheck.toml"
_course: list[Path] = []


def builtin_root() -> Path:
    """The bank shipped in the wheel, else the checkout's ``problems/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_problems", here.parent / "problems"):
        if candidate.is_dir():
            return candidate
    raise DlcheckError("cannot find the built-in problem bank; reinstall dlcheck, or give a course bank "
                       "with --problems DIR")


def use_course_banks(folders: list[Path]) -> None:
    """``--problems DIR`` (repeatable): these folders come first, for the rest of the process."""
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        raise DlcheckError(f"--problems {missing[0]}: no such folder; give a folder of SET/qN.yaml files")
    _course[:] = [Path(f) for f in folders]


def course_banks() -> list[Path]:
    """The folders :func:`use_course_banks` set (a process started without fork is given them)."""
    return list(_course)


def config_banks(folder: Path | None = None) -> list[Path]:
    """The ``problems`` of ``./dlcheck.toml`` (a folder or a list of folders, relative to the file)."""
    path = (folder or Path.cwd()) / CONFIG
    if not path.is_file():
        return []
    if sys.version_info >= (3, 11):
        import tomllib  # lazy: start-up (only when a dlcheck.toml exists)
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # lazy: start-up (only when a dlcheck.toml exists)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DlcheckError(f"cannot read it: {exc}; fix the file or remove it", path=str(path)) from None
    value = data.get("problems", [])
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise DlcheckError('problems must be a folder or a list of folders, e.g. problems = "course"',
                           path=str(path))
    out = []
    for f in folders:
        target = (path.parent / f)
        if not target.is_dir():
            raise DlcheckError(f"problems: '{f}' is not a folder (relative to this file); fix the path",
                               path=str(path))
        out.append(target)
    return out


_ROOTS: dict[tuple, list[Path]] = {}


def roots() -> list[Path]:
    """Every bank folder, the first that holds an id wins (course banks before the built-in one)."""
    variable = os.environ.get("DLCHECK_PROBLEMS", "")
    config = os.path.join(os.getcwd(), CONFIG)
    key = (tuple(_course), variable, config, _mtime(Path(config)))
    if key not in _ROOTS:
        env = [Path(p) for p in variable.split(os.pathsep) if p.strip()]
        for folder in env:
            if not folder.is_dir():
                raise DlcheckError(f"DLCHECK_PROBLEMS names '{folder}', which is not a folder; fix the variable")
        found: list[Path] = []
        for folder in [*_course, *env, *config_banks(), builtin_root()]:
            if folder.resolve() not in [f.resolve() for f in found]:
                found.append(folder)
        _ROOTS.clear()
        _ROOTS[key] = found
    return _ROOTS[key]


def problems_root() -> Path:
    """The first bank folder (where ``dlcheck new`` writes when no folder is given)."""
    return roots()[0]


def _qkey(name: str) -> tuple:
    stem = name[1:] if name.startswith("q") else name
    return (int(stem), name) if stem.isdigit() else (10**9, name)


_LISTING: dict[tuple, dict[str, Path]] = {}


def _stamp(folders: list[Path]) -> tuple:
    """What the listing depends on: the folders and when each (and each set in it) last changed."""
    stamp: list = []
    for root in folders:
        stamp.append((str(root), _mtime(root)))
        for entry in _set_dirs(root):
            stamp.append((str(entry), _mtime(entry)))
    return tuple(stamp)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _set_dirs(root: Path) -> list[Path]:
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    except OSError:
        return []


FRESH_SECONDS = 1.0   # a listing this recent is used without looking at the folders again
_CHECKED: dict[tuple, tuple[float, tuple]] = {}


def _recent_stamp(folders: list[Path]) -> tuple:
    """The folders' stamp, looked at again only when the last look is older than FRESH_SECONDS: grading a
    class asks for the listing thousands of times a second, while a bank changes when a person edits it."""
    names = tuple(str(f) for f in folders)
    now = time.monotonic()
    seen = _CHECKED.get(names)
    if seen is None or now - seen[0] > FRESH_SECONDS:
        seen = (now, _stamp(folders))
        _CHECKED[names] = seen
    return seen[1]


def locations(root: Path | None = None) -> dict[str, Path]:
    """Every problem id -> its file, sorted by set and number (read once while nothing changes)."""
    folders = [root] if root is not None else roots()
    key = _recent_stamp(folders)
    listing = _LISTING.get(key)
    if listing is None:
        found: dict[str, Path] = {}
        for folder in folders:
            for set_dir in _set_dirs(folder):
                for f in set_dir.glob("*.yaml"):
                    found.setdefault(f"{set_dir.name}/{f.stem}", f)
        order = sorted(found, key=lambda i: (i.split("/", 1)[0], _qkey(i.split("/", 1)[1])))
        listing = {i: found[i] for i in order}
        _LISTING.clear()
        _LISTING[key] = listing
    return listing


def all_ids(root: Path | None = None) -> list[str]:
    return list(locations(root))


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
        raise UnknownProblem(f"unknown set '{clip(set_name)}' (the sets are {', '.join(sets)})"
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
            raise UnknownProblem(f"{set_part} has no problem '{clip(q)}'; its problems are {', '.join(qs)}"
                                 f"{did_you_mean(q, qs)}", [f"{set_part}/{x}" for x in qs])
        fixed = [f"{s}/{q}" for s in closest(set_part, sets) if f"{s}/{q}" in ids]
        hint = "; did you mean " + " or ".join(fixed) + "?" if fixed else did_you_mean(ident, ids)
        raise UnknownProblem(f"unknown problem '{clip(ident)}' ({listing}){hint}")
    if set_name and f"{set_name}/{ident}" in ids:
        return f"{set_name}/{ident}"
    matches = [i for i in ids if i.split("/", 1)[1] == ident]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownProblem(f"'{ident}' is in several sets: {', '.join(matches)}; "
                             f"write the full id, e.g. {matches[0]}", matches)
    pool = [i.split("/", 1)[1] for i in ids if set_name is None or i.startswith(set_name + "/")]
    close = did_you_mean(ident, pool) or did_you_mean(ident, ids)
    if set_name:
        raise UnknownProblem(f"{set_name} has no problem '{clip(ident)}'; its problems are {', '.join(pool)}{close}",
                             [f"{set_name}/{x}" for x in pool])
    raise UnknownProblem(f"unknown problem '{clip(ident)}' (problems look like {ids[0] if ids else 'set/q1'}; "
                         f"{listing}){close}")


def spec_path(problem_id: str, root: Path | None = None) -> Path:
    """The file of a problem id: in the first bank folder that has it."""
    found = locations(root).get(problem_id)
    if found is not None:
        return found
    return (root or problems_root()) / f"{problem_id}.yaml"
