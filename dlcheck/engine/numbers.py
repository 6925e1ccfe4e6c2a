"""Exact numbers without sympy: a value as a Fraction, or as a float for showing it.

The engine's high-precision values are mpmath's (sympy's own): an mpf is taken apart exactly
(mpmath is loaded only when one is met). The numeric path (``check/fast.py``) has only Fractions.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from dlcheck.core.errors import Undefined

Num = Any  # Fraction | int | float | mpmath.mpf


class Inexact(Fraction):
    """A value known only to working precision (an end of the numeric path's interval around an mpf): it
    computes as the Fraction it is, and a tolerance compares it with the slack it gives an mpf."""

    inexact = True

    def __reduce__(self) -> tuple:
        return (Inexact, (self.numerator, self.denominator))


def is_exact(x: Any) -> bool:
    """A Fraction that is the value itself (not an Inexact stand-in for an mpf)."""
    return isinstance(x, Fraction) and not getattr(x, "inexact", False)


def digits(n: int) -> int:
    """An upper bound on the decimal digits of ``n`` (from its bit length: str() of a huge int raises)."""
    return n.bit_length() * 30103 // 100000 + 1


def to_float(x: Num) -> float:
    """A number as a float for showing it; beyond the largest double (exact numbers may be), +-inf."""
    exact = to_fraction(x)
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def to_fraction(x: Num) -> Fraction:
    """The exact rational value of a Fraction, an int, a float or an mpf (binary fractions are exact)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        return Fraction(x)
    sign, man, exp, _ = (x if hasattr(x, "_mpf_") else _mpf(x))._mpf_
    if not man and exp:  # inf or nan
        raise Undefined("not a finite number")
    value = Fraction(int(man) << int(exp)) if exp >= 0 else Fraction(int(man), 1 << int(-exp))
    return -value if sign else value


def _mpf(x: Any) -> Any:
    import mpmath  # lazy: only a value that is neither a Fraction nor an mpf already needs it

    return mpmath.mp.mpf(x)
