"""Worked write-ups: headings, every step checked, the answers found in the working, the misread given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.spec.writeup import heading_number, read_writeup
from tests.conftest import grade_answers

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT.parent / "shared" / "seeds" / "003_46dfe58425527c92.txt"

# A write-up in the sheets' style: Persian headings and prose, Markdown, LaTeX, decimal commas.
# Each line: (kind, text); kind "right" (every step right), "slip" (a planted arithmetic slip),
# "" (prose, or math with no step to check).
PLANTED = [
    ("", "# تمرین سری اول — یادگیری عمیق"),
    ("", ""),
    ("", "## سوال ۱) شبکه عصبی زیر را در نظر بگیرید."),
    ("", "مسیر رو به جلو را حساب میکنیم:"),
    ("right", r"$$net_{h1} = (0,05 \cdot 0,15) + (0,1 \cdot 0,25) + 0,35 = 0,3825$$"),
    ("right", r"$$out_{h1} = \frac{1}{1 + e^{-0,3825}} = 0,5945$$"),
    ("right", r"$$net_{h2} = (0,05 \cdot 0,2) + (0,1 \cdot 0,3) + 0,35 = 0,39 \rightarrow 0,5963$$"),
    ("", "حالا لایه خروجی:"),
    ("right", r"$$net_{y1} = 0,4 \cdot 0,5945 + 0,5 \cdot 0,5963 + 0,8 = 1,3359 \rightarrow 0,7918$$"),
    ("slip", r"$$net_{y2} = 0,45 \cdot 0,5945 + 0,55 \cdot 0,5963 + 0,8 = 1,4954 \rightarrow 0,8169$$"),
    ("right", r"$$E = \frac{1}{2}(0,01 - 0,7918)^2 + \frac{1}{2}(0,99 - 0,8169)^2 = 0,3206$$"),
    ("", "گرادیان ها با قاعده زنجیره ای:"),
    ("right", r"$$\delta_{y1} = (0,7918 - 0,01) \cdot 0,7918 \cdot (1 - 0,7918) = 0,1289$$"),
    ("right", r"$$\frac{\partial E}{\partial w_5} = \delta_{y1} \cdot out_{h1} = 0,1289 \cdot 0,5945 = 0,0766$$"),
    ("right", r"$$\delta_{y2} = (0,8169 - 0,99) \cdot 0,8169 \cdot (1 - 0,8169) = -0,0259$$"),
    ("right", r"$$\frac{\partial E}{\partial w_6} = \delta_{y2} \cdot out_{h1} = -0,0154$$"),
    ("slip", r"$$w_5^{new} = 0,4 - 0,5 \cdot 0,0766 = 0,3671$$"),
    ("slip", r"$$0,4 - 0,5(-0,0769) = 0,4383$$"),
    ("", ""),
    ("", "سوال ۲-۱ در این بخش فقط توضیح میدهیم که سوال 3 هم مشابه است."),
    ("", r"$$\delta_2 = \frac{\partial f}{\partial Z^{[2]}}$$"),
    ("", "Q3"),
    ("slip", r"\[ 3 \times 4 = 20 \]"),
    ("right", r"$$\begin{aligned} a &= 2 \cdot 3 \\ &= 6 \end{aligned}$$"),
]


def _planted(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    path = tmp_path / "student.md"
    path.write_text("\n".join(text for _, text in PLANTED) + "\n", encoding="utf-8")
    return path, {k + 1: kind for k, (kind, _) in enumerate(PLANTED) if kind}


def _grade_json(runner, *args: str) -> tuple[int, object]:
    result = runner.invoke(app, ["grade", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


# -- reading a write-up -----------------------------------------------------------------------
@pytest.mark.parametrize("line, number", [
    ("Question 3", 3), ("Q3", 3), ("q3)", 3), ("## سوال ۳", 3), ("سوال (3)", 3), ("سوال ۲-۲", 2),
    ("**Q2:** the network", 2), ("سوال 2 شبکه سه لایه زیر", 2), ("3. the next question", 3),
])
def test_headings_as_students_write_them(line, number):
    assert heading_number(line, 3) == number


@pytest.mark.parametrize("line", [
    "In Question 3 we use the same network.", "سؤال: آیا رویکرد ۲ میتواند", "0.5 is the rate",
    "2. an item of a numbered list", "Quality of the fit",
])
def test_prose_and_lists_are_no_headings(line):
    assert heading_number(line, 3) is None


def test_math_lines_keep_their_line_numbers(tmp_path):
    path, _ = _planted(tmp_path)
    sections = {s.number: s for s in read_writeup(path)}
    assert sorted(sections) == [1, 2, 3]
    first = sections[1].math[0]
    assert first.line == 5 and first.text.startswith("net_{h1}")
    rows = [m for m in sections[3].math if m.line == 24]
    assert [r.text.strip() for r in rows] == ["a = 2 \\cdot 3", "= 6"]   # the rows of aligned


# -- every step checked ------------------------------------------------------------------------
def test_planted_slips_are_wrong_and_right_lines_right(tmp_path, runner):
    path, kinds = _planted(tmp_path)
    code, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert code == 1
    by_line: dict[int, list[str]] = {}
    for step in doc["working"]:
        assert set(step) == {"line", "text", "status", "value", "message"}
        by_line.setdefault(step["line"], []).append(step["status"])
    for line, kind in kinds.items():
        if kind == "slip":
            assert "wrong" in by_line.get(line, []), (line, PLANTED[line - 1][1])
        else:
            assert "wrong" not in by_line.get(line, []), (line, PLANTED[line - 1][1], by_line.get(line))
    right_lines = [line for line, kind in kinds.items() if kind == "right"]
    confirmed = [line for line in right_lines if by_line.get(line) and set(by_line[line]) == {"right"}]
    assert len(confirmed) == len(right_lines)


def test_answers_found_in_the_working_grade_as_a_marker_would(tmp_path, runner):
    path, _ = _planted(tmp_path)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    parts = {p["id"]: p for p in doc["problems"][0]["parts"]}
    assert parts["out_h1"]["status"] == "correct" and parts["out_h1"]["answer"] == "0.5945"
    assert parts["out_y1"]["status"] == "correct"          # the value after the arrow from net_y1
    assert parts["out_y2"]["status"] == "incorrect"        # from the slip in net_y2
    assert parts["loss"]["status"] == "consistent-with-earlier-error"
    assert parts["dE_dw5"]["status"] == "correct"
    assert parts["dE_dw6"]["status"] == "consistent-with-earlier-error"
    assert parts["w5_new"]["status"] == "incorrect" and parts["w5_new"]["answer"] == "0.3671"
    assert parts["w1_new"]["status"] == "missing"


def test_a_slip_says_what_the_left_side_is(tmp_path, runner):
    path, _ = _planted(tmp_path)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    step = next(s for s in doc["working"] if s["line"] == 18)
    assert step["status"] == "wrong" and step["value"] == "0.43845"
    assert "0.43845" in step["message"] and "0.4383" in step["message"]


def test_one_changed_character_is_named(tmp_path, runner, write):
    path = write("w.md", r"""
        Question 1
        $$(0,01 \cdot 0,791) (0,791(1 - 0,791)) \cdot 0,594 = -0,0766$$
        $$0,20 (0,5 \cdot -0,001605) = 0,20$$
        $$0,3 \cdot 0,2 = -0,06$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    steps = {s["line"]: s for s in doc["working"]}
    assert steps[2]["status"] == "wrong" and "with − for · it is -0.0766" in steps[2]["message"]
    assert steps[3]["status"] == "wrong" and "with a − before the bracket" in steps[3]["message"]
    assert steps[4]["status"] == "wrong" and "a lost minus" in steps[4]["message"]


def test_what_cannot_be_read_is_unchecked_with_why(tmp_path, runner, write):
    path = write("w.md", r"""
        Q1
        $$(y_2 - \hat{y}_2) \cdot 3 = 0,5$$
        $$__import__('os') = 1$$
        $$\hat{y} \leq 0,5$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    statuses = {s["line"]: s for s in doc["working"]}
    assert statuses[2]["status"] == "unchecked" and "y_2" in statuses[2]["message"]
    assert statuses[3]["status"] == "unchecked"
    assert statuses[4]["status"] == "unchecked" and "inequality" in statuses[4]["message"]


def test_a_label_is_not_compared_with_the_reference(tmp_path, runner, write):
    # b2_new's arithmetic is right on a wrong gradient: the step is right, the part says what is wrong
    path = write("w.md", r"""
        سوال ۱
        $$\frac{\partial E}{\partial b_2} = -0,2535$$
        $$b_2^{new} = 0,8 - 0,5(-0,2535) = 0,9267$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert [s["status"] for s in doc["working"]] == ["right"]
    parts = {p["id"]: p for p in doc["problems"][0]["parts"]}
    assert parts["dE_db2"]["status"] == "incorrect"
    assert parts["b2_new"]["status"] == "consistent-with-earlier-error"
    assert "dE_db2" in parts["b2_new"]["message"]


def test_the_backprop_sheet(runner):
    if not SHEET.exists():
        pytest.skip("the seed sheets are not beside this checkout")
    _, doc = _grade_json(runner, str(SHEET), "--set", "backprop")
    by_line: dict[int, list[str]] = {}
    for step in doc["working"]:
        by_line.setdefault(step["line"], []).append(step["status"])
    for slip in (28, 30, 76, 129):      # 1.3356 (0.8558), 1.3951 (0.9153), 0.4870 (0.5871), 0.37 (0.321)
        assert "wrong" in by_line[slip], slip
    for right in (24, 26):              # the hidden layer's forward pass
        assert set(by_line[right]) == {"right"}, right
    assert set(by_line[78]) == {"right"} and set(by_line[80]) == {"right"}
    parts = {p["id"]: p for p in doc["problems"][0]["parts"]}
    assert "t2 = 0.02" in parts["loss"]["message"]


def test_a_class_of_write_ups_and_every_format(tmp_path, runner):
    path, _ = _planted(tmp_path)
    (tmp_path / "other.md").write_text("Q1\n$$net_{h1} = 0,3825$$\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("set: backprop\nanswers:\n  q1:\n    loss: 0.3234\n", encoding="utf-8")
    code, docs = _grade_json(runner, str(tmp_path), "--set", "backprop")
    assert code == 1 and isinstance(docs, list) and len(docs) == 3
    assert [("working" in d) for d in docs] == [False, True, True]   # notes.yaml, other.md, student.md
    csv = runner.invoke(app, ["grade", str(tmp_path), "--set", "backprop", "--format", "csv"])
    assert csv.exit_code == 1 and "student.md" in csv.stdout
    table = runner.invoke(app, ["grade", str(path), "--set", "backprop"], env={"COLUMNS": "80"})
    assert "Working (" in table.stdout and " 10 ✗ " in table.stdout.replace("  ", " ")
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    feedback = tmp_path / "fb"
    runner.invoke(app, ["grade", str(path), "--set", "backprop", "--feedback-dir", str(feedback)])
    text = next(feedback.iterdir()).read_text(encoding="utf-8")
    assert "## Working" in text and "| 10 | ✗ |" in text


def test_a_write_up_needs_a_set(tmp_path, runner):
    path, _ = _planted(tmp_path)
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2 and "--set" in result.output


def test_a_section_whose_question_is_not_in_the_set(tmp_path, runner, write):
    path = write("w.md", "Question 9\n$$1 + 1 = 2$$\n")
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert doc["working"][0]["status"] == "unchecked" and "no q9" in doc["working"][0]["message"]


# -- the misread given (answers files too) ----------------------------------------------------
def _values_with(problem_id: str, **givens: float) -> dict[str, str]:
    from dlcheck.check.registry import instance_for

    inst = instance_for(problem_id, None)
    env = inst.env({inst.leaves[k]: v for k, v in givens.items()})
    return {pid: f"{env[inst.named[node]]:.6g}" for pid, node in inst.part_node.items()}


@pytest.mark.parametrize("givens, name, used", [
    ({"t2": 0.90}, "t2", "0.90"),            # a digit misread
    ({"x1": 0.5}, "x1", "0.5"),              # a decimal-place slip: 0.5 for 0.05
])
def test_one_misread_given_is_named_in_every_part_it_explains(givens, name, used):
    verdicts = grade_answers("backprop/q1", _values_with("backprop/q1", **givens))
    wrong = [v for v in verdicts.values() if v.status.value != "correct"]
    assert len(wrong) >= 2
    for v in wrong:
        assert f"follows exactly if {name} = {used}" in v.message, (v.part, v.message)
        assert v.detail["misread"]["given"] == name
        assert v.status.value == "consistent-with-earlier-error" and v.score == v.max_score


def test_a_swapped_pair_is_named():
    verdicts = grade_answers("backprop/q1", _values_with("backprop/q1", w5=0.45, w6=0.40))
    wrong = [v for v in verdicts.values() if v.status.value != "correct"]
    assert len(wrong) >= 2
    assert all("swapped" in v.message and "w5" in v.message and "w6" in v.message for v in wrong)


def test_no_misread_is_claimed_for_unrelated_wrong_answers():
    verdicts = grade_answers("backprop/q1", {"out_h1": "0.7", "loss": "3.5", "dE_dw5": "42"})
    assert not any("misread" in v.detail for v in verdicts.values())


def test_only_a_plausible_reading_of_a_given_is_named(tmp_path):
    """The sheet's values worked with x1 = 0.5 by a student whose own numbers vary: two slips at once. A
    given solved for may then take any value (t2 = -6.75 for 0.94 'explained' two parts): a misreading
    keeps the given's sign and its digits before the point, so none is claimed and nothing is credited."""
    from dlcheck.diagnose.misread import _plausible

    assert _plausible(0.99, 0.02) and _plausible(0.3775, 0.8825) and _plausible(12.5, 15.0)
    assert not _plausible(0.94, -6.75) and not _plausible(0.94, -0.46) and not _plausible(0.94, 1.2)
    from dlcheck.grade.run import grade_problem

    values = _values_with("backprop/q1", x1=0.5)
    verdicts = grade_problem("backprop/q1", values, student="misx1").verdicts
    claimed = [(v.part, v.detail["misread"]) for v in verdicts if "misread" in v.detail]
    assert all(not str(c["used"]).startswith("-") for _, c in claimed), claimed


# -- hostile write-ups ------------------------------------------------------------------------
def test_delimiters_without_end_cost_one_pass(tmp_path, runner):
    path = tmp_path / "w.md"
    path.write_text("Q1\n" + "\\[" * 40_000 + "\n$$1 + 1 = 2$$\n", encoding="utf-8")
    code, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert code == 1 and [s["status"] for s in doc["working"]] == ["right"]
    path.write_text("$a" * 60_000, encoding="utf-8")
    result = runner.invoke(app, ["grade", str(path), "--set", "backprop"])
    assert result.exit_code == 2 and "math delimiters" in result.output


def test_a_fifo_named_like_a_write_up_is_refused(tmp_path, runner):
    import os

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["grade", str(fifo), "--set", "backprop"])
    assert result.exit_code == 2 and "named pipe" in result.output


def test_student_text_is_never_run(tmp_path, runner, write):
    canary = tmp_path / "canary"
    path = write("w.md", f"""
        Q1
        $$__import__('os').system('touch {canary}') = 1$$
        $$w_5 = (1).__class__ = 2$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert not canary.exists()
    assert {s["status"] for s in doc["working"]} == {"unchecked"}


def test_a_defined_value_worked_out_wrong_is_named():
    from dlcheck.check.registry import instance_for

    inst = instance_for("backprop/q1", None)
    env = inst.env(None, {inst.named["net_h1"]: 0.8825})    # net_h1 slipped; out_h1 itself not answered
    answers = {pid: f"{env[inst.named[inst.part_node[pid]]]:.6g}" for pid in ("loss", "dE_dw5", "dE_dw6", "dE_db2")}
    verdicts = grade_answers("backprop/q1", answers)
    wrong = [verdicts[pid] for pid in answers if verdicts[pid].status.value != "correct"]
    assert len(wrong) >= 2
    for v in wrong:
        assert "follows exactly if net_h1 = 0.8825" in v.message, (v.part, v.message)
        assert "worked out net_h1" in v.message


def test_powers_of_ten_set_the_precision(tmp_path, runner, write):
    path = write("w.md", r"""
        Q1
        $$0,00123 \cdot 0,5 = 6,2 \times 10^{-4}$$
        $$0,00123 \cdot 0,5 = 7,2 \times 10^{-4}$$
        $$0,00123 \cdot 0,5 = 6.15e-4$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    assert [s["status"] for s in doc["working"]] == ["right", "wrong", "right"]


def test_equations_inside_an_environment_are_not_steps_of_the_line(tmp_path, runner, write):
    # the rnn-gradients sheet: r = 1, c = -1.5 stacked in a matrix beside other values; no step to judge
    line = r"$$w = \begin{pmatrix} -1 & -1 \\ 1 & 1 \end{pmatrix} \quad " \
           r"\begin{matrix} r = 1 \\ c = -1.5 \\ c_0 = -0.5 \end{matrix}$$"
    before = r"$$\begin{cases} r = 1 \\ c = -1.5 \\ c_0 = -0.5 \end{cases}$$"   # c and c_0 are the student's
    path = write("w.md", "Q1\n" + before + "\n" + line + "\n$$1 \\\\ c = 2$$\n")
    _, doc = _grade_json(runner, str(path), "--set", "rnn-gradients")   # c is a name there
    assert "wrong" not in {s["status"] for s in doc["working"]}


def test_a_value_written_alone_is_confirmed_by_the_problem_formula_on_earlier_values(tmp_path, runner, write):
    path = write("w.md", r"""
        Q1
        $$net_{y1} = 1,3359 \rightarrow 0,7918$$
        $$out_{h2} = 0,5963$$
        $$\frac{\partial E}{\partial w_7} = 0,0769$$
        $$\frac{\partial E}{\partial w_5} = 0,0999$$
        """)
    _, doc = _grade_json(runner, str(path), "--set", "backprop")
    by_line = {s["line"]: s for s in doc["working"]}
    assert by_line[4]["status"] == "right"        # (0.7918 - 0.01) 0.7918 (1 - 0.7918) 0.5963 = 0.07685
    assert 5 not in by_line                        # another value is the part's verdict, never a wrong step
    parts = {p["id"]: p for p in doc["problems"][0]["parts"]}
    assert parts["dE_dw7"]["status"] == "correct" and parts["dE_dw5"]["status"] == "incorrect"
