"""Measuring the zone: geodesic areas on WGS84, areas in the local official grids, and the
comparison of each with its stated figures.

.. warning::
   Never measure area on lon/lat degrees or in Web Mercator: here Web Mercator inflates
   areas by about 17 %. Geodesic area on the ellipsoid is the reference; the official
   grids (HK1980, CGCS2000 Gauss-Krüger) are shown beside it because surveys quote them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from .faces import EdgeShare, Piece, edge_shares
from .manifest import Reconciliation, StatedFigure
from .sides import SIDES
from .zone import Boundary, Zone

__all__ = [
    "GEOD", "GRID_CRS", "LOCAL_CRS", "Status", "STATUSES", "Comparison", "Measurement", "Reconciled",
    "geodesic_area_perimeter", "boundary_length", "polygonal_area", "grid_area", "to_crs", "distance_m",
    "compare", "measure_zone",
]

logger = logging.getLogger(__name__)

GEOD = Geod(ellps="WGS84")
#: The local official grid of each side (from :data:`hetao.sides.SIDES`).
GRID_CRS = {side: info.grid_crs for side, info in SIDES.items()}
#: How a stated figure compares with the measured area. ``agrees``: within rounding plus
#: uncertainty; ``explained``: differs, and the manifest says why; ``differs``: differs
#: without explanation; ``not_comparable``: not a land area, or a point.
Status = Literal["agrees", "reconciled", "explained", "differs", "not_comparable"]
#: An azimuthal equidistant projection centred on the zone, for distances in metres.
LOCAL_CRS = "+proj=aeqd +lat_0=22.515 +lon_0=114.066 +datum=WGS84 +units=m +no_defs"
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True)
class Comparison:
    """A stated figure against the measured geodesic area."""

    figure: StatedFigure
    difference_ha: float | None
    difference_pct: float | None
    tolerance_ha: float | None
    status: Status
    #: Against the reconciled area (when the feature has one): the difference, and whether
    #: the figure lies within the reconciled range widened by the tolerance.
    reconciled_difference_ha: float | None = None
    reconciled_status: Literal["agrees", "differs"] | None = None


@dataclass(frozen=True)
class Reconciled:
    """The area once what the explanation names is taken away (e.g. river water).

    ``area_m2`` uses the strips' stated widths; ``low_m2`` the widest strips and
    ``high_m2`` the narrowest. ``land`` is the geometry of the central reading.
    """

    what: str
    reading: str
    area_m2: float
    low_m2: float
    high_m2: float
    land: BaseGeometry
    spec: Reconciliation | None = None
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measurement:
    """What hetao measured for one feature; ``None`` for points.

    Attributes
    ----------
    geodesic_area_m2 : area on the WGS84 ellipsoid, holes subtracted.
    perimeter_m : the exterior perimeter (holes not included), as
        :meth:`pyproj.Geod.geometry_area_perimeter` gives it.
    boundary_length_m : the whole boundary, holes included: what the area uncertainty is
        computed from.
    grid_crs, grid_area_m2 : the side's official grid and the planar area in it.
    uncertainty_m2 : boundary length × positional accuracy (a union: the sum of its parts').
    """

    boundary: Boundary
    geodesic_area_m2: float | None
    perimeter_m: float | None
    grid_crs: str
    grid_area_m2: float | None
    uncertainty_m2: float | None
    comparisons: tuple[Comparison, ...]
    boundary_length_m: float | None = None
    edges: tuple[EdgeShare, ...] = ()
    reconciled: Reconciled | None = None

    @property
    def dominant_edge(self) -> EdgeShare | None:
        """The edge piece that brings the most area uncertainty."""
        return max(self.edges, key=lambda e: e.uncertainty_m2, default=None)

    @property
    def id(self) -> str:
        return self.boundary.id


def _rings(geometry: BaseGeometry):
    """(area, length, is_exterior) of every ring of a (multi)polygon, rings oriented first."""
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    # What Geod.geometry_area_perimeter does, ring by ring, but reading the coordinates as
    # numpy arrays (its own coordinate walk is the slow part on large outlines).
    for polygon in shapely.get_parts(oriented):
        for i, ring in enumerate([polygon.exterior, *polygon.interiors]):
            coords = shapely.get_coordinates(ring)
            area, length = GEOD.polygon_area_perimeter(coords[:, 0], coords[:, 1])
            yield area, length, i == 0


def geodesic_area_perimeter(geometry: BaseGeometry) -> tuple[float, float]:
    """Area (m²) and exterior perimeter (m) of a (multi)polygon on the WGS84 ellipsoid.

    The same as :meth:`pyproj.Geod.geometry_area_perimeter` after orienting the rings
    (exteriors counter-clockwise, holes clockwise; the area is signed): holes are
    subtracted from the area and left out of the perimeter (see :func:`boundary_length`).

    Examples
    --------
    >>> area, perimeter = geodesic_area_perimeter(shapely.box(114.0, 22.5, 114.01, 22.51))
    >>> round(area), round(perimeter)
    (1139403, 4273)
    """
    area, perimeter, _ = _area_perimeter_length(geometry)
    return area, perimeter


def _area_perimeter_length(geometry: BaseGeometry) -> tuple[float, float, float]:
    area = perimeter = length = 0.0
    for ring_area, ring_length, exterior in _rings(geometry):
        area += ring_area
        length += ring_length
        perimeter += ring_length if exterior else 0.0
    return float(area), float(perimeter), float(length)


def boundary_length(geometry: BaseGeometry) -> float:
    """Geodesic length (m) of a (multi)polygon's whole boundary, holes included.

    Examples
    --------
    >>> square = shapely.box(114.0, 22.5, 114.01, 22.51)
    >>> holed = square.difference(shapely.box(114.004, 22.504, 114.006, 22.506))
    >>> round(boundary_length(holed) - geodesic_area_perimeter(holed)[1])
    855
    """
    return _area_perimeter_length(geometry)[2]


#: PROJ has no transformation between WGS84 and CGCS2000 (they agree to centimetres) and
#: spends ~90 ms finding that out, then uses the identity ("ballpark"). Starting from
#: CGCS2000's own lon/lat gives the very same pipeline at once (tests check it).
_SAME_PIPELINE = {("EPSG:4326", "EPSG:4547"): "EPSG:4490"}


def polygonal_area(geometry: BaseGeometry) -> float:
    """Geodesic area (m²) of the polygonal parts of any geometry.

    Overlay results (intersections, differences) may mix polygons with lines and points;
    only the polygons have area.
    """
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return sum(geodesic_area_perimeter(p)[0] for p in parts)


@lru_cache(maxsize=None)
def _transformer(source: str, target: str) -> Transformer:
    shortcut = _SAME_PIPELINE.get((source, target))
    if shortcut:
        logger.debug("transforming %s -> %s from %s: the same pipeline, found at once",
                     source, target, shortcut)
    return Transformer.from_crs(shortcut or source, target, always_xy=True)


def to_crs(geometry: BaseGeometry, crs: str, source: str = "EPSG:4326") -> BaseGeometry:
    """Transform a geometry from ``source`` (WGS84 lon/lat by default) into ``crs``.

    Both are taken x/easting/longitude first (``always_xy``), whatever axis order the CRS
    declares.
    """
    tr = _transformer(source, crs)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest distance (m) between two lon/lat geometries, in the local azimuthal
    equidistant projection (0 where they touch)."""
    if a.intersects(b):
        return 0.0
    return float(to_crs(a, LOCAL_CRS).distance(to_crs(b, LOCAL_CRS)))


def grid_area(geometry: BaseGeometry, crs: str) -> float:
    """Planar area (m²) of a lon/lat geometry in a projected grid such as EPSG:2326."""
    return float(to_crs(geometry, crs).area)


def compare(figure: StatedFigure, measured_m2: float | None, uncertainty_m2: float | None,
            explanation: str | None, reconciled: Reconciled | None = None) -> Comparison:
    """Compare a stated figure with a measured area.

    A figure ``agrees`` when the difference is within the figure's rounding (half a unit
    of its last digit, plus 5 % when stated as "about") plus the measured area's
    uncertainty; otherwise it is ``reconciled`` when it lies within the reconciled range
    widened by the same tolerance, ``explained`` when the manifest gives an explanation,
    and ``differs`` when it does not.
    """
    if measured_m2 is None or figure.quantity != "land area":
        return Comparison(figure, None, None, None, "not_comparable")
    measured_ha = measured_m2 / 1e4
    diff = measured_ha - figure.value_ha
    tolerance = figure.tolerance_ha + (uncertainty_m2 or 0.0) / 1e4
    rec_diff = rec_status = None
    if reconciled is not None:
        rec_diff = reconciled.area_m2 / 1e4 - figure.value_ha
        inside = (reconciled.low_m2 / 1e4 - tolerance <= figure.value_ha
                  <= reconciled.high_m2 / 1e4 + tolerance)
        rec_status = "agrees" if inside else "differs"
    if abs(diff) <= tolerance:
        status = "agrees"
    elif rec_status == "agrees":
        status = "reconciled"
    elif explanation:
        status = "explained"
    else:
        status = "differs"
    return Comparison(figure, diff, 100.0 * diff / figure.value_ha, tolerance, status, rec_diff, rec_status)


def _land(boundary: Boundary, widths: dict[str, float]) -> BaseGeometry:
    """The polygon less every point within the given width (m) of each named edge's lines."""
    local = to_crs(boundary.geometry, LOCAL_CRS)
    water = [to_crs(piece.geometry, LOCAL_CRS).buffer(widths[label])
             for label, pieces in boundary.edges if label in widths for piece in pieces]
    land = shapely.difference(local, shapely.union_all(water)) if water else local
    return to_crs(land, "EPSG:4326", source=LOCAL_CRS)


def reconcile(boundary: Boundary, spec: Reconciliation) -> Reconciled:
    """Compute a polygon's reconciliation: the land once the strips of water are taken away.

    Examples
    --------
    >>> from hetao.zone import load_zone
    >>> loop = load_zone().feature("hong-kong-park")
    >>> land = reconcile(loop, loop.spec.reconcile)
    >>> round(land.area_m2 / 1e4, 1), round(land.low_m2 / 1e4, 1), round(land.high_m2 / 1e4, 1)
    (86.2, 80.1, 93.9)
    """
    central = _land(boundary, {s.edge: s.width_m for s in spec.strips})
    widest = _land(boundary, {s.edge: s.range_m[1] for s in spec.strips})
    narrowest = _land(boundary, {s.edge: s.range_m[0] for s in spec.strips})
    return Reconciled(spec.what, spec.reading, polygonal_area(central), polygonal_area(widest),
                      polygonal_area(narrowest), central, spec)


def _union_reconciled(parts: list[tuple[Boundary, Reconciled | None]]) -> Reconciled | None:
    """A union's reconciliation from its parts' (a part without one counts whole)."""
    done = [(b, r) for b, r in parts if r is not None]
    if not done:
        return None
    lands = {"central": [], "low": [], "high": []}
    for b, r in parts:
        if r is None:
            for key in lands:
                lands[key].append(b.geometry)
            continue
        lands["central"].append(r.land)
        lands["low"].append(_land(b, {s.edge: s.range_m[1] for s in r.spec.strips}))
        lands["high"].append(_land(b, {s.edge: s.range_m[0] for s in r.spec.strips}))
    area = {k: polygonal_area(shapely.union_all(v)) for k, v in lands.items()}
    reading = "; ".join(f"{b.id}: {r.reading}" for b, r in done)
    return Reconciled(done[0][1].what, reading, area["central"], area["low"], area["high"],
                      shapely.union_all(lands["central"]), None, tuple(b.id for b, _ in done))


def measure_zone(zone: Zone) -> list[Measurement]:
    """Measure every feature of a zone, in manifest order.

    Examples
    --------
    >>> from hetao.zone import load_zone
    >>> loop = measure_zone(load_zone())[0]
    >>> loop.id, round(loop.geodesic_area_m2 / 1e4, 1)
    ('hong-kong-park', 107.9)
    """
    results: dict[str, Measurement] = {}
    # Unions last, so that their parts' uncertainties are known.
    for b in sorted(zone.features, key=lambda b: bool(b.spec.union_of)):
        spec = b.spec
        crs = GRID_CRS[spec.side]
        if spec.kind == "point":
            area = perimeter = length = grid = uncertainty = None
            edges = ()
        else:
            area, perimeter, length = _area_perimeter_length(b.geometry)
            grid = grid_area(b.geometry, crs)
            if spec.union_of:
                # Conservative: every part's own edges counted in full.
                edges = tuple(e for p in spec.union_of if p in results for e in results[p].edges)
            elif b.edges:
                edges = tuple(edge_shares(b.geometry, [(label, list(pieces)) for label, pieces in b.edges]))
            else:
                prov = spec.provenance
                outline = Piece(spec.id, spec.id, spec.name_en, spec.name_zh, b.geometry.boundary,
                                prov.positional_accuracy_m, prov.source, prov.method)
                edges = (EdgeShare("outline", outline, length, length * prov.positional_accuracy_m),)
            uncertainty = float(sum(e.uncertainty_m2 for e in edges))
        reconciled = None
        if spec.reconcile is not None and b.edges:
            reconciled = reconcile(b, spec.reconcile)
        elif spec.union_of:
            reconciled = _union_reconciled([(zone.feature(p), results[p].reconciled)
                                            for p in spec.union_of if p in results])
        comparisons = tuple(compare(f, area, uncertainty, spec.explanation, reconciled) for f in spec.stated)
        results[spec.id] = Measurement(b, area, perimeter, crs, grid, uncertainty, comparisons, length,
                                       edges if spec.kind != "point" else (), reconciled)
    return [results[b.id] for b in zone.features]
