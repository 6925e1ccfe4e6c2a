"""Layer 3: the derivation graph of a problem (``instance``), fast float evaluation
(``numeval``), worked-solution steps (``steps``) and the time bound on every check
(``bounded``). Imports ``core``, ``parse`` and ``spec``; knows nothing of part kinds —
the check layer passes in how each part is prepared."""
