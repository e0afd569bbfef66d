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
    from .figure import render_png
    from .webmap import render_map

    return {
        "hetao.html": render_map(zone, measurements, offline=offline).encode("utf-8"),
        "hetao.geojson": to_geojson(measurements).encode("utf-8"),
        "areas.csv": to_csv(measurements).encode("utf-8"),
        "hetao.png": render_png(zone, measurements),
    }


def build(zone: Zone, measurements: list[Measurement], out: Path, *, offline: bool = True) -> list[Path]:
    """Render every output, then write them all into ``out``; return the paths written.

    If rendering fails, nothing is written; each file is replaced atomically.
    """
    files = render_outputs(zone, measurements, offline=offline)
    targets = {Path(out) / name: data for name, data in files.items()}
    write_files_atomic(targets)
    return list(targets)
