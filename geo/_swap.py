"""Swapping a feature's geometry for an updated one, with history and undo.

``swap`` reads the new file (:mod:`hetao.importer`), writes the new geometry file and manifest
entry with the new provenance, and keeps the previous version in
``<boundaries>/history/<feature>/<NNNN>/``; ``undo`` puts the latest previous version back
byte for byte. Everything is checked before anything is written (on a scratch copy of the
folder), and every file is written atomically: a failure leaves the folder as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import shapely

from ._diff import affected_ids, diff_zones
from .checks import MEET_CHECK, OVERLAP_CHECK, geometric_checks
from .errors import BoundaryError, HetaoIOError, Problem
from .files import write_files_atomic
from .history import (
    history_dir, latest_version, manifest_entry, previous_zone, read_manifest, renamed,
    referenced, remove_empty, remove_file, scratch_copy,
)
from .importer import Imported, read_boundary
from .locking import folder_lock
from .manifest import MANIFEST_NAME, manifest_text
from .measurement import measure_zone
from .model import AreaMeasurement, CheckResult, Diff, Measurement, Zone
from .zone import installed_boundaries, installed_folder_error, load_zone, resolve_folder, writable_folder

__all__ = ["Note", "SwapResult", "Prepared", "SwapOptions", "SwapItem", "swap", "swap_many",
           "check_accuracy", "diff_previous"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Note:
    """Something a swap did to the file or the manifest entry, or assumed: a code to act on
    and the words to show (``str(note)``).

    Codes: ``import`` (what reading the file did to it), ``entry-member-removed``,
    ``accuracy-inherited`` (no accuracy given: the previous one assumed),
    ``approximate-dropped``, ``explanation-set``, ``overlap-allowed``,
    ``check-failure-allowed`` (a geometric check that passed before fails now, as allowed).

    Examples
    --------
    >>> note = Note("explanation-set", "set the explanation given")
    >>> f"note: {note}"
    'note: set the explanation given'
    """

    code: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class SwapResult:
    """What a swap did (or, with ``dry_run``, would do).

    Attributes
    ----------
    feature_id : the feature swapped.
    imported : the geometry read, with what was done to it.
    before, after : the zone before and after the swap.
    diff : what changed, for the feature and every union built from it, with each stated
        figure's status before and after.
    measurements : the zone measured after the swap.
    written : the files written (empty for a dry run).
    history : the history entry that :func:`undo` restores from.
    notes : what was done to the file or the manifest entry (:class:`Note`: a code, and
        in words).
    dry_run : whether nothing was written.
    """

    feature_id: str
    imported: Imported
    before: Zone
    after: Zone
    diff: Diff
    measurements: list[Measurement]
    written: list[Path] = field(default_factory=list)
    history: Path | None = None
    notes: list[Note] = field(default_factory=list)
    dry_run: bool = False

    @property
    def measurement(self) -> Measurement | None:
        """The swapped feature's new measurement (``None`` for a line: see :attr:`rebuilt`)."""
        return next((m for m in self.measurements if m.id == self.feature_id), None)

    @property
    def rebuilt(self) -> list[Measurement]:
        """The new measurements of the polygons built from the swapped feature (a line's
        polygons and their unions; a polygon's unions)."""
        ids = {d.id for d in self.diff.features} - {self.feature_id}
        return [m for m in self.measurements if m.id in ids]


@dataclass(frozen=True)
class Prepared:
    """A new geometry made by hetao itself (``refresh``) rather than read from a file: the
    checked geometry, the geometry file's text, and what it sets in the manifest entry."""

    imported: Imported
    geometry_text: str
    method: str
    entry_updates: dict[str, Any] = field(default_factory=dict)
    attribution: str | None = None


@dataclass(frozen=True)
class SwapOptions:
    """How a swap reads the new geometry and what it records of it: :func:`swap`'s keyword
    parameters (see there), in one value.

    Attributes
    ----------
    crs, layer, datum : how the file is read.
    feature, where : which of the file's features to read (its id; "KEY=VALUE").
    source, licence, accuracy : the new geometry's provenance.
    approximate, explanation, keep_explanation : what the manifest entry says of it.
    allow_overlap : accept a geometry that overlaps the other side.
    today : the date recorded (ISO 8601; today's by default).
    prepared : a geometry made by hetao itself (``refresh``), used instead of reading the file.
    allow_failing_checks : accept a geometry that makes any of the zone's geometric checks
        (:func:`hetao.checks.geometric_checks`) fail that passed before.
    """

    crs: str | None = None
    layer: str | None = None
    source: str | None = None
    licence: str | None = None
    accuracy: float | None = None
    approximate: bool = False
    explanation: str | None = None
    keep_explanation: bool = False
    allow_overlap: bool = False
    datum: str | None = None
    today: str | None = None
    prepared: Prepared | None = None
    feature: str | None = None
    where: str | None = None
    allow_failing_checks: bool = False


#: One item of :func:`swap_many`: the feature, the file its new geometry comes from (or the
#: label of a prepared one), and the options.
SwapItem = tuple[str, Path, SwapOptions]

_OPTION_NAMES = frozenset(f.name for f in fields(SwapOptions))


def swap(feature_id: str, file: Path | str, *, boundaries: Path | str | None = None,
         dry_run: bool = False, options: SwapOptions | None = None, **changes: Any) -> SwapResult:
    """Replace a feature's geometry by the boundary in ``file``, keeping the old one.

    Parameters
    ----------
    feature_id : str
        The feature to replace.
    file : path
        GeoJSON (with or without a legacy ``crs`` member), Shapefile, GeoPackage, KML or
        FlatGeobuf.
    boundaries : path, optional
        The boundaries folder (the shipped one by default).
    dry_run : bool
        Check, measure and compare; write nothing.
    options : SwapOptions, optional
        The options below, in one value; a keyword given as well takes precedence.
    crs : str, optional
        The file's CRS where the file carries none (e.g. ``"EPSG:2326"``); never guessed.
    layer : str, optional
        The layer to read from a file with several.
    source, licence, accuracy : the new geometry's provenance (accuracy: positional, in
        metres); required unless ``dry_run``.
    approximate : bool
        Mark the new geometry as approximate.
    explanation : str, optional
        Why the new geometry and the stated figures still differ (replaces the old one).
    keep_explanation : bool
        Keep the previous explanation (by default it is removed: it explained the old
        geometry).
    allow_overlap : bool
        Accept a geometry that overlaps the other side (refused by default).
    allow_failing_checks : bool
        Accept a geometry that makes a geometric check of the zone fail that passed before
        (the sides meet across the river and do not overlap, each part and point lies within
        its side; refused by default). Stated figures never block a swap: their statuses
        are in the diff.
    datum : {"gcj02", "bd09"}, optional
        The file's lon/lat come from a Chinese web map (Amap/Tencent GCJ-02, Baidu BD-09):
        convert them to WGS84 (needs ``pip install 'hetao[datum]'``).
    today : str, optional
        The date recorded in the provenance (ISO 8601; today's by default).

    Returns
    -------
    SwapResult
        With the diff (statuses before and after), the new measurements and notes.

    Raises
    ------
    BoundaryError
        For a bad file, a bad folder, missing provenance or a geometric check that the new
        geometry breaks; nothing is written.
    InstalledFolderError
        For a real swap in the boundaries shipped inside an installed package (copy them
        to a folder of your own: :func:`hetao.copy_boundaries`); nothing is written.
    TypeError
        For a keyword that is not one of the options.
    """
    unknown = sorted(set(changes) - _OPTION_NAMES)
    if unknown:
        raise TypeError(f"swap() got an unexpected keyword argument {unknown[0]!r}")
    chosen = replace(options or SwapOptions(), **changes)
    folder = resolve_folder(boundaries) if dry_run else writable_folder(boundaries)
    if chosen.explanation is not None and chosen.keep_explanation:
        raise BoundaryError([Problem(file, feature_id, "give the explanation parameter or the "
                                     "keep_explanation parameter, not both")])
    items = [(feature_id, Path(file), chosen)]
    if dry_run:
        return swap_many(folder, items, dry_run=True)[0]
    with folder_lock(folder):
        return swap_many(folder, items, dry_run=False)[0]


def check_accuracy(accuracy: float | None, file: Path | str, feature_id: str | None) -> None:
    """Refuse an accuracy that is not a positive, finite number of metres (``None`` passes).

    Parameters
    ----------
    accuracy : float or None
        The accuracy parameter as given.
    file, feature_id : what the problem names.

    Raises
    ------
    BoundaryError
        Naming the accuracy parameter.
    """
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy > 0):
        raise BoundaryError([Problem(file, feature_id, (
            "the accuracy parameter must be a positive number of metres"))])


def swap_many(folder: Path, items: Sequence[SwapItem], *, dry_run: bool) -> list[SwapResult]:
    """Swap several features in at once, as :func:`swap` swaps one.

    Every item is planned, then all are checked on one scratch copy holding all the new
    geometries (loaded, overlap checked, measured, diffed), then committed with one write of
    the manifest (or, if that fails, everything written is taken back). Each item keeps a
    history entry of its own (``hetao undo`` restores each; after a swap of several, each
    undo puts back just its own entry, and its batch mates still as that swap left them).

    The caller holds the folder's lock (:func:`hetao.locking.folder_lock`) unless ``dry_run``.

    Parameters
    ----------
    folder : Path
        The boundaries folder.
    items : sequence of (feature id, file, SwapOptions)
        What to swap in; each feature at most once. A prepared geometry
        (:attr:`SwapOptions.prepared`) is used as it is, the file naming it in messages.
    dry_run : bool
        Check, measure and compare; write nothing.

    Returns
    -------
    list of SwapResult
        One per item, in order; all share the zone before and after.

    Raises
    ------
    BoundaryError
        A feature given twice, a bad file, missing provenance, a folder that does not load
        with the new geometries, a geometric check broken and not allowed; nothing is written.
    InstalledFolderError
        A real swap in the boundaries shipped inside an installed package; nothing is written.
    HetaoIOError
        The files could not be written; the folder is left as it was.
    """
    if not dry_run and installed_boundaries(folder):
        raise installed_folder_error(folder)
    ids = [feature_id for feature_id, _, _ in items]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise BoundaryError([Problem(items[0][1], twice[0], "is given twice in one swap; give each feature once")])
    before = load_zone(folder)
    manifest_path = folder / MANIFEST_NAME
    raw_manifest = manifest_path.read_bytes()
    manifest = read_manifest(manifest_path)
    plans = [_plan(folder, before, manifest, item, dry_run) for item in items]
    new_manifest = copy.deepcopy(manifest)
    for plan in plans:
        new_manifest["features"] = [plan.new_entry if isinstance(e, dict) and e.get("id") == plan.feature_id
                                    else e for e in new_manifest["features"]]
    new_manifest_text = manifest_text(new_manifest)
    results = _rehearse(folder, before, plans, new_manifest_text, dry_run)
    if dry_run:
        return results
    _commit(folder, plans, raw_manifest, new_manifest, new_manifest_text)
    for plan, result in zip(plans, results):
        result.written = [folder / plan.geometry_rel, manifest_path]
        result.history = plan.version
    return results


def _rehearse(folder: Path, before: Zone, plans: list[_Plan], new_manifest_text: str,
              dry_run: bool) -> list[SwapResult]:
    """The swap done on a scratch copy: the zone after it loaded, the geometric checks it
    breaks (if any) refused or noted, everything affected measured and diffed.

    GEOS and PROJ let go of the GIL: while this thread compares the geometries, a second one
    runs the checks, measures, and (for a real swap) makes the new file's text. It has
    finished before this returns or raises (what it had not started is dropped then).
    """
    after = _scratch_zone(folder, plans, new_manifest_text)
    affected = {plan.feature_id: affected_ids(after, plan.feature_id) for plan in plans}
    every = list(dict.fromkeys(i for ids in affected.values() for i in ids))
    beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hetao-swap")
    try:
        checking = beside.submit(_new_failures, before, after, every)
        measuring = beside.submit(measure_zone, after)
        texts = None if dry_run else beside.submit(lambda: [plan.geometry_text for plan in plans])
        try:
            diffs = diff_zones(before, after, every, after_measurements=measuring.result)
        except Exception:
            _refuse(checking.result(), plans)   # a refusal first, as when the checks came first
            raise
        broken = checking.result()
        _refuse(broken, plans)
        measurements = measuring.result()
        if texts is not None:
            texts.result()                      # the text is cached for the commit
    finally:
        beside.shutdown(cancel_futures=True)
    results = []
    for plan in plans:
        plan.notes.extend(_allowed_note(check) for check in broken)
        mine = tuple(d for d in diffs if d.id in affected[plan.feature_id])
        results.append(SwapResult(plan.feature_id, plan.imported, before, after,
                                  Diff(mine, "before", "after swap"), measurements, notes=plan.notes,
                                  dry_run=dry_run))
    return results


def _scratch_zone(folder: Path, plans: list[_Plan], new_manifest_text: str) -> Zone:
    """The zone loaded from a scratch copy of ``folder`` with the new manifest and geometries."""
    scratch = scratch_copy(folder)
    known = {}
    try:
        (scratch / "b" / MANIFEST_NAME).write_text(new_manifest_text, encoding="utf-8")
        for plan in plans:
            target = scratch / "b" / plan.geometry_rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if plan.kind == "line":
                target.write_text(plan.geometry_text, encoding="utf-8")
            else:       # in hand, checked: not read again, so not written either
                known[target.resolve()] = plan.imported.geometry
        return load_zone(scratch / "b", already_checked=known)
    except BoundaryError as exc:
        # Name the user's files and folder, not the scratch copy (which is gone by now).
        renames = {plan.geometry_rel: plan.file for plan in plans}
        raise BoundaryError([_unscratch(p, scratch / "b", folder, renames, plans[0].file)
                             for p in exc.problems]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _commit(folder: Path, plans: list[_Plan], raw_manifest: bytes, new_manifest: dict[str, Any],
            new_manifest_text: str) -> None:
    """Write the history entries and the new geometry files, then the manifest (the one
    commit point); then remove the old geometry files nothing names any more."""
    write_files_atomic(_history_files(folder, plans, raw_manifest, new_manifest_text))  # on failure it removes what it wrote
    try:
        write_files_atomic({folder / MANIFEST_NAME: new_manifest_text})       # the commit
    except HetaoIOError:
        _rollback(folder, plans)
        raise
    for plan in plans:
        logger.info("swapped %s: %s, history in %s", plan.feature_id, plan.geometry_rel, plan.version)
        old_geometry = plan.old_entry.get("geometry")
        if old_geometry and not referenced(new_manifest, old_geometry):
            remove_file(folder / old_geometry)


def _rollback(folder: Path, plans: list[_Plan]) -> None:
    """Not committed: take back the history entries and the new geometry files."""
    for plan in plans:
        remove_file(folder / plan.geometry_rel)
        shutil.rmtree(plan.version, ignore_errors=True)
        remove_empty(plan.version.parent, plan.version.parent.parent)


def _history_files(folder: Path, plans: list[_Plan], raw_manifest: bytes,
                   new_manifest_text: str) -> dict[Path, bytes | str]:
    """Each plan's history entry and new geometry file, by path."""
    files: dict[Path, bytes | str] = {}
    batch = {plan.feature_id: plan.number for plan in plans} if len(plans) > 1 else None
    for plan in plans:
        record: dict[str, Any] = {
            "feature": plan.feature_id, "date": plan.new_entry["provenance"]["date"],
            "file": str(plan.file), "old_geometry": plan.old_entry.get("geometry"),
            "new_geometry": plan.geometry_rel}
        if batch:
            record["batch"] = batch
        files[plan.version / "swap.json"] = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
        files[plan.version / "entry.json"] = json.dumps(plan.old_entry, ensure_ascii=False, indent=1) + "\n"
        files[plan.version / "manifest.json"] = raw_manifest
        files[plan.version / "manifest.after.json"] = new_manifest_text
        if plan.old_entry.get("geometry"):
            files[plan.version / "geometry.geojson"] = (folder / plan.old_entry["geometry"]).read_bytes()
        files[folder / plan.geometry_rel] = plan.geometry_text
    return files


@dataclass
class _Plan:
    """One item of a swap, worked out before anything is written."""

    feature_id: str
    file: Path
    kind: str
    imported: Imported
    old_entry: dict[str, Any]
    new_entry: dict[str, Any]
    geometry_rel: str
    number: int
    version: Path
    notes: list[Note]
    allow_overlap: bool
    allow_failing_checks: bool = False
    datum_given: bool = False       # read with a datum, or made by hetao (refresh)
    prepared: Prepared | None = None

    @cached_property
    def geometry_text(self) -> str:
        """The new geometry file's text, made when first asked for (a dry run of a polygon
        never needs it)."""
        return _geometry_text(self.feature_id, self.kind, self.imported, self.prepared)


def _plan(folder: Path, before: Zone, manifest: dict[str, Any], item: SwapItem, dry_run: bool) -> _Plan:
    """What one item changes: the new manifest entry and geometry file, and notes."""
    feature_id, file, options = item
    old_entry = manifest_entry(manifest, feature_id, folder / MANIFEST_NAME)
    spec = before.manifest.feature(feature_id)
    source, licence = _check_provenance(file, feature_id, options, dry_run)
    prepared = options.prepared
    imported = (prepared.imported if prepared is not None else read_boundary(
        file, spec.kind, feature_id, crs=options.crs, layer=options.layer, datum=options.datum,
        feature=options.feature, where=options.where))
    notes = [Note("import", text) for text in imported.notes]
    latest = latest_version(folder, feature_id)
    number = int(latest.name) + 1 if latest else 1
    # A new file name each version: the manifest's rename is the one commit point, so a
    # swap killed at any moment leaves the old or the new version, never a mix.
    old_dir = Path(old_entry["geometry"]).parent.as_posix() if old_entry.get("geometry") else "."
    geometry_rel = (Path(old_dir) / f"{feature_id}.v{number}.geojson").as_posix()
    new_entry = _new_entry(old_entry, options, geometry_rel, notes)
    accuracy = options.accuracy
    if accuracy is None:
        accuracy = _inherited_accuracy(before, old_entry, feature_id)
        notes.append(Note("accuracy-inherited", f"no accuracy given: the uncertainty below assumes "
                          f"{round(accuracy, 1):g} m, the previous geometry's"))
    notes.extend(_marks(new_entry, old_entry, options, file, feature_id))
    new_entry["provenance"] = _provenance(file, imported, options, source, licence, accuracy)
    return _Plan(feature_id, file, spec.kind, imported, old_entry, new_entry, geometry_rel, number,
                 history_dir(folder, feature_id) / f"{number:04d}", notes, options.allow_overlap,
                 options.allow_failing_checks, options.datum is not None or prepared is not None, prepared)


def _check_provenance(file: Path, feature_id: str, options: SwapOptions,
                      dry_run: bool) -> tuple[str | None, str | None]:
    """The source and licence given (stripped); refuses missing provenance (unless
    ``dry_run``) and a bad accuracy."""
    source = options.source.strip() if isinstance(options.source, str) else options.source
    licence = options.licence.strip() if isinstance(options.licence, str) else options.licence
    if not dry_run:
        missing = [name for name, value in (("source", source), ("licence", licence),
                                            ("accuracy", options.accuracy)) if not value and value != 0]
        if missing:
            raise BoundaryError([Problem(file, feature_id, (
                f"say where the new geometry comes from: give the {', '.join(missing)} "
                f"parameter{'s' if len(missing) > 1 else ''} (source and licence as non-empty "
                "text, positional accuracy in metres)"))])
    check_accuracy(options.accuracy, file, feature_id)
    return source, licence


#: The members a swap removes from the manifest entry, and why (in the note it leaves).
_REMOVED = (
    ("union_of", "it is now a geometry of its own, no longer a union"),
    ("bounded_by", "it is now a geometry of its own, no longer the face its lines "
                   "enclose (the lines stay, for the map and other polygons)"),
    ("reconcile", "its strips ran along the edges of the previous definition"),
    ("osm", "the new geometry is not a copy of the OpenStreetMap elements it names "
            "(hetao refresh would fetch them back)"),
    ("explanation", "it explained the previous geometry; give one (the "
                    "explanation parameter), or keep it (the keep_explanation parameter), "
                    "if measured and stated still differ"),
    ("notes", "they described the previous geometry"),
)


def _new_entry(old_entry: dict[str, Any], options: SwapOptions, geometry_rel: str,
               notes: list[Note]) -> dict[str, Any]:
    """The old entry less what described the previous geometry (each removal noted), with
    the prepared geometry's updates and the new geometry file."""
    updates = options.prepared.entry_updates if options.prepared is not None else {}
    kept = {"explanation"} if options.keep_explanation or options.explanation is not None else set()
    new_entry = copy.deepcopy(old_entry)
    for key, why in _REMOVED:
        if key in new_entry and key not in updates and key not in kept:
            del new_entry[key]
            notes.append(Note("entry-member-removed", f"removed '{key}' from the manifest entry: {why}"))
    new_entry.update(updates)
    new_entry["geometry"] = geometry_rel
    return new_entry


def _inherited_accuracy(before: Zone, old_entry: dict[str, Any], feature_id: str) -> float:
    """The previous geometry's positional accuracy (m): declared, or for one built from lines
    or a union, the accuracy its uncertainty amounts to."""
    declared = (old_entry.get("provenance") or {}).get("positional_accuracy_m")
    if declared is not None:
        return declared
    old = next(m for m in measure_zone(before) if m.id == feature_id)
    return (old.uncertainty_m2 / old.boundary_length_m
            if isinstance(old, AreaMeasurement) and old.uncertainty_m2 and old.boundary_length_m
            else 1.0)


def _marks(new_entry: dict[str, Any], old_entry: dict[str, Any], options: SwapOptions, file: Path,
           feature_id: str) -> list[Note]:
    """Set the entry's approximate mark and the explanation given; notes of what was done."""
    notes = []
    new_entry["approximate"] = options.approximate
    if old_entry.get("approximate") and not options.approximate:
        notes.append(Note("approximate-dropped", "the previous geometry was marked approximate and the "
                          "new one is not (give the approximate parameter if it still is)"))
    if options.explanation is not None:
        if not options.explanation.strip():
            raise BoundaryError([Problem(file, feature_id, "the explanation parameter is empty; "
                                         "say why measured and stated differ")])
        new_entry["explanation"] = options.explanation.strip()
        notes.append(Note("explanation-set", "set the explanation given"))
    return notes


def _provenance(file: Path, imported: Imported, options: SwapOptions, source: str | None,
                licence: str | None, accuracy: float) -> dict[str, Any]:
    """The new geometry's provenance, as the manifest entry records it."""
    layer_text = f", layer {imported.layer}" if imported.layer else ""
    done = "; ".join(imported.notes) or "no changes needed"
    prepared = options.prepared
    provenance: dict[str, Any] = {
        "source": source or f"{Path(file).name} (not yet stated)",
        "licence": licence or "not yet stated",
        "method": prepared.method if prepared is not None else (
            f"Imported with hetao swap from {Path(file).name} ({imported.driver}, "
            f"{imported.source_crs}{layer_text}): {done}; validated and written as RFC 7946 GeoJSON."),
        "date": options.today or dt.date.today().isoformat(),
        "positional_accuracy_m": accuracy,
    }
    if prepared is not None and prepared.attribution:
        provenance["attribution"] = prepared.attribution
    return provenance


def _geometry_text(feature_id: str, kind: str, imported: Imported, prepared: Prepared | None) -> str:
    """The new geometry file's text: the prepared one, or the imported geometry as a
    FeatureCollection (a line's parts as pieces of their own)."""
    if prepared is not None:
        return prepared.geometry_text
    if kind == "line":
        parts = list(shapely.get_parts(imported.geometry))
        pieces = [(feature_id if len(parts) == 1 else f"{feature_id}-{i + 1}", part)
                  for i, part in enumerate(parts)]
    else:
        pieces = [(feature_id, imported.geometry)]
    # GEOS writes the coordinates (exactly: they read back to the same doubles), fast.
    return '{"type": "FeatureCollection", "features": [' + ", ".join(
        f'{{"type": "Feature", "id": {json.dumps(pid)}, "properties": {{}}, "geometry": '
        f'{shapely.to_geojson(part)}}}' for pid, part in pieces) + "]}\n"


def _new_failures(before: Zone, after: Zone, ids: list[str]) -> list[CheckResult]:
    """The zone's geometric checks that passed before the swap and fail after it.

    ``ids`` are the features the swap changes: where each is the same, coordinate for
    coordinate, nothing they bound is any different, and there is nothing to check; only
    the checks a changed feature can affect are run.
    """
    old = {b.id: b.geometry for b in before.features}
    changed = [b.id for b in after.features
               if b.id in ids and not (b.id in old and shapely.equals_exact(old[b.id], b.geometry, 0.0))]
    if not changed:
        return []
    failing = [check for check in geometric_checks(after, changed) if not check.ok]
    if not failing:
        return []
    passed = {check.name: check.ok for check in geometric_checks(before, changed)}
    return [check for check in failing if passed.get(check.name, True)]


def _refuse(broken: list[CheckResult], plans: list[_Plan]) -> None:
    """Raise the refusal of the ``broken`` checks that the plans' options do not allow, if any."""
    refused = [check for check in broken if not all(_allows(plan, check) for plan in plans)]
    if refused:
        raise _refusal(refused, plans)


def _allows(plan: _Plan, check: CheckResult) -> bool:
    """Whether the plan's options accept ``check`` failing (the overlap check: either option)."""
    return plan.allow_failing_checks or (check.name == OVERLAP_CHECK and plan.allow_overlap)


def _refusal(refused: list[CheckResult], plans: list[_Plan]) -> BoundaryError:
    """The one-line refusal of a swap that breaks the ``refused`` checks, naming each with its
    figures (and, where the sides no longer meet, the datum that may be the cause)."""
    first = next(plan for plan in plans if not _allows(plan, refused[0]))
    if len(refused) == 1 and refused[0].name == OVERLAP_CHECK:
        return BoundaryError([Problem(first.file, first.feature_id, (
            f"the new geometry makes the two sides overlap ({refused[0].detail}); fix it, or give the "
            "allow_overlap parameter to swap it in anyway"))])
    named = "; ".join(f"'{check.name}' ({check.detail})" for check in refused)
    hint = ""
    if any(check.name == MEET_CHECK for check in refused) and not first.datum_given:
        hint = ("; if the file was traced on a Chinese web map, convert it: give the datum parameter "
                "gcj02 (Amap, Tencent) or bd09 (Baidu)")
    return BoundaryError([Problem(first.file, first.feature_id, (
        f"the new geometry fails the check{'s' if len(refused) > 1 else ''} {named}, which passed "
        f"before{hint}; fix it, or give the allow_failing_checks parameter to swap it in anyway"))])


def _allowed_note(check: CheckResult) -> Note:
    """The note of a check that now fails, as allowed."""
    if check.name == OVERLAP_CHECK:
        return Note("overlap-allowed", f"the sides now overlap ({check.detail}): allowed as asked")
    return Note("check-failure-allowed", f"the check '{check.name}' now fails ({check.detail}): "
                "allowed as asked")


def _unscratch(problem: str, scratch: Path, folder: Path, renames: dict[str, Path],
               fallback: Path) -> Problem:
    """A problem found on the scratch copy, told of the user's own files and folder
    (``renames``: new geometry file, relative to the folder -> the file it came from)."""
    def fix(text: str) -> str:
        for relative, file in renames.items():
            text = text.replace(str(scratch / relative), str(file))
        return text.replace(str(scratch), str(folder))
    if isinstance(problem, Problem):
        return Problem(fix(problem.file), problem.feature, fix(problem.message))
    return Problem(str(fallback), None, fix(str(problem)))


def diff_previous(feature_id: str, *, boundaries: Path | str | None = None) -> Diff:
    """What the last swap of ``feature_id`` changed: the feature and the unions built from it,
    with each stated figure's status before and after.

    Raises
    ------
    BoundaryError
        If the feature was never swapped.
    """
    folder = resolve_folder(boundaries)
    now = load_zone(folder)
    feature_id = renamed(folder, feature_id)
    before, version = previous_zone(feature_id, boundaries=folder)
    ids = affected_ids(now, feature_id)
    return Diff(tuple(diff_zones(before, now, ids)), f"before swap {version.name}", "now")
