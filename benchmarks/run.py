"""hetao's benchmarks: ratios measured side by side in one run, medians of repetitions.

Run from the repository root:  .venv/bin/python benchmarks/run.py [--repeat N] [--quick]

Each line compares hetao with a baseline measured in the same run on the same machine, so
the ratio, not the seconds, is the figure to read. Targets are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
PY = sys.executable
HETAO = str(Path(sys.executable).parent / "hetao")


#: The environment of every measured process: bytecode cached, as a user has it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (MB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def median_pair(ours: list[str], base: list[str], repeat: int,
                prepare=None) -> tuple[float, float, float, float]:
    """Interleaved runs; medians of time and memory for both commands.

    ``prepare``, if given, is called (untimed) before each run of ``ours``: e.g. a fresh
    copy of a folder that ``ours`` writes into and ``base`` then reads.
    """
    def pair() -> tuple[tuple[float, float], tuple[float, float]]:
        if prepare is not None:
            prepare()
        return run(ours), run(base)

    pair()   # warm the file cache
    a, b = [], []
    for _ in range(repeat):
        x, y = pair()
        a.append(x)
        b.append(y)
    return (statistics.median(t for t, _ in a), statistics.median(t for t, _ in b),
            statistics.median(m for _, m in a), statistics.median(m for _, m in b))


ROWS: list[tuple[str, str, str, str, str, str]] = []


def row(name: str, ours: str, base: str, ratio: float, target: float | None, higher_ok=False) -> None:
    ok = "" if target is None else ("ok" if (ratio >= target if higher_ok else ratio <= target) else "MISSED")
    ROWS.append((name, ours, base, f"{ratio:.3f}", "" if target is None else f"{'≥' if higher_ok else '≤'} {target}", ok))
    print(f"{name:<60} {ours:>14} {base:>14} {ratio:>8.3f} {ROWS[-1][4]:>7} {ok}", flush=True)


def bench_commands(repeat: int, work: Path) -> None:
    """Each command against the imports it cannot do without (issue #21's targets)."""
    base = [PY, "-c", "import click, pyproj, shapely"]
    for command in ("areas", "check"):
        t, tb, _, _ = median_pair([HETAO, command], base, repeat)
        row(f"hetao {command} / import click, pyproj, shapely", f"{t:.3f} s", f"{tb:.3f} s", t / tb, 1.25)
    t, tb, _, _ = median_pair([HETAO, "--help"], [PY, "-c", "import click"], repeat)
    row("hetao --help / import click", f"{t:.3f} s", f"{tb:.3f} s", t / tb, 1.5)
    t, tb, _, _ = median_pair([HETAO, "build", "--out", str(work / "out")],
                              [PY, "-c", "import geopandas, folium, matplotlib.backends.backend_agg"], repeat)
    row("hetao build / import geopandas, folium, matplotlib Agg", f"{t:.3f} s", f"{tb:.3f} s", t / tb, 1.5)


MINIMAL = """
import json, sys, pyproj
data = json.load(open(sys.argv[1]))
ring = data["features"][0]["geometry"]["coordinates"][0]
print(pyproj.Geod(ellps="WGS84").polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring]))
"""


def bench_large(repeat: int, big: Path, label: str) -> None:
    t, tb, m, mb = median_pair([HETAO, "areas", "--boundaries", str(big)],
                               [PY, "-c", MINIMAL, str(big / "hong-kong-park.geojson")], repeat)
    row(f"{label}: hetao areas / json.load + Geod", f"{t:.3f} s", f"{tb:.3f} s", t / tb, 1.5)
    row(f"{label}: peak memory, hetao / minimal", f"{m:.0f} MB", f"{mb:.0f} MB", m / mb, None)
    # The same file swapped in two ways: into the shipped folder (the usual case: a detailed
    # survey replaces the plan's outline) and into a folder already holding it (both versions
    # are then read, checked and measured). The wavy outline overlaps the Shenzhen side by
    # 144 m² (waves 0.3 m wide along the river), hence --allow-overlap.
    shipped = big.parent / "shipped"
    if not shipped.exists():
        import shutil
        shutil.copytree(ROOT / "boundaries", shipped)
    swap = [HETAO, "swap", "hong-kong-park", str(big / "hong-kong-park.geojson"), "--dry-run",
            "--keep-explanation", "--allow-overlap", "--boundaries"]
    for name, folder in (("into the shipped folder", shipped), ("into a folder holding it", big)):
        ts, ta, _, _ = median_pair(swap + [str(folder)], [HETAO, "areas", "--boundaries", str(big)], repeat)
        row(f"{label}: swap --dry-run {name} / areas", f"{ts:.3f} s", f"{ta:.3f} s", ts / ta, 2.0)
    bench_real_swap(repeat, big, label)


def bench_real_swap(repeat: int, big: Path, label: str) -> None:
    """The same swap for real (it writes) into a fresh copy of the shipped folder each run,
    the copy made before the timed process; against ``hetao areas`` on the folder it wrote."""
    import shutil
    target = big.parent / "swapped"

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "boundaries", target)

    swap = [HETAO, "swap", "hong-kong-park", str(big / "hong-kong-park.geojson"), "--keep-explanation",
            "--allow-overlap", "--source", "bigboundary.py", "--licence", "CC0", "--accuracy", "10",
            "--boundaries", str(target)]
    ts, ta, _, _ = median_pair(swap, [HETAO, "areas", "--boundaries", str(target)], repeat, prepare=fresh)
    row(f"{label}: swap (writes) into the shipped folder / areas", f"{ts:.3f} s", f"{ta:.3f} s", ts / ta, 2.0)


def plain_folium_map(zone, path: Path, offline: bool) -> None:
    """What a user would write: every feature as one folium.GeoJson, folium's defaults."""
    import folium
    import shapely
    from branca.element import CssLink, JavascriptLink
    from hetao.assets import asset_text, script_safe

    fmap = folium.Map(location=[22.515, 114.066], zoom_start=14)
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": b.id}, "geometry": shapely.geometry.mapping(b.geometry)}
        for b in zone.features]}).add_to(fmap)
    figure = fmap.get_root()
    if not offline:
        figure.save(str(path))
        return
    for child in list(figure._children.values()):
        child.render()
    for link in list(figure.header._children.values()):
        if isinstance(link, (JavascriptLink, CssLink)):
            try:
                link.code = script_safe(asset_text(link.url))
            except Exception:
                link.code = ""   # an asset no package ships: leave it out
    path.write_text(figure._template.render(this=figure, kwargs={"embedded": True}), encoding="utf-8")


def bench_map(big: Path, work: Path, repeat: int, browser: bool, label: str) -> None:
    import shapely
    from hetao.geodesy import LOCAL_CRS
    from hetao.display import display_geometries
    from hetao.geodesy import to_crs
    from hetao.zone import load_zone

    zone = load_zone(big)
    out = work / "big-out"
    subprocess.run([HETAO, "build", "--boundaries", str(big), "--out", str(out)], check=True,
                   capture_output=True)
    ours = out / "hetao.html"
    plain = work / "plain.html"
    plain_folium_map(zone, plain, offline=False)
    row(f"{label}: map HTML size, hetao / plain folium", f"{ours.stat().st_size / 1e6:.2f} MB",
        f"{plain.stat().st_size / 1e6:.2f} MB", ours.stat().st_size / plain.stat().st_size, 0.05)
    shown = display_geometries(zone)
    worst = max(shapely.hausdorff_distance(to_crs(b.geometry, LOCAL_CRS), to_crs(shown[b.id], LOCAL_CRS),
                                           densify=0.25 if shapely.get_num_coordinates(b.geometry) < 5000 else None)
                for b in zone.features if b.spec.kind == "polygon")
    name = f"{label}: drawn vs true outline (Hausdorff)"
    ROWS.append((name, f"{worst:.3f} m", "", "", "≤ 0.5 m", "ok" if worst <= 0.5 else "MISSED"))
    print(f"{name:<46} {worst:>12.3f} m {'':>14} {'':>8}  ≤ 0.5 m", flush=True)
    if not browser:
        return
    plain_offline = work / "plain-offline.html"
    plain_folium_map(zone, plain_offline, offline=True)
    t_ours, t_plain = drawn_times(ours, plain_offline, repeat)
    row(f"{label}: load to drawn in Chromium, hetao / plain", f"{t_ours:.0f} ms", f"{t_plain:.0f} ms",
        t_ours / t_plain, 0.5)


DRAWN = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  if (!map) return false;
  let n = 0;
  map.eachLayer(l => { if (l.feature && l._path && l._path.isConnected) n += 1; });
  return n >= 4 ? performance.now() : false;
}"""


def drawn_times(ours: Path, plain: Path, repeat: int) -> tuple[float, float]:
    """Median ms from navigation start until the polygons are in the DOM, network blocked."""
    from playwright.sync_api import sync_playwright
    exe = os.environ.get("HETAO_CHROMIUM", "/usr/bin/chromium")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
            "--disable-component-update", "--disable-sync"]
    results: dict[Path, list[float]] = {ours: [], plain: []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=args)
        for _ in range(repeat):
            for path in (ours, plain):
                ctx = browser.new_context(viewport={"width": 1280, "height": 860})
                ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
                page = ctx.new_page()
                page.goto(path.as_uri(), wait_until="commit", timeout=120_000)
                handle = page.wait_for_function(DRAWN, timeout=120_000, polling=20)
                results[path].append(handle.json_value())
                ctx.close()
        browser.close()
    return statistics.median(results[ours]), statistics.median(results[plain])


def spherical_area(ring) -> float:
    """turf.js-style area on a sphere of R = 6,371,008.8 m."""
    radius = 6_371_008.8
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        total += math.radians(x2 - x1) * (2 + math.sin(math.radians(y1)) + math.sin(math.radians(y2)))
    return abs(total * radius * radius / 2)


def bench_accuracy(big: Path) -> None:
    import pyproj
    import shapely
    from geographiclib.geodesic import Geodesic
    from hetao.geodesy import to_crs
    from hetao.measurement import geodesic_area_perimeter
    from hetao.zone import load_zone

    cases = [(b.id, b.geometry) for b in load_zone(ROOT / "boundaries").features if b.spec.kind == "polygon"]
    cases.append(("densified Loop", load_zone(big).feature("hong-kong-park").geometry))
    print(f"\n{'relative area error':<34} {'vs C lib':>10} {'vs Python':>10} {'sphere':>10} {'Web Merc.':>10}")
    for name, geom in cases:
        reference = 0.0
        sphere = 0.0
        for polygon in shapely.get_parts(geom):
            ring = list(polygon.exterior.coords)
            poly = Geodesic.WGS84.Polygon()
            for x, y in ring[:-1]:
                poly.AddPoint(y, x)
            reference += abs(poly.Compute(False, True)[2])
            sphere += spherical_area(ring)
        ours = geodesic_area_perimeter(geom)[0]
        mercator = to_crs(geom, "EPSG:3857").area
        errs = [(v - reference) / reference for v in (ours, sphere, mercator)]
        # The same polygon through GeographicLib's C implementation (via pyproj), directly.
        coords = shapely.get_coordinates(shapely.orient_polygons(geom))
        c_impl = abs(pyproj.Geod(ellps="WGS84").polygon_area_perimeter(coords[:, 0], coords[:, 1])[0]) \
            if geom.geom_type == "Polygon" else ours
        exact = (ours - c_impl) / c_impl
        ROWS.append((f"area error vs GeographicLib C: {name}", f"{exact:.1e}", "", "", "≤ 1e-9",
                     "ok" if abs(exact) <= 1e-9 else "MISSED"))
        print(f"{name:<34} {exact:>10.1e} {errs[0]:>10.1e} {errs[1]:>+10.3%} {errs[2]:>+10.2%}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="100,000 vertices instead of 1,000,000, no browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    args = parser.parse_args()
    from bigboundary import make_folder

    with tempfile.TemporaryDirectory(prefix="hetao-bench-") as tmp:
        work = Path(tmp)
        print(f"{'measurement':<60} {'hetao':>14} {'baseline':>14} {'ratio':>8} {'target':>7}")
        bench_commands(args.repeat, work)
        vertices = 100_000 if args.quick else 1_000_000
        label = f"{vertices // 1000:,}k vertices" if vertices < 1_000_000 else "1M vertices"
        big = make_folder(work / "big", vertices)
        bench_large(max(3, args.repeat // 2), big, label)
        bench_map(big, work, 3, browser=not (args.quick or args.no_browser), label=label)
        bench_accuracy(big)
    judged = [r for r in ROWS if r[5]]
    print(f"\n{sum(r[5] == 'ok' for r in judged)} of {len(judged)} targets met")


if __name__ == "__main__":
    main()
