"""Layer 6: grading runs — each part checked and diagnosed in a time-bounded child, part
after part (so later parts see earlier verdicts), problem after problem."""
