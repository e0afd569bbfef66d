"""The words of the web map: popups, tooltips, labels, legends and the page's stylesheet.

Plain HTML strings, built without folium; every text from a boundaries folder passes through
:func:`escape`. :mod:`hetao.webmap` puts them on the map.

Examples
--------
>>> escape("<b>`${x}`</b>")
'&lt;b&gt;&#96;&#36;{x}&#96;&lt;/b&gt;'
"""

from __future__ import annotations

import html

from .display import BAND_COLOUR, DISPLAY_ERROR_M, LINE_COLOUR, ZONE_NAME_EN, ZONE_NAMES, LINE_STYLES, fill_opacity, line_style, short_name, side_info
from .model import AreaMeasurement, FeatureDiff, FeatureSpec, Line, Measurement, Piece, Reconciled, Zone
from .sides import CONTEXT_COLOUR, SIDES

__all__ = ["escape", "area_rows", "popup_html", "line_popup", "label", "area_label", "legend_html",
           "DIFF_COLOURS", "diff_legend_html", "STYLE", "zone_name_html",
           "NEEDS_NETWORK"]


def escape(text: object) -> str:
    """Escape text for HTML, and for a JavaScript template literal should folium put it in one.

    Parameters
    ----------
    text : object
        Anything; it is shown as ``str(text)``.

    Returns
    -------
    str
        The text with ``& < > " '`` and the backtick, ``$`` and backslash as entities.
    """
    return (html.escape(str(text), quote=True)
            .replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;"))


def area_rows(m: Measurement) -> str:
    """The table rows of a polygon's measured area, grid area and perimeter.

    Parameters
    ----------
    m : Measurement
        What was measured; a point's measurement has no area.

    Returns
    -------
    str
        ``<tr>`` rows, or ``""`` for a point.
    """
    return _headline_row(m) + _grid_rows(m) if isinstance(m, AreaMeasurement) else ""


def _headline_row(m: Measurement) -> str:
    """The measured area and its uncertainty (a polygon), or the location (a point)."""
    if isinstance(m, AreaMeasurement):
        ha, unc = m.geodesic_area_m2 / 1e4, m.uncertainty_m2 / 1e4
        return (f"<tr><th>Measured (WGS84 geodesic)</th><td>{ha:,.2f} ha ± {unc:,.2f} ha "
                f"({ha / 100:,.3f} km²)</td></tr>")
    g, prov = m.boundary.geometry, m.boundary.spec.provenance
    if m.boundary.spec.kind == "point":
        return (f"<tr><th>Location</th><td>{g.y:.6f}° N, {g.x:.6f}° E, "
                f"± {prov.positional_accuracy_m:,.0f} m</td></tr>")
    return ""


def _grid_rows(m: Measurement) -> str:
    if not isinstance(m, AreaMeasurement):
        return ""
    return (f"<tr><th>In {escape(m.grid_crs)} grid</th><td>{m.grid_area_m2 / 1e4:,.2f} ha</td></tr>"
            f"<tr><th>Perimeter</th><td>{m.perimeter_m:,.0f} m</td></tr>")


def _detail_rows(m: Measurement) -> str:
    """Grid area, perimeter, accuracy, the most uncertain edge and the reconciled area."""
    spec = m.boundary.spec
    prov = spec.provenance
    rows = [_grid_rows(m)]
    if spec.kind != "point" and prov.positional_accuracy_m:
        rows.append(f"<tr><th>Positional accuracy</th><td>{prov.positional_accuracy_m:,.1f} m</td></tr>")
    if not isinstance(m, AreaMeasurement):
        return "".join(rows)
    top = m.dominant_edge if len(m.edges) > 1 else None
    if top is not None:
        rows.append(f"<tr><th>Most uncertain edge</th><td>{escape(top.edge)}: {escape(top.piece.name_en)} "
                    f"(± {top.piece.accuracy_m:,.0f} m, {100 * top.uncertainty_m2 / m.uncertainty_m2:.0f} % "
                    "of the uncertainty)</td></tr>")
    r = m.reconciled
    if r is not None:
        rows.append(f"<tr><th>Less {escape(r.what)}</th><td>{r.area_m2 / 1e4:,.2f} ha "
                    f"({r.low_m2 / 1e4:,.2f} to {r.high_m2 / 1e4:,.2f} ha): {escape(r.reading)}</td></tr>")
    return "".join(rows)


def _stated_items(m: Measurement, r: Reconciled | None) -> list[str]:
    """One list item per stated figure: the figure, its source and how it compares."""
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
        if c.reconciled_status is not None and r is not None:
            also = (f"; less {escape(r.what)}: {c.reconciled_difference_ha:+,.2f} ha, "
                    f"{escape(c.reconciled_status)}")
        stated.append(f"<li><b>{figure}</b> ({escape(f.source)}{date}): {result} "
                      f"<span class='hetao-status hetao-{escape(c.status)}'>{escape(c.status.replace('_', ' '))}</span>"
                      f"{also}</li>")
    return stated


def _comparison(m: Measurement, heading: str) -> str:
    """What the tool exists for, first: the name, the measured area ± uncertainty (or the
    location) and every stated figure with its status."""
    spec = m.boundary.spec
    stated = _stated_items(m, m.reconciled if isinstance(m, AreaMeasurement) else None)
    return (f"<{heading}>{escape(spec.name_en)}<br><span lang='{side_info(spec).lang}'>"
            f"{escape(spec.name_zh)}</span></{heading}>"
            + ("<p class='hetao-approx'>Approximate geometry: not survey data.</p>" if spec.approximate else "")
            + f"<table class='hetao-measured'>{_headline_row(m)}</table>"
            + (f"<div class='hetao-stated'><p><b>Stated</b></p><ul>{''.join(stated)}</ul></div>"
               if stated else ""))


def _details(m: Measurement) -> str:
    """What may follow below: the other figures, why they differ, source and method."""
    spec = m.boundary.spec
    prov = spec.provenance
    rows = _detail_rows(m)
    return ((f"<table>{rows}</table>" if rows else "")
            + (f"<p><b>Why they differ:</b> {escape(spec.explanation)}</p>" if spec.explanation else "")
            + f"<p class='hetao-source'><b>Source:</b> {escape(prov.source)}<br><b>Method:</b> "
            f"{escape(prov.method)}<br><b>Licence:</b> {escape(prov.licence)}"
            + (f" ({escape(prov.attribution)})" if prov.attribution else "")
            + f"<br><b>Date:</b> {escape(prov.date)}</p>")


def popup_html(m: Measurement, whole: Measurement | None = None) -> str:
    """The popup of a polygon or point feature: the comparison first, then the details.

    Parameters
    ----------
    m : Measurement
        The feature's measurement (an area measured or a point located).
    whole : Measurement, optional
        The union the feature is part of: its comparison follows the feature's, before
        either's details.

    Returns
    -------
    str
        A ``<div class='hetao-popup'>`` element: name, measured area ± uncertainty (or
        location) and the stated figures with their status; then source, method and edges.
    """
    if whole is None:
        return f"<div class='hetao-popup'>{_comparison(m, 'h2')}{_details(m)}</div>"
    return (f"<div class='hetao-popup'>{_comparison(m, 'h2')}<hr><p class='hetao-part-of'>Part of the "
            f"whole side:</p>{_comparison(whole, 'h3')}<hr>{_details(m)}<p class='hetao-part-of'>"
            f"{escape(whole.boundary.spec.name_en)}:</p>{_details(whole)}</div>")


def line_popup(line: Line, piece: Piece, style: str) -> str:
    """The popup of one piece of a boundary line: how it was made, its accuracy and source.

    Parameters
    ----------
    line : Line
        The boundary line.
    piece : Piece
        The piece clicked.
    style : str
        How the piece was made: a key of :data:`hetao.display.LINE_STYLES`.

    Returns
    -------
    str
        A ``<div class='hetao-popup'>`` element.
    """
    prov = line.spec.provenance
    name = piece.name_en if piece.name_en != line.spec.name_en else line.spec.name_en
    name_zh = piece.name_zh if piece.name_zh != line.spec.name_zh else line.spec.name_zh
    rows = (f"<tr><th>Made</th><td>{escape(LINE_STYLES[style].words)}</td></tr>"
            f"<tr><th>Positional accuracy</th><td>± {piece.accuracy_m:,.0f} m</td></tr>"
            f"<tr><th>Line</th><td>{escape(line.id)}, piece {escape(piece.piece_id)}</td></tr>")
    return (f"<div class='hetao-popup'><h2>{escape(name)}<br><span lang='zh-Hans-CN'>{escape(name_zh)}"
            f"</span></h2><table>{rows}</table><p class='hetao-source'><b>Source:</b> "
            f"{escape(piece.source)}<br><b>Method:</b> {escape(piece.method)}<br><b>Licence:</b> "
            f"{escape(prov.licence)}" + (f" ({escape(prov.attribution)})" if prov.attribution else "")
            + f"<br><b>Date:</b> {escape(prov.date)}</p></div>")


def label(spec: FeatureSpec) -> str:
    """A feature's tooltip: its English and Chinese names, escaped.

    Parameters
    ----------
    spec : FeatureSpec
        The feature.

    Returns
    -------
    str
        ``"English · 中文"`` as HTML text.
    """
    text = f"{spec.name_en} · {spec.name_zh}"
    return escape(text)


def area_label(spec: FeatureSpec) -> str:
    """The name written on the map inside a part of a side: short names, on two lines.

    Parameters
    ----------
    spec : FeatureSpec
        A polygon that is part of a whole side's.

    Returns
    -------
    str
        A ``<span>`` carrying the Chinese name's language.
    """
    return (f"<span lang='{side_info(spec).lang}'>{escape(short_name(spec.name_en))}<br>"
            f"{escape(short_name(spec.name_zh))}</span>")


def _feature_swatch(zone: Zone, spec: FeatureSpec, colour: str) -> str:
    """The legend's swatch of a feature: a dot, a band (a union) or a filled outline."""
    if spec.kind == "point":
        return f"<span class='hetao-sw hetao-pt' style='background:{colour}'></span>"
    if spec.union_of:
        return (f"<span class='hetao-sw' style='border:4px solid {colour}40;"
                "background:transparent'></span>")
    dash = "dashed" if spec.approximate else "solid"
    alpha = f"{round(fill_opacity(zone, spec) * 255):02x}"
    return (f"<span class='hetao-sw' style='border:2px {dash} {colour};"
            f"background:{colour}{alpha}'></span>")


def _legend_items(zone: Zone) -> list[str]:
    """The legend's rows: the features side by side, the line styles in use, the context."""
    items = []
    for side, info in SIDES.items():
        for b in zone.features:
            spec = b.spec
            if spec.side != side:
                continue
            items.append(f"<div>{_feature_swatch(zone, spec, info.colour)}<span lang='{info.lang}'>"
                         f"{escape(spec.name_en)} · {escape(spec.name_zh)}</span></div>")
    if zone.lines:
        used = {line_style(ln, p) for ln in zone.lines for p in ln.pieces}
        for key, style in LINE_STYLES.items():
            if key in used:
                items.append(f"<div><span class='hetao-sw hetao-line' style='border-top:3px {style.css} "
                             f"{LINE_COLOUR}'></span>Boundary line, {escape(style.words)}</div>")
    if zone.lines:
        items.append(f"<div><span class='hetao-sw' style='background:{BAND_COLOUR}55'></span>Uncertainty band: "
                     "each line piece ± its positional accuracy · 不确定范围 · 不確定範圍</div>")
    for layer in zone.context:
        css = "solid" if layer.geometry.geom_type.endswith("LineString") else "dashed"
        items.append(f"<div><span class='hetao-sw hetao-line' style='border-top:2px {css} "
                     f"{CONTEXT_COLOUR}'></span>{escape(layer.spec.name_en)} · "
                     f"{escape(layer.spec.name_zh)}</div>")
    return items


def legend_html(zone: Zone) -> str:
    """The main map's legend: a foldable list of what is drawn, and the offline notice.

    Parameters
    ----------
    zone : Zone
        What the map draws.

    Returns
    -------
    str
        A ``<details>`` element and the (hidden) notice shown when basemap tiles fail.
    """
    return ("<details class='hetao-legend-details' open><summary class='hetao-legend-title'>"
            f"Legend · {zone_name_html(short=True)}</summary><div class='hetao-zone-name' lang='en'>"
            f"{ZONE_NAME_EN}</div>" + "".join(_legend_items(zone))
            + "<div class='hetao-note'>Dashed outline: approximate. Circle: the branch's "
            f"uncertainty. Outlines are drawn to within {DISPLAY_ERROR_M} m; areas are measured "
            "on the full geometry.</div></details><div class='hetao-offline' hidden>Basemap tiles "
            "are not loading (offline?); the zone is drawn from hetao's own data.</div>")


def zone_name_html(short: bool = False) -> str:
    """The zone's name in English and in both Chinese scripts, each tagged with its language.

    Parameters
    ----------
    short : bool
        ``True`` gives "Hetao zone" for the English name (the Chinese names stay whole).

    Returns
    -------
    str
        HTML text: ``English · 简体 · 繁體``.

    Examples
    --------
    >>> "河套深港科技創新合作區" in zone_name_html()
    True
    """
    return " · ".join(f"<span lang='{lang}'>{'Hetao zone' if short and lang == 'en' else text}</span>"
                      for text, lang in ZONE_NAMES)


#: Colours of the diff map's layers (Okabe-Ito).
DIFF_COLOURS = {"before": "#4D4D4D", "after": "#0072B2", "gained": "#009E73", "lost": "#CC79A7"}


def diff_legend_html(diffs: list[FeatureDiff], names: dict[str, str]) -> str:
    """The diff map's legend: its four layers, and each feature's change in numbers.

    Parameters
    ----------
    diffs : list of FeatureDiff
        The changes shown.
    names : dict
        The layers' names (``before``, ``after``, ``gained``, ``lost``), unescaped.

    Returns
    -------
    str
        The legend's HTML, with the (hidden) notice shown when basemap tiles fail.
    """
    items = "".join(
        f"<div><span class='hetao-sw' style='border:2px {'dashed' if k == 'before' else 'solid'} "
        f"{c};background:{c if k in ('gained', 'lost') else 'transparent'}'></span>{escape(names[k])}</div>"
        for k, c in DIFF_COLOURS.items())
    summary = "".join(
        f"<div>{escape(d.id)}: +{(d.gained_m2 or 0) / 1e4:,.2f} ha / −{(d.lost_m2 or 0) / 1e4:,.2f} ha, "
        f"Hausdorff {d.hausdorff_m:,.1f} m</div>" for d in diffs)
    return (f"<div class='hetao-legend-title'>What changed</div>{items}"
            f"<div class='hetao-note'>{summary}</div><div class='hetao-offline' hidden>Basemap "
            "tiles are not loading (offline?).</div>")


#: What a page built with CDN links shows when its scripts cannot load (hidden once they have).
NEEDS_NETWORK = ("This map needs the network to load its scripts (it was built with --cdn), and they did not "
                 "load. Build one that works offline with hetao build, without --cdn.")

#: The page's own stylesheet: legend, popups, labels, focus, and the small-screen layout.
STYLE = """<style>
.hetao-legend{background:#fff;padding:6px 8px;font:12px/1.4 sans-serif;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.4);max-width:280px;overflow:auto;box-sizing:border-box}
.hetao-legend-title{font-weight:bold;margin-bottom:4px;cursor:pointer}
.hetao-legend details:not([open]) .hetao-legend-title{margin-bottom:0}
.hetao-zone-name{font-weight:bold;margin-bottom:4px}
.hetao-vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.leaflet-interactive:focus{outline:none}
.leaflet-container .leaflet-interactive:focus-visible,.leaflet-container .hetao-marker:focus-visible,
.leaflet-container .leaflet-control a:focus-visible,.leaflet-container summary:focus-visible,
.leaflet-control-attribution:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.leaflet-container path.leaflet-interactive:focus-visible{stroke:#1a5fb4;stroke-width:5px;stroke-opacity:1}
.hetao-part-of{font:bold 12px sans-serif;margin:4px 0}
.hetao-halo{filter:drop-shadow(0 0 1px #fff) drop-shadow(0 0 1px #fff)}
.hetao-area-label{font:bold 11px/1.2 sans-serif;color:#5a2400;text-align:center;
 text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none;white-space:nowrap}
.hetao-area-label.hetao-hk{color:#00406b}
.leaflet-control-attribution{max-width:70vw}
.hetao-small .leaflet-control-minimap{display:none}
.hetao-small .hetao-legend{max-width:220px}
.hetao-fold-credits .leaflet-control-attribution{cursor:pointer}
.hetao-fold-credits .leaflet-control-attribution:not(.hetao-open){white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.hetao-popup-open .leaflet-tooltip:not(.hetao-line-label){display:none}
.hetao-sw{display:inline-block;width:16px;height:11px;margin-right:6px;vertical-align:middle;box-sizing:border-box}
.hetao-pt{width:11px;border-radius:50%;margin:0 8px 0 2px}
.hetao-line{height:0;margin-bottom:3px}
.hetao-note{margin-top:4px;color:#444}
.hetao-offline{margin-top:4px;color:#8a3c00;font-weight:bold}
.hetao-needs-network{position:fixed;top:0;left:0;right:0;z-index:2000;margin:0;padding:16px;background:#fff;
 color:#000;font:16px/1.4 sans-serif;border-bottom:2px solid #a40000}
.hetao-popup{font:12px/1.4 sans-serif}.hetao-popup h2{margin:0 0 4px;font-size:14px}
.hetao-popup h3{margin:0 0 4px;font-size:13px}.hetao-popup p{margin:4px 0}
.hetao-popup table{border-collapse:collapse}.hetao-popup th{text-align:left;padding-right:6px;font-weight:normal;color:#555}
.hetao-popup ul{padding-left:16px;margin:2px 0}.hetao-approx{color:#8a3c00;margin:2px 0}
.hetao-source{color:#444}.hetao-status{padding:0 3px;border-radius:3px;color:#fff}
.hetao-agrees{background:#00704a}.hetao-explained{background:#0072B2}.hetao-differs{background:#a40000}
.hetao-not_comparable{background:#666}
.hetao-branch{width:14px;height:14px;border-radius:50%;border:2px solid #fff;box-shadow:0 0 0 1px #000}
.hetao-reconciled{background:#00704a}
.leaflet-tooltip.hetao-line-label{background:rgba(255,255,255,.8);border:0;box-shadow:none;padding:0 3px;
 font:11px/1.3 sans-serif;color:#000}
.leaflet-tooltip.hetao-line-label:before{display:none}
</style>"""
