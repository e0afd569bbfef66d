"""The web map: a self-contained Folium/Leaflet page of the zone.

By default every script and stylesheet is inlined from installed packages
(:mod:`geo.assets`), so the page renders with no network; only basemap tiles are fetched,
and when they fail the zone is still drawn over hetao's own context layers. Element ids are
deterministic, so the same inputs give the same bytes. Every text from a boundaries folder
is escaped (:mod:`hetao.popups` writes the popups, tooltips and legends), and a
Content-Security-Policy admits only the page's own scripts. folium is imported only when a
page is rendered; hetao's own folium elements live in :mod:`hetao._folium`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from .assets import asset_text, leaflet_image_data_uri, script_safe
from .display import BAND_COLOUR, BAND_OPACITY, LINE_COLOUR, LINE_STYLES, ZONE_NAME_EN, ZONE_NAME_ZH_HANS, ZONE_NAME_ZH_HANT, fill_opacity, line_style, longest_piece, short_name, side_info
from .errors import HetaoError
from .files import write_atomic
from .measurement import measure_zone
from .model import Diff, Feature, FeatureDiff, Measurement, Zone, ZoneLike
from .popups import (DIFF_COLOURS, NEEDS_NETWORK, STYLE, area_label, diff_legend_html, escape, label, legend_html,
                     line_popup, popup_html, zone_name_html)
from .sides import CONTEXT_COLOUR, SIDES, SideInfo
from .zone import as_zone

__all__ = ["Map", "DiffMap", "DIFF_COLOURS", "escape", "render_map", "render_diff_map", "content_security_policy",
           "label_points", "TITLE"]

#: The main map's title: the zone's name in English and both Chinese scripts.
TITLE = f"{ZONE_NAME_EN} · {ZONE_NAME_ZH_HANS} · {ZONE_NAME_ZH_HANT}"

DASH = "8 6"
#: Popups fit in view: kept clear of the controls in the corners, and scroll when long.
#: (The page's layout script then fits them to the room the controls leave.)
POPUP_OPTIONS: dict[str, Any] = {"maxWidth": 440, "maxHeight": 600, "autoPanPaddingTopLeft": [60, 20],
                                 "autoPanPaddingBottomRight": [20, 20]}
#: The layers' pane of the uncertainty bands: under the polygons (Leaflet's overlays are 400).
BAND_PANE = "hetaoBands"
#: How far (m) an area's name label keeps from a point feature's marker.
LABEL_CLEARANCE_M = 350.0


def _number_elements(root: Any) -> None:
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


def _label_point(geometry: BaseGeometry, avoid: list[BaseGeometry]) -> Any:
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
    point = polylabel(max(parts, key=lambda q: q.area), tolerance=5.0)
    return to_crs(point, "EPSG:4326", source=LOCAL_CRS)


def _geojson(feature_id: str, geometry: BaseGeometry, style: dict[str, Any], **options: Any) -> Any:
    """A folium GeoJson layer of one geometry, drawn in one style."""
    import folium
    import shapely

    return folium.GeoJson({"type": "Feature", "id": feature_id, "properties": {},
                           "geometry": shapely.geometry.mapping(geometry)},
                          style_function=lambda _f, s=style: s, **options)


def label_points(zone: Zone, shown: dict[str, BaseGeometry] | None = None) -> dict[str, Any]:
    """Where each feature with a popup is named and opened from the keyboard, by layer id.

    Parameters
    ----------
    zone : Zone
        What the map draws.
    shown : dict, optional
        The display geometries (:func:`geo.display.display_geometries`), if already made.

    Returns
    -------
    dict
        Shapely points (lon/lat): each polygon that is not a union at its name label (inside
        it, clear of the point markers and the lines' names), each point feature at itself,
        and each line piece (``"line-id/piece-id"``) at the middle of its part within the
        zone's extent (of the whole piece when none lies within).
    """
    import shapely

    from .display import display_geometries

    shown = shown if shown is not None else display_geometries(zone)
    extent = shapely.box(*shapely.total_bounds([shown[b.id] for b in zone.features]))
    avoid = ([f.geometry for f in zone.features if f.spec.kind == "point"]
             + [longest_piece(ln).geometry.interpolate(0.5, normalized=True) for ln in zone.lines])
    out: dict[str, Any] = {}
    for b in zone.features:
        if b.spec.kind == "point":
            out[b.id] = b.geometry
        elif not b.spec.union_of:
            out[b.id] = _label_point(b.geometry, avoid)
    for line in zone.lines:
        for piece in line.pieces:
            key = f"{line.id}/{piece.piece_id}"
            inside = shapely.line_merge(shapely.intersection(shown[key], extent))
            parts = [q for q in shapely.get_parts(inside) if q.geom_type == "LineString"]
            along = max(parts, key=lambda q: q.length) if parts else shown[key]
            out[key] = along.interpolate(0.5, normalized=True)
    return out


def _anchors(zone: Zone, points: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The layout script's anchors: each popup's keyboard opening point and accessible name."""
    names = {b.id: f"{b.spec.name_en} · {b.spec.name_zh}" for b in zone.features}
    for line in zone.lines:
        for piece in line.pieces:
            name = piece.name_en if piece.name_en != line.spec.name_en else line.spec.name_en
            names[f"{line.id}/{piece.piece_id}"] = (f"Boundary line: {name}, {LINE_STYLES[line_style(line, piece)].words}, "
                                                    f"± {piece.accuracy_m:,.0f} m")
    return {key: {"lat": round(p.y, 7), "lng": round(p.x, 7), "name": names[key]} for key, p in points.items()}


def render_map(zone: Zone, measurements: list[Measurement], *, offline: bool = True,
               title: str = TITLE, shown: dict[str, BaseGeometry] | None = None,
               stamp: str | None = None) -> str:
    """Render the zone as a complete HTML page.

    Parameters
    ----------
    zone, measurements : what to draw and what to say about it.
    offline : bool
        Inline every asset (default); ``False`` keeps folium's CDN links.
    title : str
        The page's title.
    shown : dict, optional
        The display geometries (:func:`geo.display.display_geometries`), if already made.
    stamp : str, optional
        The version stamp (:func:`hetao.stamp.version_stamp`), shown after the attribution.

    Returns
    -------
    str
        The whole HTML page.
    """
    import shapely

    from ._folium import Legend
    from .display import display_geometries

    by_id = {m.id: m for m in measurements}
    shown = shown if shown is not None else display_geometries(zone)
    points = label_points(zone, shown)
    fmap = _new_map()
    _context_layers(fmap, zone, shown)
    _band_layer(fmap, zone)
    _side_layers(fmap, zone, shown, by_id, points)
    _line_layers(fmap, zone, shown)
    _point_layers(fmap, zone, by_id)
    version = f"; boundaries version {escape(stamp)}" if stamp else ""
    Legend(legend_html(zone), "Boundaries: " + "; ".join(escape(a) for a in zone.attributions()) + version).add_to(fmap)
    bounds = tuple(shapely.total_bounds([shown[b.id] for b in zone.features]))
    return _page(fmap, bounds, offline, title, minimap=_minimap_shapes(zone, shown),
                 anchors=_anchors(zone, points))


def _context_layers(fmap: Any, zone: Zone, shown: dict[str, BaseGeometry]) -> None:
    """One layer per context layer: roads light and solid, outlines dashed; never clickable."""
    import folium

    for layer in zone.context:
        group = folium.FeatureGroup(name=escape(f"Context: {layer.spec.name_en} · {layer.spec.name_zh}"))
        linear = layer.geometry.geom_type.endswith("LineString")
        style: dict[str, Any] = ({"color": CONTEXT_COLOUR, "weight": 1.5, "opacity": 0.5} if linear else
                                 {"color": CONTEXT_COLOUR, "weight": 2, "dashArray": "4 4", "fill": False})
        if not linear:      # a white halo keeps the line visible on the imagery basemap
            style["className"] = "hetao-halo"
        _geojson(layer.spec.id, shown[layer.spec.id], style, interactive=False).add_to(group)
        group.add_to(fmap)


def _band_layer(fmap: Any, zone: Zone) -> None:
    """The lines' uncertainty: each piece as a soft band ± its positional accuracy, in a pane
    under the polygons, taking no clicks and no focus."""
    import folium
    from folium.map import CustomPane

    from .display import uncertainty_bands

    if not zone.lines:
        return
    CustomPane(BAND_PANE, z_index=350, pointer_events=False).add_to(fmap)
    group = folium.FeatureGroup(name=escape("Uncertainty bands (± positional accuracy) · 不确定范围 · 不確定範圍"))
    style = {"stroke": False, "fillColor": BAND_COLOUR, "fillOpacity": BAND_OPACITY, "className": "hetao-band"}
    for key, (band, _accuracy) in uncertainty_bands(zone).items():
        _geojson(f"band:{key}", band, style, interactive=False, pane=BAND_PANE).add_to(group)
    group.add_to(fmap)


def _side_layers(fmap: Any, zone: Zone, shown: dict[str, BaseGeometry],
                 by_id: dict[str, Measurement], points: dict[str, Any]) -> None:
    """One layer per side: its polygons, with popups and tooltips, and their names."""
    import folium

    for side, info in SIDES.items():
        boundaries = [b for b in zone.features if b.spec.side == side and b.spec.kind == "polygon"]
        if not boundaries:
            continue
        approx = " (approximate)" if any(b.spec.approximate for b in boundaries) else ""
        group = folium.FeatureGroup(name=escape(f"{info.name_en}{approx} · {info.name_zh}"))
        unions = {b.id: b for b in boundaries if b.spec.union_of}
        for b in boundaries:
            _polygon_layer(zone, b, shown, by_id, unions, info).add_to(group)
            if not b.spec.union_of:        # name each area on the map, so they can be told apart
                point = points[b.id]
                folium.Marker((point.y, point.x), interactive=False, keyboard=False, icon=folium.DivIcon(
                    html=area_label(b.spec), class_name=f"hetao-area-label hetao-{side.replace('_', '-')}",
                    icon_size=(130, 30), icon_anchor=(65, 15),
                )).add_to(group)
        group.add_to(fmap)


def _polygon_layer(zone: Zone, b: Feature, shown: dict[str, BaseGeometry], by_id: dict[str, Measurement],
                   unions: dict[str, Feature], info: SideInfo) -> Any:
    """One polygon: a union as a light band, not clickable; any other with its popup.

    A union lies under its parts, so no click could reach it: it is drawn, not clickable,
    and each part's popup carries the union's too.
    """
    from ._folium import Bind

    spec, colour = b.spec, info.colour
    if spec.union_of:
        # A light band round the whole side: the parts' own (dashed) outlines show
        # through, instead of two dash patterns merging into a solid line.
        style: dict[str, Any] = {"color": colour, "weight": 9, "opacity": 0.25, "fill": False}
    else:
        style = {"color": colour, "weight": 3 if spec.part_of is None else 2,
                 "fillColor": colour, "fillOpacity": fill_opacity(zone, spec),
                 "dashArray": DASH if spec.approximate else None}
    layer = _geojson(spec.id, shown[spec.id], style,
                     highlight_function=None if spec.union_of else (lambda _f: {"weight": 4}),
                     interactive=not spec.union_of)
    if not spec.union_of:
        approx = " (approximate)" if spec.approximate and "approximate" not in spec.name_en else ""
        layer.add_child(Bind("bindTooltip", label(spec) + approx, sticky=True))
        parent = unions.get(spec.part_of) if spec.part_of else None
        popup = popup_html(by_id[spec.id], by_id[parent.id] if parent is not None else None)
        layer.add_child(Bind("bindPopup", popup, **POPUP_OPTIONS))
    return layer


def _line_layers(fmap: Any, zone: Zone, shown: dict[str, BaseGeometry]) -> None:
    """The boundary lines, one layer: each piece drawn as it was made, the longest named."""
    import folium

    from ._folium import Bind

    if not zone.lines:
        return
    group = folium.FeatureGroup(name=escape("Boundary lines · 界线"))
    for line in zone.lines:
        longest = longest_piece(line)
        for piece in line.pieces:
            style_key = line_style(line, piece)
            style = {"color": LINE_COLOUR, "weight": 2.5, "opacity": 0.9,
                     "dashArray": LINE_STYLES[style_key].dash}
            piece_id = f"{line.id}/{piece.piece_id}"
            layer = _geojson(piece_id, shown[piece_id], style)
            if piece is longest:
                layer.add_child(Bind("bindTooltip", escape(
                    f"{short_name(line.spec.name_en)} {short_name(line.spec.name_zh)}"),
                    permanent=True, direction="center", className="hetao-line-label"))
            layer.add_child(Bind("bindPopup", line_popup(line, piece, style_key), **POPUP_OPTIONS))
            layer.add_to(group)
    group.add_to(fmap)


def _point_layers(fmap: Any, zone: Zone, by_id: dict[str, Measurement]) -> None:
    """One layer per point feature: its marker, and a circle of its positional accuracy."""
    import folium

    from ._folium import Bind

    for b in zone.features:
        spec = b.spec
        if spec.kind != "point":
            continue
        colour = side_info(spec).colour
        group = folium.FeatureGroup(name=escape(f"{spec.name_en} · {spec.name_zh}"))
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
            icon_size=(18, 18), icon_anchor=(9, 9), class_name="hetao-marker"),
            hetaoId=spec.id)
        marker.add_child(Bind("bindTooltip", label(spec)))
        marker.add_child(Bind("bindPopup", popup_html(by_id[spec.id]), **POPUP_OPTIONS))
        marker.add_to(group)
        group.add_to(fmap)


def _new_map() -> Any:
    """A folium map with hetao's basemaps, keeping only Leaflet from folium's default assets."""
    import folium

    fmap = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    fmap.default_js = [item for item in fmap.default_js if item[0] == "leaflet"]
    fmap.default_css = [item for item in fmap.default_css if item[0] == "leaflet_css"]
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", max_zoom=19).add_to(fmap)
    folium.TileLayer("Esri.WorldImagery", name="Esri World Imagery", max_zoom=19, show=False).add_to(fmap)
    return fmap


def _minimap_shapes(zone: Zone, shown: dict[str, BaseGeometry]) -> dict[str, Any]:
    """The sides and lines, simplified for the minimap, each feature with its style."""
    import shapely

    from .display import display_geometry

    features = []
    for b in zone.features:
        if b.spec.kind == "polygon" and not b.spec.part_of:
            colour = side_info(b.spec).colour
            geometry = shapely.simplify(shown[b.id], 0.0001)
            features.append({"type": "Feature", "properties": {"style": {
                "color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.4}},
                "geometry": shapely.geometry.mapping(geometry)})
    for line in zone.lines:
        geometry = shapely.simplify(display_geometry(line.geometry), 0.0001)
        features.append({"type": "Feature", "properties": {"style": {"color": LINE_COLOUR, "weight": 1}},
                         "geometry": shapely.geometry.mapping(geometry)})
    return {"type": "FeatureCollection", "features": features}


def _add_controls(fmap: Any, minimap: dict[str, Any] | None) -> None:
    """Full screen, measuring, the minimap (with the zone drawn in it) and the layer control."""
    import folium
    from folium import plugins

    from ._folium import ZoneMiniMap

    plugins.Fullscreen(position="topleft").add_to(fmap)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters",
                           secondary_length_unit="kilometers",
                           primary_area_unit="hectares", secondary_area_unit="sqmeters").add_to(fmap)
    ZoneMiniMap(minimap or {"type": "FeatureCollection", "features": []}, tile_layer="OpenStreetMap",
                toggle_display=False, zoom_level_offset=-5, position="topright").add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)


def _page(fmap: Any, bounds: tuple[float, ...], offline: bool, title: str,
          minimap: dict[str, Any] | None = None, anchors: dict[str, dict[str, Any]] | None = None) -> str:
    """Add the common controls and the layout script (which fits the view to ``bounds``,
    lon/lat, clear of the controls) and render the whole page."""
    from branca.element import CssLink, Element, JavascriptLink

    from ._folium import Layout

    _add_controls(fmap, minimap)
    Layout([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], anchors or {}).add_to(fmap)
    figure = fmap.get_root()
    _number_elements(figure)
    figure.title = escape(title)
    for child in list(figure._children.values()):
        child.render()
    figure.header.add_child(Element(STYLE), name="hetao_style")
    figure.header.add_child(Element(_icon_defaults()), name="hetao_icons")
    if offline:
        # Inlined as text: branca's links hold what they fetch as bytes, and render it as is.
        links: list[Any] = [link for link in figure.header._children.values()
                            if isinstance(link, (JavascriptLink, CssLink))]
        for link in links:
            link.code = script_safe(asset_text(link.url))
    page: str = figure._template.render(this=figure, kwargs={"embedded": offline})
    return _with_csp(_accessible(page, title, offline), offline)


def _accessible(page: str, title: str, offline: bool) -> str:
    """The page's language, a viewport that zooms, the map as the main landmark under a
    heading; with CDN links, a sentence shown when its scripts cannot load."""
    page = page.replace("<html>", '<html lang="en">', 1)
    page = re.sub(r'<meta name="viewport"[^>]*>', '<meta name="viewport" content="width=device-width, '
                  'initial-scale=1">', page, count=1)
    heading = (f"<h1 class='hetao-vh'>{zone_name_html()}</h1>" if title == TITLE
               else f"<h1 class='hetao-vh'>{escape(title)}</h1>")
    notice = "" if offline else f"<p class='hetao-needs-network' id='hetao-needs-network'>{NEEDS_NETWORK}</p>"
    page = re.sub(r'(<div class="folium-map" id="[^"]+") ?></div>',
                  lambda m: f'{notice}{m.group(1)} role="main">{heading}</div>', page, count=1)
    if not offline:
        page = page.replace("</html>", "<script>if (window.L) { document.getElementById("
                            "'hetao-needs-network').remove(); }</script>\n</html>", 1)
    return page


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

    Parameters
    ----------
    page : str
        The HTML page; each of its inline ``<script>`` elements is admitted by its hash.
    offline : bool
        ``False`` admits scripts and stylesheets from any https address too.

    Returns
    -------
    str
        The policy, for a ``Content-Security-Policy`` header or ``<meta>`` element.

    Examples
    --------
    >>> content_security_policy("<script>1</script>").startswith("default-src 'none'; script-src 'sha256-")
    True
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


#: The diff map's layers, in drawing order.
_DIFF_KEYS = ("before", "after", "gained", "lost")


def render_diff_map(diffs: list[FeatureDiff], *, offline: bool = True, label_before: str = "before",
                    label_after: str = "after") -> str:
    """A map of what changed: the old and new outlines, and the areas gained and lost.

    Parameters
    ----------
    diffs : list of FeatureDiff
        The changes (:class:`hetao.model.FeatureDiff`).
    offline : bool
        Inline every asset (default); ``False`` keeps folium's CDN links.
    label_before, label_after : str
        What the two versions are, for the layers' names.

    Returns
    -------
    str
        The whole HTML page, made by the same self-contained page machinery as
        :func:`render_map`.
    """
    import shapely

    from ._folium import Legend

    fmap = _new_map()
    names = {"before": f"Before: {label_before}", "after": f"After: {label_after}",
             "gained": "Area gained", "lost": "Area lost"}
    layers = _diff_geometries(diffs)
    for key in _DIFF_KEYS:
        _diff_layer(key, names[key], layers[key]).add_to(fmap)
    Legend(diff_legend_html(diffs, names), escape("Compared with hetao diff")).add_to(fmap)
    bounds = tuple(shapely.total_bounds([g for d in diffs for g in (d.before, d.after)]))
    return _page(fmap, bounds, offline, "hetao diff")


def _diff_geometries(diffs: list[FeatureDiff]) -> dict[str, list[tuple[str, BaseGeometry]]]:
    """The display geometry of each feature before and after, and of the areas gained and lost."""
    import shapely

    from .display import display_geometry

    layers: dict[str, list[tuple[str, BaseGeometry]]] = {"lost": [], "gained": [], "before": [], "after": []}
    for d in diffs:
        # Drawn like the main map: within DISPLAY_ERROR_M of the truth, never the raw vertices.
        layers["before"].append((d.id, display_geometry(d.before)))
        layers["after"].append((d.id, display_geometry(d.after)))
        if d.kind == "polygon":
            layers["gained"].append((d.id, display_geometry(shapely.difference(d.after, d.before))))
            layers["lost"].append((d.id, display_geometry(shapely.difference(d.before, d.after))))
    return layers


def _diff_layer(key: str, name: str, geometries: list[tuple[str, BaseGeometry]]) -> Any:
    """One layer of the diff map: outlines (before dashed), or areas filled; points as circles."""
    import folium

    from ._folium import Bind

    group = folium.FeatureGroup(name=escape(name))
    colour = DIFF_COLOURS[key]
    for fid, geometry in geometries:
        if geometry.is_empty:
            continue
        if geometry.geom_type == "Point":
            folium.CircleMarker((geometry.y, geometry.x), radius=7, color=colour, weight=3,
                                fill=key == "after").add_child(
                Bind("bindTooltip", escape(f"{fid}: {name}"))).add_to(group)
            continue
        outline = key in ("before", "after")
        style = {"color": colour, "weight": 2 if outline else 0.5, "fillColor": colour,
                 "fillOpacity": 0.0 if outline else 0.6,
                 "dashArray": "6 4" if key == "before" else None}
        layer = _geojson(f"{fid}-{key}", geometry, style)
        layer.add_child(Bind("bindTooltip", escape(f"{fid}: {name}"), sticky=True))
        layer.add_to(group)
    return group


class _Page:
    """A self-contained page, rendered once on first use: saved atomically, shown in Jupyter."""

    title = "Hetao zone map"        # the iframe's accessible name in a notebook
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

        Parameters
        ----------
        path : Path or str
            Where to write it (the folder must exist).

        Returns
        -------
        Path
            ``path``.

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
    zone : Zone, str or path
        What to draw: a zone, or its boundaries folder (loaded).
    measurements : list of Measurement, optional
        What to say about it (measured now if not given).
    offline : bool
        Inline every script and stylesheet (default), so the page renders with no network;
        ``False`` links folium's CDN copies instead.

    Examples
    --------
    >>> from hetao.zone import default_boundaries_dir
    >>> m = Map(default_boundaries_dir())
    >>> m.html.startswith("<!DOCTYPE html>")
    True
    >>> m._repr_html_().startswith("<iframe")
    True
    """

    title = f"Map of the {TITLE}"

    def __init__(self, zone: ZoneLike, measurements: list[Measurement] | None = None, *,
                 offline: bool = True) -> None:
        self.zone = as_zone(zone)
        self.measurements = measurements if measurements is not None else measure_zone(self.zone)
        self.offline = offline

    def _render(self) -> str:
        return render_map(self.zone, self.measurements, offline=self.offline)


class DiffMap(_Page):
    """The map of a :class:`~hetao.model.Diff`: the old and new outlines, and the areas
    gained and lost; shows itself in Jupyter and saves as a self-contained page.

    Parameters
    ----------
    diff : Diff
        What changed.
    offline : bool
        Inline every script and stylesheet (default); ``False`` links folium's CDN copies.

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
