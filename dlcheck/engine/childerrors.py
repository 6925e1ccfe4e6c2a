"""What a bounded call in another process can end in, besides its value (forked or spawned alike)."""

from __future__ import annotations


class TimeLimit(Exception):
    """The call did not finish within its time limit."""


class CannotFork(RuntimeError):
    """No child could be started (the system refused a process or a pipe: too many, no memory)."""


class ChildFailure(RuntimeError):
    """An exception in the child that could not be sent back as itself."""
