"""A hidden reference cannot leak: every message is its evidence, and reveal takes out the evidence
that gives the reference away (issue 17).

One course bank with ``reveal: never`` walks every kind and every message path a wrong answer can
take (a gap within a tolerance, significant figures, a sampling witness of three sorts, a shape,
differing entries, an error carried forward, a spec's mistake, the generic slips of method and of
value, a choice, a construction, an essay), graded into every student-facing format (the table,
``-v`` too; JUnit; Gradescope's results.json; the Markdown feedback). No reference value or formula
may appear in any of them; the instructor's views keep all of it.
"""

from __future__ import annotations

import json

import pytest

from dlcheck.cli import app
from dlcheck.core.verdict import Evidence, Status, Verdict

BANK = {
    "q1.yaml": """\
title: Formulas
statement: Formulas in x.
reveal: never
symbols: {x: real}
parts:
  undefined_here: {kind: expression, prompt: x plus seven, answer: x + 7}
  witness: {kind: expression, prompt: a quadratic, answer: x^2 + 3*x}
  closer: {kind: expression, prompt: nearly x, answer: x + log(1 + 1e-300)}
  negated: {kind: expression, prompt: a cubic, answer: 5*x^3 + 2}
  factor: {kind: expression, prompt: a parabola, answer: 3*x^2 + 1}
  named:
    kind: expression
    prompt: x cubed
    answer: x^3
    mistakes:
      - {answer: 3*x^2, name: derivative, feedback: "You took the derivative; the question asks for x cubed."}
""",
    "q2.yaml": """\
title: Numbers
statement: Two numbers.
reveal: never
given: {a: 0.123456, b: 0.654321}
parts:
  sigfig_vector: {kind: vector, prompt: the vector, answer: "[a, b]", tolerance: {sigfigs: 3}}
  sigfig_rounded: {kind: number, prompt: ten a, answer: 10*a, tolerance: {sigfigs: [3, -1]}}
  gap: {kind: number, prompt: the sum, answer: a + b + 0.4, tolerance: {rtol: 0.001}}
  early: {kind: number, prompt: the sum again, answer: a + b, tolerance: {rtol: 1e-5}}
  doubled: {kind: number, prompt: the product, answer: a*b, tolerance: {rtol: 1e-4}}
  negated: {kind: number, prompt: the difference, answer: b - a, tolerance: {rtol: 1e-4}}
""",
    "q3.yaml": """\
title: Matrices
statement: A matrix.
reveal: never
given: {p: 1.5, q: 2.25, r: 3.75, s: 4.125}
parts:
  entries: {kind: matrix, prompt: M, answer: "[[p, q], [r, s]]", partial_credit: true}
  transposed: {kind: matrix, prompt: M again, answer: "[[p, q], [r, s]]"}
  swapped: {kind: matrix, prompt: M once more, answer: "[[p, q], [r + 1, s]]"}
  shape: {kind: matrix, prompt: M, answer: "[[p, q], [r, s]]"}
""",
    "q4.yaml": """\
title: Carried
statement: Two steps.
reveal: never
given: {x: 2.125}
define:
  h: 2*x + 0.3
parts:
  first: {kind: number, prompt: h, answer: h, tolerance: {rtol: 1e-4}}
  second: {kind: number, prompt: three h squared, answer: 3*h^2, tolerance: {rtol: 1e-4}}
  pick:
    kind: choice
    prompt: which?
    options: ["the first", "the second", "the third"]
    answer: 3
  essay: {kind: essay, prompt: why?, model_answer: "Because the zebra quartz argument holds."}
""",
}

ANSWERS = {
    "q1": {"undefined_here": "sqrt(x)^2 + 7", "witness": "x^2 + 2*x", "closer": "x", "negated": "-(5*x^3 + 2)",
           "factor": "6*x^2 + 2", "named": "3*x^2"},
    "q2": {"sigfig_vector": "[0.124, 0.655]", "sigfig_rounded": "1.24", "gap": "1.1", "early": "0.778",
           "doubled": "0.1615", "negated": "-0.530865"},
    "q3": {"entries": "[[1.5, 2.25], [3.75, 9]]", "transposed": "[[1.5, 3.75], [2.25, 4.125]]",
           "swapped": "[[4.75, 4.125], [1.5, 2.25]]", "shape": "[1.5, 2.25, 3.75]"},
    "q4": {"first": "5", "second": "75", "pick": "1", "essay": "it holds"},
}


# the references, as any format would print them (a value at a sample point is found from the evidence)
REFERENCES = ["x + 7", "7 + x", "x^2 + 3*x", "3*x + x^2", "2 + 5*x^3", "1 + 3*x^2", "3*x^2 + 1", "0.123456",
              "0.654321", "0.123", "0.654", "1.23", "1.17778", "0.777777", "0.0807", "1.23456", "4.55", "62.1",
              "zebra quartz"]

# every message path the bank walks, by the kind of evidence it leaves
PATHS = {"witness", "tolerance", "sigfigs", "entries", "shape", "carried", "mistake", "slip", "note"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("reveal")
    bank = root / "bank" / "course"
    bank.mkdir(parents=True)
    for name, text in BANK.items():
        (bank / name).write_text(text, encoding="utf-8")
    answers = root / "a.yaml"
    answers.write_text("set: course\nanswers:\n" + "".join(
        f"  {q}:\n" + "".join(f"    {p}: {json.dumps(t)}\n" for p, t in parts.items()) for q, parts in ANSWERS.items()),
        encoding="utf-8")
    runner = CliRunner()
    env = {"COLUMNS": "400"}   # nothing wraps: a value is found whole or not at all

    def run(*args: str) -> str:
        result = runner.invoke(app, ["grade", str(answers), "--problems", str(root / "bank"), *args], env=env)
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    feedback = root / "fb"
    table = run("--feedback-dir", str(feedback))
    student = {"table": table, "verbose": run("-v"), "junit": run("--format", "junit"),
               "gradescope": run("--format", "gradescope"),
               "feedback": (feedback / "a.md").read_text(encoding="utf-8")}
    student["json"] = run("--format", "json")
    instructor = {"table": run("--instructor", "-v"), "json": run("--format", "json", "--instructor")}
    from dlcheck.grade.run import grade_problem
    from dlcheck.spec import bank as spec_bank

    spec_bank.use_course_banks([root / "bank"])
    try:
        verdicts = {f"course/{q}/{v.part}": v for q, parts in ANSWERS.items()
                    for v in grade_problem(f"course/{q}", parts).verdicts}
    finally:
        spec_bank.use_course_banks([])
    return {"student": student, "instructor": instructor, "verdicts": verdicts}


def _revealing(verdicts: dict[str, Verdict]) -> list[tuple[str, Evidence]]:
    return [(key, e) for key, v in verdicts.items() for e in v.evidence if e.reveals_reference]


def test_every_message_path_is_walked(graded):
    verdicts = graded["verdicts"]
    kinds = {e.kind for v in verdicts.values() for e in v.evidence}
    assert kinds >= PATHS, PATHS - kinds
    assert verdicts["course/q4/second"].status is Status.CARRIED
    assert verdicts["course/q1/named"].detail.get("mistake") == "derivative"
    diagnoses = {v.detail.get("diagnosis") for v in verdicts.values()}
    assert {"negated", "factor", "transposed", "rows-swapped", "rounded-early"} <= diagnoses, diagnoses
    revealing = {key for key, _ in _revealing(verdicts)}
    for key in ("q1/undefined_here", "q1/witness", "q1/closer", "q1/negated", "q1/factor", "q2/sigfig_vector",
                "q2/sigfig_rounded", "q2/gap", "q2/early", "q2/doubled", "q3/transposed", "q3/swapped"):
        assert f"course/{key}" in revealing, key


def test_no_reference_reaches_a_student(graded):
    secrets = [e.text.strip(" ,;()") for _, e in _revealing(graded["verdicts"])]
    secrets = [s for s in secrets if len(s) > 3]
    assert len(secrets) >= 12
    for name, text in graded["student"].items():
        flat = text.replace("\\", "")  # Markdown escapes
        for secret in secrets:
            assert secret not in flat, (name, secret)
        for reference in REFERENCES:
            assert reference not in flat, (name, reference)
        assert ", expected " not in flat and "while the expected one" not in flat, name


def test_a_student_still_reads_what_does_not_reveal(graded):
    table = graded["student"]["table"]
    for said in ("yours has no real value (a log or root of a negative?)",
                 "entry 1: not accurate to 3 significant figures",
                 "1 of 4 entries differ", "consistent with your answer to first", "You took the derivative",
                 "sign error: yours is the negative of the expected formula",
                 "sign error: your value is the negative of the expected one", "not within the tolerance (relative",
                 "rounded to 3 significant figures yours is 1.24"):
        assert said in table, said
    assert "factor of" not in table and "the transpose" not in table and "are swapped" not in table


def test_the_instructor_keeps_everything(graded):
    secrets = [e.text.strip(" ,;()") for _, e in _revealing(graded["verdicts"])]
    for name, text in graded["instructor"].items():
        body = json.dumps(json.loads(text)) if name == "json" else text
        for secret in secrets:
            assert secret.replace("\n", " ") in body or json.dumps(secret)[1:-1] in body, (name, secret)
    for said in ("while the expected one is", "the expected value to 3 figures is 0.123", "off by a factor of 2",
                 "transpose", "swapped"):
        assert said in graded["instructor"]["table"], said


def test_a_message_is_its_evidence():
    v = Verdict("p", Status.INCORRECT, 0.0, 1.0)
    v.tell(Evidence("witness", "at x = 1 yours is 2"),
           Evidence("witness", ", expected 3", reveals_reference=True, expected=3.0))
    assert v.message == "at x = 1 yours is 2, expected 3"
    assert v.withheld().message == "at x = 1 yours is 2" and v.message.endswith("expected 3")
    v.message = "plain words"
    assert v.evidence == (Evidence("note", "plain words"),) and not v.reveals_reference


def test_a_parse_errors_column_travels_as_data():
    from dlcheck.grade.work import compare_texts

    v = compare_texts("x", "x + 2 $ 3")
    assert v.status is Status.INVALID and v.column == 7
    assert v.says(position=False) == "unexpected character '$'"
    assert v.message == "unexpected character '$' (at character 7)"   # the words every format printed before
