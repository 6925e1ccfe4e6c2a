"""Help that shows how: examples in every --help, the answers-file template, errors that point to
what exists, validate's errors all at once, LaTeX that compiles."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from typing import Any

import pytest
import typer
from ruamel.yaml import YAML

from dlcheck.cli import app
from dlcheck.cli.commands import EXAMPLES
from dlcheck.spec import bank


def _commands() -> list[tuple[list[str], Any]]:
    """Every command of the application with the words that call it (groups included)."""
    root = typer.main.get_command(app)
    out: list[tuple[list[str], Any]] = [([], root)]
    todo = [([], root)]
    while todo:
        words, group = todo.pop()
        for name, sub in group.commands.items():  # type: ignore[attr-defined]
            out.append(([*words, name], sub))
            if hasattr(sub, "commands"):
                todo.append(([*words, name], sub))
    return out


@pytest.mark.parametrize("words", [w for w, _ in _commands()], ids=lambda w: " ".join(w) or "dlcheck")
def test_every_help_ends_with_examples_that_fit_80_columns(runner, words):
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    out = result.output.rstrip("\n")
    tail = out.split("\nExamples:\n")
    assert len(tail) == 2, out  # one Examples section, after everything else
    lines = tail[1].splitlines()
    commands = [line.strip() for line in lines if not line.strip().startswith("#")]
    assert commands and all(line.startswith("  ") for line in lines)
    assert any(c.startswith(" ".join(["dlcheck", *words])) or "| dlcheck" in c for c in commands)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_grade_help_shows_an_example(runner):
    out = runner.invoke(app, ["grade", "--help"]).output
    assert "Examples:\n  # your own answers\n  dlcheck grade answers.yaml\n" in out


def _example_calls() -> list[list[str]]:
    calls = []
    for text in EXAMPLES.values():
        for line in text.splitlines()[1:]:
            line = line.strip()
            if line.startswith("#"):
                continue
            words = shlex.split(line)
            if "|" in words:
                words = words[words.index("|") + 1:]
            if ">" in words:
                words = words[:words.index(">")]
            calls.append(words)
    return calls


@pytest.mark.parametrize("words", _example_calls(), ids=" ".join)
def test_every_example_is_a_command_line_its_command_reads(words):
    """Each example names a real command and only options it has (click parses it without error)."""
    assert words[0] == "dlcheck"
    command: Any = typer.main.get_command(app)
    args = words[1:]
    while hasattr(command, "commands") and args and args[0] in command.commands:
        command = command.commands[args.pop(0)]
    if args == ["COMMAND", "--help"]:
        return
    with command.make_context("dlcheck", list(args), resilient_parsing=False) as ctx:
        assert ctx.params is not None


def test_help_stays_light():
    """The epilogs are plain text: importing the application still loads neither sympy nor numpy
    (tests/test_cli.py measures this for the whole module; here, the examples' table is part of it)."""
    import sys

    code = ("import sys; from dlcheck.cli.commands import EXAMPLES; "
            "print('sympy' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# -- show --template --------------------------------------------------------------------
@pytest.mark.parametrize("pid", bank.all_ids())
def test_template_grades_as_a_valid_empty_answers_file(runner, tmp_path, pid):
    result = runner.invoke(app, ["show", pid, "--template"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "answers.yaml"
    path.write_text(result.output, encoding="utf-8")
    graded = runner.invoke(app, ["grade", str(path), "--format", "json"])
    assert graded.exit_code == 1, graded.output  # nothing to grade: not an error (2)
    report = json.loads(graded.stdout)   # one file: its report
    assert "error" not in report and report["nothing_to_grade"] is True
    problems = report["problems"]
    assert [p["id"] for p in problems] == [pid]
    from dlcheck.check.registry import get_spec

    parts = problems[0]["parts"]
    assert [p["id"] for p in parts] == list(get_spec(pid).problem.parts)
    assert {p["status"] for p in parts} == {"missing"}


def test_template_says_each_prompt_and_shape():
    from dlcheck.report.template import answers_template

    text = answers_template("rnn/q2")
    data = YAML(typ="safe").load(text)
    assert data["set"] == "rnn" and data["student"] is None
    assert list(data["answers"]["q2"]) == ["dJ_do", "dJ_dyhat", "J", "dJ3_dh1", "dJ3_dWhh", "dJ_dWhh"]
    assert "(vector: 2 entries, e.g. [0, 0])" in text
    assert "(matrix: 2x2, rows in brackets, e.g. [[0, 0], [0, 0]])" in text
    assert "# the total loss J = J_1 + J_2 + J_3  (a number)" in text
    assert "this problem's numbers vary per student" in text  # rnn/q2 varies
    assert max(len(line) for line in text.splitlines() if line.lstrip().startswith("# ")
               and not line.startswith("#")) <= 88
    construction = YAML(typ="safe").load(answers_template("rnn-gradients/q5"))
    assert construction["answers"]["q5"]["a"] == {"w1": None, "w2": None, "b2": None, "w3": None, "b3": None}


def test_template_with_a_student_writes_the_id(runner):
    out = runner.invoke(app, ["show", "backprop/q1", "--template", "--student", "99521469"]).output
    assert YAML(typ="safe").load(out)["student"] == "99521469"


def test_solve_starts_from_a_template_and_keeps_its_comments(runner, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(runner.invoke(app, ["show", "backprop/q1", "--template"]).output, encoding="utf-8")
    result = runner.invoke(app, ["solve", "backprop/q1", "--answers", str(path)], input="0.5933\nquit\n")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "    # out_h1, the first hidden unit's output  (a number)\n    out_h1: \"0.5933\"\n" in text
    assert "    # out_h2  (a number)\n    out_h2:\n" in text
    assert text.startswith("# answers for backprop/q1")


# -- errors point to what exists ------------------------------------------------------------
def test_a_short_id_in_a_file_without_set_points_to_set_or_a_full_id(runner, write):
    path = write("answers.yaml", "answers:\n  q1:\n    a: 1\n")
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2
    assert "--set" not in result.output  # grade's own options are others' business: the file is fixed here
    assert "write the full id, e.g. attention/q1; or name the set once, with set: at the top of the file" \
        in result.output


def test_an_answers_file_without_answers_points_to_the_template(runner, write):
    path = write("answers.yaml", "student: '1'\n")
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2
    assert "examples/answers.yaml" not in result.output
    assert "'dlcheck show ID --template' prints one to start from" in result.output


# -- problems that vary per student ------------------------------------------------------------
def _sheet_value(pid: str, part: str) -> str:
    from dlcheck.check.registry import get_instance

    inst = get_instance(pid)
    return f"{float(inst.value(inst.part_ref[part])):.6g}"


def test_the_sheets_value_under_a_variant_is_named_with_the_students_givens(runner, write):
    from dlcheck.check.registry import variant_of

    student = "99521469"
    sheet = _sheet_value("backprop/q1", "out_h1")
    path = write("answers.yaml", f"set: backprop\nstudent: '{student}'\nanswers:\n  q1:\n    out_h1: {sheet}\n")
    mine = variant_of("backprop/q1", student)
    changed = {k: v for k, v in mine.items() if v != {"x1": "0.05", "x2": "0.10", "b1": "0.35", "b2": "0.80",
                                                       "t1": "0.01", "t2": "0.99"}[k]}
    yours = ", ".join(f"{k} = {v}" for k, v in changed.items())
    for hide in ([], ["--hide-expected"]):  # the student's givens are theirs to see; the reference is not
        result = runner.invoke(app, ["grade", str(path), "--format", "json", *hide])
        part = json.loads(result.stdout)["problems"][0]["parts"][0]
        assert part["status"] == "incorrect"
        assert part["message"] == f"that is the value for the sheet's numbers; yours are {yours}"
    hidden = runner.invoke(app, ["grade", str(path), "--hide-expected"], env={"COLUMNS": "200"},
                           terminal_width=200).output
    assert "yours are" in hidden and "expected" not in hidden.split("out_h1", 1)[1].split("\n", 1)[0]
    reference = _variant_value("backprop/q1", "out_h1", student)
    assert reference not in hidden


def _variant_value(pid: str, part: str, student: str) -> str:
    from dlcheck.check.registry import instance_for

    inst = instance_for(pid, student)
    return f"{float(inst.value(inst.part_ref[part])):.6g}"


def test_the_sheets_value_without_a_variant_is_simply_right(runner, write):
    sheet = _sheet_value("backprop/q1", "out_h1")
    path = write("answers.yaml", f"set: backprop\nanswers:\n  q1:\n    out_h1: {sheet}\n")
    result = runner.invoke(app, ["grade", str(path)], env={"COLUMNS": "100"}, terminal_width=100)
    assert "✓" in result.output and "that is the value for the sheet's numbers" not in result.output
    assert "(the sheet's numbers: they vary per student; add student: to the file)" in \
        " ".join(result.output.split())


def test_show_says_a_problem_varies(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no answers.yaml here
    varied = " ".join(runner.invoke(app, ["show", "rnn/q2"], env={"COLUMNS": "100"}, terminal_width=100)
                      .output.split())
    assert "the sheet's numbers; they vary per student: --student ID shows yours" in varied
    fixed = runner.invoke(app, ["show", "rnn/q3"], env={"COLUMNS": "100"}, terminal_width=100).output
    assert "vary per student" not in fixed


# -- validate: every error in one run ---------------------------------------------------------
BAD_SPEC = """\
title: A test
statement: x = 2, w = 3; y = w*x.
given:
  x: "2"
  w: "3"
define:
  y: w*x
parts:
  y:
    kind: number
    prompt: y
    answer: y
    tolerence: {rtol: 0.01}
  z:
    kind: number
    prompt: z
    answer: y + 1
    pionts: 2
    mistakes:
      - answer: "1"
        feedback: no
        credt: 0.5
explian: always
"""


def test_validate_reports_every_field_error_with_the_caret_under_the_key(runner, write, tmp_path):
    bad = write("week3/q1.yaml", BAD_SPEC)
    good = write("week3/q2.yaml", BAD_SPEC.replace("    tolerence: {rtol: 0.01}\n", "").replace(
        "    pionts: 2\n", "").replace("        credt: 0.5\n", "").replace("explian: always\n", ""))
    result = runner.invoke(app, ["validate", str(bad), str(good)])
    assert result.exit_code == 2
    out = result.output
    assert "ok  week3/q2  (2 parts)" in out   # the next file is still checked
    expected = [(13, 5, "unknown field 'tolerence' for a number part (parts.y); did you mean tolerance?",
                 "    tolerence: {rtol: 0.01}", "    ^^^^^^^^^"),
                (18, 5, "unknown field 'pionts' for a number part (parts.z); did you mean points", "    pionts: 2",
                 "    ^^^^^^"),
                (22, 9, "unknown field 'credt' in parts.z.mistakes.0; did you mean credit?", "        credt: 0.5",
                 "        ^^^^^"),
                (23, 1, "unknown field 'explian' in the problem; did you mean explain?", "explian: always",
                 "^^^^^^^")]
    for line, col, message, quoted, caret in expected:
        block = out.split(f"error: {bad}:{line}:{col}: {message}", 1)
        assert len(block) == 2, (message, out)
        assert f"| {quoted}\n" in block[1].split("error:")[0]
        assert f"| {caret}\n" in block[1].split("error:")[0]
    assert f"4 errors in {bad}; fix them and run again" in out
    assert f"1 of 2 problems have errors: {bad}" in out


def test_a_misspelt_symbol_in_a_formula_gets_a_suggestion(runner, write):
    path = write("week3/q1.yaml", BAD_SPEC.replace("    tolerence: {rtol: 0.01}\n", "").replace(
        "    pionts: 2\n", "").replace("        credt: 0.5\n", "").replace("explian: always\n", "").replace(
        "answer: y + 1", "answer: yy + 1"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "unknown symbol 'yy' (did you mean y?); known symbols: w, x, y; fix this formula" in result.output


# -- explain --format latex compiles -----------------------------------------------------------
@pytest.mark.parametrize("pid", bank.all_ids())
def test_latex_output_is_ascii_with_matrices_as_bmatrix(runner, pid):
    tex = runner.invoke(app, ["explain", pid, "--format", "latex"]).output
    assert tex.startswith("\\documentclass{article}") and tex.rstrip().endswith("\\end{document}")
    assert tex.isascii(), sorted({ch for ch in tex if not ch.isascii()})  # ω, — written as LaTeX
    math = re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", tex, re.S)
    assert not any("[[" in block for block in math)  # a matrix in math is a bmatrix (notes are text)


def test_latex_maps_unicode_and_draws_matrices():
    from dlcheck.engine.steps import Step
    from dlcheck.explain.render import to_latex

    tex = to_latex("q — ω_k", [Step("W", "matrix", value="[[1, -2], [3, 4]]", latex="A", is_part=True),
                               Step("h", "vector", value="[1, -0.5]", latex="B", is_part=True, notes=["ω = 2π/T"])])
    assert r"\section*{q {\textemdash} {\ensuremath{\omega}}{\_}k}" in tex
    assert r"&= \begin{bmatrix} 1 & -2 \\ 3 & 4 \end{bmatrix}" in tex
    assert r"&= \begin{bmatrix} 1 \\ -0.5 \end{bmatrix}" in tex  # [a, b] is a column
    assert r"{\ensuremath{\omega}} = 2{\ensuremath{\pi}}/T" in tex


PDFLATEX = shutil.which("pdflatex")


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (.ci/run installs it)")
@pytest.mark.parametrize("pid", ["backprop/q1", "rnn/q2", "seq-models/q4", "rnn-gradients/q5"])
def test_latex_output_compiles_with_pdflatex(runner, tmp_path, pid):
    tex = runner.invoke(app, ["explain", pid, "--format", "latex"]).output
    (tmp_path / "explain.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "explain.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    log = (tmp_path / "explain.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert (tmp_path / "explain.pdf").stat().st_size > 1000
    assert "Unicode character" not in log and "Missing $ inserted" not in log


def test_misspelt_names_in_aliases_and_scopes_are_all_reported_with_a_suggestion(runner, write):
    good = BAD_SPEC.replace("    tolerence: {rtol: 0.01}\n", "").replace("    pionts: 2\n", "").replace(
        "        credt: 0.5\n", "").replace("explian: always\n", "")
    path = write("week3/q1.yaml", good.replace("    answer: y + 1\n", "    answer: y + 1\n    names: [yy]\n")
                 + "aliases:\n  ww: {typed: [w_0]}\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    out = result.output
    assert "alias for 'ww', which is not a name of this problem; did you mean w?" in out
    assert "'yy' is not a name of this problem; did you mean y?" in out
    assert "2 errors in" in out
    alias = out.split("alias for 'ww'", 1)[1]
    assert "|   ww: {typed: [w_0]}\n" in alias and "|   ^^\n" in alias  # the caret under the key


def test_every_parts_formula_error_is_reported_in_one_run(runner, write):
    path = write("week3/q1.yaml", """\
        title: t
        statement: x = 2, w = 3
        given: {x: "2", w: "3"}
        parts:
          a: {kind: number, prompt: a, answer: sigmod(x)}
          b: {kind: number, prompt: b, answer: a + 1}
          c: {kind: number, prompt: c, answer: ww*x}
          d: {kind: choice, prompt: d, options: [p, q], answer: 3}
        """.replace("        ", ""))
    out = runner.invoke(app, ["validate", str(path)]).output
    assert "unknown function 'sigmod'; did you mean sigmoid" in out
    assert "unknown symbol 'ww' (did you mean w?)" in out
    assert "there is no option 3" in out
    assert "'a'" not in out  # b's error is only an echo of a's: not reported
    assert "3 errors in" in out


def test_solve_answers_a_networks_blank_template_fields(runner, tmp_path):
    """A template's network with every weight blank is unanswered: solve asks it (not 'resuming')."""
    path = tmp_path / "answers.yaml"
    path.write_text(runner.invoke(app, ["show", "rnn-gradients/q5", "--template"]).output, encoding="utf-8")
    result = runner.invoke(app, ["solve", "rnn-gradients/q5", "--answers", str(path)],
                           input="{w1: 2, w2: 0, b2: -1, w3: 1, b3: -0.5}\nquit\n")
    assert "resuming" not in result.output and "wrong at step 2 of input 0 1" in result.output
    text = path.read_text(encoding="utf-8")
    assert '    # fields: w1, w2, b2, w3, b3\n    a: {w1: "2", w2: "0", b2: "-1", w3: "1", b3: "-0.5"}\n' in text
    assert "    b:\n      W:\n" in text  # the part not answered stays as the template wrote it
