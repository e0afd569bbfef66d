"""A static figure of the zone (PNG) for reports and slides, with a legend and a scale bar."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

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
    from matplotlib.figure import Figure
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties

__all__ = ["render_png", "zone_figure", "cjk_font", "CJK_FAMILIES"]

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

    def font(self, size: float) -> FontProperties:
        from matplotlib.font_manager import FontProperties

        return FontProperties(fname=self.cjk, size=size) if self.cjk else FontProperties(size=size)


def render_png(zone: Zone, measurements: list[Measurement], dpi: int = 150,
               shown: dict[str, BaseGeometry] | None = None) -> bytes:
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

    Returns
    -------
    bytes
        The PNG file.

    Warns
    -----
    HetaoWarning
        When no font with Chinese glyphs is installed (the names are then English only).
    """
    fig = zone_figure(zone, measurements, dpi, shown)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


def zone_figure(zone: Zone, measurements: list[Measurement], dpi: int = 150,
                shown: dict[str, BaseGeometry] | None = None) -> Figure:
    """The figure :func:`render_png` saves: a matplotlib ``Figure`` on an Agg canvas.

    Parameters
    ----------
    zone, measurements, dpi, shown
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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .display import display_geometries

    by_id = {m.id: m for m in measurements}
    shown = shown if shown is not None else display_geometries(zone)
    cjk = cjk_font()
    if cjk is None:
        warnings.warn("no font with Chinese glyphs is installed: the figure names features in "
                      "English only (install one, e.g. Debian's fonts-noto-cjk)", HetaoWarning, stacklevel=3)
    text = _Lettering(cjk)
    fig = Figure(figsize=(9, 7), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    frame = _frame(zone, shown)
    handles = _draw_context(ax, zone, shown, frame.window, text)
    handles += _draw_bands(ax, zone, frame.window)
    handles += _draw_lines(ax, zone, shown, frame.window, text)
    handles += _draw_features(ax, zone, shown, by_id, text)
    _scale_bar(ax, frame)
    _finish(ax, frame, handles, zone, text)
    return fig


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


def _finish(ax: Axes, frame: _Frame, handles: list[Artist], zone: Zone, text: _Lettering) -> None:
    """The extent, the title, the legend, the north arrow and the credits."""
    ax.set_xlim(frame.minx - frame.pad, frame.maxx + frame.pad)
    ax.set_ylim(frame.miny - frame.pad, frame.maxy + frame.pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    names = f"{ZONE_NAME_ZH_HANS} · {ZONE_NAME_ZH_HANT}\n" if text.cjk else ""
    ax.set_title(f"{ZONE_NAME_EN}\n{names}areas geodesic on WGS84; dashed = approximate",
                 fontproperties=text.font(10))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
              frameon=False, prop=text.font(7))
    ax.annotate("N ↑", xy=(0.97, 0.03), xycoords="axes fraction", ha="right", fontsize=9)
    _credits(ax, "Boundaries: " + "; ".join(zone.attributions()) + ".", text)


def _credits(ax: Axes, credit: str, text: _Lettering) -> None:
    """The credits in the map's top left corner, wrapped until they fit inside its frame."""
    import textwrap

    label = ax.text(0.01, 0.99, "", transform=ax.transAxes, va="top", fontproperties=text.font(6),
                    color="#333", parse_math=False)
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]   # an Agg canvas
    ax.apply_aspect()           # the frame as drawn: narrower than its slot, with equal axes
    right = ax.get_window_extent(renderer).x1 - 4
    for width in range(150, 20, -8):
        label.set_text(textwrap.fill(credit, width) + "\nLocal azimuthal equidistant projection.")
        if label.get_window_extent(renderer).x1 <= right:
            return
