"""hetao refresh against a real HTTP server on loopback that replays recorded Overpass answers
(tests/overpass_replay.py, tests/data/overpass/). No test reaches the internet: host names
other than loopback do not resolve here (see the autouse fixture)."""

from __future__ import annotations

import importlib
import json
import socket
import sys

import pytest
import shapely

import hetao
import hetao.settings
from hetao.geodesy import LOCAL_CRS, to_crs

from .helpers import moved_line, run, run_installed
from .overpass_replay import DATA, Replay, ReplayServer, elements_of, recorded

BINHE = "way/25423077"
RONGHUA_WAYS = "way/990000001,way/990000002"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Only loopback resolves; no proxy from the environment; the default endpoint is a
    closed loopback port, so a test that forgot --endpoint fails here, offline."""
    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: not resolved in the tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HETAO_OVERPASS_URL", "http://127.0.0.1:9/api/interpreter")


def refresh(replay, folder, *args, endpoint=None):
    return run("refresh", "--endpoint", endpoint or replay.url, "--boundaries", folder.path, *args)


def test_replays__are_what_the_tool_makes_from_the_shipped_lines():
    sys.path.insert(0, str(DATA.parents[2] / "tools"))
    try:
        import make_overpass_replays
    finally:
        sys.path.pop(0)
    for name, content in make_overpass_replays.answers().items():
        assert recorded(name) == json.loads(json.dumps(content)), name


def test_refresh__nothing_changed__says_so_writes_nothing_even_with_apply(replay, folder):
    before = folder.snapshot()
    result = refresh(replay, folder, "--apply")
    assert result.code == 0, result.err
    lines = {ln.split(":")[0].strip(): ln for ln in result.out.splitlines() if ln.startswith("  ") and ": " in ln}
    for lid in ("hk-sz-border", "loop-east-edge", "loop-south-edge", "binhe-boulevard", "huaqiang-south-road"):
        assert lines[lid].endswith(": unchanged"), lines[lid]
    assert "nothing changed in OpenStreetMap: nothing to write" in result.out
    assert "ronghua-road-approximate: skipped" in result.out
    assert folder.snapshot() == before
    # One request for all the lines, naming hetao.
    assert len(replay.seen) == 1
    assert replay.seen[0].headers["User-Agent"].startswith(f"hetao/{hetao.__version__} ")
    assert "out meta geom" in replay.seen[0].query


def test_refresh__binhe_moved__port_area_gains_the_strip_and_nothing_is_written(replay, folder):
    replay.store.update(elements_of("binhe-moved-30m.json"))
    before = folder.snapshot()
    result = hetao.refresh(boundaries=folder.path, endpoint=replay.url)
    assert folder.snapshot() == before
    assert [ln.line_id for ln in result.changed] == ["binhe-boulevard"]
    records = {r["id"]: r for r in result.diff.records()}
    assert set(records) == {"binhe-boulevard", "huanggang-port-area", "shenzhen-park"}
    assert records["binhe-boulevard"]["hausdorff_m"] == pytest.approx(30.0, abs=0.05)
    port = records["huanggang-port-area"]
    # Binhe moved 30 m due north: the port area gains a strip 30 m high and as wide (east to
    # west) as its north edge; its east and west edges run nearly due north.
    zone = hetao.load(folder.path)
    north_edge = shapely.intersection(to_crs(zone.feature("huanggang-port-area").geometry.boundary, LOCAL_CRS),
                                      to_crs(zone.line("binhe-boulevard").geometry, LOCAL_CRS).buffer(0.5))
    assert port["lost_ha"] == 0
    width = north_edge.bounds[2] - north_edge.bounds[0]
    assert port["gained_ha"] == pytest.approx(30.0 * width / 1e4, rel=0.03)
    assert port["area_after_ha"] - port["area_before_ha"] == pytest.approx(port["gained_ha"], abs=1e-6)
    assert port["status_before"] == port["status_after"] == ["agrees"]


def test_refresh__binhe_moved__cli_shows_it_then_apply_fills_provenance_and_undo_restores(replay, folder):
    replay.store.update(elements_of("binhe-moved-30m.json"))
    before = folder.snapshot()
    shown = refresh(replay, folder)
    assert shown.code == 0, shown.err
    assert "binhe-boulevard: way 25423077 (version 2, 2026-11-20T00:00:00Z): changed" in shown.out
    assert "huanggang-port-area:" in shown.out and "nothing written: give --apply" in shown.out
    assert folder.snapshot() == before

    applied = refresh(replay, folder, "binhe-boulevard", "--apply")
    assert applied.code == 0, applied.err
    assert f"undo with: hetao undo binhe-boulevard --boundaries {folder.path}" in applied.out
    entry = folder.entry(folder.manifest(), "binhe-boulevard")
    prov = entry["provenance"]
    assert prov["licence"] == "ODbL-1.0" and prov["positional_accuracy_m"] == 10
    assert "way 25423077 (version 2, 2026-11-20T00:00:00Z)" in prov["source"]
    assert replay.url in prov["source"] and prov["attribution"] == "© OpenStreetMap contributors"
    assert entry["osm"]["elements"] == [BINHE]
    # The same element fetched again: what the line is (and how it was made) still holds.
    shipped = folder.entry(json.loads(before["manifest.json"]), "binhe-boulevard")["provenance"]["method"]
    assert prov["method"].startswith(shipped + " Fetched with hetao refresh from the Overpass API")
    assert entry["osm"]["fetched"] == [{"element": BINHE, "version": 2, "timestamp": "2026-11-20T00:00:00Z"}]
    moved = recorded("binhe-moved-30m.json")["elements"][0]["geometry"]
    assert folder.line("binhe-boulevard")["features"][0]["geometry"]["coordinates"] == \
        [[p["lon"], p["lat"]] for p in moved]
    assert hetao.check(hetao.load(folder.path))[1].ok       # the sides still do not overlap

    undone = run("undo", "binhe-boulevard", "--boundaries", folder.path)
    assert undone.code == 0, undone.err
    assert folder.snapshot() == before


def test_refresh__found_by_name__ronghua_road_replaces_the_bonded_zone_north_edge(replay, folder):
    """The README's walk-through: find the ways by name, preview, apply."""
    replay.store.update(elements_of("ronghua-road.json"))
    found = refresh(replay, folder, "--find", "绒花路")
    assert found.code == 0, found.err
    rows = [ln.split() for ln in found.out.splitlines() if ln.startswith("  way/")]
    assert sorted(r[0] for r in rows) == RONGHUA_WAYS.split(",")
    assert all("ronghua-road-approximate" in ln for ln in found.out.splitlines() if ln.startswith("  way/"))
    assert "hetao refresh ronghua-road-approximate --osm " in found.out
    before_zone = hetao.load(folder.path)
    before = hetao.measure(before_zone)
    futian_before = next(m for m in before if m.id == "futian-bonded-zone")

    applied = refresh(replay, folder, "ronghua-road-approximate", "--osm", RONGHUA_WAYS,
                      "--accuracy", "10", "--apply")
    assert applied.code == 0, applied.err
    entry = folder.entry(folder.manifest(), "ronghua-road-approximate")
    assert entry["osm"]["elements"] == RONGHUA_WAYS.split(",") and entry["approximate"] is False
    # Said: the mark dropped, the names taken from OSM, the polygon's explanation to review.
    assert "dropped the line's 'approximate' mark" in applied.out
    assert entry["name"] == {"en": "Ronghua Road", "zh": "绒花路"} and "named it as OpenStreetMap does" in applied.out
    assert "futian-bonded-zone's explanation and provenance method describe its previous lines" in applied.out
    # The ways are traced in OSM: nothing of the approximate piece's own description is left.
    assert [f["properties"] for f in folder.line("ronghua-road-approximate")["features"]] == [{}]
    assert entry["provenance"]["method"].startswith("Fetched with hetao refresh")
    zone = hetao.load(folder.path)
    futian = next(m for m in hetao.measure(zone) if m.id == "futian-bonded-zone")
    # The synthetic road runs 40 m south of the approximate line: the zone loses that strip,
    # and the north edge's share of the uncertainty falls from 190 m to 10 m of accuracy.
    north = next(e for e in futian.edges if e.piece.line_id == "ronghua-road-approximate")
    strip_m2 = 40.0 * north.length_m
    assert futian_before.geodesic_area_m2 - futian.geodesic_area_m2 == pytest.approx(strip_m2, rel=0.05)
    assert north.piece.accuracy_m == 10
    assert futian.uncertainty_m2 < futian_before.uncertainty_m2 - 150 * north.length_m
    assert run("undo", "ronghua-road-approximate", "--boundaries", folder.path).code == 0
    assert hetao.load(folder.path).line("ronghua-road-approximate").geometry.equals(
        before_zone.line("ronghua-road-approximate").geometry)


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/interpreter"


def _one_line_exit_2(result, *needles, waits=0):
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    # Each retry's wait is said (a warning) before the one error line.
    said = [ln for ln in lines if " is rate-limiting (HTTP 429): " in ln and not ln.startswith("hetao: error")]
    assert len(said) == waits, result.err
    lines = [ln for ln in lines if ln not in said]
    assert len(lines) == 1 and lines[0].startswith("hetao: error: "), result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("case", ["offline", "dns", "timeout", "http 500", "rate limit stays",
                                  "retry-after too long", "html", "not overpass", "runtime error",
                                  "deleted", "no longer a line", "no longer closes"])
def test_refresh__failures__one_line_exit_2_folder_unchanged(replay, folder, case, monkeypatch):
    # No real back-off between retries (urllib3 would sleep 0, 2, 4 s): the retries still run.
    monkeypatch.setattr(hetao.settings, "overpass_backoff_s", 0.0)
    endpoint = replay.url
    needles: tuple[str, ...] = ()
    if case == "offline":
        endpoint, needles = _closed_port(), ("cannot reach 127.0.0.1", "connection refused")
    elif case == "dns":
        endpoint, needles = "http://overpass.invalid/api/interpreter", ("cannot reach overpass.invalid",
                                                                         "does not resolve")
    elif case == "timeout":
        replay.delay_s, needles = 3.0, ("did not answer within 0.5 s",)
    elif case == "http 500":
        replay.failure, replay.fail_times = (500, {}, b"<html><body>oops</body></html>"), 99
        needles = ("answered HTTP 500",)
    elif case == "rate limit stays":
        replay.failure, replay.fail_times = (429, {"Retry-After": "0"}, b"Too Many Requests"), 99
        needles = ("kept", "429")
    elif case == "retry-after too long":
        replay.failure, replay.fail_times = (429, {"Retry-After": "3600"}, b"Too Many Requests"), 99
        needles = ("asks to wait 3,600 s",)
    elif case == "html":
        replay.raw = ("text/html", b"<html><body><p>runtime error: open64: No such file</p></body></html>")
        needles = ("answered with text/html, not Overpass JSON",)
    elif case == "not overpass":
        replay.raw, needles = ("application/json", b'{"hello": "world"}'), ("no 'elements' list",)
    elif case == "runtime error":
        replay.raw = ("application/json", json.dumps({"elements": [], "remark": "runtime error: Query "
                                                      "timed out in \"query\" at line 1 after 2 seconds."}).encode())
        needles = ("reported: runtime error: Query timed out",)
    elif case == "deleted":
        del replay.store[BINHE]
        needles = ("refresh binhe-boulevard", "way 25423077 is not in OpenStreetMap any more")
    elif case == "no longer a line":
        replay.store["relation/9159733"]["members"] = [{"type": "node", "ref": 1, "role": "label",
                                                        "lat": 22.52, "lon": 114.08}]
        needles = ("refresh loop-east-edge", "relation 9159733 is no longer a line")
    elif case == "no longer closes":
        far = json.loads(json.dumps(elements_of("binhe-moved-30m.json")[BINHE]))
        for p in far["geometry"]:
            p["lat"] += 0.004           # about 440 m north: past where Huaqiang S Rd reaches
        replay.store[BINHE] = far
        needles = ("refresh binhe-boulevard: the fetched line cannot be swapped in: huanggang-port-area:",
                   "do not meet", "; also huanggang-port-area: the west edge")
    before = folder.snapshot()
    result = refresh(replay, folder, "--apply", *(["--timeout", "0.5"] if case == "timeout" else []),
                     endpoint=endpoint)
    _one_line_exit_2(result, *needles, waits=3 if case == "rate limit stays" else 0)
    assert folder.snapshot() == before and not folder.temporaries()


def test_refresh__rate_limited_once__waits_as_asked_then_succeeds(replay, folder, retry_waits):
    replay.failure, replay.fail_times = (429, {"Retry-After": "1"}, b"Too Many Requests"), 1
    result = refresh(replay, folder)
    assert result.code == 0, result.err
    assert "nothing changed in OpenStreetMap" in result.out
    assert len(replay.seen) == 2 and retry_waits == [1.0]      # Retry-After: 1 honoured


def test_refresh__endpoint_from_environment(replay, folder, monkeypatch):
    monkeypatch.setenv("HETAO_OVERPASS_URL", replay.url)
    result = run("refresh", "--boundaries", folder.path)
    assert result.code == 0, result.err
    assert f"fetched from {replay.url}" in result.out and len(replay.seen) == 1


def test_refresh__through_a_proxy_from_the_environment(replay, folder, monkeypatch):
    """The server stands in for a proxy: requests sends it the absolute URL of an endpoint
    whose host name never needs to resolve."""
    proxy = replay.url.rsplit("/api/", 1)[0]
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "")
    result = run("refresh", "--boundaries", folder.path, "--endpoint", "http://overpass.example/api/interpreter")
    assert result.code == 0, result.err
    assert replay.seen[0].path == "http://overpass.example/api/interpreter"


def test_refresh__without_the_osm_extra__says_what_to_install(replay, folder, monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)
    before = folder.snapshot()
    _one_line_exit_2(refresh(replay, folder), "pip install 'hetao[osm]'")
    assert folder.snapshot() == before and not replay.seen


@pytest.mark.parametrize("line", ["xinzhou-river", "xinzhou-river-assumed"])
def test_refresh__a_line_with_no_osm_element__skipped_and_said_so_old_id_too(replay, folder, line):
    before = folder.snapshot()
    result = refresh(replay, folder, line, "--apply")
    assert result.code == 0, result.err
    assert "xinzhou-river: skipped: names no OpenStreetMap elements" in result.out
    assert "nothing to write" in result.out
    assert folder.snapshot() == before and not replay.seen


def test_refresh__server_with_7_decimals_and_relations_running_on__unchanged_and_apply_writes_nothing(folder):
    """The shipped elements as OSM answers them: member ways that run on past the shipped
    ends (cut back to them, the cut points reusing the existing vertices)."""
    r = Replay(store=elements_of("shipped-run-on.json"))
    with ReplayServer(r) as url:
        before = folder.snapshot()
        result = run("refresh", "--endpoint", url, "--boundaries", folder.path, "--apply")
    assert result.code == 0, result.err
    lines = {ln.split(":")[0].strip(): ln for ln in result.out.splitlines() if ln.startswith("  ") and ": " in ln}
    for lid in ("hk-sz-border", "loop-east-edge", "loop-south-edge", "binhe-boulevard", "huaqiang-south-road"):
        assert lines[lid].endswith(": unchanged"), lines[lid]
    assert "nothing changed in OpenStreetMap: nothing to write" in result.out
    assert folder.snapshot() == before


@pytest.mark.parametrize("args, needle", [
    (["no-such-line"], "no such line"),
    (["hong-kong-park"], "is a polygon, not a line"),
    (["binhe-boulevard", "--osm", "node/5"], "not an OSM way or relation"),
    (["--endpoint", "ftp://example.org/x"], "not a valid http(s) URL"),
    (["--endpoint", "http://[::1"], "not a valid http(s) URL"),
    (["--endpoint", "http://127.0.0.1:99999/"], "not a valid http(s) URL"),
    (["--endpoint", ""], "not a valid http(s) URL"),
    (["ronghua-road-approximate", "--osm", "way/1", "--accuracy", "0"], "--accuracy must be a positive"),
    (["binhe-boulevard", "--accuracy", "inf"], "--accuracy must be a positive"),
    (["--osm", "way/1"], "give exactly one LINE_ID"),
    (["--find", " "], "give the name to look for"),
    (["--find", "绒花路", "--near", "futian-bonded-zone"], "is a polygon, not a line"),
])
def test_refresh__bad_usage__exit_2_nothing_asked(replay, folder, args, needle):
    result = run("refresh", "--boundaries", folder.path, *(args if "--endpoint" in args
                                                           else [*args, "--endpoint", replay.url]))
    assert result.code == 2 and needle in result.err, result.err
    assert not replay.seen


def test_refresh__installed_entry_point__unchanged_folder(replay, folder):
    result = run_installed("refresh", "--endpoint", replay.url, "--boundaries", folder.path)
    assert result.code == 0, result.err
    assert "nothing changed in OpenStreetMap" in result.out


def test_swap_of_a_line_from_a_file__drops_its_osm_source_and_refresh_then_skips_it(replay, folder, tmp_path):
    survey = moved_line(folder, "binhe-boulevard", tmp_path / "binhe.geojson", north_m=10)
    swapped = run("swap", "binhe-boulevard", survey, "--boundaries", folder.path, "--source", "survey made in code",
                  "--licence", "CC0-1.0", "--accuracy", "1")
    assert swapped.code == 0, swapped.err
    assert "removed 'osm' from the manifest entry" in swapped.out
    assert "osm" not in folder.entry(folder.manifest(), "binhe-boulevard")
    before = folder.snapshot()
    result = refresh(replay, folder, "--apply")
    assert result.code == 0, result.err
    assert "binhe-boulevard: skipped" in result.out and "nothing changed in OpenStreetMap" in result.out
    assert "25423077" not in replay.seen[0].query and folder.snapshot() == before


def test_refresh__json__standard_output_is_json_alone_preview_and_apply(replay, folder):
    replay.store.update(elements_of("binhe-moved-30m.json"))
    for extra in ([], ["--apply"]):
        result = refresh(replay, folder, "binhe-boulevard", "--format", "json", *extra)
        assert result.code == 0, result.err
        data = json.loads(result.out)
        assert [ln["id"] for ln in data["lines"] if ln["changed"]] == ["binhe-boulevard"]
        assert {r["id"] for r in data["diff"]} == {"binhe-boulevard", "shenzhen-park", "huanggang-port-area"}
        assert len(data["applied"]) == len(extra)
    assert "swapped in binhe-boulevard" in result.err


def test_refresh__python__ids_and_elements_as_strings(replay, folder):
    replay.store.update(elements_of("ronghua-road.json"))
    result = hetao.refresh("ronghua-road-approximate", boundaries=folder.path, endpoint=replay.url,
                           osm=RONGHUA_WAYS, accuracy=10)
    assert [ln.line_id for ln in result.changed] == ["ronghua-road-approximate"]
    assert [e.ref for e in result.changed[0].elements] == RONGHUA_WAYS.split(",")
    found = hetao.find_osm_ways("Ronghua Road", boundaries=folder.path, endpoint=replay.url)
    assert sorted(f.element.ref for f in found) == RONGHUA_WAYS.split(",")
    assert {f.near for f in found} == {"ronghua-road-approximate"}
    assert all(30 < f.distance_m < 50 and f.feature_class == "highway=secondary" for f in found)


def _moved(element: dict, east_m: float = 0.0, north_m: float = 0.0) -> dict:
    """An Overpass element with every position moved (a re-traced line, as an OSM edit)."""
    moved = json.loads(json.dumps(element))
    dlon, dlat = east_m / (111_320 * 0.9239), north_m / 110_574.0
    lists = [moved["geometry"]] if "geometry" in moved else [m["geometry"] for m in moved["members"]]
    for points in lists:
        for p in points:
            p["lon"], p["lat"] = p["lon"] + dlon, p["lat"] + dlat
    return moved


def test_refresh__district_outline_returned_whole__cut_back_to_the_edge_unchanged(replay, folder):
    """OSM gives the whole district outline, a closed ring; the edge is the stretch of it between
    the points nearest its ends, whichever way round the ring that is."""
    relation = replay.store["relation/9159733"]
    edge = relation["members"][0]["geometry"]
    # The rest of the outline: a detour of about a kilometre south-east, back to the start.
    detour = [{"lat": edge[-1]["lat"] - 0.004, "lon": edge[-1]["lon"] + 0.002},
              {"lat": edge[0]["lat"] - 0.006, "lon": edge[0]["lon"] + 0.008}, dict(edge[0])]
    relation["members"] = [{"type": "way", "ref": 1, "role": "outer", "geometry": edge[5:] + detour},
                           {"type": "way", "ref": 2, "role": "outer", "geometry": edge[:6]}]
    result = hetao.refresh("loop-east-edge", boundaries=folder.path, endpoint=replay.url)
    (line,) = result.lines
    assert not line.changed and [m for _, m in line.ends] == [0.0, 0.0]


def _extended(element: dict, first_m: float = 0.0, last_m: float = 0.0) -> dict:
    """An element whose linework runs on past its ends, straight, as a district outline runs
    on along the border."""
    out = json.loads(json.dumps(element))
    points = out["members"][0]["geometry"] if "members" in out else out["geometry"]

    def beyond(end: dict, before: dict, metres: float) -> dict:
        dx, dy = (end["lon"] - before["lon"]) * 102_850, (end["lat"] - before["lat"]) * 110_574
        scale = metres / (dx * dx + dy * dy) ** 0.5
        return {"lon": end["lon"] + dx * scale / 102_850, "lat": end["lat"] + dy * scale / 110_574}

    if first_m:
        points.insert(0, beyond(points[0], points[1], first_m))
    if last_m:
        points.append(beyond(points[-1], points[-2], last_m))
    return out


def test_refresh__loop_district_lines_retraced__cut_where_they_meet_and_swapped_in_together(replay, folder):
    """Both district lines re-traced 15 m east (their shared tri-junction with them), each
    running on across the border as a district outline does: each is cut where it crosses
    the border and where it meets the other, and the two are swapped in at once."""
    before = folder.snapshot()
    replay.store["relation/9159733"] = _extended(_moved(replay.store["relation/9159733"], east_m=15), first_m=100)
    replay.store["relation/8480823"] = _extended(_moved(replay.store["relation/8480823"], east_m=15), last_m=100)
    result = refresh(replay, folder, "loop-east-edge", "loop-south-edge", "--apply")
    assert result.code == 0, result.err
    assert "cut at where it leaves the HK-Shenzhen border (moved" in result.out
    zone = hetao.load(folder.path)
    east, south = zone.line("loop-east-edge").geometry, zone.line("loop-south-edge").geometry
    border = zone.line("hk-sz-border").geometry
    assert _metres(shapely.Point(east.coords[0]), border) < 0.01
    assert _metres(shapely.Point(south.coords[-1]), border) < 0.01
    assert _metres(shapely.Point(east.coords[-1]), shapely.Point(south.coords[0])) < 0.01
    loop = next(r for r in hetao.diff_previous("loop-east-edge", boundaries=folder.path).records()
                if r["id"] == "hong-kong-park")
    # 15 m east, and more where the corners slide along the slanting border.
    assert 14.5 <= loop["hausdorff_m"] <= 30
    # Swapped in together, they come back together: undoing either restores both (alone, the
    # other would no longer meet it), byte for byte.
    previous = run("diff", "--previous", "loop-east-edge", "--boundaries", folder.path, "--format", "json")
    assert previous.code == 0, previous.err
    assert {r["id"] for r in json.loads(previous.out)} == {"loop-east-edge", "hong-kong-park"}
    undone = run("undo", "loop-south-edge", "--boundaries", folder.path)
    assert undone.code == 0, undone.err
    assert folder.snapshot() == before
    assert run("undo", "loop-east-edge", "--boundaries", folder.path).code == 2     # nothing left


def _metres(a, b) -> float:
    return float(to_crs(a, LOCAL_CRS).distance(to_crs(b, LOCAL_CRS)))


def test_refresh__way_with_derived_pieces_moved__the_pieces_stay_joined(replay, folder):
    replay.store["way/25530053"] = _moved(replay.store["way/25530053"], east_m=8)
    result = refresh(replay, folder, "huaqiang-south-road", "--apply")
    assert result.code == 0, result.err
    assert "moved the joined end of piece 'to-binhe-extrapolated' 8.0 m" in result.out
    assert "moved the joined end of piece 'to-river-extrapolated' 8.0 m" in result.out
    pieces = {f["id"]: f for f in folder.line("huaqiang-south-road")["features"]}
    osm = pieces["osm-way-25530053"]["geometry"]["coordinates"]
    assert pieces["to-binhe-extrapolated"]["geometry"]["coordinates"][0] == osm[-1]
    assert pieces["to-river-extrapolated"]["geometry"]["coordinates"][0] == osm[0]
    assert pieces["to-binhe-extrapolated"]["properties"]["derived"] is True     # kept as they were


def test_refresh__commit_fails__neither_line_is_written(replay, folder, monkeypatch):
    swap_module = importlib.import_module("hetao._swap")
    replay.store.update(elements_of("binhe-moved-30m.json"))
    replay.store["way/25530053"] = _moved(replay.store["way/25530053"], east_m=8)
    real = swap_module.write_files_atomic

    def failing(files):
        if folder.manifest_path in files:        # the one commit of both lines
            raise hetao.HetaoIOError(f"{folder.manifest_path}: no space left on device (injected)")
        return real(files)

    monkeypatch.setattr(swap_module, "write_files_atomic", failing)
    before = folder.snapshot()
    result = refresh(replay, folder, "--apply")
    assert result.code == 1, (result.out, result.err)
    line, = result.err.strip().splitlines()
    assert "no space left on device" in line
    assert folder.snapshot() == before and not folder.temporaries()


@pytest.mark.parametrize("meanwhile", ["manifest edited", "line swapped"])
def test_refresh__folder_changed_while_fetching__nothing_written(replay, folder, monkeypatch, tmp_path,
                                                                 meanwhile):
    refresh_module = importlib.import_module("hetao._refresh")
    replay.store.update(elements_of("binhe-moved-30m.json"))
    real = refresh_module.fetch_elements

    def fetch_then_someone_swaps(*args, **kwargs):
        found = real(*args, **kwargs)
        if meanwhile == "manifest edited":
            folder.edit_feature("huanggang-port-area", explanation="edited by another user meanwhile")
        else:       # the line's file is replaced by another (the old one removed)
            survey = moved_line(folder, "binhe-boulevard", tmp_path / "survey.geojson", north_m=5)
            assert run("swap", "binhe-boulevard", survey, "--boundaries", folder.path, "--source", "s",
                       "--licence", "CC0-1.0", "--accuracy", "1").code == 0
        return found

    monkeypatch.setattr(refresh_module, "fetch_elements", fetch_then_someone_swaps)
    result = refresh(replay, folder, "--apply")
    edited = folder.snapshot()
    _one_line_exit_2(result, "changed while the lines were fetched", "run the refresh again")
    assert folder.snapshot() == edited


def test_refresh__endpoint_credentials__never_shown_or_stored(replay, folder):
    replay.store.update(elements_of("binhe-moved-30m.json"))
    secret = replay.url.replace("http://", "http://hetao-user:s3cret@") + "?key=s3cret"
    result = refresh(replay, folder, "--apply", endpoint=secret)
    assert result.code == 0, result.err
    assert "s3cret" not in result.out + result.err
    assert "s3cret" not in folder.manifest_path.read_text(encoding="utf-8")
    assert replay.seen[0].headers.get("Authorization", "").startswith("Basic ")   # still sent


def test_refresh__two_lines_into_a_hand_formatted_manifest__undo_gives_back_its_bytes(replay, folder):
    folder.manifest_path.write_text(json.dumps(folder.manifest(), ensure_ascii=False, indent=2), encoding="utf-8")
    before = folder.snapshot()
    replay.store.update(elements_of("binhe-moved-30m.json"))
    replay.store["way/25530053"] = _moved(replay.store["way/25530053"], east_m=8)
    applied = refresh(replay, folder, "--apply")
    assert applied.code == 0, applied.err
    assert "swapped in binhe-boulevard" in applied.out and "swapped in huaqiang-south-road" in applied.out
    assert run("undo", "huaqiang-south-road", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == before


def test_swap_many__the_same_feature_twice__refused_before_anything(folder):
    swap_module = importlib.import_module("hetao._swap")
    item = ("binhe-boulevard", folder.path / "x.geojson", hetao.SwapOptions())
    with pytest.raises(hetao.BoundaryError, match="given twice in one swap"):
        swap_module.swap_many(folder.path, [item, item], dry_run=True)


def test_osmcut__longer_fetched_line_reversed__cut_back_to_the_old_ends_and_run_the_same_way():
    from hetao.osmcut import cut, same
    old = shapely.LineString([(114.05, 22.51), (114.055, 22.51), (114.06, 22.51)])
    fetched = shapely.LineString([(114.07, 22.51), (114.055, 22.51), (114.04, 22.51)])     # runs on, reversed
    new, moved = cut("x", fetched, old, ("west end", "east end"))
    assert same(new, old)
    assert [name for name, _ in moved] == ["west end", "east end"] and max(m for _, m in moved) < 1e-6
    with pytest.raises(hetao.BoundaryError, match="refresh x: the fetched ways do not join into one line"):
        cut("x", shapely.MultiLineString([old.coords, [(114.08, 22.51), (114.09, 22.51)]]), old, None)


def test_refresh__ways_leave_the_branch_outside__refused_in_the_preview_and_apply_unless_allowed(replay, folder):
    """Ronghua Road's ways 350 m farther south than recorded (390 m south of the approximate
    line): the bonded zone shrinks past the branch, which is then outside the Shenzhen side.
    The refresh's rehearsal runs the zone's geometric checks as a swap does (issue #17)."""
    for ref in RONGHUA_WAYS.split(","):
        replay.store[ref] = _moved(elements_of("ronghua-road.json")[ref], north_m=-350)
    args = ["ronghua-road-approximate", "--osm", RONGHUA_WAYS, "--accuracy", "10"]
    before = folder.snapshot()
    for apply in ([], ["--apply"]):
        line = _one_line_exit_2(refresh(replay, folder, *args, *apply),
                                "refresh ronghua-road-approximate: the fetched line cannot be swapped in: ",
                                "the new geometry fails the check 'hkstp-shenzhen-branch lies within the "
                                "shenzhen side' (", " m outside)", "--allow-failing-checks", "nothing written")
        assert "--datum" not in line          # made by hetao: no datum to give
    assert folder.snapshot() == before
    preview = refresh(replay, folder, *args, "--allow-failing-checks")
    assert preview.code == 0, preview.err
    assert "the check 'hkstp-shenzhen-branch lies within the shenzhen side' now fails (" in preview.out
    assert folder.snapshot() == before
    applied = hetao.refresh("ronghua-road-approximate", boundaries=folder.path, endpoint=replay.url,
                            osm=RONGHUA_WAYS, accuracy=10, apply=True, allow_failing_checks=True)
    assert [s.feature_id for s in applied.applied] == ["ronghua-road-approximate"]
    failing = [r.name for r in hetao.check(hetao.load(folder.path)) if not r.ok]
    assert "hkstp-shenzhen-branch lies within the shenzhen side" in failing
