"""Each comparer on its own: tolerances, shapes, equivalence, choices, time bounds."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy as sp

from dlcheck.check.kinds.choice import parse_choice
from dlcheck.check.tolerance import Tol, round_sig
from dlcheck.core.errors import ParseError
from dlcheck.engine.bounded import Child, TimeLimit, bounded
from dlcheck.grade.run import compare_texts


class FakeTol:
    def __init__(self, **kw):
        from dlcheck.spec.model import Tolerance

        self.tolerance = Tolerance(**kw)


def test_no_tolerance_means_exactly_equal():
    tol = Tol()
    assert tol.is_exact and tol.accepts(Fraction(1, 2), Fraction(5, 10))
    assert not tol.accepts(Fraction(33, 100), Fraction(1, 3))   # 0.33 is not 1/3
    assert tol.accepts(0.0, 0.0)
    assert not tol.accepts(1e-6, 0.0)


def test_tolerance_boundary_is_inside_in_exact_decimals():
    # in binary floats 1.05 - 1 is 0.05000000000000004 and would fall outside
    assert Tol(atol=Fraction(5, 100)).accepts(Fraction(105, 100), 1)
    assert not Tol(atol=Fraction(5, 100)).accepts(Fraction(1050001, 1000000), 1)
    assert Tol(rtol=Fraction(1, 100)).accepts(Fraction(33, 100), Fraction(1, 3))  # the gap is exactly 1/300


def test_spec_tolerance_sets_only_what_it_names():
    tol = Tol.of(FakeTol(atol=5e-5))
    assert tol.accepts(0.1498, 0.149771)
    assert not tol.accepts(0.15, 0.149771)  # a default rtol of 1e-2 would have accepted it
    both = Tol.of(FakeTol(atol=1e-3, rtol=0.1))
    assert both.accepts(10.9, 10.0) and not both.accepts(11.5, 10.0)


def test_significant_figures_in_a_spec_are_stack_numsigfigs():
    tol = Tol.of(FakeTol(sigfigs=3))
    assert tol.sigfigs == (3, 3)
    assert Tol.of(FakeTol(sigfigs=[4, -1])).sigfigs == (4, -1)
    assert round_sig(Fraction(45865, 10 ** 8), 2) == Fraction(46, 100000)   # half up, exactly


@pytest.mark.parametrize("text, n, expected", [
    ("2", 3, {2}), ("[2, 3]", 3, {2, 3}), ("{3,2}", 3, {2, 3}), ("2 and 3", 3, {2, 3}),
    ("b", 3, {2}), ("۲", 3, {2}), ("2,3", 3, {2, 3}),
])
def test_parse_choice(text, n, expected):
    assert parse_choice(text, n) == frozenset(expected)


@pytest.mark.parametrize("text", ["5", "two", "", "[0]", "1" * 300])
def test_parse_choice_refuses(text):
    with pytest.raises(ParseError):
        parse_choice(text, 3)


@pytest.mark.parametrize("expected, answer, status", [
    ("x^2 - 1", "(x - 1)(x + 1)", "correct"),
    ("log(x^2)", "2 log(x)", "incorrect"),         # 2 log(x) has no value for x < 0, where log(x^2) has one
    ("log(x^2)", "2 log(abs(x))", "correct"),
    ("log(x^2)", "log(x)", "incorrect"),
    ("sin(x)^2 + cos(x)^2", "1", "correct"),
    ("exp(a + b)", "exp(a) exp(b)", "correct"),
    ("sigmoid(z)", "1/(1 + exp(-z))", "correct"),
    ("tanh(z)", "2 sigmoid(2z) - 1", "correct"),
    ("[x, 2x]", "[x, x + x]", "correct"),
    ("[x, 2x]", "[2x, x]", "incorrect"),
    ("[x, 2x]", "[x, 2x, 3x]", "incorrect"),        # a wrong shape is a wrong answer, not unreadable text
    ("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]", "correct"),
    ("[[1, 2], [3, 4]]", "[[1, 2, 3], [4, 5, 6]]", "incorrect"),
    ("x + 1e-12", "x", "incorrect"),               # exact: no tolerance unless one is asked for
    ("x + 1e-12", "x + 10^-12", "correct"),
])
def test_formula_equivalence(expected, answer, status):
    assert compare_texts(expected, answer).status == status


def test_formula_verdict_is_deterministic():
    runs = {compare_texts("x^3 - x", "x(x-1)(x+2)").message for _ in range(3)}
    assert len(runs) == 1


def test_bounded_returns_values_and_errors():
    assert bounded(sum, [1, 2, 3], seconds=5) == 6
    with pytest.raises(ZeroDivisionError):
        bounded(divmod, 1, 0, seconds=5)


def test_bounded_stops_a_hang():
    with pytest.raises(TimeLimit):
        bounded(time.sleep, 30, seconds=0.5)


def test_a_child_started_ahead_takes_its_call_later_within_its_bound():
    child = Child(prepare=lambda: None)
    assert child.call(divmod, 7, 2, seconds=5) == (3, 1) and child.pid is None   # reaped once it answered
    with pytest.raises(ZeroDivisionError):
        Child().call(divmod, 1, 0, seconds=5)
    late = Child()
    started = time.monotonic()
    with pytest.raises(TimeLimit):
        late.call(time.sleep, 30, seconds=0.5)
    assert time.monotonic() - started < 20 and late.pid is None


def _broken_import() -> None:
    raise ImportError("the checker could not be loaded")


def test_a_child_that_failed_before_its_call_still_says_why():
    """The child died preparing (a broken import) before the call was sent: the call cannot be written,
    and what the child sent before going is the answer, with its own traceback."""
    child = Child(prepare=_broken_import)
    time.sleep(0.5)  # long enough for the child to fail and exit
    with pytest.raises(ImportError, match="could not be loaded") as failure:
        child.call(divmod, 7, 2, seconds=5)
    assert "_broken_import" in failure.value.child_traceback and child.pid is None


def test_a_large_call_to_a_child_still_preparing_keeps_the_bound():
    """Sending counts against the bound: a call larger than a pipe holds, to a child that is slow to
    prepare, gives up at the bound instead of waiting for the child to read it."""
    child = Child(prepare=lambda: time.sleep(30))
    started = time.monotonic()
    with pytest.raises(TimeLimit):
        child.call(len, "x" * 1_000_000, seconds=1.0)
    assert time.monotonic() - started < 20 and child.pid is None


def test_bounded_stops_runaway_sympy():
    # expanding a huge power is exactly the kind of symbolic call that must be cut off
    x = sp.Symbol("x")
    with pytest.raises(TimeLimit):
        bounded(sp.expand, (x + 1) ** 4000 * (x - 1) ** 4000, seconds=0.5)


def test_grade_part_turns_a_hang_into_undecided(monkeypatch):
    import dlcheck.check.kinds.value as value
    from dlcheck.check.registry import get_instance
    from dlcheck.grade.run import grade_part

    inst = get_instance("backprop/q2")

    monkeypatch.setattr(value, "equivalent", lambda *a, **k: time.sleep(30))
    verdict = grade_part(inst, "d_z2_1", "v1*a2_1*(1-a2_1)", {}, seconds=0.5)
    assert verdict.status == "undecided" and "longer than 0.5 s" in verdict.message


@pytest.mark.parametrize("expected, answer", [
    ("x", "0*c/c"), ("x", "0/c"), ("x", "x + 0*sqrt(c)"), ("0", "0*log(c)"),
    ("x", "0.5\ntouch /tmp/dlcheck-hostile-0tuwru76/canary-ci-101"),   # found by the hostile corpus
])
def test_a_symbol_left_only_in_a_guard_is_sampled(expected, answer):
    """sympy cancels 0*c/c to 0, but the answer still needs c != 0 (its guard): c is a sampled symbol,
    never an unknown one (this was an internal error)."""
    verdict = compare_texts(expected, answer)
    assert verdict.status == "incorrect" and "dlcheck failed" not in verdict.message


def test_no_slip_is_named_that_changes_nothing():
    """The negative of 0 is 0: an answer that differs from 0 is not 'a sign error' (the same rule skips
    the transpose of a symmetric matrix)."""
    zero = compare_texts("0", "0*log(c)")
    assert zero.status == "incorrect" and "sign error" not in zero.message and "no real value" in zero.message


def test_the_references_own_literals_set_the_precision():
    """x + 1e-300 is not x: the reference is a node of the instance's graph, and its literal digits
    count for the working precision as the answer's do (it was 'equivalent' one way round only)."""
    from dlcheck.grade.reveal import hidden

    for expected, answer in (("x + 1e-300", "x"), ("x", "x + 1e-300")):
        assert compare_texts(expected, answer).status == "incorrect"
    close = compare_texts("x + log(1 + 1e-300)", "x")
    assert "yours is smaller than the expected value by about 1e-300" in close.message
    assert "to 16 digits" in close.message and "to 16 digits" not in hidden(close).message
    assert compare_texts("log(1 + 1e-300)", "0").status == "incorrect"
    acosh = compare_texts("acosh(1 + 1e-300)", "0")   # at 50 digits the argument rounds to just below 1
    assert acosh.status == "incorrect" and "1.41e-150" in acosh.message


def test_a_huge_value_does_not_hide_a_difference():
    """exp(300) + x is not exp(300): the precision grows with the size of the values (it was
    'equivalent'), and values beyond a float are shown in full, not as inf."""
    hidden_x = compare_texts("exp(300)", "exp(300) + x")
    assert hidden_x.status == "incorrect" and "e+130 to 16 digits" in hidden_x.message
    assert compare_texts("exp(300)*(1 + x)", "exp(300) + x*exp(300)").status == "correct"
    beyond = compare_texts("(1e308)^2", "x")
    assert beyond.status == "incorrect" and "expected 1.0e+616" in beyond.message and "inf" not in beyond.message


@pytest.mark.parametrize("option, value, said", [
    ("atol", "inf", "finite number"), ("rtol", "-inf", "finite number"), ("atol", "inf/inf", "finite number"),
    ("rtol", "1e999", "out of range"), ("atol", "1e300/1e-300", "out of range"),
    ("rtol", "1e-999999999", "out of range"),   # read before 10^999999999 is built: no hang
    ("atol", "1/0", "divides by zero"),
])
def test_a_tolerance_no_float_can_hold_is_refused_in_one_line(option, value, said):
    from dlcheck.check.tolerance import read_options

    with pytest.raises(ParseError, match=said):
        read_options(**{option: value})


def test_compare_texts_may_use_any_name():
    """'answer' is a symbol like any other (the one part is then named differently), LaTeX names count,
    and a factor a hair from 1 is printed so that it is not 1 (found by fuzzing compare)."""
    assert compare_texts("answer", "1").status == "incorrect"
    assert compare_texts("answer*2", "2*answer").status == "correct"
    assert compare_texts("a/b", "\\frac{a}{b}").status == "correct"
    assert compare_texts("\\frac{a}{b}", "1").status == "incorrect"
    assert "constant factor of 1.0001" in compare_texts("x", "x*1.0001").message


def test_an_answer_beyond_a_float_is_not_called_valueless():
    """2*(x - 1e308) overflows a float everywhere, but it has a value: it is compared in high precision
    (it was 'your formula has no real value at any sample point')."""
    doubled = compare_texts("x - 1e308", "2*(x - 1e308)")
    assert doubled.status == "incorrect" and "no real value" not in doubled.message
    assert "yours is -2.0e+308" in doubled.message
    assert compare_texts("x - 1e308", "x - 10^308").status == "correct"


def test_a_cancelled_difference_is_looked_at_with_more_digits():
    """1 - sigmoid(100) is about 3.7e-44: at 30 digits it cancels to 0 and its log looked undefined
    ('expected has no finite real value'); the log of a computed 0 is computed again with more digits."""
    assert compare_texts("log(1 - sigmoid(100))", "-100", rtol="1e-6").status == "correct"
    assert compare_texts("-200", "log(1 - sigmoid(200))", rtol="1e-6").status == "correct"
    assert compare_texts("log(1 - sigmoid(z))", "-z - log(1 + exp(-z))").status == "correct"
    assert compare_texts("x", "log(x - x)").status == "invalid"   # an exact 0 is no cancellation
