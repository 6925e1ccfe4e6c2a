"""Turn what a person typed into plain Python-expression syntax, without evaluating anything.

This step only rewrites text: digits from other scripts become ASCII, a lone decimal
comma becomes a point, ``^`` becomes ``**``, ``sigmoid'`` becomes ``dsigmoid``, and the
multiplication a person leaves out (``2w``, ``2(x+1)``, ``(a)(b)``) is written in. The
result is handed to :mod:`dlcheck.parse.safe`, which alone decides what it may mean.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Collection, Mapping

from dlcheck.core.errors import ParseError, UnknownName
from dlcheck.core.suggest import did_you_mean
from dlcheck.parse.latex import GREEK_LETTERS, alias_key

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits, and their decimal separator.
DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
DIGITS[ord("٫")] = "."
_SYMBOLS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "′": "'", "’": "'",
            "²": "^2", "³": "^3", "ŷ": "yhat", "√": "sqrt", "½": "(1/2)", "¼": "(1/4)", "¾": "(3/4)",
            "⅓": "(1/3)", "⅔": "(2/3)"}
# Greek letters a person may type for a name; 'lambda' is a Python keyword, so 'lam'.
GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta",
         "θ": "theta", "λ": "lam", "μ": "mu", "ρ": "rho", "τ": "tau", "φ": "phi",
         "ϕ": "phi", "ω": "omega", "π": "pi", "σ": "sigmoid", "Σ": "sum"}

_LONE_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<op>\*\*|[-+*/^(),\[\]@'|!])"
)


def normalize(text: str) -> str:
    """ASCII digits, ASCII operators, and a point for a lone decimal comma (``0,594``)."""
    text = unicodedata.normalize("NFC", text).translate(DIGITS)
    for old, new in _SYMBOLS.items():
        text = text.replace(old, new)
    if _LONE_DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    return text.strip()


_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
_ARITHMETIC = re.compile(r"[-+*/^×·]|\\cdot|\\times|\d\s*\(|\)\s*[\d(]")


def decimal_commas(text: str, expects: str = "") -> str:
    """Decimal commas inside an expression, ``0,4 - 0,5(-0,0769)`` or ``(0,05 \\cdot 0,15) + 0,35``, as
    points. A comma between digits is a decimal mark where no list is open: outside square brackets
    and the brackets of a call (``max(1,2)`` keeps its two arguments), in a text with no other comma
    that separates (``1, 2`` is a list) and with arithmetic in it (``1,2,3`` alone stays a list).
    ``expects`` is the shape the part asks for: ``"list"`` (a vector or matrix) makes such a text
    ambiguous, and it is refused with a sentence rather than read either way."""
    if not _DIGIT_COMMA.search(text):
        return text
    if ";" in text and "[" in text:  # [0,5; -0,2]: entries separated by ';', so every comma is decimal
        return _DIGIT_COMMA.sub(".", text).replace(";", ",")
    bare: list[int] = []        # commas between digits outside any list
    separators = False          # another comma outside any list: the text is a list itself
    stack: list[bool] = []      # for each open bracket: does it hold a list (a [ or a call's ( )?
    square: list[list[int] | None] = []   # per open bracket, for a [: (a comma between digits, a comma
    mixed = -1                            # followed by a space) in that very list; a list with both
    for i, ch in enumerate(text):
        if ch in "([{":
            before = text[max(0, i - 40):i].rstrip()   # a bounded look back: no quadratic scan
            call = ch == "(" and bool(re.search(r"[A-Za-z_][A-Za-z_0-9]*$", before)) and \
                not re.search(r"\\(?:left|cdot|times)$", before)
            stack.append(ch == "[" or call)
            square.append([-1, -1] if ch == "[" else None)
        elif ch in ")]}":
            if stack:
                stack.pop()
                square.pop()
        elif ch == "," and square and square[-1] is not None:
            seen = square[-1]
            if _DIGIT_COMMA.match(text, i):
                seen[0] = i
            elif text[i + 1:i + 2].isspace():
                seen[1] = i
            if min(seen) >= 0 and mixed < 0:
                mixed = seen[0]
        elif ch == "," and not any(stack):
            if _DIGIT_COMMA.match(text, i):
                bare.append(i)
            else:
                separators = True
    if mixed >= 0:  # [0,5, 0,2]: two entries with decimal commas, or four? never guessed
        raise ParseError("a comma here could separate entries or be a decimal comma; write decimals with a "
                         "point (0.5), or separate the entries with ';', as in [0,5; -0,2]", mixed + 1)
    if not bare or separators:
        return text
    if not _ARITHMETIC.search(_DIGIT_COMMA.sub("", text)) and not (expects == "scalar" and len(bare) == 1):
        return text   # 1,2,3 alone is a list; (0,5) where a number is asked is 0.5
    if expects == "list":
        raise ParseError("a comma here could separate entries or be a decimal comma; write decimals with a "
                         "point (0.5), or separate the entries with ';', as in [0,5; -0,2]",
                         bare[0] + 1)
    chars = list(text)
    for i in bare:
        chars[i] = "."
    return "".join(chars)


# ∂f(x)/∂z_1^{[2]} and ∂L/∂h_{t+1}: a derivative written inline, as \frac{\partial f}{\partial z_1^{[2]}} (the
# arguments of the function differentiated, f(x), name its inputs and are left out)
# (no piece may match in two ways: a name has no underscore of its own, each script starts with _ or ^)
_NAME_SCRIPTS = r"[A-Za-z][A-Za-z0-9]*(?:\s*(?:_\{[^{}]*\}|_[A-Za-z0-9]+|\^\{[^{}]*\}|\^[A-Za-z0-9]+))*"
_INLINE_DERIVATIVE = re.compile(rf"∂\s*({_NAME_SCRIPTS})(?:\([^()]*\))?\s*/\s*∂\s*({_NAME_SCRIPTS})")


def inline_derivatives(text: str) -> str:
    if "∂" not in text:
        return text
    return _INLINE_DERIVATIVE.sub(lambda m: rf"\frac{{\partial {m[1]}}}{{\partial {m[2]}}}", text)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """Split into (kind, text, column) tokens; anything else is a ParseError naming it."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind != "ws":
            value = m.group()
            if kind == "name":  # a Greek letter alone (σ is sigmoid), or spelt out inside a name (μ0 is mu0)
                value = GREEK.get(value) or "".join(GREEK_LETTERS.get(ch, ch) for ch in value)
            tokens.append((kind, value, pos + 1))
        pos = m.end()
    return tokens


def to_python(text: str, functions: frozenset[str] | set[str], symbols: Collection[str] | None = None,
              applied: Mapping[str, Collection[str]] | None = None) -> str:
    """Rewrite typed text into Python expression syntax (still only text).

    ``functions`` are the names that take arguments. A known symbol followed by ``(`` is
    a product (``w(x+1)`` is ``w*(x+1)``); when ``symbols`` is given, any other name
    followed by ``(`` is a call of an unknown function (see :func:`unknown_call`).
    """
    tokens = _notation(tokenize(normalize(text)), functions, symbols or ())
    if applied:
        tokens = _applications(tokens, applied)
    out: list[str] = []
    prev_kind, prev = "", ""
    for kind, value, col in tokens:
        if value == "'":
            if prev_kind == "name" and prev in functions and f"d{prev}" in functions:
                out[-1] = f"d{prev}"
                prev = f"d{prev}"
                continue
            raise ParseError("a quote (') is only allowed as a prime after sigmoid or tanh, "
                             "as in sigmoid'(z); strings are not answers", col)
        if value == "^":
            value = "**"
        if value in ("!", "|"):
            raise ParseError(f"a '{value}' here is not read; write factorial(n) or abs(x)", col)
        ends_operand = prev_kind in ("num", "name") or prev in (")", "]")
        starts_operand = kind in ("num", "name") or value == "("
        is_call = prev_kind == "name" and prev in functions and value == "("
        if prev_kind == "name" and value == "(" and not is_call and symbols is not None:
            unknown_call(prev, functions, symbols, col)
        if ends_operand and starts_operand and not is_call:
            if prev_kind == "num" and kind == "num":
                raise ParseError("two numbers side by side; put an operator between them", col)
            if not (prev_kind == "name" and prev in functions):
                out.append("*")
        out.append(value)
        prev_kind, prev = kind, value
    return " ".join(out)


Token = tuple[str, str, int]


def _notation(tokens: list[Token], functions: Collection[str], symbols: Collection[str]) -> list[Token]:
    """Paper notation as calls: ``|x|`` is ``abs(x)``, ``n!`` is ``factorial(n)``, ``M^T`` is
    ``transpose(M)`` (when no symbol is called T), ``sin^2(x)`` and ``sin**2(x)`` are ``(sin(x))^2``,
    and two bracketed matrices side by side, ``[[1,2],[3,4]][[5,6],[7,8]]``, are a product."""
    tokens = _bars(tokens)
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        kind, value, col = tokens[k]
        if kind == "name" and value in functions and _is_power_call(tokens, k):
            end = _matching(tokens, k + 3)
            inner = _notation(tokens[k + 3:end + 1], functions, symbols)
            out += [("op", "(", col), (kind, value, col), *inner, ("op", ")", col), ("op", "**", col), tokens[k + 2]]
            k = end + 1
            continue
        if value == "!" and out and "factorial" in functions:
            _wrap_tokens(out, "factorial", col)
            k += 1
            continue
        if value in ("^", "**") and k + 1 < len(tokens) and tokens[k + 1][1] in ("T", "top") and out \
                and tokens[k + 1][1] not in symbols and "transpose" in functions and is_transposable(out[-1]):
            _wrap_tokens(out, "transpose", col)
            k += 2
            continue
        if value == "[" and out and (out[-1][1] == "]" or out[-1][1] == ")" and k + 1 < len(tokens)
                                     and tokens[k + 1][1] == "["):
            out.append(("op", "*", col))   # [[1,2],[3,4]][[5,6],[7,8]], M^T[[1],[1]]: a product, as on paper
        out.append(tokens[k])
        k += 1
    return out


def _applications(tokens: list[Token], applied: Mapping[str, Collection[str]]) -> list[Token]:
    """``f(x)``, ``f(x1, x2)``: a quantity the problem defines, written with its inputs named, is that
    quantity (its value at the problem's point), not f times x. Only names of its own inputs inside
    the brackets: ``f(x + 1)`` and ``out_h1(w5)`` (w5 comes after out_h1) are still products."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        out.append(tokens[k])
        if tokens[k][0] == "name" and tokens[k][1] in applied and k + 1 < len(tokens) and tokens[k + 1][1] == "(":
            end = k + 2
            inputs = applied[tokens[k][1]]
            while end < len(tokens) and (tokens[end][0] == "name" and tokens[end][1] in inputs
                                         or tokens[end][1] == ","):
                end += 1
            if end > k + 2 and end < len(tokens) and tokens[end][1] == ")":
                k = end + 1
                continue
        k += 1
    return out


def is_transposable(token: Token) -> bool:
    """May ``^T`` after this token be a transpose? Not after a number or e or pi (e^T is a power)."""
    return token[0] != "num" and token[1] not in _CONSTANTS


def _bars(tokens: list[Token]) -> list[Token]:
    """``|x|`` -> ``abs(x)``: a bar opens where an operand may start, and closes the last open bar
    where an operand has just ended (``|a|*|b|``, ``|x - |y||``)."""
    if not any(t[1] == "|" for t in tokens):
        return tokens
    out: list[Token] = []
    open_bars = 0
    for kind, value, col in tokens:
        if value != "|":
            out.append((kind, value, col))
            continue
        ends = bool(out) and (out[-1][0] in ("num", "name") or out[-1][1] in (")", "]", "!"))
        if ends and open_bars:
            out.append(("op", ")", col))
            open_bars -= 1
        else:  # |x||y|: after a closed bar, a new one opens (a product)
            out += [("name", "abs", col), ("op", "(", col)]
            open_bars += 1
    if open_bars:
        raise ParseError("a '|' is never closed; write |x| around a value, or abs(x)", tokens[-1][2])
    return out


def _wrap_tokens(out: list[Token], function: str, col: int) -> None:
    """``out`` ends with an operand (a name, a number, a bracketed group or a call): wrap it as
    ``function(operand)``."""
    start = len(out) - 1
    if out[start][1] in (")", "]"):
        depth = 0
        for j in range(start, -1, -1):
            depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(out[j][1], 0)
            if depth == 0:
                start = j
                break
        if start > 0 and out[start][1] == "(" and out[start - 1][0] == "name":
            start -= 1   # a call f(x)
    elif out[start][0] not in ("num", "name"):
        raise ParseError(f"{function} needs a value before it", col)
    out[start:] = [("name", function, col), ("op", "(", col), *out[start:], ("op", ")", col)]


# -- the names a person writes -> the problem's names --------------------------------------
# (a text step like to_python: it only rewrites, and a name it cannot place is left for the
# safe parser to refuse with its own message)
_CONSTANTS = frozenset({"pi", "e"})


def resolve_names(text: str, names: Collection[str], aliases: Mapping[str, str],
                  functions: Collection[str]) -> str:
    """Each name token as the problem's name: a declared spelling (``omega_k`` for ``w_k``),
    a subscript written with or without its underscore (``u_1`` for ``u1``), Greek spelt out
    inside a name (``ω_k``), or known names side by side (``wu_2`` is ``w*u2``, ``Ux_next`` is
    ``U*x_next``). A function raised to a power before its argument, ``cos^2(x)``, becomes
    ``(cos(x))^2``."""
    tokens = tokenize(normalize(text))
    index = _underscore_index(names)
    out: list[str] = []
    k = 0
    while k < len(tokens):
        kind, value, _ = tokens[k]
        if kind == "name" and value in functions and _is_power_call(tokens, k):
            end = _matching(tokens, k + 3)
            inner = " ".join(t[1] for t in tokens[k + 4:end])
            out.append(f"({value}({resolve_names(inner, names, aliases, functions)}))^{tokens[k + 2][1]}")
            k = end + 1
            continue
        if value == "^" and k + 1 < len(tokens) and tokens[k + 1][1] == "T" and "T" not in names \
                and "transpose" in functions and out:
            _wrap_last_operand(out, "transpose")  # W^T: the transpose, as written on paper
            k += 2
            continue
        if kind == "name" and value not in functions:
            value = " ".join(_split_name(value, names, aliases, index) or [value])
        out.append(value)
        k += 1
    return " ".join(out)


def _wrap_last_operand(out: list[str], function: str) -> None:
    """``out`` ends with an operand (a name, a number, a bracketed group, a call or an
    indexed name): wrap it as ``function(operand)``."""
    start = len(out) - 1
    if out[start] in (")", "]"):
        depth = 0
        for j in range(start, -1, -1):
            depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(out[j], 0)
            if depth == 0:
                start = j
                break
        if start > 0 and out[start] in ("(", "[") and out[start - 1] not in "+-*/^,([" :
            start -= 1   # a call f(x) or an indexed name v[1]
    out[start:] = [f"{function}(", *out[start:], ")"]


def _underscore_index(names: Collection[str]) -> dict[str, str | None]:
    """Each name without its underscores -> the name (None when two names would collide)."""
    index: dict[str, str | None] = {}
    for name in names:
        key = name.replace("_", "")
        index[key] = None if key in index and index[key] != name else name
    return index


def _one_name(piece: str, names: Collection[str], aliases: Mapping[str, str],
              index: Mapping[str, str | None]) -> str | None:
    if piece in names:
        return piece
    spelt = "".join(GREEK_LETTERS.get(ch, ch) for ch in piece)
    if spelt in names:
        return spelt
    if alias_key(spelt) in aliases:
        return aliases[alias_key(spelt)]
    if "_" in spelt:  # u_1 for u1: the subscript written out, as LaTeX would read it
        return index.get(spelt.replace("_", ""))
    return None


def _split_name(token: str, names: Collection[str], aliases: Mapping[str, str],
                index: Mapping[str, str | None]) -> list[str] | None:
    """The token as one name, or as the fewest known names side by side (None: neither)."""
    whole = _one_name(token, names, aliases, index)
    if whole is not None or token in _CONSTANTS:
        return [whole or token]
    n = len(token)
    # no piece much longer than the longest spelling can match (Greek only lengthens a piece
    # when spelt out; a written-out underscore may follow each character): this keeps a
    # hostile 2000-letter name linear, not cubic
    longest = 2 * max((len(k) for k in (*names, *aliases, *index)), default=0) + 1
    best: list[list[str] | None] = [None] * (n + 1)   # best[i]: fewest names spelling token[:i]
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - longest), end):
            prev = best[start]
            piece = token[start:end]
            if prev is None or not piece[0].isalpha():
                continue
            found = _one_name(piece, names, aliases, index)
            if found is not None and (best[end] is None or len(prev) + 1 < len(best[end] or [])):
                best[end] = prev + [found]
    return best[n] if best[n] and len(best[n] or []) > 1 else None


def _is_power_call(tokens: list[tuple[str, str, int]], k: int) -> bool:
    return (k + 3 < len(tokens) and tokens[k + 1][1] in ("^", "**") and tokens[k + 2][0] == "num"
            and tokens[k + 3][1] == "(")


def _matching(tokens: list[tuple[str, str, int]], k: int) -> int:
    depth = 0
    for j in range(k, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
        if depth == 0:
            return j
    raise ParseError("brackets do not match", tokens[k][2])


_LABEL = re.compile(r"^\s*(?:\\frac\s*\{[^{}=]*\}\s*\{[^{}=]*(?:\{[^{}=]*\}[^{}=]*)*\}"
                    r"|d\w*/d\w*|[\w\\{}\[\]^'′ ,|()ŷ]+)\s*$")


def split_sides(text: str) -> list[str]:
    """The sides of ``a = b = c`` (``=`` outside brackets; ``<=``, ``>=``, ``==``, ``!=`` are no sides)."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += 1 if ch in "([{" else -1 if ch in ")]}" else 0
        if ch == "=" and depth == 0 and text[i - 1:i] not in ("<", ">", "=", "!") and text[i + 1:i + 2] != "=":
            pieces.append(text[start:i])
            start = i + 1
    return [*pieces, text[start:]]


def is_label(side: str) -> bool:
    """Does ``side`` (the first side of a line) only name what the line gives?"""
    label = re.sub(r"\{[^{}]*\}", "{}", re.sub(r"\{[^{}]*\}", "{}", side))
    return bool(_LABEL.match(label)) and is_name_label(side)


def strip_label(text: str) -> str:
    """``x = 0``, ``M = [[...]]``, ``yhat = w(...) = ...``: the value after the last ``=``, when
    everything before it only names what is being given (a marker reads the result)."""
    sides = split_sides(text)
    if len(sides) < 2 or not sides[-1].strip():
        return text
    return sides[-1] if is_label(sides[0]) else text


def chain(text: str) -> tuple[list[str], str]:
    """A line of equal sides as (the sides before the last, the answer): the answer is the last side.
    One side: nothing before it."""
    sides = split_sides(text)
    if len(sides) < 2 or not sides[-1].strip() or any(not s.strip() for s in sides):
        return [], text
    return sides[:-1], sides[-1]


_OPERATOR_COMMANDS = re.compile(r"\\(?:times|cdot|ast|div|pm|mp)\b")


def is_name_label(label: str) -> bool:
    """Does ``label`` name a quantity (``x``, ``w_{7 new}``, ``\\frac{\\partial E}{\\partial w_5}``) rather
    than compute one (``3 \\times 4``, ``2 (3)``)? It must have a letter outside its LaTeX commands
    and no operator command."""
    if _OPERATOR_COMMANDS.search(label):
        return False
    return bool(re.search(r"[^\W\d_]", re.sub(r"\\[A-Za-z]+", "", label)))


def unknown_call(name: str, functions: Collection[str], symbols: Collection[str], col: int) -> None:
    """``name(`` where ``name`` is not a function: a product when it is a known symbol, else an error.

    ``sigmod(z)`` is a typo of a function, never the symbol ``sigmod`` times ``z``.
    """
    if name in symbols:
        return
    callable_names = [f for f in functions if not (f.startswith("d") and f[1:] in functions)]
    raise UnknownName(f"unknown function '{name}'{did_you_mean(name, callable_names)}", name, "function", col)


def entry_texts(body: ast.AST, source: str) -> tuple[tuple[str, ...], ...]:
    """The source of each entry of a list, row by row (an item that is no list is a row of one); ()
    for a scalar."""
    if not isinstance(body, (ast.List, ast.Tuple)):
        return ()
    rows = (e.elts if isinstance(e, (ast.List, ast.Tuple)) else [e] for e in body.elts)
    return tuple(tuple(ast.get_source_segment(source, e) or "" for e in row) for row in rows)
