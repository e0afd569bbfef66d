"""The formats GIS users exchange: a GeoPackage (one layer per geometry kind, and plain tables
of the nested detail), KML for Google Earth, and a CSV with coordinates for spreadsheets.

Written with pyogrio (GDAL) into a scratch folder and returned as bytes: nothing is written
where the caller sees it (``hetao build`` writes every output atomically). Coordinates are
snapped to the grid of :func:`hetao.report.clean_geometry` (7 decimals in lon/lat, 1 cm in a
projected CRS); every output is byte-reproducible (the GeoPackage's timestamps are the
stamp's date).
"""

from __future__ import annotations

import csv
import html
import io
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from .errors import BoundaryError
from .geodesy import to_crs
from .model import AreaMeasurement, Measurement, Zone
from .report import (DEGREE_GRID, METRE_GRID, clean_geometry, flat_records, line_records, records,
                     to_table)
from .stamp import Stamp

if TYPE_CHECKING:
    import geopandas
    from shapely.geometry.base import BaseGeometry

__all__ = ["Tables", "make_tables", "render_gpkg", "render_kml", "render_csv", "crs_suffix",
           "GPKG_LAYERS"]

#: The GeoPackage's layers: three of features, three plain tables keyed by ``feature_id``.
GPKG_LAYERS = ("polygons", "lines", "points", "stated_figures", "edges", "provenance")

#: GDAL's configuration is process-wide: one GeoPackage is written at a time.
_GDAL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Tables:
    """The zone's features as flat rows with their written geometries, in one CRS."""

    crs: str
    grid: float
    polygons: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    points: list[dict[str, Any]]
    detail: list[dict[str, Any]]      # the nested records (:func:`hetao.report.records`)
    stamp: Stamp

    def features(self) -> list[dict[str, Any]]:
        return self.polygons + self.points + self.lines


def crs_suffix(crs: str) -> str:
    """The part of a file name that says which CRS it is in (``epsg2326``).

    Raises
    ------
    BoundaryError
        If ``crs`` is not a CRS pyproj knows.

    Examples
    --------
    >>> crs_suffix("EPSG:2326")
    'epsg2326'
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        parsed = CRS.from_user_input(crs)
    except CRSError:
        raise BoundaryError([f"the crs parameter {crs!r} is not a CRS hetao knows; give it as EPSG:XXXX"]) from None
    authority = parsed.to_authority(min_confidence=90)
    if authority is None:
        import hashlib
        return "crs-" + hashlib.sha256(parsed.to_wkt().encode()).hexdigest()[:8]
    return f"{authority[0]}{authority[1]}".lower()


def _projected(crs: str) -> bool:
    from pyproj import CRS

    return not CRS.from_user_input(crs).is_geographic


def make_tables(zone: Zone, measurements: list[Measurement], stamp: Stamp, crs: str = "EPSG:4326") -> Tables:
    """Every polygon, line piece and point of the zone as flat rows (each with its written
    ``geometry``) in ``crs``; areas stay geodesic on WGS84."""
    grid = METRE_GRID if _projected(crs) else DEGREE_GRID

    def written(geometry: BaseGeometry) -> BaseGeometry:
        return clean_geometry(geometry if crs == "EPSG:4326" else to_crs(geometry, crs), grid)

    shapes = [written(m.boundary.geometry) for m in measurements]
    pieces = [written(p.geometry) for line in zone.lines for p in line.pieces]
    rows = [{**r, "version": str(stamp), "geometry": g}
            for r, g in zip(flat_records(measurements, shapes, grid), shapes)]
    lines = [{**r, "version": str(stamp), "geometry": g}
             for r, g in zip(line_records(zone.lines, pieces, grid), pieces)]
    return Tables(crs, grid, [r for r in rows if r["kind"] != "point"], lines,
                  [r for r in rows if r["kind"] == "point"], records(measurements), stamp)


def _plain_tables(tables: Tables) -> dict[str, list[dict[str, Any]]]:
    """The nested detail as plain rows, each keyed by ``feature_id``."""
    stated = [{"feature_id": rec["id"], "n": i + 1, **s} for rec in tables.detail
              for i, s in enumerate(rec["stated"])]
    edges = [{"feature_id": rec["id"], "n": i + 1, "line_id": e.pop("id"), **e} for rec in tables.detail
             for i, e in enumerate(dict(e) for e in rec["edges"])]
    provenance = [{"feature_id": r["id"], "source": r["source"], "licence": r["licence"],
                   "attribution": r["attribution"], "method": r["method"], "date": r["date"],
                   "accuracy_m": r["accuracy_m"]} for r in tables.features()]
    return {"stated_figures": stated, "edges": edges, "provenance": provenance}


@contextmanager
def _gdal_options(date: str) -> Iterator[None]:
    """While writing a scratch GeoPackage: GDAL's idea of the current date (written into
    the file) set to ``date``, and SQLite's syncs off (the file is copied into place by an
    atomic write); both put back afterwards."""
    import pyogrio

    when = f"{date}T00:00:00.000Z" if len(date) == 10 and date[4] == "-" else "2000-01-01T00:00:00.000Z"
    options = {"OGR_CURRENT_DATE": when, "OGR_SQLITE_SYNCHRONOUS": "OFF"}
    with _GDAL_LOCK:
        before = {name: pyogrio.get_gdal_config_option(name) for name in options}
        pyogrio.set_gdal_config_options(options)
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options(before)


def _frame(rows: list[dict[str, Any]], crs: str) -> geopandas.GeoDataFrame:
    import geopandas

    return geopandas.GeoDataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in rows],
                                  geometry=[r["geometry"] for r in rows], crs=crs)


def render_gpkg(tables: Tables) -> bytes:
    """The GeoPackage: ``polygons`` (parts and sides, MultiPolygon), ``lines`` (every line
    piece), ``points`` (the branch), and the plain tables ``stated_figures``, ``edges`` and
    ``provenance`` keyed by ``feature_id``; the version stamp in the dataset's and each
    layer's metadata."""
    import pandas
    import pyogrio

    meta = {"hetao_version": str(tables.stamp), "hetao_version_date": tables.stamp.date,
            "hetao_version_hash": tables.stamp.digest}
    layers: list[tuple[str, Any]] = [
        ("polygons", _frame(tables.polygons, tables.crs)), ("lines", _frame(tables.lines, tables.crs)),
        ("points", _frame(tables.points, tables.crs)),
        *[(name, pandas.DataFrame(rows)) for name, rows in _plain_tables(tables).items()]]
    with tempfile.TemporaryDirectory(prefix="hetao-gpkg-") as tmp, _gdal_options(tables.stamp.date):
        path = Path(tmp) / "hetao.gpkg"
        for i, (name, frame) in enumerate(layers):
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=i > 0,
                                    promote_to_multi=name == "polygons", metadata=meta,
                                    dataset_metadata=meta if i == 0 else None)
        return path.read_bytes()


def render_kml(tables: Tables, measurements: list[Measurement]) -> bytes:
    """KML for Google Earth: one placemark per polygon, point and line piece, named in English
    and Chinese, its description the comparison as :func:`hetao.report.to_table` gives it,
    each line escaped for HTML (text from a boundaries folder never runs as HTML) and the
    lines joined by ``<br>``."""
    import pyogrio

    text = _table_by_feature(measurements)
    rows = []
    for row in tables.features():
        lines = [row["name"]] + (text.get(row["id"], []) if row["kind"] != "line" else [
            f"boundary line, {row['style']}: ± {row['accuracy_m']:g} m, {row['length_m']:,.0f} m long",
            f"method: {row['method']}"])
        lines += [f"source: {row['source']}", f"licence: {row['licence']}" +
                  (f", {row['attribution']}" if row.get("attribution") else ""), tables.stamp.label]
        rows.append({"Name": row["name"], "Description": "<br>".join(html.escape(ln) for ln in lines),
                     "feature_id": row["id"], "kind": row["kind"], "area_ha": row.get("area_ha"),
                     "uncertainty_ha": row.get("uncertainty_ha"), "accuracy_m": row["accuracy_m"],
                     "status": row.get("status"), "version": row["version"], "geometry": row["geometry"]})
    with tempfile.TemporaryDirectory(prefix="hetao-kml-") as tmp:
        path = Path(tmp) / "hetao.kml"
        pyogrio.write_dataframe(_frame(rows, tables.crs), path, layer="hetao", driver="KML")
        return path.read_bytes()


def _table_by_feature(measurements: list[Measurement]) -> dict[str, list[str]]:
    """Each feature's lines of :func:`hetao.report.to_table`, stripped."""
    out: dict[str, list[str]] = {}
    for m in measurements:
        body = [ln.strip() for ln in to_table([m]).splitlines()[2:-1]]
        if isinstance(m, AreaMeasurement):       # the table's columns, in words
            body[0] = (f"measured {m.geodesic_area_m2 / 1e4:,.2f} ± {m.uncertainty_m2 / 1e4:,.2f} ha "
                       f"(geodesic, WGS84); {m.grid_area_m2 / 1e4:,.2f} ha in {m.grid_crs}")
        out[m.id] = body
    return out


#: The CSV's columns after ``id`` and the coordinates; ``wkt`` comes last.
CSV_COLUMNS = ("id", "name", "name_en", "name_zh", "kind", "side", "X", "Y", "area_ha", "uncertainty_ha",
               "stated", "stated_ha", "status", "difference_ha", "reconciled_ha", "dominant_edge",
               "dominant_edge_ha", "accuracy_m", "line_id", "piece_id", "style", "length_m", "part_of",
               "union_of", "approximate", "grid_crs", "grid_area_ha", "perimeter_m", "stated_source",
               "source", "licence", "attribution", "method", "date", "version", "detail", "wkt")


def render_csv(tables: Tables) -> bytes:
    """One row per polygon, point and line piece: names, coordinates (``lon``/``lat``, or
    ``x``/``y`` in a projected CRS: the point, or a point inside the polygon or on the line),
    the figures, ``detail`` as JSON text and the geometry as ``wkt``; UTF-8 with a BOM, so
    that Excel reads the Chinese."""
    x, y = ("x", "y") if tables.grid == METRE_GRID else ("lon", "lat")
    columns = [{"X": x, "Y": y}.get(c, c) for c in CSV_COLUMNS]
    decimals = 2 if tables.grid == METRE_GRID else 7
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for row in tables.features():
        out = {k: v for k, v in row.items() if k not in ("geometry", "lon", "lat")}
        out.update({x: row["lon"], y: row["lat"],
                    "wkt": shapely.to_wkt(row["geometry"], rounding_precision=decimals, trim=True)})
        if row["kind"] == "line":
            out["detail"] = json.dumps({k: row[k] for k in ("source", "method", "accuracy_m")},
                                       ensure_ascii=False, sort_keys=True)
        writer.writerow(out)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
