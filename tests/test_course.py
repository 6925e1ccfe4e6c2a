"""A course's own bank beside the built-in one (--problems, DLCHECK_PROBLEMS, dlcheck.toml),
``dlcheck new``, and the derivation cache that makes a second run only load what it derived."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.core import diskcache
from dlcheck.spec import bank

SPEC = """\
title: {title}
statement: x = 2.
given: {{x: 2}}
parts:
  a: {{kind: number, prompt: x squared, answer: x^2}}
"""


@pytest.fixture
def course(tmp_path, monkeypatch):
    folder = tmp_path / "course"
    (folder / "week1").mkdir(parents=True)
    (folder / "week1" / "q1.yaml").write_text(SPEC.format(title="Squares"), encoding="utf-8")
    (folder / "backprop").mkdir()
    (folder / "backprop" / "q3.yaml").write_text(SPEC.format(title="The course's own backprop q3"),
                                                 encoding="utf-8")
    monkeypatch.setattr(bank, "_course", [])
    return folder


def _answers(tmp_path: Path, text: str = "set: week1\nanswers:\n  q1:\n    a: 4\n") -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_option_adds_a_bank_beside_the_built_in_one(runner, course, tmp_path):
    listing = runner.invoke(app, ["list", "--problems", str(course)], env={"COLUMNS": "140"}).output
    assert "week1/q1" in listing and "backprop/q1" in listing       # beside, not instead
    assert "The course's own backprop q3" in listing                 # a course id replaces the built-in one
    doc = json.loads(runner.invoke(app, ["grade", str(_answers(tmp_path)), "--problems", str(course),
                                         "--format", "json"]).stdout)
    assert doc["problems"][0]["parts"][0]["status"] == "correct"


def test_the_variable_and_dlcheck_toml_name_course_banks(runner, course, tmp_path, monkeypatch):
    answers = _answers(tmp_path)
    unknown = runner.invoke(app, ["grade", str(answers)])
    assert unknown.exit_code == 2 and "unknown set 'week1'" in unknown.output
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(course))
    assert runner.invoke(app, ["grade", str(answers)]).exit_code == 0
    monkeypatch.delenv("DLCHECK_PROBLEMS")
    work = tmp_path / "work"
    work.mkdir()
    (work / "dlcheck.toml").write_text('problems = "../course"\n', encoding="utf-8")
    monkeypatch.chdir(work)
    assert runner.invoke(app, ["grade", str(answers)]).exit_code == 0
    (work / "dlcheck.toml").write_text('problems = "nowhere"\n', encoding="utf-8")
    broken = runner.invoke(app, ["grade", str(answers)])
    assert broken.exit_code == 2 and "dlcheck.toml" in broken.output and "'nowhere' is not a folder" in broken.output


def test_new_writes_a_spec_that_validates_and_never_overwrites(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bank, "_course", [])
    made = runner.invoke(app, ["new", "week2/q1"])
    path = tmp_path / "problems" / "week2" / "q1.yaml"
    assert made.exit_code == 0 and path.is_file()
    assert "# " in path.read_text(encoding="utf-8")                   # it explains itself
    checked = runner.invoke(app, ["validate", str(path)])
    assert checked.exit_code == 0 and "ok  week2/q1" in checked.output
    again = runner.invoke(app, ["new", "week2/q1"])
    assert again.exit_code == 2 and "exists already" in again.output
    bad = runner.invoke(app, ["new", "Week 2"])
    assert bad.exit_code == 2 and "SET/qN" in bad.output


def test_new_does_not_take_a_built_in_id_unless_asked(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bank, "_course", [])
    refused = runner.invoke(app, ["new", "backprop/q1"])
    assert refused.exit_code == 2 and "built-in problem" in refused.output and "--replace" in refused.output
    assert not (tmp_path / "problems" / "backprop" / "q1.yaml").exists()
    made = runner.invoke(app, ["new", "backprop/q1", "--replace"])
    assert made.exit_code == 0 and (tmp_path / "problems" / "backprop" / "q1.yaml").is_file()


def test_a_second_run_loads_what_the_first_derived(tmp_path, monkeypatch):
    from dlcheck.check import registry

    monkeypatch.setenv("DLCHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(registry, "_INSTANCES", {})
    monkeypatch.setattr(registry, "_SPECS", {})
    first = registry.get_instance("rnn/q3")
    stored = list((tmp_path / "cache" / "instance").iterdir())
    assert len(stored) == 1 and os.stat(tmp_path / "cache").st_mode & 0o077 == 0
    built = []
    monkeypatch.setattr(registry, "build_instance", lambda *a, **k: built.append(a))
    monkeypatch.setattr(registry, "_INSTANCES", {})
    monkeypatch.setattr(registry, "_SPECS", {})
    again = registry.get_instance("rnn/q3")
    assert not built and again is not first                            # loaded, not derived
    assert again.value(again.part_ref["soft_output"]) == first.value(first.part_ref["soft_output"])


def test_a_changed_spec_is_a_miss_and_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch, course):
    from dlcheck.check import registry

    monkeypatch.setenv("DLCHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(course))
    monkeypatch.setattr(bank, "FRESH_SECONDS", 0.0)  # a file is looked at again at once (else within a second)
    spec = course / "week1" / "q1.yaml"
    assert registry.get_instance("week1/q1").spec.problem.title == "Squares"
    spec.write_text(SPEC.format(title="Squares, again"), encoding="utf-8")
    os.utime(spec, ns=(1, 1))  # even with an old time stamp: the content changed
    assert registry.get_instance("week1/q1").spec.problem.title == "Squares, again"
    for entry in (tmp_path / "cache" / "instance").iterdir():
        entry.write_bytes(b"not a pickle")
    monkeypatch.setattr(registry, "_INSTANCES", {})
    assert registry.get_instance("week1/q1").spec.problem.title == "Squares, again"


def test_a_cache_folder_others_may_write_to_is_not_trusted(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    monkeypatch.setenv("DLCHECK_CACHE", str(shared))
    assert not diskcache.store("instance", "k" * 64, {"a": 1})
    assert diskcache.load("instance", "k" * 64) is None
    monkeypatch.setenv("DLCHECK_CACHE", "off")
    assert diskcache.cache_dir() is None
