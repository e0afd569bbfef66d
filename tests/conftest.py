"""Shared fixtures: copies of the shipped boundaries to break, and the CLI run as users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "boundaries"
HETAO = Path(sys.executable).parent / "hetao"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_hetao(*args: str, cwd: Path | None = None) -> Run:
    """Run the installed ``hetao`` console script, as a user would."""
    exe = str(HETAO) if HETAO.exists() else shutil.which("hetao")
    assert exe, "the hetao console script is not installed (pip install -e .)"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([exe, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


class Folder:
    """A writable copy of the shipped boundaries folder."""

    def __init__(self, path: Path):
        self.path = path
        shutil.copytree(SHIPPED, path)

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, data: dict) -> None:
        self.manifest_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def entry(self, data: dict, fid: str) -> dict:
        return next(f for f in data["features"] if f["id"] == fid)

    def edit_feature(self, fid: str, **changes) -> None:
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
        return json.loads(self.geometry_path(fid).read_text())

    def write_geometry(self, fid: str, data: object) -> None:
        text = data if isinstance(data, (str, bytes)) else json.dumps(data)
        target = self.path / f"{fid}.geojson"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def set_coordinates(self, fid: str, coordinates: object, gtype: str | None = None) -> None:
        data = self.geometry(fid)
        geom = data["features"][0]["geometry"]
        geom["coordinates"] = coordinates
        if gtype:
            geom["type"] = gtype
        self.write_geometry(fid, data)

    def snapshot(self) -> dict[str, bytes]:
        def content(p: Path):
            if p.is_symlink():
                return ("symlink", os.readlink(p))
            if not p.is_file():
                return ("special", p.stat().st_mode)
            if p.stat().st_size > 50_000_000:
                return ("large", p.stat().st_size, p.stat().st_mtime_ns)
            return p.read_bytes()
        return {str(p.relative_to(self.path)): content(p) for p in sorted(self.path.rglob("*"))}


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "boundaries")


# --- headless Chromium -------------------------------------------------------------------

TILE_HOSTS = ("tile.openstreetmap.org", "server.arcgisonline.com")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for candidate in (os.environ.get("HETAO_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; fails (never skips) in CI when missing."""
    exe = _chromium()
    if exe is None:
        message = "no Chromium found: apt-get install -y chromium (or set HETAO_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class OpenedPage:
    page: object
    requests: list[str]
    console: list[tuple[str, str, str]]   # (type, text, url)
    errors: list[str]

    def left_machine(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]

    def unexpected_console(self) -> list[tuple[str, str, str]]:
        """Console errors and warnings, except the failed loads of basemap tiles."""
        return [c for c in self.console if c[0] in ("error", "warning")
                and not any(h in c[2] for h in TILE_HOSTS)]


@pytest.fixture
def open_page(browser):
    """Open a local HTML file with the network blocked; record requests and console."""
    contexts = []

    def opener(path: Path, wait_ms: int = 800) -> OpenedPage:
        ctx = browser.new_context(viewport={"width": 1280, "height": 860})
        contexts.append(ctx)
        requests: list[str] = []
        console: list[tuple[str, str, str]] = []
        errors: list[str] = []

        def route(r):
            requests.append(r.request.url)
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: console.append((m.type, m.text, m.location.get("url", ""))))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        page.wait_for_timeout(wait_ms)
        return OpenedPage(page, requests, console, errors)

    yield opener
    for ctx in contexts:
        ctx.close()
