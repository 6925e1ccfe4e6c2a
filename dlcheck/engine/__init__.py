"""Problem instances (the derivation graph), fast evaluation, and time-bounded calls."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def load(problem_id: str):
    """The derived instance of a bundled problem (built once per process)."""
    from dlcheck.engine.instance import Instance
    from dlcheck.spec import bank

    return Instance.build(bank.load(problem_id))
