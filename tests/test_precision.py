"""Numbers graded as a marker grades them: exact decimals, STACK significant figures, the bank's
precision policy, and the verdicts on the sheets' own students' answers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dlcheck.check.tolerance import correct_figures, decimal_digits, round_sig, sigfig_check
from tests.conftest import grade_answers

F = Fraction


# -- STACK NumSigFigs: the digits written -------------------------------------------------
@pytest.mark.parametrize("text, digits", [
    ("0", (1, 1)), ("0.0", (1, 1)), ("0.00", (2, 2)), (".0", (1, 1)), ("0.001", (1, 1)),
    ("0.0010", (2, 2)), ("0.00100", (3, 3)), (".001030", (4, 4)), ("5.00", (3, 3)), ("10.0", (3, 3)),
    ("100", (1, 3)), ("1000", (1, 4)), ("1170", (3, 4)), ("100.", (3, 3)), ("1.00e2", (3, 3)),
    ("1.38*10^-1", (3, 3)), ("138*10^-3", (3, 3)), ("-138*10^-3", (3, 3)), ("1E3", (1, 1)),
    ("25.00e1", (4, 4)), ("12300.0", (6, 6)), ("-303.30003", (8, 8)), ("-(0.05)", (1, 1)),
    ("0,594", (3, 3)),                                      # a decimal comma, as on the sheets
    ("pi", None), ("1/3", None), ("sqrt(2)", None),         # not decimal numbers
])
def test_digits_are_counted_on_the_typed_text(text, digits):
    assert decimal_digits(text) == digits


@pytest.mark.parametrize("answer, expected, n, m, ok", [
    ("9.8", F(10), 2, 2, True),           # STACK issue #1108: 10 rounded to 2 figures is 10; 0.2 < 0.5
    ("9.5", F(10), 2, 2, False),          # exactly half a unit: the rule is strict
    ("10.0", F(10), 2, 2, False),         # 3 figures written
    ("3.143", F(31415927, 10 ** 7), 4, 3, True),
    ("3.150", F(31415927, 10 ** 7), 4, 3, False),
    ("0.0499", F(4985, 10 ** 5), 3, 3, True),    # the reference is rounded half up: 0.04985 -> 0.0499
    ("0.0498", F(4985, 10 ** 5), 3, 3, False),
    ("180", F(17835, 100), 3, 1, True),          # 180 may have 3 figures, and is right to 1
    ("180", F(17835, 100), 3, 3, False),         # ... but not to 3 (178)
    ("100", F(0), 2, 0, True),                   # digits only
    ("0.14285", F(1, 7), 4, -1, True),           # at least 4 figures, right once rounded to 4
    ("0.14295", F(1, 7), 4, -1, False),
    ("8.25", F(825, 100), 4, -1, False),         # too few figures
    ("-3.142", F(31415927, 10 ** 7), 4, 4, False),  # wrong sign
])
def test_stack_numsigfigs(answer, expected, n, m, ok):
    from dlcheck.engine.numeval import hp_value
    from dlcheck.parse.functions import student_functions
    from dlcheck.parse.safe import Parser

    given = hp_value(Parser({}, student_functions()).parse(answer))
    passed, why = sigfig_check(answer, given, expected, n, m)
    assert passed is ok, why
    assert passed or why


def test_rounding_is_half_up_and_exact():
    assert round_sig(F(4985, 10 ** 5), 3) == F(499, 10 ** 4)
    assert round_sig(F(145, 1000), 2) == F(15, 100)     # binary floats would give 0.14
    assert round_sig(F(-996, 1000), 2) == F(1)           # magnitude, carried to the next power


@pytest.mark.parametrize("given, ref, figures", [
    (F(594, 1000), F(594476, 10 ** 6), 3),
    (F(791, 1000), F(79182, 10 ** 5), 2),       # 0.791 vs 0.79182: 0.79 both, 0.791 vs 0.792
    (F(77, 1000), F(76614, 10 ** 6), 2),
    (F(-1, 1), F(1, 1), 0),
])
def test_correct_figures_are_counted(given, ref, figures):
    assert correct_figures(given, ref) == figures


# -- the bank: precision from the sheets and the pitfalls ---------------------------------------
SHEET_Q1 = {  # the series-1 student's own answers (decimal commas as written)
    "out_h1": "0.594", "out_h2": "0.596", "out_y1": "0.791", "out_y2": "0.802", "loss": "0,61075",
    "dE_dw5": "-0,0766", "dE_dw6": "-0,074", "dE_dw8": "-0,0742", "dE_db2": "-0,2535",
    "w5_new": "0,4383", "w6_new": "0,4870", "w8_new": "0,5871", "b2_new": "0,9267",
    "dE_dw1": "-0,001295", "dE_dw3": "-0,00259", "dE_dw2": "-0,001605", "dE_dw4": "-0,00321", "dE_db1": "-0,0580",
    "w1_new": "0,15", "w3_new": "0,25", "w2_new": "0,20", "w4_new": "0,30", "b1_new": "0,37",
}
CARRIED = "consistent-with-earlier-error"


def test_the_series_1_sheet_grades_as_a_marker_would():
    v = grade_answers("backprop/q1", SHEET_Q1)
    expected = {
        # 3 figures, and the drift of rounding the hidden outputs early, pass
        "out_h1": "correct", "out_h2": "correct", "out_y1": "correct", "out_y2": "correct",
        "loss": "incorrect",                                   # t2 misread as 0.02
        "dE_dw5": "incorrect", "dE_dw6": "incorrect", "dE_dw8": "incorrect", "dE_db2": "incorrect",
        # the update step done right on the student's own gradients
        "w5_new": CARRIED, "w6_new": CARRIED, "w8_new": CARRIED, "b2_new": CARRIED,
        # the hidden-layer gradients follow exactly from the student's own output deltas
        "dE_dw1": CARRIED, "dE_dw2": CARRIED, "dE_dw3": CARRIED, "dE_dw4": CARRIED, "dE_db1": CARRIED,
        "w1_new": "incorrect", "w2_new": "incorrect", "w3_new": "incorrect", "w4_new": "incorrect",
        "b1_new": "incorrect",
    }
    assert {p: v[p].status for p in expected} == expected
    assert v["dE_dw5"].detail.get("mistake") == "sign"
    for p in ("w1_new", "w2_new", "w3_new", "w4_new"):
        assert "before the update" in v[p].message, p
    # cited: only what each value rests on
    assert v["w5_new"].detail["carried_from"] == ["dE_dw5"]
    assert v["b2_new"].detail["carried_from"] == ["dE_db2"]
    assert v["dE_dw1"].detail["carried_from"] == ["dE_dw5", "dE_dw6"]


def test_b2_new_on_the_boundary_is_inside_in_exact_decimals():
    # 0.8 + 0.5*0.2535 = 0.92675 exactly; 0.9267 is exactly 5e-5 (the tolerance) away
    v = grade_answers("backprop/q1", {"dE_db2": "-0.2535", "b2_new": "0.9267"})
    assert v["b2_new"].status == CARRIED
    v = grade_answers("backprop/q1", {"dE_db2": "-0.2535", "b2_new": "0.92669"})
    assert v["b2_new"].status == "incorrect"


def test_a_sibling_repeating_the_same_slip_is_not_carried():
    v = grade_answers("backprop/q1", {"dE_dw6": "-0.074", "dE_dw8": "-0.0742"})
    assert v["dE_dw8"].status == "incorrect"


def test_climbing_the_gradient_is_found_with_a_looser_diagnosis_tolerance():
    # w7 + eta*dE_dw7 = 0.538424, rounded to 3 figures; outside the grading tolerance 5e-5
    v = grade_answers("backprop/q1", {"dE_dw7": "0.0769", "w7_new": "0.538"})["w7_new"]
    assert v.status == "incorrect" and "climbs the gradient" in v.message
    # an unchanged weight is named as such, not as a climb that happens to round alike
    v = grade_answers("backprop/q1", {"w1_new": "0.15"})["w1_new"]
    assert "w1 before the update" in v.message
    assert grade_answers("backprop/q1", {"w1_new": "0.1498"})["w1_new"].status == "correct"


@pytest.mark.parametrize("problem, part, answer", [
    ("backprop/q1", "out_h1", "0.594"),           # 0.594476 correctly rounded to 3 figures
    ("backprop/q1", "out_h1", "0.5945"),
    ("rnn/q2", "J", "1.76"),                      # 1.762202
    ("rnn/q3", "soft_output", "[5.71, 1.00, 1.90]"),
    ("backprop/q1", "dE_dw5", "0.0766"),
])
def test_three_significant_figures_pass(problem, part, answer):
    assert grade_answers(problem, {part: answer})[part].status == "correct"


def test_a_diagnosis_states_the_true_number_of_correct_figures():
    v = grade_answers("backprop/q1", {"out_h1": "0.59"})["out_h1"]
    assert v.status == "incorrect" and "right to 2 significant figures only" in v.message
    assert correct_figures(F(59, 100), F(594476, 10 ** 6)) == 2


def test_structural_entries_earn_no_credit():
    identity = "[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]"
    zero = "[[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]"
    for answer, name in ((identity, "identity"), (zero, "zero")):
        v = grade_answers("seq-models/q4", {"T": answer})["T"]
        assert v.status == "incorrect" and v.score == 0 and v.detail["diagnosis"] == name
    # one block right, the other the identity: half of the entries that carry information
    half = "[[-0.99, 0.1411, 0, 0], [-0.1411, -0.99, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]"
    v = grade_answers("seq-models/q4", {"T": half})["T"]
    assert v.status == "partial" and v.score == pytest.approx(0.5)


def test_seq_models_t_needs_four_decimals():
    good = "[[-0.9900, 0.1411, 0, 0], [-0.1411, -0.9900, 0, 0], [0, 0, 0.9996, 0.0300], [0, 0, -0.0300, 0.9996]]"
    assert grade_answers("seq-models/q4", {"T": good})["T"].status == "correct"


def test_sigfigs_in_a_part_tolerance(write):
    from dlcheck.check.registry import build_instance, read_spec_file
    from dlcheck.grade.run import grade_part

    path = write("p.yaml", """
        title: a number to 3 significant figures
        statement: Give sigmoid(0.3825) to 3 significant figures.
        given: {z: 0.3825}
        parts:
          s: {kind: number, prompt: sigmoid(z), answer: sigmoid(z), tolerance: {sigfigs: 3}}
          t: {kind: number, prompt: sigmoid(z), answer: sigmoid(z), tolerance: {sigfigs: [3, -1]}}
        """)
    inst = build_instance(read_spec_file(path, "p"))
    assert grade_part(inst, "s", "0.594", {}).status == "correct"
    v = grade_part(inst, "s", "0.5945", {})          # 4 figures written where 3 are asked for
    assert v.status == "incorrect" and v.message == "you wrote 4 significant figures; 3 are asked for"
    assert grade_part(inst, "s", "0.595", {}).status == "incorrect"
    assert grade_part(inst, "t", "0.59448", {}).status == "correct"   # at least 3, right once rounded
    bad = write("bad.yaml", path.read_text().replace("[3, -1]", "[3, -2]"))
    with pytest.raises(Exception, match="sigfigs"):
        read_spec_file(bad, "bad")


def test_an_unknown_function_in_a_bank_part_is_unreadable_with_a_suggestion():
    v = grade_answers("rnn-gradients/q1", {"dL_dht": "g*W*sigmod(U*x_next + W*h_t + b)"})["dL_dht"]
    assert v.status == "invalid" and "unknown function 'sigmod'; did you mean sigmoid" in v.message
    # a known symbol before a bracket is still a product
    v = grade_answers("seq-models/q2", {"yhat": "w(u2 + w(u1 + w(u0 + h0)))"})["yhat"]
    assert v.status == "correct"


def test_a_tolerance_decided_in_floats_agrees_with_exact_arithmetic():
    """``Tol.accepts`` settles clear cases with floats; every case it settles must be the exact answer,
    the boundary itself included (values on it, a hair inside, a hair outside, mpf references)."""
    import random

    import mpmath

    from dlcheck.check.tolerance import NOISE, Tol
    from dlcheck.engine.numeval import to_fraction

    rng = random.Random(12)
    settled = 0
    with mpmath.workdps(50):
        for _ in range(20000):
            tol = Tol(rtol=Fraction(rng.choice([0, 1, 5]), rng.choice([1000, 10 ** 5])),
                      atol=Fraction(rng.choice([0, 5]), 10 ** 5))
            ref = Fraction(rng.randint(-10 ** 6, 10 ** 6), 10 ** rng.randint(0, 8))
            bound = max(tol.atol, tol.rtol * abs(ref))
            given = rng.choice([ref + bound, ref - bound, ref + bound * Fraction(1 + 10 ** -15),
                                ref + bound * Fraction(rng.randint(-1100, 1100), 1000),
                                Fraction(rng.randint(-10 ** 6, 10 ** 6), 10 ** rng.randint(0, 8))])
            reference = mpmath.mpf(ref.numerator) / ref.denominator if rng.random() < 0.3 else ref
            fast = tol._clear_case(given, reference, NOISE)
            if fast is None:
                continue
            settled += 1
            exact_ref = ref if isinstance(reference, Fraction) else to_fraction(reference)
            slack = 0 if isinstance(reference, Fraction) else NOISE * max(abs(given), abs(exact_ref))
            assert fast == (abs(given - exact_ref) <= max(tol.atol, tol.rtol * abs(exact_ref)) + slack), \
                (given, reference, tol)
    assert settled > 5000  # the cases away from the bound never need the Fractions
