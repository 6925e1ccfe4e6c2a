"""What the API returns: a verdict, a report of many, a worked solution; each shows itself.

Every class prints short (``repr``), draws itself in Jupyter (``_repr_html_``,
``_repr_markdown_``) and in rich (``__rich__``), and turns into plain data
(``to_dict()``, the CLI's JSON shape). Student text is escaped wherever it is drawn.
rich is imported only when something is drawn with it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from dlcheck.core.verdict import ProblemResult, Status
from dlcheck.core.verdict import Verdict as CoreVerdict
from dlcheck.core.visible import clip, visible

_COLOUR = {"green": "#1a7f37", "red": "#cf222e", "yellow": "#9a6700", "cyan": "#0969da", "magenta": "#8250df",
           "dim": "#6e7781", "blue": "#0550ae"}
_MESSAGE_IN_REPR = 60


def _points(value: float) -> str:
    return f"{value:g}"


def _short(text: str, limit: int = _MESSAGE_IN_REPR) -> str:
    return clip(visible(" ".join(str(text).split()), newlines=False), limit)


@dataclass(frozen=True, repr=False)
class Verdict:
    """One part's verdict, as a student may see it.

    ``status`` is a :class:`dlcheck.Status` (``correct``, ``incorrect``, ``partial``, ``invalid``,
    ``missing``, ...); ``correct`` is whether it is ``correct``; ``score`` of ``max_score`` points;
    ``message`` says why; ``expected`` is the reference as text, or None when the problem's reveal
    policy holds it back; ``answer`` is the text the answer was read as.
    """

    problem: str | None
    part: str
    status: Status
    score: float
    max_score: float
    message: str = ""
    answer: str = ""
    expected: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, verdict: CoreVerdict, problem: str | None) -> Verdict:
        return cls(problem, verdict.part, verdict.status, float(verdict.score), float(verdict.max_score),
                   verdict.message, verdict.answer, verdict.expected or None, verdict.to_json().get("detail", {}))

    @property
    def correct(self) -> bool:
        return self.status is Status.CORRECT

    @property
    def ok(self) -> bool:
        """Not a reason for ``grade`` to fail (correct, carried forward, missing or left to a marker)."""
        return self.status.passes

    @property
    def name(self) -> str:
        return f"{self.problem}/{self.part}" if self.problem else self.part

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON of a part, with ``problem`` and ``correct`` added."""
        out: dict[str, Any] = {"problem": self.problem, "id": self.part, "status": self.status.value,
                               "correct": self.correct, "score": round(self.score, 6), "max_score": self.max_score,
                               "message": self.message, "answer": self.answer, "expected": self.expected}
        if self.detail:
            out["detail"] = self.detail
        return out

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        message = f" - {_short(self.message)}" if self.message and self.message != self.status.value else ""
        return (f"<Verdict {_short(self.name, 40)}: {self.status.value} {_points(self.score)}/"
                f"{_points(self.max_score)}{message}>")

    def _lines(self) -> tuple[str, str]:
        head = f"{self.status.mark} {self.name}: {self.status.value} ({_points(self.score)}/{_points(self.max_score)})"
        tail = self.message
        if self.expected is not None and not self.correct:
            tail = f"{tail.rstrip('.')}; expected {self.expected}" if tail else f"expected {self.expected}"
        return head, tail

    def _repr_markdown_(self) -> str:
        head, tail = self._lines()
        return f"**{_md(head)}**" + (f" — {_md(tail)}" if tail else "")

    def _repr_html_(self) -> str:
        head, tail = self._lines()
        colour = _COLOUR.get(self.status.style, "inherit")
        return (f'<div class="dlcheck-verdict"><span style="color:{colour};font-weight:bold">{_h(head)}</span>'
                + (f"<br><span>{_h(tail)}</span>" if tail else "") + "</div>")

    def __rich__(self) -> Any:
        from rich.text import Text  # lazy: rich only when drawn with it

        head, tail = self._lines()
        text = Text(visible(head, newlines=False), style=f"bold {self.status.style}")
        if tail:
            text.append("\n" + visible(tail))
        return text


@dataclass(frozen=True, repr=False)
class Report:
    """Every part of the problems graded, in the spec's order: ``verdicts`` (flat), ``problems``
    (``{problem_id: [Verdict, ...]}``), ``score`` of ``max_score``, ``student``."""

    results: tuple[ProblemResult, ...]
    student: str | None = None
    path: str | None = None

    @property
    def problems(self) -> dict[str, list[Verdict]]:
        return {r.id: [Verdict.of(v, r.id) for v in r.verdicts] for r in self.results}

    @property
    def verdicts(self) -> list[Verdict]:
        return [v for vs in self.problems.values() for v in vs]

    @property
    def score(self) -> float:
        return float(sum(r.score for r in self.results))

    @property
    def max_score(self) -> float:
        return float(sum(r.max_score for r in self.results))

    @property
    def ok(self) -> bool:
        """Whether ``dlcheck grade`` would exit 0 on these answers."""
        return all(v.status.passes for r in self.results for v in r.verdicts)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            for v in r.verdicts:
                out[v.status.value] = out.get(v.status.value, 0) + 1
        return out

    def __getitem__(self, key: str) -> Verdict:
        """``report["backprop/q1/loss"]`` (or ``"q1/loss"``, or ``"loss"`` when one problem is graded)."""
        matches = [v for v in self.verdicts if key in (v.name, v.part) or v.name.endswith("/" + key)]
        if len(matches) != 1:
            from dlcheck.core.errors import DlcheckError  # lazy: only a failed lookup needs it

            names = [v.name for v in self.verdicts]
            from dlcheck.core.suggest import did_you_mean  # lazy: only a failed lookup needs it

            raise KeyError(str(DlcheckError(f"no part '{clip(key)}' in this report" if not matches else
                                            f"'{clip(key)}' names several parts; write problem/part"
                                            + (did_you_mean(key, names) if not matches else ""))))
        return matches[0]

    def to_dict(self) -> dict[str, Any]:
        """The document ``dlcheck grade --format json`` writes for one file."""
        nothing = not any(v.status not in (Status.MISSING, Status.MANUAL) for r in self.results for v in r.verdicts)
        from dlcheck.report.jsonout import results_doc  # lazy: the report layer loads the grading tools

        return results_doc(list(self.results), self.path, self.student, nothing)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        return (f"<Report {len(self.results)} problem{'s' if len(self.results) != 1 else ''}: "
                f"{_points(self.score)}/{_points(self.max_score)} points ({counts})>")

    def _rows(self) -> list[tuple[Verdict, str]]:
        rows = []
        for v in self.verdicts:
            note = v.message
            if v.expected is not None and not v.correct and v.status is not Status.MISSING:
                note = f"{note.rstrip('.')}; expected {v.expected}" if note else f"expected {v.expected}"
            rows.append((v, note))
        return rows

    def _title(self) -> str:
        who = f" — student {self.student}" if self.student else ""
        return f"{_points(self.score)} / {_points(self.max_score)} points{who}"

    def _repr_markdown_(self) -> str:
        lines = [f"**{_md(self._title())}**", "", "| part | status | score | message |", "|---|---|---|---|"]
        for v, note in self._rows():
            lines.append(f"| {_md(v.name)} | {v.status.mark} {v.status.value} | "
                         f"{_points(v.score)}/{_points(v.max_score)} | {_md(note)} |")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td>{_h(v.name)}</td><td style="color:{_COLOUR.get(v.status.style, "inherit")}">'
            f"{_h(v.status.mark)} {_h(v.status.value)}</td><td>{_points(v.score)}/{_points(v.max_score)}</td>"
            f'<td style="text-align:left">{_h(note)}</td></tr>' for v, note in self._rows())
        return (f'<div class="dlcheck-report"><b>{_h(self._title())}</b><table><thead><tr><th>part</th>'
                f"<th>status</th><th>score</th><th>message</th></tr></thead><tbody>{rows}</tbody></table></div>")

    def __rich__(self) -> Any:
        from rich.table import Table  # lazy: rich only when drawn with it
        from rich.text import Text  # lazy: rich only when drawn with it

        table = Table(title=visible(self._title(), newlines=False), title_justify="left")
        for name in ("part", "status", "score", "message"):
            table.add_column(name, overflow="fold")
        for v, note in self._rows():
            table.add_row(visible(v.name, newlines=False), Text(f"{v.status.mark} {v.status.value}",
                                                                style=v.status.style),
                          f"{_points(v.score)}/{_points(v.max_score)}", visible(note))
        return table


@dataclass(frozen=True, repr=False)
class Explanation:
    """A worked solution: ``markdown`` (also ``str()``), ``latex``; drawn as Markdown in Jupyter."""

    problem: str
    title: str
    markdown: str
    latex: str
    parts: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        shown = f" ({', '.join(self.parts)})" if self.parts else ""
        return f"<Explanation {_short(self.problem, 40)}{_short(shown)}: {_short(self.title)}>"

    def to_dict(self) -> dict[str, Any]:
        return {"problem": self.problem, "title": self.title, "parts": list(self.parts), "markdown": self.markdown,
                "latex": self.latex}

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _repr_html_(self) -> str:
        return f'<pre class="dlcheck-explanation">{_h(self.markdown)}</pre>'

    def __rich__(self) -> Any:
        from rich.markdown import Markdown  # lazy: rich only when drawn with it

        return Markdown(self.markdown)


def _h(text: str) -> str:
    return html.escape(visible(str(text)), quote=True)


def _md(text: str) -> str:
    """Text in a Markdown table cell or line: no markup of its own, one line."""
    out = visible(" ".join(str(text).split()), newlines=False)
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out
