"""``hetao build``: every output of the zone, prepared in memory and written atomically."""

from __future__ import annotations

from pathlib import Path

from .files import write_files_atomic
from .measurement import Measurement
from .report import to_csv, to_geojson
from .zone import Zone

__all__ = ["OUTPUT_NAMES", "render_outputs", "build"]

OUTPUT_NAMES = ("hetao.html", "hetao.geojson", "areas.csv", "hetao.png")


def render_outputs(zone: Zone, measurements: list[Measurement], *, offline: bool = True) -> dict[str, bytes]:
    """Every output file's name and bytes; nothing is written."""
    from .display import display_geometries
    from .figure import render_png
    from .webmap import render_map

    shown = display_geometries(zone)
    # The figure (matplotlib) and the map (folium) are independent and each mostly import
    # time: draw the figure in a forked process while this one makes the map.
    pool = _fork_pool()
    try:
        png = pool.submit(render_png, zone, measurements, shown=shown) if pool else None
        html = render_map(zone, measurements, offline=offline, shown=shown).encode("utf-8")
        files = {
            "hetao.html": html,
            "hetao.geojson": to_geojson(measurements).encode("utf-8"),
            "areas.csv": to_csv(measurements).encode("utf-8"),
            "hetao.png": png.result() if png else render_png(zone, measurements, shown=shown),
        }
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return files


def _fork_pool():
    """A one-process pool that forks (Linux), or None where forking is not the default."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    if not sys.platform.startswith("linux"):
        return None
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))


def build(zone: Zone, measurements: list[Measurement], out: Path, *, offline: bool = True) -> list[Path]:
    """Render every output, then write them all into ``out``; return the paths written.

    If rendering fails, nothing is written; each file is replaced atomically.
    """
    files = render_outputs(zone, measurements, offline=offline)
    targets = {Path(out) / name: data for name, data in files.items()}
    write_files_atomic(targets)
    return list(targets)
