"""hetao: an honest, checkable map of the Hetao Shenzhen-Hong Kong S&T Innovation Cooperation Zone.

Load a boundaries folder (the shipped one by default), measure it on the WGS84 ellipsoid,
check it, draw it, and swap in updated boundaries:

>>> import hetao
>>> zone = hetao.load()
>>> loop = hetao.measure(zone)[0]
>>> loop.id, round(loop.geodesic_area_m2 / 1e4, 1)
('hong-kong-park', 107.9)
>>> all(result.ok for result in hetao.check(zone))
True
>>> hetao.to_geodataframe(hetao.measure(zone)).loc["shenzhen-park", "side"]
'shenzhen'

Importing hetao is light: each name below is imported from its module when it is first
used (a module ``__getattr__``), so ``import hetao`` loads none of the implementation
modules, and geopandas, folium and matplotlib are imported only by the functions that make
a GeoDataFrame, a map or a figure.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BoundaryError, HetaoError, HetaoIOError, NetworkError, Problem

if TYPE_CHECKING:
    from ._build import build
    from ._diff import diff_paths as diff
    from ._refresh import Found, RefreshResult, find_osm_ways, refresh
    from ._swap import Note, SwapOptions, SwapResult, diff_previous, swap
    from .history import undo
    from .model import (
        AreaMeasurement, Boundary, CheckResult, Comparison, Diff, Feature, FeatureDiff, Kind,
        Measurement, PointMeasurement, Status, Zone,
    )
    from .overpass import parse_element_ids
    from .report import records, to_csv, to_geodataframe, to_json, to_table
    from .sides import SIDES, Side, SideInfo
    from .webmap import DiffMap, Map

__version__ = "0.3.0.dev0"

__all__ = [
    "__version__",
    # loading, measuring, checking
    "load", "measure", "check", "records", "to_geodataframe", "to_table", "to_csv", "to_json",
    "shipped_boundaries",
    # drawing
    "Map", "DiffMap", "build",
    # updating and comparing
    "swap", "undo", "diff", "diff_previous", "refresh", "find_osm_ways", "parse_element_ids",
    # what they return
    "Zone", "Feature", "Boundary", "Measurement", "AreaMeasurement", "PointMeasurement",
    "Comparison", "CheckResult", "Diff", "FeatureDiff", "SwapResult", "SwapOptions", "Note",
    "RefreshResult", "Found",
    "Side", "SideInfo", "SIDES", "Kind", "Status",
    # errors
    "HetaoError", "BoundaryError", "HetaoIOError", "NetworkError", "Problem",
]

#: Each public name imported on first use: name -> (module, attribute).
_LAZY = {
    "build": ("._build", "build"),
    "diff": ("._diff", "diff_paths"),
    "refresh": ("._refresh", "refresh"),
    "find_osm_ways": ("._refresh", "find_osm_ways"),
    "Found": ("._refresh", "Found"),
    "RefreshResult": ("._refresh", "RefreshResult"),
    "swap": ("._swap", "swap"),
    "diff_previous": ("._swap", "diff_previous"),
    "SwapResult": ("._swap", "SwapResult"),
    "SwapOptions": ("._swap", "SwapOptions"),
    "Note": ("._swap", "Note"),
    "undo": (".history", "undo"),
    "records": (".report", "records"),
    "to_geodataframe": (".report", "to_geodataframe"),
    "to_table": (".report", "to_table"),
    "to_csv": (".report", "to_csv"),
    "to_json": (".report", "to_json"),
    "parse_element_ids": (".overpass", "parse_element_ids"),
    "Map": (".webmap", "Map"),
    "DiffMap": (".webmap", "DiffMap"),
    "SIDES": (".sides", "SIDES"),
    "Side": (".sides", "Side"),
    "SideInfo": (".sides", "SideInfo"),
    **{name: (".model", name) for name in (
        "Zone", "Feature", "Boundary", "Measurement", "AreaMeasurement", "PointMeasurement",
        "Comparison", "CheckResult", "Diff", "FeatureDiff", "Kind", "Status")},
}

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module, __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hetao' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def shipped_boundaries() -> Path:
    """The folder of boundaries shipped with hetao (inside the installed package)."""
    from .zone import default_boundaries_dir

    return default_boundaries_dir()


def load(boundaries: Path | str | None = None) -> Zone:
    """Load and check a boundaries folder; the shipped one by default.

    Raises
    ------
    BoundaryError
        Listing every problem in the folder, one line each.

    Examples
    --------
    >>> zone = load()
    >>> [b.id for b in zone.features]  # doctest: +NORMALIZE_WHITESPACE
    ['hong-kong-park', 'shenzhen-park', 'futian-bonded-zone', 'huanggang-port-area',
     'hkstp-shenzhen-branch']
    """
    from .zone import load_zone

    return load_zone(boundaries)


def measure(zone: Zone) -> list[Measurement]:
    """Measure every feature: geodesic and grid areas, uncertainty, stated figures compared.

    Examples
    --------
    >>> [c.status for c in measure(load())[0].comparisons]
    ['reconciled', 'reconciled', 'reconciled', 'reconciled', 'reconciled']
    """
    from .measurement import measure_zone

    return measure_zone(zone)


def check(zone: Zone, measurements: list[Measurement] | None = None) -> list[CheckResult]:
    """Check the zone: stated figures, overlap and gap of the sides, parts and points.

    Examples
    --------
    >>> [r.name for r in check(load())][:2]
    ['stated figures', 'the sides do not overlap']
    """
    from .checks import check_zone

    return check_zone(zone, measurements if measurements is not None else measure(zone))
