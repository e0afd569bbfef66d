"""Property-based tests: areas keep their invariants; validation of any input either
succeeds with a good geometry or raises a BoundaryError of one line per problem, each
naming the file."""

from __future__ import annotations

import json
import math
import os

import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hetao.errors import BoundaryError
from hetao.files import read_json
from hetao.geojson import ALLOWED_TYPES, geometry_from_geojson, read_geometry_file
from hetao.manifest import load_manifest
from hetao.measurement import geodesic_area_perimeter

#: Random examples on a developer's machine; the same examples on every CI run (derandomized),
#: so that CI passes or fails on the code, not on the draw.
SETTINGS = settings(max_examples=40, deadline=None, derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_one_line_per_problem(exc: BoundaryError, file: str) -> None:
    """What every BoundaryError promises: its problems, one line each, each naming the file."""
    assert exc.problems, "a BoundaryError with no problem"
    assert str(exc).splitlines() == exc.problems
    for problem in exc.problems:
        assert problem.startswith(f"{file}: "), problem


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
    assume(polygon.is_valid and polygon.area > 1e-9)
    return ring


@SETTINGS
@given(star_polygons(), st.integers(0, 39), st.integers(0, 39))
def test_geodesic_area_perimeter__rotation_reversal_duplication__same_area_and_perimeter(ring, shift, dup):
    base, base_perimeter = geodesic_area_perimeter(shapely.Polygon(ring))
    assert base > 0
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
def test_geodesic_area_perimeter__polygon_with_holes__shell_minus_holes(x, y, size, hole_specs):
    shell = shapely.box(x, y, x + size, y + size)
    holes = []
    for i, (_fx, fy, fs) in enumerate(hole_specs):
        # Holes in separate columns of the shell, so they never touch.
        left = x + size * (i / len(hole_specs) + 0.02)
        holes.append(shapely.box(left, y + fy * size, left + fs * size / len(hole_specs), y + (fy + fs) * size))
    polygon = shapely.Polygon(shell.exterior.coords, [h.exterior.coords for h in holes])
    assert polygon.is_valid
    area, perimeter = geodesic_area_perimeter(polygon)
    shell_area, shell_perimeter = geodesic_area_perimeter(shell)
    assert area == pytest.approx(shell_area - sum(geodesic_area_perimeter(h)[0] for h in holes), rel=1e-9)
    assert perimeter == pytest.approx(shell_perimeter, rel=1e-12)   # the exterior's only


@SETTINGS
@given(st.floats(-179, 179), st.floats(-80, 80), st.floats(1e-5, 0.5))
def test_geodesic_area_perimeter__squares_anywhere__match_geographiclib(lon, lat, side):
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
#: Near-valid geometries: boxes near (or far from) the zone, some broken on purpose.
near_valid = st.builds(
    lambda x, y, w, closed: {"type": "Polygon", "coordinates": [
        [[x, y], [x + w, y], [x + w, y + w], [x, y + w]] + ([[x, y]] if closed else [])]},
    st.floats(113.9, 114.3), st.floats(22.3, 22.7), st.floats(-0.01, 0.01), st.booleans())


@SETTINGS
@given(st.one_of(json_like, geometry_like, near_valid), st.sampled_from(["polygon", "point", "context"]))
def test_geometry_from_geojson__arbitrary_json__good_geometry_or_one_line_per_problem(obj, kind):
    try:
        geometry = geometry_from_geojson(obj, kind, file="f.geojson", feature_id="x")
    except BoundaryError as exc:
        assert_one_line_per_problem(exc, "f.geojson")
        for problem in exc.problems:
            assert problem.startswith("f.geojson: feature 'x': ")
    else:
        assert geometry.geom_type in ALLOWED_TYPES[kind]
        assert geometry.is_valid and not geometry.is_empty
        assert not shapely.has_z(geometry)


@SETTINGS
@given(st.one_of(json_like, st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                                                    "features": st.lists(json_like, max_size=2)})))
def test_read_geometry_file__arbitrary_json_file__good_geometry_or_one_line_per_problem(tmp_path, obj):
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(obj))
    try:
        geometry = read_geometry_file(path, "f", "polygon")
    except BoundaryError as exc:
        assert_one_line_per_problem(exc, str(path))
    else:
        assert geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.is_valid


@SETTINGS
@given(st.one_of(st.binary(max_size=200), st.text(max_size=60).map(str.encode),
                 json_like.map(lambda o: json.dumps(o).encode())))
def test_read_json__arbitrary_bytes__the_json_or_one_problem_naming_the_file(tmp_path, data):
    path = tmp_path / "f.json"
    path.write_bytes(data)
    try:
        value = read_json(path)
    except BoundaryError as exc:
        assert_one_line_per_problem(exc, str(path))
        assert len(exc.problems) == 1
    else:
        # Only UTF-8 JSON without NaN or Infinity is read, and read as json reads it.
        text = data.decode("utf-8-sig")
        assert value == json.loads(text)
        json.dumps(value, allow_nan=False)     # raises ValueError on a NaN or an Infinity


@SETTINGS
@given(st.fixed_dictionaries({"features": st.lists(st.dictionaries(
    st.sampled_from(["id", "name", "side", "kind", "geometry", "union_of", "part_of", "provenance",
                     "stated", "approximate", "notes", "explanation", "bounded_by", "reconcile"]), json_like,
    max_size=8), max_size=3)}))
def test_load_manifest__arbitrary_entries__manifest_or_one_line_per_problem(tmp_path, manifest):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    try:
        loaded = load_manifest(tmp_path)
    except BoundaryError as exc:
        assert_one_line_per_problem(exc, str(tmp_path / "manifest.json"))
    else:
        assert [spec.id for spec in loaded.features] == [e["id"] for e in manifest["features"]]


#: ``bounded_by`` and ``reconcile`` of the real shapes, or near them, or anything.
_line_ids = st.sampled_from(["road-a", "road-b", "road-c"])
_near_ids = st.sampled_from(["road-a", "road-b", "nowhere", "block", ""])
_bounded_by = st.one_of(
    st.dictionaries(st.sampled_from(["north", "east", "south", "west"]), st.lists(_line_ids, min_size=1, max_size=2),
                    min_size=2, max_size=4),
    st.lists(st.one_of(_line_ids, st.lists(_line_ids, min_size=1, max_size=2)), min_size=2, max_size=4),
    st.dictionaries(st.sampled_from(["north", "east", "south", "west", "north-west", "up"]),
                    st.one_of(_near_ids, st.lists(_near_ids, max_size=3), json_like), max_size=5),
    st.lists(st.one_of(_near_ids, st.lists(_near_ids, max_size=2), json_like), max_size=5),
    json_like)
_strip = st.fixed_dictionaries({
    "edge": st.one_of(st.sampled_from(["north", "east", "south", "west", "edge 1", "edge 2"]), json_like),
    "width_m": st.one_of(st.floats(-10, 200), json_like),
    "range_m": st.one_of(st.lists(st.floats(-10, 300), min_size=2, max_size=2), st.lists(st.floats(-10, 300)),
                         json_like)})
_good_strip = st.builds(
    lambda edge, width, below, above: {"edge": edge, "width_m": width, "range_m": [width * below, width + above]},
    st.sampled_from(["north", "east", "south", "west", "edge 1", "edge 2"]), st.floats(1, 200),
    st.floats(0, 1), st.floats(0, 100))
_strip = st.one_of(_good_strip, _strip)
_reconcile = st.one_of(st.fixed_dictionaries({
    "what": st.just("river water"), "reading": st.just("land"), "source": st.just("s"),
    "strips": st.lists(_good_strip, min_size=1, max_size=2)}), st.fixed_dictionaries({
    "what": st.one_of(st.just("river water"), json_like), "reading": st.just("land"), "source": st.just("s"),
    "strips": st.one_of(st.lists(_strip, min_size=1, max_size=3), json_like)}), json_like)


@SETTINGS
@given(_bounded_by, st.one_of(st.none(), _reconcile), st.sampled_from(["polygon", "point", "line"]))
def test_load_manifest__arbitrary_bounded_by_and_reconcile__manifest_or_one_line_per_problem(
        tmp_path, bounded_by, reconcile, kind):
    prov = {"source": "s", "licence": "l", "method": "m", "date": "2026", "positional_accuracy_m": 10}
    block = {"id": "block", "name": {"en": "Block", "zh": "街区"}, "side": "shenzhen", "kind": kind,
             "bounded_by": bounded_by, "provenance": prov}
    if reconcile is not None:
        block["reconcile"] = reconcile
    lines = [{"id": lid, "kind": "line", "name": {"en": lid, "zh": "路"}, "geometry": f"lines/{lid}.geojson",
              "provenance": prov} for lid in ("road-a", "road-b", "road-c")]
    (tmp_path / "manifest.json").write_text(json.dumps({"features": [block, *lines]}))
    try:
        loaded = load_manifest(tmp_path)
    except BoundaryError as exc:
        assert_one_line_per_problem(exc, str(tmp_path / "manifest.json"))
    else:
        spec = loaded.feature("block")
        assert spec.kind == "polygon" and len(spec.bounded_by) >= 2
        assert all(lid in ("road-a", "road-b", "road-c") for _, ids in spec.bounded_by for lid in ids)
        if spec.reconcile is not None:
            labels = [label for label, _ in spec.bounded_by]
            for strip in spec.reconcile.strips:
                assert strip.edge in labels and 0 <= strip.range_m[0] <= strip.width_m <= strip.range_m[1]
