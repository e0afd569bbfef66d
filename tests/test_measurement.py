"""Areas and lengths against independent values: GeographicLib, pyproj's own
Geod.geometry_area_perimeter, and known geometry."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.ops import polylabel

import hetao
from hetao.manifest import StatedFigure
from hetao.measurement import compare, geodesic_area_perimeter, grid_area, measure_zone, to_crs
from hetao.zone import load_zone

from .helpers import POLYGON_IDS, SHIPPED, geographiclib_area, geographiclib_geometry, run


def shipped_polygons():
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    for entry in manifest["features"]:
        if entry["kind"] == "polygon" and "geometry" in entry:
            data = json.loads((SHIPPED / entry["geometry"]).read_text())
            yield pytest.param(entry["id"], data["features"][0]["geometry"], id=entry["id"])


@pytest.mark.parametrize(("fid", "geometry"), list(shipped_polygons()))
def test_geodesic_area_perimeter__shipped__matches_geographiclib(fid, geometry):
    area, perimeter = geodesic_area_perimeter(shapely.geometry.shape(geometry))
    expected = geographiclib_area(geometry["coordinates"])
    assert area == pytest.approx(expected.area, rel=1e-9)
    assert perimeter == pytest.approx(expected.perimeter, rel=1e-9)


def test_measure_zone__shipped__union_matches_geographiclib_sum_of_parts():
    zone = load_zone(SHIPPED)
    by_id = {m.id: m for m in measure_zone(zone)}
    parts = [geographiclib_area(json.loads((SHIPPED / f"{p}.geojson").read_text())
                                ["features"][0]["geometry"]["coordinates"]).area
             for p in ("futian-bonded-zone", "huanggang-port-area")]
    # The parts do not overlap, so the union's area is the sum of theirs.
    assert by_id["shenzhen-park"].geodesic_area_m2 == pytest.approx(sum(parts), rel=1e-9)


def test_measure_zone__loop__about_108_ha_and_explained_against_87():
    by_id = {m.id: m for m in measure_zone(load_zone(SHIPPED))}
    loop = by_id["hong-kong-park"]
    assert loop.geodesic_area_m2 / 1e4 == pytest.approx(107.94, abs=0.01)
    stated_87 = next(c for c in loop.comparisons if c.figure.value == 87 and c.figure.unit == "ha")
    assert stated_87.status == "explained"
    assert stated_87.difference_ha == pytest.approx(loop.geodesic_area_m2 / 1e4 - 87)


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


def test_measure__polygon_with_hole__perimeter_exterior_only_boundary_length_includes_hole(folder):
    # A 150 m square hole in the middle of the Loop, made in code.
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
    assert m.uncertainty_m2 == pytest.approx(m.boundary_length_m * 10, rel=1e-12)
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


def test_grid_area__official_grids__close_to_geodesic_unlike_web_mercator():
    zone = load_zone(SHIPPED)
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
    (StatedFigure(88, "ha", "s", approx=True), 92.0, 0.0, None, "agrees"),  # "about": 5 %
    (StatedFigure(3.02, "km2", "s", decimals=2), 302.4, 0.0, None, "agrees"),
    (StatedFigure(31000, "m2", "s", quantity="gross floor area"), 10.0, 0.0, None, "not_comparable"),
], ids=["within-rounding", "beyond-rounding", "within-uncertainty", "explained", "about-5-percent",
        "km2-two-decimals", "floor-area"])
def test_compare__statuses(figure, measured_ha, uncertainty_ha, explanation, status):
    result = compare(figure, measured_ha * 1e4, uncertainty_ha * 1e4, explanation)
    assert result.status == status
    if status == "not_comparable":
        assert result.difference_ha is None and result.difference_pct is None
    else:
        assert result.difference_ha == pytest.approx(measured_ha - figure.value_ha)
        assert result.difference_pct == pytest.approx(100 * (measured_ha - figure.value_ha) / figure.value_ha)
