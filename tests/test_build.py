"""hetao build (in-process): the four outputs, offline by default, reproducible, atomic."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from hetao.errors import HetaoError

from .helpers import FEATURE_IDS, OUTPUTS, run


@pytest.fixture(scope="module")
def areas() -> list[dict]:
    return json.loads(run("areas", "--format", "json").out)


def test_build__twice__byte_identical(shipped_build, tmp_path):
    result = run("build", "--out", tmp_path)
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (shipped_build / name).read_bytes(), name


def test_build__html__self_contained(shipped_build):
    page = (shipped_build / "hetao.html").read_text(encoding="utf-8")
    assert "<script src=" not in page
    assert "<link rel=\"stylesheet\"" not in page
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", page)
    assert urls and all(url.startswith(("data:", "#default#VML")) for url in urls), urls
    # Addresses left: tile templates (the only thing fetched), links a person may click,
    # the SVG namespace, and URLs inside the inlined libraries' comments.
    tiles = [u for u in re.findall(r"https?://[^\s\"'<>)\\]+", page) if "{z}" in u]
    assert sorted(set(tiles)) == [
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = dict(part.strip().split(" ", 1) for part in csp.group(1).split(";"))
    # Scripts: only the page's own, by hash; nothing from the network.
    assert policy["script-src"].startswith("'sha256-") and "https:" not in policy["script-src"]
    assert policy["default-src"] == "'none'"


def test_build__cdn__links_instead_of_inlining(tmp_path, shipped_build):
    result = run("build", "--out", tmp_path, "--cdn")
    assert result.code == 0, result.err
    page = (tmp_path / "hetao.html").read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in page
    assert len(page) < 200_000 < (shipped_build / "hetao.html").stat().st_size  # the inlined libraries are gone
    # Only the map page changes.
    for name in OUTPUTS[1:]:
        assert (tmp_path / name).read_bytes() == (shipped_build / name).read_bytes(), name


def test_build__geojson__rfc7946_with_measured_and_stated(shipped_build, areas):
    data = json.loads((shipped_build / "hetao.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    by_id = {r["id"]: r for r in areas}
    assert [f["id"] for f in data["features"] if f["properties"]["kind"] != "line"] == FEATURE_IDS
    for feature in data["features"][:len(FEATURE_IDS)]:
        props = feature["properties"]
        assert props["geodesic_area_ha"] == by_id[feature["id"]]["geodesic_area_ha"]
        assert props["provenance"] == by_id[feature["id"]]["provenance"]
        assert props["stated"] == by_id[feature["id"]]["stated"]


def test_build__csv__same_as_areas_csv_with_a_bom_and_the_version(shipped_build):
    data = (shipped_build / "areas.csv").read_bytes()
    assert data.startswith("\ufeff".encode())          # Excel reads the Chinese
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    versions = {r.pop("version") for r in rows}
    assert len(versions) == 1
    assert rows == list(csv.DictReader(io.StringIO(run("areas", "--format", "csv").out)))
    assert [r["id"] for r in rows if r["id"] == "hong-kong-park"] == ["hong-kong-park"] * 5
    assert {r["id"] for r in rows} == set(FEATURE_IDS)


def test_build__png__a_real_image_with_both_side_colours(shipped_build):
    import matplotlib.image
    image = matplotlib.image.imread(shipped_build / "hetao.png")
    height, width = image.shape[:2]
    assert width > 800 and height > 600
    # Both side colours are drawn (Okabe-Ito blue and vermillion), not a blank canvas.
    rgb = (image[..., :3] * 255).round().astype(int).reshape(-1, 3)
    for colour in ((0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00)):
        assert (rgb == colour).all(axis=1).any(), colour


def test_build__broken_boundaries__exit_2_outputs_unchanged(plain_folder, shipped_build, tmp_path):
    folder = plain_folder     # every polygon a geometry file: break one
    target = tmp_path / "kept"
    target.mkdir()
    for name in OUTPUTS:
        (target / name).write_bytes((shipped_build / name).read_bytes())
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    folder.set_coordinates("futian-bonded-zone", [[[114.04, 22.5], [114.05, 22.5], [114.05, 22.51]]])
    result = run("build", "--boundaries", folder.path, "--out", target)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"hetao: error: {folder.path / 'futian-bonded-zone.geojson'}: ")
    assert "is not closed" in result.err
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_build__output_folder_is_a_file__exit_1_one_line(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    result = run("build", "--out", blocker / "site")
    assert result.code == 1
    assert len(result.err.splitlines()) == 1 and result.err.startswith("hetao: error: ")
    assert "cannot be written" in result.err
    assert blocker.read_text() == "not a folder"


def test_build__render_fails_midway__nothing_written(tmp_path, monkeypatch, shipped_build):
    for name in OUTPUTS:
        (tmp_path / name).write_bytes((shipped_build / name).read_bytes())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken_figure(*args, **kwargs):
        raise HetaoError("figure failed")

    # The map is drawn first and the figure second: the failure comes after a rendered map.
    import hetao.figure
    monkeypatch.setattr(hetao.figure, "render_png", broken_figure)
    with pytest.raises(HetaoError, match="figure failed"):
        hetao.build(hetao.load(), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
