"""The CLI in-process (click's CliRunner): areas, check, usage, verbosity, error wording."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely

from hetao import __version__

from .helpers import FEATURE_IDS, OUTPUTS, SHIPPED, Folder, run


@pytest.fixture(scope="module")
def areas_json() -> list[dict]:
    result = run("areas", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_version__prints_the_package_version():
    result = run("--version")
    assert result.code == 0
    assert result.out == f"hetao, version {__version__}\n"


def test_areas__table__one_line_per_feature_with_its_area(areas_json):
    result = run("areas")
    assert result.code == 0, result.err
    assert result.err == ""
    lines = result.out.splitlines()
    for rec in areas_json:
        line = next(line for line in lines if line.startswith(rec["id"]))
        if rec["kind"] == "polygon":
            assert f"{rec['geodesic_area_ha']:,.2f}" in line and f"{rec['perimeter_m']:,.0f}" in line
        else:
            lon, lat = rec["location"]
            assert f"point at {lon:.6f}, {lat:.6f}" in line
    assert sum("explained" in line for line in lines) == 5   # the Loop's five figures


def test_areas__json__schema_and_values(areas_json):
    assert [r["id"] for r in areas_json] == FEATURE_IDS
    for rec in areas_json:
        for key in ("id", "side", "kind", "geodesic_area_ha", "perimeter_m", "boundary_length_m",
                    "grid_area_ha", "uncertainty_ha", "stated", "provenance"):
            assert key in rec
        for figure in rec["stated"]:
            for key in ("value_ha", "source", "difference_pct", "status"):
                assert key in figure
    by_id = {r["id"]: r for r in areas_json}
    branch = by_id["hkstp-shenzhen-branch"]
    assert branch["kind"] == "point"
    assert branch["geodesic_area_ha"] is None and branch["perimeter_m"] is None
    assert [f["status"] for f in branch["stated"]] == ["not_comparable"]
    loop = by_id["hong-kong-park"]
    assert loop["uncertainty_ha"] == pytest.approx(loop["boundary_length_m"] * 10 / 1e4)
    assert loop["geodesic_area_km2"] == pytest.approx(loop["geodesic_area_ha"] / 100)
    for figure in loop["stated"]:
        expected = 100 * (loop["geodesic_area_ha"] - figure["value_ha"]) / figure["value_ha"]
        assert figure["difference_pct"] == pytest.approx(expected)
    # 214 acres in hectares, independently (1 acre = 0.40468564224 ha exactly).
    acre = next(f for f in loop["stated"] if f["unit"] == "acre")
    assert acre["value_ha"] == pytest.approx(214 * 0.40468564224, rel=1e-12)


def test_areas__csv__one_row_per_stated_figure(areas_json):
    result = run("areas", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == sum(max(1, len(r["stated"])) for r in areas_json)
    for rec in areas_json:
        own = [r for r in rows if r["id"] == rec["id"]]
        assert [r["status"] for r in own] == [f["status"] for f in rec["stated"]]
        if rec["geodesic_area_ha"] is not None:
            assert all(float(r["geodesic_area_ha"]) == pytest.approx(rec["geodesic_area_ha"]) for r in own)


def test_areas__usage_error__exit_2_with_clicks_message():
    result = run("areas", "--format", "xml")
    assert result.code == 2
    assert result.out == ""
    assert "Usage: hetao areas" in result.err
    assert "'xml' is not one of 'table', 'json', 'csv'" in result.err


def test_areas__boundaries_folder_missing__exit_2_one_line(tmp_path):
    result = run("areas", "--boundaries", tmp_path / "nowhere")
    assert result.code == 2
    assert result.err.splitlines() == [f"hetao: error: {tmp_path / 'nowhere'}: boundaries folder not found"]


def test_check__shipped__exit_0_every_line_ok():
    result = run("check")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert len(lines) == 5 and all(line.startswith("ok  ") for line in lines), result.out
    assert any("the sides do not overlap" in line for line in lines)
    assert result.err == ""


def test_check__sides_overlap__exit_1_with_overlap_area(folder):
    # Push the Loop 300 m north-west, onto the Huanggang Port area part.
    folder.set_coordinates("hong-kong-park", [[[x - 0.004, y + 0.002] for x, y in folder.ring("hong-kong-park")]])
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "the sides do not overlap" in line)
    assert line.startswith("FAIL") and "wider than 0.1 m" in line
    assert result.err.endswith("checks failed\n") and result.err.startswith("hetao: error: ")


def test_check__point_outside_side__exit_1_with_distance(folder):
    folder.set_coordinates("hkstp-shenzhen-branch", [114.0780, 22.5165])  # inside the Loop
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "hkstp-shenzhen-branch" in line)
    assert line.startswith("FAIL") and "m outside" in line
    assert result.err == "hetao: error: 1 of 5 checks failed\n"


def test_check__unexplained_difference__exit_1_one_line_per_figure(folder):
    folder.edit_feature("hong-kong-park", explanation=None)
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    failing = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 5 and all("no explanation" in line for line in failing)
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    assert [f["status"] for f in areas[0]["stated"]] == ["differs"] * 5


def test_check__part_outside_its_side__exit_1(folder):
    # A part that is not in its side's union: make shenzhen-park a union of one part only.
    folder.edit_feature("shenzhen-park", union_of=["futian-bonded-zone"])
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "huanggang-port-area lies within" in line)
    assert line.startswith("FAIL")


def test_cli__verbosity__v_says_more_q_says_less_on_build(tmp_path):
    default = run("build", "--out", tmp_path / "default")
    verbose = run("-v", "build", "--out", tmp_path / "verbose")
    quiet = run("-q", "build", "--out", tmp_path / "quiet")
    assert default.code == verbose.code == quiet.code == 0
    assert default.out.splitlines() == [
        f"wrote {tmp_path / 'default' / name} ({(tmp_path / 'default' / name).stat().st_size:,} bytes)"
        for name in OUTPUTS]
    assert default.err == ""
    # -v: INFO logs on standard error, as "hetao: ..."; the results are unchanged.
    assert "hetao: drawing the map\n" in verbose.err and "hetao: drawing the figure\n" in verbose.err
    assert len(verbose.err) > len(default.err)
    assert verbose.out.replace("verbose", "default") == default.out
    # -q: no chatter at all; the outputs are still written.
    assert quiet.out == quiet.err == ""
    assert all((tmp_path / "quiet" / name).stat().st_size > 0 for name in OUTPUTS)


def test_swap__missing_source__library_names_the_parameter_cli_the_option(folder, tmp_path):
    import hetao

    path = tmp_path / "loop.geojson"
    path.write_text(json.dumps(folder.geometry("hong-kong-park")))
    with pytest.raises(hetao.BoundaryError) as info:
        hetao.swap("hong-kong-park", path, boundaries=folder.path, licence="CC0-1.0", accuracy=1)
    message = str(info.value)
    assert "give the source parameter" in message and "--source" not in message
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, "--licence", "CC0-1.0",
                 "--accuracy", "1")
    assert result.code == 2
    assert result.err.splitlines() == [f"hetao: error: {message.replace('the source parameter', '--source')}"]


def test_swap__unknown_crs__library_names_the_crs_parameter_cli_the_option(folder, tmp_path):
    import hetao

    path = tmp_path / "loop.geojson"
    path.write_text(json.dumps(folder.geometry("hong-kong-park")))
    with pytest.raises(hetao.BoundaryError) as info:
        hetao.swap("hong-kong-park", path, boundaries=folder.path, crs="EPSG:99999", source="s",
                   licence="l", accuracy=1)
    assert "the crs parameter 'EPSG:99999'" in str(info.value)
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, "--crs", "EPSG:99999",
                 "--source", "s", "--licence", "l", "--accuracy", "1")
    assert result.code == 2
    assert "--crs 'EPSG:99999' is not a CRS hetao knows" in result.err
    assert "parameter" not in result.err


@pytest.mark.parametrize(("args", "message"), [
    (["diff"], "give two folders or two files (OLD NEW), or --previous FEATURE_ID"),
    (["diff", "a", "b", "--previous", "hong-kong-park"], "give OLD NEW, or --previous FEATURE_ID, not both"),
    (["diff", "--previous", "hong-kong-park", "--crs", "EPSG:2326"], "--crs and --layer are for OLD NEW files"),
    (["diff", "a", "b", "--boundaries", "x"], "--boundaries goes with --previous FEATURE_ID"),
    (["undo"], "Missing argument 'FEATURE_ID'"),
])
def test_diff_and_undo__usage_errors__exit_2(args, message):
    result = run(*args)
    assert result.code == 2
    assert message in result.err and "Usage: hetao" in result.err
    assert result.out == ""


def test_shipped_geometry__rfc7946_files():
    paths = sorted(SHIPPED.rglob("*.geojson"))
    assert len(paths) == 6
    for path in paths:
        data = json.loads(path.read_text())
        assert data["type"] == "FeatureCollection" and "crs" not in data
        for feature in data["features"]:
            geom = shapely.geometry.shape(feature["geometry"])
            for polygon in shapely.get_parts(geom):
                if polygon.geom_type == "Polygon":
                    assert polygon.exterior.is_ccw, path
                    assert all(not hole.is_ccw for hole in polygon.interiors), path


def test_folder_helper__copy__checks_like_the_shipped_folder(tmp_path):
    # The copies every other test breaks start out good.
    copy = Folder(tmp_path / "b")
    assert run("check", "--boundaries", copy.path).code == 0
