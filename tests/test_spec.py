"""Problem files: validation on load, with file:line:col in every error."""

from __future__ import annotations

import pytest

from dlcheck.check.registry import build_instance, read_spec_file
from dlcheck.core.errors import SpecError

GOOD = """
title: t
statement: s
given:
  a: 2
  b: 0.5
define:
  c: a*b
parts:
  p:
    kind: number
    prompt: c
    answer: c
"""


def build(path):
    return build_instance(read_spec_file(path, "x/q1"))


def test_good_spec_builds(write):
    inst = build(write("q1.yaml", GOOD))
    assert inst.value(inst.part_ref["p"]) == pytest.approx(1.0)


@pytest.mark.parametrize("text, line, col, words", [
    (GOOD.replace("  b: 0.5\n", "  b: 0.5\n  a: 3\n"), 6, 3, "duplicate key 'a'"),
    # an unknown field: the caret under its name (issue 22), with the field it could have meant
    (GOOD.replace("    prompt: c\n", "    prompt: c\n    tolerence: {rtol: 1}\n"), 12, 5,
     "unknown field 'tolerence' for a number part (parts.p); did you mean tolerance?"),
    (GOOD.replace("    kind: number\n", "    kind: numbr\n"), 10, 11, "'numbr' is not allowed"),
    (GOOD.replace("statement: s\n", ""), None, None, "missing required field 'statement'"),
    (GOOD.replace("  c: a*b\n", "  c: a*__import__('os')\n"), 7, 6, "fix this formula"),
    (GOOD.replace("  c: a*b\n", "  c: a*q\n"), 7, 6, "unknown symbol 'q'"),
    (GOOD.replace("    answer: c\n", "    answer: c\n    tolerance: {rtol: -1}\n"), 13, 23, "rtol"),
    (GOOD.replace("  a: 2\n", "  a: [2\n"), None, None, "invalid YAML"),
    (GOOD.replace("define:\n  c: a*b\n", "define:\n  a: 2*b\n"), 7, 6, "defined twice"),
    (GOOD.replace("    kind: number\n", "    kind: vector\n"), 10, 11, "is a vector but its answer is a scalar"),
])
def test_errors_name_the_place(write, text, line, col, words):
    path = write("q1.yaml", text)
    with pytest.raises(SpecError) as info:
        build(path)
    err = info.value
    assert words in err.message
    assert err.path == str(path)
    if line is not None:
        assert (err.line, err.column) == (line, col)
        assert str(err).startswith(f"{path}:{line}:{col}: ")
    else:
        assert err.line is not None


def test_number_part_with_free_symbols_is_an_error(write):
    text = GOOD.replace("parts:\n", "symbols:\n  z: real\nparts:\n").replace("    answer: c\n", "    answer: c*z\n")
    with pytest.raises(SpecError, match="depends on z"):
        build(write("q1.yaml", text))


def test_show_must_agree_with_derivation(write):
    text = GOOD.replace("    answer: c\n", "    answer: c\n    show: a + b\n")
    with pytest.raises(SpecError, match="not equal to its derived answer"):
        build(write("q1.yaml", text))


def test_construction_known_solution_is_simulated(write):
    text = """
    title: t
    statement: s
    parts:
      a:
        kind: construction
        prompt: p
        simulator: scalar_threshold_rnn
        target: all_ones_so_far
        known_solution: {w1: 1, w2: 1, b2: 0.5, w3: -1, b3: 0.5}
    """
    with pytest.raises(SpecError, match="known_solution fails on input"):
        build(write("q1.yaml", text))


def test_unknown_simulator(write):
    text = """
    title: t
    statement: s
    parts:
      a: {kind: construction, prompt: p, simulator: nope, target: all_ones_so_far, known_solution: {}}
    """
    with pytest.raises(SpecError, match="unknown simulator 'nope'"):
        build(write("q1.yaml", text))


def test_whole_bank_validates(runner):
    from dlcheck.cli import app
    from dlcheck.spec import bank

    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok  ") == len(bank.all_ids()) > 0
