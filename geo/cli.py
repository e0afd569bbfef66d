"""The ``hetao`` command line: a thin layer over the library.

Exit codes: 0 all good, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BoundaryError, HetaoError

logger = logging.getLogger("hetao")


class InputError(click.ClickException):
    """Bad input: exit code 2, one line per problem."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    def show(self, file=None) -> None:
        for line in self.problems:
            click.echo(f"hetao: error: {line}", err=True)


class Failure(click.ClickException):
    """A failed operation: exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"hetao: error: {self.message}", err=True)


def _fail(exc: HetaoError) -> click.ClickException:
    if isinstance(exc, BoundaryError):
        return InputError(exc.problems)
    return InputError([str(exc)]) if isinstance(exc, ValueError) else Failure(str(exc))


boundaries_option = click.option(
    "--boundaries", "boundaries", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Boundaries folder (default: the shipped boundaries/).")


def _load(boundaries: Path | None):
    from .measurement import measure_zone
    from .zone import load_zone
    try:
        zone = load_zone(boundaries)
        return zone, measure_zone(zone)
    except HetaoError as exc:
        raise _fail(exc) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="hetao")
@click.option("-v", "--verbose", count=True, help="More output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output (repeatable).")
def cli(verbose: int, quiet: int) -> None:
    """An honest, checkable map of the Hetao Shenzhen-Hong Kong S&T Innovation Cooperation Zone."""
    level = max(logging.DEBUG, min(logging.CRITICAL, logging.WARNING - 10 * (verbose - quiet)))
    logging.basicConfig(level=level, format="hetao: %(message)s", stream=sys.stderr)


@cli.command()
@boundaries_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
def areas(boundaries: Path | None, fmt: str) -> None:
    """Measure every feature and compare it with its stated figures.

    \b
    Example:
        hetao areas --format json
    """
    from .report import to_csv, to_json, to_table
    _, measurements = _load(boundaries)
    render = {"table": to_table, "json": to_json, "csv": to_csv}[fmt]
    click.echo(render(measurements), nl=False)


@cli.command()
@boundaries_option
def check(boundaries: Path | None) -> None:
    """Check the zone: stated figures, overlap and gap of the sides, parts and points.

    Exits 1 when a check fails.

    \b
    Example:
        hetao check --boundaries my-boundaries/
    """
    from .checks import check_zone
    zone, measurements = _load(boundaries)
    results = check_zone(zone, measurements)
    for r in results:
        click.echo(f"{'ok  ' if r.ok else 'FAIL'}  {r.name}: {r.detail}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise Failure(f"{len(failed)} of {len(results)} checks failed")


@cli.command()
@boundaries_option
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
              show_default=True, help="Folder to write the outputs into.")
@click.option("--open", "open_map", is_flag=True, help="Open the map in the default browser.")
@click.option("--cdn", is_flag=True, help="Link Leaflet and plugins from CDNs instead of inlining them.")
def build(boundaries: Path | None, out: Path, open_map: bool, cdn: bool) -> None:
    """Build the map (hetao.html), hetao.geojson, areas.csv and a figure (hetao.png).

    The map is self-contained: it renders with no network; only basemap tiles are fetched.

    \b
    Example:
        hetao build --out site/ --open
    """
    from .build import build as build_outputs
    zone, measurements = _load(boundaries)
    try:
        paths = build_outputs(zone, measurements, out, offline=not cdn)
    except HetaoError as exc:
        raise _fail(exc) from None
    for path in paths:
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
    if open_map:
        import webbrowser
        webbrowser.open((out / "hetao.html").resolve().as_uri())


def _folder(boundaries: Path | None) -> Path:
    from .zone import default_boundaries_dir
    try:
        return boundaries if boundaries is not None else default_boundaries_dir()
    except HetaoError as exc:
        raise _fail(exc) from None


def _print_comparisons(zone, feature_id: str) -> None:
    from .measurement import measure_zone
    m = next(m for m in measure_zone(zone) if m.id == feature_id)
    if m.geodesic_area_m2 is not None:
        click.echo(f"  measured   {m.geodesic_area_m2 / 1e4:,.2f} ha ± {m.uncertainty_m2 / 1e4:,.2f} ha")
    for c in m.comparisons:
        f = c.figure
        diff = "" if c.difference_ha is None else f": {c.difference_ha:+,.2f} ha ({c.difference_pct:+.1f} %)"
        click.echo(f"  stated     {f.value:,g} {f.unit} ({f.source}){diff} {c.status}")


@cli.command()
@click.argument("feature_id")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=True))
@boundaries_option
@click.option("--crs", help="CRS of FILE when the file has none, e.g. EPSG:2326.")
@click.option("--layer", help="Layer of FILE to read (GeoPackage, KML with several layers).")
@click.option("--source", help="Where the new geometry comes from (required).")
@click.option("--licence", help="Its licence (required).")
@click.option("--accuracy", type=float, help="Its positional accuracy in metres (required).")
@click.option("--approximate", is_flag=True, help="Mark the new geometry as approximate.")
@click.option("--dry-run", is_flag=True, help="Check, measure and compare; write nothing.")
@click.option("--undo", is_flag=True, help="Restore FEATURE_ID's previous version instead.")
def swap(feature_id: str, file: Path | None, boundaries: Path | None, crs: str | None,
         layer: str | None, source: str | None, licence: str | None, accuracy: float | None,
         approximate: bool, dry_run: bool, undo: bool) -> None:
    """Replace a feature's geometry with FILE (GeoJSON, Shapefile, GeoPackage, KML, FlatGeobuf).

    The previous version is kept in the boundaries folder's history/, so --undo restores it
    exactly. Prints what changed and the new area check; rebuilds nothing.

    \b
    Example:
        hetao swap hong-kong-park loop_survey.shp --crs EPSG:2326 \\
            --source "Lands Department survey 2026" --licence "HK Gov open data" --accuracy 0.5
        hetao swap --undo hong-kong-park
    """
    from . import swap as swapping
    from .diff import diff_geometries, diff_table
    folder = _folder(boundaries)
    try:
        if undo:
            if file is not None:
                raise click.UsageError("--undo takes only FEATURE_ID")
            for path in swapping.undo(folder, feature_id):
                click.echo(f"restored {path}")
            return
        if file is None:
            raise click.UsageError("FILE is required (or use --undo)")
        result = swapping.swap(folder, feature_id, file, crs=crs, layer=layer, source=source,
                               licence=licence, accuracy=accuracy, approximate=approximate,
                               dry_run=dry_run)
    except HetaoError as exc:
        raise _fail(exc) from None
    for note in result.notes:
        click.echo(f"note: {note}")
    old, new = result.before.feature(feature_id), result.after.feature(feature_id)
    click.echo(diff_table([diff_geometries(feature_id, old.geometry, new.geometry)]), nl=False)
    _print_comparisons(result.after, feature_id)
    if dry_run:
        click.echo("dry run: nothing written")
        return
    for path in result.written:
        click.echo(f"wrote {path}")
    click.echo(f"kept the previous version in {result.history}; undo with: hetao swap --undo {feature_id}")
    click.echo("the map was not rebuilt: run hetao build")


@cli.command()
@click.argument("old")
@click.argument("new", required=False, type=click.Path(path_type=Path))
@boundaries_option
@click.option("--crs", help="CRS of files that have none, e.g. EPSG:2326.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--map", "map_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a map of old, new, gained and lost to this HTML file.")
@click.option("--cdn", is_flag=True, help="With --map: link assets from CDNs instead of inlining them.")
def diff(old: str, new: Path | None, boundaries: Path | None, crs: str | None, fmt: str,
         map_file: Path | None, cdn: bool) -> None:
    """Show what changed between OLD and NEW boundaries.

    OLD and NEW are two boundaries folders or two boundary files; or give a FEATURE_ID
    alone to compare it with its previous version (before the last hetao swap).

    \b
    Example:
        hetao diff boundaries-2025/ boundaries/ --format json
        hetao diff hong-kong-park --map output/diff.html
    """
    import json as json_module

    from . import swap as swapping
    from .diff import diff_geometries, diff_paths, diff_records, diff_table
    from .files import write_atomic
    from .zone import load_zone
    try:
        if new is None:
            folder = _folder(boundaries)
            zone = load_zone(folder)
            version, record = swapping.previous_version(folder, old)
            before = swapping.load_previous(folder, old, version, record)
            diffs = [diff_geometries(old, before, zone.feature(old).geometry,
                                     side=zone.feature(old).spec.side)]
            labels = (f"before swap {version.name}", "now")
        else:
            diffs = diff_paths(Path(old), new, crs=crs)
            labels = (str(old), str(new))
        if fmt == "json":
            click.echo(json_module.dumps(diff_records(diffs), ensure_ascii=False, indent=2))
        else:
            click.echo(diff_table(diffs), nl=False)
        if map_file is not None:
            from .webmap import render_diff_map
            write_atomic(map_file, render_diff_map(diffs, offline=not cdn, label_before=labels[0],
                                                   label_after=labels[1]))
            click.echo(f"wrote {map_file}", err=fmt == "json")
    except HetaoError as exc:
        raise _fail(exc) from None


def main() -> None:
    """Entry point of the ``hetao`` console script."""
    cli(prog_name="hetao")
