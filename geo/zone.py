"""Loading a boundaries folder: one straight pipeline.

:func:`load_zone` reads everything (the manifest, then every file it names, collecting
every problem) → validates across files (:func:`hetao.validate.cross_file`) → assembles
(faces from their lines, unions from their parts) → a :class:`~hetao.model.Zone`.
Measuring (:mod:`hetao.measurement`) and checking (:mod:`hetao.checks`) follow; no step
calls back into an earlier one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from . import settings
from ._compat import moved
from .errors import BoundaryError, HetaoError, InstalledFolderError, Problem
from .faces import build_face
from .files import write_files_atomic
from .geojson import LineDefaults, read_geometry_file, read_line_file
from .manifest import MANIFEST_NAME, load_manifest
from .model import ContextLayer, Feature, Line, Manifest, Piece, Zone, ZoneLike
from .validate import border_line, cross_file

__all__ = ["Contents", "as_zone", "default_boundaries_dir", "resolve_folder", "installed_boundaries",
           "installed_folder_error", "writable_folder", "copy_boundaries", "read_folder", "assemble",
           "load_zone"]

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
    """``folder`` as a path; when ``None``, :data:`hetao.settings.boundaries`, else the
    environment variable ``HETAO_BOUNDARIES``, else the shipped boundaries."""
    if folder is not None:
        return Path(folder)
    chosen = settings.boundaries or os.environ.get(settings.BOUNDARIES_ENV) or None
    return Path(chosen).expanduser() if chosen else default_boundaries_dir()


def _source_checkout(root: Path) -> bool:
    """Whether ``root`` is a checkout of hetao's sources (an editable install runs from one)."""
    return (root / "pyproject.toml").is_file() and (root / "geo").is_dir()


def installed_boundaries(folder: Path | str) -> bool:
    """Whether ``folder`` is the boundaries folder shipped inside an installed package (a
    wheel, not an editable install of a checkout), which hetao never writes into.

    Examples
    --------
    >>> installed_boundaries("my-boundaries")
    False
    """
    try:
        shipped = default_boundaries_dir().resolve()
    except HetaoError:
        return False
    if Path(folder).resolve() != shipped:
        return False
    in_packages = any(part in ("site-packages", "dist-packages") for part in shipped.parts)
    return in_packages or not _source_checkout(shipped.parent)


def installed_folder_error(folder: Path | str) -> InstalledFolderError:
    """The refusal to write into the installed boundaries ``folder``, with the way out."""
    return InstalledFolderError(
        f"{folder} is the boundaries folder inside the installed hetao package, which hetao never "
        "changes (a reinstall would lose the change): copy it to a folder of your own with "
        "hetao.copy_boundaries(DIR) (the command hetao copy-boundaries DIR), then use it: set the "
        f"environment variable {settings.BOUNDARIES_ENV}=DIR, or give the boundaries parameter",
        folder=str(folder))


def writable_folder(folder: Path | str | None) -> Path:
    """The boundaries folder a writer (swap, undo, refresh with ``apply``) uses, as
    :func:`resolve_folder` gives it.

    Raises
    ------
    InstalledFolderError
        If it is the folder shipped inside an installed package (nothing is written).
    """
    path = resolve_folder(folder)
    if installed_boundaries(path):
        raise installed_folder_error(path)
    return path


def copy_boundaries(dest: Path | str) -> list[Path]:
    """Copy the shipped boundaries (manifest, geometry, lines, context layers and README,
    with their provenance) into ``dest``, a folder of one's own to swap, undo and refresh in.

    Use it by default with ``HETAO_BOUNDARIES=dest`` (or :data:`hetao.settings.boundaries`),
    or pass it as the ``boundaries`` parameter. Returns the files written.

    Raises
    ------
    BoundaryError
        If ``dest`` exists and is not an empty folder (nothing is written).
    InstalledFolderError
        If ``dest`` lies inside the installed package's boundaries.
    HetaoIOError
        If the files cannot be written (none is left behind).
    """
    source, dest = default_boundaries_dir(), Path(dest)
    if installed_boundaries(source) and dest.resolve().is_relative_to(source.resolve()):
        raise installed_folder_error(source)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        what = "a folder that is not empty" if dest.is_dir() else "not a folder"
        raise BoundaryError([Problem(dest, None, f"is {what}; name a new or empty folder to copy "
                                     "the shipped boundaries into")])
    skipped = {"__init__.py", "__pycache__"}
    files: dict[Path, bytes | str] = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not skipped & set(relative.parts) and path.suffix != ".pyc":
            files[dest / relative] = path.read_bytes()
    write_files_atomic(files)
    logger.info("copied %d files from %s to %s", len(files), source, dest)
    return list(files)


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


def _real(path: Path) -> Path | None:
    """The path resolved (``None`` for a symlink loop)."""
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        return None


def _resolve(folder: Path, relative: str, label: str, problems: list[str],
             root: Path | None) -> Path | None:
    """The path of a geometry file, if it stays inside the folder (``root``: the folder
    resolved, once for all its files)."""
    path = folder / relative
    real = _real(path)
    if real is None or root is None:
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
    root = _real(folder)
    for spec in read.manifest.features:
        if spec.geometry is None:
            continue
        path = _resolve(folder, spec.geometry, spec.id, read.problems, root)
        if path is None:
            continue
        try:
            if spec.kind == "line":
                defaults = LineDefaults(spec.name_en, spec.name_zh, spec.provenance)
                read.lines[spec.id] = Line(spec, read_line_file(path, spec.id, defaults), path)
            elif known and path.resolve() in known:
                read.geometries[spec.id] = (known[path.resolve()], path)
            else:
                read.geometries[spec.id] = (read_geometry_file(path, spec.id, spec.kind), path)
        except BoundaryError as exc:
            read.problems.extend(exc.problems)
    for context in read.manifest.context:
        path = _resolve(folder, context.geometry, f"context {context.id}", read.problems, root)
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


def as_zone(zone: ZoneLike | None) -> Zone:
    """The zone given: a :class:`~hetao.model.Zone` itself, or its boundaries folder (a str
    or a path) loaded; ``None``: the default folder (:func:`resolve_folder`).

    Raises
    ------
    TypeError
        For anything else, naming what is accepted.
    """
    if isinstance(zone, Zone):
        return zone
    if zone is not None and not isinstance(zone, (str, os.PathLike)):
        raise TypeError(f"a zone is a hetao.Zone, or its boundaries folder as a str or a path; "
                        f"not {type(zone).__name__}")
    return load_zone(None if zone is None else Path(zone))


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
