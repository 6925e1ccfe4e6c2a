"""Networks built by hand, run for real: architectures and target behaviours, by name.

A construction part names an *architecture* (how the student's weights are used) and a
*target* (what the outputs must be). The checker walks every input sequence up to the
spec's length, shortest first, sharing work between sequences with a common prefix, and
stops at the first step whose output is wrong. Arithmetic is exact, so a threshold
exactly at zero means the same thing here as on paper: step(0) = 1.

Two things make the walk cheap. What the target requires after every prefix does not
depend on the answer: it is tabulated once per target and length (:func:`target_table`).
And every pre-activation is a sum of weights times 0/1 inputs and states, so scaling all
weights by the common denominator of their fractions changes no sign: the walk runs on
Python integers (:func:`integral`), the same verdicts as with fractions. A threshold
network has few states (2^hidden units), so each (state, input) step is computed once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import Any

Vec = tuple[Fraction, ...]
Mat = tuple[Vec, ...]


def step(z: Fraction) -> int:
    return 1 if z >= 0 else 0


def _dot(a: Iterable[Fraction], b: Iterable[Fraction | int]) -> Fraction:
    return sum(x * y for x, y in zip(a, b))  # type: ignore[return-value]  # exact: ints or fractions


def _matvec(m: Mat, v: Iterable[Fraction]) -> list[Fraction]:
    v = list(v)
    return [_dot(row, v) for row in m]


@dataclass(frozen=True)
class Architecture:
    """``fields`` maps each field to its shape: () scalar, (n,) vector, (n, m) matrix;
    ``None`` in a shape means any size, fixed by the answer (checked for consistency)."""

    name: str
    description: str
    fields: dict[str, tuple]
    initial: Callable[[dict], Any]
    step: Callable[[dict, Any, Any], tuple[Any, int]]  # (weights, state, x) -> (state, output)
    check: Callable[[dict], str | None] = lambda w: None
    defaults: dict[str, Callable[[dict], Any]] = field(default_factory=dict)  # optional fields


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    alphabet: tuple                      # the possible inputs at one time step
    expected: Callable[[list], int]      # output required after this prefix of inputs
    sample: tuple = ()                   # an input ``explain`` traces


def _scalar_rnn_step(w: dict[str, Any], h: Any, x: Any) -> tuple[Any, Any]:
    h = step(w["w1"] * x + w["w2"] * h + w["b2"])
    return h, step(w["w3"] * h + w["b3"])


def _feedback_step(w: dict[str, Any], state: Any, x: Any) -> tuple[Any, Any]:
    """y_1 = step(v.h_1 + c_0); y_t = step(v.h_t + r*y_{t-1} + c) after (state None: t = 1)."""
    h = [step(z) for z in (a + b for a, b in zip(_matvec(w["W"], x), w["b"]))]
    if state is None:
        y = step(_dot(w["v"], h) + w["c_0"])
    else:
        y = step(_dot(w["v"], h) + w["r"] * state + w["c"])
    return y, y


def _rnn_step(w: dict[str, Any], h: Any, x: Any) -> tuple[Any, Any]:
    pre = [a + b + c for a, b, c in zip(_matvec(w["W"], h), _matvec(w["v"], x), w["b_h"])]
    h = tuple(step(z) for z in pre)
    return h, step(_dot(w["u"], h) + w["b_y"])


def _rnn_check(w: dict[str, Any]) -> str | None:
    n = len(w["W"])
    if any(len(row) != n for row in w["W"]):
        return f"W must be square (hidden units x hidden units), got {n} rows of {len(w['W'][0])}"
    if len(w["v"]) != n or len(w["b_h"]) != n or len(w["u"]) != n:
        return f"W has {n} hidden units, so v needs {n} rows and b_h and u {n} entries"
    if any(len(row) != 2 for row in w["v"]):
        return "v needs 2 columns (one per input bit)"
    return None


ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in (
    Architecture("scalar_threshold_rnn",
                 "h_t = step(w1*x_t + w2*h_{t-1} + b2), y_t = step(w3*h_t + b3), h_0 = 0",
                 {"w1": (), "w2": (), "b2": (), "w3": (), "b3": ()},
                 lambda w: 0, _scalar_rnn_step),
    Architecture("feedback_threshold_rnn",
                 "h_t = step(W x_t + b), y_1 = step(v . h_1 + c_0), y_t = step(v . h_t + r*y_{t-1} + c) "
                 "for t > 1 (c_0 = r + c when left out)",
                 {"W": (2, 2), "b": (2,), "v": (2,), "r": (), "c": (), "c_0": ()},
                 lambda w: None, _feedback_step, defaults={"c_0": lambda w: w["r"] + w["c"]}),
    Architecture("threshold_rnn",
                 "h_t = f(W h_{t-1} + v x_t + b_h), g_t = f(u h_t + b_y), h_0 = 0, f = step",
                 {"W": (None, None), "v": (None, 2), "b_h": (None,), "u": (None,), "b_y": ()},
                 lambda w: tuple(Fraction(0) for _ in w["W"]), _rnn_step, _rnn_check),
)}


def _binary_sum_bit(prefix: list) -> int:
    a = sum(int(x[0]) << t for t, x in enumerate(prefix))
    b = sum(int(x[1]) << t for t, x in enumerate(prefix))
    return ((a + b) >> (len(prefix) - 1)) & 1


_BITS = (Fraction(0), Fraction(1))
_PAIRS = tuple((a, b) for a, b in product(_BITS, repeat=2))

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("all_ones_so_far", "y_t = 1 exactly when x_1 = ... = x_t = 1", _BITS,
           lambda p: int(all(x == 1 for x in p)), (_BITS[1], _BITS[1], _BITS[0], _BITS[1])),
    Target("sequences_agree_so_far", "y_t = 1 exactly when the two inputs agreed at every step so far",
           _PAIRS, lambda p: int(all(a == b for a, b in p)), (_PAIRS[0], _PAIRS[3], _PAIRS[1], _PAIRS[3])),
    Target("binary_sum_bits", "g_t = bit t of a + b, with the bits of a and b arriving least significant first",
           _PAIRS, _binary_sum_bit, (_PAIRS[1], _PAIRS[3], _PAIRS[2], _PAIRS[0])),  # 6 + 3 = 9
)}


@dataclass
class Failure:
    inputs: list
    expected: list[int]
    produced: list[int]


TABLE_LIMIT = 200_000   # input prefixes a target table holds; a longer walk asks the target as it goes


@lru_cache(maxsize=16)
def target_table(target_name: str, max_length: int) -> tuple[tuple[tuple[int, int, int], ...], ...] | None:
    """Every input prefix up to ``max_length``, level by level in the walk's order: (index of the
    prefix it extends in the level before, index of its last input in the alphabet, required output).
    None when there would be more than TABLE_LIMIT of them."""
    target = TARGETS[target_name]
    k = len(target.alphabet)
    if sum(k ** n for n in range(1, max_length + 1)) > TABLE_LIMIT:
        return None
    levels: list[tuple[tuple[int, int, int], ...]] = []
    prefixes: list[list] = [[]]
    for _ in range(max_length):
        level, longer = [], []
        for parent, inputs in enumerate(prefixes):
            for xi, x in enumerate(target.alphabet):
                seq = inputs + [x]
                level.append((parent, xi, target.expected(seq)))
                longer.append(seq)
        levels.append(tuple(level))
        prefixes = longer
    return tuple(levels)


def integral(weights: dict) -> dict:
    """The weights times the common denominator of all their fractions: integers, the same signs of
    every pre-activation (each is a sum of weights times 0/1 values), so the same outputs."""
    def leaves(v: Any) -> list:
        return [x for item in v for x in leaves(item)] if isinstance(v, (tuple, list)) else [v]

    scale = 1
    for value in weights.values():
        for x in leaves(value):
            scale = math.lcm(scale, Fraction(x).denominator)

    def scaled(v: Any) -> Any:
        if isinstance(v, (tuple, list)):
            return tuple(scaled(item) for item in v)
        return int(Fraction(v) * scale)

    return {name: scaled(value) for name, value in weights.items()}


def _plain(x: Any) -> Any:
    """An input as integers (the alphabets are 0/1 fractions)."""
    return tuple(int(v) for v in x) if isinstance(x, tuple) else int(x)


def simulate(arch: Architecture, target: Target, weights: dict, max_length: int) -> tuple[Failure | None, int]:
    """The shortest input whose output is wrong (None if all pass), and how many were tried."""
    table = target_table(target.name, max_length) if TARGETS.get(target.name) is target else None
    if table is None:
        return _simulate_asking(arch, target, weights, max_length)
    fast = integral(weights)
    alphabet = [_plain(x) for x in target.alphabet]
    states = [arch.initial(fast)]
    moves: dict[tuple, tuple[Any, int]] = {}  # (state, input) -> (state, output): a network has few states
    tried = 0
    for depth, level in enumerate(table):
        nxt = []
        for index, (parent, xi, required) in enumerate(level):
            move = moves.get((states[parent], xi))
            if move is None:
                move = moves[(states[parent], xi)] = arch.step(fast, states[parent], alphabet[xi])
            state, y = move
            tried += 1
            if y != required:
                return _failure(arch, target, weights, _path(table, depth, index)), tried
            nxt.append(state)
        states = nxt
    return None, tried


def _path(table: tuple, depth: int, index: int) -> list[int]:
    """The alphabet indices of the prefix at ``table[depth][index]``."""
    out = []
    while depth >= 0:
        parent, xi, _ = table[depth][index]
        out.append(xi)
        depth, index = depth - 1, parent
    return out[::-1]


def _failure(arch: Architecture, target: Target, weights: dict, path: list[int]) -> Failure:
    seq = [target.alphabet[i] for i in path]
    produced = [y for _, _, y in trace(arch, weights, seq)]
    return Failure(seq, [target.expected(seq[: k + 1]) for k in range(len(seq))], produced)


def _simulate_asking(arch: Architecture, target: Target, weights: dict, max_length: int) -> tuple[Failure | None, int]:
    """The same walk without a table (a target too long to tabulate, or not a registered one)."""
    level: list[tuple[list, Any, list[int]]] = [([], arch.initial(weights), [])]  # (inputs, state, outputs)
    tried = 0
    for _ in range(max_length):
        nxt = []
        for inputs, state, outputs in level:
            for x in target.alphabet:
                seq = inputs + [x]
                new_state, y = arch.step(weights, state, x)
                outs = outputs + [y]
                tried += 1
                if y != target.expected(seq):
                    expected = [target.expected(seq[: k + 1]) for k in range(len(seq))]
                    return Failure(seq, expected, outs), tried
                nxt.append((seq, new_state, outs))
        level = nxt
    return None, tried


def trace(arch: Architecture, weights: dict, inputs: list) -> list[tuple[Any, Any, int]]:
    """(input, state, output) at each step: the time table ``explain`` shows."""
    state = arch.initial(weights)
    rows = []
    for x in inputs:
        state, y = arch.step(weights, state, x)
        rows.append((x, state, y))
    return rows
