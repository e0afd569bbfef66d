"""Files as users have them: a zipped shapefile as downloaded (in a sub-folder of the zip), the
``zip://archive.zip!inner`` form, a zip of several datasets, CSV exported by QGIS (WKT under
``wkt_geom``) or a spreadsheet (lon/lat columns), and GeoPackages of several layers.

Every file is made in code; areas are checked with GeographicLib after an independent
reprojection."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import pytest
import shapely
import shapely.affinity

import hetao

from .helpers import geographiclib_geometry, local_transformers, run, transformed

PROVENANCE = ["--source", "Planning Department download", "--licence", "HK Government open data terms",
              "--accuracy", "0.5"]


def _survey(folder):
    """The Loop moved about 55 m south-east (away from the river): an 'updated survey'."""
    return shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002)


def _shapefile(geometry, path, crs="EPSG:2326"):
    gpd.GeoDataFrame({"name": [path.stem]}, geometry=[geometry], crs="EPSG:4326").to_crs(crs).to_file(path)
    return sorted(path.parent.glob(f"{path.stem}.*"))


def _zip(archive, members: dict) -> None:
    """A zip holding each file of ``members`` (name in the archive -> file on disk)."""
    with zipfile.ZipFile(archive, "w") as zf:
        for name, path in members.items():
            zf.write(path, name)


def _loop_area_ha(folder) -> float:
    areas = json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)
    return next(r for r in areas if r["id"] == "hong-kong-park")["geodesic_area_ha"]


def test_swap__zipped_shapefile_in_a_sub_folder__read_in_place_reprojected_from_hk1980(folder, tmp_path):
    survey = _survey(folder)
    (tmp_path / "src").mkdir()
    files = _shapefile(survey, tmp_path / "src" / "loop.shp")
    assert {p.suffix for p in files} >= {".shp", ".shx", ".dbf", ".prj"}
    archive = tmp_path / "Loop_Boundary_2026.zip"
    _zip(archive, {f"Loop_Boundary_2026/{p.name}": p for p in files})
    result = run("swap", "hong-kong-park", archive, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "note: read Loop_Boundary_2026/loop.shp from the zip archive" in result.out
    assert "note: reprojected from EPSG:2326 to WGS84" in result.out
    assert _loop_area_ha(folder) == pytest.approx(geographiclib_geometry(survey).area / 1e4, rel=1e-6)
    entry = folder.entry(folder.manifest(), "hong-kong-park")
    assert entry["provenance"]["licence"] == "HK Government open data terms"
    assert "Loop_Boundary_2026.zip" in entry["provenance"]["method"]


@pytest.mark.parametrize("form", ["relative", "absolute"])
def test_swap__zip_url_form__the_named_member_read(folder, tmp_path, monkeypatch, form):
    survey = _survey(folder)
    (tmp_path / "src").mkdir()
    files = _shapefile(survey, tmp_path / "src" / "loop.shp")
    archive = tmp_path / "download.zip"
    _zip(archive, {f"boundary/{p.name}": p for p in files})
    monkeypatch.chdir(tmp_path)
    # GDAL's and fiona's form: zip://ARCHIVE!MEMBER, so zip:///abs/path.zip!... for an absolute path.
    url = f"zip://{'download.zip' if form == 'relative' else archive}!boundary/loop.shp"
    result = run("swap", "hong-kong-park", url, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "note: read boundary/loop.shp from the zip archive" in result.out
    assert _loop_area_ha(folder) == pytest.approx(geographiclib_geometry(survey).area / 1e4, rel=1e-6)


def test_swap__zip_of_two_shapefiles__refused_listing_both_unless_layer_names_one(folder, tmp_path):
    survey, old = _survey(folder), folder.shape("hong-kong-park")
    (tmp_path / "src").mkdir()
    files = _shapefile(survey, tmp_path / "src" / "loop.shp") + _shapefile(old, tmp_path / "src" / "old.shp")
    archive = tmp_path / "plan.zip"
    _zip(archive, {f"data/{p.name}": p for p in files})
    before = folder.snapshot()
    refused = run("swap", "hong-kong-park", archive, "--boundaries", folder.path, *PROVENANCE)
    assert refused.code == 2 and refused.out == ""
    assert refused.err == (f"hetao: error: {archive}: feature 'hong-kong-park': holds 2 datasets "
                           "(data/loop.shp, data/old.shp); choose one with --layer\n")
    assert folder.snapshot() == before
    # --layer names one: by its name, or by its path in the archive.
    for layer, member, expected in (("loop", "data/loop.shp", survey), ("data/old.shp", "data/old.shp", old)):
        result = run("swap", "hong-kong-park", archive, "--boundaries", folder.path, "--layer", layer, "--dry-run")
        assert result.code == 0, (layer, result.err)
        assert f"note: read {member} from the zip archive" in result.out
        area = result.out.split("hong-kong-park now measures ")[1].split(" ha")[0]
        assert float(area.replace(",", "")) == pytest.approx(geographiclib_geometry(expected).area / 1e4, abs=0.0051)
    unknown = run("swap", "hong-kong-park", archive, "--boundaries", folder.path, "--layer", "roads", "--dry-run")
    assert unknown.code == 2
    assert unknown.err == (f"hetao: error: {archive}: feature 'hong-kong-park': holds no dataset 'roads'; "
                           "inside: data/loop.shp, data/old.shp\n")


def test_swap__qgis_csv_with_wkt_geom__needs_crs_then_swapped(folder, tmp_path):
    survey = _survey(folder)
    # As QGIS writes a layer "Save as CSV" with GEOMETRY=AS_WKT: no CRS in the file.
    path = tmp_path / "loop_qgis.csv"
    wkt = shapely.to_wkt(survey, rounding_precision=-1).replace("POLYGON ((", "Polygon ((")
    path.write_text(f'wkt_geom,name,area_ha\n"{wkt}",Lok Ma Chau Loop,87\n', encoding="utf-8")
    before = folder.snapshot()
    refused = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE)
    assert refused.code == 2 and refused.out == ""
    lines = refused.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"hetao: error: {path}: feature 'hong-kong-park': has no CRS; "
                                                   "give it with --crs"), refused.err
    assert folder.snapshot() == before
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, "--crs", "EPSG:4326", *PROVENANCE)
    assert result.code == 0, result.err
    assert _loop_area_ha(folder) == pytest.approx(geographiclib_geometry(survey).area / 1e4, rel=1e-6)
    # Its other columns are not geometry: the boundary is the WKT, as written.
    stored = shapely.geometry.shape(folder.geometry("hong-kong-park")["features"][0]["geometry"])
    assert shapely.equals_exact(shapely.normalize(stored), shapely.normalize(survey), 1e-9)


def test_swap__lon_lat_csv__the_branch_point_moved(folder, tmp_path):
    path = tmp_path / "branch.csv"
    path.write_text("name,lon,lat,note\nHKSTP Shenzhen branch,114.045123,22.508456,surveyed\n", encoding="utf-8")
    result = run("swap", "hkstp-shenzhen-branch", path, "--boundaries", folder.path, "--crs", "EPSG:4326",
                 "--source", "site visit", "--licence", "CC0-1.0", "--accuracy", "20")
    assert result.code == 0, result.err
    point = hetao.load(folder.path).feature("hkstp-shenzhen-branch").geometry
    assert (point.geom_type, point.x, point.y) == ("Point", 114.045123, 22.508456)
    check = run("check", "--boundaries", folder.path)
    assert "ok    hkstp-shenzhen-branch lies within the shenzhen side: inside" in check.out


def test_swap__csv_without_geometry_column__exit_2_one_line(folder, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("name,area_ha\nLok Ma Chau Loop,87\n", encoding="utf-8")
    before = folder.snapshot()
    for extra in ([], ["--crs", "EPSG:4326"]):
        result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *extra)
        assert result.code == 2, result
        assert result.out == ""
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert lines[0].startswith(f"hetao: error: {path}: feature 'hong-kong-park': has no geometry column"), lines[0]
        assert "Traceback" not in result.err
    assert folder.snapshot() == before


def test_diff__two_geopackages_of_several_layers__layer_picks_one(folder, tmp_path):
    to_local, to_wgs84 = local_transformers()
    loop, port = folder.shape("hong-kong-park"), folder.shape("huanggang-port-area")
    moved = transformed(shapely.affinity.translate(transformed(loop, to_local), 30, 0), to_wgs84)  # 30 m east
    old, new = tmp_path / "plan-2025.gpkg", tmp_path / "plan-2026.gpkg"
    for path, loop_geometry in ((old, loop), (new, moved)):
        for layer, geometry in (("loop", loop_geometry), ("port", port)):
            gpd.GeoDataFrame({"name": [layer]}, geometry=[geometry], crs="EPSG:4326").to_crs(
                "EPSG:2326").to_file(path, layer=layer, driver="GPKG")
    refused = run("diff", old, new)
    assert refused.code == 2
    assert refused.err == (f"hetao: error: {old}: has 2 layers (loop, port); choose one with --layer\n")
    result = run("diff", old, new, "--layer", "loop", "--format", "json")
    assert result.code == 0, result.err
    [rec] = json.loads(result.out)
    # Independently: moved 30 m east, the Loop gains and loses the strips between the two.
    gained = geographiclib_geometry(shapely.difference(moved, loop)).area / 1e4
    lost = geographiclib_geometry(shapely.difference(loop, moved)).area / 1e4
    assert rec["gained_ha"] == pytest.approx(gained, rel=1e-3)
    assert rec["lost_ha"] == pytest.approx(lost, rel=1e-3)
    assert rec["area_after_ha"] == pytest.approx(rec["area_before_ha"], rel=1e-4)
    assert 25 < rec["hausdorff_m"] <= 30.01
    result = run("diff", old, new, "--layer", "port", "--format", "json")
    assert result.code == 0, result.err
    [rec] = json.loads(result.out)
    assert rec["gained_ha"] == rec["lost_ha"] == 0 and rec["hausdorff_m"] == pytest.approx(0, abs=1e-6)
