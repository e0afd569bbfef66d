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

Importing hetao is light (shapely and pyproj): geopandas, folium and matplotlib are
imported only by the functions that make a GeoDataFrame, a map or a figure.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .build import build
from .checks import CheckResult, check_zone
from .diff import Diff, FeatureDiff
from .diff import diff_paths as diff
from .errors import BoundaryError, HetaoError, HetaoIOError, NetworkError, Problem
from .manifest import Kind
from .measurement import Comparison, Measurement, Status, measure_zone
from .refresh import Found, RefreshResult, find_osm_ways, refresh
from .report import records, to_geodataframe
from .sides import SIDES, Side, SideInfo
from .swap import SwapResult, diff_previous, swap, undo
from .webmap import Map
from .zone import Boundary, Zone, default_boundaries_dir, load_zone

__version__ = "0.2.0"

__all__ = [
    "__version__",
    # loading, measuring, checking
    "load", "measure", "check", "records", "to_geodataframe", "shipped_boundaries",
    # drawing
    "Map", "build",
    # updating and comparing
    "swap", "undo", "diff", "diff_previous", "refresh", "find_osm_ways",
    # what they return
    "Zone", "Boundary", "Measurement", "Comparison", "CheckResult", "Diff", "FeatureDiff",
    "SwapResult", "RefreshResult", "Found", "Side", "SideInfo", "SIDES", "Kind", "Status",
    # errors
    "HetaoError", "BoundaryError", "HetaoIOError", "NetworkError", "Problem",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def shipped_boundaries() -> Path:
    """The folder of boundaries shipped with hetao (inside the installed package)."""
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
    return load_zone(boundaries)


def measure(zone: Zone) -> list[Measurement]:
    """Measure every feature: geodesic and grid areas, uncertainty, stated figures compared.

    Examples
    --------
    >>> [c.status for c in measure(load())[0].comparisons]
    ['reconciled', 'reconciled', 'reconciled', 'reconciled', 'reconciled']
    """
    return measure_zone(zone)


def check(zone: Zone, measurements: list[Measurement] | None = None) -> list[CheckResult]:
    """Check the zone: stated figures, overlap and gap of the sides, parts and points.

    Examples
    --------
    >>> [r.name for r in check(load())][:2]
    ['stated figures', 'the sides do not overlap']
    """
    return check_zone(zone, measurements if measurements is not None else measure_zone(zone))
