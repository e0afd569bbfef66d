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
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from ._diff import affected_ids, diff_zones
from .errors import BoundaryError, HetaoIOError, Problem
from .files import read_json, write_files_atomic
from .history import (
    history_dir, latest_version, manifest_entry, previous_zone,
    referenced, remove_empty, remove_file, scratch_copy,
)
from .importer import Imported, read_boundary
from .locking import folder_lock
from .manifest import MANIFEST_NAME, manifest_text
from .measurement import measure_zone
from .model import AreaMeasurement, Diff, Measurement, Zone
from .zone import load_zone, resolve_folder

__all__ = ["SwapResult", "Prepared", "swap", "diff_previous"]

logger = logging.getLogger(__name__)


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
    notes : what was done to the file or the manifest entry, in words.
    """

    feature_id: str
    imported: Imported
    before: Zone
    after: Zone
    diff: Diff
    measurements: list[Measurement]
    written: list[Path] = field(default_factory=list)
    history: Path | None = None
    notes: list[str] = field(default_factory=list)
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
    entry_updates: dict = field(default_factory=dict)
    attribution: str | None = None


def swap(feature_id: str, file: Path | str, *, boundaries: Path | str | None = None,
         crs: str | None = None, layer: str | None = None, source: str | None = None,
         licence: str | None = None, accuracy: float | None = None, approximate: bool = False,
         explanation: str | None = None, keep_explanation: bool = False,
         allow_overlap: bool = False, datum: str | None = None, dry_run: bool = False,
         today: str | None = None) -> SwapResult:
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
    datum : {"gcj02", "bd09"}, optional
        The file's lon/lat come from a Chinese web map (Amap/Tencent GCJ-02, Baidu BD-09):
        convert them to WGS84 (needs ``pip install 'hetao[datum]'``).
    dry_run : bool
        Check, measure and compare; write nothing.

    Returns
    -------
    SwapResult
        With the diff (statuses before and after) and the new measurements.

    Raises
    ------
    BoundaryError
        For a bad file, a bad folder or missing provenance; nothing is written.
    """
    folder = resolve_folder(boundaries)
    if explanation is not None and keep_explanation:
        raise BoundaryError([Problem(file, feature_id, "give the explanation parameter or the "
                                     "keep_explanation parameter, not both")])
    options = dict(crs=crs, layer=layer, source=source, licence=licence, accuracy=accuracy,
                   approximate=approximate, explanation=explanation,
                   keep_explanation=keep_explanation, allow_overlap=allow_overlap, datum=datum,
                   today=today)
    if dry_run:
        return _swap(folder, feature_id, Path(file), dry_run=True, **options)
    with folder_lock(folder):
        return _swap(folder, feature_id, Path(file), dry_run=False, **options)


def _swap(folder: Path, feature_id: str, file: Path, *, dry_run: bool, **options) -> SwapResult:
    """One swap: :func:`_swap_many` of one item."""
    return _swap_many(folder, [(feature_id, file, options)], dry_run=dry_run)[0]


def _swap_many(folder: Path, items: list[tuple[str, Path, dict]], *, dry_run: bool) -> list[SwapResult]:
    """Swap several features in at once: every item checked on one scratch copy holding all
    the new geometries, then one commit of the manifest. Each item keeps a history entry of
    its own (``hetao undo`` restores each; after a swap of several, each undo puts back just
    its own entry). ``options`` are :func:`swap`'s keyword parameters, ``prepared`` too."""
    ids = [feature_id for feature_id, _, _ in items]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise BoundaryError([Problem(items[0][1], twice[0], "is given twice in one swap; give each feature once")])
    before = load_zone(folder)
    manifest_path = folder / MANIFEST_NAME
    raw_manifest = manifest_path.read_bytes()
    manifest = read_json(manifest_path)
    new_manifest = copy.deepcopy(manifest)
    plans = []
    for feature_id, file, options in items:
        plan = _plan(folder, before, manifest, feature_id, file, dry_run=dry_run, **options)
        new_manifest["features"] = [plan.new_entry if isinstance(e, dict) and e.get("id") == feature_id
                                    else e for e in new_manifest["features"]]
        plans.append(plan)
    new_manifest_text = manifest_text(new_manifest)

    scratch = scratch_copy(folder)
    known = {}
    try:
        (scratch / "b" / MANIFEST_NAME).write_text(new_manifest_text, encoding="utf-8")
        for plan in plans:
            target = scratch / "b" / plan.geometry_rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(plan.geometry_text, encoding="utf-8")
            if plan.kind != "line":     # in hand, checked: not read again
                known[target.resolve()] = plan.imported.geometry
        after = load_zone(scratch / "b", already_checked=known)
    except BoundaryError as exc:
        # Name the user's files and folder, not the scratch copy (which is gone by now).
        renames = {plan.geometry_rel: plan.file for plan in plans}
        raise BoundaryError([_unscratch(p, scratch / "b", folder, renames, plans[0].file)
                             for p in exc.problems]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    affected = {plan.feature_id: affected_ids(after, plan.feature_id) for plan in plans}
    every = list(dict.fromkeys(i for ids in affected.values() for i in ids))
    measurements = measure_zone(after)
    overlap = _new_overlap(before, after, every)
    if overlap and not all(plan.allow_overlap for plan in plans):
        first = next(plan for plan in plans if not plan.allow_overlap)
        raise BoundaryError([Problem(first.file, first.feature_id, (
            f"the new geometry makes the two sides overlap ({overlap}); fix it, or give the "
            "allow_overlap parameter to swap it in anyway"))])
    diffs = diff_zones(before, after, every, after_measurements=measurements)
    results = []
    for plan in plans:
        if overlap:
            plan.notes.append(f"the sides now overlap ({overlap}): allowed as asked")
        mine = tuple(d for d in diffs if d.id in affected[plan.feature_id])
        results.append(SwapResult(plan.feature_id, plan.imported, before, after,
                                  Diff(mine, "before", "after swap"), measurements, notes=plan.notes,
                                  dry_run=dry_run))
    if dry_run:
        return results

    files: dict[Path, bytes | str] = {}
    batch = {plan.feature_id: plan.number for plan in plans} if len(plans) > 1 else None
    for plan in plans:
        plan.version = history_dir(folder, plan.feature_id) / f"{plan.number:04d}"
        record = {"feature": plan.feature_id, "date": plan.new_entry["provenance"]["date"],
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
    write_files_atomic(files)       # on failure it removes what it wrote
    try:
        write_files_atomic({manifest_path: new_manifest_text})       # the commit
    except HetaoIOError:
        # Not committed: take back the history entries and the new geometry files.
        for plan in plans:
            remove_file(folder / plan.geometry_rel)
            shutil.rmtree(plan.version, ignore_errors=True)
            remove_empty(plan.version.parent, plan.version.parent.parent)
        raise
    for plan, result in zip(plans, results):
        logger.info("swapped %s: %s, history in %s", plan.feature_id, plan.geometry_rel, plan.version)
        old_geometry = plan.old_entry.get("geometry")
        if old_geometry and not referenced(new_manifest, old_geometry):
            remove_file(folder / old_geometry)
        result.written = [folder / plan.geometry_rel, manifest_path]
        result.history = plan.version
    return results


@dataclass
class _Plan:
    """One item of a swap, worked out before anything is written."""

    feature_id: str
    file: Path
    kind: str
    imported: Imported
    old_entry: dict
    new_entry: dict
    geometry_rel: str
    geometry_text: str
    number: int
    notes: list[str]
    allow_overlap: bool
    version: Path | None = None


def _plan(folder: Path, before: Zone, manifest: dict, feature_id: str, file: Path, *,
          crs: str | None, layer: str | None, source: str | None, licence: str | None,
          accuracy: float | None, approximate: bool, explanation: str | None,
          keep_explanation: bool, allow_overlap: bool, datum: str | None, dry_run: bool,
          today: str | None, prepared: Prepared | None = None) -> _Plan:
    manifest_path = folder / MANIFEST_NAME
    old_entry = manifest_entry(manifest, feature_id, manifest_path)
    spec = before.manifest.feature(feature_id)
    source = source.strip() if isinstance(source, str) else source
    licence = licence.strip() if isinstance(licence, str) else licence
    if not dry_run:
        missing = [name for name, value in
                   (("source", source), ("licence", licence), ("accuracy", accuracy)) if not value and value != 0]
        if missing:
            raise BoundaryError([Problem(file, feature_id, (
                f"say where the new geometry comes from: give the {', '.join(missing)} "
                f"parameter{'s' if len(missing) > 1 else ''} (source and licence as non-empty "
                "text, positional accuracy in metres)"))])
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy > 0):
        raise BoundaryError([Problem(file, feature_id, (
            "the accuracy parameter must be a positive number of metres"))])
    imported = (prepared.imported if prepared is not None else
                read_boundary(file, spec.kind, feature_id, crs=crs, layer=layer, datum=datum))
    updates = prepared.entry_updates if prepared is not None else {}

    notes = list(imported.notes)
    latest = latest_version(folder, feature_id)
    number = int(latest.name) + 1 if latest else 1
    # A new file name each version: the manifest's rename is the one commit point, so a
    # swap killed at any moment leaves the old or the new version, never a mix.
    old_dir = Path(old_entry["geometry"]).parent.as_posix() if old_entry.get("geometry") else "."
    geometry_rel = (Path(old_dir) / f"{feature_id}.v{number}.geojson").as_posix()
    new_entry = copy.deepcopy(old_entry)
    for key, why in (("union_of", "it is now a geometry of its own, no longer a union"),
                     ("bounded_by", "it is now a geometry of its own, no longer the face its lines "
                                    "enclose (the lines stay, for the map and other polygons)"),
                     ("reconcile", "its strips ran along the edges of the previous definition"),
                     ("osm", "the new geometry is not a copy of the OpenStreetMap elements it names "
                             "(hetao refresh would fetch them back)"),
                     *([] if keep_explanation or explanation is not None else [
                         ("explanation", "it explained the previous geometry; give one (the "
                          "explanation parameter), or keep it (the keep_explanation parameter), "
                          "if measured and stated still differ")]),
                     ("notes", "they described the previous geometry")):
        if key in new_entry and key not in updates:
            del new_entry[key]
            notes.append(f"removed '{key}' from the manifest entry: {why}")
    new_entry.update(updates)
    new_entry["geometry"] = geometry_rel
    old_accuracy = (old_entry.get("provenance") or {}).get("positional_accuracy_m")
    if old_accuracy is None:
        # Built from lines, or a union: the accuracy its uncertainty amounts to.
        old = next(m for m in measure_zone(before) if m.id == feature_id)
        old_accuracy = (old.uncertainty_m2 / old.boundary_length_m
                        if isinstance(old, AreaMeasurement) and old.uncertainty_m2 and old.boundary_length_m
                        else 1.0)
    if accuracy is None:
        notes.append(f"no accuracy given: the uncertainty below assumes {round(old_accuracy, 1):g} m, "
                     "the previous geometry's")
    new_entry["approximate"] = approximate
    if old_entry.get("approximate") and not approximate:
        notes.append("the previous geometry was marked approximate and the new one is not "
                     "(give the approximate parameter if it still is)")
    if explanation is not None:
        if not explanation.strip():
            raise BoundaryError([Problem(file, feature_id, "the explanation parameter is empty; "
                                         "say why measured and stated differ")])
        new_entry["explanation"] = explanation.strip()
        notes.append("set the explanation given")
    layer_text = f", layer {imported.layer}" if imported.layer else ""
    done = "; ".join(imported.notes) or "no changes needed"
    new_entry["provenance"] = {
        "source": source or f"{Path(file).name} (not yet stated)",
        "licence": licence or "not yet stated",
        "method": prepared.method if prepared is not None else (
            f"Imported with hetao swap from {Path(file).name} ({imported.driver}, "
            f"{imported.source_crs}{layer_text}): {done}; validated and written as RFC 7946 GeoJSON."),
        "date": today or dt.date.today().isoformat(),
        "positional_accuracy_m": accuracy if accuracy is not None else old_accuracy,
    }
    if prepared is not None and prepared.attribution:
        new_entry["provenance"]["attribution"] = prepared.attribution
    # GEOS writes the coordinates (exactly: they read back to the same doubles), fast.
    if prepared is not None:
        pieces = []
    elif spec.kind == "line":
        parts = list(shapely.get_parts(imported.geometry))
        pieces = [(feature_id if len(parts) == 1 else f"{feature_id}-{i + 1}", part)
                  for i, part in enumerate(parts)]
    else:
        pieces = [(feature_id, imported.geometry)]
    geometry_text = prepared.geometry_text if prepared is not None else (
        '{"type": "FeatureCollection", "features": [' + ", ".join(
            f'{{"type": "Feature", "id": {json.dumps(pid)}, "properties": {{}}, "geometry": '
            f'{shapely.to_geojson(part)}}}' for pid, part in pieces) + "]}\n")

    return _Plan(feature_id, file, spec.kind, imported, old_entry, new_entry, geometry_rel,
                 geometry_text, number, notes, allow_overlap)


def _new_overlap(before: Zone, after: Zone, ids: list[str]) -> str | None:
    """What the sides' overlap check says after the swap, if it passed before and fails now.

    ``ids`` are the features the swap changes: where each is the same, coordinate for
    coordinate, the sides are too, and there is nothing to check.
    """
    from .checks import sides_overlap

    old = {b.id: b.geometry for b in before.features}
    if all(b.id in old and shapely.equals_exact(old[b.id], b.geometry, 0.0)
           for b in after.features if b.id in ids):
        return None
    now = sides_overlap(after)
    if now.ok or not sides_overlap(before).ok:
        return None
    return now.detail


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
    before, version = previous_zone(feature_id, boundaries=folder)
    ids = affected_ids(now, feature_id)
    return Diff(tuple(diff_zones(before, now, ids)), f"before swap {version.name}", "now")
