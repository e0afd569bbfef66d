"""No lost work: a build or swap killed with SIGKILL at any moment leaves complete files."""

from __future__ import annotations

import random
import signal
import subprocess
import time

import shapely

from hetao.zone import load_zone

from .conftest import HETAO, run_hetao

OUTPUTS = ["hetao.html", "hetao.geojson", "areas.csv", "hetao.png"]


def _timed(args) -> float:
    start = time.monotonic()
    subprocess.run([str(HETAO), *map(str, args)], check=True, capture_output=True)
    return time.monotonic() - start


def _kill_after(args, delay: float) -> None:
    proc = subprocess.Popen([str(HETAO), *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_build__sigkill_at_random_points__old_or_new_files_never_partial(folder, tmp_path):
    folder.edit_feature("hong-kong-park", name={"en": "Loop, renamed", "zh": "河套"})
    old_out, new_out, out = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    assert run_hetao("build", "--out", old_out).code == 0
    duration = _timed(["build", "--boundaries", folder.path, "--out", new_out])
    old = {n: (old_out / n).read_bytes() for n in OUTPUTS}
    new = {n: (new_out / n).read_bytes() for n in OUTPUTS}
    assert all(old[n] != new[n] for n in ("hetao.html", "hetao.geojson", "hetao.png"))
    rng = random.Random(20261125)
    for _ in range(10):
        assert run_hetao("build", "--out", out).code == 0
        _kill_after(["build", "--boundaries", folder.path, "--out", out], rng.uniform(0.7, 1.1) * duration)
        for name in OUTPUTS:
            data = (out / name).read_bytes()
            assert data in (old[name], new[name]), name


def test_swap__sigkill_at_random_points__old_or_new_version_never_a_mix(folder, tmp_path):
    ring = folder.geometry("hong-kong-park")["features"][0]["geometry"]["coordinates"][0]
    moved = tmp_path / "moved.geojson"
    import json
    moved.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                     "geometry": {"type": "Polygon", "coordinates": [[[x + 0.0004, y] for x, y in ring]]}}]}))
    old_geometry = load_zone(folder.path).feature("hong-kong-park").geometry
    args = ["swap", "hong-kong-park", moved, "--boundaries", folder.path, "--source", "new survey",
            "--licence", "CC0-1.0", "--accuracy", "1"]
    duration = _timed(args)
    new_geometry = load_zone(folder.path).feature("hong-kong-park").geometry
    assert run_hetao("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    rng = random.Random(7)
    outcomes = set()
    for _ in range(10):
        _kill_after(args, rng.uniform(0.5, 1.1) * duration)
        zone = load_zone(folder.path)          # never a broken folder
        loop = zone.feature("hong-kong-park")
        if shapely.equals_exact(loop.geometry, new_geometry, 0):
            assert loop.spec.provenance.source == "new survey"
            outcomes.add("new")
            assert run_hetao("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
        else:
            assert shapely.equals_exact(loop.geometry, old_geometry, 0)
            assert loop.spec.provenance.source != "new survey"
            outcomes.add("old")
        # A killed swap may leave a history entry or a stray file, but never a half-written one.
        for path in folder.path.rglob("*.json*"):
            if path.is_file() and not path.name.endswith(".tmp"):
                json.loads(path.read_text())
    assert outcomes   # at least one outcome was seen (usually both)


def test_undo__after_a_swap_that_never_committed__restores_the_real_previous_version(folder, tmp_path):
    import json
    before = folder.snapshot()
    ring = folder.geometry("hong-kong-park")["features"][0]["geometry"]["coordinates"][0]
    moved = tmp_path / "moved.geojson"
    moved.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                     "geometry": {"type": "Polygon", "coordinates": [[[x + 0.0004, y] for x, y in ring]]}}]}))
    args = ["--boundaries", folder.path, "--source", "s", "--licence", "CC0-1.0", "--accuracy", "1"]
    assert run_hetao("swap", "hong-kong-park", moved, *args).code == 0
    # What a swap killed between writing its history and committing leaves behind.
    stale = folder.path / "history" / "hong-kong-park" / "0002"
    stale.mkdir()
    (stale / "swap.json").write_text(json.dumps({"new_geometry": "hong-kong-park.v2.geojson"}))
    (folder.path / "hong-kong-park.v2.geojson").write_text("{}")
    assert run_hetao("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    after = folder.snapshot()
    after.pop("hong-kong-park.v2.geojson")   # the killed swap's stray file is left alone
    assert after == before
