"""Polygons built from the lines that bound them: faces, gaps named in metres, per-edge shares.

Every folder here is made in code: four straight roads crossing near the zone, a square
between them, checked against GeographicLib.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from geographiclib.geodesic import Geodesic

import hetao
from hetao.errors import BoundaryError

W, E, S, N = 114.060, 114.070, 22.520, 22.528
OVER = 0.001   # the roads run on past the corners


def _geodesic_length(coords) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(coords, coords[1:]):
        total += Geodesic.WGS84.Inverse(y0, x0, y1, x1)["s12"]
    return total


def _square_area(w, s, e, n) -> float:
    poly = Geodesic.WGS84.Polygon()
    for lon, lat in ((w, s), (e, s), (e, n), (w, n)):
        poly.AddPoint(lat, lon)
    return abs(poly.Compute(False, True)[2])


def _line(fid: str, pieces: list[tuple[list, dict]]) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": props.get("id", f"{fid}-{i}"), "properties": props,
         "geometry": {"type": "LineString", "coordinates": coords}}
        for i, (coords, props) in enumerate(pieces)]}


def _provenance(accuracy: float | None = 10.0) -> dict:
    prov = {"source": "made in code", "licence": "CC0-1.0", "method": "test", "date": "2026-11-25"}
    if accuracy is not None:
        prov["positional_accuracy_m"] = accuracy
    return prov


def make_folder(path: Path, lines: dict[str, list[tuple[list, dict]]], bounded_by, accuracy=None) -> Path:
    """A boundaries folder with the given lines and one polygon bounded by them."""
    path.mkdir()
    (path / "lines").mkdir()
    features = [{"id": "block", "side": "shenzhen", "kind": "polygon",
                 "name": {"en": "Block", "zh": "街区"}, "bounded_by": bounded_by,
                 "provenance": _provenance(None),
                 "stated": [{"value": 0.8, "unit": "km2", "source": "a test figure"}]}]
    for lid, pieces in lines.items():
        (path / "lines" / f"{lid}.geojson").write_text(json.dumps(_line(lid, pieces)), encoding="utf-8")
        features.append({"id": lid, "kind": "line", "name": {"en": lid.title(), "zh": "路"},
                         "geometry": f"lines/{lid}.geojson",
                         "provenance": _provenance(accuracy or 10.0)})
    (path / "manifest.json").write_text(json.dumps({"features": features}), encoding="utf-8")
    return path


def _roads(accuracy: dict[str, float] | None = None) -> dict:
    acc = accuracy or {}
    return {
        "north-road": [([[W - OVER, N], [E + OVER, N]], {"positional_accuracy_m": acc.get("north", 10)})],
        "east-road": [([[E, N + OVER], [E, S - OVER]], {"positional_accuracy_m": acc.get("east", 10)})],
        "south-road": [([[E + OVER, S], [W - OVER, S]], {"positional_accuracy_m": acc.get("south", 10)})],
        "west-road": [([[W, S - OVER], [W, N + OVER]], {"positional_accuracy_m": acc.get("west", 10)})],
    }


NESW = {"north": "north-road", "east": "east-road", "south": "south-road", "west": "west-road"}


def test_load__polygon_bounded_by_four_roads__the_square_between_them(tmp_path):
    folder = make_folder(tmp_path / "b", _roads(), NESW)
    zone = hetao.load(folder)
    block = hetao.measure(zone)[0]
    assert block.geodesic_area_m2 == pytest.approx(_square_area(W, S, E, N), rel=1e-9)
    assert {ln.id for ln in zone.lines} == set(NESW.values())


def test_measure__bounded_polygon__uncertainty_is_sum_of_edge_shares(tmp_path):
    accuracy = {"north": 5, "east": 20, "south": 40, "west": 80}
    folder = make_folder(tmp_path / "b", _roads(accuracy), NESW)
    block = hetao.measure(hetao.load(folder))[0]
    lengths = {"north": _geodesic_length([(W, N), (E, N)]), "east": _geodesic_length([(E, N), (E, S)]),
               "south": _geodesic_length([(E, S), (W, S)]), "west": _geodesic_length([(W, S), (W, N)])}
    shares = {e.edge: e for e in block.edges}
    assert set(shares) == set(lengths)
    for edge, length in lengths.items():
        assert shares[edge].length_m == pytest.approx(length, rel=1e-6)
        assert shares[edge].uncertainty_m2 == pytest.approx(length * accuracy[edge], rel=1e-6)
    assert block.uncertainty_m2 == pytest.approx(sum(length * accuracy[e] for e, length in lengths.items()), rel=1e-6)
    assert block.dominant_edge.edge == "west"


def test_areas_json__bounded_polygon__edges_list(tmp_path):
    from click.testing import CliRunner

    from hetao.cli import cli
    folder = make_folder(tmp_path / "b", _roads({"west": 80}), NESW)
    result = CliRunner().invoke(cli, ["areas", "--format", "json", "--boundaries", str(folder)])
    assert result.exit_code == 0, result.output
    block = json.loads(result.output)[0]
    assert [e["id"] for e in block["edges"]] == ["north-road", "east-road", "south-road", "west-road"]
    assert sum(e["uncertainty_ha"] for e in block["edges"]) == pytest.approx(block["uncertainty_ha"], rel=1e-9)
    assert {"length_m", "accuracy_m", "name_en", "source"} <= set(block["edges"][0])
    for key in ("geodesic_area_ha", "perimeter_m", "boundary_length_m", "stated"):   # the old keys stay
        assert key in block
    table = CliRunner().invoke(cli, ["areas", "--boundaries", str(folder)]).output
    west = next(ln for ln in table.splitlines() if "edge west" in ln)
    assert "west-road" in west and "dominant" in west


def test_load__line_in_pieces__each_piece_its_own_accuracy(tmp_path):
    roads = _roads()
    mid = (N + S) / 2
    roads["east-road"] = [([[E, N + OVER], [E, mid]], {"id": "traced", "positional_accuracy_m": 10}),
                          ([[E, mid], [E, S - OVER]], {"id": "extrapolated", "positional_accuracy_m": 75,
                                                       "derived": True})]
    block = hetao.measure(hetao.load(make_folder(tmp_path / "b", roads, NESW)))[0]
    east = {e.piece.piece_id: e for e in block.edges if e.edge == "east"}
    assert east["traced"].length_m == pytest.approx(_geodesic_length([(E, N), (E, mid)]), rel=1e-6)
    assert east["extrapolated"].uncertainty_m2 == pytest.approx(
        _geodesic_length([(E, mid), (E, S)]) * 75, rel=1e-6)
    assert east["extrapolated"].piece.derived and not east["traced"].piece.derived


def test_load__edges_do_not_meet__one_line_naming_edges_and_gap(tmp_path):
    roads = _roads()
    # The east road stops 0.001° (about 111 m) short of the north road.
    roads["east-road"] = [([[E, N - 0.001], [E, S - OVER]], {})]
    folder = make_folder(tmp_path / "b", roads, NESW)
    with pytest.raises(BoundaryError) as info:
        hetao.load(folder)
    assert len(info.value.problems) == 1
    line = info.value.problems[0]
    assert "'block'" in line and "north edge (north-road)" in line and "east edge (east-road)" in line
    gap = float(line.split("within ")[1].split(" m")[0])
    assert gap == pytest.approx(Geodesic.WGS84.Inverse(N, E, N - 0.001, E)["s12"], abs=0.2)


def test_cli__edges_do_not_meet__exit_2_nothing_written(tmp_path):
    from click.testing import CliRunner

    from hetao.cli import cli
    roads = _roads()
    roads["west-road"] = [([[W, S + 0.002], [W, N + OVER]], {})]
    folder = make_folder(tmp_path / "b", roads, NESW)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", "--boundaries", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ln.startswith("hetao: error:")]
    assert len(errors) == 1 and "south edge (south-road) and the west edge (west-road) do not meet" in errors[0]
    assert not out.exists()


def test_load__line_ends_within_snap_distance__meet(tmp_path):
    roads = _roads()
    # Ends 3 cm short of the north road (about 2.7e-7°): within SNAP_M, they meet.
    roads["east-road"] = [([[E, N - 2.7e-7], [E, S - OVER]], {})]
    block = hetao.measure(hetao.load(make_folder(tmp_path / "b", roads, NESW)))[0]
    assert block.geodesic_area_m2 == pytest.approx(_square_area(W, S, E, N), rel=1e-6)


def test_load__two_blocks_share_a_line__no_overlap_no_gap(tmp_path):
    roads = _roads()
    mid = (W + E) / 2
    roads["middle-road"] = [([[mid, N + OVER], [mid, S - OVER]], {})]
    folder = make_folder(tmp_path / "b", roads, {"north": "north-road", "east": "middle-road",
                                                  "south": "south-road", "west": "west-road"})
    manifest = json.loads((folder / "manifest.json").read_text())
    second = dict(manifest["features"][0], id="block-2",
                  bounded_by={"north": "north-road", "east": "east-road", "south": "south-road",
                              "west": "middle-road"})
    manifest["features"].insert(1, second)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    zone = hetao.load(folder)
    a, b = zone.feature("block").geometry, zone.feature("block-2").geometry
    assert shapely.intersection(a, b).area == 0
    assert a.touches(b)
    total = sum(m.geodesic_area_m2 for m in hetao.measure(zone))
    assert total == pytest.approx(_square_area(W, S, E, N), rel=1e-8)


@pytest.mark.parametrize(("bounded_by", "fragment"), [
    ({"north": "north-road", "up": "east-road"}, "use the directions"),
    ({"north": "north-road"}, "a face needs at least two"),
    ({"north": "north-road", "east": "no-such-road", "south": "south-road"}, "'no-such-road', which is not a feature"),
    ("north-road", "give 'bounded_by' as"),
])
def test_load_manifest__bad_bounded_by__named(tmp_path, bounded_by, fragment):
    folder = make_folder(tmp_path / "b", _roads(), bounded_by)
    with pytest.raises(BoundaryError) as info:
        hetao.load(folder)
    assert any(fragment in p for p in info.value.problems), info.value.problems
