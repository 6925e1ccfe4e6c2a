"""Scalars, vectors and matrices as one shape: a grid of rows; fitting an answer to a reference."""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any

from dlcheck.check.tolerance import NOISE, Tol


def is_matrix(value: Any) -> bool:
    """A sympy Matrix (never one when sympy is not even loaded: the numeric path's values are lists)."""
    sp = sys.modules.get("sympy")
    return sp is not None and isinstance(value, sp.MatrixBase)


def as_grid(value: Any) -> list[list[Any]]:
    """A scalar, a flat list, nested lists or a sympy Matrix as a list of rows."""
    if isinstance(value, list):
        return value if value and isinstance(value[0], list) else [[v] for v in value]
    if is_matrix(value):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    return [[value]]


def cells(value: Any) -> list[Any]:
    return [x for row in as_grid(value) for x in row]


def fit_shape(student: Any, ref: Any, kind: str) -> tuple[Any, str | None]:
    """The student's value reshaped to the reference, or what is wrong with its shape.

    A wrong shape is a wrong answer (the text was read), so the message says what was
    expected and what was given: "expected a 2-vector, you gave 3 entries".
    """
    s_is, r_is = is_matrix(student), is_matrix(ref)
    if not r_is:
        if s_is:
            what = "number" if kind == "number" else "formula"
            return None, f"expected a single {what}, you gave {shape_text(student)}"
        return student, None
    if not s_is:
        return None, f"expected {ref_text(ref, kind)}, you gave a single value"
    if kind == "vector" or 1 in ref.shape:
        if len(student) != len(ref) or 1 not in student.shape:
            return None, f"expected {ref_text(ref, kind)}, you gave {shape_text(student)}"
        import sympy as sp  # lazy: a matrix answer was read by sympy already

        return sp.Matrix(list(student)).reshape(*ref.shape), None
    if student.shape != ref.shape:
        hint = "; is it transposed?" if student.shape == ref.shape[::-1] else ""
        return None, f"expected {ref_text(ref, kind)}, you gave {shape_text(student)}{hint}"
    return student, None


def ref_text(ref: Any, kind: str) -> str:
    if kind == "vector" or 1 in ref.shape:
        return f"a {len(ref)}-vector"
    return f"a {ref.rows}x{ref.cols} matrix"


def shape_text(m: Any) -> str:
    if 1 in m.shape:
        return f"{len(m)} entr{'y' if len(m) == 1 else 'ies'}"
    return f"a {m.rows}x{m.cols} matrix"


def differing(given: Any, expected: Any, tol: Tol, noise: Fraction = NOISE) -> list[tuple[int, int]]:
    """(row, col) of every entry of ``given`` outside the tolerance of ``expected`` (0-based)."""
    g, e = as_grid(given), as_grid(expected)
    return [(i, j) for i, row in enumerate(e) for j, x in enumerate(row) if not tol.accepts(g[i][j], x, noise)]


def close(given: Any, target: Any, tol: Tol) -> bool:
    """Same shape, and every entry of ``given`` within the tolerance of a finite ``target`` entry."""
    g, t = as_grid(given), as_grid(target)
    if len(g) != len(t) or len(g[0]) != len(t[0]):
        return False
    return all(_finite(b) and _finite(a) and tol.accepts(a, b) for ra, rb in zip(g, t) for a, b in zip(ra, rb))


def _finite(x: Any) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    return x is not None
