"""LaTeX answers -> the plain syntax, by our own translation (then the same safe parser).

Handles what homework answers use: ``\\frac``, ``\\sqrt``, ``\\cdot``, ``\\times``,
``^{}``, ``_{}`` (mapped onto the problem's symbol names: ``w_5`` -> ``w5``,
``W_{hh}`` -> ``W_hh``, ``w^{[1]}_{11}`` -> ``w1_11``), ``\\left( \\right)``,
``\\sigma``, ``\\sigma'``, ``\\tanh``, ``\\exp``, ``\\log``, ``\\hat{y}``, greek letters,
and ``bmatrix`` / ``pmatrix``. Anything else is refused with its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dlcheck.core.errors import ParseError

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|[^\\{}^_&]")
_FUNCTIONS = {"sin", "cos", "tan", "tanh", "exp", "log", "ln", "sigma", "sigmoid", "softmax", "relu"}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eta", "theta", "lambda", "mu",
          "rho", "tau", "phi", "varphi", "omega", "pi", "psi", "xi", "zeta", "kappa", "nu", "chi"}
_RENAME = {"varepsilon": "epsilon", "varphi": "phi", "lambda": "lam", "sigma": "σ", "ln": "log"}
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", ",", ";", "!", " ", ":", "quad", "qquad",
         "displaystyle", "limits"}
_ACCENTS = {"hat": "hat", "tilde": "tilde", "bar": "bar", "vec": "", "mathbf": "", "boldsymbol": "",
            "mathrm": "", "operatorname": "", "text": "", "mathit": ""}
_MATRICES = {"bmatrix", "pmatrix", "matrix", "Bmatrix"}


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "$" in text or bool(re.search(r"[_^]\{", text))


def _letters(k: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(k))


def to_plain(text: str, names: Iterable[str] = ()) -> str:
    """Translate a LaTeX answer to plain syntax; ``names`` are the symbols it may mean."""
    text = text.strip().strip("$").strip()
    # names typed verbatim with underscores (d_z2_1, h_t) are kept whole, not read as subscripts
    protected = sorted((n for n in names if "_" in n), key=len, reverse=True)
    keep: dict[str, str] = {}
    for k, name in enumerate(protected):
        pattern = re.compile(rf"(?<![A-Za-z0-9_\\]){re.escape(name)}(?![A-Za-z0-9_{{])")
        if pattern.search(text):
            keep[f"dlcheckname{_letters(k)}"] = name
            text = pattern.sub(f"\\\\dlcheckname{_letters(k)} ", text)
    tokens = _TOKEN.findall(text)
    translator = _Translator(tokens, frozenset(names))
    translator.keep = keep
    out, pos = translator.run(0, stop=None)
    if pos != len(tokens):
        raise ParseError("unbalanced braces in LaTeX")
    return out


class _Translator:
    def __init__(self, tokens: list[str], names: frozenset[str]) -> None:
        self.tokens = tokens
        self.names = names
        self.keep: dict[str, str] = {}

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
            arg, pos = self.group(pos + 1)
            if arg.strip() in ("\\prime", "'", "′"):
                return "'", pos
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
        if name in _DROP:
            return " ", pos
        if name in ("cdot", "times", "ast"):
            return "*", pos
        if name in ("frac", "dfrac", "tfrac"):
            num, pos = self.group(pos)
            den, pos = self.group(pos)
            return f" (({num})/({den})) ", pos
        if name == "sqrt":
            if pos < len(self.tokens) and self.tokens[pos] == "[":
                end = self.tokens.index("]", pos)
                root = "".join(self.tokens[pos + 1:end])
                arg, pos = self.group(end + 1)
                return f" (({arg})^(1/({root}))) ", pos
            arg, pos = self.group(pos)
            return f" sqrt({arg}) ", pos
        if name == "prime":
            return "'", pos
        if name in _ACCENTS:
            arg, pos = self.group(pos)
            return f" {arg.strip()}{_ACCENTS[name]} ", pos
        if name == "begin":
            return self.matrix(pos)
        if name in _FUNCTIONS or name in _GREEK:
            return f" {_RENAME.get(name, name)} ", pos
        if name in ("{", "}"):
            return ("(" if name == "{" else ")"), pos
        if name == "%":
            return "%", pos
        raise ParseError(f"LaTeX \\{name} is not supported; write it in plain syntax (see dlcheck show)")

    def matrix(self, pos: int) -> tuple[str, int]:
        env, pos = self.group(pos)
        if env not in _MATRICES:
            raise ParseError(f"LaTeX environment {env} is not supported; use bmatrix or pmatrix")
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


_SUB = re.compile(r"([A-Za-z][A-Za-z0-9]*)(?:\^\(\[([0-9]+)\]\))?\s*_\{([^{}]*)\}(?:\s*\^\(\[([0-9]+)\]\))?")


def resolve_subscripts(text: str, names: Iterable[str]) -> str:
    """``w_{5}`` -> ``w5`` or ``w_5``, whichever the problem has; ``w^([1])_{11}`` -> ``w1_11``."""
    names = set(names)

    def pick(m: re.Match) -> str:
        base, layer, sub = m.group(1), m.group(2) or m.group(4), re.sub(r"[\s()]", "", m.group(3))
        sub = sub.replace(",", "")
        candidates = [f"{base}{layer}_{sub}"] if layer else []
        candidates += [f"{base}_{sub}", f"{base}{sub}"]
        for c in candidates:
            if c in names:
                return c
        return candidates[0]
    return _SUB.sub(pick, text)


def latex_to_plain(text: str, names: Iterable[str] = ()) -> str:
    names = list(names)
    plain = to_plain(text, names)
    plain = resolve_subscripts(plain, names)
    if "_{" in plain:
        raise ParseError("a subscript must follow a name, as in w_{1}")
    return re.sub(r"\s+", " ", plain).strip()
