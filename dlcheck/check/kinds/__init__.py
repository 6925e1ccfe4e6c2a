"""One module per kind of part; each ends by building its :class:`~dlcheck.check.kind.Kind`."""
