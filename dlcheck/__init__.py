"""dlcheck: check hand-worked deep-learning homework, part by part.

The package's folders are the pipeline an answer goes through; each imports only from
the ones before it (a test checks this; ARCHITECTURE.md draws it):

``core`` (errors, verdicts, YAML) -> ``parse`` (text <-> formula) -> ``spec`` (files ->
models) -> ``engine`` (derivation graph, evaluation, time bounds) -> ``check`` (one
module per part kind, equivalence, tolerance) -> ``diagnose`` (why a wrong answer is
wrong) -> ``grade`` (bounded runs) -> ``report`` (terminal, json) -> ``explain``
(worked solutions) -> ``cli``.
"""

__version__ = "0.1.0"
