"""Old import paths kept for one release: a name that moved to another module is still
found under its old module, with a :class:`FutureWarning` naming the new one."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

__all__ = ["moved"]


def moved(module: str, name: str, table: dict[str, str]) -> Any:
    """The attribute ``name`` of ``module`` (``hetao.X``) if it moved to ``table[name]``
    (``hetao.Y``), with a FutureWarning; AttributeError otherwise."""
    if name not in table:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new = table[name]
    warnings.warn(f"{module}.{name} is now {new}.{name}; the old path goes in a later release",
                  FutureWarning, stacklevel=3)
    return getattr(importlib.import_module(new), name)
