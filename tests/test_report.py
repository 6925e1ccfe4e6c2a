"""The class report (grade --report FILE): what it counts, that it is whole and inert, that a student's text
never becomes markup, the summary under the class table, and the page in a real browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.grade.batch import FileResult
from dlcheck.grade.summary import percent, summarize

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # subprocesses run the source tree, not an installed copy
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND"]
HOSTILE = "</bdi><script>document.title='pwned'</script><img src=x onerror=alert(1)>"


class Page(HTMLParser):
    """Every element and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


def _page(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def _loads_nothing(page: Page) -> None:
    """No script, no element or style that fetches anything when the page is opened."""
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "base", "audio", "video", "source"}
    for tag, attrs in page.tags:
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)   # no event handler
        for a in ("src", "href", "xlink:href", "action", "poster", "srcset", "data"):
            if a in attrs:
                assert attrs[a].startswith(("#", "data:")), (tag, a, attrs[a])
        assert "url(" not in attrs.get("style", "").replace("url(#", "")
    css = "".join(page.styles)
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A generated class of 40 files (every set, right, perturbed, blank, idk; 2 broken), graded once
    into a CSV on stdout and the report beside it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from classroom import make_class

    folder = tmp_path_factory.mktemp("class")
    make_class(folder / "subs", 40, broken_every=20)
    report = folder / "report.html"
    run = subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(folder / "subs"), "--format", "csv",
                          "--report", str(report)], capture_output=True, text=True, timeout=600, cwd=folder,
                         env=SOURCE_ENV)
    docs = json.loads(subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(folder / "subs"), "--format",
                                      "json"], capture_output=True, text=True, timeout=600, env=SOURCE_ENV).stdout)
    return run, report, docs


def test_a_class_of_40_gives_a_report_with_inline_charts_every_part_and_no_network(klass):
    run, report, docs = klass
    assert run.returncode == 2  # two files could not be read; the CSV is still the format asked for
    assert run.stdout.startswith("student,file,") and len(run.stdout.splitlines()) == 42
    assert f"class report: {report}" in " ".join(run.stderr.split())
    text = report.read_text(encoding="utf-8")
    page = _page(text)
    _loads_nothing(page)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text)   # no address at all, namespaces included
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    answered = {(p["id"], q["id"]) for d in docs if "problems" in d for p in d["problems"] for q in p["parts"]}
    problems = {pid for pid, _ in answered}
    assert len(svgs) == len(problems) + 2  # the distribution, the hardest parts, one chart per problem
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids))  # two charts' clip paths never share an id
    for pid in problems:  # every part named in its problem's section (its table and its chart)
        section = text[text.index(f"<section id='{pid}'>"):]
        section = section[:section.index("</section>")]
        for part in (q for p, q in answered if p == pid):
            assert f"<td class='part'>{html.escape(part)}</td>" in section
            assert f">{html.escape(part)}</text>" in section
    graded = [d for d in docs if "error" not in d]
    assert f"<b>{len(graded)}</b><span>files graded</span>" in text
    assert "<b>2</b><span>could not be read</span>" in text


def test_the_counts_are_the_verdicts_counted():
    def v(part, status, answer="", message="", **detail):
        return Verdict(part, status, 1.0 if status is Status.CORRECT else 0.0, 1.0, message, answer, detail=detail)

    files = [
        FileResult("a.yaml", "1", [ProblemResult("backprop/q1", "T", [
            v("out_h1", Status.CORRECT), v("loss", Status.INCORRECT, "0.30", "sign", mistake="sign")])]),
        FileResult("b.yaml", "2", [ProblemResult("backprop/q1", "T", [
            v("out_h1", Status.INCORRECT, " 0.5 ", "off"),
            v("loss", Status.INCORRECT, "0.3", "sign", mistake="sign")])]),
        FileResult("c.yaml", "3", [ProblemResult("backprop/q1", "T", [
            v("out_h1", Status.INCORRECT, "0.5", "off"), v("loss", Status.INVALID, "idk", "not a number")])]),
        FileResult("d.yaml", None, error=DlcheckError("bad")),
    ]
    s = summarize(files)
    out_h1, loss = s.parts
    assert (out_h1.part, out_h1.right, out_h1.students, out_h1.tally[Status.INCORRECT]) == ("out_h1", 1, 3, 2)
    assert [(g.text, g.count, g.message) for g in out_h1.answers] == [("0.5", 2, "off")]  # spaces aside
    assert [(g.text, g.count, g.same) for g in loss.mistakes] == [("sign", 2, True)]
    assert [p.part for p in s.hardest(5)] == ["loss", "out_h1"]  # 0 of 3 right, then 1 of 3
    assert s.top_mistakes(5) == [(loss, loss.mistakes[0])]
    assert [st.path for st in s.need_help] == ["d.yaml", "b.yaml", "c.yaml"]  # unreadable first, then 0%, 0%
    assert s.median == pytest.approx(0.0) and s.mean == pytest.approx(1 / 6)
    assert (percent(0.497), percent(0.503), percent(0.43)) == ("49.7%", "50%", "43%")


@pytest.fixture
def hostile(tmp_path):
    """Three students whose ids, file names and answers are markup."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(3):
        name = f"<img src=x onerror=alert({k})>.yaml"
        (subs / name).write_text(f"set: backprop\nstudent: {json.dumps(HOSTILE + str(k))}\nanswers:\n  q1:\n"
                                 f"    loss: {json.dumps(HOSTILE)}\n    out_h1: 0.1\n", encoding="utf-8")
    (subs / "broken.yaml").write_text(f"set: backprop\nstudent: {json.dumps(HOSTILE)}\nanswers: [\n", encoding="utf-8")
    return subs


def test_a_students_text_never_becomes_markup(runner, hostile, tmp_path):
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["grade", str(hostile), "--format", "json", "--report", str(report)])
    assert result.exit_code == 2 and report.exists()
    text = report.read_text(encoding="utf-8")
    page = _page(text)
    _loads_nothing(page)
    assert not any(tag == "img" for tag, _ in page.tags)
    shown = "".join(page.text)
    assert HOSTILE + "0" in shown and "<img src=x onerror=alert(0)>.yaml" in shown  # as text, whole
    assert shown.count(HOSTILE) >= 4  # the three ids and the wrong answer given three times


def test_the_terminal_summary_follows_the_class_table_within_80_columns(runner, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for k, answer in enumerate(["-0.0766", "-0.0766", "0.0766"]):
        (subs / f"s{k}.yaml").write_text(f"set: backprop\nanswers:\n  q1:\n    dE_dw5: {answer}\n", encoding="utf-8")
    out = runner.invoke(app, ["grade", str(subs), "-q"], env={"COLUMNS": "80"}).output
    tail = out[out.index("Class: 3 of 3 files graded"):].splitlines()
    assert all(len(line) <= 80 for line in tail)
    said = " ".join(" ".join(tail).split())
    assert "Hardest parts: backprop/q1 dE_dw5 1/3 right 2 incorrect" in said
    assert "Most common mistakes: 2× backprop/q1 dE_dw5 sign: Sign error" in said
    assert re.search(r"May need help \(3\): \S+s0.yaml \(0%\), \S+s1.yaml \(0%\), \S+s2.yaml \(4%\)", said)


def test_a_report_that_cannot_be_written_is_said_before_grading(runner, tmp_path):
    result = runner.invoke(app, ["grade", str(ROOT / "examples"), "--report", str(tmp_path / "no" / "r.html")])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(app, ["grade", str(ROOT / "examples"), "--report", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.output


def test_matplotlib_is_loaded_only_for_a_report():
    code = ("import sys, dlcheck.cli.commands, dlcheck.cli.grading, dlcheck.report.classreport; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=SOURCE_ENV)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (CI installs it)")
def test_the_report_renders_in_headless_chromium_and_runs_nothing(runner, hostile, tmp_path):
    report = tmp_path / "report.html"
    runner.invoke(app, ["grade", str(hostile), "--report", str(report)])
    profile = tmp_path / "profile"
    common = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600"]
    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180)
    assert "<svg" in dom.stdout, dom.stderr[-2000:]
    page = _page(dom.stdout)  # the document after the browser ran whatever it would
    assert not any(tag in ("script", "img") for tag, _ in page.tags)
    assert re.search(r"<title>[^<]*</title>", dom.stdout) and "pwned" not in re.search(
        r"<title>([^<]*)</title>", dom.stdout).group(1)
    assert HOSTILE + "0" in html.unescape("".join(page.text))
    shot = tmp_path / "shot.png"
    subprocess.run([*common, "--hide-scrollbars", f"--screenshot={shot}", report.as_uri()], capture_output=True,
                   timeout=180)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a drawn page, not a blank one
    shutil.rmtree(profile, ignore_errors=True)


def test_the_distribution_puts_each_score_in_its_tenth_and_labels_the_counts():
    from dlcheck.report import charts

    svg = charts.distribution([0.05, 0.15, 0.19, 0.999, 1.0], name="d")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # the axes' labels, then each bar's count: 0-10%, 10-20%, 90-100% (100% in it), then the median
    assert texts[texts.index("students") + 1:] == ["1", "2", "2", "median 19%"]
    assert not re.search(r'\bid="(?!d-)', svg) and "<?xml" not in svg and "xmlns" not in svg


def test_a_chart_label_is_text_whatever_a_bank_names_its_parts():
    from collections import Counter

    from dlcheck.grade.summary import PartStats
    from dlcheck.report import charts

    part = PartStats("week1/<q1>", "T", "<script>x&y</script>", 1.0, tally=Counter({Status.CORRECT: 1}))
    svg = charts.parts([part], "x", label_problem=True)
    assert "<script" not in svg and "week1/&lt;q1&gt; &lt;script&gt;x&amp;y&lt;/script&gt;" in svg
