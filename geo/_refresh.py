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

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ._diff import affected_ids, diff_zones
from ._swap import Prepared, SwapItem, SwapOptions, SwapResult, check_accuracy, swap_many
from .errors import BoundaryError, HetaoError, NetworkError, Problem
from .geodesy import GEOD, LOCAL_CRS, metres_per_degree, to_crs
from .geojson import geometry_from_geojson
from .importer import Imported
from .locking import folder_lock
from .manifest import current_id
from .model import Diff, Line, OsmSource, Zone
from .osmcut import cut, fetched_line, line_text, neighbours, osm_piece, refresh_error, same
from .overpass import OsmElement, endpoint_url, fetch_elements, find_ways, parse_element_ids, public_url
from .zone import load_zone, resolve_folder, writable_folder

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["LineRefresh", "RefreshResult", "Found", "RefreshOptions", "refresh", "find_osm_ways"]

logger = logging.getLogger(__name__)

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


def _typical_distance_m(way: BaseGeometry, line: BaseGeometry) -> float:
    """The median distance (m) from points along ``way`` (every 1 %) to ``line``: how far the
    way runs from the line, not spoiled by where it runs on past the line's ends or crosses
    another line."""
    local_way, local_line = to_crs(way, LOCAL_CRS), to_crs(line, LOCAL_CRS)
    points = shapely.line_interpolate_point(local_way, np.linspace(0, 1, 101), normalized=True)
    return float(np.median(shapely.distance(points, local_line)))


def _require_line(zone: Zone, feature_id: str, purpose: str) -> Line:
    """The line ``feature_id`` of ``zone``; a polygon or point, or no such feature, refused
    (``purpose``: what lines are needed for)."""
    lines = {ln.id: ln for ln in zone.lines}
    if feature_id not in lines:
        kinds = {b.id: b.spec.kind for b in zone.features}
        raise refresh_error(feature_id, f"is a {kinds[feature_id]}, not a line; {purpose}" if feature_id in kinds
                            else f"no such line; the lines are {', '.join(lines)}")
    return lines[feature_id]


class RefreshOptions(TypedDict, total=False):
    """:func:`refresh`'s further keywords: how and when the lines are fetched, and what their
    swap accepts."""

    #: Seconds to wait for the server's answer (60 by default).
    timeout: float | None
    #: The date recorded (ISO 8601; today's by default).
    today: str | None
    #: Accept lines that make a geometric check of the zone fail that passed before.
    allow_failing_checks: bool


@dataclass(frozen=True)
class _Run:
    """One refresh: the folder as read, and what was asked."""

    folder: Path
    zone: Zone
    read: tuple[bytes | None, ...]      # the folder's fingerprint when it was read
    shown: str                          # the endpoint as it may be shown and stored
    today: str
    resourced: bool                     # the osm parameter given: the line copies new elements
    accuracy: float | None
    allow_overlap: bool
    allow_failing_checks: bool = False

    @property
    def lines(self) -> dict[str, Line]:
        return {ln.id: ln for ln in self.zone.lines}

    def nothing(self, lines: list[LineRefresh], skipped: list[tuple[str, str]]) -> RefreshResult:
        """The result when nothing changed."""
        return RefreshResult(self.shown, lines, skipped, Diff((), "now", "OpenStreetMap now"))


def refresh(ids: list[str] | str | None = None, *, boundaries: Path | str | None = None,
            endpoint: str | None = None, apply: bool = False, osm: list[str] | str | None = None,
            accuracy: float | None = None, allow_overlap: bool = False,
            **fetch: Unpack[RefreshOptions]) -> RefreshResult:
    """Fetch the OSM-sourced lines again and report (and, with ``apply``, swap in) what moved.

    The lines named (their sources), fetched in one request, cut as the lines are, swapped
    in together on a scratch copy (checked, measured, diffed) and, with ``apply``, under
    the folder's lock, swapped in for real with one commit.

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
    allow_failing_checks : bool
        Accept lines that make any geometric check of the zone fail that passed before (the
        sides meet across the river and do not overlap, parts and points lie within their
        sides); refused by default, in the dry run as with ``apply``.
    timeout : float, optional
        Seconds to wait for the server's answer (60 by default).
    today : str, optional
        The date recorded (ISO 8601; today's by default).

    Returns
    -------
    RefreshResult
        Every line fetched, the lines skipped, the diff, and (with ``apply``) the swaps.

    Raises
    ------
    BoundaryError
        A line that cannot be refreshed (not a line, names no OSM elements, an element
        deleted or no longer a line, a polygon that no longer closes); nothing is written.
    NetworkError
        The server could not be reached or gave no usable answer; nothing is written.
    InstalledFolderError
        With ``apply``, in the boundaries shipped inside an installed package (copy them to
        a folder of your own: :func:`hetao.copy_boundaries`); nothing is fetched or written.
    TypeError
        For a keyword that is not a parameter.
    """
    unknown = sorted(set(fetch) - set(RefreshOptions.__annotations__))
    if unknown:
        raise TypeError(f"refresh() got an unexpected keyword argument {unknown[0]!r}")
    folder = writable_folder(boundaries) if apply else resolve_folder(boundaries)
    today = fetch.get("today") or dt.date.today().isoformat()
    ids = [ids] if isinstance(ids, str) else ids
    elements = _checked_arguments(ids, osm, accuracy)
    url = endpoint_url(endpoint)
    read = _fingerprint(folder)         # checked again, under the lock, before apply writes
    run = _Run(folder, load_zone(folder), read, public_url(url), today, elements is not None,
               accuracy, allow_overlap, bool(fetch.get("allow_failing_checks")))
    sources, skipped = _sources(run, ids, elements)
    if not sources:
        return run.nothing([], skipped)
    raw_lines = _raw_lines(run, sources)
    fetched = _fetch(run, sources, url, fetch.get("timeout"))
    changes = _cut_all(run, sources, raw_lines, fetched)
    changed = [c for c in changes if c.changed]
    if not changed:
        return run.nothing(changes, skipped)
    items = [_item(run, change) for change in changed]
    diff = _rehearse(run, changed, items)
    result = RefreshResult(run.shown, changes, skipped, diff)
    if apply:
        result.applied = _apply(run, changed, items)
    return result


def _checked_arguments(ids: list[str] | None, osm: list[str] | str | None,
                       accuracy: float | None) -> list[str] | None:
    """The osm parameter's elements (``None`` if not given), checked with the others."""
    elements = None
    if osm is not None:
        try:
            elements = parse_element_ids(osm)
        except ValueError as exc:
            raise BoundaryError([Problem("refresh", None, f"the osm parameter: {exc}")]) from None
        if not ids or len(ids) != 1:
            raise BoundaryError([Problem("refresh", None, "the osm parameter names the elements of one "
                                         "line: give exactly one line id with it")])
    check_accuracy(accuracy, "refresh", None)
    return elements


def _sources(run: _Run, ids: list[str] | None,
             elements: list[str] | None) -> tuple[dict[str, OsmSource], list[tuple[str, str]]]:
    """The elements each line copies (``elements``, for the one line given, instead of its
    own), and the lines skipped with the reason (a line that names none, named or not).
    An old id of a renamed line (:data:`hetao.manifest.RENAMED`) is taken for its new one."""
    known = [b.id for b in run.zone.features] + [ln.id for ln in run.zone.lines]
    ids = [current_id(fid, known) for fid in ids] if ids else ids
    for fid in ids or []:
        _require_line(run.zone, fid, "refresh works on lines")
    lines = run.lines
    sources: dict[str, OsmSource] = {}
    skipped: list[tuple[str, str]] = []
    for lid in ids or list(lines):
        spec = lines[lid].spec
        source = (OsmSource(tuple(elements), spec.osm.piece if spec.osm else None) if elements is not None
                  else spec.osm)
        if source is None:
            skipped.append((lid, "names no OpenStreetMap elements to fetch (derived or assumed: its pieces "
                                 "say how they were made); find some with --find and give them with --osm"))
        else:
            sources[lid] = source
    return sources, skipped


def _raw_lines(run: _Run, sources: dict[str, OsmSource]) -> dict[str, str]:
    """The line files as loaded (a swap may replace one while the lines are fetched)."""
    lines = run.lines
    try:
        return {lid: lines[lid].file.read_text(encoding="utf-8") for lid in sources}
    except OSError:
        raise BoundaryError([Problem(f"refresh {', '.join(sources)}", None, (
            "the boundaries folder changed while it was read (another swap or undo?): run the "
            "refresh again; nothing written"))]) from None


def _fetch(run: _Run, sources: dict[str, OsmSource], url: str,
           timeout: float | None) -> dict[str, tuple[tuple[OsmElement, ...], BaseGeometry]]:
    """Every line's elements, fetched in one request, and their linework merged."""
    refs = list(dict.fromkeys(r for s in sources.values() for r in s.elements))
    try:
        found = fetch_elements(refs, endpoint=url, timeout=timeout)
    except NetworkError as exc:
        raise NetworkError(f"refresh {', '.join(sources)}: {exc}") from None
    if refs and not found:
        raise BoundaryError([Problem(f"refresh {', '.join(sources)}", None, (
            f"{run.shown} returned none of the {len(refs)} OpenStreetMap elements asked for (an empty "
            "answer: a mirror still loading its data, or one without this region?); try again, or "
            "another endpoint"))])
    fetched, problems = {}, []
    for lid, source in sources.items():      # every line that cannot be fetched, named at once
        try:
            fetched[lid] = fetched_line(lid, source.elements, found, run.shown)
        except BoundaryError as exc:
            problems += exc.problems
    if problems:
        raise BoundaryError(problems)
    return fetched


def _cut_all(run: _Run, sources: dict[str, OsmSource], raw_lines: dict[str, str],
             fetched: dict[str, tuple[tuple[OsmElement, ...], BaseGeometry]]) -> list[LineRefresh]:
    """Each line's fetched linework cut as the line is; a changed line's new file prepared."""
    lines = run.lines
    linework = {lid: merged for lid, (_, merged) in fetched.items()}
    changes = []
    for lid, source in sources.items():
        line = lines[lid]
        index = osm_piece(line, source)
        elements, merged = fetched[lid]
        old = line.pieces[index].geometry
        new, ends = cut(lid, merged, old, source.ends, neighbours(line, old, run.zone, linework))
        change = LineRefresh(lid, elements, old, new, ends, [], changed=not same(new, old))
        if len(elements) > 1:
            change.notes.append(f"merged {len(elements)} elements")
        if change.changed:
            text, notes, geometries = line_text(line, raw_lines[lid], index, new, resourced=run.resourced)
            change.notes.extend(notes)
            change.prepared = _prepare(run, line, change, geometries, text, source)
        changes.append(change)
        logger.info("%s: %s", lid, "changed" if change.changed else "unchanged")
    return changes


def _prepare(run: _Run, line: Line, change: LineRefresh, geometries: list[BaseGeometry], text: str,
             source: OsmSource) -> Prepared:
    """The changed line as :func:`hetao._swap.swap_many` takes it: the checked geometry, the
    file's text, and what it sets in the manifest entry."""
    label = f"refresh {line.id}"
    checked = [geometry_from_geojson(mapping(g), "line", file=label, feature_id=line.id) for g in geometries]
    geometry = checked[0] if len(checked) == 1 else shapely.MultiLineString(checked)
    what = ", ".join(e.label for e in change.elements)
    how = ("cut at the points nearest its previous ends (" + "; ".join(
        f"{name}: moved {m:,.1f} m" for name, m in change.ends) + ")") if change.ends else "used whole"
    merged = "merged and " if len(change.elements) > 1 else ""
    # Fetched again from the same elements, the line is what it was: its method still holds.
    kept = "" if run.resourced else line.spec.provenance.method.rstrip() + " "
    method = (f"{kept}Fetched with hetao refresh from the Overpass API ({run.shown}) on {run.today}: "
              f"OpenStreetMap {what}, {merged}{how}" + (f"; {'; '.join(change.notes)}" if change.notes else "")
              + ". Validated and written as RFC 7946 GeoJSON.")
    updates: dict[str, Any] = {"osm": _osm_member(source, change, run.shown)}
    if not run.resourced and line.spec.notes:
        updates["notes"] = line.spec.notes      # the same elements: what was noted still holds
    if run.resourced:
        _rename(line, change, updates)
    imported = Imported(geometry, "EPSG:4326", "Overpass JSON", None, [f"fetched {what}"])
    return Prepared(imported, text, method, updates, OSM_ATTRIBUTION)


def _osm_member(source: OsmSource, change: LineRefresh, endpoint: str) -> dict[str, Any]:
    """The manifest entry's ``osm`` member after the refresh: the elements, and what was fetched."""
    osm: dict[str, Any] = {"elements": list(source.elements)}
    if source.piece is not None:
        osm["piece"] = source.piece
    if source.ends is not None:
        osm["ends"] = list(source.ends)
    osm["fetched"] = [{"element": e.ref, "version": e.version, "timestamp": e.timestamp}
                      for e in change.elements]
    osm["endpoint"] = endpoint
    return osm


def _rename(line: Line, change: LineRefresh, updates: dict[str, Any]) -> None:
    """A re-sourced line named as OpenStreetMap names it (where its elements have names)."""
    tags = next((e.tags for e in change.elements if e.tags.get("name") or e.tags.get("name:en")), {})
    name = {"en": tags.get("name:en") or line.spec.name_en,
            "zh": tags.get("name:zh") or tags.get("name") or line.spec.name_zh}
    if (name["en"], name["zh"]) != (line.spec.name_en, line.spec.name_zh):
        updates["name"] = name
        change.notes.append(f"named it as OpenStreetMap does: {name['en']} · {name['zh']} (was "
                            f"{line.spec.name_en} · {line.spec.name_zh})")


def _item(run: _Run, change: LineRefresh) -> SwapItem:
    """A changed line as an item of :func:`hetao._swap.swap_many`, its provenance from OSM."""
    spec = run.lines[change.line_id].spec
    source = (f"OpenStreetMap {', '.join(e.label for e in change.elements)}, fetched from {run.shown} "
              f"on {run.today}")
    options = SwapOptions(
        source=source, licence=OSM_LICENCE,
        accuracy=run.accuracy if run.accuracy is not None else spec.provenance.positional_accuracy_m,
        approximate=spec.approximate and not run.resourced, keep_explanation=True,
        allow_overlap=run.allow_overlap, allow_failing_checks=run.allow_failing_checks, today=run.today,
        prepared=change.prepared)
    return change.line_id, Path(f"refresh {change.line_id}"), options


def _rehearse(run: _Run, changed: list[LineRefresh], items: list[SwapItem]) -> Diff:
    """All the changed lines swapped in at once, as ``apply`` will: checked (the polygons
    rebuilt with every new line), measured and diffed, nothing written. The swaps' notes
    join the lines' own, and the polygons whose words may no longer hold are flagged."""
    try:
        rehearsed = swap_many(run.folder, items, dry_run=True)
    except HetaoError as exc:
        names = ", ".join(c.line_id for c in changed)
        raise BoundaryError([Problem(f"refresh {names}", None, (
            f"the fetched line{'s' if len(changed) > 1 else ''} cannot be swapped in: "
            f"{_problem_line(exc)}; nothing written"))]) from None
    after = rehearsed[0].after
    for change, done in zip(changed, rehearsed):
        for note in done.notes:
            if note.code in ("import", "accuracy-inherited"):    # told already, or not asked
                continue
            change.notes.append("dropped the line's 'approximate' mark: it now copies OpenStreetMap"
                                if note.code == "approximate-dropped" else note.text)
    _flag_polygons(run, changed, after)
    ids_changed = list(dict.fromkeys(i for c in changed for i in affected_ids(after, c.line_id)))
    return Diff(tuple(diff_zones(run.zone, after, ids_changed, after_measurements=rehearsed[0].measurements)),
                "now", "OpenStreetMap now")


def _flag_polygons(run: _Run, changed: list[LineRefresh], after: Zone) -> None:
    """Note, for each changed line, the polygons it bounds whose explanation (and, for a
    re-sourced line, provenance method) describe its previous lines."""
    for change in changed:
        for fid in affected_ids(after, change.line_id)[1:]:
            spec = after.feature(fid).spec
            texts = [name for name, has in (("explanation", spec.explanation),
                                            ("provenance method", run.resourced)) if has]
            if texts and not spec.union_of:
                change.notes.append(f"{fid}'s {' and '.join(texts)} describe{'s' if len(texts) == 1 else ''} "
                                    "its previous lines: check that they still hold")


def _apply(run: _Run, changed: list[LineRefresh], items: list[SwapItem]) -> list[SwapResult]:
    """Swap every changed line in under the folder's lock, with one commit: all, or none;
    refused if the folder changed since it was read."""
    names = ", ".join(c.line_id for c in changed)
    with folder_lock(run.folder):
        if _fingerprint(run.folder) != run.read:
            raise BoundaryError([Problem(f"refresh {names}", None, (
                "the boundaries folder changed while the lines were fetched (another swap or "
                "undo?): run the refresh again; nothing written"))])
        return swap_many(run.folder, items, dry_run=False)


def _fingerprint(folder: Path) -> tuple[bytes | None, ...]:
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

    Parameters
    ----------
    name : str
        The name to look for.
    boundaries : path, optional
        The boundaries folder (the shipped one by default).
    endpoint : str, optional
        The Overpass API interpreter URL (``$HETAO_OVERPASS_URL``, else overpass-api.de).
    near : str, optional
        The line to measure distances to.
    radius_m : float
        How far around the zone to look (m).
    timeout : float, optional
        Seconds to wait for the server's answer (60 by default).

    Returns
    -------
    list of Found
        Nearest first.

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
    targets = ([_require_line(zone, near, "distances are measured to a line")] if near is not None
               else [ln for ln in zone.lines if ln.spec.approximate] or list(zone.lines))
    west, south, east, north = shapely.union_all([b.geometry for b in zone.features]).bounds
    per_lon, per_lat = metres_per_degree((south + north) / 2)
    pad_lat, pad_lon = radius_m / per_lat, radius_m / per_lon
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
                             cls, float(GEOD.geometry_length(way.geometry)), target, distance))
    return sorted(results, key=lambda f: (f.distance_m is None, f.distance_m or 0.0, f.element.id))
