"""`dlcheck show` lays a statement out as paragraphs: the line breaks of a YAML block are not
the author's layout, part labels start items that hang, laid-out lines stay as written, and
the notes for authors (`source:`) are never shown."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from dlcheck.check.registry import get_spec
from dlcheck.cli import app
from dlcheck.report.catalog import statement_lines
from dlcheck.spec import bank

TEXT = """A network runs for three steps. It starts from the state h_0; at each step
the input is added.

  h_1 = w*(u_0 + h_0)      h_2 = w*(u_1 + h_1)

(a) Write the recurrence: the state h_t from the previous state h_{t-1}, the weight w and
the input u_t that the step adds, and say what sin(ω_k t) is.
(b) Two inputs x_t = [a_t, b_t] in {0, 1}^2, with a long continuation that goes on and on:
    h_t = step(W x_t + b) (two units), written under the text of its label.
Names: w, u_0, u_1."""


def _words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


def test_a_paragraph_is_rewrapped_wherever_the_yaml_broke_it():
    other = TEXT.replace("at each step\nthe input", "at\neach step the input")
    other = other.replace("weight w and\nthe", "weight\nw and the")
    assert statement_lines(TEXT, 60) == statement_lines(other, 60)
    assert _words(statement_lines(TEXT, 60)) == TEXT.split()  # nothing lost, nothing added


@pytest.mark.parametrize("width", [40, 60, 80, 160])
def test_items_hang_under_their_text_and_layout_is_kept(width):
    lines = statement_lines(TEXT, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "  h_1 = w*(u_0 + h_0)      h_2 = w*(u_1 + h_1)" in lines or width < 50
    starts = [k for k, line in enumerate(lines) if re.match(r"\((a|b)\) ", line)]
    assert len(starts) == 2                      # each label starts its own line
    after_a = lines[starts[0] + 1:starts[1]]
    assert all(line.startswith("    ") for line in after_a) and (after_a or width > 150)  # hangs under "(a) "
    assert any(line.startswith("Names: ") for line in lines)            # a label line starts a paragraph
    # the continuation of (b) indented under its text joins it, as a line at the margin would
    assert lines == statement_lines(TEXT.replace("\n    h_t = step", "\nh_t = step"), width)


def test_a_short_bracketed_group_or_a_relation_is_never_broken():
    for width in range(24, 90):
        lines = statement_lines(TEXT, width)
        assert not any(line.rstrip().endswith(("sin(ω_k", " =")) for line in lines), (width, lines)
        assert not any(line.lstrip().startswith(("t)", "= ")) for line in lines), (width, lines)


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("pid", bank.all_ids())
def test_show_fits_and_never_shows_the_source(runner, pid, width):
    out = runner.invoke(app, ["show", pid], env={"COLUMNS": str(width)}).output
    assert max(cell_len(line) for line in out.splitlines()) <= width
    problem = get_spec(pid).problem
    inside = [line.strip("│ ").rstrip() for line in out.splitlines() if line.startswith("│")]
    assert _words(inside) == problem.statement.split()   # the whole statement, in order
    # students read the problem, not its history (a problem whose numbers vary per student names the
    # printed numbers "the sheet's numbers" in the panel's subtitle, and only there)
    varies = "the sheet's numbers; they vary per student"
    assert "sheet" not in " ".join(out.split()).lower().replace(varies, "")
    assert (varies in " ".join(out.split())) == bool(problem.vary)
    if problem.source:
        first = " ".join(problem.source.split()[:8])
        assert first not in " ".join(out.split())


def test_every_bank_problem_that_comes_from_a_sheet_says_so_to_authors():
    """The notes that left the statements are kept where authors read them."""
    with_source = [pid for pid in bank.all_ids() if get_spec(pid).problem.source]
    assert {"seq-models/q2", "seq-models/q4", "backprop/q3", "rnn-gradients/q4", "rnn/q2"} <= set(with_source)
