"""Layer 9: the command line (``app``, in :mod:`dlcheck.cli.commands`) and the interactive session (``solve``).

:func:`main` is the ``dlcheck`` command. It is light on purpose: for ``compare`` it forks
the child that will check the pair before typer and the application are even imported,
so that the child's imports (sympy, the checker) overlap the reading of the command line.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    # dlcheck uses no pydantic plugin; without this, pydantic scans every installed package's entry
    # points when the first model is built (about 80 ms of each command that reads a spec)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    ahead = None
    if _command(sys.argv[1:]) == "compare":
        from dlcheck.grade.guarded import start_compare  # lazy: only compare starts a child ahead

        ahead = start_compare()
    from dlcheck.cli.commands import run  # lazy: after compare's child has started

    run(ahead)


def _command(args: list[str]) -> str | None:
    """The command a command line names (dlcheck's global options are flags: the first other word)."""
    return next((a for a in args if not a.startswith("-")), None)


def __getattr__(name: str) -> Any:
    if name == "app":  # the typer application (tests, embedding), loaded on first use so main stays light
        from dlcheck.cli.commands import app  # lazy: see the module docstring

        return app
    raise AttributeError(f"module 'dlcheck.cli' has no attribute {name!r}")
