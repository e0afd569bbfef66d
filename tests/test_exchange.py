"""The outputs that travel (issue #19): the GeoPackage and KML open and convert with GDAL, the
lines are features, coordinates are clean (7 decimals, no vertices closer than 1 cm) and
measure as ``hetao areas`` does, the CSV places every row, ``--crs`` writes grid
coordinates, the fact sheet shows the figures with their statuses in embedded fonts, and
every output carries the same version stamp."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely
from pyproj import Geod

import hetao
import hetao.figure
from hetao.exchange import GPKG_LAYERS, make_tables, render_kml
from hetao.stamp import version_stamp

from .conftest import _needs
from .helpers import FEATURE_IDS, OUTPUTS, SHIPPED, run, run_on_fds

pyogrio = pytest.importorskip("pyogrio")

GEOD = Geod(ellps="WGS84")
KML = "{http://www.opengis.net/kml/2.2}"
POLYGONS = ["hong-kong-park", "shenzhen-park", "futian-bonded-zone", "huanggang-port-area"]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The shipped boundaries built with the fact sheet and the HK1980 Grid files: once for
    the whole run, the first worker to ask building it while the others wait (do not modify)."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent          # this run's, above each worker's own
    out = shared / "exchange-build"
    with FileLock(shared / "exchange-build.lock"):
        if not (out / "hetao.pdf").exists():
            result = run("build", "--boundaries", SHIPPED, "--out", out, "--crs", "EPSG:2326", "--pdf")
            assert result.code == 0, result.err
            names = OUTPUTS + ["hetao.epsg2326.gpkg", "hetao.epsg2326.csv", "hetao.pdf"]
            assert result.out.splitlines() == [f"wrote {out / n} ({(out / n).stat().st_size:,} bytes)"
                                               for n in names]
    return out


@pytest.fixture(scope="module")
def areas() -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(run("areas", "--format", "json").out)}


def _pdf_reader():
    try:
        import pypdf
    except ImportError:
        _needs("no PDF reader: pip install pypdf (the test extra)")
    return pypdf


def _area_ha(geometry) -> float:
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geometry))
    return abs(area) / 1e4


def _close_vertices_m(geometry) -> list[float]:
    """The distances under 1 cm between consecutive vertices of every ring or line."""
    found = []
    for part in shapely.get_parts(geometry):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) > 1:
                _, _, dist = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
                found += [float(d) for d in dist if d < 0.01]
    return found


def test_gpkg__every_layer_converts_to_shapefile_kml_and_flatgeobuf(built, tmp_path):
    gpkg = built / "hetao.gpkg"
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == list(GPKG_LAYERS)
    for name, kind in pyogrio.list_layers(gpkg):
        frame = pyogrio.read_dataframe(gpkg, layer=name)
        assert len(frame) > 0, name
        targets = {"shp": "ESRI Shapefile", "kml": "KML", "fgb": "FlatGeobuf"} if kind else {"csv": "CSV", "dbf": "ESRI Shapefile"}
        for ext, driver in targets.items():
            path = tmp_path / f"{name}.{ext}"
            with warnings.catch_warnings():
                # Shapefile's own: field names cut to 10 characters, text to 254.
                warnings.filterwarnings("ignore", message=".*(truncated|Normalized/laundered|254).*")
                pyogrio.write_dataframe(frame, path, driver=driver)
            back = pyogrio.read_dataframe(path, read_geometry=bool(kind))
            assert len(back) == len(frame), (name, ext)
    # One geometry kind per layer; the points are the branch, the lines every line piece.
    assert pyogrio.read_info(gpkg, layer="polygons")["geometry_type"] == "MultiPolygon"
    assert pyogrio.read_info(gpkg, layer="lines")["geometry_type"] == "LineString"
    assert list(pyogrio.read_dataframe(gpkg, layer="points")["id"]) == ["hkstp-shenzhen-branch"]


def test_gpkg__flat_typed_fields_and_tables_joined_on_feature_id(built, areas):
    gpkg = built / "hetao.gpkg"
    polygons = pyogrio.read_dataframe(gpkg, layer="polygons")
    for column in ("name", "name_en", "name_zh", "lon", "lat", "area_ha", "uncertainty_ha", "stated_ha", "status"):
        assert column in polygons.columns, column
    assert polygons["area_ha"].dtype.kind == "f" and polygons["stated_ha"].dtype.kind == "f"
    row = polygons.set_index("id").loc["hong-kong-park"]
    assert (row["stated"], row["stated_ha"], row["status"]) == ("87 ha", 87.0, "reconciled")
    assert json.loads(row["detail"])["stated"] == areas["hong-kong-park"]["stated"]
    stated = pyogrio.read_dataframe(gpkg, layer="stated_figures")
    assert len(stated) == sum(len(r["stated"]) for r in areas.values())
    assert set(stated["feature_id"]) <= set(FEATURE_IDS)
    loop = stated[stated["feature_id"] == "hong-kong-park"]
    assert list(loop["status"]) == [s["status"] for s in areas["hong-kong-park"]["stated"]]
    edges = pyogrio.read_dataframe(gpkg, layer="edges")
    lines = pyogrio.read_dataframe(gpkg, layer="lines")
    assert set(edges["line_id"]) <= set(lines["line_id"])
    assert set(pyogrio.read_dataframe(gpkg, layer="provenance")["feature_id"]) == set(FEATURE_IDS) | set(lines["id"])


def test_outputs__polygon_areas_equal_hetao_areas_within_1e_5(built, areas):
    gpkg = pyogrio.read_dataframe(built / "hetao.gpkg", layer="polygons").set_index("id")
    geojson = {f["id"]: shapely.geometry.shape(f["geometry"])
               for f in json.loads((built / "hetao.geojson").read_text(encoding="utf-8"))["features"]}
    rows = {r["id"]: shapely.from_wkt(r["wkt"]) for r in csv.DictReader(
        io.StringIO((built / "hetao.csv").read_text(encoding="utf-8-sig")))}
    kml = pyogrio.read_dataframe(built / "hetao.kml").set_index("feature_id")
    for fid in POLYGONS:
        expected = areas[fid]["geodesic_area_ha"]
        for what, geometry in (("gpkg", gpkg.geometry[fid]), ("geojson", geojson[fid]), ("csv", rows[fid]),
                               ("kml", kml.geometry[fid])):
            assert _area_ha(geometry) == pytest.approx(expected, rel=1e-5), (fid, what)


def test_outputs__7_decimals_and_no_vertices_closer_than_1_cm(built):
    text = (built / "hetao.geojson").read_text(encoding="utf-8")
    data = json.loads(text)
    numbers = re.findall(r"-?\d+\.(\d+)", json.dumps([f["geometry"] for f in data["features"]]))
    assert numbers and max(len(n) for n in numbers) <= 7
    kml = (built / "hetao.kml").read_text(encoding="utf-8")
    decimals = [len(d) for block in re.findall(r"<coordinates>([^<]+)</coordinates>", kml)
                for d in re.findall(r"\.(\d+)", block)]
    assert decimals and max(decimals) <= 7
    wkt_decimals = [len(d) for r in csv.DictReader(io.StringIO((built / "hetao.csv").read_text(encoding="utf-8-sig")))
                    for d in re.findall(r"\.(\d+)", r["wkt"])]
    assert max(wkt_decimals) <= 7
    for feature in data["features"]:
        assert _close_vertices_m(shapely.geometry.shape(feature["geometry"])) == [], feature["id"]
    for layer in ("polygons", "lines"):
        for fid, geometry in pyogrio.read_dataframe(built / "hetao.gpkg", layer=layer).set_index("id").geometry.items():
            assert _close_vertices_m(geometry) == [], fid


def test_geojson__line_pieces_with_accuracy_flat_names_no_list_of_numbers(built):
    data = json.loads((built / "hetao.geojson").read_text(encoding="utf-8"))
    lines = [f for f in data["features"] if f["properties"]["kind"] == "line"]
    assert {f["properties"]["line_id"] for f in lines} == {ln.id for ln in hetao.load().lines}
    for f in lines:
        props = f["properties"]
        assert f["geometry"]["type"] == "LineString"
        assert props["accuracy_m"] > 0 and props["source"] and props["method"] and props["name_zh"]
        assert props["name"] == f"{props['name_en']} · {props['name_zh']}"
    for f in data["features"]:
        props = f["properties"]
        assert props["name"] and "name_en" in props and "name_zh" in props
        for key, value in props.items():
            assert not (isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value)), key
    branch = next(f for f in data["features"] if f["id"] == "hkstp-shenzhen-branch")["properties"]
    assert (branch["lon"], branch["lat"]) == tuple(data["features"][4]["geometry"]["coordinates"])


def test_csv__bom_names_lon_lat_wkt_and_the_branch_inside_the_shenzhen_side(built):
    data = (built / "hetao.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:4] == ["id", "name", "name_en", "name_zh"] and header[-1] == "wkt"
    assert {"lon", "lat"} <= set(header)
    assert set(FEATURE_IDS) <= set(rows)
    assert rows["shenzhen-park"]["name_zh"] == "深圳园区（近似）"
    shenzhen = shapely.from_wkt(rows["shenzhen-park"]["wkt"])
    branch = rows["hkstp-shenzhen-branch"]
    assert shenzhen.contains(shapely.Point(float(branch["lon"]), float(branch["lat"])))
    for fid in POLYGONS:         # a polygon's point lies inside it
        assert shapely.from_wkt(rows[fid]["wkt"]).contains(shapely.Point(float(rows[fid]["lon"]), float(rows[fid]["lat"])))


def test_kml__placemarks_named_in_both_languages_and_a_hostile_name_runs_nothing(folder):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = folder.manifest()
    folder.entry(data, "hong-kong-park")["name"]["en"] = hostile
    folder.entry(data, "hong-kong-park")["stated"][0]["source"] = hostile
    folder.write_manifest(data)
    zone = hetao.load(folder.path)
    measurements = hetao.measure(zone)
    kml = render_kml(make_tables(zone, measurements, version_stamp(zone)), measurements)
    root = ET.fromstring(kml)
    placemarks = root.iter(f"{KML}Placemark")
    names = []
    for placemark in placemarks:
        name = placemark.findtext(f"{KML}name")
        description = placemark.findtext(f"{KML}description")
        assert name and " · " in name, name
        names.append(name)
        # Google Earth reads the description as HTML: the user's text arrives escaped.
        assert "<script" not in description.lower() and "<img" not in description.lower(), description
        assert set(re.findall(r"<[^>]*>", description)) <= {"<br>"}, description
    assert len(names) == len(FEATURE_IDS) + sum(len(ln.pieces) for ln in zone.lines)
    assert names[0] == f"{hostile} · 香港園區（落馬洲河套地區）"


def test_crs__gpkg_and_csv_in_the_hk1980_grid(built):
    grid = built / "hetao.epsg2326.gpkg"
    for layer in ("polygons", "lines", "points"):
        assert pyogrio.read_info(grid, layer=layer)["crs"] == "EPSG:2326"
    wgs84 = pyogrio.read_dataframe(built / "hetao.gpkg", layer="points")
    points = pyogrio.read_dataframe(grid, layer="points")
    x, y = points.geometry[0].x, points.geometry[0].y
    assert 800_000 < x < 860_000 and 800_000 < y < 860_000      # metres east and north
    back = shapely.Point(*__import__("pyproj").Transformer.from_crs("EPSG:2326", "EPSG:4326", always_xy=True).transform(x, y))
    _, _, dist = GEOD.inv(back.x, back.y, wgs84.geometry[0].x, wgs84.geometry[0].y)
    assert dist < 0.02
    rows = list(csv.DictReader(io.StringIO((built / "hetao.epsg2326.csv").read_text(encoding="utf-8-sig"))))
    branch = next(r for r in rows if r["id"] == "hkstp-shenzhen-branch")
    assert "lon" not in branch and (float(branch["x"]), float(branch["y"])) == pytest.approx((x, y), abs=0.01)
    assert shapely.from_wkt(branch["wkt"]).x == pytest.approx(x, abs=0.01)
    # An unknown CRS: exit 2, the option named, nothing written.
    result = run("build", "--out", built.parent / "never", "--crs", "EPSG:99999999")
    assert result.code == 2 and "--crs" in result.err and not (built.parent / "never").exists()


def test_pdf__one_a4_page_with_the_figures_and_statuses_fonts_embedded(built, cjk_font):
    pypdf = _pdf_reader()
    reader = pypdf.PdfReader(built / "hetao.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    lines = page.extract_text().splitlines()
    assert any(ln.lstrip().startswith("87 ha") and "reconciled" in ln for ln in lines), lines
    assert any(ln.lstrip().startswith("302 ha") and "agrees" in ln for ln in lines), lines
    text = "\n".join(lines)
    assert "深圳园区" in text and "Dominant uncertain edge".lower() in text.lower() and "ODbL-1.0" in text
    fonts = page["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"], font["/BaseFont"]   # TrueType, embedded
    assert "/CreationDate" not in reader.metadata
    zone = hetao.load(SHIPPED)
    again = hetao.figure.render_pdf(zone, hetao.measure(zone), stamp=str(version_stamp(zone)))
    assert again == (built / "hetao.pdf").read_bytes()


def test_pdf__no_chinese_font__english_only_one_warning(tmp_path, monkeypatch, capfd):
    pypdf = _pdf_reader()
    monkeypatch.setattr(hetao.figure, "cjk_font", lambda: None)
    result = run_on_fds(capfd, "build", "--out", tmp_path, "--pdf")
    assert result.code == 0, result.err
    assert len(result.err.splitlines()) == 1 and "no font with Chinese glyphs" in result.err
    text = pypdf.PdfReader(tmp_path / "hetao.pdf").pages[0].extract_text()
    assert "87 ha" in text and not re.search(r"[\u4e00-\u9fff]", text)


def test_stamp__the_same_in_every_output_and_it_follows_the_files(built, folder):
    from PIL import Image

    stamp = str(version_stamp(hetao.load(SHIPPED)))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d [0-9a-f]{12}", stamp)
    assert json.loads((built / "hetao.geojson").read_text(encoding="utf-8"))["version"] == stamp
    assert f"boundaries version {stamp}" in (built / "hetao.html").read_text(encoding="utf-8")
    assert stamp in Image.open(built / "hetao.png").text["Source"]
    for name in ("areas.csv", "hetao.csv", "hetao.epsg2326.csv"):
        rows = list(csv.DictReader(io.StringIO((built / name).read_text(encoding="utf-8-sig"))))
        assert {r["version"] for r in rows} == {stamp}, name
    for name in ("hetao.gpkg", "hetao.epsg2326.gpkg"):
        assert pyogrio.read_info(built / name, layer="polygons")["dataset_metadata"]["hetao_version"] == stamp
        for layer in ("polygons", "lines", "points"):
            assert pyogrio.read_info(built / name, layer=layer)["layer_metadata"]["hetao_version"] == stamp
    assert set(pyogrio.read_dataframe(built / "hetao.kml")["version"]) == {stamp}
    pypdf = _pdf_reader()
    reader = pypdf.PdfReader(built / "hetao.pdf")
    assert stamp in reader.pages[0].extract_text() and stamp in reader.metadata["/Subject"]
    # Any change to a file the manifest names gives another stamp.
    path = folder.path / "lines" / "loop-east-edge.geojson"
    path.write_bytes(path.read_bytes() + b"\n")
    assert str(version_stamp(hetao.load(folder.path))) != stamp
