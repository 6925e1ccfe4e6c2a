"""What an instance keeps between answers gives the same numbers as computing afresh."""

from __future__ import annotations

import math
import random

import pytest

from dlcheck.check.registry import get_instance
from dlcheck.core.errors import Undefined, UnknownSymbol
from dlcheck.engine.numeval import numeval
from dlcheck.spec import bank

WITH_SYMBOLS = [pid for pid in bank.all_ids() if get_instance(pid).domains]


def _afresh(inst, leaf_values: dict) -> dict:
    env = {s: float(v) for s, v in inst.given_values.items()}
    env.update(leaf_values)
    for sym, expr in inst.node_expr.items():
        try:
            env[sym] = numeval(expr, env)
        except (Undefined, UnknownSymbol):
            env[sym] = float("nan")
    return env


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("pid", WITH_SYMBOLS)
def test_a_sample_point_recomputes_only_what_depends_on_it_and_gets_the_same_numbers(pid):
    inst = get_instance(pid)
    rng = random.Random(pid)
    free = sorted(inst.domains, key=lambda s: s.name)
    assert inst._leaf_dependent(), "a problem with symbols has nodes that depend on them"
    for _ in range(8):
        point = {s: rng.uniform(-2, 2) for s in free}
        fast, slow = inst.env(point), _afresh(inst, point)
        assert fast.keys() == slow.keys()
        assert all(_same(fast[k], slow[k]) for k in slow)


def test_sample_points_are_kept_and_shared_between_calls():
    inst = get_instance("backprop/q2")
    first = inst.sample_envs("seed", 6)
    assert inst.sample_envs("seed", 6) is first and inst.sample_envs("other", 6) is not first
