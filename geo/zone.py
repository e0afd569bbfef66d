"""A boundaries folder loaded whole: the manifest with every feature's checked geometry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, HetaoError, Problem
from .faces import Piece, build_face
from .geometry import datum_problem, read_geometry_file, read_line_file
from .manifest import ContextSpec, FeatureSpec, Manifest, load_manifest

__all__ = ["BORDER_LAYER", "Boundary", "Line", "ContextLayer", "Zone", "default_boundaries_dir",
           "load_zone"]

logger = logging.getLogger(__name__)

#: The line (or context layer) holding the HK-Shenzhen border, used to spot datum-shifted geometry.
BORDER_LAYER = "hk-sz-border"


@dataclass(frozen=True)
class Line:
    """A line feature: a road or river line that bounds polygons, made of pieces."""

    spec: FeatureSpec
    pieces: tuple[Piece, ...]
    file: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def geometry(self) -> BaseGeometry:
        """All the line's pieces (a LineString, or a MultiLineString of several)."""
        parts = [p.geometry for p in self.pieces]
        return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)


@dataclass(frozen=True)
class Boundary:
    """A feature of the zone with its geometry (WGS84 lon/lat, rings oriented).

    ``edges`` holds, for a polygon built from lines, each edge's label and pieces.
    """

    spec: FeatureSpec
    geometry: BaseGeometry
    file: Path | None
    edges: tuple[tuple[str, tuple[Piece, ...]], ...] = ()

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The feature as a GeoJSON Feature (WGS84), its manifest facts as properties."""
        spec = self.spec
        return {
            "type": "Feature",
            "id": spec.id,
            "properties": {
                "id": spec.id, "name_en": spec.name_en, "name_zh": spec.name_zh,
                "side": spec.side, "kind": spec.kind, "approximate": spec.approximate,
                "part_of": spec.part_of, "union_of": list(spec.union_of),
            },
            "geometry": shapely.geometry.mapping(self.geometry),
        }


@dataclass(frozen=True)
class ContextLayer:
    """A context layer for the map."""

    spec: ContextSpec
    geometry: BaseGeometry
    file: Path


@dataclass(frozen=True)
class Zone:
    """Everything a boundaries folder holds, checked."""

    manifest: Manifest
    features: tuple[Boundary, ...]
    context: tuple[ContextLayer, ...]
    lines: tuple[Line, ...] = ()

    @property
    def folder(self) -> Path:
        return self.manifest.folder

    def feature(self, feature_id: str) -> Boundary:
        """The polygon or point with this id (KeyError if none)."""
        for boundary in self.features:
            if boundary.id == feature_id:
                return boundary
        raise KeyError(feature_id)

    def line(self, line_id: str) -> Line:
        """The line with this id (KeyError if none)."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The zone's features as a GeoJSON FeatureCollection (WGS84 lon/lat).

        Examples
        --------
        >>> zone = load_zone()
        >>> [f["id"] for f in zone.__geo_interface__["features"]][:2]
        ['hong-kong-park', 'shenzhen-park']
        """
        return {"type": "FeatureCollection",
                "features": [b.__geo_interface__ for b in self.features]}

    def attributions(self) -> list[str]:
        """Each attribution with every licence given under it, in full, once each.

        Examples
        --------
        >>> load_zone().attributions()[0].startswith("© OpenStreetMap contributors (ODbL-1.0")
        True
        """
        grouped: dict[str, list[str]] = {}
        specs = [b.spec for b in self.features] + [ln.spec for ln in self.lines]
        for prov in [s.provenance for s in specs] + [c.spec.provenance for c in self.context]:
            licences = grouped.setdefault(prov.attribution or "", [])
            if prov.licence not in licences:
                licences.append(prov.licence)
        return [f"{who} ({'; '.join(licences)})" if who else "; ".join(licences)
                for who, licences in grouped.items()]

    def sides(self) -> dict[str, BaseGeometry]:
        """Each side's whole polygon: the union of its polygons that are not parts."""
        whole: dict[str, list[BaseGeometry]] = {}
        for b in self.features:
            if b.spec.kind == "polygon" and b.spec.part_of is None:
                whole.setdefault(b.spec.side, []).append(b.geometry)
        return {side: shapely.union_all(geoms) for side, geoms in whole.items()}


def default_boundaries_dir() -> Path:
    """The boundaries folder shipped with hetao (the package ``hetao.boundaries``).

    Raises
    ------
    HetaoError
        If the installed package lacks it (a broken install), or it is not on the file system.
    """
    from importlib.resources import files

    folder = files("hetao.boundaries")
    if not isinstance(folder, Path) or not (folder / "manifest.json").is_file():
        raise HetaoError(f"the shipped boundaries were not found in the installed package "
                         f"({folder}); reinstall hetao, or give a boundaries folder")
    return folder


def _resolve(folder: Path, relative: str, manifest_name: str, label: str,
             problems: list[Problem]) -> Path | None:
    path = folder / relative
    try:
        real = path.resolve(strict=False)
        root = folder.resolve()
    except (OSError, RuntimeError):
        problems.append(Problem(path, label, "cannot be opened: the path is a symlink loop"))
        return None
    if root != real and root not in real.parents:
        problems.append(Problem(manifest_name, label, (
            f"geometry path '{relative}' leads outside the boundaries folder; keep "
            "geometry files inside it")))
        return None
    return path


def load_zone(folder: Path | str | None = None) -> Zone:
    """Load and check a boundaries folder.

    Parameters
    ----------
    folder : path, optional
        The folder holding ``manifest.json``; the shipped boundaries by default.

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
    folder = Path(folder) if folder is not None else default_boundaries_dir()
    logger.debug("loading boundaries from %s", folder)
    # A swap commits by renaming the manifest, then removes the old geometry file: a read
    # that overlapped it may miss a file. It is read again, from the new manifest.
    for attempt in range(3):
        stamp = _stamp(folder)
        try:
            return _load(folder)
        except BoundaryError:
            if attempt == 2 or _stamp(folder) == stamp:
                raise
            logger.info("%s changed while it was read (a swap or undo committed): reading it again",
                        folder / "manifest.json")
    raise AssertionError("unreachable")


def _stamp(folder: Path) -> tuple[int, int, int] | None:
    try:
        info = (folder / "manifest.json").stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _load(folder: Path, known: dict[Path, BaseGeometry] | None = None) -> Zone:
    """Load ``folder``; ``known`` maps geometry files (resolved paths) to the checked
    geometry they hold, already in hand (a swap's new file), which is then not read again."""
    known = known or {}
    manifest = load_manifest(folder)
    manifest_name = str(folder / "manifest.json")
    problems: list[Problem] = []
    geometries: dict[str, tuple[BaseGeometry, Path]] = {}
    lines: dict[str, Line] = {}
    for spec in manifest.features:
        if spec.kind == "line":
            path = _resolve(folder, spec.geometry, manifest_name, spec.id, problems)
            if path is not None:
                try:
                    lines[spec.id] = Line(spec, _pieces(spec, read_line_file(path, spec.id)), path)
                except BoundaryError as exc:
                    problems.extend(exc.problems)
            continue
        if spec.geometry is None:
            continue
        path = _resolve(folder, spec.geometry, manifest_name, spec.id, problems)
        if path is None:
            continue
        if path.resolve() in known:
            geometries[spec.id] = (known[path.resolve()], path)
            continue
        try:
            geometries[spec.id] = (read_geometry_file(path, spec.id, spec.kind), path)
        except BoundaryError as exc:
            problems.extend(exc.problems)
    context = []
    for spec in manifest.context:
        path = _resolve(folder, spec.geometry, manifest_name, f"context {spec.id}", problems)
        if path is None:
            continue
        try:
            context.append(ContextLayer(spec, read_geometry_file(path, spec.id, "context"), path))
        except BoundaryError as exc:
            problems.extend(exc.problems)
    # The HK-Shenzhen border, a line or a context layer: what datum-shifted geometry misses.
    border = lines[BORDER_LAYER].geometry if BORDER_LAYER in lines else next(
        (c.geometry for c in context if c.spec.id == BORDER_LAYER), None)
    if border is not None:
        # Polygons only: every zone polygon runs along the river, a road line need not.
        checked = [(fid, g, p) for fid, (g, p) in geometries.items()]
        for fid, geometry, path in checked:
            message = datum_problem(geometry, border)
            if message:
                problems.append(Problem(path, fid, message))
    edges_of: dict[str, tuple] = {}
    for spec in manifest.features:
        if spec.bounded_by and all(i in lines for _, ids in spec.bounded_by for i in ids):
            edges = tuple((label, tuple(p for i in ids for p in lines[i].pieces))
                          for label, ids in spec.bounded_by)
            try:
                face = build_face(spec.id, [(label, list(pieces)) for label, pieces in edges], manifest_name)
            except BoundaryError as exc:
                problems.extend(exc.problems)
                continue
            geometries[spec.id] = (face, None)
            edges_of[spec.id] = edges
    features = []
    for spec in manifest.features:
        if spec.kind == "line":
            continue
        if spec.union_of:
            parts = [geometries[p][0] for p in spec.union_of if p in geometries]
            if len(parts) == len(spec.union_of):
                features.append(Boundary(spec, shapely.union_all(parts), None))
        elif spec.id in geometries:
            geometry, path = geometries[spec.id]
            features.append(Boundary(spec, geometry, path, edges_of.get(spec.id, ())))
    if problems:
        raise BoundaryError(problems)
    return Zone(manifest, tuple(features), tuple(context), tuple(lines.values()))


def _pieces(spec: FeatureSpec, raw: list) -> tuple[Piece, ...]:
    """A line file's pieces, each with the line's provenance where it gives none of its own."""
    prov = spec.provenance
    return tuple(Piece(
        line_id=spec.id, piece_id=p["id"],
        name_en=p.get("name_en", spec.name_en), name_zh=p.get("name_zh", spec.name_zh),
        geometry=p["geometry"],
        accuracy_m=float(p.get("positional_accuracy_m", prov.positional_accuracy_m)),
        source=p.get("source", prov.source), method=p.get("method", prov.method),
        derived=p.get("derived", False)) for p in raw)
