"""A static figure of the zone (PNG) for reports and slides, with a legend and a scale bar."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from .display import (BAND_COLOUR, BAND_OPACITY, LINE_COLOUR, LINE_STYLES, ZONE_NAME_EN, ZONE_NAME_ZH_HANS,
                      ZONE_NAME_ZH_HANT, line_style, longest_piece, short_name, side_info, uncertainty_bands)
from .errors import HetaoWarning
from .geodesy import LOCAL_CRS, to_crs
from .model import AreaMeasurement, FeatureSpec, Measurement, Zone
from .sides import CONTEXT_COLOUR

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

__all__ = ["render_png", "render_pdf", "zone_figure", "cjk_font", "CJK_FAMILIES"]

#: Families that carry Chinese glyphs, as fontconfig and matplotlib name them.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans SC", "Noto Serif CJK SC",
                "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "SimHei", "Microsoft YaHei",
                "PingFang SC", "Heiti SC", "Noto Sans CJK JP")


def cjk_font() -> str | None:
    """The file of an installed font with Chinese glyphs, or None.

    matplotlib's font manager is asked first; a font installed after matplotlib cached its
    list is found with fontconfig (``fc-list :lang=zh``).

    Returns
    -------
    str or None
        The path of a ``.ttf``, ``.otf`` or ``.ttc`` file, or None when there is none.
    """
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name:
            return by_name[family]
    for name in sorted(by_name):
        if "CJK" in name or "Han Sans" in name or "WenQuanYi" in name:
            return by_name[name]
    import shutil
    import subprocess
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                                 timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in listing.splitlines())
    return next((f for f in files if f.lower().endswith((".ttf", ".otf", ".ttc"))), None)


def _plain(text: str) -> str:
    """Text from a boundaries folder, shown as written (a ``$`` never starts mathtext)."""
    return text.replace("$", r"\$")


def _nice_length(span_m: float) -> float:
    """A round scale-bar length of about a fifth of the span."""
    target = span_m / 5
    for step in (10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10):
        if step <= target:
            return step
    return 10


class _Frame(NamedTuple):
    """The drawn extent in the local projection (metres), its padding and the clip window."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    pad: float
    window: BaseGeometry


@dataclass(frozen=True)
class _Lettering:
    """Names and fonts: both languages when a font has Chinese glyphs, else English only."""

    cjk: str | None

    def named(self, en: str, zh: str) -> str:
        return f"{en} · {zh}" if self.cjk else en

    def shown(self, words: str) -> str:
        """Text as the fonts can show it: without a font with Chinese glyphs, each run of
        Chinese characters becomes "…"."""
        return words if self.cjk else re.sub(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+", "…", words)

    def font(self, size: float) -> FontProperties:
        from matplotlib.font_manager import FontProperties

        return FontProperties(fname=self.cjk, size=size) if self.cjk else FontProperties(size=size)


def _lettering() -> _Lettering:
    """Names in both languages when a font has Chinese glyphs; else English only, with a
    warning pointing at the line that asked for the figure (the caller of render_png or
    render_pdf; the CLI prints the same text once)."""
    cjk = cjk_font()
    if cjk is None:
        warnings.warn("no font with Chinese glyphs is installed: the figure names features in "
                      "English only (install one, e.g. Debian's fonts-noto-cjk)", HetaoWarning, stacklevel=3)
    return _Lettering(cjk)


def render_png(zone: Zone, measurements: list[Measurement], dpi: int = 150,
               shown: dict[str, BaseGeometry] | None = None, *, stamp: str | None = None) -> bytes:
    """Draw the zone in a local equidistant projection and return PNG bytes (deterministic).

    Uses matplotlib's object API on its Agg canvas: no pyplot, no change of the caller's
    backend or figures.

    Parameters
    ----------
    zone : Zone
        What to draw.
    measurements : list of Measurement
        The features' measurements (the legend gives each polygon's area).
    dpi : int
        The figure's resolution (it is 9 × 7 inches before trimming).
    shown : dict, optional
        The display geometries (:func:`hetao.display.display_geometries`), if already made.
    stamp : str, optional
        The version stamp (:func:`hetao.stamp.version_stamp`): printed under the credits and
        written in the PNG's ``Source`` text.

    Returns
    -------
    bytes
        The PNG file.

    Warns
    -----
    HetaoWarning
        When no font with Chinese glyphs is installed (the names are then English only).
    """
    fig = _figure(zone, measurements, dpi, shown, stamp, _lettering())
    buf = io.BytesIO()
    metadata = {"Software": None} | ({"Source": f"hetao {_stamp_label(stamp)}"} if stamp else {})
    fig.savefig(buf, format="png", metadata=metadata, bbox_inches="tight")
    return buf.getvalue()


def zone_figure(zone: Zone, measurements: list[Measurement], dpi: int = 150,
                shown: dict[str, BaseGeometry] | None = None, *, stamp: str | None = None) -> Figure:
    """The figure :func:`render_png` saves: a matplotlib ``Figure`` on an Agg canvas.

    Parameters
    ----------
    zone, measurements, dpi, shown, stamp
        As for :func:`render_png`.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn, with its credits wrapped inside the map's frame.

    Warns
    -----
    HetaoWarning
        When no font with Chinese glyphs is installed (the names are then English only).
    """
    return _figure(zone, measurements, dpi, shown, stamp, _lettering())


def _figure(zone: Zone, measurements: list[Measurement], dpi: int, shown: dict[str, BaseGeometry] | None,
            stamp: str | None, text: _Lettering) -> Figure:
    """The zone's figure on an Agg canvas (see :func:`render_png`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .display import display_geometries

    shown = shown if shown is not None else display_geometries(zone)
    fig = Figure(figsize=(9, 7), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    frame, handles = _draw_map(ax, zone, measurements, shown, text)
    _finish(ax, frame, handles, zone, text, stamp)
    return fig


def _stamp_label(stamp: str) -> str:
    return f"boundaries version {stamp}"


def _draw_map(ax: Axes, zone: Zone, measurements: list[Measurement], shown: dict[str, BaseGeometry],
              text: _Lettering) -> tuple[_Frame, list[Artist]]:
    """The context, the lines, the features and the scale bar; the frame and legend handles."""
    by_id = {m.id: m for m in measurements}
    frame = _frame(zone, shown)
    handles = _draw_context(ax, zone, shown, frame.window, text)
    handles += _draw_bands(ax, zone, frame.window)
    handles += _draw_lines(ax, zone, shown, frame.window, text)
    handles += _draw_features(ax, zone, shown, by_id, text)
    _scale_bar(ax, frame)
    return frame, handles


def _draw_bands(ax: Axes, zone: Zone, window: BaseGeometry) -> list[Artist]:
    """Each line piece's band of positional uncertainty, under the polygons; its legend handle."""
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MplPath

    bands = uncertainty_bands(zone)
    for band, _accuracy in bands.values():
        clipped = shapely.intersection(to_crs(band, LOCAL_CRS), window)
        for poly in shapely.get_parts(clipped):
            if poly.geom_type != "Polygon":
                continue
            rings = [shapely.get_coordinates(r) for r in (poly.exterior, *poly.interiors)]
            path = MplPath.make_compound_path(*[MplPath(r, closed=True) for r in rings])
            ax.add_patch(PathPatch(path, facecolor=BAND_COLOUR, alpha=BAND_OPACITY, edgecolor="none", zorder=1.5))
    if not bands:
        return []
    return [Patch(fc=BAND_COLOUR, alpha=BAND_OPACITY, ec="none",
                  label="Uncertainty band: each line piece ± its positional accuracy")]


def _frame(zone: Zone, shown: dict[str, BaseGeometry]) -> _Frame:
    """The features' extent (a point with its accuracy circle), padded by 8 % of its span."""
    minx, miny, maxx, maxy = shapely.total_bounds([
        to_crs(shown[b.id], LOCAL_CRS).buffer(b.spec.provenance.positional_accuracy_m or 0)
        if b.spec.kind == "point" else to_crs(shown[b.id], LOCAL_CRS) for b in zone.features])
    pad = 0.08 * max(maxx - minx, maxy - miny)
    window = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    return _Frame(minx, miny, maxx, maxy, pad, window)


def _draw_context(ax: Axes, zone: Zone, shown: dict[str, BaseGeometry], window: BaseGeometry,
                  text: _Lettering) -> list[Artist]:
    """The context layers, clipped to the window; their legend handles."""
    from matplotlib.lines import Line2D

    handles: list[Artist] = []
    for layer in zone.context:
        drawn = to_crs(shown[layer.spec.id], LOCAL_CRS)
        linear = not drawn.geom_type.endswith("Polygon")
        # Context lines (roads) light and solid; context outlines (boundaries) dashed.
        ls, lw, alpha = ("-", 0.8, 0.5) if linear else ((0, (4, 3)), 1, 1.0)
        geom = shapely.intersection(drawn if linear else drawn.boundary, window)
        for line in shapely.get_parts(geom):
            if line.geom_type == "LineString":
                x, y = line.xy
                ax.plot(x, y, color=CONTEXT_COLOUR, lw=lw, ls=ls, alpha=alpha, zorder=1)
        handles.append(Line2D([], [], color=CONTEXT_COLOUR, lw=lw, ls=ls, alpha=alpha,
                              label=_plain(text.named(layer.spec.name_en, layer.spec.name_zh))))
    return handles


def _draw_lines(ax: Axes, zone: Zone, shown: dict[str, BaseGeometry], window: BaseGeometry,
                text: _Lettering) -> list[Artist]:
    """The boundary lines, each piece as it was made and the longest named; a legend handle
    for each way of making in use."""
    from matplotlib.lines import Line2D

    used = set()
    for line in zone.lines:
        longest = longest_piece(line)
        for piece in line.pieces:
            key = line_style(line, piece)
            used.add(key)
            geom = shapely.intersection(to_crs(shown[f"{line.id}/{piece.piece_id}"], LOCAL_CRS), window)
            for part in shapely.get_parts(geom):
                if part.geom_type == "LineString":
                    x, y = part.xy
                    ax.plot(x, y, color=LINE_COLOUR, lw=1.4, ls=LINE_STYLES[key].mpl, zorder=6)
            if piece is longest and not geom.is_empty:
                mid = shapely.line_interpolate_point(shapely.line_merge(geom) if geom.geom_type ==
                                                     "MultiLineString" else geom, 0.5, normalized=True)
                ax.text(mid.x, mid.y, _plain(text.named(short_name(line.spec.name_en),
                                                        short_name(line.spec.name_zh))),
                        fontproperties=text.font(6), ha="center",
                        va="center", zorder=7, bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.5})
    return [Line2D([], [], color=LINE_COLOUR, lw=1.4, ls=LINE_STYLES[key].mpl,
                   label=f"Boundary line, {LINE_STYLES[key].words}")
            for key in ("traced", "derived", "approximate") if key in used]


def _draw_features(ax: Axes, zone: Zone, shown: dict[str, BaseGeometry], by_id: dict[str, Measurement],
                   text: _Lettering) -> list[Artist]:
    """The polygons (filled, a union as an outline) and points (with their accuracy circle);
    a legend handle for each, with its area or accuracy."""
    handles: list[Artist] = []
    for b in zone.features:
        spec = b.spec
        colour = side_info(spec).colour
        geom = to_crs(shown[b.id], LOCAL_CRS)
        label = text.named(spec.name_en, spec.name_zh)
        m = by_id[spec.id]
        if spec.kind == "point":
            handles.append(_draw_point(ax, geom, spec.provenance.positional_accuracy_m or 0, colour, label))
        else:
            handles.append(_draw_polygon(ax, geom, spec, m, colour, label))
    return handles


def _draw_point(ax: Axes, geom: BaseGeometry, radius: float, colour: str, label: str) -> Artist:
    """A point's marker and its accuracy circle; its legend handle."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    ax.plot(geom.x, geom.y, "o", color=colour, mec="white", ms=8, zorder=5)
    ax.add_patch(Circle((geom.x, geom.y), radius, fill=False, ec=colour, ls="--", lw=1, zorder=4))
    return Line2D([], [], marker="o", ls="", color=colour, label=_plain(f"{label} (± {radius:,.0f} m)"))


def _draw_polygon(ax: Axes, geom: BaseGeometry, spec: FeatureSpec, m: Measurement, colour: str,
                  label: str) -> Artist:
    """A polygon's parts, holes kept; its legend handle with the measured area."""
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MplPath

    if not isinstance(m, AreaMeasurement):
        raise TypeError(f"the measurement of polygon '{spec.id}' has no area")
    style = "--" if spec.approximate else "-"
    for poly in shapely.get_parts(geom):
        fill = not spec.union_of
        # One path of the exterior and its holes, so holes stay holes.
        rings = [shapely.get_coordinates(r) for r in (poly.exterior, *poly.interiors)]
        path = MplPath.make_compound_path(*[MplPath(r, closed=True) for r in rings])
        ax.add_patch(PathPatch(path, fill=fill,
                               facecolor=colour + "40" if fill else "none", edgecolor=colour,
                               lw=2.2 if not spec.part_of else 1.2, ls=style,
                               zorder=3 if spec.union_of else 2))
    area = f"{m.geodesic_area_m2 / 1e4:,.1f} ± {m.uncertainty_m2 / 1e4:,.1f} ha"
    return Patch(fc=colour + "40" if not spec.union_of else "none", ec=colour, ls=style,
                 label=_plain(f"{label}: {area}"))


def _scale_bar(ax: Axes, frame: _Frame) -> None:
    """A round-length scale bar under the features' extent."""
    length = _nice_length(frame.maxx - frame.minx)
    x0, y0 = frame.minx, frame.miny - frame.pad * 0.6
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=3, solid_capstyle="butt")
    ax.text(x0 + length / 2, y0 + frame.pad * 0.15, f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m",
            ha="center", va="bottom", fontsize=8)


def _extent(ax: Axes, frame: _Frame) -> None:
    ax.set_xlim(frame.minx - frame.pad, frame.maxx + frame.pad)
    ax.set_ylim(frame.miny - frame.pad, frame.maxy + frame.pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.annotate("N ↑", xy=(0.97, 0.03), xycoords="axes fraction", ha="right", fontsize=9)


def _finish(ax: Axes, frame: _Frame, handles: list[Artist], zone: Zone, text: _Lettering,
            stamp: str | None = None) -> None:
    """The extent, the title, the legend, the north arrow and the credits."""
    _extent(ax, frame)
    names = f"{ZONE_NAME_ZH_HANS} · {ZONE_NAME_ZH_HANT}\n" if text.cjk else ""
    ax.set_title(f"{ZONE_NAME_EN}\n{names}areas geodesic on WGS84; dashed = approximate",
                 fontproperties=text.font(10))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
              frameon=False, prop=text.font(7))
    version = f" {_stamp_label(stamp).capitalize()}." if stamp else ""
    _credits(ax, "Boundaries: " + "; ".join(zone.attributions()) + ".", text, version)


def _credits(ax: Axes, credit: str, text: _Lettering, version: str = "") -> None:
    """The credits in the map's top left corner, wrapped until they fit inside its frame."""
    import textwrap

    label = ax.text(0.01, 0.99, "", transform=ax.transAxes, va="top", fontproperties=text.font(6),
                    color="#333", parse_math=False)
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]   # an Agg canvas
    ax.apply_aspect()           # the frame as drawn: narrower than its slot, with equal axes
    right = ax.get_window_extent(renderer).x1 - 4
    for width in range(150, 20, -8):
        label.set_text(textwrap.fill(credit, width) + "\nLocal azimuthal equidistant projection." + version)
        if label.get_window_extent(renderer).x1 <= right:
            return


#: A4 portrait, in inches.
A4 = (8.27, 11.69)
#: The fact sheet's rows: the top of the table and the height of one line (figure fractions).
_TABLE_TOP, _ROW = 0.455, 0.0118
#: The columns of the table: figure, measured or difference, status, source.
_COLUMNS = (0.06, 0.16, 0.31, 0.49)


def render_pdf(zone: Zone, measurements: list[Measurement], *, stamp: str | None = None,
               shown: dict[str, BaseGeometry] | None = None) -> bytes:
    """A one-page A4 fact sheet (PDF): the figure; each side's and part's measured area ±
    uncertainty beside every stated figure with its status; each polygon's dominant
    uncertain edge; the sources and licences; the version stamp. Names in English and
    Chinese (English only, with a warning, when no font has Chinese glyphs). Fonts are
    embedded as TrueType (``pdf.fonttype`` 42, set in an ``rc_context`` only while saving),
    and the file has no creation date: the same inputs give the same bytes.

    Parameters
    ----------
    zone, measurements : what to draw and what to say about it.
    stamp : str, optional
        The version stamp (:func:`hetao.stamp.version_stamp`).
    shown : dict, optional
        The display geometries (:func:`hetao.display.display_geometries`), if already made.

    Warns
    -----
    HetaoWarning
        When no font with Chinese glyphs is installed.
    """
    import matplotlib
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure

    from .display import display_geometries

    shown = shown if shown is not None else display_geometries(zone)
    text = _lettering()
    fig = Figure(figsize=A4)
    FigureCanvasPdf(fig)
    fig.text(0.5, 0.975, "Hetao Shenzhen-Hong Kong Science and Technology Innovation Cooperation Zone",
             ha="center", va="top", fontsize=11, fontweight="bold")
    if text.cjk:
        fig.text(0.5, 0.955, f"{ZONE_NAME_ZH_HANS} · {ZONE_NAME_ZH_HANT}", ha="center", va="top",
                 fontproperties=text.font(11))
    fig.text(0.5, 0.94, "Areas measured geodesically on WGS84 · ± = boundary length × positional accuracy"
             " · dashed = approximate", ha="center", va="top", fontsize=7.5, color="#333")
    ax = fig.add_axes((0.05, 0.48, 0.9, 0.45))
    frame, _ = _draw_map(ax, zone, measurements, shown, text)
    _extent(ax, frame)
    y = _fact_table(fig, measurements, text)
    _sources(fig, zone, y, stamp, text)
    buf = io.BytesIO()
    metadata = {"Creator": None, "Producer": None, "CreationDate": None, "Title": "Hetao zone fact sheet",
                "Subject": _stamp_label(stamp) if stamp else None}
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format="pdf", metadata=metadata)
    return buf.getvalue()


def _row(fig: Figure, y: float, cells: tuple[str, ...], text: _Lettering, size: float = 7,
         **style: Any) -> float:
    """One line of the table, its cells at the columns; the y of the next line."""
    for x, cell in zip(_COLUMNS, cells):
        fig.text(x, y, _plain(text.shown(cell)), va="top", fontproperties=text.font(size), **style)
    return y - _ROW


def _fact_table(fig: Figure, measurements: list[Measurement], text: _Lettering) -> float:
    """Each polygon's measured area, its stated figures with their statuses and its dominant
    edge; the point's place. The y below the table."""
    import textwrap

    y = _row(fig, _TABLE_TOP, ("stated", "measured - stated", "status", "source"), text,
             fontweight="bold")
    for m in measurements:
        spec = m.feature.spec
        y -= _ROW * 0.3
        if isinstance(m, AreaMeasurement):
            measured = f"measured {m.geodesic_area_m2 / 1e4:,.1f} ± {m.uncertainty_m2 / 1e4:,.1f} ha"
        else:
            measured = f"a point, ± {spec.provenance.positional_accuracy_m or 0:,.0f} m"
        fig.text(_COLUMNS[0] - 0.02, y, _plain(f"{text.named(spec.name_en, spec.name_zh)}: {measured}"),
                 va="top", fontproperties=text.font(8), fontweight="bold")
        y -= _ROW * 1.1
        for c in m.comparisons:
            f = c.figure
            diff = "" if c.difference_ha is None else f"{c.difference_ha:+,.1f} ha ({c.difference_pct or 0:+.1f} %)"
            status = c.status.replace("_", " ") + (f"; less water {c.reconciled_status}" if c.reconciled_status else "")
            y = _row(fig, y, (f"{'about ' if f.approx else ''}{f.value:g} {f.unit}", diff, status,
                              textwrap.shorten(f"{f.source}{', ' + f.date if f.date else ''}", 78)), text)
        if isinstance(m, AreaMeasurement) and m.edges:
            top = max(m.edges, key=lambda e: e.uncertainty_m2)
            name = text.named(short_name(top.piece.name_en), short_name(top.piece.name_zh))
            y = _row(fig, y, (f"dominant uncertain edge: {name}, ± {top.uncertainty_m2 / 1e4:,.1f} ha "
                              f"({top.length_m:,.0f} m × {top.piece.accuracy_m:g} m)",), text, 6.5, color="#333")
    return y


def _sources(fig: Figure, zone: Zone, y: float, stamp: str | None, text: _Lettering) -> None:
    """The sources and licences of the geometry, and the version stamp, at the foot."""
    import textwrap

    specs = [b.spec for b in zone.features] + [ln.spec for ln in zone.lines]
    sources = sorted({textwrap.shorten(s.provenance.source, 90) for s in specs})
    lines = textwrap.wrap("Licences: " + "; ".join(zone.attributions()) + ".", 150)
    lines += textwrap.wrap("Geometry sources: " + " | ".join(sources), 150)[:7]
    lines.append("Stated figures: the sources in the table. The Shenzhen side is approximate: hetao "
                 "claims no legal boundary.")
    if stamp:
        lines.append(_stamp_label(stamp).capitalize() + " (latest date in the manifest, SHA-256 of the folder).")
    fig.text(0.04, min(y - _ROW, 0.02 + _ROW * 0.85 * len(lines)), _plain(text.shown("\n".join(lines))),
             va="top", fontproperties=text.font(5.5), color="#333", linespacing=1.35)
