"""Areas and lengths against independent values: GeographicLib, pyproj's own
Geod.geometry_area_perimeter, and known geometry."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.ops import polylabel

import hetao
from hetao.model import StatedFigure
from hetao.geodesy import to_crs
from hetao.measurement import compare, geodesic_area_perimeter, grid_area, measure_zone
from hetao.zone import load_zone

from .helpers import POLYGON_IDS, SHIPPED, geographiclib_area, geographiclib_geometry, run


@pytest.fixture(scope="module")
def shipped_zone():
    return load_zone(SHIPPED)


@pytest.mark.parametrize("fid", POLYGON_IDS)
def test_geodesic_area_perimeter__shipped__matches_geographiclib(shipped_zone, fid):
    # The faces built from lines, and the union of two of them, as hetao loads them.
    geometry = shipped_zone.feature(fid).geometry
    area, perimeter = geodesic_area_perimeter(geometry)
    expected = geographiclib_geometry(geometry)
    assert area == pytest.approx(expected.area, rel=1e-9)
    assert perimeter == pytest.approx(expected.perimeter, rel=1e-9)


def test_measure_zone__shipped__union_matches_geographiclib_sum_of_parts(shipped_zone):
    by_id = {m.id: m for m in measure_zone(shipped_zone)}
    parts = [geographiclib_geometry(shipped_zone.feature(p).geometry).area
             for p in ("futian-bonded-zone", "huanggang-port-area")]
    # The parts do not overlap, so the union's area is the sum of theirs.
    assert shapely.intersection(shipped_zone.feature("futian-bonded-zone").geometry,
                                shipped_zone.feature("huanggang-port-area").geometry).area == 0
    assert by_id["shenzhen-park"].geodesic_area_m2 == pytest.approx(sum(parts), rel=1e-9)
    # Its uncertainty is its parts' together.
    assert by_id["shenzhen-park"].uncertainty_m2 == pytest.approx(
        by_id["futian-bonded-zone"].uncertainty_m2 + by_id["huanggang-port-area"].uncertainty_m2, rel=1e-12)


def test_measure_zone__loop__about_108_ha_and_reconciled_against_87(shipped_zone):
    by_id = {m.id: m for m in measure_zone(shipped_zone)}
    loop = by_id["hong-kong-park"]
    assert loop.geodesic_area_m2 / 1e4 == pytest.approx(107.94, abs=0.01)
    stated_87 = next(c for c in loop.comparisons if c.figure.value == 87 and c.figure.unit == "ha")
    # 87 ha is beyond the outline's tolerance, but within the land once the river is taken away.
    assert abs(stated_87.difference_ha) > stated_87.tolerance_ha
    assert stated_87.status == "reconciled" and stated_87.reconciled_status == "agrees"
    assert stated_87.difference_ha == pytest.approx(loop.geodesic_area_m2 / 1e4 - 87)
    assert stated_87.reconciled_difference_ha == pytest.approx(loop.reconciled.area_m2 / 1e4 - 87)
    assert loop.reconciled.low_m2 < 87e4 < loop.reconciled.high_m2


def test_measure_zone__plain_loop__explained_against_87(plain_folder):
    # The same outline as a plain geometry file, with no reconciling strips: the manifest's
    # explanation is all there is, as before.
    loop = measure_zone(load_zone(plain_folder.path))[0]
    assert loop.id == "hong-kong-park" and loop.reconciled is None
    assert loop.geodesic_area_m2 / 1e4 == pytest.approx(107.94, abs=0.01)
    assert [c.status for c in loop.comparisons] == ["explained"] * 5
    assert all(c.reconciled_status is None for c in loop.comparisons)


def test_measure__perimeter__pyprojs_exterior_perimeter_for_every_shipped_polygon():
    zone = hetao.load(SHIPPED)
    geod = Geod(ellps="WGS84")
    for m in hetao.measure(zone):
        if m.id not in POLYGON_IDS:
            continue
        oriented = shapely.orient_polygons(m.boundary.geometry, exterior_cw=False)
        area, perimeter = geod.geometry_area_perimeter(oriented)
        assert m.perimeter_m == pytest.approx(perimeter, rel=1e-12), m.id
        assert m.geodesic_area_m2 == pytest.approx(area, rel=1e-12), m.id
        # No holes in the shipped outlines: the boundary is the exterior.
        assert m.boundary_length_m == pytest.approx(m.perimeter_m, rel=1e-12), m.id


def test_measure__polygon_with_hole__perimeter_exterior_only_boundary_length_includes_hole(plain_folder):
    # A 150 m square hole in the middle of the Loop (a plain geometry file), made in code.
    folder = plain_folder
    loop = folder.shape("hong-kong-park")
    centre = polylabel(loop, 1e-7)
    d = 0.00075
    hole = [[centre.x - d, centre.y - d], [centre.x - d, centre.y + d], [centre.x + d, centre.y + d],
            [centre.x + d, centre.y - d], [centre.x - d, centre.y - d]]   # clockwise, as RFC 7946 wants
    folder.set_coordinates("hong-kong-park", [folder.ring("hong-kong-park"), hole])
    m = hetao.measure(hetao.load(folder.path))[0]
    expected = geographiclib_area([folder.ring("hong-kong-park"), hole])
    hole_only = geographiclib_area([hole])
    assert hole_only.perimeter > 600
    assert m.geodesic_area_m2 == pytest.approx(expected.area, rel=1e-9)
    assert m.perimeter_m == pytest.approx(expected.perimeter, rel=1e-9)
    assert m.boundary_length_m == pytest.approx(expected.perimeter + hole_only.perimeter, rel=1e-9)
    # pyproj's geometry_area_perimeter gives the exterior's perimeter too.
    _, pyproj_perimeter = Geod(ellps="WGS84").geometry_area_perimeter(m.boundary.geometry)
    assert m.perimeter_m == pytest.approx(pyproj_perimeter, rel=1e-12)
    # The uncertainty counts every edge that can be wrong: the hole's too.
    accuracy = folder.entry(folder.manifest(), "hong-kong-park")["provenance"]["positional_accuracy_m"]
    assert accuracy == pytest.approx(10, rel=1e-6)    # every line of the Loop is good to 10 m
    assert m.uncertainty_m2 == pytest.approx(m.boundary_length_m * accuracy, rel=1e-12)
    # The CLI reports both.
    rec = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)[0]
    assert rec["perimeter_m"] == pytest.approx(expected.perimeter, rel=1e-9)
    assert rec["boundary_length_m"] == pytest.approx(expected.boundary_length, rel=1e-9)


def test_geodesic_area_perimeter__clockwise_ring__same_as_counter_clockwise():
    ring = [(114.0, 22.5), (114.01, 22.5), (114.01, 22.51), (114.0, 22.51), (114.0, 22.5)]
    ccw = geodesic_area_perimeter(shapely.Polygon(ring))
    cw = geodesic_area_perimeter(shapely.Polygon(ring[::-1]))
    assert ccw[0] > 0
    assert cw == pytest.approx(ccw, rel=1e-12)


def test_geodesic_area_perimeter__polygon_with_hole__shell_minus_hole():
    shell = [[114.0, 22.5], [114.02, 22.5], [114.02, 22.52], [114.0, 22.52], [114.0, 22.5]]
    hole = [[114.005, 22.505], [114.005, 22.51], [114.01, 22.51], [114.01, 22.505], [114.005, 22.505]]
    area, perimeter = geodesic_area_perimeter(shapely.Polygon(shell, [hole]))
    expected = geographiclib_area([shell, hole])
    assert area == pytest.approx(expected.area, rel=1e-9)
    assert area == pytest.approx(geographiclib_area([shell]).area - geographiclib_area([hole]).area, rel=1e-9)
    assert perimeter == pytest.approx(geographiclib_area([shell]).perimeter, rel=1e-9)


def test_geodesic_area_perimeter__multipolygon__sum_of_parts():
    a, b = shapely.box(114.0, 22.5, 114.01, 22.51), shapely.box(114.03, 22.5, 114.05, 22.52)
    area, perimeter = geodesic_area_perimeter(shapely.MultiPolygon([a, b]))
    expected = geographiclib_geometry(shapely.MultiPolygon([a, b]))
    assert area == pytest.approx(expected.area, rel=1e-9)
    assert perimeter == pytest.approx(expected.perimeter, rel=1e-9)


def test_grid_area__official_grids__close_to_geodesic_unlike_web_mercator(shipped_zone):
    zone = shipped_zone
    loop = zone.feature("hong-kong-park").geometry
    geodesic, _ = geodesic_area_perimeter(loop)
    # The official grids have scale factors within 1e-4 of one here.
    assert grid_area(loop, "EPSG:2326") == pytest.approx(geodesic, rel=1e-3)
    assert grid_area(loop, "EPSG:4547") == pytest.approx(geodesic, rel=1e-3)
    # Web Mercator inflates by sec²(latitude): about 17 % at 22.5°N.
    assert 1.17 < to_crs(loop, "EPSG:3857").area / geodesic < 1.18


def test_to_crs__hk1980__easting_first():
    point = to_crs(shapely.Point(114.0787, 22.5197), "EPSG:2326")
    # HK1980 Grid: eastings around 830 km, northings around 840 km here.
    assert 825_000 < point.x < 835_000
    assert 838_000 < point.y < 846_000


def test_to_crs__cgcs2000_shortcut__same_pipeline_as_from_wgs84():
    point = shapely.Point(114.0657, 22.5169)
    full = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    ours = to_crs(point, "EPSG:4547")
    assert (ours.x, ours.y) == full.transform(point.x, point.y)


@pytest.mark.parametrize(("figure", "measured_ha", "uncertainty_ha", "explanation", "status"), [
    (StatedFigure(87, "ha", "s"), 87.4, 0.0, None, "agrees"),          # within rounding
    (StatedFigure(87, "ha", "s"), 87.6, 0.0, None, "differs"),
    (StatedFigure(87, "ha", "s"), 90.0, 3.0, None, "agrees"),          # within uncertainty
    (StatedFigure(87, "ha", "s"), 107.9, 4.7, "river water", "explained"),
    (StatedFigure(87, "ha", "s"), 107.9, 4.7, None, "differs"),
    (StatedFigure(88, "ha", "s", approx=True), 92.0, 0.0, None, "agrees"),  # "about": 5 %
    (StatedFigure(3.02, "km2", "s", decimals=2), 302.4, 0.0, None, "agrees"),
    (StatedFigure(31000, "m2", "s", quantity="gross floor area"), 10.0, 0.0, None, "not_comparable"),
], ids=["within-rounding", "beyond-rounding", "within-uncertainty", "explained", "unexplained", "about-5-percent",
        "km2-two-decimals", "floor-area"])
def test_compare__statuses(figure, measured_ha, uncertainty_ha, explanation, status):
    result = compare(figure, measured_ha * 1e4, uncertainty_ha * 1e4, explanation)
    assert result.status == status
    if status == "not_comparable":
        assert result.difference_ha is None and result.difference_pct is None
    else:
        assert result.difference_ha == pytest.approx(measured_ha - figure.value_ha)
        assert result.difference_pct == pytest.approx(100 * (measured_ha - figure.value_ha) / figure.value_ha)


@pytest.mark.parametrize(("stated_ha", "explanation", "status", "reconciled_status"), [
    (87, None, "reconciled", "agrees"),              # in the land's range: no explanation needed
    (87, "river water", "reconciled", "agrees"),
    (79.5, None, "reconciled", "agrees"),            # in the range widened by the tolerance (79.45)
    (79.4, None, "differs", "differs"),              # just below it
    (79.4, "river water", "explained", "differs"),   # ... but the manifest says why
    (108, None, "agrees", "differs"),                # agrees with the outline itself
], ids=["in-range", "in-range-explained", "widened-edge", "below-range", "below-range-explained", "outline"])
def test_compare__reconciled_range__statuses(stated_ha, explanation, status, reconciled_status):
    from hetao.model import Reconciled

    land = Reconciled("river water", "land", 86.2e4, 80.1e4, 93.9e4, shapely.Point(114.07, 22.51))
    figure = StatedFigure(stated_ha, "ha", "s", decimals=0 if isinstance(stated_ha, int) else 1)
    result = compare(figure, 107.9e4, 0.6e4, explanation, land)
    assert result.tolerance_ha == pytest.approx(figure.tolerance_ha + 0.6)
    assert (result.status, result.reconciled_status) == (status, reconciled_status)
    assert result.difference_ha == pytest.approx(107.9 - stated_ha)
    assert result.reconciled_difference_ha == pytest.approx(86.2 - stated_ha)


@pytest.mark.parametrize("source, target", sorted(__import__("hetao.geodesy").geodesy.PIPELINES))
def test_stored_pipelines__as_proj_resolves_them__same_coordinates(source, target):
    """The pipelines hetao builds its transformers from (no look-up in PROJ's database on
    every run) are the ones PROJ resolves for the pair, WGS84 -> CGCS2000 grid from CGCS2000's
    lon/lat (the same identity PROJ falls back to after a slow search)."""
    from pyproj import Transformer

    from hetao import geodesy

    start = geodesy._SAME_PIPELINE.get((source, target), source)
    resolved = Transformer.from_crs(start, target, always_xy=True)
    assert geodesy.PIPELINES[source, target] == resolved.definition
    stored = Transformer.from_pipeline(geodesy.PIPELINES[source, target])
    x, y = (114.066, 22.515) if source.startswith("EPSG") else (1234.5, -678.9)
    assert stored.transform(x, y) == resolved.transform(x, y)
