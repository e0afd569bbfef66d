"""Every output of the zone, prepared in memory and written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

from .files import write_files_atomic
from .measurement import measure_zone
from .model import Measurement, Zone
from .report import to_csv, to_geojson

__all__ = ["OUTPUT_NAMES", "render_outputs", "build"]

logger = logging.getLogger(__name__)

OUTPUT_NAMES = ("hetao.html", "hetao.geojson", "areas.csv", "hetao.png")


def render_outputs(zone: Zone, measurements: list[Measurement] | None = None, *,
                   offline: bool = True, figure: bytes | None = None) -> dict[str, bytes]:
    """Every output file's name and bytes; nothing is written.

    Runs in the calling thread: no process or thread is started. ``figure``: the PNG, if the
    caller drew it already (the CLI draws it in parallel).
    """
    from .display import display_geometries
    from .figure import render_png
    from .webmap import render_map

    measurements = measurements if measurements is not None else measure_zone(zone)
    shown = display_geometries(zone)
    logger.info("drawing the map")
    html = render_map(zone, measurements, offline=offline, shown=shown).encode("utf-8")
    if figure is None:
        logger.info("drawing the figure")
    png = figure if figure is not None else render_png(zone, measurements, shown=shown)
    return {
        "hetao.html": html,
        "hetao.geojson": to_geojson(measurements).encode("utf-8"),
        "areas.csv": to_csv(measurements).encode("utf-8"),
        "hetao.png": png,
    }


def build(zone: Zone, out: Path | str = "output", *, measurements: list[Measurement] | None = None,
          offline: bool = True, figure: bytes | None = None) -> list[Path]:
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
    files = render_outputs(zone, measurements, offline=offline, figure=figure)
    targets = {Path(out) / name: data for name, data in files.items()}
    write_files_atomic(targets)
    return list(targets)
