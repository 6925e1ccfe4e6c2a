"""The labelled equivalence suite (tests/data/equivalence.yaml) through `dlcheck compare`.

Every uncontested row goes through the code path of the command -- its options read as
the command reads them, the one-part problem checked and diagnosed, the status mapped to
the exit code -- in-process; a handful go through the real command for the exit codes.
Contested rows (a label that rests on a policy choice) are not asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dlcheck.check.oneoff import tolerance_options
from dlcheck.core.errors import ParseError
from dlcheck.grade.guarded import exit_code
from dlcheck.grade.run import compare_texts

DATA = Path(__file__).parent / "data" / "equivalence.yaml"
ROWS = YAML(typ="safe").load(DATA.read_text(encoding="utf-8"))
NOTATION = Path(__file__).parent / "data" / "notation.yaml"   # issue 20's notation rows, same format
NOTATION_ROWS = YAML(typ="safe").load(NOTATION.read_text(encoding="utf-8"))
OPTIONS = ("--rtol", "--atol", "--sigfigs")


def run_compare(expected: str, answer: str, options: list[str]) -> tuple[int, str]:
    """`dlcheck compare EXPECTED ANSWER OPTIONS` in-process: (exit code, message)."""
    given: dict[str, str] = {}
    i = 0
    while i < len(options):  # what the command line does with its options
        name = options[i]
        if name not in OPTIONS or i + 1 >= len(options):
            return 2, f"bad option {name}"
        given[name[2:]] = str(options[i + 1])
        i += 2
    try:
        tolerance_options(**given)
    except ParseError as exc:
        return 2, str(exc)
    verdict = compare_texts(str(expected), str(answer), given.get("rtol"), given.get("atol"), given.get("sigfigs"))
    return exit_code(verdict.status), verdict.message


def _id(k: int, row: dict) -> str:
    return f"{k + 1}-{row['family']}"


UNCONTESTED = [pytest.param(row, id=_id(k, row)) for k, row in enumerate(ROWS) if not row.get("contested")]
UNCONTESTED += [pytest.param(row, id="notation-" + _id(k, row)) for k, row in enumerate(NOTATION_ROWS)]


def test_the_suite_is_large_and_labelled():
    assert len(ROWS) >= 300
    assert all(row["why"].strip() and row["source"].strip() and row["exit"] in (0, 1, 2) for row in ROWS)
    families = {row["family"] for row in ROWS}
    assert {"algebraic", "dl", "sigfigs", "numeric-relative", "numeric-absolute", "malformed", "shape"} <= families


@pytest.mark.parametrize("row", UNCONTESTED)
def test_row(row):
    code, message = run_compare(row["expected"], row["answer"], [str(o) for o in row["options"]])
    assert code == row["exit"], f"{row['expected']!r} vs {row['answer']!r} {row['options']}: {message} ({row['why']})"


# the real command: exit codes, negative numbers as arguments, malformed options
@pytest.mark.parametrize("args, code", [
    (["1/3", "0.33"], 1),
    (["1/3", "0.33", "--rtol", "0.01"], 0),              # the gap is exactly 1/300: inside
    (["1", "1.05", "--atol", "0.05"], 0),
    (["-1", "sign(-3)"], 0),                               # a negative number is an argument, not an option
    (["pi/2 - atan(2)", "atan(1/2)"], 0),
    (["a^(b*c)", "(a^b)^c"], 1),
    (["x", "[1,2,3]"], 1),
    (["sigmoid(z)", "sigmod(z)"], 2),
    (["9.8", "10", "--sigfigs", "2"], 1),                  # 10 has 1 or 2 figures; 9.8 to 2 figures is 9.8
    (["10", "9.8", "--sigfigs", "2"], 0),
    (["1/7", "0.14285", "--sigfigs", "4,-1"], 0),
    (["3", "1", "--sigfigs", "3,x"], 2),
    (["3.1415927", "3.141", "--sigfigs"], 2),
    (["1", "1", "--rtol", "-1"], 2),
    (["1", "1", "--colour"], 2),
    (["x", "x/(2-2)"], 2),
])
def test_the_command_exit_codes(args, code):
    result = subprocess.run([sys.executable, "-m", "dlcheck", "compare", *args], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out = (result.stdout + result.stderr).strip()
    assert out and len(out.splitlines()) <= 6


def test_a_witness_is_shown_where_both_sides_are_real():
    code, message = run_compare("a^(b*c)", "(a^b)^c", [])
    assert code == 1 and "a = -" in message and "yours is" in message
    code, message = run_compare("(n+1)^((n+2)/(n+1))/(n+2)", "1/(n+2)*((n+1)^(1/(n+1)))^(n+2)", [])
    assert code == 1 and "n = -1.5" in message and "yours is 4, expected -4" in message


def test_near_equal_forms_are_decided_by_precision_not_left_undecided():
    code, message = run_compare("sigmoid(z)", "1/(1+exp(-1.0000001*z))", [])
    assert code == 1 and "yours is" in message
    a, b = message.rsplit("yours is ", 1)[1].split(", expected ")
    assert a != b  # printed with enough digits to see the difference
    assert run_compare("cosh(x)^2 - sinh(x)^2", "1", [])[0] == 0   # cancellation is not a difference


def test_no_value_on_an_open_set_is_a_difference_with_its_point():
    code, message = run_compare("log(x^2)", "2*log(x)", [])
    assert code == 1 and "yours has no real value" in message and "x = -" in message


def test_unknown_functions_name_the_closest_known_one():
    code, message = run_compare("sigmoid(z)", "sigmod(z)", [])
    assert code == 2 and "unknown function 'sigmod'; did you mean sigmoid" in message
    assert run_compare("w*(x+1)", "w(x+1)", [])[0] == 0          # a known symbol before ( is a product
    assert run_compare("atan(x)", "arctan(x)", [])[0] == 0
    assert run_compare("asinh(x)", "arcsinh(x)", [])[0] == 0


def test_lost_domain_is_kept_when_sympy_simplifies():
    # sympy turns these into x while building them; the answer still has no value for x < 0
    for answer in ("sqrt(x)^2", "sqrt(x)*sqrt(x)", "exp(log(x))", "e^(log(x))"):
        assert run_compare("x", answer, [])[0] == 1, answer
    assert run_compare("abs(x)", "sqrt(x^2)", [])[0] == 0


def test_differences_beyond_the_default_precision_are_seen():
    # the working precision grows with the longest number typed: 10^-40 is not rounding
    assert run_compare("exp(x)", "exp(x) + 10^(-40)", [])[0] == 1
    assert run_compare("1/sqrt(x)", "sqrt(1/x) + 1e-20", [])[0] == 1
    assert run_compare("1", "0.99999999999999999999", ["--rtol", "1e-20"])[0] == 0   # exactly on the bound
    assert run_compare("1e300", "1.0000001e300", ["--rtol", "1e-6"])[0] == 0          # exact, not floats


def test_significant_figure_messages_say_which_rule_failed():
    code, message = run_compare("2/3", "0.667", ["--sigfigs", "4"])
    assert code == 1 and message == "you wrote 3 significant figures; 4 are asked for"
    code, message = run_compare("0.5", "1/2", ["--sigfigs", "1"])
    assert code == 1 and "must be a decimal number" in message
    code, message = run_compare("[1.5, 2.25]", "[1.5, 2.3]", ["--sigfigs", "2"])
    assert code == 0
