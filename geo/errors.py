"""The exceptions hetao raises.

Every error derives from :class:`HetaoError`; each subclass also inherits the builtin it
resembles, so callers may catch either.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["HetaoError", "BoundaryError", "HetaoIOError", "NetworkError", "Problem", "HetaoWarning"]


class Problem(str):
    """One problem found in an input: a single line naming the file, the feature and the fix.

    It is the line itself (a ``str``), with its parts as attributes; it pickles and copies
    with them.

    Examples
    --------
    >>> import pickle
    >>> p = Problem("loop.geojson", "hong-kong-park", "ring is not closed")
    >>> p
    "loop.geojson: feature 'hong-kong-park': ring is not closed"
    >>> pickle.loads(pickle.dumps(p)).feature
    'hong-kong-park'
    """

    file: str
    feature: str | None
    message: str

    def __new__(cls, file: object, feature: str | None, message: str) -> Problem:
        where = str(file)
        if feature:
            where += f": feature '{feature}'"
        text = f"{where}: {message}"
        # Keep messages on one line whatever a data file put into them.
        text = " ".join(text.split())
        obj = super().__new__(cls, text)
        obj.file = str(file)
        obj.feature = feature
        obj.message = message
        return obj

    def __reduce__(self) -> tuple[type[Problem], tuple[str, str | None, str]]:
        return (type(self), (self.file, self.feature, self.message))

    def __getnewargs__(self) -> tuple[str, str | None, str]:  # type: ignore[override]
        return (self.file, self.feature, self.message)


class HetaoError(Exception):
    """Raised when hetao cannot do what was asked."""


class HetaoWarning(UserWarning):
    """Warned (:func:`warnings.warn`) when hetao did what was asked, but less well than it
    could: e.g. the figure names features in English only, as no font with Chinese glyphs
    is installed. The ``hetao`` command prints each once, as ``hetao: <text>``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("English only", HetaoWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('HetaoWarning', 'English only')
    """


class BoundaryError(HetaoError, ValueError):
    """Raised when a boundaries folder, manifest or geometry file is not valid.

    ``problems`` holds every problem found, one line each, so that a user can fix a
    folder in one pass.
    """

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self) -> tuple[type[BoundaryError], tuple[list[str]], dict[str, object]]:
        # Rebuilt from its problems (not from the joined text), its other attributes kept.
        return (type(self), (self.problems,), dict(self.__dict__))


class HetaoIOError(HetaoError, OSError):
    """Raised when a file cannot be read or written."""


class NetworkError(HetaoError, ConnectionError):
    """Raised when a server (the Overpass API) cannot be reached or gives no usable answer;
    one line naming the server and what went wrong."""


class InstalledFolderError(HetaoError, PermissionError):
    """Raised instead of writing into the boundaries shipped inside an installed (not
    editable) package: ``swap``, ``undo`` and ``refresh`` with ``apply`` need a folder of
    one's own (:func:`hetao.copy_boundaries`). ``folder`` is the installed folder.

    Examples
    --------
    >>> import pickle
    >>> error = InstalledFolderError("no writing here", folder="/site-packages/hetao/boundaries")
    >>> back = pickle.loads(pickle.dumps(error))
    >>> str(back), back.folder
    ('no writing here', '/site-packages/hetao/boundaries')
    """

    def __init__(self, message: str, *, folder: str = ""):
        super().__init__(message)
        self.folder = folder

    def __reduce__(self) -> tuple[type[InstalledFolderError], tuple[str], dict[str, object]]:
        return (type(self), (str(self),), dict(self.__dict__))
