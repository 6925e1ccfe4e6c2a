"""A Python value as the text a student would have typed: the API's answers take the typed path.

Nothing here evaluates anything. A value becomes text (numbers in full precision, lists
as ``[a, b]``, a sympy expression as it prints), and that text goes through the same
safe parser and the same time bound as an answer typed in a file. numpy, torch and sympy
are never imported here: an array is read through its own ``tolist()`` (or numpy's, only
when an object offers ``__array__`` alone, and numpy is then already loaded by whoever
made it).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dlcheck.core.errors import DlcheckError

MAX_ENTRIES = 100_000      # numbers in one answer (a matrix of a homework is tens of them)
MAX_DEPTH = 32             # nesting of lists
MAX_CHARS = 1_000_000      # typed text, as a file would hold it


class AnswerTypeError(DlcheckError):
    """An answer of a kind the API cannot turn into typed text."""


def answer_text(value: Any, where: str = "the answer") -> str | dict[str, str] | None:
    """``value`` as typed text (a mapping of field names for a construction part; None for no answer)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): _text(v, f"{where}[{k!r}]", 0, [0]) for k, v in value.items()}
    return _text(value, where, 0, [0])


def _text(value: Any, where: str, depth: int, count: list[int]) -> str:
    if depth > MAX_DEPTH:
        raise AnswerTypeError(f"{where} is nested more than {MAX_DEPTH} lists deep; give a vector or a matrix")
    if isinstance(value, str):
        if len(value) > MAX_CHARS:
            raise AnswerTypeError(f"{where} is {len(value):,} characters long; an answer is at most {MAX_CHARS:,}")
        return value
    count[0] += 1
    if count[0] > MAX_ENTRIES:
        raise AnswerTypeError(f"{where} has more than {MAX_ENTRIES:,} entries; give the homework's values")
    if isinstance(value, bool):
        raise AnswerTypeError(f"{where} is {value}, a truth value; give a number, a formula or text")
    if isinstance(value, int):
        return int.__repr__(int(value))
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, complex):
        raise AnswerTypeError(f"{where} is a complex number; dlcheck checks real values")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v, f"{where}[{k}]", depth + 1, count) for k, v in enumerate(value)) + "]"
    module = type(value).__module__.split(".")[0]
    if module == "sympy" and not hasattr(value, "tolist"):
        return _sympy_text(value)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars, torch tensors, ...
        return _text(value.tolist(), where, depth, count)
    if hasattr(value, "__array__") and "numpy" in sys.modules:
        import numpy  # lazy: already loaded by whoever made an array-like value

        return _text(numpy.asarray(value).tolist(), where, depth, count)
    if hasattr(value, "__float__") and not hasattr(value, "__len__"):
        return _float(float(value))
    raise AnswerTypeError(f"{where} is a {type(value).__name__}; give text, a number (int, float, Fraction, "
                          "Decimal), a list, an array or a sympy expression")


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float.__repr__(float(value))   # the shortest text that reads back as this float (numpy's float64
    # is a float whose own repr is "np.float64(...)")


def _decimal(value: Decimal) -> str:
    if value.is_nan():
        return "nan"
    if value.is_infinite():
        return "inf" if value > 0 else "-inf"
    return str(value).replace("E", "e")


def _sympy_text(value: Any) -> str:
    """A sympy object as text (its own printer: no evaluation of anything a student typed)."""
    from sympy.printing.str import sstr  # lazy: only a sympy value gets here, so sympy is loaded already

    return str(sstr(value, order=None))
