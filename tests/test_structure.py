"""The code's shape, measured from the code itself: layers, names, function sizes, errors
that travel, old import paths (issue #16)."""

from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import pickle
import sys
import warnings
from pathlib import Path

import pytest

import hetao
from hetao.errors import BoundaryError, HetaoError, HetaoIOError, NetworkError, Problem

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "geo"
sys.path.insert(0, str(ROOT / "tools"))
from function_sizes import MAX_LINES, MAX_PARAMS, oversized  # noqa: E402

MAX_LAYERS = 9


def _module_name(path: Path) -> str:
    return "hetao" if path.name == "__init__.py" else f"hetao.{path.stem}"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every hetao module ``path`` imports (at any depth, TYPE_CHECKING blocks aside), with
    the names it takes from it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = "hetao" + (f".{node.module}" if node.module else "")
            elif node.module and (node.module == "hetao" or node.module.startswith("hetao.")):
                base = node.module
            else:
                continue
            if base == "hetao" and not node.module:
                for alias in node.names:       # from . import settings: a module
                    if (GEO / f"{alias.name}.py").exists():
                        found.append((f"hetao.{alias.name}", []))
                    else:
                        found.append(("hetao", [alias.name]))
                continue
            found.append((base, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names if a.name.split(".")[0] == "hetao")
    return found


@functools.lru_cache(maxsize=None)
def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in GEO.glob("*.py")}
    return {name: {dep for dep, _ in _imports(path) if dep in modules and dep != name}
            for name, path in modules.items()}


def test_imports__longest_chain__at_most_nine_layers_and_no_cycle():
    graph = _graph()

    @functools.lru_cache(maxsize=None)
    def depth(module: str, seen: frozenset[str] = frozenset()) -> int:
        assert module not in seen, f"import cycle through {module}"
        return 1 + max((depth(dep, seen | {module}) for dep in graph[module]), default=0)

    depths = {module: depth(module) for module in graph}
    assert max(depths.values()) <= MAX_LAYERS, sorted(depths.items(), key=lambda kv: -kv[1])[:5]
    # python -m hetao (__main__) runs the CLI, the top of everything else.
    assert depths["hetao.__main__"] == max(depths.values()) == depths["hetao.cli"] + 1


def test_imports__no_module_takes_another_modules_private_names():
    reach_ins = []
    for path in GEO.glob("*.py"):
        for module, names in _imports(path):
            reach_ins += [f"{path.name}: {module}.{n}" for n in names
                          if n.startswith("_") and not n.startswith("__")]
    assert reach_ins == []


def test_imports__only_the_cli_imports_the_package_root():
    importers = sorted(_module_name(p) for p in GEO.glob("*.py")
                       if any(module == "hetao" for module, _ in _imports(p)))
    assert importers == ["hetao.cli"]


def test_functions__within_sixty_lines_and_eight_parameters():
    assert oversized(GEO) == [], f"limits: {MAX_LINES} lines, {MAX_PARAMS} parameters"


@pytest.mark.parametrize("name", [n for n in hetao.__all__ if callable(getattr(hetao, n))
                                  and not isinstance(getattr(hetao, n), type) and n[0].islower()])
def test_public_functions__share_no_submodules_name(name):
    assert importlib.util.find_spec(f"hetao.{name}") is None


def test_import_hetao__loads_no_implementation_module():
    import subprocess
    code = ("import sys, hetao; print(sorted(m for m in sys.modules if m.startswith('hetao')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert eval(out) == ["hetao", "hetao.errors"]


# --- errors that travel ---------------------------------------------------------------------

def _broken_folder_error(tmp_path: Path) -> BoundaryError:
    (tmp_path / "manifest.json").write_text('{"features": [{"id": "Bad Id"}, {"id": "x", "kind": "polygon"}]}',
                                            encoding="utf-8")
    with pytest.raises(BoundaryError) as info:
        hetao.load(tmp_path)
    return info.value


@pytest.mark.parametrize("travel", [lambda e: pickle.loads(pickle.dumps(e)), copy.deepcopy, copy.copy],
                         ids=["pickle", "deepcopy", "copy"])
def test_boundary_error__from_a_broken_folder__travels_with_its_problems(tmp_path, travel):
    error = _broken_folder_error(tmp_path)
    assert len(error.problems) > 2
    back = travel(error)
    assert type(back) is BoundaryError and isinstance(back, ValueError)
    assert back.problems == error.problems and str(back) == str(error)
    assert [(p.file, p.feature, p.message) for p in back.problems] == \
        [(p.file, p.feature, p.message) for p in error.problems]
    assert all(type(p) is Problem for p in back.problems)


@pytest.mark.parametrize("cls", [HetaoError, HetaoIOError, NetworkError])
def test_errors__every_kind__pickles(cls):
    back = pickle.loads(pickle.dumps(cls("cannot reach overpass-api.de")))
    assert type(back) is cls and str(back) == "cannot reach overpass-api.de"


# --- old import paths -----------------------------------------------------------------------

#: Names 0.2.0 exported from modules whose home is now elsewhere (CHANGELOG, 0.3.0).
MOVED = [
    ("hetao.measurement", "LOCAL_CRS", "hetao.geodesy"),
    ("hetao.measurement", "GEOD", "hetao.geodesy"),
    ("hetao.measurement", "to_crs", "hetao.geodesy"),
    ("hetao.measurement", "distance_m", "hetao.geodesy"),
    ("hetao.measurement", "Measurement", "hetao.model"),
    ("hetao.measurement", "Comparison", "hetao.model"),
    ("hetao.measurement", "Reconciled", "hetao.model"),
    ("hetao.checks", "LOCAL_CRS", "hetao.geodesy"),
    ("hetao.checks", "CheckResult", "hetao.model"),
    ("hetao.faces", "Piece", "hetao.model"),
    ("hetao.faces", "EdgeShare", "hetao.model"),
    ("hetao.faces", "edge_shares", "hetao.measurement"),
    ("hetao.zone", "Boundary", "hetao.model"),
    ("hetao.zone", "ContextLayer", "hetao.model"),
    ("hetao.zone", "BORDER_LAYER", "hetao.validate"),
    ("hetao.manifest", "Kind", "hetao.model"),
    ("hetao.manifest", "StatedFigure", "hetao.model"),
]


@pytest.mark.parametrize("module, name, new", MOVED)
def test_old_import_path__still_works(module, name, new):
    """Each moved name is still found where it was: with a FutureWarning naming its new
    home, unless the old module still uses it itself (then it is simply there)."""
    old_module = importlib.import_module(module)
    if name in vars(old_module):
        old = getattr(old_module, name)
    else:
        with pytest.warns(FutureWarning, match=new.replace(".", r"\.")):
            old = getattr(old_module, name)
    assert old is getattr(importlib.import_module(new), name)


def test_old_import_path__a_name_gone_from_its_module__warns():
    with pytest.warns(FutureWarning, match=r"hetao\.model\.EdgeShare"):
        from hetao.faces import EdgeShare
    assert EdgeShare is importlib.import_module("hetao.model").EdgeShare


def test_old_module_name__geometry__warns_and_is_geojson():
    sys.modules.pop("hetao.geometry", None)
    with pytest.warns(FutureWarning, match="hetao.geojson"):
        old = importlib.import_module("hetao.geometry")
    assert old.read_geometry_file is importlib.import_module("hetao.geojson").read_geometry_file


def test_new_import_paths__no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from hetao.geodesy import LOCAL_CRS, to_crs  # noqa: F401
        from hetao.model import CheckResult, Piece  # noqa: F401
        assert hetao.Feature is hetao.Boundary
