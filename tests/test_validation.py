"""Every validation rule, each broken in a copy of the shipped boundaries and run through the
CLI (in-process): exit 2, one line per problem naming the file, nothing written.

The polygons' geometry files are broken in a plain copy (helpers.make_plain_folder: every
polygon a geometry file, no lines), so a folder of plain files stays checked as before; the
line files are broken in a copy of the shipped folder itself."""

from __future__ import annotations

import json
import os

import pytest

from hetao.errors import BoundaryError, HetaoError
from hetao.zone import load_zone

from .helpers import Folder, run

# A Hong Kong 1980 Grid outline of the Loop area (metres), as a projected file would hold it.
HK1980_SQUARE = [[832000.0, 841000.0], [833000.0, 841000.0], [833000.0, 842000.0],
                 [832000.0, 841000.0]]
BOWTIE = [[114.04, 22.505], [114.05, 22.51], [114.05, 22.505], [114.04, 22.51], [114.04, 22.505]]


def _manifest_edit(fn):
    def apply(folder: Folder) -> None:
        data = folder.manifest()
        fn(data, folder)
        folder.write_manifest(data)
    return apply


def _provenance_without(key):
    def edit(data, folder):
        del folder.entry(data, "hong-kong-park")["provenance"][key]
    return _manifest_edit(edit)


def _stated(value=None, unit=None):
    def edit(data, folder):
        figure = folder.entry(data, "hong-kong-park")["stated"][0]
        if value is not None:
            figure["value"] = value
        if unit is not None:
            figure["unit"] = unit
    return _manifest_edit(edit)


def _shift(dx, dy):
    def apply(folder: Folder) -> None:
        folder.set_coordinates("futian-bonded-zone", [[[x + dx, y + dy] for x, y in folder.ring("futian-bonded-zone")]])
    return apply


def _replace_with(make):
    def apply(folder: Folder) -> None:
        target = folder.path / "futian-bonded-zone.geojson"
        target.unlink()
        make(target)
    return apply


def _sparse(size):
    def make(target):
        with open(target, "wb") as fh:
            fh.truncate(size)
    return make


def _symlink_loop(folder: Folder) -> None:
    target = folder.path / "futian-bonded-zone.geojson"
    target.unlink()
    os.symlink(target.name, target)


# (case id, how to break the folder, file named in the message, fragment of the message)
CASES = [
    ("missing-file", lambda f: (f.path / "futian-bonded-zone.geojson").unlink(),
     "futian-bonded-zone.geojson", "file not found"),
    ("folder-not-file", lambda f: ((f.path / "futian-bonded-zone.geojson").unlink(),
                                   (f.path / "futian-bonded-zone.geojson").mkdir()),
     "futian-bonded-zone.geojson", "is a folder"),
    ("symlink-loop", _symlink_loop, "futian-bonded-zone.geojson", "symlink loop"),
    ("empty-file", lambda f: f.write_geometry("futian-bonded-zone", ""),
     "futian-bonded-zone.geojson", "file is empty"),
    ("not-json", lambda f: f.write_geometry("futian-bonded-zone", '{"type": "FeatureCollection",'),
     "futian-bonded-zone.geojson", "is not valid JSON"),
    ("not-utf8", lambda f: f.write_geometry("futian-bonded-zone", b'{"name": "\xb8\xa3\xcc\xef"}'),
     "futian-bonded-zone.geojson", "is not UTF-8"),
    ("json-array", lambda f: f.write_geometry("futian-bonded-zone", "[1, 2, 3]"),
     "futian-bonded-zone.geojson", "is not GeoJSON"),
    ("bare-feature", lambda f: f.write_geometry("futian-bonded-zone", f.geometry("futian-bonded-zone")["features"][0]),
     "futian-bonded-zone.geojson", "bare Feature"),
    ("bare-geometry", lambda f: f.write_geometry(
        "futian-bonded-zone", f.geometry("futian-bonded-zone")["features"][0]["geometry"]),
     "futian-bonded-zone.geojson", "bare Polygon geometry"),
    ("empty-collection", lambda f: f.write_geometry("futian-bonded-zone", {"type": "FeatureCollection", "features": []}),
     "futian-bonded-zone.geojson", "FeatureCollection is empty"),
    ("null-geometry", lambda f: f.write_geometry("futian-bonded-zone", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": None}]}),
     "futian-bonded-zone.geojson", "geometry is null"),
    ("point-for-polygon", lambda f: f.set_coordinates("futian-bonded-zone", [114.05, 22.51], "Point"),
     "futian-bonded-zone.geojson", "a polygon feature needs Polygon or MultiPolygon"),
    ("polygon-for-point", lambda f: f.set_coordinates("hkstp-shenzhen-branch", [f.ring("futian-bonded-zone")], "Polygon"),
     "hkstp-shenzhen-branch.geojson", "a point feature needs Point"),
    ("empty-coordinates", lambda f: f.set_coordinates("futian-bonded-zone", []),
     "futian-bonded-zone.geojson", "geometry is empty"),
    ("infinite", lambda f: f.write_geometry("futian-bonded-zone", json.dumps(f.geometry("futian-bonded-zone"))
                                            .replace("114.0365,", "1e999,", 1)),
     "futian-bonded-zone.geojson", "is not finite"),
    ("nan", lambda f: f.write_geometry("futian-bonded-zone", json.dumps(f.geometry("futian-bonded-zone"))
                                       .replace("114.0365,", "NaN,", 1)),
     "futian-bonded-zone.geojson", "NaN is not a JSON number"),
    ("string-coordinate", lambda f: f.set_coordinates("futian-bonded-zone", [[["114.05", 22.5]] + f.ring("futian-bonded-zone")[1:]]),
     "futian-bonded-zone.geojson", "coordinates must be numbers"),
    ("out-of-range", lambda f: f.set_coordinates("futian-bonded-zone", [[[x + 100, y] for x, y in f.ring("futian-bonded-zone")]]),
     "futian-bonded-zone.geojson", "out of range"),
    ("swapped", lambda f: f.set_coordinates("futian-bonded-zone", [[[y, x] for x, y in f.ring("futian-bonded-zone")]]),
     "futian-bonded-zone.geojson", "look like [lat, lon]"),
    ("projected-metres", lambda f: f.set_coordinates("futian-bonded-zone", [HK1980_SQUARE]),
     "futian-bonded-zone.geojson", "projected metres"),
    ("far-away", lambda f: f.set_coordinates("futian-bonded-zone", [[[x - 230, -y] for x, y in f.ring("futian-bonded-zone")]]),
     "futian-bonded-zone.geojson", "km from the Hetao zone"),
    ("3d-positions", lambda f: f.set_coordinates("futian-bonded-zone", [[[x, y, 5.0] for x, y in f.ring("futian-bonded-zone")]]),
     "futian-bonded-zone.geojson", "has 3 values"),
    ("unclosed-ring", lambda f: f.set_coordinates("futian-bonded-zone", [f.ring("futian-bonded-zone")[:-1]]),
     "futian-bonded-zone.geojson", "is not closed"),
    ("ring-of-three", lambda f: f.set_coordinates("futian-bonded-zone", [[[114.04, 22.505], [114.05, 22.51], [114.04, 22.505]]]),
     "futian-bonded-zone.geojson", "needs at least 4"),
    ("collinear-ring", lambda f: f.set_coordinates("futian-bonded-zone", [[[114.04, 22.51], [114.05, 22.51], [114.06, 22.51], [114.04, 22.51]]]),
     "futian-bonded-zone.geojson", "zero area"),
    ("bowtie", lambda f: f.set_coordinates("futian-bonded-zone", [BOWTIE]),
     "futian-bonded-zone.geojson", "not valid (Self-intersection"),
    ("foreign-crs", lambda f: f.write_geometry("futian-bonded-zone", {**f.geometry("futian-bonded-zone"), "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2326"}}}),
     "futian-bonded-zone.geojson", "'crs' member"),
    ("manifest-not-json", lambda f: f.manifest_path.write_text("{features: []}"),
     "manifest.json", "is not valid JSON"),
    ("manifest-no-features", lambda f: f.manifest_path.write_text('{"schema": 1}'),
     "manifest.json", "'features' list"),
    ("duplicate-id", _manifest_edit(lambda d, f: d["features"].append(dict(f.entry(d, "futian-bonded-zone")))),
     "manifest.json", "duplicate id"),
    ("missing-licence", _provenance_without("licence"), "manifest.json", "'provenance.licence' is missing"),
    ("missing-source", _provenance_without("source"), "manifest.json", "'provenance.source' is missing"),
    ("missing-accuracy", _provenance_without("positional_accuracy_m"), "manifest.json", "positional_accuracy_m' is missing"),
    ("bad-accuracy", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["provenance"].update(positional_accuracy_m="ten")),
     "manifest.json", "must be a positive number of metres"),
    ("unknown-unit", _stated(unit="hectare"), "manifest.json", "use one of ha, km2, acre, m2"),
    ("negative-stated", _stated(value=-87), "manifest.json", "must be greater than zero"),
    ("zero-stated", _stated(value=0), "manifest.json", "must be greater than zero"),
    ("bad-side", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park").update(side="kowloon")),
     "manifest.json", "use one of hong_kong, shenzhen"),
    ("bad-kind", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park").update(kind="area")),
     "manifest.json", "'kind' is 'area'; use one of polygon, point"),
    ("missing-name", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["name"].pop("zh")),
     "manifest.json", "'name.zh' is missing"),
    ("bad-date", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["provenance"].update(date="7 Oct 2026")),
     "manifest.json", "YYYY-MM-DD"),
    ("path-escape", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park").update(geometry="../../etc/passwd")),
     "manifest.json", "must be relative and stay inside"),
    ("unknown-union-part", _manifest_edit(lambda d, f: f.entry(d, "shenzhen-park").update(union_of=["futian-bonded-zone", "nowhere"])),
     "manifest.json", "'nowhere', which is not a feature"),
    ("id-mismatch", lambda f: f.write_geometry("futian-bonded-zone", json.dumps(f.geometry("futian-bonded-zone"))
                                               .replace('"id": "futian-bonded-zone"', '"id": "huanggang-port-area"')),
     "futian-bonded-zone.geojson", "manifest names this file for 'futian-bonded-zone'"),
    ("4d-positions", lambda f: f.set_coordinates("futian-bonded-zone", [[[x, y, 5.0, 0.0] for x, y in f.ring("futian-bonded-zone")]]),
     "futian-bonded-zone.geojson", "has 4 values"),
    ("gcj02-shifted", _shift(0.00510, -0.00273), "futian-bonded-zone.geojson", "look like GCJ-02"),
    ("bd09-shifted", _shift(0.01166, 0.00296), "futian-bonded-zone.geojson", "look like BD-09"),
    ("overlapping-multipolygon-parts", lambda f: f.set_coordinates("futian-bonded-zone", [
        [[[114.04, 22.505], [114.05, 22.505], [114.05, 22.51], [114.04, 22.51], [114.04, 22.505]]],
        [[[114.045, 22.507], [114.055, 22.507], [114.055, 22.512], [114.045, 22.512], [114.045, 22.507]]]], "MultiPolygon"),
     "futian-bonded-zone.geojson", "not valid"),
    ("hole-outside-shell", lambda f: f.set_coordinates("futian-bonded-zone", [
        [[114.04, 22.505], [114.05, 22.505], [114.05, 22.51], [114.04, 22.51], [114.04, 22.505]],
        [[114.06, 22.506], [114.061, 22.506], [114.061, 22.507], [114.06, 22.507], [114.06, 22.506]]]),
     "futian-bonded-zone.geojson", "Hole lies outside shell"),
    ("200-mb-file", _replace_with(_sparse(200 * 1024 * 1024)), "futian-bonded-zone.geojson", "larger than the"),
    ("named-pipe", _replace_with(lambda t: os.mkfifo(t)), "futian-bonded-zone.geojson", "is not a regular file"),
    ("broken-symlink", _replace_with(lambda t: os.symlink("nowhere.geojson", t)), "futian-bonded-zone.geojson",
     "broken symbolic link"),
    ("binary-garbage", lambda f: f.write_geometry("futian-bonded-zone", bytes(range(256)) * 40),
     "futian-bonded-zone.geojson", "is not UTF-8"),
    ("json-not-geojson", lambda f: f.write_geometry("futian-bonded-zone", '{"hello": "world"}'),
     "futian-bonded-zone.geojson", "is not a GeoJSON FeatureCollection"),
    ("symlink-out-of-folder", _replace_with(lambda t: os.symlink("/etc/hostname", t)), "manifest.json",
     "leads outside the boundaries folder"),
    ("absolute-path", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park").update(geometry="/etc/passwd")),
     "manifest.json", "must be relative and stay inside"),
    ("manifest-not-utf8", lambda f: f.manifest_path.write_bytes(f.manifest_path.read_bytes().replace(
        "香港".encode(), "香港".encode("big5"))), "manifest.json", "is not UTF-8"),
    ("unknown-quantity", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["stated"][0].update(quantity="floor")),
     "manifest.json", "use one of land area, gross floor area"),
    ("string-stated-value", _stated(value="87"), "manifest.json", "it must be a number"),
]


@pytest.mark.parametrize(("case", "breaker", "file", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_cli_build__broken_folder__exit_2_one_line_naming_file(plain_folder, tmp_path, case, breaker, file,
                                                               fragment):
    breaker(plain_folder)
    _build_refused(plain_folder, tmp_path, file, fragment)


def _build_refused(folder: Folder, tmp_path, file: str, fragment: str) -> None:
    """``hetao build`` of the broken folder: exit 2, one line per problem naming a file of the
    folder (``file`` for the one with ``fragment``), nothing written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "hetao.html").write_text("previous build")
    before = folder.snapshot()
    result = run("build", "--boundaries", folder.path, "--out", out)
    assert [p.name for p in out.iterdir()] == ["hetao.html"]
    assert (out / "hetao.html").read_text() == "previous build"
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    # One line per problem, each naming a file of the folder first.
    assert lines and all(line.startswith(f"hetao: error: {folder.path}/") for line in lines), result.err
    matching = [line for line in lines if fragment in line]
    assert matching, result.err
    assert all(line.startswith(f"hetao: error: {folder.path / file}: ") for line in matching), matching
    assert folder.snapshot() == before
    # Every command reads the folder the same way.
    assert run("areas", "--boundaries", folder.path) == result


def test_corpus__at_least_40_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 40


def _line_piece(lid: str, coordinates, gtype: str = "LineString"):
    def apply(folder: Folder) -> None:
        data = folder.line(lid)
        data["features"][0]["geometry"] = {"type": gtype, "coordinates": coordinates}
        folder.write_geometry(lid, data)
    return apply


def _line_text(lid: str, old: str, new: str):
    def apply(folder: Folder) -> None:
        text = json.dumps(folder.line(lid))
        assert old in text
        folder.write_geometry(lid, text.replace(old, new, 1))
    return apply


def _loop_entry(**changes):
    return _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park").update(changes))


# The line files and the manifest's lines, broken in a copy of the shipped folder.
LINE_CASES = [
    ("line-file-missing", lambda f: (f.path / "lines" / "binhe-boulevard.geojson").unlink(),
     "lines/binhe-boulevard.geojson", "file not found"),
    ("line-not-json", lambda f: f.write_geometry("binhe-boulevard", '{"type": "FeatureCollection"'),
     "lines/binhe-boulevard.geojson", "is not valid JSON"),
    ("point-for-line", _line_piece("binhe-boulevard", [114.07, 22.53], "Point"),
     "lines/binhe-boulevard.geojson", "a line feature needs LineString"),
    ("one-position-line", _line_piece("loop-east-edge", [[114.078, 22.530]]),
     "lines/loop-east-edge.geojson", "a line needs at least two"),
    ("3d-line", lambda f: _line_piece("loop-east-edge", [
        [x, y, 1.0] for x, y in f.line("loop-east-edge")["features"][0]["geometry"]["coordinates"]])(f),
     "lines/loop-east-edge.geojson", "has 3 values"),
    ("bad-piece-accuracy", _line_text("huanggang-road", '"positional_accuracy_m": 75', '"positional_accuracy_m": -75'),
     "lines/huanggang-road.geojson", "piece 'extrapolated': 'positional_accuracy_m' is -75"),
    ("duplicate-piece-id", _line_text("huanggang-road", '"id": "extrapolated"', '"id": "observed"'),
     "lines/huanggang-road.geojson", "id 'observed' is used twice"),
    ("bounded-by-a-point", _loop_entry(bounded_by={"east": ["hkstp-shenzhen-branch"], "south": ["loop-south-edge"],
                                                   "north-west": ["hk-sz-border"]}),
     "manifest.json", "'hkstp-shenzhen-branch', which is a point, not a line"),
    ("bounded-by-unknown", _loop_entry(bounded_by={"east": ["loop-east"], "south": ["loop-south-edge"],
                                                   "north-west": ["hk-sz-border"]}),
     "manifest.json", "'loop-east', which is not a feature"),
    ("bounded-and-geometry", _loop_entry(geometry="hong-kong-park.geojson"),
     "manifest.json", "has 'bounded_by' and also 'geometry'"),
    ("reconcile-unknown-edge", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["reconcile"]["strips"][0]
                                              .update(edge="north")),
     "manifest.json", "use one of this polygon's edges: east, south, north-west"),
    ("reconcile-width-outside-range", _manifest_edit(lambda d, f: f.entry(d, "hong-kong-park")["reconcile"]["strips"][0]
                                                     .update(width_m=120)),
     "manifest.json", "give [low, high] metres around width_m"),
]


@pytest.mark.parametrize(("case", "breaker", "file", "fragment"), LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_cli_build__broken_line_or_edges__exit_2_one_line_naming_file(folder, tmp_path, case, breaker, file,
                                                                      fragment):
    breaker(folder)
    _build_refused(folder, tmp_path, file, fragment)


def test_load_zone__several_broken_files__every_problem_reported(plain_folder):
    folder = plain_folder
    folder.set_coordinates("futian-bonded-zone", [BOWTIE])
    folder.set_coordinates("hong-kong-park", [folder.ring("hong-kong-park")[:-1]])
    folder.edit_feature("huanggang-port-area", side="macau")
    with pytest.raises(BoundaryError) as info:
        load_zone(folder.path)
    # The manifest is checked first; once it is good, every geometry file is.
    assert info.value.problems == [
        f"{folder.path / 'manifest.json'}: feature 'huanggang-port-area': 'side' is 'macau'; "
        "use one of hong_kong, shenzhen"]
    folder.edit_feature("huanggang-port-area", side="shenzhen")
    with pytest.raises(BoundaryError) as info:
        load_zone(folder.path)
    problems = sorted(info.value.problems)
    assert len(problems) == 2
    assert problems[0].startswith(f"{folder.path / 'futian-bonded-zone.geojson'}: feature 'futian-bonded-zone': ")
    assert "Self-intersection" in problems[0]
    assert problems[1].startswith(f"{folder.path / 'hong-kong-park.geojson'}: feature 'hong-kong-park': ")
    assert "is not closed" in problems[1]
    assert str(info.value).splitlines() == info.value.problems
    assert isinstance(info.value, ValueError) and isinstance(info.value, HetaoError)


def test_load_zone__clockwise_ring__normalised_not_rejected(plain_folder):
    folder = plain_folder
    ring = folder.ring("hong-kong-park")
    folder.set_coordinates("hong-kong-park", [ring[::-1]])
    geometry = load_zone(folder.path).feature("hong-kong-park").geometry
    assert geometry.exterior.is_ccw
    assert run("check", "--boundaries", folder.path).code == 0


def _big_ring(folder: Folder, n: int = 60_000) -> list:
    """The Loop densified to ``n`` positions (a file over the fast-path size)."""
    import numpy as np
    ring = np.asarray(folder.ring("hong-kong-park"))
    t = np.linspace(0, 1, n // len(ring), endpoint=False)[:, None]
    dense = np.concatenate([a + t * (b - a) for a, b in zip(ring[:-1], ring[1:])])
    return np.vstack([dense, dense[:1]]).tolist()


def test_read_geometry_file__large_file__fast_path_same_as_thorough(plain_folder, monkeypatch):
    folder = plain_folder
    import shapely

    from hetao import geojson as geometry
    folder.set_coordinates("hong-kong-park", [_big_ring(folder)])
    path = folder.path / "hong-kong-park.geojson"
    assert path.stat().st_size > geometry.FAST_PATH_BYTES
    assert geometry._fast_read(path.read_text(), "hong-kong-park", "polygon") is not None
    fast = geometry.read_geometry_file(path, "hong-kong-park", "polygon")
    monkeypatch.setattr(geometry, "FAST_PATH_BYTES", 10**12)
    thorough = geometry.read_geometry_file(path, "hong-kong-park", "polygon")
    assert shapely.equals_exact(fast, thorough, 0)


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda r: r[:-1], "is not closed"),
    (lambda r: [[x, y, 1.0] for x, y in r], "has 3 values"),
    (lambda r: [[y, x] for x, y in r], "look like [lat, lon]"),
    (lambda r: r[:10] + [[r[10][0], "22.5"]] + r[11:], "coordinates must be numbers"),
], ids=["unclosed", "3d", "lat-lon", "string"])
def test_read_geometry_file__large_broken_file__same_message_on_both_paths(plain_folder, monkeypatch, change,
                                                                          fragment):
    folder = plain_folder
    from hetao import geojson as geometry
    # A file over the fast-path size, with the size lowered: the paths, not the bytes, are
    # compared here (the test above reads a file over the real size).
    monkeypatch.setattr(geometry, "FAST_PATH_BYTES", 50_000)
    folder.set_coordinates("hong-kong-park", [change(_big_ring(folder, 3_000))])
    assert (folder.path / "hong-kong-park.geojson").stat().st_size > geometry.FAST_PATH_BYTES
    with pytest.raises(BoundaryError) as fast:
        load_zone(folder.path)
    monkeypatch.setattr(geometry, "FAST_PATH_BYTES", 10**12)   # the thorough walk only
    with pytest.raises(BoundaryError) as thorough:
        load_zone(folder.path)
    assert fast.value.problems == thorough.value.problems
    assert any(fragment in p and p.startswith(f"{folder.path / 'hong-kong-park.geojson'}: ")
               for p in fast.value.problems), fast.value.problems
