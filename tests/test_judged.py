"""Verdicts kept (dlcheck/grade/judged.py): the same answers to the same spec, graded again, are read back.

What is read back must be what grading them afresh gives -- byte for byte, in every format -- and it
must be read without sympy, numpy or mpmath. Only a result that cannot depend on the machine is kept:
no undecided part, no misread search stopped by its clock, no class, no student's own numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dlcheck.check.registry import instance_and_source, read_answers_file
from dlcheck.core import diskcache
from dlcheck.core.verdict import Evidence, ProblemResult, Status, Verdict
from dlcheck.diagnose import misread
from dlcheck.grade import judged, work
from dlcheck.grade.batch import Source, grade_files
from dlcheck.grade.cards import ensure
from dlcheck.grade.quick import quick_file

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "sympy", "numpy", "mpmath", "pydantic"
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.yaml"))
# two wrong values no slip explains: the misread search runs over them
TWO_WRONG = "set: backprop\nanswers:\n  q1:\n    out_h1: 0.5945\n    out_y1: 0.7\n    loss: 0.5\n"


@pytest.fixture(autouse=True)
def _keeping(monkeypatch):
    """Verdicts kept (the rest of the suite judges afresh: tests/conftest.py), none from an earlier test."""
    monkeypatch.setenv(judged.ENV, "1")
    folder = diskcache.cache_dir()
    if folder is not None:
        shutil.rmtree(folder / judged.KIND, ignore_errors=True)


def _entries() -> list[Path]:
    folder = diskcache.cache_dir()
    return sorted((folder / judged.KIND).glob("*.pickle")) if folder is not None else []


def _grade(args: list[str], tmp_path: Path, cache: str | None = None) -> tuple[str, int, list[str]]:
    """``dlcheck ARGS`` in a process of its own: its output, exit code and the heavy modules it loaded."""
    code = f"""
        import json, sys
        from dlcheck.cli import main
        sys.argv = ["dlcheck", *{args!r}]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        sys.stdout.flush()
        print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]), file=sys.stderr)
        """
    env = {**os.environ, "COLUMNS": "80",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    if cache is not None:
        env["DLCHECK_CACHE"] = cache
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    status, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, status, loaded


@pytest.mark.parametrize("example", ["examples/backprop.yaml", "two-wrong.yaml"])
def test_a_file_graded_again_is_read_back_as_graded_afresh_and_loads_no_sympy(example, tmp_path):
    """backprop.yaml is formulas only (sympy's, when judged); two-wrong.yaml two wrong numbers nothing
    explains, so the misread search runs (it reads the graph, with sympy): the second run of each is read
    back, in JSON and in the terminal with everything shown, exactly as a process that keeps nothing
    grades it."""
    (tmp_path / "two-wrong.yaml").write_text(TWO_WRONG, encoding="utf-8")
    path = example if example.startswith("examples/") else str(tmp_path / example)
    first, code, loaded = _grade(["grade", path, "--format", "json"], tmp_path)
    assert "sympy" in loaded and code == 1                    # judged: some answers are wrong
    assert len(_entries()) == len(json.loads(first)["problems"])   # each problem of the file kept
    again, code_again, loaded = _grade(["grade", path, "--format", "json"], tmp_path)
    assert loaded == [] and code_again == code
    fresh, _, _ = _grade(["grade", path, "--format", "json"], tmp_path, cache="off")
    assert again == first == fresh
    shown, _, loaded = _grade(["grade", path, "-v"], tmp_path)
    assert loaded == [] and "✗" in shown
    assert shown == _grade(["grade", path, "-v"], tmp_path, cache="off")[0]
    table, _, loaded = _grade(["grade", path, "--format", "csv"], tmp_path)   # a gradebook: no spec, no sympy
    assert loaded == [] and table == _grade(["grade", path, "--format", "csv"], tmp_path, cache="off")[0]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_is_read_back_as_it_was_graded(example):
    source = Source(str(ROOT / "examples" / example), example)
    graded = grade_files([source], jobs=1)[0]                 # one file: its problems are kept
    back = quick_file(source)
    assert back is not None
    assert [r.to_json() for r in back.results] == [r.to_json() for r in graded.results]
    for result in back.results:
        for verdict in result.verdicts:
            assert verdict.parsed is None and verdict.message == next(
                v for r in graded.results for v in r.verdicts if r.id == result.id and v.part == verdict.part).message


def test_a_changed_answer_is_judged_afresh_and_the_rest_read_back(write, tmp_path):
    text = (ROOT / "examples" / "backprop.yaml").read_text(encoding="utf-8")
    before = write("before.yaml", text)
    after = write("after.yaml", text.replace("W_l: W_s1 - W_s2", "W_l: W_s2 - W_s1"))
    grade_files([Source(str(before), "before.yaml")], jobs=1)
    assert quick_file(Source(str(after), "after.yaml")) is None    # q3 changed: its answers were never judged
    graded = grade_files([Source(str(after), "after.yaml")], jobs=1)[0]
    q3 = {v.part: v.status for v in graded.results[1].verdicts}
    assert q3["W_l"] is Status.CORRECT
    both = quick_file(Source(str(after), "after.yaml")), quick_file(Source(str(before), "before.yaml"))
    assert all(b is not None for b in both)
    assert [v.status for v in both[1].results[1].verdicts].count(Status.INCORRECT) == 1
    assert both[0].results[0].to_json() == both[1].results[0].to_json()   # q2 alike in both files


def test_the_key_is_the_spec_and_every_answer():
    parts = [("a", "x + 1"), ("b", None)]
    one = judged.key("set/q1", b"spec", parts)
    assert one == judged.key("set/q1", b"spec", list(parts))
    assert len({one, judged.key("set/q1", b"spec!", parts), judged.key("set/q2", b"spec", parts),
                judged.key("set/q1", b"spec", [("a", "x+1"), ("b", None)]),
                judged.key("set/q1", b"spec", [("a", "x + 1"), ("b", "")]),
                judged.key("set/q1", b"spec", [("b", None), ("a", "x + 1")])}) == 6
    assert judged.key("set/q1", b"spec", [("a", object())]) is None          # not plain data: never kept


def test_a_spec_edited_since_is_a_miss(monkeypatch):
    source = Source(str(ROOT / "examples" / "backprop.yaml"), "backprop.yaml")
    grade_files([source], jobs=1)
    assert quick_file(source) is not None
    real = judged.source_of
    monkeypatch.setattr(judged, "source_of", lambda problem_id: real(problem_id) + b"\n# edited\n")
    assert quick_file(source) is None


def _verdict(**kw) -> Verdict:
    v = Verdict("a", kw.pop("status", Status.CORRECT), 1.0, 1.0, "correct", answer="x", expected="x")
    for name, value in kw.items():
        setattr(v, name, value)
    return v


def test_only_whole_plain_results_are_kept():
    import mpmath
    import sympy as sp

    parts = [("a", "x")]
    assert not judged.store("set/q1", b"s", parts, ProblemResult("set/q1", "T", [_verdict(status=Status.UNDECIDED)]))
    assert not judged.store("set/q1", b"s", parts, ProblemResult("set/q1", "T", [_verdict(trace="Boom")]))
    assert not judged.store("set/q1", b"s", parts, ProblemResult("set/q1", "T", [_verdict()], {"x": "2"}, True))
    assert not judged.store("set/q1", b"s", parts,
                            ProblemResult("set/q1", "T", [_verdict(detail={"yours": sp.Symbol("x")})]))
    assert judged.load("set/q1", b"s", parts) is None
    kept = _verdict(value=mpmath.mpf("0.25"), reference=[[sp.Float(0.5), 1]], parsed=sp.Symbol("x"),
                    evidence=(Evidence("tolerance", "off", yours=mpmath.mpf(2), expected=sp.Rational(1, 2)),))
    assert judged.store("set/q1", b"s", parts, ProblemResult("set/q1", "T", [kept]))
    back = judged.load("set/q1", b"s", parts)
    assert back is not None
    (v,) = back.verdicts
    assert v.value == 0.25 and v.reference == [[0.5, 1]] and v.parsed is None
    assert v.evidence[0].yours == 2.0 and v.evidence[0].expected == 0.5 and v.message == "off"
    assert judged.load("set/q1", b"s", [("a", "y")]) is None


def _plan(tmp_path: Path) -> work.ProblemPlan:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_WRONG, encoding="utf-8")
    (plan,) = work.plan_file(read_answers_file(path)).problems
    return plan


def test_a_misread_search_stopped_by_its_clock_is_not_kept(tmp_path, monkeypatch):
    plan = _plan(tmp_path)
    _, source = instance_and_source(plan.problem_id)
    assert source is not None
    with monkeypatch.context() as patch:
        patch.setattr(misread, "SECONDS", 0.0)
        work.check_problem(plan, remember=True)
    assert judged.load(plan.problem_id, source, plan.parts) is None
    verdicts, _ = work.check_problem(plan, remember=True)
    back = judged.load(plan.problem_id, source, plan.parts)
    assert back is not None and [v.to_json() for v in back.verdicts] == [v.to_json() for v in verdicts]
    assert sum(v.status is Status.INCORRECT for v in verdicts) >= misread.MIN_EXPLAINED   # the search did run


def test_the_search_says_when_its_clock_stopped_it(tmp_path, monkeypatch):
    plan = _plan(tmp_path)
    inst, _ = instance_and_source(plan.problem_id)
    verdicts = [work.check_and_diagnose(inst, pid, text, {}) for pid, text in plan.parts if text is not None]
    assert misread.explain(inst, verdicts).whole
    monkeypatch.setattr(misread, "SECONDS", 0.0)
    assert not misread.explain(inst, verdicts).whole


def test_nothing_is_kept_without_being_asked(tmp_path):
    plan = _plan(tmp_path)
    work.check_problem(plan)
    assert _entries() == []


def test_a_class_is_not_kept(write):
    files = [write(f"s{k}.yaml", (ROOT / "examples" / "backprop.yaml").read_text(encoding="utf-8"))
             for k in range(2)]
    grade_files([Source(str(p), p.name) for p in files], jobs=1)
    assert _entries() == []


def test_the_oldest_entries_go_past_the_limit(monkeypatch):
    monkeypatch.setattr(judged, "KEEP", 8)
    for k in range(12):
        assert judged.store("set/q1", b"s", [("a", str(k))], ProblemResult("set/q1", "T", [_verdict()]))
        assert len(_entries()) <= 8
    assert judged.load("set/q1", b"s", [("a", "11")]) is not None     # the newest stay
    assert judged.load("set/q1", b"s", [("a", "0")]) is None


def test_an_entry_anyone_could_have_written_is_never_read(write):
    source = Source(str(ROOT / "examples" / "backprop.yaml"), "backprop.yaml")
    grade_files([source], jobs=1)
    kept = _entries()
    for entry in kept:
        entry.chmod(0o666)
    assert quick_file(source) is None
    assert len(_entries()) < len(kept)                        # the one looked at is removed, to be judged afresh


def test_the_api_reads_a_dict_of_formulas_back_without_sympy(tmp_path):
    code = f"""
        import json, sys
        import dlcheck
        report = dlcheck.grade({{"backprop/q3": {{"W_l": "W_s1 - W_s2", "b_l": "b_s2 - b_s1"}}}})
        print(json.dumps([report.to_dict(), [m for m in {HEAVY!r} if m in sys.modules]]))
        """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    runs = [subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=600) for _ in range(2)]
    (first, loaded_first), (second, loaded_second) = (json.loads(r.stdout) for r in runs)
    assert "sympy" in loaded_first and loaded_second == []
    assert first == second
    statuses = [p["status"] for p in first["problems"][0]["parts"]]
    assert statuses.count("incorrect") == 1 and statuses.count("correct") == 1


def test_keeping_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(judged.ENV, "0")
    assert not judged.store("set/q1", b"s", [("a", "x")], ProblemResult("set/q1", "T", [_verdict()]))
    source = Source(str(ROOT / "examples" / "backprop.yaml"), "backprop.yaml")
    grade_files([source], jobs=1)
    assert _entries() == [] and quick_file(source) is None


def test_what_a_review_found(write, tmp_path):
    """A long answer is read back shortened as the file's report shows it; a lone surrogate typed in an
    answer is a key like any other (it crashed the key, and a worker); a construction's fields in another
    order are other answers (their text shows the order); a folder where an entry should be is a miss."""
    long = "+".join(["v1*σ'(z2_1)"] * 80)
    path = write("odd.yaml", f'set: backprop\nanswers:\n  q2:\n    d_z2_1: "{long}"\n  q3:\n    W_l: "W_s2 \\ud800"\n')
    source = Source(str(path), "odd.yaml")
    graded = grade_files([source], jobs=1)[0]
    assert graded.error is None and len(_entries()) == 2
    back = quick_file(source)
    assert back is not None
    assert [r.to_json() for r in back.results] == [r.to_json() for r in graded.results]
    assert "characters in all" in back.results[0].verdicts[0].answer
    assert back.results[1].verdicts[3].status is Status.INVALID
    fields = judged.key("set/q1", b"s", [("net", {"w1": "1", "b3": "0.7"})])
    assert fields is not None and fields != judged.key("set/q1", b"s", [("net", {"b3": "0.7", "w1": "1"})])
    assert judged.key("set/q1", b"s", [("net", {"w1": "1"})]) != judged.key("set/q1", b"s", [("net", [["w1", "1"]])])
    for entry in _entries():
        entry.unlink()
        entry.mkdir()
    assert quick_file(source) is None


def test_a_problem_that_varies_is_read_back_as_the_sheets_numbers(tmp_path):
    """Kept from a dlcheck.grade call, read back by the CLI: still the sheet's numbers of a problem that
    varies (the report says so), as grading it afresh says."""
    import dlcheck
    from dlcheck import api

    answers = {"out_h1": "0.6945", "out_h2": "0.7", "loss": "0.5"}      # the misread search runs
    api.close()   # a pool an earlier test started has workers from before keeping was on
    ensure("backprop/q1")   # its card, made in this process (a worker's card is seen here after FRESH_SECONDS)
    try:
        report = dlcheck.grade({"backprop/q1": answers})
    finally:
        api.close()   # its pool's workers
    assert len(report.to_dict()["problems"]) == 1 and len(_entries()) == 1
    path = tmp_path / "same.yaml"
    path.write_text("set: backprop\nanswers:\n  q1:\n" + "".join(f"    {k}: {v}\n" for k, v in answers.items()),
                    encoding="utf-8")
    back = quick_file(Source(str(path), "same.yaml"))
    assert back is not None and back.results[0].varies
    fresh = grade_files([Source(str(path), "same.yaml")], jobs=1)[0]
    assert fresh.results[0].varies and back.results[0].to_json() == fresh.results[0].to_json()
