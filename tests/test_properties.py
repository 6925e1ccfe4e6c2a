"""Property-based tests (hypothesis, issue 12): whatever is typed, every step ends within its bound
with one of the documented outcomes and never raises anything else.

- the parser: arbitrary Unicode text, arbitrary brackets (deep, unbalanced, LaTeX braces),
  random expression trees from the answer grammar -> a sympy value or a ParseError;
- every comparer (number, vector, matrix, expression, choice, construction, essay) and
  ``compare``: random trees and text -> a verdict with a documented status, never an
  internal error and never a timeout (the deadline per example is the part bound);
- the YAML reader: random documents, answers-file-shaped ones, and random edits of them
  -> data or a DlcheckError with a message (and a position, when it is the file's).

The runs are derandomized (the same examples every time: CI stays reproducible) and sized
to keep the whole file to tens of seconds on a busy machine.
"""

from __future__ import annotations

import io
import signal
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from dlcheck.check.registry import get_instance, kind_of, parts_of
from dlcheck.core.errors import DlcheckError, ParseError
from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.yamlio import located_from_text
from dlcheck.grade.run import PART_SECONDS, check_and_diagnose, compare_texts
from dlcheck.parse.functions import student_functions
from dlcheck.parse.safe import Parser
from dlcheck.spec.answers import read_answers

BOUND = timedelta(seconds=PART_SECONDS)
QUICK = settings(max_examples=150, deadline=BOUND, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CHECKS = settings(QUICK, max_examples=60)
STATUSES = set(Status)


def documented(verdict: Verdict) -> bool:
    """A status with its meaning: ``undecided`` only as equivalence's "a person will check", never
    a timeout (the watchdog and the deadline see those here) or an internal error."""
    return (isinstance(verdict, Verdict) and verdict.status in STATUSES and "internal error" not in verdict.message
            and "took longer" not in verdict.message and "timed_out" not in verdict.detail)

PARTS = {  # one part of each kind, with the names it accepts
    "number": ("backprop/q1", "out_h1"), "vector": ("rnn/q2", "dJ3_dh1"), "matrix": ("rnn/q2", "dJ3_dWhh"),
    "expression": ("backprop/q2", "d_w1_11"), "choice": ("rnn/q1", "a"), "essay": ("rnn/q3", "why_not_argmax"),
    "formula matrix": ("seq-models/q4", "M"),
}
NAMES = sorted({n for pid, part in PARTS.values()
                for n in kind_of(get_instance(pid).spec.problem.parts[part]).names(get_instance(pid), part)})
FUNCTIONS = ["sigmoid", "sigmoid'", "σ", "tanh", "tanh'", "exp", "log", "sqrt", "sin", "cos", "softmax", "max", "abs"]


class Hung(Exception):
    pass


def bounded_call(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` in this process, stopped (and failed) if it runs far past the part bound."""
    def hang(signum: int, frame: Any) -> None:
        raise Hung(f"ran past {4 * PART_SECONDS:g} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, 4 * PART_SECONDS)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- strategies ----------------------------------------------------------------------------
numbers = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda f: f"{f:.6g}"),
    st.tuples(st.integers(-9, 9), st.integers(-5000, 5000)).map(lambda t: f"{t[0]}e{t[1]}"),
    st.sampled_from(["0", "0.5", "۰٫۵", "0,5", "1/3", "pi", "e", "inf", "nan", "1e400", "10^10^10"]),
)
leaves = st.one_of(numbers, st.sampled_from(NAMES))


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", "**", " ", "@"]), children)
        .map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, min_size=1, max_size=2))
        .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        children.map(lambda c: f"-{c}"),
        st.lists(children, min_size=1, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(children, st.integers(-20, 20)).map(lambda t: f"({t[0]})^{t[1]}"),
    )


expressions = st.recursive(leaves, _grow, max_leaves=25)
brackets = st.one_of(
    st.text(alphabet="()[]{}1x+-*^,$\\ ", max_size=400),
    st.tuples(st.sampled_from(["(", "[", "{", "sqrt(", "log(", "sigmoid'(", "\\frac{", "${", "\\left("]),
              st.integers(1, 3000), st.sampled_from(["1", "x1", "", "}{"])).map(lambda t: t[0] * t[1] + t[2]),
    st.tuples(st.integers(1, 400)).map(lambda t: "(" * t[0] + "1" + ")" * t[0]),
)
unicode_text = st.text(st.characters(exclude_categories=()), max_size=300)
anything = st.one_of(expressions, brackets, unicode_text)


# -- the parser ----------------------------------------------------------------------------------
def parse(text: str) -> None:
    try:
        bounded_call(Parser({n: __import__("sympy").Symbol(n) for n in NAMES}, student_functions()).parse, text)
    except ParseError as exc:
        assert str(exc).strip() and "\n" not in exc.message


@QUICK
@given(unicode_text)
def test_the_parser_on_arbitrary_unicode(text):
    parse(text)


@QUICK
@given(brackets)
def test_the_parser_on_arbitrary_brackets(text):
    parse(text)


@QUICK
@given(expressions)
def test_the_parser_on_random_expression_trees(text):
    parse(text)


# -- float evaluation ---------------------------------------------------------------------------
def _walked(expr: Any, env: dict) -> Any:
    """The tree walk numeval's compiled closures stand for, with numeval's mapping of failures."""
    from dlcheck.core.errors import Undefined
    from dlcheck.engine.numeval import _eval

    try:
        value = _eval(expr, env)
    except (ValueError, OverflowError, ZeroDivisionError):
        return Undefined
    if isinstance(value, complex) or value != value or value in (float("inf"), float("-inf")):
        return Undefined
    return value


@QUICK
@given(expressions)
def test_compiled_float_evaluation_agrees_with_the_tree_walk(text):
    import sympy as sp

    from dlcheck.core.errors import Undefined
    from dlcheck.engine.numeval import numeval

    symbols = {n: sp.Symbol(n, real=True) for n in NAMES}
    try:
        expr = bounded_call(Parser(symbols, student_functions()).parse, text)
    except ParseError:
        return
    if isinstance(expr, sp.MatrixBase):
        return
    for point in (0.5, -1.25, 3.0):
        env = {s: point * (k + 1) for k, s in enumerate(symbols.values())}
        try:
            got = numeval(expr, env)
        except Undefined:
            got = Undefined
        expected = _walked(expr, env)
        assert got == expected, (text, point)   # the same operations in the same order: the same float


# -- every comparer -----------------------------------------------------------------------
def check(kind: str, answer: Any) -> Verdict:
    pid, part = PARTS.get(kind, ("rnn-gradients/q5", "a"))
    verdict = bounded_call(check_and_diagnose, get_instance(pid), part, answer, {})
    assert documented(verdict), (verdict.status, verdict.message)
    return verdict


@pytest.mark.parametrize("kind", list(PARTS))
@CHECKS
@given(text=anything)
def test_every_comparer_gives_a_documented_verdict(kind, text):
    verdict = check(kind, text)
    if kind == "essay" and text.strip():
        assert verdict.status == Status.MANUAL


@CHECKS
@given(fields=st.dictionaries(st.sampled_from(["w1", "w2", "b2", "w3", "b3", "W", "x"]), anything, max_size=6))
def test_the_construction_comparer_gives_a_documented_verdict(fields):
    check("construction", fields)


@CHECKS
@given(expected=expressions, answer=anything)
def test_compare_gives_a_documented_verdict(expected, answer):
    verdict = bounded_call(compare_texts, expected, answer)
    assert documented(verdict), (verdict.status, verdict.message)


# -- the YAML reader ---------------------------------------------------------------------------
scalars = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=30), st.integers(),
                    st.floats(), st.booleans(), st.none())
documents = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), c, max_size=4)),
                         max_leaves=30)
problem_ids = st.sampled_from(["backprop/q1", "q1", "rnn/q1", "nope/q9", "../etc", ""])
part_ids = st.sampled_from([*parts_of("backprop/q1")[:5], "a", "b", "zz", "<<"])
answers_files = st.fixed_dictionaries(
    {"answers": st.dictionaries(problem_ids, st.one_of(st.none(), st.dictionaries(part_ids, documents, max_size=4)),
                                max_size=3)},
    optional={"set": st.one_of(st.sampled_from(["backprop", "rnn", "nope"]), documents), "student": documents})


def dump(doc: Any) -> str:
    buf = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.dump(doc, buf)
    return buf.getvalue()


@st.composite
def edited(draw: Any, texts: st.SearchStrategy[str]) -> str:
    """A YAML text with a few random edits: characters in, characters out, lines swapped."""
    text = draw(texts)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=5)) \
                + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 5)):]
    return text


def read(text: str) -> None:
    try:
        bounded_call(read_answers, "a.yaml", parts_of, text)
    except DlcheckError as exc:
        assert exc.message.strip() and exc.path == "a.yaml"
    try:
        bounded_call(located_from_text, text, "b.yaml")
    except DlcheckError as exc:
        assert exc.message.strip()


@QUICK
@given(documents.map(dump))
def test_the_yaml_reader_on_random_documents(text):
    read(text)


@QUICK
@given(edited(answers_files.map(dump)))
def test_the_yaml_reader_on_edited_answers_files(text):
    read(text)


@QUICK
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=500))
def test_the_yaml_reader_on_arbitrary_text(text):
    read(text)
