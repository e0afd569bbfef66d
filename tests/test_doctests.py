"""The examples in every module's docstrings run, as the installed package ``hetao``.

They are run here, by module name, rather than by pytest's ``--doctest-modules`` on ``geo/``:
that imports each file under the folder's name (``geo.report``), a second copy of the
package whose classes are not ``hetao``'s.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import hetao

#: Old module names kept for one release (importing them warns).
COMPAT = {"hetao.geometry"}
MODULES = ["hetao"] + sorted(
    info.name for info in pkgutil.iter_modules(hetao.__path__, "hetao.")
    if info.name not in COMPAT and info.name != "hetao.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_doctests__module_examples__pass(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
