"""No lost work: a build, swap or undo that fails at any write step, or is killed at any
moment, leaves complete files: the old version or the new one, never a mix of the two or a
partial file.

Every write goes through hetao.files (a temporary file beside the target, written, flushed,
fsynced, renamed into place, then the folder fsynced). The injection tests make the k-th of
those steps fail, for every k until a run gets through; the kill tests kill the installed
``hetao build`` at a random moment and in the middle of its writes.
"""

from __future__ import annotations

import errno
import importlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass

import pytest
import shapely

import hetao
import hetao.files

from .helpers import (LINE_IDS, OUTPUTS, Folder, moved_line, moved_loop, poll_until, process_group_gone, run,
                      start_installed)

#: The errors a write step meets on a full, failing or read-only disk.
ERRORS = {"open": errno.EACCES, "fchmod": errno.EPERM, "write": errno.ENOSPC, "flush": errno.ENOSPC,
          "fsync": errno.EIO, "replace": errno.EIO}


class Faults:
    """Counts hetao.files' write steps and makes step ``k`` raise OSError (once)."""

    def __init__(self, k: int):
        self.k, self.steps, self.fired, self.replaced = k, 0, None, 0
        self.target: str | None = None     # the file being written when the fault fired

    def step(self, kind: str, *paths) -> None:
        i, self.steps = self.steps, self.steps + 1
        if i == self.k:
            self.fired = kind
            # As the os module raises them: open and replace name their paths, the others none.
            raise OSError(ERRORS[kind], f"injected failure of {kind}",
                          *[None if p is None else os.fsdecode(p) for p in paths])

    def os(self):
        """A stand-in for the os module as hetao.files sees it; every other name is the real one."""
        faults, real = self, os

        class File:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return self.fh.__exit__(*exc)

            def write(self, data):
                faults.step("write")
                return self.fh.write(data)

            def flush(self):
                faults.step("flush")
                return self.fh.flush()

            def fileno(self):
                return self.fh.fileno()

        class FaultyOS:
            def __getattr__(self, name):
                return getattr(real, name)

            def open(self, path, *args, **kwargs):
                name = os.path.basename(os.fsdecode(path))
                if name.startswith(".") and name.endswith(".tmp"):   # .NAME.XXXXXXXX.tmp
                    faults.target = os.path.join(os.path.dirname(os.fsdecode(path)), name[1:-4].rsplit(".", 1)[0])
                faults.step("open", path)
                return real.open(path, *args, **kwargs)

            def fchmod(self, *args):
                faults.step("fchmod")
                return real.fchmod(*args)

            def fdopen(self, *args, **kwargs):
                return File(real.fdopen(*args, **kwargs))

            def fsync(self, *args):
                faults.step("fsync")
                return real.fsync(*args)

            def replace(self, src, dst):
                faults.target = os.fsdecode(dst)
                faults.step("replace", src, None, dst)
                real.replace(src, dst)
                faults.replaced += 1

        return FaultyOS()


def _injected_runs(monkeypatch, prepare, act):
    """For k = 0, 1, ...: ``prepare()`` a fresh state, ``act()`` with step k failing; yield
    (k, faults, result) until a run meets no fault."""
    for k in itertools.count():
        prepare()
        faults = Faults(k)
        with monkeypatch.context() as m:
            m.setattr(hetao.files, "os", faults.os())
            result = act()
        yield k, faults, result
        if faults.fired is None:
            return
        assert k < 500, "the injection never ran out of steps"


# --- build -----------------------------------------------------------------------------------

def _loaded_once(monkeypatch) -> None:
    """Faults at the write step: the folder is loaded and measured (nothing written) by the
    first run of hetao build; the later runs reuse that zone and its measurements."""
    real_load, real_measure, done = hetao.load, hetao.measure, {}

    def once(key, compute):
        if key not in done:
            done[key] = compute()
        return done[key]

    monkeypatch.setattr(hetao, "load", lambda *a, **k: once(("load", repr((a, k))), lambda: real_load(*a, **k)))
    monkeypatch.setattr(hetao, "measure", lambda zone, *a, **k: once(("measure", id(zone), repr((a, k))),
                                                                     lambda: real_measure(zone, *a, **k)))


def test_build__failure_at_each_write_step__each_output_old_or_new_no_temporaries(
        folder, tmp_path, shipped_build, monkeypatch):
    old = {n: (shipped_build / n).read_bytes() for n in OUTPUTS}
    # A more accurate east edge of the Loop changes every output: areas.csv, hetao.geojson,
    # the map's popups and the figure's legend (the Loop's ± ha).
    data = folder.manifest()
    folder.entry(data, "loop-east-edge")["provenance"]["positional_accuracy_m"] = 2
    folder.write_manifest(data)
    build_module = importlib.import_module("hetao._build")
    new = build_module.render_outputs(hetao.load(folder.path))
    assert all(new[n] != old[n] for n in OUTPUTS)
    # Rendering is not under test here: every run writes the same prepared bytes (and no
    # run forks a child for the figure: render_outputs is where hetao build asks for one).
    monkeypatch.setattr(build_module, "render_outputs", lambda *args, **kwargs: dict(new))
    _loaded_once(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()

    def prepare():
        for name in OUTPUTS:
            (out / name).write_bytes(old[name])

    failed_steps = set()
    for k, faults, result in _injected_runs(monkeypatch, prepare,
                                            lambda: run("build", "--boundaries", folder.path, "--out", out)):
        assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS), (k, faults.fired)  # no temporaries
        state = {n: (out / n).read_bytes() for n in OUTPUTS}
        if result.code == 0:
            # No fault, or one the write survives (the folder's fsync is best effort).
            assert faults.fired in (None, "open", "fsync") and faults.replaced == len(OUTPUTS), (k, faults.fired)
            assert state == new, k
            continue
        failed_steps.add((os.path.relpath(faults.target, out), faults.fired))
        assert result.code == 1, (k, result)
        [line] = result.err.splitlines()
        assert line.startswith(f"hetao: error: {out}/") and "cannot be written" in line, line
        # Files already renamed into place are new; the others are untouched.
        renamed = OUTPUTS[:faults.replaced]
        assert state == {n: new[n] if n in renamed else old[n] for n in OUTPUTS}, (k, faults.fired)
    # Every step of every output failed once.
    assert failed_steps == {(name, kind) for name in OUTPUTS for kind in ERRORS}


def test_build__failure_at_each_write_step__message_names_the_output_that_failed(
        tmp_path, shipped_build, monkeypatch):
    new = {n: (shipped_build / n).read_bytes() for n in OUTPUTS}
    monkeypatch.setattr(importlib.import_module("hetao._build"), "render_outputs",
                        lambda *args, **kwargs: dict(new))     # so no figure child either
    _loaded_once(monkeypatch)
    out = tmp_path / "out"

    def prepare():
        shutil.rmtree(out, ignore_errors=True)

    wrong = []
    for k, faults, result in _injected_runs(monkeypatch, prepare, lambda: run("build", "--out", out)):
        if result.code != 0:
            expected = f"hetao: error: {faults.target}: cannot be written (injected failure of {faults.fired})\n"
            if result.err != expected:
                named = result.err.split(": ")[2] if result.err.count(": ") >= 3 else result.err
                wrong.append(f"step {k} ({faults.fired} for {os.path.basename(faults.target)}) "
                             f"named {os.path.basename(named)}")
    assert wrong == []


def test_build__failure_at_each_write_step_into_an_empty_folder__no_file_left_half_written(
        tmp_path, shipped_build, monkeypatch):
    new = {n: (shipped_build / n).read_bytes() for n in OUTPUTS}
    monkeypatch.setattr(importlib.import_module("hetao._build"), "render_outputs",
                        lambda *args, **kwargs: dict(new))
    out = tmp_path / "out"
    zone = hetao.load()

    def prepare():
        shutil.rmtree(out, ignore_errors=True)

    def act():
        try:
            return hetao.build(zone, out)
        except hetao.HetaoIOError as exc:
            return exc

    for k, faults, result in _injected_runs(monkeypatch, prepare, act):
        names = sorted(p.name for p in out.iterdir()) if out.exists() else []
        if isinstance(result, hetao.HetaoIOError):
            # A failed build into a new folder leaves no trace: no output, not even the folder.
            assert not out.exists(), (k, faults.fired, names)
        else:
            assert names == sorted(OUTPUTS), (k, faults.fired, names)
        for name in names:
            assert (out / name).read_bytes() == new[name], (k, name)


# --- swap and undo ---------------------------------------------------------------------------

@dataclass
class SwapCase:
    """A pristine folder, the swap a survey brings, the folder once it is swapped in, and the
    files involved (relative to the folder)."""

    pristine: Folder
    swapped: Folder
    args: list
    fid: str
    new_file: str       # the new version's geometry file
    old_file: str       # the old one, which the swap keeps in history/ and undo writes back


def _swap_case(tmp_path, pristine: Folder, fid: str, moved, new_file: str, old_file: str) -> SwapCase:
    swapped = Folder(tmp_path / "swapped", source=pristine.path)
    args = ["swap", fid, moved, "--source", "new survey", "--licence", "CC0-1.0", "--accuracy", "1"]
    assert run(*args, "--boundaries", swapped.path).code == 0
    return SwapCase(pristine, swapped, args, fid, new_file, old_file)


@pytest.fixture
def line_swap_case(tmp_path) -> SwapCase:
    """Binhe Boulevard moved 20 m north, swapped into the shipped folder: the line's file is
    replaced (in lines/) and the polygons it bounds are rebuilt."""
    pristine = Folder(tmp_path / "pristine")
    moved = moved_line(pristine, "binhe-boulevard", tmp_path / "moved.geojson")
    return _swap_case(tmp_path, pristine, "binhe-boulevard", moved, "lines/binhe-boulevard.v1.geojson",
                      "lines/binhe-boulevard.geojson")


def _rehearsed_once(monkeypatch) -> None:
    """Faults at the commit step: a swap's rehearsal (the scratch copy loaded, checked,
    measured and diffed) writes nothing through hetao.files, so every run of the same swap
    into the same folder reuses the first run's; the plan and the commit run each time.
    (The results, notes included, are the first run's: assert on files, not on them.)"""
    swap_module = importlib.import_module("hetao._swap")
    real, done = swap_module._rehearse, {}

    def rehearse(folder, before, plans, new_manifest_text, dry_run):
        key = (str(folder), new_manifest_text, tuple(plan.geometry_text for plan in plans), dry_run)
        if key not in done:
            done[key] = real(folder, before, plans, new_manifest_text, dry_run)
        return done[key]

    monkeypatch.setattr(swap_module, "_rehearse", rehearse)


def _new_version_loaded(folder: Folder, case: SwapCase) -> None:
    zone, expected = hetao.load(folder.path), hetao.load(case.swapped.path)
    if case.fid in LINE_IDS:
        got, want = zone.line(case.fid), expected.line(case.fid)
        # The polygons it bounds are built from the new line.
        assert shapely.equals_exact(zone.feature("huanggang-port-area").geometry,
                                    expected.feature("huanggang-port-area").geometry, 0)
    else:
        got, want = zone.feature(case.fid), expected.feature(case.fid)
    assert shapely.equals_exact(got.geometry, want.geometry, 0)
    assert got.spec.provenance.source == "new survey"


def test_swap__failure_at_each_write_step__folder_exactly_as_it_was_and_recoverable(
        line_swap_case, tmp_path, monkeypatch):
    # README: "Any failure leaves the folder as it was": a swap that fails leaves no history
    # entry, no new geometry file (here a line's, in lines/), no temporary file.
    case = line_swap_case
    pristine, swapped, args = case.pristine, case.swapped, case.args
    target = tmp_path / "target"
    folder = None

    def prepare():
        nonlocal folder
        shutil.rmtree(target, ignore_errors=True)
        folder = Folder(target, source=pristine.path)

    _rehearsed_once(monkeypatch)
    failed_steps, retried = set(), set()
    for k, faults, result in _injected_runs(monkeypatch, prepare, lambda: run(*args, "--boundaries", target)):
        assert folder.temporaries() == [], (k, faults.fired)
        if result.code == 0:
            assert folder.version() == swapped.version(), (k, faults.fired)
            _new_version_loaded(folder, case)
            continue
        name = os.path.relpath(faults.target, target)
        failed_steps.add((name, faults.fired))
        assert result.code == 1, (k, result)
        [line] = result.err.splitlines()
        assert line.startswith(f"hetao: error: {folder.path}/") and "cannot be written" in line, line
        # Exactly the old folder, byte for byte: nothing to undo.
        assert folder.snapshot() == pristine.snapshot(), (k, faults.fired)
        if name not in retried:     # once per file: the swap, tried again, goes through and undoes
            retried.add(name)
            undo = run("undo", case.fid, "--boundaries", folder.path)
            assert undo.code == 2 and "has no earlier version" in undo.err, (k, undo)
            assert run(*args, "--boundaries", folder.path).code == 0, k
            assert folder.version() == swapped.version(), (k, faults.fired)
            assert run("undo", case.fid, "--boundaries", folder.path).code == 0, k
            assert folder.snapshot() == pristine.snapshot(), (k, faults.fired)
    # Every step of every file a swap writes failed once (only the manifest existed before,
    # so only its mode is copied).
    history = f"history/{case.fid}/0001/"
    written = [history + n for n in ("swap.json", "entry.json", "manifest.json", "manifest.after.json",
                                     "geometry.geojson")] + [case.new_file, "manifest.json"]
    assert failed_steps == {(name, kind) for name in written for kind in ERRORS
                            if kind != "fchmod" or name == "manifest.json"}


def test_undo__failure_at_each_write_step__new_version_kept_then_undo_restores_byte_for_byte(
        line_swap_case, tmp_path, monkeypatch):
    case = line_swap_case
    pristine, swapped = case.pristine, case.swapped
    target = tmp_path / "target"
    folder = None

    def prepare():
        nonlocal folder
        shutil.rmtree(target, ignore_errors=True)
        folder = Folder(target, source=swapped.path)

    failed_steps = set()
    for k, faults, result in _injected_runs(monkeypatch, prepare,
                                            lambda: run("undo", case.fid, "--boundaries", target)):
        assert folder.temporaries() == [], (k, faults.fired)
        hetao.load(folder.path)
        if result.code == 0:
            assert folder.snapshot() == pristine.snapshot(), (k, faults.fired)
            continue
        failed_steps.add((os.path.relpath(faults.target, target), faults.fired))
        assert result.code == 1, (k, result)
        assert "cannot be written" in result.err
        # Still the swapped version, and undo, tried again, restores the old one exactly.
        assert folder.version() == swapped.version(), (k, faults.fired)
        _new_version_loaded(folder, case)
        assert run("undo", case.fid, "--boundaries", folder.path).code == 0, k
        assert folder.snapshot() == pristine.snapshot(), (k, faults.fired)
    # Every step of both files undo writes failed once: the old geometry, then the manifest.
    assert failed_steps == {(name, kind) for name in (case.old_file, "manifest.json")
                            for kind in ERRORS if kind != "fchmod" or name == "manifest.json"}


def test_undo__after_a_swap_that_never_committed__restores_the_real_previous_version(folder, tmp_path):
    before = folder.snapshot()
    moved = moved_loop(folder, tmp_path / "moved.geojson")
    args = ["--boundaries", folder.path, "--source", "s", "--licence", "CC0-1.0", "--accuracy", "1"]
    assert run("swap", "hong-kong-park", moved, *args).code == 0
    # What a second swap killed between writing its history and committing leaves behind.
    stale = folder.path / "history" / "hong-kong-park" / "0002"
    stale.mkdir()
    (stale / "swap.json").write_text(json.dumps({"new_geometry": "hong-kong-park.v2.geojson"}))
    (folder.path / "hong-kong-park.v2.geojson").write_text("{}")
    result = run("undo", "hong-kong-park", "--boundaries", folder.path)
    assert result.code == 0, result.err
    after = folder.snapshot()
    assert after.pop("hong-kong-park.v2.geojson") == b"{}"   # the killed swap's stray file is left alone
    assert after == before


# --- killed ----------------------------------------------------------------------------------

@pytest.fixture
def kill_case(folder, tmp_path, shipped_build):
    """An output folder holding the shipped build, a changed folder, and both builds' bytes."""
    folder.edit_feature("hong-kong-park", name={"en": "Loop, renamed", "zh": "河套"})
    new_out = tmp_path / "new"
    hetao.build(hetao.load(folder.path), new_out)
    old = {n: (shipped_build / n).read_bytes() for n in OUTPUTS}
    new = {n: (new_out / n).read_bytes() for n in OUTPUTS}
    assert all(old[n] != new[n] for n in ("hetao.html", "hetao.geojson", "hetao.png"))
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUTS:
        (out / name).write_bytes(old[name])
    return folder, out, old, new


def _after_kill(proc, out, old, new, sig) -> None:
    """The process group is gone, and each output is the old or the new file."""
    pgid = proc.pid      # start_new_session: the leader's pid is the group's id
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass             # it had already finished
    proc.wait(timeout=30)
    assert proc.returncode in (0, -sig), proc.returncode
    assert poll_until(lambda: process_group_gone(pgid), timeout=30), "a process of the killed build survives"
    for name in OUTPUTS:
        assert (out / name).read_bytes() in (old[name], new[name]), name
    # A killed write may leave its temporary file (removed by a later build once an hour
    # old), never anything else.
    others = {p.name for p in out.iterdir()} - set(OUTPUTS)
    temporaries = [re.fullmatch(r"\.(.+)\.[0-9a-f]{8}\.tmp", n) for n in others]
    assert all(t and t.group(1) in OUTPUTS for t in temporaries), others


def test_build__installed_sigkill_at_a_random_moment__old_or_new_files_group_gone(kill_case):
    folder, out, old, new = kill_case
    seed = random.SystemRandom().randrange(2**32)
    delay = random.Random(seed).uniform(0.0, 2.5)    # a build takes about 2 s
    print(f"SIGKILL after {delay:.3f} s (seed {seed})")   # shown if the test fails
    proc = start_installed("build", "--boundaries", folder.path, "--out", out)
    try:
        proc.wait(timeout=delay)     # it may finish first: then the outputs are all new
    except subprocess.TimeoutExpired:
        pass
    _after_kill(proc, out, old, new, signal.SIGKILL)
    if proc.returncode == 0:
        assert {n: (out / n).read_bytes() for n in OUTPUTS} == new, f"seed {seed}"
    # A later build completes the job.
    assert run("build", "--boundaries", folder.path, "--out", out).code == 0
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == new


def test_build__installed_sigterm_while_writing__old_or_new_files_group_gone(kill_case):
    folder, out, old, new = kill_case
    proc = start_installed("build", "--boundaries", folder.path, "--out", out)

    def writing_or_done() -> bool:
        return proc.poll() is not None or any(p.name.endswith(".tmp") for p in out.iterdir())

    assert poll_until(writing_or_done, timeout=60, interval=0.001)
    _after_kill(proc, out, old, new, signal.SIGTERM)
    assert run("build", "--boundaries", folder.path, "--out", out).code == 0
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == new
