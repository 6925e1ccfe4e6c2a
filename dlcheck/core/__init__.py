"""Layer 0: what every other layer shares — errors, verdicts and statuses, YAML files.

Nothing here imports another dlcheck layer.
"""
