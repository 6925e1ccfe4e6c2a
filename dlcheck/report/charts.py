"""The class report's charts, drawn by matplotlib's SVG backend (no GUI, no pyplot) to put inline in HTML.

matplotlib is imported only here and only when a chart is drawn (``--report``), never by
``dlcheck --help`` or a plain ``grade``. No pyplot: each chart is its own ``Figure``, so no
global state is left behind. The SVG is made fit to sit inside an HTML page beside others:
no XML prologue or DOCTYPE (with its DTD address), no namespace declarations (an HTML parser
puts ``<svg>`` in the SVG namespace itself), and every ``id`` prefixed with the chart's own name
so two charts' clip paths never mix. Text stays text (``svg.fonttype: none``): smaller, and
the part names can be searched and selected. What the charts label (part and problem ids,
numbers) comes from the bank, never from a student.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from dlcheck.core.verdict import Status
from dlcheck.grade.summary import PartStats

# the order a part's bar is stacked in, and each status's colour (as the terminal's, darker for print)
STACK = (Status.CORRECT, Status.CARRIED, Status.PARTIAL, Status.INCORRECT, Status.INVALID, Status.UNDECIDED,
         Status.MANUAL, Status.MISSING)
COLOURS = {
    Status.CORRECT: "#2e7d32",
    Status.CARRIED: "#00897b",
    Status.PARTIAL: "#f9a825",
    Status.INCORRECT: "#c62828",
    Status.INVALID: "#8e24aa",
    Status.UNDECIDED: "#6d4c41",
    Status.MANUAL: "#1e88e5",
    Status.MISSING: "#cfd8dc",
}
INK = "#37474f"
_RC: Any = {"svg.fonttype": "none", "svg.hashsalt": "dlcheck", "text.parse_math": False, "font.size": 10,
       "axes.edgecolor": INK, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
       "text.color": INK}
_WIDTH = 10.3         # inches: 989 px at a browser's 96 px an inch, the width of the report's sections
_BAR = 0.3            # inches a part's bar takes


def _svg(figure, name: str) -> str:
    """``figure`` as SVG to inline in HTML, its ids prefixed with ``name``."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                   facecolor="white")
    text = out.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", text)
    text = text.replace("xlink:href=", "href=")
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r'(url\(#|href="#)([^")]+)', rf"\1{name}-\2", text)
    return re.sub(r'\s*version="1\.1"', "", text, count=1)


def _context():
    import matplotlib  # lazy: only --report draws charts

    return matplotlib.rc_context(_RC)


def _figure(height: float):
    from matplotlib.figure import Figure  # lazy: only --report draws charts

    return Figure(figsize=(_WIDTH, height), layout="constrained")


def _plain(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def distribution(shares: Sequence[float], name: str = "scores") -> str:
    """A histogram of the students' scores, in tenths of the points (100% in the last bin), each bar
    labelled with its count, the median marked."""
    import statistics  # lazy: only --report draws charts

    with _context():
        fig = _figure(2.6)
        ax = fig.add_subplot()
        counts = [0] * 10
        for share in shares:
            counts[min(int(share * 10 + 1e-9), 9)] += 1
        edges = [10 * k for k in range(10)]
        bars = ax.bar(edges, counts, width=9.2, align="edge", color="#5c7cfa", edgecolor="none")
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2, fontsize=9)
        ax.set_xlim(-1, 101)
        ax.set_xticks(range(0, 101, 10), [f"{k}%" for k in range(0, 101, 10)])
        ax.set_ylabel("students")
        ax.set_xlabel("score (share of the points of the problems answered)")
        ax.yaxis.get_major_locator().set_params(integer=True)
        top = max(counts or [0])
        ax.set_ylim(0, max(1, top) * 1.18)
        if shares:
            median = 100 * statistics.median(shares)
            ax.axvline(median, color=INK, linestyle="--", linewidth=1)
            ax.annotate(f"median {median:.0f}%", (median, 1), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9)  # above the bars' labels
        _plain(ax)
        return _svg(fig, name)


def parts(stats: Sequence[PartStats], name: str, label_problem: bool = False) -> str:
    """One horizontal bar per part, stacked by the share of students in each status (correct first), the
    part's id on the left (with its problem's, when ``label_problem``) and the students right on the right."""
    with _context():
        fig = _figure(0.55 + _BAR * len(stats))
        ax = fig.add_subplot()
        labels = [p.name if label_problem else p.part for p in stats]
        rows = range(len(stats))
        left = [0.0] * len(stats)
        for status in STACK:
            widths = [p.tally[status] / p.students if p.students else 0.0 for p in stats]
            if any(widths):
                ax.barh(rows, widths, left=left, height=0.72, color=COLOURS[status], edgecolor="white",
                        linewidth=0.6, label=status.word)
                left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(list(rows), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"])
        ax.tick_params(axis="y", length=0)
        for k, p in enumerate(stats):
            ax.annotate(f"{p.right}/{p.students}" if p.auto else "essay", (1, k), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=9, annotation_clip=False)
        ax.set_xlabel("share of the students who had the problem (right: correct or carried / all)")
        _plain(ax)
        ax.spines["left"].set_visible(False)
        return _svg(fig, name)
