"""``DLCHECK_DEBUG=1`` shows tracebacks, as ``--debug`` does (checks always keep theirs)."""

from __future__ import annotations

import os

ENV = "DLCHECK_DEBUG"


def enabled() -> bool:
    return os.environ.get(ENV, "").strip() not in ("", "0", "false", "no")
