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
