"""Measuring the zone: geodesic areas on WGS84, areas in the local official grids, and the
comparison of each with its stated figures.

.. warning::
   Never measure area on lon/lat degrees or in Web Mercator: here Web Mercator inflates
   areas by about 17 %. Geodesic area on the ellipsoid is the reference; the official
   grids (HK1980, CGCS2000 Gauss-Krüger) are shown beside it because surveys quote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from .manifest import StatedFigure
from .zone import Boundary, Zone

__all__ = [
    "GEOD", "GRID_CRS", "STATUSES", "Comparison", "Measurement",
    "geodesic_area_perimeter", "polygonal_area", "grid_area", "to_crs", "compare", "measure_zone",
]

GEOD = Geod(ellps="WGS84")
#: The local official grid of each side.
GRID_CRS = {"hong_kong": "EPSG:2326", "shenzhen": "EPSG:4547"}
#: ``agrees``: within rounding plus uncertainty; ``explained``: differs, and the manifest
#: says why; ``differs``: differs without explanation; ``not_comparable``: not a land area.
STATUSES = ("agrees", "explained", "differs", "not_comparable")


@dataclass(frozen=True)
class Comparison:
    """A stated figure against the measured geodesic area."""

    figure: StatedFigure
    difference_ha: float | None
    difference_pct: float | None
    tolerance_ha: float | None
    status: str


@dataclass(frozen=True)
class Measurement:
    """What hetao measured for one feature; areas in m², ``None`` for points."""

    boundary: Boundary
    geodesic_area_m2: float | None
    perimeter_m: float | None
    grid_crs: str
    grid_area_m2: float | None
    uncertainty_m2: float | None
    comparisons: tuple[Comparison, ...]

    @property
    def id(self) -> str:
        return self.boundary.id


def geodesic_area_perimeter(geometry: BaseGeometry) -> tuple[float, float]:
    """Area (m²) and perimeter (m) of a (multi)polygon on the WGS84 ellipsoid.

    Rings are oriented first (exteriors counter-clockwise, holes clockwise), since
    :meth:`pyproj.Geod.geometry_area_perimeter` is signed.

    Examples
    --------
    >>> area, perimeter = geodesic_area_perimeter(shapely.box(114.0, 22.5, 114.01, 22.51))
    >>> round(area)
    1139403
    """
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    # What Geod.geometry_area_perimeter does, ring by ring, but reading the coordinates as
    # numpy arrays (its own coordinate walk is the slow part on large outlines).
    area = perimeter = 0.0
    for polygon in shapely.get_parts(oriented):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = shapely.get_coordinates(ring)
            ring_area, ring_perimeter = GEOD.polygon_area_perimeter(coords[:, 0], coords[:, 1])
            area += ring_area
            perimeter += ring_perimeter
    return float(area), float(perimeter)


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
    source = _SAME_PIPELINE.get((source, target), source)
    return Transformer.from_crs(source, target, always_xy=True)


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


def grid_area(geometry: BaseGeometry, crs: str) -> float:
    """Planar area (m²) of a lon/lat geometry in a projected grid such as EPSG:2326."""
    return float(to_crs(geometry, crs).area)


def compare(figure: StatedFigure, measured_m2: float | None, uncertainty_m2: float | None,
            explanation: str | None) -> Comparison:
    """Compare a stated figure with a measured area.

    A figure ``agrees`` when the difference is within the figure's rounding (half a unit
    of its last digit, plus 5 % when stated as "about") plus the measured area's
    uncertainty; otherwise it is ``explained`` when the manifest gives an explanation, and
    ``differs`` when it does not.
    """
    if measured_m2 is None or figure.quantity != "land area":
        return Comparison(figure, None, None, None, "not_comparable")
    measured_ha = measured_m2 / 1e4
    diff = measured_ha - figure.value_ha
    tolerance = figure.tolerance_ha + (uncertainty_m2 or 0.0) / 1e4
    if abs(diff) <= tolerance:
        status = "agrees"
    elif explanation:
        status = "explained"
    else:
        status = "differs"
    return Comparison(figure, diff, 100.0 * diff / figure.value_ha, tolerance, status)


def measure_zone(zone: Zone) -> list[Measurement]:
    """Measure every feature of a zone, in manifest order."""
    from concurrent.futures import ThreadPoolExecutor

    results: dict[str, Measurement] = {}
    # The grid areas are computed in a second thread while the geodesic ones are in this
    # one: both release the GIL, so a large outline takes half the time on two cores.
    with ThreadPoolExecutor(max_workers=1) as pool:
        grids = {b.id: pool.submit(grid_area, b.geometry, GRID_CRS[b.spec.side])
                 for b in zone.features if b.spec.kind == "polygon"}
        geodesic = {b.id: geodesic_area_perimeter(b.geometry)
                    for b in zone.features if b.spec.kind == "polygon"}
        grids = {fid: future.result() for fid, future in grids.items()}
    # Unions last, so that their parts' uncertainties are known.
    for b in sorted(zone.features, key=lambda b: bool(b.spec.union_of)):
        spec = b.spec
        crs = GRID_CRS[spec.side]
        if spec.kind == "point":
            area = perimeter = grid = uncertainty = None
        else:
            area, perimeter = geodesic[b.id]
            grid = grids[b.id]
            if spec.union_of:
                # Conservative: every part's own edges counted in full.
                parts = [results[p].uncertainty_m2 for p in spec.union_of if p in results]
                uncertainty = sum(parts)
            else:
                uncertainty = perimeter * spec.provenance.positional_accuracy_m
        comparisons = tuple(compare(f, area, uncertainty, spec.explanation) for f in spec.stated)
        results[spec.id] = Measurement(b, area, perimeter, crs, grid, uncertainty, comparisons)
    return [results[b.id] for b in zone.features]
