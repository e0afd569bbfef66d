"""What a notebook user writes first: a zone given as itself or by its folder, a zone as a
mapping, short reprs, every public type exported, warnings a caller sees; and the CLI's
-q/-v after the command, -q check, warnings printed once."""

from __future__ import annotations

import dataclasses
import typing
import warnings
from collections.abc import Mapping
from pathlib import Path

import pytest

import hetao
import hetao.figure
from hetao.errors import HetaoWarning
from .helpers import OUTPUTS, FEATURE_IDS, LINE_IDS, SHIPPED, run

FOLDER_FORMS = [pytest.param(str(SHIPPED), id="str"), pytest.param(SHIPPED, id="path")]


@pytest.fixture(scope="module")
def zone():
    return hetao.load(SHIPPED)


@pytest.fixture(scope="module")
def measurements(zone):
    return hetao.measure(zone)


# --- a zone, a str or a path ---------------------------------------------------------------

@pytest.mark.parametrize("folder", FOLDER_FORMS)
def test_measure__folder_as_str_or_path__the_zones_measurements(folder, measurements):
    got = hetao.measure(folder)
    assert [m.id for m in got] == FEATURE_IDS
    assert [getattr(m, "geodesic_area_m2", None) for m in got] == \
        [getattr(m, "geodesic_area_m2", None) for m in measurements]


@pytest.mark.parametrize("folder", FOLDER_FORMS)
def test_check_records_map__folder_as_str_or_path(folder, zone):
    assert [(r.name, r.ok) for r in hetao.check(folder)] == [(r.name, r.ok) for r in hetao.check(zone)]
    assert [r["id"] for r in hetao.records(folder)] == FEATURE_IDS
    page = hetao.Map(folder)
    assert page.zone == zone and [m.id for m in page.measurements] == FEATURE_IDS


def test_load__a_zone__returned_as_it_is(zone):
    assert hetao.load(zone) is zone
    assert hetao.load(str(SHIPPED)) == zone


def test_to_geodataframe__a_zone_or_its_folder__measured_as_the_measurements_are(zone, measurements):
    expected = hetao.to_geodataframe(measurements)
    for given in (zone, str(SHIPPED), SHIPPED):
        frame = hetao.to_geodataframe(given)
        assert list(frame.index) == FEATURE_IDS
        assert str(frame.crs) == "EPSG:4326"
        assert frame["geodesic_area_ha"].equals(expected["geodesic_area_ha"])
        assert frame.geometry.geom_equals(expected.geometry).all()


def test_records__a_zone__the_same_as_its_measurements(zone, measurements):
    assert hetao.records(zone) == hetao.records(measurements)
    assert hetao.records(tuple(measurements)) == hetao.records(measurements)


@pytest.mark.parametrize("call", [hetao.measure, hetao.check, hetao.load, hetao.to_geodataframe])
def test_zone_like__wrong_type__type_error_naming_what_is_accepted(call):
    with pytest.raises(TypeError, match=r"a hetao\.Zone, or its boundaries folder as a str or a path; not int"):
        call(3)


def test_build__folder_as_str__every_output_and_the_same_bytes_as_from_a_zone(tmp_path, shipped_build):
    # The session's build of the same folder has the bytes hetao.build(zone) writes
    # (test_api.py: test_build__library__returns_the_paths_of_every_output).
    from_str = hetao.build(str(SHIPPED), tmp_path / "str")
    assert [p.name for p in from_str] == list(OUTPUTS)
    for path in from_str:
        assert path.read_bytes() == (shipped_build / path.name).read_bytes(), path.name


# --- a zone is a read-only mapping ----------------------------------------------------------

def test_zone__mapping_of_features_then_lines_by_id(zone):
    assert isinstance(zone, Mapping)
    assert len(zone) == len(FEATURE_IDS) + len(LINE_IDS) == 13
    assert list(zone) == list(zone.keys()) == FEATURE_IDS + LINE_IDS
    assert zone["hong-kong-park"] is zone.feature("hong-kong-park")
    assert zone["hk-sz-border"] is zone.line("hk-sz-border")
    assert "hkstp-shenzhen-branch" in zone and "hong-kong-boundary" not in zone   # context: not a feature
    assert zone.get("no-such-id") is None
    with pytest.raises(KeyError, match="no-such-id"):
        zone["no-such-id"]
    assert [v.id for v in zone.values()] == FEATURE_IDS + LINE_IDS
    assert dict(zone.items())["ronghua-road-approximate"].pieces


def test_zone__read_only_and_equal_by_fields_still(zone):
    with pytest.raises(TypeError):
        zone["hong-kong-park"] = zone["shenzhen-park"]      # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        zone.features = ()                                   # type: ignore[misc]
    again = hetao.load(SHIPPED)
    assert again == zone and hash(again) == hash(zone)
    # Equal as dataclasses, not as mappings: a dict of the same items is not a zone.
    assert zone != dict(zone)
    assert dataclasses.replace(zone, context=()) != zone


def test_zone__geo_interface_unchanged_by_the_mapping(zone):
    import geopandas
    frame = geopandas.GeoDataFrame.from_features(zone)
    assert list(frame["id"]) == FEATURE_IDS


# --- short reprs ------------------------------------------------------------------------------

def test_reprs__one_short_line_each(zone, measurements):
    assert repr(zone) == f"Zone({str(SHIPPED)!r}, 4 polygons, 1 point, 8 lines)"
    loop = zone["hong-kong-park"]
    n = len(loop.geometry.exterior.coords)
    assert repr(loop) == f"Feature('hong-kong-park', hong_kong, <POLYGON, {n:,} vertices>)"
    assert repr(zone["hk-sz-border"]) == "Line('hk-sz-border', 1 piece)"
    piece = zone["hk-sz-border"].pieces[0]
    assert repr(piece).startswith("Piece('hk-sz-border', ") and " vertices>, accuracy_m=" in repr(piece)
    assert repr(measurements[0]) == ("AreaMeasurement('hong-kong-park', 107.94 ha ± 4.66, stated: "
                                     + ", ".join(["reconciled"] * 5) + ")")
    lon, lat = measurements[4].location
    assert repr(measurements[4]) == f"PointMeasurement('hkstp-shenzhen-branch', at {lon:.6f}, {lat:.6f})"
    for text in [repr(zone), repr(measurements), *map(repr, zone.values())]:
        assert "\n" not in text
    assert len(repr(measurements)) < 600
    assert len(repr(list(zone.values()))) < 1000


def test_reprs__diff_and_feature_diff(folder):
    folder.set_coordinates("hkstp-shenzhen-branch", [114.0470, 22.5075])
    diff = hetao.diff(SHIPPED, folder.path)
    moved = [d for d in diff.features if d.hausdorff_m > 0]
    assert [d.id for d in moved] == ["hkstp-shenzhen-branch"]
    assert repr(diff) == (f"Diff({diff.label_before!r} -> {diff.label_after!r}: "
                          f"{len(diff.features)} features, 1 moved)")
    assert repr(moved[0]) == f"FeatureDiff('hkstp-shenzhen-branch', point, Hausdorff {moved[0].hausdorff_m:,.1f} m)"
    loop = next(d for d in diff.features if d.id == "hong-kong-park")
    assert repr(loop) == (f"FeatureDiff('hong-kong-park', polygon, {loop.area_before_m2 / 1e4:,.3f} ha -> "
                          f"{loop.area_after_m2 / 1e4:,.3f} ha, Hausdorff 0.0 m)")


# --- every type in a public signature is exported -----------------------------------------

def _hetao_types(annotation: object) -> set[type]:
    found = {annotation} if isinstance(annotation, type) and annotation.__module__.startswith("hetao") else set()
    for arg in typing.get_args(annotation):
        found |= _hetao_types(arg)
    return found


def _signature_types(obj: object) -> set[type]:
    """hetao's types named in obj's annotations: a function's parameters and result; a
    class's fields and its public methods' and properties'."""
    members = [obj]
    if isinstance(obj, type):
        members += [v.fget if isinstance(v, property) else v for k, v in vars(obj).items()
                    if not k.startswith("_") or k == "__init__"]
    found = set() if callable(obj) else _hetao_types(obj)      # an alias: ZoneLike, Measurement
    for member in members:
        if callable(member):
            try:
                hints = typing.get_type_hints(member)
            except (TypeError, NameError):  # not annotated; a name only for type checkers (Unpack)
                continue
            for annotation in hints.values():
                found |= _hetao_types(annotation)
    return found


def test_public_api__every_type_its_signatures_name_is_exported():
    exported = {id(getattr(hetao, name)) for name in hetao.__all__}
    seen: set[type] = set()
    todo = [getattr(hetao, name) for name in hetao.__all__]
    missing = set()
    while todo:
        for t in _signature_types(todo.pop()) - seen:
            seen.add(t)
            todo.append(t)
            if id(t) not in exported:
                missing.add(f"{t.__module__}.{t.__qualname__}")
    assert {"hetao._refresh.LineRefresh", "hetao.model.Line"} <= {f"{t.__module__}.{t.__qualname__}" for t in seen}
    assert missing == set()


def test_public_api__new_names_exported():
    for name in ("LineRefresh", "ZoneLike", "HetaoWarning", "Line", "Piece", "EdgeShare", "OsmElement"):
        assert name in hetao.__all__ and getattr(hetao, name) is not None, name
    assert hetao.HetaoWarning is HetaoWarning and issubclass(HetaoWarning, UserWarning)


# --- warnings reach a caller ------------------------------------------------------------------

def test_figure__no_chinese_font__a_hetao_warning_for_the_caller(zone, measurements, monkeypatch):
    monkeypatch.setattr(hetao.figure, "cjk_font", lambda: None)
    with pytest.warns(HetaoWarning, match="no font with Chinese glyphs is installed") as caught:
        png = hetao.figure.render_png(zone, measurements)
    assert png.startswith(b"\x89PNG") and len(caught) == 1
    # Raised where the figure was asked for, not inside hetao.figure.
    assert Path(caught[0].filename).name == "test_notebook.py"


# --- the CLI ----------------------------------------------------------------------------------

def test_cli__verbosity_after_the_command__as_before_it():
    before, after = run("-q", "areas"), run("areas", "-q")
    assert before.code == after.code == 0
    assert after.out == before.out and after.out.startswith("feature ")
    loud = run("areas", "-vv", "--format", "json")
    assert loud.code == 0 and "hetao: loading boundaries from " in loud.err
    assert loud.err == run("-v", "areas", "--verbose", "--format", "json").err
    assert run("-vv", "areas", "-q").err == run("areas").err == ""


@pytest.mark.parametrize("args", [["-q", "check"], ["check", "-q"], ["check", "--quiet"]])
def test_cli__quiet_check__all_pass__prints_nothing_exit_0(args):
    result = run(*args)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_cli__quiet_check__prints_only_what_fails(folder):
    folder.set_coordinates("hkstp-shenzhen-branch", [114.0780, 22.5165])  # inside the Loop
    loud = run("check", "--boundaries", folder.path)
    quiet = run("check", "-q", "--boundaries", folder.path)
    assert loud.code == quiet.code == 1
    failing = [line for line in loud.out.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1 and len(loud.out.splitlines()) > 1
    assert quiet.out.splitlines() == failing
    assert quiet.err == loud.err == f"hetao: error: 1 of {len(loud.out.splitlines())} checks failed\n"


def _warn_twice(*args, **kwargs):
    warnings.warn("the figure names features in English only", HetaoWarning, stacklevel=2)
    warnings.warn("the figure names features in English only", HetaoWarning, stacklevel=2)
    warnings.warn("something else", HetaoWarning, stacklevel=2)
    return []


def test_cli__hetao_warnings__each_printed_once_as_hetao_text(monkeypatch, tmp_path):
    monkeypatch.setattr(hetao, "build", _warn_twice)
    filters = list(warnings.filters)
    result = run("build", "--out", tmp_path)
    assert result.code == 0
    assert result.err == "hetao: the figure names features in English only\nhetao: something else\n"
    assert "UserWarning" not in result.err and "HetaoWarning" not in result.err
    quiet = run("build", "-q", "--out", tmp_path)
    assert (quiet.code, quiet.err) == (0, "")
    assert warnings.filters == filters            # the CLI leaves the caller's filters as they were


def test_cli__other_warnings__as_python_shows_them(monkeypatch, tmp_path):
    def deprecated(*args, **kwargs):
        warnings.warn("old call", DeprecationWarning, stacklevel=1)
        return []
    monkeypatch.setattr(hetao, "build", deprecated)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("build", "--out", tmp_path)
    assert result.code == 0 and "hetao: old call" not in result.err
    assert [str(w.message) for w in caught] == ["old call"]
