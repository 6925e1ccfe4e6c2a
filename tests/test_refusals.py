"""Cheap refusals (issue 12): what would cost a full time bound, or end in an internal error, is
refused before any evaluation, as ``invalid`` with a sentence saying what is wrong.

Each case is checked twice: the parser refuses it (nothing is built on it), and grading it
gives ``invalid`` with that sentence — never ``undecided`` (a timeout) or an internal error.
"""

from __future__ import annotations

import pytest
import sympy as sp

from dlcheck.check.kinds.choice import parse_choice
from dlcheck.check.registry import get_instance
from dlcheck.cli import app
from dlcheck.core.errors import ParseError
from dlcheck.grade.run import grade_part
from dlcheck.parse.functions import student_functions
from dlcheck.parse.safe import Parser

x, a = sp.symbols("x a")
KNOWN = {"x": x, "w_k": a, "phi": a}


def parser() -> Parser:
    return Parser(KNOWN, student_functions())


REFUSED = [
    # a power of a product: sympy would spread it and hold 10^300000
    ("(pi*10^300)^1000", "would need about 300,000 digits"),
    ("(x*10^300)^1000", "would need about 300,000 digits"),
    ("(1+1/10^50)^1000", "would need about 50,000 digits"),
    ("(1+1/10^59)^1000", "would need about 59,000 digits"),
    # towers
    ("2^2^2^2^2^2", "too large"),
    ("2^65536", "too large"),
    ("((((2^999)^2)^2)^2)^2", "too large"),
    ("exp(exp(exp(exp(9))))", "far beyond 10^4000"),
    ("exp(exp(exp(9)))", "far beyond 10^4000"),
    ("exp(-exp(exp(9)))", "far below 10^-4000"),
    ("10^3000*10^3000", "would need about 6,000 digits"),
    ("1e-9999999", "out of range"),
    # nested functions
    ("sigmoid'(" * 100 + "x" + ")" * 100, "functions nested more than 10 deep"),
    ("log(" * 60 + "2" + ")" * 60, "functions nested more than 10 deep"),
    ("tanh'(" * 120 + "1" + ")" * 120, "functions nested more than 10 deep"),
    # matrices
    ("(([[10^300, 1], [1, 1]]^16)^16)^16", "digits to write exactly"),
    ("((([[10^59, 10^59], [10^59, 10^59]]^16)^16)^16)^16", "digits to write exactly"),
    ("(([[cos(w_k*phi), sin(w_k*phi)], [-sin(w_k*phi), cos(w_k*phi)]]^16)^16)^16", "matrix of formulas is too large"),
    ("[[[1, 2]], [[3, 4]]]", "a list nested three deep"),
    ("[[[-0.98999, 0.14112], [0, 0]], [[1, 0], [0, 1]]]", "a list nested three deep"),
    ("[[[1]]]", "a list nested three deep"),
    # LaTeX
    ("\\sqrt[", "\\sqrt[ is never closed"),
    ("\\sqrt[3", "\\sqrt[ is never closed"),
    ("\\sqrt[3{8}", "\\sqrt[ is never closed"),
    ("\\sqrt[x]{8}", "must be a whole number"),
    ("\\begin{bmatrix} \\sqrt[3 & 1 \\end{bmatrix}", "never closed"),
]


@pytest.mark.parametrize("text, words", REFUSED)
def test_the_parser_refuses_before_evaluating(text, words):
    with pytest.raises(ParseError) as caught:
        parser().parse(text)
    assert words in str(caught.value)


def test_what_is_not_too_large_is_still_read():
    p = parser()
    assert p.parse("2^10000") == sp.Integer(2) ** 10000          # 3011 digits: read exactly
    assert p.parse("[[1, 2], [3, 4]]^16") == sp.Matrix([[1, 2], [3, 4]]) ** 16
    assert p.parse("[[cos(phi), sin(phi)], [-sin(phi), cos(phi)]]^4").shape == (2, 2)
    assert p.parse("exp(exp(5))") == sp.exp(sp.exp(5))          # about 10^64
    assert p.parse("sigmoid(sigmoid(sigmoid(x)))") is not None
    assert p.parse("(1 + 1/10^3)^100") == sp.Rational(1001, 1000) ** 100


@pytest.mark.parametrize("pid, part, answer, words", [
    ("backprop/q1", "out_h1", "(pi*10^300)^1000", "digits to write exactly"),
    ("backprop/q1", "out_h1", "2^2^2^2^2^2", "too large"),
    ("backprop/q1", "out_h1", "exp(exp(exp(exp(9))))", "too large to be an answer"),
    ("backprop/q1", "out_h1", "(1+1/10^50)^1000", "digits to write exactly"),
    ("backprop/q1", "out_h1", "sigmoid'(" * 100 + "1" + ")" * 100, "nested"),
    ("backprop/q1", "out_h1", "log(" * 60 + "2" + ")" * 60, "nested"),
    ("backprop/q1", "out_h1", "\\sqrt[3", "never closed"),
    ("rnn/q2", "dJ3_dWhh", "((([[10^59, 10^59], [10^59, 10^59]]^16)^16)^16)^16", "digits"),
    ("rnn/q2", "dJ3_dWhh", "[[[1, 2]], [[3, 4]]]", "nested three deep"),
    ("seq-models/q4", "T", "[[[-0.98999, 0.14112], [0, 0]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]]",
     "nested three deep"),
    ("rnn/q1", "a", "①", "is not an option number"),
    ("rnn/q1", "a", "2²", "is not an option number"),
    ("rnn/q1", "a", "₃", "is not an option number"),
    ("rnn/q1", "a", " " * 100_000 + "2", "too long for a choice"),
])
def test_grading_them_is_invalid_with_a_sentence(pid, part, answer, words):
    verdict = grade_part(get_instance(pid), part, answer, {})
    assert verdict.status == "invalid" and words in verdict.message, verdict.message


@pytest.mark.parametrize("weight, words", [
    ("sqrt(-1)", "w1 has no real value"), ("log(-1)", "w1 has no real value"), ("(-1)^0.5", "w1 has no real value"),
    ("exp(exp(exp(exp(9))))", "too large to be an answer"), ("exp(exp(exp(10)))", "too large to be an answer"),
    ("1e-9999999", "out of range"), ("[[[-1, -1]]]", "nested three deep"),
])
def test_a_construction_field_with_no_real_value_or_too_large_is_invalid(weight, words):
    answer = {"w1": weight, "w2": "1", "b2": "0.5", "w3": "-1", "b3": "0.5"}
    verdict = grade_part(get_instance("rnn-gradients/q5"), "a", answer, {})
    assert verdict.status == "invalid" and words in verdict.message, verdict.message


def test_a_construction_matrix_nested_too_deep_is_not_right():
    answer = {"W": "[[[-1, -1]], [[1, 1]]]", "b": "[0.5, -1.5]", "v": "[1, 1]", "r": "1", "c": "-1.5"}
    verdict = grade_part(get_instance("rnn-gradients/q5"), "b", answer, {})
    assert verdict.status == "invalid" and "nested three deep" in verdict.message


@pytest.mark.parametrize("answer, words", [
    ("1e400", "off by about 10^400"), ("-1e400", "off by about 10^400"), ("exp(1000)", "off by about 10^434"),
    ("1/sigmoid(-10^3)", "off by about 10^434"), ("2^10000", "off by about 10^3010"),
])
def test_numbers_past_the_largest_double_are_read_exactly_and_wrong(answer, words):
    verdict = grade_part(get_instance("backprop/q1"), "out_h1", answer, {})
    assert verdict.status == "incorrect" and words in verdict.message, verdict.message


@pytest.mark.parametrize("expected, answer, words", [
    ("1e-999", "0", "off by about 10^-999 (100%)"), ("10^1001", "1", "off by about 10^1001 (100%)"),
    ("0", "1e-999", "off by about 10^-999;"), ("0", "0.2", "off by 0.2;"),
])
def test_a_gap_no_double_holds_is_shown_by_its_size(runner, expected, answer, words):
    """Never "off by 0" or "off by inf", and no percentage of 0."""
    result = runner.invoke(app, ["compare", expected, answer])
    assert result.exit_code == 1 and words in result.output, result.output


def test_choices_read_ascii_and_persian_digits_only():
    assert parse_choice("[1, 3]", 3) == {1, 3}
    assert parse_choice("۲", 3) == {2}
    for text in ("①", "2²", "₃", "²"):
        with pytest.raises(ParseError, match="is not an option number"):
            parse_choice(text, 3)


def test_a_choice_error_quotes_the_text_as_typed():
    with pytest.raises(ParseError, match="'Two' is not an option number"):
        parse_choice("Two", 3)
    assert parse_choice("B AND c", 3) == {2, 3}


def test_compare_on_nested_latex_braces_is_invalid(runner):
    for answer in ("$" + "{" * 998 + "1" + "}" * 998 + "$", "${{{{" * 300 + "x" + "}}}}" * 300 + "$"):
        result = runner.invoke(app, ["compare", "x", answer])
        assert result.exit_code == 2 and "invalid" in result.output and "internal error" not in result.output
