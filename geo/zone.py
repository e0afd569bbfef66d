"""Loading a boundaries folder: one straight pipeline.

:func:`load_zone` reads everything (the manifest, then every file it names, collecting
every problem) → validates across files (:func:`hetao.validate.cross_file`) → assembles
(faces from their lines, unions from their parts) → a :class:`~hetao.model.Zone`.
Measuring (:mod:`hetao.measurement`) and checking (:mod:`hetao.checks`) follow; no step
calls back into an earlier one.
"""

from __future__ import annotations

from typing import Any

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from ._compat import moved
from .errors import BoundaryError, HetaoError, Problem
from .faces import build_face
from .geojson import LineDefaults, read_geometry_file, read_line_file
from .manifest import MANIFEST_NAME, load_manifest
from .model import ContextLayer, Feature, Line, Manifest, Piece, Zone
from .validate import border_line, cross_file

__all__ = ["Contents", "default_boundaries_dir", "resolve_folder", "read_folder", "assemble", "load_zone"]

logger = logging.getLogger(__name__)

#: How often a folder is read again when a swap committed while it was read.
_READS = 3


def default_boundaries_dir() -> Path:
    """The boundaries folder shipped with hetao (the package ``hetao.boundaries``).

    Raises
    ------
    HetaoError
        If the installed package lacks it (a broken install), or it is not on the file system.
    """
    from importlib.resources import files

    folder = files("hetao.boundaries")
    if not isinstance(folder, Path) or not (folder / MANIFEST_NAME).is_file():
        raise HetaoError(f"the shipped boundaries were not found in the installed package "
                         f"({folder}); reinstall hetao, or give a boundaries folder")
    return folder


def resolve_folder(folder: Path | str | None) -> Path:
    """``folder`` as a path; the shipped boundaries when ``None``."""
    return Path(folder) if folder is not None else default_boundaries_dir()


@dataclass
class Contents:
    """Everything a boundaries folder holds, read and each file checked on its own.

    Attributes
    ----------
    manifest : the parsed manifest.
    geometries : each polygon or point read from a file: id -> (geometry, file).
    lines : each line feature, with its pieces.
    context : the context layers.
    problems : every problem found while reading (the folder loads only without any).
    """

    manifest: Manifest
    geometries: dict[str, tuple[BaseGeometry, Path]] = field(default_factory=dict)
    lines: dict[str, Line] = field(default_factory=dict)
    context: list[ContextLayer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _resolve(folder: Path, relative: str, label: str, problems: list[str]) -> Path | None:
    """The path of a geometry file, if it stays inside the folder."""
    path = folder / relative
    try:
        real = path.resolve(strict=False)
        root = folder.resolve()
    except (OSError, RuntimeError):
        problems.append(Problem(path, label, "cannot be opened: the path is a symlink loop"))
        return None
    if root != real and root not in real.parents:
        problems.append(Problem(folder / MANIFEST_NAME, label, (
            f"geometry path '{relative}' leads outside the boundaries folder; keep "
            "geometry files inside it")))
        return None
    return path


def read_folder(folder: Path, already_checked: Mapping[Path, BaseGeometry] | None = None) -> Contents:
    """Read the manifest and every file it names, collecting every problem.

    Parameters
    ----------
    folder : Path
        The boundaries folder.
    already_checked : mapping, optional
        Geometry files (resolved paths) whose checked geometry is already in hand (a
        swap's new file): they are not read again.

    Raises
    ------
    BoundaryError
        For a manifest that cannot be parsed (file problems are collected in the result).
    """
    known = already_checked or {}
    read = Contents(load_manifest(folder))
    for spec in read.manifest.features:
        if spec.geometry is None:
            continue
        path = _resolve(folder, spec.geometry, spec.id, read.problems)
        if path is None:
            continue
        try:
            if spec.kind == "line":
                defaults = LineDefaults(spec.name_en, spec.name_zh, spec.provenance)
                read.lines[spec.id] = Line(spec, read_line_file(path, spec.id, defaults), path)
            elif path.resolve() in known:
                read.geometries[spec.id] = (known[path.resolve()], path)
            else:
                read.geometries[spec.id] = (read_geometry_file(path, spec.id, spec.kind), path)
        except BoundaryError as exc:
            read.problems.extend(exc.problems)
    for context in read.manifest.context:
        path = _resolve(folder, context.geometry, f"context {context.id}", read.problems)
        if path is None:
            continue
        try:
            read.context.append(ContextLayer(context, read_geometry_file(path, context.id, "context"), path))
        except BoundaryError as exc:
            read.problems.extend(exc.problems)
    return read


def assemble(read: Contents, problems: list[str] | None = None) -> Zone:
    """The zone from a folder's checked contents: faces built from their lines, unions from
    their parts.

    Raises
    ------
    BoundaryError
        With ``problems`` (those found before) and every face its lines do not enclose.
    """
    manifest = read.manifest
    problems = list(problems or ())
    built: dict[str, tuple[BaseGeometry, tuple[tuple[str, tuple[Piece, ...]], ...]]] = {}
    for spec in manifest.features:
        if spec.bounded_by and all(i in read.lines for _, ids in spec.bounded_by for i in ids):
            edges = tuple((label, tuple(p for i in ids for p in read.lines[i].pieces))
                          for label, ids in spec.bounded_by)
            try:
                built[spec.id] = (build_face(spec.id, edges, str(manifest.folder / MANIFEST_NAME)), edges)
            except BoundaryError as exc:
                problems.extend(exc.problems)
    if problems:
        raise BoundaryError(problems)
    geometry = {fid: g for fid, (g, _) in read.geometries.items()} | {fid: g for fid, (g, _) in built.items()}
    features = []
    for spec in manifest.features:
        if spec.union_of:
            if all(p in geometry for p in spec.union_of):
                features.append(Feature(spec, shapely.union_all([geometry[p] for p in spec.union_of]), None))
        elif spec.id in built:
            features.append(Feature(spec, built[spec.id][0], None, built[spec.id][1]))
        elif spec.id in read.geometries:
            features.append(Feature(spec, *read.geometries[spec.id]))
    return Zone(manifest, tuple(features), tuple(read.context), tuple(read.lines.values()))


def _load(folder: Path, already_checked: Mapping[Path, BaseGeometry] | None) -> Zone:
    """Read → validate across files → assemble."""
    read = read_folder(folder, already_checked)
    border = border_line(read.lines, read.context)
    return assemble(read, [*read.problems, *cross_file(read.geometries, border)])


def load_zone(folder: Path | str | None = None, *,
              already_checked: Mapping[Path, BaseGeometry] | None = None) -> Zone:
    """Load and check a boundaries folder.

    Parameters
    ----------
    folder : path, optional
        The folder holding ``manifest.json``; the shipped boundaries by default.
    already_checked : mapping, optional
        Geometry files (resolved paths) whose checked geometry is already in hand: not
        read again (see :func:`read_folder`).

    Returns
    -------
    Zone
        Every feature with its checked geometry, unions computed.

    Raises
    ------
    BoundaryError
        Listing every problem in the manifest and every geometry file.

    Examples
    --------
    >>> zone = load_zone()
    >>> zone.feature("hong-kong-park").spec.side
    'hong_kong'
    """
    folder = resolve_folder(folder)
    logger.debug("loading boundaries from %s", folder)
    # A swap commits by renaming the manifest, then removes the old geometry file: a read
    # that overlapped it may miss a file. It is read again, from the new manifest.
    for attempt in range(1, _READS + 1):
        stamp = _stamp(folder)
        try:
            return _load(folder, already_checked)
        except BoundaryError:
            if attempt == _READS or _stamp(folder) == stamp:
                raise
            logger.info("%s changed while it was read (a swap or undo committed): reading it again",
                        folder / MANIFEST_NAME)
    raise BoundaryError([Problem(folder, None, "changed on every read; try again")])


def _stamp(folder: Path) -> tuple[int, int, int] | None:
    try:
        info = (folder / MANIFEST_NAME).stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


#: Names that moved in 0.3.0: still found here for one release, with a FutureWarning.
_MOVED = {
    "Boundary": "hetao.model",
    "ContextLayer": "hetao.model",
    "BORDER_LAYER": "hetao.validate",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _MOVED)
