"""LaTeX answers -> the plain syntax, by our own translation (then the same safe parser).

Handles what homework answers use: ``\\frac``, ``\\sqrt``, ``\\cdot``, ``\\times``,
``^{}``, ``_{}`` (mapped onto the problem's symbol names: ``w_5`` -> ``w5``,
``W_{hh}`` -> ``W_hh``, ``w^{[1]}_{11}`` -> ``w1_11``), ``\\left( \\right)``,
``\\sigma``, ``\\sigma'``, ``\\tanh``, ``\\exp``, ``\\log``, ``\\hat{y}``, greek letters,
and ``bmatrix`` / ``pmatrix``. Anything else is refused with its name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from dlcheck.core.errors import ParseError, UnknownName
from dlcheck.parse.vocabulary import latex_names, lookup, operator_names

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|[^\\{}^_&]")
_FUNCTIONS = latex_names()   # \\arcsin -> asin, ... (the vocabulary's LaTeX spellings)
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eta", "theta", "lambda", "mu",
          "rho", "tau", "phi", "varphi", "omega", "pi", "psi", "xi", "zeta", "kappa", "nu", "chi"}
_RENAME = {"varepsilon": "epsilon", "varphi": "phi", "lambda": "lam", "sigma": "σ", "ln": "log"}
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", ",", ";", "!", " ", ":", "quad", "qquad",
         "displaystyle", "limits"}
_ACCENTS = {"hat": "hat", "tilde": "tilde", "bar": "bar", "vec": "", "mathbf": "", "boldsymbol": "",
            "mathrm": "", "operatorname": "", "text": "", "mathit": "", "mathsf": ""}
_MATRICES = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix", "array"}
_OPEN = {"(": "(", "[": "(", "\\{": "(", "\\lbrace": "(", "\\langle": "(", "\\lbrack": "(", ".": ""}
_CLOSE = {")": ")", "]": ")", "\\}": ")", "\\rbrace": ")", "\\rangle": ")", "\\rbrack": ")", ".": ""}
# what ends an argument written without brackets (\sin \omega_k t ends at +, -, =, a bracket, ...)
_ARG_STOP = {"+", "-", "=", ",", "(", ")", "[", "]", "}", "&", "\\\\", "*", "/", "\\cdot", "\\times",
             "\\ast", "\\left", "\\right", "|"}
# Greek letters (LaTeX or Unicode) inside a name are spelt out: \omega_k and ω_k are omega_k
GREEK_LETTERS = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta",
                 "θ": "theta", "λ": "lam", "μ": "mu", "ρ": "rho", "τ": "tau", "φ": "phi", "ϕ": "phi",
                 "ω": "omega", "π": "pi", "σ": "sigma", "ψ": "psi", "ξ": "xi", "ζ": "zeta", "κ": "kappa",
                 "ν": "nu", "χ": "chi", "Δ": "Delta", "Ω": "Omega", "Φ": "Phi"}
_LAYER_AFTER = re.compile(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9,+\-]+)\^\[(\d+)\]")
_LAYER_BEFORE = re.compile(r"([A-Za-z][A-Za-z0-9]*)\^\[(\d+)\]_([A-Za-z0-9,+\-]+)")


def alias_key(spelling: str) -> str:
    """One canonical text for a way of writing a name, so that what a student types and what a
    spec declares meet: no spaces, braces or commas, Greek spelt out, ``\\partial`` as d, a layer
    superscript beside its base (``w^{[3]}_1``, ``w_1^{[3]}`` and ``w3_1`` are all ``w3_1``)."""
    s = unicodedata.normalize("NFC", spelling).strip().strip("$")
    s = "".join(GREEK_LETTERS.get(ch, ch) for ch in s)
    s = re.sub(r"\\frac\s*\{(.*)\}\s*\{(.*)\}", r"\1/\2", s)
    s = re.sub(r"\\partial\s*", "d", s)
    s = re.sub(r"\\hat\s*\{?\s*([A-Za-z])\s*\}?", r"\1hat", s)
    s = re.sub(r"\\(?:mathrm|text|operatorname|mathit|mathbf|boldsymbol)\b", "", s)
    s = re.sub(r"\\([A-Za-z]+)", lambda m: _RENAME.get(m[1], m[1]), s)
    s = re.sub(r"[\s{}(),]", "", s)
    s = _LAYER_BEFORE.sub(r"\1\2_\3", s)
    return _LAYER_AFTER.sub(r"\1\3_\2", s)


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "$" in text or bool(re.search(r"[_^]\{", text))


def _letters(k: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(k))


def to_plain(text: str, names: Iterable[str] = (), aliases: Mapping[str, str] | None = None,
             indices: Mapping[str, int] | None = None) -> str:
    """Translate a LaTeX answer to plain syntax; ``names`` are the symbols it may mean and
    ``aliases`` maps other spellings (as :func:`alias_key` writes them) to those symbols."""
    text = text.strip().strip("$").strip()
    aliases = aliases or {}
    # names typed verbatim with underscores (d_z2_1, h_t) are kept whole, not read as subscripts
    verbatim = [n for n in names if "_" in n] + [k for k in aliases if "_" in k and k.isidentifier()]
    protected = sorted(set(verbatim), key=len, reverse=True)
    keep: dict[str, str] = {}
    for k, name in enumerate(protected):
        pattern = re.compile(rf"(?<![A-Za-z0-9_\\]){re.escape(name)}(?![A-Za-z0-9_{{])")
        if pattern.search(text):
            keep[f"dlcheckname{_letters(k)}"] = name if name in names else aliases[name]
            text = pattern.sub(f"\\\\dlcheckname{_letters(k)} ", text)
    # w_11^{[2]}: a student's unbraced multi-digit subscript is the whole number (w_{11}), not w_{1}1
    text = re.sub(r"(?<=[A-Za-z])_(\d{2,})(?!\d)", r"_{\1}", text)
    tokens = _TOKEN.findall(text)
    if len("".join(tokens)) != len(text):  # only a backslash is left out by _TOKEN: one at the very end
        raise ParseError("a backslash (\\) at the end starts no LaTeX command; finish the command or remove it",
                         len(text))
    translator = _Translator(tokens, frozenset(names), aliases)
    translator.keep = keep
    translator.indices = dict(indices or {})
    out, pos = translator.run(0, stop=None)
    if pos != len(tokens):
        raise ParseError("unbalanced braces in LaTeX")
    return out


class _Translator:
    def __init__(self, tokens: list[str], names: frozenset[str], aliases: Mapping[str, str] | None = None) -> None:
        self.tokens = tokens
        self.names = names
        self.aliases = aliases or {}
        self.keep: dict[str, str] = {}
        self.indices: dict[str, int] = {}   # index names the part fixes ("for t = 3"): bounds read with them

    def skip_spaces(self, pos: int) -> int:
        while pos < len(self.tokens) and self.tokens[pos] == " ":
            pos += 1
        return pos

    def raw_group(self, pos: int) -> tuple[str, int]:
        """The untranslated text of the braced group (or single token) at ``pos``."""
        pos = self.skip_spaces(pos)
        if pos >= len(self.tokens):
            raise ParseError("a LaTeX command is missing its argument")
        if self.tokens[pos] != "{":
            return self.tokens[pos], pos + 1
        depth, start = 0, pos
        while pos < len(self.tokens):
            depth += {"{": 1, "}": -1}.get(self.tokens[pos], 0)
            pos += 1
            if depth == 0:
                return "".join(self.tokens[start + 1:pos - 1]), pos
        raise ParseError("unbalanced braces in LaTeX: a '{' is never closed")

    def group(self, pos: int) -> tuple[str, int]:
        """A braced group or a single token after a command such as \\frac."""
        while pos < len(self.tokens) and self.tokens[pos] == " ":
            pos += 1
        if pos >= len(self.tokens):
            raise ParseError("a LaTeX command is missing its argument")
        if self.tokens[pos] == "{":
            inner, pos = self.run(pos + 1, stop="}")
            return inner, pos + 1
        if self.tokens[pos].startswith("\\"):
            return self.run_one(pos)
        return self.tokens[pos], pos + 1

    def run(self, pos: int, stop: str | None) -> tuple[str, int]:
        parts: list[str] = []
        while pos < len(self.tokens):
            tok = self.tokens[pos]
            if stop is not None and tok == stop:
                return "".join(parts), pos
            if tok == "}":
                raise ParseError("unbalanced braces in LaTeX")
            piece, pos = self.run_one(pos)
            parts.append(piece)
        if stop is not None:
            raise ParseError("unbalanced braces in LaTeX: a '{' is never closed")
        return "".join(parts), pos

    def run_one(self, pos: int) -> tuple[str, int]:
        tok = self.tokens[pos]
        if tok == "{":
            inner, pos = self.run(pos + 1, stop="}")
            return f"({inner})", pos + 1
        if tok == "^":
            if self.skip_spaces(pos + 1) < len(self.tokens) and \
                    self.tokens[self.skip_spaces(pos + 1)] in ("\\top", "\\intercal", "\\mathsf"):
                _, pos = self.raw_group(pos + 1)
                if self.tokens[pos - 1] == "\\mathsf":  # ^\mathsf{T}
                    _, pos = self.raw_group(pos)
                return "^T ", pos
            arg, pos = self.group(pos + 1)
            if arg.strip() in ("\\prime", "'", "′"):
                return "'", pos
            if arg.strip() == "T":
                return "^T ", pos
            return f"^({arg})", pos
        if tok == "_":
            arg, pos = self.group(pos + 1)
            return f"_{{{arg}}}", pos  # resolved against the names in _subscripts()
        if tok == "&" or tok == "\\\\":
            raise ParseError("'&' and '\\\\' belong inside a matrix environment")
        if not tok.startswith("\\"):
            return tok, pos + 1
        name = tok[1:]
        pos += 1
        if name in self.keep:
            return f" {self.keep[name]} ", pos
        if name in ("left", "right"):
            return self.delimiter(name, pos)
        if name in _DROP:
            return " ", pos
        if name in ("cdot", "times", "ast"):
            return "*", pos
        if name == "boxed":  # \\boxed{answer}: the answer
            arg, pos = self.group(pos)
            return f" ({arg}) ", pos
        if name in ("lvert", "rvert", "vert"):
            return "|", pos
        if name in ("top", "intercal"):  # ^{\\top}: the transpose
            return "T", pos
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            derivative = self.derivative(pos)
            if derivative is not None:
                return derivative
            num, pos = self.group(pos)
            den, pos = self.group(pos)
            return f" (({num})/({den})) ", pos
        if name in ("binom", "dbinom", "tbinom"):
            top, pos = self.group(pos)
            bottom, pos = self.group(pos)
            return f" binomial(({top}), ({bottom})) ", pos
        if name == "sqrt":
            if pos < len(self.tokens) and self.tokens[pos] == "[":
                if "]" not in self.tokens[pos:]:
                    raise ParseError("\\sqrt[ is never closed; write the root's index in brackets, as in \\sqrt[3]{8}")
                end = self.tokens.index("]", pos)
                root = "".join(self.tokens[pos + 1:end]).strip()
                if not root.isdecimal() or not root.isascii():
                    raise ParseError("the index of \\sqrt[n]{...} must be a whole number, as in \\sqrt[3]{8}")
                arg, pos = self.group(end + 1)
                return f" (({arg})^(1/({root}))) ", pos
            arg, pos = self.group(pos)
            return f" sqrt({arg}) ", pos
        if name == "prime":
            return "'", pos
        if name in ("operatorname", "mathrm", "text") and self.operator(pos) is not None:
            word, pos = self.raw_group(pos)  # \\operatorname{ReLU}(x): a function by its name
            return self.function(operator_names()[word.strip()], pos)
        if name in _ACCENTS:
            arg, pos = self.group(pos)
            return f" {arg.strip()}{_ACCENTS[name]} ", pos
        if name == "begin":
            return self.matrix(pos)
        if name in ("sum", "prod"):
            return self.big_operator(name, pos)
        if name in _FUNCTIONS:
            return self.function(_RENAME.get(name, _FUNCTIONS[name]), pos)
        if name in _GREEK:
            return f" {_RENAME.get(name, name)} ", pos
        if name in ("{", "}"):
            return ("(" if name == "{" else ")"), pos
        if name == "%":
            return "%", pos
        raise ParseError(f"LaTeX \\{name} is not supported; write it in plain syntax (see dlcheck show)")

    def operator(self, pos: int) -> str | None:
        """The function named by the ``{...}`` of ``\\operatorname{...}`` at ``pos`` (None: not one)."""
        try:
            word, _ = self.raw_group(pos)
        except ParseError:
            return None
        return operator_names().get(word.strip())

    def big_operator(self, op: str, pos: int) -> tuple[str, int]:
        """``\\sum_{i=1}^{2} y_{t,i} / \\hat{y}_{t,i}``, ``\\prod_{i=0}^{2} \\sigma'(Ux_{i+1} + Wh_i)``: with
        whole-number bounds, written out term by term (the index may name entries, and simple
        arithmetic in a subscript is done: ``x_{i+1}``); with other bounds (``\\sum_{i=1}^{n} i^2``),
        ``sum_over(term, i, 1, n)`` for the safe parser, which bounds it. The term runs to the next +
        or - outside brackets."""
        word = f"\\{op}"
        pos = self.skip_spaces(pos)
        if pos >= len(self.tokens) or self.tokens[pos] != "_":
            raise ParseError(f"{word} needs its range, as in {word}_{{i=1}}^{{3}}")
        lower, pos = self.raw_group(pos + 1)
        pos = self.skip_spaces(pos)
        if pos >= len(self.tokens) or self.tokens[pos] != "^":
            raise ParseError(f"{word} needs its range, as in {word}_{{i=1}}^{{3}}")
        upper, pos = self.raw_group(pos + 1)
        m = re.fullmatch(r"\s*([A-Za-z])\s*=\s*(.+?)\s*", lower)
        if m is None:
            raise ParseError(f"{word} needs its index and first value, as in {word}_{{i=1}}^{{3}}")
        var = m.group(1)
        start, depth = pos, 0
        while pos < len(self.tokens):
            tok = self.tokens[pos]
            if depth == 0 and (tok in ("+", "-", "}", "&", "\\\\", "=") or tok in ("\\right", ")", "]")):
                break
            depth += 1 if tok in ("{", "(", "[", "\\left") else -1 if tok in ("}", ")", "]", "\\right") else 0
            pos += 1
        term = self.tokens[start:pos]
        if not "".join(term).strip():
            raise ParseError(f"{word} needs a term after its range")
        joiner = " + " if op == "sum" else " * "
        low, high = self.whole(m.group(2)), self.whole(upper)
        if low is not None and high is not None and 0 <= high - low < MAX_TERMS_WRITTEN:
            terms = [f"({self.translated(_index_arithmetic([str(k) if t == var else t for t in term]))})"
                     for k in range(low, high + 1)]
            return " (" + joiner.join(terms) + ") ", pos
        if low is not None and high is not None and high < low:
            return (" 0 " if op == "sum" else " 1 "), pos   # an empty sum, an empty product
        first = self.translated(_TOKEN.findall(m.group(2)))
        last = self.translated(_TOKEN.findall(upper))
        return f" {op}_over(({self.translated(term)}), {var}, ({first}), ({last})) ", pos

    def whole(self, bound: str) -> int | None:
        """A bound as a whole number: ``3``, or ``t-1`` where the part fixes t = 3 (None: neither)."""
        text = re.sub(r"[A-Za-z]\w*", lambda m: str(self.indices.get(m[0], m[0])), bound.replace(" ", ""))
        if not re.fullmatch(r"-?\d{1,6}(?:[+-]\d{1,6})*", text):
            return None
        return sum(int(t) for t in re.findall(r"[+-]?\d+", text))

    def translated(self, tokens: list[str]) -> str:
        inner = _Translator(tokens, self.names, self.aliases)
        inner.keep = self.keep
        inner.indices = self.indices
        text, _ = inner.run(0, stop=None)
        return text

    def delimiter(self, which: str, pos: int) -> tuple[str, int]:
        """``\\left[ ... \\right]`` and friends group like round brackets; ``\\left.`` is nothing."""
        pos = self.skip_spaces(pos)
        table = _OPEN if which == "left" else _CLOSE
        tok = self.tokens[pos] if pos < len(self.tokens) else ""
        if tok in table:
            return table[tok], pos + 1
        if tok in ("|", "\\lvert", "\\rvert", "\\vert"):
            return ("abs(" if which == "left" else ")"), pos + 1
        raise ParseError(f"\\{which} needs a bracket after it, as in \\left( ... \\right)")

    def derivative(self, pos: int) -> tuple[str, int] | None:
        """``\\frac{\\partial L}{\\partial h_{t+1}}``: a name the problem gives it, or a clear refusal."""
        num, after_num = self.raw_group(pos)
        den, end = self.raw_group(after_num)
        partial = num.lstrip().startswith("\\partial") and den.lstrip().startswith("\\partial")
        plain_d = re.match(r"\s*d\s*[A-Za-z\\]", num) and re.match(r"\s*d\s*[A-Za-z\\]", den)
        if not (partial or plain_d):
            return None
        num = re.sub(r"^(\s*\\partial\s*[A-Za-z]\w*)\s*\([^()]*\)", r"\1", num)  # df(x)/dz: f's inputs named
        key = alias_key(f"{num}/{den}")
        if key in self.aliases:
            return f" {self.aliases[key]} ", end
        if key.replace("/", "_") in self.names:  # dL/dw5 for a quantity named dL_dw5
            return f" {key.replace('/', '_')} ", end
        if plain_d:
            return None
        raise ParseError(f"the derivative {key} has no name in this problem; write it by its name or "
                         "work it out (see dlcheck show for the names)")

    def function(self, fname: str, pos: int) -> tuple[str, int]:
        """``\\cos^2(x)``, ``\\sin^{2} x``, ``\\sin \\omega_k t``, ``\\sigma'(z)``: a function with its
        power and its argument, bracketed or not."""
        prime, power = "", None
        pos = self.skip_spaces(pos)
        while pos < len(self.tokens) and self.tokens[pos] in ("^", "'"):
            if self.tokens[pos] == "'":
                prime, pos = "'", pos + 1
                continue
            arg, pos = self.group(pos + 1)
            if arg.strip() in ("\\prime", "'", "′"):
                prime = "'"
            else:
                power = arg
            pos = self.skip_spaces(pos)
        tok = self.tokens[pos] if pos < len(self.tokens) else ""
        if tok in ("(", "\\left"):
            if power is None:
                return f" {fname}{prime}", pos  # the bracket that follows is its argument
            arg, pos = self.bracketed(pos)
        else:
            arg, pos = self.bare_argument(pos)
            if not arg.strip():
                raise ParseError(f"{fname} needs an argument, as in {fname}(x)")
            arg = f"({arg})"
        if power is not None and re.fullmatch(r"\(?-1\)?", power.strip()) and lookup(f"a{fname}") and not prime:
            fname, power = f"a{fname}", None   # \\sin^{-1} x is arcsin x, as on paper
        call = f"{fname}{prime}{arg}"
        return (f" ({call})^({power}) " if power is not None else f" {call} "), pos

    def bracketed(self, pos: int) -> tuple[str, int]:
        """The bracketed group at ``pos``, translated, up to its matching close."""
        parts: list[str] = []
        depth = 0
        while pos < len(self.tokens):
            piece, pos = self.run_one(pos)
            depth += piece.count("(") - piece.count(")")
            parts.append(piece)
            if depth <= 0:
                return "".join(parts), pos
        raise ParseError("brackets do not match")

    def bare_argument(self, pos: int) -> tuple[str, int]:
        """An argument without brackets: the names and numbers up to the next operator or bracket."""
        parts: list[str] = []
        while pos < len(self.tokens):
            tok = self.tokens[pos]
            if tok in _ARG_STOP or (tok.startswith("\\") and tok[1:] in _FUNCTIONS):
                break
            piece, pos = self.run_one(pos)
            parts.append(piece)
        return "".join(parts), pos

    def matrix(self, pos: int) -> tuple[str, int]:
        env, pos = self.group(pos)
        if env not in _MATRICES:
            raise ParseError(f"LaTeX environment {env} is not supported; use bmatrix or pmatrix")
        if env == "array":  # its column format ({c}, {cc}) is layout, not content
            _, pos = self.raw_group(pos)
        rows: list[list[str]] = [[]]
        cell: list[str] = []
        while pos < len(self.tokens):
            tok = self.tokens[pos]
            if tok == "\\end":
                end_env, pos = self.group(pos + 1)
                if end_env != env:
                    raise ParseError(f"\\begin{{{env}}} is closed by \\end{{{end_env}}}")
                rows[-1].append("".join(cell))
                rows = [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]
                if not rows:
                    raise ParseError("empty matrix")
                return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]", pos
            if tok == "&":
                rows[-1].append("".join(cell))
                cell, pos = [], pos + 1
            elif tok == "\\\\":
                rows[-1].append("".join(cell))
                rows.append([])
                cell, pos = [], pos + 1
            else:
                piece, pos = self.run_one(pos)
                cell.append(piece)
        raise ParseError(f"\\begin{{{env}}} is never closed")


MAX_TERMS_WRITTEN = 20   # a sum or product with whole-number bounds is written out up to this many terms


def _index_arithmetic(tokens: list[str]) -> list[str]:
    """``x_{0+1}`` (an index put into a subscript) -> ``x_{1}``: whole-number + and - only."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        if tokens[k] == "_" and k + 1 < len(tokens) and tokens[k + 1] == "{" and "}" in tokens[k + 2:]:
            end = tokens.index("}", k + 2)
            inside = "".join(tokens[k + 2:end]).replace(" ", "")
            if re.fullmatch(r"-?\d+(?:[+-]\d+)+", inside):
                value = sum(int(t) for t in re.findall(r"[+-]?\d+", inside))
                out += ["_", "{", *str(value), "}"]
                k = end + 1
                continue
        out.append(tokens[k])
        k += 1
    return out


_SUB = re.compile(r"([A-Za-z][A-Za-z0-9]*)(?:\^\(\[([0-9]+)\]\))?\s*_\{([^{}]*)\}(?:\s*\^\(\[([0-9]+)\]\))?")


def resolve_subscripts(text: str, names: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """``w_{5}`` -> ``w5`` or ``w_5``, whichever the problem has; ``w^([1])_{11}`` -> ``w1_11``;
    a declared spelling (``x_{t+1}``) -> its name; ``Ux_{t+1}`` -> ``U x_next`` (letters side by
    side multiply, so the subscript belongs to the last name). Nested subscripts resolve from
    the inside out (``w_{S_1}``)."""
    names = set(names)
    aliases = aliases or {}

    def known(candidate: str) -> str | None:
        if candidate in names:
            return candidate
        return aliases.get(alias_key(candidate))

    def pick(m: re.Match) -> str:
        base, layer, sub = m.group(1), m.group(2) or m.group(4), re.sub(r"[\s()]", "", m.group(3))
        sub = sub.replace(",", "")
        for cut in range(len(base)):  # the whole base first, then shorter tails
            head, tail = base[:cut], base[cut:]
            candidates = [f"{tail}{layer}_{sub}"] if layer else []
            candidates += [f"{tail}_{sub}", f"{tail}{sub}"]
            for c in candidates:
                found = known(c)
                if found is not None:
                    return f"{head} {found}" if head else found
        name = f"{base}{layer}_{sub}" if layer else f"{base}_{sub}"
        if not name.isidentifier():  # x_{t+1} with no name of its own: say so, never read t + 1
            raise UnknownName(f"unknown symbol '{base}_{{{m.group(3).strip()}}}'; see dlcheck show for the "
                              "names (and the spellings it accepts)", f"{base}_{sub}", "symbol")
        return name

    for _ in range(4):  # nested subscripts: innermost first
        new = _SUB.sub(pick, text)
        if new == text:
            break
        text = new
    return text


def latex_to_plain(text: str, names: Iterable[str] = (), aliases: Mapping[str, str] | None = None,
                   indices: Mapping[str, int] | None = None) -> str:
    names = list(names)
    plain = to_plain(text, names, aliases, indices)
    plain = resolve_subscripts(plain, names, aliases)
    if "_{" in plain:
        raise ParseError("a subscript must follow a name, as in w_{1}")
    return re.sub(r"\s+", " ", plain).strip()
