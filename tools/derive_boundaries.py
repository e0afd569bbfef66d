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
import os
import sys
from pathlib import Path

import shapely
from pyproj import Geod

from hetao.manifest import manifest_text

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("HETAO_DERIVE_OUT", ROOT / "boundaries"))
GEOD = Geod(ellps="WGS84")

OSM = "© OpenStreetMap contributors"
ODBL = "ODbL-1.0"
GOV_PLAN = "State Council plan 国发〔2023〕12号"
#: How far the derived Huaqiang S Rd piece runs on past Binhe Boulevard (metres).
OVERSHOOT_M = 50.0

BORDER_SOURCE = ("OpenStreetMap relation 913110 (HK-Shenzhen border), via timezone-boundary-builder "
                 "2026c in the PyPI package timezonefinder-data 3.2026.3.post1")
DISTRICT_SOURCE = ("OpenStreetMap {name} (relation {rel}), extract of 2026-10-07, as transcribed in "
                   "shared/data/lok_ma_chau_loop_osm_edges.json from ThomasKlein90/HideAndSeekGameSite "
                   "public/data/hong-kong-districts.geojson @4c1462ea")
ROADS_SOURCE = ("OpenStreetMap way {way}, Geofabrik Guangdong extract of 2026-09-04, via "
                "wslyx/GTA_SZ_GODOT data/city/city.json @c0155067 (local metres inverted exactly)")
CANDIDATE_SOURCE = ("hetao's approximate candidate polygon 'variant A' (shared/data/"
                    "shenzhen_park_candidates.geojson), built from named reference points")


def collection(feature_id: str, geometry: dict, properties: dict | None = None) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": feature_id, "properties": properties or {}, "geometry": geometry}]}


def ccw(coords: list) -> list:
    return coords if shapely.LinearRing(coords).is_ccw else coords[::-1]


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def line_file(pieces: list[tuple[str, list, dict]]) -> dict:
    """A line's GeoJSON: one LineString Feature per piece, with the piece's own properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": pid, "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}
        for pid, coords, props in pieces]}


def prov(source: str, method: str, accuracy: float, licence: str = ODBL, date: str = "2026-10-07",
         attribution: str | None = OSM) -> dict:
    out = {"source": source, "licence": licence, "method": method, "date": date, "positional_accuracy_m": accuracy}
    if attribution:
        out["attribution"] = attribution
    return out


def main(shared: Path) -> None:
    from hetao.faces import build_face
    from hetao.model import Piece

    cands = json.loads((shared / "shenzhen_park_candidates.geojson").read_text())["features"]
    border = json.loads((shared / "hk_sz_border_futian_osm.geojson").read_text())["features"][0]
    hk = json.loads((shared / "hong_kong_boundary_osm.geojson").read_text())
    edges = json.loads((shared / "lok_ma_chau_loop_osm_edges.json").read_text())
    roads = json.loads((shared / "shenzhen_roads_osm.geojson").read_text())["features"]
    port = {f["properties"]["id"]: f for f in
            json.loads((shared / "huanggang_port_area_edges.geojson").read_text())["features"]}
    way = {f["properties"]["osm_way"]: f for f in roads}

    lines: dict[str, tuple[dict, list]] = {}   # id -> (manifest entry, pieces)

    def add(lid: str, en: str, zh: str, provenance: dict, pieces: list, approximate: bool = False,
            osm: dict | None = None) -> None:
        entry = {"id": lid, "kind": "line", "name": {"en": en, "zh": zh},
                 "geometry": f"lines/{lid}.geojson", "provenance": provenance}
        if approximate:
            entry["approximate"] = True
        if osm:
            entry["osm"] = osm       # what hetao refresh fetches again
        lines[lid] = (entry, pieces)

    border_coords = border["geometry"]["coordinates"]
    add("hk-sz-border", "HK-Shenzhen boundary (Shenzhen River centre line)", "深港边界（深圳河中心线）",
        prov(BORDER_SOURCE, "The border for lon 114.028-114.092, vertices as in the source: the centre "
             "line of the (straightened) Shenzhen River.", 10),
        [("hk-sz-border", border_coords, {})],
        osm={"elements": ["relation/913110"],
             "ends": ["the west end of the extract (lon 114.032)", "the east end of the extract (lon 114.092)"]})
    nd = edges["north_district_osm_relation_9159733"]["loop_east_edge"]
    yl = edges["yuen_long_district_osm_relation_8480823"]["loop_south_edge"]
    add("loop-east-edge", "Loop east edge (old Shenzhen River meander; North District boundary)",
        "河套東界（深圳河舊河道；北區界線）",
        prov(DISTRICT_SOURCE.format(name="North District", rel=9159733),
             "The North District boundary from where it leaves the HK-Shenzhen border to the tri-junction "
             "with Yuen Long District, vertices as in the source.", 10),
        [("loop-east-edge", nd, {})],
        osm={"elements": ["relation/9159733"],
             "ends": ["where it leaves the HK-Shenzhen border", "the tri-junction with Yuen Long District"]})
    add("loop-south-edge", "Loop south edge (old Shenzhen River meander; Yuen Long District boundary)",
        "河套南界（深圳河舊河道；元朗區界線）",
        prov(DISTRICT_SOURCE.format(name="Yuen Long District", rel=8480823),
             "The Yuen Long District boundary from the tri-junction to where it meets the HK-Shenzhen "
             "border, vertices as in the source.", 10),
        [("loop-south-edge", yl, {})],
        osm={"elements": ["relation/8480823"],
             "ends": ["the tri-junction with North District", "where it meets the HK-Shenzhen border"]})

    binhe = way[25423077]
    add("binhe-boulevard", "Binhe Boulevard (north carriageway)", "滨河大道（北行车道）",
        prov(ROADS_SOURCE.format(way=25423077),
             "The north carriageway as traced in OSM (the road's centre line runs about 18 m south).",
             10, date="2026-09-04"),
        [("osm-way-25423077", binhe["geometry"]["coordinates"], {})],
        osm={"elements": ["way/25423077"]})

    # Huaqiang South Road: OSM way 25530053 stops about 195 m short of Binhe Boulevard (the
    # interchange). The gap is a piece of its own, continued along the way's last bearing to
    # Binhe, checked against way 25465190 (Huaqiang S Rd north of Binhe), which crosses Binhe.
    hq = way[25530053]["geometry"]["coordinates"]
    (qx, qy), (px, py) = hq[-2], hq[-1]
    ray = shapely.LineString([(px, py), (px + 20 * (px - qx), py + 20 * (py - qy))])
    binhe_line = shapely.LineString(binhe["geometry"]["coordinates"])
    meet = ray.intersection(binhe_line)
    north = shapely.LineString(way[25465190]["geometry"]["coordinates"]).intersection(binhe_line)
    check_m = GEOD.inv(meet.x, meet.y, north.x, north.y)[2]
    gap_m = GEOD.inv(px, py, meet.x, meet.y)[2]
    # The road runs on north of Binhe (way 25465190): the piece crosses Binhe and stops
    # OVERSHOOT_M beyond, so that a refreshed Binhe a few tens of metres away still meets it.
    azimuth = GEOD.inv(px, py, meet.x, meet.y)[0]
    end_x, end_y, _ = GEOD.fwd(meet.x, meet.y, azimuth, OVERSHOOT_M)
    north_accuracy = max(20.0, math.ceil(check_m / 5) * 5)
    south = port["huaqiang-south-road-extension"]
    add("huaqiang-south-road", "Huaqiang South Road", "华强南路",
        prov(ROADS_SOURCE.format(way=25530053), "The northbound carriageway as traced in OSM, extended "
             "at both ends by derived pieces that say how they were made.", 10, date="2026-09-04"),
        [("to-binhe-extrapolated", [[px, py], [round(end_x, 7), round(end_y, 7)]], {
            "name_en": "Huaqiang South Road (extrapolated to Binhe Boulevard)",
            "name_zh": "华强南路（外推至滨河大道）", "derived": True,
            "positional_accuracy_m": north_accuracy,
            "method": (f"From the north end of OSM way 25530053 along its last bearing across Binhe "
                       f"Boulevard ({gap_m:.1f} m to Binhe; the way stops at the interchange) and "
                       f"{OVERSHOOT_M:.0f} m on, as the road does. OSM way 25465190, Huaqiang S Rd north "
                       f"of Binhe, crosses Binhe {check_m:.1f} m from where this piece does.")}),
         ("osm-way-25530053", hq, {}),
         ("to-river-extrapolated", south["geometry"]["coordinates"], {
             "name_en": south["properties"]["name_en"], "name_zh": south["properties"]["name_zh"],
             "derived": True, "positional_accuracy_m": south["properties"]["positional_accuracy_m"],
             "method": south["properties"]["method"]})],
        osm={"elements": ["way/25530053"], "piece": "osm-way-25530053"})
    obs, ext = port["huanggang-road-observed"], port["huanggang-road-extrapolated"]
    add("huanggang-road", "Huanggang Road", "皇岗路",
        prov("shared/data/huanggang_port_area_edges.geojson, derived from OpenStreetMap ways 25584108, "
             "25584106, 24556363 and 25506781 (Binhe x Huanggang Rd interchange ramps), Geofabrik "
             "Guangdong extract of 2026-09-04", obs["properties"]["method"], 15, date="2026-09-04"),
        [("observed", obs["geometry"]["coordinates"], {"method": obs["properties"]["method"],
                                                       "positional_accuracy_m": 15}),
         ("extrapolated", ext["geometry"]["coordinates"], {
             "name_en": ext["properties"]["name_en"], "name_zh": ext["properties"]["name_zh"], "derived": True,
             "positional_accuracy_m": ext["properties"]["positional_accuracy_m"],
             "method": ext["properties"]["method"] + " Accuracy 75 m (50-100)."})])

    ring = cands[0]["geometry"]["coordinates"][0]     # variant A, vertices as listed in the file
    sw, nw, guanglan, tip = ring[0], ring[28], ring[27], ring[26]
    add("xinzhou-river-assumed", "Xinzhou River (assumed: meridian 114.0365)", "新洲河（假定：东经114.0365）",
        prov(CANDIDATE_SOURCE, "The candidate's west edge: the meridian 114.0365, ASSUMED for the "
             "Xinzhou River (only bound: the westernmost bonded-zone street address converts to "
             "114.0374, the mangrove park lies west of 114.0383). Uncertain by -400/+100 m.", 250,
             licence="ODbL-1.0 (derived work)", date="2026-11-25"),
        [("xinzhou-river-assumed", [sw, nw], {"derived": True})], approximate=True)
    add("ronghua-road-approximate", "Ronghua Road (approximate straight line)", "绒花路（近似直线）",
        prov(CANDIDATE_SOURCE, "The candidate's north edge: a straight line through the derived Guanglan "
             "Rd x Ronghua Rd intersection (114.040423, 22.51177) on the bearing of Guihua Rd (101.5 deg), "
             "from the west edge east until it meets the river line. Uncertain by 80 m at Guanglan Rd, "
             "growing to about 300 m at the east tip; 190 m taken as its accuracy.", 190,
             licence="ODbL-1.0 (derived work)", date="2026-11-25"),
        [("ronghua-road-approximate", [nw, guanglan, tip], {"derived": True})], approximate=True)

    for lid, (_, pieces) in lines.items():
        write(OUT / "lines" / f"{lid}.geojson", line_file(pieces))

    def piece_list(ids: list[str]) -> list:
        return [Piece(i, pid, i, i, shapely.LineString(c), 1.0, "", "") for i in ids for pid, c, _ in lines[i][1]]

    bonded = build_face("futian-bonded-zone", [("north", piece_list(["ronghua-road-approximate"])),
                                               ("south", piece_list(["hk-sz-border"])),
                                               ("west", piece_list(["xinzhou-river-assumed"]))], "derive")
    rep = bonded.representative_point()
    px, py = round(rep.x, 6), round(rep.y, 6)
    farthest = max(GEOD.inv(px, py, x, y)[2] for x, y in bonded.exterior.coords)
    radius = math.ceil((farthest + 100.0) / 10.0) * 10.0
    write(OUT / "hkstp-shenzhen-branch.geojson",
          collection("hkstp-shenzhen-branch", {"type": "Point", "coordinates": [px, py]}))

    hk_geom = hk["geometry"]
    hk_geom["coordinates"] = [[ccw(r) if i == 0 else r for i, r in enumerate(p)] for p in hk_geom["coordinates"]]
    write(OUT / "context" / "hong-kong-boundary.geojson", collection("hong-kong-boundary", hk_geom))
    nearby = [f["geometry"]["coordinates"] for f in roads if not f["properties"]["role"].startswith("edge")]
    write(OUT / "context" / "nearby-roads.geojson",
          collection("nearby-roads", {"type": "MultiLineString", "coordinates": nearby}))

    manifest = build_manifest([entry for entry, _ in lines.values()], radius, farthest)
    (OUT / "manifest.json").write_text(manifest_text(manifest), encoding="utf-8")
    print(f"branch ({px}, {py}) radius {radius} m; Huaqiang north piece {gap_m:.1f} m, "
          f"{check_m:.1f} m from way 25465190's crossing -> accuracy {north_accuracy} m")


WIDTHS_SOURCE = ("shared/data/river_channel_widths.json: half-channel widths (OSM river line to the river "
                 "bank) measured on HK Census and Statistics Department 2001 census land polygons "
                 "(hupili/geohk census2001/dc_land.json @862c236b); the banks as mapped in 2001")


def build_manifest(line_entries: list[dict], radius: float, farthest: float) -> dict:
    osm_loop = ("OpenStreetMap: HK-Shenzhen border (relation 913110, via timezone-boundary-builder "
                "2026c in the PyPI package timezonefinder-data 3.2026.3.post1), North District "
                "(relation 9159733) and Yuen Long District (relation 8480823), extract of 2026-10-07")
    sz_licence = "ODbL-1.0 (OpenStreetMap lines and lines derived from them)"

    def face(source: str, method: str, licence: str = ODBL) -> dict:
        return {"source": source, "licence": licence, "attribution": OSM, "date": "2026-11-25", "method": method}

    return {
        "schema": 2,
        "features": [
            {
                "id": "hong-kong-park", "side": "hong_kong", "kind": "polygon",
                "name": {"en": "Hong Kong Park (Lok Ma Chau Loop)", "zh": "香港園區（落馬洲河套地區）"},
                "bounded_by": {"east": ["loop-east-edge"], "south": ["loop-south-edge"],
                               "north-west": ["hk-sz-border"]},
                "provenance": face(osm_loop, "The face enclosed by the HK-Shenzhen border (centre line of "
                                   "the new Shenzhen River) and the old-meander district lines on the east "
                                   "and south."),
                "stated": [
                    {"value": 87, "unit": "ha", "source": "HK Government (LegCo paper CB(1)150/20-21(05); news.gov.hk)", "date": "2017-01-03"},
                    {"value": 214, "unit": "acre", "source": "HK Government (news.gov.hk)", "date": "2017-01-03"},
                    {"value": 87.7, "unit": "ha", "source": "Planning & Engineering Study on the Development of the Lok Ma Chau Loop, Stage 1"},
                    {"value": 88, "unit": "ha", "approx": True, "source": "CEDD technical report TR9A", "date": "2015-02"},
                    {"value": 0.87, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"},
                ],
                "explanation": ("The outline runs to the centre line of the new Shenzhen River on the north-west "
                                "and along the old-meander line on the east and south, so it includes river "
                                "water; the stated figures are the Loop's land."),
                "reconcile": {
                    "what": "river water",
                    "reading": "land: the outline less the river between its lines and the Hong Kong bank",
                    "strips": [
                        {"edge": "north-west", "width_m": 88, "range_m": [50, 101],
                         "along": "HK-Shenzhen border (new river centre line) along the Loop"},
                        {"edge": "east", "width_m": 33, "range_m": [23, 50], "along": "old-meander line"},
                        {"edge": "south", "width_m": 33, "range_m": [23, 50], "along": "old-meander line"},
                    ],
                    "source": WIDTHS_SOURCE,
                },
            },
            {
                "id": "shenzhen-park", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "name": {"en": "Shenzhen Park (approximate)", "zh": "深圳园区（近似）"},
                "union_of": ["futian-bonded-zone", "huanggang-port-area"],
                "provenance": face("the union of its two parts, each built from the lines that bound it",
                                   "Union of its two parts; its area uncertainty is the sum of theirs.", sz_licence),
                "stated": [
                    {"value": 302, "unit": "ha", "source": "South China Morning Post", "date": "2023-09-07"},
                    {"value": 3.02, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"},
                    {"value": 300, "unit": "ha", "approx": True, "source": "Ta Kung Pao", "date": "2025-06-19"},
                    {"value": 300, "unit": "ha", "approx": True, "source": "China Daily", "date": "2025-12-22"},
                ],
                "explanation": ("No official polygon of the Shenzhen side is published; the bonded zone's "
                                "north and west edges are approximate lines, and the Futian Port wedge between "
                                "the two parts is left unassigned."),
            },
            {
                "id": "futian-bonded-zone", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "part_of": "shenzhen-park",
                "name": {"en": "Futian Bonded Zone part (approximate)", "zh": "福田保税区片区（近似）"},
                "bounded_by": {"north": ["ronghua-road-approximate"], "south": ["hk-sz-border"],
                               "west": ["xinzhou-river-assumed"]},
                "provenance": face(CANDIDATE_SOURCE + "; the OSM HK-Shenzhen border",
                                   "The face enclosed by the plan's lines: Ronghua Road (north; an "
                                   "approximate straight line), the Shenzhen River (south; the border) and "
                                   "the Xinzhou River (west; an assumed meridian). The plan's east limit "
                                   "(the edge of Huanggang Port) is not reached: the north line meets the "
                                   "river first.", sz_licence),
                "stated": [{"value": 1.35, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"}],
                "explanation": ("Its north and west edges are approximate lines uncertain by 190 m and 250 m "
                                "(1.52 to 1.88 km² across the plausible variants)."),
                "reconcile": {
                    "what": "river water",
                    "reading": "the plan's 'along the Shenzhen River' read as the bank, not the centre line",
                    "strips": [{"edge": "south", "width_m": 100, "range_m": [85, 128],
                                "along": "HK-Shenzhen border along Futian; the border is the centre line, "
                                         "so the half-channel width to the Hong Kong bank is taken for the "
                                         "Shenzhen half too"}],
                    "source": WIDTHS_SOURCE,
                },
            },
            {
                "id": "huanggang-port-area", "side": "shenzhen", "kind": "polygon", "approximate": True,
                "part_of": "shenzhen-park",
                "name": {"en": "Huanggang Port area part (approximate)", "zh": "皇岗口岸片区（近似）"},
                "bounded_by": {"north": ["binhe-boulevard"], "east": ["huaqiang-south-road"],
                               "south": ["hk-sz-border"], "west": ["huanggang-road"]},
                "provenance": face("OpenStreetMap ways 25423077 (Binhe Boulevard) and 25530053 (Huaqiang South "
                                   "Road), lines derived from OSM ways for Huanggang Road, and the OSM "
                                   "HK-Shenzhen border", "The face enclosed by the plan's lines: Binhe "
                                   "Boulevard (north), Huaqiang South Road (east), the Shenzhen River (south) "
                                   "and Huanggang Road (west).", sz_licence),
                "stated": [{"value": 1.67, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"}],
                "explanation": ("Huanggang Road south of the Binhe interchange is extrapolated (±75 m), and "
                                "Binhe Boulevard is its north carriageway, about 18 m north of the road's "
                                "centre line; the plan's own line is not published."),
                "reconcile": {
                    "what": "river water",
                    "reading": "the plan's 'south to the Shenzhen River' read as the bank, not the centre line",
                    "strips": [{"edge": "south", "width_m": 88, "range_m": [50, 101],
                                "along": "HK-Shenzhen border opposite the Loop (the same stretch as the "
                                         "Loop's north-west edge)"}],
                    "source": WIDTHS_SOURCE,
                },
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
            *line_entries,
        ],
        "context": [
            {
                "id": "hong-kong-boundary", "name": {"en": "Hong Kong boundary", "zh": "香港邊界"},
                "geometry": "context/hong-kong-boundary.geojson",
                "provenance": {"source": "OpenStreetMap relation 913110 via timezone-boundary-builder 2026c "
                                         "(PyPI timezonefinder-data 3.2026.3.post1), Asia/Hong_Kong",
                               "licence": ODBL, "attribution": OSM, "date": "2026-10-07",
                               "method": "The whole Asia/Hong_Kong polygon (land border and territorial waters)."},
            },
            {
                "id": "nearby-roads", "name": {"en": "Nearby roads (OpenStreetMap)", "zh": "附近道路（OpenStreetMap）"},
                "geometry": "context/nearby-roads.geojson",
                "provenance": {"source": "OpenStreetMap ways near the Huanggang Port area (shared/data/"
                                         "shenzhen_roads_osm.geojson), Geofabrik Guangdong extract of 2026-09-04",
                               "licence": ODBL, "attribution": OSM, "date": "2026-09-04",
                               "method": "The interchange ramps and nearby roads that are not an edge, as one layer."},
            },
        ],
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
