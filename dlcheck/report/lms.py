"""What a gradebook for an LMS (Canvas, Moodle) leaves out, said on stderr in the same words for both."""

from __future__ import annotations

from dlcheck.core.visible import visible
from dlcheck.grade.summary import Scores
from dlcheck.report.formats import Run

BOM = "\ufeff"   # what --excel puts first: Excel reads the file as UTF-8 ("José", not "JosÃ©")


def left_out(scores: Scores) -> list[str]:
    """One line per reason a file gives no total: no student:, could not be read, a student's several files."""
    notes = []
    if scores.anonymous:
        notes.append(f"no student: in these files, so they match no one ({len(scores.anonymous)}): "
                     f"{'; '.join(visible(p) for p in scores.anonymous)}")
    if scores.unreadable:
        notes.append(f"could not be read, so no total is written ({len(scores.unreadable)}): " + "; ".join(
            visible(f.path) + (f" (student {visible(f.student)})" if f.student else "") for f in scores.unreadable))
    for sid, paths in scores.twice.items():
        notes.append(f"student {visible(sid)} has {len(paths)} files ({', '.join(visible(p) for p in paths)}), "
                     "so no total is written for them: remove all but one and run again")
    return notes


def note(text: str) -> None:
    """A note on stderr, soft-wrapped: it names files, and a path or an id folded at the console's width
    is no longer one word a TA can copy (the terminal wraps the line for the eye)."""
    from rich.console import Console  # lazy: start-up

    Console(stderr=True, highlight=False, soft_wrap=True).print(text, markup=False)


def deliver(data: bytes, notes: list[str], run: Run) -> None:
    """A gradebook on stdout as bytes (an export's line endings are its own), then its notes on stderr."""
    run.write(data)
    for line in notes:
        note(line)
