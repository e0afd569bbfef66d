"""The CLI through its installed entry point, on the shipped and on altered boundaries."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely

from hetao import __version__

from .conftest import SHIPPED, run_hetao

FEATURE_IDS = ["hong-kong-park", "shenzhen-park", "futian-bonded-zone", "huanggang-port-area",
               "hkstp-shenzhen-branch"]


def test_version():
    result = run_hetao("--version")
    assert result.code == 0
    assert __version__ in result.out


def test_areas__table__lists_the_five_features_from_any_folder(tmp_path):
    result = run_hetao("areas", cwd=tmp_path)
    assert result.code == 0, result.err
    for fid in FEATURE_IDS:
        assert fid in result.out
    assert "explained" in result.out


def test_areas__json__schema_and_values():
    result = run_hetao("areas", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [r["id"] for r in data] == FEATURE_IDS
    for rec in data:
        for key in ("id", "side", "kind", "geodesic_area_ha", "perimeter_m", "grid_area_ha",
                    "uncertainty_ha", "stated"):
            assert key in rec
        for figure in rec["stated"]:
            for key in ("value_ha", "source", "difference_pct", "status"):
                assert key in figure
    by_id = {r["id"]: r for r in data}
    branch = by_id["hkstp-shenzhen-branch"]
    assert branch["kind"] == "point"
    assert branch["geodesic_area_ha"] is None and branch["perimeter_m"] is None
    assert branch["stated"][0]["status"] == "not_comparable"
    loop = by_id["hong-kong-park"]
    assert loop["uncertainty_ha"] == pytest.approx(loop["perimeter_m"] * 10 / 1e4)
    for figure in loop["stated"]:
        expected = 100 * (loop["geodesic_area_ha"] - figure["value_ha"]) / figure["value_ha"]
        assert figure["difference_pct"] == pytest.approx(expected)
    # 214 acres in hectares, independently.
    assert next(f for f in loop["stated"] if f["unit"] == "acre")["value_ha"] == pytest.approx(214 * 0.40468564224)


def test_areas__csv__one_row_per_stated_figure():
    rows = list(csv.DictReader(io.StringIO(run_hetao("areas", "--format", "csv").out)))
    data = json.loads(run_hetao("areas", "--format", "json").out)
    assert len(rows) == sum(max(1, len(r["stated"])) for r in data)
    loop_rows = [r for r in rows if r["id"] == "hong-kong-park"]
    assert float(loop_rows[0]["geodesic_area_ha"]) == pytest.approx(data[0]["geodesic_area_ha"])


def test_check__shipped__exit_0():
    result = run_hetao("check")
    assert result.code == 0, result.out + result.err
    assert "FAIL" not in result.out
    assert "the sides do not overlap" in result.out


def test_check__sides_overlap__exit_1_with_overlap_area(folder):
    # Push the Loop 300 m north-west, onto the Huanggang Port area part.
    data = folder.geometry("hong-kong-park")
    ring = data["features"][0]["geometry"]["coordinates"][0]
    data["features"][0]["geometry"]["coordinates"][0] = [[x - 0.004, y + 0.002] for x, y in ring]
    folder.write_geometry("hong-kong-park", data)
    result = run_hetao("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "overlap" in line)
    assert line.startswith("FAIL") and "wider than" in line


def test_check__point_outside_side__exit_1_with_distance(folder):
    folder.set_coordinates("hkstp-shenzhen-branch", [114.0780, 22.5165])  # inside the Loop
    result = run_hetao("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "hkstp-shenzhen-branch" in line)
    assert line.startswith("FAIL") and "m outside" in line


def test_check__unexplained_difference__exit_1(folder):
    folder.edit_feature("hong-kong-park", explanation=None)
    result = run_hetao("check", "--boundaries", folder.path)
    assert result.code == 1
    assert "no explanation" in result.out
    areas = json.loads(run_hetao("areas", "--format", "json", "--boundaries", folder.path).out)
    assert {f["status"] for f in areas[0]["stated"]} == {"differs"}


def test_check__part_outside_its_side__exit_1(folder):
    # A part that is not in its side's union: make shenzhen-park a union of one part only.
    folder.edit_feature("shenzhen-park", union_of=["futian-bonded-zone"])
    result = run_hetao("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "huanggang-port-area lies within" in line)
    assert line.startswith("FAIL")


def test_usage_error__exit_2():
    result = run_hetao("areas", "--format", "xml")
    assert result.code == 2
    assert "Traceback" not in result.err


def test_shipped_geometry__rfc7946():
    for path in SHIPPED.rglob("*.geojson"):
        data = json.loads(path.read_text())
        assert data["type"] == "FeatureCollection" and "crs" not in data
        for feature in data["features"]:
            geom = shapely.geometry.shape(feature["geometry"])
            for polygon in shapely.get_parts(geom):
                if polygon.geom_type == "Polygon":
                    assert polygon.exterior.is_ccw, path
                    assert all(not hole.is_ccw for hole in polygon.interiors), path
