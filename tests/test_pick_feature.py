"""Picking one feature from a file of several (issue #17, item 4): hetao's own outputs
(hetao.geojson, and its KML round trip) swap back in for one feature; diff reads each file its
own way. Every file is made in code."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pyogrio
import pytest
import shapely
import shapely.affinity

import hetao
from hetao.importer import ReadOptions, read_boundary

from .helpers import run

PROVENANCE = ["--source", "hetao's own output", "--licence", "CC0-1.0", "--accuracy", "1"]


def _area_ha(folder, fid="hong-kong-park") -> float:
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    return next(r for r in areas if r["id"] == fid)["geodesic_area_ha"]


def _kml(shipped_build, tmp_path):
    path = tmp_path / "hetao.kml"
    pyogrio.write_dataframe(pyogrio.read_dataframe(shipped_build / "hetao.geojson"), path, driver="KML")
    return path


def test_swap__hetao_geojson_without_a_pick__one_line_saying_how_to_pick(folder, shipped_build):
    before = folder.snapshot()
    result = run("swap", "hong-kong-park", shipped_build / "hetao.geojson", "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "holds LineString, MultiPolygon, Point, Polygon geometry" in result.err
    assert "pick one of its features with --feature (its id) or --where (KEY=VALUE)" in result.err
    assert folder.snapshot() == before


@pytest.mark.parametrize("pick", [["--feature", "hong-kong-park"], ["--where", "id=hong-kong-park"]])
def test_swap__hetao_geojson__one_feature_swaps_back_in_unchanged(folder, shipped_build, pick):
    before = _area_ha(folder)
    result = run("swap", "hong-kong-park", shipped_build / "hetao.geojson", "--boundaries", folder.path,
                 *PROVENANCE, *pick)
    assert result.code == 0, result.err
    held = len(json.loads((shipped_build / "hetao.geojson").read_text(encoding="utf-8"))["features"])
    assert f"note: read 1 of the file's {held} features" in result.out
    assert "gained     0.000 ha, lost 0.000 ha" in result.out and "Hausdorff 0.0 m" in result.out
    # hetao.geojson's coordinates have 7 decimals (about 1 cm): the area as written.
    assert _area_ha(folder) == pytest.approx(before, rel=1e-5)


def test_swap__kml_round_trip__one_feature_by_id_or_property(folder, shipped_build, tmp_path):
    path = _kml(shipped_build, tmp_path)
    result = run("swap", "shenzhen-park", path, "--boundaries", folder.path, "--dry-run",
                 "--where", "name_en=" + hetao.load(folder.path)["shenzhen-park"].spec.name_en)
    assert result.code == 0, result.err
    # Written with 7 decimals (about 1 cm): what moves is the rounding, within 1e-5 of the area.
    gained, lost = (float(v) for v in re.search(r"gained +([\d.]+) ha, lost ([\d.]+) ha", result.out).groups())
    assert gained + lost < 1e-5 * 327
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE,
                 "--feature", "hong-kong-park")
    assert result.code == 0, result.err
    assert "Hausdorff 0.0 m" in result.out


def test_swap__no_such_feature__lists_the_ids(folder, shipped_build):
    before = folder.snapshot()
    result = run("swap", "hong-kong-park", shipped_build / "hetao.geojson", "--boundaries", folder.path,
                 *PROVENANCE, "--feature", "loop")
    assert result.code == 2 and result.err.count("\n") == 1
    assert ("holds no feature with id 'loop' (their ids: hong-kong-park, shenzhen-park, futian-bonded-zone, "
            "huanggang-port-area, hkstp-shenzhen-branch, ") in result.err
    assert "in all))" in result.err
    bad = run("swap", "hong-kong-park", shipped_build / "hetao.geojson", "--boundaries", folder.path,
              *PROVENANCE, "--where", "hong-kong-park")
    assert bad.code == 2 and "--where is 'hong-kong-park'; write it as KEY=VALUE" in bad.err
    assert folder.snapshot() == before


def test_swap__library__feature_and_where_as_options(folder, shipped_build):
    result = hetao.swap("hong-kong-park", shipped_build / "hetao.geojson", boundaries=folder.path,
                        dry_run=True, options=hetao.SwapOptions(where="kind=polygon", feature="hong-kong-park"))
    change = result.diff.features[0]
    # The written coordinates have 7 decimals: gained and lost are the rounding, under a m².
    assert change.gained_m2 < 1 and change.lost_m2 < 1 and change.hausdorff_m < 0.02


def test_read_boundary__where_compares_numbers_as_written(tmp_path):
    frame = gpd.GeoDataFrame({"zone": [1, 2]}, geometry=[shapely.box(114.06, 22.50, 114.07, 22.51),
                                                      shapely.box(114.08, 22.50, 114.09, 22.51)], crs=4326)
    path = tmp_path / "two.gpkg"
    frame.to_file(path)
    imported = read_boundary(path, "polygon", where="zone=2")
    assert imported.geometry.bounds == pytest.approx((114.08, 22.50, 114.09, 22.51))


# --- diff: each file its own way ---------------------------------------------------------------

def _survey(folder) -> shapely.Polygon:
    return shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002)


def test_diff__geojson_against_a_dxf_in_metres__new_crs_for_the_dxf_alone(folder, shipped_build, tmp_path):
    dxf = tmp_path / "survey.dxf"
    gpd.GeoDataFrame(geometry=[_survey(folder)], crs=4326).to_crs(2326).to_file(dxf, driver="DXF", layer="entities")
    without = run("diff", shipped_build / "hetao.geojson", dxf, "--feature", "hong-kong-park")
    assert without.code == 2 and "has no CRS; give it with --crs" in without.err
    both = run("diff", shipped_build / "hetao.geojson", dxf, "--feature", "hong-kong-park", "--crs", "EPSG:2326")
    # --crs is for both files: the GeoJSON's lon/lat would be read as metres.
    assert both.code == 2 and "hetao.geojson: read in EPSG:2326, as --crs says" in both.err
    result = run("diff", shipped_build / "hetao.geojson", dxf, "--new-crs", "EPSG:2326",
                 "--feature", "hong-kong-park", "--format", "json")
    assert result.code == 0, result.err
    (record,) = json.loads(result.out)
    assert record["id"] == "hong-kong-park" and record["hausdorff_m"] == pytest.approx(56.0, abs=0.5)
    assert record["gained_ha"] == pytest.approx(record["lost_ha"], rel=1e-3) and record["gained_ha"] > 8


def test_diff__geojson_against_one_layer_of_a_geopackage(folder, tmp_path):
    gpkg = tmp_path / "plans.gpkg"
    gpd.GeoDataFrame(geometry=[_survey(folder)], crs=4326).to_crs(2326).to_file(gpkg, layer="loop")
    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=2326).to_file(gpkg, layer="other")
    loop = tmp_path / "published.geojson"
    loop.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(folder.shape("hong-kong-park"))}]}))
    shared = run("diff", loop, gpkg, "--layer", "loop")
    assert shared.code == 2 and "has no layer 'loop'" in shared.err      # --layer is for both files
    result = run("diff", loop, gpkg, "--new-layer", "loop")
    assert result.code == 0, result.err
    assert "Hausdorff 56.0 m" in result.out


def test_diff__library__options_for_each_side(folder, tmp_path):
    dxf = tmp_path / "survey.dxf"
    gpd.GeoDataFrame(geometry=[_survey(folder)], crs=4326).to_crs(2326).to_file(dxf, driver="DXF", layer="entities")
    loop = tmp_path / "loop.geojson"
    loop.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(folder.shape("hong-kong-park"))}]}))
    by_mapping = hetao.diff(loop, dxf, new_options={"crs": "EPSG:2326"})
    by_value = hetao.diff(loop, dxf, new_options=ReadOptions(crs="EPSG:2326"))
    assert by_mapping.features[0].hausdorff_m == by_value.features[0].hausdorff_m == pytest.approx(56.0, abs=0.5)
    with pytest.raises(TypeError, match="unknown read option"):
        hetao.diff(loop, dxf, new_options={"srs": "EPSG:2326"})


def test_diff__previous_with_a_pick__usage_error():
    result = run("diff", "--previous", "hong-kong-park", "--feature", "x")
    assert result.code == 2 and "not --previous" in result.err
