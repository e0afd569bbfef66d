"""The old name of :mod:`hetao.geojson` (renamed in 0.3.0); importing it warns."""

from __future__ import annotations

import warnings

from .geojson import *  # noqa: F401,F403
from .geojson import __all__  # noqa: F401

warnings.warn("hetao.geometry is now hetao.geojson; the old name goes in a later release",
              FutureWarning, stacklevel=2)
