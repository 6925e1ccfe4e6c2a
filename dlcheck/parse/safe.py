"""The trust boundary: typed text -> sympy objects, by a whitelist walk over Python's ast.

Nothing typed is ever evaluated as code. The text is rewritten to Python syntax
(:mod:`dlcheck.parse.text`), parsed by :func:`ast.parse` into a tree, and this module
builds sympy objects node by node, accepting only numbers, the names it was given, the
functions it was given, arithmetic, and lists. Size limits keep hostile input cheap,
each checked before the work it would cost: length, number of nodes, functions nested
in functions, lists nested deeper than a matrix, digits and powers of ten in a literal,
and — before a power is computed — the digits its exact value would need (a power of a
product or of a matrix included, so ``(pi*10^300)^1000`` and nested matrix powers are
refused unbuilt); after each step, a number further from 1 than 10^4000 either way
(``exp(exp(exp(9)))``) is refused before anything is built on it.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sympy as sp

from dlcheck.core.errors import ParseError, UnknownName
from dlcheck.core.suggest import closest, did_you_mean
from dlcheck.parse.functions import exp_of, sympy_function
from dlcheck.parse.latex import latex_to_plain, looks_like_latex
from dlcheck.parse.text import (
    chain,
    decimal_commas,
    entry_texts,
    inline_derivatives,
    is_label,
    resolve_names,
    to_python,
)
from dlcheck.parse.vocabulary import VOCABULARY

MAX_LENGTH = 2000
MAX_NODES = 400
MAX_DIGITS = 60
MAX_EXPONENT = 10 ** 6        # a power of a formula: (x - a)^6000 is an answer
MAX_NUMBER_EXPONENT = 10 ** 5  # a power of a number ...
MAX_POWER_BITS = 13_300       # ... whose exact value may have at most this many bits (4000 digits; 2^10000 is fine)
MAX_LITERAL_EXPONENT = 1000    # 1e-1000 .. 1e1000
MAX_MAGNITUDE = 4000           # no number beyond 10^4000 either way (what 4000 digits can write)
MAX_CALL_DEPTH = 10            # functions inside functions (the bank and the sheets nest 3 at most)
MAX_LIST_DEPTH = 2             # a matrix is a list of lists
MAX_MATRIX_POWER_OPS = 1000    # a symbolic matrix's size times its power: M^16 of a rotation, not (M^16)^16


class NoRealValue(ParseError):
    """The text names a number with no real value: a division by zero, a pole, a root or log of a
    negative, a function outside its real domain (1/0, csc(0), sqrt(-4), log(-1), acosh(0)). One
    rule for all of them, on either side: there is no real number to compare, so the answer is
    ``invalid`` with this sentence (as STACK and mitx treat 1/0). A *formula* with no real value
    at some points is not refused here: equivalence looks at its real domain."""

class Parsed(NamedTuple):
    """What :meth:`Parser.read` gives: the formula, the partial sub-formulas it lost (its guards), and a
    list's entries as written, row by row (in the Python syntax the text was read as: significant figures
    are counted on them, a matrix is drawn from them; none for a scalar)."""

    value: Any
    guards: tuple[Any, ...]
    entries: tuple[tuple[str, ...], ...] = ()


@dataclass
class Parser:
    """Parses text with a fixed vocabulary of names and functions.

    ``names`` maps what may be typed to the sympy object it stands for; ``functions``
    maps callable names to Python callables taking sympy arguments. ``subscripts``
    allows ``v[i]`` (1-based), which only problem authors need.
    """

    names: Mapping[str, Any]
    functions: Mapping[str, Callable[..., Any]]
    max_length: int = MAX_LENGTH
    max_nodes: int = MAX_NODES
    subscripts: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias_key(spelling) -> name or name[i]
    loose_names: bool = False
    expects: str = ""   # "list" for a vector or matrix part, "scalar" for a number or formula, "" unknown
    indices: dict[str, int] = field(default_factory=dict)   # what the part fixes ("for t = 3"): t is 3
    applied: Mapping[str, frozenset[str]] = field(default_factory=dict)  # defined quantity -> its inputs: f(x) is f
    constants: dict[str, Any] = field(default_factory=dict)
    # after parse(): the partial sub-formulas (sqrt, log, 1/x, ...) the text contained, that
    # sympy's own simplification may have removed (sqrt(x)^2 -> x): the answer's real
    # domain is where every one of them has a value (see dlcheck.check.equivalence)
    guards: list[Any] = field(default_factory=list)
    # after parse(): sentences about the working of a chain of equal sides (a side that disagrees)
    notes: list[str] = field(default_factory=list)
    # after parse(): the answer's list entries (Parsed.entries)
    _entries: tuple[tuple[str, ...], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.constants = {"pi": sp.pi, "e": sp.E}
        self.constants.update({k: sp.Integer(v) for k, v in self.indices.items() if k not in self.names})

    def read(self, text: str) -> Parsed:
        """The formula and its guards together (:meth:`parse`, and what it found lost)."""
        value = self.parse(text)
        return Parsed(value, tuple(self.guards), self._entries)

    def parse(self, text: str) -> Any:
        """Return a sympy expression or Matrix, or raise ParseError with one line."""
        if not isinstance(text, str):
            text = str(text)
        if len(text) > self.max_length:
            raise ParseError(f"answer too long ({len(text)} characters; the limit is {self.max_length})")
        if not text.strip():
            raise ParseError("empty answer")
        # a label is what a line names, not its value: x = 11 and $x=11$ are 11, on either side; in a
        # chain of equal sides the last is the answer, and a side that disagrees with it is noted
        text = _math_delimiters(text)
        sides, text = chain(text)
        value = self._read(text)
        entries = self._entries  # the answer's, not a side of its working's
        self.notes = self._check_working(sides, value, text)
        self._entries = entries
        return value

    def _check_working(self, working: list[str], value: Any, answer: str) -> list[str]:
        """Each side of the working that is a number and disagrees with the answer, as a sentence."""
        if not working or not _is_constant(value):
            return []
        guards, notes = self.guards, []
        for k, side in enumerate(working):
            try:
                side_value = self._read(side)
            except ParseError:
                continue   # working a marker reads past (sigma(1 - sigma) with its argument left out)
            if k == 0 and not is_label(side) and not _is_constant(side_value) and \
                    not isinstance(side_value, sp.MatrixBase):
                raise ParseError("this is an equation, not a value: write the value alone (or 'name = value')")
            if _is_constant(side_value) and not _agree(side_value, value, answer):
                notes.append(f"your working '{side.strip()}' is {_short(side_value)}, not {answer.strip()}")
        self.guards = guards
        return notes

    def _read(self, text: str) -> Any:
        """One side: the value of ``text``."""
        text = inline_derivatives(decimal_commas(text, self.expects))
        if looks_like_latex(text):
            text = latex_to_plain(text, self.names, self.aliases, self.indices)
        if self.loose_names:
            text = resolve_names(text, self.names, self.aliases, frozenset(self.functions))
        source = to_python(text, frozenset(self.functions) | _BIG_OPERATORS, {*self.names, *self.constants},
                           self.applied)
        if _EMPTY_ITEM.search(source):
            raise ParseError("a comma with nothing after it; fill in the missing item or remove the comma")
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise ParseError(f"not a formula: {_syntax_reason(exc)}") from None
        except (ValueError, MemoryError, RecursionError):
            raise ParseError("not a formula") from None
        count = sum(1 for _ in ast.walk(tree))
        if count > self.max_nodes:
            raise ParseError(f"formula too large ({count} parts; the limit is {self.max_nodes})")
        _check_nesting(tree.body)
        self._source = source
        self._entries = entry_texts(tree.body, source)
        self._partial: list[Any] = []
        value = self._node(tree.body)
        if _has_infinity(value):
            raise NoRealValue("the value is undefined (division by zero?)")
        self.guards = _lost(self._partial, value)
        return value

    # -- nodes ---------------------------------------------------------------------
    def _node(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ParseError(f"{_describe(node)} is not allowed in an answer")
        value = method(node)
        if isinstance(node, (ast.BinOp, ast.Call, ast.UnaryOp)):
            _check_size(value)
        return value

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParseError(f"{_describe(node)} is not allowed in an answer")
        literal = ast.get_source_segment(self._source, node) or repr(value)
        digits = sum(ch.isdigit() for ch in literal)
        if digits > MAX_DIGITS:
            raise ParseError(f"a number with {digits} digits is too long (the limit is {MAX_DIGITS})")
        if isinstance(value, int):
            return sp.Integer(value)
        exponent = re.search(r"[eE]([+-]?\d+)$", literal)
        if exponent and abs(int(exponent.group(1))) > MAX_LITERAL_EXPONENT:
            raise ParseError(f"the number {literal} is out of range (powers of ten up to {MAX_LITERAL_EXPONENT})")
        return sp.Rational(literal)  # exact: 0.1 stays 1/10, 1e400 is 10^400

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        if node.id in self.constants:
            return self.constants[node.id]
        if node.id in self.functions:
            raise ParseError(f"{node.id} is a function: write {node.id}(...)")
        known = sorted(self.names)
        close = closest(node.id, known)
        hint = (f" (did you mean {' or '.join(close)}?)" if close else "") + \
            (f"; known symbols: {', '.join(known[:25])}" if known else "")
        raise UnknownName(f"unknown symbol '{node.id}'{hint}", node.id, "symbol")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self._node(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ParseError(f"the operator {_describe(node.op)} is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self._node(node.left), self._node(node.right)
        op = node.op
        try:
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Sub):
                return left - right
            if isinstance(op, (ast.Mult, ast.MatMult)):
                return _multiply(left, right, matmul=isinstance(op, ast.MatMult))
            if isinstance(op, ast.Div):
                if isinstance(right, sp.MatrixBase):
                    raise ParseError("cannot divide by a vector or matrix")
                if right == 0:
                    raise NoRealValue("division by zero")
                self._note(1 / right)
                return left / right
            if isinstance(op, ast.Pow):
                value = self._note(_power(left, right))
                if _not_real(value):
                    raise NoRealValue("this power has no real value (a root of a negative number?)")
                return value
        except sp.ShapeError as exc:
            raise ParseError(f"shapes do not fit: {exc}") from None
        except TypeError:
            raise ParseError("cannot combine a number and a matrix that way") from None
        except ArithmeticError:
            raise ParseError("this arithmetic cannot be worked out exactly; write the values as plain "
                             "numbers") from None
        raise ParseError(f"the operator {_describe(op)} is not allowed")

    def _Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in _BIG_OPERATORS and node.func.id not in self.functions:
            return self._big_operator(node.func.id, node)
        if not isinstance(node.func, ast.Name) or node.func.id not in self.functions:
            name = node.func.id if isinstance(node.func, ast.Name) else "that"
            raise UnknownName(f"unknown function '{name}'{did_you_mean(name, self.functions)}", name, "function")
        if node.keywords:
            raise ParseError("keyword arguments are not allowed")
        if not node.args:
            raise ParseError(f"{node.func.id}() needs an argument, as in {node.func.id}(x)")
        args = [self._node(a) for a in node.args]
        try:
            value = self._note(self.functions[node.func.id](*args))
            if _has_infinity(value):  # even when a later 0* would hide it: 0*log(0) is no 0
                raise NoRealValue(f"{node.func.id}(...) has no value here (a log of 0, or a pole?)")
            if _not_real(value):  # sqrt(-4), log(-1), acosh(0): no real value, like 1/0 (one rule)
                raise NoRealValue(f"{node.func.id}(...) has no real value here (a root or log of a negative, or "
                                  "outside its domain?)")
            return value
        except ParseError:
            raise
        except (TypeError, ValueError, sp.ShapeError, AttributeError, IndexError) as exc:
            raise ParseError(f"cannot apply {node.func.id} here: {exc}") from None
        except ArithmeticError:  # sympy could not decide a comparison (max, floor of a value beyond its precision)
            raise ParseError(f"{node.func.id} of these values cannot be worked out exactly; write the values as "
                             "plain numbers") from None

    def _big_operator(self, op: str, node: ast.Call) -> Any:
        """``sum_over(term, i, first, last)`` (what LaTeX's \\sum and \\prod with bounds that are not
        whole numbers become): the terms added up (multiplied) when the bounds are numbers, at most
        MAX_TERMS of them; otherwise the closed form, for a term sympy sums exactly (a polynomial in
        the index, or a term without it). Never an open-ended loop: \\prod_{i=1}^{10^9} is refused."""
        word = "\\sum" if op == "sum_over" else "\\prod"
        if len(node.args) != 4 or not isinstance(node.args[1], ast.Name):
            raise ParseError(f"{word} needs an index, as in {word}_{{i=1}}^{{n}}")
        first, last = self._node(node.args[2]), self._node(node.args[3])
        index = sp.Symbol(node.args[1].id, integer=True)
        saved = self.names
        self.names = {**saved, node.args[1].id: index}
        try:
            term = self._node(node.args[0])
        finally:
            self.names = saved
        if any(isinstance(v, sp.MatrixBase) for v in (first, last, term)):
            raise ParseError(f"{word} takes numbers as its bounds and terms")
        if first.is_number and last.is_number:
            if not (first.is_Integer and last.is_Integer):
                raise ParseError(f"the bounds of a {word} must be whole numbers")
            count = int(last) - int(first) + 1
            if count > MAX_TERMS:
                raise ParseError(f"a {word} with {count:,} terms is too long to check (at most {MAX_TERMS:,}); "
                                 "write its value or a closed form")
            if count * (sp.count_ops(term) + 1) > MAX_TERM_OPS:
                raise ParseError(f"that {word} is too large to write out; write its value or a closed form")
            terms = [term.xreplace({index: sp.Integer(k)}) for k in range(int(first), int(last) + 1)]
            return (sp.Add if op == "sum_over" else sp.Mul)(*terms)
        if term.free_symbols & {index} and not term.is_polynomial(index) or \
                (term.is_polynomial(index) and sp.degree(term, index) > 8):
            raise ParseError(f"a {word} with a bound that is not a number is read only when its term is a "
                             "low power of the index or does not contain it; write the terms out")
        if op == "prod_over" and index in term.free_symbols and term != index:
            raise ParseError("a \\prod with a bound that is not a number is read only for a term without "
                             "the index, or the index itself (a factorial); write the factors out")
        builder = sp.Sum if op == "sum_over" else sp.Product
        return builder(term, (index, first, last)).doit()

    def _List(self, node: ast.List | ast.Tuple) -> Any:
        items = [self._node(e) for e in node.elts]
        if not items:
            raise ParseError("empty list")
        if all(isinstance(i, sp.MatrixBase) for i in items):
            if any(min(i.shape) > 1 for i in items):
                raise ParseError("a list of matrices is not a matrix; write a matrix as a list of rows, "
                                 "as in [[1, 2], [3, 4]]")
            rows = [list(i) for i in items]
            if any(len(r) != len(rows[0]) for r in rows):
                raise ParseError("the rows of this matrix have different lengths")
            return sp.Matrix(rows)
        if any(isinstance(i, sp.MatrixBase) for i in items):
            raise ParseError("a list mixes numbers and lists")
        return sp.Matrix(items)

    _Tuple = _List

    def _Subscript(self, node: ast.Subscript) -> Any:
        if not self.subscripts:
            raise ParseError("indexing with [] is not allowed in an answer")
        value = self._node(node.value)
        index = self._node(node.slice)
        indices = list(index) if isinstance(index, sp.MatrixBase) else [index]
        if not isinstance(value, sp.MatrixBase) or not all(i.is_Integer for i in indices):
            raise ParseError("only a vector or matrix can be indexed, with whole numbers from 1")
        try:
            if len(indices) == 1 and min(value.shape) == 1:
                return list(value)[int(indices[0]) - 1]
            if len(indices) == 1:
                return value.row(int(indices[0]) - 1).T
            return value[int(indices[0]) - 1, int(indices[1]) - 1]
        except IndexError:
            raise ParseError("index out of range (indices start at 1)") from None


    def _note(self, value: Any) -> Any:
        """Remember the partial functions in a result (a sqrt, a log, a fractional power) as guards."""
        for item in (value if isinstance(value, sp.MatrixBase) else [value]):
            if isinstance(item, sp.Basic) and _is_partial(item) and len(self._partial) < MAX_GUARDS:
                self._partial.append(item)
        return value


MAX_GUARDS = 64
_BIG_OPERATORS = frozenset({"sum_over", "prod_over"})
MAX_TERMS = 1000          # terms of a \sum or \prod with number bounds, written out
MAX_TERM_OPS = 20_000     # ... and their total size
_EMPTY_ITEM = re.compile(r",\s*[)\]]|[(\[]\s*,")
# the functions with no real value somewhere (log, asin, tan, csch, ...), from the vocabulary
_PARTIAL_FUNCTIONS: tuple[type, ...] = tuple(f for f in (sympy_function(r) for r in VOCABULARY if r.partial)
                                              if isinstance(f, type))


def _is_partial(e: Any) -> bool:
    """Does ``e`` (at its top) have no real value somewhere: a root, a log, a division, asin, tan ...?"""
    if e.is_Pow:
        exponent = e.exp
        return bool(e.base.free_symbols) and not (exponent.is_Integer and exponent >= 0)
    return bool(e.free_symbols) and isinstance(e, _PARTIAL_FUNCTIONS)


def _lost(partial: list[Any], value: Any) -> list[Any]:
    """The partial sub-formulas that are no longer inside ``value`` (sympy simplified them away)."""
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    out: list[Any] = []
    for p in partial:
        if p not in out and not any(isinstance(i, sp.Basic) and i.has(p) for i in items):
            out.append(p)
    return out


def _multiply(left: Any, right: Any, matmul: bool) -> Any:
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        if not matmul and left.shape == right.shape and left.shape[1] == 1:
            raise ParseError("'*' between two vectors is ambiguous; use dot(a, b) or hadamard(a, b)")
        return left * right
    return left * right


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, sp.MatrixBase):
        raise ParseError("an exponent cannot be a matrix")
    if isinstance(base, sp.MatrixBase):
        if not (exponent.is_Integer and -16 <= exponent <= 16):
            raise ParseError("a matrix may only be raised to a small whole power (-16 to 16)")
        if base.rows != base.cols:
            raise ParseError("only a square matrix has powers")
        _check_power_cost(base, exponent)
        if exponent < 0:
            if base.det() == 0:
                raise ParseError("this matrix has no inverse (its determinant is 0)")
            return base.inv() ** int(-exponent)
        return base ** int(exponent)
    if base is sp.E:
        return exp_of(exponent)  # e^log(x) keeps its domain, like exp(log(x))
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise ParseError(f"exponent {exponent} is too large (the limit is {MAX_EXPONENT})")
        if base.is_Number and abs(exponent) > MAX_NUMBER_EXPONENT:
            raise ParseError(f"exponent {exponent} of a number is too large (the limit is {MAX_NUMBER_EXPONENT})")
        if base.is_Number and base != 0:
            try:
                bits = float(abs(exponent)) * max(1.0, abs(math.log2(abs(float(base)))))
            except (OverflowError, ValueError):
                bits = math.inf
            if bits > MAX_POWER_BITS:
                raise ParseError("that power of numbers is too large to be an answer")
        _check_power_cost(base, exponent)
        if base.is_number and base.is_extended_negative and exponent.is_Rational and int(exponent.q) % 2:
            # (-8)^(1/3) is the real cube root -2, as the evaluators read it (not sympy's complex root)
            magnitude = (-base) ** exponent
            return -magnitude if int(exponent.p) % 2 else magnitude
    return base ** exponent


# -- what a step would cost, known before it is taken ------------------------------------------
def _check_nesting(root: ast.AST) -> None:
    """Functions nested in functions, and lists in lists in lists, counted on the tree (no recursion)."""
    todo: list[tuple[ast.AST, int, int]] = [(root, 0, 0)]
    while todo:
        node, calls, lists = todo.pop()
        if isinstance(node, ast.Call):
            calls += 1
            if calls > MAX_CALL_DEPTH:
                raise ParseError(f"functions nested more than {MAX_CALL_DEPTH} deep; an answer needs only a few "
                                 "(write the inner values as numbers)")
        elif isinstance(node, (ast.List, ast.Tuple)):
            lists += 1
            if lists > MAX_LIST_DEPTH:
                raise ParseError("a list nested three deep is not a vector or a matrix; a matrix is a list of "
                                 "rows, as in [[1, 2], [3, 4]]")
        todo.extend((child, calls, lists) for child in ast.iter_child_nodes(node))


def _bits(value: Any) -> float:
    """The most bits a number in ``value`` (an expression or a matrix) needs, numerator or denominator."""
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    best = 1.0
    for item in items:
        if isinstance(item, sp.Basic):
            for r in item.atoms(sp.Rational):
                best = max(best, _log2(abs(int(r.p))), _log2(int(r.q)))
    return best


def _log2(n: int) -> float:
    return math.log2(n) if 0 < n < 1 << 1000 else float(n.bit_length())


def _check_power_cost(base: Any, exponent: Any) -> None:
    """Refuse a power before computing it when its exact numbers would be too long (sympy spreads a
    power over a product: (pi*10^300)^1000 holds 10^300000) or a matrix power would swell."""
    power = abs(float(exponent))
    if power <= 1:
        return
    growth = math.log2(base.rows) if isinstance(base, sp.MatrixBase) else 0.0  # sums of products in M^k
    digits = power * (_bits(base) + growth)
    if digits > MAX_POWER_BITS:
        raise ParseError(f"that power would need about {int(digits * 0.30103):,} digits to write exactly, too "
                         "many to check; write its value with fewer digits")
    if isinstance(base, sp.MatrixBase) and base.free_symbols:
        size = sum(sp.count_ops(e) + 1 for e in base) * power
        if size > MAX_MATRIX_POWER_OPS:
            raise ParseError("that power of a matrix of formulas is too large to work out; use a smaller "
                             "power or multiply out a step")


def _check_size(value: Any) -> None:
    """After a step: no exact number longer than a power may make, no number beyond 10^1000."""
    if _bits(value) > MAX_POWER_BITS:
        raise ParseError(f"a number in the answer would need about {int(_bits(value) * 0.30103):,} digits, too "
                         "many to check; write its value with fewer digits")
    for item in (list(value) if isinstance(value, sp.MatrixBase) else [value]):
        if isinstance(item, sp.Expr) and not item.free_symbols:
            exponent = _decimal_exponent(item)
            if exponent is not None and abs(exponent) > MAX_MAGNITUDE:
                size = f"about 10^{exponent}" if abs(exponent) < 10 ** 6 else \
                    f"far {'beyond' if exponent > 0 else 'below'} 10^{'-' if exponent < 0 else ''}{MAX_MAGNITUDE}"
                raise ParseError(f"a number in the answer is {size}, too {'large' if exponent > 0 else 'small'} to "
                                 f"be an answer (the range is 10^-{MAX_MAGNITUDE} to 10^{MAX_MAGNITUDE})")


def _decimal_exponent(item: Any) -> int | None:
    """log10 of a constant's size, from a quick 15-digit evaluation (None: no real value, or zero)."""
    if item.is_Rational:
        return None if item == 0 else math.floor(math.log10(abs(int(item.p))) - math.log10(int(item.q)))
    try:
        value = item.evalf(15)
    except (ValueError, TypeError, OverflowError, ArithmeticError, RecursionError):
        return None
    if not isinstance(value, sp.Float) or value == 0 or not value.is_finite:
        return None
    mantissa, exponent = int(value._mpf_[1]), int(value._mpf_[2])  # value = mantissa * 2^exponent
    if not mantissa:
        return None
    return math.floor(math.log10(mantissa) + exponent * math.log10(2)) if abs(exponent) < 1 << 60 else \
        exponent * 30103 // 100000  # an exponent too long for a float: whole-number arithmetic


def _math_delimiters(text: str) -> str:
    """``$x$``, ``$$x$$``, ``\\(x\\)``, ``\\[x\\]``: the math inside."""
    stripped = text.strip()
    if stripped.startswith("$"):
        return stripped.strip("$").strip()
    for left, right in (("\\(", "\\)"), ("\\[", "\\]")):
        if stripped.startswith(left) and stripped.endswith(right) and len(stripped) >= 4:
            return stripped[2:-2].strip()
    return text


def _is_constant(value: Any) -> bool:
    return isinstance(value, sp.Expr) and not value.free_symbols and value.is_number


def _agree(side: Any, answer: Any, written: str) -> bool:
    """A side of the working agrees with the answer to the answer's written precision (within one
    unit of its last digit, so both rounding and truncation pass: 0.59447 = 0.594)."""
    digits = re.search(r"[.,٫](\d+)\s*\S*$", written.strip())
    unit = sp.Rational(1, 10 ** len(digits.group(1))) if digits else sp.Rational(0)
    try:
        gap = abs(sp.N(side - answer, 30))
        return bool(gap <= unit or gap <= sp.Float("1e-20") * max(1, abs(sp.N(answer, 30))))
    except (TypeError, ValueError, ArithmeticError):
        return True   # no number to compare: nothing to say


def _short(value: Any) -> str:
    return str(value) if value.is_Rational and len(str(value)) < 16 else str(sp.N(value, 6))


def _not_real(value: Any) -> bool:
    """A constant with no real value (2*I from sqrt(-4), I*pi from log(-1), asin(2)); formulas are
    left to equivalence, which looks at their real domain."""
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for item in items:
        if isinstance(item, sp.Expr) and not item.free_symbols and item.is_number and \
                (item.has(sp.I) or item.is_extended_real is False):
            return True
    return False


def _has_infinity(value: Any) -> bool:
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    return any(i.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.AccumBounds) for i in items)


def _describe(node: ast.AST) -> str:
    names = {"Attribute": "attribute access (.)", "Lambda": "lambda", "Compare": "a comparison",
             "BoolOp": "and/or", "Dict": "a dictionary", "Set": "a set", "Starred": "*",
             "JoinedStr": "a string", "IfExp": "if/else", "Constant": "a string or other constant",
             "BitXor": "^", "FloorDiv": "//", "Mod": "%"}
    kind = type(node).__name__
    return names.get(kind, kind)


def _syntax_reason(exc: SyntaxError) -> str:
    msg = exc.msg or "syntax error"
    if "never closed" in msg or "unmatched" in msg or "was never" in msg:
        return "brackets do not match"
    if "too many nested" in msg:
        return "too deeply nested"
    return "check the operators and brackets"
