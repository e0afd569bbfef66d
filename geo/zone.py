"""A boundaries folder loaded whole: the manifest with every feature's checked geometry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, HetaoError, Problem
from .geometry import datum_problem, read_geometry_file
from .manifest import ContextSpec, FeatureSpec, Manifest, load_manifest

__all__ = ["BORDER_LAYER", "Boundary", "ContextLayer", "Zone", "default_boundaries_dir", "load_zone"]

logger = logging.getLogger(__name__)

#: The context layer holding the HK-Shenzhen border, used to spot datum-shifted geometry.
BORDER_LAYER = "hk-sz-border"


@dataclass(frozen=True)
class Boundary:
    """A feature of the zone with its geometry (WGS84 lon/lat, rings oriented)."""

    spec: FeatureSpec
    geometry: BaseGeometry
    file: Path | None

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

    @property
    def folder(self) -> Path:
        return self.manifest.folder

    def feature(self, feature_id: str) -> Boundary:
        """The feature with this id (KeyError if none)."""
        for boundary in self.features:
            if boundary.id == feature_id:
                return boundary
        raise KeyError(feature_id)

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
        """Each data source's attribution with its licence, in full, once each."""
        seen: list[str] = []
        for prov in [b.spec.provenance for b in self.features] + [c.spec.provenance for c in self.context]:
            licence = prov.licence
            text = f"{prov.attribution} ({licence})" if prov.attribution else licence
            if text not in seen:
                seen.append(text)
        return seen

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
    manifest = load_manifest(folder)
    manifest_name = str(folder / "manifest.json")
    problems: list[Problem] = []
    geometries: dict[str, tuple[BaseGeometry, Path]] = {}
    for spec in manifest.features:
        if spec.geometry is None:
            continue
        path = _resolve(folder, spec.geometry, manifest_name, spec.id, problems)
        if path is None:
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
    border = next((c.geometry for c in context if c.spec.id == BORDER_LAYER), None)
    if border is not None:
        for fid, (geometry, path) in geometries.items():
            message = datum_problem(geometry, border)
            if message:
                problems.append(Problem(path, fid, message))
    features = []
    for spec in manifest.features:
        if spec.union_of:
            parts = [geometries[p][0] for p in spec.union_of if p in geometries]
            if len(parts) == len(spec.union_of):
                features.append(Boundary(spec, shapely.union_all(parts), None))
        elif spec.id in geometries:
            geometry, path = geometries[spec.id]
            features.append(Boundary(spec, geometry, path))
    if problems:
        raise BoundaryError(problems)
    return Zone(manifest, tuple(features), tuple(context))
