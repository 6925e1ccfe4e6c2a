"""docs/spec.md cannot drift from the models: each of its tables lists exactly its model's fields,
and every kind of part is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlcheck.check.registry import KINDS, part_models
from dlcheck.cli import app
from dlcheck.spec.model import Alias, Mistake, OneOf, PartBase, Problem, Tolerance, problem_model

DOC = Path(__file__).resolve().parent.parent / "docs" / "spec.md"
BASE = set(PartBase.model_fields)


def tables() -> dict[str, set[str]]:
    """Heading -> the fields (first column, in backticks) of the table under it."""
    out: dict[str, set[str]] = {}
    heading = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif heading and (m := re.match(r"^\| `(\w+)` \|", line)):
            out.setdefault(heading, set()).add(m.group(1))
    return out


def _kind_section(name: str) -> str:
    return next(h for h in tables() if name in [w.strip() for w in h.split(",")])


@pytest.mark.parametrize("heading, model", [("Problem", Problem), ("Tolerance", Tolerance), ("Mistake", Mistake),
                                            ("Alias", Alias), ("Variants", OneOf), ("Parts", PartBase)])
def test_a_table_lists_exactly_its_models_fields(heading, model):
    assert tables()[heading] == set(model.model_fields)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_documented_with_exactly_its_own_fields(kind):
    own = set(KINDS[kind].model.model_fields) - BASE
    documented = tables()[_kind_section(kind)]
    assert own <= documented, f"{kind}: {own - documented} not in docs/spec.md"
    # a section shared by several kinds may list a field only some of them have; none that none has
    sharing = [k for k in KINDS if kind in _kind_section(k)]
    assert documented <= set().union(*(set(KINDS[k].model.model_fields) - BASE for k in sharing))


def test_schema_is_the_json_schema_of_the_problem_model(runner):
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert result.exit_code == 0 and schema["title"] == "dlcheck problem spec"
    assert schema["properties"].keys() == problem_model(part_models()).model_json_schema()["properties"].keys()
    assert {"vary", "reveal", "parts"} <= set(schema["properties"])
