"""The functions an answer or a spec may call, built as sympy objects.

Imported only by code that already needs sympy. Every function here takes sympy
arguments the safe parser built and checks its own arity and shapes, raising ParseError
with a sentence a student can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import sympy as sp

from dlcheck.core.errors import ParseError
from dlcheck.parse.vocabulary import VOCABULARY, Function

if TYPE_CHECKING:
    from sympy.printing.latex import LatexPrinter


class sigmoid(sp.Function):  # noqa: N801 - the name students type
    """The logistic function; its derivative is written back in terms of itself."""

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_zero:
            return sp.S.Half
        if isinstance(x, sp.Float):
            return 1 / (1 + sp.exp(-x))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


def dsigmoid(x: sp.Expr) -> sp.Expr:
    """sigmoid'(x), written the way a worked solution writes it."""
    s = sigmoid(x)
    return s * (1 - s)


def dtanh(x: sp.Expr) -> sp.Expr:
    return 1 - sp.tanh(x) ** 2


def relu(x: sp.Expr) -> sp.Expr:
    return sp.Max(0, x)


def _elementwise(fn: Callable, name: str | None = None) -> Callable:
    def apply(*args: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
        if len(args) != 1:
            raise ParseError(f"{apply.__name__} takes one argument, got {len(args)}")
        (x,) = args
        if isinstance(x, sp.MatrixBase):
            return x.applyfunc(fn)
        return fn(x)

    apply.__name__ = name or str(getattr(fn, "__name__", fn))
    return apply


def _vector(x: sp.Expr | sp.MatrixBase, name: str) -> sp.Matrix:
    if not isinstance(x, sp.MatrixBase) or min(x.shape) != 1:
        raise ParseError(f"{name} needs a vector such as [1, 2, 3]")
    return sp.Matrix(list(x))


def softmax(*args: sp.Expr | sp.MatrixBase) -> sp.Matrix:
    if len(args) != 1:
        raise ParseError("softmax takes one vector")
    v = _vector(args[0], "softmax")
    exps = [sp.exp(e) for e in v]
    total = sp.Add(*exps)
    return sp.Matrix([e / total for e in exps])


def exp_of(x: sp.Expr) -> sp.Expr:
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


def _max(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    return sp.Max(*_scalars(args, "max"))


def _min(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    return sp.Min(*_scalars(args, "min"))


def _log(*args: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
    """log(x) (natural), or log(x, b) in base b."""
    if len(args) == 1:
        return _elementwise(sp.log, "log")(args[0])
    if len(args) != 2 or any(isinstance(a, sp.MatrixBase) for a in args):
        raise ParseError("log takes log(x) or log(x, base)")
    x, base = args
    if base.is_number and (base <= 0 or base == 1):
        raise ParseError("the base of a log must be positive and not 1")
    return sp.log(x) / sp.log(base)


def _factorial(x: sp.Expr) -> sp.Expr:
    """n!, refused before it is built when its exact value would be too long to check
    (100000! has 456574 digits; 1000! has 2568)."""
    if x.is_number and x.is_real and x > 1000:
        raise ParseError("that factorial is too large to check (the limit is 1000!)")
    if x.is_Integer and x < 0:
        raise ParseError("the factorial of a negative whole number has no value")
    return sp.factorial(x)


def _binomial(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    n, k = _two(args, "binomial")
    if any(isinstance(a, sp.MatrixBase) for a in (n, k)):
        raise ParseError("binomial takes two numbers, binomial(n, k)")
    if n.is_number and n.is_real and n > 1000:
        raise ParseError("that binomial coefficient is too large to check (n up to 1000)")
    return sp.binomial(n, k)


def _atan2(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    y, x = _two(args, "atan2")
    if any(isinstance(a, sp.MatrixBase) for a in (y, x)):
        raise ParseError("atan2 takes two numbers, atan2(y, x)")
    if y.is_zero and x.is_zero:
        raise ParseError("atan2(0, 0) has no value")
    return sp.atan2(y, x)


# the builders a record names (vocabulary.Function.builder); the rest are sympy's own functions
_BUILDERS: dict[str, Callable] = {
    "sigmoid": sigmoid, "dsigmoid": dsigmoid, "exp": exp_of, "dtanh": dtanh, "relu": relu,
    "log10": lambda x: sp.log(x) / sp.log(10), "log2": lambda x: sp.log(x) / sp.log(2), "factorial": _factorial,
}
def _transpose_any(*args: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
    """W^T as a student writes it: a matrix's transpose, and a number's own value (w^T x for one weight)."""
    if len(args) != 1:
        raise ParseError("transpose takes one matrix")
    (m,) = args
    return m.T if isinstance(m, sp.MatrixBase) else m


_WHOLE: dict[str, Callable] = {"transpose": _transpose_any, "softmax": softmax, "log": _log, "max": _max, "min": _min,
                               "atan2": _atan2, "binomial": _binomial}


def sympy_function(record: Function) -> Any:
    """The sympy function a record's values are built of (None: it has none of its own)."""
    if record.name == "sigmoid":
        return sigmoid
    return getattr(sp, record.sympy) if record.sympy else None


@cache
def _student_functions() -> dict[str, Callable]:
    out: dict[str, Callable] = {}
    for record in VOCABULARY:
        if record.spec_only:
            continue
        if record.name in _WHOLE:
            fn = _WHOLE[record.name]
        else:
            build = _BUILDERS.get(record.builder or record.name) or getattr(sp, record.sympy)
            fn = _elementwise(build, record.name)
        for spelling in record.all_spellings:
            out[spelling] = fn
    return out


def student_functions() -> dict[str, Callable]:
    """Functions a student's answer may use (a fresh dict: callers may add to it)."""
    return dict(_student_functions())


def _two(args: tuple[sp.Expr | sp.MatrixBase, ...], name: str) -> tuple[sp.Expr | sp.MatrixBase, ...]:
    if len(args) != 2:
        raise ParseError(f"{name} takes two arguments")
    return args


def _transpose(*args: sp.Expr | sp.MatrixBase) -> sp.MatrixBase:
    (m,) = args
    if not isinstance(m, sp.MatrixBase):
        raise ParseError("transpose needs a matrix")
    return m.T


def _dot(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    a, b = _two(args, "dot")
    return sum((x * y for x, y in zip(_vector(a, "dot"), _vector(b, "dot"))), sp.S.Zero)


def _sum(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    (v,) = args
    return sp.Add(*list(v)) if isinstance(v, sp.MatrixBase) else v


def _hadamard(*args: sp.Expr | sp.MatrixBase) -> sp.MatrixBase:
    a, b = _two(args, "hadamard")
    return a.multiply_elementwise(b)


def _outer(*args: sp.Expr | sp.MatrixBase) -> sp.Matrix:
    a, b = _two(args, "outer")
    return _vector(a, "outer") * _vector(b, "outer").T


def _blockdiag(*args: sp.Expr | sp.MatrixBase) -> sp.Matrix:
    return sp.diag(*args)


def _det(*args: sp.Expr | sp.MatrixBase) -> sp.Expr:
    (m,) = args
    return m.det()


def _row(*args: sp.Expr | sp.MatrixBase) -> sp.MatrixBase:
    m, i = _two(args, "row")
    return m.row(int(i) - 1).T


def _columns(*args: sp.Expr | sp.MatrixBase) -> sp.Matrix:
    cols = [_vector(a, "columns") for a in args]
    return sp.Matrix.hstack(*cols)


def _inverse(*args: sp.Expr | sp.MatrixBase) -> sp.MatrixBase:
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
