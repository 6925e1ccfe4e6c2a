"""Layer 9: the command line (``app``) and the interactive session (``solve``)."""

from dlcheck.cli.app import app, main

__all__ = ["app", "main"]
