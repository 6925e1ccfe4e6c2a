"""Three layers are also three of the API's calls: ``dlcheck.check(...)``, ``dlcheck.grade(...)``,
``dlcheck.explain(...)``.

The names the API promises are taken by packages of the pipeline (``dlcheck.check`` is the
layer of part kinds). Rather than rename the layers, each of the three packages is made
callable: its module object's class is :class:`EntryPackage`, whose ``__call__`` is the API
function of the same name (``dlcheck.api.check``...), loaded on the first call. So
``import dlcheck.check.registry`` and ``dlcheck.check("backprop/q1", "loss", 0.2984)``
both work, whichever is imported first. The API is above every layer, so the way to it is
given from the top (``dlcheck/__init__.py`` sets :data:`LOADER`), not imported from here.
"""

from __future__ import annotations

import sys
from types import ModuleType

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (`import dlcheck` stays light)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

LOADER: list[Callable[[str], Callable[..., Any]]] = []   # name -> the API's function; set by dlcheck/__init__


class EntryPackage(ModuleType):
    """A package that, called, is the API function of its name."""

    def _function(self) -> Callable[..., Any]:
        return LOADER[0](self.__name__.rsplit(".", 1)[-1])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function()(*args, **kwargs)

    @property
    def __signature__(self) -> Any:  # inspect.signature(dlcheck.check): the function's
        import inspect  # lazy: only when asked for

        return inspect.signature(self._function())


def make_callable(module_name: str) -> None:
    """Called by the package ``module_name`` itself, last thing of its ``__init__``."""
    sys.modules[module_name].__class__ = EntryPackage
