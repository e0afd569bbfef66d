"""Derive the shipped boundaries/ folder from the sources in tools/sources/.

Run from the repository root:  .venv/bin/python tools/derive_boundaries.py [SOURCE_DIR]

(``HETAO_DERIVE_OUT`` names another folder to write to.) It copies vertices as they are,
written with at most 7 decimals as OpenStreetMap stores them (a source's float artefact,
114.03193499999999, is written 114.031935), merges consecutive vertices closer than 1 cm,
orients rings counter-clockwise, derives the few pieces no source gives (each says how it
was made and how good it is: the Xinzhou River's centre line from its two observed banks
among them) and computes the branch point with its uncertainty radius. Everything it writes
is described in boundaries/README.md; tools/sources/README.md says where each source
file comes from.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from hetao import osmcut
from hetao.manifest import manifest_text
from pyproj import Geod

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("HETAO_DERIVE_OUT", ROOT / "boundaries"))
GEOD = Geod(ellps="WGS84")
#: Where the sources are, as provenance cites them (paths in the repository).
SOURCES = "tools/sources"
#: Decimals written and how close (m) two consecutive vertices may be before they are one:
#: as hetao writes a refreshed line (hetao.osmcut).
DECIMALS, MERGE_M = osmcut.DECIMALS, osmcut.MERGE_M

OSM = "© OpenStreetMap contributors"
ODBL = "ODbL-1.0"
GOV_PLAN = "State Council plan 国发〔2023〕12号"
#: How far the derived Huaqiang S Rd piece runs on past Binhe Boulevard (metres).
OVERSHOOT_M = 50.0

BORDER_SOURCE = ("OpenStreetMap relation 913110 (HK-Shenzhen border), via timezone-boundary-builder "
                 "2026c in the PyPI package timezonefinder-data 3.2026.3.post1")
DISTRICT_SOURCE = ("OpenStreetMap {name} (relation {rel}), extract of 2026-10-07, as transcribed in "
                   f"{SOURCES}/lok_ma_chau_loop_osm_edges.json from https://github.com/ThomasKlein90/"
                   "HideAndSeekGameSite/blob/4c1462ea50de488dd61ed22a3a8f7228d35cb424/public/data/"
                   "hong-kong-districts.geojson")
CITY_FILE = ("https://github.com/wslyx/GTA_SZ_GODOT/blob/c015506798c919fcf192a3ebe5d4d173704c9ad6/"
             "data/city/city.json")
ROADS_SOURCE = ("OpenStreetMap way {way}, Geofabrik Guangdong extract of 2026-09-04, as in "
                f"{SOURCES}/shenzhen_roads_osm.geojson from {CITY_FILE} (local metres inverted exactly)")
CANDIDATE_SOURCE = (f"hetao's approximate candidate polygon 'variant A' ({SOURCES}/"
                    "futian_bonded_zone_candidate.geojson), built from named reference points (cited, "
                    f"not copied: {SOURCES}/README.md)")
MOUTH_SOURCE = (f"OpenStreetMap natural=coastline at the Xinzhou River mouth, both banks ({SOURCES}/"
                f"xinzhou_river_mouth_osm.geojson, from the 'coast' section of {CITY_FILE}), Geofabrik "
                "Guangdong extract of 2026-09-04")


def collection(feature_id: str, geometry: dict, properties: dict | None = None) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": feature_id, "properties": properties or {}, "geometry": geometry}]}


def ccw(coords: list) -> list:
    return coords if shapely.LinearRing(coords).is_ccw else coords[::-1]


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def point(x: float, y: float) -> list[float]:
    """A position as it is written: at most :data:`DECIMALS` decimals, no float artefact."""
    return [round(float(x), DECIMALS), round(float(y), DECIMALS)]


def clean(coords: list) -> list[list[float]]:
    """A line's vertices as written (:func:`point`), consecutive vertices closer than
    :data:`MERGE_M` merged (the last one kept: it is where the line meets another)."""
    out: list[list[float]] = []
    for x, y in coords:
        p = point(x, y)
        if out and GEOD.inv(*out[-1], *p)[2] < MERGE_M:
            if len(out) > 1:
                out[-1] = p       # the later vertex is kept: a line's end is a junction
            continue
        out.append(p)
    return out


def ring_points(rings: list) -> list:
    """Every position of a polygon's rings written as :func:`point` does."""
    return [[point(x, y) for x, y in ring] for ring in rings]


def line_file(pieces: list[tuple[str, list, dict]]) -> dict:
    """A line's GeoJSON: one LineString Feature per piece, with the piece's own properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": pid, "properties": props,
         "geometry": {"type": "LineString", "coordinates": clean(coords)}}
        for pid, coords, props in pieces]}


def prov(source: str, method: str, accuracy: float, licence: str = ODBL, date: str = "2026-10-07",
         attribution: str | None = OSM) -> dict:
    out = {"source": source, "licence": licence, "method": method, "date": date, "positional_accuracy_m": accuracy}
    if attribution:
        out["attribution"] = attribution
    return out


# --- the Xinzhou River: its centre line from the two observed banks -----------------------

#: How far apart (m) the east bank is sampled for the centre line.
SAMPLE_M = 5.0
#: The meridian the bonded zone's west edge was assumed to be, before the mouth was observed.
OLD_MERIDIAN = 114.0365
#: The west bank of the channel: the mangrove tongue's shore from its south-east corner (the
#: first vertex east of this longitude) to where the coastline's closing line crosses the river.
WEST_BANK_FROM_LON = 114.0334
BANK_ACCURACY_M = 15


def _equidistant(p: shapely.Point, q: shapely.Point, a: shapely.LineString, b: shapely.LineString) -> tuple:
    """The point between ``p`` (on ``a``) and ``q`` (on ``b``) as far from ``a`` as from ``b``
    (bisection; local metres)."""
    low, high = 0.0, 1.0
    for _ in range(60):
        t = (low + high) / 2
        x = shapely.Point(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
        low, high = (t, high) if x.distance(a) < x.distance(b) else (low, t)
    return x.x, x.y


def _banks(mouth: list[dict]) -> tuple[list, list]:
    """The east bank (the bonded zone's side, north to south) and the channel's west bank."""
    east = mouth[0]["geometry"]["coordinates"]
    tongue = mouth[2]["geometry"]["coordinates"]
    start = next(i for i, (x, _) in enumerate(tongue) if x >= WEST_BANK_FROM_LON)
    return east, tongue[start:]


def centre_line(mouth: list[dict], border: list) -> dict:
    """The Xinzhou River's centre line over its observed mouth, and what it was made from.

    Every 5 m along the east bank, the point between it and the nearest point of the west
    bank that is as far from one bank as from the other (the channel's medial line); the
    southernmost is joined to the nearest point of the border (the Shenzhen River's centre
    line). The half-channel width is each point's distance to the east bank.
    """
    from hetao.geodesy import LOCAL_CRS, to_crs

    east_ll, west_ll = _banks(mouth)
    east, west = (to_crs(shapely.LineString(c), LOCAL_CRS) for c in (east_ll, west_ll))
    points = []
    for d in list(np.arange(0.0, east.length, SAMPLE_M)) + [east.length]:
        p = east.interpolate(d)
        points.append(_equidistant(p, west.interpolate(west.project(p)), east, west))
    medial = shapely.LineString(points[::-1]).simplify(0.5)        # south to north
    half = [shapely.Point(c).distance(east) for c in points]
    local_border = to_crs(shapely.LineString(border), LOCAL_CRS)
    south = shapely.ops.nearest_points(local_border, shapely.Point(medial.coords[0]))[0]
    line = to_crs(shapely.LineString([south.coords[0], *medial.coords]), "EPSG:4326", source=LOCAL_CRS)
    coords = clean(line.coords)
    offsets = [GEOD.inv(x, y, OLD_MERIDIAN, y)[2] for x, y in coords]
    return {"coords": coords, "half_m": half, "offsets_m": offsets,
            "link_m": GEOD.inv(*coords[0], *coords[1])[2], "east_m": GEOD.line_length(*zip(*east_ll))}


def north_to(x: float, a: list, b: list) -> list[float]:
    """Where the meridian ``x`` meets the straight line (in lon/lat) through ``a`` and ``b``."""
    return point(x, a[1] + (x - a[0]) * (b[1] - a[1]) / (b[0] - a[0]))


def xinzhou_pieces(mouth: list[dict], border: list, nw: list, guanglan: list) -> tuple[list, list, dict]:
    """The Xinzhou River line's pieces, the Ronghua Road piece that meets it, and the numbers."""
    centre = centre_line(mouth, border)
    observed = centre["coords"]
    top = observed[-1]
    meet = north_to(top[0], nw, guanglan)
    spread = max(centre["offsets_m"]) - min(centre["offsets_m"])
    accuracy = max(BANK_ACCURACY_M, math.ceil(spread / 5) * 5)
    half = sorted(centre["half_m"])
    numbers = {"spread_m": spread, "extrapolated_accuracy": accuracy, "north_m": GEOD.inv(*top, *meet)[2],
               "west_m": GEOD.inv(*meet, *nw)[2], "link_m": centre["link_m"], "east_m": centre["east_m"],
               "offsets": (min(centre["offsets_m"]), max(centre["offsets_m"])),
               "half_median": round(float(np.median(half))), "half_range": (math.floor(half[0]),
                                                                            math.ceil(half[-1]))}
    pieces = [
        ("observed", observed, {
            "name_en": "Xinzhou River (centre line of the observed mouth)", "name_zh": "新洲河（河口中心线）",
            "derived": True, "positional_accuracy_m": BANK_ACCURACY_M,
            "method": (f"Derived from both observed banks (OSM natural=coastline, each ±15 m): every "
                       f"{SAMPLE_M:.0f} m along the east bank ({numbers['east_m']:.0f} m from the river's mouth "
                       "on the border north to the coastline's closing line across the river), the point "
                       "between it and the nearest point of the west bank that lies as far from one bank "
                       "as from the other (the channel's medial line, simplified to 0.5 m); the southernmost "
                       f"joined straight to the nearest point of the border ({numbers['link_m']:.0f} m, "
                       "across the mouth). A point midway between two banks each within 15 m is within "
                       "15 m. That this channel is the Xinzhou River is inferred, not named in the source "
                       f"({SOURCES}/README.md).")}),
        ("extrapolated", [top, meet], {
            "name_en": "Xinzhou River (extrapolated north to Ronghua Road)",
            "name_zh": "新洲河（向北外推至绒花路）", "derived": True, "positional_accuracy_m": accuracy,
            "method": (f"Derived: the river's course north of the coastline's closing line is not observed; "
                       f"continued due north ({numbers['north_m']:.0f} m) from the north end of the observed "
                       "centre line to Ronghua Road (the approximate line, continued west), as the edge was "
                       f"assumed to be a meridian before. Accuracy by rule: the spread of the observed centre "
                       f"line's offset from that old meridian ({OLD_MERIDIAN}; {numbers['offsets'][0]:.0f} to "
                       f"{numbers['offsets'][1]:.0f} m west of it, a spread of {spread:.0f} m), rounded up to "
                       "5 m: how far the observed channel strays from a meridian over its mouth.")}),
    ]
    ronghua = ("to-xinzhou-river-extrapolated", [meet, nw], {
        "name_en": "Ronghua Road (approximate line continued west to the Xinzhou River)",
        "name_zh": "绒花路（近似直线，向西延至新洲河）", "derived": True, "positional_accuracy_m": 190,
        "method": (f"Derived: the approximate straight line continued west on its own bearing "
                   f"({numbers['west_m']:.0f} m) from the old meridian {OLD_MERIDIAN} to where it meets the "
                   "Xinzhou River line; the line's accuracy (190 m), as it is the same straight line.")})
    return pieces, [ronghua], numbers


def main(sources: Path) -> None:
    from hetao.faces import build_face
    from hetao.model import Piece

    cands = json.loads((sources / "futian_bonded_zone_candidate.geojson").read_text())["features"]
    border = json.loads((sources / "hk_sz_border_futian_osm.geojson").read_text())["features"][0]
    hk = json.loads((sources / "hong_kong_boundary_osm.geojson").read_text())
    edges = json.loads((sources / "lok_ma_chau_loop_osm_edges.json").read_text())
    roads = json.loads((sources / "shenzhen_roads_osm.geojson").read_text())["features"]
    mouth = json.loads((sources / "xinzhou_river_mouth_osm.geojson").read_text())["features"]
    port = {f["properties"]["id"]: f for f in
            json.loads((sources / "huanggang_port_area_edges.geojson").read_text())["features"]}
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
        prov(f"{SOURCES}/huanggang_port_area_edges.geojson, derived from OpenStreetMap ways 25584108, "
             "25584106, 24556363 and 25506781 (Binhe x Huanggang Rd interchange ramps), Geofabrik "
             "Guangdong extract of 2026-09-04", obs["properties"]["method"], 15, date="2026-09-04"),
        [("observed", obs["geometry"]["coordinates"], {"method": obs["properties"]["method"],
                                                       "positional_accuracy_m": 15}),
         ("extrapolated", ext["geometry"]["coordinates"], {
             "name_en": ext["properties"]["name_en"], "name_zh": ext["properties"]["name_zh"], "derived": True,
             "positional_accuracy_m": ext["properties"]["positional_accuracy_m"],
             "method": ext["properties"]["method"] + " Accuracy 75 m (50-100)."})])

    ring = cands[0]["geometry"]["coordinates"][0]     # variant A, vertices as listed in the file
    nw, guanglan, tip = ring[28], ring[27], ring[26]
    river, ronghua_west, xz = xinzhou_pieces(mouth, border_coords, nw, guanglan)
    add("xinzhou-river", "Xinzhou River (centre line: observed mouth, extrapolated north)",
        "新洲河（中心线：河口实测，向北外推）",
        prov(MOUTH_SOURCE, "The Xinzhou River's centre line, read as the Shenzhen River's is (the border "
             "is its centre line): derived from both observed banks over the river's mouth, and "
             "extrapolated due north to Ronghua Road where its course is not observed. Each piece says "
             "how it was made. That the channel is the Xinzhou River is inferred (the source names no "
             "coast features); it replaces the meridian 114.0365 the edge was assumed to be "
             "(xinzhou-river-assumed).", xz["extrapolated_accuracy"],
             licence="ODbL-1.0 (derived work)", date="2026-12-06"),
        river, approximate=True)
    add("ronghua-road-approximate", "Ronghua Road (approximate straight line)", "绒花路（近似直线）",
        prov(CANDIDATE_SOURCE, "The candidate's north edge: a straight line through the derived Guanglan "
             "Rd x Ronghua Rd intersection (114.040423, 22.51177) on the bearing of Guihua Rd (101.5 deg), "
             "from the west edge east until it meets the river line. Uncertain by 80 m at Guanglan Rd, "
             "growing to about 300 m at the east tip; 190 m taken as its accuracy.", 190,
             licence="ODbL-1.0 (derived work)", date="2026-11-25"),
        [*ronghua_west, ("ronghua-road-approximate", [nw, guanglan, tip], {"derived": True})], approximate=True)

    for lid, (_, pieces) in lines.items():
        write(OUT / "lines" / f"{lid}.geojson", line_file(pieces))

    def piece_list(ids: list[str]) -> list:
        return [Piece(i, pid, i, i, shapely.LineString(clean(c)), 1.0, "", "")
                for i in ids for pid, c, _ in lines[i][1]]

    bonded = build_face("futian-bonded-zone", [("north", piece_list(["ronghua-road-approximate"])),
                                               ("south", piece_list(["hk-sz-border"])),
                                               ("west", piece_list(["xinzhou-river"]))], "derive")
    rep = bonded.representative_point()
    px, py = round(rep.x, 6), round(rep.y, 6)
    farthest = max(GEOD.inv(px, py, x, y)[2] for x, y in bonded.exterior.coords)
    radius = math.ceil((farthest + 100.0) / 10.0) * 10.0
    write(OUT / "hkstp-shenzhen-branch.geojson",
          collection("hkstp-shenzhen-branch", {"type": "Point", "coordinates": [px, py]}))

    hk_geom = hk["geometry"]
    hk_geom["coordinates"] = [ring_points([ccw(r) if i == 0 else r for i, r in enumerate(p)])
                              for p in hk_geom["coordinates"]]
    write(OUT / "context" / "hong-kong-boundary.geojson", collection("hong-kong-boundary", hk_geom))
    nearby = [clean(f["geometry"]["coordinates"]) for f in roads if not f["properties"]["role"].startswith("edge")]
    write(OUT / "context" / "nearby-roads.geojson",
          collection("nearby-roads", {"type": "MultiLineString", "coordinates": nearby}))

    manifest = build_manifest([entry for entry, _ in lines.values()], radius, farthest, xz)
    (OUT / "manifest.json").write_text(manifest_text(manifest), encoding="utf-8")
    print(f"branch ({px}, {py}) radius {radius} m; Huaqiang north piece {gap_m:.1f} m, "
          f"{check_m:.1f} m from way 25465190's crossing -> accuracy {north_accuracy} m")


WIDTHS_SOURCE = (f"{SOURCES}/river_channel_widths.json: half-channel widths (OSM river line to the river "
                 "bank) measured on HK Census and Statistics Department 2001 census land polygons "
                 "(https://github.com/hupili/geohk/blob/862c236b97e558ecebf300df01959a211473bc81/census2001/dc_land.json); the banks as mapped in 2001")


def build_manifest(line_entries: list[dict], radius: float, farthest: float, xz: dict) -> dict:
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
                               "west": ["xinzhou-river"]},
                "provenance": face(CANDIDATE_SOURCE + "; the OSM HK-Shenzhen border; " + MOUTH_SOURCE,
                                   "The face enclosed by the plan's lines: Ronghua Road (north; an "
                                   "approximate straight line), the Shenzhen River (south; the border, its "
                                   "centre line) and the Xinzhou River (west; its centre line, observed at "
                                   "the mouth and extrapolated north). The plan's east limit (the edge of "
                                   "Huanggang Port) is not reached: the north line meets the river first.",
                                   sz_licence),
                "stated": [{"value": 1.35, "unit": "km2", "source": GOV_PLAN, "date": "2023-08-08"}],
                "explanation": ("Its north edge is an approximate line uncertain by 190 m; its west edge is "
                                "the Xinzhou River's centre line, observed over the river's mouth (±15 m) "
                                f"and extrapolated due north to Ronghua Road (±{xz['extrapolated_accuracy']} m); "
                                "the south and west edges run to the rivers' centre lines, so the face "
                                "includes river water."),
                "reconcile": {
                    "what": "river water",
                    "reading": ("the plan's 'along the Shenzhen River' and 'west to the Xinzhou River' read as "
                                "the banks, not the centre lines"),
                    "strips": [{"edge": "south", "width_m": 100, "range_m": [85, 128],
                                "along": "HK-Shenzhen border along Futian; the border is the centre line, "
                                         "so the half-channel width to the Hong Kong bank is taken for the "
                                         "Shenzhen half too"},
                               {"edge": "west", "width_m": xz["half_median"], "range_m": list(xz["half_range"]),
                                "along": ("the Xinzhou River's centre line: the distance from it to the observed "
                                          "east bank (median and range over the mouth), taken for the "
                                          "extrapolated stretch too")}],
                    "source": WIDTHS_SOURCE + "; " + MOUTH_SOURCE + ": the east bank",
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
                "provenance": {"source": "OpenStreetMap ways near the Huanggang Port area (tools/sources/"
                                         "shenzhen_roads_osm.geojson), Geofabrik Guangdong extract of 2026-09-04",
                               "licence": ODBL, "attribution": OSM, "date": "2026-09-04",
                               "method": "The interchange ramps and nearby roads that are not an edge, as one layer."},
            },
        ],
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / SOURCES)
