"""A write-up's working, drawn: each checked step with its line number and a mark.

``✓`` right, ``✗`` wrong (with what the left side really is), ``·`` unchecked (with why). The
entries are the ``working`` of a :class:`~dlcheck.grade.batch.FileResult` (one per step, as
``--format json`` gives them); this module only draws them, for the terminal and for Markdown.
"""

from __future__ import annotations

from rich.text import Text

from dlcheck.core.visible import visible
from dlcheck.report.layout import hanging

MARKS = {"right": ("✓", "green"), "wrong": ("✗", "red"), "unchecked": ("·", "dim")}


def counts(working: list[dict]) -> str:
    found = {s: sum(1 for e in working if e["status"] == s) for s in MARKS}
    return f"{found['right']} right, {found['wrong']} wrong, {found['unchecked']} unchecked"


def working_lines(working: list[dict], width: int) -> list[Text]:
    """The steps under a heading, by section, each wrapped to ``width`` with its explanation below it."""
    if not working:
        return []
    out = [Text(f"Working ({counts(working)} steps):", style="bold")]
    section = object()
    digits = max(len(str(e["line"])) for e in working)
    for e in working:
        if e.get("section") != section and e.get("section") is not None:
            section = e.get("section")
            out.append(Text(f" question {section}", style="bold"))
        mark, style = MARKS.get(e["status"], ("?", ""))
        line = Text(f"  {e['line']:>{digits}} ")
        line.append(mark, style=style)
        line.append(" " + visible(e["text"], newlines=False))
        out += hanging(line, width, digits + 5)
        if e["status"] != "right" and e.get("message"):
            note = Text(" " * (digits + 5) + visible(e["message"], newlines=False),
                        style=style if style != "dim" else "")
            out += hanging(note, width, digits + 5)
    return out


def working_md(working: list[dict], cell) -> list[str]:
    """The same as a Markdown table (``cell`` makes a text safe in one)."""
    if not working:
        return []
    lines = [f"## Working ({counts(working)} steps)", "", "| line | | step | note |", "|---|---|---|---|"]
    for e in working:
        mark = MARKS.get(e["status"], ("?", ""))[0]
        note = e.get("message") or ""
        lines.append(f"| {e['line']} | {mark} | {cell(e['text'])} | {cell(note)} |")
    return lines + [""]
