"""The shipped boundaries built from lines: each part's outline follows the lines it names,
the two sides share the border, per-edge uncertainties and the reconciled land agree with an
independent computation, lines that do not close are refused, and lines swap and undo.

Everything is checked against the files themselves (the manifest and ``lines/*.geojson``,
read here with json and shapely), pyproj and GeographicLib, not against hetao's own code.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from shapely.ops import nearest_points, polylabel, substring

import hetao
from hetao.faces import SNAP_M

from .helpers import (BOUNDED_IDS, FEATURE_IDS, LINE_IDS, SHIPPED, geodesic_length, geographiclib_geometry,
                      local_transformers, moved_line, run, transformed)

PROVENANCE = ["--source", "test survey made in code", "--licence", "CC0-1.0", "--accuracy", "0.5"]
TO_LOCAL, TO_WGS84 = local_transformers()


def _manifest(folder=SHIPPED) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _entry(fid: str, folder=SHIPPED) -> dict:
    return next(e for e in _manifest(folder)["features"] if e["id"] == fid)


def _edges(fid: str, folder=SHIPPED) -> list[tuple[str, list[str]]]:
    """A polygon's edges in order round it, from its manifest entry: (direction, line ids)."""
    bounded = _entry(fid, folder)["bounded_by"]
    order = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
    return [(d, bounded[d]) for d in order if d in bounded]


def _pieces(lid: str, folder=SHIPPED) -> list[dict]:
    """A line's pieces as its file holds them: id, accuracy (the piece's, else the line's) and
    geometry (lon/lat)."""
    entry = _entry(lid, folder)
    data = json.loads((folder / entry["geometry"]).read_text(encoding="utf-8"))
    return [{"line": lid, "id": f["id"],
             "accuracy": (f["properties"] or {}).get("positional_accuracy_m",
                                                     entry["provenance"]["positional_accuracy_m"]),
             "geometry": shapely.geometry.shape(f["geometry"])} for f in data["features"]]


def _local(geometry):
    return transformed(geometry, TO_LOCAL)


@pytest.fixture(scope="module")
def zone():
    return hetao.load(SHIPPED)


@pytest.fixture(scope="module")
def areas() -> dict[str, dict]:
    result = run("areas", "--format", "json")
    assert result.code == 0, result.err
    return {r["id"]: r for r in json.loads(result.out)}


# --- the faces follow their lines --------------------------------------------------------

def _corner(a, b, boundary):
    """Where two neighbouring edges meet (local metres): where they cross, else midway
    between their nearest points (ends within SNAP_M count as meeting); the candidate on
    the face's boundary."""
    crossing = [p for p in shapely.get_parts(shapely.intersection(a, b)) if p.geom_type == "Point"]
    if not crossing:
        pa, pb = nearest_points(a, b)
        assert pa.distance(pb) <= SNAP_M, f"edges {pa.distance(pb):.3f} m apart"
        crossing = [shapely.Point((pa.x + pb.x) / 2, (pa.y + pb.y) / 2)]
    return min(crossing, key=boundary.distance)


@pytest.mark.parametrize("fid", BOUNDED_IDS)
def test_face__outline_follows_the_named_lines_along_their_whole_length(zone, fid):
    face = _local(zone.feature(fid).geometry)
    assert face.geom_type == "Polygon" and not face.interiors
    boundary = face.exterior
    edges = [(label, shapely.line_merge(shapely.union_all([_local(p["geometry"]) for lid in ids
                                                            for p in _pieces(lid)])))
             for label, ids in _edges(fid)]
    lines = shapely.union_all([g for _, g in edges])
    # Every vertex of the outline lies on a named line (within SNAP_M), and so does every
    # stretch between them.
    vertices = shapely.points(shapely.get_coordinates(boundary))
    far = [(round(float(d), 3), p) for d, p in zip(shapely.distance(vertices, lines), vertices) if d > SNAP_M]
    assert far == [], far[:3]
    assert shapely.difference(boundary, lines.buffer(SNAP_M)).length < 1e-6
    # Each line, clipped to the outline, is the outline: nothing of it is missing.
    clipped = shapely.intersection(lines, boundary.buffer(SNAP_M / 2))
    assert shapely.hausdorff_distance(boundary, clipped, densify=0.01) < SNAP_M
    # Conversely, each edge's line between the face's corners lies on the outline, all of it:
    # the face takes no shortcut along another line.
    n = len(edges)
    corners = [_corner(edges[i][1], edges[(i + 1) % n][1], boundary) for i in range(n)]
    for i, (label, line) in enumerate(edges):
        assert line.geom_type == "LineString", (label, line.geom_type)   # its pieces chain
        start, end = sorted((line.project(corners[i - 1]), line.project(corners[i])))
        stretch = substring(line, start, end)
        assert stretch.length > 100, (label, stretch.length)
        off = shapely.difference(stretch, boundary.buffer(SNAP_M)).length
        assert off < 1e-6, f"{fid}: {off:.1f} m of the {label} edge between its corners is off the outline"


def test_sides__no_overlap_and_the_loop_shares_the_border_with_the_port_area(zone):
    loop = zone.feature("hong-kong-park").geometry
    port = zone.feature("huanggang-port-area").geometry
    shenzhen = zone.feature("shenzhen-park").geometry
    # Nowhere overlapping: the shared border line is one line, so there is not even a sliver.
    overlap = shapely.intersection(loop, shenzhen)
    polygons = [p for p in shapely.get_parts(overlap) if p.geom_type == "Polygon"]
    assert sum(geographiclib_geometry(p).area for p in polygons) < 0.01
    # No gap along the river: where they face each other their outlines are one line, the
    # border, for more than a kilometre.
    local_loop, local_port = _local(loop).exterior, _local(port).exterior
    shared = shapely.intersection(local_loop, local_port.buffer(SNAP_M))
    shared_m = geodesic_length(transformed(shapely.line_merge(shared), TO_WGS84))
    assert shared_m > 1000, shared_m
    # ... and that shared stretch is the border line.
    border = _local(_pieces("hk-sz-border")[0]["geometry"])
    assert shapely.difference(shared, border.buffer(SNAP_M)).length < 1e-6


# --- uncertainty edge by edge ------------------------------------------------------------

def _lengths_along_pieces(face, pieces: list[dict]) -> dict[tuple[str, str], float]:
    """GeographicLib's length of the face's outline along each piece: every segment of the
    outline goes to the piece nearest its middle (in local metres)."""
    local = [(p["line"], p["id"], _local(p["geometry"])) for p in pieces]
    lengths = {(lid, pid): 0.0 for lid, pid, _ in local}
    coords = list(face.exterior.coords)
    for (x0, y0), (x1, y1) in zip(coords, coords[1:]):
        middle = _local(shapely.Point((x0 + x1) / 2, (y0 + y1) / 2))
        lid, pid, _ = min(local, key=lambda item: item[2].distance(middle))
        lengths[(lid, pid)] += Geodesic.WGS84.Inverse(y0, x0, y1, x1)["s12"]
    return lengths


@pytest.mark.parametrize("fid", BOUNDED_IDS)
def test_areas_json__each_edge_its_length_on_the_face_times_its_accuracy(zone, areas, fid):
    rec = areas[fid]
    edges = rec["edges"]
    pieces = [p for _, ids in _edges(fid) for lid in ids for p in _pieces(lid)]
    # One record per piece of every named line, in order round the polygon.
    assert [(e["id"], e["piece"]) for e in edges] == [(p["line"], p["id"]) for p in pieces]
    expected = _lengths_along_pieces(zone.feature(fid).geometry, pieces)
    for e, piece in zip(edges, pieces):
        assert e["accuracy_m"] == piece["accuracy"], e
        assert e["length_m"] == pytest.approx(expected[(piece["line"], piece["id"])], abs=0.5), e
        assert e["uncertainty_ha"] == pytest.approx(e["length_m"] * e["accuracy_m"] / 1e4, rel=1e-12), e
    assert rec["uncertainty_ha"] == pytest.approx(sum(e["uncertainty_ha"] for e in edges), rel=1e-12)
    assert sum(e["share"] for e in edges) == pytest.approx(1, rel=1e-12)
    # The edges together are the whole outline.
    assert sum(e["length_m"] for e in edges) == pytest.approx(rec["boundary_length_m"], abs=0.01)


def test_areas_json__figures_as_the_readme_gives_them(areas):
    # boundaries/README.md: measured areas, uncertainties and the dominant edge of each part.
    figures = {fid: (round(areas[fid]["geodesic_area_ha"], 2), round(areas[fid]["uncertainty_ha"], 2))
               for fid in ("hong-kong-park", "futian-bonded-zone", "huanggang-port-area", "shenzhen-park")}
    assert figures == {"hong-kong-park": (107.94, 4.66), "futian-bonded-zone": (174.2, 51.92),
                       "huanggang-port-area": (153.38, 15.68), "shenzhen-park": (327.59, 67.6)}
    dominant = {fid: max(areas[fid]["edges"], key=lambda e: e["uncertainty_ha"])
                for fid in ("futian-bonded-zone", "huanggang-port-area")}
    assert (dominant["futian-bonded-zone"]["id"], round(dominant["futian-bonded-zone"]["share"], 2)) == \
        ("ronghua-road-approximate", 0.79)
    assert (dominant["huanggang-port-area"]["piece"], round(dominant["huanggang-port-area"]["share"], 2)) == \
        ("extrapolated", 0.64)
    # The union's uncertainty and edges are its parts'.
    union = areas["shenzhen-park"]
    assert [(e["id"], e["piece"], e["length_m"]) for e in union["edges"]] == [
        (e["id"], e["piece"], e["length_m"]) for p in ("futian-bonded-zone", "huanggang-port-area")
        for e in areas[p]["edges"]]
    assert union["uncertainty_ha"] == pytest.approx(
        areas["futian-bonded-zone"]["uncertainty_ha"] + areas["huanggang-port-area"]["uncertainty_ha"], rel=1e-12)


# --- the reconciled land ----------------------------------------------------------------

def _land_ha(zone, fid: str, widths: dict[str, float]) -> float:
    """The face less every point within each named edge's width of its lines (buffered in
    local metres with shapely), measured with GeographicLib."""
    face = _local(zone.feature(fid).geometry)
    water = shapely.union_all([_local(p["geometry"]).buffer(widths[label])
                               for label, ids in _edges(fid) if label in widths
                               for lid in ids for p in _pieces(lid)])
    land = transformed(shapely.difference(face, water), TO_WGS84)
    return sum(geographiclib_geometry(p).area for p in shapely.get_parts(land)
               if p.geom_type == "Polygon") / 1e4


def test_areas_json__loop_land_86_ha_reconciles_the_stated_87(areas):
    loop = areas["hong-kong-park"]
    land = loop["reconciled"]
    assert land["what"] == "river water"
    assert land["area_ha"] == pytest.approx(86.2, abs=0.05)
    low, high = land["range_ha"]
    assert low < 87 < high
    assert (round(low, 1), round(high, 1)) == (80.1, 93.9)
    assert [s["edge"] for s in land["strips"]] == ["north-west", "east", "south"]
    figure = next(s for s in loop["stated"] if s["value"] == 87 and s["unit"] == "ha")
    # 87 ha is 21 ha off the outline, beyond its tolerance, but within the land.
    assert abs(figure["difference_ha"]) > figure["tolerance_ha"]
    assert figure["status"] == "reconciled" and figure["reconciled_status"] == "agrees"
    assert figure["reconciled_difference_ha"] == pytest.approx(land["area_ha"] - 87, rel=1e-12)


@pytest.mark.parametrize("fid", BOUNDED_IDS)
def test_areas_json__reconciled_land_matches_an_independent_computation(zone, areas, fid):
    strips = _entry(fid)["reconcile"]["strips"]
    land = areas[fid]["reconciled"]
    assert land["strips"] == [{"edge": s["edge"], "width_m": s["width_m"], "range_m": s["range_m"],
                               "along": s["along"]} for s in strips]
    central = _land_ha(zone, fid, {s["edge"]: s["width_m"] for s in strips})
    widest = _land_ha(zone, fid, {s["edge"]: s["range_m"][1] for s in strips})
    narrowest = _land_ha(zone, fid, {s["edge"]: s["range_m"][0] for s in strips})
    assert land["area_ha"] == pytest.approx(central, abs=0.05)
    assert land["range_ha"] == pytest.approx([widest, narrowest], abs=0.05)
    assert widest < central < narrowest < areas[fid]["geodesic_area_ha"]


# --- lines that do not close -------------------------------------------------------------

def _meridian_distance(lon: float, lat: float, meridian: float, lat_range: tuple[float, float]) -> float:
    """GeographicLib's shortest distance from a point to a stretch of a meridian."""
    lo, hi = lat_range
    for _ in range(100):    # ternary search: the distance is unimodal along the meridian
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        da = Geodesic.WGS84.Inverse(lat, lon, a, meridian)["s12"]
        db = Geodesic.WGS84.Inverse(lat, lon, b, meridian)["s12"]
        lo, hi = (lo, b) if da < db else (a, hi)
    return Geodesic.WGS84.Inverse(lat, lon, (lo + hi) / 2, meridian)["s12"]


def test_build__binhe_cut_short__exit_2_one_line_naming_polygon_edges_and_gap(folder, tmp_path):
    # Binhe Boulevard stopped about 100 m short of Huanggang Road (the meridian 114.0681651).
    data = folder.line("binhe-boulevard")
    coords = data["features"][0]["geometry"]["coordinates"]
    crossing = next(i for i, ((x0, _), (x1, _)) in enumerate(zip(coords, coords[1:]))
                    if x0 > 114.0681651 > x1)
    (x0, y0), (x1, y1) = coords[crossing], coords[crossing + 1]
    end_lon = 114.0681651 + 0.00097
    end_lat = y0 + (y1 - y0) * (end_lon - x0) / (x1 - x0)
    data["features"][0]["geometry"]["coordinates"] = coords[:crossing + 1] + [[end_lon, end_lat]]
    folder.write_geometry("binhe-boulevard", data)
    out = tmp_path / "out"
    before = folder.snapshot()
    result = run("build", "--boundaries", folder.path, "--out", out)
    assert result.code == 2, result
    assert result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith(f"hetao: error: {folder.manifest_path}: feature 'huanggang-port-area': "), line
    assert "the west edge (huanggang-road) and the north edge (binhe-boulevard) do not meet" in line, line
    gap = float(re.search(r"they come within ([\d,.]+) m of each other", line).group(1).replace(",", ""))
    observed = next(p for p in _pieces("huanggang-road") if p["id"] == "observed")["geometry"]
    lats = sorted(y for _, y in observed.coords)
    expected = _meridian_distance(end_lon, end_lat, 114.0681651, (lats[0], lats[-1]))
    assert 95 < expected < 105
    assert gap == pytest.approx(expected, abs=1.0)
    assert not out.exists()             # nothing written, not even the folder
    assert folder.snapshot() == before
    assert run("areas", "--boundaries", folder.path) == result     # every command says the same


# --- swapping lines ----------------------------------------------------------------------

def _polygonized_face(lines: list, inside: shapely.Point):
    """The face of the lines (lon/lat) that holds ``inside``: the lines noded and polygonized
    by shapely in local metres, each first run on 1 m straight past both ends so that ends a
    few centimetres short still cross."""
    import numpy as np

    def run_on(line):
        c = np.asarray(line.coords)
        ahead = lambda end, before: end + (end - before) / np.hypot(*(end - before))  # noqa: E731
        return shapely.LineString(np.vstack([ahead(c[0], c[1]), c, ahead(c[-1], c[-2])]))

    local = [run_on(_local(line)) for line in lines]
    faces = shapely.get_parts(shapely.polygonize(list(shapely.get_parts(shapely.node(shapely.union_all(local))))))
    [face] = [f for f in faces if f.contains(_local(inside))]
    return transformed(face, TO_WGS84)


def test_swap_line__geopackage_in_cgcs2000__polygons_rebuilt_diffed_and_undone(folder, tmp_path, zone):
    before = folder.snapshot()
    old_port = zone.feature("huanggang-port-area").geometry
    moved = moved_line(folder, "binhe-boulevard", tmp_path / "moved.geojson", north_m=20)
    new_binhe = shapely.geometry.shape(json.loads(moved.read_text())["features"][0]["geometry"])
    path = tmp_path / "binhe.gpkg"
    gpd.GeoDataFrame({"name": ["Binhe Boulevard, resurveyed"]}, geometry=[new_binhe],
                     crs="EPSG:4326").to_crs("EPSG:4547").to_file(path, driver="GPKG")
    result = run("swap", "binhe-boulevard", path, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "note: reprojected from EPSG:4547 to WGS84" in result.out
    blocks = re.split(r"^(?=\S+:$)", result.out, flags=re.M)
    listed = {b.splitlines()[0][:-1]: b for b in blocks if re.match(r"^\S+:\n", b)}
    # The line, then the polygons built from it, in manifest order (the union first).
    assert list(listed) == ["binhe-boulevard", "shenzhen-park", "huanggang-port-area"], result.out
    assert re.search(r"moved +Hausdorff 20\.0 m, mean displacement 1\d\.\d m", listed["binhe-boulevard"])
    for fid in ("huanggang-port-area", "shenzhen-park"):
        assert re.search(r"gained +[\d.]+ ha, lost [\d.]+ ha", listed[fid]), listed[fid]
    # The new port area: the face of its lines with Binhe moved, polygonized here (in local
    # metres, where hetao nodes lon/lat: the crossings differ by a fraction of a millimetre).
    expected_face = _polygonized_face(
        [new_binhe] + [p["geometry"] for lid in ("huaqiang-south-road", "hk-sz-border", "huanggang-road")
                       for p in _pieces(lid)], polylabel(old_port, 1e-7))
    expected = geographiclib_geometry(expected_face).area
    after = {r["id"]: r for r in json.loads(run("areas", "--format", "json", "--boundaries", folder.path).out)}
    assert after["huanggang-port-area"]["geodesic_area_ha"] * 1e4 == pytest.approx(expected, abs=5.0)
    assert after["shenzhen-park"]["geodesic_area_ha"] == pytest.approx(
        after["futian-bonded-zone"]["geodesic_area_ha"] + after["huanggang-port-area"]["geodesic_area_ha"],
        rel=1e-9)
    assert after["futian-bonded-zone"]["geodesic_area_ha"] == pytest.approx(
        geographiclib_geometry(zone.feature("futian-bonded-zone").geometry).area / 1e4, rel=1e-9)
    diff = run("diff", "--previous", "binhe-boulevard", "--boundaries", folder.path, "--format", "json")
    assert diff.code == 0, diff.err
    records = {r["id"]: r for r in json.loads(diff.out)}
    assert list(records) == ["binhe-boulevard", "shenzhen-park", "huanggang-port-area"]
    line = records["binhe-boulevard"]
    assert line["kind"] == "line" and line["hausdorff_m"] == pytest.approx(20, abs=0.5)
    assert line["status_before"] == line["status_after"] == []
    port = records["huanggang-port-area"]
    assert port["area_after_ha"] * 1e4 == pytest.approx(expected, abs=5.0)
    assert port["gained_ha"] == pytest.approx(expected / 1e4 - geographiclib_geometry(old_port).area / 1e4,
                                              abs=0.01)
    # 20 m more across the 1.4 km between Huanggang and Huaqiang roads: 2.8 ha, nothing lost.
    assert 2.6 < port["gained_ha"] < 3.0 and port["lost_ha"] < 0.01
    assert port["status_before"] == ["agrees"] and len(port["status_after"]) == 1
    union = records["shenzhen-park"]
    assert union["gained_ha"] == pytest.approx(port["gained_ha"], abs=0.01)
    assert len(union["status_before"]) == len(union["status_after"]) == 4
    assert set(union["status_before"] + union["status_after"]) <= {"agrees", "reconciled", "explained", "differs"}
    # Undo puts every byte back.
    result = run("undo", "binhe-boulevard", "--boundaries", folder.path)
    assert result.code == 0, result.err
    assert folder.snapshot() == before


def test_swap_border__one_line_for_both_sides__every_polygon_rebuilt_or_the_gaps_named(folder, tmp_path):
    before = folder.snapshot()
    # 5 cm north: the district lines still meet it (within SNAP_M), so every polygon it
    # bounds is rebuilt on both sides, and the sides still meet with no overlap and no gap.
    nudged = moved_line(folder, "hk-sz-border", tmp_path / "border.geojson", north_m=0.05)
    result = hetao.swap("hk-sz-border", nudged, boundaries=folder.path, dry_run=True)
    polygons = [f for f in FEATURE_IDS if f != "hkstp-shenzhen-branch"]
    assert [d.id for d in result.diff.features] == ["hk-sz-border", *polygons]
    sides = {r.name: r for r in hetao.check(result.after)}["the sides do not overlap"]
    assert sides.ok and sides.detail.endswith("gap between the sides 0.0 m"), sides.detail
    loop, port = result.after.feature("hong-kong-park").geometry, result.after.feature("huanggang-port-area").geometry
    shared = shapely.intersection(_local(loop).exterior, _local(port).exterior.buffer(SNAP_M))
    assert geodesic_length(transformed(shapely.line_merge(shared), TO_WGS84)) > 1000
    # 5 m north: it leaves the Loop's district lines behind. Refused, each gap named.
    moved = moved_line(folder, "hk-sz-border", tmp_path / "border-5m.geojson", north_m=5)
    refused = run("swap", "hk-sz-border", moved, "--boundaries", folder.path, *PROVENANCE)
    assert refused.code == 2 and refused.out == ""
    lines = refused.err.splitlines()
    assert len(lines) == 2, refused.err
    assert all(line.startswith(f"hetao: error: {folder.manifest_path}: feature 'hong-kong-park': ") for line in lines)
    assert "(loop-south-edge) and the north-west edge (hk-sz-border) do not meet" in lines[0]
    assert "(hk-sz-border) and the east edge (loop-east-edge) do not meet" in lines[1]
    gaps = [float(re.search(r"within ([\d.]+) m", line).group(1)) for line in lines]
    assert all(3 < gap < 5.1 for gap in gaps), gaps      # 5 m north, less the border's slant
    assert folder.snapshot() == before


def test_swap_polygon__official_outline_for_a_part_built_from_lines__bounded_by_removed(folder, tmp_path, zone):
    # An official outline of the port area: the face pulled 5 m in all round, in CGCS2000.
    official = transformed(_local(zone.feature("huanggang-port-area").geometry).buffer(-5), TO_WGS84)
    path = tmp_path / "port.shp"
    gpd.GeoDataFrame({"name": ["port"]}, geometry=[official], crs="EPSG:4326").to_crs("EPSG:4547").to_file(path)
    result = run("swap", "huanggang-port-area", path, "--boundaries", folder.path, *PROVENANCE)
    assert result.code == 0, result.err
    assert "note: removed 'bounded_by' from the manifest entry" in result.out
    assert "note: removed 'reconcile' from the manifest entry" in result.out
    entry = folder.entry(folder.manifest(), "huanggang-port-area")
    assert entry["geometry"] == "huanggang-port-area.v1.geojson"
    assert "bounded_by" not in entry and "reconcile" not in entry
    # It loads as a plain geometry; the lines stay, and still bound the other polygons.
    now = hetao.load(folder.path)
    port = now.feature("huanggang-port-area")
    assert port.edges == () and port.file == folder.path / "huanggang-port-area.v1.geojson"
    assert [ln.id for ln in now.lines] == LINE_IDS
    assert all(now.feature(f).edges for f in ("hong-kong-park", "futian-bonded-zone"))
    measured = {m.id: m for m in hetao.measure(now)}["huanggang-port-area"]
    assert [(e.edge, e.piece.accuracy_m) for e in measured.edges] == [("outline", 0.5)]
    assert measured.reconciled is None
    assert measured.geodesic_area_m2 == pytest.approx(geographiclib_geometry(official).area, rel=1e-6)


# --- the figure --------------------------------------------------------------------------

def test_figure__lines_drawn_in_black(zone, shipped_build):
    import dataclasses
    import io

    import matplotlib.image

    from hetao.figure import render_png

    def black(png: bytes) -> int:
        rgb = (matplotlib.image.imread(io.BytesIO(png))[..., :3] * 255).round().astype(int)
        return int((rgb.max(axis=-1) < 40).sum())

    measurements = hetao.measure(zone)
    shipped = (shipped_build / "hetao.png").read_bytes()
    without = render_png(dataclasses.replace(zone, lines=()), measurements)
    # The lines (solid, dashed, dotted), their labels and their legend entries: thousands of
    # black pixels more than the same figure without them.
    assert black(shipped) > black(without) + 5000, (black(shipped), black(without))
