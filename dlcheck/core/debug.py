"""``DLCHECK_DEBUG=1`` shows tracebacks, as ``--debug`` does (checks always keep theirs)."""

from __future__ import annotations

import os

ENV = "DLCHECK_DEBUG"


_flag = {"on": False}  # --debug of the running command (forked workers inherit it)


def set_flag(on: bool) -> None:
    """What ``--debug`` asked for, set by each command as it starts."""
    _flag["on"] = on


def enabled() -> bool:
    return _flag["on"] or os.environ.get(ENV, "").strip() not in ("", "0", "false", "no")
