"""Fast float evaluation of the sympy trees the safe parser builds.

Equivalence is decided by evaluating both sides at many points; doing that through
sympy's ``subs``/``evalf`` costs a millisecond a call. This walker evaluates the small
set of node types the parser can produce with Python floats, and falls back to
``evalf`` for anything else. It generates no code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.parse.functions import sigmoid

__all__ = ["Undefined", "UnknownSymbol", "numeval", "numeval_any"]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


_FUNCS: dict[Any, Callable[[float], float]] = {sp.exp: math.exp, sp.log: math.log, sp.sin: math.sin, sp.cos: math.cos,
          sp.tan: math.tan, sp.tanh: math.tanh, sigmoid: _sigmoid, sp.Abs: abs}


def numeval(expr: Any, env: Mapping[sp.Symbol, float]) -> float:
    """Value of a scalar sympy expression, with ``env`` giving every free symbol.

    Raises :class:`Undefined` where the expression has no finite real value and
    :class:`UnknownSymbol` when ``env`` lacks one of its symbols.
    """
    try:
        value = _eval(expr, env)
    except (ValueError, OverflowError, ZeroDivisionError):
        raise Undefined("no real value here") from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise Undefined("no real value here")
    return value


def _eval(e: Any, env: Mapping[sp.Symbol, float]) -> float:
    if e.is_Symbol:
        try:
            return env[e]
        except KeyError:
            raise UnknownSymbol(e.name) from None
    if e.is_Number or e.is_NumberSymbol:
        return float(e)
    if e.is_Add:
        return math.fsum(_eval(a, env) for a in e.args)
    if e.is_Mul:
        out = 1.0
        for a in e.args:
            out *= _eval(a, env)
        return out
    if e.is_Pow:
        base, exp = _eval(e.args[0], env), _eval(e.args[1], env)
        if base < 0 and not float(exp).is_integer():
            raise ValueError("fractional power of a negative number")
        return float(base ** exp)
    fn = _FUNCS.get(e.func)
    if fn is not None:
        return fn(_eval(e.args[0], env))
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [_eval(a, env) for a in e.args]
        return max(vals) if isinstance(e, sp.Max) else min(vals)
    sub = {s: sp.Float(_eval(s, env)) for s in e.free_symbols}
    value = complex(e.xreplace(sub).evalf())
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise ValueError("complex value")
    return value.real


def numeval_any(value: Any, env: Mapping[sp.Symbol, float]) -> Any:
    """Like :func:`numeval`, entry by entry for a Matrix (returns nested lists)."""
    if isinstance(value, sp.MatrixBase):
        return [[numeval(value[i, j], env) for j in range(value.cols)] for i in range(value.rows)]
    return numeval(value, env)
