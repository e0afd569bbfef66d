"""Fixtures only; the helpers they use live in helpers.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from .helpers import CHROMIUM_ARGS, DESKTOP, SHIPPED, Folder, Run, chromium, make_plain_folder, open_html, run
from .overpass_replay import Replay, ReplayServer, elements_of


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    """A writable copy of the shipped boundaries."""
    return Folder(tmp_path / "boundaries")


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory) -> Path:
    """The shipped boundaries with every polygon a plain geometry file (made once; do not modify)."""
    return make_plain_folder(tmp_path_factory.mktemp("plain") / "boundaries")


@pytest.fixture
def plain_folder(tmp_path: Path, plain_template: Path) -> Folder:
    """A writable copy of the shipped boundaries whose polygons are plain geometry files, with
    no lines (helpers.make_plain_folder): such a folder behaves exactly as before."""
    return Folder(tmp_path / "boundaries", source=plain_template)


@pytest.fixture(autouse=True)
def figures_drawn_here(request, monkeypatch) -> None:
    """In-process builds draw their figures in this process, not in a forked child: a child
    of a test worker pays the worker's size to fork and draws with cold caches, while the
    other worker already uses the second core. Tests marked ``figure_child`` keep the child;
    installed commands always have it (their outputs are compared with these)."""
    if request.node.get_closest_marker("figure_child") is None:
        import hetao._build

        monkeypatch.setattr(hetao._build._FigureChild, "start", classmethod(lambda cls, drawing: None))


@pytest.fixture(scope="session")
def shipped_build_run(tmp_path_factory) -> tuple[Path, Run]:
    """The shipped boundaries built once with ``hetao build`` (in-process): the folder and
    what the command said; do not modify."""
    out = tmp_path_factory.mktemp("shipped-build")
    result = run("build", "--boundaries", SHIPPED, "--out", out)
    assert result.code == 0, result.err
    return out, result


@pytest.fixture(scope="session")
def shipped_build(shipped_build_run) -> Path:
    """The shipped boundaries built once with ``hetao build`` (in-process); do not modify."""
    return shipped_build_run[0]


def _needs(message: str) -> None:
    """A system package a test needs is missing: skip here with one line, fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def cjk_font() -> str:
    """The installed font with Chinese glyphs the figure uses; fails (never skips) in CI
    when there is none."""
    import hetao.figure

    found = hetao.figure.cjk_font()
    if found is None:
        _needs("no font with Chinese glyphs: apt-get install -y fonts-wqy-zenhei")
    return found


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; fails (never skips) in CI when missing."""
    exe = chromium()
    if exe is None:
        _needs("no Chromium found: apt-get install -y chromium (or set HETAO_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    """Open a local HTML file with the network blocked (see helpers.open_html)."""
    contexts = []

    def opener(path: Path, viewport: dict = DESKTOP, **options):
        ctx, opened = open_html(browser, path, viewport, **options)
        contexts.append(ctx)
        return opened

    yield opener
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def retry_waits(monkeypatch):
    """The waits urllib3 asks for between retries, recorded instead of slept: a test checks
    the wait asked for (``Retry-After`` honoured) without spending it."""
    import types

    import urllib3.util.retry as retry_module

    asked: list[float] = []
    clock = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    clock.sleep = asked.append
    monkeypatch.setattr(retry_module, "time", clock)
    return asked


@pytest.fixture
def replay():
    """A real HTTP server on loopback answering Overpass questions with the recorded shipped
    elements (tests/data/overpass/shipped.json); its ``url``, failures and requests seen."""
    r = Replay(store=elements_of("shipped.json"))
    with ReplayServer(r) as url:
        r.url = url
        yield r
