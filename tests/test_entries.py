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
    def entries(text: str) -> list[list[str]]:
        return [[e.replace(" ", "") for e in row] for row in parser.read(text).entries]   # Python syntax spaces them

    assert entries("[[0.10, 2], [3e-1, -4]]") == [["0.10", "2"], ["3e-1", "-4"]]
    assert entries("y = [0.5, 2^3] = [0.5, 8]") == [["0.5"], ["8"]]   # the answer's, not its working's
    assert parser.read("0.50").entries == ()


def test_a_matrix_is_drawn_from_its_entries_as_read_when_its_commas_are_not_columns(runner, write):
    """[[0,5; 0,2], [0,1; 0,3]] is read as 2x2 (decimal commas, ';' between entries): the grid under
    'yours' holds those four entries (a split of the text at its commas drew '0 | 5; 0 | 2')."""
    path = write("m.yaml", 'set: rnn\nanswers:\n  q2:\n    dJ3_dWhh: "[[0,5; 0,2], [0,1; 0,3]]"\n'
                           '    dJ_dWhh: "[[0.5, -0.25], [2*x, 0.3]]"\n')
    out = runner.invoke(app, ["grade", str(path), "--part", "dJ3_dWhh", "--part", "dJ_dWhh"],
                        env={"COLUMNS": "80"}, terminal_width=80).stdout
    lines = [line.strip() for line in out.splitlines()]
    assert "yours     0.5  0.2" in lines and "0.1  0.3" in lines, out
    assert "5; 0" not in out
    assert "yours     0.5   -0.25" in lines or "yours     0.5  -0.25" in lines, out   # the text's own cells
