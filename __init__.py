"""Lets ``import hetao`` find the package from the folder above a clone named ``hetao/``.

hetao's code lives in ``geo/`` (the layout its users chose) and installs as the package
``hetao``. With an editable install, Python started in the folder that holds the clone
(Jupyter started in ``~/projects``, say) would otherwise import the clone's folder as an
empty namespace package ``hetao``, before the install's own finder is asked. This file
makes the clone's folder the real package in that case: its submodules are ``geo/``'s and
its data ``boundaries/``. Imported under any other name (a test runner walking up from
``tests/``), it does nothing.
"""

import os as _os

if __name__ == "hetao":
    _root = _os.path.dirname(_os.path.abspath(__file__))
    # hetao.<module> from geo/, hetao.boundaries from boundaries/.
    __path__ = [_os.path.join(_root, "geo"), _root]
    __file__ = _os.path.join(_root, "geo", "__init__.py")
    with open(__file__, encoding="utf-8") as _source:
        exec(compile(_source.read(), __file__, "exec"))
