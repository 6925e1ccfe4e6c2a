"""A new generic slip is one detector in ``diagnose/slips.py``'s list: nothing else changes.

The two slips below live entirely in this file, as ARCHITECTURE.md's recipe says; put in the
list, they are found by the same diagnosis as every bundled slip, scored, rendered, and held
back (or not) by ``grade/reveal.py`` from their own ``method`` flag.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import sympy as sp

from dlcheck.check.registry import get_instance
from dlcheck.check.shapes import close
from dlcheck.diagnose import slips
from dlcheck.diagnose.slips import Detector, Finding, Rewrite, Wrong
from dlcheck.engine.instance import Instance
from dlcheck.grade.reveal import hidden
from dlcheck.grade.work import check_and_diagnose
from dlcheck.parse.functions import sigmoid


def _squared(w: Wrong) -> Finding | None:
    """The reference squared (a value: it hands the reference over)."""
    if w.matrix or not close(w.given, w.expected * w.expected, w.tol):
        return None
    return Finding("squared", "that is the expected value squared")


def _tanh_for_sigmoid(inst: Instance, site: Any) -> Rewrite:
    """Every sigmoid of the graph computed as tanh (a method: the value is not handed over)."""
    def rewrite(expr: Any) -> Any:
        return expr.replace(lambda e: isinstance(e, sigmoid), lambda e: sp.tanh(e.args[0]))
    return rewrite


SQUARED = Detector("squared", method=False, number=_squared)
TANH = Detector("tanh-for-sigmoid", method=True, rewrite=_tanh_for_sigmoid,
                message="you used tanh where the sigmoid belongs")


@pytest.fixture
def with_new_slips(monkeypatch):
    *tried, last = slips.DETECTORS
    monkeypatch.setattr(slips, "DETECTORS", [*tried, SQUARED, TANH, last])


def test_a_new_slip_is_one_entry_in_the_list(with_new_slips):
    inst = get_instance("backprop/q1")
    loss = inst.value(inst.part_ref["loss"])
    v = check_and_diagnose(inst, "loss", f"{loss * loss:.6f}", {})
    assert v.detail.get("diagnosis") == "squared" and v.message == "that is the expected value squared"
    assert v.score == 0 and v.status == "incorrect"
    shown = hidden(v)  # it turns the answer into the reference: held back
    assert "squared" not in shown.message and "not within the tolerance" in shown.message

    net = inst.value(inst.named["net_h1"])
    v = check_and_diagnose(inst, "out_h1", f"{math.tanh(net):.6f}", {})
    assert v.detail.get("diagnosis") == "tanh-for-sigmoid", v.message
    assert hidden(v).message == "you used tanh where the sigmoid belongs"  # a method: still named


def test_without_the_entry_the_slip_is_not_found():
    inst = get_instance("backprop/q1")
    net = inst.value(inst.named["net_h1"])
    v = check_and_diagnose(inst, "out_h1", f"{math.tanh(net):.6f}", {})
    assert v.detail.get("diagnosis") != "tanh-for-sigmoid" and "tanh" not in v.message


def test_every_bundled_slip_says_whether_it_reveals():
    names = [d.name for d in slips.DETECTORS]
    assert len(names) == len(set(names))
    # besides the list, one finding made before it (the sheet's numbers under a variant) names no value either
    assert slips.method_slips() == {d.name for d in slips.DETECTORS if d.method} | slips.FOUND_ELSEWHERE
    assert {"negated", "unchanged", "sigmoid-for-derivative", "derivative-dropped", "degrees", "identity",
            "zero", "sheet-values"} == slips.method_slips()
    for d in slips.DETECTORS:
        assert d.number or d.formula or d.rewrite, d.name
