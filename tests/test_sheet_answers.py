"""The homework sheets' own answers, transcribed as written, graded as a careful marker would.

``tests/data/sheet_answers/<set>.yaml`` holds, per problem, the answers one student wrote on
the sheet (LaTeX as on the sheet, and a plain transcription) and the verdict a marker gives
each, with the reason. Every entry whose verdict is not ``ambiguous`` (the sheet is garbled
or undecidable there) is graded here and must get the marker's status.

An entry marked ``needs: <feature>`` depends on engine work landing in parallel; it is
skipped with that reason until the work is merged and the mark removed. (Issue 8's exact
decimals, 3-significant-figure rounding and wrong shapes being ``incorrect`` have landed.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import grade_answers

DATA = Path(__file__).parent / "data" / "sheet_answers"
STATUS = {"correct": "correct", "incorrect": "incorrect", "consistent": "consistent-with-earlier-error",
          "partial": "partial", "manual": "manual", "invalid": "invalid"}
PENDING: dict[str, str] = {}  # what each `needs:` waits for (nothing, now)


def _entries() -> list[tuple[str, int, dict]]:
    out = []
    for path in sorted(DATA.glob("*.yaml")):
        for k, entry in enumerate(YAML(typ="safe").load(path.read_text(encoding="utf-8"))):
            if "problem" in entry:
                out.append((path.stem, k, entry))
    return out


ENTRIES = _entries()
CASES = [(f"{name}[{k}]", part) for name, k, entry in ENTRIES for part, expect in entry["expect"].items()
         if expect["status"] != "ambiguous"]


@cache
def _graded(key: str) -> dict:
    name, k = key[:-1].split("[")
    entry = next(e for n, i, e in ENTRIES if n == name and i == int(k))
    answers = {pid: (a if isinstance(a, dict) else str(a)) for pid, a in entry["answers"].items()}
    return grade_answers(entry["problem"], answers)


def _entry(key: str) -> dict:
    name, k = key[:-1].split("[")
    return next(e for n, i, e in ENTRIES if n == name and i == int(k))


@pytest.mark.parametrize("key, part", CASES, ids=[f"{k}/{p}" for k, p in CASES])
def test_sheet_answer_gets_the_markers_verdict(key, part):
    expect = _entry(key)["expect"][part]
    if "needs" in expect:
        pytest.skip(f"needs {expect['needs']}: {PENDING[expect['needs']]}")
    verdict = _graded(key)[part]
    assert str(verdict.status) == STATUS[expect["status"]], (
        f"{_entry(key)['problem']} {part}: {verdict.message} | marker: {expect['why']}")


def test_the_corpus_is_whole():
    """Every set has its sheet's answers, every label is a known status with a reason, and
    every `needs` names a known dependency."""
    assert {name for name, _, _ in ENTRIES} == {"attention", "backprop", "rnn", "rnn-gradients", "seq-models"}
    assert len(CASES) >= 90
    for _, _, entry in ENTRIES:
        assert set(entry["expect"]) <= set(entry["answers"])
        for expect in entry["expect"].values():
            assert expect["status"] in {*STATUS, "ambiguous"} and expect["why"].strip()
            assert expect.get("needs") in (None, *PENDING)
