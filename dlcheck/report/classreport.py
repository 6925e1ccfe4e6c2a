"""``grade --report FILE``: the class report, one self-contained HTML page for the instructor.

It draws a :class:`~dlcheck.grade.summary.ClassSummary` (everything is counted there): the
score distribution, the hardest parts, the named mistakes made most often, the students
who may need help, and for every problem a chart of each part's share correct / carried /
partial / wrong / invalid / missing with the most common wrong answers and named mistakes
(their counts and diagnosis), then the files that could not be read.

Self-contained and inert: the charts are inline SVG (:mod:`dlcheck.report.charts`), the style
is inline, there is no script, and a Content-Security-Policy forbids loading anything at all,
so opening the page fetches nothing. Every piece of text a student controls (answers, ids,
file names, error messages quoting their file) is escaped, after control and bidirectional
characters are made visible; an answer is set in ``<bdi>`` so right-to-left text stays put.
The page shows what the reveal policy holds back from students: it is for the instructor.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime, timezone

from dlcheck.core.verdict import Status
from dlcheck.core.visible import visible
from dlcheck.grade.summary import ClassSummary, Given, PartStats, Student, percent
from dlcheck.report import charts
from dlcheck.report.gradebook import first_line, number

HARDEST = 10          # parts in the chart of the hardest parts
MISTAKES = 12         # named mistakes in the table of the most common ones
PER_PART = 3          # wrong answers and named mistakes listed per part
LONG = 80             # characters of an answer shown whole; a longer one is cut in the middle


def esc(text: str) -> str:
    """Text a student may control, for HTML: control characters made visible, then escaped."""
    return html.escape(visible(text, newlines=False), quote=True)


def shorten(text: str, most: int = LONG) -> str:
    """A long answer as its first and last characters and its length (the report stays readable)."""
    if len(text) <= most:
        return text
    return f"{text[:most - 20]} … {text[-12:]} ({len(text):,} characters)"


def _pct(share: float | None) -> str:
    return "" if share is None else percent(share)


_STYLE = """
:root { --ink: #263238; --soft: #607d8b; --line: #e3e8eb; --bg: #f6f8f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 2px; }
h2 { font-size: 19px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.sub, .note { color: var(--soft); margin: 0; }
.note { font-size: 13px; margin-top: 6px; }
section { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px;
          margin-top: 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.card { flex: 1 1 150px; background: white; border: 1px solid var(--line); border-radius: 10px;
        padding: 12px 16px; }
.card b { display: block; font-size: 26px; line-height: 1.2; }
.card span { color: var(--soft); font-size: 13px; }
.chart svg { display: block; width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; margin: 4px 0 8px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px;
            vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.part { white-space: nowrap; font-weight: 600; }
code.name { overflow-wrap: normal; }
code, bdi.answer { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px;
       background: #eef2f4; border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
ul.given { list-style: none; margin: 0; padding: 0; }
ul.given li { margin: 0 0 3px; }
.count { display: inline-block; min-width: 2.2em; color: var(--soft); font-variant-numeric: tabular-nums; }
.why { color: var(--soft); }
.zero { color: #b0bec5; }
.bad { color: #c62828; }
"""


def class_report(summary: ClassSummary, title: str = "Class report", when: datetime | None = None,
                 version: str = "") -> str:
    """The whole page, as text."""
    when = when or datetime.now(timezone.utc)
    made = f"{when:%Y-%m-%d %H:%M} UTC" + (f" by dlcheck {esc(version)}" if version else "")
    body = [
        f"<header><h1>{esc(title)}</h1><p class='sub'>{len(summary.students)} answers file"
        f"{'s' if len(summary.students) != 1 else ''} · {len(summary.problems)} problem"
        f"{'s' if len(summary.problems) != 1 else ''} · made {made}</p></header>",
        _cards(summary),
        _distribution(summary),
        _hardest(summary),
        _mistakes(summary),
        _help(summary),
        *(_problem(summary, pid) for pid in summary.problems),
        _unreadable(summary.unreadable),
    ]
    return ("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
            # nothing may load: no script, no request of any kind; the page is its own style and pictures
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{esc(title)} · dlcheck</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(b for b in body if b) + "\n</main>\n</body>\n</html>\n")


def _cards(summary: ClassSummary) -> str:
    graded = summary.graded
    cards = [(str(len(graded)), "files graded"),
             (_pct(summary.median) or "–", "median score"),
             (_pct(summary.mean) or "–", "mean score"),
             (str(len(summary.need_help)), "may need help")]
    if summary.unreadable:
        cards.append((str(len(summary.unreadable)), "could not be read"))
    return "<div class='cards'>" + "".join(f"<div class='card'><b>{v}</b><span>{k}</span></div>"
                                           for v, k in cards) + "</div>"


def _distribution(summary: ClassSummary) -> str:
    shares = summary.shares
    if not shares:
        return ""
    low, high = min(shares), max(shares)
    return ("<section><h2>Score distribution</h2>"
            f"<div class='chart'>{charts.distribution(shares)}</div>"
            f"<p class='note'>{len(shares)} students with a checked answer; lowest {_pct(low)}, highest "
            f"{_pct(high)}. A score is the share of the assignment's points (without --assignment, of "
            "every problem someone in the class answered; essays awaiting a marker left out).</p></section>")


def _legend(statuses: Iterable) -> str:
    return "<div class='legend'>" + "".join(
        f"<span><i style='background:{charts.COLOURS[s]}'></i>{s.word}</span>" for s in statuses) + "</div>"


def _present(parts: list[PartStats]) -> list:
    return [s for s in charts.STACK if any(p.tally[s] for p in parts)]


def _hardest(summary: ClassSummary) -> str:
    hardest = summary.hardest(HARDEST)
    if not hardest:
        return ""
    return ("<section><h2>Hardest parts</h2>" + _legend(_present(hardest))
            + f"<div class='chart'>{charts.parts(hardest, 'hardest', label_problem=True)}</div>"
            "<p class='note'>The parts the fewest students got right (correct, or right on their own earlier "
            "value: carried), of the students who had the problem.</p></section>")


def _mistakes(summary: ClassSummary) -> str:
    top = summary.top_mistakes(MISTAKES)
    if not top:
        return ""
    rows = "".join(f"<tr><td class='n'>{m.count}</td><td class='part'>{esc(p.name)}</td><td>{_name(m)}</td>"
                   f"<td>{_message(m)}</td></tr>" for p, m in top)
    return ("<section><h2>Most common mistakes</h2><table><thead><tr><th class='n'>students</th><th>part</th>"
            f"<th>mistake</th><th>diagnosis</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _name(g: Given) -> str:
    """A named mistake's name (a spec's mistake without one is known by its feedback: shown once, as the
    diagnosis)."""
    return "<span class='zero'>unnamed</span>" if g.text == g.message else f"<code class='name'>{esc(g.text)}</code>"


def _message(g: Given) -> str:
    return ("" if g.same else "e.g. ") + esc(g.message)


def _student_cells(s: Student) -> str:
    return (f"<td>{esc(s.student) if s.student else '<span class=zero>–</span>'}</td>"
            f"<td><code>{esc(s.path)}</code></td>")


def _help(summary: ClassSummary) -> str:
    need = summary.need_help
    if not need:
        return ""
    rows = "".join(
        f"<tr>{_student_cells(s)}<td class='n'>{'' if s.error else number(s.score) + ' / ' + number(s.checked)}"
        f"</td><td class='n'>{_pct(s.share)}</td><td>{esc('; '.join(s.reasons))}</td></tr>" for s in need)
    return ("<section><h2>Students who may need help</h2><table><thead><tr><th>student</th><th>file</th>"
            f"<th class='n'>score</th><th class='n'>%</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>"
            "<p class='note'>A file that could not be read, no answer dlcheck checks, a score under half the "
            "points, or two or more answers dlcheck could not read.</p></section>")


def _given(items: list[Given], answers: bool) -> str:
    if not items:
        return ""
    shown = items[:PER_PART]
    more = len(items) - len(shown)
    lines = []
    for g in shown:
        text = f"<bdi class='answer'>{esc(shorten(g.text))}</bdi>" if answers else _name(g)
        lines.append(f"<li><span class='count'>{g.count}×</span>{text} <span class='why'>{_message(g)}</span></li>")
    if more:
        lines.append(f"<li class='why'>and {more} more</li>")
    return "<ul class='given'>" + "".join(lines) + "</ul>"


def _cell(n: int) -> str:
    return f"<td class='n{' zero' if not n else ''}'>{n}</td>"


def _problem(summary: ClassSummary, pid: str) -> str:
    problem = summary.problems[pid]
    parts = summary.parts_of(pid)
    statuses = _present(parts)
    head = "".join(f"<th class='n' title='{s.word}'>{s.word}</th>" for s in statuses)
    rows = []
    for p in parts:
        rows.append(f"<tr><td class='part'>{esc(p.part)}</td>" + "".join(_cell(p.tally[s]) for s in statuses)
                    + f"<td>{_given(p.answers, True)}</td><td>{_given(p.mistakes, False)}</td></tr>")
    chart = charts.parts(parts, f"p{list(summary.problems).index(pid)}")
    return (f"<section id='{esc(pid)}'><h2>{esc(pid)} — {esc(problem.title)}</h2>"
            f"<p class='sub'>{problem.students} student{'s' if problem.students != 1 else ''}; mean "
            f"{number(round(problem.mean, 2))} of {number(problem.points)} points{_awaiting(parts)}</p>"
            + _legend(statuses) + f"<div class='chart'>{chart}</div><table><thead><tr><th>part</th>{head}"
            "<th>most common wrong or unreadable answers</th><th>named mistakes</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _awaiting(parts: list[PartStats]) -> str:
    n = sum(p.tally[Status.MANUAL] for p in parts)
    return f" ({n} essay answer{'s' if n != 1 else ''} awaiting a marker, not in the mean)" if n else ""


def _unreadable(students: list[Student]) -> str:
    if not students:
        return ""
    rows = "".join(f"<tr>{_student_cells(s)}<td class='bad'>{esc(first_line(s.error, where=False))}</td></tr>"
                   for s in students if s.error is not None)
    return ("<section><h2>Files that could not be read</h2><table><thead><tr><th>student</th><th>file</th>"
            f"<th>why</th></tr></thead><tbody>{rows}</tbody></table></section>")
