"""Layer 1: text <-> formula. The trust boundary (``safe``), what it reads (``text``,
``latex``), the functions a formula may call (``functions``) and the way back to text
(``printing``). Imports only ``dlcheck.core``."""
