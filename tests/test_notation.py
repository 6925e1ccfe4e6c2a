"""The sheets' own notation, read as a marker reads it (issue 9), in plain text and LaTeX."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from dlcheck.check.kinds.value import takes_names
from dlcheck.check.registry import get_instance
from dlcheck.core.errors import ParseError
from dlcheck.parse.functions import student_functions
from dlcheck.parse.latex import alias_key
from dlcheck.parse.safe import Parser
from dlcheck.spec import bank
from tests.conftest import grade_answers

ROOT = Path(__file__).resolve().parent.parent

# (problem, part, answer, status a marker gives): every example the issue lists, both ways
NOTATION = [
    # layer superscripts, the index before or after the layer; the sheet's w^[3] is v
    ("backprop/q2", "d_z2_1", r"w^{[3]}_1 a^{[2]}_1 (1-a^{[2]}_1)", "correct"),
    ("backprop/q2", "d_z2_1", r"w_1^{[3]} a_1^{[2]} (1-a_1^{[2]})", "correct"),
    ("backprop/q2", "d_z2_1", "w3_1*a2_1*(1 - a2_1)", "correct"),
    ("backprop/q2", "d_z2_1", r"w_1^{[2]} * a_1^{[2]} (1-a_1^{[2]})", "incorrect"),   # the sheet's slip
    # Greek as printed
    ("seq-models/q4", "M", r"\begin{bmatrix} \cos(\omega_k \phi) & \sin(\omega_k \phi) \\ "
                           r"-\sin(\omega_k \phi) & \cos(\omega_k \phi) \end{bmatrix}", "correct"),
    ("seq-models/q4", "M", "[[cos(ω_k φ), sin(ω_k φ)], [-sin(ω_k φ), cos(ω_k φ)]]", "correct"),
    ("seq-models/q4", "M", "[[cos(omega_k*phi), sin(omega_k*phi)], [-sin(omega_k*phi), cos(omega_k*phi)]]",
     "correct"),
    ("seq-models/q4", "det_M", r"\cos^2(w_k\phi) + \sin^{2} (\omega_k \phi)", "correct"),
    ("seq-models/q4", "det_M", r"\cos^2 \omega_k \phi + \sin^{2} \omega_k\phi", "correct"),
    ("seq-models/q4", "det_M", "cos^2(ω_k φ) + sin^2(ω_k φ)", "correct"),
    ("seq-models/q4", "det_M", r"\cos^2 + \sin^2", "invalid"),                          # no argument
    # implicit products of known names, plain and LaTeX alike
    ("rnn-gradients/q1", "dL_dht", r"g \sigma'(Ux_{next} + Wh_t) W", "correct"),
    ("rnn-gradients/q1", "dL_dht", "g σ'(Ux_next + Wh_t) W", "correct"),
    ("rnn-gradients/q1", "dL_dht", "g W σ'(U x_next + W h_t)", "correct"),
    # the sheet's inputs u_0, u_1 and u_3 (its name for the third, u_2)
    ("seq-models/q2", "dL_dw", r"2(\hat{y} - y) \left[u_3 + 2wu_1 + 3w^2(u_0 + h_0) \right]", "correct"),
    ("seq-models/q2", "dL_dw", "2(yhat - y)(u_2 + 2wu_1 + 3w^2(u_0 + h_0))", "correct"),
    ("seq-models/q2", "yhat", "w^3*(u_0 + h_0) + w^2*u_1 + w*u_2", "correct"),
    ("seq-models/q2", "yhat", r"w^3 \cdot (u_0 + h_0) + w^2 u_1 + w u_2", "correct"),
    ("seq-models/q2", "yhat", r"w \left[u_3 + w(u_1 + w(u_0 + h_0)) \right]", "correct"),
    ("seq-models/q2", "yhat", r"w \left[u_3 + w(u_0 + w(u_1 + h_0)) \right]", "incorrect"),  # u_1 is the second
    # names the statement defines, and a part's own scope
    ("rnn/q2", "dJ_do", "[yhat1 - y1, yhat2 - y2]", "correct"),
    ("rnn/q2", "dJ_do", r"\left[\hat{y}_1 - y_1, \hat{y}_2 - y_2\right]", "correct"),
    ("rnn/q2", "dJ_do", r"\begin{bmatrix} \hat{y}_{t,1} - y_{t,1} \\ \hat{y}_{t,2} - y_{t,2} \end{bmatrix}",
     "correct"),
    # every name a prompt promises
    ("backprop/q2", "d_Z1", "[a1_1*(1-a1_1)*(d_z2_1*w2_11 + d_z2_2*w2_21), a1_2*(1-a1_2)*(d_z2_1*w2_12 + "
                            "d_z2_2*w2_22)]", "correct"),
    ("backprop/q2", "d_Z1", "[a1_1*(1-a1_1)*(d_Z2[1]*w2_11 + d_Z2[2]*w2_21), a1_2*(1-a1_2)*(d_Z2[1]*w2_12 + "
                            "d_Z2[2]*w2_22)]", "correct"),
    # forms that define the same thing
    ("rnn-gradients/q1", "dL_dht", "g*W*h_next*(1-h_next)", "correct"),
    ("rnn-gradients/q1", "dL_dht", r"\frac{\partial L}{\partial h_{t+1}} W h_{t+1}(1 - h_{t+1})", "correct"),
    ("rnn-gradients/q1", "dL_dht", r"\frac{\partial L}{\partial h_{t+1}} \times \sigma'(Ux_{t+1} + Wh_t)w",
     "correct"),
    ("rnn-gradients/q1", "dL_dht", "g*sigmoid'(U*x_next + W*h_t + b)*W", "correct"),
    ("rnn-gradients/q1", "dL_dh0", r"\frac{\partial L}{\partial h_3} w^3 \sigma'(Ux_1 + Wh_0) "
                                   r"\sigma'(Ux_2 + Wh_1) \sigma'(Ux_3 + Wh_2)", "correct"),
    ("rnn-gradients/q1", "argmax_dsigmoid", "x=0", "correct"),
    ("rnn/q2", "dJ3_dh1", r"g_{o3} \cdot W_{yh} \cdot W_{hh}^{2}", "correct"),
    ("rnn/q2", "dJ3_dh1", r"(W_{hh}^T)^2 W_{yh}^\top g_{o3}^{T}", "correct"),
    ("rnn/q2", "dJ3_dh1", "g_o3 W_yh W_hh", "incorrect"),
]


@pytest.mark.parametrize("pid, part, answer, status", NOTATION, ids=[f"{p}/{q}:{a[:30]}" for p, q, a, _ in NOTATION])
def test_the_sheets_notation_grades_as_a_marker_would(pid, part, answer, status):
    verdict = grade_answers(pid, {part: answer})[part]
    assert str(verdict.status) == status, verdict.message


def test_a_wrong_name_is_still_refused_with_its_name():
    v = grade_answers("seq-models/q2", {"dL_dw": "2(yhat - y)(u_3 + 2wu_7)"})["dL_dw"]
    assert v.status == "invalid" and "wu_7" in v.message
    v = grade_answers("rnn-gradients/q1", {"dL_dht": r"g \sigma'(U x_{t+5})"})["dL_dht"]
    assert v.status == "invalid" and "x_{t+5}" in v.message       # never read as x_t + 5
    v = grade_answers("rnn/q2", {"dJ_do": r"\frac{\partial J}{\partial q}"})["dJ_do"]
    assert v.status == "invalid" and "no name" in v.message


def test_each_part_has_its_own_scope():
    """rnn/q2's symbolic half reads y_1 as y1, its numeric half has the vector y_1."""
    inst = get_instance("rnn/q2")
    symbolic = inst.student_parser("dJ_do", True)
    assert symbolic.parse("y_1") == inst.leaves["y1"]
    with pytest.raises(ParseError):
        symbolic.parse("W_hh")
    numeric = inst.student_parser("dJ3_dh1", True)
    assert isinstance(numeric.parse("y_3"), sp.MatrixBase)


def test_the_spec_parser_stays_strict():
    """An author's formula never gets a person's readings: no splitting, no aliases."""
    inst = get_instance("seq-models/q2")
    with pytest.raises(ParseError):
        inst.spec_parser().parse("wu_2")
    with pytest.raises(ParseError):
        inst.spec_parser().parse("u1")


@pytest.mark.parametrize("spelling, key", [
    ("w^{[3]}_1", "w3_1"), ("w_1^{[3]}", "w3_1"), (r"\omega_k", "omega_k"), ("ω_k", "omega_k"),
    ("x_{t+1}", "x_t+1"), (r"\frac{\partial L}{\partial h_{t+1}}", "dL/dh_t+1"), ("dL/dh_{t+1}", "dL/dh_t+1"),
    (r"\hat{y}_{t,1}", "yhat_t1"), ("y_{t,1}", "y_t1"),
])
def test_alias_keys_meet(spelling, key):
    assert alias_key(spelling) == key


x, y, w, u1, u2 = sp.symbols("x y w u1 u2", real=True)


@pytest.fixture
def loose():
    return Parser({"x": x, "y": y, "w": w, "u1": u1, "u2": u2}, student_functions(), loose_names=True).parse


@pytest.mark.parametrize("text, expected", [
    ("wu1", w * u1), ("wu_2", w * u2), ("2wx", 2 * w * x), ("u_1 + u_2", u1 + u2),
    (r"\sin^{2} x + \cos^2 x", sp.sin(x) ** 2 + sp.cos(x) ** 2), ("sin^2(x)", sp.sin(x) ** 2),
    (r"\sin w x (\cos x)", sp.sin(w * x) * sp.cos(x)), (r"\sum_{i=1}^{2} u_i", u1 + u2),
    (r"\left[ x + y \right] w", (x + y) * w), ("y = 2x", 2 * x), (r"\hat{y} = w u_1", w * u1),
    (r"\left(\begin{array}{c} x \\ y \end{array}\right)", sp.Matrix([x, y])),
])
def test_person_readings(loose, text, expected):
    got = loose(text)
    assert (got == expected) if isinstance(expected, sp.MatrixBase) else sp.simplify(got - expected) == 0


@pytest.mark.parametrize("text", ["x + y = 3", "xq", r"\sum_{i=1}^{n} u_i", r"\cos^2 + 1"])
def test_person_readings_that_stay_refused(loose, text):
    with pytest.raises(ParseError):
        loose(text)


# -- every name a prompt or statement promises is accepted --------------------------------------
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\[\d+\])?")


def _promises():
    out = []
    for pid in bank.all_ids():
        inst = get_instance(pid)
        problem = inst.spec.problem
        known = set(inst.leaves) | set(inst.named) | {alias_key(t) for a in problem.aliases.values() for t in a.typed}
        for part_id, part in problem.parts.items():
            if part.kind not in ("number", "vector", "matrix", "expression") or not takes_names(inst, part_id):
                continue
            mentioned = set(_NAME.findall(part.prompt))
            if part.names is None:  # the statement's "Names: ..." applies to every unscoped part
                for line in re.findall(r"Names?:([^.]*)", problem.statement):
                    mentioned |= set(_NAME.findall(line))
            later = set(list(problem.parts)[list(problem.parts).index(part_id):])
            for name in sorted(mentioned):
                base = name.split("[")[0]
                if (name in known or base in known) and base not in later:
                    out.append((pid, part_id, name))
    return out


PROMISES = _promises()


@pytest.mark.parametrize("pid, part, name", PROMISES, ids=["/".join(p) for p in PROMISES])
def test_every_promised_name_is_accepted(pid, part, name):
    get_instance(pid).student_parser(part, True).parse(name)


def test_the_promise_walk_sees_the_issue_examples():
    assert {("backprop/q2", "d_Z1", "d_z2_2"), ("backprop/q2", "d_Z1", "d_Z2[2]"),
            ("rnn/q2", "dJ_do", "y2")} <= set(PROMISES)


# -- issue 20: notation everywhere a student types ----------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("|x - 1| + |y|", sp.Abs(x - 1) + sp.Abs(y)), ("|x||y|", sp.Abs(x) * sp.Abs(y)), ("2|x|", 2 * sp.Abs(x)),
    ("5!", sp.Integer(120)), ("(x+1)!", sp.factorial(x + 1)), ("sin**2(x)", sp.sin(x) ** 2),
    ("1+μ0", None), ("sgn(x)", sp.sign(x)), (r"\boxed{x}", x), (r"\cfrac{1}{x}", 1 / x),
    (r"\lvert x \rvert", sp.Abs(x)), ("$x = 11$", sp.Integer(11)), ("0,4 - 0,5(-0,0769)", sp.Rational(43845, 100000)),
    (r"(0,05 \cdot 0,15) + 0,35", sp.Rational(3575, 10000)), (r"\prod_{i=1}^{3} i", sp.Integer(6)),
    (r"\sum_{i=1}^{2} u_{i}", u1 + u2), (r"\sum_{i=0}^{1} u_{i+1}", u1 + u2),
])
def test_issue_20_notation_is_read(loose, text, expected):
    if expected is None:  # Greek spelt out inside a name: μ0 is mu0
        parser = Parser({"mu0": sp.Symbol("mu0")}, student_functions(), loose_names=True)
        assert parser.parse(text) == 1 + sp.Symbol("mu0")
        return
    assert sp.simplify(loose(text) - expected) == 0


@pytest.mark.parametrize("text, words", [
    ("n + 2 \\", "backslash"), ("|x", "never closed"), ("100000!", "too large"),
    (r"\prod_{i=1}^{10^9} i", "too long to check"), (r"\sum_{i=1}^{10^{300}} i", "too long to check"),
    (r"\sum_{i=1}^{n} x^i", "low power of the index"),
])
def test_issue_20_notation_that_is_refused_says_why(text, words):
    parser = Parser({"x": x, "n": sp.Symbol("n")}, student_functions())
    with pytest.raises(ParseError, match=words):
        parser.parse(text)


def test_a_comma_that_could_be_either_is_refused_for_a_vector():
    parser = Parser({}, student_functions(), expects="list")
    with pytest.raises(ParseError, match="';'"):
        parser.parse("0,4 - 0,5")
    assert Parser({}, student_functions(), expects="scalar").parse("0,4 - 0,5") == sp.Rational(-1, 10)
    assert parser.parse("[0,3; 0,5]") == sp.Matrix([sp.Rational(3, 10), sp.Rational(1, 2)])
    assert parser.parse("[1,2]") == sp.Matrix([1, 2])                 # a list, as before
    assert Parser({}, student_functions()).parse("max(1,2)") == 2      # a call's commas separate
    assert Parser({}, student_functions(), expects="scalar").parse("(0,5)") == sp.Rational(1, 2)
    assert Parser({}, student_functions(), expects="list").parse("(1,2)") == sp.Matrix([1, 2])


def test_values_with_no_real_value_are_one_rule():
    from dlcheck.parse.safe import NoRealValue
    parser = Parser({"x": x}, student_functions())
    for text in ("csc(0)", "1/0", "arccosh(0)", "log(-1)", "sqrt(-4)", "(-4)^(1/2)"):
        with pytest.raises(NoRealValue):
            parser.parse(text)
    assert parser.parse("(-8)^(1/3)") == -2


def test_a_chain_reports_the_side_that_disagrees(loose):
    parser = Parser({}, student_functions(), loose_names=True)
    assert parser.parse(r"3 \times 4 = 20") == 20 and "12" in parser.notes[0]
    assert parser.parse("σ(1-σ) = ½ × (1 − ½) = ¼") == sp.Rational(1, 4) and not parser.notes
    assert parser.parse("0.594*0.4 = 0.2376 = 0.238") == sp.Rational(238, 1000) and not parser.notes


def test_prompts_name_their_derivatives():
    from dlcheck.engine.instance import prompt_derivatives
    assert prompt_derivatives("d_z2_1", "df/dz2_1") == [("df/dz2_1", "d_z2_1")]
    assert prompt_derivatives("d_Z2", "df/dZ2 = [df/dz2_1, df/dz2_2]") == [
        ("df/dZ2", "d_Z2"), ("df/dz2_1", "d_Z2[1]"), ("df/dz2_2", "d_Z2[2]")]
    assert prompt_derivatives("a", "(a) dL/dh_t in terms of g") == [("dL/dh_t", "a")]
    assert prompt_derivatives("b", "the largest value of sigmoid'(z)") == []


def test_choice_by_option_text():
    from dlcheck.check.kinds.choice import parse_choice
    yes_no = ["yes", "no"]
    for text, pick in (("no", 2), ("خیر", 2), ("بله", 1), ("No.", 2), ("خیر- نمیشود", 2), ("yes, because", 1),
                       ("2", 2), ("b", 2)):
        assert parse_choice(text, 2, yes_no) == {pick}, text
    assert parse_choice("P(y_t)", 3, ["P(y_1)", "P(y_t)", "P(y_t | y_1)"]) == {2}
    with pytest.raises(ParseError):
        parse_choice("maybe", 2, yes_no)


def test_a_hedge_over_yes_and_no_chooses_both_and_earns_nothing_for_one(runner, tmp_path):
    """'yes, no' is no 'yes' because 'yes' comes first: it names both options, as '1, 2' does (the first
    word answered alone, so a hedge scored as the right option)."""
    from dlcheck.check.kinds.choice import parse_choice
    yes_no = ["yes", "no"]
    for text in ("yes, no", "yes no", "yes or no", "yes/no", "no, yes", "بله خیر", "بله یا نه"):
        assert parse_choice(text, 2, yes_no) == {1, 2}, text
    answers = tmp_path / "a.yaml"
    answers.write_text('set: attention\nanswers:\n  q3:\n    b: "yes, no"\n', encoding="utf-8")
    import json

    from dlcheck.cli import app

    doc = json.loads(runner.invoke(app, ["grade", str(answers), "--part", "q3/b", "--format", "json"]).stdout)
    b = next(p for r in doc["problems"] for p in r["parts"] if p["id"] == "b")
    assert b["status"] == "incorrect" and b["score"] == 0, b


def test_a_spec_alias_may_name_a_function(tmp_path):
    from dlcheck.check import registry
    from dlcheck.grade.run import grade_part
    text = (ROOT / "problems" / "backprop" / "q2.yaml").read_text(encoding="utf-8")
    text = text.replace("aliases:\n", "aliases:\n  sigmoid: {typed: [act]}\n", 1)
    path = tmp_path / "q2.yaml"
    path.write_text(text, encoding="utf-8")
    inst = registry.build_instance(registry.read_spec_file(path, "x/q2"))
    verdict = grade_part(inst, "d_z2_1", "v1*act'(z2_1)", {})
    assert verdict.status == "correct", verdict.message


SPEC_F = """
title: f of x
statement: f = x^2 + y
symbols: {x: real, y: real, w: real}
define:
  f: x^2 + y
parts:
  a: {kind: expression, prompt: 2 f, answer: 2*f}
  b: {kind: expression, prompt: w f, answer: w*f}
"""


@pytest.mark.parametrize("part, answer, status", [
    ("a", "2 f(x)", "correct"), ("a", "2 f(x, y)", "correct"), ("a", "2f", "correct"),
    ("a", "2 f(x + 1)", "incorrect"),        # not its inputs named: a product, as before
    ("b", "f(w)", "correct"),                # w is no input of f: f times w
])
def test_a_defined_quantity_written_with_its_inputs_is_that_quantity(tmp_path, part, answer, status):
    from dlcheck.check import registry
    from dlcheck.grade.run import grade_part
    path = tmp_path / "q1.yaml"
    path.write_text(SPEC_F, encoding="utf-8")
    inst = registry.build_instance(registry.read_spec_file(path, "x/q1"))
    verdict = grade_part(inst, part, answer, {})
    assert verdict.status == status, verdict.message
