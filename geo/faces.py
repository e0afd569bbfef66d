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

from typing import Any


from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from ._compat import moved
from .errors import BoundaryError, Problem
from .geodesy import metres_per_degree, point_distance_m
from .model import Piece

__all__ = ["SNAP_M", "build_face"]

#: How far apart two lines' ends and lines may be and still count as meeting (metres).
SNAP_M = 0.1


def _extend(line: LineString, metres: float) -> LineString:
    """The line with both ends extended straight by ``metres`` (degrees scaled locally)."""
    coords = np.asarray(line.coords, dtype=float)
    if len(coords) < 2:
        return line
    scale = np.array(metres_per_degree(float(coords[:, 1].mean())))

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
    import shapely.ops

    pa, pb = shapely.ops.nearest_points(a, b)
    return point_distance_m(pa, pb), (pa.x, pa.y), (pb.x, pb.y)


def build_face(polygon_id: str, edges: Sequence[tuple[str, Sequence[Piece]]], file: str) -> shapely.Polygon:
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
    extended = {label: shapely.union_all([_extend(p.geometry, SNAP_M) for p in pieces])
                for label, pieces in edges}
    noded = shapely.node(shapely.union_all(list(extended.values())))
    faces = list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded)))))
    _, south, _, north = noded.bounds
    tolerance = SNAP_M / metres_per_degree((south + north) / 2)[1]

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


#: Names that moved in 0.3.0: still found here for one release, with a FutureWarning.
_MOVED = {
    "Piece": "hetao.model",
    "EdgeShare": "hetao.model",
    "edge_shares": "hetao.measurement",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _MOVED)
