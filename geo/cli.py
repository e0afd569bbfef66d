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


def main() -> None:
    """Entry point of the ``hetao`` console script."""
    cli(prog_name="hetao")
