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
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import BoundaryError, HetaoError, HetaoIOError, InstalledFolderError, NetworkError, Problem
from .errors import HetaoWarning

if TYPE_CHECKING:
    import geopandas

    from ._diff import diff_paths as diff
    from ._refresh import Found, LineRefresh, RefreshResult, find_osm_ways, refresh
    from ._swap import Note, Prepared, SwapOptions, SwapResult, diff_previous, swap
    from .history import undo
    from .importer import Imported, ReadOptions
    from .model import (
        AreaMeasurement, Boundary, CheckResult, Comparison, Diff, Feature, FeatureDiff, Kind,
        Measurement, PointMeasurement, Status, Zone, ZoneLike, Line, Piece, EdgeShare,
        ContextLayer, Manifest, FeatureSpec, ContextSpec, Provenance, StatedFigure, Reconciliation,
        Strip, Reconciled, OsmSource,
    )
    from .overpass import OsmElement, parse_element_ids
    from .report import to_csv, to_json, to_table
    from .sides import SIDES, Side, SideInfo
    from .webmap import DiffMap, Map
    from .zone import copy_boundaries

__version__ = "0.3.0.dev0"

__all__ = [
    "__version__",
    # loading, measuring, checking
    "load", "measure", "check", "records", "to_geodataframe", "to_table", "to_csv", "to_json",
    "shipped_boundaries", "copy_boundaries",
    # drawing
    "Map", "DiffMap", "build",
    # updating and comparing
    "swap", "undo", "diff", "diff_previous", "refresh", "find_osm_ways", "parse_element_ids",
    # what they return
    "Zone", "Feature", "Boundary", "Measurement", "AreaMeasurement", "PointMeasurement",
    "Comparison", "CheckResult", "Diff", "FeatureDiff", "SwapResult", "SwapOptions", "Note",
    "RefreshResult", "LineRefresh", "Found", "ZoneLike", "HetaoWarning",
    # what those hold
    "Line", "Piece", "EdgeShare", "ContextLayer", "Manifest", "FeatureSpec", "ContextSpec",
    "Provenance", "StatedFigure", "Reconciliation", "Strip", "Reconciled", "OsmSource",
    "OsmElement", "Imported", "ReadOptions", "Prepared",
    "Side", "SideInfo", "SIDES", "Kind", "Status",
    # errors
    "HetaoError", "BoundaryError", "HetaoIOError", "NetworkError", "InstalledFolderError", "Problem",
]

#: Each public name imported on first use: name -> (module, attribute).
_LAZY = {
    "diff": ("._diff", "diff_paths"),
    "refresh": ("._refresh", "refresh"),
    "find_osm_ways": ("._refresh", "find_osm_ways"),
    "Found": ("._refresh", "Found"),
    "RefreshResult": ("._refresh", "RefreshResult"),
    "LineRefresh": ("._refresh", "LineRefresh"),
    "Prepared": ("._swap", "Prepared"),
    "Imported": (".importer", "Imported"),
    "ReadOptions": (".importer", "ReadOptions"),
    "OsmElement": (".overpass", "OsmElement"),
    "swap": ("._swap", "swap"),
    "diff_previous": ("._swap", "diff_previous"),
    "SwapResult": ("._swap", "SwapResult"),
    "SwapOptions": ("._swap", "SwapOptions"),
    "Note": ("._swap", "Note"),
    "undo": (".history", "undo"),
    "copy_boundaries": (".zone", "copy_boundaries"),
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
        "Comparison", "CheckResult", "Diff", "FeatureDiff", "Kind", "Status", "ZoneLike",
        "Line", "Piece", "EdgeShare", "ContextLayer", "Manifest", "FeatureSpec", "ContextSpec",
        "Provenance", "StatedFigure", "Reconciliation", "Strip", "Reconciled", "OsmSource")},
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


def _zone(zone: ZoneLike | None) -> Zone:
    """The zone given (:func:`hetao.zone.as_zone`)."""
    from .zone import as_zone

    return as_zone(zone)


def _measurements(what: ZoneLike | Sequence[Measurement]) -> list[Measurement]:
    """Measurements given, or those of the zone given (a Zone, or its folder)."""
    from .model import Zone

    if isinstance(what, (Zone, str, os.PathLike)) or not isinstance(what, Sequence):
        return measure(what)        # a zone; anything else: the TypeError naming what is accepted
    return list(cast("Sequence[Measurement]", what))


def load(boundaries: ZoneLike | None = None) -> Zone:
    """Load and check a boundaries folder; by default ``hetao.settings.boundaries``, else the
    folder named by the environment variable ``HETAO_BOUNDARIES``, else the shipped one.

    A :class:`Zone` given is returned as it is. Every function below that reads a zone
    takes, like this one, a ``Zone``, or its folder as a ``str`` or a path.

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
    >>> load(zone) is zone
    True
    """
    return _zone(boundaries)


def measure(zone: ZoneLike) -> list[Measurement]:
    """Measure every feature: geodesic and grid areas, uncertainty, stated figures compared.

    Examples
    --------
    >>> [c.status for c in measure(load())[0].comparisons]
    ['reconciled', 'reconciled', 'reconciled', 'reconciled', 'reconciled']
    >>> measure(shipped_boundaries())[0]
    AreaMeasurement('hong-kong-park', 107.94 ha ± 4.66, stated: reconciled, ...)
    """
    from .measurement import measure_zone

    return measure_zone(_zone(zone))


def check(zone: ZoneLike, measurements: list[Measurement] | None = None) -> list[CheckResult]:
    """Check the zone: stated figures, overlap and gap of the sides, parts and points.

    Examples
    --------
    >>> [r.name for r in check(load())][:2]
    ['stated figures', 'the sides do not overlap']
    """
    from .checks import check_zone

    zone = _zone(zone)
    return check_zone(zone, measurements if measurements is not None else measure(zone))


def records(measurements: ZoneLike | Sequence[Measurement]) -> list[dict[str, Any]]:
    """One JSON-ready dict per feature (:func:`hetao.report.records`), of measurements or
    of a zone (a Zone, or its folder), measured.

    Examples
    --------
    >>> records(load())[0]["geodesic_area_ha"] == records(measure(load()))[0]["geodesic_area_ha"]
    True
    """
    from .report import records as make_records

    return make_records(_measurements(measurements))


def to_geodataframe(measurements: ZoneLike | Sequence[Measurement]) -> geopandas.GeoDataFrame:
    """The measured features as a GeoDataFrame (WGS84), one row per feature, indexed by id
    (:func:`hetao.report.to_geodataframe`): of measurements, or of a zone (a Zone, or its
    folder), measured. geopandas is imported only here.

    Examples
    --------
    >>> frame = to_geodataframe(load())
    >>> list(frame.index) == [m.id for m in measure(load())], str(frame.crs)
    (True, 'EPSG:4326')
    """
    from .report import to_geodataframe as make_frame

    return make_frame(_measurements(measurements))


def build(zone: ZoneLike, out: Path | str = "output", *, measurements: list[Measurement] | None = None,
          offline: bool = True, figure: bytes | None = None, figure_in_child: bool = False,
          crs: str | None = None, pdf: bool = False) -> list[Path]:
    """Render every output, then write them all into ``out``; return the paths written
    (:func:`hetao._build.build`, which says more). ``zone``: a Zone, or its folder.

    Warns
    -----
    HetaoWarning
        When no font with Chinese glyphs is installed (the figure names features in English).
    """
    from ._build import build as build_outputs

    return build_outputs(_zone(zone), out, measurements=measurements, offline=offline,
                         figure=figure, figure_in_child=figure_in_child, crs=crs, pdf=pdf)
