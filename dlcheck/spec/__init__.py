"""Layer 2: the files people write -> validated models with positions.

Problem specs (``model``, ``reader``, ``bank``) and answers files (``answers``,
``store``). The part models of each kind are not known here: the check layer, which
owns the kinds, passes them in (see :func:`dlcheck.spec.model.problem_model`).
"""
