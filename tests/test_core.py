"""The small shared helpers: suggestions for mistyped names, visible control characters."""

from __future__ import annotations

import pytest

from dlcheck.core.suggest import closest, did_you_mean
from dlcheck.core.visible import visible


@pytest.mark.parametrize("word, candidates, expected", [
    ("sigmod", ["sigmoid", "softmax", "sin"], ["sigmoid"]),
    ("Q1", ["q1", "q2"], ["q1"]),
    ("outh2", ["out_h1", "out_h2", "loss"], ["out_h2", "out_h1"]),
    ("xyz", ["sigmoid", "tanh"], []),
])
def test_closest(word, candidates, expected):
    assert closest(word, candidates) == expected


def test_did_you_mean_reads_as_a_sentence_end():
    assert did_you_mean("sigmod", ["sigmoid"]) == "; did you mean sigmoid?"
    assert did_you_mean("zzz", ["sigmoid"]) == ""


@pytest.mark.parametrize("raw, shown", [
    ("\x1b]0;PWNED\x07\x1b[2J", "\\x1b]0;PWNED\\x07\\x1b[2J"),
    ("a\u202eb", "a\\u202eb"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
    ("del\x7f and nul\x00", "del\\x7f and nul\\x00"),
    ("csi\x9b", "csi\\x9b"),
    ("σ'(z) ۰٫۵ — fine", "σ'(z) ۰٫۵ — fine"),
])
def test_visible_shows_control_characters_and_keeps_text(raw, shown):
    assert visible(raw) == shown
    assert not any(ord(c) < 32 and c not in "\n\t" for c in visible(raw))


def test_visible_can_flatten_newlines():
    assert visible("a\nb") == "a\nb" and visible("a\nb", newlines=False) == "a\\x0ab"
