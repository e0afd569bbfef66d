"""The ``hetao`` command line: parses arguments, calls the library, speaks.

Everything else (loading, measuring, swapping, comparing) is the library's. Exit codes: 0
all good, 1 a check failed or an output could not be written, 2 bad input or usage.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

import click

from . import __version__
from .errors import BoundaryError, HetaoError, HetaoWarning, InstalledFolderError, NetworkError

if TYPE_CHECKING:
    from . import Found, Measurement, RefreshResult, SwapResult, Zone

logger = logging.getLogger("hetao")

#: Library parameters and the options that set them.
_FLAGS = {"crs": "--crs", "layer": "--layer", "source": "--source", "licence": "--licence",
          "accuracy": "--accuracy", "offline": "--cdn", "boundaries": "--boundaries",
          "explanation": "--explanation", "keep_explanation": "--keep-explanation",
          "allow_overlap": "--allow-overlap", "approximate": "--approximate", "datum": "--datum",
          "endpoint": "--endpoint", "osm": "--osm", "timeout": "--timeout",
          "allow_failing_checks": "--allow-failing-checks", "feature": "--feature", "where": "--where"}
#: The library's names for its parameters ("the crs parameter", "the layer and crs parameters"),
#: compiled when first used (by re's cache): most runs print no such message.
_PARAMETERS = r"the ((?:[a-z_]+, )*[a-z_]+(?: and [a-z_]+)?) parameters?( off)?"
#: "the datum parameter gcj02" reads "--datum gcj02"; the rest as above.


def _with_flags(text: str) -> str:
    """Name the command's options where the library named its parameters."""
    def replace(match: re.Match[str]) -> str:
        names = re.split(r", | and ", match.group(1))
        if not all(n in _FLAGS for n in names):
            return match.group(0)
        return ", ".join(_FLAGS[n] for n in names)
    return re.sub(_PARAMETERS, replace, text)


class InputError(click.ClickException):
    """Bad input: exit code 2, one line per problem."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.problems:
            click.echo(f"hetao: error: {_with_flags(line)}", err=True)


class Failure(click.ClickException):
    """A failed operation: exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"hetao: error: {_with_flags(self.message)}", err=True)


def _fail(exc: HetaoError) -> click.ClickException:
    if isinstance(exc, BoundaryError):
        return InputError(exc.problems)
    if isinstance(exc, NetworkError):       # the server is input too: exit 2
        return InputError([str(exc)])
    if isinstance(exc, InstalledFolderError):   # a folder of one's own is needed: exit 2
        return InputError([f"{exc.folder} is the boundaries folder inside the installed hetao package, "
                           "which hetao never changes: copy it to a folder of your own with "
                           "hetao copy-boundaries DIR, then export HETAO_BOUNDARIES=DIR (or give "
                           "--boundaries DIR)"])
    return InputError([str(exc)]) if isinstance(exc, ValueError) else Failure(str(exc))


def _verbosity() -> int:
    """-v minus -q, before the command and after it (0 by default)."""
    return int(click.get_current_context().find_root().obj.get("verbosity", 0))


def _say(text: str = "", **kwargs: Any) -> None:
    """Chatter (what was written, notes): silenced by -q; results are always printed."""
    if _verbosity() >= 0:
        click.echo(text, **kwargs)


def _level(verbosity: int) -> int:
    """The ``hetao`` logger's level for -v/-q: warnings by default."""
    return max(logging.DEBUG, min(logging.CRITICAL, logging.WARNING - 10 * verbosity))


def _more_or_less(ctx: click.Context, param: click.Parameter, value: int) -> None:
    """-v or -q given after the command: counted as if given before it."""
    if value:
        obj = ctx.find_root().obj
        obj["verbosity"] += value if param.name == "verbose" else -value
        logger.setLevel(_level(obj["verbosity"]))


class _Group(click.Group):
    """Its commands also take -v and -q after their name (``hetao areas -q``)."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params += [
            click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_more_or_less,
                         help="Say more: what hetao does (repeat for details)."),
            click.Option(["-q", "--quiet"], count=True, expose_value=False, callback=_more_or_less,
                         help="Say less: results and errors only."),
        ]
        super().add_command(cmd, name)


def _print_warnings(ctx: click.Context) -> None:
    """Until the command ends, print each of hetao's warnings once, as ``hetao: <text>`` on
    standard error (not under -q); other warnings as Python prints them."""
    shown: set[str] = set()
    original = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if not issubclass(category, HetaoWarning):
            original(message, category, filename, lineno, file, line)
        elif str(message) not in shown and _verbosity() >= 0:
            shown.add(str(message))
            click.echo(f"hetao: {message}", err=True)

    ctx.with_resource(warnings.catch_warnings())
    warnings.simplefilter("always", HetaoWarning)     # once each, counted here
    warnings.showwarning = show


boundaries_option = click.option(
    "--boundaries", "boundaries", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Boundaries folder (default: $HETAO_BOUNDARIES, else the shipped boundaries).")


def _load(boundaries: Path | None) -> tuple[Zone, list[Measurement]]:
    import hetao
    try:
        zone = hetao.load(boundaries)
        return zone, hetao.measure(zone)
    except HetaoError as exc:
        raise _fail(exc) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="hetao")
@click.option("-v", "--verbose", count=True, help="Say more: what hetao does (repeat for details).")
@click.option("-q", "--quiet", count=True, help="Say less: results and errors only.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """An honest, checkable map of the Hetao Shenzhen-Hong Kong S&T Innovation Cooperation Zone."""
    verbosity = verbose - quiet
    ctx.obj = {"verbosity": verbosity}
    level = _level(verbosity)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("hetao: %(message)s"))
    previous = logger.level
    logger.setLevel(level)
    logger.addHandler(handler)

    def restore() -> None:      # leave the logger as it was (the CLI may run in-process)
        logger.removeHandler(handler)
        logger.setLevel(previous)

    ctx.call_on_close(restore)
    _print_warnings(ctx)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (click's test runner swaps it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


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
    import hetao
    _, measurements = _load(boundaries)
    render = {"table": hetao.to_table, "json": hetao.to_json, "csv": hetao.to_csv}[fmt]
    click.echo(render(measurements), nl=False)


@cli.command()
@boundaries_option
def check(boundaries: Path | None) -> None:
    """Check the zone: stated figures, overlap and gap of the sides, parts and points.

    Exits 1 when a check fails. With -q, prints only the checks that fail.

    \b
    Example:
        hetao check --boundaries my-boundaries/
    """
    import hetao
    zone, measurements = _load(boundaries)
    results = hetao.check(zone, measurements)
    for r in results:
        if not r.ok or _verbosity() >= 0:
            click.echo(f"{'ok  ' if r.ok else 'FAIL'}  {r.name}: {r.detail}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise Failure(f"{len(failed)} of {len(results)} checks failed")


@cli.command()
@boundaries_option
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
              show_default=True, help="Folder to write the outputs into (relative to the current folder).")
@click.option("--open", "open_map", is_flag=True, help="Open the map in the default browser.")
@click.option("--cdn", is_flag=True, help="Link Leaflet and plugins from CDNs instead of inlining them.")
@click.option("--crs", help="Also write the GeoPackage and CSV in this CRS, e.g. EPSG:2326 "
              "(as hetao.epsg2326.gpkg and hetao.epsg2326.csv).")
@click.option("--pdf", is_flag=True, help="Also write a one-page A4 fact sheet (hetao.pdf; a few seconds more).")
def build(boundaries: Path | None, out: Path, open_map: bool, cdn: bool, crs: str | None, pdf: bool) -> None:
    """Build the map (hetao.html), hetao.geojson, areas.csv, a figure (hetao.png), a
    GeoPackage (hetao.gpkg), KML (hetao.kml) and a CSV with coordinates (hetao.csv).

    The map is self-contained: it renders with no network; only basemap tiles are fetched.

    \b
    Example:
        hetao build --out site/ --open
        hetao build --crs EPSG:2326 --pdf
    """
    import hetao
    zone, measurements = _load(boundaries)
    try:     # the figures drawn in a child process that dies with this one, the map meanwhile
        paths = hetao.build(zone, out, measurements=measurements, offline=not cdn, figure_in_child=True,
                            crs=crs, pdf=pdf)
    except HetaoError as exc:
        raise _fail(exc) from None
    for path in paths:
        _say(f"wrote {path} ({path.stat().st_size:,} bytes)")
    if open_map:
        import webbrowser
        page = (out / "hetao.html").resolve()
        if not webbrowser.open(page.as_uri()):      # every output was written: a warning
            click.echo(f"hetao: no browser could be started; open {page} by hand", err=True)


def _print_swap(result: SwapResult) -> None:
    for note in result.notes:
        _say(_with_flags(f"note: {note}"))
    click.echo(result.diff.table(), nl=False)
    import hetao
    shown = [result.measurement] if result.measurement is not None else []
    for m in shown + result.rebuilt:
        if isinstance(m, hetao.AreaMeasurement):
            click.echo(f"{m.id} now measures {m.geodesic_area_m2 / 1e4:,.2f} ha "
                       f"± {m.uncertainty_m2 / 1e4:,.2f} ha")
        for c in m.comparisons:
            f = c.figure
            diff = "" if c.difference_ha is None else f": {c.difference_ha:+,.2f} ha ({c.difference_pct:+.1f} %)"
            click.echo(f"  stated {f.value:,g} {f.unit} ({f.source}){diff} {c.status}")


@cli.command()
@click.argument("feature_id")
@click.argument("file", type=click.Path(dir_okay=True))     # a str: keeps zip://…!… as written
@boundaries_option
@click.option("--crs", help="CRS of FILE when the file has none, e.g. EPSG:2326.")
@click.option("--layer", help="Layer of FILE to read (GeoPackage, KML with several layers).")
@click.option("--feature", "pick", metavar="ID",
              help="Read only FILE's feature with this id (e.g. from hetao.geojson: --feature hong-kong-park).")
@click.option("--where", metavar="KEY=VALUE", help="Read only FILE's features whose property KEY is VALUE.")
@click.option("--source", help="Where the new geometry comes from (required).")
@click.option("--licence", help="Its licence (required).")
@click.option("--accuracy", type=float, help="Its positional accuracy in metres (required).")
@click.option("--approximate", is_flag=True, help="Mark the new geometry as approximate.")
@click.option("--explanation", help="Why measured and stated still differ (replaces the old explanation).")
@click.option("--keep-explanation", is_flag=True, help="Keep the previous explanation.")
@click.option("--allow-overlap", is_flag=True, help="Swap in a geometry that overlaps the other side.")
@click.option("--allow-failing-checks", is_flag=True,
              help="Swap in a geometry that makes a geometric check (hetao check) fail that passed before.")
@click.option("--datum", type=click.Choice(["gcj02", "bd09"]),
              help="FILE's lon/lat come from a Chinese web map: convert from GCJ-02 or BD-09.")
@click.option("--dry-run", is_flag=True, help="Check, measure and compare; write nothing.")
def swap(feature_id: str, file: Path, boundaries: Path | None, crs: str | None,
         layer: str | None, pick: str | None, where: str | None, source: str | None, licence: str | None, accuracy: float | None,
         approximate: bool, explanation: str | None, keep_explanation: bool, allow_overlap: bool,
         allow_failing_checks: bool, datum: str | None, dry_run: bool) -> None:
    """Replace a feature's geometry with FILE (GeoJSON, Shapefile, GeoPackage, KML, FlatGeobuf).

    The previous version is kept in the boundaries folder's history/, so hetao undo
    restores it exactly. Prints what changed and the new area check; rebuilds nothing.

    \b
    Example:
        hetao swap hong-kong-park loop_survey.shp --crs EPSG:2326 \\
            --source "Lands Department survey 2026" --licence "HK Gov open data" --accuracy 0.5
    """
    import hetao
    try:
        result = hetao.swap(feature_id, file, boundaries=boundaries, crs=crs, layer=layer,
                            feature=pick, where=where, source=source, licence=licence, accuracy=accuracy,
                            approximate=approximate, explanation=explanation,
                            keep_explanation=keep_explanation, allow_overlap=allow_overlap,
                            allow_failing_checks=allow_failing_checks, datum=datum, dry_run=dry_run)
    except HetaoError as exc:
        raise _fail(exc) from None
    _print_swap(result)
    if dry_run:
        _say("dry run: nothing written")
        return
    for path in result.written:
        _say(f"wrote {path}")
    _say(f"kept the previous version in {result.history}; undo with: {_undo_command(feature_id, boundaries)}")
    _say("the map was not rebuilt: run hetao build")


@cli.command()
@click.argument("feature_id")
@boundaries_option
def undo(feature_id: str, boundaries: Path | None) -> None:
    """Restore FEATURE_ID as it was before its last hetao swap.

    \b
    Example:
        hetao undo hong-kong-park
    """
    import hetao
    try:
        restored = hetao.undo(feature_id, boundaries=boundaries)
    except HetaoError as exc:
        raise _fail(exc) from None
    for path in restored:
        _say(f"restored {path}")


@cli.command("copy-boundaries")
@click.argument("folder", type=click.Path(path_type=Path))
def copy_boundaries(folder: Path) -> None:
    """Copy the shipped boundaries into FOLDER (new or empty): a folder of your own.

    swap, undo and refresh --apply never write into an installed package; they work on
    a folder of your own, named by HETAO_BOUNDARIES (for every command) or --boundaries.

    \b
    Example:
        hetao copy-boundaries ~/hetao-boundaries
        export HETAO_BOUNDARIES=~/hetao-boundaries
    """
    import shlex

    import hetao
    try:
        written = hetao.copy_boundaries(folder)
    except HetaoError as exc:
        raise _fail(exc) from None
    _say(f"copied the shipped boundaries ({len(written)} files) to {folder}")
    click.echo(f"use it for every command: export HETAO_BOUNDARIES={shlex.quote(str(folder.resolve()))} "
               f"(or give --boundaries {shlex.quote(str(folder))})")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--previous", "feature_id", metavar="FEATURE_ID",
              help="Compare FEATURE_ID with its version before the last hetao swap (no OLD NEW).")
@boundaries_option
@click.option("--crs", help="CRS of files that have none, e.g. EPSG:2326 (both files).")
@click.option("--layer", help="Layer to read from files with several (GeoPackage, KML; both files).")
@click.option("--old-crs", help="CRS of OLD alone (instead of --crs).")
@click.option("--new-crs", help="CRS of NEW alone (instead of --crs).")
@click.option("--old-layer", help="Layer of OLD alone (instead of --layer).")
@click.option("--new-layer", help="Layer of NEW alone (instead of --layer).")
@click.option("--feature", "pick", metavar="ID",
              help="Compare only the feature with this id of files that hold several (e.g. hetao.geojson).")
@click.option("--where", metavar="KEY=VALUE", help="Compare only the features whose property KEY is VALUE.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--map", "map_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a map of old, new, gained and lost to this HTML file.")
@click.option("--cdn", is_flag=True, help="With --map: link assets from CDNs instead of inlining them.")
def diff(paths: tuple[Path, ...], feature_id: str | None, boundaries: Path | None, crs: str | None,
         layer: str | None, fmt: str, map_file: Path | None, cdn: bool, **reading: str | None) -> None:
    """Show what changed between OLD and NEW (two boundaries folders, or two files).

    With --previous FEATURE_ID instead: what the last hetao swap of that feature changed.

    \b
    Example:
        hetao diff boundaries-2025/ boundaries/ --format json
        hetao diff --previous hong-kong-park --map output/diff.html
        hetao diff output/hetao.geojson survey.dxf --new-crs EPSG:2326 --feature hong-kong-park
    """
    import hetao
    if feature_id is not None and paths:
        raise click.UsageError("give OLD NEW, or --previous FEATURE_ID, not both")
    if feature_id is None and len(paths) != 2:
        raise click.UsageError("give two folders or two files (OLD NEW), or --previous FEATURE_ID")
    if feature_id is not None and (crs or layer or any(reading.values())):
        raise click.UsageError("--crs and --layer are for OLD NEW files, not --previous (as are "
                               "--old-crs, --new-crs, --old-layer, --new-layer, --feature and --where)")
    sides = {side: {key: reading[f"{side}_{key}"] for key in ("crs", "layer") if reading[f"{side}_{key}"]}
             for side in ("old", "new")}
    if feature_id is None and boundaries is not None:
        raise click.UsageError("--boundaries goes with --previous FEATURE_ID")
    try:
        if feature_id is not None:
            result = hetao.diff_previous(feature_id, boundaries=boundaries)
        else:
            result = hetao.diff(*paths, crs=crs, layer=layer, feature=reading["pick"],
                                where=reading["where"], old_options=sides["old"], new_options=sides["new"])
        if fmt == "json":
            click.echo(json.dumps(result.records(), ensure_ascii=False, indent=2))
        else:
            click.echo(result.table(), nl=False)
        if map_file is not None:
            hetao.DiffMap(result, offline=not cdn).save(map_file)
            if fmt == "json":
                _say(f"wrote {map_file}", err=True)
            else:
                _say(f"wrote {map_file}")
    except HetaoError as exc:
        raise _fail(exc) from None


@cli.command()
@click.argument("line_ids", nargs=-1, metavar="[LINE_ID]...")
@boundaries_option
@click.option("--endpoint", metavar="URL", help="Overpass API interpreter URL (default: "
              "$HETAO_OVERPASS_URL, else https://overpass-api.de/api/interpreter).")
@click.option("--apply", "apply_", is_flag=True,
              help="Swap the changed lines in, in one commit (hetao undo LINE_ID takes them back).")
@click.option("--osm", "osm", metavar="ELEMENTS",
              help="With one LINE_ID: the OSM ways/relations it copies from now on, e.g. way/1,way/2.")
@click.option("--accuracy", type=float, help="Positional accuracy (m) of the refreshed lines "
              "(default: each line's declared accuracy).")
@click.option("--allow-overlap", is_flag=True, help="Accept lines that make the sides overlap.")
@click.option("--allow-failing-checks", is_flag=True,
              help="Accept lines that make a geometric check (hetao check) fail that passed before.")
@click.option("--find", "find_name", metavar="NAME", help="List the OSM ways near the zone named NAME "
              "(e.g. 绒花路) instead; nothing is fetched for the lines.")
@click.option("--near", metavar="LINE_ID", help="With --find: measure distances to this line "
              "(default: the nearest approximate line).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds to wait for the server's answer (default 60).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def refresh(line_ids: tuple[str, ...], boundaries: Path | None, endpoint: str | None, apply_: bool,
            osm: str | None, accuracy: float | None, allow_overlap: bool, allow_failing_checks: bool,
            find_name: str | None, near: str | None, timeout: float | None, fmt: str) -> None:
    """Fetch the lines copied from OpenStreetMap again and show what moved.

    Every line whose manifest names OSM ways or relations is fetched from the Overpass API
    (or only LINE_IDs), cut as it is cut now, and the polygons it bounds rebuilt. Nothing
    is written without --apply; with it, the changed lines are swapped in as hetao swap
    does, in one commit (hetao undo LINE_ID restores them all). Needs pip install 'hetao[osm]'.

    \b
    Examples:
        hetao refresh
        hetao refresh binhe-boulevard --apply
        hetao refresh --find 绒花路
        hetao refresh ronghua-road-approximate --osm way/1,way/2 --accuracy 10 --apply
    """
    import hetao
    if find_name is not None:
        if line_ids or apply_ or osm or accuracy is not None:
            raise click.UsageError("--find lists ways; give no LINE_ID, --apply, --osm or --accuracy with it")
        try:
            found = hetao.find_osm_ways(find_name, boundaries=boundaries, endpoint=endpoint, near=near, timeout=timeout)
        except HetaoError as exc:
            raise _fail(exc) from None
        again = [*(["--boundaries", str(boundaries)] if boundaries else []),
                 *(["--endpoint", endpoint] if endpoint else [])]
        _print_found(find_name, found, fmt, again)
        return
    if near is not None:
        raise click.UsageError("--near goes with --find")
    if osm is not None and len(line_ids) != 1:
        raise click.UsageError("--osm names the elements of one line: give exactly one LINE_ID with it")
    try:
        elements = hetao.parse_element_ids(osm) if osm is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--osm") from None
    try:
        result = hetao.refresh(list(line_ids) or None, boundaries=boundaries, endpoint=endpoint,
                               apply=apply_, osm=elements, accuracy=accuracy,
                               allow_overlap=allow_overlap, allow_failing_checks=allow_failing_checks,
                               timeout=timeout)
    except HetaoError as exc:
        raise _fail(exc) from None
    _print_refresh(result, fmt, apply_, boundaries)


#: --find suggests copying the ways it found into a line they run this close to (m).
SUGGEST_WITHIN_M = 300.0


def _print_found(name: str, found: list[Found], fmt: str, options: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps([{
            "element": f.element.ref, "name": f.name, "class": f.feature_class,
            "length_m": round(f.length_m, 1), "version": f.element.version,
            "timestamp": f.element.timestamp, "near": f.near,
            "distance_m": None if f.distance_m is None else round(f.distance_m, 1)} for f in found],
            ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no way named {name} within 2 km of the zone")
        return
    click.echo(f"{len(found)} way{'s' if len(found) != 1 else ''} named {name} within 2 km of the zone:")
    for f in found:
        where = "" if f.distance_m is None else f", typically {f.distance_m:,.0f} m from {f.near}"
        click.echo(f"  {f.element.ref:<16} {f.name}  {f.feature_class or '-'}, {f.length_m:,.0f} m long{where}")
    close = [f for f in found if f.near and f.distance_m is not None and f.distance_m <= SUGGEST_WITHIN_M]
    near = close[0].near if close else None
    if near:
        import shlex
        refs = ",".join(f.element.ref for f in close)
        command = shlex.join(["hetao", "refresh", near, "--osm", refs, "--accuracy", "10", *options])
        _say(f"to see what copying them into {near} changes (add --apply to do it): {command}")


def _undo_command(feature_id: str, boundaries: Path | None) -> str:
    """The command that undoes a swap, with the folder it was made in."""
    import shlex
    return shlex.join(["hetao", "undo", feature_id, *(["--boundaries", str(boundaries)] if boundaries else [])])


def _print_refresh(result: RefreshResult, fmt: str, applied: bool, boundaries: Path | None = None) -> None:
    if fmt == "json":
        click.echo(json.dumps({
            "endpoint": result.endpoint,
            "lines": [{"id": ln.line_id, "changed": ln.changed,
                       "elements": [{"element": e.ref, "version": e.version, "timestamp": e.timestamp}
                                    for e in ln.elements],
                       "ends": [{"end": name, "moved_m": round(m, 3)} for name, m in ln.ends],
                       "notes": ln.notes} for ln in result.lines],
            "skipped": [{"id": i, "reason": r} for i, r in result.skipped],
            "diff": result.diff.records(),
            "applied": [str(s.history) for s in result.applied],
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(f"fetched from {result.endpoint}:")
        for ln in result.lines:
            what = ", ".join(e.label for e in ln.elements)
            click.echo(f"  {ln.line_id}: {what}: {'changed' if ln.changed else 'unchanged'}")
            for name, moved in ln.ends:
                click.echo(f"    cut at {name} (moved {moved:,.1f} m)")
            for note in ln.notes:
                click.echo(f"    {note}")
        for lid, reason in result.skipped:
            _say(f"  {lid}: skipped: {reason}")
        if result.diff.features:
            click.echo(result.diff.table(), nl=False)
    err = fmt == "json"         # keep standard output pure JSON
    if not result.changed:
        _say("nothing changed in OpenStreetMap: nothing to write", err=err)
    elif applied:
        for swap in result.applied:
            click.echo(f"swapped in {swap.feature_id}; undo with: {_undo_command(swap.feature_id, boundaries)}",
                       err=err)
        _say("the map was not rebuilt: run hetao build", err=err)
    else:
        _say("nothing written: give --apply to swap the changed lines in", err=err)


def main() -> None:
    """Entry point of the ``hetao`` console script."""
    try:
        cli(prog_name="hetao")
    finally:
        # The process ends here: its last garbage collection need not walk every object the
        # imports made (a few per cent of a short command's time).
        gc.freeze()
