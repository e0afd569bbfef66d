"""hetao swap's options and messages: empty provenance, the explanation (given, kept, or
both refused), a new overlap of the sides (refused unless allowed), a dropped ``approximate``
mark, errors found on the swap's scratch copy told of the user's own files, and
``build --open`` with no browser."""

from __future__ import annotations

import re
import tempfile

import coordTransform
import numpy as np
import pytest
import shapely
import shapely.affinity

import hetao

from .helpers import geographiclib_geometry, local_transformers, moved_line, run, transformed, write_geojson

PROVENANCE = {"--source": "Lands Department survey 2026", "--licence": "CC0-1.0", "--accuracy": "0.5"}
EXPLANATION = "Surveyed land; the stated figures are rounded planning figures"


def _args(**changes) -> list[str]:
    """The provenance options, with some changed."""
    options = dict(PROVENANCE, **{f"--{k}": v for k, v in changes.items()})
    return [str(a) for kv in options.items() for a in kv]


def _survey(folder, tmp_path):
    """The Loop moved about 55 m south-east (away from the river, overlapping nothing)."""
    return write_geojson(tmp_path / "loop.geojson",
                         shapely.affinity.translate(folder.shape("hong-kong-park"), 0.0005, -0.0002))


def _one_error_line(result, code: int = 2) -> str:
    assert result.code == code, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("hetao: error: ")
    return lines[0]


@pytest.mark.parametrize(("option", "value"), [("source", ""), ("licence", "  "), ("explanation", " \t"),
                                               ("accuracy", "inf"), ("accuracy", "nan"), ("accuracy", "-1")])
def test_swap__empty_text_or_bad_accuracy__exit_2_one_line_naming_it(folder, tmp_path, option, value):
    path = _survey(folder, tmp_path)
    before = folder.snapshot()
    line = _one_error_line(run("swap", "hong-kong-park", path, "--boundaries", folder.path,
                               *_args(**{option: value})))
    assert line.startswith(f"hetao: error: {path}: feature 'hong-kong-park': ")
    assert f"--{option}" in line, line
    assert folder.snapshot() == before


def _loop_statuses(folder) -> list[str]:
    loop = next(m for m in hetao.measure(hetao.load(folder.path)) if m.id == "hong-kong-park")
    return [c.status for c in loop.comparisons]


def test_swap__explanation_given__in_the_entry_and_differing_figures_explained(folder, tmp_path):
    path = _survey(folder, tmp_path)
    # Without one, the new outline's figures differ (the old explanation went with the old outline).
    unexplained = hetao.swap("hong-kong-park", path, boundaries=folder.path, dry_run=True)
    without = [c.status for c in unexplained.measurement.comparisons]
    assert "differs" in without
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *_args(), "--explanation",
                 f"  {EXPLANATION} ")
    assert result.code == 0, result.err
    assert "note: set the explanation given" in result.out
    assert "removed 'explanation'" not in result.out
    entry = folder.entry(folder.manifest(), "hong-kong-park")
    assert entry["explanation"] == EXPLANATION
    expected = ["explained" if s == "differs" else s for s in without]
    assert _loop_statuses(folder) == expected
    assert f"-> {', '.join(expected)}" in result.out          # what the swap printed
    assert run("check", "--boundaries", folder.path).code == 0


def test_swap__keep_explanation__the_old_explanation_kept(folder, tmp_path):
    old = folder.entry(folder.manifest(), "hong-kong-park")["explanation"]
    path = _survey(folder, tmp_path)
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *_args(), "--keep-explanation")
    assert result.code == 0, result.err
    assert "removed 'explanation'" not in result.out
    assert folder.entry(folder.manifest(), "hong-kong-park")["explanation"] == old
    assert set(_loop_statuses(folder)) <= {"agrees", "explained"} and "explained" in _loop_statuses(folder)


def test_swap__explanation_and_keep_explanation__refused_folder_unchanged(folder, tmp_path):
    path = _survey(folder, tmp_path)
    before = folder.snapshot()
    for dry in ([], ["--dry-run"]):
        line = _one_error_line(run("swap", "hong-kong-park", path, "--boundaries", folder.path, *_args(),
                                   "--explanation", EXPLANATION, "--keep-explanation", *dry))
        assert "--explanation" in line and "--keep-explanation" in line and "not both" in line, line
    assert folder.snapshot() == before


def test_swap__new_overlap__refused_naming_allow_overlap_then_allowed_with_a_note(folder, tmp_path):
    to_local, to_wgs84 = local_transformers()
    grown = transformed(transformed(folder.shape("hong-kong-park"), to_local).buffer(60), to_wgs84)
    path = write_geojson(tmp_path / "loop-grown.geojson", grown)
    shenzhen = hetao.load(folder.path).feature("shenzhen-park").geometry
    overlap_m2 = geographiclib_geometry(shapely.intersection(grown, shenzhen)).area
    assert overlap_m2 > 10_000
    before = folder.snapshot()
    for dry in (["--dry-run"], []):
        line = _one_error_line(run("swap", "hong-kong-park", path, "--boundaries", folder.path, *_args(), *dry))
        assert line.startswith(f"hetao: error: {path}: feature 'hong-kong-park': the new geometry makes the "
                               "two sides overlap (overlap "), line
        assert "--allow-overlap" in line, line
        reported = float(re.search(r"overlap ([\d,.]+) m²", line).group(1).replace(",", ""))
        assert reported == pytest.approx(overlap_m2, rel=1e-3)
    assert folder.snapshot() == before
    result = run("swap", "hong-kong-park", path, "--boundaries", folder.path, *_args(), "--allow-overlap")
    assert result.code == 0, result.err
    assert "note: the sides now overlap (overlap " in result.out and "allowed as asked" in result.out
    check = run("check", "--boundaries", folder.path)
    assert check.code == 1 and "FAIL  the sides do not overlap" in check.out


def test_swap__approximate_mark_dropped__a_note_says_so(folder, tmp_path):
    assert folder.entry(folder.manifest(), "huanggang-port-area")["approximate"] is True
    path = write_geojson(tmp_path / "port.geojson", folder.shape("huanggang-port-area"))
    note = "note: the previous geometry was marked approximate and the new one is not"
    still = run("swap", "huanggang-port-area", path, "--boundaries", folder.path, *_args(), "--approximate",
                "--dry-run")
    assert still.code == 0, still.err
    assert "approximate and the new one is not" not in still.out
    result = run("swap", "huanggang-port-area", path, "--boundaries", folder.path, *_args())
    assert result.code == 0, result.err
    assert [line for line in result.out.splitlines() if line.startswith(note)], result.out
    assert folder.entry(folder.manifest(), "huanggang-port-area")["approximate"] is False


def test_swap__notes__name_the_commands_options_not_the_librarys_parameters(folder, tmp_path):
    # DESIGN.md: "Library messages name parameters ('the crs parameter'); the CLI rewrites them
    # as its options (--crs)". The notes a swap prints are such messages too.
    path = write_geojson(tmp_path / "port.geojson", folder.shape("huanggang-port-area"))
    result = run("swap", "huanggang-port-area", path, "--boundaries", folder.path, "--dry-run")
    assert result.code == 0, result.err
    notes = [line for line in result.out.splitlines() if line.startswith("note: ")]
    [approximate] = [n for n in notes if "marked approximate" in n]
    [explanation] = [n for n in notes if "removed 'explanation'" in n]
    assert "(give --approximate if it still is)" in approximate, approximate
    assert "--explanation" in explanation and "--keep-explanation" in explanation, explanation
    assert [n for n in notes if " parameter" in n or "keep_explanation" in n] == []


def _gcj02_loop(folder, tmp_path):
    loop = folder.shape("hong-kong-park")
    shifted = shapely.transform(loop, lambda c: np.column_stack(
        coordTransform.wgs84_to_gcj02(c[:, 0].tolist(), c[:, 1].tolist())))
    return write_geojson(tmp_path / "loop-amap.geojson", shifted), "hong-kong-park", None


def _binhe_cut_off(folder, tmp_path):
    return (moved_line(folder, "binhe-boulevard", tmp_path / "binhe.geojson", north_m=300), "binhe-boulevard",
            folder.manifest_path)


@pytest.mark.parametrize("make", [_gcj02_loop, _binhe_cut_off], ids=["datum-of-the-file", "edges-of-the-folder"])
def test_swap__problem_found_on_the_scratch_copy__named_in_the_users_files(folder, tmp_path, make):
    # The swap loads the folder with the new file on a scratch copy (in the temporary folder)
    # before it writes anything; what it finds there is told of the user's file and folder.
    path, fid, named = make(folder, tmp_path)
    before = folder.snapshot()
    for verbosity in ([], ["-v"]):
        result = run(*verbosity, "swap", fid, path, "--boundaries", folder.path, *_args())
        assert result.code == 2, result
        errors = [line for line in result.err.splitlines() if line.startswith("hetao: error: ")]
        assert len(errors) == 1, result.err
        assert errors[0].startswith(f"hetao: error: {named or path}: feature "), errors[0]
        assert f"{tempfile.gettempdir()}/hetao-" not in errors[0], errors[0]
    assert folder.snapshot() == before


def test_swap__options_value_or_keywords__the_same_swap_and_coded_notes(folder, tmp_path):
    path = _survey(folder, tmp_path)
    by_keywords = hetao.swap("hong-kong-park", path, boundaries=folder.path, dry_run=True,
                             explanation=EXPLANATION, today="2026-01-02")
    options = hetao.SwapOptions(explanation="replaced by the keyword", today="2026-01-02")
    by_value = hetao.swap("hong-kong-park", path, boundaries=folder.path, dry_run=True, options=options,
                          explanation=EXPLANATION)
    assert [(n.code, str(n)) for n in by_value.notes] == [(n.code, str(n)) for n in by_keywords.notes]
    assert {"accuracy-inherited", "explanation-set"} <= {n.code for n in by_value.notes}
    assert by_value.diff == by_keywords.diff
    with pytest.raises(TypeError, match="'acuracy'"):
        hetao.swap("hong-kong-park", path, boundaries=folder.path, dry_run=True, acuracy=1.0)
