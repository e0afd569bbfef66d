"""The shortcuts that keep swaps and diffs fast on large outlines give the slow path's answers:
GEOS reading a plain GeoJSON file as GDAL does, the Hausdorff distance within its stated
tolerance of exact, the overlap check finding one wide part among many slivers, and the
overlap of a large outline computed on it clipped to where the other side is."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod

import hetao.importer as importer
from hetao.checks import CLIP_VERTICES, SLIVER_WIDTH_M, _clipped_intersection, _extent, _intersection_window
from hetao._diff import HAUSDORFF_TOLERANCE, HAUSDORFF_VERTICES, diff_geometries
from hetao.geodesy import LOCAL_CRS, to_crs
from hetao.measurement import geodesic_area_perimeter

from .helpers import feature_collection

M_LON = 111_320 * math.cos(math.radians(22.5))   # metres per degree of longitude, about
M_LAT = 110_570.0


def wavy_square(vertices: int, amplitude_m: float = 0.3, seed: int = 1) -> shapely.Polygon:
    """A 400 m square near the Loop, its edges densified and moved across by a wave and jitter."""
    rng = np.random.default_rng(seed)
    corners = np.array([[0, 0], [400, 0], [400, 400], [0, 400], [0, 0]], dtype=float)
    parts = []
    per_edge = vertices // 4
    for a, b in zip(corners[:-1], corners[1:]):
        s = np.arange(per_edge) / per_edge
        normal = np.array([-(b - a)[1], (b - a)[0]]) / 400
        offset = amplitude_m * np.sin(s * 400 / 3) * np.minimum(1, np.minimum(s, 1 - s) * 40)
        offset += rng.uniform(-0.02, 0.02, per_edge) * (np.minimum(s, 1 - s) > 0.01)
        parts.append(a + s[:, None] * (b - a) + offset[:, None] * normal)
    local = np.concatenate(parts + [corners[:1]])
    return shapely.Polygon(np.column_stack([114.06 + local[:, 0] / M_LON, 22.50 + local[:, 1] / M_LAT]))


@pytest.mark.parametrize("geometry, form", [
    (shapely.box(114.06, 22.50, 114.07, 22.51), "collection"),
    (shapely.MultiPolygon([shapely.box(114.06, 22.50, 114.07, 22.51),
                           shapely.box(114.08, 22.50, 114.09, 22.51)]), "collection"),
    (shapely.Polygon([(114.06, 22.50, 3.0), (114.07, 22.50, 3.0), (114.07, 22.51, 4.0)]), "feature"),
    (shapely.box(114.06, 22.50, 114.07, 22.51), "two features"),
])
def test_read_boundary__plain_geojson__geos_reads_what_gdal_reads(tmp_path, monkeypatch, geometry, form):
    data = feature_collection(geometry)
    if form == "feature":
        data = data["features"][0]
    elif form == "two features":
        data["features"].append(feature_collection(shapely.box(114.07, 22.50, 114.08, 22.51))["features"][0])
    path = tmp_path / "outline.geojson"
    path.write_text(json.dumps(data))
    fast = importer.read_boundary(path, "polygon", "loop")
    assert importer._plain_geojson(path) is not None
    monkeypatch.setattr(importer, "_plain_geojson", lambda p: None)
    gdal = importer.read_boundary(path, "polygon", "loop")
    assert shapely.equals_exact(fast.geometry, gdal.geometry, 0.0)
    assert (fast.notes, fast.driver, fast.source_crs) == (gdal.notes, gdal.driver, gdal.source_crs)


@pytest.mark.parametrize("text", [
    '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:2326"}}, '
    '"features": []}',
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": null}]}',
    '{"type": "GeometryCollection", "geometries": []}',
    '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}',
    # A Feature holding a GeometryCollection, "FeatureCollection" only in a property.
    '{"type": "Feature", "properties": {"note": "not a \\"FeatureCollection\\""}, "geometry": '
    '{"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [114.06, 22.5]}]}}',
])
def test_plain_geojson__anything_unusual__left_to_gdal(tmp_path, text):
    path = tmp_path / "outline.geojson"
    path.write_text(text)
    assert importer._plain_geojson(path) is None


def test_diff__large_outline__hausdorff_within_tolerance_of_exact():
    big = wavy_square(HAUSDORFF_VERTICES + 20_000)
    small = shapely.affinity.translate(shapely.box(114.06, 22.50, 114.06 + 400 / M_LON, 22.50 + 400 / M_LAT),
                                       1.5 / M_LON, 0)
    exact = float(shapely.hausdorff_distance(to_crs(big, LOCAL_CRS), to_crs(small, LOCAL_CRS)))
    diff = diff_geometries("square", small, big)
    assert 1.0 < exact < 2.5
    assert abs(diff.hausdorff_m - exact) <= HAUSDORFF_TOLERANCE + 1e-6


def test_diff__same_outline__nothing_moved_and_areas_as_measured():
    big = wavy_square(HAUSDORFF_VERTICES + 20_000)
    diff = diff_geometries("square", big, shapely.Polygon(big.exterior.coords))
    assert diff.hausdorff_m == 0 and diff.gained_m2 == 0 and diff.lost_m2 == 0
    assert diff.area_before_m2 == diff.area_after_m2
    # The areas as measuring gives them (measuring itself is checked against GeographicLib on
    # the shipped polygons, tests/test_measurement.py: its pure-Python oracle would take
    # seconds on these 70,000 vertices).
    assert diff.area_after_m2 == geodesic_area_perimeter(big)[0]


def _teeth(count: int, depth_m: float, width_m: float, wide_at: int | None = None,
           wide_m: float = 1.0) -> shapely.Polygon:
    """A polygon north of y = 0 whose southern edge has ``count`` triangular teeth reaching
    ``depth_m`` below it (``width_m`` wide); the tooth ``wide_at`` is ``wide_m`` deep and wide."""
    xs, ys = [0.0], [0.0]
    for i in range(count):
        x0 = 2.0 * i + 0.5
        depth, width = (wide_m, wide_m) if i == wide_at else (depth_m, width_m)
        xs += [x0, x0 + width / 2, x0 + width]
        ys += [0.0, -depth, 0.0]
    xs += [2.0 * count, 2.0 * count, 0.0]
    ys += [0.0, 50.0, 50.0]
    return shapely.Polygon(np.column_stack([114.06 + np.array(xs) / M_LON, 22.50 + np.array(ys) / M_LAT]))


@pytest.mark.parametrize("wide_at, wide_m", [(None, 0), (0, 1.0), (1500, 0.3)])
def test_extent__thousands_of_slivers__one_wide_part_is_found_wherever_it_is(wide_at, wide_m):
    """Teeth 0.06 m wide and 5 m deep are slivers (narrower than SLIVER_WIDTH_M) but large
    enough to be shrunk one by one; a 0.3 m tooth is wide but smaller in area than every
    sliver, so it is the last one looked at."""
    assert SLIVER_WIDTH_M > 0.06
    south = shapely.box(114.06, 22.50 - 50 / M_LAT, 114.06 + 6000 / M_LON, 22.50)
    overlap = shapely.intersection(south, _teeth(3000, 5.0, 0.06, wide_at, wide_m))
    parts = shapely.get_parts(overlap)
    assert (shapely.get_type_id(parts) == 3).sum() == 3000
    area, found = _extent(overlap)
    assert found is (wide_at is not None)
    # Over 200 parts, summed in the local projection: within 0.01 % of geodesic (GeographicLib's
    # C implementation, through pyproj: its Python version takes half a second on 3,000 parts).
    geodesic = sum(abs(Geod(ellps="WGS84").polygon_area_perimeter(*p.exterior.xy)[0])
                   for p in parts[shapely.get_type_id(parts) == 3])
    assert area == pytest.approx(geodesic, rel=1e-4)
    assert area == pytest.approx((3000 - (wide_at is not None)) * 0.15 + wide_m ** 2 / 2, rel=1e-2)


def test_diff__large_outline_simplified_to_long_segments__hausdorff_still_within_tolerance():
    """A 12 km square of 60,000 vertices against its 5 corners: the simplified square's sides
    are 12 km long, and projected as chords they would pass 1.2 m from its true sides."""
    square = shapely.box(114.0, 22.45, 114.12, 22.57)
    dense = shapely.segmentize(square, 0.48 / 60_000)
    assert shapely.get_num_coordinates(dense) > HAUSDORFF_VERTICES
    exact = float(shapely.hausdorff_distance(to_crs(dense, LOCAL_CRS), to_crs(square, LOCAL_CRS)))
    assert exact > 1.0
    assert abs(diff_geometries("square", dense, square).hausdorff_m - exact) <= HAUSDORFF_TOLERANCE


def _local_box(x0: float, y0: float, x1: float, y1: float, turn: float = 20.0) -> shapely.Polygon:
    """A box given in metres east and north of wavy_square's south-west corner, turned by
    ``turn`` degrees (so that no clip line runs along one of its edges)."""
    box = shapely.box(114.06 + x0 / M_LON, 22.50 + y0 / M_LAT, 114.06 + x1 / M_LON, 22.50 + y1 / M_LAT)
    return shapely.affinity.rotate(box, turn)


@pytest.mark.parametrize("other, clipped", [
    # Across the wavy east edge (slivers where the wave crosses), and its inside.
    (_local_box(300, 100, 401, 200), True),
    # Along the north edge, on a 2 m strip: only the wave's crests reach it.
    (_local_box(50, 400.1, 350, 402, turn=0.01), True),
    # Deep inside, far from any of the square's vertices: the intersection is the box itself.
    (_local_box(150, 150, 250, 250), True),
    # Two parts: one across the south edge, one outside altogether.
    (shapely.union(_local_box(100, -5, 120, 5), _local_box(500, 0, 600, 50)), True),
    # Apart from it: no intersection.
    (_local_box(500, 0, 600, 50), False),
])
def test_clipped_intersection__large_outline__same_polygons_as_unclipped(other, clipped):
    square = wavy_square(CLIP_VERTICES * 4)
    window = _intersection_window(square, other)
    assert (window is not None) is clipped
    if window is not None:     # the clip is exercised: it leaves out most of the square
        assert shapely.get_num_coordinates(shapely.clip_by_rect(square, *window)) < 0.6 * shapely.get_num_coordinates(square)
    for a, b in ((square, other), (other, square)):
        exact = shapely.intersection(a, b)
        fast = _clipped_intersection(a, b)
        assert shapely.equals_exact(shapely.normalize(fast), shapely.normalize(exact), 0.0)
        assert _extent(fast) == _extent(exact)
