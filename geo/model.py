"""Every record hetao reads, builds and reports, with no I/O: what the manifest says
(specs), the zone loaded from it (features, lines, pieces), what was measured and checked,
and what changed between two versions.

The loading pipeline (:mod:`hetao.zone`) makes these; the measuring, checking, reporting
and drawing modules read them. Nothing here reads a file or draws.

Examples
--------
>>> figure = StatedFigure(87, "ha", "Planning Department")
>>> figure.value_ha, figure.tolerance_ha
(87.0, 0.5)
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, get_args

import shapely
from shapely.geometry.base import BaseGeometry

from .sides import Side

__all__ = [
    "Kind", "KINDS", "DIRECTIONS", "UNITS_M2", "QUANTITIES", "APPROX_FRACTION",
    "StatedFigure", "Provenance", "Strip", "Reconciliation", "OsmSource", "FeatureSpec",
    "ContextSpec", "Manifest",
    "Piece", "EdgeShare", "Line", "Feature", "Boundary", "ContextLayer", "Zone", "ZoneLike",
    "Status", "Comparison", "Reconciled", "AreaMeasurement", "PointMeasurement", "Measurement",
    "CheckResult", "FeatureDiff", "Diff", "diff_records", "diff_table",
]

#: What a feature is: an area (measured), a point (located), or a line that bounds areas.
Kind = Literal["polygon", "point", "line"]
KINDS: tuple[str, ...] = get_args(Kind)
#: The edges of a polygon given by compass direction, in order round it (clockwise).
DIRECTIONS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
#: Square metres in one of each accepted unit.
UNITS_M2 = {"ha": 1e4, "km2": 1e6, "km²": 1e6, "acre": 4046.8564224, "m2": 1.0, "m²": 1.0}
#: What a stated figure measures; only land areas are compared with the geometry.
QUANTITIES = ("land area", "gross floor area")
#: A figure stated as "about N" is taken to be good to this fraction of N.
APPROX_FRACTION = 0.05

_R = TypeVar("_R")

#: Every record class, in order: each is given its ``__init__`` when this module has made
#: them all (:func:`_give_inits`).
_RECORDS: list[type] = []


class _Record:
    """What ``@dataclass(frozen=True)`` gives each record but its ``__init__``, written once
    for all of them: frozen, equal and hashed by the fields it compares, shown by the
    fields it shows.

    ``@dataclass(frozen=True)`` compiles six methods for each class it makes, about 1 ms a
    class: importing this module took 25 ms of every ``hetao`` command; it takes 5. A
    record (:func:`_record`) is a dataclass made without them: ``fields``, ``replace`` and
    ``asdict`` work, assigning to it raises ``FrozenInstanceError``, and its ``__init__``
    is compiled with every other record's, in one go (:func:`_give_inits`).
    ``tests/test_records.py`` compares each record with the class ``@dataclass(frozen=True)``
    makes of its fields.
    """

    __slots__ = ()

    def _frozen(self, name: str) -> bool:
        # As @dataclass(frozen=True): every name of a record; a field's of a subclass.
        return type(self) in _RECORDS or name in type(self).__dataclass_fields__  # type: ignore[attr-defined]

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen(name):
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen(name):
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._compared() == other._compared()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._compared())

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"


if TYPE_CHECKING:
    # What a record is to a type checker, and in behaviour: a frozen dataclass.
    from dataclasses import dataclass as _record
else:
    def _record(*, frozen: bool) -> Callable[[type[_R]], type[_R]]:
        """``@dataclass(frozen=True)`` for a subclass of :class:`_Record`: a dataclass made
        without methods (the base has them; :func:`_give_inits` gives ``__init__``),
        flagged as ``@dataclass(frozen=True)`` flags it (a subclass then checks as it would)."""
        def make(cls: type[_R]) -> type[_R]:
            made = dataclass(init=False, repr=False, eq=False)(cls)
            flags = made.__dataclass_params__
            flags.init = flags.repr = flags.eq = flags.frozen = True
            _RECORDS.append(made)
            return made
        return make


class _Factory:
    """The default of a field made by its factory, shown as ``@dataclass`` shows it."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _fill(record: object, values: dict[str, Any], names: tuple[tuple[str, Any], ...]) -> None:
    """Set each field of a new record once: its value, or a new one from its factory."""
    for name, factory in names:
        value = values[name]
        object.__setattr__(record, name, factory() if value is _FACTORY else value)


def _give_inits(records: list[type]) -> None:
    """Give each record the ``__init__`` that ``@dataclass(frozen=True)`` would: a parameter
    per field, in order, with its default (or a new value from its factory), each field
    set once (:func:`_fill`). One ``exec`` compiles them all."""
    namespace: dict[str, Any] = {"__name__": __name__, "_fill": _fill, "_FACTORY": _FACTORY, "_inits": []}
    source = []
    for n, cls in enumerate(records):
        params = ["self"]
        for f in fields(cls):
            if f.default is not MISSING:
                namespace[f"_default_{n}_{f.name}"] = f.default
                params.append(f"{f.name}=_default_{n}_{f.name}")
            else:
                params.append(f.name if f.default_factory is MISSING else f"{f.name}=_FACTORY")
        namespace[f"_names_{n}"] = tuple((f.name, None if f.default_factory is MISSING else f.default_factory)
                                         for f in fields(cls))
        source += [f"def __init__({', '.join(params)}):", f"    _fill(self, locals(), _names_{n})",
                   "_inits.append(__init__)"]
    exec("\n".join(source), namespace)
    for cls, init in zip(records, namespace["_inits"]):
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        init.__annotations__ = {f.name: f.type for f in fields(cls)} | {"return": None}
        cls.__init__ = init  # type: ignore[misc]


@_record(frozen=True)
class StatedFigure(_Record):
    """An area stated by an outside source.

    Attributes
    ----------
    value, unit : the figure as stated (``unit`` one of :data:`UNITS_M2`).
    source, date : who stated it and when (ISO date, year or year-month).
    quantity : what it measures, one of :data:`QUANTITIES`.
    approx : the source says "about".
    decimals : decimal places the figure was given with, which sets its rounding.
    """

    value: float
    unit: str
    source: str
    date: str | None = None
    quantity: str = "land area"
    approx: bool = False
    decimals: int = 0

    @property
    def value_ha(self) -> float:
        """The figure in hectares."""
        return self.value * UNITS_M2[self.unit] / 1e4

    @property
    def tolerance_ha(self) -> float:
        """Half a unit of the last stated digit, plus 5 % when the figure is "about"."""
        rounding = 0.5 * 10.0 ** -self.decimals * UNITS_M2[self.unit] / 1e4
        return rounding + (APPROX_FRACTION * self.value_ha if self.approx else 0.0)


@_record(frozen=True)
class Provenance(_Record):
    """Where a geometry came from."""

    source: str
    licence: str
    method: str
    date: str
    positional_accuracy_m: float | None
    attribution: str | None = None


@_record(frozen=True)
class Strip(_Record):
    """A strip of river water along one edge of a polygon: a measured half-channel width."""

    edge: str
    width_m: float
    range_m: tuple[float, float]
    along: str | None = None


@_record(frozen=True)
class Reconciliation(_Record):
    """An explanation that computes: what accounts for measured minus stated, as data.

    The land is the polygon less a strip of river water along each named edge, as wide as
    the measured half-channel width there; the range comes from the widths' ranges.
    """

    what: str
    reading: str
    strips: tuple[Strip, ...]
    source: str


@_record(frozen=True)
class OsmSource(_Record):
    """Which OpenStreetMap elements a line copies (``hetao refresh`` fetches them again).

    Attributes
    ----------
    elements : "way/123" or "relation/456", merged in this order.
    piece : the piece of the line file they give (the line's only piece by default); the
        other pieces (derived ones) stay, their ends kept joined to it.
    ends : where the line is cut from the fetched linework, in words, first end first
        (the fetched line is cut at the points nearest the line's current ends); none: the
        whole fetched line.
    """

    elements: tuple[str, ...]
    piece: str | None = None
    ends: tuple[str, str] | None = None


@_record(frozen=True)
class FeatureSpec(_Record):
    """One feature of the zone, as the manifest describes it."""

    id: str
    name_en: str
    name_zh: str
    side: Side | None
    kind: Kind
    provenance: Provenance
    geometry: str | None = None
    union_of: tuple[str, ...] = ()
    part_of: str | None = None
    approximate: bool = False
    stated: tuple[StatedFigure, ...] = ()
    explanation: str | None = None
    notes: dict = field(default_factory=dict, compare=False)
    #: For a polygon built from lines: each edge's label and its line ids, in order round it.
    bounded_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reconcile: Reconciliation | None = None
    #: For a line copied from OpenStreetMap: the elements it copies.
    osm: OsmSource | None = None


@_record(frozen=True)
class ContextSpec(_Record):
    """A context layer drawn on the map (never measured)."""

    id: str
    name_en: str
    name_zh: str
    geometry: str
    provenance: Provenance


@_record(frozen=True)
class Manifest(_Record):
    """A parsed manifest and the folder it describes."""

    folder: Path
    features: tuple[FeatureSpec, ...]
    context: tuple[ContextSpec, ...] = ()

    def feature(self, feature_id: str) -> FeatureSpec:
        """The feature with this id (KeyError if none)."""
        for spec in self.features:
            if spec.id == feature_id:
                return spec
        raise KeyError(feature_id)


def _vertices(geometry: BaseGeometry) -> str:
    """"POLYGON, 1,234 vertices": a geometry in a few words, for reprs."""
    return f"{geometry.geom_type.upper()}, {shapely.get_num_coordinates(geometry):,} vertices"


@_record(frozen=True)
class Piece(_Record):
    """A piece of a line feature: an OSM way, or a piece derived from one, with its own accuracy."""

    line_id: str
    piece_id: str
    name_en: str
    name_zh: str
    geometry: shapely.LineString
    accuracy_m: float
    source: str
    method: str
    derived: bool = False

    def __repr__(self) -> str:
        return (f"Piece({self.line_id!r}, {self.piece_id!r}, <{_vertices(self.geometry)}>, "
                f"accuracy_m={self.accuracy_m:g}{', derived' if self.derived else ''})")


@_record(frozen=True)
class EdgeShare(_Record):
    """The length of a polygon's boundary that runs along one piece, and its uncertainty."""

    edge: str
    piece: Piece
    length_m: float
    uncertainty_m2: float


@_record(frozen=True)
class Line(_Record):
    """A line feature: a road or river line that bounds polygons, made of pieces."""

    spec: FeatureSpec
    pieces: tuple[Piece, ...]
    file: Path

    @property
    def id(self) -> str:
        return self.spec.id

    def __repr__(self) -> str:
        return f"Line({self.id!r}, {len(self.pieces)} piece{'s' if len(self.pieces) != 1 else ''})"

    @property
    def geometry(self) -> BaseGeometry:
        """All the line's pieces (a LineString, or a MultiLineString of several)."""
        parts = [p.geometry for p in self.pieces]
        return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)


@_record(frozen=True)
class Feature(_Record):
    """A polygon or point feature of the zone with its geometry (WGS84 lon/lat, rings
    oriented).

    ``file`` is the geometry file it was read from (``None`` for a polygon built from lines
    or a union); ``edges`` holds, for a polygon built from lines, each edge's label and
    pieces.
    """

    spec: FeatureSpec
    geometry: BaseGeometry
    file: Path | None
    edges: tuple[tuple[str, tuple[Piece, ...]], ...] = ()

    @property
    def id(self) -> str:
        return self.spec.id

    def __repr__(self) -> str:
        return f"Feature({self.id!r}, {self.spec.side}, <{_vertices(self.geometry)}>)"

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The feature as a GeoJSON Feature (WGS84), its manifest facts as properties."""
        spec = self.spec
        return {
            "type": "Feature",
            "id": spec.id,
            "properties": {
                "id": spec.id, "name_en": spec.name_en, "name_zh": spec.name_zh,
                "side": spec.side, "kind": spec.kind, "approximate": spec.approximate,
                "part_of": spec.part_of, "union_of": list(spec.union_of),
            },
            "geometry": shapely.geometry.mapping(self.geometry),
        }


#: The old name of :class:`Feature` (a feature is not always a boundary: the branch is a point).
Boundary = Feature


@_record(frozen=True)
class ContextLayer(_Record):
    """A context layer for the map."""

    spec: ContextSpec
    geometry: BaseGeometry
    file: Path


@_record(frozen=True)
class Zone(_Record, Mapping[str, Union[Feature, Line]]):
    """Everything a boundaries folder holds, checked.

    A read-only mapping of its polygons, points and lines by id (in the manifest's order,
    the lines last); :attr:`features` and :attr:`lines` hold them apart. Two zones are
    equal when their fields are.

    Examples
    --------
    >>> import hetao
    >>> zone = hetao.load()
    >>> zone["hong-kong-park"]
    Feature('hong-kong-park', hong_kong, <POLYGON, 52 vertices>)
    >>> zone["hk-sz-border"]
    Line('hk-sz-border', 1 piece)
    >>> len(zone) == len(zone.features) + len(zone.lines), "no-such-id" in zone
    (True, False)
    >>> zone
    Zone('.../boundaries', 4 polygons, 1 point, 8 lines)
    """

    manifest: Manifest
    features: tuple[Feature, ...]
    context: tuple[ContextLayer, ...]
    lines: tuple[Line, ...] = ()

    def _items(self) -> tuple[Feature | Line, ...]:
        return (*self.features, *self.lines)

    def __getitem__(self, feature_id: str) -> Feature | Line:
        for item in self._items():
            if item.id == feature_id:
                return item
        raise KeyError(feature_id)

    def __iter__(self) -> Iterator[str]:
        return (item.id for item in self._items())

    def __len__(self) -> int:
        return len(self.features) + len(self.lines)

    def __repr__(self) -> str:
        kinds = [f.spec.kind for f in self.features] + ["line"] * len(self.lines)
        counts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind in ("polygon", "point", "line")
                  if (n := kinds.count(kind))]
        return f"Zone({str(self.folder)!r}, {', '.join(counts)})"

    @property
    def folder(self) -> Path:
        return self.manifest.folder

    def feature(self, feature_id: str) -> Feature:
        """The polygon or point with this id (KeyError if none)."""
        for boundary in self.features:
            if boundary.id == feature_id:
                return boundary
        raise KeyError(feature_id)

    def line(self, line_id: str) -> Line:
        """The line with this id (KeyError if none)."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The zone's features as a GeoJSON FeatureCollection (WGS84 lon/lat).

        Examples
        --------
        >>> import hetao
        >>> zone = hetao.load()
        >>> [f["id"] for f in zone.__geo_interface__["features"]][:2]
        ['hong-kong-park', 'shenzhen-park']
        """
        return {"type": "FeatureCollection",
                "features": [b.__geo_interface__ for b in self.features]}

    def attributions(self) -> list[str]:
        """Each attribution with every licence given under it, in full, once each.

        Examples
        --------
        >>> import hetao
        >>> hetao.load().attributions()[0].startswith("© OpenStreetMap contributors (ODbL-1.0")
        True
        """
        grouped: dict[str, list[str]] = {}
        specs = [b.spec for b in self.features] + [ln.spec for ln in self.lines]
        for prov in [s.provenance for s in specs] + [c.spec.provenance for c in self.context]:
            licences = grouped.setdefault(prov.attribution or "", [])
            if prov.licence not in licences:
                licences.append(prov.licence)
        return [f"{who} ({'; '.join(licences)})" if who else "; ".join(licences)
                for who, licences in grouped.items()]

    def sides(self) -> dict[str, BaseGeometry]:
        """Each side's whole polygon: the union of its polygons that are not parts."""
        whole: dict[str, list[BaseGeometry]] = {}
        for b in self.features:
            if b.spec.kind == "polygon" and b.spec.part_of is None and b.spec.side is not None:
                whole.setdefault(b.spec.side, []).append(b.geometry)
        return {side: shapely.union_all(geoms) for side, geoms in whole.items()}


#: What a function that reads a zone accepts: the :class:`Zone`, or its boundaries folder
#: (a ``str`` or a path), loaded.
ZoneLike = Union[Zone, str, os.PathLike[str]]


#: How a stated figure compares with the measured area. ``agrees``: within rounding plus
#: uncertainty; ``explained``: differs, and the manifest says why; ``differs``: differs
#: without explanation; ``not_comparable``: not a land area, or a point.
Status = Literal["agrees", "reconciled", "explained", "differs", "not_comparable"]


@_record(frozen=True)
class Comparison(_Record):
    """A stated figure against the measured geodesic area."""

    figure: StatedFigure
    difference_ha: float | None
    difference_pct: float | None
    tolerance_ha: float | None
    status: Status
    #: Against the reconciled area (when the feature has one): the difference, and whether
    #: the figure lies within the reconciled range widened by the tolerance.
    reconciled_difference_ha: float | None = None
    reconciled_status: Literal["agrees", "differs"] | None = None


@_record(frozen=True)
class Reconciled(_Record):
    """The area once what the explanation names is taken away (e.g. river water).

    ``area_m2`` uses the strips' stated widths; ``low_m2`` the widest strips and
    ``high_m2`` the narrowest. ``land`` is the geometry of the central reading.
    """

    what: str
    reading: str
    area_m2: float
    low_m2: float
    high_m2: float
    land: BaseGeometry
    spec: Reconciliation | None = None
    parts: tuple[str, ...] = ()
    #: The land with the widest strips taken away (giving ``low_m2``) and the narrowest
    #: (``high_m2``), kept so that a union's range is not computed again.
    low_land: BaseGeometry | None = field(default=None, repr=False)
    high_land: BaseGeometry | None = field(default=None, repr=False)


@_record(frozen=True)
class AreaMeasurement(_Record):
    """What hetao measured for one polygon feature.

    Attributes
    ----------
    feature : the feature measured.
    geodesic_area_m2 : area on the WGS84 ellipsoid, holes subtracted.
    perimeter_m : the exterior perimeter (holes not included), as
        :meth:`pyproj.Geod.geometry_area_perimeter` gives it.
    grid_crs, grid_area_m2 : the side's official grid and the planar area in it.
    uncertainty_m2 : boundary length × positional accuracy (a union: the sum of its parts').
    comparisons : each stated figure against the measured area.
    boundary_length_m : the whole boundary, holes included: what the area uncertainty is
        computed from.
    edges : each piece of the boundary and its share of the uncertainty.
    reconciled : the area once what the explanation names is taken away, if it computes.
    """

    feature: Feature
    geodesic_area_m2: float
    perimeter_m: float
    grid_crs: str
    grid_area_m2: float
    uncertainty_m2: float
    comparisons: tuple[Comparison, ...]
    boundary_length_m: float
    edges: tuple[EdgeShare, ...] = ()
    reconciled: Reconciled | None = None

    @property
    def id(self) -> str:
        return self.feature.id

    def __repr__(self) -> str:
        statuses = ", ".join(c.status for c in self.comparisons)
        return (f"AreaMeasurement({self.id!r}, {self.geodesic_area_m2 / 1e4:,.2f} ha "
                f"± {self.uncertainty_m2 / 1e4:,.2f}, stated: {statuses or '-'})")

    @property
    def boundary(self) -> Feature:
        """The feature measured (its old name; see :attr:`feature`)."""
        return self.feature

    @property
    def dominant_edge(self) -> EdgeShare | None:
        """The edge piece that brings the most area uncertainty."""
        return max(self.edges, key=lambda e: e.uncertainty_m2, default=None)


@_record(frozen=True)
class PointMeasurement(_Record):
    """A point feature located: where it is, and its stated figures (none of them
    comparable with an area)."""

    feature: Feature
    grid_crs: str
    comparisons: tuple[Comparison, ...]

    @property
    def id(self) -> str:
        return self.feature.id

    def __repr__(self) -> str:
        lon, lat = self.location
        return f"PointMeasurement({self.id!r}, at {lon:.6f}, {lat:.6f})"

    @property
    def boundary(self) -> Feature:
        """The feature located (its old name; see :attr:`feature`)."""
        return self.feature

    @property
    def location(self) -> tuple[float, float]:
        """Its lon, lat."""
        point = self.feature.geometry
        return float(point.x), float(point.y)


#: What :func:`hetao.measure` gives for each feature: an area measured, or a point located.
Measurement = Union[AreaMeasurement, PointMeasurement]


@_record(frozen=True)
class CheckResult(_Record):
    """One check: its name, whether it passed, and what it found."""

    name: str
    ok: bool
    detail: str


@_record(frozen=True)
class FeatureDiff(_Record):
    """The change of one feature; areas in m², lengths in m (``None`` where not defined)."""

    id: str
    kind: str
    side: str | None
    before: BaseGeometry
    after: BaseGeometry
    area_before_m2: float | None
    area_after_m2: float | None
    gained_m2: float | None
    lost_m2: float | None
    hausdorff_m: float
    mean_displacement_m: float | None
    vertices_before: int
    vertices_after: int
    status_before: tuple[Status, ...] = ()
    status_after: tuple[Status, ...] = ()

    def __repr__(self) -> str:
        area = ""
        if self.area_before_m2 is not None and self.area_after_m2 is not None:
            area = f", {self.area_before_m2 / 1e4:,.3f} ha -> {self.area_after_m2 / 1e4:,.3f} ha"
        return f"FeatureDiff({self.id!r}, {self.kind}{area}, Hausdorff {self.hausdorff_m:,.1f} m)"


@_record(frozen=True)
class Diff(_Record):
    """What changed between two versions: one :class:`FeatureDiff` per feature in both.

    Attributes
    ----------
    features : the changes, in the newer version's order.
    label_before, label_after : what the two versions are (folder or file names, or
        "before swap 0001" and "now").
    """

    features: tuple[FeatureDiff, ...]
    label_before: str = "before"
    label_after: str = "after"

    def __repr__(self) -> str:
        n, moved = len(self.features), sum(d.hausdorff_m > 0 for d in self.features)
        return (f"Diff({self.label_before!r} -> {self.label_after!r}: "
                f"{n} feature{'s' if n != 1 else ''}, {moved} moved)")

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready records, one per feature (see :func:`diff_records`)."""
        return diff_records(list(self.features))

    def table(self) -> str:
        """A plain-text summary, one block per feature."""
        return diff_table(list(self.features))


def _figure(value: float, spec: str) -> str:
    """``value`` formatted with ``spec``, never as a negative zero ("-0.000" is "0.000", or
    "+0.000" with a sign asked for): what rounds to zero is zero.

    >>> _figure(-0.00004, "+,.3f"), _figure(-0.04, ",.1f"), _figure(-1.5, ",.1f")
    ('+0.000', '0.0', '-1.5')
    """
    text = format(value, spec)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = ("+" if "+" in spec else "") + text[1:]
    return text


def diff_records(diffs: list[FeatureDiff]) -> list[dict]:
    """JSON-ready records (ha and metres; no negative zeros)."""
    def ha(value: float | None) -> float | None:
        return None if value is None else value / 1e4 + 0.0     # + 0.0: -0.0 is 0.0

    def metres(value: float | None) -> float | None:
        return None if value is None else value + 0.0
    return [{
        "id": d.id,
        "kind": d.kind,
        "area_before_ha": ha(d.area_before_m2),
        "area_after_ha": ha(d.area_after_m2),
        "gained_ha": ha(d.gained_m2),
        "lost_ha": ha(d.lost_m2),
        "hausdorff_m": metres(d.hausdorff_m),
        "mean_displacement_m": metres(d.mean_displacement_m),
        "vertices_before": d.vertices_before,
        "vertices_after": d.vertices_after,
        "status_before": list(d.status_before),
        "status_after": list(d.status_after),
    } for d in diffs]


def diff_table(diffs: list[FeatureDiff]) -> str:
    """A plain-text summary, one block per feature (figures through :func:`_figure`)."""
    lines = []
    for rec in diff_records(diffs):
        lines.append(f"{rec['id']}:")
        moved = (f"Hausdorff {_figure(rec['hausdorff_m'], ',.1f')} m, mean displacement "
                 f"{_figure(rec['mean_displacement_m'] or 0.0, ',.1f')} m")
        if rec["kind"] == "polygon":
            change = rec["area_after_ha"] - rec["area_before_ha"]
            lines.append(f"  area       {_figure(rec['area_before_ha'], ',.3f')} ha -> "
                         f"{_figure(rec['area_after_ha'], ',.3f')} ha ({_figure(change, '+,.3f')} ha)")
            lines.append(f"  gained     {_figure(rec['gained_ha'], ',.3f')} ha, lost "
                         f"{_figure(rec['lost_ha'], ',.3f')} ha")
            lines.append(f"  boundary   {moved}")
        elif rec["kind"] == "line":
            lines.append(f"  moved      {moved}")
        else:
            lines.append(f"  moved      {_figure(rec['hausdorff_m'], ',.1f')} m")
        lines.append(f"  vertices   {rec['vertices_before']:,} -> {rec['vertices_after']:,}")
        if rec["status_before"] or rec["status_after"]:
            lines.append(f"  stated     {', '.join(rec['status_before']) or '-'} -> "
                         f"{', '.join(rec['status_after']) or '-'}")
    return "\n".join(lines) + "\n"


_give_inits(_RECORDS)
