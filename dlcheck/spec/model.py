"""What a problem file may say, as pydantic models (validated on load).

Every scalar arrives as the text in the file; pydantic turns ``points: 2`` into a float
and ``atol: 5e-5`` into a number, and rejects unknown fields so a typo in a spec is an
error at its line, not a silently ignored setting.

A part is a discriminated union on ``kind``: each kind's model (defined beside its
checker in :mod:`dlcheck.check.kinds`) lists exactly the fields that kind understands,
so a number part with ``options:`` or an essay with ``tolerance:`` is an error with its
position. :func:`problem_model` builds the problem model for a given set of kinds.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

Domain = Literal["real", "positive", "negative", "nonzero", "probability", "integer", "angle"]
ExplainPolicy = Literal["always", "after_attempt"]
# when a student-facing report (the grade table, feedback files, Gradescope) may show a part's
# expected answer and hints: always, once the part has a real attempt, or never
RevealPolicy = Literal["always", "after_attempt", "never"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tolerance(Strict):
    rtol: float | None = Field(None, ge=0, description="relative tolerance")
    atol: float | None = Field(None, ge=0, description="absolute tolerance")
    sigfigs: int | list[int] | None = Field(
        None, description="STACK NumSigFigs: N (written to N figures and accurate to N) or [N, M] "
                          "(accurate to M; M = 0 only counts the figures, M = -1 asks for at least N)")

    @field_validator("sigfigs")
    @classmethod
    def _sigfigs(cls, value: int | list[int] | None) -> int | list[int] | None:
        pair = value if isinstance(value, list) else [value] if value is not None else None
        if pair is not None and not (1 <= len(pair) <= 2 and 1 <= pair[0] <= 100 and -1 <= pair[-1] <= 100):
            raise ValueError("sigfigs is N or [N, M] with N >= 1 and M >= -1")
        return value


class Mistake(Strict):
    """A known wrong answer, with the feedback that names it."""

    answer: str | list
    feedback: str
    name: str | None = None
    credit: float = Field(0.0, ge=0, le=1)


class Alias(Strict):
    """Another way of writing one of the problem's names: how it is displayed and what a
    student may type for it (plain or LaTeX: ``omega_k``, ``\\omega_k``, ``x_{t+1}``,
    ``dL/dh_{t+1}``). The key it sits under is the name (or an entry, ``d_Z2[2]``)."""

    display: str | None = None
    typed: list[str] = []


class PartBase(Strict):
    """Fields every kind of part has. Each kind subclasses it with ``kind: Literal[...]``."""

    kind: str
    prompt: str
    # the names an answer to this part may use (default: every name before it); a part that
    # shares a name with another half of the problem gets its own scope this way
    names: list[str] | None = None
    points: float = Field(1.0, ge=0)
    hints: list[str] = []
    explain: ExplainPolicy | None = None
    reveal: RevealPolicy | None = None    # this part's own policy (default: the problem's)


class OneOf(Strict):
    """A varied given drawn from a list: ``{one_of: ["[1, 0]", "[0, 1]"]}`` (any shape)."""

    one_of: list[str | list] = Field(min_length=1)


MAX_VARIANTS = 100_000   # values one varied given may take


def range_values(bounds: list[str]) -> list[Decimal]:
    """``[low, high, step]`` -> every value low, low + step, ..., high, exactly (decimal arithmetic)."""
    if len(bounds) != 3:
        raise ValueError("a varied number is [low, high, step], e.g. [0.01, 0.09, 0.01]; for other values "
                         "use {one_of: [...]}")
    try:
        low, high, step = (Decimal(str(b).strip()) for b in bounds)
    except InvalidOperation:
        raise ValueError("low, high and step must be plain numbers such as 0.05") from None
    if not all(d.is_finite() for d in (low, high, step)) or step <= 0 or high < low:
        raise ValueError("need low <= high and a step above 0")
    count = (high - low) / step
    if count > MAX_VARIANTS or count != count.to_integral_value():
        raise ValueError(f"(high - low) must be a whole number of steps, at most {MAX_VARIANTS}")
    return [low + k * step for k in range(int(count) + 1)]


# a varied given: [low, high, step] (numbers; every value low, low + step, ..., high) or one_of
Vary = list[str] | OneOf


class Problem(Strict):
    title: str
    statement: str
    # notes for authors about where the problem comes from (a sheet, what is garbled there and how
    # the problem reads it): never shown to students (``show``, ``solve``, reports leave it out)
    source: str | None = None
    topics: list[str] = []
    symbols: dict[str, Domain] = {}
    given: dict[str, str | list] = {}
    define: dict[str, str] = {}
    internal: list[str] = []          # defines a student may not name in an answer
    parts: dict[str, Any]             # narrowed to the kinds' union by problem_model()
    aliases: dict[str, Alias] = {}
    explain: ExplainPolicy = "always"
    carry_forward: Literal["full", "half", "none"] = "full"
    reveal: RevealPolicy = "always"
    vary: dict[str, Vary] = {}        # givens drawn per student from the answers file's student:

    @field_validator("vary")
    @classmethod
    def _ranges(cls, vary: dict[str, Any]) -> dict[str, Any]:
        for value in vary.values():
            if isinstance(value, list):
                range_values(value)
        return vary


@cache
def problem_model(part_models: tuple[type[PartBase], ...]) -> type[Problem]:
    """The Problem model whose parts are one of ``part_models`` (chosen by ``kind``)."""
    if len(part_models) == 1:
        part_type: Any = part_models[0]
    else:
        # a Union over a tuple known only at run time: the X | Y spelling cannot express it
        part_type = Annotated[Union[part_models], Field(discriminator="kind")]  # noqa: UP007
    # a module-level name of its own, so a validated problem pickles (the derivation cache
    # stores it); the same kinds always give the same name
    name = "Problem_" + "_".join(m.__name__ for m in part_models)
    model = create_model(name, __base__=Problem, __module__=__name__, parts=(dict[str, part_type], ...))
    globals()[name] = model
    return model
