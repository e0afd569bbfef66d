"""The exceptions hetao raises.

Every error derives from :class:`HetaoError`; each subclass also inherits the builtin it
resembles, so callers may catch either.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["HetaoError", "BoundaryError", "HetaoIOError", "NetworkError", "Problem"]


class Problem(str):
    """One problem found in an input: a single line naming the file, the feature and the fix."""

    def __new__(cls, file: object, feature: str | None, message: str) -> "Problem":
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


class HetaoError(Exception):
    """Raised when hetao cannot do what was asked."""


class BoundaryError(HetaoError, ValueError):
    """Raised when a boundaries folder, manifest or geometry file is not valid.

    ``problems`` holds every problem found, one line each, so that a user can fix a
    folder in one pass.
    """

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class HetaoIOError(HetaoError, OSError):
    """Raised when a file cannot be read or written."""


class NetworkError(HetaoError, ConnectionError):
    """Raised when a server (the Overpass API) cannot be reached or gives no usable answer;
    one line naming the server and what went wrong."""
