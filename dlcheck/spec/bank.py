"""Find problem files and resolve ids such as ``backprop/q1`` or ``q1`` (no parsing here).

The bank is the built-in problems (shipped in the wheel, or the checkout's ``problems/``)
plus any course banks beside them, in this order of precedence:

1. folders given with ``--problems DIR`` (:func:`use_course_banks`);
2. ``$DLCHECK_PROBLEMS`` (one folder, or several separated by ``os.pathsep``);
3. ``problems = "DIR"`` (or a list) in a ``dlcheck.toml`` in the working folder, relative
   to that file.

A bank found through the environment or ``dlcheck.toml`` is announced on stderr by the
commands (:func:`announced`); a class run from inside its submissions folder does not read
a ``dlcheck.toml`` there (:func:`ignore_config`): a student may have put it there.

A course bank has the same layout (``SET/qN.yaml``); a course problem with the id of a
built-in one replaces it, so a course can adapt a problem without renaming it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import closest, did_you_mean
from dlcheck.core.visible import clip

if TYPE_CHECKING:
    from typing import TypedDict

    from typing_extensions import Unpack  # typing.Unpack is 3.11+

    class _Where(TypedDict, total=False):
        """Where an error is: DlcheckError's keyword arguments."""

        path: str | None
        line: int | None
        column: int | None

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


_IGNORED_CONFIG: list[str] = []   # a reason, when ./dlcheck.toml must not be read (see ignore_config)


def ignore_config(reason: str) -> bool:
    """Do not read ./dlcheck.toml for the rest of the process (a class run from inside the submissions:
    a student could have put it there). Returns whether there is such a file to ignore."""
    _IGNORED_CONFIG[:] = [reason]
    _ROOTS.clear()
    return (Path.cwd() / CONFIG).is_file()


def _config(folder: Path | None = None) -> tuple[dict, Path] | None:
    """The parsed ``./dlcheck.toml`` and its path, or None (no file, or it is ignored)."""
    if folder is None and _IGNORED_CONFIG:
        return None
    path = (folder or Path.cwd()) / CONFIG
    if not path.is_file():
        return None
    if sys.version_info >= (3, 11):
        import tomllib  # lazy: start-up (only when a dlcheck.toml exists)
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # lazy: start-up (only when a dlcheck.toml exists)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DlcheckError(f"cannot read it: {exc}; fix the file or remove it", path=str(path)) from None
    return data, path


def config_table(name: str, folder: Path | None = None) -> tuple[object, Path] | None:
    """A table of ``./dlcheck.toml`` (``[assignment]``) and the file's path, or None."""
    found = _config(folder)
    if found is None or name not in found[0]:
        return None
    return found[0][name], found[1]


def config_banks(folder: Path | None = None) -> list[Path]:
    """The ``problems`` of ``./dlcheck.toml`` (a folder or a list of folders, relative to the file)."""
    found = _config(folder)
    if found is None:
        return []
    data, path = found
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
    key = (tuple(_course), variable, config, _mtime(Path(config)), tuple(_IGNORED_CONFIG))
    if key not in _ROOTS:
        env = [Path(p) for p in variable.split(os.pathsep) if p.strip()]
        for folder in env:
            if not folder.is_dir():
                raise DlcheckError(f"DLCHECK_PROBLEMS names '{folder}', which is not a folder; fix the variable")
        found: list[Path] = []
        origins = [*((f, "--problems") for f in _course), *((f, "DLCHECK_PROBLEMS") for f in env),
                   *((f, f"./{CONFIG}") for f in config_banks()), (builtin_root(), "")]
        for folder, origin in origins:
            if folder.resolve() not in [f.resolve() for f in found]:
                found.append(folder)
                if origin:
                    ORIGINS[str(folder)] = origin
        _ROOTS.clear()
        _ROOTS[key] = found
    return _ROOTS[key]


ORIGINS: dict[str, str] = {}   # a course bank's folder -> how it was found (--problems, DLCHECK_PROBLEMS, ...)


def announced() -> list[str]:
    """A sentence for each course bank found without ``--problems`` (the environment or ./dlcheck.toml): a
    bank that replaces problems and their references is said out loud, never picked up silently."""
    lines = []
    for folder in roots():
        origin = ORIGINS.get(str(folder))
        if origin and origin != "--problems":
            lines.append(f"using the course bank {folder} (from {origin})")
    return lines


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

    def __init__(self, message: str, choices: list[str] | None = None, **where: Unpack[_Where]) -> None:
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
