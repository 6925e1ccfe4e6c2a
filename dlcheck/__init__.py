"""dlcheck: check hand-worked deep-learning homework, part by part.

From Python or Jupyter::

    import dlcheck
    dlcheck.check("backprop/q1", "out_h1", 0.5945)       # a Verdict: status, correct, score, message, ...
    dlcheck.grade({"backprop/q1": {"out_h1": 0.5945, "loss": 0.2983}})   # a Report
    dlcheck.compare("sigmoid(x)*(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))**2")
    dlcheck.explain("backprop/q1", "loss")

``import dlcheck`` is light (no sympy, numpy, typer or rich): the API (:mod:`dlcheck.api`) is
loaded on first use of one of its names. The ``dlcheck`` command is :func:`dlcheck.cli.main`.

The package's folders are the pipeline an answer goes through; each imports only from
the ones before it (a test checks this; ARCHITECTURE.md draws it):

``core`` (errors, verdicts, YAML) -> ``parse`` (text <-> formula) -> ``spec`` (files ->
models) -> ``engine`` (derivation graph, evaluation, time bounds) -> ``check`` (one
module per part kind, equivalence, tolerance) -> ``diagnose`` (why a wrong answer is
wrong) -> ``grade`` (bounded runs) -> ``report`` (terminal, json) -> ``explain``
(worked solutions) -> ``api`` (the Python functions) -> ``cli``.
"""

from __future__ import annotations

import importlib

from dlcheck.core import entry as _entry

__version__ = "0.1.0"

__all__ = ["AnswerTypeError", "DlcheckError", "Explanation", "Report", "Status", "UnknownPart", "UnknownProblem",
           "Verdict", "__version__", "check", "compare", "explain", "grade"]

_PACKAGES = ("check", "grade", "explain")   # layers that, called, are the API function of their name

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (10-30 ms of `import dlcheck`)
if TYPE_CHECKING:  # what the names are for type checkers; at run time they load on first use
    from typing import Any

    from dlcheck.api import (
        AnswerTypeError,
        DlcheckError,
        Explanation,
        Report,
        Status,
        UnknownPart,
        UnknownProblem,
        Verdict,
        check,
        compare,
        explain,
        grade,
    )


def _api(name: str) -> Any:
    """An API name, the API loaded on first use (the way to it for the callable packages too)."""
    import dlcheck.api as api  # lazy: `import dlcheck` (and the CLI's start) stays light

    return getattr(api, name)


_entry.LOADER[:] = [_api]


def __getattr__(name: str) -> Any:
    if name in _PACKAGES:  # the package, which is also the call (dlcheck.core.entry)
        return importlib.import_module(f"{__name__}.{name}")
    if name in __all__:
        value = _api(name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dlcheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
