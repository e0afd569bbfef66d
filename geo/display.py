"""Display geometry: what the map and the figure draw, never what is measured.

Each polygon is simplified in a local metric projection (topology preserved) and its
coordinates are quantised to 1e-6 degree; the Shenzhen side's polygons are then clipped by
the Hong Kong side's, so that the drawn sides never overlap. The drawn outline stays within
:data:`DISPLAY_ERROR_M` of the true one. Areas are always measured on the full geometry.
"""

from __future__ import annotations

from typing import NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from .geodesy import LOCAL_CRS, to_crs
from .model import FeatureSpec, Line, Piece, Zone
from .sides import SIDES, SideInfo

__all__ = ["SIMPLIFY_TOLERANCE_M", "GRID_DEG", "DISPLAY_ERROR_M", "LineStyle", "LINE_STYLES",
           "LINE_COLOUR", "BAND_COLOUR", "BAND_OPACITY", "line_style", "short_name", "longest_piece", "side_info", "fill_opacity",
           "display_geometry", "display_geometries", "uncertainty_bands", "ZONE_NAME_EN", "ZONE_NAME_ZH_HANS",
           "ZONE_NAME_ZH_HANT", "ZONE_NAMES"]

#: The zone's name in English, in simplified Chinese (Shenzhen) and traditional Chinese (Hong Kong).
ZONE_NAME_EN = "Hetao Shenzhen-Hong Kong Science and Technology Innovation Cooperation Zone"
ZONE_NAME_ZH_HANS = "河套深港科技创新合作区"
ZONE_NAME_ZH_HANT = "河套深港科技創新合作區"
#: The three, as (text, language tag), in the order they are shown.
ZONE_NAMES = ((ZONE_NAME_EN, "en"), (ZONE_NAME_ZH_HANS, "zh-Hans-CN"), (ZONE_NAME_ZH_HANT, "zh-Hant-HK"))

#: Douglas-Peucker tolerance, metres.
SIMPLIFY_TOLERANCE_M = 0.4
#: Coordinates are rounded to this grid (1e-6° is at most 0.08 m off here, diagonally).
GRID_DEG = 1e-6
#: The bound on the distance between the drawn and the true outline (tolerance + rounding).
DISPLAY_ERROR_M = 0.5


class LineStyle(NamedTuple):
    """How a piece of a boundary line is drawn, given how it was made.

    Attributes
    ----------
    dash : Leaflet's ``dashArray`` (``None``: solid).
    words : what the legend says.
    css : the legend swatch's border style.
    mpl : matplotlib's line style, for the figure.
    """

    dash: str | None
    words: str
    css: str
    mpl: str | tuple[int, tuple[int, int]]


#: How a boundary line was made -> how the map, its legend and the figure draw it.
LINE_STYLES: dict[str, LineStyle] = {
    "traced": LineStyle(None, "traced in OpenStreetMap", "solid", "-"),
    "derived": LineStyle("7 5", "derived or extrapolated from OSM", "dashed", (0, (5, 3))),
    "approximate": LineStyle("1 6", "approximate (assumed or built from indirect evidence)",
                             "dotted", (0, (1, 3))),
}
#: The colour of boundary lines on the map and the figure.
LINE_COLOUR = "#000000"
#: The colour and opacity of the lines' uncertainty bands (:func:`uncertainty_bands`).
BAND_COLOUR = "#7B3294"
BAND_OPACITY = 0.22


def line_style(line: Line, piece: Piece) -> str:
    """How a piece of a boundary line was made, as a key of :data:`LINE_STYLES`.

    Parameters
    ----------
    line : Line
        The boundary line (an approximate line makes every piece approximate).
    piece : Piece
        One of its pieces.

    Returns
    -------
    str
        ``"traced"``, ``"derived"`` or ``"approximate"``.

    Examples
    --------
    >>> sorted(LINE_STYLES)
    ['approximate', 'derived', 'traced']
    """
    if line.spec.approximate:
        return "approximate"
    return "derived" if piece.derived else "traced"


def short_name(text: str) -> str:
    """A name without its parenthetical note, for labels on the map and the figure.

    Parameters
    ----------
    text : str
        An English or Chinese name.

    Returns
    -------
    str
        The name up to its first `` (`` or ``（``.

    Examples
    --------
    >>> short_name("Shenzhen River (the old course)")
    'Shenzhen River'
    >>> short_name("深圳河（旧河道）")
    '深圳河'
    """
    return text.split(" (")[0].split("（")[0].strip()


def longest_piece(line: Line) -> Piece:
    """The piece of a line that carries its name on the map and the figure.

    Parameters
    ----------
    line : Line
        A boundary line.

    Returns
    -------
    Piece
        Its longest piece (in degrees, as drawn).
    """
    return max(line.pieces, key=lambda p: p.geometry.length)


def side_info(spec: FeatureSpec) -> SideInfo:
    """The side a feature lies on, with its colour and the language of its Chinese name.

    Parameters
    ----------
    spec : FeatureSpec
        A polygon or point feature (the manifest gives each of them a side).

    Returns
    -------
    SideInfo
        The entry of :data:`hetao.sides.SIDES`.

    Raises
    ------
    ValueError
        If the feature has no side (only boundary lines may lack one).
    """
    if spec.side is None:
        raise ValueError(f"feature '{spec.id}' lies on neither side")
    return SIDES[spec.side]


def fill_opacity(zone: Zone, spec: FeatureSpec) -> float:
    """How opaque a polygon's fill is drawn on the map.

    Parts of one union take turns at a lighter and a darker fill, to tell them apart.

    Parameters
    ----------
    zone : Zone
        The zone the feature belongs to (its siblings are looked up there).
    spec : FeatureSpec
        The polygon feature.

    Returns
    -------
    float
        0.25 for a feature that is no part of a union, else 0.18 or 0.4.
    """
    if not spec.part_of:
        return 0.25
    siblings = [b.id for b in zone.features if b.spec.part_of == spec.part_of]
    return (0.18, 0.4)[siblings.index(spec.id) % 2]


def display_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """One geometry simplified to :data:`SIMPLIFY_TOLERANCE_M` and quantised to :data:`GRID_DEG`.

    Parameters
    ----------
    geometry : BaseGeometry
        WGS84 lon/lat; points and other kinds are returned as they are.

    Returns
    -------
    BaseGeometry
        The drawn geometry, within :data:`DISPLAY_ERROR_M` of ``geometry``.
    """
    if geometry.geom_type not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        return geometry
    local = to_crs(geometry, LOCAL_CRS)
    simple = shapely.simplify(local, SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    back = to_crs(simple, "EPSG:4326", source=LOCAL_CRS)
    return shapely.set_precision(back, GRID_DEG)


def display_geometries(zone: Zone) -> dict[str, BaseGeometry]:
    """The display geometry of every feature, context layer and line piece, by id.

    Parameters
    ----------
    zone : Zone
        What to draw.

    Returns
    -------
    dict
        Feature and context ids, and ``"line-id/piece-id"`` for the pieces of lines, to
        their display geometry; the Shenzhen side's polygons clipped by the Hong Kong side's.
    """
    out = {b.id: display_geometry(b.geometry) for b in zone.features}
    hong_kong = [out[b.id] for b in zone.features
                 if b.spec.side == "hong_kong" and b.spec.kind == "polygon"]
    if hong_kong:
        mask = shapely.union_all(hong_kong)
        for b in zone.features:
            if b.spec.side == "shenzhen" and b.spec.kind == "polygon":
                out[b.id] = shapely.set_precision(shapely.difference(out[b.id], mask), GRID_DEG)
    for layer in zone.context:
        out[layer.spec.id] = display_geometry(layer.geometry)
    for line in zone.lines:
        for piece in line.pieces:
            out[f"{line.id}/{piece.piece_id}"] = display_geometry(piece.geometry)
    return out


def uncertainty_bands(zone: Zone) -> dict[str, tuple[BaseGeometry, float]]:
    """Each line piece's band of positional uncertainty: every point within its accuracy.

    Parameters
    ----------
    zone : Zone
        The zone whose lines are drawn.

    Returns
    -------
    dict
        ``"line-id/piece-id"`` to the band (WGS84 lon/lat, buffered in the local metric
        projection by the piece's ``accuracy_m`` on each side, round ends) and that accuracy.
        Drawn only: nothing is measured on a band.
    """
    out: dict[str, tuple[BaseGeometry, float]] = {}
    for line in zone.lines:
        for piece in line.pieces:
            local = to_crs(piece.geometry, LOCAL_CRS).buffer(piece.accuracy_m, quad_segs=8)
            band = shapely.simplify(local, max(1.0, piece.accuracy_m / 20), preserve_topology=True)
            out[f"{line.id}/{piece.piece_id}"] = (
                shapely.set_precision(to_crs(band, "EPSG:4326", source=LOCAL_CRS), GRID_DEG), piece.accuracy_m)
    return out
