"""Gradebooks an LMS imports: a Canvas export filled in place (--format canvas), Moodle's grade import
(--format moodle), and --excel's byte-order mark."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.grade.summary import Scores
from dlcheck.report.canvas import RosterError, fill, find_column, read_export

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# as Canvas exports it: every field quoted, CRLF, a points row with four leading spaces, read-only totals,
# a test student, an assignment already graded and the one to fill
EXPORT = (
    '"Student","ID","SIS User ID","SIS Login ID","Section","Homework 1 (1001)","Backprop (1002)",'
    '"Current Score","Final Score"\r\n'
    '"    Points Possible","","","","","10","25","(read only)","(read only)"\r\n'
    '"Núñez, José","123","99521469","jnunez","DL 2026","8","","80","80"\r\n'
    '"Lee, Emma","124","99521470","elee","DL 2026","9","","90","90"\r\n'
    '"Doe, Jane","125","99521471","jdoe","DL 2026","10","","100","100"\r\n'
    '"Student, Test","999","","","DL 2026","","","",""\r\n'
)
RIGHT = 'set: backprop\nstudent: "{sid}"\nanswers:\n  q3:\n    more_expressive: 2\n'


@pytest.fixture
def course(tmp_path):
    """Canvas's export of three students, and submissions: José by SIS User ID (the example, partly wrong),
    Jane by SIS Login ID, Emma none; one file of a student who is not on the roster."""
    (tmp_path / "export.csv").write_bytes(EXPORT.encode("utf-8"))
    subs = tmp_path / "subs"
    subs.mkdir()
    example = (EXAMPLES / "answers.yaml").read_text(encoding="utf-8")
    (subs / "jose.yaml").write_text('student: "99521469"\n' + example, encoding="utf-8")
    (subs / "jane.yaml").write_text(RIGHT.format(sid="jdoe"), encoding="utf-8")
    (subs / "stranger.yaml").write_text(RIGHT.format(sid="31337"), encoding="utf-8")
    return tmp_path


def _totals(runner, subs: Path) -> dict[str, float]:
    """Each student's score as the JSON gives it (the independent account)."""
    docs = json.loads(runner.invoke(app, ["grade", str(subs), "--format", "json"]).stdout)
    return {d["student"]: d["score"] for d in docs}


def test_a_canvas_export_comes_back_with_the_totals_in_its_column_and_nothing_else_changed(runner, course):
    result = runner.invoke(app, ["grade", str(course / "subs"), "--format", "canvas", "--roster",
                                 str(course / "export.csv"), "--column", "Backprop (1002)"])
    assert result.exit_code == 1  # the example is partly wrong
    out = result.stdout_bytes
    totals = _totals(runner, course / "subs")
    assert totals["99521469"] < 25 and totals["jdoe"] == 1
    before = EXPORT.encode("utf-8").split(b"\r\n")
    after = out.split(b"\r\n")
    assert len(after) == len(before)
    changed = [k for k, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed == [2, 4]  # José's and Jane's rows only: the header, points, Emma and the test student as exported
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    old = list(csv.reader(io.StringIO(EXPORT, newline="")))
    column = rows[0].index("Backprop (1002)")
    assert float(rows[2][column]) == pytest.approx(totals["99521469"])
    assert float(rows[4][column]) == pytest.approx(totals["jdoe"])
    for k in changed:  # every other cell of a changed row as it was, and quoted as it was
        assert rows[k][:column] + rows[k][column + 1:] == old[k][:column] + old[k][column + 1:]
        assert after[k].count(b'"') == before[k].count(b'"')
    said = " ".join(result.stderr.split())
    assert "2 of 3 students" in said
    assert "no submission, left as exported (1): Lee, Emma (99521470)" in said
    assert "stranger.yaml (student 31337)" in said
    assert "Student, Test" not in said
    assert "out of 25 points in Canvas" in said  # the example answers 25 points of backprop/q1; Jane 1 of q3


def test_the_column_is_found_by_its_title_or_its_id_and_refused_when_it_is_no_assignment():
    export = read_export(EXPORT.encode(), "export.csv")
    assert find_column(export, "Backprop (1002)") == find_column(export, "backprop") == find_column(export, "1002") == 6
    with pytest.raises(RosterError, match=r"no column 'Backprob \(1002\)'; did you mean Backprop \(1002\)\?"):
        find_column(export, "Backprob (1002)")
    with pytest.raises(RosterError, match="'Section' is not an assignment column"):
        find_column(export, "Section")
    with pytest.raises(RosterError, match="read only in Canvas"):
        find_column(export, "Current Score")


def _scores(**total: float) -> Scores:
    return Scores(total=dict(total), most=dict.fromkeys(total, 25.0), awaiting=dict.fromkeys(total, 0.0),
                  path={sid: f"{sid}.yaml" for sid in total})


def test_a_semicolon_export_with_decimal_commas_a_bom_and_a_cell_over_two_lines_keeps_them():
    text = ("\ufeffStudent;ID;SIS User ID;SIS Login ID;Section;Quiz (7)\n"
            "    Points Possible;;;;;12,5\n"
            'Ngo, An;1;s1;an;"Section A\nand B";\n'
            "Roe, Bo;2;s2;bo;B;3,5\n")
    export = read_export(text.encode("utf-8"), "e.csv")
    assert export.delimiter == ";" and export.decimal_comma and export.bom
    filled = fill(export, find_column(export, "Quiz (7)"), _scores(s1=10.25))
    assert filled.data.decode("utf-8") == text.replace('and B";\n', 'and B";10,25\n')
    assert filled.written == 1 and filled.replaced == 0
    assert "no submission, left as exported (1): Roe, Bo (s2)" in " ".join(filled.notes)
    twice = fill(export, 5, _scores(s1=10.25, an=1.0))  # one student's two files, by two of their ids
    assert twice.data.decode("utf-8") == text and twice.written == 0
    said = " ".join(" ".join(twice.notes).split())
    assert "Ngo, An (s1) is named by 2 files: an.yaml (student an), s1.yaml (student s1)" in said
    assert "no submission" in said and "Ngo, An (s1);" not in said  # Bo has none; An is not called missing


def test_minimal_quoting_stays_minimal_and_an_excel_bom_is_added_on_request():
    text = "Student,ID,SIS Login ID,Section,Lab (3)\n    Points Possible,,,,5\n\"Roe, Bo\",2,bo,B,\n"
    export = read_export(text.encode(), "e.csv")
    filled = fill(export, 4, _scores(bo=4.5), bom=True)
    assert filled.data == ("\ufeff" + text.replace("B,\n", "B,4.5\n")).encode("utf-8")


def test_what_cannot_be_matched_is_left_as_exported_and_said():
    export = read_export(EXPORT.replace('"9","",', '"9","EX",').encode(), "export.csv")
    scores = _scores(elee=20.0, **{"99521471": 5.0})
    scores.twice = {"jnunez": ["a.yaml", "b.yaml"]}
    filled = fill(export, 6, scores)
    assert filled.data.decode().replace('"5"', '""') == EXPORT.replace('"9","",', '"9","EX",')  # only Jane's 5
    said = " ".join(" ".join(filled.notes).split())
    assert "excused (EX) or not assigned (N/A) in Canvas, left as they are: Lee, Emma (99521470) (EX)" in said
    assert "student jnunez has 2 files (a.yaml, b.yaml)" in said
    assert "no submission" not in said  # José's files exist; only which one counts is undecided


@pytest.mark.parametrize("data, message", [
    (b"Student,ID\n\xff\xfe", "byte 12 is not UTF-8"),
    (b"Name,Score\nAnn,3\n", "no ID, SIS User ID or SIS Login ID column"),
    (b"", "the file is empty"),
])
def test_an_export_that_is_not_canvass_is_refused_with_what_to_do(data, message):
    with pytest.raises(RosterError, match=message) as caught:
        read_export(data, "roster.csv")
    assert str(caught.value).startswith("roster.csv")


@pytest.mark.parametrize("args, message", [
    (["--format", "canvas"], "give it with --roster EXPORT.csv"),
    (["--format", "csv", "--roster", "x.csv"], "add --format canvas"),
    (["--format", "json", "--excel"], "--excel is for CSV"),
    (["--column", "Backprop (1002)"], "--column names the gradebook column"),
    (["--format", "canvas", "--roster", "missing.csv", "--column", "x"], "missing.csv: cannot read it"),
])
def test_options_are_checked_before_any_file_is_graded(runner, course, args, message):
    result = runner.invoke(app, ["grade", str(course / "subs"), *args])
    assert result.exit_code == 2 and message in " ".join(result.output.split())


def test_moodle_gets_an_id_number_and_a_grade_per_student(runner, course):
    (course / "subs" / "anonymous.yaml").write_text(RIGHT.replace('student: "{sid}"\n', ""), encoding="utf-8")
    result = runner.invoke(app, ["grade", str(course / "subs"), "--format", "moodle", "--column", "Homework 3",
                                 "--excel"])
    out = result.stdout_bytes.decode("utf-8")
    assert out.startswith("\ufeffID number,Homework 3\n")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    totals = _totals(runner, course / "subs")
    assert {r[0]: float(r[1]) for r in rows[1:]} == {k: pytest.approx(v) for k, v in totals.items() if k}
    assert "anonymous.yaml" in " ".join(result.stderr.split())


def test_the_csv_gradebook_with_excel_is_the_same_after_a_bom(runner, course):
    plain = runner.invoke(app, ["grade", str(course / "subs"), "--format", "csv"]).stdout_bytes
    excel = runner.invoke(app, ["grade", str(course / "subs"), "--format", "csv", "--excel"]).stdout_bytes
    assert excel == "\ufeff".encode() + plain
