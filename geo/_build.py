"""Every output of the zone, prepared in memory and written atomically.

The figure can be drawn in a forked child process while this process draws the map
(``figure_in_child``, Linux only): ``hetao build`` asks for it; library callers draw both
in the calling thread unless they ask too.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from .files import write_files_atomic
from .measurement import measure_zone
from .model import Measurement, Zone
from .report import to_csv, to_geojson
from .stamp import Stamp, version_stamp

__all__ = ["OUTPUT_NAMES", "PDF", "render_outputs", "build", "crs_names"]

logger = logging.getLogger(__name__)

#: The files :func:`build` writes, in the order it writes them (the fact sheet,
#: :data:`PDF`, and the files in another CRS, :func:`crs_names`, only when asked for).
OUTPUT_NAMES = ("hetao.html", "hetao.geojson", "areas.csv", "hetao.png", "hetao.gpkg", "hetao.kml", "hetao.csv")
HTML, GEOJSON, CSV, PNG, GPKG, KML, FEATURES_CSV = OUTPUT_NAMES
#: The one-page fact sheet (``build(..., pdf=True)``, ``hetao build --pdf``).
PDF = "hetao.pdf"

#: prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def crs_names(crs: str) -> tuple[str, str]:
    """The GeoPackage and the CSV written in ``crs`` (``hetao.epsg2326.gpkg``, ``hetao.epsg2326.csv``).

    Raises
    ------
    BoundaryError
        If ``crs`` is not a CRS pyproj knows.

    Examples
    --------
    >>> crs_names("EPSG:2326")
    ('hetao.epsg2326.gpkg', 'hetao.epsg2326.csv')
    """
    from .exchange import crs_suffix

    suffix = crs_suffix(crs)
    return f"hetao.{suffix}.gpkg", f"hetao.{suffix}.csv"


@dataclass(frozen=True)
class _Drawing:
    """What the figures are drawn from: the zone, its measurements, the display geometries,
    the version stamp, and whether the fact sheet is wanted."""

    zone: Zone
    measurements: list[Measurement]
    shown: dict
    stamp: str
    pdf: bool
    png: bytes | None = None

    def figures(self) -> tuple[bytes, bytes | None]:
        """The PNG (unless given) and the fact sheet (if wanted), drawn here."""
        from .figure import render_pdf, render_png

        png = self.png
        if png is None:
            logger.info("drawing the figure")
            png = render_png(self.zone, self.measurements, shown=self.shown, stamp=self.stamp)
        if not self.pdf:
            return png, None
        logger.info("drawing the fact sheet")
        return png, render_pdf(self.zone, self.measurements, stamp=self.stamp, shown=self.shown)


@dataclass
class _FigureChild:
    """A forked child drawing ``hetao.png`` (and the fact sheet): its process id and the
    read end of its pipe."""

    pid: int
    read: int

    @classmethod
    def start(cls, drawing: _Drawing) -> _FigureChild | None:
        """Fork a child that draws the figures and writes them into a pipe (Linux only; None
        elsewhere, or when no pipe can be made).

        The child asks the kernel to kill it when this process dies (``PR_SET_PDEATHSIG``
        with ``SIGKILL``), so a stopped or killed build leaves nothing behind.
        """
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            read, write = os.pipe()
        except OSError:
            return None
        parent = os.getpid()
        logger.info("drawing the figures in a child process, the map here")
        pid = os.fork()
        if pid == 0:
            _draw_in_child(libc, parent, read, write, drawing)
        os.close(write)
        return cls(pid, read)

    def result(self) -> tuple[bytes, bytes | None] | None:
        """The child's PNG and fact sheet once it has finished, or None (then they are drawn
        here)."""
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or len(data) < 16:
            return None
        png_size, pdf_size = struct.unpack("<QQ", data[:16])
        if 16 + png_size + pdf_size != len(data) or not png_size:
            return None
        return data[16:16 + png_size], data[16 + png_size:] if pdf_size else None

    def stop(self) -> None:
        """Kill the child and reap it (the map failed: its figure is not needed)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.read)
        os.waitpid(self.pid, 0)


def _draw_in_child(libc: ctypes.CDLL, parent: int, read: int, write: int, drawing: _Drawing) -> None:
    """The forked child's whole life: draw the figures, write them into the pipe (the two
    sizes, then the bytes), exit."""
    code = 1
    try:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:                      # the parent died before that
            os._exit(1)
        os.close(read)
        png, pdf = drawing.figures()
        with os.fdopen(write, "wb") as pipe:
            pipe.write(struct.pack("<QQ", len(png), len(pdf or b"")) + png + (pdf or b""))
        code = 0
    finally:
        os._exit(code)


def _exchange(zone: Zone, measurements: list[Measurement], stamp: Stamp, crs: str | None) -> dict[str, bytes]:
    """The GeoPackage, KML and CSV in WGS84, and the GeoPackage and CSV in ``crs`` if given."""
    from .exchange import make_tables, render_csv, render_gpkg, render_kml

    logger.info("writing the GeoPackage, KML and CSV")
    tables = make_tables(zone, measurements, stamp)
    files = {GPKG: render_gpkg(tables), KML: render_kml(tables, measurements), FEATURES_CSV: render_csv(tables)}
    if crs is not None:
        gpkg, csv = crs_names(crs)
        grid = make_tables(zone, measurements, stamp, crs)
        files |= {gpkg: render_gpkg(grid), csv: render_csv(grid)}
    return files


def render_outputs(zone: Zone, measurements: list[Measurement] | None = None, *,
                   offline: bool = True, figure: bytes | None = None,
                   figure_in_child: bool = False, crs: str | None = None,
                   pdf: bool = False) -> dict[str, bytes]:
    """Every output file's name and bytes; nothing is written.

    ``figure``: the PNG, if the caller drew it already. Unless ``figure_in_child``, this runs
    in the calling thread: no process or thread is started. With it, the figures (the PNG
    unless given, and the fact sheet if ``pdf``) are drawn in a forked child while the map
    and the other files are made here (Linux only; elsewhere, or if the child fails, the
    figures are drawn here afterwards). ``crs``: also the GeoPackage and CSV in that CRS
    (:func:`crs_names`). ``pdf``: also the one-page fact sheet (:data:`PDF`).
    """
    from .display import display_geometries
    from .webmap import render_map

    if crs is not None:
        crs_names(crs)                    # a bad CRS fails before anything is drawn
    measurements = measurements if measurements is not None else measure_zone(zone)
    stamp = version_stamp(zone)
    drawing = _Drawing(zone, measurements, display_geometries(zone), str(stamp), pdf, figure)
    wanted = figure_in_child and (figure is None or pdf)
    child = _FigureChild.start(drawing) if wanted else None
    try:
        logger.info("drawing the map")
        html = render_map(zone, measurements, offline=offline, shown=drawing.shown, stamp=str(stamp)).encode("utf-8")
        files = {HTML: html, GEOJSON: to_geojson(measurements, lines=zone.lines, stamp=str(stamp)).encode("utf-8"),
                 CSV: ("\ufeff" + to_csv(measurements, stamp=str(stamp))).encode("utf-8")}
        files |= _exchange(zone, measurements, stamp, crs)
    except BaseException:
        if child is not None:
            child.stop()
        raise
    drawn = child.result() if child is not None else None
    png, sheet = drawn if drawn is not None else drawing.figures()
    files = {HTML: files.pop(HTML), GEOJSON: files.pop(GEOJSON), CSV: files.pop(CSV), PNG: png, **files}
    return files | ({PDF: sheet} if sheet is not None else {})


def build(zone: Zone, out: Path | str = "output", *, measurements: list[Measurement] | None = None,
          offline: bool = True, figure: bytes | None = None,
          figure_in_child: bool = False, crs: str | None = None, pdf: bool = False) -> list[Path]:
    """Render every output, then write them all into ``out``; return the paths written.

    Parameters
    ----------
    zone : Zone
        What to draw and measure.
    out : path
        The folder to write into (created if needed); ``output`` in the current folder by
        default.
    measurements : list of Measurement, optional
        The zone's measurements, if already made.
    offline : bool
        Inline every asset into the map (default); ``False`` links CDN copies.
    figure : bytes, optional
        ``hetao.png`` drawn already by the caller (else it is drawn here).
    figure_in_child : bool
        Draw the figures in a forked child process while this one draws the map (Linux only;
        the child is killed if this process dies). ``False`` (the default) draws them here,
        one after the other, starting no process or thread; ``hetao build`` asks for
        ``True``. Where no child can be started, or it fails, the figures are drawn here.
    crs : str, optional
        Also write the GeoPackage and the CSV with coordinates in this CRS (e.g.
        ``EPSG:2326``, HK1980 Grid), as ``hetao.epsg2326.gpkg`` and ``hetao.epsg2326.csv``.
    pdf : bool
        Also write the one-page A4 fact sheet ``hetao.pdf`` (it takes a few seconds: its
        fonts are embedded).

    Returns
    -------
    list of Path
        The files of :data:`OUTPUT_NAMES` in ``out``, then ``hetao.pdf`` and the files in
        ``crs`` when asked for.

    Raises
    ------
    BoundaryError
        If ``crs`` is not a CRS hetao knows.
    HetaoIOError
        If an output cannot be written. If rendering fails, nothing is written; each file
        is replaced atomically.

    Examples
    --------
    >>> import tempfile
    >>> from hetao.zone import load_zone
    >>> with tempfile.TemporaryDirectory() as out:
    ...     [p.name for p in build(load_zone(), out)]
    ['hetao.html', 'hetao.geojson', 'areas.csv', 'hetao.png', 'hetao.gpkg', 'hetao.kml', 'hetao.csv']
    """
    files = render_outputs(zone, measurements, offline=offline, figure=figure,
                           figure_in_child=figure_in_child, crs=crs, pdf=pdf)
    targets = {Path(out) / name: data for name, data in files.items()}
    write_files_atomic(targets)
    return list(targets)
