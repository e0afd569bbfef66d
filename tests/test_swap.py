"""hetao swap, undo and diff (in-process): official-style files in any format and CRS made in
code, history and undo byte for byte, and diffs against an independent computation.

The shipped Loop is the face of three lines; an official outline swapped in for it becomes a
plain geometry file (its ``bounded_by`` and ``reconcile`` removed, the lines kept). Swapping
lines themselves is tested in test_shipped_lines.py."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from pyproj import Transformer

import hetao

from .helpers import FEATURE_IDS, LINE_IDS, SHIPPED, geographiclib_area, geographiclib_geometry, run

PROVENANCE = ["--source", "test survey made in code", "--licence", "CC0-1.0", "--accuracy", "0.5"]
#: A local azimuthal equidistant projection at the zone, for distances in metres.
LOCAL = "+proj=aeqd +lat_0=22.515 +lon_0=114.066 +datum=WGS84 +units=m +no_defs"


def _shifted(folder, dx=0.0005, dy=-0.0002) -> shapely.Polygon:
    """The Loop moved by about 55 m (south-east, away from the river: it overlaps nothing): an
    'updated survey' that really differs."""
    return shapely.affinity.translate(folder.shape("hong-kong-park"), dx, dy)


def _frame(geometries, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [f"piece {i}" for i in range(len(geometries))]},
                            geometry=list(geometries), crs="EPSG:4326").to_crs(crs)


def _expected_area(geometry_in_file_crs, crs) -> float:
    """Independent: pyproj back to lon/lat, then GeographicLib, ring by ring."""
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    total = 0.0
    for polygon in shapely.get_parts(geometry_in_file_crs):
        rings = [polygon.exterior, *polygon.interiors]
        coords = [[list(tr.transform(x, y)) for x, y in ring.coords] for ring in rings]
        total += geographiclib_area(coords).area
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
        _frame([folder.shape("hong-kong-park")], "EPSG:2326").to_file(path, layer="old", driver="GPKG")
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


FORMATS = ["hk1980-geojson-crs", "hk1980-geojson-no-crs", "shapefile", "geopackage-layers",
           "multipolygon-pieces", "flatgeobuf", "kml"]


@pytest.mark.parametrize("kind", FORMATS)
def test_swap__official_style_file__measures_like_independent_reprojection(folder, tmp_path, kind):
    path, extra, frame = _write(kind, tmp_path, folder)
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *extra)
    assert result.code == 0, result.err
    assert ("note: dissolved 2 features into one Polygon" in result.out) == (kind == "multipolygon-pieces")
    assert ("note: reprojected from EPSG:2326 to WGS84" in result.out) == (frame.crs.to_epsg() == 2326)
    expected = sum(_expected_area(g, frame.crs.to_wkt()) for g in frame.geometry)
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    loop = next(r for r in areas if r["id"] == "hong-kong-park")
    assert loop["geodesic_area_ha"] * 1e4 == pytest.approx(expected, rel=1e-6)
    entry = folder.entry(folder.manifest(), "hong-kong-park")
    assert entry["geometry"] == "hong-kong-park.v1.geojson"
    assert entry["provenance"]["source"] == "test survey made in code"
    assert entry["provenance"]["licence"] == "CC0-1.0"
    assert entry["provenance"]["positional_accuracy_m"] == 0.5
    assert path.name in entry["provenance"]["method"]
    # The explanation and the strips described the outline built from lines; the lines stay.
    for key in ("explanation", "bounded_by", "reconcile"):
        assert key not in entry, key
        assert f"note: removed '{key}' from the manifest entry" in result.out, key
    assert sorted(p.name for p in (folder.path / "lines").iterdir()) == sorted(f"{i}.geojson" for i in LINE_IDS)
    assert loop["reconciled"] is None and [e["edge"] for e in loop["edges"]] == ["outline"]
    stored = folder.geometry("hong-kong-park")
    assert "crs" not in stored and shapely.geometry.shape(stored["features"][0]["geometry"]).exterior.is_ccw
    # The old version has no geometry file to keep: history holds its manifest entry.
    history = folder.path / "history" / "hong-kong-park" / "0001"
    assert json.loads((history / "entry.json").read_text(encoding="utf-8"))["bounded_by"]
    assert not (history / "geometry.geojson").exists()


def test_swap__cgcs2000_part_with_z__reprojected_z_dropped(folder, tmp_path):
    part = folder.shape("huanggang-port-area")
    frame = _frame([part], "EPSG:4547")
    frame = frame.set_geometry(shapely.force_3d(frame.geometry.values, 12.0))
    path = tmp_path / "port.gpkg"
    frame.to_file(path, driver="GPKG")
    result = run("swap", "huanggang-port-area", path, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "note: Z coordinates dropped" in result.out
    assert "note: reprojected from EPSG:4547 to WGS84" in result.out
    areas = {r["id"]: r for r in json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)}
    expected = _expected_area(shapely.force_2d(frame.geometry[0]), "EPSG:4547")
    assert areas["huanggang-port-area"]["geodesic_area_ha"] * 1e4 == pytest.approx(expected, rel=1e-6)
    # The union built from it is measured anew.
    futian = areas["futian-bonded-zone"]["geodesic_area_ha"]
    assert areas["shenzhen-park"]["geodesic_area_ha"] == pytest.approx(futian + expected / 1e4, rel=1e-6)


def _bad(kind, tmp_path, folder):
    shifted = _shifted(folder)
    if kind == "no-crs":
        path = tmp_path / "loop.shp"
        _frame([shifted], "EPSG:2326").to_file(path)
        path.with_suffix(".prj").unlink()
        return path, [], "has no CRS; give it with --crs"
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
        return path, [], "has 2 layers (a, b); choose one with --layer"
    if kind == "not-a-gis-file":
        path = tmp_path / "notes.gpkg"
        path.write_bytes(b"\x00\x01garbage" * 100)
        return path, [], "cannot be read as a GIS file"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["no-crs", "wrong-crs", "crs-conflict", "points-for-polygon", "bowtie",
                                  "empty-file", "no-features", "another-region", "several-layers",
                                  "not-a-gis-file"])
def test_swap__bad_file__exit_2_one_line_folder_untouched(folder, tmp_path, kind):
    path, extra, fragment = _bad(kind, tmp_path, folder)
    before = folder.snapshot()
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *extra)
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"hetao: error: {path}: "), result.err
    assert fragment in lines[0]
    assert folder.snapshot() == before


def test_swap__missing_provenance__exit_2_unless_dry_run(folder, tmp_path):
    path, _, _ = _write("shapefile", tmp_path, folder)
    before = folder.snapshot()
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path)
    assert result.code == 2
    assert "give --source, --licence, --accuracy (source and licence" in result.err
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, "--dry-run")
    assert result.code == 0, result.err
    assert "dry run: nothing written" in result.out
    # The Loop's outline was good to 10 m (every line of it): the new one is assumed as good.
    assert "the uncertainty below assumes 10 m, the previous geometry's" in result.out
    loop = hetao.measure(hetao.load(folder.path))[0]
    assert f"hong-kong-park now measures {loop.geodesic_area_m2 / 1e4:,.2f} ha ± " \
           f"{loop.uncertainty_m2 / 1e4:,.2f} ha" in result.out     # the same outline, moved
    assert "stated     reconciled, reconciled, reconciled, reconciled, reconciled -> differs" in result.out
    assert folder.snapshot() == before


def _replacement(fid: str, folder, tmp_path):
    if fid == "hkstp-shenzhen-branch":
        path = tmp_path / "branch.geojson"
        _frame([shapely.Point(114.045, 22.508)], "EPSG:2326").to_file(path, driver="GeoJSON")
        return path
    if fid == "shenzhen-park":
        zone_geom = shapely.union_all([folder.shape(p) for p in ("futian-bonded-zone", "huanggang-port-area")])
        path = tmp_path / "side.gpkg"
        _frame([zone_geom.buffer(0.0003)], "EPSG:4547").to_file(path, driver="GPKG")
        return path
    return _write("shapefile", tmp_path, folder)[0]


# After the swap, check fails exactly where the new geometry says so: the Loop and the
# Shenzhen side lose the explanation (and the Loop its reconciling strips) of their old
# outlines, so every stated figure now differs; the Shenzhen side, grown by 30 m, also grows
# into the Loop (a swap refuses that unless allowed, and says so); the branch's new point
# still lies in its side.
@pytest.mark.parametrize(("fid", "check_code", "failing"), [
    ("hong-kong-park", 1, ["hong-kong-park against"] * 5),
    ("shenzhen-park", 1, ["shenzhen-park against"] * 4 + ["the sides do not overlap"]),
    ("hkstp-shenzhen-branch", 0, []),
])
def test_swap_then_undo__byte_identical(folder, tmp_path, fid, check_code, failing):
    before = folder.snapshot()
    path = _replacement(fid, folder, tmp_path)
    overlaps = "the sides do not overlap" in failing
    if overlaps:
        refused = run("swap", fid, path, "--boundaries", folder.path, *PROVENANCE)
        assert refused.code == 2 and "makes the two sides overlap" in refused.err
        assert "--allow-overlap" in refused.err and folder.snapshot() == before
    result = run("swap", fid, path, "--boundaries", folder.path, *PROVENANCE,
                 *(["--allow-overlap"] if overlaps else []))
    assert result.code == 0, result.err
    assert ("the sides now overlap" in result.out) == overlaps
    assert f"undo with: hetao undo {fid}" in result.out
    assert folder.snapshot() != before
    check = run("check", "--boundaries", folder.path)
    assert check.code == check_code, check.out
    fails = [line[6:] for line in check.out.splitlines() if line.startswith("FAIL")]
    assert [f[:len(prefix)] for f, prefix in zip(fails, failing)] == failing and len(fails) == len(failing)
    result = run("undo", fid, "--boundaries", folder.path)
    assert result.code == 0, result.err
    assert f"restored {folder.path / 'manifest.json'}" in result.out
    assert folder.snapshot() == before


def test_swap__two_swaps_two_undos__each_undo_one_step_back(folder, tmp_path):
    before = folder.snapshot()
    first, _, _ = _write("shapefile", tmp_path, folder)
    second = tmp_path / "again.geojson"
    _frame([_shifted(folder, 0.001, 0.0)], "EPSG:4326").to_file(second, driver="GeoJSON")
    assert run("swap", "hong-kong-park", first, "--boundaries", folder.path, *PROVENANCE).code == 0
    middle = folder.snapshot()
    assert run("swap", "hong-kong-park", second, "--boundaries", folder.path, *PROVENANCE).code == 0
    assert folder.entry(folder.manifest(), "hong-kong-park")["geometry"] == "hong-kong-park.v2.geojson"
    assert run("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == middle
    assert run("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == before
    result = run("undo", "hong-kong-park", "--boundaries", folder.path)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"hetao: error: {folder.path / 'history'}: feature 'hong-kong-park': has no earlier version to "
        "restore or compare (nothing was swapped in with hetao swap)"]
    assert folder.snapshot() == before


def test_undo__manifest_edited_since_the_swap__only_that_entry_restored(folder, tmp_path):
    original = folder.entry(folder.manifest(), "hong-kong-park")
    path, _, _ = _write("shapefile", tmp_path, folder)
    assert run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    folder.edit_feature("futian-bonded-zone", notes={"edited": "after the swap"})
    assert run("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    data = folder.manifest()
    assert folder.entry(data, "hong-kong-park") == original      # bounded by its lines again
    assert folder.entry(data, "futian-bonded-zone")["notes"] == {"edited": "after the swap"}
    # The swapped-in file is gone; the Loop is the face of its lines, as shipped.
    assert sorted(p.name for p in folder.path.glob("hong-kong-park*")) == []
    assert shapely.equals_exact(hetao.load(folder.path).feature("hong-kong-park").geometry,
                                hetao.load(SHIPPED).feature("hong-kong-park").geometry, 0)
    assert run("check", "--boundaries", folder.path).code == 0


def test_diff__previous_json__matches_independent_computation(folder, tmp_path):
    old = folder.shape("hong-kong-park")
    path, _, _ = _write("shapefile", tmp_path, folder)
    assert run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    new = folder.shape("hong-kong-park")
    result = run("diff", "--previous", "hong-kong-park", "--boundaries", folder.path, "--format", "json",
                 "--map", tmp_path / "diff.html")
    assert result.code == 0, result.err
    assert result.err == f"wrote {tmp_path / 'diff.html'}\n"    # JSON alone on standard output
    [rec] = json.loads(result.out)

    def area(g) -> float:   # overlays may hold lines and points too; only polygons have area
        return geographiclib_geometry([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]).area

    assert rec["id"] == "hong-kong-park" and rec["kind"] == "polygon"
    assert rec["area_before_ha"] * 1e4 == pytest.approx(area(old), rel=1e-9)
    assert rec["area_after_ha"] * 1e4 == pytest.approx(area(new), rel=1e-9)
    assert rec["gained_ha"] * 1e4 == pytest.approx(area(new.difference(old)), rel=1e-6)
    assert rec["lost_ha"] * 1e4 == pytest.approx(area(old.difference(new)), rel=1e-6)
    tr = Transformer.from_crs("EPSG:4326", LOCAL, always_xy=True)
    project = lambda g: shapely.transform(g, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))  # noqa: E731
    assert rec["hausdorff_m"] == pytest.approx(shapely.hausdorff_distance(project(old), project(new)), rel=1e-6)
    assert 40 < rec["hausdorff_m"] < 80   # the test survey moved it about 55 m
    mean_perimeter = (geographiclib_geometry(old).perimeter + geographiclib_geometry(new).perimeter) / 2
    assert rec["mean_displacement_m"] == pytest.approx(
        (area(new.difference(old)) + area(old.difference(new))) / mean_perimeter, rel=1e-6)
    assert rec["vertices_before"] == len(old.exterior.coords)
    assert rec["vertices_after"] == len(new.exterior.coords)
    assert (tmp_path / "diff.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_diff__previous_json__statuses_before_and_after_the_swap(folder, tmp_path):
    # Swapping a part changes its union too: both are reported, with every stated figure's
    # status before and after (once empty lists: a bug).
    part = shapely.affinity.translate(folder.shape("futian-bonded-zone"), 0.0, -0.0002)
    path = tmp_path / "futian.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(part)}]}))
    assert run("swap", "futian-bonded-zone", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    swapped = hetao.swap("hong-kong-park", _write("shapefile", tmp_path, folder)[0], boundaries=folder.path,
                         source="s", licence="l", accuracy=0.5)
    assert [d.id for d in swapped.diff.features] == ["hong-kong-park"]
    assert swapped.diff.features[0].status_before == ("reconciled",) * 5
    assert swapped.diff.features[0].status_after == ("differs",) * 5
    assert [m.id for m in swapped.measurements] == FEATURE_IDS
    result = run("diff", "--previous", "hong-kong-park", "--boundaries", folder.path, "--format", "json")
    assert result.code == 0, result.err
    [rec] = json.loads(result.out)
    assert rec["status_before"] == ["reconciled"] * 5
    assert rec["status_after"] == ["differs"] * 5
    result = run("diff", "--previous", "futian-bonded-zone", "--boundaries", folder.path, "--format", "json")
    assert result.code == 0, result.err
    records = {r["id"]: r for r in json.loads(result.out)}
    assert list(records) == ["shenzhen-park", "futian-bonded-zone"]
    stated = {e["id"]: len(e.get("stated", [])) for e in folder.manifest()["features"]}
    for fid, rec in records.items():
        assert len(rec["status_before"]) == len(rec["status_after"]) == stated[fid] > 0, fid
        assert set(rec["status_before"]) | set(rec["status_after"]) <= {"agrees", "reconciled", "explained",
                                                                        "differs"}
    # The table says the same.
    table = run("diff", "--previous", "hong-kong-park", "--boundaries", folder.path).out
    assert "stated     reconciled, reconciled, reconciled, reconciled, reconciled -> differs, differs, " \
           "differs, differs, differs" in table


def test_diff__two_folders__every_common_feature(folder, tmp_path):
    path, _, _ = _write("shapefile", tmp_path, folder)
    assert run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE).code == 0
    result = run("diff", SHIPPED, folder.path, "--format", "json")
    assert result.code == 0, result.err
    records = {r["id"]: r for r in json.loads(result.out)}
    # The lines in both folders first, then the features.
    assert list(records) == LINE_IDS + FEATURE_IDS
    for fid in LINE_IDS + ["futian-bonded-zone", "huanggang-port-area", "shenzhen-park", "hkstp-shenzhen-branch"]:
        assert records[fid]["hausdorff_m"] == 0, fid
        assert records[fid]["status_before"] == records[fid]["status_after"], fid
    assert {records[i]["kind"] for i in LINE_IDS} == {"line"}
    assert records["futian-bonded-zone"]["gained_ha"] == records["futian-bonded-zone"]["lost_ha"] == 0
    assert records["hong-kong-park"]["status_before"] == ["reconciled"] * 5
    assert records["hong-kong-park"]["status_after"] == ["differs"] * 5
    assert records["hong-kong-park"]["hausdorff_m"] > 40
    assert records["hkstp-shenzhen-branch"]["kind"] == "point"


def test_diff__two_files_in_different_crs__same_as_library(folder, tmp_path):
    old = tmp_path / "old.gpkg"
    _frame([folder.shape("hong-kong-park")], "EPSG:2326").to_file(old, driver="GPKG")
    new, _, _ = _write("flatgeobuf", tmp_path, folder)
    result = run("diff", old, new, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == hetao.diff(old, new).records()
    [rec] = json.loads(result.out)
    assert rec["id"] == "loop" and 40 < rec["hausdorff_m"] < 80
    assert rec["status_before"] == rec["status_after"] == []    # files carry no stated figures


def test_diff__previous_never_swapped__exit_2(folder):
    result = run("diff", "--previous", "hong-kong-park", "--boundaries", folder.path)
    assert result.code == 2
    assert "has no earlier version to restore or compare" in result.err
