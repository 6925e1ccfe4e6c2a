"""The numeric path (check/fast.py): a correct literal checked from the problem's card, without sympy.

It may only ever say what the full checker says: every answer below is checked both ways, on every
numeric part of the bank, and wherever the numeric path gives a verdict it is the full checker's
verdict (status, score, message, expected text, detail and value). It must also take the common
case -- the reference written to a few figures, in the notations students use -- or it saves nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from dlcheck.check import fast
from dlcheck.check.registry import get_instance
from dlcheck.grade import numeric
from dlcheck.grade.batch import Source, grade_files
from dlcheck.grade.cards import ensure
from dlcheck.grade.quick import quick_file
from dlcheck.grade.work import check_and_diagnose
from dlcheck.spec import bank

ROOT = Path(__file__).resolve().parent.parent
PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def _cards() -> list[tuple[str, fast.Card]]:
    out = []
    for problem_id in bank.all_ids():
        ensure(problem_id)  # derived (or loaded), its card made and stored beside it
        card = fast.load_card(problem_id)
        assert card is not None, f"{problem_id} has no card after it was derived"
        out.append((problem_id, card))
    return out


def _digits(x: Fraction, figures: int) -> str:
    if x == 0:
        return "0"
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return f"{d:.{figures}g}" if abs(d) >= Decimal("1e-4") else f"{d:.{figures - 1}e}"


def _texts(card: fast.Card, part: fast.PartCard) -> list[tuple[str, bool]]:
    """Answers to ``part``, right and wrong in the ways the diagnosis names: (text, whether the numeric path
    must decide it)."""
    mid = [(lo + hi) / 2 for lo, hi in zip(part.lo, part.hi)]
    scalar = part.rows == part.cols == 1

    def typed(values: list, figures: int = 6) -> str:
        shown = [v if isinstance(v, str) else _digits(Fraction(v), figures) for v in values]
        if scalar:
            return shown[0]
        if part.cols == 1:
            return "[" + ", ".join(shown) + "]"
        rows = [shown[i * part.cols:(i + 1) * part.cols] for i in range(part.rows)]
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"

    out: list[tuple[str, bool]] = []
    for figures in (2, 3, 4, 6, 12):
        text = typed(mid, figures)
        out.append((text, figures >= 6))   # 6 figures is inside every tolerance of the bank
        out.append((text.translate(PERSIAN), False))
        out.append((" " + text.replace(", ", ",") + " ", False))
    out.append((typed([-v if v else 1 for v in mid]), True))                     # signs flipped
    for factor in (Fraction(11, 10), Fraction(1001, 1000), Fraction(2), Fraction(1, 10), Fraction(10)):
        out.append((typed([v * factor for v in mid]), False))
    out.append((typed([f"{float(v):.6e}" for v in mid]), False))
    clues = part.clues
    if clues is not None:
        for mistake in clues.mistakes:   # the spec's own mistakes
            if mistake.value is not None:
                lo = mistake.value[0]
                flat = [c for row in lo for c in row] if isinstance(lo, list) else [lo]
                if len(flat) == len(mid):
                    out.append((typed(flat), True))
                    out.append((typed(flat, 3), False))
        for values in clues.rewrites.values():   # sigmoid for sigmoid', the derivative left out, degrees
            for value in values:
                if value is not None:
                    flat = [c for row in value for c in row] if isinstance(value, list) else [value]
                    if len(flat) == len(mid):
                        out.append((typed([Fraction(repr(float(c))) for c in flat]), False))
        for _, value in clues.formula_givens:   # the update not applied
            if value is not None and scalar:
                out.append((typed([value]), True))
    if scalar:
        out.append((_digits(mid[0], 6).replace(".", ","), False))
        out.append(("+" + _digits(mid[0], 6), False))
        out.append((_digits(mid[0], 6) + "0000", False))
        out.append((typed(mid, 5)[:-1] + ("9" if typed(mid, 5)[-1] != "9" else "1"), False))  # the last digit off
    else:
        out.append((typed(mid)[1:-1], False))   # brackets left out
        out.append((typed([*mid[:-1], 0]) if len(mid) > 1 else "[0]", False))
        if part.cols > 1 and part.rows == part.cols:
            flat = [mid[j * part.cols + i] for i in range(part.rows) for j in range(part.cols)]
            out.append((typed(flat), True))                                           # transposed
            out.append((typed([Fraction(int(i == j)) for i in range(part.rows) for j in range(part.cols)]), True))
            out.append((typed([0] * len(mid)), True))                                 # the zero matrix
        if part.rows > 1:
            rows = [mid[i * part.cols:(i + 1) * part.cols] for i in range(part.rows)]
            out.append((typed([c for row in [rows[1], rows[0], *rows[2:]] for c in row]), False))  # rows swapped
    return out


def _same(quick, full) -> None:
    assert quick.to_json() == full.to_json()
    assert quick.value == full.value
    assert quick.formula == full.formula and quick.column == full.column and quick.cells == full.cells


def test_the_numeric_path_gives_the_full_checkers_verdict_on_every_numeric_part():
    decided: dict[str, int] = {}
    checked = 0
    for problem_id, card in _cards():
        inst = get_instance(problem_id)
        for pid, part in card.numeric.items():
            for text, must in _texts(card, part):
                full = check_and_diagnose(inst, pid, text, {})
                quick = numeric.decide(card, pid, text)
                checked += 1
                if quick is None:
                    assert not must, f"{problem_id}/{pid}: {text!r} ({full.status.value}: {full.message}) not decided"
                    continue
                decided[full.status.value] = decided.get(full.status.value, 0) + 1
                _same(quick, full)
    # the path takes most of what students type: right values, and wrong ones with their diagnosis
    assert checked > 800 and sum(decided.values()) > checked * 6 // 10, (decided, checked)
    assert decided.get("correct", 0) > 100 and decided.get("incorrect", 0) > 300, decided


def test_what_the_numeric_path_leaves_to_the_full_checker():
    _cards()
    card = fast.load_card("backprop/q1")
    assert card is not None
    assert numeric.decide(card, "out_h1", "0.5945") is not None and numeric.decide(card, "out_h1", "0.59") is not None
    for text in ("out_h1 = 0.5945", "$0.5945$", "1189/2000", "0.5945*1", "[0.5945]", "1e999999999", "0.5945.", "",
                 "0x1", "0.5945 0.1", "sigmoid(0.3775)"):
        assert numeric.decide(card, "out_h1", text) is None, text
    assert numeric.decide(card, "out_h1", "0.5945", student="99521469") is None   # their own numbers vary
    assert numeric.decide(card, "no_such_part", "0.5945") is None
    wrong = numeric.decide(card, "out_h1", "0.6")
    assert wrong is not None and wrong.status.value == "incorrect"
    # after a wrong part, a later value is looked at on the student's value too (the card's graph), as the full
    # checker does; a graph the card could not hold leaves that to the full checker
    inst = get_instance("backprop/q1")
    full_wrong = check_and_diagnose(inst, "out_h1", "0.6", {})
    for text in ("0.7", "0.7918", "0.7928"):
        later = numeric.decide(card, "out_y1", text, earlier=[wrong])
        assert later is not None
        _same(later, check_and_diagnose(inst, "out_y1", text, {"out_h1": full_wrong}))
    without = dataclasses.replace(card, graph=None)
    assert numeric.decide(without, "out_y1", "0.7", earlier=[wrong]) is None
    assert numeric.decide(without, "out_y1", "0.7918", earlier=[wrong]) is not None   # a right one is right


def _without_cards(monkeypatch, path: Path) -> list:
    """The file's problems checked by the full checker alone (no card anywhere), in this process."""
    from dlcheck.check.registry import read_answers_file
    from dlcheck.core.verdict import ProblemResult
    from dlcheck.grade import work

    with monkeypatch.context() as patch:
        patch.setattr(work.fast, "load_card", lambda problem_id: None)
        plans = work.plan_file(read_answers_file(path)).problems
        return [ProblemResult(p.problem_id, p.title, work.check_problem(p)[0], p.variant, p.varies).to_json()
                for p in plans]


def _with_cards(path: Path) -> list:
    from dlcheck.check.registry import read_answers_file
    from dlcheck.core.verdict import ProblemResult
    from dlcheck.grade import work

    plans = work.plan_file(read_answers_file(path)).problems
    return [ProblemResult(p.problem_id, p.title, work.check_problem(p)[0], p.variant, p.varies).to_json()
            for p in plans]


def test_an_answers_file_on_the_numeric_path_is_graded_as_the_full_checker_grades_it(write, monkeypatch):
    _cards()  # every problem carded (alone, this test would find none)
    path = write("right.yaml", """
        set: backprop
        answers:
          q1:
            out_h1: 0.5945
            out_h2: ۰٫۵۹۶۳
            out_y1: 0,7918
            loss: ''
        """)
    quick = quick_file(Source(str(path), str(path)))
    assert quick is not None and quick.student is None and quick.path == str(path)
    assert [r.to_json() for r in quick.results] == _without_cards(monkeypatch, path)
    wrong = write("wrong.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.6945\n    out_h2: 0.7\n")
    assert quick_file(Source(str(wrong), str(wrong))) is None      # one misread given may be behind both
    signs = write("signs.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.6945\n    dE_dw5: -0.0766\n")
    quick = quick_file(Source(str(signs), str(signs)))            # the second is a sign error: no search
    assert quick is not None
    assert [r.to_json() for r in quick.results] == _without_cards(monkeypatch, signs)
    one = write("one.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945\n    dE_dw5: -0.0766\n")
    quick = quick_file(Source(str(one), str(one)))                # one wrong value: diagnosed from the card
    assert quick is not None and "Sign error" in quick.results[0].verdicts[5].message
    assert [r.to_json() for r in quick.results] == _without_cards(monkeypatch, one)
    formula = write("formula.yaml", "set: backprop\nanswers:\n  q2:\n    d_z2_1: v1*σ'(z2_1)\n")
    assert quick_file(Source(str(formula), str(formula))) is None
    full = grade_files([Source(str(one), str(one))], jobs=1)[0]   # the pool, its workers using the cards
    assert [r.to_json() for r in full.results] == [r.to_json() for r in quick.results]


@pytest.mark.parametrize("example", ["answers.yaml", "rnn.yaml", "attention.yaml", "rnn-gradients.yaml",
                                     "seq-models.yaml"])
def test_cards_in_the_workers_change_no_verdict(example, monkeypatch):
    """Right parts decided from the card, wrong ones diagnosed (error carried forward, a misread given)
    as before: every verdict of the examples is the full checker's."""
    path = ROOT / "examples" / example
    assert _with_cards(path) == _without_cards(monkeypatch, path)


def _run(code: str, tmp_path: Path, ok: tuple[int, ...] = (0,)) -> tuple[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert done.returncode in ok, done.stderr
    return done.stdout, done.stderr


HEAVY = "sympy", "numpy", "mpmath", "pydantic"


def test_a_numeric_check_with_a_warm_cache_imports_neither_sympy_nor_numpy(tmp_path):
    _cards()  # the cache is warm: every problem derived once (this test's process)
    out = _run(f"""
        import json, sys
        import dlcheck
        right = dlcheck.check("backprop/q1", "out_h1", 0.5945)
        vector = dlcheck.check("rnn/q3", "scores", [-2, 3, 0, 6])
        wrong = dlcheck.check("backprop/q1", "dE_dw5", -0.0766)     # a sign error, named from the card
        matrix = dlcheck.check("rnn/q2", "dJ3_dWhh", [[1, 2], [3, 4]])
        loaded = [m for m in {HEAVY!r} if m in sys.modules]
        formula = dlcheck.check("backprop/q2", "d_z2_1", "v1*σ'(z2_1)")   # a formula: sympy, as ever
        print(json.dumps([right.to_dict(), vector.status.value, wrong.status.value, wrong.message,
                          matrix.status.value, loaded, formula.status.value, "sympy" in sys.modules]))
        """, tmp_path)
    right, vector, wrong, message, matrix, loaded, formula, later = json.loads(out[0])
    assert right["status"] == "correct" and right["expected"] == "0.594476" and vector == "correct"
    assert wrong == "incorrect" and message.startswith("Sign error") and matrix == "incorrect"
    assert loaded == []
    assert formula == "correct" and later


def test_grading_a_file_of_right_numbers_imports_neither_sympy_nor_numpy(tmp_path, write):
    _cards()
    path = write("right.yaml", "set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945\n    out_y1: 0,7918\n")
    out = _run(f"""
        import json, sys
        from dlcheck.cli import main
        sys.argv = ["dlcheck", "grade", {str(path)!r}, "--format", "json"]
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]), file=sys.stderr)
        """, tmp_path)
    doc = json.loads(out[0])
    code, loaded = json.loads(out[1].strip().splitlines()[-1])
    assert code in (0, None) and loaded == []
    assert doc["score"] == 2.0 and [p["status"] for p in doc["problems"][0]["parts"][:3]] == \
        ["correct", "missing", "correct"]


COMPARE_PAIRS = [
    ("0.5", "0.5", {}), ("0.5", "0.50", {}), ("0.5", ".5", {}), ("0.5", "5e-1", {}), ("0.5", "0.5000001", {}),
    ("0.5945", "0.5944", {"rtol": "0.01"}), ("0.5945", "0.59", {"rtol": "0.01"}), ("1", "1.05", {"atol": "0.05"}),
    ("1", "1.0500001", {"atol": "0.05"}), ("0.59447", "0.594", {"sigfigs": "3"}),
    ("0.59447", "0.5945", {"sigfigs": "3"}),
    ("0.59447", "0.595", {"sigfigs": "3"}), ("100", "100", {"sigfigs": "2"}), ("-3", "-3", {}), ("-3", "3", {}),
    ("[1, 2]", "[1.0, 2]", {}), ("[1, 2]", "[1, 2.1]", {}), ("[1, 2]", "[1, 2, 3]", {}),
    ("[0.1, 0.2]", "[0.1001, 0.2]", {"rtol": "1e-2"}), ("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]", {}),
    ("[[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", {}), ("[[1, 2], [3, 4]]", "[1, 2, 3, 4]", {}),
    ("0.5", "۰٫۵", {}), ("0.5", "0,5", {}), ("7", "7.000", {"sigfigs": "4"}), ("2.5", "2.5", {"rtol": "0"}),
    ("1e-300", "1e-300", {}), ("1e300", "1.0e300", {"rtol": "1e-3"}), ("[5]", "5", {}), ("[[1, 2]]", "[1, 2]", {}),
    ("0,5", "0.5", {}), ("1/3", "0.333", {"rtol": "0.01"}), ("0.5", "1/2", {}),
]


@pytest.mark.parametrize(("expected", "answer", "options"), COMPARE_PAIRS)
def test_compare_of_two_literals_agrees_with_the_full_checker(expected, answer, options):
    from dlcheck.grade.work import compare_texts

    full = compare_texts(expected, answer, **options)
    quick = fast.compare_literals(expected, answer, **options)
    if quick is not None:
        assert full.status.value == "correct"
        _same(quick, full)


def test_compare_decides_right_literals_here():
    assert all(fast.compare_literals(e, a, **o) is not None for e, a, o in
               [("0.5", "0.50", {}), ("0.5945", "0.5944", {"rtol": "0.01"}), ("[1, 2]", "[1.0, 2]", {}),
                ("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]", {}), ("0.59447", "0.594", {"sigfigs": "3"})])


def test_a_students_own_numbers_are_never_taken_from_the_card(write, monkeypatch):
    """backprop/q1 varies per student: with an id, the sheet's right numbers are wrong for them."""
    path = write("theirs.yaml", 'set: backprop\nstudent: "99521469"\nanswers:\n  q1:\n    out_h1: 0.5945\n'
                 '    out_h2: 0.5963\n')
    assert quick_file(Source(str(path), str(path))) is None
    assert _with_cards(path) == _without_cards(monkeypatch, path)
    assert _with_cards(path)[0]["parts"][0]["status"] != "correct"


def test_a_hostile_literal_ends_at_once(tmp_path):
    """Long lists that fail to match at the very end: read in linear time (a regular expression that could
    split each number's digits two ways tried them all, and hung on 400 characters)."""
    texts = ["[" + ", ".join(["1111111111"] * 30) + ", x]",
             "[[" + ", ".join(["1111111111"] * 15) + "], [" + ", ".join(["1111111111"] * 15) + ", x]]",
             "1" * 399 + "x", "[" + "1.1111111e1111," * 25 + "]"]
    out = _run(f"""
        from dlcheck.check.fast import read_literal
        texts = {texts!r}
        print(sum(read_literal(t, r, c) is None for t in texts for r, c in ((31, 1), (2, 16), (1, 1))))
        """, tmp_path)
    assert out[0].strip() == "12"


COURSE = """\
title: significant figures, a matrix with partial credit, a hidden reference
statement: A course's own problem.
given: {a: 0.123456, b: 0.654321, c: 2.5, eta: 0.5}
define:
  s: sigmoid(a + b)
parts:
  x: {kind: number, prompt: s, answer: s, tolerance: {sigfigs: 3}}
  y: {kind: number, prompt: s, answer: s, tolerance: {sigfigs: [4, 2]}}
  v: {kind: vector, prompt: a and b, answer: "[a, b]", tolerance: {sigfigs: 3}}
  m: {kind: matrix, prompt: a block, answer: "[[a, 0], [0, b]]", partial_credit: true, tolerance: {rtol: 0.01}}
  h: {kind: number, prompt: c minus a step, answer: c - eta*s, reveal: never, tolerance: {atol: 0.0005},
      mistakes: [{answer: c + eta*s, feedback: "That climbs the gradient.", credit: 0.5}]}
"""
COURSE_ANSWERS = {
    "x": ["0.686", "0.6858", "0.69", "0,686", "۰٫۶۸۶", "0.687", "-0.686", "6.86e-1", "0.6860"],
    "y": ["0.6858", "0.6857", "0.69", "0.6900", "0.6800", "0.686"],
    "v": ["[0.123, 0.654]", "[0.1235, 0.654]", "[0.12, 0.65]", "[0.124, 0.655]", "[0.654, 0.123]", "[0.123,0.654]"],
    "m": ["[[0.1235, 0], [0, 0.6543]]", "[[0.1235, 0], [0, 0.7]]", "[[0.6543, 0], [0, 0.1235]]", "[[0, 0], [0, 0]]",
          "[[1, 0], [0, 1]]", "[[0.1235, 1], [0, 0.6543]]"],
    "h": ["2.1571", "2.157", "2.843", "2.8429", "2.5", "-2.1571", "21.571", "2.16"],
}


@contextlib.contextmanager
def _course(tmp_path: Path, problem_id: str, spec: str):
    """A course bank holding one problem, in use (and its card made) while the block runs."""
    path = tmp_path / "course" / f"{problem_id}.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(spec, encoding="utf-8")
    saved = bank.course_banks()
    bank.use_course_banks([tmp_path / "course"])
    try:
        ensure(problem_id)
        yield path
    finally:
        bank.use_course_banks(saved)


def test_a_course_banks_tolerances_and_policies_agree_both_ways(tmp_path):
    with _course(tmp_path, "week1/q1", COURSE):
        _agree_on_the_course()


def _agree_on_the_course() -> None:
    from dlcheck.core.verdict import ProblemResult
    from dlcheck.grade.reveal import student_view

    ensure("week1/q1")
    card = fast.load_card("week1/q1")
    assert card is not None and set(card.numeric) == {"x", "y", "v", "m", "h"} and card.reveal["h"] == "never"
    inst = get_instance("week1/q1")
    decided = 0
    for pid, texts in COURSE_ANSWERS.items():
        for text in texts:
            full = check_and_diagnose(inst, pid, text, {})
            quick = numeric.decide(card, pid, text)
            if quick is not None:
                decided += 1
                _same(quick, full)
                shown = student_view([ProblemResult("week1/q1", "", [quick])])[0].verdicts[0]
                hidden = student_view([ProblemResult("week1/q1", "", [full])])[0].verdicts[0]
                assert shown.to_json() == hidden.to_json()   # what a student sees, reveal: never included
    assert decided >= 30, decided


def _typed(part: fast.PartCard, value, figures: int = 6) -> str:
    flat = [c for row in value for c in row] if isinstance(value, list) else [value]
    shown = [_digits(Fraction(c) if not isinstance(c, Fraction) else c, figures) for c in flat]
    if part.rows == part.cols == 1:
        return shown[0]
    if part.cols == 1:
        return "[" + ", ".join(shown) + "]"
    return "[" + ", ".join("[" + ", ".join(shown[i * part.cols:(i + 1) * part.cols]) + "]"
                           for i in range(part.rows)) + "]"


@pytest.mark.parametrize("problem_id", ["backprop/q1", "rnn/q2", "rnn/q3", "rnn-gradients/q1"])
def test_error_carried_forward_on_the_cards_graph_agrees_with_the_full_checker(problem_id):
    """An earlier part answered wrong (10% off), then each later part answered with the value the wrong one
    gives (carried forward), with the right value, and 10% off again: the card's verdict is the full
    checker's, and the carried ones are decided on the card."""
    from dlcheck.check.tolerance import GRADE_DPS
    from dlcheck.engine.exact import exact_value
    from dlcheck.engine.numbers import to_fraction

    _cards()
    card = fast.load_card(problem_id)
    inst = get_instance(problem_id)
    assert card is not None and card.graph is not None
    parts = list(card.numeric)
    decided: dict[str, int] = {}
    for k, first in enumerate(parts[:-1]):
        mid = [(lo + hi) / 2 for lo, hi in zip(card.numeric[first].lo, card.numeric[first].hi)]
        off = [[c * Fraction(11, 10) for c in mid[i * card.numeric[first].cols:(i + 1) * card.numeric[first].cols]]
               for i in range(card.numeric[first].rows)]
        wrong_text = _typed(card.numeric[first], off if len(mid) > 1 else off[0][0])
        earlier = check_and_diagnose(inst, first, wrong_text, {})
        if earlier.status.value not in ("incorrect", "partial"):
            continue
        node = inst.named[inst.part_node[first]]
        pins = dict(zip(list(node) if hasattr(node, "rows") else [node], [c for row in off for c in row]))
        for later in parts[k + 1:]:
            part = card.numeric[later]
            try:
                carried = exact_value(inst, inst.part_ref[later], pins, GRADE_DPS)
            except Exception:  # noqa: BLE001 - no value on the student's numbers: nothing to carry
                continue
            right = [(lo + hi) / 2 for lo, hi in zip(part.lo, part.hi)]
            texts = [_typed(part, [[to_fraction(c) for c in row] for row in carried] if isinstance(carried, list)
                            else to_fraction(carried)),
                     _typed(part, right[0] if len(right) == 1 else [right[i * part.cols:(i + 1) * part.cols]
                                                                    for i in range(part.rows)])]
            for text in texts:
                full = check_and_diagnose(inst, later, text, {first: earlier})
                quick = numeric.decide(card, later, text, earlier=[earlier])
                if quick is not None:
                    _same(quick, full)
                    decided[full.status.value] = decided.get(full.status.value, 0) + 1
    from dlcheck.core.verdict import Status

    assert decided, problem_id
    if problem_id == "backprop/q1":   # later steps on an earlier wrong value: carried, on the card
        assert decided.get(Status.CARRIED.value, 0) >= 10, decided


# -- what a review found the numeric path saying that the full checker does not (each left to it now) ----------
EDGES = """\
title: edges of the numeric path
statement: A course's own problem.
given: {a: 0.125, x: 2, eta: "sqrt(2)/10", w: 0.5, g: 0.3}
parts:
  v1: {kind: vector, prompt: a as a vector, answer: "[a]"}
  m11: {kind: matrix, prompt: a as a matrix, answer: "[[a]]"}
  grad: {kind: number, prompt: a gradient step, answer: w*g, tolerance: {rtol: 0.001}}
  r: {kind: number, prompt: x plus one, answer: x + 1, tolerance: {rtol: 0.001},
      mistakes: [{answer: sqrt(x), feedback: You took the square root., credit: 0.5}]}
"""


@pytest.fixture
def edges(tmp_path):
    with _course(tmp_path, "edge/q1", EDGES) as path:
        yield path


def _agree(problem_id: str, pid: str, text: str) -> object:
    card = fast.load_card(problem_id)
    assert card is not None
    quick = numeric.decide(card, pid, text)
    if quick is not None:
        _same(quick, check_and_diagnose(get_instance(problem_id), pid, text, {}))
    return quick


def test_what_the_full_parser_refuses_is_never_read_here(edges):
    long = "0.594476" + "0" * 60   # 67 digits: the parser's limit is 60
    for text in (long, "０.５９４５", "०.५९४५", "0.594５", "0.5945" + "0" * 30):
        assert _agree("backprop/q1", "out_h1", text) is None, text
    assert _agree("rnn/q3", "scores", "[0,5, 0,2]") is None        # decimal commas or four entries: never guessed
    assert _agree("rnn/q3", "scores", "[-2,3,0,6]") is not None    # commas that are all separators
    assert fast.compare_literals("0.5", "0.5" + "0" * 70) is None
    assert fast.compare_literals("0.5", "０.５") is None and fast.compare_literals("0" * 71, "0" * 71) is None


def test_a_one_entry_vector_or_matrix_wants_its_brackets(edges):
    for pid in ("v1", "m11"):
        assert _agree("edge/q1", pid, "0.125") is None     # the full checker: the wrong shape
        assert _agree("edge/q1", pid, "-0.125") is None
    assert check_and_diagnose(get_instance("edge/q1"), "v1", "0.125", {}).status.value == "incorrect"


def test_an_irrational_given_and_an_irrational_mistake_near_the_edge(edges):
    import math

    card = fast.load_card("edge/q1")
    assert card is not None and card.givens is None      # eta = sqrt(2)/10 is no fraction
    quick = _agree("edge/q1", "grad", f"{0.15 * math.sqrt(2) / 10:.6g}")   # a factor of eta: the full checker
    assert quick is None or quick.detail.get("diagnosis") == "factor"
    root = "1.4212846301849605240456971678307465689625203475"   # sqrt(2)*1.005: the mistake at its edge
    for k in range(12, 48):
        _agree("edge/q1", "r", root[:k + 2])
    assert _agree("edge/q1", "r", "1.41421") is not None   # the mistake, plainly


def test_a_card_is_filed_under_the_spec_its_instance_was_derived_from(edges):
    """A spec edited while a process holds its instance (the bank looks again after a second): the card made
    from the instance in hand is never filed under the edited file's bytes."""
    card = fast.load_card("edge/q1")
    assert card is not None and card.numeric["grad"].expected == "0.15"
    edges.write_text(EDGES.replace("answer: w*g,", "answer: 3*w*g,"), encoding="utf-8")

    def forget() -> None:   # the card's memo of the file, as another process has it
        for memo in (fast._LOOKED, fast._CARDS, fast._MISSED):
            memo.clear()

    forget()
    ensure("edge/q1")      # the registry still holds the old instance (its look at the file is fresh)
    forget()
    now = fast.load_card("edge/q1")
    assert now is None or now.numeric["grad"].expected == "0.45"


def test_a_write_up_is_never_read_as_an_answers_file(tmp_path):
    path = tmp_path / "a1.md"
    path.write_text("set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945\n", encoding="utf-8")
    assert quick_file(Source(str(path), str(path))) is None


# -- what a second review found in error carried forward on the card (each now the full checker's, or equal) -----
CARRY_EDGES = """\
title: carried values at the edges of decimals
statement: A course's own problem.
given: {w: 0.5, x: 2, a: 2}
define:
  z: w*x
  s: sigmoid(z)
  a1: a + 0
  q: a1/3
parts:
  z: {kind: number, prompt: z, answer: z, tolerance: {rtol: 0.005}}
  h: {kind: number, prompt: tanh z, answer: tanh(z), tolerance: {rtol: 0.005}}
  e: {kind: number, prompt: exp z, answer: exp(z), tolerance: {rtol: 0.005}}
  ls: {kind: number, prompt: log sigmoid z, answer: log(sigmoid(z)), tolerance: {rtol: 0.005}}
  c: {kind: number, prompt: cube root, answer: "z^(1/3)", tolerance: {rtol: 0.005}}
  d: {kind: number, prompt: "sigmoid'", answer: s*(1 - s), tolerance: {rtol: 0.005}}
  p1: {kind: number, prompt: a, answer: a1, tolerance: {rtol: 0.005}}
  r: {kind: number, prompt: 3q-1, answer: 3*q - 1, tolerance: {rtol: 0.005}}
"""


def _in_order(problem_id: str, answers: list[tuple[str, str]]) -> list:
    """Each answer decided on the card and by the full checker, both given the full checker's earlier
    verdicts; every card verdict equal to the full one. The card's verdicts (None where it declined)."""
    card = fast.load_card(problem_id)
    inst = get_instance(problem_id)
    assert card is not None
    earlier: dict = {}
    out = []
    for pid, text in answers:
        full = check_and_diagnose(inst, pid, text, dict(earlier))
        quick = numeric.decide(card, pid, text, earlier=list(earlier.values()))
        if quick is not None:
            _same(quick, full)
        out.append(quick)
        earlier[pid] = full
    return out


@pytest.mark.parametrize("answers", [
    [("z", "-3000000"), ("e", "0"), ("ls", "-3000000")],      # underflow and overflow: decimals' range, not mpmath's
    [("z", "2000000"), ("h", "1")],
    [("z", "-8"), ("c", "-2")],                              # a real cube root of a negative number
    [("p1", "1"), ("r", "0")],                               # 3*(1/3) - 1: 0 exactly there, -1e-80 here
    [("z", "1.23456e-79"), ("h", "1.23456e-79")],            # tanh of a tiny number: cancellation
    [("z", "113"), ("d", "8.4086e-50")],                     # s*(1 - s) at s = 1 - 1e-49: cancellation
])
def test_carried_values_at_the_edges_of_decimals_are_the_full_checkers(tmp_path, answers):
    with _course(tmp_path, "edge/q2", CARRY_EDGES):
        _in_order("edge/q2", answers)


def test_an_earlier_answer_of_zero_or_a_formula_never_breaks_a_later_one():
    _cards()
    _in_order("rnn-gradients/q1", [("max_dsigmoid", "0"), ("W_threshold", "5")])   # 1/0 on the student's value
    assert _in_order("backprop/q1", [("out_h1", "1/(1+exp(-0.5))"), ("out_y1", "0.75")])[1] is None  # an mpf pinned


def test_the_quick_path_refuses_where_the_misread_search_begins(write, monkeypatch):
    """quick_problem leaves a problem to the full checker exactly where diagnose.misread may start looking
    for one misread given (two wrong single numbers nothing else explains), by the search's own test; a
    second wrong answer the card already explains (a sign error) is decided here, as the full checker does."""
    from dlcheck.diagnose import misread, unexplained

    assert misread.MIN_EXPLAINED is unexplained.MIN_EXPLAINED
    _cards()
    one = numeric.quick_problem("backprop/q1", {"out_h1": "0.6", "out_h2": "0.5963"})
    two = numeric.quick_problem("backprop/q1", {"out_h1": "0.6", "out_h2": "0.7"})
    assert one is not None and two is None
    explained = {"out_h1": "0.6", "out_h2": "0.5963", "dE_dw5": "-0.0766"}   # the second one a sign error
    quick = numeric.quick_problem("backprop/q1", explained)
    assert quick is not None
    wrong = [v for v in quick.verdicts if v.status.value == "incorrect"]
    assert [v.part for v in wrong] == ["out_h1", "dE_dw5"] and "mistake" in wrong[1].detail
    lines = "".join(f"    {k}: {v}\n" for k, v in explained.items())
    path = write("two.yaml", "set: backprop\nanswers:\n  q1:\n" + lines)
    assert [quick.to_json()] == _without_cards(monkeypatch, path)
    example = quick_file(Source(str(ROOT / "examples" / "answers.yaml"), "answers.yaml"))   # one unexplained
    assert example is not None
    assert [r.to_json() for r in example.results] == _without_cards(monkeypatch, ROOT / "examples" / "answers.yaml")


def test_files_with_several_wrong_numbers_are_decided_as_the_full_checker_decides(monkeypatch):
    """Random files over every carded problem (each part right, wrong in a named way, or wrong in none;
    some blank): wherever quick_problem decides a problem -- several wrong numbers included, when the
    misread search would not start on them -- its result is the full checker's, misread search and all."""
    import random

    from dlcheck.check.registry import get_spec
    from dlcheck.core.verdict import ProblemResult
    from dlcheck.grade import work

    rng = random.Random(21)
    several = 0
    for problem_id, card in _cards():
        if not card.numeric:
            continue
        texts = {pid: [t for t, _ in _texts(card, part)] for pid, part in card.numeric.items()}
        spec = get_spec(problem_id)
        for _ in range(8):
            answers = {pid: rng.choice(choices) for pid, choices in texts.items() if rng.random() < 0.8}
            quick = numeric.quick_problem(problem_id, answers)
            if quick is None:
                continue
            plan = work.ProblemPlan(problem_id, spec.problem.title, None,
                                    [(p, answers.get(p)) for p in spec.problem.parts], {}, bool(spec.problem.vary))
            with monkeypatch.context() as patch:
                patch.setattr(work.fast, "load_card", lambda _id: None)
                full = ProblemResult(problem_id, plan.title, work.check_problem(plan)[0], {}, plan.varies)
            assert quick.to_json() == full.to_json(), answers
            several += sum(v.status.value in ("incorrect", "partial") for v in quick.verdicts) >= 2
    assert several >= 5   # the case this is about did come up


def test_the_card_knows_which_parts_a_person_marks(monkeypatch):
    """A gradebook and a class summary ask whether a part is marked by hand (an essay); the card answers as
    the spec does, so a CSV of numbers needs no spec models and no sympy."""
    from dlcheck.check.registry import get_spec, kind_of
    from dlcheck.grade import reveal

    essays = 0
    for problem_id, card in _cards():
        parts = get_spec(problem_id).problem.parts
        expected = {pid for pid, part in parts.items() if not kind_of(part).auto}
        assert card.by_hand == expected
        essays += len(expected)
        for pid in parts:
            with_card = reveal.by_hand(problem_id, pid)
            with monkeypatch.context() as patch:
                patch.setattr(reveal.fast, "load_card", lambda _id: None)
                assert reveal.by_hand(problem_id, pid) == with_card == (pid in expected)
                assert not reveal.by_hand(problem_id, "no such part")
    assert essays >= 3
