"""What a person sees: every width, every example, every error, read as text.

The judge of layout is the text itself: every number of every answer and expected value
appears whole, no word of a message is split, no line is wider than the terminal, and
matrices keep their rows. Errors are one message with the place and a fix, exit 2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


def grade(runner, *args: str, width: int = 80):
    return runner.invoke(app, ["grade", *args], env={"COLUMNS": str(width), "NO_COLOR": "1"})


def flat(text: str) -> str:
    return " ".join(text.split())


# -- layout ------------------------------------------------------------------------
@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_whole_at_every_width(runner, example, width):
    text = grade(runner, str(example), width=width).output
    doc = json.loads(grade(runner, str(example), "--format", "json").stdout)
    assert max(len(line) for line in text.splitlines()) <= width
    for problem in doc["problems"]:
        for part in problem["parts"]:
            if part["status"] in ("missing", "manual"):
                continue
            for key in ("answer", "expected"):
                for token in NUMBER.findall(part[key]):  # every number shown whole
                    assert re.search(r"(?<![\d.])" + re.escape(token) + r"(?!\d)", text), \
                        f"{problem['id']} {part['id']} {key}: {token} broken at {width} columns"
            said = part["message"] if part["status"] != "correct" else ""
            for word in said.split():  # every word of the diagnosis shown whole
                assert word in text, f"{problem['id']} {part['id']}: '{word}' split at {width} columns"


def test_a_4x4_matrix_keeps_its_rows_at_80_columns(runner):
    text = grade(runner, str(ROOT / "examples" / "seq-models.yaml")).output
    rows = [line for line in text.splitlines() if "0.14112" in line]
    assert any(re.search(r"-0\.98999\s+0\.14112\s+0\s+0\s*$", line) for line in rows)  # yours, as typed
    assert any(re.search(r"-0\.989992\s+0\.14112\s+0\s+0\s*$", line) for line in rows)  # expected
    assert "…" not in text


def test_a_wide_terminal_gets_a_table_and_a_narrow_one_stacked_lines(runner):
    path = str(ROOT / "examples" / "rnn.yaml")
    wide, narrow = grade(runner, path, width=160).output, grade(runner, path, width=80).output
    assert "┃ part" in wide and "│ dJ3_dWhh" in wide
    assert "  ✗ dJ3_dWhh" in narrow and "      yours " in narrow and "      expected " in narrow


def test_the_detail_never_repeats_the_status(runner):
    text = grade(runner, str(ROOT / "examples" / "answers.yaml"), width=160).output
    assert "✓ correct" in text
    assert not re.search(r"correct\s+│\s+correct", text) and "correct: correct" not in text
    assert "→ carried" in text and "consistent-with-earlier-error" not in text


def test_your_answer_is_what_was_typed(runner):
    text = grade(runner, str(ROOT / "examples" / "seq-models.yaml"), width=80).output
    assert "yours     2*(yhat - y)*(u_2 + 2w u_1 + 3w^2 (u_0 + h_0))" in text  # not sympy's re-rendering
    assert "cos(w_k*phi)" in text


def test_closing_summary_lists_what_to_fix_one_line_each(runner):
    text = grade(runner, str(ROOT / "examples" / "answers.yaml"), width=160).output
    fix = text[text.index("To fix (3):"):]
    assert "✗ backprop/q1 loss: 0.2983, expected 0.323394 — off by 0.0251 (7.76%)" in fix
    assert "✗ backprop/q1 w1_new: 0.15, expected 0.149771 — that is w1 before the update" in fix
    last = text.strip().splitlines()[-1]
    assert last == "Score: 22 / 25 (88%) · 21 correct, 1 carried, 3 incorrect"


def test_counts_come_in_one_order(runner, write):
    path = write("a.yaml", """
        set: rnn
        answers:
          q3:
            why_not_argmax: it has no gradient
            soft_weights: "[1, 0, 0, 0]"
            scores: "[-2, 3, 0, 6]"
    """)
    last = grade(runner, str(path), width=200).output.strip().splitlines()[-1]
    assert "1 correct, 1 incorrect, 1 manual, 2 missing" in last
    assert "1 point awaiting a marker, not in the score" in last
    assert last.startswith("Score: 1 / 4 (25%)")  # the essay's point is left out of the percentage


def test_only_wrong_quiet_verbose_and_part(runner):
    path = str(ROOT / "examples" / "answers.yaml")
    wrong = grade(runner, path, "--only-wrong", width=160).output
    assert "dE_dw5" in wrong and "│ out_h1" not in wrong and "w5_new" in wrong  # carried stays: it has news
    quiet = grade(runner, path, "-q").output
    assert "┃" not in quiet and "To fix (3):" in quiet and quiet.strip().splitlines()[-1].startswith("Score:")
    one = grade(runner, path, "--part", "q1/loss", "--part", "w5_new", "--format", "json")
    parts = [p["id"] for p in json.loads(one.stdout)["problems"][0]["parts"]]
    assert parts == ["loss", "w5_new"] and one.exit_code == 1
    formula = str(ROOT / "examples" / "backprop.yaml")
    verbose = flat(grade(runner, formula, "-v", "--part", "W_l", width=120).output)
    assert "sample point:" in verbose and "there: yours" in verbose
    bad = grade(runner, path, "--part", "los")
    assert bad.exit_code == 2 and "did you mean loss?" in bad.output


def test_student_in_header_and_json(runner, write):
    path = str(write("a.yaml", 'set: rnn\nstudent: "99521469"\nanswers:\n  q1:\n    a: 2\n'))
    assert " ".join(grade(runner, path).output.split()).startswith(f"{path} — student 99521469")
    assert json.loads(grade(runner, path, "--format", "json").stdout)["student"] == "99521469"


def test_a_caret_points_at_the_character_a_formula_stops_at(runner, write):
    path = write("a.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.59 45\n")
    for width in (80, 100):
        lines = grade(runner, str(path), width=width).output.splitlines()
        typed = next(k for k, line in enumerate(lines) if re.search(r"[│ ]   0\.59 45", line))
        assert lines[typed + 1].index("^") == lines[typed].index("45")


# -- markup and control characters ------------------------------------------------------
BANK_SPEC = """
title: "Markup [bold]inside[/bold] a title"
statement: |
  A define v: "[x, 2*x]" must show, and [red]this[/red] too.
symbols: {x: real}
define:
  v: "[x, 2*x]"
parts:
  a:
    kind: vector
    prompt: "give [x, 2*x]"
    answer: v
"""


@pytest.fixture
def markup_bank(tmp_path, monkeypatch):
    (tmp_path / "bank" / "markup").mkdir(parents=True)
    (tmp_path / "bank" / "markup" / "q1.yaml").write_text(BANK_SPEC)
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(tmp_path / "bank"))
    return tmp_path


def test_spec_text_is_never_read_as_markup(runner, markup_bank):
    shown = runner.invoke(app, ["show", "markup/q1"], env={"COLUMNS": "100"}).output
    assert "Markup [bold]inside[/bold] a title" in shown
    assert '"[x, 2*x]"' in shown and "[red]this[/red]" in shown and "give [x, 2*x]" in shown
    explained = runner.invoke(app, ["explain", "markup/q1"], env={"COLUMNS": "100"}).output
    assert "[x, 2·x]" in explained and "[bold]inside[/bold]" in explained
    listing = runner.invoke(app, ["list"], env={"COLUMNS": "120"}).output
    assert "[bold]inside[/bold]" in listing


def test_student_text_cannot_send_escapes_or_markup(runner, markup_bank, write):
    path = write("a.yaml", 'answers:\n  markup/q1:\n    a: "[bold]x[/bold] \\e[2J \\e]0;PWNED\\a"\n')
    for width in ("80", "160"):
        out = runner.invoke(app, ["grade", str(path)], env={"COLUMNS": width}).output
        assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\x07" not in out
        assert "[bold]x[/bold]" in out and "\\x1b[2J" in out


# -- errors ---------------------------------------------------------------------------
def errors(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Errno" not in result.output and "Value error" not in result.output
    return result.output


def test_every_error_of_an_answers_file_with_did_you_mean(runner, write):
    path = write("a.yaml", """
        set: backprop
        studnet: 99
        answers:
          Q1:
            out_h1: 0.5
          q1:
            outh2: 0.6
            W5_new: 0.4
          backprp/q2:
            a: 1
    """)
    out = errors(runner.invoke(app, ["grade", str(path)]))
    assert f"{path}:2:1: unknown key 'studnet'" in out and "did you mean student" in out
    assert f"{path}:4:3: backprop has no problem 'Q1'" in out and "did you mean q1?" in out
    assert f"{path}:7:5: backprop/q1 has no part 'outh2'; did you mean out_h2" in out
    assert f"{path}:8:5: backprop/q1 has no part 'W5_new'; did you mean w5_new?" in out
    assert "did you mean backprop/q2?" in out
    assert "5 errors in" in out
    assert "7 |     outh2: 0.6\n  |     ^^^^^" in out  # the line quoted, the key underlined


def test_an_unclosed_bracket_is_reported_where_it_opened(runner, write):
    path = write("a.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: [0.5, 0.6\n    out_h2: 0.5963\n")
    out = errors(runner.invoke(app, ["grade", str(path)]))
    assert f"{path}:4:13: invalid YAML: this '[' is never closed" in out
    assert "4 |     out_h1: [0.5, 0.6\n  |             ^" in out


@pytest.mark.parametrize("text, words", [
    ("answers:\n\tq1: 1\n", "a tab character; YAML indents with spaces only"),
    ("answers:\n  q1:\n    a: x: y\n", "put the value in quotes"),
    ("answers:\n  backprop/q1:\n    out_h1: \"0.5\n", "this quote is never closed"),
    ("answers:\n  backprop/q1:\n    out_h1: 1\n   out_h2: 2\n", "indentation does not match"),
])
def test_yaml_errors_say_what_to_do(runner, write, text, words):
    out = errors(runner.invoke(app, ["grade", str(write("a.yaml", text))]))
    assert words in out and " | " in out


def test_files_that_are_not_yaml_text(runner, tmp_path):
    utf16 = tmp_path / "u16.yaml"
    utf16.write_text("answers: {}\n", encoding="utf-16")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    # (a folder is a whole class of answers files now: tests/test_batch.py)
    for path, words in ((utf16, "saved as UTF-16; save it as UTF-8"), (binary, "not a text file"),
                        (tmp_path / "nope.yaml", "no such file")):
        out = errors(runner.invoke(app, ["grade", str(path)]))
        assert words in out and len(out.strip().splitlines()) == 1


def test_a_bad_format_value_is_one_sentence(runner):
    result = runner.invoke(app, ["grade", str(ROOT / "examples" / "answers.yaml"), "--format", "xml"])
    out = errors(result)
    assert len(out.strip().splitlines()) == 1 and "'xml' is not one of 'table', 'json'" in out


def test_errors_are_json_with_format_json(runner, write):
    path = write("a.yaml", "set: backprop\nanswers:\n  q1:\n    outh2: 1\n    loss2: 3\n")
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["error"] == "2 errors" and [e["line"] for e in doc["errors"]] == [4, 5]
    assert doc["errors"][0]["file"] == str(path) and "did you mean out_h2" in doc["errors"][0]["message"]


def test_sets_and_problems_did_you_mean(runner, write):
    assert "did you mean backprop?" in errors(runner.invoke(app, ["show", "q1", "--set", "backprp"]))
    assert "did you mean backprop/q1?" in errors(runner.invoke(app, ["show", "backprp/q1"]))
    listed = errors(runner.invoke(app, ["show", "backprop/q9"]))
    assert "backprop has no problem 'q9'" in listed
    assert "backprop/q2  Deltas in a 2-2-2-1 network" in listed
    path = write("a.yaml", "set: backprp\nanswers: {}\n")
    assert f"{path}:1:6: unknown set 'backprp'" in errors(runner.invoke(app, ["grade", str(path)]))


# -- conventions -------------------------------------------------------------------------
def test_version_short_help_and_completion(runner):
    from dlcheck import __version__

    assert runner.invoke(app, ["--version"]).output.strip() == f"dlcheck {__version__}"
    short = runner.invoke(app, ["grade", "-h"])
    assert short.exit_code == 0 and "--only-wrong" in short.output
    assert "--install-completion" in runner.invoke(app, ["-h"]).output


@pytest.mark.parametrize("args, code", [
    (["0.0766", "-0.0766"], 1),
    (["-0.0766", "-0.0766", "--format", "json"], 0),
    (["--rtol", "0.1", "-x", "-x"], 0),
    (["-x^2", "-(x^2)"], 0),
])
def test_negative_numbers_need_no_double_dash(runner, args, code):
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == code, result.output


@pytest.mark.parametrize("text", [
    "",
    "answers:\n",
    "set: backprop\nanswers:\n  q1:\n    out_h1:\n    out_h2: ''\n",
    "set: rnn\nanswers:\n  q3:\n    why_not_argmax: argmax has no gradient\n",
])
def test_nothing_to_grade_is_not_a_pass(runner, write, text):
    path = write("a.yaml", text)
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 1 and "nothing to grade" in result.output
    doc = json.loads(runner.invoke(app, ["grade", str(path), "--format", "json"]).stdout)
    assert doc["nothing_to_grade"] is True


# -- explain ---------------------------------------------------------------------------
def test_explain_keeps_the_authors_order_and_one_latex_name(runner):
    text = runner.invoke(app, ["explain", "backprop/q1", "--part", "w5_new"], env={"COLUMNS": "80"}).output
    assert "w5_new = w5 - eta·dE_dw5" in text and "= 0.4 - 0.5·0.0766137" in text
    assert "w1·x1 + w3·x2 + b1" in text  # a definition, as written
    latex = runner.invoke(app, ["explain", "backprop/q1", "--format", "latex"]).output
    assert r"\mathrm{net}_{h1} &= w_{1} x_{1} + w_{3} x_{2} + b_{1}" in latex
    assert r"\sigma\left(\mathrm{net}_{h1}\right)" in latex and r"net\_h1" not in latex
    rnn = runner.invoke(app, ["explain", "rnn/q2", "--format", "md"]).output
    assert "··" not in rnn and "**2" not in rnn.replace("**", "", 0)


@pytest.mark.parametrize("width", [80, 160])
def test_explain_is_whole_at_every_width(runner, width):
    for pid in ("backprop/q1", "rnn/q2", "seq-models/q4", "rnn-gradients/q5"):
        text = runner.invoke(app, ["explain", pid], env={"COLUMNS": str(width)}).output
        assert max(len(line) for line in text.splitlines()) <= width
        assert "…" not in text
    matrix = runner.invoke(app, ["explain", "seq-models/q4", "--part", "T"], env={"COLUMNS": "80"}).output
    assert re.search(r"= -0\.989992\s+0\.14112\s+0\s+0", matrix)


def test_explain_unlocks_with_the_answers_file_here_but_not_for_idk(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    locked = runner.invoke(app, ["explain", "rnn-gradients/q5", "--part", "a"]).output
    assert "attempt this part first" in locked and "pass --answers FILE" in locked
    (tmp_path / "answers.yaml").write_text("set: rnn-gradients\nanswers:\n  q5:\n    a: idk\n")
    still = runner.invoke(app, ["explain", "q5", "--part", "a"]).output
    assert "attempt this part first" in still and "answer it in answers.yaml" in still
    (tmp_path / "answers.yaml").write_text("set: rnn-gradients\nanswers:\n  q5:\n    a: {w1: 1}\n")
    opened = runner.invoke(app, ["explain", "q5", "--part", "a"]).output
    assert "attempt this part first" not in opened and "one solution" in opened


# -- solve, piped ----------------------------------------------------------------------
def test_solve_repeats_choice_options_and_says_no_hints_truthfully(runner, tmp_path):
    path = tmp_path / "a.yaml"
    result = runner.invoke(app, ["solve", "rnn/q1", "--answers", str(path)],
                           input="hint\nidk\n[2, 3]\nquit\n", env={"COLUMNS": "100"})
    out = result.output
    session = out[out.index("a (choice, 1 point)"):]
    assert "1. speech recognition" in session and "answer with the option number(s)" in session
    assert "this part has no hints" in session and "no more hints" not in session
    assert "nothing saved: that is not an answer yet" in session
    assert "✓ correct" in session and "correct: correct" not in session
    assert result.exit_code == 0 and "Run solve again to resume" in out


def test_solve_says_no_more_hints_only_after_the_hints(runner, tmp_path):
    path = tmp_path / "a.yaml"
    out = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path)],
                        input="skip\nskip\nskip\nskip\nhint\nhint\nquit\n").output
    session = out[out.index("loss (number"):]
    assert "hint: E = ((t1 - out_y1)^2" in session
    assert session.index("hint:") < session.index("no more hints for this part")


def test_solve_menu_shows_titles_and_progress_and_quits(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945\n    out_h2: 0.5963\n")
    result = runner.invoke(app, ["solve", "--answers", str(path)], input="quit\n", env={"COLUMNS": "100"})
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "backprop/q1" in line)
    assert "One gradient-descent step" in line and "2/25 answered" in line
