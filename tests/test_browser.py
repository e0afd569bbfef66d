"""The built map in a real headless Chromium, with the network blocked, used as a person
uses it: the mouse clicks and hovers at screen positions where the features show."""

from __future__ import annotations

import pytest
import shapely
from playwright.sync_api import expect

import hetao

from .helpers import (CONTEXT_IDS, DESKTOP, DRAWN, FEATURE_IDS, LINE_IDS, MAIN_MAP, PHONE, POLYGON_IDS, TILE_HOSTS,
                      SharedMap, click_feature, click_marker, interior_candidates, local_transformers, moved_loop,
                      open_html, popup_text, run, screen_point, transformed, wait_map_idle)


@pytest.fixture(scope="module")
def shipped():
    zone = hetao.load()
    return zone, {m.id: m for m in hetao.measure(zone)}


@pytest.fixture(scope="session")      # session: once per worker, however its tests interleave
def shipped_map(browser, shipped_build):
    """The shipped map, opened once per device for this module's tests that leave it as they
    found it, and given to each as it first showed (helpers.SharedMap). Its console, errors
    and requests are the whole page's life: every test on it checks them all."""
    shared: dict[str, tuple[object, SharedMap]] = {}

    def opener(device: str = "desktop"):
        if device not in shared:
            phone = device == "phone"
            ctx, opened = open_html(browser, shipped_build / "hetao.html", PHONE if phone else DESKTOP,
                                    **(PHONE_OPTIONS if phone else {}))
            shared[device] = (ctx, SharedMap(opened.page, opened=opened, park_mouse=True))
        return shared[device][1].fresh()

    yield opener
    for ctx, _ in shared.values():
        ctx.close()


def _line_layers(zone) -> list[str]:
    """The map's ids of the boundary lines' layers: one per piece of each line."""
    return [f"{line.id}/{piece.piece_id}" for line in zone.lines for piece in line.pieces]


def _drawn_ids(zone) -> list[str]:
    """Every GeoJSON layer the main map draws: polygons, context, line pieces and their bands."""
    pieces = _line_layers(zone)
    return sorted(POLYGON_IDS + CONTEXT_IDS + pieces + [f"band:{p}" for p in pieces])


def _short(name: str) -> str:
    """A line's name as its label shows it: before any " (" or "（"."""
    return name.split(" (")[0].split("（")[0]


def _only_tiles_left_the_machine(opened) -> None:
    assert all(any(h in u for h in TILE_HOSTS) for u in opened.left_machine()), opened.left_machine()


def test_map__offline__renders_features_controls_legend(shipped_map, shipped):
    zone, _ = shipped
    opened = shipped_map()
    page = opened.page
    # Tiles fail (no network), so the map says it is drawing from hetao's own data.
    expect(page.locator(".hetao-offline")).to_be_visible()
    assert opened.errors == []
    assert opened.unexpected_console() == []
    assert page.evaluate("window.__csp") == []
    _only_tiles_left_the_machine(opened)
    drawn = page.evaluate(DRAWN)
    assert [ln.id for ln in zone.lines] == LINE_IDS
    assert sorted(drawn["features"]) == _drawn_ids(zone)
    # The branch, and a name label (a marker) on each polygon but the whole Shenzhen side.
    assert drawn["circles"] == 1 and drawn["markers"] == 1 + sum(1 for b in zone.features
                                                                 if b.spec.kind == "polygon" and not b.spec.union_of)
    expect(page.locator(".hetao-marker")).to_be_visible()
    for control in (".leaflet-control-layers", ".leaflet-control-scale", ".leaflet-control-zoom",
                    ".leaflet-control-zoom-fullscreen", ".leaflet-control-measure",
                    ".leaflet-control-minimap", ".hetao-legend", ".leaflet-control-attribution"):
        expect(page.locator(control)).to_have_count(1)
        expect(page.locator(control)).to_be_visible()
    legend = page.locator(".hetao-legend").inner_text()
    for name in ("Hong Kong Park (Lok Ma Chau Loop)", "Futian Bonded Zone part", "Huanggang Port area part",
                 "Hong Kong Science Park Shenzhen branch"):
        assert name in legend
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "© OpenStreetMap contributors" in attribution and "ODbL-1.0" in attribution


def test_map__layer_control_hovered__lists_groups_and_basemaps(shipped_map):
    page = shipped_map().page
    page.locator(".leaflet-control-layers").hover()
    listing = page.locator(".leaflet-control-layers-list")
    expect(listing).to_be_visible()
    text = listing.inner_text()
    for label in ("OpenStreetMap", "Esri World Imagery", "Hong Kong side", "Shenzhen side (approximate)",
                  "Hong Kong Science Park Shenzhen branch", "Boundary lines", "Context: Hong Kong boundary",
                  "Context: Nearby roads"):
        assert label in text


def test_map__measure_control__starts_measuring(shipped_build, open_page):
    opened = open_page(shipped_build / "hetao.html")
    page = opened.page
    page.locator(".leaflet-control-measure").hover()
    page.locator(".leaflet-control-measure .js-start").click()
    expect(page.locator(".leaflet-control-measure .js-measuringprompt")).to_be_visible()
    assert opened.errors == [] and opened.unexpected_console() == []


def test_map__fullscreen_control__fills_the_screen(shipped_build, open_page):
    opened = open_page(shipped_build / "hetao.html")
    page = opened.page
    page.locator(".leaflet-control-zoom-fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    assert page.evaluate("document.fullscreenElement.classList.contains('folium-map')")
    assert opened.errors == []


XSS = [
    "<img src=x onerror=\"window.__xss='img'\">",
    "<script>window.__xss='script'</script>",
    "`${window.__xss='template'}`",
    "</script><script>window.__xss='breakout'</script>",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "\\\"'); window.__xss='quote'; ('",
    "<a href=\"javascript:window.__xss='href'\">x</a>",
]


def _poison(folder) -> dict:
    """Put a hostile text in every text field of the manifest; return what each feature got."""
    data = folder.manifest()
    texts = {}
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
        texts[entry["id"]] = {"name": f"{entry['name']['en']} · {entry['name']['zh']}",
                              "provenance": dict(prov), "stated": [f["source"] for f in entry.get("stated", [])],
                              "explanation": entry.get("explanation")}
    folder.write_manifest(data)
    return texts


def _ran_nothing(opened) -> None:
    page = opened.page
    assert page.evaluate("() => window.__xss") is None
    assert opened.dialogs == [] and opened.errors == []
    # No payload became an element: nothing with an event handler or a javascript: link.
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], a[href^=\"javascript\"]').length") == 0
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], .leaflet-popup svg').length") == 0
    assert not any(u.endswith("/x") for u in opened.requests)


def test_map__hostile_text_everywhere__runs_nothing_shows_the_text(folder, tmp_path, open_page):
    texts = _poison(folder)
    out = tmp_path / "out"
    result = run("build", "--boundaries", folder.path, "--out", out)
    assert result.code == 0, result.err
    zone = hetao.load(folder.path)
    opened = open_page(out / "hetao.html")
    page = opened.page
    # The legend and the attribution show every hostile name and attribution as text (the
    # legend, folded since it is too long to show whole, holds them as text).
    legend = page.locator(".hetao-legend").text_content()
    for fid in FEATURE_IDS + CONTEXT_IDS:
        assert texts[fid]["name"] in legend, fid
    # So do the lines' labels: each the hostile name cut before its first " (".
    labels = page.locator(".hetao-line-label").all_inner_texts()
    assert sorted(labels) == sorted(" ".join(_short(part) for part in texts[lid]["name"].split(" · "))
                                    for lid in LINE_IDS)
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert f"{texts['hong-kong-park']['provenance']['attribution']} " \
           f"({texts['hong-kong-park']['provenance']['licence']})" in attribution
    # Hovering the Loop shows its name in the tooltip, as text.
    x, y = screen_point(page, "hong-kong-park", zone.feature("hong-kong-park").geometry)
    page.mouse.move(x, y)
    expect(page.locator(".leaflet-tooltip:not(.hetao-line-label)")).to_have_text(texts["hong-kong-park"]["name"])
    # The branch's popup (clicked first: the Loop's popup pans the map).
    click_marker(page)
    popup = popup_text(page, texts["hkstp-shenzhen-branch"]["name"].split(" · ")[0])
    branch = texts["hkstp-shenzhen-branch"]
    for key in ("source", "method", "licence", "attribution"):
        assert branch["provenance"][key] in popup, key
    assert branch["stated"][0] in popup
    # The Loop's popup: name, every stated figure's source, the explanation, the provenance.
    click_feature(page, "hong-kong-park", zone.feature("hong-kong-park").geometry)
    loop = texts["hong-kong-park"]
    popup = popup_text(page, loop["name"].split(" · ")[0])
    assert loop["name"].split(" · ")[1] in popup
    assert popup.count(loop["stated"][0]) == len(loop["stated"]) == 5
    assert f"Why they differ: {loop['explanation']}" in popup
    for key in ("source", "method", "licence", "attribution"):
        assert loop["provenance"][key] in popup, key
    # The layer control names the branch's and the context layers' groups as text. (Read
    # from the page, not hovered: with names this long the legend grows up over the layer
    # control; hovering it is tested with the shipped names.)
    listing = page.locator(".leaflet-control-layers-list").text_content()
    for fid, prefix in (("hkstp-shenzhen-branch", ""), ("nearby-roads", "Context: "),
                        ("hong-kong-boundary", "Context: ")):
        assert prefix + texts[fid]["name"] in listing, fid
    wait_map_idle(page)
    _ran_nothing(opened)


def test_diff_map__offline__old_new_gained_lost(folder, tmp_path, open_page):
    moved = moved_loop(folder, tmp_path / "moved.geojson", 0.0005)
    result = run("swap", "hong-kong-park", moved, "--boundaries", folder.path, "--source", "s",
                 "--licence", "CC0-1.0", "--accuracy", "1")
    assert result.code == 0, result.err
    out = tmp_path / "diff.html"
    result = run("diff", "--previous", "hong-kong-park", "--boundaries", folder.path, "--map", out)
    assert result.code == 0, result.err
    opened = open_page(out)
    expect(opened.page.locator(".hetao-offline")).to_be_visible()
    assert opened.errors == [] and opened.unexpected_console() == []
    _only_tiles_left_the_machine(opened)
    drawn = opened.page.evaluate(DRAWN)
    assert sorted(drawn["features"]) == ["hong-kong-park-after", "hong-kong-park-before",
                                         "hong-kong-park-gained", "hong-kong-park-lost"]
    legend = opened.page.locator(".hetao-legend").inner_text()
    diff = hetao.diff_previous("hong-kong-park", boundaries=folder.path).features[0]
    assert "What changed" in legend
    assert f"hong-kong-park: +{diff.gained_m2 / 1e4:,.2f} ha / −{diff.lost_m2 / 1e4:,.2f} ha" in legend


def test_map__hostile_file_name__shown_as_text(folder, tmp_path, open_page):
    hostile = tmp_path / "<svg onload=\"window.__xss='file'\">.geojson"
    moved_loop(folder, hostile, 0.0, 0.0)
    result = run("swap", "hong-kong-park", hostile, "--boundaries", folder.path, "--source", "<b>s</b>",
                 "--licence", "<i>l</i>", "--accuracy", "1")
    assert result.code == 0, result.err
    out = tmp_path / "out"
    assert run("build", "--boundaries", folder.path, "--out", out).code == 0
    opened = open_page(out / "hetao.html")
    zone = hetao.load(folder.path)
    click_feature(opened.page, "hong-kong-park", zone.feature("hong-kong-park").geometry)
    popup = popup_text(opened.page, "Hong Kong Park (Lok Ma Chau Loop)")
    assert f"Imported with hetao swap from {hostile.name} (GeoJSON" in popup
    assert "Source: <b>s</b>" in popup and "Licence: <i>l</i>" in popup
    _ran_nothing(opened)


# --- the boundary lines ------------------------------------------------------------------

def test_map__line_labels_and_legend__every_line_named_each_style_explained(shipped_map, shipped):
    zone, _ = shipped
    opened = shipped_map()
    page = opened.page
    labels = page.locator(".hetao-line-label")
    expect(labels).to_have_count(len(LINE_IDS))
    texts = labels.all_inner_texts()
    box = page.locator(".folium-map").bounding_box()
    for lid in LINE_IDS:
        spec = zone.line(lid).spec
        short = _short(spec.name_en)
        assert short and "(" not in short, spec.name_en
        # One label per line, reading its short English (and Chinese) name.
        text = f"{short} {_short(spec.name_zh)}"
        assert texts.count(text) == 1, (text, texts)
        label = page.locator(".hetao-line-label", has_text=text)
        expect(label).to_be_visible()
        # ... and inside the map, where a person can read it.
        where = label.bounding_box()
        assert where["width"] > 20 and where["height"] > 5, (text, where)
        assert box["x"] <= where["x"] and where["x"] + where["width"] <= box["x"] + box["width"], (text, where)
        assert box["y"] <= where["y"] and where["y"] + where["height"] <= box["y"] + box["height"], (text, where)
    # The legend says how each line was made: solid, dashed or dotted.
    legend = page.locator(".hetao-legend")
    expect(legend).to_be_visible()
    styles = page.evaluate("""() => [...document.querySelectorAll('.hetao-legend .hetao-line')]
        .map(sw => [getComputedStyle(sw).borderTopStyle, sw.parentElement.innerText.trim()])""")
    lines = {text: style for style, text in styles if text.startswith("Boundary line, ")}
    expected = {"traced in OpenStreetMap": "solid", "derived or extrapolated": "dashed", "approximate": "dotted"}
    assert len(lines) == 3, lines
    for words, style in expected.items():
        [(text, drawn)] = [(t, s) for t, s in lines.items() if t.startswith(f"Boundary line, {words}")]
        assert drawn == style, (text, drawn)
    assert opened.errors == [] and opened.unexpected_console() == []


def _line_candidates(geometry, away_from=None, n: int = 60) -> list[tuple[float, float]]:
    """Points along a line as (lat, lon), those farthest from ``away_from`` first."""
    import shapely

    points = [shapely.line_interpolate_point(geometry, (i + 0.5) / n, normalized=True) for i in range(n)]
    if away_from is not None:
        points.sort(key=lambda p: -away_from.distance(p))
    return [(p.y, p.x) for p in points]


def _click_line(page, layer_id: str, candidates) -> None:
    """Click a boundary line with the mouse, at a point of it where its own stroke is on top."""
    wait_map_idle(page)
    x, y = screen_point(page, layer_id, None, candidates)
    page.mouse.click(x, y)


def test_map__click_on_a_line__popup_names_the_line_its_source_and_accuracy(shipped_map, shipped):
    import shapely

    zone, _ = shipped
    opened = shipped_map()
    page = opened.page
    line = zone.line("binhe-boulevard")
    [piece] = line.pieces
    # Away from the polygons: where the road runs on west of Huanggang Road.
    polygons = shapely.union_all([b.geometry for b in zone.features if b.spec.kind == "polygon"])
    candidates = [c for c in _line_candidates(piece.geometry, polygons)
                  if polygons.distance(shapely.Point(c[1], c[0])) > 0.001]
    assert len(candidates) > 5
    _click_line(page, f"binhe-boulevard/{piece.piece_id}", candidates)
    popup = popup_text(page, "Binhe Boulevard (north carriageway)")
    assert "滨河大道" in popup
    assert "OpenStreetMap way 25423077" in popup and "Geofabrik" in popup       # its source
    assert "Positional accuracy\t± 10 m" in popup                               # its accuracy
    assert "traced in OpenStreetMap" in popup and "ODbL-1.0" in popup
    # The popup is the line's, not a polygon's.
    assert "Measured (WGS84 geodesic)" not in popup
    # A piece derived from a line has its own: a click on Huanggang Road's extrapolated piece
    # (on the port area's west edge, where the line is drawn over the polygon).
    piece = next(p for p in zone.line("huanggang-road").pieces if p.piece_id == "extrapolated")
    _click_line(page, "huanggang-road/extrapolated", _line_candidates(piece.geometry))
    popup = popup_text(page, "Huanggang Road (extrapolated)")
    assert "Positional accuracy\t± 75 m" in popup
    assert "derived or extrapolated" in popup
    assert "No OSM geometry of Huanggang Rd south of lat 22.5293" in popup      # the piece's own method
    assert opened.errors == [] and opened.unexpected_console() == []


# --- every feature, clicked and hovered, on a desktop and a phone --------------------------
# (One page per screen size, every feature on it: the Loop's popup with its measured and stated
# figures, the branch's with its location and floor area, the parts' with the whole side's.)

#: The main map's view as the page opened it, kept so each feature is aimed at from there.
_REMEMBER_VIEW = f"() => {{ const m = {MAIN_MAP}; window.__home = [m.getCenter(), m.getZoom()]; }}"
#: Close any popup and go back to that view (a popup pans the map to show itself).
_BACK_HOME = (f"() => {{ const m = {MAIN_MAP}; m.closePopup();"
              " m.setView(window.__home[0], window.__home[1], {animate: false}); }")
#: The open popup's and the map container's rectangles, [left, top, right, bottom] each.
_POPUP_AND_MAP = f"""() => {{
    const m = {MAIN_MAP};
    const box = e => {{ const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }};
    return [box(document.querySelector('.leaflet-popup')), box(m.getContainer())];
}}"""
#: What has the keyboard focus, and the outline drawn round it.
_FOCUS = """() => { const a = document.activeElement, s = getComputedStyle(a);
    return {tag: a.tagName.toLowerCase(), cls: a.getAttribute('class') || '', style: s.outlineStyle,
            width: parseFloat(s.outlineWidth) || 0}; }"""
#: The first of the (lat, lon) points that shows on the map (the topmost element there is a
#: layer's path, not a control or the legend), the element there, and whether it is the
#: feature's own outline.
_FIRST_ON_MAP = f"""([fid, points]) => {{
    const map = {MAIN_MAP};
    let target = null;
    map.eachLayer(l => {{ if (l.feature && l.feature.id === fid && l._path) target = l._path; }});
    const box = map.getContainer().getBoundingClientRect();
    for (const [lat, lng] of points) {{
        const p = map.latLngToContainerPoint([lat, lng]);
        const x = box.left + p.x, y = box.top + p.y;
        if (x < 1 || y < 1 || x > innerWidth - 1 || y > innerHeight - 1) continue;
        const e = document.elementFromPoint(x, y);
        if (e.tagName.toLowerCase() !== 'path') continue;
        let owner = 'another layer';
        map.eachLayer(l => {{ if (l._path === e) owner = (l.feature && l.feature.id)
            || (l instanceof L.Circle ? 'the circle of radius ' + l.getRadius() + ' m' : owner); }});
        return {{x, y, isTarget: e === target, owner}};
    }}
    return null;
}}"""
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def _tooltip(page, name_en: str) -> str:
    """The hover tooltip showing ``name_en`` (line labels are tooltips too: not those)."""
    tip = page.locator(".leaflet-tooltip:not(.hetao-line-label)", has_text=name_en)
    expect(tip).to_have_count(1)
    return tip.inner_text()


def _hover_click_and_read(page, x: float, y: float, spec, problems: list[str]) -> str:
    """Hover (tooltip), then click (popup) on a polygon at a screen point; check what a person
    sees. A popup not wholly inside the map is added to ``problems``."""
    page.mouse.move(x, y)
    tooltip = _tooltip(page, spec.name_en)
    assert tooltip == f"{spec.name_en} · {spec.name_zh}" + (
        " (approximate)" if spec.approximate and "approximate" not in spec.name_en else ""), tooltip
    assert tooltip.count("approximate") <= 1, tooltip          # said once, never twice
    page.mouse.click(x, y)
    popup = popup_text(page, spec.name_en)
    # A click on a polygon draws no focus outline round it.
    focus = page.evaluate(_FOCUS)
    assert focus["style"] == "none" or focus["width"] == 0 or focus["tag"] != "path", focus
    _popup_inside_the_map(page, spec.id, problems)
    return popup


def _popup_inside_the_map(page, fid: str, problems: list[str]) -> None:
    wait_map_idle(page)
    (left, top, right, bottom), (m_left, m_top, m_right, m_bottom) = page.evaluate(_POPUP_AND_MAP)
    if not (m_left <= left and right <= m_right and m_top <= top and bottom <= m_bottom):
        problems.append(f"{fid}'s popup {[left, top, right, bottom]} is not wholly inside the map "
                        f"{[m_left, m_top, m_right, m_bottom]}")


def _whole_side_in(popup: str, measured) -> None:
    side = measured["shenzhen-park"]
    assert "Part of the whole side:" in popup
    after = popup.split("Part of the whole side:")[1]
    assert "Shenzhen Park" in after
    assert f"{side.geodesic_area_m2 / 1e4:,.2f} ha ± {side.uncertainty_m2 / 1e4:,.2f} ha" in after
    assert "302 ha (South China Morning Post" in after


def _loop_measured_and_stated(popup: str, loop) -> None:
    assert f"{loop.geodesic_area_m2 / 1e4:,.2f} ha ± {loop.uncertainty_m2 / 1e4:,.2f} ha" in popup
    assert f"{loop.perimeter_m:,.0f} m" in popup
    # Every figure reconciled with the land once the river water is taken away.
    assert popup.count("reconciled") == 5 and "explained" not in popup
    land = loop.reconciled
    assert f"Less river water\t{land.area_m2 / 1e4:,.2f} ha ({land.low_m2 / 1e4:,.2f} to " \
           f"{land.high_m2 / 1e4:,.2f} ha)" in popup
    assert "LegCo" in popup and "ODbL-1.0" in popup


def _futian_points_in_the_branch_circle(zone) -> list[tuple[float, float]]:
    """Points inside the bonded zone and inside the branch's 1,390 m circle, over 150 m from
    the marker (so the marker's icon is not in the way), as (lat, lon), most interior first."""
    to_local, _ = local_transformers()
    branch = zone.feature("hkstp-shenzhen-branch")
    radius = branch.spec.provenance.positional_accuracy_m
    centre = transformed(branch.geometry, to_local)
    futian = zone.feature("futian-bonded-zone").geometry
    inside = []
    for lat, lon in interior_candidates(futian):
        d = transformed(shapely.Point(lon, lat), to_local).distance(centre)
        if 150 < d < radius - 50:
            inside.append((lat, lon))
    return inside


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_map__each_feature_clicked_and_hovered__its_popup_inside_the_map(shipped_map, shipped, device):
    zone, measured = shipped
    phone = device == "phone"
    size = PHONE if phone else DESKTOP
    opened = shipped_map(device)
    page = opened.page
    problems: list[str] = []        # what a person would find wrong, all of it, then asserted
    # The map fills the screen and draws every feature and line.
    assert page.evaluate("[innerWidth, innerHeight]") == [size["width"], size["height"]]
    box = page.locator(".folium-map").bounding_box()
    assert (box["width"], box["height"]) == (size["width"], size["height"])
    drawn = page.evaluate(DRAWN)
    assert sorted(drawn["features"]) == _drawn_ids(zone)
    expect(page.locator(".hetao-legend")).to_be_visible()
    # The legend: open on a desktop; folded on a phone, where a tap on its title opens it.
    assert page.locator(".hetao-legend details").evaluate("d => d.open") is (not phone)
    if phone:
        for opens in (True, False):             # a tap opens it, another folds it again
            box = page.locator(".hetao-legend summary").bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_function("o => document.querySelector('.hetao-legend details').open === o",
                                   arg=opens, timeout=5000)
            if opens:
                expect(page.locator(".hetao-legend", has_text="Huanggang Port area part")).to_be_visible()
    page.evaluate(_REMEMBER_VIEW)

    for fid in ("hong-kong-park", "huanggang-port-area"):
        page.evaluate(_BACK_HOME)
        wait_map_idle(page)
        x, y = screen_point(page, fid, zone.feature(fid).geometry)
        popup = _hover_click_and_read(page, x, y, zone.feature(fid).spec, problems)
        assert "Measured (WGS84 geodesic)" in popup
        if fid == "huanggang-port-area":
            _whole_side_in(popup, measured)
        else:
            assert "Part of the whole side" not in popup
            _loop_measured_and_stated(popup, measured["hong-kong-park"])

    # The branch marker.
    page.evaluate(_BACK_HOME)
    wait_map_idle(page)
    page.locator(".hetao-marker").hover()
    branch = zone.feature("hkstp-shenzhen-branch").spec
    assert _tooltip(page, branch.name_en).count("approximate") == 1
    click_marker(page)
    popup = popup_text(page, branch.name_en)
    point = zone.feature("hkstp-shenzhen-branch").geometry
    assert f"{point.y:.6f}° N, {point.x:.6f}° E, ± 1,390 m" in popup
    assert "gross floor area" in popup and popup.count("not comparable") == 1
    assert "Approximate geometry: not survey data." in popup
    _popup_inside_the_map(page, branch.id, problems)

    # The bonded zone lies wholly within the branch's 1,390 m circle: the circle is drawn, but
    # a click inside the zone (and inside the circle) is the zone's.
    page.evaluate(_BACK_HOME)
    wait_map_idle(page)
    spec = zone.feature("futian-bonded-zone").spec
    found = page.evaluate(_FIRST_ON_MAP, [spec.id, _futian_points_in_the_branch_circle(zone)])
    assert found, "no point of the bonded zone inside the circle shows on the map"
    if found["isTarget"]:
        popup = _hover_click_and_read(page, found["x"], found["y"], spec, problems)
        _whole_side_in(popup, measured)
    else:
        problems.append(f"at ({found['x']:.0f}, {found['y']:.0f}), inside futian-bonded-zone and inside the "
                        f"branch's circle, the topmost layer is {found['owner']}: a click there is not the zone's")
    assert problems == []
    assert opened.errors == [] and opened.unexpected_console() == []


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_map__imagery_chosen_with_the_mouse__context_outline_keeps_a_halo_credit_clear_of_scale(
        shipped_build, open_page, shipped):
    zone, _ = shipped
    page = open_page(shipped_build / "hetao.html").page
    page.locator(".leaflet-control-layers").hover()
    label = page.locator(".leaflet-control-layers-base label", has_text="Esri World Imagery")
    box = label.bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + box["height"] / 2)
    page.wait_for_function(f"() => Object.values({MAIN_MAP}._layers).some(l => l._url && l._url.includes('arcgisonline'))")
    assert page.locator(".leaflet-control-layers-base input:checked + span").inner_text().strip() == "Esri World Imagery"
    # The context outline (the Hong Kong boundary; the faint nearby roads are lines) keeps a
    # white halo on the imagery.
    outlines = [c.spec.id for c in zone.context if not c.geometry.geom_type.endswith("LineString")]
    assert outlines == ["hong-kong-boundary"]
    halos = page.locator(".leaflet-overlay-pane path.hetao-halo")
    assert halos.count() == len(outlines)
    for i in range(halos.count()):
        path = halos.nth(i)
        assert "drop-shadow" in path.evaluate("p => getComputedStyle(p).filter")
        assert path.evaluate("p => p.isConnected && p.getBBox().width > 0")
    # The imagery's longer credit leaves the scale bar readable.
    attribution = page.locator(".leaflet-control-attribution")
    assert "Esri" in attribution.inner_text()
    assert not _overlap(attribution.bounding_box(), page.locator(".leaflet-control-scale").bounding_box())


def test_map__minimap_offline__draws_the_zone_inside_its_frame(shipped_map):
    opened = shipped_map()
    page = opened.page
    frame = page.locator(".leaflet-control-minimap")
    expect(frame).to_be_visible()
    paths = frame.locator("path")
    expect(paths.first).to_be_attached()
    outer = frame.bounding_box()
    shown = 0
    for i in range(paths.count()):
        box = paths.nth(i).bounding_box()
        if box and box["width"] > 0 and _overlap(box, outer):
            shown += 1
    # Both sides and the lines, drawn from hetao's own data (no tile loads offline).
    assert shown >= 3
    assert frame.locator("img.leaflet-tile-loaded").count() == 0


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_map__part_names__clear_of_the_branch_marker(shipped_map, device):
    """On a desktop at once; on a phone, whose first view shows the whole zone in 390 px, after
    one tap on the zoom-in button (there the names are as wide as the bonded zone)."""
    page = shipped_map(device).page
    if device == "phone":
        zoom = page.evaluate(f"{MAIN_MAP}.getZoom()")
        box = page.locator(".leaflet-control-zoom-in").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(f"z => {MAIN_MAP}.getZoom() === z + 1", arg=zoom)
        wait_map_idle(page)
    marker = page.locator(".hetao-marker").bounding_box()
    labels = page.locator(".hetao-area-label")
    assert labels.count() == 3          # the Loop and the two parts of the Shenzhen side
    for i in range(labels.count()):
        assert not _overlap(labels.nth(i).bounding_box(), marker), labels.nth(i).inner_text()
