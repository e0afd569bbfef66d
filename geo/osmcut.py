"""Cutting linework fetched from OpenStreetMap as a line of the zone is cut.

Pure geometry on the zone's records (:mod:`hetao.model`) and :mod:`hetao.geodesy`, no
server: :func:`fetched_line` merges the fetched elements of a line, :func:`cut` cuts the
merged linework at the points nearest the line's current ends (or where it meets the lines
that meet those ends now), and :func:`line_text` writes the line file with the OSM piece
replaced and the derived pieces kept joined to it. :mod:`hetao._refresh` fetches and swaps.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

import numpy as np
import shapely
import shapely.geometry
import shapely.ops
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .geodesy import COORDINATE_DECIMALS, LOCAL_CRS, distance_m, metres_per_degree, point_distance_m, to_crs
from .model import Line, OsmSource, Zone

__all__ = ["SAME_DEG", "JUNCTION_M", "JUNCTION_SEARCH_M", "DECIMALS", "MERGE_M", "Fetched", "refresh_error",
           "osm_piece", "fetched_line", "cut", "written", "same", "line_text", "neighbours"]

#: Coordinates closer than this (degrees, about 0.1 mm) are the same: a cut line read back.
SAME_DEG = 1e-9
#: How near (m) another line must pass a line's end to be the junction that end is cut at,
#: and how far from the previous end the fetched junction is looked for.
JUNCTION_M = 0.2
JUNCTION_SEARCH_M = 500.0
#: Decimals a written coordinate keeps (:data:`hetao.geodesy.COORDINATE_DECIMALS`), and how
#: close (m) two consecutive vertices, or a cut point and an existing vertex, may be before
#: they are one.
DECIMALS = COORDINATE_DECIMALS
MERGE_M = 0.01

#: A line's ends, each with the lines (as they will be) that meet it now.
Neighbours = tuple[list[BaseGeometry], list[BaseGeometry]]


class Fetched(Protocol):
    """What :func:`fetched_line` needs of a fetched element (an :class:`hetao.overpass.OsmElement`)."""

    @property
    def geometry(self) -> BaseGeometry | None: ...


_E = TypeVar("_E", bound=Fetched)


def refresh_error(line_id: str, message: str) -> BoundaryError:
    """The error for a line that cannot be refreshed: one problem, told of ``refresh LINE``."""
    return BoundaryError([Problem(f"refresh {line_id}", None, message)])


def _gap_m(a: Sequence[float], b: Sequence[float]) -> float:
    """The geodesic distance (m) between two coordinate pairs (a z, if any, ignored)."""
    return point_distance_m((a[0], a[1]), (b[0], b[1]))


def osm_piece(line: Line, source: OsmSource) -> int:
    """The index of the piece of ``line`` the OSM elements give.

    Parameters
    ----------
    line : Line
        The line as loaded.
    source : OsmSource
        The elements it copies (and the piece they give, if named).

    Returns
    -------
    int
        The index into ``line.pieces``.

    Raises
    ------
    BoundaryError
        A named piece that is not in the file, or several pieces and none named (a line
        whose pieces are all derived is replaced whole: its first).
    """
    ids = [p.piece_id for p in line.pieces]
    if source.piece is not None:
        if source.piece not in ids:
            raise refresh_error(line.id, f"the manifest's osm.piece {source.piece!r} is not a piece of "
                                f"{line.file.name} (its pieces: {', '.join(ids)})")
        return ids.index(source.piece)
    if len(ids) > 1 and not all(p.derived for p in line.pieces):
        raise refresh_error(line.id, f"{line.file.name} has {len(ids)} pieces ({', '.join(ids)}); name "
                            "the one the OSM elements give as osm.piece in the manifest")
    return 0


def fetched_line(line_id: str, refs: Sequence[str], found: Mapping[str, _E],
                 endpoint: str) -> tuple[tuple[_E, ...], BaseGeometry]:
    """The elements of a line, and their linework merged.

    Parameters
    ----------
    line_id : str
        The line (for the messages).
    refs : sequence of str
        Its elements ("way/123"), in order.
    found : mapping
        The elements the server returned, by ref.
    endpoint : str
        The server asked, as it may be shown.

    Returns
    -------
    tuple
        The line's elements, and their linework (merged where there are several).

    Raises
    ------
    BoundaryError
        An element the server did not return, or returned with no geometry.
    """
    elements = []
    for ref in refs:
        element = found.get(ref)
        if element is None:
            raise refresh_error(line_id, f"{ref.replace('/', ' ')} is not in OpenStreetMap any more ({endpoint} "
                                "returned nothing for it: deleted, or merged into another element); find its "
                                "successor with --find and give it with --osm")
        if element.geometry is None or element.geometry.is_empty:
            raise refresh_error(line_id, f"{ref.replace('/', ' ')} is no longer a line ({endpoint} returned "
                                "it with no way geometry)")
        elements.append(element)
    parts = [p for e in elements for p in shapely.get_parts(e.geometry)]
    merged = shapely.line_merge(shapely.union_all(parts)) if len(parts) > 1 else parts[0]
    return tuple(elements), merged


def _directed_m(old: BaseGeometry, candidate: BaseGeometry) -> float:
    """The farthest any vertex of ``old`` lies from ``candidate`` (m): how far ``candidate``
    is from covering ``old``, whatever it runs on to."""
    local = to_crs(candidate, LOCAL_CRS)
    return float(shapely.distance(shapely.points(shapely.get_coordinates(to_crs(old, LOCAL_CRS))), local).max())


def _arc(component: shapely.LineString, a: float, b: float, old: BaseGeometry) -> shapely.LineString | None:
    """The stretch of ``component`` between positions ``a`` and ``b`` (on a closed outline,
    whichever of the two arcs follows ``old``)."""
    low, high = sorted((a, b))
    arcs = [shapely.ops.substring(component, low, high)]
    if component.is_closed:
        tail = shapely.ops.substring(component, high, component.length)
        head = shapely.ops.substring(component, 0.0, low)
        arcs.append(shapely.LineString(list(tail.coords) + list(head.coords)[1:]))
    arcs = [arc for arc in arcs if arc.geom_type == "LineString" and arc.length > 0]
    return min(arcs, key=lambda arc: _directed_m(old, arc) + _directed_m(arc, old)) if arcs else None


def _junction(component: shapely.LineString, neighbour: BaseGeometry, near: shapely.Point) -> shapely.Point | None:
    """Where ``component`` meets ``neighbour`` (crosses it, or comes closest to it) near the
    point ``near``; ``None`` if they come nowhere near there."""
    local_near = to_crs(near, LOCAL_CRS)
    crossing = shapely.get_coordinates(shapely.intersection(component, neighbour))
    if len(crossing):
        points = shapely.points(crossing)
        gaps = shapely.distance(to_crs(points, LOCAL_CRS), local_near) if len(points) > 1 else \
            np.array([to_crs(points[0], LOCAL_CRS).distance(local_near)])
        if gaps.min() <= JUNCTION_SEARCH_M:
            return points[int(gaps.argmin())]
    window = to_crs(local_near.buffer(JUNCTION_SEARCH_M), "EPSG:4326", source=LOCAL_CRS)
    nearby = shapely.intersection(component, window)
    if nearby.is_empty:
        return None
    return shapely.ops.nearest_points(nearby, neighbour)[0]


def _at_junctions(component: shapely.LineString, old: shapely.LineString,
                  neighbours: Neighbours) -> shapely.LineString | None:
    """``component`` cut where it meets the lines that meet each end of ``old`` (an end with
    none, or none near, is cut at the point nearest it)."""
    cuts = []
    for end, around in ((shapely.Point(old.coords[0]), neighbours[0]),
                        (shapely.Point(old.coords[-1]), neighbours[1])):
        meets = [m for m in (_junction(component, n, end) for n in around) if m is not None]
        cuts.append(min(meets, key=lambda m: _gap_m(m.coords[0], end.coords[0])) if meets else end)
    return _arc(component, shapely.line_locate_point(component, cuts[0]),
                shapely.line_locate_point(component, cuts[1]), old)


def cut(line_id: str, fetched: BaseGeometry, old: shapely.LineString, ends: tuple[str, str] | None,
        neighbours: Neighbours = ([], [])) -> tuple[shapely.LineString, tuple[tuple[str, float], ...]]:
    """The fetched linework cut as the current piece is, and run the same way round.

    A cut line is first cut at the points of the fetched line nearest its current ends; if
    that is not the line as it is, each end that is a junction (``neighbours``: the lines,
    as they will be, that meet that end now) is cut where the fetched line meets them, so
    that a junction that moved moves with them.

    Parameters
    ----------
    line_id : str
        The line (for the messages).
    fetched : geometry
        The fetched linework, merged (:func:`fetched_line`).
    old : LineString
        The line's OSM piece as it is.
    ends : (str, str) or None
        The names of the piece's ends, where it is cut; ``None``: the whole fetched line.
    neighbours : (list, list)
        For each end of ``old``, the lines that meet it (:func:`neighbours`).

    Returns
    -------
    tuple
        The new piece, and for a cut line each end's name and how far it moved (m).

    Raises
    ------
    BoundaryError
        Fetched ways that do not join into one line, or no longer run between the ends.
    """
    first, last = shapely.Point(old.coords[0]), shapely.Point(old.coords[-1])
    components = list(shapely.get_parts(fetched))
    if ends is None:
        if len(components) > 1:
            gaps = [distance_m(a, b) for i, a in enumerate(components) for b in components[i + 1:]]
            raise refresh_error(line_id, f"the fetched ways do not join into one line ({len(components)} "
                                f"pieces, {min(gaps):,.1f} m apart at the closest)")
        new = components[0]
    else:
        # The component that runs along the current piece (whatever it runs on to).
        component = min(components, key=lambda c: _directed_m(old, c))
        new = _arc(component, shapely.line_locate_point(component, first),
                   shapely.line_locate_point(component, last), old)
        if new is None:
            raise refresh_error(line_id, f"the fetched line no longer runs between {ends[0]} and {ends[1]}")
        existing = np.vstack([shapely.get_coordinates(component), shapely.get_coordinates(old)[[0, -1]]])
        new = _snapped(new, existing)
        if not same(written(_oriented(new, first, last)), old) and any(neighbours):
            refined = _at_junctions(component, old, neighbours)
            new = _snapped(refined, existing) if refined is not None else new
    new = written(_oriented(shapely.LineString(shapely.get_coordinates(new)), first, last))
    moved: tuple[tuple[str, float], ...] = ()
    if ends is not None:
        moved = ((ends[0], _gap_m(new.coords[0], first.coords[0])),
                 (ends[1], _gap_m(new.coords[-1], last.coords[0])))
    return new, moved


def _snapped(line: shapely.LineString, existing: np.ndarray) -> shapely.LineString:
    """``line`` with each end that lies within :data:`MERGE_M` of an existing vertex (of the
    fetched line, or an end of the line as it is) moved onto it."""
    coords = shapely.get_coordinates(line)
    per_lon, per_lat = metres_per_degree(float(coords[0][1]))
    for k in (0, len(coords) - 1):
        gaps = np.hypot((existing[:, 0] - coords[k][0]) * per_lon, (existing[:, 1] - coords[k][1]) * per_lat)
        if gaps.min() < MERGE_M:
            coords[k] = existing[int(gaps.argmin())]
    return shapely.LineString(coords)


def written(line: BaseGeometry) -> shapely.LineString:
    """``line`` as it is written: each coordinate with at most :data:`DECIMALS` decimals
    (no float artefacts), consecutive vertices closer than :data:`MERGE_M` merged (its ends
    kept, as they are where it meets other lines)."""
    kept: list[list[float]] = []
    for x, y in shapely.get_coordinates(line).tolist():
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if kept and _gap_m(kept[-1], point) < MERGE_M:
            if len(kept) > 1:
                kept[-1] = point
            continue
        kept.append(point)
    return shapely.LineString(kept if len(kept) > 1 else [kept[0], kept[0]])


def _oriented(line: shapely.LineString, first: shapely.Point, last: shapely.Point) -> shapely.LineString:
    """``line`` running from the end nearer ``first`` to the end nearer ``last``."""
    start, end = line.coords[0], line.coords[-1]
    if _gap_m(start, first.coords[0]) + _gap_m(end, last.coords[0]) > \
            _gap_m(end, first.coords[0]) + _gap_m(start, last.coords[0]):
        return line.reverse()
    return line


def same(a: BaseGeometry, b: BaseGeometry) -> bool:
    """Whether two geometries have the same coordinates, to :data:`SAME_DEG`."""
    return bool(shapely.get_num_coordinates(a) == shapely.get_num_coordinates(b)) and bool(
        shapely.equals_exact(a, b, SAME_DEG))


def line_text(line: Line, raw: str, index: int, new: shapely.LineString,
              resourced: bool = False) -> tuple[str, list[str], list[BaseGeometry]]:
    """The line file with the OSM piece replaced and the other pieces' ends that met the old
    piece's ends moved with them.

    Parameters
    ----------
    line : Line
        The line as loaded.
    raw : str
        Its file's text, as loaded.
    index : int
        The OSM piece (:func:`osm_piece`).
    new : LineString
        The new OSM piece (:func:`cut`).
    resourced : bool
        The piece now copies other elements: what it said of itself is dropped.

    Returns
    -------
    tuple
        The file's new text, notes (ends moved), and the pieces' geometries.
    """
    data = json.loads(raw)
    features = data["features"]
    new = written(new)
    old = line.pieces[index].geometry
    old_ends = [old.coords[0], old.coords[-1]]
    new_ends = [new.coords[0], new.coords[-1]]
    notes = []
    features[index] = copy.deepcopy(features[index])
    features[index]["geometry"] = mapping(new)
    if resourced:
        # Traced in OSM now: what the piece said of itself (derived, its own accuracy, method
        # or source) described the line it replaces.
        features[index]["properties"] = {}
        if all(p.derived for p in line.pieces):
            # Nothing of it was traced: the fetched line replaces every piece.
            features[index]["id"] = line.id
            data["features"] = features = [features[index]]
            index = 0
    for i, feature in enumerate(features):
        if i == index:
            continue
        coords = [list(c) for c in feature["geometry"]["coordinates"]]
        moved = False
        for k in (0, -1):
            for old_end, new_end in zip(old_ends, new_ends):
                if _gap_m(coords[k], old_end) < 0.001 and _gap_m(old_end, new_end) > 0:
                    notes.append(f"moved the joined end of piece '{line.pieces[i].piece_id}' "
                                 f"{_gap_m(old_end, new_end):,.1f} m with the OSM piece")
                    coords[k], moved = list(new_end), True
        if moved:       # a vertex the moved end now lies within a centimetre of is merged into it
            coords = [list(c) for c in written(shapely.LineString(coords)).coords]
        feature["geometry"] = {"type": "LineString", "coordinates": coords}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    geometries = [shapely.geometry.shape(f["geometry"]) for f in features]
    return text, notes, geometries


def neighbours(line: Line, old: shapely.LineString, zone: Zone,
               linework: Mapping[str, BaseGeometry]) -> Neighbours:
    """For each end of ``old``, the other lines of ``zone`` that meet it now, as they will be.

    Parameters
    ----------
    line : Line
        The line whose piece ``old`` is.
    old : LineString
        The piece as it is.
    zone : Zone
        The zone as loaded.
    linework : mapping
        The lines fetched in this refresh, by id (the others are taken as they are).

    Returns
    -------
    tuple of two lists
        The lines that meet the first end, and those that meet the last.
    """
    out: Neighbours = ([], [])
    for k, end in enumerate((shapely.Point(old.coords[0]), shapely.Point(old.coords[-1]))):
        for other in zone.lines:
            if other.id != line.id and distance_m(other.geometry, end) <= JUNCTION_M:
                out[k].append(linework[other.id] if other.id in linework else other.geometry)
    return out
