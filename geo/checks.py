"""Checks on the zone as a whole: stated figures, the two sides, parts and points."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from ._compat import moved
from .geodesy import LOCAL_CRS, distance_m, to_crs
from .measurement import polygonal_area
from .model import CheckResult, Feature, Measurement, Zone

__all__ = ["SLIVER_WIDTH_M", "MAX_RIVER_GAP_M", "OVERLAP_CHECK", "MEET_CHECK", "check_zone",
           "geometric_checks", "sides_overlap"]

#: The widest the Shenzhen River gets between the sides: twice the widest measured
#: half-channel (128 m, shared/data/river_channel_widths.json), rounded up. Sides farther
#: apart leave land between them that neither claims.
MAX_RIVER_GAP_M = 260.0
#: Overlaps nowhere wider than this are slivers where two sources trace the same border
#: line with vertices a few centimetres apart; they do not count as overlaps.
SLIVER_WIDTH_M = 0.1
#: The names of the two checks of the sides.
OVERLAP_CHECK = "the sides do not overlap"
MEET_CHECK = "the sides meet across the river"


def _polygons(geometry: BaseGeometry) -> np.ndarray:
    """The polygons of an overlay result (which may mix in lines and points), one by one."""
    parts = shapely.get_parts(shapely.get_parts(geometry))
    return parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]


def _extent(geometry: BaseGeometry) -> tuple[float, bool]:
    """Area (m²) of the polygonal part of a geometry, and whether any of it is wider than a
    sliver.

    Few parts are measured geodesically; an overlay of two detailed outlines can leave tens
    of thousands of slivers, whose summed area is then taken in the local azimuthal
    equidistant projection (within 0.01 % here). Each part is shrunk on its own, which is
    what makes a wide part show.
    """
    parts = _polygons(geometry)
    if not len(parts):
        return 0.0, False
    local = to_crs(parts, LOCAL_CRS)        # shapely.transform takes the whole array
    # A part smaller than the disc a sliver cannot hold is a sliver: no need to shrink it.
    areas = shapely.area(local)
    candidates = local[areas >= np.pi * (SLIVER_WIDTH_M / 2) ** 2]
    # Largest first, in growing batches (1, 4, 16, ...): one wide part answers the question,
    # and the largest usually is one (shrinking a jagged sliver of 700 vertices takes 30 ms).
    candidates = candidates[np.argsort(-shapely.area(candidates), kind="stable")]
    wide, start, batch = False, 0, 1
    while not wide and start < len(candidates):
        shrunk = shapely.buffer(candidates[start:start + batch], -SLIVER_WIDTH_M / 2, quad_segs=2)
        wide = not shapely.is_empty(shrunk).all()
        start, batch = start + batch, batch * 4
    area = (polygonal_area(shapely.multipolygons(parts)) if len(parts) <= 200
            else float(areas.sum()))
    return area, wide


#: A polygon of more vertices than this is clipped before it is intersected with a smaller one
#: (:func:`_clipped_intersection`); below it the clipping is not worth its cost.
CLIP_VERTICES = 10_000


def _vertices_and_reach(geometry: BaseGeometry) -> tuple[np.ndarray, float]:
    """A polygonal geometry's vertices, and the length of its longest segment (in its units)."""
    coords, ring = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(geometry)), return_index=True)
    steps = np.diff(coords, axis=0)[ring[1:] == ring[:-1]]
    return coords, float(np.hypot(steps[:, 0], steps[:, 1]).max()) if len(steps) else 0.0


def _intersection_window(big: BaseGeometry, small: BaseGeometry) -> tuple[float, float, float, float] | None:
    """A rectangle (xmin, ymin, xmax, ymax) that holds all of ``big ∩ small`` (two polygonal
    geometries) with ``2 d`` to spare on every side, ``d`` being ``big``'s longest segment;
    ``None`` if they do not meet.

    Every vertex of the intersection is a vertex of one inside the other, or a crossing of
    their boundaries on a segment of ``big`` whose ends are then within ``d`` of ``small``.
    The rectangle spans ``big``'s vertices within ``2 d`` of ``small`` (a buffer that holds
    every point within ``d``, its arcs drawn as chords) and ``small``'s vertices within
    ``big``, widened by ``2 d``: so every segment of ``big`` that meets ``small`` lies inside it.
    """
    coords, longest = _vertices_and_reach(big)
    reach = 2 * longest
    near = shapely.buffer(small, reach)
    shapely.prepare(near)
    points = coords[shapely.intersects_xy(near, coords[:, 0], coords[:, 1])]
    xmin, ymin, xmax, ymax = big.bounds
    own = shapely.get_coordinates(small)
    own = own[(own[:, 0] >= xmin) & (own[:, 0] <= xmax) & (own[:, 1] >= ymin) & (own[:, 1] <= ymax)]
    points = np.concatenate([points, own[shapely.intersects_xy(big, own[:, 0], own[:, 1])]])
    if not len(points):
        return None
    low, high = points.min(axis=0) - reach, points.max(axis=0) + reach
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def _clipped_intersection(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """``shapely.intersection(a, b)`` of two polygonal geometries, the same polygons, faster
    when one has many more vertices than the other (over :data:`CLIP_VERTICES`).

    That one is first clipped (``shapely.clip_by_rect``) to :func:`_intersection_window`: the
    intersection then comes from the same segments, and the segments the clip cuts or adds
    lie away from the other geometry. Where they do not meet, an empty polygon. Should GEOS
    fail on the clipped geometry, the intersection is computed unclipped.

    Examples
    --------
    >>> wide, narrow = shapely.box(0, 0, 10, 2).segmentize(0.001), shapely.box(4, 1, 5, 3)
    >>> _clipped_intersection(wide, narrow).normalize() == shapely.intersection(wide, narrow).normalize()
    True
    """
    na, nb = shapely.get_num_coordinates(a), shapely.get_num_coordinates(b)
    if max(na, nb) <= CLIP_VERTICES:
        return shapely.intersection(a, b)
    big, small = (a, b) if na >= nb else (b, a)
    window = _intersection_window(big, small)
    if window is None:
        return shapely.Polygon()
    try:
        clipped = shapely.clip_by_rect(big, *window)
        return shapely.intersection(clipped, b) if big is a else shapely.intersection(a, clipped)
    except GEOSException:
        return shapely.intersection(a, b)


def sides_overlap(zone: Zone, sides: dict[str, BaseGeometry] | None = None) -> CheckResult:
    """The check that the Hong Kong and Shenzhen sides do not overlap (beyond slivers)."""
    sides = sides if sides is not None else zone.sides()
    if len(sides) < 2:
        return CheckResult(OVERLAP_CHECK, True, "only one side is drawn")
    hk, sz = sides["hong_kong"], sides["shenzhen"]
    return _overlap(hk, sz, distance_m(hk, sz))


def _overlap(hk: BaseGeometry, sz: BaseGeometry, gap: float) -> CheckResult:
    """The overlap check of two sides ``gap`` metres apart."""
    overlap, wide = _extent(_clipped_intersection(hk, sz))
    kind = "wider than" if wide else "only in slivers under"
    return CheckResult(
        OVERLAP_CHECK, not wide,
        f"overlap {overlap:,.1f} m² ({kind} {SLIVER_WIDTH_M} m), gap between the sides {gap:,.1f} m")


def _meet(gap: float) -> CheckResult:
    """The check that two sides ``gap`` metres apart meet across the river."""
    return CheckResult(
        MEET_CHECK, gap <= MAX_RIVER_GAP_M,
        f"gap {gap:,.1f} m" + ("" if gap <= MAX_RIVER_GAP_M else
                               f", wider than the river ({MAX_RIVER_GAP_M:,.0f} m): is one side "
                               "shifted (a GCJ-02 or BD-09 datum?) or traced short of the river?"))


def check_zone(zone: Zone, measurements: list[Measurement]) -> list[CheckResult]:
    """Run every zone check.

    - every stated figure agrees with the measured area, or the difference is explained;
    - the geometric checks (:func:`geometric_checks`): the Hong Kong and Shenzhen sides do
      not overlap (the overlap area and the gap between them are reported) and meet across
      the river; each part lies within its side; each point lies within its side (the
      distance is reported if not).
    """
    differs = [
        CheckResult(
            f"{m.id} against {c.figure.value:g} {c.figure.unit} ({c.figure.source})", False,
            f"measured differs by {c.difference_ha:+.2f} ha ({c.difference_pct:+.1f} %), "
            f"beyond the tolerance of {c.tolerance_ha:.2f} ha, and the manifest gives "
            "no explanation")
        for m in measurements for c in m.comparisons if c.status == "differs"]
    n = sum(len(m.comparisons) for m in measurements)
    results = differs or [CheckResult(
        "stated figures", True, f"all {n} agree, are reconciled or explained, or are not land areas")]
    return results + geometric_checks(zone)


def geometric_checks(zone: Zone, changed: Collection[str] | None = None) -> list[CheckResult]:
    """The zone's checks of geometry alone (every check but the stated figures'), in
    :func:`check_zone`'s order: the sides do not overlap, the sides meet across the river,
    each part lies within its side, each point lies within its side.

    Parameters
    ----------
    zone : Zone
        The zone to check.
    changed : collection of str, optional
        Features whose geometry changed: only the checks that a change of them can affect
        are run (the sides', when a polygon of a side changed; a part's, when it or its
        parent changed; a point's, when it or a polygon of its side changed). All by default.
    """
    features = {b.id: b for b in zone.features}
    moved = set(features) if changed is None else {i for i in changed if i in features}
    moved_sides = {features[i].spec.side for i in moved
                   if features[i].spec.kind == "polygon" and features[i].spec.side is not None}
    sides = zone.sides()
    results = []
    if len(sides) == 2 and moved_sides:
        hk, sz = sides["hong_kong"], sides["shenzhen"]
        gap = distance_m(hk, sz)
        results += [_overlap(hk, sz, gap), _meet(gap)]
    for b in zone.features:
        spec = b.spec
        side = sides.get(spec.side) if spec.side is not None else None
        if spec.part_of is not None and spec.kind == "polygon":
            if spec.id in moved or spec.part_of in moved:
                results.append(_within_parent(zone, b))
        elif spec.kind == "point" and side is not None and spec.side is not None:
            if spec.id in moved or spec.side in moved_sides:
                inside = side.covers(b.geometry)
                distance = 0.0 if inside else distance_m(side, b.geometry)
                results.append(CheckResult(
                    f"{spec.id} lies within the {spec.side.replace('_', ' ')} side", inside,
                    "inside" if inside else f"{distance:,.1f} m outside"))
    return results


def _within_parent(zone: Zone, part: Feature) -> CheckResult:
    """The check that a part lies within the polygon it is part of."""
    parent_id = part.spec.part_of
    assert parent_id is not None
    outside, wide = _extent(shapely.difference(part.geometry, zone.feature(parent_id).geometry))
    return CheckResult(f"{part.id} lies within {parent_id}", not wide, f"{outside / 1e4:,.4f} ha outside")


#: Names that moved in 0.3.0: still found here for one release, with a FutureWarning.
_MOVED = {
    "LOCAL_CRS": "hetao.geodesy",
    "CheckResult": "hetao.model",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _MOVED)
