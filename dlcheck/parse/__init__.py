"""Reading what people type: plain syntax, LaTeX, choices. The one trust boundary."""
