"""What a kind of part is: its spec model, how it is prepared, checked and explained.

A kind is one module in :mod:`dlcheck.check.kinds` that builds one :class:`Kind` and is
listed in :mod:`dlcheck.check.registry`. Nothing else needs to change to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlcheck.core.verdict import Verdict
from dlcheck.engine.instance import Instance
from dlcheck.engine.steps import Step
from dlcheck.spec.model import PartBase


def no_names(inst: Instance, pid: str) -> list[str]:
    return []


def no_lines(part: Any) -> list[str]:
    return []


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[PartBase]
    # at load: parse and check the reference, store what checking needs in inst.prepared[pid]
    prepare: Callable[[Instance, str, Any], None]
    # one answer (text, or a mapping when takes_mapping) -> verdict; never called for a missing answer
    check: Callable[[Instance, str, Any], Verdict]
    # the worked-solution step of this part
    explain: Callable[[Instance, str, Any, dict], Step]
    # does the student's (wrong) answer equal one of the spec's prepared mistakes? (None: no mistakes)
    same: Callable[[Instance, str, Verdict, Any], bool] | None = None
    # the names a student may write in an answer (what ``show`` lists)
    names: Callable[[Instance, str], list[str]] = no_names
    # lines ``show`` prints under the prompt (the options of a choice, the fields of a network)
    describe: Callable[[Any], list[str]] = no_lines
    auto: bool = True              # False: a person marks it (essays)
    takes_mapping: bool = False    # the answer is a mapping of fields (constructions)
