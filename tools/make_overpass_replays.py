"""Write the Overpass answers the refresh tests replay (tests/data/overpass/).

Made from the shipped boundaries, so that a replayed refresh of the shipped folder finds
nothing changed; see tests/data/overpass/README.md for what each file is and what in it is
not OpenStreetMap. Run from the repository root after changing the shipped lines:

    .venv/bin/python tools/make_overpass_replays.py

tests/test_refresh.py checks that the files are what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyproj import Geod

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "overpass"
GEOD = Geod(ellps="WGS84")

#: Tags as OSM has them for the shipped elements (names from shared/data and the manifest).
TAGS = {
    "way/25423077": {"highway": "trunk", "name": "滨河大道", "name:en": "Binhe Boulevard", "oneway": "yes"},
    "way/25530053": {"highway": "secondary", "name": "华强南路", "name:en": "Huaqiang South Road", "oneway": "yes"},
    "relation/913110": {"type": "boundary", "boundary": "administrative", "admin_level": "4",
                        "name": "深港边界 Hong Kong-Shenzhen border"},
    "relation/9159733": {"type": "boundary", "boundary": "administrative", "admin_level": "8",
                         "name": "北區 North District", "name:en": "North District"},
    "relation/8480823": {"type": "boundary", "boundary": "administrative", "admin_level": "8",
                         "name": "元朗區 Yuen Long District", "name:en": "Yuen Long District"},
}
#: The date of each line's extract: the version's timestamp in these answers.
MOVED_STAMP = "2026-11-20T00:00:00Z"
#: Synthetic way ids for the found-by-name Ronghua Road (not OSM ids; see the README).
RONGHUA_IDS = (990000001, 990000002)
#: How far (m) the relations' member ways run on past the shipped ends in shipped-run-on.json.
RUN_ON_M = 300.0


def _geometry(coords) -> list[dict]:
    return [{"lat": round(lat, 7), "lon": round(lon, 7)} for lon, lat in coords]


def _bounds(coords) -> dict:
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    return {"minlat": min(lats), "minlon": min(lons), "maxlat": max(lats), "maxlon": max(lons)}


def _way(way_id: int, coords, tags: dict, version: int, stamp: str) -> dict:
    return {"type": "way", "id": way_id, "version": version, "timestamp": stamp,
            "bounds": _bounds(coords), "nodes": [way_id * 100 + i for i in range(len(coords))],
            "geometry": _geometry(coords), "tags": tags}


def _relation(rel_id: int, coords, tags: dict, version: int, stamp: str) -> dict:
    return {"type": "relation", "id": rel_id, "version": version, "timestamp": stamp,
            "bounds": _bounds(coords),
            "members": [{"type": "way", "ref": rel_id * 10 + 1, "role": "outer", "geometry": _geometry(coords)}],
            "tags": tags}


def _relation_longer(rel_id: int, coords, tags: dict, version: int, stamp: str) -> dict:
    """A relation as OSM has it: member ways that run on past the shipped line's ends
    (:data:`RUN_ON_M` on each end's bearing), split in two at the middle vertex."""
    longer = _extended(coords, RUN_ON_M, RUN_ON_M)
    middle = len(longer) // 2
    out = _relation(rel_id, longer, tags, version, stamp)
    out["members"] = [{"type": "way", "ref": rel_id * 10 + k + 1, "role": "outer", "geometry": _geometry(part)}
                      for k, part in enumerate((longer[:middle + 1], longer[middle:]))]
    return out


def _answer(elements: list[dict], what: str) -> dict:
    return {"version": 0.6, "generator": "hetao tools/make_overpass_replays.py (a replay, not Overpass)",
            "osm3s": {"timestamp_osm_base": "2026-11-25T00:00:00Z",
                      "copyright": "The data included in this document is from www.openstreetmap.org. "
                                   "The data is made available under ODbL."},
            "hetao_replay": what, "elements": elements}


def _moved(coords, metres: float, azimuth: float = 0.0) -> list[list[float]]:
    out = []
    for lon, lat in coords:
        x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
        out.append([x, y])
    return out


def _extended(coords, west_m: float, east_m: float) -> list[list[float]]:
    (x0, y0), (x1, y1) = coords[0], coords[1]
    (xa, ya), (xb, yb) = coords[-2], coords[-1]
    back = GEOD.inv(x1, y1, x0, y0)[0]
    forward = GEOD.inv(xa, ya, xb, yb)[0]
    start = GEOD.fwd(x0, y0, back, west_m)[:2]
    end = GEOD.fwd(xb, yb, forward, east_m)[:2]
    return [list(start), *coords, list(end)]


def answers() -> dict[str, dict]:
    """Every replay file's content, by file name."""
    manifest = json.loads((ROOT / "boundaries" / "manifest.json").read_text(encoding="utf-8"))
    elements, longer, binhe = [], [], None
    for entry in manifest["features"]:
        osm = entry.get("osm")
        if entry.get("kind") != "line" or not osm:
            continue
        data = json.loads((ROOT / "boundaries" / entry["geometry"]).read_text(encoding="utf-8"))
        piece = next(f for f in data["features"] if f.get("id") == osm.get("piece", f.get("id")))
        coords = piece["geometry"]["coordinates"]
        stamp = entry["provenance"]["date"] + "T00:00:00Z"
        (ref,) = osm["elements"]
        kind, number = ref.split("/")
        make = _way if kind == "way" else _relation
        elements.append(make(int(number), coords, TAGS[ref], 1, stamp))
        longer.append(_relation_longer(int(number), coords, TAGS[ref], 1, stamp) if kind == "relation"
                      else elements[-1])
        if ref == "way/25423077":
            binhe = coords
    moved = _way(25423077, _moved(binhe, 30.0), TAGS["way/25423077"], 2, MOVED_STAMP)
    approx = next(e for e in manifest["features"] if e["id"] == "ronghua-road-approximate")
    line = json.loads((ROOT / "boundaries" / approx["geometry"]).read_text(encoding="utf-8"))
    first, *rest = line["features"]     # the pieces, joined end to end, west to east
    whole = first["geometry"]["coordinates"] + [c for f in rest for c in f["geometry"]["coordinates"][1:]]
    road = _extended(_moved(whole, 40.0, 180.0), 120.0, 400.0)
    middle = len(road) // 2
    tags = {"highway": "secondary", "name": "绒花路", "name:en": "Ronghua Road"}
    ronghua = [_way(RONGHUA_IDS[0], road[:middle + 1], tags, 3, MOVED_STAMP),
               _way(RONGHUA_IDS[1], road[middle:], tags, 5, MOVED_STAMP)]
    return {
        "shipped.json": _answer(elements, "the shipped OSM lines as they are in boundaries/"),
        "shipped-run-on.json": _answer(longer, "the shipped OSM lines with 7-decimal coordinates; each "
                                              f"relation's member ways run on {RUN_ON_M:.0f} m past the "
                                              "shipped ends, in two ways"),
        "binhe-moved-30m.json": _answer([moved], "way 25423077 moved 30 m due north, version 2"),
        "ronghua-road.json": _answer(ronghua, "SYNTHETIC: a Ronghua Road 40 m south of the approximate "
                                              "line, in two ways; not OpenStreetMap data"),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in answers().items():
        (OUT / name).write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(OUT / name)


if __name__ == "__main__":
    sys.exit(main())
