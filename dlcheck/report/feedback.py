"""One Markdown report per student (``grade --feedback-dir DIR``): what the terminal says, to hand out.

The same diagnosis as the terminal — each part's answer, the expected answer (when the
problem's reveal policy allows), the status and the message, the closing list of what
to fix and the score line, taken from :mod:`dlcheck.report.terminal` — plus the part's
hints where a student lost points and the policy allows them. Student text sits in
code spans and every cell is escaped, so nothing a student typed becomes a link, HTML
or a broken table; control characters are made visible.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from dlcheck.core.safefile import SaveError, atomic_write_text
from dlcheck.core.verdict import ProblemResult, Verdict
from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.grade.reveal import hints
from dlcheck.report.errors import error_text, ignored_text
from dlcheck.report.terminal import fix_list, news, score_text, summary
from dlcheck.report.working import working_md

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # what could make a link, HTML, emphasis or a new column
_SAFE_NAME = re.compile(r"[^\w.\-]+")
ONE_LINE = 10**6   # a width no line of the closing list reaches: one item, one line


def text_cell(text: str) -> str:
    """Plain text in a table cell: Markdown's special characters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", visible(text, newlines=False)).replace("\n", " ")


def code_cell(text: str) -> str:
    """Typed text in a code span (a fence longer than any run of backticks inside)."""
    text = visible(text, newlines=False).replace("\n", " ").replace("|", "\\|")
    if not text.strip():
        return "—"
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(v: Verdict) -> str:
    status = f"{v.status.mark} {v.status.word}"
    answer = "—" if not v.answer.strip() else code_cell(v.answer)
    expected = code_cell(v.expected) if v.expected else ""
    return f"| {text_cell(v.part)} | {answer} | {expected} | {status} | {text_cell(news(v))} |"


def problem_md(result: ProblemResult, hide_all: bool) -> list[str]:
    lines = [f"## {text_cell(result.id)} — {text_cell(result.title)}", "", f"Score: {score_text(result)}", ""]
    if result.variant:
        lines += ["Your numbers: " + ", ".join(f"{text_cell(k)} = {code_cell(v)}" for k, v in result.variant.items()),
                  ""]
    lines += ["| part | your answer | expected | status | detail |", "|---|---|---|---|---|"]
    lines += [_row(v) for v in result.verdicts]
    tips = [(v.part, h) for v in result.verdicts for h in hints(result.id, v, hide_all)]
    if tips:
        lines += ["", "Hints:", ""] + [f"- **{text_cell(part)}**: {text_cell(h)}" for part, h in tips]
    return lines + [""]


def feedback_md(f: FileResult, hide_all: bool = False) -> str:
    """The report of one file (its results already as the student may see them)."""
    who = f"student {visible(f.student, newlines=False)}" if f.student else visible(f.path, newlines=False)
    lines = [f"# Feedback: {text_cell(who)}", "", f"File: {code_cell(f.path)}", ""]
    if f.error is not None:
        fence = "`" * 3
        return "\n".join(lines + ["This file could not be graded; fix it and submit it again:", "", fence,
                                  error_text(f.error).replace(fence, "'''"), fence, ""])
    lines += working_md(f.working or [], text_cell)
    for result in f.results:
        lines += problem_md(result, hide_all)
    if f.ignored:
        lines += [text_cell(ignored_text(f.ignored)) + ".", ""]
    fixes = fix_list(f.results, ONE_LINE)
    if fixes:
        lines += [f"## {fixes[0].plain.rstrip(':')}", ""] + [f"- {text_cell(t.plain.strip())}" for t in fixes[1:]]
        lines.append("")
    lines.append(f"**{text_cell(summary(f.results).plain)}**")
    return "\n".join(lines) + "\n"


_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{n}" for n in "123456789¹²³"),
             *(f"LPT{n}" for n in "123456789¹²³")}   # Windows' device names, with any extension
NAME_BYTES = 100   # a stem longer than this (in UTF-8) is cut and given a hash of the whole


def id_key(text: str) -> str:
    """What two ids or names must differ in to be different files on every system: their Unicode
    normal form (NFKC), case folded, with invisible characters (format and control characters, such
    as a zero-width space) and trailing dots and spaces taken out (Windows drops those)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return unicodedata.normalize("NFKC", text.casefold()).rstrip(". ")


def _base(f: FileResult) -> str:
    raw = f.student or Path(f.path).stem or "answers"
    stem = _SAFE_NAME.sub("_", _plain(raw)).strip("._") or "answers"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"{stem}_"
    if len(stem.encode("utf-8")) > NAME_BYTES:
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        cut = stem.encode("utf-8")[:NAME_BYTES - 13].decode("utf-8", "ignore")
        stem = f"{cut}-{digest}"
    return stem


def _plain(text: str) -> str:
    """The id as a file name: NFKC, invisible characters out (the case is kept: it is the id as given)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def file_names(files: list[FileResult]) -> list[str]:
    """``<student>.md`` (else the answers file's name) for each file, made safe and unique in the folder.

    Names are unique as a file system that folds case and Unicode forms sees them (macOS, Windows):
    ``Alice.md`` and ``alice.md`` are two names there only in appearance, so the second is ``alice-2.md``;
    an id that had to be changed to become a name (``12345\u200b``, ``12345.``) comes after the one that did
    not, so it never takes ``12345.md`` from the real student; a long id is cut and hashed; a Windows device
    name (``CON``) gets a ``_``. Two files of one student are ``42.md`` and ``42-2.md`` in the order of their
    paths, whatever the order of the arguments: a run into the same folder again gives each the same name."""
    bases = [_base(f) for f in files]
    altered = [bases[k] != (files[k].student or Path(files[k].path).stem) for k in range(len(files))]
    names = [""] * len(files)
    taken: set[str] = set()
    for k in sorted(range(len(files)), key=lambda k: (id_key(bases[k]), altered[k], files[k].path)):
        name, n = f"{bases[k]}.md", 2
        while id_key(name) in taken:
            name, n = f"{bases[k]}-{n}.md", n + 1
        taken.add(id_key(name))
        names[k] = name
    return names


def write_feedback(files: list[FileResult], folder: Path, hide_all: bool = False) -> list[Path]:
    """One report per file in ``folder`` (created if needed); the paths written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SaveError(f"cannot create the feedback folder ({exc.strerror or exc}); choose another "
                        "--feedback-dir", path=str(folder)) from None
    written = []
    for f, name in zip(files, file_names(files)):
        path = folder / name
        atomic_write_text(path, feedback_md(f, hide_all))
        written.append(path)
    return written
