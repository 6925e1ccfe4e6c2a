from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner


def pytest_configure(config) -> None:
    """The derivation cache of this run lives in a folder of its own (never the user's ~/.cache), and
    every subprocess a test starts inherits it."""
    if "DLCHECK_CACHE" not in os.environ:
        os.environ["DLCHECK_CACHE"] = tempfile.mkdtemp(prefix="dlcheck-test-cache-")
    # every grading judged afresh (dlcheck/grade/judged.py): a test that patches dlcheck for one run never
    # hands that run's verdicts to its next, and a test of a path (no fork, a hung part) takes that path;
    # tests/test_judged.py turns keeping on for itself
    os.environ.setdefault("DLCHECK_KEEP_VERDICTS", "0")
    if os.environ.get("DLCHECK_NO_FORK", "").strip() not in ("", "0", "false", "no"):
        # the suite's second run in CI (.ci/run): no fork in this process, as on Windows (tests that fork
        # themselves skip); every dlcheck process a test starts inherits the variable and spawns its workers
        for name in ("fork", "forkpty"):
            if hasattr(os, name):
                delattr(os, name)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write(tmp_path: Path):
    """Write a dedented text file under tmp_path and return its path."""
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return _write


def grade_answers(problem_id: str, answers: dict) -> dict:
    """Grade a dict of answers for one problem; return part id -> verdict."""
    from dlcheck.grade.run import grade_problem

    result = grade_problem(problem_id, answers)
    return {v.part: v for v in result.verdicts}


def reference_at(problem_id: str, part: str, **values: float):
    """A part's reference value with the named symbols set (for formula parts)."""
    from dlcheck.check.registry import get_instance

    inst = get_instance(problem_id)
    env = inst.env({inst.leaves[name]: float(v) for name, v in values.items()})
    return inst.value(inst.part_ref[part], env)


# Tests of the fork path itself, skipped when the suite runs with fork hidden (DLCHECK_NO_FORK=1): they
# fork in this process (pty.fork, engine.bounded.Child), or make a check hang, crash or fail by replacing it
# in this process for the forked workers to inherit. tests/test_nofork.py covers the same behaviours for
# spawned workers (a hung part, an internal error, a killed dlcheck), which inherit nothing.
FORK_ONLY = {
    "tests/test_pool.py::test_sigkill_of_dlcheck_grade_leaves_no_worker_behind",
    "tests/test_pool.py::test_json_of_a_hung_part_says_what_happened",
    "tests/test_compare.py::test_a_child_started_ahead_takes_its_call_later_within_its_bound",
    "tests/test_compare.py::test_a_child_that_failed_before_its_call_still_says_why",
    "tests/test_compare.py::test_a_large_call_to_a_child_still_preparing_keeps_the_bound",
    "tests/test_compare.py::test_grade_part_turns_a_hang_into_undecided",
    "tests/test_cli.py::test_compare_when_no_process_can_be_forked_is_one_line_not_a_traceback",
    "tests/test_cli.py::test_a_compare_child_is_reaped_by_the_command_when_nothing_is_checked",
    "tests/test_cli.py::test_an_internal_error_names_itself_and_debug_shows_the_childs_traceback",
}
FORK_ONLY_PREFIXES = ("tests/test_solve.py::test_pty_",)   # the pty harness forks the session


def pytest_collection_modifyitems(config, items) -> None:
    if hasattr(os, "fork"):
        return
    skip = pytest.mark.skip(reason="a test of the fork path (fork is hidden: DLCHECK_NO_FORK)")
    for item in items:
        if item.nodeid in FORK_ONLY or item.nodeid.startswith(FORK_ONLY_PREFIXES):
            item.add_marker(skip)

