"""The web map: a self-contained Folium/Leaflet page of the zone.

By default every script and stylesheet is inlined from installed packages
(:mod:`geo.assets`), so the page renders with no network; only basemap tiles are fetched,
and when they fail the zone is still drawn over hetao's own context layers. Element ids are
deterministic, so the same inputs give the same bytes. Every text from a boundaries folder
is escaped, and a Content-Security-Policy admits only the page's own scripts.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
from pathlib import Path

from .assets import asset_text, leaflet_image_data_uri, script_safe
from .display import DISPLAY_ERROR_M, LINE_COLOUR, LINE_STYLES, line_style, longest_piece, short_name
from .errors import HetaoError
from .files import write_atomic
from .measurement import measure_zone
from .model import AreaMeasurement, Diff, Measurement
from .sides import CONTEXT_COLOUR, SIDES
from .model import Zone

__all__ = ["Map", "DiffMap", "DIFF_COLOURS", "escape", "render_map", "render_diff_map", "content_security_policy"]

DASH = "8 6"
#: Popups fit in view: kept clear of the controls in the corners, and scroll when long.
POPUP_OPTIONS = {"maxWidth": 340, "maxHeight": 300, "autoPanPaddingTopLeft": [60, 20],
                 "autoPanPaddingBottomRight": [20, 20]}


def escape(text: object) -> str:
    """Escape text for HTML, and for a JavaScript template literal should folium put it in one."""
    return (html.escape(str(text), quote=True)
            .replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;"))


def _number_elements(root) -> None:
    """Rename every element of one map by a counter instead of its random UUID.

    The walk follows the element tree in insertion order (children, and elements held as
    attributes, such as the minimap's own tile layer), so the same map gets the same names
    and the page the same bytes. Only this map's elements are touched: branca's class is
    never patched, so maps built at the same time in other threads keep their own ids.
    """
    from branca.element import Element

    counter = itertools.count(1)
    seen: set[int] = set()
    queue = [root]
    while queue:
        element = queue.pop(0)
        if id(element) in seen:
            continue
        seen.add(id(element))
        element._id = f"{next(counter):032x}"
        held = [v for k, v in vars(element).items() if k != "_parent" and isinstance(v, Element)]
        queue.extend(held + list(getattr(element, "_children", {}).values()))


def _area_line(m: Measurement) -> str:
    if not isinstance(m, AreaMeasurement):
        return ""
    ha, unc = m.geodesic_area_m2 / 1e4, m.uncertainty_m2 / 1e4
    return (f"<tr><th>Measured (WGS84 geodesic)</th><td>{ha:,.2f} ha ± {unc:,.2f} ha "
            f"({ha / 100:,.3f} km²)</td></tr>"
            f"<tr><th>In {escape(m.grid_crs)} grid</th><td>{m.grid_area_m2 / 1e4:,.2f} ha</td></tr>"
            f"<tr><th>Perimeter</th><td>{m.perimeter_m:,.0f} m</td></tr>")


def _popup_html(m: Measurement) -> str:
    spec = m.boundary.spec
    prov = spec.provenance
    rows = [_area_line(m)]
    if spec.kind == "point":
        g = m.boundary.geometry
        rows.append(f"<tr><th>Location</th><td>{g.y:.6f}° N, {g.x:.6f}° E, "
                    f"± {prov.positional_accuracy_m:,.0f} m</td></tr>")
    elif prov.positional_accuracy_m:
        rows.append(f"<tr><th>Positional accuracy</th><td>{prov.positional_accuracy_m:,.1f} m</td></tr>")
    top = m.dominant_edge if isinstance(m, AreaMeasurement) and len(m.edges) > 1 else None
    if isinstance(m, AreaMeasurement) and top is not None:
        rows.append(f"<tr><th>Most uncertain edge</th><td>{escape(top.edge)}: {escape(top.piece.name_en)} "
                    f"(± {top.piece.accuracy_m:,.0f} m, {100 * top.uncertainty_m2 / m.uncertainty_m2:.0f} % "
                    "of the uncertainty)</td></tr>")
    r = m.reconciled if isinstance(m, AreaMeasurement) else None
    if r is not None:
        rows.append(f"<tr><th>Less {escape(r.what)}</th><td>{r.area_m2 / 1e4:,.2f} ha "
                    f"({r.low_m2 / 1e4:,.2f} to {r.high_m2 / 1e4:,.2f} ha): {escape(r.reading)}</td></tr>")
    stated = []
    for c in m.comparisons:
        f = c.figure
        figure = f"{'about ' if f.approx else ''}{f.value:,g} {escape(f.unit)}"
        if c.status == "not_comparable":
            result = escape(f.quantity)
        else:
            result = f"{c.difference_ha:+,.2f} ha ({c.difference_pct:+.1f} %)"
        date = f", {escape(f.date)}" if f.date else ""
        also = ""
        if c.reconciled_status is not None:
            also = (f"; less {escape(r.what)}: {c.reconciled_difference_ha:+,.2f} ha, "
                    f"{escape(c.reconciled_status)}")
        stated.append(f"<li><b>{figure}</b> ({escape(f.source)}{date}): {result} "
                      f"<span class='hetao-status hetao-{escape(c.status)}'>{escape(c.status.replace('_', ' '))}</span>"
                      f"{also}</li>")
    parts = [
        f"<div class='hetao-popup'><h4>{escape(spec.name_en)}<br><span lang='{_lang(spec.side)}'>"
        f"{escape(spec.name_zh)}</span></h4>",
        "<p class='hetao-approx'>Approximate geometry: not survey data.</p>" if spec.approximate else "",
        f"<table>{''.join(rows)}</table>",
        f"<p><b>Stated</b></p><ul>{''.join(stated)}</ul>" if stated else "",
        f"<p><b>Why they differ:</b> {escape(spec.explanation)}</p>" if spec.explanation else "",
        f"<p class='hetao-source'><b>Source:</b> {escape(prov.source)}<br><b>Method:</b> "
        f"{escape(prov.method)}<br><b>Licence:</b> {escape(prov.licence)}"
        + (f" ({escape(prov.attribution)})" if prov.attribution else "")
        + f"<br><b>Date:</b> {escape(prov.date)}</p></div>",
    ]
    return "".join(parts)


def _lang(side: str) -> str:
    return SIDES[side].lang


#: How far (m) an area's name label keeps from a point feature's marker.
LABEL_CLEARANCE_M = 350.0


def _label_point(geometry, avoid: list) -> "object":
    """Where an area's name goes: the point inside it farthest from its edges (shapely's
    polylabel), keeping LABEL_CLEARANCE_M from ``avoid`` (point markers, line names) where
    it can."""
    import shapely
    from shapely.ops import polylabel

    from .geodesy import LOCAL_CRS, to_crs

    local = to_crs(geometry, LOCAL_CRS)
    room = local.difference(shapely.union_all([to_crs(p, LOCAL_CRS).buffer(LABEL_CLEARANCE_M) for p in avoid])) \
        if avoid else local
    parts = [q for q in shapely.get_parts(room) if q.geom_type == "Polygon"] or list(shapely.get_parts(local))
    label = polylabel(max(parts, key=lambda q: q.area), tolerance=5.0)
    return to_crs(label, "EPSG:4326", source=LOCAL_CRS)


def _label(spec) -> str:
    text = f"{spec.name_en} · {spec.name_zh}"
    return escape(text)


def _fill_opacity(zone: Zone, spec) -> float:
    """Parts of one union take turns at a lighter and a darker fill, to tell them apart."""
    if not spec.part_of:
        return 0.25
    siblings = [b.id for b in zone.features if b.spec.part_of == spec.part_of]
    return (0.18, 0.4)[siblings.index(spec.id) % 2]


def _line_popup(line, piece, style: str) -> str:
    prov = line.spec.provenance
    name = piece.name_en if piece.name_en != line.spec.name_en else line.spec.name_en
    name_zh = piece.name_zh if piece.name_zh != line.spec.name_zh else line.spec.name_zh
    rows = (f"<tr><th>Made</th><td>{escape(LINE_STYLES[style].words)}</td></tr>"
            f"<tr><th>Positional accuracy</th><td>± {piece.accuracy_m:,.0f} m</td></tr>"
            f"<tr><th>Line</th><td>{escape(line.id)}, piece {escape(piece.piece_id)}</td></tr>")
    return (f"<div class='hetao-popup'><h4>{escape(name)}<br><span lang='zh-Hans-CN'>{escape(name_zh)}"
            f"</span></h4><table>{rows}</table><p class='hetao-source'><b>Source:</b> "
            f"{escape(piece.source)}<br><b>Method:</b> {escape(piece.method)}<br><b>Licence:</b> "
            f"{escape(prov.licence)}" + (f" ({escape(prov.attribution)})" if prov.attribution else "")
            + f"<br><b>Date:</b> {escape(prov.date)}</p></div>")


def _legend_html(zone: Zone) -> str:
    items = []
    for side in SIDES:
        colour = SIDES[side].colour
        for b in zone.features:
            spec = b.spec
            if spec.side != side:
                continue
            style = "dashed" if spec.approximate else "solid"
            if spec.kind == "point":
                swatch = (f"<span class='hetao-sw hetao-pt' style='background:{colour}'></span>")
            elif spec.union_of:
                swatch = (f"<span class='hetao-sw' style='border:4px solid {colour}40;"
                          "background:transparent'></span>")
            else:
                alpha = f"{round(_fill_opacity(zone, spec) * 255):02x}"
                swatch = (f"<span class='hetao-sw' style='border:2px {style} {colour};"
                          f"background:{colour}{alpha}'></span>")
            items.append(f"<div>{swatch}<span lang='{_lang(side)}'>{escape(spec.name_en)} · "
                         f"{escape(spec.name_zh)}</span></div>")
    if zone.lines:
        used = {line_style(ln, p) for ln in zone.lines for p in ln.pieces}
        for key, style in LINE_STYLES.items():
            if key in used:
                items.append(f"<div><span class='hetao-sw hetao-line' style='border-top:3px {style.css} "
                             f"{LINE_COLOUR}'></span>Boundary line, {escape(style.words)}</div>")
    for layer in zone.context:
        css = "solid" if layer.geometry.geom_type.endswith("LineString") else "dashed"
        items.append(f"<div><span class='hetao-sw hetao-line' style='border-top:2px {css} "
                     f"{CONTEXT_COLOUR}'></span>{escape(layer.spec.name_en)} · "
                     f"{escape(layer.spec.name_zh)}</div>")
    return ("<details class='hetao-legend-details' open><summary class='hetao-legend-title'>"
            "Hetao zone 河套合作区</summary>" + "".join(items)
            + "<div class='hetao-note'>Dashed outline: approximate. Circle: the branch's "
            f"uncertainty. Outlines are drawn to within {DISPLAY_ERROR_M} m; areas are measured "
            "on the full geometry.</div></details><div class='hetao-offline' hidden>Basemap tiles "
            "are not loading (offline?); the zone is drawn from hetao's own data.</div>")


_STYLE = """<style>
.hetao-legend{background:#fff;padding:6px 8px;font:12px/1.4 sans-serif;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.4);max-width:280px}
.hetao-legend-title{font-weight:bold;margin-bottom:4px;cursor:pointer}
.hetao-legend{max-height:calc(100vh - 140px);overflow:auto}
.hetao-legend details:not([open]) .hetao-legend-title{margin-bottom:0}
.leaflet-interactive:focus{outline:none}
.hetao-part-of{font:bold 12px sans-serif;margin:4px 0}
.hetao-halo{filter:drop-shadow(0 0 1px #fff) drop-shadow(0 0 1px #fff)}
.hetao-area-label{font:bold 11px/1.2 sans-serif;color:#5a2400;text-align:center;
 text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none;white-space:nowrap}
.leaflet-control-attribution{max-width:70vw}
@media (max-width: 600px){.leaflet-control-minimap{display:none}.hetao-legend{max-width:200px}
 .leaflet-popup-content{max-width:calc(100vw - 130px) !important;width:auto !important}
 .leaflet-control-attribution{font-size:9px;max-height:4.2em;overflow:auto}}
.hetao-sw{display:inline-block;width:16px;height:11px;margin-right:6px;vertical-align:middle;box-sizing:border-box}
.hetao-pt{width:11px;border-radius:50%;margin:0 8px 0 2px}
.hetao-line{height:0;margin-bottom:3px}
.hetao-note{margin-top:4px;color:#444}
.hetao-offline{margin-top:4px;color:#8a3c00;font-weight:bold}
.hetao-popup{font:12px/1.4 sans-serif;max-width:340px}.hetao-popup h4{margin:0 0 4px}
.hetao-popup table{border-collapse:collapse}.hetao-popup th{text-align:left;padding-right:6px;font-weight:normal;color:#555}
.hetao-popup ul{padding-left:16px;margin:2px 0}.hetao-approx{color:#8a3c00;margin:2px 0}
.hetao-source{color:#444}.hetao-status{padding:0 3px;border-radius:3px;color:#fff}
.hetao-agrees{background:#00704a}.hetao-explained{background:#0072B2}.hetao-differs{background:#a40000}
.hetao-not_comparable{background:#666}
.hetao-branch{width:14px;height:14px;border-radius:50%;border:2px solid #fff;box-shadow:0 0 0 1px #000}
.hetao-reconciled{background:#009E73}
.leaflet-tooltip.hetao-line-label{background:rgba(255,255,255,.8);border:0;box-shadow:none;padding:0 3px;
 font:11px/1.3 sans-serif;color:#000}
.leaflet-tooltip.hetao-line-label:before{display:none}
</style>"""


def _elements():
    """Small folium elements of hetao's own (created lazily: folium is a heavy import)."""
    from branca.element import MacroElement
    from jinja2 import Template

    class Bind(MacroElement):
        """``layer.bindPopup(html)`` / ``bindTooltip(html)``, content passed as a JSON string."""

        _template = Template("""{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.{{ this.method }}({{ this.content|tojson }}, {{ this.options|tojson }});
{% endmacro %}""")

        def __init__(self, method: str, content: str, **options):
            super().__init__()
            self._name = "Bind"
            self.method, self.content, self.options = method, content, options

    class Legend(MacroElement):
        """The categorical legend, data attribution and the offline-tiles notice."""

        _template = Template("""{% macro script(this, kwargs) %}
(function (map) {
  var legend = L.control({position: 'bottomright'});
  var box;
  legend.onAdd = function () {
    box = L.DomUtil.create('div', 'hetao-legend');
    box.innerHTML = {{ this.legend|tojson }};
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var details = box.querySelector('details');
    if (details && map.getSize().x < 600) { details.open = false; }  // a phone: folded
    return box;
  };
  legend.addTo(map);
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  function watch(layer) {
    if (layer instanceof L.TileLayer && !layer._hetaoWatched) {
      layer._hetaoWatched = true;
      layer.on('tileerror', function () { box.querySelector('.hetao-offline').hidden = false; });
    }
  }
  map.eachLayer(watch);
  map.on('layeradd', function (e) { watch(e.layer); });
})({{ this._parent.get_name() }});
{% endmacro %}""")

        def __init__(self, legend: str, attribution: str):
            super().__init__()
            self._name = "Legend"
            self.legend, self.attribution = legend, attribution

    return Bind, Legend


def render_map(zone: Zone, measurements: list[Measurement], *, offline: bool = True,
               title: str = "Hetao zone · 河套合作区", shown: dict | None = None) -> str:
    """Render the zone as a complete HTML page.

    Parameters
    ----------
    zone, measurements : what to draw and what to say about it.
    offline : bool
        Inline every asset (default); ``False`` keeps folium's CDN links.
    shown : dict, optional
        The display geometries (:func:`geo.display.display_geometries`), if already made.
    """
    import folium
    import shapely

    from .display import display_geometries

    Bind, Legend = _elements()
    by_id = {m.id: m for m in measurements}
    shown = shown if shown is not None else display_geometries(zone)
    fmap = _new_map()
    for layer in zone.context:
        group = folium.FeatureGroup(name=escape(f"Context: {layer.spec.name_en} · {layer.spec.name_zh}"))
        linear = layer.geometry.geom_type.endswith("LineString")
        style = ({"color": CONTEXT_COLOUR, "weight": 1.5, "opacity": 0.5} if linear else
                 {"color": CONTEXT_COLOUR, "weight": 2, "dashArray": "4 4", "fill": False})
        if not linear:      # a white halo keeps the line visible on the imagery basemap
            style["className"] = "hetao-halo"
        folium.GeoJson(
            {"type": "Feature", "id": layer.spec.id, "properties": {},
             "geometry": shapely.geometry.mapping(shown[layer.spec.id])},
            style_function=lambda _f, s=style: s,
            interactive=False,
        ).add_to(group)
        group.add_to(fmap)

    for side, info in SIDES.items():
        boundaries = [b for b in zone.features if b.spec.side == side and b.spec.kind == "polygon"]
        if not boundaries:
            continue
        approx = " (approximate)" if any(b.spec.approximate for b in boundaries) else ""
        group = folium.FeatureGroup(name=escape(f"{info.name_en}{approx} · {info.name_zh}"))
        colour = info.colour
        unions = {b.id: b for b in boundaries if b.spec.union_of}
        for b in boundaries:
            spec = b.spec
            if spec.union_of:
                # A light band round the whole side: the parts' own (dashed) outlines show
                # through, instead of two dash patterns merging into a solid line.
                style = {"color": colour, "weight": 9, "opacity": 0.25, "fill": False}
            else:
                style = {"color": colour, "weight": 3 if spec.part_of is None else 2,
                         "fillColor": colour, "fillOpacity": _fill_opacity(zone, spec),
                         "dashArray": DASH if spec.approximate else None}
            # A union lies under its parts, so no click could reach it: it is drawn, not
            # clickable, and each part's popup carries the union's too.
            layer = folium.GeoJson(
                {"type": "Feature", "id": spec.id, "properties": {},
                 "geometry": shapely.geometry.mapping(shown[spec.id])},
                style_function=lambda _f, s=style: s,
                highlight_function=None if spec.union_of else (lambda _f: {"weight": 4}),
                interactive=not spec.union_of,
            )
            if not spec.union_of:
                approx = " (approximate)" if spec.approximate and "approximate" not in spec.name_en else ""
                layer.add_child(Bind("bindTooltip", _label(spec) + approx, sticky=True))
                popup = _popup_html(by_id[spec.id])
                parent = unions.get(spec.part_of) if spec.part_of else None
                if parent is not None:
                    popup += ("<hr><p class='hetao-part-of'>Part of the whole side:</p>"
                              + _popup_html(by_id[parent.id]))
                layer.add_child(Bind("bindPopup", popup, **POPUP_OPTIONS))
            layer.add_to(group)
            if spec.part_of:        # name the parts on the map, so they can be told apart
                point = _label_point(b.geometry, [f.geometry for f in zone.features if f.spec.kind == "point"]
                                     + [longest_piece(ln).geometry.interpolate(0.5, normalized=True)
                                        for ln in zone.lines])
                folium.Marker((point.y, point.x), interactive=False, icon=folium.DivIcon(
                    html=f"<span lang='{_lang(spec.side)}'>{escape(short_name(spec.name_en))}<br>"
                         f"{escape(short_name(spec.name_zh))}</span>",
                    class_name="hetao-area-label", icon_size=(130, 30), icon_anchor=(65, 15),
                )).add_to(group)
        group.add_to(fmap)

    if zone.lines:
        group = folium.FeatureGroup(name=escape("Boundary lines · 界线"))
        for line in zone.lines:
            longest = longest_piece(line)
            for piece in line.pieces:
                style_key = line_style(line, piece)
                style = {"color": LINE_COLOUR, "weight": 2.5, "opacity": 0.9,
                         "dashArray": LINE_STYLES[style_key].dash}
                layer = folium.GeoJson(
                    {"type": "Feature", "id": f"{line.id}/{piece.piece_id}", "properties": {},
                     "geometry": shapely.geometry.mapping(shown[f"{line.id}/{piece.piece_id}"])},
                    style_function=lambda _f, s=style: s,
                )
                if piece is longest:
                    layer.add_child(Bind("bindTooltip", escape(
                        f"{short_name(line.spec.name_en)} {short_name(line.spec.name_zh)}"),
                        permanent=True, direction="center", className="hetao-line-label"))
                layer.add_child(Bind("bindPopup", _line_popup(line, piece, style_key), **POPUP_OPTIONS))
                layer.add_to(group)
        group.add_to(fmap)

    for b in zone.features:
        spec = b.spec
        if spec.kind != "point":
            continue
        colour = SIDES[spec.side].colour
        name = f"{spec.name_en} · {spec.name_zh}"
        group = folium.FeatureGroup(name=escape(name))
        location = (b.geometry.y, b.geometry.x)
        radius = spec.provenance.positional_accuracy_m
        if radius:
            # Drawn, never clickable: it lies over the bonded zone, whose clicks are its own.
            circle = folium.Circle(location, radius=radius, color=colour, weight=2, dash_array=DASH,
                                   fill=True, fill_opacity=0.08)
            circle.options["interactive"] = False      # folium's path options drop this key
            circle.add_to(group)
        marker = folium.Marker(location, icon=folium.DivIcon(
            html=f"<div class='hetao-branch' style='background:{colour}'></div>",
            icon_size=(18, 18), icon_anchor=(9, 9), class_name="hetao-marker"))
        marker.add_child(Bind("bindTooltip", _label(spec)))
        marker.add_child(Bind("bindPopup", _popup_html(by_id[spec.id]), **POPUP_OPTIONS))
        marker.add_to(group)
        group.add_to(fmap)

    Legend(_legend_html(zone), "Boundaries: " + "; ".join(escape(a) for a in zone.attributions())).add_to(fmap)
    bounds = tuple(shapely.total_bounds([shown[b.id] for b in zone.features]))
    return _page(fmap, bounds, offline, title, minimap=_minimap_shapes(zone, shown))


def _new_map():
    """A folium map with hetao's basemaps, keeping only Leaflet from folium's default assets."""
    import folium

    fmap = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    fmap.default_js = [item for item in fmap.default_js if item[0] == "leaflet"]
    fmap.default_css = [item for item in fmap.default_css if item[0] == "leaflet_css"]
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", max_zoom=19).add_to(fmap)
    folium.TileLayer("Esri.WorldImagery", name="Esri World Imagery", max_zoom=19, show=False).add_to(fmap)
    return fmap


def _minimap_shapes(zone: Zone, shown: dict) -> dict:
    """The sides and lines, simplified for the minimap, each feature with its style."""
    import shapely

    from .display import display_geometry

    features = []
    for b in zone.features:
        if b.spec.kind == "polygon" and not b.spec.part_of:
            colour = SIDES[b.spec.side].colour
            geometry = shapely.simplify(shown[b.id], 0.0001)
            features.append({"type": "Feature", "properties": {"style": {
                "color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.4}},
                "geometry": shapely.geometry.mapping(geometry)})
    for line in zone.lines:
        geometry = shapely.simplify(display_geometry(line.geometry), 0.0001)
        features.append({"type": "Feature", "properties": {"style": {"color": LINE_COLOUR, "weight": 1}},
                         "geometry": shapely.geometry.mapping(geometry)})
    return {"type": "FeatureCollection", "features": features}


def _zone_minimap(shapes: dict | None, **options):
    """folium's MiniMap, drawing the zone's own layers over its tiles, so it shows offline."""
    from folium import plugins
    from folium.template import Template

    class ZoneMiniMap(plugins.MiniMap):
        _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }}_layers = L.layerGroup([
  L.tileLayer({{ this.tile_layer.tiles|tojson }}, {{ this.tile_layer.options|tojson }}),
  L.geoJSON({{ this.shapes|tojson }}, {interactive: false,
             style: function (f) { return f.properties.style; }})
]);
var {{ this.get_name() }} = new L.Control.MiniMap({{ this.get_name() }}_layers, {{ this.options|tojavascript }});
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
{% endmacro %}""")

        def __init__(self, shapes: dict, **kwargs):
            super().__init__(**kwargs)
            self.shapes = shapes

    return ZoneMiniMap(shapes or {"type": "FeatureCollection", "features": []}, **options)


def _page(fmap, bounds: tuple[float, float, float, float], offline: bool, title: str,
          minimap: dict | None = None) -> str:
    """Add the common controls, fit to ``bounds`` (lon/lat) and render the whole page."""
    import folium
    from branca.element import CssLink, Element, JavascriptLink
    from folium import plugins

    plugins.Fullscreen(position="topleft").add_to(fmap)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters",
                           secondary_length_unit="kilometers",
                           primary_area_unit="hectares", secondary_area_unit="sqmeters").add_to(fmap)
    _zone_minimap(minimap, tile_layer="OpenStreetMap", toggle_display=False, zoom_level_offset=-5,
                  position="topright").add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(20, 20))
    figure = fmap.get_root()
    _number_elements(figure)
    figure.title = escape(title)
    for child in list(figure._children.values()):
        child.render()
    figure.header.add_child(Element(_STYLE), name="hetao_style")
    figure.header.add_child(Element(_icon_defaults()), name="hetao_icons")
    if offline:
        for link in figure.header._children.values():
            if isinstance(link, (JavascriptLink, CssLink)):
                link.code = script_safe(asset_text(link.url))
    page = figure._template.render(this=figure, kwargs={"embedded": offline})
    return _with_csp(page, offline)


def _icon_defaults() -> str:
    """Leaflet's default marker images as data URIs, so no marker ever fetches an image."""
    return ("<script>L.Icon.Default.imagePath = '';L.Icon.Default.mergeOptions({"
            f"iconUrl: '{leaflet_image_data_uri('marker-icon.png')}',"
            f"iconRetinaUrl: '{leaflet_image_data_uri('marker-icon-2x.png')}',"
            f"shadowUrl: '{leaflet_image_data_uri('marker-shadow.png')}'}});</script>")


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(page: str, offline: bool = True) -> str:
    """A policy admitting exactly the page's own inline scripts (by hash), no event handlers.

    ``'unsafe-eval'`` is needed by leaflet-measure's templates; it does not admit inline
    event handlers or injected ``<script>`` elements.
    """
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
                     + "'" for s in _SCRIPT.findall(page)})
    remote = " https:" if not offline else ""
    return ("default-src 'none'; "
            f"script-src {' '.join(hashes)} 'unsafe-eval'{remote}; "
            f"style-src 'unsafe-inline'{remote}; "
            "img-src data: https: http:; font-src data:; connect-src 'none'; "
            "base-uri 'none'; form-action 'none'; object-src 'none'")


def _with_csp(page: str, offline: bool) -> str:
    if re.search(r"<script\s+[^>]*>", page) and offline:
        raise HetaoError("the map has a script element the Content-Security-Policy cannot hash; "
                         "build with the offline parameter off, or report this")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(content_security_policy(page, offline), quote=False)}">'
    return page.replace("<head>", "<head>\n" + meta, 1)


#: Colours of the diff map's layers (Okabe-Ito).
DIFF_COLOURS = {"before": "#4D4D4D", "after": "#0072B2", "gained": "#009E73", "lost": "#CC79A7"}


def render_diff_map(diffs, *, offline: bool = True, label_before: str = "before",
                    label_after: str = "after") -> str:
    """A map of what changed: the old and new outlines, and the areas gained and lost.

    ``diffs`` are :class:`geo.diff.FeatureDiff`; the same self-contained page machinery as
    :func:`render_map`.
    """
    import folium
    import shapely

    from .display import display_geometry

    Bind, Legend = _elements()
    fmap = _new_map()
    layers = {"lost": [], "gained": [], "before": [], "after": []}
    for d in diffs:
        # Drawn like the main map: within DISPLAY_ERROR_M of the truth, never the raw vertices.
        layers["before"].append((d.id, display_geometry(d.before)))
        layers["after"].append((d.id, display_geometry(d.after)))
        if d.kind == "polygon":
            layers["gained"].append((d.id, display_geometry(shapely.difference(d.after, d.before))))
            layers["lost"].append((d.id, display_geometry(shapely.difference(d.before, d.after))))
    names = {"before": f"Before: {label_before}", "after": f"After: {label_after}",
             "gained": "Area gained", "lost": "Area lost"}
    for key in ("before", "after", "gained", "lost"):
        group = folium.FeatureGroup(name=escape(names[key]))
        colour = DIFF_COLOURS[key]
        for fid, geometry in layers[key]:
            if geometry.is_empty:
                continue
            if geometry.geom_type == "Point":
                folium.CircleMarker((geometry.y, geometry.x), radius=7, color=colour, weight=3,
                                    fill=key == "after").add_child(
                    Bind("bindTooltip", escape(f"{fid}: {names[key]}"))).add_to(group)
                continue
            outline = key in ("before", "after")
            style = {"color": colour, "weight": 2 if outline else 0.5, "fillColor": colour,
                     "fillOpacity": 0.0 if outline else 0.6,
                     "dashArray": "6 4" if key == "before" else None}
            layer = folium.GeoJson({"type": "Feature", "id": f"{fid}-{key}", "properties": {},
                                    "geometry": shapely.geometry.mapping(geometry)},
                                   style_function=lambda _f, s=style: s)
            layer.add_child(Bind("bindTooltip", escape(f"{fid}: {names[key]}"), sticky=True))
            layer.add_to(group)
        group.add_to(fmap)
    items = "".join(
        f"<div><span class='hetao-sw' style='border:2px {'dashed' if k == 'before' else 'solid'} "
        f"{c};background:{c if k in ('gained', 'lost') else 'transparent'}'></span>{escape(names[k])}</div>"
        for k, c in DIFF_COLOURS.items())
    summary = "".join(
        f"<div>{escape(d.id)}: +{(d.gained_m2 or 0) / 1e4:,.2f} ha / −{(d.lost_m2 or 0) / 1e4:,.2f} ha, "
        f"Hausdorff {d.hausdorff_m:,.1f} m</div>" for d in diffs)
    Legend(f"<div class='hetao-legend-title'>What changed</div>{items}"
           f"<div class='hetao-note'>{summary}</div><div class='hetao-offline' hidden>Basemap "
           "tiles are not loading (offline?).</div>", escape("Compared with hetao diff")).add_to(fmap)
    bounds = tuple(shapely.total_bounds([g for d in diffs for g in (d.before, d.after)]))
    return _page(fmap, bounds, offline, "hetao diff")


class _Page:
    """A self-contained page, rendered once on first use: saved atomically, shown in Jupyter."""

    title = "Hetao zone map"
    _html: str | None = None

    def _render(self) -> str:
        raise NotImplementedError

    @property
    def html(self) -> str:
        """The whole HTML page."""
        if self._html is None:
            self._html = self._render()
        return self._html

    def save(self, path: Path | str) -> Path:
        """Write the page to ``path`` atomically; return the path.

        Raises
        ------
        HetaoIOError
            If the file cannot be written.
        """
        path = Path(path)
        write_atomic(path, self.html)
        return path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's own Content-Security-Policy and styles apart from
        # the notebook's; ``srcdoc`` needs no file and no server.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
                'style="width:100%;height:520px;border:0" '
                'sandbox="allow-scripts allow-popups"></iframe>')


class Map(_Page):
    """The web map of a zone: shows itself in Jupyter and saves as a self-contained page.

    The page is rendered once, on first use (folium is imported then).

    Parameters
    ----------
    zone : Zone
        What to draw.
    measurements : list of Measurement, optional
        What to say about it (measured now if not given).
    offline : bool
        Inline every script and stylesheet (default), so the page renders with no network;
        ``False`` links folium's CDN copies instead.

    Examples
    --------
    >>> from hetao.zone import load_zone
    >>> m = Map(load_zone())
    >>> m.html.startswith("<!DOCTYPE html>")
    True
    >>> m._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, zone: Zone, measurements: list[Measurement] | None = None, *,
                 offline: bool = True) -> None:
        self.zone = zone
        self.measurements = measurements if measurements is not None else measure_zone(zone)
        self.offline = offline

    def _render(self) -> str:
        return render_map(self.zone, self.measurements, offline=self.offline)


class DiffMap(_Page):
    """The map of a :class:`~hetao.model.Diff`: the old and new outlines, and the areas
    gained and lost; shows itself in Jupyter and saves as a self-contained page.

    Examples
    --------
    >>> import hetao
    >>> same = hetao.diff(hetao.shipped_boundaries(), hetao.shipped_boundaries())
    >>> page = DiffMap(same).html
    >>> page.startswith("<!DOCTYPE html>")
    True
    """

    title = "Hetao zone changes"

    def __init__(self, diff: Diff, *, offline: bool = True) -> None:
        self.diff = diff
        self.offline = offline

    def _render(self) -> str:
        return render_diff_map(list(self.diff.features), offline=self.offline,
                               label_before=self.diff.label_before, label_after=self.diff.label_after)
