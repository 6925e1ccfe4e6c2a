"""One vocabulary of functions (issue 17): every spelling is read, in plain text and LaTeX alike,
and evaluated by the float and high-precision rules the same record gives."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp

from dlcheck.engine.numeval import hp_value, numeval
from dlcheck.parse.functions import student_functions, sympy_function
from dlcheck.parse.safe import Parser
from dlcheck.parse.vocabulary import LATEX_OPERATORS, VOCABULARY

x = sp.Symbol("x", real=True)


@pytest.fixture
def parse():
    return Parser({"x": x}, student_functions()).parse


def test_every_plain_spelling_that_latex_has_is_read_as_its_latex_twin(parse):
    for record in VOCABULARY:
        for spelling in record.all_spellings:
            if spelling in LATEX_OPERATORS:
                assert spelling in record.latex, f"\\{spelling} is LaTeX's, but not read as {record.name}"
                arg = "0.3, 0.7" if record.arity[0] == 2 else "0.3"
                assert parse(rf"\{spelling}({arg})") == parse(f"{spelling}({arg})")


@pytest.mark.parametrize("latex, plain", [
    (r"\sinh(x)", "sinh(x)"), (r"\cosh(x)", "cosh(x)"), (r"\arctan(x)", "atan(x)"), (r"\arcsin(x)", "asin(x)"),
    (r"\arccos(x)", "acos(x)"), (r"\operatorname{ReLU}(x)", "relu(x)"), (r"\exp(x)", "exp(x)"),
    (r"\ln(x)", "log(x)"), (r"\sigma(x)", "sigmoid(x)"), (r"\sec x", "sec(x)"), (r"\csc(x)", "csc(x)"),
    (r"\cot(x)", "cot(x)"), (r"\coth(x)", "coth(x)"), (r"\operatorname{sech}(x)", "sech(x)"),
    (r"\operatorname{arsinh}(x)", "asinh(x)"), (r"\mathrm{sgn}(x)", "sign(x)"), (r"\max(x, 1)", "max(x, 1)"),
])
def test_the_latex_spellings_are_read(parse, latex, plain):
    assert parse(latex) == parse(plain)


def test_every_function_in_the_vocabulary_is_read_under_operatorname(parse):
    for record in VOCABULARY:
        if record.name in ("softmax", "dsigmoid", "dtanh", "max", "min") or record.arity[0] != 1:
            continue
        arg = "2" if record.name in ("asec", "acsc", "acosh", "acoth") else "0.5"
        assert parse(rf"\operatorname{{{record.name}}}({arg})") == parse(f"{record.name}({arg})"), record.name


def test_each_evaluator_takes_its_rule_from_the_record():
    """The float rule and the high-precision rule of every record agree inside its domain."""
    for record in VOCABULARY:
        fn = sympy_function(record)
        if not (record.float_rule and record.hp and isinstance(fn, type)):
            continue
        args = (sp.Rational(3, 10), sp.Rational(7, 10)) if record.arity[0] == 2 else \
            (sp.Rational(1, 2) if record.name not in ("acosh", "asec", "acsc", "acoth") else sp.Integer(2),)
        expr = fn(*[a * x for a in args]) if record.arity[0] == 2 else fn(args[0] * x)
        quick = numeval(expr, {x: 1.0})
        exact = float(hp_value(expr, {x: Fraction(1)}))
        assert math.isclose(quick, exact, rel_tol=1e-12), record.name


def test_a_domain_is_checked_by_the_high_precision_rule():
    from dlcheck.core.errors import Undefined
    for record, outside in (("acosh", 0), ("asech", 2), ("acoth", Fraction(1, 2)), ("atanh", 1)):
        fn = getattr(sp, record)
        with pytest.raises(Undefined):
            hp_value(fn(x), {x: Fraction(outside)})
