"""dlcheck: check hand-worked deep-learning homework, part by part.

The package is laid out by the stages an answer goes through:
``spec`` (problem files) -> ``engine`` (givens, definitions, references) ->
``parse`` (the safe reader of everything typed) -> ``compare`` (one module per
answer kind) -> ``diagnose`` (why a wrong answer is wrong) -> ``report``.
"""

__version__ = "0.1.0"
