"""Derive the shipped boundaries/ folder from the curated sources in ../shared/data/.

Run from the repository root:  .venv/bin/python tools/derive_boundaries.py [SHARED_DATA_DIR]

It copies vertices as they are (no vertex is moved, rounded or added), orients rings
counter-clockwise, and computes the few derived numbers the manifest carries: the
positional accuracy of each approximate Shenzhen part (a length-weighted mean of its
per-edge uncertainties) and the branch point with its uncertainty radius. Everything it
writes is described in boundaries/README.md.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import shapely
from pyproj import Geod

from geo.manifest import manifest_text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "boundaries"
GEOD = Geod(ellps="WGS84")

OSM = "© OpenStreetMap contributors"
ODBL = "ODbL-1.0"
GOV_PLAN = "State Council plan 国发〔2023〕12号"

# Per-edge positional uncertainty (metres) of the approximate Shenzhen parts, taken from
# the candidates' own `uncertainty_m` notes (midpoints of the ranges given there).
EDGE_ACCURACY_M = {
    "futian-bonded-zone": {"south": 30.0, "north": 190.0, "west": 250.0},
    "huanggang-port-area": {"south": 30.0, "north": 125.0, "west": 320.0, "east": 60.0},
}
WEST_MERIDIAN = {"futian-bonded-zone": 114.0365, "huanggang-port-area": 114.0657}
EAST_MERIDIAN = {"huanggang-port-area": 114.081615}


def collection(feature_id: str, geometry: dict, properties: dict | None = None) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": feature_id, "properties": properties or {}, "geometry": geometry}]}


def ccw(coords: list) -> list:
    return coords if shapely.LinearRing(coords).is_ccw else coords[::-1]


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def edge_weighted_accuracy(fid: str, ring: list, river: shapely.LineString) -> tuple[float, dict]:
    """Length-weighted mean of per-edge uncertainties; returns it and each edge's length."""
    lengths: dict[str, float] = {}
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        on_river = all(river.distance(shapely.Point(x, y)) < 1e-7 for x, y in ((x0, y0), (x1, y1)))
        if on_river:
            edge = "south"
        elif x0 == x1 == WEST_MERIDIAN[fid]:
            edge = "west"
        elif fid in EAST_MERIDIAN and x0 == x1 == EAST_MERIDIAN[fid]:
            edge = "east"
        else:
            edge = "north"
        lengths[edge] = lengths.get(edge, 0.0) + GEOD.inv(x0, y0, x1, y1)[2]
    acc = EDGE_ACCURACY_M[fid]
    total = sum(lengths.values())
    return sum(acc[e] * n for e, n in lengths.items()) / total, lengths


def main(shared: Path) -> None:
    loop = json.loads((shared / "lok_ma_chau_loop_osm.geojson").read_text())["features"][0]
    cands = json.loads((shared / "shenzhen_park_candidates.geojson").read_text())["features"]
    border = json.loads((shared / "hk_sz_border_futian_osm.geojson").read_text())["features"][0]
    hk = json.loads((shared / "hong_kong_boundary_osm.geojson").read_text())
    river = shapely.LineString(border["geometry"]["coordinates"])

    loop_ring = ccw(loop["geometry"]["coordinates"][0])
    write(OUT / "hong-kong-park.geojson", collection("hong-kong-park", {"type": "Polygon", "coordinates": [loop_ring]}))

    parts = {"futian-bonded-zone": cands[0], "huanggang-port-area": cands[2]}
    accuracy, edges = {}, {}
    for fid, feat in parts.items():
        ring = ccw(feat["geometry"]["coordinates"][0])
        accuracy[fid], edges[fid] = edge_weighted_accuracy(fid, ring, river)
        write(OUT / f"{fid}.geojson", collection(fid, {"type": "Polygon", "coordinates": [ring]}))

    bonded = shapely.Polygon(ccw(parts["futian-bonded-zone"]["geometry"]["coordinates"][0]))
    rep = bonded.representative_point()
    px, py = round(rep.x, 6), round(rep.y, 6)
    farthest = max(GEOD.inv(px, py, x, y)[2] for x, y in bonded.exterior.coords)
    radius = math.ceil((farthest + 100.0) / 10.0) * 10.0
    write(OUT / "hkstp-shenzhen-branch.geojson",
          collection("hkstp-shenzhen-branch", {"type": "Point", "coordinates": [px, py]}))

    write(OUT / "context" / "hk-sz-border.geojson", collection("hk-sz-border", border["geometry"]))
    hk_geom = hk["geometry"]
    hk_geom["coordinates"] = [[ccw(r) if i == 0 else r for i, r in enumerate(p)] for p in hk_geom["coordinates"]]
    write(OUT / "context" / "hong-kong-boundary.geojson", collection("hong-kong-boundary", hk_geom))

    manifest = build_manifest(accuracy, edges, radius, farthest)
    (OUT / "manifest.json").write_text(manifest_text(manifest), encoding="utf-8")
    print(f"accuracy {accuracy}, edges {edges}, branch ({px}, {py}) radius {radius} m")


def build_manifest(accuracy: dict, edges: dict, radius: float, farthest: float) -> dict:
    osm_loop = ("OpenStreetMap: HK-Shenzhen border (relation 913110, via timezone-boundary-builder "
                "2026c in the PyPI package timezonefinder-data 3.2026.3.post1), North District "
                "(relation 9159733) and Yuen Long District (relation 8480823), extract of 2026-10-07")
    candidates = ("hetao's approximate candidate polygons (shared/data/shenzhen_park_candidates.geojson), "
                  "derived from the OSM HK-Shenzhen border (relation 913110) and named reference "
                  "points (metro stations, buildings; GCJ-02/BD-09 sources converted to WGS84)")
    cand_licence = "ODbL-1.0 (south edge, from OpenStreetMap); derived work"

    def edge_note(fid: str) -> dict:
        return {"edge_uncertainty_m": EDGE_ACCURACY_M[fid],
                "edge_length_m": {k: round(v, 1) for k, v in edges[fid].items()}}

    return {
        "schema": 1,
        "features": [
            {
                "id": "hong-kong-park", "side": "hong_kong", "kind": "polygon",
                "name": {"en": "Hong Kong Park (Lok Ma Chau Loop)", "zh": "香港園區（落馬洲河套地區）"},
                "geometry": "hong-kong-park.geojson",
                "provenance": {
                    "source": osm_loop, "licence": ODBL, "attribution": OSM, "date": "2026-10-07",
                    "method": ("Assembled from three OSM lines meeting at their junction vertices: the border "
                               "(centre line of the new Shenzhen River) on the north, the old-meander "
                               "district lines on the east and south. Vertices as in OSM; ring oriented "
                               "counter-clockwise."),
                    "positional_accuracy_m": 10,
                },
                "stated": [
                    {"value": 87, "unit": "ha", "source": "HK Government (LegCo paper CB(1)150/20-21(05); news.gov.hk)", "date": "2017-01-03"},
                    {"value": 214, "unit": "acre", "source": "HK Government (news.gov.hk)", "date": "2017-01-03"},
                    {"value": 87.7, "unit": "ha", "source": "Planning & Engineering Study on the Development of the Lok Ma Chau Loop, Stage 1"},
                    {"value": 88, "unit": "ha", "approx": True, "source": "CEDD technical report TR9A", "date": "2015-02"},
                    {"value": 0.87, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"},
                ],
                "explanation": ("The OSM outline runs to the centre line of the new Shenzhen River on the north "
                                "and along the old-meander line on the east and south, so it includes river "
                                "water; the stated figures are the Loop's land. The difference is that water."),
            },
            {
                "id": "shenzhen-park", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "name": {"en": "Shenzhen Park (approximate)", "zh": "深圳园区（近似）"},
                "union_of": ["futian-bonded-zone", "huanggang-port-area"],
                "provenance": {
                    "source": candidates, "licence": cand_licence, "attribution": OSM, "date": "2026-11-25",
                    "method": "Union of its two approximate parts; its area uncertainty is the sum of theirs.",
                },
                "stated": [
                    {"value": 302, "unit": "ha", "source": "South China Morning Post", "date": "2023-09-07"},
                    {"value": 3.02, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"},
                    {"value": 300, "unit": "ha", "approx": True, "source": "Ta Kung Pao", "date": "2025-06-19"},
                    {"value": 300, "unit": "ha", "approx": True, "source": "China Daily", "date": "2025-12-22"},
                ],
                "explanation": ("No official polygon of the Shenzhen side is published; the shape is the union "
                                "of two approximate parts whose edges are uncertain by tens to hundreds of "
                                "metres, and the Futian Port wedge between them is left unassigned."),
            },
            {
                "id": "futian-bonded-zone", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "part_of": "shenzhen-park",
                "name": {"en": "Futian Bonded Zone part (approximate)", "zh": "福田保税区片区（近似）"},
                "geometry": "futian-bonded-zone.geojson",
                "provenance": {
                    "source": candidates + ", variant A", "licence": cand_licence, "attribution": OSM,
                    "date": "2026-11-25",
                    "method": ("South edge: OSM Shenzhen River centre line. West edge: meridian 114.0365 (the "
                               "Xinzhou River, assumed). North edge: Ronghua Road as a straight line through "
                               "the derived Guanglan Rd x Ronghua Rd intersection on the bearing of Guihua Rd, "
                               "run east to the river. The official east limit (edge of Huanggang Port) is not "
                               "reached. Positional accuracy: length-weighted mean of the per-edge "
                               "uncertainties in notes."),
                    "positional_accuracy_m": round(accuracy["futian-bonded-zone"], 1),
                },
                "stated": [{"value": 1.35, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"}],
                "explanation": ("Approximate polygon built from indirect evidence: the west edge is assumed and "
                                "the north edge extrapolated, so its area can be off by tens of hectares "
                                "(1.52 to 1.88 km² across the plausible variants)."),
                "notes": edge_note("futian-bonded-zone"),
            },
            {
                "id": "huanggang-port-area", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "part_of": "shenzhen-park",
                "name": {"en": "Huanggang Port area part (approximate)", "zh": "皇岗口岸片区（近似）"},
                "geometry": "huanggang-port-area.geojson",
                "provenance": {
                    "source": candidates + ", central variant", "licence": cand_licence, "attribution": OSM,
                    "date": "2026-11-25",
                    "method": ("South edge: OSM Shenzhen River centre line. West edge: Huanggang Road as the "
                               "meridian 114.0657, the midpoint of its evidence interval (114.0626-114.0688). "
                               "North edge: Binhe Boulevard through two Line 7 stations. East edge: Huaqiang "
                               "South Road as meridian 114.081615. Positional accuracy: length-weighted mean "
                               "of the per-edge uncertainties in notes."),
                    "positional_accuracy_m": round(accuracy["huanggang-port-area"], 1),
                },
                "stated": [{"value": 1.67, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"}],
                "explanation": ("Approximate polygon: the west edge alone is uncertain by about 320 m, worth "
                                "0.17 km² per 100 m (1.02 to 2.00 km² across its evidence interval)."),
                "notes": edge_note("huanggang-port-area"),
            },
            {
                "id": "hkstp-shenzhen-branch", "side": "shenzhen", "kind": "point", "approximate": True,
                "name": {"en": "Hong Kong Science Park Shenzhen branch (approximate location)",
                         "zh": "香港科学园深圳分园（近似位置）"},
                "geometry": "hkstp-shenzhen-branch.geojson",
                "provenance": {
                    "source": ("Opened 2023-09-07 in the Futian Bonded Zone; \"about 100 m from the bonded "
                               "zone's Channel No. 1\" (China News Service). No address or coordinate is "
                               "published."),
                    "licence": "CC0-1.0 (a derived point, no third-party coordinates)",
                    "date": "2026-11-25",
                    "method": (f"Placed at shapely's representative point of the approximate Futian Bonded "
                               f"Zone part; the uncertainty radius covers that whole part plus 100 m "
                               f"(farthest vertex {farthest:.0f} m, rounded up to 10 m)."),
                    "positional_accuracy_m": radius,
                },
                "stated": [{"value": 31000, "unit": "m2", "quantity": "gross floor area",
                            "source": "Sing Tao Daily; South China Morning Post (two buildings)",
                            "date": "2023-09-07"}],
                "notes": {"not_to_confuse": ("Not confirmed to be the Shenzhen-Hong Kong International S&T "
                                             "Park at 槟榔道3号 (seven 13-storey buildings); the branch is "
                                             "described as two 6-storey buildings.")},
            },
        ],
        "context": [
            {
                "id": "hk-sz-border", "name": {"en": "Hong Kong-Shenzhen boundary (Shenzhen River)", "zh": "港深边界（深圳河）"},
                "geometry": "context/hk-sz-border.geojson",
                "provenance": {"source": "OpenStreetMap relation 913110 via timezone-boundary-builder 2026c "
                                         "(PyPI timezonefinder-data 3.2026.3.post1)", "licence": ODBL,
                               "attribution": OSM, "date": "2026-10-07",
                               "method": "The border segment for lon 114.028-114.092, vertices as in the source."},
            },
            {
                "id": "hong-kong-boundary", "name": {"en": "Hong Kong boundary", "zh": "香港邊界"},
                "geometry": "context/hong-kong-boundary.geojson",
                "provenance": {"source": "OpenStreetMap relation 913110 via timezone-boundary-builder 2026c "
                                         "(PyPI timezonefinder-data 3.2026.3.post1), Asia/Hong_Kong",
                               "licence": ODBL, "attribution": OSM, "date": "2026-10-07",
                               "method": "The whole Asia/Hong_Kong polygon (land border and territorial waters)."},
            },
        ],
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
