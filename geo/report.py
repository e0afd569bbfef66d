"""Measurements as records, and those records as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

from shapely.geometry import mapping

from .measurement import Measurement

__all__ = ["ACRE_M2", "records", "to_json", "to_csv", "to_table", "to_geojson", "CSV_FIELDS"]

ACRE_M2 = 4046.8564224


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value / factor


def records(measurements: list[Measurement]) -> list[dict]:
    """One JSON-ready dict per feature (areas in ha/km²/acres, lengths in metres)."""
    out = []
    for m in measurements:
        spec = m.boundary.spec
        prov = spec.provenance
        geom = m.boundary.geometry
        out.append({
            "id": spec.id,
            "name_en": spec.name_en,
            "name_zh": spec.name_zh,
            "side": spec.side,
            "kind": spec.kind,
            "approximate": spec.approximate,
            "part_of": spec.part_of,
            "union_of": list(spec.union_of),
            "location": [geom.x, geom.y] if spec.kind == "point" else None,
            "geodesic_area_ha": _scaled(m.geodesic_area_m2, 1e4),
            "geodesic_area_km2": _scaled(m.geodesic_area_m2, 1e6),
            "geodesic_area_acres": _scaled(m.geodesic_area_m2, ACRE_M2),
            "perimeter_m": m.perimeter_m,
            "grid_crs": m.grid_crs,
            "grid_area_ha": _scaled(m.grid_area_m2, 1e4),
            "uncertainty_ha": _scaled(m.uncertainty_m2, 1e4),
            "positional_accuracy_m": prov.positional_accuracy_m,
            "stated": [{
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
            } for c in m.comparisons],
            "explanation": spec.explanation,
            "provenance": {
                "source": prov.source,
                "licence": prov.licence,
                "attribution": prov.attribution,
                "method": prov.method,
                "date": prov.date,
            },
        })
    return out


def to_json(measurements: list[Measurement]) -> str:
    """The records as a JSON list."""
    return json.dumps(records(measurements), ensure_ascii=False, indent=2) + "\n"


def to_geojson(measurements: list[Measurement]) -> str:
    """All features as one RFC 7946 FeatureCollection, their records as properties."""
    features = [{
        "type": "Feature",
        "id": rec["id"],
        "properties": rec,
        "geometry": mapping(m.boundary.geometry),
    } for m, rec in zip(measurements, records(measurements))]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


CSV_FIELDS = [
    "id", "side", "kind", "approximate", "geodesic_area_ha", "geodesic_area_km2",
    "geodesic_area_acres", "perimeter_m", "grid_crs", "grid_area_ha", "uncertainty_ha",
    "positional_accuracy_m", "stated_value", "stated_unit", "stated_ha", "stated_quantity",
    "stated_source", "stated_date", "difference_ha", "difference_pct", "status",
]


def to_csv(measurements: list[Measurement]) -> str:
    """One row per feature and stated figure (a feature with none gets one row)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rec in records(measurements):
        base = {k: rec[k] for k in CSV_FIELDS if k in rec}
        for s in rec["stated"] or [None]:
            row = dict(base)
            if s is not None:
                row.update({
                    "stated_value": s["value"], "stated_unit": s["unit"], "stated_ha": s["value_ha"],
                    "stated_quantity": s["quantity"], "stated_source": s["source"],
                    "stated_date": s["date"], "difference_ha": s["difference_ha"],
                    "difference_pct": s["difference_pct"], "status": s["status"],
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
        for s in rec["stated"]:
            about = "about " if s["approx"] else ""
            figure = f"{about}{s['value']:,g} {s['unit']}"
            if s["status"] == "not_comparable":
                lines.append(f"    stated {figure} {s['quantity']} ({s['source']}): not comparable")
            else:
                lines.append(f"    stated {figure} ({s['source']}): {s['difference_ha']:+.2f} ha "
                             f"({s['difference_pct']:+.1f} %) {s['status']}")
    lines.append("* approximate geometry; ± is the area uncertainty (perimeter × positional accuracy)")
    return "\n".join(lines) + "\n"
