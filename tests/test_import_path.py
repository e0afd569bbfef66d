"""``import hetao`` from the folder above a clone named ``hetao/`` (issue #17, item 6).

With an editable install, Python puts the working folder first on ``sys.path``; a clone
named ``hetao/`` there would be imported as an empty namespace package, before the
install's own finder is asked. The clone's ``__init__.py`` makes it the real package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("import hetao, hetao.geodesy; zone = hetao.load(); "
        "print(hetao.__version__, len(zone.features), hetao.shipped_boundaries().name, "
        "type(hetao.measure(zone)[0]).__name__)")


def _run(cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", CODE], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_import__from_the_folder_holding_a_clone_named_hetao__the_real_package(tmp_path):
    (tmp_path / "hetao").symlink_to(ROOT, target_is_directory=True)
    import hetao
    version, features, boundaries, kind = _run(tmp_path)
    assert (version, features, boundaries, kind) == (hetao.__version__, "5", "boundaries", "AreaMeasurement")


def test_import__from_an_unrelated_folder__the_installed_package(tmp_path):
    import hetao
    assert _run(tmp_path)[0] == hetao.__version__


def test_clone_init__imported_under_another_name__does_nothing():
    namespace: dict[str, object] = {"__name__": "not_hetao", "__file__": str(ROOT / "__init__.py")}
    exec(compile((ROOT / "__init__.py").read_text(encoding="utf-8"), "__init__.py", "exec"), namespace)
    assert "load" not in namespace and "__path__" not in namespace
