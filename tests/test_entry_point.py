"""The installed ``hetao`` console script, end to end in new processes (kept few: each costs
an interpreter start; the CLI's behaviour is tested in-process in test_cli.py).

The kill tests of the installed ``hetao build`` are in test_atomic.py.
"""

from __future__ import annotations

from hetao import __version__

from .helpers import FEATURE_IDS, OUTPUTS, run_installed


def test_entry_point__version():
    result = run_installed("--version")
    assert result.code == 0, result.err
    assert result.out == f"hetao, version {__version__}\n"


def test_entry_point__areas_from_another_folder__shipped_boundaries_found(tmp_path):
    result = run_installed("areas", cwd=tmp_path)
    assert result.code == 0, result.err
    rows = [line.split()[0] for line in result.out.splitlines()[2:] if line[:1].isalpha()]
    assert rows[:len(FEATURE_IDS)] == FEATURE_IDS
    assert result.out.count(" reconciled; less river water ") == 5     # the Loop's five figures
    assert "less river water: 86.16 ha" in result.out
    assert list(tmp_path.iterdir()) == []     # it wrote nothing where it ran


def test_entry_point__build__same_bytes_as_a_build_in_another_process(tmp_path, shipped_build):
    # shipped_build was made in this process: the bytes must not depend on the process
    # (hash seeds, ids, timestamps).
    result = run_installed("build", "--out", "site", cwd=tmp_path)
    assert result.code == 0, result.err
    # The figure finds its fonts: matplotlib warns of no missing family or glyph (it would on
    # standard error, from this process or the child that draws the figure).
    assert "findfont" not in result.err and "Glyph" not in result.err, result.err
    out = tmp_path / "site"
    assert result.out.splitlines() == [
        f"wrote site/{name} ({(out / name).stat().st_size:,} bytes)" for name in OUTPUTS]
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (shipped_build / name).read_bytes(), name
