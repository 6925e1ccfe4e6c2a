"""Layer 8: worked solutions. ``steps`` derives them from the problem's own graph (each
part by its kind), ``render`` draws them (terminal, Markdown, LaTeX), ``command`` is
what ``dlcheck explain`` and ``solve``'s ``explain`` call."""
