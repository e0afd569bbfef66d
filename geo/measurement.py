"""Measuring the zone: geodesic areas on WGS84, areas in the local official grids, and the
comparison of each with its stated figures.

.. warning::
   Never measure area on lon/lat degrees or in Web Mercator: here Web Mercator inflates
   areas by about 17 %. Geodesic area on the ellipsoid is the reference; the official
   grids (HK1980, CGCS2000 Gauss-Krüger) are shown beside it because surveys quote them.
"""

from __future__ import annotations

from typing import Any

import logging
from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ._compat import moved
from .geodesy import GEOD, LOCAL_CRS, to_crs
from .model import (
    AreaMeasurement, Comparison, EdgeShare, Feature, Measurement, Piece, PointMeasurement,
    Reconciled, Reconciliation, StatedFigure, Status, Zone,
)
from .sides import SIDES

__all__ = [
    "GRID_CRS", "geodesic_area_perimeter", "boundary_length", "polygonal_area", "grid_area",
    "compare", "reconcile", "edge_shares", "measure_zone",
]

logger = logging.getLogger(__name__)

#: Segments per quarter circle of every buffer here: what ``BaseGeometry.buffer`` uses
#: (``shapely.buffer``, which buffers arrays at once, uses 8 unless told).
_QUAD_SEGS = 16

#: The local official grid of each side (from :data:`hetao.sides.SIDES`).
GRID_CRS = {side: info.grid_crs for side, info in SIDES.items()}


def _rings(geometry: BaseGeometry) -> Iterator[tuple[float, float, bool]]:
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


def polygonal_area(geometry: BaseGeometry) -> float:
    """Geodesic area (m²) of the polygonal parts of any geometry.

    Overlay results (intersections, differences) may mix polygons with lines and points;
    only the polygons have area.
    """
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return sum(geodesic_area_perimeter(p)[0] for p in parts)


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
    rec_diff: float | None = None
    rec_status: Literal["agrees", "differs"] | None = None
    if reconciled is not None:
        rec_diff = reconciled.area_m2 / 1e4 - figure.value_ha
        inside = (reconciled.low_m2 / 1e4 - tolerance <= figure.value_ha
                  <= reconciled.high_m2 / 1e4 + tolerance)
        rec_status = "agrees" if inside else "differs"
    status: Status
    if abs(diff) <= tolerance:
        status = "agrees"
    elif rec_status == "agrees":
        status = "reconciled"
    elif explanation:
        status = "explained"
    else:
        status = "differs"
    return Comparison(figure, diff, 100.0 * diff / figure.value_ha, tolerance, status, rec_diff, rec_status)


def _lands(local: BaseGeometry, lines: np.ndarray, widths: list[list[float]]) -> np.ndarray:
    """The polygon less every point within its width (m) of each line, for each row of
    widths (one per line), both in :data:`LOCAL_CRS`: the lands in lon/lat, one per row."""
    if len(lines):
        water = shapely.buffer(lines, widths, quad_segs=_QUAD_SEGS)     # a row of strips per reading
        lands = shapely.difference(local, shapely.union_all(water, axis=1))
    else:
        lands = np.array([local] * len(widths), dtype=object)
    return to_crs(lands, "EPSG:4326", source=LOCAL_CRS)


def reconcile(boundary: Feature, spec: Reconciliation) -> Reconciled:
    """Compute a polygon's reconciliation: the land once the strips of water are taken away.

    Examples
    --------
    >>> from hetao.zone import load_zone
    >>> loop = load_zone().feature("hong-kong-park")
    >>> land = reconcile(loop, loop.spec.reconcile)
    >>> round(land.area_m2 / 1e4, 1), round(land.low_m2 / 1e4, 1), round(land.high_m2 / 1e4, 1)
    (86.2, 80.1, 93.9)
    """
    readings = [{s.edge: s.width_m for s in spec.strips},       # central
                {s.edge: s.range_m[1] for s in spec.strips},    # the widest strips: the least land
                {s.edge: s.range_m[0] for s in spec.strips}]    # the narrowest
    # Each named edge's pieces, in order, taken into the local projection once: the three
    # readings are made together, each as it would be alone.
    along = [(label, piece.geometry) for label, pieces in boundary.edges if label in readings[0]
             for piece in pieces]
    local = to_crs(boundary.geometry, LOCAL_CRS)
    lines = to_crs(np.array([line for _, line in along], dtype=object), LOCAL_CRS)
    central, widest, narrowest = _lands(local, lines, [[widths[label] for label, _ in along]
                                                       for widths in readings])
    return Reconciled(spec.what, spec.reading, polygonal_area(central), polygonal_area(widest),
                      polygonal_area(narrowest), central, spec, low_land=widest, high_land=narrowest)


def _union_reconciled(parts: list[tuple[Feature, Reconciled | None]]) -> Reconciled | None:
    """A union's reconciliation from its parts' (a part without one counts whole)."""
    done = [(b, r) for b, r in parts if r is not None]
    if not done:
        return None
    lands: dict[str, list[BaseGeometry]] = {"central": [], "low": [], "high": []}
    for b, r in parts:
        if r is None:
            for key in lands:
                lands[key].append(b.geometry)
            continue
        lands["central"].append(r.land)
        lands["low"].append(r.low_land if r.low_land is not None else r.land)
        lands["high"].append(r.high_land if r.high_land is not None else r.land)
    union = {k: shapely.union_all(v) for k, v in lands.items()}
    area = {k: polygonal_area(land) for k, land in union.items()}
    reading = "; ".join(f"{b.id}: {r.reading}" for b, r in done)
    return Reconciled(done[0][1].what, reading, area["central"], area["low"], area["high"],
                      union["central"], None, tuple(b.id for b, _ in done))


def edge_shares(face: BaseGeometry, edges: Sequence[tuple[str, Sequence[Piece]]]) -> list[EdgeShare]:
    """How much of the face's boundary runs along each piece (geodesic metres), and the area
    uncertainty it brings (length × the piece's accuracy).

    A stretch along two pieces at once (where pieces overlap) is counted once, for the
    piece named first; the few centimetres where a line end was taken to meet another
    (within :data:`SNAP_M`) go to the nearest piece, so the lengths add up to the boundary's.
    """
    geod = GEOD
    tolerance = 1e-9   # degrees, 0.1 mm: noded vertices lie on their segments to ~1e-15
    remaining = shapely.boundary(face)
    lengths: list[float] = []
    flat = [(label, piece) for label, pieces in edges for piece in pieces]
    pieces = np.array([piece.geometry for _, piece in flat], dtype=object)
    for corridor in shapely.buffer(pieces, tolerance, quad_segs=_QUAD_SEGS):
        along = shapely.intersection(remaining, corridor)
        remaining = shapely.difference(remaining, corridor)
        lengths.append(float(geod.geometry_length(along)) if not along.is_empty else 0.0)
    for bit in shapely.get_parts(remaining):
        if bit.length > 0:
            nearest = min(range(len(flat)), key=lambda i: flat[i][1].geometry.distance(bit))
            lengths[nearest] += float(geod.geometry_length(bit))
    return [EdgeShare(label, piece, length, length * piece.accuracy_m)
            for (label, piece), length in zip(flat, lengths)]


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
    # Unions last, so that their parts' uncertainties and reconciliations are known.
    for feature in sorted(zone.features, key=lambda b: bool(b.spec.union_of)):
        spec = feature.spec
        crs = GRID_CRS[spec.side] if spec.side else "EPSG:4326"
        if spec.kind == "point":
            results[spec.id] = PointMeasurement(feature, crs, tuple(
                compare(f, None, None, spec.explanation) for f in spec.stated))
            continue
        parts = [results[p] for p in spec.union_of if p in results]
        results[spec.id] = _measure_area(zone, feature, crs,
                                         [p for p in parts if isinstance(p, AreaMeasurement)])
    return [results[b.id] for b in zone.features]


def _edges(feature: Feature, length_m: float, parts: list[AreaMeasurement]) -> tuple[EdgeShare, ...]:
    """The pieces of a polygon's boundary and each one's share of its uncertainty."""
    spec = feature.spec
    if spec.union_of:
        # Conservative: every part's own edges counted in full.
        return tuple(e for part in parts for e in part.edges)
    if feature.edges:
        return tuple(edge_shares(feature.geometry, [(label, list(pieces)) for label, pieces in feature.edges]))
    prov = spec.provenance
    accuracy = prov.positional_accuracy_m or 0.0
    outline = Piece(spec.id, spec.id, spec.name_en, spec.name_zh, feature.geometry.boundary,
                    accuracy, prov.source, prov.method)
    return (EdgeShare("outline", outline, length_m, length_m * accuracy),)


def _measure_area(zone: Zone, feature: Feature, crs: str, parts: list[AreaMeasurement]) -> AreaMeasurement:
    """One polygon measured; a union's ``parts`` already measured."""
    spec = feature.spec
    area, perimeter, length = _area_perimeter_length(feature.geometry)
    edges = _edges(feature, length, parts)
    uncertainty = float(sum(e.uncertainty_m2 for e in edges))
    reconciled = None
    if spec.reconcile is not None and feature.edges:
        reconciled = reconcile(feature, spec.reconcile)
    elif spec.union_of:
        reconciled = _union_reconciled([(part.feature, part.reconciled) for part in parts])
    comparisons = tuple(compare(f, area, uncertainty, spec.explanation, reconciled) for f in spec.stated)
    return AreaMeasurement(feature, area, perimeter, crs, grid_area(feature.geometry, crs), uncertainty,
                           comparisons, length, edges, reconciled)


#: Names that moved in 0.3.0: still found here for one release, with a FutureWarning.
_MOVED = {
    "LOCAL_CRS": "hetao.geodesy",
    "GEOD": "hetao.geodesy",
    "to_crs": "hetao.geodesy",
    "distance_m": "hetao.geodesy",
    "Measurement": "hetao.model",
    "Comparison": "hetao.model",
    "Reconciled": "hetao.model",
    "Status": "hetao.model",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _MOVED)
