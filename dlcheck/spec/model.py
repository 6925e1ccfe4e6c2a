"""What a problem file may say, as pydantic models (validated on load).

Every scalar arrives as the text in the file; pydantic turns ``points: 2`` into a float
and ``atol: 5e-5`` into a number, and rejects unknown fields so a typo in a spec is an
error at its line, not a silently ignored setting.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["number", "vector", "matrix", "expression", "choice", "construction", "essay"]
Domain = Literal["real", "positive", "negative", "nonzero", "probability", "integer", "angle"]
ExplainPolicy = Literal["always", "after_attempt"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tolerance(Strict):
    rtol: Optional[float] = Field(None, ge=0, description="relative tolerance")
    atol: Optional[float] = Field(None, ge=0, description="absolute tolerance")
    sigfigs: Optional[int] = Field(None, ge=1, le=15, description="agree to this many significant figures")


class Mistake(Strict):
    answer: Union[str, list]
    feedback: str
    name: Optional[str] = None
    credit: float = Field(0.0, ge=0, le=1)


class Part(Strict):
    kind: Kind
    prompt: str
    answer: Union[str, list, None] = None
    show: Optional[str] = None        # a tidier form of the answer, checked equivalent at load
    options: list[str] = []
    tolerance: Optional[Tolerance] = None
    points: float = Field(1.0, ge=0)
    mistakes: list[Mistake] = []
    hints: list[str] = []
    model_answer: Optional[str] = None
    rubric: list[str] = []
    simulator: Optional[str] = None
    target: Optional[str] = None
    max_length: int = Field(6, ge=1, le=12)
    known_solution: Optional[dict[str, Any]] = None
    explain: Optional[ExplainPolicy] = None
    partial_credit: bool = False


class Problem(Strict):
    title: str
    statement: str
    topics: list[str] = []
    symbols: dict[str, Domain] = {}
    given: dict[str, Union[str, list]] = {}
    define: dict[str, str] = {}
    internal: list[str] = []          # defines a student may not name in an answer
    parts: dict[str, Part]
    display: dict[str, str] = {}
    explain: ExplainPolicy = "always"
    carry_forward: Literal["full", "half", "none"] = "full"
