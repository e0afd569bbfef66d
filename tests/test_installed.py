"""hetao never writes into an installed package (issue #17, item 1).

A wheel is built from the sources and installed into a virtual environment of its own (its
dependencies seen through a ``.pth`` file naming this venv's site-packages): there, ``swap``,
``undo`` and ``refresh --apply`` without a folder refuse in one line saying how to get a
folder of one's own, and change nothing under site-packages; ``hetao copy-boundaries DIR``
and ``HETAO_BOUNDARIES=DIR`` give one, which a reinstall leaves as it was. The same refusal
is checked in-process (messages, the library's error) with the shipped folder pretended to
be an installed one. A checkout (this editable install) keeps writing its own boundaries/.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import shapely
import shapely.affinity

import hetao
import hetao.settings
import hetao.zone

from .helpers import ROOT, SHIPPED, Folder, run, write_geojson

PROVENANCE = ["--source", "Lands Department survey 2026", "--licence", "CC0-1.0", "--accuracy", "0.5"]
HOW = "hetao copy-boundaries DIR, then export HETAO_BOUNDARIES=DIR (or give --boundaries DIR)"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> sha256)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _data(folder: Path) -> dict[str, str]:
    """The boundaries files of ``folder``: its tree less the package's ``__init__.py``."""
    return {k: v for k, v in _tree(folder).items() if not k.startswith(("__init__", "__pycache__"))}


def _moved_loop(path: Path) -> Path:
    """The shipped Loop moved about 55 m south-east (away from the river): a survey that differs."""
    loop = hetao.load(SHIPPED).feature("hong-kong-park").geometry
    return write_geojson(path, shapely.affinity.translate(loop, 0.0005, -0.0002))


class Wheel:
    """hetao installed from a wheel into a venv of its own."""

    def __init__(self, root: Path):
        self.root = root
        self.venv = root / "venv"
        self.wheel = next((root / "wheel").glob("hetao-*.whl"))

    @functools.cached_property
    def shipped(self) -> Path:
        """The boundaries inside the installed package."""
        return Path(subprocess.run([str(self.venv / "bin" / "python"), "-c",
                                    "import hetao; print(hetao.shipped_boundaries())"],
                                   capture_output=True, text=True, check=True, env=self.env()).stdout.strip())

    @property
    def package(self) -> Path:
        return self.shipped.parent

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "HETAO_BOUNDARIES" and not k.startswith("PYTHON")}
        env["HETAO_OVERPASS_URL"] = "http://127.0.0.1:9/api/interpreter"    # a closed port: offline
        return env | extra

    def hetao(self, *args: object, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "hetao"), *map(str, args)], capture_output=True,
                              text=True, env=self.env(**env), cwd=self.root, timeout=120)

    def install(self) -> None:
        subprocess.run([str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                        "--no-index", "--ignore-installed", "--force-reinstall", str(self.wheel)],
                       check=True, capture_output=True, env=self.env(), timeout=120)


@pytest.fixture(scope="session")      # session: once per worker, however its tests interleave
def wheel(tmp_path_factory) -> Wheel:
    """Build the wheel (from a copy of the sources, so the checkout gets no build/) and
    install it into a new venv whose dependencies are this venv's."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "history")
    shutil.copytree(ROOT / "geo", source / "geo", ignore=ignore)
    shutil.copytree(ROOT / "boundaries", source / "boundaries", ignore=ignore)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "wheel"),
                            str(source)], capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        message = f"cannot build a wheel (setuptools from PyPI or pip's cache): {built.stderr.strip()[-200:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = Path(subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # This venv's packages (pip included), but not its editable hetao: the .pth files of a
    # folder named in a .pth are not read, so its editable finder is never installed.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = Wheel(root)
    installed.install()
    assert "site-packages" in installed.shipped.parts, installed.shipped
    return installed


@pytest.mark.slow
def test_wheel__swap_undo_refresh_apply_without_a_folder__refused_site_packages_untouched(wheel, tmp_path):
    before = _tree(wheel.package)
    survey = _moved_loop(tmp_path / "loop.geojson")
    for args in (["swap", "hong-kong-park", survey, *PROVENANCE], ["undo", "hong-kong-park"],
                 ["refresh", "--apply"], ["swap", "hong-kong-park", survey, *PROVENANCE,
                                          "--boundaries", wheel.shipped]):
        done = wheel.hetao(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stdout == ""
        assert done.stderr == (f"hetao: error: {wheel.shipped} is the boundaries folder inside the installed "
                               f"hetao package, which hetao never changes: copy it to a folder of your own with "
                               f"{HOW}\n"), args
    # Looking is fine: a dry run reads the shipped folder and writes nothing.
    dry = wheel.hetao("swap", "hong-kong-park", survey, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing written" in dry.stdout
    assert _tree(wheel.package) == before       # no file changed, added (no lock) or removed


@pytest.mark.slow
def test_wheel__folder_of_ones_own__swapped_in_kept_across_a_reinstall_then_undone(wheel, tmp_path):
    mine = tmp_path / "my-boundaries"
    copied = wheel.hetao("copy-boundaries", mine)
    assert copied.returncode == 0, copied.stderr
    assert f"export HETAO_BOUNDARIES={mine}" in copied.stdout
    shipped = _data(wheel.shipped)
    assert _tree(mine) == shipped and "README.md" in shipped and "lines/hk-sz-border.geojson" in shipped
    # A second copy into the same folder is refused: it is not empty.
    again = wheel.hetao("copy-boundaries", mine)
    assert again.returncode == 2 and "not empty" in again.stderr and _tree(mine) == shipped

    survey = _moved_loop(tmp_path / "loop.geojson")
    swapped = wheel.hetao("swap", "hong-kong-park", survey, *PROVENANCE, HETAO_BOUNDARIES=str(mine))
    assert swapped.returncode == 0, swapped.stderr
    assert f"wrote {mine / 'manifest.json'}" in swapped.stdout
    after_swap = _tree(mine)
    assert after_swap != shipped and any(k.startswith("history/hong-kong-park/") for k in after_swap)

    wheel.install()                              # a reinstall (an upgrade) of the package
    assert _tree(mine) == after_swap
    loaded = subprocess.run([str(wheel.venv / "bin" / "python"), "-c",
                             "import hetao; print(hetao.load().manifest.folder)"], capture_output=True,
                            text=True, env=wheel.env(HETAO_BOUNDARIES=str(mine)), check=True)
    assert Path(loaded.stdout.strip()) == mine
    undone = wheel.hetao("undo", "hong-kong-park", HETAO_BOUNDARIES=str(mine))
    assert undone.returncode == 0, undone.stderr
    assert _tree(mine) == shipped


# --- in-process: the same refusal, the shipped folder pretended installed ----------------

@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped boundaries inside a site-packages folder, taken for the shipped
    one (as in a wheel install)."""
    fake = tmp_path / "lib" / "python3" / "site-packages" / "hetao" / "boundaries"
    shutil.copytree(SHIPPED, fake, ignore=shutil.ignore_patterns("__pycache__", "history"))
    monkeypatch.setattr(hetao.zone, "default_boundaries_dir", lambda: fake)
    monkeypatch.delenv("HETAO_BOUNDARIES", raising=False)
    return fake


def test_installed__cli_refuses_each_writer_in_one_line_exit_2(installed, tmp_path):
    before = _tree(installed.parent)
    survey = _moved_loop(tmp_path / "loop.geojson")
    for args in (["swap", "hong-kong-park", survey, *PROVENANCE], ["undo", "hong-kong-park"],
                 ["refresh", "--apply", "--endpoint", "http://127.0.0.1:9/api/interpreter"]):
        done = run(*args)
        assert (done.code, done.out) == (2, ""), (args, done)
        assert done.err == (f"hetao: error: {installed} is the boundaries folder inside the installed hetao "
                            f"package, which hetao never changes: copy it to a folder of your own with {HOW}\n")
    assert _tree(installed.parent) == before
    assert not list(installed.parent.parent.glob(".*lock"))


def test_installed__library_error__a_permission_error_that_travels(installed, tmp_path):
    with pytest.raises(hetao.InstalledFolderError) as info:
        hetao.undo("hong-kong-park")
    error = info.value
    assert isinstance(error, PermissionError) and isinstance(error, hetao.HetaoError)
    assert error.folder == str(installed)
    assert "hetao.copy_boundaries(DIR)" in str(error) and "HETAO_BOUNDARIES=DIR" in str(error)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is hetao.InstalledFolderError and back.folder == error.folder and str(back) == str(error)
    with pytest.raises(hetao.InstalledFolderError):
        hetao.swap("hong-kong-park", _moved_loop(tmp_path / "loop.geojson"), source="s", licence="l", accuracy=1)


def test_installed__copy_then_settings_or_environment__every_command_uses_it(installed, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    written = hetao.copy_boundaries(mine)
    assert sorted(p.relative_to(mine).as_posix() for p in written) == sorted(_data(installed))
    assert hetao.load().manifest.folder == installed
    monkeypatch.setenv("HETAO_BOUNDARIES", str(mine))
    assert hetao.load().manifest.folder == mine
    survey = _moved_loop(tmp_path / "loop.geojson")
    assert run("swap", "hong-kong-park", survey, *PROVENANCE).code == 0
    assert (mine / "history" / "hong-kong-park" / "0001" / "swap.json").is_file()
    assert run("diff", "--previous", "hong-kong-park").code == 0
    monkeypatch.delenv("HETAO_BOUNDARIES")
    monkeypatch.setattr(hetao.settings, "boundaries", str(mine))
    assert run("undo", "hong-kong-park").code == 0
    assert _tree(mine) == _data(installed)


def test_copy_boundaries__into_a_file_or_a_folder_not_empty__refused_nothing_written(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for dest, what in ((tmp_path / "full", "a folder that is not empty"), (tmp_path / "a-file", "not a folder")):
        result = run("copy-boundaries", dest)
        assert result.code == 2 and result.err == (f"hetao: error: {dest}: is {what}; name a new or empty "
                                                   "folder to copy the shipped boundaries into\n"), result.err
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("copy-boundaries", empty).code == 0
    assert hetao.load(empty).manifest.folder == empty


def test_checkout__editable_install__its_own_boundaries_stay_writable():
    assert hetao.shipped_boundaries() == SHIPPED
    assert not hetao.zone.installed_boundaries(SHIPPED)
    assert hetao.zone.writable_folder(None) == SHIPPED


def test_resolve_folder__given_then_settings_then_environment_then_shipped(tmp_path, monkeypatch):
    monkeypatch.delenv("HETAO_BOUNDARIES", raising=False)
    assert hetao.zone.resolve_folder(None) == SHIPPED
    monkeypatch.setenv("HETAO_BOUNDARIES", str(tmp_path / "env"))
    assert hetao.zone.resolve_folder(None) == tmp_path / "env"
    monkeypatch.setattr(hetao.settings, "boundaries", tmp_path / "set")
    assert hetao.zone.resolve_folder(None) == tmp_path / "set"
    assert hetao.zone.resolve_folder(tmp_path / "given") == tmp_path / "given"
    folder = Folder(tmp_path / "real")
    monkeypatch.setenv("HETAO_BOUNDARIES", str(folder.path))
    monkeypatch.setattr(hetao.settings, "boundaries", None)
    assert run("check").code == 0 and hetao.load().manifest.folder == folder.path
