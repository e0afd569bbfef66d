"""Writers of one boundaries folder: two ``hetao swap`` processes at once, a writer that finds
the folder locked, and a swap whose writes fail on a full disk.

swap and undo hold the folder's write lock (geo/locking.py: a ``filelock`` beside the folder)
while they read, check and write, so two swaps started together both land, one after the
other, and each can be undone; a writer that cannot get the lock refuses in one line.
"""

from __future__ import annotations

import errno
import json
import subprocess
import time
from pathlib import Path

import filelock
import pytest
import shapely
import shapely.affinity

import hetao
import hetao.files
import hetao.locking
import hetao.settings

from .helpers import Folder, installed_hetao, moved_line, run, write_geojson


def _provenance(source: str) -> list[str]:
    return ["--source", source, "--licence", "CC0-1.0", "--accuracy", "1"]


def _start(*args: object) -> subprocess.Popen:
    """The installed hetao in a process of its own, its output kept for the failure message."""
    return subprocess.Popen([installed_hetao(), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _latest_history(folder: Folder, fid: str) -> Path:
    return max((folder.path / "history" / fid).iterdir())


# --- two writers at once -------------------------------------------------------------------

def test_swap__two_installed_swaps_started_together__both_land_each_undone_byte_for_byte(folder, tmp_path):
    """Two rounds: each starts a line swap (Binhe Boulevard, 10 m further north) and a polygon
    swap (the Loop replaced by a plain polygon, moved south-east, away from the river) as two
    real processes at the same moment. Both succeed, and the folder then holds both."""
    snapshots = [folder.snapshot()]
    loop = folder.shape("hong-kong-park")
    for rnd in (1, 2):
        binhe = moved_line(folder, "binhe-boulevard", tmp_path / f"binhe-{rnd}.geojson", north_m=10)
        plain = write_geojson(tmp_path / f"loop-{rnd}.geojson",
                              shapely.affinity.translate(loop, 0.0002 * rnd, -0.0001 * rnd))
        commands = [("binhe-boulevard", binhe, f"binhe survey, round {rnd}"),
                    ("hong-kong-park", plain, f"loop survey, round {rnd}")]
        if rnd == 2:
            commands.reverse()          # either may start first
        procs = [_start("-q", "swap", fid, path, "--boundaries", folder.path, *_provenance(source))
                 for fid, path, source in commands]
        outcomes = [(*p.communicate(timeout=120), p.returncode) for p in procs]
        assert [code for _, _, code in outcomes] == [0, 0], (rnd, outcomes)
        # The folder loads and holds both swaps: neither writer lost the other's work.
        zone = hetao.load(folder.path)
        assert zone.line("binhe-boulevard").spec.provenance.source == f"binhe survey, round {rnd}"
        assert zone.feature("hong-kong-park").spec.provenance.source == f"loop survey, round {rnd}"
        expected_binhe = shapely.geometry.shape(json.loads(binhe.read_text())["features"][0]["geometry"])
        assert shapely.equals_exact(zone.line("binhe-boulevard").geometry, expected_binhe, 1e-9)
        expected_loop = shapely.geometry.shape(json.loads(plain.read_text())["features"][0]["geometry"])
        assert shapely.equals_exact(shapely.normalize(zone.feature("hong-kong-park").geometry),
                                    shapely.normalize(expected_loop), 1e-9)
        entries = {e["id"]: e for e in folder.manifest()["features"]}
        assert entries["binhe-boulevard"]["geometry"] == f"lines/binhe-boulevard.v{rnd}.geojson"
        assert entries["hong-kong-park"]["geometry"] == f"hong-kong-park.v{rnd}.geojson"
        assert folder.temporaries() == []
        snapshots.append(folder.snapshot())

    # Undo, newest first: each pair of undos puts the folder back as it was before that round.
    for rnd in (2, 1):
        binhe_version = _latest_history(folder, "binhe-boulevard")
        loop_version = _latest_history(folder, "hong-kong-park")
        assert binhe_version.name == loop_version.name == f"{rnd:04d}"
        # The swap that committed second saw the first one's manifest: undo it first.
        binhe_second = ((binhe_version / "manifest.json").read_bytes()
                        == (loop_version / "manifest.after.json").read_bytes())
        order = ["binhe-boulevard", "hong-kong-park"] if binhe_second else ["hong-kong-park", "binhe-boulevard"]
        for fid in order:
            result = run("undo", fid, "--boundaries", folder.path)
            assert result.code == 0, (rnd, fid, result.err)
        assert folder.snapshot() == snapshots[rnd - 1], rnd
    assert not (folder.path / "history").exists()


# --- a writer that finds the folder locked ---------------------------------------------------

@pytest.fixture
def short_lock_wait(monkeypatch) -> float:
    """Writers give up after 0.2 s instead of 10 s (the setting is read at call time)."""
    wait = 0.2
    monkeypatch.setattr(hetao.settings, "lock_timeout_s", wait)
    return wait


def test_swap_and_undo__folder_locked_by_another_writer__exit_1_one_line_folder_unchanged(
        folder, tmp_path, short_lock_wait):
    pristine = folder.snapshot()
    moved = moved_line(folder, "binhe-boulevard", tmp_path / "binhe.geojson", north_m=10)
    assert run("swap", "binhe-boulevard", moved, "--boundaries", folder.path, *_provenance("s")).code == 0
    swapped = folder.snapshot()
    loop = write_geojson(tmp_path / "loop.geojson",
                         shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002))
    lock = filelock.FileLock(str(hetao.locking.lock_path(folder.path)))
    with lock:
        for args in (["swap", "hong-kong-park", loop, "--boundaries", folder.path, *_provenance("t")],
                     ["undo", "binhe-boulevard", "--boundaries", folder.path]):
            started = time.monotonic()
            result = run(*args)
            waited = time.monotonic() - started
            assert result.code == 1, (args[0], result)
            lines = result.err.splitlines()
            assert len(lines) == 1, result.err
            assert lines[0].startswith(f"hetao: error: {folder.path}: another hetao command is writing"), lines[0]
            assert f"waited {short_lock_wait:g} s" in lines[0]
            assert waited >= short_lock_wait, waited       # it waited for the other writer first
            assert folder.snapshot() == swapped, args[0]
        # A dry run writes nothing, so it needs no lock.
        assert run("swap", "hong-kong-park", loop, "--boundaries", folder.path, "--dry-run").code == 0
    # Once the other writer is done, the same commands go through.
    assert run("undo", "binhe-boulevard", "--boundaries", folder.path).code == 0
    assert folder.snapshot() == pristine


# --- a full disk -----------------------------------------------------------------------------

def _full_disk_at(monkeypatch, folder: Path, fails) -> list[Path]:
    """Make hetao.files' temporary file for each target that ``fails(relative path)`` selects
    fail as on a full disk; return the targets that failed."""
    real = hetao.files._create_temporary
    failed = []

    def create(path: Path):
        if fails(Path(path).relative_to(folder).as_posix()):
            failed.append(Path(path))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path)

    monkeypatch.setattr(hetao.files, "_create_temporary", create)
    return failed


@pytest.mark.parametrize("where", ["history entry", "commit"])
def test_swap__disk_full__no_history_folder_left_behind_earlier_history_kept(folder, tmp_path, monkeypatch, where):
    # test_atomic fails every write step of a first swap in a folder without history. Here
    # the folder already has history: of the Loop (another feature) and of an earlier swap of
    # Binhe Boulevard. A second Binhe swap that fails must leave both as they were: no empty
    # history/binhe-boulevard/0002, and the history of the Loop untouched.
    loop = write_geojson(tmp_path / "loop.geojson",
                         shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002))
    assert run("swap", "hong-kong-park", loop, "--boundaries", folder.path, *_provenance("loop")).code == 0
    first = moved_line(folder, "binhe-boulevard", tmp_path / "binhe-1.geojson", north_m=10)
    assert run("swap", "binhe-boulevard", first, "--boundaries", folder.path, *_provenance("one")).code == 0
    before = folder.snapshot()
    second = moved_line(folder, "binhe-boulevard", tmp_path / "binhe-2.geojson", north_m=10)
    target = {"history entry": "history/binhe-boulevard/0002/swap.json", "commit": "manifest.json"}[where]
    with monkeypatch.context() as m:
        failed = _full_disk_at(m, folder.path, lambda rel: rel == target)
        result = run("swap", "binhe-boulevard", second, "--boundaries", folder.path, *_provenance("two"))
    assert failed == [folder.path / target]
    assert result.code == 1, result
    assert result.err == f"hetao: error: {folder.path / target}: cannot be written (No space left on device)\n"
    assert folder.snapshot() == before
    assert folder.temporaries() == []
    # The history still undoes, one step at a time.
    assert run("undo", "binhe-boulevard", "--boundaries", folder.path).code == 0
    assert folder.entry(folder.manifest(), "binhe-boulevard")["geometry"] == "lines/binhe-boulevard.geojson"
    assert run("undo", "hong-kong-park", "--boundaries", folder.path).code == 0
    assert not (folder.path / "history").exists()


def test_swap__disk_full_in_a_folder_with_another_features_history__its_history_folder_removed(
        folder, tmp_path, monkeypatch):
    loop = write_geojson(tmp_path / "loop.geojson",
                         shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002))
    assert run("swap", "hong-kong-park", loop, "--boundaries", folder.path, *_provenance("loop")).code == 0
    before = folder.snapshot()
    moved = moved_line(folder, "binhe-boulevard", tmp_path / "binhe.geojson", north_m=10)
    for target in ("history/binhe-boulevard/0001/entry.json", "manifest.json"):
        with monkeypatch.context() as m:
            failed = _full_disk_at(m, folder.path, lambda rel, t=target: rel == t)
            result = run("swap", "binhe-boulevard", moved, "--boundaries", folder.path, *_provenance("s"))
        assert failed and result.code == 1, (target, result)
        # history/ stays (it holds the Loop's); history/binhe-boulevard/ is gone.
        assert folder.snapshot() == before, target
        assert sorted(p.name for p in (folder.path / "history").iterdir()) == ["hong-kong-park"]
