"""``dlcheck gradescope build``: a Gradescope autograder as a zip.

Gradescope runs every submission in a container of its own (the "Autograder
Specifications" of gradescope-autograders.readthedocs.io): the zip's ``setup.sh``
installs what is needed once, when the image is built; ``run_autograder`` runs per
submission, from ``/autograder``, with the student's files in ``/autograder/submission``,
and must leave ``/autograder/results/results.json``. The zip holds:

- ``dlcheck/``: this dlcheck's own package (pure Python) with the built-in bank inside it,
  and ``requirements.txt``, its declared dependencies, which ``setup.sh`` installs into a
  virtual environment (versions the image's Python can use, not this machine's);
- ``problems/``: the course's bank (``--problems``), validated before it is packed;
- ``run_autograder``: grades every ``*.yaml`` of the submission as one submission, scored
  on exactly the assignment (``--assignment`` or ``[assignment]`` in dlcheck.toml; without
  one, every problem of the course bank ``--problems DIR``, never the built-in ones; with
  no course bank, the built-in bank): a problem not answered scores 0, answers to others
  earn nothing,
  (``dlcheck grade --format gradescope``) under the Gradescope student's id (``sid``, else
  the e-mail, from ``submission_metadata.json``; ``--student``), which draws their variant
  whatever their file says, and always writes a results.json, even when dlcheck fails.

``AUTOGRADER_ROOT`` (default ``/autograder``) and ``DLCHECK_PYTHON`` let a test run the
script against a fake tree.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import stat
import zipfile
from importlib import metadata
from pathlib import Path

from dlcheck import __version__
from dlcheck.check.registry import read_spec_file
from dlcheck.core.errors import DlcheckError
from dlcheck.grade.derive import validated
from dlcheck.spec import bank
from dlcheck.spec.assignment import Assignment

SETUP = """\
#!/usr/bin/env bash
# dlcheck {version} autograder: installs Python and dlcheck's dependencies when Gradescope builds the image.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update
apt-get install -y python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir --upgrade pip
/autograder/venv/bin/pip install --no-cache-dir -r requirements.txt
export PYTHONPATH="$PWD" DLCHECK_CACHE="$PWD/.dlcheck-cache"
/autograder/venv/bin/python -m dlcheck validate{problems}
# derive every problem once now, so that each submission only loads them
/autograder/venv/bin/python -c "from dlcheck.spec import bank; from dlcheck.grade.pool import warm; \\
bank.use_course_banks({banks}); warm(bank.all_ids())"
"""

RUN = """\
#!/usr/bin/env bash
# dlcheck {version}: grades /autograder/submission into /autograder/results/results.json (Gradescope's format).
root="${{AUTOGRADER_ROOT:-/autograder}}"
source="$root/source"
python="${{DLCHECK_PYTHON:-$root/venv/bin/python}}"
[ -x "$python" ] || python=python3
mkdir -p "$root/results"
export PYTHONPATH="$source" DLCHECK_CACHE="${{DLCHECK_CACHE:-$source/.dlcheck-cache}}"
student=$("$python" - "$root/submission_metadata.json" <<'EOF'
import json, sys
try:
    users = json.load(open(sys.argv[1], encoding="utf-8")).get("users") or [{{}}]
    print(users[0].get("sid") or users[0].get("email") or "")
except Exception:
    print("")
EOF
)
args=(grade "$root/submission" --format gradescope --timeout {timeout}{run_problems}{hide} --assignment {assignment})
[ -n "$student" ] && args+=(--student "$student")
"$python" -m dlcheck "${{args[@]}}" > "$root/results/results.json.part" 2> "$root/results/dlcheck.stderr"
if "$python" -c 'import json, sys; json.load(open(sys.argv[1]))' "$root/results/results.json.part" 2>/dev/null; then
  mv "$root/results/results.json.part" "$root/results/results.json"
else
  "$python" - "$root/results/dlcheck.stderr" > "$root/results/results.json" <<'EOF'
import json, sys
error = open(sys.argv[1], encoding="utf-8", errors="replace").read()[-4000:]
print(json.dumps({{"score": 0, "output": "dlcheck could not grade this submission; a person will look at it.",
                  "stdout_visibility": "hidden", "tests": [], "extra_data": {{"stderr": error}}}}))
EOF
fi
cat "$root/results/dlcheck.stderr" >&2
"""


def requirements() -> str:
    """dlcheck's declared dependencies (with their markers), one a line."""
    try:
        declared = metadata.requires("dlcheck") or []
    except metadata.PackageNotFoundError:
        declared = []
    lines = [r for r in declared if "extra ==" not in r]
    return "\n".join(lines or ["typer>=0.12", "rich>=13", "numpy>=1.24", "sympy>=1.12", "pydantic>=2.5",
                               "ruamel.yaml>=0.18", 'tomli>=1.1; python_version < "3.11"']) + "\n"


def _validate(folders: list[Path]) -> int:
    """Every spec of the course banks derives, its self-checks and variants pass; the count."""
    count = 0
    for folder in folders:
        for path in sorted(folder.glob("*/*.yaml")):
            if not _packed(path):
                continue  # not packed (build names it): not validated either
            validated(read_spec_file(path, f"{path.parent.name}/{path.stem}"))  # bounded: a spec cannot stall it
            count += 1
    if folders and not count:
        raise DlcheckError(f"{folders[0]}: no problem (SET/qN.yaml) in this bank; give the bank's top folder")
    return count


def _packed(spec: Path) -> bool:
    """Whether a bank's ``SET/qN.yaml`` is packed: a regular file in a real folder (no link on the way)."""
    return not spec.is_symlink() and not spec.parent.is_symlink() and spec.is_file()


def _add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str, suffixes: tuple[str, ...]) -> list[str]:
    """Pack the regular files of ``folder`` with these suffixes; what was skipped (a symlink, a device, a
    FIFO: its name, never its target, is returned for a warning). Links are never followed."""
    skipped = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        base = Path(here)
        kept_dirs = []
        for d in sorted(dirs):
            if d.startswith(".") or d == "__pycache__":
                continue
            if (base / d).is_symlink():
                skipped.append(str(base / d))
            else:
                kept_dirs.append(d)
        dirs[:] = kept_dirs
        for name in sorted(files):
            path = base / name
            if name.startswith(".") or path.suffix not in suffixes:
                continue
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                skipped.append(str(path))
                continue
            rel = path.relative_to(folder)
            archive.write(path, f"{prefix}/{rel.as_posix()}")
    return skipped


def _text(archive: zipfile.ZipFile, name: str, text: str, mode: int = 0o644) -> None:
    """A generated file: a regular file with ``mode``, dated 1980-01-01 like ZipInfo's default (the zip
    of the same course is the same bytes)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def _executable(archive: zipfile.ZipFile, name: str, text: str) -> None:
    _text(archive, name, text, 0o755)


def assignment_of(given: Assignment | None, course: list[Path]) -> Assignment:
    """What the autograder scores: the assignment given (``--assignment`` or ``[assignment]``), else every
    problem of the course bank (never the built-in ones), else (no course bank) the built-in bank's."""
    if given is not None:
        return given
    if course:
        ids = [pid for pid, path in bank.locations(course[0]).items() if _packed(path)]
        return Assignment(f"every problem of {course[0]}", tuple(ids), {}, "--problems")
    return Assignment("the built-in bank", tuple(bank.all_ids(bank.builtin_root())), {}, "built-in")


def build(output: Path, course: list[Path], seconds: float, hide_expected: bool,
          assignment: Assignment | None = None, warn=None) -> str:
    """Write the autograder zip to ``output``; a one-line summary. ``warn`` hears a sentence for each
    file of the bank that was not packed (not a regular file)."""
    count = _validate(course)
    scored = assignment_of(assignment, course)
    package = Path(__file__).resolve().parent.parent
    problems = ""
    if course:
        problems = " --problems problems"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _executable(archive, "setup.sh", SETUP.format(version=__version__, problems=problems,
                                                      banks="['problems']" if course else "[]"))
        _executable(archive, "run_autograder", RUN.format(version=__version__, timeout=f"{seconds:g}",
                                                          run_problems=' --problems "$source/problems"'
                                                          if course else "",
                                                          hide=" --hide-expected" if hide_expected else "",
                                                          assignment=shlex.quote(scored.option())))
        _text(archive, "requirements.txt", requirements())
        _add_tree(archive, package, "dlcheck", (".py",))
        _add_tree(archive, bank.builtin_root(), "dlcheck/_problems", (".yaml",))
        if len(course) > 1:
            raise DlcheckError("gradescope build takes one course bank (--problems DIR); merge the folders")
        for folder in course:
            for name in _add_tree(archive, folder, "problems", (".yaml",)):
                if warn is not None:
                    warn(f"warning: {name} is not a regular file (a symlink, a device or a FIFO), so it was "
                         "not packed; copy the file itself into the bank if it belongs there")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(buffer.getvalue())
    shutil.move(str(tmp), output)
    what = f"{count} course problem{'s' if count != 1 else ''} and the built-in bank" if course else "the built-in bank"
    total = len(scored.problems)
    return (f"wrote {output} ({what}); it scores {total} problem{'s' if total != 1 else ''} "
            f"({_listed(scored.problems)}){' from ' + scored.name if scored.source != '--assignment' else ''}; "
            "upload it as the assignment's autograder on Gradescope")


def _listed(ids: tuple[str, ...], most: int = 6) -> str:
    return ", ".join(ids) if len(ids) <= most else ", ".join(ids[:most]) + f", and {len(ids) - most} more"
