"""Reading and validating the GeoJSON geometry files of a boundaries folder.

A geometry file is an RFC 7946 FeatureCollection holding one Feature, in WGS84 lon/lat.
:func:`read_geometry_file` checks the file and its coordinates and returns a shapely
geometry with counter-clockwise exterior rings, or raises one
:class:`~geo.errors.BoundaryError` listing every problem found.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry import mapping, shape as to_shape
from shapely.geometry.base import BaseGeometry

from .errors import BoundaryError, Problem
from .files import is_number, parse_json, read_text, short_repr
from .geodesy import MAX_DISTANCE_KM, ZONE_CENTRE, km_from_zone
from .model import Piece, Provenance

__all__ = ["ALLOWED_TYPES", "FAST_PATH_BYTES", "read_geometry_file", "geometry_from_geojson",
           "checked_shape", "feature_collection", "read_line_file", "LineDefaults", "far_from_zone"]

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "polygon": ("Polygon", "MultiPolygon"),
    "point": ("Point",),
    "line": ("LineString",),
    "context": ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"),
}
#: Files larger than this are first tried on the fast path (:func:`_fast_read`).
FAST_PATH_BYTES = 1_000_000
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
          "Polygon": 2, "MultiPolygon": 3}
_WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84",
                "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "CRS84")


class _Problems:
    def __init__(self, file: str, feature: str | None):
        self.file, self.feature = file, feature
        self.items: list[Problem] = []

    def add(self, message: str) -> None:
        self.items.append(Problem(self.file, self.feature, message))


def read_geometry_file(path: Path, feature_id: str, kind: str) -> BaseGeometry:
    """Read, check and normalise the one feature in a geometry file.

    Parameters
    ----------
    path : Path
        The GeoJSON file.
    feature_id : str
        The manifest id the file belongs to (named in messages; a Feature ``id`` in the
        file, if any, must match it).
    kind : {"polygon", "point", "context"}
        What the geometry must be.

    Returns
    -------
    shapely geometry
        Valid, 2-D, exterior rings counter-clockwise and holes clockwise.

    Raises
    ------
    BoundaryError
        Listing every problem found.
    """
    name = str(path)
    text = read_text(path, name)
    fast = _fast_read(text, feature_id, kind) if len(text) > FAST_PATH_BYTES else None
    if fast is not None:
        logger.info("%s: %s bytes read on the fast path (GEOS parsed the coordinates)",
                    name, f"{len(text):,}")
        return fast
    if len(text) > FAST_PATH_BYTES:
        logger.info("%s: %s bytes, unusual for the fast path: read on the thorough path", name, f"{len(text):,}")
    data = parse_json(text, name)
    out = _Problems(name, feature_id)
    geometry = None
    if not isinstance(data, dict):
        out.add("is not GeoJSON: the file must hold a FeatureCollection object")
    elif data.get("type") != "FeatureCollection":
        found = data.get("type")
        found = found if isinstance(found, str) else None
        if found == "Feature":
            out.add("holds a bare Feature; wrap it in a FeatureCollection")
        elif found in _DEPTH or found == "GeometryCollection":
            out.add(f"holds a bare {found} geometry; wrap it in a Feature inside a FeatureCollection")
        else:
            out.add(f"is not a GeoJSON FeatureCollection (type is {_show(found)})")
    else:
        _check_crs(data, out)
        features = data.get("features")
        if not isinstance(features, list):
            out.add("FeatureCollection has no 'features' list")
        elif not features:
            out.add("FeatureCollection is empty; it must hold one feature")
        elif len(features) > 1:
            out.add(f"FeatureCollection holds {len(features)} features; a boundary file "
                    "holds exactly one (dissolve them first)")
        else:
            geometry = _feature(features[0], feature_id, kind, out)
    if out.items:
        raise BoundaryError(out.items)
    return geometry


_COORDINATE_TEXT = re.compile(r"[\d\s,.eE+\-\[\]]*")


def _fast_read(text: str, feature_id: str, kind: str) -> BaseGeometry | None:
    """The geometry of a large, well-formed boundary file, parsed by GEOS; ``None`` whenever
    anything is unusual (the caller then takes the thorough path, which names the problem).

    The coordinates array (numbers only) is cut out of the text and parsed by
    :func:`shapely.from_geojson`; the small rest is parsed as JSON and checked as usual.
    Every check of the thorough path is made on the result.
    """
    if text.count('"coordinates"') != 1:
        return None
    key = text.index('"coordinates"')
    colon = text.find(":", key)
    start = colon + 1 + (len(text[colon + 1:colon + 64]) - len(text[colon + 1:colon + 64].lstrip()))
    if text[start:start + 1] != "[":
        return None
    numbers = _COORDINATE_TEXT.match(text, start)      # it matches, if only the "["
    if numbers is None:
        return None
    run = numbers.group(0).rstrip(" \t\r\n,")
    end = start + len(run)
    try:
        skeleton = json.loads(text[:start] + "[]" + text[end:])
    except ValueError:
        return None
    features = skeleton.get("features") if isinstance(skeleton, dict) else None
    if (skeleton.get("type") != "FeatureCollection" or skeleton.get("crs") is not None
            or not isinstance(features, list) or len(features) != 1):
        return None
    feature = features[0]
    if not isinstance(feature, dict) or feature.get("type") != "Feature" or feature.get("crs") is not None:
        return None
    props = feature.get("properties")
    fid = feature.get("id", props.get("id") if isinstance(props, dict) else None)
    geom = feature.get("geometry")
    if (fid not in (None, feature_id) or (props is not None and not isinstance(props, dict))
            or not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon")
            or kind != "polygon" or set(geom) != {"type", "coordinates"}):
        return None
    try:
        shape = shapely.from_geojson(f'{{"type": "{geom["type"]}", "coordinates": {run}}}')
    except Exception:  # GEOS refuses unclosed rings, ragged positions and the like
        return None
    if shape.is_empty or shapely.has_z(shape):
        return None
    out = _Problems("<fast>", feature_id)
    parts = shapely.get_parts(shape)
    rings = [[shapely.get_coordinates(r) for r in (p.exterior, *p.interiors)] for p in parts]
    if not _check_positions(np.concatenate([r for group in rings for r in group]), out, kind):
        return None
    for group in rings:
        _check_polygon(group, out, "")
    if out.items:
        return None
    shape = _finish(shape, kind, out)
    return None if out.items else shape


def checked_shape(shape: BaseGeometry, kind: str, file: str = "<geometry>",
                  feature_id: str | None = None) -> BaseGeometry:
    """Check and normalise a shapely geometry as :func:`geometry_from_geojson` does.

    A large polygon is checked on its coordinate arrays (no GeoJSON round trip); anything
    unusual, or any problem, takes the thorough path, so messages never depend on the path.
    """
    if (kind == "polygon" and shape.geom_type in ("Polygon", "MultiPolygon") and not shape.is_empty
            and not shapely.has_z(shape) and shapely.get_num_coordinates(shape) > 10_000):
        out = _Problems(file, feature_id)
        rings = [[shapely.get_coordinates(r) for r in (p.exterior, *p.interiors)]
                 for p in shapely.get_parts(shape)]
        if _check_positions(np.concatenate([r for group in rings for r in group]), out, kind):
            for group in rings:
                _check_polygon(group, out, "")
            if not out.items:
                fast = _finish(shape, kind, out)
                if not out.items:
                    logger.info("%s: %s vertices checked on their arrays", file,
                                f"{shapely.get_num_coordinates(shape):,}")
                    return fast
    return geometry_from_geojson(mapping(shape), kind, file=file, feature_id=feature_id)


def geometry_from_geojson(obj: object, kind: str, file: str = "<geometry>",
                          feature_id: str | None = None) -> BaseGeometry:
    """Check and normalise one GeoJSON geometry object (see :func:`read_geometry_file`)."""
    out = _Problems(file, feature_id)
    geometry = _geometry(obj, kind, out)
    if out.items:
        raise BoundaryError(out.items)
    return geometry


def _show(value: object) -> str:
    """A value as the messages quote it (cut to 40 characters)."""
    return short_repr(value, 40)


def _check_crs(obj: dict, out: _Problems) -> None:
    crs = obj.get("crs")
    if crs is None:
        return
    name = None
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
    if name not in _WGS84_NAMES:
        out.add(f"has a 'crs' member naming {_show(name)}; boundary files are RFC 7946 "
                "WGS84 lon/lat: import other CRSs with swap, giving the crs parameter")


def _feature(feature: object, feature_id: str, kind: str, out: _Problems) -> BaseGeometry | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        out.add("the FeatureCollection's member is not a GeoJSON Feature")
        return None
    _check_crs(feature, out)
    fid = feature.get("id")
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        out.add("'properties' must be an object or null")
    elif fid is None and isinstance(props, dict):
        fid = props.get("id")
    if fid is not None and fid != feature_id:
        out.add(f"the file's feature id is {_show(fid)} but the manifest names this file "
                f"for '{feature_id}'; fix the id or the manifest's 'geometry' path")
    if "geometry" not in feature or feature["geometry"] is None:
        out.add("geometry is null; the feature needs a geometry")
        return None
    return _geometry(feature["geometry"], kind, out)


def _geometry(geom: object, kind: str, out: _Problems) -> BaseGeometry | None:
    allowed = ALLOWED_TYPES[kind]
    if not isinstance(geom, dict):
        out.add(f"geometry must be a GeoJSON geometry object, not {_show(geom)}")
        return None
    gtype = geom.get("type")
    if gtype not in allowed:
        want = " or ".join(allowed) if kind != "context" else "a GeoJSON geometry"
        out.add(f"geometry is a {_show(gtype)}; a {kind} feature needs {want}")
        return None
    coords = geom.get("coordinates")
    if coords is None or (isinstance(coords, (list, tuple)) and not coords):
        out.add("geometry is empty (no coordinates)")
        return None
    before = len(out.items)
    rings = _fast_arrays(coords, _DEPTH[gtype])
    if rings is None:
        # Irregular or non-numeric coordinates: walk them to say exactly what is wrong.
        positions = _positions(coords, _DEPTH[gtype], out)
        if len(out.items) > before:
            return None
        if not positions:
            out.add("geometry is empty (no coordinates)")
            return None
        rings = _regroup(np.asarray(positions, dtype=float), coords, _DEPTH[gtype])
    if not _check_positions(np.concatenate(rings), out, kind):
        return None
    if gtype == "Polygon":
        _check_polygon(rings, out, "")
    elif gtype == "MultiPolygon":
        arrays = iter(rings)
        for i, polygon in enumerate(coords):
            _check_polygon([next(arrays) for _ in polygon], out, f"polygon {i}: ")
    elif gtype in ("LineString", "MultiLineString"):
        lines = [coords] if gtype == "LineString" else coords
        for i, line in enumerate(lines):
            if len(line) < 2:
                out.add(f"line {i} has {len(line)} position(s); a line needs at least two")
    if len(out.items) > before:
        return None
    if gtype == "Polygon":
        shape = shapely.polygons(rings[0], holes=rings[1:] or None)
    elif gtype == "MultiPolygon":
        arrays = iter(rings)
        shape = shapely.multipolygons([
            shapely.polygons(next(arrays), holes=[next(arrays) for _ in polygon[1:]] or None)
            for polygon in coords])
    else:
        shape = to_shape({"type": gtype, "coordinates": coords})
    return _finish(shape, kind, out)


def _finish(shape: BaseGeometry, kind: str, out: _Problems) -> BaseGeometry | None:
    """The checks on a built geometry: empty, valid, near the zone; then orient its rings."""
    if shape.is_empty:
        out.add("geometry is empty")
        return None
    if not shape.is_valid:
        reason = shapely.is_valid_reason(shape)
        out.add(f"geometry is not valid ({reason}); repair it in a GIS (e.g. QGIS 'Fix "
                "geometries') and check the result")
        return None
    if kind in ("polygon", "point", "line"):
        _check_location(shape, out)
        if out.items:
            return None
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        shape = shapely.orient_polygons(shape, exterior_cw=False)
    return shape


def _fast_arrays(coords: Any, depth: int) -> list[np.ndarray] | None:
    """The position arrays (one per ring or line, or one for points) when every position is
    a finite [lon, lat] pair of numbers; ``None`` otherwise (the caller then walks them)."""
    if depth >= 1 and not isinstance(coords, (list, tuple)):
        return None
    if depth == 0:
        groups = [[coords]]
    elif depth == 1:
        groups = [coords]
    elif depth == 2:
        groups = coords
    else:
        if not all(isinstance(p, (list, tuple)) for p in coords):
            return None
        groups = [ring for polygon in coords for ring in polygon]
    arrays = []
    for group in groups:
        if not isinstance(group, (list, tuple)) or not group:
            return None
        try:
            arr = np.array(group)
        except (ValueError, TypeError):
            return None
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.dtype.kind not in "if":
            return None
        arr = arr.astype(float, copy=False)
        if not np.isfinite(arr).all():
            return None
        arrays.append(arr)
    return arrays or None


def _positions(coords: object, depth: int, out: _Problems) -> list[Sequence[float]]:
    """Flatten the nested coordinate arrays, checking their shape."""
    result: list[Sequence[float]] = []
    stack = [(coords, depth)]
    while stack:
        item, level = stack.pop()
        if level == 0:
            if not isinstance(item, (list, tuple)):
                out.add(f"a position is {_show(item)}; positions are [lon, lat] arrays of numbers")
                return []
            if len(item) != 2:
                if len(item) in (3, 4) and all(is_number(v) for v in item):
                    out.add(f"position {_show(item)} has {len(item)} values; boundary files "
                            "hold 2-D [lon, lat] positions: drop the extra values "
                            "(swap does this)")
                else:
                    out.add(f"position {_show(item)} is not a [lon, lat] pair")
                return []
            for v in item:
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    out.add(f"position {_show(item)} holds {_show(v)}; coordinates must be numbers")
                    return []
                if not math.isfinite(v):
                    out.add(f"position {len(result) + 1}, {_show(list(item))}, is not finite; coordinates must be "
                            "real numbers: fix or remove it")
                    return []
            result.append(item)
        else:
            if not isinstance(item, (list, tuple)):
                out.add(f"coordinates are nested wrongly: found {_show(item)} where an array was expected")
                return []
            stack.extend((child, level - 1) for child in reversed(item))
    return result


def _coordinate(value: float) -> str:
    """A coordinate as messages show it: metres to 0.1, anything huge in exponent form."""
    return f"{value:.1f}" if abs(value) < 1e9 else f"{value:g}"


def _check_positions(positions: np.ndarray, out: _Problems, kind: str) -> bool:
    lons, lats = positions[:, 0], positions[:, 1]
    bad = np.flatnonzero((np.abs(lons) > 180) | (np.abs(lats) > 90))
    if 0 < len(bad) * 2 < len(positions):
        # Mostly lon/lat: a stray position (a typo, a sentinel value), named where it is.
        i = int(bad[0])
        also = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        out.add(f"position {i + 1} of {len(positions)}, [{lons[i]:g}, {lats[i]:g}], is out of range"
                f"{also}: longitude must lie in -180..180 and latitude in -90..90; fix or remove it")
        return False
    lo_x, hi_x, lo_y, hi_y = (float(v) for v in (lons.min(), lons.max(), lats.min(), lats.max()))
    if not len(bad):
        if kind != "context" and _looks_swapped(lo_x, hi_x, lo_y, hi_y):
            out.add(f"coordinates look like [lat, lon] (first value {lo_x:g}..{hi_x:g}, second "
                    f"{lo_y:g}..{hi_y:g}); GeoJSON positions are [lon, lat]: swap them")
            return False
        return True
    if max(abs(lo_x), abs(hi_x), abs(lo_y), abs(hi_y)) > 1000:
        x, y = _coordinate(lons[bad[0]]), _coordinate(lats[bad[0]])
        out.add(f"coordinates look like projected metres (e.g. [{x}, {y}]), "
                "not WGS84 lon/lat; reproject them, or import them with swap and the crs parameter")
    elif abs(lo_y) <= 180 and abs(hi_y) <= 180 and abs(lo_x) <= 90 and abs(hi_x) <= 90:
        out.add(f"latitude out of range (second value {lo_y:g}..{hi_y:g}); the positions look "
                "like [lat, lon]: GeoJSON positions are [lon, lat], swap them")
    else:
        out.add(f"coordinates out of range (lon {lo_x:g}..{hi_x:g}, lat {lo_y:g}..{hi_y:g}); "
                "longitude must lie in -180..180 and latitude in -90..90")
    return False


def _looks_swapped(lo_x: float, hi_x: float, lo_y: float, hi_y: float) -> bool:
    """True when the positions sit near the zone only if read as [lat, lon]."""
    cx, cy = ZONE_CENTRE
    near = lambda x, y: abs(x - cx) < 1 and abs(y - cy) < 1  # noqa: E731
    mid_x, mid_y = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
    return near(mid_y, mid_x) and not near(mid_x, mid_y)


def _regroup(positions: np.ndarray, coords: list, depth: int) -> list[np.ndarray]:
    """Split the flat positions back into the arrays :func:`_fast_arrays` would give."""
    if depth <= 1:
        return [positions]
    groups = coords if depth == 2 else [ring for polygon in coords for ring in polygon]
    return np.split(positions, np.cumsum([len(g) for g in groups])[:-1])


def _check_polygon(rings: list[np.ndarray], out: _Problems, prefix: str) -> None:
    for j, arr in enumerate(rings):
        what = f"{prefix}{'exterior ring' if j == 0 else f'hole {j}'}"
        if not np.array_equal(arr[0], arr[-1]):
            out.add(f"{what} is not closed (first {_show(arr[0].tolist())}, last {_show(arr[-1].tolist())}); "
                    "repeat the first position at the end")
        elif len(arr) < 4:
            out.add(f"{what} has {len(arr)} positions; a ring needs at least 4 "
                    "(three corners and the closing position)")
        elif _collinear(arr):
            out.add(f"{what} is degenerate (zero area: its positions lie on one line)")


def _collinear(arr: np.ndarray) -> bool:
    """True when every position lies on one line (or there are fewer than three distinct)."""
    rel = arr - arr[0]
    far = rel[np.argmax(np.abs(rel).sum(axis=1))]
    if not far.any():
        return True
    return not np.any(rel[:, 0] * far[1] - rel[:, 1] * far[0])


def far_from_zone(shape: BaseGeometry) -> str | None:
    """Say how far a lon/lat geometry lies from the zone when it is beyond
    :data:`~hetao.geodesy.MAX_DISTANCE_KM`; ``None`` when it is near."""
    km, nearest = km_from_zone(shape)
    if km <= MAX_DISTANCE_KM:
        return None
    if not math.isfinite(km):
        return "geometry is not lon/lat: values out of range (longitude -180..180, latitude -90..90)"
    return (f"geometry lies {km:,.0f} km from the Hetao zone (nearest point "
            f"{nearest.x:.4f}, {nearest.y:.4f})")


def _check_location(shape: BaseGeometry, out: _Problems) -> None:
    far = far_from_zone(shape)
    if far:
        out.add(f"{far}; is it the right file, in WGS84 lon/lat?")


def read_line_file(path: Path, line_id: str, defaults: LineDefaults) -> tuple[Piece, ...]:
    """Read, check and return the pieces of a line file.

    A line file is an RFC 7946 FeatureCollection of one or more LineString Features, its
    pieces, in order along the line. A piece's properties may give its own ``id``,
    ``positional_accuracy_m`` (positive metres), ``method``, ``source``, ``name_en``,
    ``name_zh`` and ``derived`` (true for a piece extrapolated or derived, not traced);
    what a piece does not give, it takes from the line's manifest entry (``defaults``).

    Raises
    ------
    BoundaryError
        Listing every problem found.
    """
    name = str(path)
    data = parse_json(read_text(path, name), name)
    out = _Problems(name, line_id)
    pieces: list[Piece] = []
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        out.add("is not a GeoJSON FeatureCollection; a line file holds its pieces as LineString Features")
        raise BoundaryError(out.items)
    _check_crs(data, out)
    features = data.get("features")
    if not isinstance(features, list) or not features:
        out.add("FeatureCollection holds no feature; a line needs at least one LineString piece")
        raise BoundaryError(out.items)
    seen: set[str] = set()
    for i, feature in enumerate(features):
        before = len(out.items)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            out.add(f"piece {i + 1} is not a GeoJSON Feature")
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            out.add(f"piece {i + 1}: 'properties' must be an object or null")
            continue
        pid = feature.get("id", props.get("id", line_id if len(features) == 1 else f"{line_id}-{i + 1}"))
        if not isinstance(pid, str) or not pid:
            out.add(f"piece {i + 1}: its id must be a non-empty string, not {_show(pid)}")
            continue
        if pid in seen:
            out.add(f"piece {i + 1}: id {_show(pid)} is used twice; give each piece its own id")
        seen.add(pid)
        accuracy = props.get("positional_accuracy_m")
        if accuracy is not None and not (is_number(accuracy) and accuracy > 0):
            out.add(f"piece '{pid}': 'positional_accuracy_m' is {_show(accuracy)}; it must be a "
                    "positive number of metres")
        derived = props.get("derived", False)
        if not isinstance(derived, bool):
            out.add(f"piece '{pid}': 'derived' must be true or false, not {_show(derived)}")
        for key in ("method", "source", "name_en", "name_zh"):
            if key in props and (not isinstance(props[key], str) or not props[key].strip()):
                out.add(f"piece '{pid}': '{key}' must be a non-empty string")
        if "geometry" not in feature or feature["geometry"] is None:
            out.add(f"piece '{pid}': geometry is null; a piece needs a LineString")
            continue
        geometry = _geometry(feature["geometry"], "line", out)
        if len(out.items) == before and geometry is not None:
            pieces.append(_piece(line_id, pid, props, geometry, defaults))
    if out.items:
        raise BoundaryError(out.items)
    return tuple(pieces)


class LineDefaults(NamedTuple):
    """What a line's pieces take from its manifest entry when they do not say."""

    name_en: str
    name_zh: str
    provenance: Provenance


def _piece(line_id: str, piece_id: str, props: dict[str, Any], geometry: BaseGeometry,
           defaults: LineDefaults) -> Piece:
    """A piece of a line, each with the line's provenance where it gives none of its own."""
    prov = defaults.provenance
    accuracy = props.get("positional_accuracy_m")
    if accuracy is None:        # none declared anywhere: none added, as in measuring
        accuracy = prov.positional_accuracy_m or 0.0
    return Piece(
        line_id=line_id, piece_id=piece_id,
        name_en=props.get("name_en", defaults.name_en), name_zh=props.get("name_zh", defaults.name_zh),
        geometry=geometry,
        accuracy_m=float(accuracy),
        source=props.get("source", prov.source), method=props.get("method", prov.method),
        derived=props.get("derived", False))


def feature_collection(geometry: BaseGeometry, feature_id: str, properties: dict | None = None) -> dict:
    """The RFC 7946 FeatureCollection that stores ``geometry`` as feature ``feature_id``."""
    return {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "id": feature_id,
            "properties": properties or {},
            "geometry": mapping(geometry),
        }],
    }
