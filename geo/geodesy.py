"""The one home of hetao's geodesy: the ellipsoid, the local projection, transformers,
distances in metres, metres per degree, and where the zone is.

Everything here is WGS84 lon/lat in, metres out; axis order is always x/easting/longitude
first (``always_xy=True``), whatever a CRS declares.

Examples
--------
>>> round(point_distance_m((114.0, 22.5), (114.001, 22.5)), 1)
102.9
>>> [round(m) for m in metres_per_degree(ZONE_CENTRE[1])]
[102885, 110737]
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import shapely
from pyproj import Geod, Transformer

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "GEOD", "LOCAL_CRS", "PIPELINES", "COORDINATE_DECIMALS", "ZONE_CENTRE", "MAX_DISTANCE_KM",
    "MAX_METRES_PER_DEGREE",
    "to_crs", "distance_m", "point_distance_m", "metres_per_degree", "km_from_zone",
]

logger = logging.getLogger(__name__)

#: The WGS84 ellipsoid: every geodesic area, length and distance hetao gives.
GEOD = Geod(ellps="WGS84")
#: Roughly the middle of the zone (lon, lat): Huanggang / the Lok Ma Chau Loop.
ZONE_CENTRE = (114.066, 22.515)
#: An azimuthal equidistant projection centred on the zone, for distances in metres.
LOCAL_CRS = "+proj=aeqd +lat_0=22.515 +lon_0=114.066 +datum=WGS84 +units=m +no_defs"
#: A zone feature farther than this from :data:`ZONE_CENTRE` is in the wrong place.
MAX_DISTANCE_KM = 25.0
#: Decimals a coordinate keeps when hetao writes it (OpenStreetMap's own precision, about
#: 1 cm): the shipped files, refreshed lines and every output.
COORDINATE_DECIMALS = 7
#: Metres per degree, at most, anywhere on the ellipsoid (a meridian degree at the poles):
#: a lon/lat tolerance of ``t / MAX_METRES_PER_DEGREE`` is at most ``t`` metres.
MAX_METRES_PER_DEGREE = 111_700.0

#: PROJ has no transformation between WGS84 and CGCS2000 (they agree to centimetres) and
#: spends ~90 ms finding that out, then uses the identity ("ballpark"). Starting from
#: CGCS2000's own lon/lat gives the very same pipeline at once (tests check it).
_SAME_PIPELINE = {("EPSG:4326", "EPSG:4547"): "EPSG:4490"}
#: The PROJ pipelines hetao uses on every run, as ``Transformer.from_crs(source, target,
#: always_xy=True).definition`` resolves them: built from these strings, a transformer costs
#: a fraction of a millisecond instead of a look-up in PROJ's database (10-20 ms each). A
#: test keeps them equal to what PROJ resolves, so they never drift from it.
PIPELINES = {
    ("EPSG:4326", "EPSG:2326"): (
        "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=push v_3 step proj=cart "
        "ellps=WGS84 step inv proj=helmert x=-162.619 y=-276.959 z=-161.764 rx=-0.067753 ry=2.243648 "
        "rz=1.158828 s=-1.094246 convention=coordinate_frame step inv proj=cart ellps=intl step proj=pop "
        "v_3 step proj=tmerc lat_0=22.3121333333333 lon_0=114.178555555556 k=1 x_0=836694.05 "
        "y_0=819069.8 ellps=intl"),
    ("EPSG:4326", "EPSG:4547"): (
        "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=tmerc lat_0=0 lon_0=114 k=1 "
        "x_0=500000 y_0=0 ellps=GRS80"),
    ("EPSG:4326", LOCAL_CRS): (
        "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=aeqd lat_0=22.515 "
        "lon_0=114.066 x_0=0 y_0=0 ellps=WGS84"),
    (LOCAL_CRS, "EPSG:4326"): (
        "proj=pipeline step inv proj=aeqd lat_0=22.515 lon_0=114.066 x_0=0 y_0=0 ellps=WGS84 step "
        "proj=unitconvert xy_in=rad xy_out=deg"),
}

_G = TypeVar("_G")


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres in one degree of longitude and of latitude at latitude ``lat`` (WGS84).

    The radii of curvature of the ellipsoid, so exact for small steps: use it to scale
    lon/lat differences into metres over a few kilometres.
    """
    a, f = GEOD.a, GEOD.f
    e2 = f * (2 - f)
    phi = math.radians(lat)
    w = 1 - e2 * math.sin(phi) ** 2
    per_radian_lon = a * math.cos(phi) / math.sqrt(w)
    per_radian_lat = a * (1 - e2) / w ** 1.5
    return per_radian_lon * math.pi / 180, per_radian_lat * math.pi / 180


def point_distance_m(a: tuple[float, float] | shapely.Point, b: tuple[float, float] | shapely.Point) -> float:
    """The geodesic distance (m) between two lon/lat points."""
    ax, ay = (a.x, a.y) if isinstance(a, shapely.Point) else a
    bx, by = (b.x, b.y) if isinstance(b, shapely.Point) else b
    return float(GEOD.inv(ax, ay, bx, by)[2])


@lru_cache(maxsize=None)
def _transformer(source: str, target: str) -> Transformer:
    if (source, target) in PIPELINES:
        return Transformer.from_pipeline(PIPELINES[source, target])
    shortcut = _SAME_PIPELINE.get((source, target))
    if shortcut:
        logger.debug("transforming %s -> %s from %s: the same pipeline, found at once",
                     source, target, shortcut)
    return Transformer.from_crs(shortcut or source, target, always_xy=True)


def to_crs(geometry: _G, crs: str, source: str = "EPSG:4326") -> _G:
    """Transform a geometry (or an array of them) from ``source`` (WGS84 lon/lat by default)
    into ``crs``.

    Both are taken x/easting/longitude first (``always_xy``), whatever axis order the CRS
    declares.

    Examples
    --------
    >>> to_crs(shapely.Point(ZONE_CENTRE), LOCAL_CRS).wkt
    'POINT (0 0)'
    """
    tr = _transformer(source, crs)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest distance (m) between two lon/lat geometries, in the local azimuthal
    equidistant projection (0 where they touch)."""
    if a.intersects(b):
        return 0.0
    return float(to_crs(a, LOCAL_CRS).distance(to_crs(b, LOCAL_CRS)))


def km_from_zone(geometry: BaseGeometry) -> tuple[float, shapely.Point]:
    """How far (km) a lon/lat geometry lies from the zone's centre, and its point nearest it
    (0 when it covers the centre). Precise enough for the :data:`MAX_DISTANCE_KM` test.

    A geometry with non-finite coordinates, or beyond lon/lat's range (not lon/lat at all),
    is infinitely far: no distance in kilometres is made up for it.
    """
    import shapely.ops

    centre = shapely.Point(ZONE_CENTRE)
    if geometry.distance(centre) == 0:
        return 0.0, centre
    nearest = shapely.ops.nearest_points(geometry, centre)[0]
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):    # NaN fails too
        return math.inf, nearest
    return point_distance_m(nearest, centre) / 1000, nearest
