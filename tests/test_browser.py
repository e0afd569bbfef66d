"""The built map in a real headless Chromium, with the network blocked."""

from __future__ import annotations

import json

import pytest

from .conftest import TILE_HOSTS, run_hetao
from .test_cli import FEATURE_IDS

CONTEXT_IDS = ["hk-sz-border", "hong-kong-boundary"]
MAIN_MAP = "Object.values(window).find(v => v instanceof L.Map && v.getContainer().classList.contains('folium-map'))"
#: What the main map has drawn: GeoJSON features by id, circles and markers in the DOM.
DRAWN = f"""() => {{
    const map = {MAIN_MAP};
    const out = {{features: [], circles: 0, markers: 0}};
    map.eachLayer(l => {{
        if (l.feature && l._path && l._path.isConnected) out.features.push(l.feature.id);
        else if (l instanceof L.Circle && l._path && l._path.isConnected) out.circles += 1;
        else if (l instanceof L.Marker && l._icon && l._icon.isConnected) out.markers += 1;
    }});
    return out;
}}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_hetao("build", "--out", out)
    assert result.code == 0, result.err
    return out / "hetao.html"


def click_feature(page, feature_id: str) -> None:
    page.evaluate(f"""() => {{
        const map = {MAIN_MAP};
        map.eachLayer(l => {{ if (l.feature && l.feature.id === {json.dumps(feature_id)})
            l.fire('click', {{latlng: l.getBounds().getCenter()}}, true); }});
    }}""")


def test_map__offline__renders_features_controls_legend(built, open_page):
    opened = open_page(built)
    page = opened.page
    assert opened.errors == []
    assert opened.unexpected_console() == []
    # Nothing but tiles leaves the machine.
    assert all(any(h in u for h in TILE_HOSTS) for u in opened.left_machine()), opened.left_machine()
    drawn = page.evaluate(DRAWN)
    polygons = [f for f in FEATURE_IDS if f != "hkstp-shenzhen-branch"]
    assert sorted(drawn["features"]) == sorted(polygons + CONTEXT_IDS)
    assert drawn["circles"] == 1 and drawn["markers"] == 1
    assert page.locator(".hetao-marker").is_visible()
    for control in (".leaflet-control-layers", ".leaflet-control-scale", ".leaflet-control-zoom",
                    ".leaflet-control-zoom-fullscreen", ".leaflet-control-measure",
                    ".leaflet-control-minimap", ".hetao-legend", ".leaflet-control-attribution"):
        assert page.locator(control).count() == 1, control
        assert page.locator(control).first.is_visible(), control
    legend = page.locator(".hetao-legend").inner_text()
    for name in ("Hong Kong Park (Lok Ma Chau Loop)", "Futian Bonded Zone part", "Huanggang Port area part",
                 "Hong Kong Science Park Shenzhen branch"):
        assert name in legend
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "© OpenStreetMap contributors" in attribution and "ODbL-1.0" in attribution
    # Tiles failed, so the map says it is drawing from hetao's own data.
    assert page.locator(".hetao-offline").is_visible()


def test_map__layer_control__lists_groups_and_basemaps(built, open_page):
    page = open_page(built).page
    page.locator(".leaflet-control-layers").hover()
    text = page.locator(".leaflet-control-layers-list").inner_text()
    for label in ("OpenStreetMap", "Esri World Imagery", "Hong Kong side", "Shenzhen side (approximate)",
                  "Hong Kong Science Park Shenzhen branch", "Context: Hong Kong-Shenzhen boundary"):
        assert label in text


def test_map__popup__measured_and_stated(built, open_page):
    opened = open_page(built)
    page = opened.page
    areas = json.loads(run_hetao("areas", "--format", "json").out)
    loop = next(r for r in areas if r["id"] == "hong-kong-park")
    # Click inside the Loop, away from the other features.
    click_feature(page, "hong-kong-park")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert f"{loop['geodesic_area_ha']:,.2f} ha" in popup
    assert "explained" in popup and "LegCo" in popup and "ODbL-1.0" in popup
    assert opened.errors == []


def test_map__measure_and_fullscreen_controls_work(built, open_page):
    opened = open_page(built)
    page = opened.page
    page.locator(".leaflet-control-measure").hover()
    page.locator(".leaflet-control-measure .js-start").click()
    assert page.locator(".leaflet-control-measure .js-measuringprompt").is_visible()
    assert opened.errors == [] and opened.unexpected_console() == []


XSS = [
    "<img src=x onerror=\"window.__xss='img'\">",
    "<script>window.__xss='script'</script>",
    "`${window.__xss='template'}`",
    "</script><script>window.__xss='breakout'</script>",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "\\\"'); window.__xss='quote'; ('",
    "<a href=\"javascript:window.__xss='href'\">x</a>",
]


def _poison(folder) -> None:
    data = folder.manifest()
    for i, entry in enumerate(data["features"] + data["context"]):
        payload = XSS[i % len(XSS)]
        entry["name"] = {"en": f"{entry['id']} {payload}", "zh": payload}
        prov = entry["provenance"]
        for key in ("source", "method", "licence", "attribution"):
            prov[key] = f"{key} {XSS[(i + 1) % len(XSS)]}"
        for figure in entry.get("stated", []):
            figure["source"] = XSS[(i + 2) % len(XSS)]
        if "explanation" in entry:
            entry["explanation"] = XSS[(i + 3) % len(XSS)]
    folder.write_manifest(data)


def test_map__hostile_text_everywhere__runs_nothing_shows_text(folder, tmp_path, open_page):
    _poison(folder)
    out = tmp_path / "out"
    result = run_hetao("build", "--boundaries", folder.path, "--out", out)
    assert result.code == 0, result.err
    opened = open_page(out / "hetao.html")
    page = opened.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for fid in FEATURE_IDS:
        if fid != "hkstp-shenzhen-branch":
            click_feature(page, fid)
            page.wait_for_timeout(100)
    page.locator(".hetao-marker").click()
    page.locator(".leaflet-control-layers").hover()
    page.mouse.move(640, 430)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == [] and opened.errors == []
    # The payloads are shown as text.
    assert "<img src=x onerror=" in page.locator(".hetao-legend").inner_text()
    assert "<svg onload=" in page.locator(".leaflet-popup-content").inner_text() or \
        "<" in page.locator(".leaflet-popup-content").inner_text()


def test_diff_map__offline__old_new_gained_lost(folder, tmp_path, open_page):
    ring = folder.geometry("hong-kong-park")["features"][0]["geometry"]["coordinates"][0]
    moved = tmp_path / "moved.geojson"
    moved.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                     "geometry": {"type": "Polygon", "coordinates": [[[x + 0.0005, y] for x, y in ring]]}}]}))
    result = run_hetao("swap", "hong-kong-park", moved, "--boundaries", folder.path, "--source", "s",
                       "--licence", "CC0-1.0", "--accuracy", "1")
    assert result.code == 0, result.err
    out = tmp_path / "diff.html"
    assert run_hetao("diff", "--previous", "hong-kong-park", "--boundaries", folder.path, "--map", out).code == 0
    opened = open_page(out)
    assert opened.errors == [] and opened.unexpected_console() == []
    assert all(any(h in u for h in TILE_HOSTS) for u in opened.left_machine())
    drawn = opened.page.evaluate(DRAWN)
    assert sorted(drawn["features"]) == ["hong-kong-park-after", "hong-kong-park-before",
                                         "hong-kong-park-gained", "hong-kong-park-lost"]
    assert "What changed" in opened.page.locator(".hetao-legend").inner_text()


def test_map__hostile_file_name__shown_as_text(folder, tmp_path, open_page):
    ring = folder.geometry("hong-kong-park")["features"][0]["geometry"]["coordinates"][0]
    hostile = tmp_path / "<svg onload=\"window.__xss='file'\">.geojson"
    hostile.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                       "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    assert run_hetao("swap", "hong-kong-park", hostile, "--boundaries", folder.path, "--source",
                     "<b>s</b>", "--licence", "<i>l</i>", "--accuracy", "1").code == 0
    out = tmp_path / "out"
    assert run_hetao("build", "--boundaries", folder.path, "--out", out).code == 0
    opened = open_page(out / "hetao.html")
    click_feature(opened.page, "hong-kong-park")
    popup = opened.page.locator(".leaflet-popup-content").inner_text()
    assert "<svg onload=" in popup and "<b>s</b>" in popup
    assert opened.page.evaluate("() => window.__xss") is None and opened.errors == []
