"""What changed between two versions of a boundary.

For each feature present in both: geodesic area before and after, the area gained and lost
(geodesic areas of the two differences), the Hausdorff distance (GEOS's discrete Hausdorff
distance between the two geometries in a local azimuthal equidistant projection), the mean
boundary displacement ((gained + lost) / mean perimeter: the average width of the band
between the two outlines; for a line, the mean distance between the two lines), vertex
counts, and each stated figure's status before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .geodesy import LOCAL_CRS, MAX_METRES_PER_DEGREE, to_crs
from .importer import ReadOptions, read_with_options
from .measurement import geodesic_area_perimeter, measure_zone, polygonal_area
from .model import AreaMeasurement, Diff, FeatureDiff, Measurement, Status, Zone
from .zone import load_zone

__all__ = ["diff_geometries", "diff_zones", "diff_paths", "affected_ids", "hausdorff_distance"]


def affected_ids(zone: Zone, feature_id: str) -> list[str]:
    """``feature_id`` and every feature whose geometry is computed from it: the polygons a
    line bounds, and the unions of those."""
    ids = {feature_id}
    for b in zone.features:
        if any(feature_id in line_ids for _, line_ids in b.spec.bounded_by):
            ids.add(b.id)
    for b in zone.features:
        if ids & set(b.spec.union_of):
            ids.add(b.id)
    order = [ln.id for ln in zone.lines] + [b.id for b in zone.features]
    return [i for i in order if i in ids]


def _segments(geometry: BaseGeometry) -> np.ndarray:
    """Every segment of a geometry's linework (a point is its own), as an array of geometries."""

    lines = shapely.get_parts(shapely.boundary(geometry) if geometry.geom_type.endswith("Polygon")
                              else geometry)
    out = []
    for line in shapely.get_parts(lines):
        coords = shapely.get_coordinates(line)
        if line.geom_type == "Point" or len(coords) < 2:
            out.append(shapely.points(coords))
        else:
            out.append(shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1)))
    return np.concatenate(out)


#: Above this many vertices, both geometries' linework is simplified to HAUSDORFF_TOLERANCE
#: (metres) before the Hausdorff distance: then it is within that of exact.
HAUSDORFF_VERTICES = 50_000
HAUSDORFF_TOLERANCE = 0.1
#: About 100 m: a lon/lat segment this long and its projected chord differ by well under a
#: millimetre in the local projection (the error grows with the square of the length).
_SEGMENT_DEG = 0.001


def _linework(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.boundary(geometry) if geometry.geom_type.endswith("Polygon") else geometry


def hausdorff_distance(a: BaseGeometry, b: BaseGeometry,
                       tolerance: float = HAUSDORFF_TOLERANCE) -> float:
    """GEOS's discrete Hausdorff distance (the farthest vertex of either from the other's
    linework), computed with a spatial index so that it stays fast on large outlines.

    The linework of geometries of more than :data:`HAUSDORFF_VERTICES` vertices is first
    simplified (Douglas-Peucker) to ``tolerance``, in the geometries' units, so the result
    is within that of exact; ``tolerance=0`` never simplifies.

    Examples
    --------
    >>> a, b = shapely.box(0, 0, 10, 10), shapely.box(0, 0, 10, 13)
    >>> hausdorff_distance(a, b), float(shapely.hausdorff_distance(a, b))
    (3.0, 3.0)
    """
    def directed(x: BaseGeometry, y: BaseGeometry) -> float:
        points = shapely.points(shapely.get_coordinates(x))
        tree = shapely.STRtree(_segments(y))
        _, distances = tree.query_nearest(points, return_distance=True, all_matches=False)
        return float(distances.max()) if len(distances) else 0.0

    if a.is_empty or b.is_empty:
        return 0.0
    a, b = _simplified(a, tolerance), _simplified(b, tolerance)
    return max(directed(a, b), directed(b, a))


def _simplified(geometry: BaseGeometry, tolerance: float) -> BaseGeometry:
    if tolerance <= 0 or shapely.get_num_coordinates(geometry) <= HAUSDORFF_VERTICES:
        return geometry
    return shapely.simplify(_linework(geometry), tolerance, preserve_topology=False)


#: Points sampled along each line for a line's mean displacement.
LINE_SAMPLES = 256


def _mean_distance(a: BaseGeometry, b: BaseGeometry) -> float:
    """The mean distance between two lines (metric CRS): each sampled at LINE_SAMPLES evenly
    spaced points and measured to the other, both ways averaged."""
    fractions = np.linspace(0.0, 1.0, LINE_SAMPLES)
    there = shapely.distance(shapely.line_interpolate_point(a, fractions, normalized=True), b)
    back = shapely.distance(shapely.line_interpolate_point(b, fractions, normalized=True), a)
    return float((there.mean() + back.mean()) / 2)


def _clean(area_m2: float) -> float:
    return 0.0 if abs(area_m2) < 1e-6 else area_m2


class _Compared(NamedTuple):
    """What comparing two geometries of a feature finds before any measurement is needed."""

    kind: str                   # "polygon", "line" or "point"
    same: bool                  # coordinate for coordinate
    hausdorff_m: float
    common_m2: float | None     # a polygon's common part (None when the same: the area before)
    mean_m: float | None        # a line's mean displacement


def _compare(before: BaseGeometry, after: BaseGeometry) -> _Compared:
    """The Hausdorff distance, and a polygon's common area or a line's mean distance."""
    polygonal = before.geom_type.endswith("Polygon") and after.geom_type.endswith("Polygon")
    linear = before.geom_type.endswith("LineString") and after.geom_type.endswith("LineString")
    kind = "polygon" if polygonal else "line" if linear else "point"
    if bool(shapely.equals_exact(before, after, 0.0)):
        return _Compared(kind, True, 0.0, None, 0.0 if linear else None)
    # Large outlines are simplified in lon/lat (to at most HAUSDORFF_TOLERANCE metres) before
    # they are projected: the projection is then of thousands of points, not millions.
    # Segments the simplification made long are cut to _SEGMENT_DEG first, so that,
    # projected, they stay within millimetres of the lon/lat segments they stand for.
    degrees = HAUSDORFF_TOLERANCE / MAX_METRES_PER_DEGREE

    def reduced(g: BaseGeometry) -> BaseGeometry:
        small = _simplified(g, degrees)
        return small if small is g else shapely.segmentize(small, _SEGMENT_DEG)

    hausdorff = hausdorff_distance(to_crs(reduced(before), LOCAL_CRS), to_crs(reduced(after), LOCAL_CRS),
                                   tolerance=0)
    # Gained and lost are what lies in one and not the other: the areas less their common
    # part. One overlay, one (usually single) polygon to measure, instead of two differences
    # of perhaps thousands of slivers each.
    common = polygonal_area(shapely.intersection(before, after)) if polygonal else None
    mean = _mean_distance(to_crs(before, LOCAL_CRS), to_crs(after, LOCAL_CRS)) if linear else None
    return _Compared(kind, False, hausdorff, common, mean)


def _feature_diff(feature_id: str, before: BaseGeometry, after: BaseGeometry, compared: _Compared,
                  side: str | None, statuses: tuple[tuple[Status, ...], tuple[Status, ...]],
                  area_perimeter: tuple[tuple[float, float], tuple[float, float]] | None) -> FeatureDiff:
    """The record of a comparison, with the areas and perimeters (measured here if not given)."""
    area_before = area_after = gained = lost = None
    mean = compared.mean_m
    if compared.kind == "polygon":
        (area_before, perim_before), (area_after, perim_after) = area_perimeter or (
            geodesic_area_perimeter(before), geodesic_area_perimeter(after))
        common = area_before if compared.common_m2 is None else compared.common_m2
        gained, lost = _clean(area_after - common), _clean(area_before - common)   # below 1 mm²: 0
        mean = (gained + lost) / ((perim_before + perim_after) / 2)
    return FeatureDiff(feature_id, compared.kind, side, before, after,
                       area_before, area_after, gained, lost, compared.hausdorff_m, mean,
                       int(shapely.get_num_coordinates(before)), int(shapely.get_num_coordinates(after)),
                       *statuses)


def diff_geometries(feature_id: str, before: BaseGeometry, after: BaseGeometry, *,
                    side: str | None = None, status_before: tuple[Status, ...] = (),
                    status_after: tuple[Status, ...] = (),
                    area_perimeter: tuple[tuple[float, float], tuple[float, float]] | None = None,
                    ) -> FeatureDiff:
    """Compare two WGS84 geometries of one feature.

    ``area_perimeter``, the geodesic (area, perimeter) of ``before`` and ``after`` if already
    measured, saves measuring them again.
    """
    return _feature_diff(feature_id, before, after, _compare(before, after), side,
                         (status_before, status_after), area_perimeter)


def diff_zones(old: Zone, new: Zone, ids: list[str] | None = None, *,
               after_measurements: list[Measurement] | Callable[[], list[Measurement]] | None = None,
               ) -> list[FeatureDiff]:
    """Compare every feature present in both zones (or those of ``ids``), in the new zone's order.

    ``after_measurements``, the new zone's measurements if already made, saves measuring it
    again. It may be a callable that returns them (``Future.result`` of their measuring in
    another thread): it is called once the geometries have been compared.
    """
    old_features = {b.id: b for b in old.features}
    old_lines = {ln.id: ln for ln in old.lines}
    lines = [(ln.id, old_lines[ln.id].geometry, ln.geometry) for ln in new.lines
             if ln.id in old_lines and (ids is None or ln.id in ids)]
    features = [(b.id, old_features[b.id].geometry, b.geometry, b.spec.side) for b in new.features
                if b.id in old_features and (ids is None or b.id in ids)]
    compared = [_compare(before, after) for _, before, after, *_ in lines + features]
    given = after_measurements() if callable(after_measurements) else after_measurements
    statuses: dict[str, dict[str, tuple[Status, ...]]] = {}
    measured: dict[str, dict[str, tuple[float, float]]] = {}
    for label, zone, ms in (("old", old, None), ("new", new, given)):
        ms = ms if ms is not None else measure_zone(zone)
        statuses[label] = {m.id: tuple(c.status for c in m.comparisons) for m in ms}
        measured[label] = {m.id: (m.geodesic_area_m2, m.perimeter_m) for m in ms
                           if isinstance(m, AreaMeasurement)}
    diffs = [_feature_diff(fid, before, after, found, None, ((), ()), None)
             for (fid, before, after), found in zip(lines, compared)]
    for (fid, before, after, side), found in zip(features, compared[len(lines):]):
        old_pair, new_pair = measured["old"].get(fid), measured["new"].get(fid)
        diffs.append(_feature_diff(fid, before, after, found, side,
                                   (statuses["old"][fid], statuses["new"][fid]),
                                   (old_pair, new_pair) if old_pair and new_pair else None))
    return diffs


def diff_paths(old: Path | str, new: Path | str, *, crs: str | None = None,
               layer: str | None = None, feature: str | None = None, where: str | None = None,
               old_options: ReadOptions | Mapping[str, Any] | None = None,
               new_options: ReadOptions | Mapping[str, Any] | None = None) -> Diff:
    """Compare two boundaries folders, or two boundary files of any supported format.

    Parameters
    ----------
    old, new : path
        Two boundaries folders, or two files (GeoJSON, Shapefile, GeoPackage, KML,
        FlatGeobuf, zipped or not).
    crs : str, optional
        The CRS of files that carry none (both of them).
    layer : str, optional
        The layer to read from files with several (both of them).
    feature, where : str, optional
        Read one feature of files that hold several (both of them; a file of one feature is
        read whole): the one whose id is ``feature``, or those whose property is as ``where``
        ("KEY=VALUE") says.
    old_options, new_options : ReadOptions or mapping, optional
        How to read one file alone (``{"crs": "EPSG:2326", "layer": "loop"}``): its keys
        replace the parameters above for that file, so a WGS84 GeoJSON compares with a DXF
        in metres, or a GeoJSON with one layer of a GeoPackage.

    Raises
    ------
    BoundaryError
        If either side cannot be read.
    """
    both = {"crs": crs, "layer": layer, "feature": feature, "where": where, "several_only": True}
    old_read = ReadOptions.of(old_options, **both)
    new_read = ReadOptions.of(new_options, **both)
    old, new = Path(old), Path(new)
    for path in (old, new):
        if not path.exists() and not str(path).startswith("zip:"):
            raise BoundaryError([Problem(path, None, "not found")])
    if old.is_dir() != new.is_dir():
        raise BoundaryError([Problem(new, None, "compare a folder with a folder, or a file with a file")])
    if old.is_dir():
        return Diff(tuple(diff_zones(load_zone(old), load_zone(new))), str(old), str(new))
    name = new_read.feature or old_read.feature or new.stem
    return Diff((diff_geometries(name, _read_either(old, old_read), _read_either(new, new_read)),),
                str(old), str(new))


def _read_either(path: Path, options: ReadOptions) -> BaseGeometry:
    """A file's polygon, or else its point (the polygon's problem told if neither)."""
    def read(kind: str) -> BaseGeometry:
        return read_with_options(path, kind, options).geometry

    try:
        return read("polygon")
    except BoundaryError as polygon_error:
        try:
            return read("point")
        except BoundaryError:
            raise polygon_error from None
