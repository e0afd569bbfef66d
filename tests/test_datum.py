"""Coordinates traced on a Chinese web map (GCJ-02: Amap, Tencent; BD-09: Baidu) sit hundreds of
metres off WGS84 here. ``hetao swap`` recognises such a file and refuses it unless told the
datum (``--datum``), which it then converts; ``hetao check`` fails when one side is shifted
off the river.

The shifted files are made in code from the shipped faces with the ``coordTransform``
package, the same formulas the web maps use; the areas are checked with GeographicLib.
"""

from __future__ import annotations

import math
import re
import tempfile

import coordTransform
import numpy as np
import pytest
import shapely
import shapely.affinity

import hetao

from .helpers import geographiclib_geometry, local_transformers, run, transformed, write_geojson

PARTS = ["huanggang-port-area", "futian-bonded-zone"]
#: datum option -> (coordTransform's conversion from WGS84, the datum's name in messages)
DATUMS = {"gcj02": (coordTransform.wgs84_to_gcj02, "GCJ-02"),
          "bd09": (coordTransform.wgs84_to_bd09, "BD-09")}
#: The converted port area and the Loop share the border: coordTransform's inverse is good to
#: about a metre, so they overlap by a metre-wide sliver there, which a swap refuses unless
#: allowed. The bonded zone touches nothing of the other side.
OVERLAP = {"huanggang-port-area": ["--allow-overlap"], "futian-bonded-zone": []}


@pytest.fixture(scope="module")
def shipped():
    return hetao.load()


def _in_datum(geometry, datum: str):
    """A WGS84 geometry as a Chinese web map would give its coordinates."""
    convert = DATUMS[datum][0]
    return shapely.transform(geometry, lambda c: np.column_stack(convert(c[:, 0].tolist(), c[:, 1].tolist())))


def _bank_traced(zone, fid: str):
    """The part's face with its river edge pulled 100 m in: an outline traced along the bank."""
    to_local, to_wgs84 = local_transformers()
    river = transformed(zone.line("hk-sz-border").geometry, to_local).buffer(100)
    return transformed(transformed(zone.feature(fid).geometry, to_local).difference(river), to_wgs84)


def _refused_as(result, path, name: str, option: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    # The user's file is named, never the scratch copy the swap checked it on.
    assert line.startswith(f"hetao: error: {path}: "), line
    assert f"{tempfile.gettempdir()}/hetao-" not in line
    assert f"look like {name}, not WGS84" in line, line
    assert f"--datum {option}" in line, line


@pytest.mark.parametrize("datum", list(DATUMS))
@pytest.mark.parametrize("fid", PARTS)
def test_swap__part_in_a_chinese_datum__refused_then_converted_with_datum(folder, tmp_path, shipped, fid, datum):
    face = shipped.feature(fid).geometry
    path = write_geojson(tmp_path / f"{fid}-{datum}.geojson", _in_datum(face, datum))
    name = DATUMS[datum][1]
    before = folder.snapshot()
    # (A real swap of such a file is refused too, writing nothing: test_swap_options.py.)
    _refused_as(run("swap", fid, path, "--boundaries", folder.path, "--dry-run"), path, name, datum)
    result = run("swap", fid, path, "--boundaries", folder.path, "--dry-run", "--datum", datum, *OVERLAP[fid])
    assert result.code == 0, result.err
    assert f"note: converted from {name} " in result.out and "to WGS84" in result.out
    # Converted back within 0.5 % of the face it was made from.
    measured = re.search(rf"^{fid} now measures ([\d,.]+) ha", result.out, re.M)
    assert measured, result.out
    original = geographiclib_geometry(face).area / 1e4
    assert float(measured.group(1).replace(",", "")) == pytest.approx(original, rel=0.005)
    assert folder.snapshot() == before


@pytest.mark.parametrize("fid", PARTS)
def test_swap__bank_traced_outline__refused_in_gcj02_accepted_in_wgs84(folder, tmp_path, shipped, fid):
    bank = _bank_traced(shipped, fid)
    # The river edge really moved: no vertex of it lies within 90 m of the border any more.
    to_local, _ = local_transformers()
    border = transformed(shipped.line("hk-sz-border").geometry, to_local)
    assert transformed(bank, to_local).distance(border) > 90
    shifted = write_geojson(tmp_path / f"{fid}-bank-gcj.geojson", _in_datum(bank, "gcj02"))
    _refused_as(run("swap", fid, shifted, "--boundaries", folder.path, "--dry-run"), shifted, "GCJ-02", "gcj02")
    converted = run("swap", fid, shifted, "--boundaries", folder.path, "--dry-run", "--datum", "gcj02")
    assert converted.code == 0, converted.err
    # No false alarm: the same outline in WGS84 is taken as it is.
    plain = write_geojson(tmp_path / f"{fid}-bank.geojson", bank)
    result = run("swap", fid, plain, "--boundaries", folder.path, "--dry-run")
    assert result.code == 0, result.err
    assert "converted from" not in result.out
    measured = re.search(rf"^{fid} now measures ([\d,.]+) ha", result.out, re.M)
    # (as printed: to 0.01 ha)
    assert float(measured.group(1).replace(",", "")) == pytest.approx(geographiclib_geometry(bank).area / 1e4,
                                                                      abs=0.0051)


@pytest.mark.parametrize(("direction", "metres", "bearing"), [("south", 900, 180), ("east", 800, 90)])
def test_check__loop_moved_off_the_river__the_sides_meet_check_fails_naming_the_gap(
        plain_folder, direction, metres, bearing):
    folder = plain_folder        # the Loop a plain geometry file, moved as a whole
    to_local, to_wgs84 = local_transformers()
    loop = transformed(folder.shape("hong-kong-park"), to_local)
    east, north = metres * math.sin(math.radians(bearing)), metres * math.cos(math.radians(bearing))
    moved = transformed(shapely.affinity.translate(loop, east, north), to_wgs84)
    data = folder.geometry("hong-kong-park")
    data["features"][0]["geometry"] = shapely.geometry.mapping(moved)
    folder.write_geometry("hong-kong-park", data)
    # Independently: the gap between the moved Loop and the Shenzhen side, in local metres.
    shenzhen = shapely.union_all([folder.shape(f) for f in PARTS])
    gap = transformed(moved, to_local).distance(transformed(shenzhen, to_local))
    assert gap > 260, gap
    result = run("check", "--boundaries", folder.path)
    # The shift is no datum's: it lies over 250 m (the detector's match distance) from each one's offset here, the offsets
    # coordTransform gives at the Loop.
    centre = loop.centroid
    lon, lat = to_wgs84.transform(centre.x, centre.y)
    for convert, _ in DATUMS.values():
        x, y = to_local.transform(*convert(lon, lat))
        assert math.hypot(east - (x - centre.x), north - (y - centre.y)) > 250
    assert result.code == 1, f"{direction}: exit {result.code}: {result.err}{result.out}"
    fails = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1, result.out
    found = re.fullmatch(r"FAIL  the sides meet across the river: gap ([\d,.]+) m, wider than the river "
                         r"\(260 m\)(.*)", fails[0])
    assert found, fails[0]
    assert float(found.group(1).replace(",", "")) == pytest.approx(gap, abs=1.0)
    assert result.err == "hetao: error: 1 of 6 checks failed\n"
