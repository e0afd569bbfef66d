"""Reading a boundary from any common format and CRS into a checked WGS84 geometry.

GeoJSON (including the legacy ``crs`` member), Shapefile, GeoPackage, KML and FlatGeobuf
are read with geopandas/pyogrio. The CRS comes from the file, or from the caller where the
file has none; hetao never guesses. The result is validated exactly as the boundaries
folder is (:func:`geo.geometry.geometry_from_geojson`).
"""

from __future__ import annotations

import json
import logging
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .files import MAX_INPUT_BYTES, decode_text, too_large
from .geodesy import MAX_DISTANCE_KM, km_from_zone, to_crs
from .geojson import checked_shape, geometry_from_geojson

if TYPE_CHECKING:
    import geopandas
    from pyproj import CRS

__all__ = ["Imported", "ReadOptions", "read_boundary", "read_with_options"]

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


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file: :func:`read_boundary`'s keyword parameters, in one value.

    Attributes
    ----------
    crs : the file's CRS where it declares none ("EPSG:2326").
    layer : the layer (or dataset in a zip archive) to read.
    datum : "gcj02" or "bd09": lon/lat traced on a Chinese web map.
    feature : read only the feature with this id (its GeoJSON id, or an ``id`` property).
    where : read only the features whose property equals a value, as "KEY=VALUE".
    several_only : feature and where pick only from a file of several features (a file of
        one is read whole, whatever its id): for comparing a file of many with one of one.
    """

    crs: str | None = None
    layer: str | None = None
    datum: str | None = None
    feature: str | None = None
    where: str | None = None
    several_only: bool = False

    @classmethod
    def of(cls, value: ReadOptions | Mapping[str, Any] | None, **defaults: Any) -> ReadOptions:
        """``value`` as ReadOptions: a mapping's keys (each one a field) over ``defaults``.

        >>> ReadOptions.of({"crs": "EPSG:2326"}, layer="a").layer
        'a'
        """
        if isinstance(value, ReadOptions):
            return value
        given = dict(value or {})
        unknown = sorted(set(given) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"unknown read option(s): {', '.join(unknown)}")
        return cls(**{**defaults, **given})


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
    coordinates. UTF-16 text with a byte-order mark (what PowerShell's ``>`` writes) is read
    too."""
    if path.suffix.lower() not in _GEOJSON_SUFFIXES or not path.is_file():
        return None
    try:
        text = decode_text(path.read_bytes(), str(path), utf16=True)
        if '"crs"' in text:
            return None
        geometry = shapely.from_geojson(text)
    except (OSError, ValueError, GEOSException, BoundaryError):
        return None
    if geometry.geom_type != "GeometryCollection":
        return [geometry]
    if not _FEATURE_COLLECTION.match(text):
        return None       # a bare GeometryCollection, or anything less usual: GDAL's reading
    parts = list(shapely.get_parts(geometry))
    if any(p.geom_type == "GeometryCollection" for p in parts):
        return None
    return parts


class _Dataset(NamedTuple):
    """What was read from a file, before its CRS is settled."""

    geoms: list[BaseGeometry]
    driver: str
    declared: CRS | None
    #: The specification that makes the file WGS84 lon/lat when it declares no CRS, if any.
    lonlat_by: str | None
    notes: list[str]
    #: The layer read (``None``: the file's only one).
    layer: str | None = None


#: Text formats: a file of one of these GDAL does not recognise is checked for its encoding.
_TEXT_SUFFIXES = (".geojson", ".json", ".topojson", ".kml", ".gml", ".gpx", ".csv", ".txt", ".dxf")


def _unreadable(path: Path, source: str, feature_id: str | None, exc: Exception) -> BoundaryError:
    """GDAL's failure to open a file, in hetao's words where it knows better."""
    message = " ".join(str(exc).split()).replace(source, str(path)) or exc.__class__.__name__
    message = re.split(r"[.;]*\s*It might help to specify", message)[0]   # GDAL's hint names its own syntax
    if "not recognized as being in a supported file format" not in message:
        return _fail(path, feature_id, f"cannot be read as a GIS file ({message})")
    if path.is_file() and path.suffix.lower() in _TEXT_SUFFIXES:
        try:
            decode_text(path.read_bytes(), str(path))
        except BoundaryError as bad:        # UTF-16, or not UTF-8 at all
            problem = bad.problems[0]
            return _fail(path, feature_id, problem.message if isinstance(problem, Problem) else problem)
    return _fail(path, feature_id, "cannot be read as a GIS file (not GeoJSON, TopoJSON, Shapefile, "
                 "GeoPackage, KML, GPX, DXF, FlatGeobuf, GML or CSV): is it the file you meant?")


#: GPX's point layers repeat its routes' and tracks' points.
_GPX_POINT_LAYERS = {"route_points": "routes", "track_points": "tracks"}


def _only_layer(source: str, layers: list[str]) -> str | None:
    """The one layer of several that holds features (GPX's point copies of its routes and
    tracks aside), or ``None``."""
    import pyogrio

    full = [name for name in layers
            if pyogrio.read_info(source, layer=name, force_feature_count=True).get("features")]
    full = [name for name in full if _GPX_POINT_LAYERS.get(name) not in full]
    return full[0] if len(full) == 1 else None


def _read_with_gdal(path: Path, source: str, feature_id: str | None, layer: str | None,
                    options: ReadOptions) -> _Dataset:
    """The geometries, driver and declared CRS of any format GDAL reads (``source`` as
    :func:`_dataset` gives it), the features ``options`` picks."""
    import geopandas
    import pyogrio

    gdal = _CSV_OPTIONS if source.lower().endswith(".csv") else {}
    notes = []
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
        if layer is None and len(layers) > 1:
            layer = _only_layer(source, layers)
            if layer is None:
                raise _fail(path, feature_id, f"has {len(layers)} layers ({', '.join(layers)}); "
                            "choose one with the layer parameter")
            notes.append(f"read layer {layer!r}, the only one with features")
        if layer is not None and layer not in layers:
            raise _fail(path, feature_id, f"has no layer {layer!r}; its layers: {', '.join(layers)}")
        info = pyogrio.read_info(source, layer=layer, **gdal)
        frame = geopandas.read_file(source, layer=layer, engine="pyogrio", **gdal)
    except BoundaryError:
        raise
    except Exception as exc:  # pyogrio raises several GDAL error types
        raise _unreadable(path, source, feature_id, exc) from None
    if not isinstance(frame, geopandas.GeoDataFrame) or frame.geometry.name not in frame:
        raise _fail(path, feature_id, "has no geometry column: give the geometry as WKT in a column "
                    "named WKT, wkt_geom or geometry, or points as lon and lat columns")
    frame = _picked(frame, options, path, feature_id, notes)
    driver = info.get("driver") or "unknown"
    lonlat_by = ("RFC 7946" if driver == "GeoJSON" and not _declared_geojson_crs(source) else
                 "the TopoJSON specification" if driver == "TopoJSON" and frame.crs is None else None)
    return _Dataset(list(frame.geometry), driver, frame.crs, lonlat_by, notes, layer)


#: The columns a feature's id may be read from: GeoJSON's ``id`` (member or property);
#: ``id2`` where GDAL's KML writer kept a property ``id`` beside its own Placemark id.
_ID_COLUMNS = ("id", "id2")
#: Columns that name a feature, listed when a file holds several and none is picked.
_NAME_COLUMNS = ("id2", "id", "name", "Name", "name_en")


def _text(value: object) -> str:
    """A property value as ``--where`` compares it: 3.0 is "3", None is ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(frame: geopandas.GeoDataFrame) -> str:
    """The features' ids or names, for a message (at most ten)."""
    column = next((c for c in _NAME_COLUMNS if c in frame.columns), None)
    if column is None:
        return f"{len(frame)} feature{'s' if len(frame) != 1 else ''}, with no id or name"
    values = [_text(v) or "(none)" for v in frame[column]]
    more = f", … ({len(values)} in all)" if len(values) > 10 else ""
    return f"their {column}s: {', '.join(values[:10])}{more}"


def _picked(frame: geopandas.GeoDataFrame, options: ReadOptions, path: Path,
            feature_id: str | None, notes: list[str]) -> geopandas.GeoDataFrame:
    """The rows the feature and where parameters pick (all of them if neither is given)."""
    if (options.feature is None and options.where is None) or (options.several_only and len(frame) == 1):
        return frame
    keep = np.ones(len(frame), dtype=bool)
    said = []
    if options.feature is not None:
        ids = [c for c in _ID_COLUMNS if c in frame.columns]
        keep &= np.array([any(_text(row[c]) == options.feature for c in ids)
                          for _, row in frame.iterrows()], dtype=bool)
        said.append(f"id {options.feature!r}")
    if options.where is not None:
        key, equals, value = options.where.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key:
            raise _fail(path, feature_id, f"the where parameter is {options.where!r}; write it as "
                        "KEY=VALUE, e.g. name_en=Hong Kong Park")
        if key not in frame.columns:
            columns = ", ".join(c for c in frame.columns if c != frame.geometry.name) or "none"
            raise _fail(path, feature_id, f"has no property {key!r} (the where parameter); its "
                        f"properties: {columns}")
        keep &= np.array([_text(v) == value for v in frame[key]], dtype=bool)
        said.append(f"{key} = {value!r}")
    if not keep.any():
        raise _fail(path, feature_id, f"holds no feature with {' and '.join(said)} ({_labels(frame)})")
    notes.append(f"read {int(keep.sum())} of the file's {len(frame)} features: those with "
                 f"{' and '.join(said)}")
    return frame[keep]


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


_WHICH_CRS = ("(EPSG:2326 for the Hong Kong 1980 Grid, EPSG:4547 for CGCS2000 GK CM 114E, "
              "EPSG:4326 for lon/lat)")


def _whose(told_by: str) -> str:
    return "as the crs parameter says" if told_by == "the crs parameter" else "as the file declares"


def _check_lonlat(geometry: BaseGeometry, source: CRS, path: Path, feature_id: str | None,
                  told_by: str) -> None:
    """Coordinates said to be lon/lat (by the crs parameter or a declared CRS) must be: most
    of them within range (a stray position is named later, by the validation)."""
    if not source.is_geographic or told_by == "a specification":
        return
    coords = shapely.get_coordinates(geometry)
    bad = ~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))
    if not len(coords) or bad.sum() * 2 < len(coords):
        return
    x, y = coords[bad][:, 0], coords[bad][:, 1]
    name = _crs_name(source)
    raise _fail(path, feature_id, f"read in {name}, {_whose(told_by)}, it is not lon/lat: values out "
                f"of range (x {np.nanmin(x):,.0f}..{np.nanmax(x):,.0f}, y {np.nanmin(y):,.0f}.."
                f"{np.nanmax(y):,.0f}): is {name} really the file's CRS? {_WHICH_CRS}")


def _check_place(geometry: BaseGeometry, path: Path, feature_id: str | None, crs_name: str,
                 told_by: str) -> None:
    """Name the CRS that was used when a reprojected file lands far from the zone."""
    if told_by == "a specification":
        return      # lon/lat as given: the usual location check names the problem
    point = geometry.representative_point()
    if not (math.isfinite(point.x) and math.isfinite(point.y)):
        return
    km, _ = km_from_zone(point)
    if km > MAX_DISTANCE_KM:
        where = (f"it lies {km:,.0f} km from the Hetao zone" if math.isfinite(km) else
                 "its coordinates are not lon/lat after reprojecting")
        raise _fail(path, feature_id, f"read in {crs_name}, {_whose(told_by)}, {where}: is "
                    f"{crs_name} really the file's CRS? {_WHICH_CRS}")


def _check_file(raw: str, path: Path, feature_id: str | None) -> None:
    """The file (or the zip archive it names) exists, is not empty and not too large."""
    archive = Path(_zip_url(raw).split("!")[0]) if raw.startswith("zip:") else path
    if not path.exists() and not archive.exists():
        raise _fail(path, feature_id, "file not found")
    if path.is_file():
        size = path.stat().st_size
        if size == 0 or (size <= 65_536 and not path.read_bytes().strip()):
            raise _fail(path, feature_id, "file is empty" + (" (only white space)" if size else "")
                        + ": is it the file you meant?")
        if size > MAX_INPUT_BYTES:
            raise _fail(path, feature_id, too_large(size, MAX_INPUT_BYTES))


def _crs_parameter(crs: str | None, path: Path, feature_id: str | None) -> CRS | None:
    """The CRS the caller gave, parsed (None if none was given)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(crs) if crs else None
    except CRSError:
        raise _fail(path, feature_id, f"the crs parameter {crs!r} is not a CRS hetao knows; "
                    "give it as EPSG:XXXX") from None


def _read_geometries(path: Path, source: str, feature_id: str | None, layer: str | None,
                     options: ReadOptions) -> _Dataset:
    """What the dataset holds (see :class:`_Dataset`); a GeoJSON file declares no CRS unless
    it has a ``crs`` member (GDAL assumes WGS84 for it: only an explicit member counts).

    A plain GeoJSON file is read by GEOS in one pass (:func:`_plain_geojson`) unless features
    are picked from it, anything else by GDAL.
    """
    picking = options.feature is not None or options.where is not None
    fast = _plain_geojson(path) if source == str(path) and layer is None and not picking else None
    if fast is not None:
        return _Dataset(fast, "GeoJSON", None, "RFC 7946", [])
    return _read_with_gdal(path, source, feature_id, layer, options)


def _source_crs(data: _Dataset, override: CRS | None, path: Path,
                feature_id: str | None, notes: list[str]) -> tuple[CRS, str]:
    """The CRS to read the coordinates in, and who said it: "the crs parameter", "the file" or
    "a specification" (RFC 7946, TopoJSON's). A file's declared CRS and the crs parameter must
    agree; hetao never guesses."""
    from pyproj import CRS

    declared = data.declared
    if data.lonlat_by is not None:
        declared = None
        if override is None:
            what = "no 'crs' member" if data.lonlat_by == "RFC 7946" else f"{data.driver} declares no CRS"
            notes.append(f"{what}: read as WGS84 lon/lat ({data.lonlat_by})")
            return CRS.from_epsg(4326), "a specification"
    if declared is not None and override is not None and not declared.equals(override, ignore_axis_order=True):
        raise _fail(path, feature_id, f"declares {_crs_name(declared)} but the crs parameter says "
                    f"{_crs_name(override)}; drop the crs parameter, or fix the file")
    if declared is not None:
        return declared, "the file"
    if override is None:
        raise _fail(path, feature_id, "has no CRS; give it with the crs parameter (e.g. EPSG:2326 for "
                    "Hong Kong 1980 Grid, EPSG:4547 for CGCS2000 / 3-degree GK CM 114E): "
                    "hetao will not guess")
    return override, "the crs parameter"


#: The geometry types each kind of feature may be read from.
_TYPES = {"polygon": ("Polygon", "MultiPolygon"), "line": ("LineString", "MultiLineString")}


def _fix(types: list[str], kind: str, count: int) -> str:
    """What to do about a file whose geometry types do not suit a ``kind`` feature."""
    if count > 1 and len(types) > 1:
        return (": pick one of its features with the feature parameter (its id) or the where "
                "parameter (KEY=VALUE)")
    if kind == "polygon" and all(t in _TYPES["line"] for t in types):
        return (" (a line, such as a GPS track, is not an area): close it into a polygon in a "
                "GIS (QGIS: Lines to polygons), or swap it in for a line feature")
    if kind == "line" and all(t in _TYPES["polygon"] for t in types):
        return ": give the line itself, or swap the polygon in for a polygon feature"
    return ""


def _of_kind(geoms: list[BaseGeometry], kind: str, path: Path,
             feature_id: str | None) -> list[BaseGeometry]:
    """The non-empty geometries, checked to be of the types a ``kind`` feature needs."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        raise _fail(path, feature_id, "holds no geometry")
    types = sorted({g.geom_type for g in geoms})
    if kind in _TYPES and any(t not in _TYPES[kind] for t in types):
        raise _fail(path, feature_id, f"holds {', '.join(types)} geometry; a {kind} feature "
                    f"needs {' or '.join(_TYPES[kind])}{_fix(types, kind, len(geoms))}")
    if kind == "point" and (types != ["Point"] or len(geoms) != 1):
        raise _fail(path, feature_id, f"holds {len(geoms)} {', '.join(types)} geometr"
                    f"{'y' if len(geoms) == 1 else 'ies'}; a point feature needs exactly one Point"
                    f"{_fix(types, kind, len(geoms))}")
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


@contextmanager
def _warnings_logged(path: Path) -> Iterator[None]:
    """Warnings the libraries raise while a file is read (GDAL's CRS substitutions, shapely's
    on NaN coordinates) logged as hetao's, not printed raw: hetao's own checks say what is
    wrong in words."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        logger.info("%s: %s", path, " ".join(str(warning.message).split()))


def read_boundary(path: Path | str, kind: str, feature_id: str | None = None, *,
                  crs: str | None = None, layer: str | None = None, datum: str | None = None,
                  feature: str | None = None, where: str | None = None) -> Imported:
    """Read one boundary from ``path`` as a WGS84 geometry of ``kind`` ("polygon", "point" or
    "line"; a line's connected pieces are merged, and the result may be a MultiLineString).

    Several polygon features are dissolved into one; Z values are dropped; both are said in
    :attr:`Imported.notes`. With ``datum`` ("gcj02" or "bd09"), lon/lat coordinates taken
    from a Chinese web map are converted to WGS84 (coordTransform's formulas, good to
    about a metre here), and that is said too. From a file of several features, ``feature``
    picks those whose id (the GeoJSON Feature's ``id``, or an ``id`` property) is its value,
    and ``where`` ("KEY=VALUE") those whose property KEY is VALUE (see :class:`ReadOptions`).

    Raises
    ------
    BoundaryError
        With one line naming the file and what to do.
    """
    return read_with_options(path, kind, ReadOptions(crs, layer, datum, feature, where), feature_id)


def read_with_options(path: Path | str, kind: str, options: ReadOptions,
                      feature_id: str | None = None) -> Imported:
    """:func:`read_boundary`, its keyword parameters given as one :class:`ReadOptions`."""
    with _warnings_logged(Path(path)):
        return _read(path, kind, feature_id, options)


def _read(path: Path | str, kind: str, feature_id: str | None, options: ReadOptions) -> Imported:
    """:func:`read_boundary`, its warnings aside."""
    raw = str(path)
    path = Path(path)
    _check_file(raw, path, feature_id)
    override = _crs_parameter(options.crs, path, feature_id)
    source, layer, notes = _dataset(raw if raw.startswith("zip:") else path, feature_id, options.layer)
    data = _read_geometries(path, source, feature_id, layer, options)
    notes += data.notes
    layer = data.layer or layer
    crs_used, told_by = _source_crs(data, override, path, feature_id, notes)
    source_name = _crs_name(crs_used)
    logger.info("%s: %s, layer %s, CRS %s", path, data.driver, layer or "(the only one)", source_name)
    geometry = _combined(_of_kind(data.geoms, kind, path, feature_id), kind, path, feature_id, notes)
    _check_lonlat(geometry, crs_used, path, feature_id, told_by)
    geometry = _in_wgs84(geometry, crs_used, notes)
    if options.datum is not None:
        geometry = _datum_converted(geometry, options.datum, crs_used, path, feature_id, notes)
    _check_place(geometry, path, feature_id, source_name, told_by)
    for note in notes:
        logger.info("%s: %s", path, note)
    return Imported(_validated(geometry, kind, path, feature_id), source_name, data.driver, layer, notes)
