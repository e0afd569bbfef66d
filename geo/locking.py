"""One writer at a time per boundaries folder.

Every command that writes a boundaries folder (swap, undo) holds an exclusive lock on it
(:mod:`filelock`) while it reads, checks and writes; a second writer waits up to
:data:`hetao.settings.lock_timeout_s` and then refuses. The lock file lies beside the folder
(``.NAME.hetao.lock`` in its parent), so the folder itself holds only boundaries; where the
parent cannot be written, in the system's temporary folder, named for the folder's real path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import settings
from .errors import HetaoIOError

__all__ = ["FolderBusyError", "lock_path", "folder_lock"]


class FolderBusyError(HetaoIOError):
    """Raised when another hetao command holds a boundaries folder's lock for too long."""


def lock_path(folder: Path) -> Path:
    """Where the lock of ``folder`` lives."""
    real = Path(os.path.realpath(folder))
    if os.access(real.parent, os.W_OK):
        return real.parent / f".{real.name}.hetao.lock"
    digest = hashlib.sha256(str(real).encode("utf-8")).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / f"hetao-{digest}.lock"


@contextmanager
def folder_lock(folder: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive write lock of a boundaries folder.

    Raises
    ------
    FolderBusyError
        If another process holds it for longer than ``timeout`` seconds
        (:data:`hetao.settings.lock_timeout_s` by default, read now).
    """
    if timeout is None:
        timeout = settings.lock_timeout_s
    from filelock import FileLock, Timeout

    path = lock_path(folder)
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise FolderBusyError(
            f"{folder}: another hetao command is writing this boundaries folder; waited "
            f"{timeout:g} s for it to finish (lock {path}); try again when it has") from None
    except OSError as exc:
        raise HetaoIOError(f"{folder}: cannot take its write lock {path} ({exc.strerror or exc})") from None
    try:
        yield
    finally:
        lock.release()
