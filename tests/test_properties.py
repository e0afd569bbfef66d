"""Property-based tests: areas keep their invariants, validation only ever raises our own errors."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hetao.errors import HetaoError
from hetao.files import read_json
from hetao.geometry import geometry_from_geojson, read_geometry_file
from hetao.manifest import load_manifest
from hetao.measurement import geodesic_area_perimeter

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def star_polygons(draw):
    """Valid star-shaped rings of 3-40 vertices around a centre near the zone (CCW)."""
    cx = draw(st.floats(113.9, 114.2))
    cy = draw(st.floats(22.4, 22.6))
    n = draw(st.integers(3, 40))
    angles = sorted(draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=n, max_size=n,
                                  unique_by=lambda a: round(a, 3))))
    radii = draw(st.lists(st.floats(0.0005, 0.01), min_size=len(angles), max_size=len(angles)))
    ring = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a, r in zip(angles, radii)]
    polygon = shapely.Polygon(ring)
    if not polygon.is_valid or polygon.area < 1e-9:
        from hypothesis import assume
        assume(False)
    return ring


@SETTINGS
@given(star_polygons(), st.integers(0, 39), st.integers(0, 39))
def test_area__invariant_under_rotation_reversal_duplication(ring, shift, dup):
    base, base_perimeter = geodesic_area_perimeter(shapely.Polygon(ring))
    k = shift % len(ring)
    rotated = ring[k:] + ring[:k]
    d = dup % len(ring)
    duplicated = ring[:d + 1] + [ring[d]] + ring[d + 1:]
    for variant in (rotated, rotated[::-1], duplicated):
        area, perimeter = geodesic_area_perimeter(shapely.Polygon(variant))
        assert area == pytest.approx(base, rel=1e-9)
        assert perimeter == pytest.approx(base_perimeter, rel=1e-9)


@SETTINGS
@given(st.floats(113.9, 114.2), st.floats(22.4, 22.6), st.floats(0.002, 0.02),
       st.lists(st.tuples(st.floats(0.1, 0.4), st.floats(0.1, 0.4), st.floats(0.02, 0.08)), min_size=1, max_size=4))
def test_area__polygon_with_holes_is_shell_minus_holes(x, y, size, hole_specs):
    shell = shapely.box(x, y, x + size, y + size)
    holes = []
    for i, (fx, fy, fs) in enumerate(hole_specs):
        # Holes in separate columns of the shell, so they never touch.
        left = x + size * (i / len(hole_specs) + 0.02)
        hole = shapely.box(left, y + fy * size, left + fs * size / len(hole_specs), y + (fy + fs) * size)
        holes.append(hole)
    polygon = shapely.Polygon(shell.exterior.coords, [h.exterior.coords for h in holes])
    assert polygon.is_valid
    expected = geodesic_area_perimeter(shell)[0] - sum(geodesic_area_perimeter(h)[0] for h in holes)
    assert geodesic_area_perimeter(polygon)[0] == pytest.approx(expected, rel=1e-9)


@SETTINGS
@given(st.floats(-179, 179), st.floats(-80, 80), st.floats(1e-5, 0.5))
def test_area__small_squares_match_geographiclib(lon, lat, side):
    square = shapely.box(lon, lat, lon + side, lat + side)
    poly = Geodesic.WGS84.Polygon()
    for x, y in list(square.exterior.coords)[:-1]:
        poly.AddPoint(y, x)
    _, perimeter, area = poly.Compute(False, True)
    ours = geodesic_area_perimeter(square)
    assert ours[0] == pytest.approx(abs(area), rel=1e-9, abs=1e-6)  # roundoff on sub-m² squares
    assert ours[1] == pytest.approx(perimeter, rel=1e-9)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.sampled_from(["type", "coordinates", "features", "geometry", "properties", "id", "crs", "x"]),
        children, max_size=5),
    max_leaves=30)
geometry_like = st.fixed_dictionaries({
    "type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "LineString", "Feature", "x"]),
    "coordinates": json_like})


@SETTINGS
@given(st.one_of(json_like, geometry_like), st.sampled_from(["polygon", "point", "context"]))
def test_validation__arbitrary_json__only_our_errors(obj, kind):
    try:
        geometry_from_geojson(obj, kind)
    except HetaoError as exc:
        assert all("\n" not in line for line in str(exc).splitlines())


@SETTINGS
@given(st.one_of(json_like, st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                                                    "features": st.lists(json_like, max_size=2)})))
def test_read_geometry_file__arbitrary_json_file__only_our_errors(tmp_path, obj):
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(obj))
    try:
        read_geometry_file(path, "f", "polygon")
    except HetaoError:
        pass


@SETTINGS
@given(st.binary(max_size=200))
def test_read_json__arbitrary_bytes__only_our_errors(tmp_path, data):
    path = tmp_path / "f.json"
    path.write_bytes(data)
    try:
        read_json(path)
    except HetaoError:
        pass


@SETTINGS
@given(st.fixed_dictionaries({"features": st.lists(st.dictionaries(
    st.sampled_from(["id", "name", "side", "kind", "geometry", "union_of", "part_of", "provenance",
                     "stated", "approximate", "notes", "explanation"]), json_like, max_size=8), max_size=3)}))
def test_load_manifest__arbitrary_entries__only_our_errors(tmp_path, manifest):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    try:
        load_manifest(tmp_path)
    except HetaoError:
        pass
