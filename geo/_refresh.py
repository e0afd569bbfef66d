"""Refreshing the lines copied from OpenStreetMap, and finding OSM ways by name.

A line whose manifest entry has an ``osm`` member (:class:`hetao.manifest.OsmSource`) names
the ways or relations it copies. :func:`refresh` fetches their current version (one Overpass
request), cuts the fetched linework as the line is cut (at the points nearest its current
ends), keeps the line's derived pieces joined to it, rebuilds the polygons it bounds on a
scratch copy, and reports what moved. With ``apply`` the changed lines are swapped in as
:func:`hetao.swap` does (same checks, lock, history and undo), their provenance filled in
from OSM. :func:`find_osm_ways` lists the ways near the zone with a given name, for a line that names
none yet.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ._diff import affected_ids, diff_zones
from .errors import BoundaryError, HetaoError, NetworkError, Problem
from .geodesy import GEOD, LOCAL_CRS, distance_m, to_crs
from .geojson import geometry_from_geojson
from .importer import Imported
from .locking import folder_lock
from .model import Diff, Line, OsmSource
from .overpass import OsmElement, endpoint_url, fetch_elements, find_ways, parse_element_ids, public_url
from ._swap import Prepared, SwapResult, _swap_many
from .zone import default_boundaries_dir, load_zone

__all__ = ["LineRefresh", "RefreshResult", "Found", "refresh", "find_osm_ways"]

logger = logging.getLogger(__name__)

#: Coordinates closer than this (degrees, about 0.1 mm) are the same: a cut line read back.
SAME_DEG = 1e-9
OSM_LICENCE = "ODbL-1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
#: How far around the zone :func:`find` looks (m).
FIND_RADIUS_M = 2000.0


@dataclass
class LineRefresh:
    """One line fetched again.

    Attributes
    ----------
    line_id : the line.
    elements : the OSM elements fetched, as Overpass gave them.
    before, after : the OSM piece of the line now and as fetched (cut).
    ends : for a cut line, each end's name and how far it moved (m).
    notes : what was done (pieces re-joined, elements merged), in words.
    changed : whether the fetched piece differs from the current one.
    """

    line_id: str
    elements: tuple[OsmElement, ...]
    before: BaseGeometry
    after: BaseGeometry
    ends: tuple[tuple[str, float], ...] = ()
    notes: list[str] = field(default_factory=list)
    changed: bool = False
    prepared: Prepared | None = field(default=None, repr=False)


@dataclass
class RefreshResult:
    """What a refresh found and (with ``apply``) did.

    Attributes
    ----------
    endpoint : the Overpass server asked.
    lines : every line fetched, changed or not.
    skipped : lines not refreshed, with the reason.
    diff : the changed lines and the polygons they bound, before and after (statuses too).
    applied : one swap per changed line (empty unless ``apply``).
    """

    endpoint: str
    lines: list[LineRefresh]
    skipped: list[tuple[str, str]]
    diff: Diff
    applied: list[SwapResult] = field(default_factory=list)

    @property
    def changed(self) -> list[LineRefresh]:
        return [ln for ln in self.lines if ln.changed]


@dataclass(frozen=True)
class Found:
    """A way found by name: its element, class, length and distance to a line of the zone."""

    element: OsmElement
    name: str
    feature_class: str
    length_m: float
    near: str | None
    distance_m: float | None


def _fail(line_id: str, message: str) -> BoundaryError:
    return BoundaryError([Problem(f"refresh {line_id}", None, message)])


def _length_m(geometry: BaseGeometry) -> float:
    return float(sum(GEOD.geometry_length(part) for part in shapely.get_parts(geometry)))


def _typical_distance_m(way: BaseGeometry, line: BaseGeometry) -> float:
    """The median distance (m) from points along ``way`` (every 1 %) to ``line``: how far the
    way runs from the line, not spoiled by where it runs on past the line's ends or crosses
    another line."""
    local_way, local_line = to_crs(way, LOCAL_CRS), to_crs(line, LOCAL_CRS)
    points = shapely.line_interpolate_point(local_way, np.linspace(0, 1, 101), normalized=True)
    return float(np.median(shapely.distance(points, local_line)))


def _point_gap_m(a, b) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _osm_piece(line: Line, source: OsmSource) -> int:
    """The index of the piece the OSM elements give."""
    ids = [p.piece_id for p in line.pieces]
    if source.piece is not None:
        if source.piece not in ids:
            raise _fail(line.id, f"the manifest's osm.piece {source.piece!r} is not a piece of "
                        f"{line.file.name} (its pieces: {', '.join(ids)})")
        return ids.index(source.piece)
    if len(ids) > 1:
        raise _fail(line.id, f"{line.file.name} has {len(ids)} pieces ({', '.join(ids)}); name the one "
                    "the OSM elements give as osm.piece in the manifest")
    return 0


def _fetched_line(line_id: str, refs: tuple[str, ...], found: dict[str, OsmElement],
                  endpoint: str) -> tuple[tuple[OsmElement, ...], BaseGeometry]:
    """The elements of a line, and their linework merged."""
    elements = []
    for ref in refs:
        element = found.get(ref)
        if element is None:
            raise _fail(line_id, f"{ref.replace('/', ' ')} is not in OpenStreetMap any more ({endpoint} "
                        "returned nothing for it: deleted, or merged into another element); find its "
                        "successor with --find and give it with --osm")
        if element.geometry is None or element.geometry.is_empty:
            raise _fail(line_id, f"{ref.replace('/', ' ')} is no longer a line ({endpoint} returned it "
                        "with no way geometry)")
        elements.append(element)
    parts = [p for e in elements for p in shapely.get_parts(e.geometry)]
    merged = shapely.line_merge(shapely.union_all(parts)) if len(parts) > 1 else parts[0]
    return tuple(elements), merged


#: How near (m) another line must pass a line's end to be the junction that end is cut at,
#: and how far from the previous end the fetched junction is looked for.
JUNCTION_M = 0.2
JUNCTION_SEARCH_M = 500.0


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


def _cut(line_id: str, fetched: BaseGeometry, old: shapely.LineString, ends: tuple[str, str] | None,
         neighbours: tuple[list, list] = ([], [])) -> tuple[shapely.LineString, tuple[tuple[str, float], ...]]:
    """The fetched linework cut as the current piece is, and run the same way round.

    A cut line is first cut at the points of the fetched line nearest its current ends; if
    that is not the line as it is, each end that is a junction (``neighbours``: the lines,
    as they will be, that meet that end now) is cut where the fetched line meets them, so
    that a junction that moved moves with them.
    """
    first, last = shapely.Point(old.coords[0]), shapely.Point(old.coords[-1])
    components = list(shapely.get_parts(fetched))
    if ends is None:
        if len(components) > 1:
            gaps = [distance_m(a, b) for i, a in enumerate(components) for b in components[i + 1:]]
            raise _fail(line_id, f"the fetched ways do not join into one line ({len(components)} pieces, "
                        f"{min(gaps):,.1f} m apart at the closest)")
        new = components[0]
    else:
        # The component that runs along the current piece (whatever it runs on to).
        component = min(components, key=lambda c: _directed_m(old, c))
        new = _arc(component, shapely.line_locate_point(component, first),
                   shapely.line_locate_point(component, last), old)
        if new is None:
            raise _fail(line_id, f"the fetched line no longer runs between {ends[0]} and {ends[1]}")
        if not _same(_oriented(new, first, last), old) and any(neighbours):
            cuts = []
            for end, around in ((first, neighbours[0]), (last, neighbours[1])):
                meets = [_junction(component, n, end) for n in around]
                meets = [m for m in meets if m is not None]
                cuts.append(min(meets, key=lambda m: _point_gap_m(m.coords[0], end.coords[0])) if meets else end)
            refined = _arc(component, shapely.line_locate_point(component, cuts[0]),
                           shapely.line_locate_point(component, cuts[1]), old)
            new = refined if refined is not None else new
    new = _oriented(shapely.LineString(shapely.get_coordinates(new)), first, last)
    moved = ()
    if ends is not None:
        moved = ((ends[0], _point_gap_m(new.coords[0], first.coords[0])),
                 (ends[1], _point_gap_m(new.coords[-1], last.coords[0])))
    return new, moved


def _oriented(line: shapely.LineString, first: shapely.Point, last: shapely.Point) -> shapely.LineString:
    """``line`` running from the end nearer ``first`` to the end nearer ``last``."""
    start, end = line.coords[0], line.coords[-1]
    if _point_gap_m(start, first.coords[0]) + _point_gap_m(end, last.coords[0]) > \
            _point_gap_m(end, first.coords[0]) + _point_gap_m(start, last.coords[0]):
        return line.reverse()
    return line


def _same(a: BaseGeometry, b: BaseGeometry) -> bool:
    return shapely.get_num_coordinates(a) == shapely.get_num_coordinates(b) and bool(
        shapely.equals_exact(a, b, SAME_DEG))


def _line_text(line: Line, raw: str, index: int, new: shapely.LineString,
               resourced: bool = False) -> tuple[str, list[str], list]:
    """The line file with the OSM piece replaced and the other pieces' ends that met the old
    piece's ends moved with them; also notes, and the pieces' geometries."""
    data = json.loads(raw)
    features = data["features"]
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
    for i, feature in enumerate(features):
        if i == index:
            continue
        coords = [list(c) for c in feature["geometry"]["coordinates"]]
        for k in (0, -1):
            for old_end, new_end in zip(old_ends, new_ends):
                if _point_gap_m(coords[k], old_end) < 0.001 and _point_gap_m(old_end, new_end) > 0:
                    notes.append(f"moved the joined end of piece '{line.pieces[i].piece_id}' "
                                 f"{_point_gap_m(old_end, new_end):,.1f} m with the OSM piece")
                    coords[k] = list(new_end)
        feature["geometry"] = {"type": "LineString", "coordinates": coords}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    geometries = [shapely.geometry.shape(f["geometry"]) for f in features]
    return text, notes, geometries


def _prepare(line: Line, change: LineRefresh, geometries: list, text: str, source: OsmSource,
             endpoint: str, today: str, resourced: bool) -> Prepared:
    label = f"refresh {line.id}"
    checked = [geometry_from_geojson(mapping(g), "line", file=label, feature_id=line.id) for g in geometries]
    geometry = checked[0] if len(checked) == 1 else shapely.MultiLineString(checked)
    what = ", ".join(e.label for e in change.elements)
    how = ("cut at the points nearest its previous ends (" + "; ".join(
        f"{name}: moved {m:,.1f} m" for name, m in change.ends) + ")") if change.ends else "used whole"
    merged = "merged and " if len(change.elements) > 1 else ""
    # Fetched again from the same elements, the line is what it was: its method still holds.
    kept = "" if resourced else line.spec.provenance.method.rstrip() + " "
    method = (f"{kept}Fetched with hetao refresh from the Overpass API ({endpoint}) on {today}: OpenStreetMap "
              f"{what}, {merged}{how}" + (f"; {'; '.join(change.notes)}" if change.notes else "")
              + ". Validated and written as RFC 7946 GeoJSON.")
    osm = {"elements": list(source.elements)}
    if source.piece is not None:
        osm["piece"] = source.piece
    if source.ends is not None:
        osm["ends"] = list(source.ends)
    osm["fetched"] = [{"element": e.ref, "version": e.version, "timestamp": e.timestamp}
                      for e in change.elements]
    osm["endpoint"] = endpoint
    updates: dict = {"osm": osm}
    if not resourced and line.spec.notes:
        updates["notes"] = line.spec.notes      # the same elements: what was noted still holds
    if resourced:
        tags = next((e.tags for e in change.elements if e.tags.get("name") or e.tags.get("name:en")), {})
        name = {"en": tags.get("name:en") or line.spec.name_en,
                "zh": tags.get("name:zh") or tags.get("name") or line.spec.name_zh}
        if (name["en"], name["zh"]) != (line.spec.name_en, line.spec.name_zh):
            updates["name"] = name
            change.notes.append(f"named it as OpenStreetMap does: {name['en']} · {name['zh']} (was "
                                f"{line.spec.name_en} · {line.spec.name_zh})")
    imported = Imported(geometry, "EPSG:4326", "Overpass JSON", None, [f"fetched {what}"])
    return Prepared(imported, text, method, updates, OSM_ATTRIBUTION)


def _source_text(change: LineRefresh, endpoint: str, today: str) -> str:
    return (f"OpenStreetMap {', '.join(e.label for e in change.elements)}, fetched from {endpoint} "
            f"on {today}")


def refresh(ids: list[str] | str | None = None, *, boundaries: Path | str | None = None,
            endpoint: str | None = None, apply: bool = False, osm: list[str] | str | None = None,
            accuracy: float | None = None, allow_overlap: bool = False,
            timeout: float | None = None, today: str | None = None) -> RefreshResult:
    """Fetch the OSM-sourced lines again and report (and, with ``apply``, swap in) what moved.

    Parameters
    ----------
    ids : list of str, optional
        The lines to refresh (every line whose manifest names OSM elements by default).
    boundaries : path, optional
        The boundaries folder (the shipped one by default).
    endpoint : str, optional
        The Overpass API interpreter URL (``$HETAO_OVERPASS_URL``, else overpass-api.de).
    apply : bool
        Swap the changed lines in (history kept; ``hetao undo LINE`` restores each).
    osm : list of str, or str, optional
        For one line: the OSM elements ("way/123", or "way/1,way/2") it copies from now on (see
        :func:`find_osm_ways`); the whole fetched line is used, uncut, and the line takes its
        names from the elements' ``name:en`` and ``name:zh`` (or ``name``) tags where they have them.
    accuracy : float, optional
        The refreshed lines' positional accuracy (m); the line's declared one by default.
    allow_overlap : bool
        Accept lines that make the two sides overlap.
    timeout : float, optional
        Seconds to wait for the server's answer (60 by default).

    Raises
    ------
    BoundaryError
        A line that cannot be refreshed (not a line, names no OSM elements, an element
        deleted or no longer a line, a polygon that no longer closes); nothing is written.
    NetworkError
        The server could not be reached or gave no usable answer; nothing is written.
    """
    folder = Path(boundaries) if boundaries is not None else default_boundaries_dir()
    today = today or dt.date.today().isoformat()
    ids = [ids] if isinstance(ids, str) else ids
    if osm is not None:
        try:
            osm = parse_element_ids(osm)
        except ValueError as exc:
            raise BoundaryError([Problem("refresh", None, f"the osm parameter: {exc}")]) from None
        if not ids or len(ids) != 1:
            raise BoundaryError([Problem("refresh", None, "the osm parameter names the elements of one "
                                         "line: give exactly one line id with it")])
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy > 0):
        raise BoundaryError([Problem("refresh", None, "the accuracy parameter must be a positive number of metres")])
    url = endpoint_url(endpoint)
    shown = public_url(url)             # the endpoint as it may be shown and stored
    read = _fingerprint(folder)        # checked again, under the lock, before --apply writes
    zone = load_zone(folder)
    lines = {ln.id: ln for ln in zone.lines}
    for fid in ids or []:
        if fid not in lines:
            kinds = {b.id: b.spec.kind for b in zone.features}
            raise _fail(fid, f"is a {kinds[fid]}, not a line; refresh works on lines" if fid in kinds
                        else f"no such line; the lines are {', '.join(lines)}")
    sources: dict[str, OsmSource] = {}
    skipped: list[tuple[str, str]] = []
    for lid in ids or list(lines):
        spec = lines[lid].spec
        source = (OsmSource(tuple(osm), spec.osm.piece if spec.osm else None) if osm is not None
                  else spec.osm)
        if source is None:
            reason = ("names no OpenStreetMap elements (derived or assumed); find some with --find "
                      "and give them with --osm")
            if ids:
                raise _fail(lid, reason)
            skipped.append((lid, reason))
        else:
            sources[lid] = source
    if not sources:
        return RefreshResult(shown, [], skipped, Diff((), "now", "OpenStreetMap now"))
    # The line files as loaded (a swap may replace one while the lines are fetched).
    try:
        raw_lines = {lid: lines[lid].file.read_text(encoding="utf-8") for lid in sources}
    except OSError:
        raise BoundaryError([Problem(f"refresh {', '.join(sources)}", None, (
            "the boundaries folder changed while it was read (another swap or undo?): run the "
            "refresh again; nothing written"))]) from None
    refs = list(dict.fromkeys(r for s in sources.values() for r in s.elements))
    try:
        found = fetch_elements(refs, endpoint=url, timeout=timeout)
    except NetworkError as exc:
        raise NetworkError(f"refresh {', '.join(sources)}: {exc}") from None
    fetched = {lid: _fetched_line(lid, source.elements, found, shown)
               for lid, source in sources.items()}
    changes = []
    for lid, source in sources.items():
        line = lines[lid]
        index = _osm_piece(line, source)
        elements, linework = fetched[lid]
        old = line.pieces[index].geometry
        new, ends = _cut(lid, linework, old, source.ends, _neighbours(line, old, zone, fetched))
        change = LineRefresh(lid, elements, old, new, ends, [], changed=not _same(new, old))
        if len(elements) > 1:
            change.notes.append(f"merged {len(elements)} elements")
        if change.changed:
            text, notes, geometries = _line_text(line, raw_lines[lid], index, new, resourced=osm is not None)
            change.notes.extend(notes)
            change.prepared = _prepare(line, change, geometries, text, source, shown, today,
                                       resourced=osm is not None)
        changes.append(change)
        logger.info("%s: %s", lid, "changed" if change.changed else "unchanged")
    changed = [c for c in changes if c.changed]
    if not changed:
        return RefreshResult(shown, changes, skipped, Diff((), "now", "OpenStreetMap now"))

    items = []
    for change in changed:
        spec = lines[change.line_id].spec
        items.append((change.line_id, Path(f"refresh {change.line_id}"), dict(
            crs=None, layer=None, source=_source_text(change, shown, today), licence=OSM_LICENCE,
            accuracy=accuracy if accuracy is not None else spec.provenance.positional_accuracy_m,
            approximate=spec.approximate and osm is None, explanation=None, keep_explanation=True,
            allow_overlap=allow_overlap, datum=None, today=today, prepared=change.prepared)))
    # All the changed lines at once, as --apply will swap them in: checked (the polygons
    # rebuilt with every new line), measured and diffed, nothing written.
    try:
        rehearsed = _swap_many(folder, items, dry_run=True)
    except HetaoError as exc:
        names = ", ".join(c.line_id for c in changed)
        raise BoundaryError([Problem(f"refresh {names}", None, (
            f"the fetched line{'s' if len(changed) > 1 else ''} cannot be swapped in: "
            f"{_problem_line(exc)}; nothing written"))]) from None
    after = rehearsed[0].after
    for change, done in zip(changed, rehearsed):
        told = set(change.prepared.imported.notes)
        for note in done.notes:
            if note in told or "no accuracy given" in note:
                continue
            if "marked approximate" in note:
                note = "dropped the line's 'approximate' mark: it now copies OpenStreetMap"
            change.notes.append(note)
    ids_changed = list(dict.fromkeys(i for c in changed for i in affected_ids(after, c.line_id)))
    for change in changed:
        for fid in affected_ids(after, change.line_id)[1:]:
            spec = after.feature(fid).spec
            texts = [name for name, has in (("explanation", spec.explanation),
                                            ("provenance method", osm is not None)) if has]
            if texts and not spec.union_of:
                change.notes.append(f"{fid}'s {' and '.join(texts)} describe{'s' if len(texts) == 1 else ''} "
                                    "its previous lines: check that they still hold")
    diff = Diff(tuple(diff_zones(zone, after, ids_changed, after_measurements=rehearsed[0].measurements)),
                "now", "OpenStreetMap now")
    result = RefreshResult(shown, changes, skipped, diff)
    if apply:
        names = ", ".join(c.line_id for c in changed)
        with folder_lock(folder):
            if _fingerprint(folder) != read:
                raise BoundaryError([Problem(f"refresh {names}", None, (
                    "the boundaries folder changed while the lines were fetched (another swap or "
                    "undo?): run the refresh again; nothing written"))])
            # One commit for every line: all of them are swapped in, or none.
            result.applied = _swap_many(folder, items, dry_run=False)
    return result


def _neighbours(line: Line, old: shapely.LineString, zone, fetched: dict) -> tuple[list, list]:
    """For each end of ``old``, the other lines that meet it now, as they will be (fetched in
    this refresh, or as they are)."""
    out: tuple[list, list] = ([], [])
    for k, end in enumerate((shapely.Point(old.coords[0]), shapely.Point(old.coords[-1]))):
        for other in zone.lines:
            if other.id != line.id and distance_m(other.geometry, end) <= JUNCTION_M:
                out[k].append(fetched[other.id][1] if other.id in fetched else other.geometry)
    return out


def _fingerprint(folder: Path) -> tuple:
    """What a refresh is made from: the manifest and every line file it names (a file
    gone reads as None)."""
    def read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None
    manifest = read(folder / "manifest.json")
    try:
        named = sorted(e["geometry"] for e in json.loads(manifest or b"{}").get("features", [])
                       if isinstance(e, dict) and e.get("kind") == "line" and isinstance(e.get("geometry"), str))
    except (ValueError, AttributeError):
        named = []
    return (manifest, *(read(folder / name) for name in named))


def _problem_line(exc: HetaoError) -> str:
    """Every problem of an error in one line."""
    problems = getattr(exc, "problems", None) or [str(exc)]
    return "; also ".join(f"{p.feature}: {p.message}" if getattr(p, "feature", None) and hasattr(p, "message")
                          else getattr(p, "message", str(p)) for p in problems)


def find_osm_ways(name: str, *, boundaries: Path | str | None = None, endpoint: str | None = None,
         near: str | None = None, radius_m: float = FIND_RADIUS_M,
         timeout: float | None = None) -> list[Found]:
    """The OSM ways within ``radius_m`` of the zone named ``name`` (``name``, ``name:zh`` or
    ``name:en``), nearest first, each with its distance to the line ``near`` (by default the
    nearest approximate line): the median distance from points along the way to the line.

    Raises
    ------
    BoundaryError
        An unknown ``near`` line.
    NetworkError
        The server could not be reached or gave no usable answer.
    """
    if not name or not name.strip():
        raise BoundaryError([Problem("refresh --find", None, "give the name to look for, e.g. 绒花路")])
    name = name.strip()
    zone = load_zone(Path(boundaries) if boundaries is not None else None)
    lines = {ln.id: ln for ln in zone.lines}
    if near is not None and near not in lines:
        kinds = {b.id: b.spec.kind for b in zone.features}
        raise _fail(near, f"is a {kinds[near]}, not a line; distances are measured to a line" if near in kinds
                    else f"no such line; the lines are {', '.join(lines)}")
    targets = [lines[near]] if near else [ln for ln in zone.lines if ln.spec.approximate] or list(zone.lines)
    west, south, east, north = shapely.union_all([b.geometry for b in zone.features]).bounds
    pad_lat = radius_m / 110_574.0
    pad_lon = radius_m / (111_320.0 * np.cos(np.radians((south + north) / 2)))
    try:
        ways = find_ways(name, (west - pad_lon, south - pad_lat, east + pad_lon, north + pad_lat),
                         endpoint=endpoint, timeout=timeout)
    except NetworkError as exc:
        raise NetworkError(f"find {name!r}: {exc}") from None
    results = []
    for way in ways:
        if way.geometry is None:
            continue
        distances = [(_typical_distance_m(way.geometry, t.geometry), t.id) for t in targets]
        distance, target = min(distances) if distances else (None, None)
        tags = way.tags
        cls = next((f"{key}={tags[key]}" for key in ("highway", "waterway", "railway") if key in tags), "")
        results.append(Found(way, tags.get("name") or tags.get("name:zh") or tags.get("name:en") or name,
                             cls, _length_m(way.geometry), target, distance))
    return sorted(results, key=lambda f: (f.distance_m is None, f.distance_m or 0.0, f.element.id))
