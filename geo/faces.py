"""Polygons built from the lines that bound them, and each line's share of their uncertainty.

The plan (国发〔2023〕12号) defines each part of the Shenzhen side by the roads and river that
bound it. A polygon feature may therefore be given by its edges, each a list of line
features (whose pieces carry their own source and accuracy); :func:`build_face` nodes the
lines and polygonizes them with shapely, and keeps the one face whose boundary runs along
every edge. Line ends are taken to meet a line they stop short of, or run past, by no more
than :data:`SNAP_M` (far below any line's accuracy): each end is extended by that much and
the dangles are dropped by polygonizing. Nothing is extended further: where edges do not
meet, the error says which, where, and by how many metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem

__all__ = ["SNAP_M", "Piece", "EdgeShare", "build_face", "edge_shares"]

#: How far apart two lines' ends and lines may be and still count as meeting (metres).
SNAP_M = 0.1
_M_PER_DEG_LAT = 110_574.0


@dataclass(frozen=True)
class Piece:
    """A piece of a line feature: an OSM way, or a piece derived from one, with its own accuracy."""

    line_id: str
    piece_id: str
    name_en: str
    name_zh: str
    geometry: LineString
    accuracy_m: float
    source: str
    method: str
    derived: bool = False


@dataclass(frozen=True)
class EdgeShare:
    """The length of a polygon's boundary that runs along one piece, and its uncertainty."""

    edge: str
    piece: Piece
    length_m: float
    uncertainty_m2: float


def _extend(line: LineString, metres: float) -> LineString:
    """The line with both ends extended straight by ``metres`` (degrees scaled locally)."""
    coords = np.asarray(line.coords, dtype=float)
    if len(coords) < 2:
        return line
    scale = np.array([_M_PER_DEG_LAT * math.cos(math.radians(float(coords[:, 1].mean()))), _M_PER_DEG_LAT])

    def beyond(end: np.ndarray, before: np.ndarray) -> np.ndarray:
        step = (end - before) * scale
        norm = float(np.hypot(*step))
        if norm == 0:
            return end
        return end + step / norm * metres / scale

    start = beyond(coords[0], coords[1])
    stop = beyond(coords[-1], coords[-2])
    return LineString(np.vstack([start, coords, stop]))


def _metres(a: BaseGeometry, b: BaseGeometry) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """Distance in metres between two lon/lat geometries, and their nearest points."""
    from pyproj import Geod

    pa, pb = shapely.ops.nearest_points(a, b)
    _, _, dist = Geod(ellps="WGS84").inv(pa.x, pa.y, pb.x, pb.y)
    return float(dist), (pa.x, pa.y), (pb.x, pb.y)


def build_face(polygon_id: str, edges: list[tuple[str, list[Piece]]], file: str) -> shapely.Polygon:
    """The one face that the edges' lines enclose.

    Parameters
    ----------
    polygon_id : str
        The polygon's id (named in messages).
    edges : list of (label, pieces)
        Each edge in order round the polygon ("north", "east", ... or "edge 1", ...) with the
        pieces of the lines that make it.
    file : str
        The manifest, named in messages.

    Raises
    ------
    BoundaryError
        One problem per pair of neighbouring edges that do not meet (where, how far apart),
        or one saying the lines enclose no single face.
    """
    import shapely.ops  # noqa: F401  (nearest_points)

    extended = {label: shapely.union_all([_extend(p.geometry, SNAP_M) for p in pieces])
                for label, pieces in edges}
    noded = shapely.node(shapely.union_all(list(extended.values())))
    faces = list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded)))))
    tolerance = SNAP_M / _M_PER_DEG_LAT

    def touches_all(face: shapely.Polygon) -> bool:
        ring = face.exterior
        return all(shapely.intersection(ring, line.buffer(tolerance / 10)).length > tolerance
                   for line in extended.values())

    chosen = [f for f in faces if touches_all(f)]
    if len(chosen) == 1:
        return shapely.orient_polygons(chosen[0], exterior_cw=False)
    problems = []
    labels = [label for label, _ in edges]
    for i, label in enumerate(labels):
        other = labels[(i + 1) % len(labels)]
        if len(labels) == 2 and i == 1:
            break
        a, b = extended[label], extended[other]
        if not a.intersects(b):
            dist, pa, pb = _metres(a, b)
            names = lambda lab: ", ".join(sorted({p.line_id for p in dict(edges)[lab]}))  # noqa: E731
            problems.append(Problem(file, polygon_id, (
                f"the {label} edge ({names(label)}) and the {other} edge ({names(other)}) do not "
                f"meet: they come within {dist:,.1f} m of each other, at {pa[0]:.6f}, {pa[1]:.6f} and "
                f"{pb[0]:.6f}, {pb[1]:.6f}; extend a line with a piece of its own (with its accuracy), "
                "or choose lines that meet")))
    if not problems:
        problems.append(Problem(file, polygon_id, (
            f"its edges ({', '.join(labels)}) meet but enclose {len(chosen) or 'no'} face"
            f"{'s' if len(chosen) != 1 else ''} running along every edge; check that each "
            "edge's lines cross their neighbours once")))
    raise BoundaryError(problems)


def edge_shares(face: BaseGeometry, edges: list[tuple[str, list[Piece]]]) -> list[EdgeShare]:
    """How much of the face's boundary runs along each piece (geodesic metres), and the area
    uncertainty it brings (length × the piece's accuracy).

    A stretch along two pieces at once (where pieces overlap) is counted once, for the
    piece named first; the few centimetres where a line end was taken to meet another
    (within :data:`SNAP_M`) go to the nearest piece, so the lengths add up to the boundary's.
    """
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    tolerance = 1e-9   # degrees, 0.1 mm: noded vertices lie on their segments to ~1e-15
    remaining = shapely.boundary(face)
    lengths: list[float] = []
    flat = [(label, piece) for label, pieces in edges for piece in pieces]
    for _, piece in flat:
        corridor = piece.geometry.buffer(tolerance)
        along = shapely.intersection(remaining, corridor)
        remaining = shapely.difference(remaining, corridor)
        lengths.append(float(geod.geometry_length(along)) if not along.is_empty else 0.0)
    for bit in shapely.get_parts(remaining):
        if bit.length > 0:
            nearest = min(range(len(flat)), key=lambda i: flat[i][1].geometry.distance(bit))
            lengths[nearest] += float(geod.geometry_length(bit))
    return [EdgeShare(label, piece, length, length * piece.accuracy_m)
            for (label, piece), length in zip(flat, lengths)]
