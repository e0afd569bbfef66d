"""The boundaries manifest: what each feature is, where its geometry is, and what is stated about it.

The manifest is ``manifest.json`` in a boundaries folder; its format is documented in
``boundaries/README.md``. :func:`load_manifest` checks every field and reports every
problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import re
from pathlib import Path, PurePosixPath

from ._compat import moved
from .errors import BoundaryError, Problem
from .files import is_number, read_json, short_repr
from .model import (
    DIRECTIONS, KINDS, QUANTITIES, UNITS_M2, ContextSpec, FeatureSpec, Kind, Manifest, OsmSource,
    Provenance, Reconciliation, StatedFigure, Strip,
)
from .sides import SIDES as _SIDE_TABLE, Side

__all__ = ["MANIFEST_NAME", "RENAMED", "current_id", "manifest_text", "load_manifest"]

MANIFEST_NAME = "manifest.json"
#: The one table of renamed features: an id the shipped boundaries used before -> its id now.
#: ``undo``, ``diff --previous`` and ``refresh`` take the old id for the new one (CHANGELOG).
RENAMED: dict[str, str] = {"xinzhou-river-assumed": "xinzhou-river"}


def current_id(feature_id: str, ids: Iterable[str]) -> str:
    """``feature_id``, or the id it was renamed to (:data:`RENAMED`) when the folder (its
    features' ``ids``) has the new id and not the old one.

    >>> current_id("xinzhou-river-assumed", ["xinzhou-river"])
    'xinzhou-river'
    >>> current_id("xinzhou-river-assumed", ["xinzhou-river-assumed"])
    'xinzhou-river-assumed'
    """
    known = set(ids)
    new = RENAMED.get(feature_id)
    return new if feature_id not in known and new is not None and new in known else feature_id


_SIDE_IDS: tuple[str, ...] = tuple(_SIDE_TABLE)


def manifest_text(data: dict) -> str:
    """The manifest as hetao writes it (UTF-8 JSON, one-space indent, trailing newline)."""
    import json
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _Checker:
    """Collects problems for one manifest entry."""

    def __init__(self, file: str, entry: dict, label: str | None, problems: list[Problem]):
        self.file, self.entry, self.label, self.problems = file, entry, label, problems

    def add(self, message: str) -> None:
        self.problems.append(Problem(self.file, self.label, message))

    def text(self, key: str, required: bool = True, within: dict | None = None,
             prefix: str = "") -> str | None:
        source = self.entry if within is None else within
        value = source.get(key)
        if value is None:
            if required:
                self.add(f"'{prefix}{key}' is missing; add it as a non-empty string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"'{prefix}{key}' must be a non-empty string, not {_show(value)}")
            return None
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            self.add(f"'{key}' is {_show(value)}; use one of {', '.join(choices)}")
            return None
        return value

    def date(self, key: str, within: dict, prefix: str, required: bool = True) -> str | None:
        value = self.text(key, required=required, within=within, prefix=prefix)
        if value is not None and not _DATE.match(value):
            self.add(f"'{prefix}{key}' is {_show(value)}; write it as YYYY-MM-DD (or YYYY-MM, YYYY)")
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.entry.get(key, False)
        if not isinstance(value, bool):
            self.add(f"'{key}' must be true or false, not {_show(value)}")
            return False
        return value

    def path(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        posix = PurePosixPath(value.replace("\\", "/"))
        if posix.is_absolute() or ".." in posix.parts or re.match(r"^[A-Za-z]:", value):
            self.add(f"'{key}' is {_show(value)}; geometry paths must be relative and stay "
                     "inside the boundaries folder")
            return None
        return posix.as_posix()


def _show(value: object) -> str:
    """A value as the messages quote it (cut to 60 characters)."""
    return short_repr(value, 60)


def _decimals(value: float | int) -> int:
    if isinstance(value, int):
        return 0
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    return len(text.split(".")[1].rstrip("0"))


def _provenance(chk: _Checker, need_accuracy: bool) -> Provenance | None:
    prov = chk.entry.get("provenance")
    if not isinstance(prov, dict):
        chk.add("'provenance' is missing; give source, licence, method, date and "
                "positional_accuracy_m")
        return None
    source = chk.text("source", within=prov, prefix="provenance.")
    licence = chk.text("licence", within=prov, prefix="provenance.")
    method = chk.text("method", within=prov, prefix="provenance.")
    date = chk.date("date", prov, "provenance.")
    attribution = chk.text("attribution", required=False, within=prov, prefix="provenance.")
    accuracy = prov.get("positional_accuracy_m")
    if accuracy is None:
        if need_accuracy:
            chk.add("'provenance.positional_accuracy_m' is missing; give the positional "
                    "accuracy in metres")
    elif not is_number(accuracy) or accuracy <= 0:
        chk.add(f"'provenance.positional_accuracy_m' is {_show(accuracy)}; it must be a "
                "positive number of metres")
        accuracy = None
    if source is None or licence is None or method is None or date is None:
        return None
    return Provenance(source, licence, method, date,
                      float(accuracy) if accuracy is not None else None, attribution)


def _stated(chk: _Checker) -> tuple[StatedFigure, ...]:
    raw = chk.entry.get("stated", [])
    if not isinstance(raw, list):
        chk.add(f"'stated' must be a list of figures, not {_show(raw)}")
        return ()
    figures = []
    for i, item in enumerate(raw):
        where = f"stated[{i}]"
        if not isinstance(item, dict):
            chk.add(f"'{where}' must be an object with value, unit and source")
            continue
        ok = True
        value, unit = item.get("value"), item.get("unit")
        if not is_number(value):
            chk.add(f"'{where}.value' is {_show(value)}; it must be a number")
            ok = False
        elif value <= 0:
            chk.add(f"'{where}.value' is {value}; a stated area must be greater than zero")
            ok = False
        if unit not in UNITS_M2:
            chk.add(f"'{where}.unit' is {_show(unit)}; use one of ha, km2, acre, m2")
            ok = False
        source = chk.text("source", within=item, prefix=f"{where}.")
        date = chk.date("date", item, f"{where}.", required=False)
        quantity = item.get("quantity", "land area")
        if quantity not in QUANTITIES:
            chk.add(f"'{where}.quantity' is {_show(quantity)}; use one of {', '.join(QUANTITIES)}")
            ok = False
        approx = item.get("approx", False)
        if not isinstance(approx, bool):
            chk.add(f"'{where}.approx' must be true or false, not {_show(approx)}")
            ok = False
        if ok and source is not None and is_number(value) and isinstance(unit, str):
            figures.append(StatedFigure(float(value), unit, source, date, quantity, approx,
                                        _decimals(value)))
    return tuple(figures)


def _feature(chk: _Checker) -> FeatureSpec | None:
    e = chk.entry
    fid = chk.label
    name = e.get("name")
    name_en = name_zh = None
    if not isinstance(name, dict):
        chk.add("'name' is missing; give it as {\"en\": ..., \"zh\": ...}")
    else:
        name_en = chk.text("en", within=name, prefix="name.")
        name_zh = chk.text("zh", within=name, prefix="name.")
    kind = chk.choice("kind", KINDS)
    side = chk.choice("side", _SIDE_IDS) if kind != "line" or "side" in e else None
    union_of = e.get("union_of", [])
    if not isinstance(union_of, list) or not all(isinstance(u, str) for u in union_of):
        chk.add(f"'union_of' must be a list of feature ids, not {_show(union_of)}")
        union_of = []
    bounded_by = _bounded_by(chk)
    geometry = chk.path("geometry", required=not union_of and not bounded_by)
    if union_of and "geometry" in e:
        chk.add("has both 'geometry' and 'union_of'; give one")
    if bounded_by and ("geometry" in e or union_of):
        chk.add("has 'bounded_by' and also 'geometry' or 'union_of'; give one")
    if bounded_by and kind != "polygon":
        chk.add("only a polygon can be 'bounded_by' lines")
    if union_of and kind == "point":
        chk.add("a point cannot be a 'union_of' other features")
    part_of = chk.text("part_of", required=False)
    provenance = _provenance(chk, need_accuracy=not union_of and not bounded_by)
    stated = _stated(chk)
    explanation = chk.text("explanation", required=False)
    approximate = chk.flag("approximate")
    notes = e.get("notes", {})
    if not isinstance(notes, dict):
        chk.add("'notes' must be an object")
        notes = {}
    reconcile = _reconcile(chk, bounded_by)
    osm = _osm(chk, kind)
    if (fid is None or name_en is None or name_zh is None or kind is None or provenance is None
            or (side is None and kind != "line")):
        return None
    return FeatureSpec(fid, name_en, name_zh, cast("Side | None", side), cast(Kind, kind),
                       provenance, geometry, tuple(union_of), part_of, approximate, stated,
                       explanation, notes, bounded_by, reconcile, osm)


_OSM_REF = re.compile(r"(way|relation)/[1-9][0-9]*")


def _osm(chk: _Checker, kind: str | None) -> OsmSource | None:
    """``osm``: {elements: ["way/1", ...], piece?: "piece id", ends?: ["first end", "last end"]}."""
    raw = chk.entry.get("osm")
    if raw is None:
        return None
    if kind != "line" or not isinstance(raw, dict):
        chk.add("'osm' is for lines: an object with elements (\"way/123\", \"relation/456\"), "
                "and optionally piece and ends")
        return None
    elements = raw.get("elements")
    if (not isinstance(elements, list) or not elements
            or not all(isinstance(e, str) and _OSM_REF.fullmatch(e) for e in elements)):
        chk.add(f"'osm.elements' is {_show(elements)}; give a list such as [\"way/123\", \"relation/456\"]")
        return None
    piece = raw.get("piece")
    if piece is not None and not isinstance(piece, str):
        chk.add(f"'osm.piece' is {_show(piece)}; give the id of a piece of the line file")
        return None
    ends = raw.get("ends")
    if ends is not None and not (isinstance(ends, list) and len(ends) == 2
                                 and all(isinstance(e, str) and e.strip() for e in ends)):
        chk.add(f"'osm.ends' is {_show(ends)}; name the two ends where the line is cut, first end first")
        return None
    return OsmSource(tuple(elements), piece, tuple(ends) if ends else None)


def _reconcile(chk: _Checker, bounded_by: tuple) -> Reconciliation | None:
    """``reconcile``: {what, reading, source, strips: [{edge, width_m, range_m: [lo, hi], along}]}."""
    raw = chk.entry.get("reconcile")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        chk.add(f"'reconcile' must be an object with what, reading, source and strips, not {_show(raw)}")
        return None
    what = chk.text("what", within=raw, prefix="reconcile.")
    reading = chk.text("reading", within=raw, prefix="reconcile.")
    source = chk.text("source", within=raw, prefix="reconcile.")
    labels = [label for label, _ in bounded_by]
    if not labels:
        chk.add("'reconcile' needs a polygon 'bounded_by' lines: its strips run along named edges")
        return None
    strips = []
    raw_strips = raw.get("strips")
    if not isinstance(raw_strips, list) or not raw_strips:
        chk.add("'reconcile.strips' must be a non-empty list of {edge, width_m, range_m}")
        return None
    for i, item in enumerate(raw_strips):
        where = f"reconcile.strips[{i}]"
        if not isinstance(item, dict):
            chk.add(f"'{where}' must be an object with edge, width_m and range_m")
            continue
        edge, width, span = item.get("edge"), item.get("width_m"), item.get("range_m")
        if not isinstance(edge, str) or edge not in labels:
            chk.add(f"'{where}.edge' is {_show(edge)}; use one of this polygon's edges: {', '.join(labels)}")
            continue
        if not is_number(width) or width <= 0:
            chk.add(f"'{where}.width_m' is {_show(width)}; it must be a positive number of metres")
            continue
        if (not isinstance(span, list) or len(span) != 2 or not all(is_number(v) for v in span)
                or not 0 <= span[0] <= width <= span[1]):
            chk.add(f"'{where}.range_m' is {_show(span)}; give [low, high] metres around width_m")
            continue
        along = item.get("along")
        strips.append(Strip(edge, float(width), (float(span[0]), float(span[1])),
                            along if isinstance(along, str) else None))
    if what is None or reading is None or source is None or len(strips) != len(raw_strips):
        return None
    return Reconciliation(what, reading, tuple(strips), source)


def _bounded_by(chk: _Checker) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``bounded_by``: {direction: [line ids]} (directions in order round the polygon), or a
    list of edges in order, each a line id or a list of line ids."""
    raw = chk.entry.get("bounded_by")
    if raw is None:
        return ()
    how = ("give 'bounded_by' as {\"north\": [line ids], \"east\": [...], ...} or as a list "
           "of edges in order round the polygon, each a line id or a list of line ids")
    if isinstance(raw, dict):
        unknown = [k for k in raw if k not in DIRECTIONS]
        if unknown:
            chk.add(f"'bounded_by' names {_show(unknown[0])}; use the directions {', '.join(DIRECTIONS)}")
            return ()
        items = [(k, raw[k]) for k in DIRECTIONS if k in raw]
    elif isinstance(raw, list):
        items = [(f"edge {i + 1}", v) for i, v in enumerate(raw)]
    else:
        chk.add(f"'bounded_by' is {_show(raw)}; {how}")
        return ()
    edges = []
    for label, value in items:
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            chk.add(f"'bounded_by' edge {label} is {_show(value)}; {how}")
            return ()
        edges.append((label, tuple(ids)))
    if len(edges) < 2:
        chk.add(f"'bounded_by' gives {len(edges)} edge; a face needs at least two")
        return ()
    return tuple(edges)


def load_manifest(folder: Path) -> Manifest:
    """Read and check ``manifest.json`` in ``folder``.

    Raises
    ------
    BoundaryError
        Listing every problem found, one line each.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BoundaryError([Problem(folder, None, "boundaries folder not found")])
    path = folder / MANIFEST_NAME
    name = str(path)
    data = read_json(path, name)
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError([Problem(name, None, (
            "must be a JSON object with a 'features' list (see boundaries/README.md)"))])
    specs: list[FeatureSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["features"]):
        if not isinstance(entry, dict):
            problems.append(Problem(name, f"#{i}", "entry must be a JSON object"))
            continue
        fid = entry.get("id")
        if not isinstance(fid, str) or not _ID.match(fid):
            problems.append(Problem(name, f"#{i}", (
                f"'id' is {_show(fid)}; use lower-case letters, digits and hyphens")))
            fid = None
        elif fid in seen:
            problems.append(Problem(name, fid, "duplicate id; every feature needs its own id"))
            fid = None
        else:
            seen.add(fid)
        chk = _Checker(name, entry, fid or f"#{i}", problems)
        spec = _feature(chk)
        if spec is not None and fid is not None:
            specs.append(spec)
    context = []
    raw_context = data.get("context", [])
    if not isinstance(raw_context, list):
        problems.append(Problem(name, None, "'context' must be a list of layers"))
        raw_context = []
    for i, entry in enumerate(raw_context):
        if not isinstance(entry, dict):
            problems.append(Problem(name, f"context #{i}", "entry must be a JSON object"))
            continue
        cid = entry.get("id")
        label = f"context {cid}" if isinstance(cid, str) else f"context #{i}"
        if not isinstance(cid, str) or not _ID.match(cid) or cid in seen:
            problems.append(Problem(name, label, (
                f"'id' is {_show(cid)}; give each layer its own id of lower-case letters, "
                "digits and hyphens")))
            continue
        seen.add(cid)
        chk = _Checker(name, entry, label, problems)
        names = entry.get("name") if isinstance(entry.get("name"), dict) else {}
        en = chk.text("en", within=names, prefix="name.")
        zh = chk.text("zh", within=names, prefix="name.")
        geometry = chk.path("geometry")
        prov = _provenance(chk, need_accuracy=False)
        if en is not None and zh is not None and geometry is not None and prov is not None:
            context.append(ContextSpec(cid, en, zh, geometry, prov))
    _cross_check(name, specs, seen, problems)
    if problems:
        raise BoundaryError(problems)
    return Manifest(folder, tuple(specs), tuple(context))


def _cross_check(name: str, specs: list[FeatureSpec], ids: set[str],
                 problems: list[Problem]) -> None:
    """Check references between features; ``ids`` also holds entries already reported broken."""
    by_id = {s.id: s for s in specs}
    for spec in specs:
        for part in spec.union_of:
            other = by_id.get(part)
            if other is None and part in ids:
                continue
            if other is None:
                problems.append(Problem(name, spec.id, f"'union_of' names '{part}', which is not a feature"))
            elif other.kind != "polygon" or other.side != spec.side:
                problems.append(Problem(name, spec.id, (
                    f"'union_of' names '{part}', which is not a polygon on the same side")))
            elif other.union_of:
                problems.append(Problem(name, spec.id, f"'union_of' names '{part}', itself a union"))
        for label, line_ids in spec.bounded_by:
            for line_id in line_ids:
                line = by_id.get(line_id)
                if line is None and line_id not in ids:
                    problems.append(Problem(name, spec.id, (
                        f"'bounded_by' {label} edge names '{line_id}', which is not a feature")))
                elif line is not None and line.kind != "line":
                    problems.append(Problem(name, spec.id, (
                        f"'bounded_by' {label} edge names '{line_id}', which is a {line.kind}, not a line")))
        if spec.part_of is not None:
            parent = by_id.get(spec.part_of)
            if parent is None and spec.part_of in ids:
                continue
            if parent is None:
                problems.append(Problem(name, spec.id, f"'part_of' names '{spec.part_of}', which is not a feature"))
            elif parent.kind != "polygon" or parent.side != spec.side or parent.part_of:
                problems.append(Problem(name, spec.id, (
                    f"'part_of' names '{spec.part_of}', which is not a whole side's polygon "
                    "on the same side")))
    if specs and not any(s.kind == "polygon" for s in specs):
        problems.append(Problem(name, None, "lists no polygon feature"))


#: Names that moved in 0.3.0: still found here for one release, with a FutureWarning.
_MOVED = {
    "Kind": "hetao.model",
    "APPROX_FRACTION": "hetao.model",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _MOVED)
