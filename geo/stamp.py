"""Which boundaries an output shows: the latest date in the manifest and a short hash of the
folder's manifest and the files it names.

Two people holding outputs with the same stamp looked at the same data; the stamp depends on
the files' bytes only (never on when or where the build ran), so outputs stay reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import HetaoIOError
from .manifest import MANIFEST_NAME
from .model import Zone

__all__ = ["Stamp", "version_stamp"]

#: Hex digits of the SHA-256 kept in the stamp.
DIGITS = 12


@dataclass(frozen=True)
class Stamp:
    """A version stamp: the latest date in the manifest and a short hash of the folder.

    Examples
    --------
    >>> str(Stamp("2026-11-25", "0123456789ab"))
    '2026-11-25 0123456789ab'
    """

    date: str
    digest: str

    def __str__(self) -> str:
        return f"{self.date} {self.digest}"

    @property
    def label(self) -> str:
        """The stamp as outputs show it to people."""
        return f"boundaries version {self}"


def _files(zone: Zone) -> list[Path]:
    """The manifest and every file it names that the zone was read from, each once, sorted."""
    folder = zone.folder
    named = [b.file for b in zone.features if b.file is not None]
    named += [ln.file for ln in zone.lines] + [c.file for c in zone.context]
    return [folder / MANIFEST_NAME] + sorted({Path(p) for p in named},
                                         key=lambda p: p.as_posix())


def version_stamp(zone: Zone) -> Stamp:
    """The zone's version stamp: the latest provenance date in its manifest, and the first
    12 hex digits of a SHA-256 over the manifest and each file it names (path relative to
    the folder, then bytes).

    Raises
    ------
    HetaoIOError
        If a file cannot be read.

    Examples
    --------
    >>> import hetao
    >>> stamp = version_stamp(hetao.load())
    >>> len(stamp.digest), stamp.date[:2]
    (12, '20')
    """
    digest = hashlib.sha256()
    folder = zone.folder
    for path in _files(zone):
        try:
            data = path.read_bytes()
            name = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name
        except OSError as exc:
            raise HetaoIOError(f"{path} cannot be read for the version stamp: {exc.strerror}") from None
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    specs = [b.spec for b in zone.features] + [ln.spec for ln in zone.lines]
    dates = [s.provenance.date for s in specs] + [c.spec.provenance.date for c in zone.context]
    return Stamp(max((d for d in dates if d), default="undated"), digest.hexdigest()[:DIGITS])
