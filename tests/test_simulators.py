"""The fast walk over a construction's inputs (integer weights, a tabulated target, each
(state, input) step once) decides exactly as the plain walk in fractions it replaces."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from dlcheck.check.kinds.construction import parse_fields
from dlcheck.check.registry import get_instance
from dlcheck.check.simulators import ARCHITECTURES, TARGETS, _simulate_asking, integral, simulate, target_table
from dlcheck.core.yamlio import raw_text

CONSTRUCTIONS = [(pid, part_id) for pid in ("rnn-gradients/q5", "seq-models/q3")
                 for part_id, part in get_instance(pid).spec.problem.parts.items() if part.kind == "construction"]


def _jiggled(value, rng: random.Random):
    if isinstance(value, tuple):
        return tuple(_jiggled(v, rng) for v in value)
    roll = rng.random()
    if roll < 0.75:
        return value
    if roll < 0.95:
        return value + Fraction(rng.choice((-1, 1)), rng.choice((1, 2, 3, 4, 7)))
    return -value


@pytest.mark.parametrize("pid, part_id", CONSTRUCTIONS, ids="/".join)
def test_the_fast_walk_finds_the_same_first_failure_as_the_plain_one(pid, part_id):
    part = get_instance(pid).spec.problem.parts[part_id]
    arch, target = ARCHITECTURES[part.simulator], TARGETS[part.target]
    known = parse_fields(arch, {k: raw_text(v) for k, v in part.known_solution.items()})
    rng = random.Random(f"{pid}/{part_id}")
    outcomes = set()
    for trial in range(120):
        weights = known if trial == 0 else {k: _jiggled(v, rng) for k, v in known.items()}
        fast, plain = simulate(arch, target, weights, part.max_length), _simulate_asking(arch, target, weights,
                                                                                          part.max_length)
        assert fast[1] == plain[1]
        if plain[0] is None:
            assert fast[0] is None
        else:
            assert (fast[0].inputs, fast[0].expected, fast[0].produced) == \
                (plain[0].inputs, plain[0].expected, plain[0].produced)
        outcomes.add(plain[0] is None)
    assert outcomes == {True, False}, "the trials must include right and wrong networks"


def test_integer_weights_keep_every_sign():
    weights = {"w1": Fraction(-1, 3), "w2": (Fraction(1, 2), Fraction(5, 6)), "b": Fraction(0)}
    scaled = integral(weights)
    assert scaled == {"w1": -2, "w2": (3, 5), "b": 0}


def test_a_target_table_holds_what_the_target_requires():
    table = target_table("all_ones_so_far", 3)
    assert table is not None and [len(level) for level in table] == [2, 4, 8]
    # the prefix 1 1 0: its required output is 0; 1 1 1: 1
    assert table[2][-1][2] == 1 and table[2][-2][2] == 0
