"""Feedback that teaches: explain, LaTeX input, generic diagnoses, error carried forward."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dlcheck.check.registry import get_instance
from dlcheck.cli import app
from tests.conftest import grade_answers


def sig(z):
    return 1 / (1 + np.exp(-z))


# -- explain --------------------------------------------------------------------------
def test_explain_backprop_q1_values_equal_the_graded_references(runner):
    result = runner.invoke(app, ["explain", "backprop/q1", "--format", "md"])
    assert result.exit_code == 0, result.output
    md = result.output
    inst = get_instance("backprop/q1")
    for name in inst.spec.problem.define:  # every definition is a step, with its value
        value = inst.value(inst.named[name])
        assert re.search(rf"`{name} = .*\*\*{value:.6g}\*\*", md), name
    for pid in inst.spec.problem.parts:
        value = inst.value(inst.part_ref[pid])
        assert f"## Part `{pid}`" in md
        assert f"**{value:.6g}**" in md, pid
    # numbers substituted into the chain-rule formula
    assert ("`dE_dw5 = out_h1*out_y1*(1 - out_y1)*(out_y1 - t1)` = "
            "`0.594476*0.79182*(1 - 0.79182)*(0.79182 - 0.01)`") in md


def test_explain_latex_has_the_same_steps(runner):
    md = runner.invoke(app, ["explain", "backprop/q1", "--format", "md"]).output
    tex = runner.invoke(app, ["explain", "backprop/q1", "--format", "latex"]).output
    assert "\\begin{align*}" in tex
    for value in re.findall(r"\*\*([-0-9.e]+)\*\*", md):
        assert value in tex


def test_explain_terminal_and_part_filter(runner):
    result = runner.invoke(app, ["explain", "q1", "--set", "backprop", "--part", "w5_new"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "0.361693" in result.output and "σ(net_y1)" in result.output
    assert "part w1_new" not in result.output
    bad = runner.invoke(app, ["explain", "backprop/q1", "--part", "nope"])
    assert bad.exit_code == 2 and "its parts are" in bad.output


def test_explain_construction_and_essay(runner):
    out = runner.invoke(app, ["explain", "seq-models/q3", "--format", "md"]).output
    assert "one solution: W = [[0, 1, 0]" in out and "| t | x | state | output | required |" in out
    rows = [line for line in out.splitlines() if re.match(r"\| \d", line)]
    assert rows and all(r.split("|")[4].strip() == r.split("|")[5].strip() for r in rows)  # output == required
    essay = runner.invoke(app, ["explain", "rnn/q3", "--part", "why_not_argmax", "--format", "md"]).output
    assert "gradient" in essay and "rubric:" in essay


def test_explain_policy_withholds_until_attempted(runner, write):
    out = runner.invoke(app, ["explain", "rnn-gradients/q5", "--format", "md"]).output
    assert "attempt this part first" in out and "one solution" not in out
    answers = write("a.yaml", "set: rnn-gradients\nanswers:\n  q5:\n    a: {w1: 1, w2: 1, b2: 0, w3: 1, b3: 0}\n")
    out = runner.invoke(app, ["explain", "rnn-gradients/q5", "--format", "md", "--answers", str(answers)]).output
    assert "one solution: w1 = -1" in out            # part a attempted: shown
    assert out.count("attempt this part first") == 1  # part b still withheld


# -- LaTeX grades like plain ---------------------------------------------------------------
@pytest.mark.parametrize("problem, part, plain, latex", [
    ("backprop/q1", "w5_new", "0.3617", r"$0.3617$"),
    ("rnn-gradients/q1", "max_dsigmoid", "1/4", r"\frac{1}{4}"),
    ("backprop/q2", "d_z2_1", "v1*a2_1*(1 - a2_1)", r"v_1 a^{[2]}_1 \left(1 - a^{[2]}_1\right)"),
    ("backprop/q2", "d_z2_1", "v1*σ'(z2_1)", r"v_{1}\,\sigma'(z^{[2]}_{1})"),
    ("backprop/q2", "d_w1_11", "x1*a1_1*(1-a1_1)*(d_z2_1*w2_11 + v2*a2_2*(1-a2_2)*w2_21)",
     r"x_1 a^{[1]}_1 (1-a^{[1]}_1) \cdot "
     r"\left(d_z2_1 w^{[2]}_{11} + v_2 a^{[2]}_2 (1 - a^{[2]}_2) w^{[2]}_{21}\right)"),
    ("seq-models/q2", "dL_dw", "2*(yhat - y)*(u2 + 2*w*u1 + 3*w^2*(u0 + h0))",
     r"2(\hat{y} - y)\left(u_2 + 2 w u_1 + 3 w^{2} (u_0 + h_0)\right)"),
    ("seq-models/q4", "M", "[[cos(w_k*phi), sin(w_k*phi)], [-sin(w_k*phi), cos(w_k*phi)]]",
     r"\begin{bmatrix} \cos(w_k \phi) & \sin(w_k \phi) \\ -\sin(w_k \phi) & \cos(w_k \phi) \end{bmatrix}"),
    ("seq-models/q4", "M", "[[cos(w_k*phi), -sin(w_k*phi)], [sin(w_k*phi), cos(w_k*phi)]]",
     r"\begin{pmatrix} \cos(w_k \phi) & -\sin(w_k \phi) \\ \sin(w_k \phi) & \cos(w_k \phi) \end{pmatrix}"),
    ("rnn-gradients/q1", "dL_dht", "g*sigmoid'(U*x_next + W*h_t + b)*W",
     r"g \cdot \sigma'\left(U x_{next} + W h_t + b\right) \times W"),
    ("rnn/q3", "scores", "[-2, 3, 0, 6]", r"\begin{bmatrix} -2 \\ 3 \\ 0 \\ 6 \end{bmatrix}"),
    ("rnn-gradients/q1", "dL_dht", "g*sqrt(W)", r"g\sqrt{W}"),
])
def test_latex_grades_like_plain(problem, part, plain, latex):
    a = grade_answers(problem, {part: plain})[part]
    b = grade_answers(problem, {part: latex})[part]
    assert a.status in ("correct", "incorrect"), a.message  # a real verdict, not two equal failures
    assert (a.status, a.score, a.message) == (b.status, b.score, b.message)


def test_unsupported_latex_is_named():
    v = grade_answers("rnn-gradients/q1", {"dL_dht": r"\int_0^1 g\,dx"})["dL_dht"]
    assert v.status == "invalid" and "\\int is not supported" in v.message


# -- generic diagnoses on crafted wrong answers -------------------------------------------
Q1 = dict(x1=0.05, x2=0.10, w=[0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], b1=0.35, b2=0.80, t1=0.01,
          t2=0.99)


def forward(h1_override=None):
    w = Q1["w"]
    h1 = sig(w[0] * Q1["x1"] + w[2] * Q1["x2"] + Q1["b1"]) if h1_override is None else h1_override
    h2 = sig(w[1] * Q1["x1"] + w[3] * Q1["x2"] + Q1["b1"])
    y1 = sig(w[4] * h1 + w[6] * h2 + Q1["b2"])
    y2 = sig(w[5] * h1 + w[7] * h2 + Q1["b2"])
    return h1, h2, y1, y2


def test_sigmoid_for_derivative_and_dropped_derivative():
    h1, _, y1, _ = forward()
    slip = (y1 - Q1["t1"]) * y1 * h1           # sigmoid where sigmoid' belongs
    dropped = (y1 - Q1["t1"]) * h1             # no sigmoid derivative at all
    v = grade_answers("backprop/q1", {"dE_dw5": f"{slip:.5f}"})["dE_dw5"]
    assert v.detail.get("diagnosis") == "sigmoid-for-derivative", v.message
    v = grade_answers("backprop/q1", {"dE_dw5": f"{dropped:.5f}"})["dE_dw5"]
    assert v.detail.get("diagnosis") == "derivative-dropped", v.message


@pytest.mark.parametrize("answer, diagnosis", [
    ("0.15322", "factor"),          # 2 x dE/dw5
    ("0.03831", "factor"),          # dE/dw5 / 2
    ("0.7661", "factor"),           # a power of ten
    ("-0.076614", "negated"),
    ("0.077", "rounded-early"),     # right to 2 significant figures only
])
def test_numeric_slips(answer, diagnosis):
    v = grade_answers("backprop/q1", {"dE_dw5": answer})["dE_dw5"]
    assert v.status == "incorrect"
    assert v.detail.get("diagnosis") == diagnosis or (diagnosis == "negated" and "Sign error" in v.message), v.message


def test_degrees_for_radians():
    import math

    wrong = math.cos(3 * math.pi / 180)  # cos(w_0*phi) with phi = 3 read as degrees
    s3, s003, c003 = math.sin(3 * math.pi / 180), math.sin(0.03 * math.pi / 180), math.cos(0.03 * math.pi / 180)
    v = grade_answers("seq-models/q4", {"T": f"[[{wrong}, {s3}, 0, 0], [{-s3}, {wrong}, 0, 0], "
                                             f"[0, 0, {c003}, {s003}], [0, 0, {-s003}, {c003}]]"})["T"]
    assert v.detail.get("diagnosis") == "degrees", v.message


def test_row_swap_and_transpose():
    t = grade_answers("rnn/q2", {"dJ3_dWhh": "[[-0.363078, 1.711652], [-0.363078, 0.778024]]"})["dJ3_dWhh"]
    assert t.detail.get("diagnosis") == "transposed"
    s = grade_answers("rnn/q2", {"dJ3_dWhh": "[[1.711652, 0.778024], [-0.363078, -0.363078]]"})["dJ3_dWhh"]
    assert s.detail.get("diagnosis") == "rows-swapped" and "rows 1 and 2" in s.message


def test_formula_constant_factor_and_negation():
    v = grade_answers("seq-models/q2", {"dL_dw": "4*(yhat - y)*(u2 + 2*w*u1 + 3*w^2*(u0 + h0))"})["dL_dw"]
    assert v.detail.get("diagnosis") == "factor" and "factor of 2" in v.message
    n = grade_answers("backprop/q2", {"d_w1_11": "-x1*a1_1*(1-a1_1)*(v1*a2_1*(1-a2_1)*w2_11 + v2*a2_2*(1-a2_2)*w2_21)"})
    assert n["d_w1_11"].detail.get("diagnosis") == "negated"


def test_formula_sigmoid_for_derivative_without_a_spec_mistake():
    v = grade_answers("backprop/q2", {"d_w1_11": "x1*a1_1*(v1*a2_1*(1-a2_1)*w2_11 + v2*a2_2*(1-a2_2)*w2_21)"})
    assert v["d_w1_11"].detail.get("diagnosis") == "sigmoid-for-derivative", v["d_w1_11"].message


# -- error carried forward ---------------------------------------------------------------
def test_wrong_out_h1_carried_into_later_parts():
    h1, h2, y1, y2 = forward(0.9)  # a wrong hidden output, used consistently afterwards
    w = Q1["w"]
    d1 = (y1 - Q1["t1"]) * y1 * (1 - y1) * w[4] + (y2 - Q1["t2"]) * y2 * (1 - y2) * w[5]
    dE_dw1 = d1 * h1 * (1 - h1) * Q1["x1"]
    w1_new = w[0] - 0.5 * dE_dw1
    dE_dw5 = (y1 - Q1["t1"]) * y1 * (1 - y1) * h1
    v = grade_answers("backprop/q1", {"out_h1": "0.9", "out_y1": f"{y1:.6f}", "dE_dw1": f"{dE_dw1:.6g}",
                                      "w1_new": f"{w1_new:.6f}", "dE_dw5": f"{dE_dw5:.6g}"})
    assert v["out_h1"].status == "incorrect" and v["out_h1"].score == 0
    for part in ("out_y1", "dE_dw1", "w1_new", "dE_dw5"):
        assert v[part].status == "consistent-with-earlier-error", (part, v[part].message)
        assert v[part].score == 1
    # it rests on the two wrong values it uses directly, and says so
    assert v["dE_dw1"].detail["carried_from"] == ["out_h1", "out_y1"]
    assert "consistent with your answers to out_h1, out_y1" in v["dE_dw1"].message
    # w1_new uses only the student's dE_dw1 (which itself carried out_h1): only that one is cited
    assert v["w1_new"].detail["carried_from"] == ["dE_dw1"]


def test_carried_forward_needs_the_wrong_value_to_explain_the_answer():
    v = grade_answers("backprop/q1", {"out_h1": "0.61", "dE_dw1": "0.0009"})
    assert v["dE_dw1"].status == "incorrect"


def test_carry_forward_policy_none():
    from dlcheck.check.registry import build_instance, read_spec_file
    from dlcheck.grade.run import grade_part

    spec = read_spec_file(get_instance("backprop/q1").spec.located.path, "backprop/q1")
    spec.problem.carry_forward = "none"
    inst = build_instance(spec)
    first = grade_part(inst, "out_h1", "0.9", {})
    h1, h2, y1, y2 = forward(0.9)
    v = grade_part(inst, "out_y1", f"{y1:.6f}", {"out_h1": first})
    assert v.status == "incorrect" and v.score == 0 and "consistent with" in v.message
