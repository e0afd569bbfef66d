"""What hetao build writes, beyond test_build.py: RFC 7946 winding in hetao.geojson (holes and
the union included), the figure with and without a font that has Chinese glyphs, a swapped
licence in the map's attribution, and ``--open`` with no browser to open."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import shapely

import hetao
import hetao.figure
from hetao.report import to_geojson

from .helpers import OUTPUTS, SHIPPED, local_transformers, run, run_on_fds, transformed, write_geojson


def _signed_area(ring: list) -> float:
    """Shoelace, in lon/lat: positive for a counter-clockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _windings(geojson: dict) -> dict[str, list[tuple[str, float]]]:
    """Each polygonal feature's rings: ("exterior" or "hole", signed area)."""
    out = {}
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        out[feature["id"]] = [("exterior" if i == 0 else "hole", _signed_area(ring))
                              for polygon in polygons for i, ring in enumerate(polygon)]
    return out


def _rfc7946_wound(windings: dict) -> list:
    """The rings wound against RFC 7946 (exteriors counter-clockwise, holes clockwise)."""
    return [(fid, kind, area) for fid, rings in windings.items() for kind, area in rings
            if (area <= 0 if kind == "exterior" else area >= 0)]


def test_build__geojson__exteriors_counter_clockwise_including_the_union(shipped_build):
    data = json.loads((shipped_build / "hetao.geojson").read_text(encoding="utf-8"))
    windings = _windings(data)
    assert sorted(windings) == sorted(["hong-kong-park", "shenzhen-park", "futian-bonded-zone",
                                       "huanggang-port-area"])
    assert len(windings["shenzhen-park"]) >= 2         # the union's two parts
    assert _rfc7946_wound(windings) == []
    # It is what the report module gives for the shipped zone (used below for a zone with holes).
    zone = hetao.load()
    assert to_geojson(hetao.measure(zone), lines=zone.lines, stamp=data["version"]) == (
        shipped_build / "hetao.geojson").read_text(encoding="utf-8")


def test_geojson__part_with_a_hole_written_the_wrong_way__hole_clockwise_in_the_part_and_the_union(plain_folder):
    folder = plain_folder
    to_local, to_wgs84 = local_transformers()
    port = folder.shape("huanggang-port-area")
    middle = transformed(port.representative_point(), to_local)
    hole = transformed(middle.buffer(80, quad_segs=2), to_wgs84)
    holed = shapely.geometry.polygon.orient(shapely.Polygon(port.exterior, [hole.exterior]), sign=-1.0)
    # As written in the file: exterior clockwise, hole counter-clockwise (hetao orients rings).
    assert not holed.exterior.is_ccw and holed.interiors[0].is_ccw and holed.is_valid
    write_geojson(folder.geometry_path("huanggang-port-area"), holed)
    data = json.loads(to_geojson(hetao.measure(hetao.load(folder.path))))
    windings = _windings(data)
    for fid in ("huanggang-port-area", "shenzhen-park"):
        assert [kind for kind, _ in windings[fid]].count("hole") == 1, (fid, windings[fid])
    assert _rfc7946_wound(windings) == []


@pytest.mark.figure_child
def test_build__no_chinese_font__one_warning_line_english_only_figure_and_open_without_browser_warns_exit_0(
        tmp_path, shipped_build, monkeypatch, capfd, cjk_font):
    import webbrowser

    # Here a font with Chinese glyphs is installed (fonts-wqy-zenhei): the shipped build used it.
    assert Path(cjk_font).is_file()
    monkeypatch.setattr(hetao.figure, "cjk_font", lambda: None)
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *args, **kwargs: opened.append(url) or False)
    # On the real file descriptors: hetao build draws the figure in a forked child, whose
    # warning goes to the real standard error.
    default, quiet = tmp_path / "default", tmp_path / "quiet"
    result = run_on_fds(capfd, "build", "--out", default)
    assert result.code == 0, result.err
    # Default verbosity: the figure's one warning, nothing from matplotlib.
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("hetao: no font with Chinese glyphs is installed"), lines[0]
    assert "findfont" not in result.err and "Glyph" not in result.err
    assert result.out.splitlines() == [f"wrote {default / n} ({(default / n).stat().st_size:,} bytes)"
                                       for n in OUTPUTS]
    # The figure names features in English only: not the figure drawn with the font; the
    # other outputs are the same.
    assert (default / "hetao.png").read_bytes() != (shipped_build / "hetao.png").read_bytes()
    for name in (n for n in OUTPUTS if n != "hetao.png"):
        assert (default / name).read_bytes() == (shipped_build / name).read_bytes(), name
    # -q --open with no browser: the outputs are written, so it exits 0; the only line is
    # the warning that no browser started (the font's is silenced by -q).
    result = run_on_fds(capfd, "-q", "build", "--out", quiet, "--open")
    page = (quiet / "hetao.html").resolve()
    assert opened == [page.as_uri()]
    assert result.code == 0, result
    assert result.out == ""
    assert result.err == f"hetao: no browser could be started; open {page} by hand\n"
    assert (quiet / "hetao.png").read_bytes() == (default / "hetao.png").read_bytes()
    assert sorted(p.name for p in quiet.iterdir()) == sorted(OUTPUTS)


def _attribution(page: str) -> str:
    """The text the map adds to its attribution control."""
    start = page.index("map.attributionControl.addAttribution(") + len("map.attributionControl.addAttribution(")
    text, _ = json.JSONDecoder().raw_decode(page[start:])
    return html.unescape(text)


def test_map__swapped_licence__in_full_in_the_attribution_and_zone_attributions(folder, tmp_path):
    licence = "HK Government open data terms"
    loop = write_geojson(tmp_path / "loop.geojson", folder.shape("hong-kong-park"))
    result = run("swap", "hong-kong-park", loop, "--boundaries", folder.path, "--source", "Planning Department",
                 "--licence", licence, "--accuracy", "0.5")
    assert result.code == 0, result.err
    zone = hetao.load(folder.path)
    assert [a for a in zone.attributions() if licence in a], zone.attributions()
    shipped = _attribution(hetao.Map(hetao.load(SHIPPED)).html)
    attribution = _attribution(hetao.Map(zone).html)
    assert attribution.startswith("Boundaries: ")
    assert licence in attribution and licence not in shipped
    # Every attribution of the zone is there in full.
    for text in zone.attributions():
        assert text in attribution, text
