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
import sys
from dataclasses import dataclass
from pathlib import Path

from .files import write_files_atomic
from .measurement import measure_zone
from .model import Measurement, Zone
from .report import to_csv, to_geojson

__all__ = ["OUTPUT_NAMES", "render_outputs", "build"]

logger = logging.getLogger(__name__)

#: The files :func:`build` writes, in the order it writes them.
OUTPUT_NAMES = ("hetao.html", "hetao.geojson", "areas.csv", "hetao.png")
HTML, GEOJSON, CSV, PNG = OUTPUT_NAMES

#: prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


@dataclass
class _FigureChild:
    """A forked child drawing ``hetao.png``: its process id and the read end of its pipe."""

    pid: int
    read: int

    @classmethod
    def start(cls, zone: Zone, measurements: list[Measurement],
              shown: dict | None) -> _FigureChild | None:
        """Fork a child that draws the figure and writes it into a pipe (Linux only; None
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
        logger.info("drawing the figure in a child process, the map here")
        pid = os.fork()
        if pid == 0:
            _draw_in_child(libc, parent, read, write, (zone, measurements, shown))
        os.close(write)
        return cls(pid, read)

    def result(self) -> bytes | None:
        """The child's PNG once it has finished, or None (then the figure is drawn here)."""
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 and data else None

    def stop(self) -> None:
        """Kill the child and reap it (the map failed: its figure is not needed)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.read)
        os.waitpid(self.pid, 0)


def _draw_in_child(libc: ctypes.CDLL, parent: int, read: int, write: int,
                   what: tuple[Zone, list[Measurement], dict | None]) -> None:
    """The forked child's whole life: draw the figure, write it into the pipe, exit."""
    code = 1
    try:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:                      # the parent died before that
            os._exit(1)
        os.close(read)
        from .figure import render_png
        zone, measurements, shown = what
        data = render_png(zone, measurements, shown=shown)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


def render_outputs(zone: Zone, measurements: list[Measurement] | None = None, *,
                   offline: bool = True, figure: bytes | None = None,
                   figure_in_child: bool = False) -> dict[str, bytes]:
    """Every output file's name and bytes; nothing is written.

    ``figure``: the PNG, if the caller drew it already. Unless ``figure_in_child``, this runs
    in the calling thread: no process or thread is started. With it (and no ``figure``), the
    figure is drawn in a forked child while the map is drawn here (Linux only; elsewhere, or
    if the child fails, the figure is drawn here afterwards).
    """
    from .display import display_geometries
    from .webmap import render_map

    measurements = measurements if measurements is not None else measure_zone(zone)
    shown = display_geometries(zone)
    child = _FigureChild.start(zone, measurements, shown) if figure_in_child and figure is None else None
    try:
        logger.info("drawing the map")
        html = render_map(zone, measurements, offline=offline, shown=shown).encode("utf-8")
    except BaseException:
        if child is not None:
            child.stop()
        raise
    if child is not None:
        figure = child.result()
    if figure is None:
        from .figure import render_png
        logger.info("drawing the figure")
        figure = render_png(zone, measurements, shown=shown)
    return {
        HTML: html,
        GEOJSON: to_geojson(measurements).encode("utf-8"),
        CSV: to_csv(measurements).encode("utf-8"),
        PNG: figure,
    }


def build(zone: Zone, out: Path | str = "output", *, measurements: list[Measurement] | None = None,
          offline: bool = True, figure: bytes | None = None,
          figure_in_child: bool = False) -> list[Path]:
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
        Draw the figure in a forked child process while this one draws the map (Linux only;
        the child is killed if this process dies). ``False`` (the default) draws both here,
        one after the other, starting no process or thread; ``hetao build`` asks for
        ``True``. Where no child can be started, or it fails, the figure is drawn here.

    Returns
    -------
    list of Path
        ``hetao.html``, ``hetao.geojson``, ``areas.csv`` and ``hetao.png`` in ``out``.

    Raises
    ------
    HetaoIOError
        If an output cannot be written. If rendering fails, nothing is written; each file
        is replaced atomically.

    Examples
    --------
    >>> import tempfile
    >>> from hetao.zone import load_zone
    >>> with tempfile.TemporaryDirectory() as out:
    ...     [p.name for p in build(load_zone(), out)]
    ['hetao.html', 'hetao.geojson', 'areas.csv', 'hetao.png']
    """
    files = render_outputs(zone, measurements, offline=offline, figure=figure,
                           figure_in_child=figure_in_child)
    targets = {Path(out) / name: data for name, data in files.items()}
    write_files_atomic(targets)
    return list(targets)
