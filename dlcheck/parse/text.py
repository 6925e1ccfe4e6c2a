"""Turn what a person typed into plain Python-expression syntax, without evaluating anything.

This step only rewrites text: digits from other scripts become ASCII, a lone decimal
comma becomes a point, ``^`` becomes ``**``, ``sigmoid'`` becomes ``dsigmoid``, and the
multiplication a person leaves out (``2w``, ``2(x+1)``, ``(a)(b)``) is written in. The
result is handed to :mod:`dlcheck.parse.safe`, which alone decides what it may mean.
"""

from __future__ import annotations

import re
import unicodedata

from dlcheck.core.errors import ParseError

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits, and their decimal separator.
DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
DIGITS[ord("٫")] = "."
_SYMBOLS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "′": "'", "’": "'",
            "²": "^2", "³": "^3", "ŷ": "yhat", "√": "sqrt"}
# Greek letters a person may type for a name; 'lambda' is a Python keyword, so 'lam'.
GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta",
         "θ": "theta", "λ": "lam", "μ": "mu", "ρ": "rho", "τ": "tau", "φ": "phi",
         "ϕ": "phi", "ω": "omega", "π": "pi", "σ": "sigmoid", "Σ": "sum"}

_LONE_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<op>\*\*|[-+*/^(),\[\]@'])"
)


def normalize(text: str) -> str:
    """ASCII digits, ASCII operators, and a point for a lone decimal comma (``0,594``)."""
    text = unicodedata.normalize("NFC", text).translate(DIGITS)
    for old, new in _SYMBOLS.items():
        text = text.replace(old, new)
    if _LONE_DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    return text.strip()


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
            if kind == "name":
                value = GREEK.get(value, value)
            tokens.append((kind, value, pos + 1))
        pos = m.end()
    return tokens


def to_python(text: str, functions: frozenset[str] | set[str]) -> str:
    """Rewrite typed text into Python expression syntax (still only text).

    ``functions`` are the names that take arguments; a name not in it followed by ``(``
    is a product (``w(x+1)`` is ``w*(x+1)``).
    """
    tokens = tokenize(normalize(text))
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
        ends_operand = prev_kind in ("num", "name") or prev in (")", "]")
        starts_operand = kind in ("num", "name") or value == "("
        is_call = prev_kind == "name" and prev in functions and value == "("
        if ends_operand and starts_operand and not is_call:
            if prev_kind == "num" and kind == "num":
                raise ParseError("two numbers side by side; put an operator between them", col)
            if not (prev_kind == "name" and prev in functions):
                out.append("*")
        out.append(value)
        prev_kind, prev = kind, value
    return " ".join(out)
