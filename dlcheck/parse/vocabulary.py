"""The one vocabulary of functions a person may type: one record per function.

Each record says how a student spells it (``asin``, ``arcsin``), how LaTeX spells it
(``\\arcsin``, ``\\operatorname{arsinh}``), how many arguments it takes, which sympy function
its value is built of, its float rule (for the quick look), its high-precision rule with its
real domain (for verdicts), the function its prime is (``sigmoid'`` is ``dsigmoid``) and how
a worked solution prints it. The parser (:mod:`dlcheck.parse.functions`, ``text``, ``safe``),
the LaTeX reader (``latex``), the evaluators (:mod:`dlcheck.engine.numeval`) and equivalence
take what they need from here, so a function added once is read, evaluated and compared
everywhere.

This module is light on purpose (no sympy, no mpmath): the LaTeX reader imports it. The
sympy objects and mpmath functions are named here and looked up by the layers that load them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

# LaTeX's own operator commands (the ones a LaTeX document can write as \name without
# \operatorname): a function in the vocabulary whose plain spelling is one of these must be
# read from LaTeX under that command too (tests/test_vocabulary.py checks it).
LATEX_OPERATORS = frozenset({"arccos", "arcsin", "arctan", "cos", "cosh", "cot", "coth", "csc", "exp", "ln", "log",
                             "max", "min", "sec", "sin", "sinh", "tan", "tanh"})


@dataclass(frozen=True)
class Domain:
    """Where a function has a real value, as a test on an exact (Fraction) or mpmath argument."""

    test: Callable[[Any], bool]
    words: str           # "-1 <= x <= 1": the sentence an Undefined carries


@dataclass(frozen=True)
class Function:
    """One function a student may type.

    ``sympy`` names the sympy function its value is built of (``"asin"`` is ``sympy.asin``), or
    ``""`` when :mod:`dlcheck.parse.functions` builds it itself (``builder`` names that
    builder). ``hp`` is the high-precision rule: ``("real", mpmath name)`` (a function with
    a value wherever ``domain`` holds), ``("pole", numerator, denominator)`` (a ratio of mpmath
    functions, undefined where the denominator vanishes) or ``("own", key)`` for a rule
    :mod:`dlcheck.engine.numeval` writes out (exp, log, sigmoid ...).
    """

    name: str
    spellings: tuple[str, ...] = ()        # other plain spellings (arcsin for asin)
    latex: tuple[str, ...] = ()            # LaTeX commands (\\arcsin) read as this function
    arity: tuple[int, int] = (1, 1)        # fewest and most arguments
    sympy: str = ""
    builder: str = ""
    float_rule: Callable[..., float] | None = None
    hp: tuple[str, ...] = ()
    domain: Domain | None = None
    limit: int | None = None               # |argument| beyond which no value is computed (overflow)
    derivative: str = ""                   # its prime: sigmoid' is dsigmoid
    prints: str = ""                       # how a worked solution prints it, when not its name
    piecewise: bool = False                # a jump or a kink: equivalence looks at special points
    partial: bool = False                  # no real value somewhere (a guard when simplified away)
    entrywise: bool = True                 # applied entry by entry to a vector or matrix
    spec_only: bool = False                # only problem authors may use it

    @property
    def all_spellings(self) -> tuple[str, ...]:
        return (self.name, *self.spellings)


def _ratio(f: Callable[[float], float], g: Callable[[float], float]) -> Callable[[float], float]:
    return lambda x: f(x) / g(x)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _acot(x: float) -> float:
    return math.atan(1 / x) if x else math.pi / 2


def _factorial(x: float) -> float:
    if x < 0 and x == int(x):
        raise ValueError("factorial of a negative whole number")
    return math.gamma(x + 1)


def _binomial(n: float, k: float) -> float:
    return _factorial(n) / (_factorial(k) * _factorial(n - k))


def _atan2(y: float, x: float) -> float:
    if x == 0 and y == 0:
        raise ValueError("atan2(0, 0) has no value")
    return math.atan2(y, x)


_UNIT = Domain(lambda x: abs(x) <= 1, "-1 <= x <= 1")
_OUTSIDE_UNIT = Domain(lambda x: abs(x) >= 1, "|x| >= 1")
_NONZERO = Domain(lambda x: x != 0, "x != 0")
_NOT_NEGATIVE_WHOLE = Domain(lambda x: not (x < 0 and x == int(x)), "x is not a negative whole number")
_TRIG_HUGE = 10 ** 60    # |argument| above which sin/cos lose every digit
_HUGE = 10 ** 18         # |argument| above which exp/sinh/cosh overflow

VOCABULARY: tuple[Function, ...] = (
    Function("sigmoid", latex=("sigmoid", "sigma"), builder="sigmoid", float_rule=_sigmoid, hp=("own", "sigmoid"),
             derivative="dsigmoid", prints="σ"),
    Function("dsigmoid", builder="dsigmoid"),
    Function("exp", latex=("exp",), sympy="exp", builder="exp", float_rule=math.exp, hp=("own", "exp")),
    Function("log", spellings=("ln",), latex=("log", "ln"), arity=(1, 2), sympy="log", builder="log",
             float_rule=math.log, hp=("own", "log"), partial=True),
    Function("log10", builder="log10"),
    Function("log2", builder="log2"),
    Function("sqrt", sympy="sqrt"),
    Function("tanh", latex=("tanh",), sympy="tanh", float_rule=math.tanh, hp=("real", "tanh"), derivative="dtanh"),
    Function("dtanh", builder="dtanh"),
    Function("relu", spellings=("ReLU", "Relu", "RELU"), latex=("relu", "ReLU"), builder="relu"),
    Function("abs", latex=("abs",), sympy="Abs", float_rule=abs, hp=("own", "abs"), piecewise=True),
    Function("sign", spellings=("sgn",), latex=("sgn", "sign"), sympy="sign",
             float_rule=lambda x: float((x > 0) - (x < 0)), hp=("own", "sign"), piecewise=True),
    Function("floor", sympy="floor", latex=("floor",), float_rule=math.floor, hp=("own", "floor"), piecewise=True),
    Function("ceil", spellings=("ceiling",), latex=("ceil",), sympy="ceiling", float_rule=math.ceil,
             hp=("own", "ceiling"), piecewise=True),
    Function("sin", latex=("sin",), sympy="sin", float_rule=math.sin, hp=("real", "sin"), limit=_TRIG_HUGE),
    Function("cos", latex=("cos",), sympy="cos", float_rule=math.cos, hp=("real", "cos"), limit=_TRIG_HUGE),
    Function("tan", latex=("tan",), sympy="tan", float_rule=math.tan, hp=("pole", "sin", "cos"), partial=True),
    Function("sec", latex=("sec",), sympy="sec", float_rule=_ratio(lambda x: 1.0, math.cos), hp=("pole", "one", "cos"),
             partial=True),
    Function("csc", latex=("csc",), sympy="csc", float_rule=_ratio(lambda x: 1.0, math.sin), hp=("pole", "one", "sin"),
             partial=True),
    Function("cot", latex=("cot",), sympy="cot", float_rule=_ratio(math.cos, math.sin), hp=("pole", "cos", "sin"),
             partial=True),
    Function("asin", spellings=("arcsin",), latex=("arcsin",), sympy="asin", float_rule=math.asin,
             hp=("real", "asin"), domain=_UNIT, partial=True),
    Function("acos", spellings=("arccos",), latex=("arccos",), sympy="acos", float_rule=math.acos,
             hp=("real", "acos"), domain=_UNIT, partial=True),
    Function("atan", spellings=("arctan",), latex=("arctan",), sympy="atan", float_rule=math.atan, hp=("real", "atan")),
    Function("asec", spellings=("arcsec",), latex=("arcsec",), sympy="asec", float_rule=lambda x: math.acos(1 / x),
             hp=("real", "asec"), domain=_OUTSIDE_UNIT, partial=True),
    Function("acsc", spellings=("arccsc",), latex=("arccsc",), sympy="acsc", float_rule=lambda x: math.asin(1 / x),
             hp=("real", "acsc"), domain=_OUTSIDE_UNIT, partial=True),
    Function("acot", spellings=("arccot",), latex=("arccot",), sympy="acot", float_rule=_acot, hp=("real", "acot")),
    Function("atan2", spellings=("arctan2",), latex=("atan2", "arctan2"), arity=(2, 2), sympy="atan2",
             float_rule=_atan2, hp=("own", "atan2"), entrywise=False, partial=True),
    Function("sinh", latex=("sinh",), sympy="sinh", float_rule=math.sinh, hp=("real", "sinh"), limit=_HUGE),
    Function("cosh", latex=("cosh",), sympy="cosh", float_rule=math.cosh, hp=("real", "cosh"), limit=_HUGE),
    Function("sech", latex=("sech",), sympy="sech", float_rule=lambda x: 1.0 / math.cosh(x), hp=("real", "sech")),
    Function("csch", latex=("csch",), sympy="csch", float_rule=lambda x: 1.0 / math.sinh(x),
             hp=("pole", "one", "sinh"), partial=True),
    Function("coth", latex=("coth",), sympy="coth", float_rule=_ratio(math.cosh, math.sinh),
             hp=("pole", "cosh", "sinh"), partial=True),
    Function("asinh", spellings=("arcsinh", "arsinh"), latex=("arcsinh", "arsinh"), sympy="asinh",
             float_rule=math.asinh, hp=("real", "asinh")),
    Function("acosh", spellings=("arccosh", "arcosh"), latex=("arccosh", "arcosh"), sympy="acosh",
             float_rule=math.acosh, hp=("real", "acosh"), domain=Domain(lambda x: x >= 1, "x >= 1"), partial=True),
    Function("atanh", spellings=("arctanh", "artanh"), latex=("arctanh", "artanh"), sympy="atanh",
             float_rule=math.atanh, hp=("real", "atanh"), domain=Domain(lambda x: abs(x) < 1, "-1 < x < 1"),
             partial=True),
    Function("asech", spellings=("arcsech", "arsech"), latex=("arcsech", "arsech"), sympy="asech",
             float_rule=lambda x: math.acosh(1 / x), hp=("real", "asech"),
             domain=Domain(lambda x: 0 < x <= 1, "0 < x <= 1"), partial=True),
    Function("acsch", spellings=("arccsch", "arcsch"), latex=("arccsch", "arcsch"), sympy="acsch",
             float_rule=lambda x: math.asinh(1 / x), hp=("real", "acsch"), domain=_NONZERO, partial=True),
    Function("acoth", spellings=("arccoth", "arcoth"), latex=("arccoth", "arcoth"), sympy="acoth",
             float_rule=lambda x: math.atanh(1 / x), hp=("real", "acoth"),
             domain=Domain(lambda x: abs(x) > 1, "|x| > 1"), partial=True),
    Function("factorial", latex=("factorial",), sympy="factorial", builder="factorial", float_rule=_factorial,
             hp=("real", "factorial"), domain=_NOT_NEGATIVE_WHOLE, limit=10 ** 6, partial=True),
    Function("binomial", spellings=("binom", "choose"), latex=("binom",), arity=(2, 2), sympy="binomial",
             float_rule=_binomial, hp=("own", "binomial"), entrywise=False),
    Function("transpose", builder="transpose", entrywise=False),
    Function("softmax", latex=("softmax",), builder="softmax", entrywise=False),
    Function("max", latex=("max",), arity=(1, 99), builder="max", entrywise=False, piecewise=True),
    Function("min", latex=("min",), arity=(1, 99), builder="min", entrywise=False, piecewise=True),
)


@cache
def by_spelling() -> dict[str, Function]:
    """Every plain spelling -> its record."""
    return {spelling: f for f in VOCABULARY for spelling in f.all_spellings}


@cache
def latex_names() -> dict[str, str]:
    """Every LaTeX command (without its backslash) -> the plain name it is read as."""
    out = {cmd: f.name for f in VOCABULARY for cmd in f.latex}
    out["ln"] = "log"
    return out


@cache
def operator_names() -> dict[str, str]:
    """``\\operatorname{...}`` / ``\\mathrm{...}`` words -> plain names: every spelling and LaTeX name,
    in any case where that is unambiguous (``ReLU``, ``Sech``)."""
    out: dict[str, str] = {}
    for f in VOCABULARY:
        for word in (*f.all_spellings, *f.latex):
            out.setdefault(word, f.name)
            out.setdefault(word.lower(), f.name)
    return out


def lookup(name: str) -> Function | None:
    return by_spelling().get(name)
