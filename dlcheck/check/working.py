"""Every step of a worked write-up checked: a math line split at its relations, each pair of sides compared.

A math line ``net_{h1} = (0.05 * 0.15) + (0.1 * 0.25) + 0.35 = 0.3825 \\rightarrow 0.594`` is
split at ``=``, ``\\approx``, ``\\rightarrow``/``→`` and ``\\Rightarrow`` into sides. The first side
is a *label* when it only names a quantity (``net_{h1}``, ``w_{7 new}``,
``\\frac{\\partial E}{\\partial w_5}``): a label names what the line computes and is never compared
with anything; it takes the line's value (so later lines may use it) and, when it resolves to a
part, gives that part's answer. Every other pair of neighbouring sides is a *step*:

- ``=`` / ``\\approx``: the two sides agree to the precision written on the right (one unit of its
  last digit, so rounding and truncation both pass; on the left when only the left is a number);
- ``\\rightarrow`` / ``\\Rightarrow``: the value carried on, or the problem's activation of it
  (``1.3356 → 0.791`` is sigmoid); after an activation the line's label becomes the quantity the
  problem defines as that activation of the label (``net_y1`` → ``out_y1``).

Names are read from a symbol table: the problem's givens, its defined quantities and parts (under
their names, the spec's ``aliases:`` and the student's spellings of them) and what the student
wrote earlier in the same section. A value the problem derives (not one the student wrote) may
have been rounded by the student to three figures: a step is right if some such rounding makes
it right. A step that cannot be read or decided is ``unchecked`` with why, never a guess.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import sympy as sp

from dlcheck.core.errors import DlcheckError, ParseError, Undefined, UnknownName
from dlcheck.engine.instance import Instance
from dlcheck.parse.functions import student_functions
from dlcheck.parse.latex import alias_key
from dlcheck.parse.safe import Parser

MAX_VARIANTS = 8             # one-character changes tried per kind for a wrong step (each is read again)
MAX_SIDES = 12               # sides of one math line that are checked (a longer chain: the first ones)
ROUNDING = 0.005             # a derived value the student may have rounded to 3 figures (0.5%)
_SPLIT = re.compile(r"\\(?:approx|simeq|longrightarrow|rightarrow|Rightarrow|implies|to|Leftrightarrow|iff|leq?|geq?"
                    r"|neq?|lt|gt)(?![A-Za-z])|→|⇒|≈|[=<>≤≥≠]")
_ARROWS = {"\\rightarrow", "\\longrightarrow", "\\Rightarrow", "\\implies", "\\to", "→", "⇒"}
_EQUALS = {"=", "\\approx", "\\simeq", "≈"}
_SCIENTIFIC = re.compile(r"^\s*(.*?\d)\s*(?:(?:\\times|\\cdot|\*|×)\s*10\s*\^\s*\(?|[eE])\s*([+\-−]?\d{1,4})\s*\)?\s*$")
_LITERAL = re.compile(r"^\s*([+\-−]?)\s*(\d+(?:\.\d+)?)\s*$")
_DERIVATIVE = re.compile(r"^\s*\\[dt]?frac\s*\{\s*(?:\\partial|d|\\delta)\s*(.+?)\}"
                         r"\s*\{\s*(?:\\partial|d|\\delta)\s*(.+)\}\s*$"
                         r"|^\s*(?:\\partial|d)\s*([A-Za-z]\w*)\s*/\s*(?:\\partial|d)\s*(.+?)\s*$")
_NOISE = re.compile(r"\\(?:quad|qquad|,|;|!|:|displaystyle|left|right|big|Big|bigg|Bigg)(?![A-Za-z])|\\ ")
_TEXTY = re.compile(r"\\(?:text|mathrm|operatorname|mathit|textbf|mathbf|boldsymbol)\s*")
_LABEL_BAD = re.compile(r"[+*/()\[\]0-9]|(?<!\{)-|\\(?:cdot|times|frac|sum|sqrt|exp|log|sigma|ln)(?![A-Za-z])")
_SUBSUP = re.compile(r"[_^]\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\?[A-Za-z0-9])")


# -- decimal commas (until the parser reads them inside expressions: then this defers to it) -------
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def decimal_commas(text: str) -> str:
    """In a working line a comma between two digits is a decimal comma: ``0,4 - 0,5`` is 0.4 - 0.5."""
    return _DECIMAL_COMMA.sub(".", text)


@dataclass
class Step:
    """One checked step (or a side that could not be read), as reports show it."""

    line: int
    text: str
    status: str                       # right | wrong | unchecked
    value: str | None = None          # what the left side really is (wrong) / is (right)
    message: str = ""
    section: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "status": self.status, "value": self.value,
                "message": self.message}


@dataclass
class Found:
    """A part's answer found in the working: the text the student wrote and its line."""

    part: str
    text: str
    line: int


@dataclass
class _Side:
    text: str                         # LaTeX as written
    relation: str                     # the relation before it ("" for the first)
    value: Any = None                 # sympy number (exact when it can be), or None
    literal: bool = False
    unit: Fraction | None = None      # one unit of the last digit written (a literal)
    why: str = ""                     # why it has no value
    slack: float = 0.0                # how far rounding the problem's derived values moves it


@dataclass
class Table:
    """What names mean in one section: the problem's values, then the student's own."""

    names: dict[str, sp.Symbol]
    exact: dict[sp.Symbol, Any]                      # givens and what the student wrote: exact
    derived: dict[sp.Symbol, float]                  # the problem's derived values: maybe rounded by the student
    squashed: dict[str, str]                         # squash(spelling) -> name
    parts_of: dict[str, str]                         # a name -> the part it answers
    by_variable: dict[str, list[str]]                # squash(x) -> parts that are a derivative by x
    activations: list[tuple[str, Any]]               # (name, sympy function) the problem applies
    activated: dict[tuple[str, str], str]            # (function name, name) -> the name defined as f(name)
    parts: frozenset[str] = frozenset()
    formulas: dict[str, Any] = field(default_factory=dict)   # a defined name -> its formula (one step deep)
    aliases: dict[str, str] = field(default_factory=dict)
    student: dict[str, Any] = field(default_factory=dict)   # labels written in this section -> value

    def parser(self, text: str = "") -> Parser:
        """The parser for one side: only the names whose letters it holds (translating LaTeX costs a pass
        per name given, so a side of numbers is read with none)."""
        words = set(re.findall(r"[^\W\d_]+", re.sub(r"\\(?:frac|cdot|times|left|right|sqrt|text|mathrm)", " ", text)))
        names = {n: s for n, s in self.names.items() if _head(n) in words or not words.isdisjoint(_words(n))}
        aliases = {k: v for k, v in self.aliases.items() if v in names or not words.isdisjoint(_words(k))}
        return Parser(names, _functions(), aliases=aliases, loose_names=True, subscripts=True)


@cache
def _head(name: str) -> str:
    m = re.match(r"[^\W\d_]+", name)
    return m.group() if m else name


@cache
def _words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[^\W\d_]+", name))


def _functions() -> dict:
    """What a side may call: the functions a student may type in an answer."""
    return student_functions()


def squash(text: str) -> str:
    """One spelling of a name for matching labels: no LaTeX commands, braces, spaces, _ or ^, lower case."""
    s = _TEXTY.sub("", text)
    s = re.sub(r"\\hat\s*\{?\s*([A-Za-z])\s*\}?", r"\1hat", s)
    s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
    s = re.sub(r"[\s{}()_^,.\\$*]", "", s)
    return s.lower()


def build_table(inst: Instance) -> Table:
    """The problem's side of the symbol table (once per instance: it depends on no answer)."""
    table: Table = inst.remember(("working-table",), lambda: _build_table(inst))
    return table


def _build_table(inst: Instance) -> Table:
    names: dict[str, sp.Symbol] = {}
    exact: dict[sp.Symbol, Any] = {}
    derived: dict[sp.Symbol, float] = {}
    env = inst.env()
    for name, leaf in inst.leaves.items():
        if isinstance(leaf, sp.Symbol) and leaf in inst.given_values:
            names[name] = leaf
            exact[leaf] = inst.given_values[leaf]
    for name, node in inst.named.items():
        if isinstance(node, sp.Symbol):
            value = env.get(node)
            if value is not None and value == value:
                names[name] = node
                derived[node] = float(value)
    parts_of: dict[str, str] = {}
    for pid, node in inst.part_node.items():
        parts_of.setdefault(node, pid)
        if pid not in names and node in names:
            names[pid] = names[node]
    squashed: dict[str, str] = {}
    for name in names:
        squashed.setdefault(squash(name), name)
    aliases: dict[str, str] = {}
    for target, alias in inst.spec.problem.aliases.items():
        if target in names:
            for spelling in alias.typed:
                aliases[alias_key(spelling)] = target
                squashed.setdefault(squash(spelling), target)
    by_variable: dict[str, list[str]] = {}
    for pid, part in inst.spec.problem.parts.items():
        m = re.fullmatch(r"\s*diff\(\s*\w+\s*,\s*(\w+)\s*\)\s*", str(getattr(part, "answer", "")))
        if m:
            by_variable.setdefault(squash(m.group(1)), []).append(pid)
    activations: dict[str, Any] = {}
    activated: dict[tuple[str, str], str] = {}
    by_symbol = {v: k for k, v in names.items()}
    for name, formula in inst.shallow.items():
        if isinstance(formula, sp.MatrixBase):
            continue
        for f in formula.atoms(sp.Function):
            fname = type(f).__name__
            if fname in ("sigmoid", "tanh", "relu", "Max") and len(f.args) == 1 or fname == "Max":
                activations.setdefault(fname, type(f))
        if isinstance(formula, sp.Function) and len(formula.args) == 1 and formula.args[0] in by_symbol:
            activated[(type(formula).__name__, by_symbol[formula.args[0]])] = name
    formulas = {name: inst.node_expr[node] for name, node in inst.named.items()
                if isinstance(node, sp.Symbol) and node in inst.node_expr and name in names}
    return Table(names, exact, derived, squashed, parts_of, by_variable,
                 [(k, v) for k, v in activations.items() if k != "Max"], activated, frozenset(inst.part_node),
                 formulas, aliases)


# -- splitting -----------------------------------------------------------------------------------
def split_sides(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """(relation, side) pairs at the top level (not inside braces or brackets), or an unchecked reason."""
    depth = 0
    out: list[tuple[str, str]] = []
    relation, start = "", 0
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if text.startswith("\\begin{", pos) or text.startswith("\\end{", pos):   # an environment is one side
            depth += 1 if text[pos + 1] == "b" else -1
            pos = text.find("}", pos) + 1 or len(text)
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0:
            m = _SPLIT.match(text, pos)
            if m and not (ch == "<" and text[pos:pos + 2] == "<-"):
                rel = m.group()
                if rel not in _ARROWS and rel not in _EQUALS:
                    return [], "an inequality or equivalence, not a computation"
                out.append((relation, text[start:pos]))
                relation, start = rel, m.end()
                pos = m.end()
                continue
        pos += 1
    out.append((relation, text[start:]))
    if any("\\\\" in re.sub(r"\\begin\{.*?\\end\{[^}]*\}", "", side, flags=re.DOTALL) for _, side in out):
        return [], "rows written side by side (\\\\): one computation per line is checked"
    return out, None


# -- reading one side ------------------------------------------------------------------------------
_TEXT_NAME = re.compile(r"\\(?:text|mathrm)\s*\{\s*([A-Za-z]+)\s+([A-Za-z])\s*(\d?)\s*\}(?:\s*_\s*\{?\s*(\d)\s*\}?)?")


def _clean(text: str) -> str:
    # a name written in words, as the sheets do: \text{out h}_1 and \text{ out h2} are out_{h1}
    text = _TEXT_NAME.sub(lambda m: f"{m[1]}_{{{m[2]}{m[3] or m[4] or ''}}}", text)
    text = decimal_commas(text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"\\underbrace\s*\{(.*)\}\s*_\s*\{[^{}]*\}", r"\1", text)
    return text.replace("−", "-").replace("·", r" \cdot ").strip()


def _literal(text: str) -> tuple[Fraction, Fraction] | None:
    """(value, one unit of its last digit) of a plain number (``0,4383``, ``-0.0766``, ``1.2 \\times 10^{-3}``,
    ``1.2e-3``), or None."""
    plain = _clean(text).replace("{", "").replace("}", "")
    power = 0
    m = _SCIENTIFIC.match(plain)
    if m:
        plain, power = m.group(1), int(m.group(2).replace("−", "-"))
        if abs(power) > 300:
            return None
    m = _LITERAL.match(plain)
    if not m:
        return None
    digits = m.group(2)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    scale = Fraction(10) ** power
    value = Fraction(Decimal(digits)) * scale
    return (-value if m.group(1) in "-−" and m.group(1) else value), Fraction(1, 10 ** decimals) * scale


def read_side(table: Table, text: str) -> tuple[Any, float, str]:
    """(value, slack, why): the side's value (exact where it can be), how far rounding the problem's derived
    values to 3 figures may move it, or None with why it cannot be read."""
    try:
        clean = _clean(text)
        expr = table.parser(clean).parse(clean)
    except UnknownName as exc:
        return None, 0.0, f"'{exc.name}' is no name of this problem or of your earlier lines"
    except (ParseError, DlcheckError) as exc:
        return None, 0.0, f"cannot read it: {exc}"
    except (RecursionError, MemoryError, ValueError, TypeError, ZeroDivisionError):
        return None, 0.0, "cannot read it"
    if isinstance(expr, sp.MatrixBase):
        return None, 0.0, "a vector or matrix: only numbers are checked step by step"
    return evaluate(table, expr)


def evaluate(table: Table, expr: Any) -> tuple[Any, float, str]:
    """A formula's value with the section's names: the student's own values first, then the problem's."""
    values: dict[Any, Any] = {}
    rounded: list[sp.Symbol] = []
    for s in expr.free_symbols:
        name = s.name if isinstance(s, sp.Symbol) else str(s)
        if name in table.student:
            values[s] = table.student[name]
        elif s in table.exact:
            values[s] = table.exact[s]
        elif s in table.derived:
            values[s] = sp.Float(table.derived[s], 20)
            rounded.append(s)
        else:
            return None, 0.0, f"'{name}' has no value here"
    value = _number(expr, values)
    if value is None:
        return None, 0.0, "it has no real value"
    slack = 0.0
    for s in rounded:
        moved = dict(values)
        moved[s] = values[s] * (1 + ROUNDING)
        other = _number(expr, moved)
        if other is not None:
            slack += abs(float(other) - float(value))
    return value, slack, ""


def _number(expr: Any, values: dict) -> Any:
    try:
        out = expr.xreplace(values) if values else expr
        if not out.is_Rational:
            out = sp.N(out, 30)
        if not (out.is_Rational or out.is_Float) or not out.is_finite:
            return None
        return out
    except (TypeError, ValueError, ArithmeticError, Undefined, RecursionError):
        return None


def _fraction(x: Any) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    return Fraction(Decimal(str(sp.N(x, 30))))


def show(x: Any) -> str:
    """A value as a marker writes it: up to 6 significant figures."""
    v = float(_fraction(x)) if not isinstance(x, float) else x
    text = f"{v:.6g}"
    return "0" if text == "-0" else text


def has_number(text: str) -> bool:
    """Whether a side writes a number (not only an index: ``w_5``, ``a^{[2]}``, ``z_{1}``)."""
    bare = re.sub(r"_\s*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\w)|\^\s*\{\s*\[[^{}]*\]\s*\}|\\[A-Za-z]+", "", text)
    return bool(re.search(r"\d", bare))


# -- labels ----------------------------------------------------------------------------------------
def is_label(text: str) -> bool:
    """Whether a first side only names a quantity (no number, no arithmetic)."""
    t = _clean(text)
    if _DERIVATIVE.match(t):
        return True
    bare = _SUBSUP.sub("", _TEXTY.sub("", t))
    bare = re.sub(r"\\hat|\\tilde|\\bar|\\Delta|\\delta|\\[A-Za-z]+", "a", bare)
    return bool(bare.strip()) and not _LABEL_BAD.search(bare) and bool(re.search(r"[^\W\d_]", bare))


def resolve_label(table: Table, text: str) -> tuple[str | None, str]:
    """(the problem's name this label stands for, or None; the key it is kept under in this section)."""
    t = _clean(text)
    key = squash(t)
    m = _DERIVATIVE.match(t)
    if m:
        variable = squash(m.group(2) or m.group(4) or "")
        parts = table.by_variable.get(variable, [])
        if len(parts) == 1:
            return parts[0], "d_d" + variable
        return None, alias_key(t)
    if key in table.squashed:
        return table.squashed[key], key
    alias = table.aliases.get(alias_key(t))
    if alias:
        return alias, key
    return None, alias_key(t)


# -- checking a section ----------------------------------------------------------------------------
@dataclass
class Section:
    steps: list[Step] = field(default_factory=list)
    found: dict[str, Found] = field(default_factory=dict)


def check_lines(inst: Instance, lines: list[tuple[int, str]], number: int | None = None) -> Section:
    """Check a section's math lines ``(line, latex)`` against problem ``inst``."""
    base = build_table(inst)
    table = Table(**{**base.__dict__, "names": dict(base.names), "aliases": dict(base.aliases), "student": {}})
    out = Section()
    label: tuple[str | None, str] | None = None
    last: str | None = None      # the last side of the line before, which a line "= ..." goes on from
    for line, text in lines:
        pairs, why = split_sides(text)
        if why:
            if has_number(text):
                out.steps.append(Step(line, text, "unchecked", None, why, number))
            label, last = None, None
            continue
        pairs = pairs[:MAX_SIDES]
        continued = len(pairs) > 1 and not pairs[0][1].strip()
        if continued:     # "= 0,61075": the line before goes on
            pairs = ([("", last)] if last is not None else [("", pairs[1][1])]) + pairs[1 + (last is None):]
        elif len(pairs) > 1 and is_label(pairs[0][1]):
            label = resolve_label(table, pairs[0][1])
            pairs = [("", pairs[1][1])] + pairs[2:]
        else:
            label = None
        sides = [_read(table, rel, side) for rel, side in pairs]
        if label is not None and len(sides) == 1 and sides[0].literal and not continued:
            step = _by_definition(table, label, sides[0])
            if step is not None:
                step.line, step.section = line, number
                out.steps.append(step)
        labels = [label]       # the label of each segment (a new one after each arrow)
        for k in range(1, len(sides)):
            step, after = _step(table, sides[k - 1], sides[k], labels[-1])
            step.line, step.section = line, number
            if step.status != "unchecked" or has_number(sides[k - 1].text) or has_number(sides[k].text):
                out.steps.append(step)   # a formula rewritten into a formula that cannot be read: no step
            if sides[k].relation in _ARROWS:
                labels.append(after)
        _remember(table, out, labels, sides, line)
        label = labels[-1]
        last = pairs[-1][1] if pairs else None
    return out


def _by_definition(table: Table, label: tuple[str | None, str], value: _Side) -> Step | None:
    """``\\frac{\\partial E}{\\partial w_7} = 0,0769``: a value written with no working is confirmed when the
    problem's own formula for it, on the values written before it, gives it (to the digits written). Never
    ``wrong``: whether the student's method was the problem's is the part's verdict, not a step's."""
    name = label[0]
    formula = table.formulas.get(name) if name is not None else None
    if formula is None or value.unit is None:
        return None
    got, slack, _ = evaluate(table, formula)
    if got is None or not _agree(_fraction(got), _fraction(value.value), value.unit, Fraction(slack)):
        return None
    return Step(0, f"{name} = {value.text}", "right", show(got),
                f"{name} = {sp.sstr(formula)} on the values before it is {show(got)}")


def _read(table: Table, relation: str, text: str) -> _Side:
    side = _Side(text.strip(), relation)
    lit = _literal(text)
    if lit is not None:
        side.literal, side.unit = True, lit[1]
        side.value = sp.Rational(lit[0].numerator, lit[0].denominator)
        return side
    side.value, side.slack, side.why = read_side(table, text)
    return side


def _step(table: Table, left: _Side, right: _Side, label: tuple[str | None, str] | None
          ) -> tuple[Step, tuple[str | None, str] | None]:
    text = f"{left.text} {right.relation} {right.text}"
    for side in (left, right):
        if side.value is None:
            return Step(0, text, "unchecked", None, f"{_short(side.text)}: {side.why}"), label
    unit = right.unit if right.literal else left.unit
    a, b = _fraction(left.value), _fraction(right.value)
    slack = Fraction(left.slack + right.slack)
    if right.relation in _ARROWS:
        if _agree(a, b, unit, slack):
            return Step(0, text, "right", show(a), "the value carried on"), label
        for fname, f in table.activations:
            fa = _number(f(left.value), {})
            if fa is not None and _agree(_fraction(fa), b, unit, slack):
                new = None
                if label is not None and label[0] is not None:
                    new = table.activated.get((fname, label[0]))
                return (Step(0, text, "right", show(fa), f"{fname}({show(a)}) = {show(fa)}"),
                        (new, squash(new)) if new else None)
        acts = ", ".join(f"{n}({show(a)}) = {show(_number(f(left.value), {}) or 0)}" for n, f in table.activations)
        why = f"neither {show(a)} carried on" + (f" nor {acts}" if acts else "")
        return Step(0, text, "wrong", show(a), why), label
    if unit is None:
        if abs(a - b) <= abs(b) * Fraction(1, 10**9) + slack:
            return Step(0, text, "right", show(a), ""), label
        if abs(a - b) > abs(b) * Fraction(5, 100) + 2 * slack:
            return Step(0, text, "wrong", show(a), f"the left side is {show(a)}, the right {show(b)}"), label
        return Step(0, text, "unchecked", show(a), f"the sides differ by {float(abs(a - b) / (abs(b) or 1)):.2%}; "
                    "no number is written to set the precision"), label
    if _agree(a, b, unit, slack):
        return Step(0, text, "right", show(a), ""), label
    message = f"the left side is {show(a)}, not {show(b)}" + _names_used(table, left.text)
    fix = one_change(table, left, b, unit)
    if fix:
        message += f" ({fix})"
    return Step(0, text, "wrong", show(a), message), label


def _names_used(table: Table, text: str) -> str:
    """`` (with w5 = 0.4, out_h1 = 0.5945 from line …)``: the values a wrong step was read with, so a marker
    sees when a name means something else on this sheet."""
    try:
        clean = _clean(text)
        symbols = table.parser(clean).parse(clean).free_symbols
    except Exception:  # noqa: BLE001 - it was read once already; this is only the note
        return ""
    shown = []
    for s in sorted(symbols, key=lambda s: s.name):
        if s.name.startswith("dlcheckstudent_"):
            continue
        value = table.student.get(s.name, table.exact.get(s, table.derived.get(s)))
        if value is not None:
            shown.append(f"{s.name} = {show(value)}")
    return f" (with {', '.join(shown[:4])}{', …' if len(shown) > 4 else ''})" if shown else ""


def _agree(a: Fraction, b: Fraction, unit: Fraction | None, slack: Fraction) -> bool:
    """Within one unit of the last digit written (strictly: rounding and truncation both pass)."""
    if unit is None:
        return abs(a - b) <= abs(b) * Fraction(1, 10**9) + slack
    return abs(a - b) < unit + slack


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def one_change(table: Table, left: _Side, target: Fraction, unit: Fraction | None) -> str:
    """What one changed character makes the step right: a ``·`` that should be ``−``, a lost minus."""
    text = _clean(left.text)
    a = _fraction(left.value)
    if _agree(-a, target, unit, Fraction(left.slack)):
        return f"as written {show(a)}; with a minus it is {show(-a)}: a lost minus?"
    for m in itertools.islice(re.finditer(r"\\cdot|\\times|\*", text), MAX_VARIANTS):
        variant = text[:m.start()] + " - " + text[m.end():]
        value, slack, _ = read_side(table, variant)
        if value is not None and _agree(_fraction(value), target, unit, Fraction(slack)):
            shown = {"\\cdot": "·", "\\times": "×"}.get(m.group(), m.group())
            return f"as written {show(a)}; with − for {shown} it is {show(value)}"
    for m in itertools.islice(re.finditer(r"(?<=[\d}])\s*(?=\()", text), MAX_VARIANTS):
        variant = text[:m.start()] + " - " + text[m.end():]
        value, slack, _ = read_side(table, variant)
        if value is not None and _agree(_fraction(value), target, unit, Fraction(slack)):
            return f"as written {show(a)}; with a − before the bracket it is {show(value)}"
    return ""


def _remember(table: Table, out: Section, labels: list, sides: list[_Side], line: int) -> None:
    """Each segment's label takes the last number of its segment: the part it answers, and the value
    later lines of the section read for it."""
    segments: list[list[_Side]] = [[]]
    for side in sides:
        if side.relation in _ARROWS and segments[-1]:
            segments.append([])
        segments[-1].append(side)
    for seg_label, segment in zip(labels, segments):
        if seg_label is None:
            continue
        name, key = seg_label
        last = next((s for s in reversed(segment) if s.literal), None)
        if last is None:
            continue
        if name is None:
            ident = "dlcheckstudent_" + re.sub(r"\W", "_", key)
            table.names.setdefault(ident, sp.Symbol(ident, real=True))
            for spelling in key, alias_key(key):
                table.aliases[spelling] = ident
            table.student[ident] = last.value
            continue
        table.student[name] = last.value
        part = name if name in table.parts else table.parts_of.get(name)
        if part is not None:
            out.found[part] = Found(part, decimal_commas(last.text.strip()).replace("−", "-"), line)
