"""Numbers within a tolerance: |a - r| <= max(atol, rtol*|r|), or agreement to n significant figures."""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_RTOL = 1e-2  # what a spec that says nothing gets, as in PrairieLearn
FLOOR_ATOL = 1e-12   # so that an exact zero reference can be matched at all


@dataclass(frozen=True)
class Tol:
    rtol: float = DEFAULT_RTOL
    atol: float = FLOOR_ATOL
    sigfigs: int | None = None

    @classmethod
    def of(cls, part) -> Tol:
        """A spec's tolerance block; fields it leaves out are zero, no block is rtol 1e-2."""
        t = getattr(part, "tolerance", None)
        if t is None:
            return cls()
        return cls(rtol=t.rtol or 0.0, atol=max(t.atol or 0.0, FLOOR_ATOL), sigfigs=t.sigfigs)

    def accepts(self, given: float, ref: float) -> bool:
        if self.sigfigs is not None:
            return round_sig(given, self.sigfigs) == round_sig(ref, self.sigfigs)
        return abs(given - ref) <= max(self.atol, self.rtol * abs(ref))

    def describe(self) -> str:
        if self.sigfigs is not None:
            return f"{self.sigfigs} significant figures"
        parts = []
        if self.rtol:
            parts.append(f"relative {self.rtol:g}")
        if self.atol > FLOOR_ATOL:
            parts.append(f"absolute {self.atol:g}")
        return " or ".join(parts) or "exact"


def round_sig(x: float, n: int) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, n - 1 - int(math.floor(math.log10(abs(x)))))


def rel_error(given: float, ref: float) -> float:
    return abs(given - ref) / abs(ref) if ref else abs(given - ref)
