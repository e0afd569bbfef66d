"""Measurements as records, and those records as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import mapping

from .model import UNITS_M2, AreaMeasurement, Comparison, Measurement, PointMeasurement

if TYPE_CHECKING:
    import geopandas

__all__ = ["records", "to_json", "to_csv", "to_table", "to_geojson", "to_geodataframe",
           "CSV_FIELDS"]

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


def to_json(measurements: list[Measurement]) -> str:
    """The records as a JSON list."""
    return json.dumps(records(measurements), ensure_ascii=False, indent=2) + "\n"


def to_geojson(measurements: list[Measurement]) -> str:
    """All features as one RFC 7946 FeatureCollection, their records as properties."""
    features = [{
        "type": "Feature",
        "id": rec["id"],
        "properties": rec,
        # RFC 7946: exteriors counter-clockwise, holes clockwise (unions come out of GEOS
        # the other way).
        "geometry": mapping(shapely.orient_polygons(m.boundary.geometry, exterior_cw=False)),
    } for m, rec in zip(measurements, records(measurements))]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


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
    "id", "side", "kind", "approximate", "geodesic_area_ha", "geodesic_area_km2",
    "geodesic_area_acres", "perimeter_m", "boundary_length_m", "grid_crs", "grid_area_ha", "uncertainty_ha",
    "positional_accuracy_m", "stated_value", "stated_unit", "stated_ha", "stated_quantity",
    "stated_source", "stated_date", "difference_ha", "difference_pct", "status",
    "reconciled_area_ha", "reconciled_low_ha", "reconciled_high_ha", "reconciled_difference_ha",
    "reconciled_status",
]


def to_csv(measurements: list[Measurement]) -> str:
    """One row per feature and stated figure (a feature with none gets one row)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rec in records(measurements):
        base = {k: rec[k] for k in CSV_FIELDS if k in rec}
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
