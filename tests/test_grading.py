"""Grading the bank the many ways students write answers, right and wrong."""

from __future__ import annotations

import pytest

from tests.conftest import grade_answers


def statuses(verdicts: dict) -> dict:
    return {k: v.status for k, v in verdicts.items()}


# -- backprop/q1 -------------------------------------------------------------------
def test_q1_rounded_persian_and_comma_answers_are_correct():
    v = grade_answers("backprop/q1", {"out_h1": "0.5945", "out_h2": "۰٫۵۹۶۳", "out_y1": "0,7918",
                                      "loss": "0.3234", "dE_dw5": "0.07661", "w1_new": "0.1498",
                                      "w5_new": "0.3617", "b2_new": "0.7506", "dE_dw1": "0.0004587"})
    for part in ("out_h1", "out_h2", "out_y1", "loss", "dE_dw5", "w1_new", "w5_new", "b2_new", "dE_dw1"):
        assert v[part].status == "correct", (part, v[part].message)
    assert v["out_y2"].status == "missing"


def test_q1_unchanged_weight_is_rejected_and_named():
    v = grade_answers("backprop/q1", {"w1_new": "0.15"})["w1_new"]
    assert v.status == "incorrect"
    assert "before the update" in v.message


def test_q1_sign_errors_are_named():
    v = grade_answers("backprop/q1", {"dE_dw5": "-0.0766", "w5_new": "0.4383"})
    assert v["dE_dw5"].status == "incorrect" and "Sign error" in v["dE_dw5"].message
    # w5_new = w5 - eta*(-0.0766): right method on a wrong gradient is carried forward
    assert v["w5_new"].status == "consistent-with-earlier-error"
    alone = grade_answers("backprop/q1", {"w5_new": "0.4383"})["w5_new"]
    assert alone.status == "incorrect" and "climbs the gradient" in alone.message


def test_q1_hidden_outputs_rounded_to_three_decimals_still_pass_later_parts():
    # hand work that rounded out_h1 to 0.594 and carried on: answers off in the 4th digit
    v = grade_answers("backprop/q1", {"dE_dw5": "0.07655", "w5_new": "0.3617"})
    assert v["dE_dw5"].status == "correct" and v["w5_new"].status == "correct"


def test_q1_wrong_answer_reports_error_size():
    v = grade_answers("backprop/q1", {"loss": "0.2983"})["loss"]
    assert v.status == "incorrect"
    assert v.detail["rel_error"] == pytest.approx(0.0776, abs=1e-3)


def test_q1_numeric_part_refuses_a_formula():
    v = grade_answers("backprop/q1", {"out_h1": "sigmoid(net_h1)"})["out_h1"]
    assert v.status == "invalid" and "wants a number" in v.message
    ok = grade_answers("backprop/q1", {"out_h1": "sigmoid(0.3825)"})["out_h1"]
    assert ok.status == "correct"


def test_hostile_answers_are_invalid(tmp_path):
    target = tmp_path / "pwned"
    answers = {"out_h1": f"__import__('os').system('touch {target}')", "out_h2": "().__class__",
               "out_y1": "9**9**9**9", "out_y2": "x" * 100_000, "loss": "exp(exp(exp(1000)))",
               "dE_dw5": "0.07661"}
    v = grade_answers("backprop/q1", answers)
    for part in ("out_h1", "out_h2", "out_y1", "out_y2", "loss"):
        assert v[part].status == "invalid", (part, v[part].message)
        assert "\n" not in v[part].message
    assert v["dE_dw5"].status == "correct"
    assert not target.exists()


# -- backprop/q2: the a's, sigmoid(z)'s, sigmoid'(z)'s, or everything in x and W ------------------
@pytest.mark.parametrize("answer", [
    "v1*a2_1*(1 - a2_1)",
    "v1*sigmoid(z2_1)*(1 - sigmoid(z2_1))",
    "v1*σ'(z2_1)",
    "v1 sigmoid'(w2_11 a1_1 + w2_12 a1_2)",
    "v1*sigmoid'(w2_11*sigmoid(w1_11*x1 + w1_12*x2) + w2_12*sigmoid(w1_21*x1 + w1_22*x2))",
    "v1*(a2_1 - a2_1^2)",
])
def test_q2_equivalent_forms_are_accepted(answer):
    assert grade_answers("backprop/q2", {"d_z2_1": answer})["d_z2_1"].status == "correct"


def test_q2_layer2_weight_for_v_is_named():
    v = grade_answers("backprop/q2", {"d_z2_1": "w2_11*a2_1*(1-a2_1)"})["d_z2_1"]
    assert v.status == "incorrect" and "not a layer-2 weight" in v.message


def test_q2_vectors_and_earlier_parts():
    v = grade_answers("backprop/q2", {
        "d_z2_1": "v1*a2_1*(1-a2_1)",
        "d_Z2": "[d_z2_1, v2*a2_2*(1-a2_2)]",
        "d_Z1": "[a1_1*(1-a1_1)*(d_z2_1*w2_11 + v2*a2_2*(1-a2_2)*w2_21), "
                "a1_2*(1-a1_2)*(d_z2_1*w2_12 + v2*a2_2*(1-a2_2)*w2_22)]",
        "d_w1_11": "x1*a1_1*(1-a1_1)*(d_z2_1*w2_11 + v2*a2_2*(1-a2_2)*w2_21)",
    })
    assert statuses(v) == {"d_z2_1": "correct", "d_Z2": "correct", "d_Z1": "correct", "d_w1_11": "correct"}


def test_q2_wrong_formula_shows_a_point():
    v = grade_answers("backprop/q2", {"d_w1_11": "x2*a1_1*(1-a1_1)"})["d_w1_11"]
    assert v.status == "incorrect"
    assert {"x1", "x2"} <= set(v.detail["point"]) <= {"x1", "x2", "w1_11", "w1_12", "w1_21", "w1_22", "w2_11", "w2_12",
                                      "w2_21", "w2_22", "v1", "v2"}
    a, b = v.detail["values"]
    assert abs(a - b) > 1e-6


def test_q3_choice_and_swapped_classes():
    v = grade_answers("backprop/q3", {"more_expressive": "2", "W_l": "W_s1 - W_s2", "b_l": "-b_s1 + b_s2"})
    assert v["more_expressive"].status == "correct"
    assert v["W_l"].status == "incorrect" and "Classes swapped" in v["W_l"].message
    assert v["b_l"].status == "correct"


# -- rnn ------------------------------------------------------------------------------
def test_rnn_q1_choices():
    v = grade_answers("rnn/q1", {"a": "[3, 2]", "b": "3", "c": "3"})
    assert statuses(v) == {"a": "correct", "b": "correct", "c": "correct"}
    # the sheet's option 4 conditions on y_t itself: the student's "typo" reading is not the key
    assert "y_t" in grade_answers("rnn/q1", {"c": "4"})["c"].message
    v = grade_answers("rnn/q1", {"a": "2", "b": "1", "c": "2,3"})
    assert v["a"].status == "partial" and 0 < v["a"].score < 1
    assert "future days" in v["b"].message
    assert v["c"].status == "incorrect"


def test_rnn_q2_dJ_do_forms_and_pitfall():
    ok = grade_answers("rnn/q2", {"dJ_do": "[exp(o1)/(exp(o1)+exp(o2)) - y1, exp(o2)/(exp(o1)+exp(o2)) - 1 + y1]"})
    assert ok["dJ_do"].status == "correct"
    ok2 = grade_answers("rnn/q2", {"dJ_do": "[yhat1 - y1, y1 - yhat1]"})  # yhat2 - (1 - y1) = y1 - yhat1
    assert ok2["dJ_do"].status == "correct"
    bad = grade_answers("rnn/q2", {"dJ_do": "[-y1/yhat1, -(1-y1)/yhat2]"})["dJ_do"]
    assert bad.status == "incorrect" and "dJ/dyhat" in bad.message


def test_rnn_q2_matrices():
    v = grade_answers("rnn/q2", {"J": "1.7622", "dJ3_dh1": "[0.1210, 0.1971]",
                                 "dJ3_dWhh": "[[-0.3631, -0.3631], [1.7117, 0.7780]]",
                                 "dJ_dWhh": "[[-0.2211, -0.4341], [1.2857, 0.5]]"})
    assert v["J"].status == v["dJ3_dh1"].status == v["dJ3_dWhh"].status == "correct"
    bad = v["dJ_dWhh"]
    assert bad.status == "partial" and bad.score == pytest.approx(0.75)
    assert bad.detail["entries"] == [{"row": 2, "col": 2, "given": 0.5, "expected": pytest.approx(0.990979, abs=1e-6)}]


def test_rnn_q2_transposed_matrix_is_named():
    v = grade_answers("rnn/q2", {"dJ3_dWhh": "[[-0.363078, 1.711652], [-0.363078, 0.778024]]"})["dJ3_dWhh"]
    assert "transpose" in v.message


def test_rnn_q3_attention_and_essay():
    v = grade_answers("rnn/q3", {"scores": "[-2, 3, 0, 6]", "hard_output": "[6, 1, 2]",
                                 "soft_weights": "[0.000319, 0.0473, 0.002355, 0.95]",
                                 "soft_output": "[5.705, 1.002, 1.905]",
                                 "why_not_argmax": "argmax has no gradient"})
    assert [v[p].status for p in ("scores", "hard_output", "soft_weights", "soft_output")] == ["correct"] * 4
    assert v["why_not_argmax"].status == "manual" and v["why_not_argmax"].score == 0


def test_rnn_q3_shape_errors_are_wrong_answers():
    v = grade_answers("rnn/q3", {"scores": "[-2, 3, 0]", "hard_output": "6"})
    assert v["scores"].status == "incorrect" and v["scores"].score == 0
    assert v["scores"].message == "expected a 4-vector, you gave 3 entries"
    assert v["hard_output"].status == "incorrect"
    assert v["hard_output"].message == "expected a 3-vector, you gave a single value"


# -- rnn-gradients ---------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    "g*sigmoid'(U*x_next + W*h_t + b)*W",
    "g σ'(U x_next + W h_t + b) W",
    "g*W*sigmoid(U*x_next + W*h_t + b)*(1 - sigmoid(U*x_next + W*h_t + b))",
    "W*g*exp(-(U*x_next + W*h_t + b))/(1 + exp(-(U*x_next + W*h_t + b)))^2",
])
def test_rnn_gradients_q1_sigmoid_prime_forms(answer):
    assert grade_answers("rnn-gradients/q1", {"dL_dht": answer})["dL_dht"].status == "correct"


def test_rnn_gradients_q1_sigmoid_for_derivative():
    v = grade_answers("rnn-gradients/q1", {"dL_dht": "g*sigmoid(U*x_next + W*h_t + b)*W",
                                           "dL_dht_skip": "g1*sigmoid(a1)*W + g2*sigmoid(a2)*M",
                                           "max_dsigmoid": "1/4", "argmax_dsigmoid": "0", "W_threshold": "4"})
    assert "sigmoid where sigmoid' belongs" in v["dL_dht"].message
    assert "sigmoid where sigmoid' belongs" in v["dL_dht_skip"].message
    assert v["max_dsigmoid"].status == v["argmax_dsigmoid"].status == v["W_threshold"].status == "correct"


def test_rnn_gradients_q3_and_essays():
    v = grade_answers("rnn-gradients/q3", {"candidates_per_step": "12", "k_tradeoff": "..."})
    assert v["candidates_per_step"].status == "correct" and v["k_tradeoff"].status == "manual"
    bad = grade_answers("rnn-gradients/q3", {"candidates_per_step": "64"})["candidates_per_step"]
    assert "exhaustive" in bad.message


@pytest.mark.parametrize("answer", [
    {"w1": "-1", "w2": "1", "b2": "0.5", "w3": "-1", "b3": "0.5"},      # the sheet's
    {"w1": "-2", "w2": "3", "b2": "1", "w3": "-1", "b3": "0"},          # another right one
])
def test_rnn_gradients_q5a_correct_constructions(answer):
    assert grade_answers("rnn-gradients/q5", {"a": answer})["a"].status == "correct"


def test_rnn_gradients_q5a_wrong_construction_shows_shortest_failure():
    v = grade_answers("rnn-gradients/q5", {"a": {"w1": "1", "w2": "0", "b2": "-0.5", "w3": "1", "b3": "-0.5"}})["a"]
    assert v.status == "incorrect"
    # this network only looks at the current input: 0 then 1 is the shortest failure
    assert [row["x"] for row in v.detail["failing_input"]] == ["0", "1"]
    assert v.detail["failing_input"][-1]["expected"] == 0 and v.detail["failing_input"][-1]["produced"] == 1


def test_rnn_gradients_q5b_constructions():
    good = {"W": "[[-1, -1], [1, 1]]", "b": "[0.5, -1.5]", "v": "[1, 1]", "r": "1", "c": "-1.5"}
    assert grade_answers("rnn-gradients/q5", {"b": good})["b"].status == "correct"
    swapped = {"W": "[[1, 1], [-1, -1]]", "b": "[-1.5, 0.5]", "v": "[1, 1]", "r": "1", "c": "-1.5"}
    assert grade_answers("rnn-gradients/q5", {"b": swapped})["b"].status == "correct"
    forgetful = dict(good, r="0", c="-0.5")  # agrees now, ignores the past
    v = grade_answers("rnn-gradients/q5", {"b": forgetful})["b"]
    assert v.status == "incorrect" and len(v.detail["failing_input"]) == 2
    with_c0 = dict(good, c_0="-0.5")  # the sheet's field: the bias of y_1
    assert grade_answers("rnn-gradients/q5", {"b": with_c0})["b"].status == "correct"
    wrong_c0 = dict(good, c_0="-1.5")  # y_1 stays 0 when the first pair agrees
    v = grade_answers("rnn-gradients/q5", {"b": wrong_c0})["b"]
    assert v.status == "incorrect" and len(v.detail["failing_input"]) == 1
    bad_shape = dict(good, W="[1, 2]")
    assert grade_answers("rnn-gradients/q5", {"b": bad_shape})["b"].status == "invalid"
    assert grade_answers("rnn-gradients/q5", {"b": "W = I"})["b"].status == "invalid"


# -- seq-models --------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    # the sheet numbers the inputs from 0: u_0 is added to h_0
    "2*(yhat - y)*(u2 + 2*w*u1 + 3*w^2*(u0 + h0))",
    "2*(w*(u2 + w*(u1 + w*(u0 + h0))) - y)*(u2 + 2w u1 + 3w^2 u0 + 3w^2 h0)",
    "2(yhat-y)u2 + 4w u1 (yhat-y) + 6 w^2 (u0+h0)(yhat-y)",
])
def test_seq_models_q2_forms(answer):
    assert grade_answers("seq-models/q2", {"dL_dw": answer})["dL_dw"].status == "correct"


def test_seq_models_q2_yhat_cannot_be_answered_by_its_name():
    v = grade_answers("seq-models/q2", {"yhat": "yhat", "small_w_effect": "1"})
    assert v["yhat"].status == "invalid"
    assert v["small_w_effect"].status == "correct"
    pitfall = grade_answers("seq-models/q2", {"dL_dw": "2*(yhat - y)*(u2 + w*u1 + w^2*(u0 + h0))"})["dL_dw"]
    assert "powers of w" in pitfall.message


def test_seq_models_q3_adder():
    # the sheet's names: v (3x2) the input weights, u (1x3) the output row, b_y its bias
    sheet = {"W": "[[0,1,0],[0,1,0],[0,1,0]]", "v": "[[1,1],[1,1],[1,1]]", "b_h": "[-0.5,-1.5,-2.5]",
             "u": "[1,-1,1]", "b_y": "-0.5"}
    assert grade_answers("seq-models/q3", {"network": sheet})["network"].status == "correct"
    as_row = dict(sheet, u=r"\begin{bmatrix} 1 & -1 & 1 \end{bmatrix}", b_h="[[-0.5], [-1.5], [-2.5]]")
    assert grade_answers("seq-models/q3", {"network": as_row})["network"].status == "correct"
    old_names = {"W": "[[0,1,0],[0,1,0],[0,1,0]]", "U": "[[1,1],[1,1],[1,1]]", "b_h": "[-0.5,-1.5,-2.5]",
                 "v": "[1,-1,1]", "b_g": "-0.5"}
    old = grade_answers("seq-models/q3", {"network": old_names})["network"]
    assert old.status == "invalid" and "u, b_y" in old.message
    scaled = {"W": "[[0,2,0],[0,2,0],[0,2,0]]", "v": "[[2,2],[2,2],[2,2]]", "b_h": "[-1,-3,-5]",
              "u": "[2,-2,2]", "b_y": "-1"}
    assert grade_answers("seq-models/q3", {"network": scaled})["network"].status == "correct"
    no_carry = dict(sheet, W="[[0,0,0],[0,0,0],[0,0,0]]")
    v = grade_answers("seq-models/q3", {"network": no_carry})["network"]
    assert v.status == "incorrect"
    assert [r["x"] for r in v.detail["failing_input"]] == ["[1, 1]", "[0, 0]"]


def test_seq_models_q4_rotation_and_transpose():
    v = grade_answers("seq-models/q4", {
        "M": "[[cos(w_k phi), sin(w_k phi)], [-sin(w_k phi), cos(w_k phi)]]",
        "det_M": "1",
        "M_MT": "I",
        "T": "[[-0.98999, 0.14112, 0, 0], [-0.14112, -0.98999, 0, 0], [0, 0, 0.99955, 0.029996], "
             "[0, 0, -0.029996, 0.99955]]"})
    assert statuses(v) == {"notation": "missing", "M": "correct", "det_M": "correct", "M_MT": "correct",
                           "T_general": "missing", "T": "correct"}
    bad = grade_answers("seq-models/q4", {"M": "[[cos(w_k*phi), -sin(w_k*phi)], [sin(w_k*phi), cos(w_k*phi)]]"})
    assert bad["M"].status == "incorrect" and "transpose" in bad["M"].message
    assert bad["M"].detail["entries"] == [{"row": 1, "col": 2}, {"row": 2, "col": 1}]


# -- attention ----------------------------------------------------------------------------
def test_attention_q3():
    v = grade_answers("attention/q3", {"b": "1", "c": "2", "z_at_tprime": "0", "r_at_tprime": "0",
                                       "z_after_tprime": "1", "a": "...", "e": "..."})
    assert [v[p].status for p in ("b", "c", "z_at_tprime", "r_at_tprime", "z_after_tprime")] == ["correct"] * 5
    assert v["a"].status == v["e"].status == "manual"
    wrong = grade_answers("attention/q3", {"z_after_tprime": "0", "c": "1"})
    assert "copies" in wrong["z_after_tprime"].message and "not a similarity" in wrong["c"].message


def test_the_problem_bank_documents_ids_exist():
    """The ids of problem-bank.md exist with exactly these parts (the bank may hold more)."""
    from dlcheck.check.registry import get_spec
    from dlcheck.spec import bank

    expected = {
        "backprop/q1": None, "backprop/q2": ["d_z2_1", "d_Z2", "d_Z1", "d_w1_11"],
        "backprop/q3": ["more_expressive", "W_s2_from_l", "b_s2_from_l", "W_l", "b_l"],
        "rnn/q1": ["a", "b", "c"], "rnn/q2": ["dJ_do", "dJ_dyhat", "J", "dJ3_dh1", "dJ3_dWhh", "dJ_dWhh"],
        "rnn/q3": ["scores", "hard_output", "soft_weights", "soft_output", "why_not_argmax"],
        "rnn-gradients/q1": ["dL_dht", "dL_dh0", "max_dsigmoid", "argmax_dsigmoid", "W_threshold", "dL_dht_skip",
                             "skip_helps", "clipping"],
        "rnn-gradients/q2": ["a", "b", "c"],
        "rnn-gradients/q3": ["greedy_vs_beam", "candidates_per_step", "k_tradeoff"],
        "rnn-gradients/q4": ["answer", "k_equals_1", "k_equals_n", "larger_k"], "rnn-gradients/q5": ["a", "b"],
        "seq-models/q1": ["a", "b", "c", "d", "e"],
        "seq-models/q2": ["recurrence", "yhat", "dL_dw", "dL_dw_1", "dL_dw_2", "dL_dw_3", "small_w_effect"],
        "seq-models/q3": ["network"], "seq-models/q4": ["notation", "M", "det_M", "M_MT", "T_general", "T"],
        "attention/q1": ["answer"], "attention/q2": ["answer"],
        "attention/q3": ["a", "b", "c", "z_at_tprime", "r_at_tprime", "z_after_tprime", "e"],
        "attention/q4": ["answer"],
    }
    assert set(bank.all_ids()) >= set(expected)
    q1 = ["out_h1", "out_h2", "out_y1", "out_y2", "loss", "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8", "dE_db2",
          "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4", "dE_db1", "w1_new", "w2_new", "w3_new", "w4_new",
          "w5_new", "w6_new", "w7_new", "w8_new", "b1_new", "b2_new"]
    expected["backprop/q1"] = q1
    for pid, parts in expected.items():
        assert list(get_spec(pid).problem.parts) == parts, pid


@pytest.mark.parametrize("answer, status", [("sqrt(-1)", "invalid"), ("sqrt(-x1^2 - 1)", "incorrect")])
def test_formula_with_no_real_value_is_rejected(answer, status):
    """A number with no real value is no number to compare (invalid, like 1/0: issue 20's one rule); a
    formula with no real value where the reference has one is a wrong formula."""
    v = grade_answers("backprop/q2", {"d_w1_11": answer})["d_w1_11"]
    assert v.status == status and "no real value" in v.message


def test_a_tower_of_exponentials_is_refused_before_it_is_evaluated():
    v = grade_answers("backprop/q2", {"d_w1_11": "exp(exp(exp(1000)))"})["d_w1_11"]
    assert v.status == "invalid" and "too large to be an answer" in v.message
