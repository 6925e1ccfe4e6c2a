"""Fast float evaluation of the sympy trees the safe parser builds.

Equivalence is decided by evaluating both sides at many points; doing that through
sympy's ``subs``/``evalf`` costs a millisecond a call. This walker evaluates the small
set of node types the parser can produce with Python floats, and falls back to
``evalf`` for anything else. It generates no code.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.engine.numbers import to_float as to_float  # where callers have always found it
from dlcheck.engine.numbers import to_fraction as to_fraction  # as above
from dlcheck.parse.functions import sympy_function
from dlcheck.parse.vocabulary import VOCABULARY, Function

__all__ = ["HP_DPS", "TooLarge", "Undefined", "UnknownSymbol", "hp_value", "hp_value_any", "numeval", "numeval_any",
           "to_float", "to_fraction", "to_mpf"]


def _float_table() -> dict[Any, Callable[..., float]]:
    """sympy function -> its float rule, from the vocabulary."""
    table: dict[Any, Callable[..., float]] = {}
    for record in VOCABULARY:
        fn = sympy_function(record)
        if fn is not None and record.float_rule is not None:
            table[fn] = record.float_rule
    return table


_FUNCS: dict[Any, Callable[..., float]] = _float_table()


def numeval(expr: Any, env: Mapping[sp.Symbol, float]) -> float:
    """Value of a scalar sympy expression, with ``env`` giving every free symbol.

    Raises :class:`Undefined` where the expression has no finite real value and
    :class:`UnknownSymbol` when ``env`` lacks one of its symbols.
    """
    try:
        try:
            fn = float_function(expr)
        except RecursionError:  # deeper than closures are built (a long inlined graph): walk the tree
            fn = functools.partial(_eval, expr)
        value = fn(env)
    except (ValueError, OverflowError, ZeroDivisionError):
        raise Undefined("no real value here") from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise Undefined("no real value here")
    return value


FloatFn = Callable[[Mapping[sp.Symbol, float]], float]


@functools.lru_cache(maxsize=4096)
def float_function(e: Any) -> FloatFn:
    """``e`` turned once into nested closures computing what :func:`_eval` computes (no code text is
    made or run): a formula is evaluated at many sample points, and the walk over its tree, with a
    type test per node, is then paid once instead of at every point."""
    if e.is_Symbol:
        def symbol(env: Mapping[sp.Symbol, float]) -> float:
            try:
                return env[e]
            except KeyError:
                raise UnknownSymbol(e.name) from None
        return symbol
    if e.is_Number or e.is_NumberSymbol:
        try:
            constant = float(e)
        except OverflowError:  # raised where the value is asked for, as _eval does
            return lambda env: float(e)
        return lambda env: constant
    if e.is_Add:
        terms = [float_function(a) for a in e.args]
        return lambda env: math.fsum([t(env) for t in terms])
    if e.is_Mul:
        factors = [float_function(a) for a in e.args]

        def product(env: Mapping[sp.Symbol, float]) -> float:
            out = 1.0
            for f in factors:
                out *= f(env)
            return out
        return product
    if e.is_Pow:
        base_fn, exp_fn = float_function(e.args[0]), float_function(e.args[1])

        def power(env: Mapping[sp.Symbol, float]) -> float:
            base, exp = base_fn(env), exp_fn(env)
            if base < 0 and not float(exp).is_integer():
                raise ValueError("fractional power of a negative number")
            return float(base ** exp)
        return power
    fn = _FUNCS.get(e.func)
    if fn is not None:
        if len(e.args) == 1:
            arg = float_function(e.args[0])
            return lambda env: fn(arg(env))
        args = [float_function(a) for a in e.args]
        return lambda env: fn(*[a(env) for a in args])
    return lambda env: _eval(e, env)


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
        return fn(*[_eval(a, env) for a in e.args])
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [_eval(a, env) for a in e.args]
        return max(vals) if isinstance(e, sp.Max) else min(vals)
    sub = {s: sp.Float(_eval(s, env)) for s in e.free_symbols}
    try:
        value = complex(e.xreplace(sub).evalf())
    except TypeError:  # no number at all (a set of values, an unevaluated function)
        raise ValueError("no numeric value") from None
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise ValueError("complex value")
    return value.real


def numeval_any(value: Any, env: Mapping[sp.Symbol, float]) -> Any:
    """Like :func:`numeval`, entry by entry for a Matrix (returns nested lists)."""
    if isinstance(value, sp.MatrixBase):
        return [[numeval(value[i, j], env) for j in range(value.cols)] for i in range(value.rows)]
    return numeval(value, env)


# -- exact and high-precision evaluation ------------------------------------------------
# Verdicts are decided here, not with floats: a value is a Fraction while the arithmetic
# stays rational (0.33 is 33/100, 0.8 + 0.5*0.2535 is exactly 0.92675) and an mpmath
# number at a chosen precision once a transcendental function or an irrational power
# enters. The real domain is checked on the way: a square root or log of a negative, an
# even root of a negative, a non-integer power of a negative base, 0 to a negative power,
# asin outside [-1, 1], tan at its poles -- each raises Undefined.

HP_DPS = 30                      # decimal digits of the default working precision
MAX_HP_DPS = 2000                # most digits a cancelled difference is looked at again with
_HUGE = 10 ** 18                 # |argument| above which exp/sinh/cosh overflow (treated as no value)
_TRIG_HUGE = 10 ** 60            # |argument| above which sin/cos lose every digit
_EXACT_POW = 4096                # largest whole exponent applied exactly to a fraction
_EXACT_BITS = 1 << 16            # largest fraction (in bits) such a power may produce

Num = Any  # Fraction | mpmath.mpf


class TooLarge(Undefined):
    """A value too large to compute (exp(exp(exp(1000)))): not a domain question but a hostile size."""


class LostDigits(Undefined):
    """A log of a computed 0: at this precision a difference cancelled (1 - sigmoid(100) at 30 digits)."""


def _mp() -> Any:
    import mpmath  # lazy: sympy already imports it; kept local so the walker's names are short

    return mpmath.mp


def to_mpf(x: Num) -> Any:
    """An mpmath number at the working precision (exact Fractions rounded once)."""
    mp = _mp()
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return mp.mpf(x.numerator)
        return mp.mpf(x.numerator) / x.denominator
    if isinstance(x, mp.mpf):
        return x  # as computed: converting again would round it to the current precision
    return mp.mpf(x)


def is_whole(x: Num) -> bool:
    """Is ``x`` an integer (exactly for a Fraction; to the working precision for an mpf)?"""
    if isinstance(x, Fraction):
        return x.denominator == 1
    mp = _mp()
    if not mp.isfinite(x):
        return False
    return bool(abs(x - mp.nint(x)) <= mp.ldexp(max(mp.mpf(1), abs(x)), 12 - mp.prec))


class _HP:
    """One evaluation: ``env`` maps symbols to values; ``resolve`` computes a graph node on demand."""

    def __init__(self, env: dict, resolve: Callable[[Any], Num] | None) -> None:
        self.env = env
        self.resolve = resolve
        self.memo: dict[Any, Num] = {}
        self.mp = _mp()

    def value(self, e: Any) -> Num:
        if e.is_Symbol:
            try:
                return self.env[e]
            except KeyError:
                if self.resolve is None:
                    raise UnknownSymbol(e.name) from None
                v = self.resolve(e)
                self.env[e] = v
                return v
        if e.is_Rational:
            return Fraction(int(e.p), int(e.q))
        found = self.memo.get(e)
        if found is not None:
            return found
        v = self._compute(e)
        self.memo[e] = v
        return v

    def _compute(self, e: Any) -> Num:
        mp = self.mp
        if e.is_Add:
            total: Num = Fraction(0)
            for a in e.args:
                total = _add(total, self.value(a))
            return total
        if e.is_Mul:
            prod: Num = Fraction(1)
            for a in e.args:
                prod = _mul(prod, self.value(a))
            return prod
        if e.is_Pow:
            return self._pow(e)
        if e is sp.pi:
            return +mp.pi
        if e is sp.E:
            return +mp.e
        if e.is_Float:
            return mp.mpf(e._mpf_) if hasattr(e, "_mpf_") else mp.mpf(str(e))
        if e is sp.I:
            raise Undefined("not a real number")
        fn = _HP_FUNCS.get(e.func)
        if fn is not None:
            return fn(self, *[self.value(a) for a in e.args])
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [self.value(a) for a in e.args]
            pick = max if isinstance(e, sp.Max) else min
            if all(isinstance(v, Fraction) for v in vals):
                return pick(vals)
            return pick(vals, key=to_mpf)
        return self._fallback(e)

    def _pow(self, e: Any) -> Num:
        base_node, exp_node = e.args
        if exp_node is sp.S.Half:  # sqrt: the commonest power, kept exact for perfect squares
            return _sqrt(self, self.value(base_node))
        b, x = self.value(base_node), self.value(exp_node)
        if is_whole(x):
            n = int(x) if isinstance(x, Fraction) else int(self.mp.nint(x))
            if _is_zero(b):
                if n < 0:
                    raise Undefined("0 to a negative power")
                return Fraction(1) if n == 0 else Fraction(0)
            if isinstance(b, Fraction) and abs(n) <= _EXACT_POW and \
                    abs(n) * max(b.numerator.bit_length(), b.denominator.bit_length()) <= _EXACT_BITS:
                return b ** n
            return _guard(to_mpf(b) ** n)
        sign = _sign(b)
        if sign > 0:
            return _guard(self.mp.power(to_mpf(b), to_mpf(x)))
        if sign == 0:
            if _sign(x) > 0:
                return Fraction(0)
            raise Undefined("0 to a negative power")
        # a negative base: real only for a literal rational exponent with an odd denominator
        if exp_node.is_Rational and int(exp_node.q) % 2 == 1:
            magnitude = _guard(self.mp.power(-to_mpf(b), to_mpf(x)))
            return -magnitude if int(exp_node.p) % 2 else magnitude
        raise Undefined("a non-integer power of a negative number")

    def _fallback(self, e: Any) -> Num:
        """A node the walker does not know: sympy's evalf at the working precision, real values only."""
        sub = {s: sp.Float(to_mpf(self.value(s)), self.mp.dps) for s in e.free_symbols}
        try:
            value = e.xreplace(sub).evalf(self.mp.dps)
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            raise Undefined(str(exc)) from None
        if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or not value.is_number:
            raise Undefined("no real value")
        re, im = value.as_real_imag()
        if im != 0 and abs(im) > abs(re) * sp.Float(10) ** (5 - self.mp.dps):
            raise Undefined("complex value")
        return self.mp.mpf(sp.Float(re, self.mp.dps)._mpf_)


def _is_zero(v: Num) -> bool:
    return v == 0


def _sign(v: Num) -> int:
    return (v > 0) - (v < 0)


def _add(a: Num, b: Num) -> Num:
    fa, fb = isinstance(a, Fraction), isinstance(b, Fraction)
    if fa and fb:
        return a + b
    if fa and a.denominator == 1:  # mpf + int is fast in mpmath
        return b + a.numerator if a.numerator else b
    if fb and b.denominator == 1:
        return a + b.numerator if b.numerator else a
    return to_mpf(a) + to_mpf(b)


def _mul(a: Num, b: Num) -> Num:
    fa, fb = isinstance(a, Fraction), isinstance(b, Fraction)
    if fa and fb:
        return a * b
    if (fa and a == 0) or (fb and b == 0):
        return Fraction(0)
    if fa and a.denominator == 1:
        return b * a.numerator
    if fb and b.denominator == 1:
        return a * b.numerator
    return to_mpf(a) * to_mpf(b)


def _guard(v: Any) -> Any:
    mp = _mp()
    if not mp.isfinite(v):
        raise Undefined("no finite value")
    return v


def _sqrt(h: _HP, x: Num) -> Num:
    if _sign(x) < 0:
        raise Undefined("square root of a negative number")
    if isinstance(x, Fraction):
        p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if p * p == x.numerator and q * q == x.denominator:
            return Fraction(p, q)
    return h.mp.sqrt(to_mpf(x))


def _real(f: Callable[[Any], Any], check: Callable[[Num], bool] | None = None, what: str = "",
          limit: int | None = None) -> Callable[..., Num]:
    def apply(h: _HP, x: Num) -> Num:
        if check is not None and not check(x):
            raise Undefined(what or "outside the function's domain")
        if limit is not None and abs(x) > limit:
            raise TooLarge("argument too large")
        value = f(to_mpf(x))
        if isinstance(value, h.mp.mpc):  # x is in the domain (checked exactly above); rounding it to the
            value = value.real           # working precision put it just outside (acosh(1 + 1e-300))
        return _guard(value)
    return apply


def _pole(f: Callable[[Any], Any], g: Callable[[Any], Any]) -> Callable[..., Num]:
    """f(x)/g(x), undefined where g vanishes (tan, sec, csc, cot)."""
    def apply(h: _HP, x: Num) -> Num:
        if abs(x) > _TRIG_HUGE:
            raise TooLarge("argument too large")
        m = to_mpf(x)
        den = g(m)
        if abs(den) <= h.mp.ldexp(1, 20 - h.mp.prec):
            raise Undefined("at a pole")
        return f(m) / den
    return apply


def _hp_sigmoid(h: _HP, x: Num) -> Num:
    if _is_zero(x):
        return Fraction(1, 2)
    m = to_mpf(x)
    if m < -_HUGE:
        raise TooLarge("argument too large")
    if m > _HUGE:
        return h.mp.mpf(1)
    return 1 / (1 + h.mp.exp(-m))


def _hp_abs(h: _HP, x: Num) -> Num:
    return abs(x)


def _hp_sign(h: _HP, x: Num) -> Num:
    return Fraction(_sign(x))


def _hp_floor(h: _HP, x: Num) -> Num:
    return Fraction(math.floor(x)) if isinstance(x, Fraction) else Fraction(int(h.mp.floor(x)))


def _hp_ceiling(h: _HP, x: Num) -> Num:
    return Fraction(math.ceil(x)) if isinstance(x, Fraction) else Fraction(int(h.mp.ceil(x)))


def _hp_exp(h: _HP, x: Num) -> Num:
    if _is_zero(x):
        return Fraction(1)
    if abs(x) > _HUGE:
        raise TooLarge("exp overflows")
    return h.mp.exp(to_mpf(x))


def _hp_log(h: _HP, x: Num) -> Num:
    if not isinstance(x, Fraction) and x == 0:
        raise LostDigits("log of 0")
    if _sign(x) <= 0:
        raise Undefined("log of a number <= 0")
    if x == 1:
        return Fraction(0)
    return h.mp.log(to_mpf(x))


def _hp_atan2(h: _HP, y: Num, x: Num) -> Num:
    if _is_zero(y) and _is_zero(x):
        raise Undefined("atan2(0, 0) has no value")
    return h.mp.atan2(to_mpf(y), to_mpf(x))


def _hp_binomial(h: _HP, n: Num, k: Num) -> Num:
    if all(isinstance(v, Fraction) and v.denominator == 1 for v in (n, k)) and 0 <= k <= n <= 1000:
        return Fraction(math.comb(int(n), int(k)))
    if abs(n) > _HUGE or abs(k) > _HUGE:
        raise TooLarge("argument too large")
    return _guard(h.mp.binomial(to_mpf(n), to_mpf(k)))


_OWN_RULES: dict[str, Callable[..., Num]] = {
    "binomial": _hp_binomial,
    "exp": _hp_exp, "log": _hp_log, "sigmoid": _hp_sigmoid, "abs": _hp_abs, "sign": _hp_sign, "floor": _hp_floor,
    "ceiling": _hp_ceiling, "atan2": _hp_atan2,
}


def _hp_rule(record: Function) -> Callable[..., Num]:
    """A record's high-precision rule (see :class:`dlcheck.parse.vocabulary.Function`)."""
    mp = _mp()
    kind, *names = record.hp
    if kind == "own":
        return _OWN_RULES[names[0]]
    if kind == "pole":
        num, den = names
        return _pole((lambda m: mp.mpf(1)) if num == "one" else getattr(mp, num), getattr(mp, den))
    domain = record.domain
    return _real(getattr(mp, names[0]), domain.test if domain else None,
                 f"{record.name} needs {domain.words}" if domain else "", limit=record.limit)


def _build_hp_funcs() -> dict[Any, Callable[..., Num]]:
    return {sympy_function(r): _hp_rule(r) for r in VOCABULARY if r.hp and sympy_function(r) is not None}


_HP_FUNCS = _build_hp_funcs()


def hp_value(expr: Any, env: Mapping[Any, Num] | None = None, resolve: Callable[[Any], Num] | None = None,
             dps: int = HP_DPS) -> Num:
    """Exact (Fraction) or ``dps``-digit (mpf) value of a scalar expression; raises Undefined off its domain."""
    mp = _mp()
    for level in (dps, 4 * dps, 16 * dps):  # a log of a computed 0 is looked at again with more digits
        with mp.workdps(min(level, MAX_HP_DPS)):
            try:
                return _HP(dict(env or {}) if resolve is None else env, resolve).value(expr)  # type: ignore[arg-type]
            except LostDigits:
                if level >= MAX_HP_DPS:
                    break
            except (ValueError, ZeroDivisionError, OverflowError) as exc:
                raise Undefined(str(exc) or "no real value") from None
    raise Undefined("log of 0 (or of a value too close to 0 to tell)")


def hp_value_any(value: Any, env: Mapping[Any, Num] | None = None, resolve: Callable[[Any], Num] | None = None,
                 dps: int = HP_DPS) -> Any:
    """Like :func:`hp_value`, entry by entry for a Matrix (nested lists)."""
    if isinstance(value, sp.MatrixBase):
        return [[hp_value(value[i, j], env, resolve, dps) for j in range(value.cols)] for i in range(value.rows)]
    return hp_value(value, env, resolve, dps)
