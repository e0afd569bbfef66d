"""The public API in-process (``import hetao``), and what importing and drawing leave alone."""

from __future__ import annotations

import json
import textwrap

import pytest
import shapely

import hetao

from .helpers import BOUNDED_IDS, FEATURE_IDS, LINE_IDS, OUTPUTS, SHIPPED, python


@pytest.fixture(scope="module")
def zone():
    return hetao.load()


def test_load__default__the_shipped_folder(zone):
    assert zone.folder == hetao.shipped_boundaries()
    assert (zone.folder / "manifest.json").read_bytes() == (SHIPPED / "manifest.json").read_bytes()
    assert [b.id for b in zone.features] == FEATURE_IDS
    assert zone.feature("hong-kong-park").geometry.geom_type == "Polygon"
    with pytest.raises(KeyError):
        zone.feature("nowhere")


def test_load__lines__each_with_its_pieces_and_the_polygons_they_bound(zone):
    assert [ln.id for ln in zone.lines] == LINE_IDS
    assert zone.line("binhe-boulevard").geometry.geom_type == "LineString"
    assert [p.piece_id for p in zone.line("huanggang-road").pieces] == ["observed", "extrapolated"]
    assert [p.accuracy_m for p in zone.line("huanggang-road").pieces] == [15, 75]
    with pytest.raises(KeyError):
        zone.line("hong-kong-park")       # a polygon, not a line
    for fid in BOUNDED_IDS:
        boundary = zone.feature(fid)
        assert boundary.file is None and boundary.edges, fid
        assert [label for label, _ in boundary.edges] == [label for label, _ in boundary.spec.bounded_by]
    # Lines are not features of the GeoJSON interface: they are the polygons' edges.
    assert [f["id"] for f in zone.__geo_interface__["features"]] == FEATURE_IDS


def test_load__broken_folder__boundary_error_listing_problems(folder):
    folder.edit_feature("hong-kong-park", side="kowloon")
    with pytest.raises(hetao.BoundaryError) as info:
        hetao.load(folder.path)
    assert isinstance(info.value, ValueError) and isinstance(info.value, hetao.HetaoError)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{folder.path / 'manifest.json'}: feature 'hong-kong-park': ")


def test_measure__every_feature_in_manifest_order(zone):
    measurements = hetao.measure(zone)
    assert [m.id for m in measurements] == FEATURE_IDS
    loop = measurements[0]
    assert loop.geodesic_area_m2 / 1e4 == pytest.approx(107.94, abs=0.01)
    # Every stated figure lies in the land once the river water is taken away.
    assert [c.status for c in loop.comparisons] == ["reconciled"] * 5
    assert loop.reconciled is not None and loop.reconciled.area_m2 / 1e4 == pytest.approx(86.2, abs=0.05)
    assert isinstance(loop, hetao.AreaMeasurement)
    branch = measurements[-1]
    # A point is located, not measured: a record of its own, with no area fields at all.
    assert isinstance(branch, hetao.PointMeasurement) and not hasattr(branch, "geodesic_area_m2")
    assert branch.location == pytest.approx(branch.feature.geometry.coords[0])
    assert [c.status for c in branch.comparisons] == ["not_comparable"]


def test_check__shipped__every_result_ok(zone):
    results = hetao.check(zone)
    names = [r.name for r in results]
    assert names[:2] == ["stated figures", "the sides do not overlap"]
    assert {"futian-bonded-zone lies within shenzhen-park", "huanggang-port-area lies within shenzhen-park",
            "hkstp-shenzhen-branch lies within the shenzhen side"} <= set(names)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    assert hetao.check(zone, hetao.measure(zone)) == results


def test_records__json_ready(zone):
    recs = hetao.records(hetao.measure(zone))
    assert json.loads(json.dumps(recs)) == recs
    assert [r["id"] for r in recs] == FEATURE_IDS


def test_to_geodataframe__wgs84_five_rows_indexed_by_id(zone):
    import geopandas

    frame = hetao.to_geodataframe(hetao.measure(zone))
    assert isinstance(frame, geopandas.GeoDataFrame)
    assert frame.crs.to_epsg() == 4326
    assert len(frame) == 5 and list(frame.index) == FEATURE_IDS
    assert frame.loc["shenzhen-park", "side"] == "shenzhen"
    assert frame.geometry["hkstp-shenzhen-branch"].geom_type == "Point"
    assert shapely.equals_exact(frame.geometry["hong-kong-park"], zone.feature("hong-kong-park").geometry, 0)


def test_zone_geo_interface__feature_collection_round_trips_through_shapely(zone):
    data = zone.__geo_interface__
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == FEATURE_IDS
    json.dumps(data)   # plain JSON types only
    for feature, boundary in zip(data["features"], zone.features):
        assert feature["type"] == "Feature"
        assert feature["properties"]["side"] == boundary.spec.side
        assert shapely.equals_exact(shapely.geometry.shape(feature["geometry"]), boundary.geometry, 0)
    # Any library reading __geo_interface__ gets the same features.
    import geopandas
    frame = geopandas.GeoDataFrame.from_features(zone)
    assert len(frame) == 5


def test_map__repr_html_and_save(zone, tmp_path):
    m = hetao.Map(zone)
    shown = m._repr_html_()
    assert shown.startswith("<iframe")
    assert 'sandbox="allow-scripts allow-popups"' in shown
    path = m.save(tmp_path / "map.html")
    assert path == tmp_path / "map.html"
    page = path.read_text(encoding="utf-8")
    assert page == m.html and page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "Hong Kong Park (Lok Ma Chau Loop)" in page


def test_build__library__returns_the_paths_of_every_output(zone, tmp_path, shipped_build):
    paths = hetao.build(zone, tmp_path / "out")
    assert [p.name for p in paths] == OUTPUTS
    for p in paths:
        assert p.read_bytes() == (shipped_build / p.name).read_bytes()


def test_import__fresh_interpreter__no_geopandas_folium_matplotlib():
    result = python(textwrap.dedent("""
        import json, sys
        heavy = ("geopandas", "folium", "branca", "matplotlib")
        loaded = lambda: sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        import hetao
        after_import = loaded()
        zone = hetao.load()
        hetao.check(zone, hetao.measure(zone))
        print(json.dumps([after_import, loaded(), "hetao" in sys.modules]))
    """))
    assert result.code == 0, result.err
    after_import, after_check, imported = json.loads(result.out)
    assert imported
    assert after_import == []
    assert after_check == []     # the light paths (load, measure, check) stay light


@pytest.mark.slow       # a fresh interpreter's whole build with the fact sheet: ~5 s on two busy cores
def test_build__caller_set_a_backend__backend_and_figures_unchanged(tmp_path):
    result = python(textwrap.dedent(f"""
        import json
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot as plt
        plt.figure()
        before = (matplotlib.get_backend(), plt.get_fignums(), dict(matplotlib.rcParams))
        import hetao
        hetao.build(hetao.load(), {str(tmp_path)!r}, pdf=True)     # the fact sheet's fonts in an rc_context
        after = (matplotlib.get_backend(), plt.get_fignums(), dict(matplotlib.rcParams))
        print(json.dumps([before[:2], after[:2], before[2] == after[2]]))
    """))
    assert result.code == 0, result.err
    before, after, same_rc = json.loads(result.out)
    assert before == ["svg", [1]]
    assert after == ["svg", [1]]
    assert same_rc
    assert (tmp_path / "hetao.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "hetao.pdf").read_bytes()[:5] == b"%PDF-"
