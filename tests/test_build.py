"""hetao build: the four outputs, offline by default, reproducible, atomic."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from hetao.build import build
from hetao.errors import HetaoError
from hetao.measurement import measure_zone
from hetao.zone import load_zone

from .conftest import SHIPPED, run_hetao

OUTPUTS = ["hetao.html", "hetao.geojson", "areas.csv", "hetao.png"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    result = run_hetao("build", "--out", folder)
    assert result.code == 0, result.err
    for name in OUTPUTS:
        assert f"wrote {folder / name}" in result.out
    return folder


def test_build__twice__byte_identical(out, tmp_path):
    result = run_hetao("build", "--out", tmp_path)
    assert result.code == 0
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_build__html__self_contained(out):
    page = (out / "hetao.html").read_text(encoding="utf-8")
    assert "<script src=" not in page
    assert "<link rel=\"stylesheet\"" not in page
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", page):
        assert url.startswith(("data:", "#default#VML")), url
    # Addresses left: tile templates (the only thing fetched), links a person may click,
    # the SVG namespace, and URLs inside the inlined libraries' comments.
    tiles = [u for u in re.findall(r"https?://[^\s\"'<>)\\]+", page) if "{z}" in u]
    assert sorted(set(tiles)) == [
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    assert "Content-Security-Policy" in page


def test_build__cdn__links_instead_of_inlining(tmp_path):
    result = run_hetao("build", "--out", tmp_path, "--cdn")
    assert result.code == 0, result.err
    page = (tmp_path / "hetao.html").read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in page
    assert len(page) < 200_000  # the inlined libraries are gone


def test_build__geojson__rfc7946_with_measured_and_stated(out):
    data = json.loads((out / "hetao.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    areas = {r["id"]: r for r in json.loads(run_hetao("areas", "--format", "json").out)}
    assert [f["id"] for f in data["features"]] == list(areas)
    for feature in data["features"]:
        props = feature["properties"]
        assert props["geodesic_area_ha"] == areas[feature["id"]]["geodesic_area_ha"]
        assert props["provenance"]["licence"]
        assert props["stated"] == areas[feature["id"]]["stated"]


def test_build__csv__matches_areas_csv(out):
    assert (out / "areas.csv").read_text(encoding="utf-8") == run_hetao("areas", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO((out / "areas.csv").read_text(encoding="utf-8"))))
    assert {r["id"] for r in rows} >= {"hong-kong-park", "shenzhen-park"}


def test_build__png__a_real_image(out):
    import matplotlib.image
    image = matplotlib.image.imread(out / "hetao.png")
    height, width = image.shape[:2]
    assert width > 800 and height > 600
    # Both side colours are drawn (Okabe-Ito blue and vermillion), not a blank canvas.
    rgb = (image[..., :3] * 255).round().astype(int).reshape(-1, 3).tolist()
    colours = {tuple(c) for c in rgb}
    assert (0x00, 0x72, 0xB2) in colours and (0xD5, 0x5E, 0x00) in colours


def test_build__broken_boundaries__exit_2_outputs_unchanged(folder, out, tmp_path):
    target = tmp_path / "kept"
    assert run_hetao("build", "--out", target).code == 0
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    folder.set_coordinates("futian-bonded-zone", [[[114.04, 22.5], [114.05, 22.5], [114.05, 22.51]]])
    result = run_hetao("build", "--boundaries", folder.path, "--out", target)
    assert result.code == 2
    assert "is not closed" in result.err and "Traceback" not in result.err
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_build__render_fails_midway__nothing_written(tmp_path, monkeypatch):
    zone = load_zone(SHIPPED)
    measurements = measure_zone(zone)
    build(zone, tmp_path, measurements=measurements)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken_map(*args, **kwargs):
        raise HetaoError("map failed")

    import hetao.webmap
    monkeypatch.setattr(hetao.webmap, "render_map", broken_map)
    zone2 = load_zone(SHIPPED)
    with pytest.raises(HetaoError):
        build(zone2, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
