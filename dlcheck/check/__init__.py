"""Layer 4: is an answer right? One module per part kind (``kinds/``), registered in one
place (``registry``), and the rules they share: tolerance, equivalence of formulas,
shapes. Checkers return a :class:`~dlcheck.core.verdict.Verdict` and never print; why a
wrong answer is wrong is the next layer's job (``dlcheck.diagnose``)."""

from dlcheck.core.entry import make_callable

make_callable(__name__)  # dlcheck.check(...) is the API call of that name (core/entry.py)
