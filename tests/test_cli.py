"""The CLI in-process (click's CliRunner): areas, check, usage, verbosity, error wording."""

from __future__ import annotations

import csv
import importlib
import io
import json

import pytest
import shapely

from hetao import __version__

from .helpers import FEATURE_IDS, OUTPUTS, PLAIN_CONTEXT_IDS, SHIPPED, Folder, run, write_geojson


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
    # The Loop's five figures, each reconciled: within the land once the river is taken away.
    assert sum(" reconciled; less river water " in line for line in lines) == 5
    assert "explained" not in result.out
    loop = next(r for r in areas_json if r["id"] == "hong-kong-park")
    low, high = loop["reconciled"]["range_ha"]
    assert (f"    less river water: {loop['reconciled']['area_ha']:,.2f} ha ({low:,.2f} to {high:,.2f}), "
            "reading land:") in result.out
    # Each line-built polygon lists its edges, the dominant one marked: for the port area,
    # the extrapolated piece of Huanggang Road.
    start = next(i for i, line in enumerate(lines) if line.startswith("huanggang-port-area"))
    block = lines[start + 1:next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))]
    assert sum(line.startswith("    edge ") for line in block) == 7
    [dominant] = [line for line in block if line.endswith("<- dominant")]
    assert "edge west" in dominant and "huanggang-road [extrapolated]" in dominant and "× 75 m" in dominant


def test_areas__json__schema_and_values(areas_json):
    assert [r["id"] for r in areas_json] == FEATURE_IDS
    for rec in areas_json:
        for key in ("id", "side", "kind", "geodesic_area_ha", "perimeter_m", "boundary_length_m",
                    "grid_area_ha", "uncertainty_ha", "edges", "reconciled", "stated", "provenance"):
            assert key in rec
        for figure in rec["stated"]:
            for key in ("value_ha", "source", "difference_pct", "status", "reconciled_difference_ha",
                        "reconciled_status"):
                assert key in figure
    by_id = {r["id"]: r for r in areas_json}
    branch = by_id["hkstp-shenzhen-branch"]
    assert branch["kind"] == "point"
    assert branch["geodesic_area_ha"] is None and branch["perimeter_m"] is None
    assert [f["status"] for f in branch["stated"]] == ["not_comparable"]
    assert branch["edges"] == [] and branch["reconciled"] is None
    loop = by_id["hong-kong-park"]
    # Every line of the Loop is good to 10 m: its uncertainty is its boundary × 10 m.
    assert {e["accuracy_m"] for e in loop["edges"]} == {10}
    assert loop["uncertainty_ha"] == pytest.approx(loop["boundary_length_m"] * 10 / 1e4)
    assert sum(e["length_m"] for e in loop["edges"]) == pytest.approx(loop["boundary_length_m"], abs=0.01)
    assert [f["status"] for f in loop["stated"]] == ["reconciled"] * 5
    assert [f["reconciled_status"] for f in loop["stated"]] == ["agrees"] * 5
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
    import hetao
    assert len(lines) == len(hetao.check(hetao.load())) >= 5, result.out     # one line per check
    assert all(line.startswith("ok  ") for line in lines), result.out
    assert any("the sides do not overlap" in line for line in lines)
    assert result.err == ""


def test_check__sides_overlap__exit_1_with_overlap_area(plain_folder):
    # Push the Loop (a plain geometry file) 300 m north-west, onto the Huanggang Port area part.
    folder = plain_folder
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
    assert sum(line.startswith("FAIL") for line in result.out.splitlines()) == 1
    assert result.err == f"hetao: error: 1 of {len(result.out.splitlines())} checks failed\n"


def test_check__loop_without_explanation__still_reconciled_exit_0(folder):
    # Reconciling needs no words: the strips of river water account for the difference.
    folder.edit_feature("hong-kong-park", explanation=None)
    result = run("check", "--boundaries", folder.path)
    assert result.code == 0, result.out
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    assert areas[0]["explanation"] is None
    assert [f["status"] for f in areas[0]["stated"]] == ["reconciled"] * 5


def test_check__unexplained_difference__exit_1_one_line_per_figure(folder):
    # Without the reconciling strips and without the explanation, nothing accounts for
    # 108 ha against 87: every figure differs.
    folder.edit_feature("hong-kong-park", explanation=None, reconcile=None)
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    failing = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 5 and all("no explanation" in line for line in failing)
    assert all(line.startswith("FAIL  hong-kong-park against ") for line in failing)
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    assert areas[0]["reconciled"] is None
    assert [f["status"] for f in areas[0]["stated"]] == ["differs"] * 5


def test_check__reconcile_removed__explained_exit_0(folder):
    # Without the strips, the explanation still says why: explained, as before lines.
    folder.edit_feature("hong-kong-park", reconcile=None)
    assert run("check", "--boundaries", folder.path).code == 0
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    assert [f["status"] for f in areas[0]["stated"]] == ["explained"] * 5
    assert [f["reconciled_status"] for f in areas[0]["stated"]] == [None] * 5


def test_check__part_outside_its_side__exit_1(folder):
    # A part that is not in its side's union: make shenzhen-park a union of one part only.
    folder.edit_feature("shenzhen-park", union_of=["futian-bonded-zone"])
    result = run("check", "--boundaries", folder.path)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "huanggang-port-area lies within" in line)
    assert line.startswith("FAIL")


def test_cli__verbosity__v_says_more_q_says_less_on_build(tmp_path, shipped_build_run, monkeypatch):
    shipped, default = shipped_build_run       # the session's build, at default verbosity
    assert default.out.splitlines() == [f"wrote {shipped / name} ({(shipped / name).stat().st_size:,} bytes)"
                                        for name in OUTPUTS]
    assert default.err == ""
    # -v: INFO logs on standard error, as "hetao: ..."; the results are unchanged.
    verbose = run("-v", "build", "--out", tmp_path / "verbose")
    assert verbose.code == 0
    assert "hetao: drawing the map\n" in verbose.err and "hetao: drawing the figure" in verbose.err
    assert verbose.out.replace(str(tmp_path / "verbose"), str(shipped)) == default.out
    # -q: no chatter at all; the outputs are still written. What is drawn is not the point
    # here: the session build's bytes stand in for the rendering (a real -q build silencing
    # the drawing's font warning: tests/test_outputs.py).
    files = {name: (shipped / name).read_bytes() for name in OUTPUTS}
    monkeypatch.setattr(importlib.import_module("hetao._build"), "render_outputs", lambda *a, **k: dict(files))
    quiet = run("-q", "build", "--out", tmp_path / "quiet")
    assert quiet.code == 0 and quiet.out == quiet.err == ""
    assert {name: (tmp_path / "quiet" / name).read_bytes() for name in OUTPUTS} == files


def test_swap__missing_source__library_names_the_parameter_cli_the_option(folder, tmp_path):
    import hetao

    path = write_geojson(tmp_path / "loop.geojson", folder.shape("hong-kong-park"))
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

    path = write_geojson(tmp_path / "loop.geojson", folder.shape("hong-kong-park"))
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


def test_shipped_geometry__rfc7946_files_each_named_by_the_manifest():
    manifest = json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))
    named = {e["geometry"]: e for e in manifest["features"] + manifest["context"] if "geometry" in e}
    # Every geometry file is named by the manifest, and every name is a file: no stray polygon
    # files beside the faces built from lines.
    assert sorted(str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*.geojson")) == sorted(named)
    assert len([n for n in named if n.startswith("lines/")]) == 8
    for relative, entry in named.items():
        data = json.loads((SHIPPED / relative).read_text())
        assert data["type"] == "FeatureCollection" and "crs" not in data
        for feature in data["features"]:
            geom = shapely.geometry.shape(feature["geometry"])
            if entry.get("kind") == "line":
                assert geom.geom_type == "LineString", relative
            for polygon in shapely.get_parts(geom):
                if polygon.geom_type == "Polygon":
                    assert polygon.exterior.is_ccw, relative
                    assert all(not hole.is_ccw for hole in polygon.interiors), relative


def test_folder_helper__copy__checks_like_the_shipped_folder(tmp_path):
    # The copies every other test breaks start out good.
    copy = Folder(tmp_path / "b")
    assert run("check", "--boundaries", copy.path).code == 0


def test_plain_folder_helper__same_areas_and_uncertainties_no_lines(plain_folder):
    # The plain copy (every polygon a geometry file) measures exactly as the shipped folder,
    # checks as it does, and has no lines.
    shipped = json.loads(run("areas", "--format", "json").out)
    plain = json.loads(run("areas", "--format", "json", "--boundaries", plain_folder.path).out)
    assert [r["id"] for r in plain] == FEATURE_IDS
    for a, b in zip(shipped, plain):
        for key in ("geodesic_area_ha", "perimeter_m", "boundary_length_m", "grid_area_ha"):
            assert b[key] == a[key], (a["id"], key)
        if a["uncertainty_ha"] is not None:
            assert b["uncertainty_ha"] == pytest.approx(a["uncertainty_ha"], rel=1e-9), a["id"]
        assert b["reconciled"] is None
    assert [len(r["edges"]) for r in plain] == [1, 2, 1, 1, 0]    # an outline each; a union its parts'
    data = plain_folder.manifest()
    assert all(e["kind"] != "line" and "bounded_by" not in e and "reconcile" not in e for e in data["features"])
    assert not (plain_folder.path / "lines").exists()
    assert [c["id"] for c in data["context"]] == PLAIN_CONTEXT_IDS
    assert run("check", "--boundaries", plain_folder.path).code == 0
