"""Reading a boundary from any common format and CRS into a checked WGS84 geometry.

GeoJSON (including the legacy ``crs`` member), Shapefile, GeoPackage, KML and FlatGeobuf
are read with geopandas/pyogrio. The CRS comes from the file, or from the caller where the
file has none; hetao never guesses. The result is validated exactly as the boundaries
folder is (:func:`geo.geometry.geometry_from_geojson`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .files import MAX_INPUT_BYTES
from .geometry import geometry_from_geojson
from .measurement import to_crs

__all__ = ["Imported", "read_boundary"]

logger = logging.getLogger(__name__)

_GEOJSON_SUFFIXES = (".geojson", ".json")


@dataclass
class Imported:
    """A geometry read from a file, in WGS84, with what was done to it."""

    geometry: BaseGeometry
    source_crs: str
    driver: str
    layer: str | None
    notes: list[str] = field(default_factory=list)


def _fail(file: Path, feature: str | None, message: str) -> BoundaryError:
    return BoundaryError([Problem(file, feature, message)])


def _crs_name(crs) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _declared_geojson_crs(path: Path) -> bool:
    """Whether a GeoJSON file carries the legacy top-level ``crs`` member."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if '"crs"' not in text:   # the usual case: no need to parse the file again
            return False
        data = json.loads(text)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("crs") is not None


def read_boundary(path: Path | str, kind: str, feature_id: str | None = None, *,
                  crs: str | None = None, layer: str | None = None) -> Imported:
    """Read one boundary from ``path`` as a WGS84 geometry of ``kind`` ("polygon", "point" or
    "line"; a line's connected pieces are merged, and the result may be a MultiLineString).

    Several polygon features are dissolved into one; Z values are dropped; both are said in
    :attr:`Imported.notes`.

    Raises
    ------
    BoundaryError
        With one line naming the file and what to do.
    """
    import pyogrio
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    path = Path(path)
    if not path.exists():
        raise _fail(path, feature_id, "file not found")
    if path.is_file():
        size = path.stat().st_size
        if size == 0:
            raise _fail(path, feature_id, "file is empty")
        if size > MAX_INPUT_BYTES:
            raise _fail(path, feature_id, f"file is {size / 1e6:,.0f} MB, larger than the "
                        f"{MAX_INPUT_BYTES / 1e6:,.0f} MB hetao reads; simplify or split it first")
    try:
        override = CRS.from_user_input(crs) if crs else None
    except CRSError:
        raise _fail(path, feature_id, f"the crs parameter {crs!r} is not a CRS hetao knows; give it as EPSG:XXXX") from None
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if layer is None and len(layers) > 1:
            raise _fail(path, feature_id, f"has {len(layers)} layers ({', '.join(layers)}); "
                        "choose one with the layer parameter")
        if layer is not None and layer not in layers:
            raise _fail(path, feature_id, f"has no layer {layer!r}; its layers: {', '.join(layers)}")
        info = pyogrio.read_info(path, layer=layer)
        import geopandas
        frame = geopandas.read_file(path, layer=layer, engine="pyogrio")
    except BoundaryError:
        raise
    except Exception as exc:  # pyogrio raises several GDAL error types
        message = " ".join(str(exc).split()) or exc.__class__.__name__
        raise _fail(path, feature_id, f"cannot be read as a GIS file ({message})") from None
    driver = info.get("driver") or "unknown"
    notes: list[str] = []

    declared = frame.crs
    if driver == "GeoJSON" and not _declared_geojson_crs(path):
        declared = None  # GDAL assumes WGS84 for GeoJSON; only an explicit member counts
        if override is None:
            declared = CRS.from_epsg(4326)
            notes.append("no 'crs' member: read as WGS84 lon/lat (RFC 7946)")
    if declared is not None and override is not None and not declared.equals(override, ignore_axis_order=True):
        raise _fail(path, feature_id, f"declares {_crs_name(declared)} but the crs parameter says "
                    f"{_crs_name(override)}; drop the crs parameter, or fix the file")
    source = declared or override
    if source is None:
        raise _fail(path, feature_id, "has no CRS; give it with the crs parameter (e.g. EPSG:2326 for "
                    "Hong Kong 1980 Grid, EPSG:4547 for CGCS2000 / 3-degree GK CM 114E): "
                    "hetao will not guess")
    source_name = _crs_name(source)
    logger.info("%s: %s, layer %s, CRS %s", path, driver, layer or "(the only one)", source_name)

    geoms = [g for g in frame.geometry if g is not None and not g.is_empty]
    if not geoms:
        raise _fail(path, feature_id, "holds no geometry")
    types = sorted({g.geom_type for g in geoms})
    if kind == "polygon":
        if any(t not in ("Polygon", "MultiPolygon") for t in types):
            raise _fail(path, feature_id, f"holds {', '.join(types)} geometry; a polygon feature "
                        "needs Polygon or MultiPolygon")
    elif kind == "line":
        if any(t not in ("LineString", "MultiLineString") for t in types):
            raise _fail(path, feature_id, f"holds {', '.join(types)} geometry; a line feature "
                        "needs LineString or MultiLineString")
    elif kind == "point":
        if types != ["Point"] or len(geoms) != 1:
            raise _fail(path, feature_id, f"holds {len(geoms)} {', '.join(types)} geometr"
                        f"{'y' if len(geoms) == 1 else 'ies'}; a point feature needs exactly one Point")
    if any(shapely.has_z(g) for g in geoms):
        geoms = [shapely.force_2d(g) for g in geoms]
        notes.append("Z coordinates dropped")
    if kind == "line":
        merged = shapely.line_merge(shapely.union_all(geoms))
        if len(geoms) > 1 or merged.geom_type != geoms[0].geom_type:
            notes.append(f"merged {len(geoms)} line feature(s) into "
                         f"{len(shapely.get_parts(merged))} piece(s)")
        geoms = [merged]
    if len(geoms) > 1:
        invalid = [i for i, g in enumerate(geoms) if not g.is_valid]
        if invalid:
            reason = shapely.is_valid_reason(geoms[invalid[0]])
            raise _fail(path, feature_id, f"feature {invalid[0]} of the file is not valid ({reason}); "
                        "repair it before importing")
        geometry = shapely.union_all(geoms)
        notes.append(f"dissolved {len(geoms)} features into one {geometry.geom_type}")
    else:
        geometry = geoms[0]
    if source_name != "EPSG:4326":
        geometry = to_crs(geometry, "EPSG:4326", source=source.to_wkt())
        notes.append(f"reprojected from {source_name} to WGS84")
    for note in notes:
        logger.info("%s: %s", path, note)
    if kind == "line":
        checked = shapely.MultiLineString([
            geometry_from_geojson(mapping(part), "line", file=str(path), feature_id=feature_id)
            for part in shapely.get_parts(geometry)])
        if len(checked.geoms) == 1:
            checked = checked.geoms[0]
        return Imported(checked, source_name, driver, layer, notes)
    checked = geometry_from_geojson(mapping(geometry), kind, file=str(path), feature_id=feature_id)
    return Imported(checked, source_name, driver, layer, notes)
