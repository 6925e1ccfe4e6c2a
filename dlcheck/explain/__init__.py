"""Layer 8: worked solutions. ``steps`` derives them from the problem's own graph (each
part by its kind), ``render`` draws them (terminal, Markdown, LaTeX), ``command`` is
what ``dlcheck explain`` and ``solve``'s ``explain`` call."""

from dlcheck.core.entry import make_callable

make_callable(__name__)  # dlcheck.explain(...) is the API call of that name (core/entry.py)
