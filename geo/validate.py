"""Checks that need more than one file of a boundaries folder.

Each geometry file is checked on its own as it is read (:mod:`hetao.geojson`); what can
only be seen by comparing files is checked here, after everything is read and before
anything is assembled: a zone polygon that sits off the HK-Shenzhen river by a Chinese
web-map datum's offset (:func:`datum_problem`), found against the border line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import Problem
from .geodesy import ZONE_CENTRE, metres_per_degree
from .model import ContextLayer, Line

__all__ = ["BORDER_LAYER", "DATUM_OFFSETS", "RIVER_BAND_M", "border_line", "datum_problem", "cross_file"]

logger = logging.getLogger(__name__)

#: The line (or context layer) holding the HK-Shenzhen border, used to spot datum-shifted geometry.
BORDER_LAYER = "hk-sz-border"
#: How far the Chinese web-map datums sit from WGS84 at the zone (datum minus WGS84, in
#: degrees of lon, lat), the mean over the converted reference points in shared/data.
DATUM_OFFSETS = {
    "GCJ-02 (Amap/Gaode, Tencent)": (0.00510, -0.00273),
    "BD-09 (Baidu)": (0.01166, 0.00296),
}


def border_line(lines: Mapping[str, Line], context: list[ContextLayer] | tuple[ContextLayer, ...]
                ) -> BaseGeometry | None:
    """The HK-Shenzhen border: a line of the folder, or a context layer; ``None`` if neither."""
    if BORDER_LAYER in lines:
        return lines[BORDER_LAYER].geometry
    return next((c.geometry for c in context if c.spec.id == BORDER_LAYER), None)


def cross_file(polygons: Mapping[str, tuple[BaseGeometry, Path | None]],
               border: BaseGeometry | None) -> list[Problem]:
    """Every problem found by comparing the folder's files: each polygon read from a file
    (``polygons``: id -> geometry and file) against the border line.

    Polygons only: every zone polygon runs along the river, a road line need not.
    """
    if border is None:
        return []
    problems = []
    for feature_id, (geometry, path) in polygons.items():
        message = datum_problem(geometry, border)
        if message:
            problems.append(Problem(path, feature_id, message))
    return problems


#: A vertex within this distance (m) of the border line lies along the river: on the centre
#: line, or traced along a bank (the half-channel is 50-130 m wide here).
RIVER_BAND_M = 150.0
#: The offsets tried when a geometry sits off the river: every SEARCH_STEP_M within SEARCH_M.
_SEARCH_M, _SEARCH_STEP_M = 1400.0, 40.0
#: How close (m) the best-fitting offset must come to a Chinese datum's to be named as it.
_DATUM_MATCH_M = 250.0


def datum_problem(geometry: BaseGeometry, border: BaseGeometry) -> str | None:
    """Say so when a geometry sits off the HK-Shenzhen river by a Chinese web-map datum's offset.

    A zone polygon runs along the river (its centre line, the border, or a bank). When moving
    it back by a datum's offset brings clearly more of its vertices to the river than there
    are as it is (a fifth of them, at least three), hetao estimates the offset that best fits
    the geometry to the river:
    the shift that brings the most vertices within :data:`RIVER_BAND_M` of the border line,
    tried every 40 m within 1.4 km. If that many vertices fit, and the offset is close to
    GCJ-02's or BD-09's here, the coordinates are taken to be in that datum.

    Returns the message, or ``None``.
    """
    coords = shapely.get_coordinates(geometry)
    if len(coords) < 3:
        return None
    if len(coords) > 200:   # a large outline: an even sample says the same
        coords = coords[np.linspace(0, len(coords) - 1, 200).astype(int)]
    scale = np.array(metres_per_degree(ZONE_CENTRE[1]))
    origin = np.array(ZONE_CENTRE)
    local = (coords - origin) * scale
    border_m = shapely.transform(border, lambda c: (c - origin) * scale)
    band = shapely.buffer(border_m, RIVER_BAND_M)
    shapely.prepare(band)
    n = len(local)

    def fitting(dx: float, dy: float) -> int:
        return int(shapely.contains_xy(band, local[:, 0] + dx, local[:, 1] + dy).sum())

    along = fitting(0.0, 0.0)

    def much_better(count: int) -> bool:
        """Whether ``count`` vertices along the river is clearly more than as it is."""
        return count >= max(3.0, 0.2 * n) + along

    # Quick look first: does removing either datum's offset fit much better than nothing?
    # (An outline with half its vertices along the river as it is may still be shifted: one
    # traced along the bank, moved by GCJ-02's offset along the river, keeps some there.)
    if not any(much_better(fitting(*(-np.array(offset) * scale))) for offset in DATUM_OFFSETS.values()):
        return None
    steps = np.arange(-_SEARCH_M, _SEARCH_M + 1, _SEARCH_STEP_M)
    ox, oy = np.meshgrid(steps, steps)
    offsets = np.column_stack([ox.ravel(), oy.ravel()])
    xs = local[:, 0][None, :] + offsets[:, 0][:, None]
    ys = local[:, 1][None, :] + offsets[:, 1][:, None]
    counts = shapely.contains_xy(band, xs, ys).sum(axis=1)
    best = int(counts.max())
    if not much_better(best):
        return None                                 # no shift fits much better than none
    # The offsets that fit (nearly) as well form a band across the river: take its middle.
    fit = offsets[counts >= 0.9 * best].mean(axis=0)
    removed = -fit                                  # the offset the coordinates carry
    for name, (dx, dy) in DATUM_OFFSETS.items():
        datum_m = np.array([dx, dy]) * scale
        gap = float(np.hypot(*(removed - datum_m)))
        logger.debug("datum check, %s: best-fitting offset (%.0f, %.0f) m, %.0f m from its "
                     "(%.0f, %.0f) m; %d of %d vertices fit", name, *removed, gap, *datum_m, best, n)
        if gap <= _DATUM_MATCH_M:
            metres = float(np.hypot(*removed))
            return (f"geometry sits about {metres:,.0f} m off the HK-Shenzhen river, yet {best} of "
                    f"its {n} vertices run along it once moved back by the offset that fits best "
                    f"({removed[0]:+,.0f} m east, {removed[1]:+,.0f} m north), {gap:,.0f} m from the "
                    f"{name} offset here: the coordinates look like {name.split()[0]}, not WGS84; "
                    f"convert them to WGS84 (swap does, given the datum parameter "
                    f"{'gcj02' if name.startswith('GCJ') else 'bd09'})")
    return None
