"""hetao swap and hetao diff: official-style files in any format and CRS, history and undo."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from .conftest import run_hetao
from .test_measurement import geographiclib_area

PROVENANCE = ["--source", "test survey made in code", "--licence", "CC0-1.0", "--accuracy", "0.5"]
LOCAL = "+proj=aeqd +lat_0=22.515 +lon_0=114.066 +datum=WGS84 +units=m +no_defs"


def _loop(folder) -> shapely.Polygon:
    return shapely.geometry.shape(folder.geometry("hong-kong-park")["features"][0]["geometry"])


def _shifted(folder, dx=0.0005, dy=0.0002) -> shapely.Polygon:
    """The Loop moved by about 50 m: an 'updated survey' that really differs."""
    return shapely.affinity.translate(_loop(folder), dx, dy)


def _frame(geometries, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [f"piece {i}" for i in range(len(geometries))]},
                            geometry=list(geometries), crs="EPSG:4326").to_crs(crs)


def _expected_area(geometry_wgs84_in_file_crs, crs) -> float:
    """Independent: pyproj back to lon/lat, then GeographicLib, ring by ring."""
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    total = 0.0
    for polygon in shapely.get_parts(geometry_wgs84_in_file_crs):
        rings = [polygon.exterior, *polygon.interiors]
        coords = [[list(tr.transform(x, y)) for x, y in ring.coords] for ring in rings]
        total += geographiclib_area(coords)[0]
    return total


def _write(kind: str, tmp_path, folder):
    """Official-style files made in code; returns (path, extra args, frame in its CRS)."""
    shifted = _shifted(folder)
    if kind == "hk1980-geojson-crs":
        frame = _frame([shifted], "EPSG:2326")
        path = tmp_path / "loop.geojson"
        frame.to_file(path, driver="GeoJSON")
        assert '"crs"' in path.read_text()
        return path, [], frame
    if kind == "hk1980-geojson-no-crs":
        frame = _frame([shifted], "EPSG:2326")
        path = tmp_path / "loop.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(frame.geometry[0])}]}))
        return path, ["--crs", "EPSG:2326"], frame
    if kind == "shapefile":
        frame = _frame([shifted], "EPSG:2326")
        path = tmp_path / "loop.shp"
        frame.to_file(path)
        return path, [], frame
    if kind == "geopackage-layers":
        frame = _frame([shifted], "EPSG:2326")
        path = tmp_path / "plan.gpkg"
        frame.to_file(path, layer="loop", driver="GPKG")
        _frame([_loop(folder)], "EPSG:2326").to_file(path, layer="old", driver="GPKG")
        return path, ["--layer", "loop"], frame
    if kind == "multipolygon-pieces":
        minx, miny, maxx, maxy = shifted.bounds
        mid = (minx + maxx) / 2
        pieces = [shifted.intersection(shapely.box(minx - 1, miny - 1, mid, maxy + 1)),
                  shifted.intersection(shapely.box(mid, miny - 1, maxx + 1, maxy + 1))]
        frame = _frame(pieces, "EPSG:2326")
        path = tmp_path / "pieces.gpkg"
        frame.to_file(path, driver="GPKG")
        return path, [], frame
    if kind == "flatgeobuf":
        frame = _frame([shifted], "EPSG:4326")
        path = tmp_path / "loop.fgb"
        frame.to_file(path, driver="FlatGeobuf")
        return path, [], frame
    if kind == "kml":
        frame = _frame([shifted], "EPSG:4326")
        path = tmp_path / "loop.kml"
        frame.to_file(path, driver="KML")
        return path, [], frame
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["hk1980-geojson-crs", "hk1980-geojson-no-crs", "shapefile",
                                  "geopackage-layers", "multipolygon-pieces", "flatgeobuf", "kml"])
def test_swap__official_style_file__measures_like_independent_reprojection(folder, tmp_path, kind):
    path, extra, frame = _write(kind, tmp_path, folder)
    result = run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *extra)
    assert result.code == 0, result.err
    if kind == "multipolygon-pieces":
        assert "dissolved 2 features" in result.out
    expected = sum(_expected_area(g, frame.crs.to_wkt()) for g in frame.geometry)
    areas = json.loads(run_hetao("areas", "--format", "json", "--boundaries", folder.path).out)
    loop = next(r for r in areas if r["id"] == "hong-kong-park")
    assert loop["geodesic_area_ha"] * 1e4 == pytest.approx(expected, rel=1e-6)
    entry = folder.entry(folder.manifest(), "hong-kong-park")
    assert entry["provenance"]["source"] == "test survey made in code"
    assert entry["provenance"]["positional_accuracy_m"] == 0.5
    stored = folder.geometry("hong-kong-park")
    assert "crs" not in stored and shapely.geometry.shape(stored["features"][0]["geometry"]).exterior.is_ccw


def test_swap__cgcs2000_part_and_3d__reprojected_z_dropped(folder, tmp_path):
    part = shapely.geometry.shape(folder.geometry("huanggang-port-area")["features"][0]["geometry"])
    frame = _frame([part], "EPSG:4547")
    frame = frame.set_geometry(shapely.force_3d(frame.geometry.values, 12.0))
    path = tmp_path / "port.gpkg"
    frame.to_file(path, driver="GPKG")
    result = run_hetao("swap", "huanggang-port-area", path, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "Z coordinates dropped" in result.out and "reprojected from EPSG:4547" in result.out
    areas = {r["id"]: r for r in json.loads(run_hetao("areas", "--format", "json", "--boundaries", folder.path).out)}
    expected = _expected_area(shapely.force_2d(frame.geometry[0]), "EPSG:4547")
    assert areas["huanggang-port-area"]["geodesic_area_ha"] * 1e4 == pytest.approx(expected, rel=1e-6)


def _bad(kind, tmp_path, folder):
    shifted = _shifted(folder)
    if kind == "no-crs":
        path = tmp_path / "loop.shp"
        _frame([shifted], "EPSG:2326").to_file(path)
        path.with_suffix(".prj").unlink()
        return path, [], "has no CRS"
    if kind == "wrong-crs":   # CGCS2000 coordinates declared as HK1980
        path = tmp_path / "loop.geojson"
        coords = _frame([shifted], "EPSG:4547").geometry[0]
        path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
            "name": "urn:ogc:def:crs:EPSG::2326"}}, "features": [{"type": "Feature", "properties": {},
                                                                 "geometry": shapely.geometry.mapping(coords)}]}))
        return path, [], "km from the Hetao zone"
    if kind == "crs-conflict":
        path = tmp_path / "loop.shp"
        _frame([shifted], "EPSG:2326").to_file(path)
        return path, ["--crs", "EPSG:4547"], "declares EPSG:2326 but --crs says EPSG:4547"
    if kind == "points-for-polygon":
        path = tmp_path / "points.gpkg"
        _frame([shapely.Point(114.07, 22.52), shapely.Point(114.08, 22.52)], "EPSG:4326").to_file(path, driver="GPKG")
        return path, [], "a polygon feature needs Polygon or MultiPolygon"
    if kind == "bowtie":
        path = tmp_path / "bowtie.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                        "geometry": {"type": "Polygon", "coordinates": [[[114.07, 22.51], [114.08, 22.52],
                                                                         [114.08, 22.51], [114.07, 22.52],
                                                                         [114.07, 22.51]]]}}]}))
        return path, [], "not valid (Self-intersection"
    if kind == "empty-file":
        path = tmp_path / "empty.geojson"
        path.write_text("")
        return path, [], "file is empty"
    if kind == "no-features":
        path = tmp_path / "none.geojson"
        path.write_text('{"type": "FeatureCollection", "features": []}')
        return path, [], "holds no geometry"
    if kind == "another-region":
        path = tmp_path / "paris.geojson"
        _frame([shapely.box(2.29, 48.85, 2.30, 48.86)], "EPSG:4326").to_file(path, driver="GeoJSON")
        return path, [], "km from the Hetao zone"
    if kind == "several-layers":
        path = tmp_path / "plan.gpkg"
        _frame([shifted], "EPSG:2326").to_file(path, layer="a", driver="GPKG")
        _frame([shifted], "EPSG:2326").to_file(path, layer="b", driver="GPKG")
        return path, [], "choose one with --layer"
    if kind == "not-a-gis-file":
        path = tmp_path / "notes.gpkg"
        path.write_bytes(b"\x00\x01garbage" * 100)
        return path, [], "cannot be read as a GIS file"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["no-crs", "wrong-crs", "crs-conflict", "points-for-polygon", "bowtie",
                                  "empty-file", "no-features", "another-region", "several-layers",
                                  "not-a-gis-file"])
def test_swap__bad_file__exit_2_folder_untouched(folder, tmp_path, kind):
    path, extra, fragment = _bad(kind, tmp_path, folder)
    before = folder.snapshot()
    result = run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *extra)
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hetao: error: ") and str(path) in lines[0], result.err
    assert fragment in lines[0]
    assert "Traceback" not in result.err
    assert folder.snapshot() == before


def test_swap__missing_provenance__exit_2_unless_dry_run(folder, tmp_path):
    path, extra, _ = _write("shapefile", tmp_path, folder)
    before = folder.snapshot()
    result = run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path)
    assert result.code == 2 and "--source, --licence, --accuracy" in result.err
    result = run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path, "--dry-run")
    assert result.code == 0 and "dry run: nothing written" in result.out
    assert folder.snapshot() == before


@pytest.mark.parametrize("fid", ["hong-kong-park", "shenzhen-park", "hkstp-shenzhen-branch"])
def test_swap_then_undo__byte_identical(folder, tmp_path, fid):
    before = folder.snapshot()
    if fid == "hkstp-shenzhen-branch":
        path = tmp_path / "branch.geojson"
        _frame([shapely.Point(114.045, 22.508)], "EPSG:2326").to_file(path, driver="GeoJSON")
    elif fid == "shenzhen-park":
        zone_geom = shapely.union_all([shapely.geometry.shape(folder.geometry(p)["features"][0]["geometry"])
                                       for p in ("futian-bonded-zone", "huanggang-port-area")])
        path = tmp_path / "side.gpkg"
        _frame([zone_geom.buffer(0.0003)], "EPSG:4547").to_file(path, driver="GPKG")
    else:
        path, _, _ = _write("shapefile", tmp_path, folder)
    result = run_hetao("swap", fid, path, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert folder.snapshot() != before
    assert run_hetao("check", "--boundaries", folder.path).code in (0, 1)
    result = run_hetao("undo", fid, "--boundaries", folder.path)
    assert result.code == 0, result.err
    assert folder.snapshot() == before


def test_swap__two_swaps_two_undos(folder, tmp_path):
    before = folder.snapshot()
    first, _, _ = _write("shapefile", tmp_path, folder)
    second = tmp_path / "again.geojson"
    _frame([_shifted(folder, 0.001, 0.0)], "EPSG:4326").to_file(second, driver="GeoJSON")
    assert run_hetao("swap", "hong-kong-park", first, "--boundaries", folder.path, *PROVENANCE).code == 0
    middle = folder.snapshot()
    assert run_hetao("swap", "hong-kong-park", second, "--boundaries", folder.path, *PROVENANCE).code == 0
    assert run_hetao("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == middle
    assert run_hetao("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == before
    result = run_hetao("undo", "hong-kong-park", "--boundaries", folder.path)
    assert result.code == 2 and "no earlier version" in result.err


def test_diff__json__matches_independent_computation(folder, tmp_path):
    old = _loop(folder)
    path, _, _ = _write("shapefile", tmp_path, folder)
    assert run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    new = shapely.geometry.shape(folder.geometry("hong-kong-park")["features"][0]["geometry"])
    result = run_hetao("diff", "--previous", "hong-kong-park", "--boundaries", folder.path, "--format", "json",
                       "--map", tmp_path / "diff.html")
    assert result.code == 0, result.err
    rec = json.loads(result.out)[0]
    area = lambda g: sum(geographiclib_area([list(map(list, p.exterior.coords))])[0]  # noqa: E731
                         for p in shapely.get_parts(g) if p.geom_type == "Polygon")
    assert rec["area_before_ha"] * 1e4 == pytest.approx(area(old), rel=1e-9)
    assert rec["area_after_ha"] * 1e4 == pytest.approx(area(new), rel=1e-9)
    assert rec["gained_ha"] * 1e4 == pytest.approx(area(new.difference(old)), rel=1e-6)
    assert rec["lost_ha"] * 1e4 == pytest.approx(area(old.difference(new)), rel=1e-6)
    tr = Transformer.from_crs("EPSG:4326", LOCAL, always_xy=True)
    project = lambda g: shapely.transform(g, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))  # noqa: E731
    assert rec["hausdorff_m"] == pytest.approx(shapely.hausdorff_distance(project(old), project(new)), rel=1e-6)
    assert 40 < rec["hausdorff_m"] < 80   # the test survey moved it about 55 m
    assert rec["vertices_before"] == len(old.exterior.coords)
    assert (tmp_path / "diff.html").stat().st_size > 100_000


def test_diff__two_folders__every_common_feature(folder, tmp_path):
    from .conftest import SHIPPED
    path, _, _ = _write("shapefile", tmp_path, folder)
    assert run_hetao("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    result = run_hetao("diff", SHIPPED, folder.path, "--format", "json")
    assert result.code == 0, result.err
    records = {r["id"]: r for r in json.loads(result.out)}
    assert set(records) == {"hong-kong-park", "shenzhen-park", "futian-bonded-zone",
                            "huanggang-port-area", "hkstp-shenzhen-branch"}
    assert records["futian-bonded-zone"]["hausdorff_m"] == 0
    assert records["hong-kong-park"]["status_before"] == ["explained"] * 5
    assert records["hong-kong-park"]["status_after"] == ["differs"] * 5
