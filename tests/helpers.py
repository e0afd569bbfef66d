"""Shared test helpers: the CLI in-process and installed, boundaries folders to break,
independent geodesic figures, and a headless Chromium that clicks like a person.

conftest.py turns some of these into fixtures; test files import from here only.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import shapely
import shapely.affinity
from geographiclib.geodesic import Geodesic

ROOT = Path(__file__).resolve().parent.parent
#: The shipped boundaries folder, read straight from the repository.
SHIPPED = ROOT / "boundaries"
#: The installed ``hetao`` console script of this venv.
HETAO = Path(sys.executable).parent / "hetao"

FEATURE_IDS = ["hong-kong-park", "shenzhen-park", "futian-bonded-zone", "huanggang-port-area",
               "hkstp-shenzhen-branch"]
POLYGON_IDS = FEATURE_IDS[:-1]
#: The shipped polygons built from lines (``bounded_by``), and those lines in manifest order.
BOUNDED_IDS = ["hong-kong-park", "futian-bonded-zone", "huanggang-port-area"]
LINE_IDS = ["hk-sz-border", "loop-east-edge", "loop-south-edge", "binhe-boulevard",
            "huaqiang-south-road", "huanggang-road", "xinzhou-river", "ronghua-road-approximate"]
CONTEXT_IDS = ["hong-kong-boundary", "nearby-roads"]
#: A plain folder (see :func:`make_plain_folder`) keeps the border as a context layer, as the
#: shipped folder did before its polygons were built from lines.
PLAIN_CONTEXT_IDS = ["hk-sz-border", *CONTEXT_IDS]
OUTPUTS = ["hetao.html", "hetao.geojson", "areas.csv", "hetao.png", "hetao.gpkg", "hetao.kml", "hetao.csv"]


# --- running hetao -----------------------------------------------------------------------

@dataclass
class Run:
    """What a run of the CLI did: exit code, standard output and standard error."""

    code: int
    out: str
    err: str


def run(*args: object) -> Run:
    """Run the CLI in this process with click's CliRunner, as ``hetao ARGS...`` would.

    Exceptions other than click's own exits propagate (a traceback is a test failure, never
    an exit code). The ``hetao`` logger is left as it was found.
    """
    from click.testing import CliRunner

    from hetao.cli import cli

    logger = logging.getLogger("hetao")
    level, handlers = logger.level, list(logger.handlers)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="hetao",
                                    catch_exceptions=False)
    finally:
        logger.setLevel(level)
        logger.handlers[:] = handlers
    return Run(result.exit_code, result.stdout, result.stderr)


def run_on_fds(capfd, *args: object) -> Run:
    """Run the CLI in this process, writing to the real file descriptors 1 and 2 (read back
    with pytest's ``capfd``), as ``hetao ARGS...`` would.

    Unlike :func:`run` (whose streams live in memory), this also shows what a child process
    the command forks writes: ``hetao build`` draws its figure in one. The ``hetao`` logger is
    left as it was found.
    """
    from hetao.cli import cli

    logger = logging.getLogger("hetao")
    level, handlers = logger.level, list(logger.handlers)
    # The CLI points its handler (left by an earlier run, maybe) at the current stderr: put
    # each handler's stream back too, or it would keep capfd's file, closed after this test.
    streams = [(h, h.stream) for h in handlers if isinstance(h, logging.StreamHandler)]
    capfd.readouterr()
    code = 0
    try:
        cli.main([str(a) for a in args], prog_name="hetao")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        for handler, stream in streams:
            handler.stream = stream
    out, err = capfd.readouterr()
    return Run(code, out, err)


def installed_hetao() -> str:
    exe = str(HETAO) if HETAO.exists() else shutil.which("hetao")
    assert exe, "the hetao console script is not installed (pip install -e .)"
    return exe


def run_installed(*args: object, cwd: Path | None = None, timeout: float = 120) -> Run:
    """Run the installed ``hetao`` console script in a new process, as a user would."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([installed_hetao(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def start_installed(*args: object) -> subprocess.Popen:
    """Start the installed ``hetao`` in a session (and process group) of its own."""
    return subprocess.Popen([installed_hetao(), *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def poll_until(condition: Callable[[], bool], timeout: float, interval: float = 0.005) -> bool:
    """Check ``condition`` every ``interval`` seconds until it holds (True) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def process_group_gone(pgid: int) -> bool:
    """Whether no process of the group is left (zombies count as left until reaped)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def python(code: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """Run Python code in a fresh interpreter of this venv."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


# --- boundaries folders ------------------------------------------------------------------

class Folder:
    """A writable copy of the shipped boundaries folder."""

    def __init__(self, path: Path, source: Path = SHIPPED):
        self.path = path
        shutil.copytree(source, path, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, data: dict) -> None:
        self.manifest_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def entry(data: dict, fid: str) -> dict:
        return next(f for f in data["features"] if f["id"] == fid)

    def edit_feature(self, fid: str, **changes) -> None:
        """Set (or, with None, remove) keys of a feature's manifest entry."""
        data = self.manifest()
        entry = self.entry(data, fid)
        for key, value in changes.items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value
        self.write_manifest(data)

    def geometry_path(self, fid: str) -> Path:
        entry = next((f for f in self.manifest()["features"] if f["id"] == fid), {})
        return self.path / entry.get("geometry", f"{fid}.geojson")

    def geometry(self, fid: str) -> dict:
        return json.loads(self.geometry_path(fid).read_text(encoding="utf-8"))

    def has_file(self, fid: str) -> bool:
        """Whether the feature's manifest entry names a geometry file (a polygon built from
        lines, or a union, has none)."""
        return "geometry" in self.entry(self.manifest(), fid)

    def shape(self, fid: str):
        """The feature's geometry as a shapely object: read from its file, or, for a polygon
        built from lines (or a union), as hetao builds it when it loads the folder."""
        if not self.has_file(fid):
            import hetao
            return hetao.load(self.path).feature(fid).geometry
        return shapely.geometry.shape(self.geometry(fid)["features"][0]["geometry"])

    def line(self, lid: str) -> dict:
        """A line feature's file (a FeatureCollection of its LineString pieces)."""
        return self.geometry(lid)

    def ring(self, fid: str) -> list:
        """The exterior ring of a polygon feature, as in its file."""
        return self.geometry(fid)["features"][0]["geometry"]["coordinates"][0]

    def write_geometry(self, fid: str, data: object) -> None:
        target = self.geometry_path(fid)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")

    def set_coordinates(self, fid: str, coordinates: object, gtype: str | None = None) -> None:
        data = self.geometry(fid)
        geom = data["features"][0]["geometry"]
        geom["coordinates"] = coordinates
        if gtype:
            geom["type"] = gtype
        self.write_geometry(fid, data)

    def snapshot(self) -> dict[str, object]:
        """Every path below the folder and its content (bytes, a symlink's target, ...)."""
        def content(p: Path):
            if p.is_symlink():
                return ("symlink", os.readlink(p))
            if p.is_dir():
                return ("folder",)
            if not p.is_file():
                return ("special", p.stat().st_mode)
            if p.stat().st_size > 50_000_000:
                return ("large", p.stat().st_size, p.stat().st_mtime_ns)
            return p.read_bytes()
        return {str(p.relative_to(self.path)): content(p) for p in sorted(self.path.rglob("*"))}

    def version(self) -> tuple[bytes, dict[str, bytes]]:
        """What hetao reads: the manifest's bytes and those of every file it names."""
        raw = self.manifest_path.read_bytes()
        data = json.loads(raw)
        named = sorted({e["geometry"] for e in data["features"] + data.get("context", [])
                        if "geometry" in e})
        return raw, {name: (self.path / name).read_bytes() for name in named}

    def temporaries(self) -> list[str]:
        """Temporary files left by a write (hetao names them .NAME.XXXXXXXX.tmp)."""
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob(".*.tmp"))


def make_plain_folder(path: Path, source: Path = SHIPPED) -> Path:
    """A copy of ``source`` whose polygons are all plain geometry files: no lines.

    Each polygon built from lines (``bounded_by``) is written as ``<id>.geojson``, its face as
    hetao builds it; its manifest entry gets ``geometry`` and a
    ``provenance.positional_accuracy_m`` of its area uncertainty / boundary length (so its
    area and uncertainty stay those of the face), and loses ``bounded_by`` and ``reconcile``.
    The line entries and ``lines/`` go; the HK-Shenzhen border line becomes the context layer
    ``hk-sz-border`` (``context/hk-sz-border.geojson``), as the shipped folder had it before
    its polygons were built from lines. Points and the other context layers are kept as they
    are. Returns ``path``.
    """
    import hetao

    zone = hetao.load(source)
    measured = {m.id: m for m in hetao.measure(zone)}
    shutil.copytree(source, path, ignore=shutil.ignore_patterns(
        "__pycache__", "__init__.py", "lines", "history"))
    data = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    features, lines = [], {}
    for entry in data["features"]:
        if entry["kind"] == "line":
            lines[entry["id"]] = entry
            continue
        if "bounded_by" in entry:
            fid = entry["id"]
            m = measured[fid]
            # The same keys in the same order, with the geometry where the edges were.
            entry = {("geometry" if k == "bounded_by" else k): (f"{fid}.geojson" if k == "bounded_by" else v)
                     for k, v in entry.items() if k != "reconcile"}
            entry["provenance"] = dict(entry["provenance"],
                                       positional_accuracy_m=m.uncertainty_m2 / m.boundary_length_m)
            (path / f"{fid}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": fid, "properties": {},
                 "geometry": shapely.geometry.mapping(zone.feature(fid).geometry)}]}) + "\n",
                encoding="utf-8")
        features.append(entry)
    data["features"] = features
    border = lines.get("hk-sz-border")
    if border is not None:
        (path / "context").mkdir(exist_ok=True)
        (path / "context" / "hk-sz-border.geojson").write_text(json.dumps({
            "type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "hk-sz-border", "properties": {},
                 "geometry": shapely.geometry.mapping(zone.line("hk-sz-border").geometry)}]}) + "\n",
            encoding="utf-8")
        provenance = {k: v for k, v in border["provenance"].items() if k != "positional_accuracy_m"}
        data["context"] = [{"id": "hk-sz-border", "name": border["name"],
                            "geometry": "context/hk-sz-border.geojson", "provenance": provenance},
                           *data.get("context", [])]
    (path / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    return path


def feature_collection(geometry) -> dict:
    """A one-feature RFC 7946 FeatureCollection of a shapely geometry."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}]}


def write_geojson(path: Path, geometry) -> Path:
    path.write_text(json.dumps(feature_collection(geometry)), encoding="utf-8")
    return path


def moved_loop(folder: Folder, path: Path, dx: float = 0.0004, dy: float = 0.0) -> Path:
    """The Loop moved by (dx, dy) degrees, written as GeoJSON: an 'updated survey'."""
    return write_geojson(path, shapely.affinity.translate(folder.shape("hong-kong-park"), dx, dy))


def moved_line(folder: Folder, lid: str, path: Path, north_m: float = 20.0) -> Path:
    """A line of the folder moved ``north_m`` metres north (every piece, as one LineString
    feature each), written as GeoJSON: an 'updated survey' of the line."""
    dy = north_m / 110_574.0
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": shapely.geometry.mapping(shapely.affinity.translate(shapely.geometry.shape(f["geometry"]), 0, dy))}
        for f in folder.line(lid)["features"]]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def local_transformers():
    """pyproj transformers WGS84 -> the zone's local metric CRS and back (an independent
    route to metres: hetao's own ``to_crs`` is not used)."""
    from pyproj import Transformer

    from hetao.geodesy import LOCAL_CRS
    return (Transformer.from_crs("EPSG:4326", LOCAL_CRS, always_xy=True),
            Transformer.from_crs(LOCAL_CRS, "EPSG:4326", always_xy=True))


def transformed(geometry, transformer):
    """A shapely geometry with every coordinate transformed (x first)."""
    import numpy as np
    return shapely.transform(geometry, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))


def geodesic_length(geometry) -> float:
    """GeographicLib's length (m) of every LineString part of a lon/lat geometry."""
    total = 0.0
    for part in shapely.get_parts(geometry):
        if part.geom_type != "LineString":
            continue
        coords = list(part.coords)
        for (x0, y0), (x1, y1) in zip(coords, coords[1:]):
            total += Geodesic.WGS84.Inverse(y0, x0, y1, x1)["s12"]
    return total


# --- independent geodesic figures --------------------------------------------------------

class Geodesics(NamedTuple):
    area: float              # m², holes subtracted
    perimeter: float         # m, the exterior ring only
    boundary_length: float   # m, every ring


def geographiclib_area(rings: list[list[list[float]]]) -> Geodesics:
    """A polygon measured ring by ring with GeographicLib: ``rings[0]`` is the exterior."""
    area = perimeter = length = 0.0
    for i, ring in enumerate(rings):
        poly = Geodesic.WGS84.Polygon()
        for lon, lat in ring[:-1]:
            poly.AddPoint(lat, lon)
        # Signed area, whichever way the ring runs: its magnitude is the enclosed area.
        _, ring_length, ring_area = poly.Compute(reverse=False, sign=True)
        area += abs(ring_area) if i == 0 else -abs(ring_area)
        perimeter += ring_length if i == 0 else 0.0
        length += ring_length
    return Geodesics(area, perimeter, length)


def geographiclib_geometry(geometry) -> Geodesics:
    """A shapely (multi)polygon measured with GeographicLib, polygon by polygon."""
    totals = [0.0, 0.0, 0.0]
    for polygon in shapely.get_parts(geometry):
        rings = [polygon.exterior, *polygon.interiors]
        figures = geographiclib_area([[list(c) for c in ring.coords] for ring in rings])
        totals = [t + f for t, f in zip(totals, figures)]
    return Geodesics(*totals)


# --- headless Chromium -------------------------------------------------------------------

TILE_HOSTS = ("tile.openstreetmap.org", "server.arcgisonline.com")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}

#: The page's main map, found by its variable's name (the minimap is another L.Map, and a
#: sandboxed iframe forbids reading every window property).
MAIN_MAP = "window[Object.keys(window).find(k => /^map_[0-9a-f]{32}$/.test(k))]"
#: What the main map has drawn: GeoJSON features by id, circles and markers in the DOM.
DRAWN = f"""() => {{
    const map = {MAIN_MAP};
    const out = {{features: [], circles: 0, markers: 0}};
    map.eachLayer(l => {{
        if (l.feature && l._path && l._path.isConnected) out.features.push(l.feature.id);
        else if (l instanceof L.Circle && l._path && l._path.isConnected) out.circles += 1;
        else if (l instanceof L.Marker && l._icon && l._icon.isConnected) out.markers += 1;
    }});
    return out;
}}"""
#: Records Content-Security-Policy violations from the first script on.
CSP_WATCH = ("window.__csp = []; document.addEventListener('securitypolicyviolation',"
             " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


def chromium() -> str | None:
    for candidate in (os.environ.get("HETAO_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass
class OpenedPage:
    page: object
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str, str]] = field(default_factory=list)   # (type, text, url)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def left_machine(self) -> list[str]:
        """Every address asked for that is not a local file or data."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]

    def unexpected_console(self) -> list[tuple[str, str, str]]:
        """Console errors and warnings, except the failed loads of basemap tiles."""
        return [c for c in self.console if c[0] in ("error", "warning")
                and not any(h in c[2] for h in TILE_HOSTS)]


def open_html(browser, path: Path, viewport: dict = DESKTOP, **context_options) -> tuple[object, OpenedPage]:
    """Open a local page with the network blocked; wait until its main map has loaded.

    Returns the browser context (for the caller to close) and the page with what it
    requested, logged and raised.
    """
    ctx = browser.new_context(viewport=viewport, **context_options)
    opened = OpenedPage(None)

    def route(r):
        opened.requests.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    ctx.route("**/*", route)
    ctx.add_init_script(CSP_WATCH)
    page = ctx.new_page()
    opened.page = page
    page.on("console", lambda m: opened.console.append((m.type, m.text, m.location.get("url", ""))))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri())
    page.wait_for_function(f"() => {{ const m = {MAIN_MAP}; return !!(m && m._loaded); }}")
    return ctx, opened


def wait_map_idle(page) -> None:
    """Wait until the main map is neither panning nor zooming (popups pan it into view)."""
    page.wait_for_function(f"""() => {{ const m = {MAIN_MAP};
        return !(m._panAnim && m._panAnim._inProgress) && !m._animatingZoom; }}""")


class SharedMap:
    """A map opened once and shared by a module's tests that leave it as they found it (hover,
    click, read): :meth:`fresh` gives it back as it first showed. ``frame`` is the document
    holding the map: the page itself, or a notebook's iframe in it."""

    def __init__(self, page, frame=None, opened: OpenedPage | None = None, park_mouse: bool = False):
        self.page, self.frame, self.opened, self.park_mouse = page, frame or page, opened, park_mouse
        wait_map_idle(self.frame)
        self.home = self.frame.evaluate(f"""() => {{ const m = {MAIN_MAP};
            return [m.getCenter(), m.getZoom(), document.querySelector('.hetao-legend details').open]; }}""")

    def fresh(self) -> OpenedPage | None:
        """Popups closed, the legend as it started, focus nowhere, the first view back (and,
        with ``park_mouse``, the mouse on the page's top edge, off every control); the
        opened page."""
        self.frame.evaluate(f"""([c, z, open]) => {{ const m = {MAIN_MAP}; m.closePopup();
            const d = document.querySelector('.hetao-legend details'); if (d.open !== open) d.open = open;
            if (document.activeElement) document.activeElement.blur();
            m.setView(c, z, {{animate: false}}); }}""", self.home)
        if self.park_mouse:
            self.page.mouse.move(self.page.viewport_size["width"] / 2, 0)
        wait_map_idle(self.frame)
        return self.opened


def interior_candidates(geometry, n: int = 24) -> list[tuple[float, float]]:
    """Points inside a polygon as (lat, lon), the most interior first: where a person aims."""
    from shapely.ops import polylabel

    polygons = sorted(shapely.get_parts(geometry), key=lambda p: -p.area)
    points = [polylabel(polygons[0], 1e-7)]
    minx, miny, maxx, maxy = geometry.bounds
    grid = [shapely.Point(minx + (maxx - minx) * (i + 0.5) / n, miny + (maxy - miny) * (j + 0.5) / n)
            for i in range(n) for j in range(n)]
    inside = [p for p in grid if geometry.contains(p)]
    points += sorted(inside, key=lambda p: -geometry.boundary.distance(p))
    return [(p.y, p.x) for p in points]


def screen_point(page, feature_id: str, geometry, candidates=None) -> tuple[float, float]:
    """Where on the screen a person sees ``feature_id`` and can click it.

    Reads positions only: each candidate inside the feature (or each of ``candidates``,
    (lat, lon) pairs) is placed with the map's own ``latLngToContainerPoint`` and the
    container's box, and the first one at which the feature's own outline is the topmost
    element (not a control, the legend, a popup, a label or another layer) is returned.
    """
    candidates = interior_candidates(geometry) if candidates is None else candidates
    found = page.evaluate(f"""([fid, candidates]) => {{
        const map = {MAIN_MAP};
        let target = null;
        map.eachLayer(l => {{ if (l.feature && l.feature.id === fid && l._path) target = l._path; }});
        if (!target) return {{error: 'no layer ' + fid}};
        const box = map.getContainer().getBoundingClientRect();
        for (const [lat, lng] of candidates) {{
            const p = map.latLngToContainerPoint([lat, lng]);
            const x = box.left + p.x, y = box.top + p.y;
            if (x < 1 || y < 1 || x > innerWidth - 1 || y > innerHeight - 1) continue;
            if (document.elementFromPoint(x, y) === target) return {{x, y}};
        }}
        return {{error: 'no visible point of ' + fid}};
    }}""", [feature_id, candidates])
    assert "error" not in found, found["error"]
    return found["x"], found["y"]


def click_feature(page, feature_id: str, geometry) -> tuple[float, float]:
    """Click a feature with the mouse, at a point inside it where it shows."""
    wait_map_idle(page)
    x, y = screen_point(page, feature_id, geometry)
    page.mouse.click(x, y)
    return x, y


def click_marker(page, selector: str = ".hetao-marker") -> None:
    """Click a marker with the mouse at the middle of its icon, where a person sees it."""
    wait_map_idle(page)
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    viewport = page.viewport_size
    assert 0 < x < viewport["width"] and 0 < y < viewport["height"], (x, y, viewport)
    on_top = page.evaluate(f"([x, y]) => !!document.elementFromPoint(x, y).closest({json.dumps(selector)})",
                           [x, y])
    assert on_top, f"something covers {selector}"
    page.mouse.click(x, y)


def popup_text(page, expected: str) -> str:
    """The open popup's text, once it shows ``expected`` and any previous popup has gone."""
    from playwright.sync_api import expect

    expect(page.locator(".leaflet-popup-content", has_text=expected)).to_have_count(1)
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    return page.locator(".leaflet-popup-content").inner_text()
