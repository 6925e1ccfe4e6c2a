"""The functions an answer or a spec may call, built as sympy objects.

Imported only by code that already needs sympy. Every function here takes sympy
arguments the safe parser built and checks its own arity and shapes, raising ParseError
with a sentence a student can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sympy as sp

from dlcheck.core.errors import ParseError


class sigmoid(sp.Function):  # noqa: N801 - the name students type
    """The logistic function; its derivative is written back in terms of itself."""

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Half
        if isinstance(x, sp.Float):
            return 1 / (1 + sp.exp(-x))
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


def dsigmoid(x):
    """sigmoid'(x), written the way a worked solution writes it."""
    s = sigmoid(x)
    return s * (1 - s)


def dtanh(x):
    return 1 - sp.tanh(x) ** 2


def relu(x):
    return sp.Max(0, x)


def _elementwise(fn: Callable, name: str | None = None) -> Callable:
    def apply(*args):
        if len(args) != 1:
            raise ParseError(f"{apply.__name__} takes one argument, got {len(args)}")
        (x,) = args
        if isinstance(x, sp.MatrixBase):
            return x.applyfunc(fn)
        return fn(x)

    apply.__name__ = name or str(getattr(fn, "__name__", fn))
    return apply


def _vector(x, name: str) -> sp.Matrix:
    if not isinstance(x, sp.MatrixBase) or min(x.shape) != 1:
        raise ParseError(f"{name} needs a vector such as [1, 2, 3]")
    return sp.Matrix(list(x))


def softmax(*args):
    if len(args) != 1:
        raise ParseError("softmax takes one vector")
    v = _vector(args[0], "softmax")
    exps = [sp.exp(e) for e in v]
    total = sp.Add(*exps)
    return sp.Matrix([e / total for e in exps])


def exp_of(x):
    """exp, kept unevaluated on a log: exp(log(x)) is x only where x > 0, and the checker must see that."""
    if isinstance(x, sp.log):
        return sp.exp(x, evaluate=False)
    return sp.exp(x)


def _scalars(args: tuple, name: str) -> list:
    if len(args) == 1 and isinstance(args[0], sp.MatrixBase):
        return list(args[0])  # max([1, 2, 3]): the largest entry
    if not args:
        raise ParseError(f"{name} needs at least one argument")
    if any(isinstance(a, sp.MatrixBase) for a in args):
        raise ParseError(f"{name} takes numbers or one vector, not several vectors")
    return list(args)


def _max(*args):
    return sp.Max(*_scalars(args, "max"))


def _min(*args):
    return sp.Min(*_scalars(args, "min"))


def _log(*args):
    """log(x) (natural), or log(x, b) in base b."""
    if len(args) == 1:
        return _elementwise(sp.log, "log")(args[0])
    if len(args) != 2 or any(isinstance(a, sp.MatrixBase) for a in args):
        raise ParseError("log takes log(x) or log(x, base)")
    x, base = args
    if base.is_number and (base <= 0 or base == 1):
        raise ParseError("the base of a log must be positive and not 1")
    return sp.log(x) / sp.log(base)


# name -> sympy function, applied entry by entry to a vector; aliases spell the same function
_UNARY: dict[str, Callable] = {
    "sigmoid": sigmoid, "dsigmoid": dsigmoid, "exp": exp_of, "ln": sp.log, "tanh": sp.tanh, "dtanh": dtanh,
    "sqrt": sp.sqrt, "abs": sp.Abs, "relu": relu, "sign": sp.sign, "floor": sp.floor, "ceil": sp.ceiling,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sec": sp.sec, "csc": sp.csc, "cot": sp.cot,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "asec": sp.asec, "acsc": sp.acsc, "acot": sp.acot,
    "sinh": sp.sinh, "cosh": sp.cosh, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "log10": lambda x: sp.log(x) / sp.log(10), "log2": lambda x: sp.log(x) / sp.log(2),
}
_UNARY.update({f"arc{name[1:]}": _UNARY[name] for name in
               ("asin", "acos", "atan", "asec", "acsc", "acot", "asinh", "acosh", "atanh")})


@cache
def _student_functions() -> dict[str, Callable]:
    out: dict[str, Callable] = {name: _elementwise(fn, name) for name, fn in _UNARY.items()}
    out.update({"softmax": softmax, "log": _log, "max": _max, "min": _min})
    return out


def student_functions() -> dict[str, Callable]:
    """Functions a student's answer may use (a fresh dict: callers may add to it)."""
    return dict(_student_functions())


def _two(args, name):
    if len(args) != 2:
        raise ParseError(f"{name} takes two arguments")
    return args


def _transpose(*args):
    (m,) = args
    if not isinstance(m, sp.MatrixBase):
        raise ParseError("transpose needs a matrix")
    return m.T


def _dot(*args):
    a, b = _two(args, "dot")
    return sum((x * y for x, y in zip(_vector(a, "dot"), _vector(b, "dot"))), sp.S.Zero)


def _sum(*args):
    (v,) = args
    return sp.Add(*list(v)) if isinstance(v, sp.MatrixBase) else v


def _hadamard(*args):
    a, b = _two(args, "hadamard")
    return a.multiply_elementwise(b)


def _outer(*args):
    a, b = _two(args, "outer")
    return _vector(a, "outer") * _vector(b, "outer").T


def _blockdiag(*args):
    return sp.diag(*args)


def _det(*args):
    (m,) = args
    return m.det()


def _row(*args):
    m, i = _two(args, "row")
    return m.row(int(i) - 1).T


def _columns(*args):
    cols = [_vector(a, "columns") for a in args]
    return sp.Matrix.hstack(*cols)


def _inverse(*args):
    (m,) = args
    if not isinstance(m, sp.MatrixBase) or m.rows != m.cols:
        raise ParseError("inverse needs a square matrix")
    return m.inv()


def spec_functions() -> dict[str, Callable]:
    """Functions a problem author may use in references, on top of a student's.

    ``diff``, ``subs``, ``argmax`` and friends need the problem instance and are added by
    :class:`dlcheck.engine.instance.Instance`.
    """
    fns = student_functions()
    fns.update({"transpose": _transpose, "dot": _dot, "sum": _sum, "hadamard": _hadamard,
                "outer": _outer, "blockdiag": _blockdiag, "det": _det, "row": _row,
                "columns": _columns, "inverse": _inverse})
    return fns
