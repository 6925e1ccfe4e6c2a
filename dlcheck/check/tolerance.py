"""When is a number close enough? Exact decimal arithmetic, and STACK's significant-figure rule.

Without a tolerance a number must be *equal* to the reference: 0.33 is 33/100 and is not
1/3. A part (or ``dlcheck compare``) may ask for

- ``rtol``/``atol``: accepted when ``|a - r| <= max(atol, rtol*|r|)``, decided in exact
  decimal arithmetic so that a difference exactly on the bound is inside (``1`` vs
  ``1.05`` with ``atol 0.05``); an irrational reference is evaluated to
  :data:`GRADE_DPS` digits, far below any tolerance a person writes;
- ``sigfigs: N`` or ``[N, M]``: the semantics of STACK's ``NumSigFigs`` answer test --
  the answer is written to N significant figures (counted on the typed text; trailing
  zeros of an integer are ambiguous, so ``100`` may have 1, 2 or 3) and lies strictly
  within half a unit of the M-th significant place of the reference rounded half up to
  N figures. ``M = 0`` checks only the figures written; ``M = -1`` asks for at least N
  figures and equality once the answer too is rounded to N.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from dlcheck.core.errors import ParseError
from dlcheck.core.verdict import Evidence
from dlcheck.engine.numbers import is_exact

GRADE_DPS = 50                    # digits an irrational reference is evaluated to when grading
NOISE = Fraction(1, 10 ** 40)     # relative slack for a reference that is not exact (mpf, not Fraction)


def exact(value: Any) -> Any:
    """A Fraction for an exact number or an mpf; floats are taken at their shortest decimal."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else value
    return value  # an mpf


MAX_TOLERANCE_EXPONENT = 300   # a tolerance is a number a float can hold: 1e-300 .. 1e300


def parse_decimal(text: str, what: str) -> Fraction:
    """A tolerance typed as a decimal (``5e-5``, ``0.01``, ``1/100``), exactly; ParseError when not one."""
    raw = str(text).strip()
    try:
        parts = [Decimal(p.strip()) for p in raw.split("/", 1)]
    except (InvalidOperation, ValueError):
        raise ParseError(f"{what} must be a number such as 0.01 or 5e-5, not {raw!r}") from None
    if not all(p.is_finite() for p in parts):
        raise ParseError(f"{what} must be a finite number such as 0.01 or 5e-5, not {raw!r}")
    out_of_range = ParseError(f"{what} {raw} is out of range: give a tolerance between "
                              f"1e-{MAX_TOLERANCE_EXPONENT} and 1e{MAX_TOLERANCE_EXPONENT}")
    if any(p and abs(p.adjusted()) > MAX_TOLERANCE_EXPONENT for p in parts):  # before 10^big is built
        raise out_of_range
    if len(parts) == 2 and not parts[1]:
        raise ParseError(f"{what} {raw} divides by zero")
    value = Fraction(parts[0]) / Fraction(parts[1]) if len(parts) == 2 else Fraction(parts[0])
    if value and not Fraction(1, 10 ** MAX_TOLERANCE_EXPONENT) <= abs(value) <= 10 ** MAX_TOLERANCE_EXPONENT:
        raise out_of_range
    if value < 0:
        raise ParseError(f"{what} cannot be negative (got {raw})")
    return value


def read_options(rtol: str | None = None, atol: str | None = None,
                 sigfigs: str | None = None) -> tuple[Fraction, Fraction, tuple[int, int] | None] | None:
    """``compare``'s options as typed: (rtol, atol, sigfigs) read exactly, None when none is given
    (ParseError names a malformed one)."""
    if rtol is None and atol is None and sigfigs is None:
        return None
    return (parse_decimal(rtol, "--rtol") if rtol is not None else Fraction(0),
            parse_decimal(atol, "--atol") if atol is not None else Fraction(0),
            parse_sigfigs(sigfigs) if sigfigs is not None else None)


def parse_sigfigs(text: Any) -> tuple[int, int]:
    """``3`` -> (3, 3); ``"4,3"`` or ``[4, 3]`` -> (4, 3); anything else is a ParseError."""
    if isinstance(text, (list, tuple)):
        parts = [str(p) for p in text]
    else:
        parts = str(text).replace(" ", "").split(",")
    if not 1 <= len(parts) <= 2 or not all(re.fullmatch(r"[+-]?\d+", p) for p in parts):
        raise ParseError(f"sigfigs must be N or N,M with whole numbers (N >= 1, M >= -1), not {text!r}")
    n = int(parts[0])
    m = int(parts[1]) if len(parts) == 2 else n
    if n < 1 or m < -1 or n > 100 or m > 100:
        raise ParseError(f"sigfigs {text!r} is out of range: N must be at least 1 and M at least -1")
    return n, m


@dataclass(frozen=True)
class Tol:
    rtol: Fraction = Fraction(0)
    atol: Fraction = Fraction(0)
    sigfigs: tuple[int, int] | None = None

    @classmethod
    def of(cls, part: Any) -> Tol:
        """A spec's tolerance block; no block (or an empty one) is exact equality."""
        t = getattr(part, "tolerance", None)
        if t is None:
            return cls()
        sig = parse_sigfigs(t.sigfigs) if t.sigfigs is not None else None
        return cls(rtol=exact(t.rtol or 0), atol=exact(t.atol or 0), sigfigs=sig)

    @property
    def is_exact(self) -> bool:
        return not self.rtol and not self.atol and self.sigfigs is None

    def matching(self) -> Tol:
        """The rtol/atol this tolerance amounts to, for matching a value against a mistake or a carried value."""
        if self.sigfigs is None:
            return self
        n, m = self.sigfigs
        figures = max(3, m if m > 0 else n)  # never coarser than 3 figures: a mistake must really match
        return Tol(rtol=Fraction(5, 10 ** figures), atol=self.atol)

    def loosened(self, rel: Fraction) -> Tol:
        """This tolerance, widened to at least ``rel`` relative (a diagnosis, never a grade, uses it)."""
        base = self.matching()
        return Tol(rtol=max(base.rtol, rel), atol=base.atol)

    def accepts(self, given: Any, ref: Any, noise: Fraction = NOISE) -> bool:
        """Is ``given`` within rtol/atol of ``ref``, exactly? (Significant figures need the typed text:
        ``sigfig_check``; here they count as the accuracy they ask for.)

        ``noise`` is the relative slack allowed when a side is not exact (an mpf carries
        rounding error far below it).
        """
        if self.sigfigs is not None:
            return self.matching().accepts(given, ref, noise)
        clear = self._clear_case(given, ref, noise)
        if clear is not None:
            return clear
        g, r = exact(given), exact(ref)
        if isinstance(g, float) or isinstance(r, float):  # inf or nan
            return False
        both_exact = is_exact(g) and is_exact(r)
        g, r = _frac(g), _frac(r)
        bound = max(self.atol, self.rtol * abs(r))
        if both_exact:
            return abs(g - r) <= bound
        return abs(g - r) <= bound + noise * max(abs(g), abs(r))

    def _clear_case(self, given: Any, ref: Any, noise: Fraction) -> bool | None:
        """The answer of :meth:`accepts` when floats settle it beyond doubt, else None.

        Each side as a float is off by at most 2^-53 of its size, so a difference further than
        10^-12 of the sizes from the bound is on the same side of it exactly; only a case near the
        bound (or beyond the floats' range) needs the exact arithmetic. Most comparisons are
        nowhere near it: this keeps a class of a thousand files from paying for Fractions."""
        g, r = _as_float(given), _as_float(ref)
        if g is None or r is None:
            return None
        size = max(abs(g), abs(r))
        if not math.isfinite(size) or 0 < size < 1e-290:
            return None
        bound = max(float(self.atol), float(self.rtol) * abs(r))
        if not math.isfinite(bound):
            return None
        d = abs(g - r)
        slack = 1e-12 * (size + bound) + 1e-300
        if d > bound + float(noise) * size + slack:
            return False
        if d < bound - slack:
            return True
        return None

    def describe(self) -> str:
        if self.sigfigs is not None:
            n, m = self.sigfigs
            if m == n:
                return f"{n} significant figures"
            if m == 0:
                return f"written to {n} significant figures"
            if m == -1:
                return f"at least {n} significant figures"
            return f"written to {n} significant figures, accurate to {m}"
        parts = []
        if self.rtol:
            parts.append(f"relative {_dec(self.rtol)}")
        if self.atol:
            parts.append(f"absolute {_dec(self.atol)}")
        return " or ".join(parts) or "exact"


DIAGNOSIS_RTOL = Fraction(5, 1000)  # a diagnosis matches values that agree to 3 significant figures


def diagnosis_tol(part: Any) -> Tol:
    """The tolerance a diagnosis matches with: the part's, loosened to 3 significant figures.

    A student who climbed the gradient and rounded to 3 figures (0.538 for 0.538424) made
    the named mistake, even though 0.538 is outside a grading tolerance of 5e-5.
    """
    return Tol.of(part).loosened(DIAGNOSIS_RTOL)


def _as_float(x: Any) -> float | None:
    """``x`` as a float when that is cheap and finite (a Fraction, an int, a float, an mpf); else None."""
    if isinstance(x, bool):
        return None
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _frac(x: Any) -> Fraction:
    from dlcheck.engine.numbers import to_fraction  # lazy: the check layer's helpers stay import-light

    return to_fraction(x)


def _dec(x: Fraction) -> str:
    """A tolerance as the decimal an author wrote (5e-05, 0.001)."""
    return f"{float(x):g}"


# -- significant figures -----------------------------------------------------------------
def exp10(x: Fraction) -> int:
    """floor(log10(x)) for x > 0, exactly."""
    e = math.floor(math.log10(x.numerator) - math.log10(x.denominator)) if x.numerator and x.denominator else 0
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def round_sig(x: Any, n: int) -> Fraction:
    """``|x|`` rounded half up to ``n`` significant figures (0 stays 0), exactly."""
    a = abs(_frac(exact(x)))
    if a == 0:
        return Fraction(0)
    unit = Fraction(10) ** (exp10(a) - n + 1)
    return math.floor(a / unit + Fraction(1, 2)) * unit


def correct_figures(given: Any, ref: Any, most: int = 15) -> int:
    """How many significant figures of ``given`` are right: the largest n with both rounding alike."""
    g, r = exact(given), exact(ref)
    if _frac(g) == _frac(r):
        return most
    if (_frac(g) > 0) != (_frac(r) > 0) or _frac(g) == 0 or _frac(r) == 0:
        return 0
    n = 0
    while n < most and round_sig(g, n + 1) == round_sig(r, n + 1):
        n += 1
    return n


def decimal_digits(text: str) -> tuple[int, int] | None:
    """STACK's ``get_decimal_digits``: the (fewest, most) significant figures the typed number has.

    The number is the answer's leading literal (a sign, brackets, a factor ``*10^k`` or a
    divisor are stripped: ``1.38*10^-1`` counts ``1.38``). None when the text is not a
    decimal number at all (``pi``, ``1/3``, ``sqrt(2)``).
    """
    from dlcheck.parse.text import to_python  # lazy: only significant-figure checks need it

    try:
        source = to_python(text, frozenset())
        tree = ast.parse(source, mode="eval").body
    except (ParseError, SyntaxError, ValueError):
        return None
    if not _is_decimal(tree):
        return None
    node = tree
    while True:
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            node = node.left
        else:
            break
    literal = ast.get_source_segment(source, node) or ""
    return _count_digits(literal)


def _is_decimal(node: ast.AST) -> bool:
    """A signed literal, optionally times a power of ten: 0.05, -(0.05), 1.38*10^-1, 138*10**(-3)."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and _is_decimal(node.left) and \
            not isinstance(node.left, ast.BinOp):
        power = node.right
        if isinstance(power, ast.BinOp) and isinstance(power.op, ast.Pow) and \
                isinstance(power.left, ast.Constant) and power.left.value == 10:
            exponent = power.right
            while isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, (ast.USub, ast.UAdd)):
                exponent = exponent.operand
            return isinstance(exponent, ast.Constant) and isinstance(exponent.value, int)
    return False


def _count_digits(text: str) -> tuple[int, int]:
    """The digit scan of STACK's get_decimal_digits (stack/cas/ast.container.silent.class.php)."""
    leading = indefinite = meaningful = 0
    infront = True
    for c in text:
        if c in "eE":
            break  # the exponent is not counted
        if c == "0":
            if meaningful == 0:
                leading += 1
            elif infront:
                indefinite += 1
            else:
                meaningful += 1 + indefinite
                indefinite = 0
        elif c in "+-" and meaningful == 0:
            continue
        elif c == "." and infront:
            infront = False
            meaningful += indefinite
            indefinite = 0
            leading = 0
        elif c.isdigit():
            meaningful += indefinite + 1
            indefinite = 0
        elif meaningful + leading + indefinite > 0:
            break
    if meaningful == 0:
        return max(1, leading), max(1, leading)
    if not infront:
        return meaningful, meaningful
    return meaningful, meaningful + indefinite


def sigfig_check(text: str, given: Any, ref: Any, n: int, m: int) -> tuple[bool, Evidence | None]:
    """STACK NumSigFigs(answer, expected, [n, m]): (passes, the reason when not, as evidence: a reason
    that names the expected value says so, and how it reads without it)."""
    digits = decimal_digits(text)
    if digits is None:
        return False, _why("with significant figures the answer must be a decimal number such as 0.594 or 5.94e-1")
    lo, hi = digits
    written = f"{lo}" if lo == hi else f"{lo} to {hi}"
    plural = "s" if hi > 1 else ""
    if m == -1:
        if lo < n:
            return False, _why(f"you wrote {written} significant figure{plural}; at least {n} are needed")
    elif not (lo == n or lo <= n <= hi):
        return False, _why(f"you wrote {written} significant figure{plural}; "
                           f"{n} {'is' if n == 1 else 'are'} asked for")
    if m == 0:
        return True, None
    g, r = _frac(exact(given)), _frac(exact(ref))
    if (g > 0) - (g < 0) != (r > 0) - (r < 0):
        return False, _why("the sign is wrong")
    target = round_sig(r, n)
    if m == -1:
        if round_sig(g, n) != target:
            yours = f"rounded to {n} significant figures yours is {_plain(round_sig(g, n))}"
            return False, Evidence("sigfigs", f"{yours}, the expected value is {_plain(target)}",
                                   reveals_reference=True, withheld=yours, yours=round_sig(g, n), expected=target)
        return True, None
    half = Fraction(1, 2) * (Fraction(10) ** ((exp10(target) if target else -1) + 1 - m))
    if abs(abs(g) - target) < half:
        return True, None
    shown = target if r >= 0 else -target
    accuracy = f"not accurate to {m} significant figure{'s' if m != 1 else ''}"
    return False, Evidence("sigfigs", f"{accuracy}: the expected value to {n} figures is {_plain(shown)}",
                           reveals_reference=True, withheld=accuracy, expected=shown)


def not_within(tolerance: str | None) -> str:
    """What a wrong number's gap (or a slip that turns it into the reference) says when the reference
    is held back: the rule it broke, not by how much."""
    return f"not within the tolerance{f' ({tolerance})' if tolerance else ''}"


def _why(text: str) -> Evidence:
    """A significant-figure rule the answer breaks, in words that give nothing of the reference away."""
    return Evidence("sigfigs", text)


def _plain(x: Fraction) -> str:
    """An exact decimal as text, without float noise (0.0499, 12300)."""
    if x.denominator == 1:
        return str(x.numerator)
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d.normalize(), "f")


def rel_error(given: Any, ref: Any) -> float:
    """|given - ref| / |ref| (the gap itself when ref is 0), computed exactly, then rounded."""
    g, r = _frac(exact(given)), _frac(exact(ref))
    try:
        return float(abs(g - r) / abs(r)) if r else float(abs(g - r))
    except OverflowError:  # an exact answer past the largest double (1e400 where 0.59 is expected)
        return math.inf
