"""A swap says what it breaks (issue #17, item 2): the zone's geometric checks run on the
result as part of the swap's rehearsal; a check that passed before and fails after refuses
the swap (dry run or not) in one line naming the check and its figure, unless allowed
(``--allow-failing-checks``; ``--allow-overlap`` for the overlap check, as before). Stated
figures never block a swap.

The Loop traced along its bank (150 m in from the river's centre line, so that the datum
detector, which looks for vertices along the river, does not see it) and then shifted by
GCJ-02 is refused because the sides no longer meet across the river."""

from __future__ import annotations

import re
import threading

import pytest
import shapely

import hetao
from hetao.checks import MEET_CHECK, geometric_checks

from .helpers import local_transformers, run, transformed, write_geojson
from .test_datum import _in_datum

PROVENANCE = ["--source", "Lands Department survey 2026", "--licence", "CC0-1.0", "--accuracy", "0.5"]
#: How far in from the river's centre line the Loop is traced: beyond what the datum
#: detector calls "along the river" (150 m), so only the sides' check can catch the shift.
BANK_M = 150.0
BRANCH = "hkstp-shenzhen-branch"
POINT_CHECK = f"{BRANCH} lies within the shenzhen side"


def _one_error_line(result) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def _bank_loop(folder):
    """The Loop as traced along its bank, ``BANK_M`` in from the river's centre line (WGS84)."""
    to_local, to_wgs84 = local_transformers()
    zone = hetao.load(folder.path)
    river = transformed(zone.line("hk-sz-border").geometry, to_local).buffer(BANK_M)
    return transformed(transformed(zone.feature("hong-kong-park").geometry, to_local).difference(river), to_wgs84)


def _gap_m(loop, shenzhen) -> float:
    """Independently: the gap between the Loop and the Shenzhen side, in local metres."""
    to_local, _ = local_transformers()
    return transformed(loop, to_local).distance(transformed(shenzhen, to_local))


def test_swap__bank_traced_gcj02_loop__refused_naming_the_sides_check_its_gap_and_the_datum(folder, tmp_path):
    bank = _bank_loop(folder)
    shifted = _in_datum(bank, "gcj02")
    path = write_geojson(tmp_path / "loop-bank-gcj.geojson", shifted)
    shenzhen = hetao.load(folder.path).feature("shenzhen-park").geometry
    gap = _gap_m(shifted, shenzhen)
    assert gap > 600, gap           # the shift carries it far off the river
    before = folder.snapshot()
    for dry in (["--dry-run"], []):
        line = _one_error_line(run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, *dry))
        assert line.startswith(f"hetao: error: {path}: feature 'hong-kong-park': the new geometry fails the "
                               f"check '{MEET_CHECK}' (gap "), line
        assert "look like GCJ-02" not in line           # not the datum detector: the check caught it
        reported = float(re.search(r"\(gap ([\d,.]+) m", line).group(1).replace(",", ""))
        assert reported == pytest.approx(gap, abs=1.0)
        assert "wider than the river (260 m)" in line and "GCJ-02" in line, line
        assert "--datum gcj02" in line and "--allow-failing-checks" in line, line
        assert "allow_failing_checks" not in line and "datum parameter" not in line, line
    assert folder.snapshot() == before
    # Converted from GCJ-02, the same outline lies along the river bank again: accepted.
    converted = run("swap", "hong-kong-park", path, "--boundaries", folder.path, "--dry-run", "--datum", "gcj02")
    assert converted.code == 0, converted.err
    assert _gap_m(bank, shenzhen) < 260
    # Allowed as asked: swapped in, with a note naming the check; check then fails on it.
    allowed = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE,
                  "--allow-failing-checks")
    assert allowed.code == 0, allowed.err
    assert f"note: the check '{MEET_CHECK}' now fails (gap " in allowed.out and "allowed as asked" in allowed.out
    check = run("check", "--boundaries", folder.path)
    assert check.code == 1 and f"FAIL  {MEET_CHECK}: gap" in check.out


def test_swap__branch_moved_out_of_its_side__refused_naming_the_distance_then_allowed(folder, tmp_path):
    zone = hetao.load(folder.path)
    shenzhen = zone.sides()["shenzhen"]
    outside = shapely.Point(114.0600, 22.4990)          # in Hong Kong, south of the river
    assert not shenzhen.covers(outside) and not zone.feature("hong-kong-park").geometry.covers(outside)
    to_local, _ = local_transformers()
    distance = transformed(shenzhen, to_local).distance(transformed(outside, to_local))
    path = write_geojson(tmp_path / "branch.geojson", outside)
    before = folder.snapshot()
    line = _one_error_line(run("swap", BRANCH, path, "--boundaries", folder.path, *PROVENANCE, "--dry-run"))
    found = re.fullmatch(rf"hetao: error: {re.escape(str(path))}: feature '{BRANCH}': the new geometry fails the "
                         rf"check '{POINT_CHECK}' \(([\d,.]+) m outside\), which passed before; fix it, or "
                         r"give --allow-failing-checks to swap it in anyway", line)
    assert found, line                  # no datum hint: the sides still meet
    assert float(found.group(1).replace(",", "")) == pytest.approx(distance, abs=0.5)
    # --allow-overlap is for the overlap check only.
    assert run("swap", BRANCH, path, "--boundaries", folder.path, *PROVENANCE, "--allow-overlap").code == 2
    assert folder.snapshot() == before
    allowed = run("swap", BRANCH, path, "--boundaries", folder.path, *PROVENANCE, "--allow-failing-checks")
    assert allowed.code == 0, allowed.err
    assert f"note: the check '{POINT_CHECK}' now fails (" in allowed.out
    # A check that already failed does not block the next swap: only what a swap breaks does.
    farther = write_geojson(tmp_path / "branch2.geojson", shapely.Point(114.0610, 22.4985))
    again = run("swap", BRANCH, farther, "--boundaries", folder.path, *PROVENANCE)
    assert again.code == 0, again.err
    assert "now fails" not in again.out


def test_swap__library__refused_as_a_boundary_error_allowed_by_option_or_swap_options(folder, tmp_path):
    path = write_geojson(tmp_path / "branch.geojson", shapely.Point(114.0600, 22.4990))
    with pytest.raises(hetao.BoundaryError) as info:
        hetao.swap(BRANCH, path, boundaries=folder.path, dry_run=True)
    (problem,) = info.value.problems
    assert problem.feature == BRANCH and f"fails the check '{POINT_CHECK}'" in problem.message
    assert "give the allow_failing_checks parameter" in problem.message
    by_keyword = hetao.swap(BRANCH, path, boundaries=folder.path, dry_run=True, allow_failing_checks=True)
    by_options = hetao.swap(BRANCH, path, boundaries=folder.path, dry_run=True,
                            options=hetao.SwapOptions(allow_failing_checks=True))
    for result in (by_keyword, by_options):
        assert [n.code for n in result.notes if n.code.endswith("-allowed")] == ["check-failure-allowed"]


def test_swap__library__checks_beside_the_measuring_leave_no_thread_running(folder, tmp_path):
    """The rehearsal runs the checks in a second thread; refused or done, it is gone."""
    path = write_geojson(tmp_path / "branch.geojson", shapely.Point(114.0600, 22.4990))
    running = set(threading.enumerate())
    with pytest.raises(hetao.BoundaryError):
        hetao.swap(BRANCH, path, boundaries=folder.path, source="survey", licence="CC0-1.0", accuracy=1)
    assert set(threading.enumerate()) == running
    result = hetao.swap(BRANCH, path, boundaries=folder.path, source="survey", licence="CC0-1.0", accuracy=1,
                        allow_failing_checks=True)
    assert result.written and set(threading.enumerate()) == running


def test_swap__overlap__allowed_by_allow_failing_checks_too_with_the_overlap_note(folder, tmp_path):
    to_local, to_wgs84 = local_transformers()
    grown = transformed(transformed(folder.shape("hong-kong-park"), to_local).buffer(60), to_wgs84)
    path = write_geojson(tmp_path / "loop-grown.geojson", grown)
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *PROVENANCE, "--dry-run",
                 "--allow-failing-checks")
    assert result.code == 0, result.err
    assert "note: the sides now overlap (overlap " in result.out and "allowed as asked" in result.out


def test_geometric_checks__are_check_less_the_stated_figures_and_only_what_a_change_affects():
    zone = hetao.load()
    every = hetao.check(zone)
    assert [r.name for r in every[1:]] == [r.name for r in geometric_checks(zone)]
    assert every[0].name == "stated figures"
    # The Loop alone touches the sides' checks, not the Shenzhen parts' or the branch's.
    assert [r.name for r in geometric_checks(zone, ["hong-kong-park"])] == [
        "the sides do not overlap", MEET_CHECK]
    assert [r.name for r in geometric_checks(zone, [BRANCH])] == [POINT_CHECK]
    assert geometric_checks(zone, []) == []
