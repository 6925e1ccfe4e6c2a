"""Layer 6: grading runs — each part checked and diagnosed in a time-bounded child, part
after part (so later parts see earlier verdicts), problem after problem."""

from dlcheck.core.entry import make_callable

make_callable(__name__)  # dlcheck.grade(...) is the API call of that name (core/entry.py)
