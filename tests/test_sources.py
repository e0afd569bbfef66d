"""Checkable from a clone (issue #18): the shipped boundaries are rebuilt byte for byte from
the sources in the repository, cite nothing outside it, carry clean coordinates, and the
bonded zone's west edge is the Xinzhou River's centre line over its observed mouth."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import shapely

import hetao
from hetao.geodesy import LOCAL_CRS, to_crs

from .helpers import ROOT, SHIPPED, run

SOURCES = ROOT / "tools" / "sources"
#: Text that looks like a path of a local file (a folder, a slash, a name with a data suffix).
LOCAL_PATH = re.compile(r"(?<![\w/.:-])((?:\.\./)?[\w.-]+(?:/[\w.-]+)+\.(?:geojson|json|csv|py|md))")
SHIPPED_FILES = sorted(p for p in SHIPPED.rglob("*") if p.is_file() and p.suffix in (".json", ".geojson"))


def test_derive_tool__in_a_copy_of_the_repository__rebuilds_boundaries_byte_for_byte(tmp_path):
    out = tmp_path / "boundaries"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "derive_boundaries.py")], cwd=tmp_path,
                          env={**os.environ, "HETAO_DERIVE_OUT": str(out)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert made == [p.relative_to(SHIPPED) for p in SHIPPED_FILES]
    for relative in made:
        assert (out / relative).read_bytes() == (SHIPPED / relative).read_bytes(), relative


def test_derive_tool__reads_only_files_in_the_repository():
    text = (ROOT / "tools" / "derive_boundaries.py").read_text(encoding="utf-8")
    assert "shared" not in text and "ROOT.parent" not in text
    read = set(re.findall(r'sources / "([\w.]+)"', text))
    assert read and all((SOURCES / name).is_file() for name in read)
    listed = (SOURCES / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in listed for name in read)


def _texts_of_provenance():
    manifest = json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))
    for entry in [*manifest["features"], *manifest["context"]]:
        yield entry["id"], json.dumps({k: entry.get(k) for k in ("provenance", "reconcile", "explanation")},
                                      ensure_ascii=False)
    for path in (SHIPPED / "lines").glob("*.geojson"):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            yield f"{path.name}#{feature['id']}", json.dumps(feature["properties"], ensure_ascii=False)
    yield "boundaries/README.md", (SHIPPED / "README.md").read_text(encoding="utf-8")


def test_provenance__every_local_path_it_names_is_in_the_repository():
    named = 0
    for where, text in _texts_of_provenance():
        assert "shared/data" not in text and "../" not in text, where
        for path in LOCAL_PATH.findall(re.sub(r"https?://\S+", "", text)):
            named += 1
            assert (ROOT / path).is_file(), f"{where} names {path}, not in the repository"
    assert named >= 5


def test_shipped_coordinates__at_most_7_decimals_no_float_artefacts():
    long = re.compile(r"-?\d+\.\d{8,}")
    for path in SHIPPED_FILES:
        text = path.read_text(encoding="utf-8")
        assert not long.search(text), f"{path.name}: {long.search(text).group()}"


def test_shipped_lines__no_consecutive_vertices_closer_than_a_centimetre():
    zone = hetao.load()
    for line in zone.lines:
        for piece in line.pieces:
            steps = np.diff(shapely.get_coordinates(to_crs(piece.geometry, LOCAL_CRS)), axis=0)
            assert np.hypot(*steps.T).min() >= 0.01, (line.id, piece.piece_id)


def _mid_channel(mouth):
    """The mid-channel line of the shared coastline: the midpoint of every point along the east
    bank and the nearest point of the channel's west bank (local metres)."""
    east = to_crs(shapely.LineString(mouth[0]["geometry"]["coordinates"]), LOCAL_CRS)
    tongue = mouth[2]["geometry"]["coordinates"]
    west = to_crs(shapely.LineString([c for c in tongue if c[0] >= 114.0334]), LOCAL_CRS)
    points = [east.interpolate(d) for d in np.arange(0.0, east.length, 2.0)]
    return east.length, [((p.x + q.x) / 2, (p.y + q.y) / 2) for p, q in
                         ((p, west.interpolate(west.project(p))) for p in points)]


def test_west_edge__holds_an_observed_piece_within_25_m_of_the_mid_channel_line():
    mouth = json.loads((SOURCES / "xinzhou_river_mouth_osm.geojson").read_text(encoding="utf-8"))["features"]
    length, mids = _mid_channel(mouth)
    assert round(length) == 413
    zone = hetao.load()
    west = dict(zone.feature("futian-bonded-zone").spec.bounded_by)["west"]
    assert west == ("xinzhou-river",)
    observed = next(p for p in zone.line("xinzhou-river").pieces if p.piece_id == "observed")
    assert observed.accuracy_m <= 25
    local = to_crs(observed.geometry, LOCAL_CRS)
    assert max(shapely.Point(m).distance(local) for m in mids) <= 25


def test_bonded_zone__uncertainty_lower_than_with_the_assumed_meridian():
    measured = {m.feature.id: m for m in hetao.measure(hetao.load())}
    bonded = measured["futian-bonded-zone"]
    assert bonded.uncertainty_m2 / 1e4 < 62.4
    shares = {(e.piece.line_id, e.piece.piece_id) for e in bonded.edges}
    assert ("xinzhou-river", "observed") in shares and ("xinzhou-river", "extrapolated") in shares
    assert ("ronghua-road-approximate", "to-xinzhou-river-extrapolated") in shares
    assert {s.edge for s in bonded.reconciled.spec.strips} == {"south", "west"}


def test_areas__shows_the_new_west_edge_shares():
    result = run("areas")
    assert result.code == 0
    assert "xinzhou-river [observed]" in result.out and "xinzhou-river [extrapolated]" in result.out
    assert "xinzhou-river-assumed" not in result.out


def test_old_id__undo_and_diff_take_it_for_the_new_one(folder):
    for args in (["undo", "xinzhou-river-assumed"], ["diff", "--previous", "xinzhou-river-assumed"]):
        result = run(*args, "--boundaries", folder.path)
        # Nothing was swapped yet: told of the line's history, not "no such feature".
        assert result.code != 0 and "no such feature" not in result.err, result.err
        assert "has no earlier version" in result.err, result.err
