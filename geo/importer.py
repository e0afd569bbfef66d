"""Reading a boundary from any common format and CRS into a checked WGS84 geometry.

GeoJSON (including the legacy ``crs`` member), Shapefile, GeoPackage, KML and FlatGeobuf
are read with geopandas/pyogrio. The CRS comes from the file, or from the caller where the
file has none; hetao never guesses. The result is validated exactly as the boundaries
folder is (:func:`geo.geometry.geometry_from_geojson`).
"""

from __future__ import annotations

import json
import math
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .files import MAX_INPUT_BYTES
from .geodesy import MAX_DISTANCE_KM, km_from_zone, to_crs
from .geojson import checked_shape, geometry_from_geojson

if TYPE_CHECKING:
    from pyproj import CRS

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


def _fail(file: Path | str, feature: str | None, message: str) -> BoundaryError:
    return BoundaryError([Problem(file, feature, message)])


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _declared_geojson_crs(source: str) -> bool:
    """Whether a GeoJSON file (or one inside a zip, ``/vsizip/...``) carries the legacy
    top-level ``crs`` member."""
    try:
        if source.startswith("/vsizip/"):
            import zipfile
            archive, _, member = source[len("/vsizip/"):].partition(".zip/")
            with zipfile.ZipFile(archive + ".zip") as zf:
                text = zf.read(member).decode("utf-8-sig")
        else:
            text = Path(source).read_text(encoding="utf-8-sig")
        if '"crs"' not in text:   # the usual case: no need to parse the file again
            return False
        data = json.loads(text)
    except (OSError, ValueError, KeyError):
        return False
    return isinstance(data, dict) and data.get("crs") is not None


#: How GDAL finds the geometry in a CSV: WKT under the usual names, or lon/lat columns.
_CSV_OPTIONS = {
    "GEOM_POSSIBLE_NAMES": "WKT,wkt_geom,geometry,geom,the_geom",
    "X_POSSIBLE_NAMES": "lon,longitude,lng,long,x",
    "Y_POSSIBLE_NAMES": "lat,latitude,y",
    "KEEP_GEOM_COLUMNS": "NO",
}
_DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".fgb", ".gml", ".csv")


def _zip_url(text: str) -> str:
    """``zip://archive.zip!inner`` (relative or, with a third slash, absolute) as
    ``archive.zip!inner``. A path object folds "//" into "/": "zip:/x.zip" is then read as
    absolute when that archive exists, else as relative."""
    if text.startswith("zip://"):
        return text[len("zip://"):]
    rest = text[len("zip:"):]
    archive = rest.split("!")[0]
    return rest if Path(archive).exists() else rest.lstrip("/")


def _dataset(path: Path | str, feature_id: str | None, layer: str | None) -> tuple[str, str | None, list[str]]:
    """What GDAL should open for ``path``: the file itself, or a dataset inside a zip archive.

    A zip (as downloaded, datasets in sub-folders or not; also ``zip://archive.zip!inner``)
    is read in place. With several datasets inside, the layer parameter names one (by its
    path in the archive or its name without suffix); otherwise they are listed.
    """
    import zipfile

    text = str(path)
    inner = None
    if text.startswith("zip:"):
        text, _, inner = _zip_url(text).partition("!")
    archive = Path(text)
    if not (archive.suffix.lower() == ".zip" or inner) or not archive.is_file():
        return str(path), layer, []
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, feature_id, f"is not a readable zip archive ({exc})") from None
    datasets = [n for n in names if n.lower().endswith(_DATASET_SUFFIXES)]
    if inner:
        chosen = [n for n in names if n == inner.strip("/")]
        if not chosen:
            raise _fail(path, feature_id, f"holds no {inner!r}; inside: {', '.join(datasets) or 'no GIS dataset'}")
    elif layer is not None and len(datasets) > 1:
        chosen = [n for n in datasets if layer in (n, Path(n).stem)]
        layer = None if chosen else layer
    else:
        chosen = datasets
    if not chosen:
        raise _fail(path, feature_id, "holds no GIS dataset (no .shp, .gpkg, .geojson, .kml, "
                    ".fgb, .gml or .csv inside)" if not datasets else
                    f"holds no dataset {layer!r}; inside: {', '.join(datasets)}")
    if len(chosen) > 1:
        raise _fail(path, feature_id, f"holds {len(chosen)} datasets ({', '.join(chosen)}); "
                    "choose one with the layer parameter")
    return f"/vsizip/{archive.resolve()}/{chosen[0]}", layer, [f"read {chosen[0]} from the zip archive"]


#: A FeatureCollection that says so first, as GDAL, QGIS, geojson.io and shapely write it.
_FEATURE_COLLECTION = re.compile(r'\s*\{\s*"type"\s*:\s*"FeatureCollection"')


def _plain_geojson(path: Path) -> list[BaseGeometry] | None:
    """The geometries of a plain GeoJSON file (no legacy ``crs`` member), read by GEOS in one
    pass; ``None`` where GDAL should read it (another format, a ``crs`` member, null
    geometries, anything unusual). Much faster than GDAL on large outlines, and the same
    coordinates."""
    if path.suffix.lower() not in _GEOJSON_SUFFIXES or not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
        if '"crs"' in text:
            return None
        geometry = shapely.from_geojson(text)
    except (OSError, ValueError, GEOSException):
        return None
    if geometry.geom_type != "GeometryCollection":
        return [geometry]
    if not _FEATURE_COLLECTION.match(text):
        return None       # a bare GeometryCollection, or anything less usual: GDAL's reading
    parts = list(shapely.get_parts(geometry))
    if any(p.geom_type == "GeometryCollection" for p in parts):
        return None
    return parts


def _read_with_gdal(path: Path, source: str, feature_id: str | None,
                    layer: str | None) -> tuple[list[BaseGeometry], str, CRS | None]:
    """The geometries, driver and declared CRS of any format GDAL reads (``source`` as
    :func:`_dataset` gives it)."""
    import geopandas
    import pyogrio

    options = _CSV_OPTIONS if source.lower().endswith(".csv") else {}
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
        if layer is None and len(layers) > 1:
            raise _fail(path, feature_id, f"has {len(layers)} layers ({', '.join(layers)}); "
                        "choose one with the layer parameter")
        if layer is not None and layer not in layers:
            raise _fail(path, feature_id, f"has no layer {layer!r}; its layers: {', '.join(layers)}")
        info = pyogrio.read_info(source, layer=layer, **options)
        frame = geopandas.read_file(source, layer=layer, engine="pyogrio", **options)
    except BoundaryError:
        raise
    except Exception as exc:  # pyogrio raises several GDAL error types
        message = " ".join(str(exc).split()).replace(source, str(path)) or exc.__class__.__name__
        message = message.split(". It might help to specify")[0]   # GDAL's hint names its own syntax
        raise _fail(path, feature_id, f"cannot be read as a GIS file ({message})") from None
    if not isinstance(frame, geopandas.GeoDataFrame) or frame.geometry.name not in frame:
        raise _fail(path, feature_id, "has no geometry column: give the geometry as WKT in a column "
                    "named WKT, wkt_geom or geometry, or points as lon and lat columns")
    return list(frame.geometry), info.get("driver") or "unknown", frame.crs


#: Chinese web-map datums :func:`read_boundary` can convert from, and their names.
DATUMS = {"gcj02": "GCJ-02 (Amap/Gaode, Tencent)", "bd09": "BD-09 (Baidu)"}


def _from_datum(geometry: BaseGeometry, datum: str, path: Path, feature_id: str | None) -> BaseGeometry:
    """Convert lon/lat coordinates from a Chinese web-map datum to WGS84 (coordTransform)."""
    try:
        import coordTransform  # type: ignore[import-untyped]
    except ImportError:
        raise _fail(path, feature_id, "converting a datum needs the coordTransform package: "
                    "pip install 'hetao[datum]'") from None
    convert = {"gcj02": coordTransform.gcj02_to_wgs84, "bd09": coordTransform.bd09_to_wgs84}[datum]

    def to_wgs84(coords: np.ndarray) -> np.ndarray:
        lon, lat = convert(coords[:, 0].tolist(), coords[:, 1].tolist())
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, to_wgs84)


def _check_place(geometry: BaseGeometry, path: Path, feature_id: str | None, crs_name: str,
                 told_by: str) -> None:
    """Name the CRS that was used when a reprojected file lands far from the zone."""
    if crs_name == "EPSG:4326" and told_by == "the file":
        return      # lon/lat as given: the usual location check names the problem
    point = geometry.representative_point()
    if not (math.isfinite(point.x) and math.isfinite(point.y)):
        return
    km, _ = km_from_zone(point)
    if km > MAX_DISTANCE_KM:
        whose = ("as the crs parameter says" if told_by == "the crs parameter"
                 else "as the file declares")
        raise _fail(path, feature_id, f"read in {crs_name}, {whose}, it lies {km:,.0f} km from the "
                    f"Hetao zone: is {crs_name} really the file's CRS? (EPSG:2326 for the Hong Kong "
                    "1980 Grid, EPSG:4547 for CGCS2000 GK CM 114E, EPSG:4326 for lon/lat)")


def _check_file(raw: str, path: Path, feature_id: str | None) -> None:
    """The file (or the zip archive it names) exists, is not empty and not too large."""
    archive = Path(_zip_url(raw).split("!")[0]) if raw.startswith("zip:") else path
    if not path.exists() and not archive.exists():
        raise _fail(path, feature_id, "file not found")
    if path.is_file():
        size = path.stat().st_size
        if size == 0:
            raise _fail(path, feature_id, "file is empty")
        if size > MAX_INPUT_BYTES:
            raise _fail(path, feature_id, f"file is {size / 1e6:,.0f} MB, larger than the "
                        f"{MAX_INPUT_BYTES / 1e6:,.0f} MB hetao reads; simplify or split it first")


def _crs_parameter(crs: str | None, path: Path, feature_id: str | None) -> CRS | None:
    """The CRS the caller gave, parsed (None if none was given)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(crs) if crs else None
    except CRSError:
        raise _fail(path, feature_id, f"the crs parameter {crs!r} is not a CRS hetao knows; "
                    "give it as EPSG:XXXX") from None


def _read_geometries(path: Path, source: str, feature_id: str | None,
                     layer: str | None) -> tuple[list[BaseGeometry], str, CRS | None, bool]:
    """The geometries, driver and declared CRS of the dataset, and whether it is GeoJSON
    with no ``crs`` member (whose CRS is then WGS84 unless the caller says otherwise).

    A plain GeoJSON file is read by GEOS in one pass (:func:`_plain_geojson`), anything
    else by GDAL.
    """
    fast = _plain_geojson(path) if source == str(path) and layer is None else None
    if fast is not None:
        return fast, "GeoJSON", None, True
    geoms, driver, declared = _read_with_gdal(path, source, feature_id, layer)
    # GDAL assumes WGS84 for GeoJSON; only an explicit member counts.
    return geoms, driver, declared, driver == "GeoJSON" and not _declared_geojson_crs(source)


def _source_crs(declared: CRS | None, rfc7946: bool, override: CRS | None, path: Path,
                feature_id: str | None, notes: list[str]) -> tuple[CRS, bool]:
    """The CRS to read the coordinates in, and whether the crs parameter (not the file) said
    it. A file's declared CRS and the crs parameter must agree; hetao never guesses."""
    from pyproj import CRS

    if rfc7946:
        declared = None
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
    return source, declared is None and override is not None


#: The geometry types each kind of feature may be read from.
_TYPES = {"polygon": ("Polygon", "MultiPolygon"), "line": ("LineString", "MultiLineString")}


def _of_kind(geoms: list[BaseGeometry], kind: str, path: Path,
             feature_id: str | None) -> list[BaseGeometry]:
    """The non-empty geometries, checked to be of the types a ``kind`` feature needs."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        raise _fail(path, feature_id, "holds no geometry")
    types = sorted({g.geom_type for g in geoms})
    if kind in _TYPES and any(t not in _TYPES[kind] for t in types):
        raise _fail(path, feature_id, f"holds {', '.join(types)} geometry; a {kind} feature "
                    f"needs {' or '.join(_TYPES[kind])}")
    if kind == "point" and (types != ["Point"] or len(geoms) != 1):
        raise _fail(path, feature_id, f"holds {len(geoms)} {', '.join(types)} geometr"
                    f"{'y' if len(geoms) == 1 else 'ies'}; a point feature needs exactly one Point")
    return geoms


def _combined(geoms: list[BaseGeometry], kind: str, path: Path, feature_id: str | None,
              notes: list[str]) -> BaseGeometry:
    """One geometry from the file's: Z values dropped, a line's pieces merged, several
    polygons dissolved (each said in ``notes``)."""
    if any(shapely.has_z(g) for g in geoms):
        geoms = [shapely.force_2d(g) for g in geoms]
        notes.append("Z coordinates dropped")
    if kind == "line":
        merged = shapely.line_merge(shapely.union_all(geoms))
        if len(geoms) > 1 or merged.geom_type != geoms[0].geom_type:
            notes.append(f"merged {len(geoms)} line feature(s) into "
                         f"{len(shapely.get_parts(merged))} piece(s)")
        geoms = [merged]
    if len(geoms) == 1:
        return geoms[0]
    invalid = [i for i, g in enumerate(geoms) if not g.is_valid]
    if invalid:
        reason = shapely.is_valid_reason(geoms[invalid[0]])
        raise _fail(path, feature_id, f"feature {invalid[0]} of the file is not valid ({reason}); "
                    "repair it before importing")
    geometry = shapely.union_all(geoms)
    notes.append(f"dissolved {len(geoms)} features into one {geometry.geom_type}")
    return geometry


def _in_wgs84(geometry: BaseGeometry, source: CRS, notes: list[str]) -> BaseGeometry:
    """The geometry reprojected from ``source`` to WGS84 lon/lat (as it is if already there)."""
    name = _crs_name(source)
    if name == "EPSG:4326":
        return geometry
    geometry = to_crs(geometry, "EPSG:4326", source=source.to_wkt())
    notes.append(f"reprojected from {name} to WGS84")
    return geometry


def _datum_converted(geometry: BaseGeometry, datum: str, source: CRS, path: Path,
                     feature_id: str | None, notes: list[str]) -> BaseGeometry:
    """The geometry's lon/lat converted from a Chinese web-map ``datum`` to WGS84."""
    if datum not in DATUMS:
        raise _fail(path, feature_id, f"the datum parameter is {datum!r}; use one of {', '.join(DATUMS)}")
    if not source.is_geographic:
        raise _fail(path, feature_id, f"the datum parameter is for lon/lat coordinates taken from a "
                    f"Chinese web map, but the file's CRS is {_crs_name(source)}, projected")
    geometry = _from_datum(geometry, datum, path, feature_id)
    notes.append(f"converted from {DATUMS[datum]} to WGS84 with coordTransform (good to about 1 m)")
    return geometry


def _validated(geometry: BaseGeometry, kind: str, path: Path, feature_id: str | None) -> BaseGeometry:
    """The geometry checked as the boundaries folder's are (each piece of a line on its own)."""
    if kind != "line":
        return checked_shape(geometry, kind, file=str(path), feature_id=feature_id)
    checked = shapely.MultiLineString([
        geometry_from_geojson(mapping(part), "line", file=str(path), feature_id=feature_id)
        for part in shapely.get_parts(geometry)])
    return checked.geoms[0] if len(checked.geoms) == 1 else checked


def read_boundary(path: Path | str, kind: str, feature_id: str | None = None, *,
                  crs: str | None = None, layer: str | None = None,
                  datum: str | None = None) -> Imported:
    """Read one boundary from ``path`` as a WGS84 geometry of ``kind`` ("polygon", "point" or
    "line"; a line's connected pieces are merged, and the result may be a MultiLineString).

    Several polygon features are dissolved into one; Z values are dropped; both are said in
    :attr:`Imported.notes`. With ``datum`` ("gcj02" or "bd09"), lon/lat coordinates taken
    from a Chinese web map are converted to WGS84 (coordTransform's formulas, good to
    about a metre here), and that is said too.

    Raises
    ------
    BoundaryError
        With one line naming the file and what to do.
    """
    raw = str(path)
    path = Path(path)
    _check_file(raw, path, feature_id)
    override = _crs_parameter(crs, path, feature_id)
    source, layer, notes = _dataset(raw if raw.startswith("zip:") else path, feature_id, layer)
    geoms, driver, declared, rfc7946 = _read_geometries(path, source, feature_id, layer)
    crs_used, by_parameter = _source_crs(declared, rfc7946, override, path, feature_id, notes)
    source_name = _crs_name(crs_used)
    logger.info("%s: %s, layer %s, CRS %s", path, driver, layer or "(the only one)", source_name)
    geometry = _combined(_of_kind(geoms, kind, path, feature_id), kind, path, feature_id, notes)
    geometry = _in_wgs84(geometry, crs_used, notes)
    if datum is not None:
        geometry = _datum_converted(geometry, datum, crs_used, path, feature_id, notes)
    _check_place(geometry, path, feature_id, source_name,
                 "the crs parameter" if by_parameter else "the file")
    for note in notes:
        logger.info("%s: %s", path, note)
    return Imported(_validated(geometry, kind, path, feature_id), source_name, driver, layer, notes)
