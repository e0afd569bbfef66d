"""The history of a boundaries folder: what each swap kept, and putting it back.

Every swap keeps the previous version of what it changed in
``<boundaries>/history/<feature>/<NNNN>/``: the old manifest entry (``entry.json``), the old
geometry bytes (``geometry.geojson``), the whole manifest before and after
(``manifest.json``, ``manifest.after.json``) and a record of the swap (``swap.json``).
:func:`undo` puts the latest back; :func:`previous_zone` rebuilds the zone as it was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import BoundaryError, Problem
from .files import read_json, write_files_atomic
from .locking import folder_lock
from .manifest import MANIFEST_NAME, current_id, manifest_text
from .model import Zone
from .zone import load_zone, resolve_folder, writable_folder

__all__ = ["HISTORY", "read_manifest", "history_dir", "latest_version", "manifest_entry", "scratch_copy",
           "unscratched", "referenced", "remove_file", "remove_empty", "previous_version",
           "previous_zone", "undo", "renamed"]

logger = logging.getLogger(__name__)

#: The folder inside a boundaries folder that keeps what each swap replaced.
HISTORY = "history"


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path`` as its JSON object.

    Raises
    ------
    BoundaryError
        If it is not JSON, or not an object with a ``features`` list.
    """
    data = read_json(path, str(path))
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError([Problem(str(path), None, (
            "must be a JSON object with a 'features' list (see boundaries/README.md)"))])
    return data


def renamed(folder: Path, feature_id: str) -> str:
    """``feature_id`` as the folder's manifest names it now: an old id of a renamed feature
    (:data:`hetao.manifest.RENAMED`) gives the new one."""
    try:
        features = read_manifest(folder / MANIFEST_NAME)["features"]
    except BoundaryError:
        return feature_id
    return current_id(feature_id, (str(e.get("id")) for e in features if isinstance(e, dict)))


def manifest_entry(manifest: dict[str, Any], feature_id: str, manifest_path: Path) -> dict[str, Any]:
    """The manifest's entry for ``feature_id`` (its JSON object).

    Raises
    ------
    BoundaryError
        Naming the features there are, when there is no such feature.
    """
    for entry in manifest.get("features", []):
        if isinstance(entry, dict) and entry.get("id") == feature_id:
            return entry
    ids = ", ".join(str(e.get("id")) for e in manifest.get("features", []) if isinstance(e, dict))
    raise BoundaryError([Problem(manifest_path, feature_id, f"no such feature; the features are {ids}")])


def history_dir(folder: Path, feature_id: str) -> Path:
    """Where the history of ``feature_id`` is kept."""
    return folder / HISTORY / feature_id


def latest_version(folder: Path, feature_id: str) -> Path | None:
    """The latest history entry of ``feature_id`` (committed or not), if any."""
    root = history_dir(folder, feature_id)
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()) if root.is_dir() else []
    return versions[-1] if versions else None


def scratch_copy(folder: Path) -> Path:
    """A copy of ``folder`` without its history, as ``<scratch>/b``; the caller removes
    ``<scratch>``."""
    scratch = Path(tempfile.mkdtemp(prefix="hetao-"))
    shutil.copytree(folder, scratch / "b", ignore=shutil.ignore_patterns(HISTORY), symlinks=True)
    return scratch


def referenced(manifest: dict[str, Any], relative: str) -> bool:
    """Whether any manifest entry names the file ``relative``."""
    entries = manifest.get("features", []) + manifest.get("context", [])
    return any(isinstance(e, dict) and e.get("geometry") == relative for e in entries)


def remove_file(path: Path) -> None:
    """Remove a file, if it is there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_empty(*folders: Path) -> None:
    """Remove each folder in turn while it is empty (the first that is not stops it)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            break


def unscratched(text: str, scratch: Path, folder: Path) -> str:
    """``text`` (a message about a scratch copy) told of the user's own folder."""
    return text.replace(str(scratch), str(folder))


def previous_version(folder: Path, feature_id: str, clean: bool = False) -> tuple[Path, dict]:
    """The history entry of the swap that made the feature's current version, and its record.

    Entries left by a swap that was killed before it committed (their new geometry is not
    the one the manifest names) are skipped, and removed when ``clean``.

    Raises
    ------
    BoundaryError
        If the current version was not made by hetao swap.
    """
    folder = Path(folder)
    manifest = read_manifest(folder / MANIFEST_NAME)
    current = manifest_entry(manifest, feature_id, folder / MANIFEST_NAME).get("geometry")
    root = history_dir(folder, feature_id)
    versions = sorted((p for p in root.iterdir() if p.is_dir() and p.name.isdigit()),
                      reverse=True) if root.is_dir() else []
    for version in versions:
        try:
            record = json.loads((version / "swap.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
        if record.get("new_geometry") == current and (version / "manifest.json").is_file():
            return version, record
        if clean:
            shutil.rmtree(version, ignore_errors=True)   # a swap that never committed
    raise BoundaryError([Problem(folder / HISTORY, feature_id, (
            "has no earlier version to restore or compare (nothing was swapped in with hetao swap)"))])


def undo(feature_id: str, *, boundaries: Path | str | None = None) -> list[Path]:
    """Restore the version of ``feature_id`` before its last swap; return the files restored.

    Right after a swap the folder comes back byte for byte; if the manifest changed since,
    only this feature's entry is put back.

    Raises
    ------
    BoundaryError
        If the feature was never swapped.
    InstalledFolderError
        In the boundaries shipped inside an installed package (nothing is written there:
        copy them to a folder of your own with :func:`hetao.copy_boundaries`).
    """
    folder = writable_folder(boundaries)
    with folder_lock(folder):
        return _undo(folder, renamed(folder, feature_id))


def _undo(folder: Path, feature_id: str) -> list[Path]:
    version, record = previous_version(folder, feature_id, clean=True)
    members = [(feature_id, version, record)] + _batch_mates(folder, feature_id, record)
    manifest_path = folder / MANIFEST_NAME
    current = manifest_path.read_bytes()
    # Right after the swap (of this feature, or of the batch it was swapped in with, all
    # of it still there), the old manifest comes back byte for byte; otherwise just these
    # features' entries are put back.
    complete = not record.get("batch") or len(members) == len(record["batch"])
    if complete and current == (version / "manifest.after.json").read_bytes():
        restored_manifest: bytes | str = (version / "manifest.json").read_bytes()
    else:
        data = read_manifest(manifest_path)
        for fid, entry_version, _ in members:
            data = _with_old_entry(data, entry_version, fid)
        restored_manifest = manifest_text(data)
    files = [manifest_path]
    for _, entry_version, entry_record in members:
        old_geometry = entry_record.get("old_geometry")
        if old_geometry:
            write_files_atomic({folder / old_geometry: (entry_version / "geometry.geojson").read_bytes()})
            files.append(folder / old_geometry)
    write_files_atomic({manifest_path: restored_manifest})      # the commit
    for fid, entry_version, entry_record in members:
        old_geometry, new_geometry = entry_record.get("old_geometry"), entry_record.get("new_geometry")
        if new_geometry and new_geometry != old_geometry:
            remove_file(folder / new_geometry)
        shutil.rmtree(entry_version)
        remove_empty(history_dir(folder, fid), folder / HISTORY)
        logger.info("restored %s from %s", fid, entry_version)
    return files


def _batch_mates(folder: Path, feature_id: str, record: dict) -> list[tuple[str, Path, dict]]:
    """The other features swapped in with ``feature_id`` (``record``'s batch) whose current
    version is still the one that swap made: they go back with it, or the lines they share
    a junction with would no longer meet."""
    mates = []
    for other, number in (record.get("batch") or {}).items():
        if other == feature_id:
            continue
        try:
            entry_version, entry_record = previous_version(folder, other)
        except BoundaryError:
            continue        # undone since, or swapped again
        if int(entry_version.name) == number and entry_record.get("batch") == record["batch"]:
            mates.append((other, entry_version, entry_record))
    return mates


def _with_old_entry(manifest: dict, version: Path, feature_id: str) -> dict:
    old_entry = json.loads((version / "entry.json").read_text(encoding="utf-8"))
    manifest["features"] = [old_entry if isinstance(e, dict) and e.get("id") == feature_id else e
                            for e in manifest["features"]]
    return manifest


def previous_zone(feature_id: str, *, boundaries: Path | str | None = None) -> tuple[Zone, Path]:
    """The zone as it is, but with ``feature_id`` as it was before its last swap (and, when
    it was swapped in together with others, those too, as they were).

    Returns the zone and the history entry it was rebuilt from.

    Raises
    ------
    BoundaryError
        If the feature was never swapped.
    """
    folder = resolve_folder(boundaries)
    feature_id = renamed(folder, feature_id)
    version, record = previous_version(folder, feature_id)
    together = [(feature_id, version, record)] + _batch_mates(folder, feature_id, record)
    scratch = scratch_copy(folder)
    try:
        manifest = read_manifest(folder / MANIFEST_NAME)
        for fid, entry_version, entry_record in together:
            manifest = _with_old_entry(manifest, entry_version, fid)
            if entry_record.get("old_geometry"):
                target = scratch / "b" / entry_record["old_geometry"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(entry_version / "geometry.geojson", target)
        (scratch / "b" / MANIFEST_NAME).write_text(manifest_text(manifest), encoding="utf-8")
        try:
            return load_zone(scratch / "b"), version
        except BoundaryError as exc:
            before = f"as before swap {version.name} of {feature_id}: "
            raise BoundaryError([_told_as_before(p, before, scratch / "b", folder)
                                 for p in exc.problems]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _told_as_before(problem: str, before: str, scratch: Path, folder: Path) -> Problem:
    """A problem found loading the rebuilt zone from ``scratch``, told of the user's folder
    (``before``: which version the zone was rebuilt as)."""
    if isinstance(problem, Problem):
        return Problem(unscratched(problem.file, scratch, folder), problem.feature,
                       before + unscratched(problem.message, scratch, folder))
    return Problem(folder, None, before + unscratched(str(problem), scratch, folder))
