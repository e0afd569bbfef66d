"""Display geometry: what the map and the figure draw, never what is measured.

Each polygon is simplified in a local metric projection (topology preserved) and its
coordinates are quantised to 1e-6 degree; the Shenzhen side's polygons are then clipped by
the Hong Kong side's, so that the drawn sides never overlap. The drawn outline stays within
:data:`DISPLAY_ERROR_M` of the true one. Areas are always measured on the full geometry.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from .checks import LOCAL_CRS
from .measurement import to_crs
from .zone import Zone

__all__ = ["SIMPLIFY_TOLERANCE_M", "GRID_DEG", "DISPLAY_ERROR_M", "display_geometry", "display_geometries"]

#: Douglas-Peucker tolerance, metres.
SIMPLIFY_TOLERANCE_M = 0.4
#: Coordinates are rounded to this grid (1e-6° is at most 0.08 m off here, diagonally).
GRID_DEG = 1e-6
#: The bound on the distance between the drawn and the true outline (tolerance + rounding).
DISPLAY_ERROR_M = 0.5


def display_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """One geometry simplified to :data:`SIMPLIFY_TOLERANCE_M` and quantised to :data:`GRID_DEG`."""
    if geometry.geom_type not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        return geometry
    local = to_crs(geometry, LOCAL_CRS)
    simple = shapely.simplify(local, SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    back = to_crs(simple, "EPSG:4326", source=LOCAL_CRS)
    return shapely.set_precision(back, GRID_DEG)


def display_geometries(zone: Zone) -> dict[str, BaseGeometry]:
    """The display geometry of every feature and context layer, by id."""
    out = {b.id: display_geometry(b.geometry) for b in zone.features}
    hong_kong = [out[b.id] for b in zone.features
                 if b.spec.side == "hong_kong" and b.spec.kind == "polygon"]
    if hong_kong:
        mask = shapely.union_all(hong_kong)
        for b in zone.features:
            if b.spec.side == "shenzhen" and b.spec.kind == "polygon":
                out[b.id] = shapely.set_precision(shapely.difference(out[b.id], mask), GRID_DEG)
    for layer in zone.context:
        out[layer.spec.id] = display_geometry(layer.geometry)
    for line in zone.lines:
        for piece in line.pieces:
            out[f"{line.id}/{piece.piece_id}"] = display_geometry(piece.geometry)
    return out
