"""Measurements as records, and those records as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import mapping

from .geodesy import COORDINATE_DECIMALS, GEOD
from .model import UNITS_M2, AreaMeasurement, Comparison, Line, Measurement, PointMeasurement

if TYPE_CHECKING:
    import geopandas
    from shapely.geometry.base import BaseGeometry

__all__ = ["records", "to_json", "to_csv", "to_table", "to_geojson", "to_geodataframe",
           "CSV_FIELDS", "flat_records", "line_records", "clean_geometry", "both_names", "DEGREE_GRID",
           "METRE_GRID"]

#: The grid written coordinates are snapped to: 1e-7 degrees (7 decimals, about 1 cm, as
#: OpenStreetMap stores them: :data:`hetao.geodesy.COORDINATE_DECIMALS`) in lon/lat; 1 cm in
#: a projected CRS. Two distinct vertices on the degree grid are at least 1.03 cm apart here
#: (1e-7 degrees of longitude at 22.5 °N).
DEGREE_GRID = 10.0 ** -COORDINATE_DECIMALS
METRE_GRID = 0.01


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value / factor


def records(measurements: list[Measurement]) -> list[dict[str, Any]]:
    """One JSON-ready dict per feature (areas in ha/km²/acres, lengths in metres).

    Examples
    --------
    >>> import hetao
    >>> rec = records(hetao.measure(hetao.load()))[0]
    >>> rec["id"], round(rec["geodesic_area_ha"], 1), rec["stated"][0]["status"]
    ('hong-kong-park', 107.9, 'reconciled')
    """
    return [{**_identity(m), **_area(m), "edges": _edge_records(m),
             "positional_accuracy_m": m.feature.spec.provenance.positional_accuracy_m,
             "stated": [_comparison(c) for c in m.comparisons],
             "reconciled": _reconciled(m) if isinstance(m, AreaMeasurement) else None,
             "explanation": m.feature.spec.explanation,
             "provenance": _provenance(m)} for m in measurements]


def _identity(m: Measurement) -> dict[str, Any]:
    spec = m.feature.spec
    return {
        "id": spec.id, "name_en": spec.name_en, "name_zh": spec.name_zh, "side": spec.side,
        "kind": spec.kind, "approximate": spec.approximate, "part_of": spec.part_of,
        "union_of": list(spec.union_of),
        "location": list(m.location) if isinstance(m, PointMeasurement) else None,
    }


def _area(m: Measurement) -> dict[str, Any]:
    area = m if isinstance(m, AreaMeasurement) else None
    geodesic = area.geodesic_area_m2 if area else None
    return {
        "geodesic_area_ha": _scaled(geodesic, 1e4),
        "geodesic_area_km2": _scaled(geodesic, 1e6),
        "geodesic_area_acres": _scaled(geodesic, UNITS_M2["acre"]),
        "perimeter_m": area.perimeter_m if area else None,
        "boundary_length_m": area.boundary_length_m if area else None,
        "grid_crs": m.grid_crs,
        "grid_area_ha": _scaled(area.grid_area_m2 if area else None, 1e4),
        "uncertainty_ha": _scaled(area.uncertainty_m2 if area else None, 1e4),
    }


def _edge_records(m: Measurement) -> list[dict[str, Any]]:
    if not isinstance(m, AreaMeasurement):
        return []
    return [{
        "id": e.piece.line_id,
        "piece": e.piece.piece_id,
        "name_en": e.piece.name_en,
        "name_zh": e.piece.name_zh,
        "edge": e.edge,
        "length_m": e.length_m,
        "accuracy_m": e.piece.accuracy_m,
        "uncertainty_ha": e.uncertainty_m2 / 1e4,
        "share": e.uncertainty_m2 / m.uncertainty_m2 if m.uncertainty_m2 else None,
        "derived": e.piece.derived,
        "source": e.piece.source,
    } for e in m.edges]


def _comparison(c: Comparison) -> dict[str, Any]:
    return {
        "value": c.figure.value,
        "unit": c.figure.unit,
        "value_ha": c.figure.value_ha,
        "quantity": c.figure.quantity,
        "approx": c.figure.approx,
        "source": c.figure.source,
        "date": c.figure.date,
        "difference_ha": c.difference_ha,
        "difference_pct": c.difference_pct,
        "tolerance_ha": c.tolerance_ha,
        "status": c.status,
        "reconciled_difference_ha": c.reconciled_difference_ha,
        "reconciled_status": c.reconciled_status,
    }


def _provenance(m: Measurement) -> dict[str, Any]:
    prov = m.feature.spec.provenance
    return {"source": prov.source, "licence": prov.licence, "attribution": prov.attribution,
            "method": prov.method, "date": prov.date}


def _reconciled(m: AreaMeasurement) -> dict[str, Any] | None:
    r = m.reconciled
    if r is None:
        return None
    strips = [] if r.spec is None else [
        {"edge": s.edge, "width_m": s.width_m, "range_m": list(s.range_m), "along": s.along}
        for s in r.spec.strips]
    return {"what": r.what, "reading": r.reading, "area_ha": r.area_m2 / 1e4,
            "range_ha": [r.low_m2 / 1e4, r.high_m2 / 1e4], "strips": strips,
            "from_parts": list(r.parts), "source": r.spec.source if r.spec else None}


def both_names(en: str, zh: str) -> str:
    """A feature's name in English and Chinese, as outputs give it.

    Examples
    --------
    >>> both_names("Shenzhen Park", "深圳园区")
    'Shenzhen Park · 深圳园区'
    """
    return f"{en} · {zh}" if zh and zh != en else en


def clean_geometry(geometry: BaseGeometry, grid: float = DEGREE_GRID) -> BaseGeometry:
    """A geometry as written: coordinates snapped to ``grid`` (so that no two consecutive
    vertices lie closer than one step), repeated vertices dropped, rings oriented as RFC 7946
    says (exteriors counter-clockwise).

    Examples
    --------
    >>> clean_geometry(shapely.LineString([(114.078094999, 22.5), (114.0780950001, 22.5), (114.1, 22.6)])).wkt
    'LINESTRING (114.078095 22.5, 114.1 22.6)'
    """
    snapped = shapely.set_precision(geometry, grid)
    return shapely.orient_polygons(snapped, exterior_cw=False)


def _rounded(value: float, grid: float) -> float:
    """A coordinate on the grid, as the shortest decimal (7 decimals on the degree grid)."""
    return round(value, COORDINATE_DECIMALS if grid < 1e-3 else 2)


def _place(geometry: BaseGeometry, grid: float) -> tuple[float | None, float | None]:
    """The coordinates of a point, or of a point inside a polygon or on a line."""
    if geometry.is_empty:
        return None, None
    point = geometry if geometry.geom_type == "Point" else (
        shapely.line_interpolate_point(shapely.line_merge(geometry), 0.5, normalized=True)
        if "Line" in geometry.geom_type else geometry.representative_point())
    return _rounded(point.x, grid), _rounded(point.y, grid)


def _main_figure(rec: dict[str, Any]) -> dict[str, Any]:
    """The first stated figure of a record, flat (all None when it states none)."""
    s = rec["stated"][0] if rec["stated"] else None
    if s is None:
        return dict.fromkeys(("stated", "stated_ha", "stated_source", "difference_ha", "status"))
    return {"stated": f"{'about ' if s['approx'] else ''}{s['value']:g} {s['unit']}", "stated_ha": s["value_ha"],
            "stated_source": s["source"], "difference_ha": s["difference_ha"], "status": s["status"]}


def _dominant(rec: dict[str, Any]) -> dict[str, Any]:
    """The edge with the largest share of a polygon's uncertainty, flat."""
    if not rec["edges"]:
        return {"dominant_edge": None, "dominant_edge_ha": None}
    top = max(rec["edges"], key=lambda e: e["uncertainty_ha"])
    return {"dominant_edge": both_names(top["name_en"], top["name_zh"]), "dominant_edge_ha": top["uncertainty_ha"]}


def flat_records(measurements: list[Measurement], geometries: list[BaseGeometry] | None = None,
                 grid: float = DEGREE_GRID) -> list[dict[str, Any]]:
    """One flat dict per feature: text and numbers only, for tables, spreadsheets and GIS.

    ``name`` (English and Chinese), ``lon``/``lat`` (the point, or a point inside the
    polygon, from ``geometries`` as written when given), the geodesic area and its
    uncertainty, the first stated figure and its status, the dominant uncertain edge, the
    provenance, and ``detail``: the nested stated figures, edges, provenance and reconciled
    area (:func:`records`) as JSON text.

    Examples
    --------
    >>> import hetao
    >>> flat = flat_records(hetao.measure(hetao.load()))
    >>> flat[0]["name_en"], flat[0]["stated"], flat[0]["status"]
    ('Hong Kong Park (Lok Ma Chau Loop)', '87 ha', 'reconciled')
    """
    geometries = geometries or [clean_geometry(m.boundary.geometry, grid) for m in measurements]
    out = []
    for rec, geometry in zip(records(measurements), geometries):
        lon, lat = _place(geometry, grid)
        recon = rec["reconciled"]
        prov = rec["provenance"]
        detail = {k: rec[k] for k in ("stated", "edges", "provenance", "reconciled", "explanation")}
        out.append({
            "id": rec["id"], "name": both_names(rec["name_en"], rec["name_zh"]), "name_en": rec["name_en"],
            "name_zh": rec["name_zh"], "kind": rec["kind"], "side": rec["side"], "part_of": rec["part_of"],
            "union_of": ",".join(rec["union_of"]) or None, "approximate": rec["approximate"],
            "lon": lon, "lat": lat, "area_ha": rec["geodesic_area_ha"], "uncertainty_ha": rec["uncertainty_ha"],
            "grid_crs": rec["grid_crs"], "grid_area_ha": rec["grid_area_ha"], "perimeter_m": rec["perimeter_m"],
            "accuracy_m": rec["positional_accuracy_m"], **_main_figure(rec),
            "reconciled_ha": recon["area_ha"] if recon else None, **_dominant(rec),
            "source": prov["source"], "licence": prov["licence"], "attribution": prov["attribution"],
            "method": prov["method"], "date": prov["date"],
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
        })
    return out


def line_records(lines: tuple[Line, ...] | list[Line], geometries: list[BaseGeometry] | None = None,
                 grid: float = DEGREE_GRID) -> list[dict[str, Any]]:
    """One flat dict per piece of each boundary line: its ids, names, how it was made and
    how accurate it is (``geometries``: the pieces as written, in order, if already made).

    Examples
    --------
    >>> import hetao
    >>> piece = line_records(hetao.load().lines)[0]
    >>> piece["id"], piece["kind"], piece["accuracy_m"] > 0
    ('hk-sz-border/hk-sz-border', 'line', True)
    """
    from .display import line_style     # here: areas, check and the tables draw nothing

    pieces = [(line, p) for line in lines for p in line.pieces]
    geometries = geometries or [clean_geometry(p.geometry, grid) for _, p in pieces]
    out = []
    for (line, p), geometry in zip(pieces, geometries):
        lon, lat = _place(geometry, grid)
        prov = line.spec.provenance
        out.append({
            "id": f"{line.id}/{p.piece_id}", "line_id": line.id, "piece_id": p.piece_id,
            "name": both_names(p.name_en, p.name_zh), "name_en": p.name_en, "name_zh": p.name_zh,
            "kind": "line", "style": line_style(line, p), "derived": p.derived,
            "approximate": line.spec.approximate, "lon": lon, "lat": lat,
            "length_m": float(GEOD.geometry_length(p.geometry)), "accuracy_m": p.accuracy_m,
            "source": p.source, "method": p.method, "licence": prov.licence,
            "attribution": prov.attribution, "date": prov.date,
        })
    return out


def to_json(measurements: list[Measurement]) -> str:
    """The records as a JSON list."""
    return json.dumps(records(measurements), ensure_ascii=False, indent=2) + "\n"


def to_geojson(measurements: list[Measurement], *, lines: tuple[Line, ...] | list[Line] = (),
               stamp: str | None = None) -> str:
    """All features as one RFC 7946 FeatureCollection, their records as properties.

    Each polygon and point carries its full nested record (:func:`records`, less the
    ``location`` list) and the flat fields of :func:`flat_records` (``name``, ``lon``,
    ``lat``, ``area_ha``, ``status``, …); each piece of the given ``lines`` follows as a
    feature of ``kind: line`` (:func:`line_records`). Coordinates are written with 7 decimals
    (:func:`clean_geometry`). ``stamp``: the version stamp, written as the collection's
    ``version`` member.
    """
    geometries = [clean_geometry(m.boundary.geometry) for m in measurements]
    features = []
    for rec, flat, geometry in zip(records(measurements), flat_records(measurements, geometries), geometries):
        rec.pop("location")
        features.append({"type": "Feature", "id": rec["id"],
                         "properties": {**rec, **{k: v for k, v in flat.items() if k not in rec and k != "detail"}},
                         "geometry": mapping(geometry)})
    pieces = [clean_geometry(p.geometry) for line in lines for p in line.pieces]
    features += [{"type": "Feature", "id": rec["id"], "properties": rec, "geometry": mapping(geometry)}
                 for rec, geometry in zip(line_records(lines, pieces), pieces)]
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if stamp is not None:
        collection["version"] = stamp
    collection["features"] = features
    return json.dumps(collection, ensure_ascii=False) + "\n"


def to_geodataframe(measurements: list[Measurement]) -> "geopandas.GeoDataFrame":
    """The measured features as a GeoDataFrame (WGS84), one row per feature, indexed by id.

    Columns are the keys of :func:`records` (``stated`` and ``provenance`` hold lists and
    dicts). geopandas is imported only here.

    Examples
    --------
    >>> from hetao.measurement import measure_zone
    >>> from hetao.zone import load_zone
    >>> frame = to_geodataframe(measure_zone(load_zone()))
    >>> frame.geom_type["hong-kong-park"], round(float(frame.loc["hong-kong-park", "geodesic_area_ha"]), 1)
    ('Polygon', 107.9)
    >>> str(frame.crs)
    'EPSG:4326'
    """
    import geopandas

    recs = records(measurements)
    frame = geopandas.GeoDataFrame(
        recs, geometry=[m.boundary.geometry for m in measurements], crs="EPSG:4326")
    return frame.set_index("id", drop=False).rename_axis(None)


CSV_FIELDS = [
    "id", "name_en", "name_zh", "side", "kind", "approximate", "geodesic_area_ha", "geodesic_area_km2",
    "geodesic_area_acres", "perimeter_m", "boundary_length_m", "grid_crs", "grid_area_ha", "uncertainty_ha",
    "positional_accuracy_m", "stated_value", "stated_unit", "stated_ha", "stated_quantity",
    "stated_source", "stated_date", "difference_ha", "difference_pct", "status",
    "reconciled_area_ha", "reconciled_low_ha", "reconciled_high_ha", "reconciled_difference_ha",
    "reconciled_status",
]


def to_csv(measurements: list[Measurement], *, stamp: str | None = None) -> str:
    """One row per feature and stated figure (a feature with none gets one row).

    ``stamp``: the version stamp, written in a last column ``version`` when given.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS + (["version"] if stamp is not None else []),
                            lineterminator="\n")
    writer.writeheader()
    for rec in records(measurements):
        base = {k: rec[k] for k in CSV_FIELDS if k in rec}
        if stamp is not None:
            base["version"] = stamp
        if rec["reconciled"]:
            base["reconciled_area_ha"] = rec["reconciled"]["area_ha"]
            base["reconciled_low_ha"], base["reconciled_high_ha"] = rec["reconciled"]["range_ha"]
        for s in rec["stated"] or [None]:
            row = dict(base)
            if s is not None:
                row.update({
                    "stated_value": s["value"], "stated_unit": s["unit"], "stated_ha": s["value_ha"],
                    "stated_quantity": s["quantity"], "stated_source": s["source"],
                    "stated_date": s["date"], "difference_ha": s["difference_ha"],
                    "difference_pct": s["difference_pct"], "status": s["status"],
                    "reconciled_difference_ha": s["reconciled_difference_ha"],
                    "reconciled_status": s["reconciled_status"],
                })
            writer.writerow(row)
    return buf.getvalue()


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def to_table(measurements: list[Measurement]) -> str:
    """A plain-text table for people: one line per feature, one indented line per figure."""
    head = f"{'feature':<24} {'side':<10} {'geodesic ha':>11} {'± ha':>8} {'grid ha':>9} {'perimeter m':>11}"
    lines = [head, "-" * len(head)]
    for rec in records(measurements):
        name = rec["id"] + (" *" if rec["approximate"] else "")
        if rec["kind"] == "point":
            lon, lat = rec["location"]
            lines.append(f"{name:<24} {rec['side']:<10} point at {lon:.6f}, {lat:.6f} "
                         f"(± {rec['positional_accuracy_m']:,.0f} m)")
        else:
            lines.append(
                f"{name:<24} {rec['side']:<10} {_num(rec['geodesic_area_ha'], ',.2f'):>11} "
                f"{_num(rec['uncertainty_ha'], ',.2f'):>8} {_num(rec['grid_area_ha'], ',.2f'):>9} "
                f"{_num(rec['perimeter_m'], ',.0f'):>11}")
        if len(rec["edges"]) > 1:
            top = max(rec["edges"], key=lambda e: e["uncertainty_ha"])
            for e in rec["edges"]:
                mark = "  <- dominant" if e is top else ""
                piece = "" if e["piece"] == e["id"] else f" [{e['piece']}]"
                lines.append(f"    edge {e['edge']:<10} {e['id']}{piece}: {e['length_m']:,.0f} m × "
                             f"{e['accuracy_m']:g} m = ± {e['uncertainty_ha']:,.2f} ha "
                             f"({100 * (e['share'] or 0):.0f} %){mark}")
        if rec["reconciled"]:
            r = rec["reconciled"]
            low, high = r["range_ha"]
            lines.append(f"    less {r['what']}: {r['area_ha']:,.2f} ha ({low:,.2f} to {high:,.2f}), "
                         f"reading {r['reading']}")
        for s in rec["stated"]:
            about = "about " if s["approx"] else ""
            figure = f"{about}{s['value']:,g} {s['unit']}"
            if s["status"] == "not_comparable":
                lines.append(f"    stated {figure} {s['quantity']} ({s['source']}): not comparable")
            else:
                also = ""
                if s["reconciled_status"]:
                    also = (f"; less {rec['reconciled']['what']} {s['reconciled_difference_ha']:+.2f} ha "
                            f"{s['reconciled_status']}")
                lines.append(f"    stated {figure} ({s['source']}): {s['difference_ha']:+.2f} ha "
                             f"({s['difference_pct']:+.1f} %) {s['status']}{also}")
    lines.append("* approximate geometry; ± is the area uncertainty (boundary length × positional "
                 "accuracy); perimeter is the exterior's")
    return "\n".join(lines) + "\n"
