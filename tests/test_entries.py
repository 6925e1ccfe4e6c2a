"""Significant figures are counted on each entry as the parser read it (issue 17: a matrix answer is not
re-split from its text). The parser's result carries a list's entries; a vector written with a label, with
decimal commas or in LaTeX has them counted like a plain one (a re-split of the raw text failed on each and
refused the answer as "not a decimal number")."""

from __future__ import annotations

import pytest
import sympy as sp

from dlcheck.cli import app
from dlcheck.parse.safe import Parser

EXPECTED = "[0.123456, 0.654321]"


@pytest.mark.parametrize("answer", ["[0.123, 0.654]", "v = [0.123, 0.654]", "[0,123; 0,654]",
                                    r"\begin{bmatrix}0.123 \\ 0.654\end{bmatrix}", "[[0.123, 0.654]]",
                                    "[1.23*10^-1, 0.654]"])
def test_a_vector_to_three_figures_however_written(runner, answer):
    result = runner.invoke(app, ["compare", EXPECTED, answer, "--sigfigs", "3"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("answer", "said"), [("[0.1230, 0.654]", "entry 1: you wrote 4 significant figures"),
                                              ("v = [0.12, 0.654]", "entry 1: you wrote 2 significant figures"),
                                              ("[0,123; 0,6543]", "entry 2: you wrote 4 significant figures")])
def test_each_entry_is_counted_on_its_own_digits(runner, answer, said):
    result = runner.invoke(app, ["compare", EXPECTED, answer, "--sigfigs", "3"])
    assert result.exit_code == 1 and said in result.output, result.output


def test_the_parser_gives_a_lists_entries_and_none_for_a_scalar():
    parser = Parser({"x": sp.Symbol("x")}, {})
    def entries(text: str) -> list[str]:
        return [e.replace(" ", "") for e in parser.read(text).entries]   # as Python syntax spaces them

    assert entries("[[0.10, 2], [3e-1, -4]]") == ["0.10", "2", "3e-1", "-4"]
    assert entries("y = [0.5, 2^3] = [0.5, 8]") == ["0.5", "8"]   # the answer's, not its working's
    assert parser.read("0.50").entries == ()
