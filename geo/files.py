"""Reading input files and writing outputs safely.

Reads turn every failure into a :class:`~geo.errors.Problem` naming the file; writes are
atomic (a temporary file in the same folder, flushed, fsynced and renamed into place), so
a reader only ever sees the old or the new complete file.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TypeGuard

from .errors import BoundaryError, HetaoIOError, Problem

__all__ = ["MAX_INPUT_BYTES", "too_large", "decode_text", "is_number", "short_repr", "read_json", "read_text", "parse_json", "write_atomic",
           "write_files_atomic"]

#: Inputs larger than this are refused before they are read, so that no input can
#: exhaust memory (a boundary of a million vertices is about 40 MB of GeoJSON).
MAX_INPUT_BYTES = 128 * 1024 * 1024


def too_large(size: int, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The message for a file of ``size`` bytes over ``max_bytes``, in MiB (as the README says).

    >>> too_large(140_000_000)
    'file is 133.5 MiB, larger than the 128 MiB hetao reads; simplify or split it first'
    """
    mib = 1024 * 1024
    return (f"file is {size / mib:,.1f} MiB, larger than the {max_bytes / mib:,.0f} MiB "
            "hetao reads; simplify or split it first")


def _reject_constant(name: str) -> float:
    # JSON has no NaN or Infinity; Python's json module accepts them unless told not to.
    raise ValueError(f"{name} is not a JSON number")


def read_json(path: Path, label: str | None = None, max_bytes: int = MAX_INPUT_BYTES) -> object:
    """Read a UTF-8 JSON file (see :func:`read_text` and :func:`parse_json`)."""
    name = label or str(path)
    return parse_json(read_text(path, name, max_bytes), name)


def parse_json(text: str, name: str) -> object:
    """Parse JSON text, refusing NaN and Infinity; BoundaryError naming ``name`` if it is not JSON."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise BoundaryError([Problem(name, None, "JSON is nested too deeply")]) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            msg, where = exc.msg, f" at line {exc.lineno}, column {exc.colno}"
        else:
            msg, where = str(exc), ""
        raise BoundaryError([Problem(name, None, f"is not valid JSON ({msg}{where})")]) from None


def read_text(path: Path, label: str | None = None, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 text file.

    Parameters
    ----------
    path : Path
        The file to read.
    label : str, optional
        How to name the file in messages (defaults to the path as given).
    max_bytes : int
        Refuse larger files before reading them.

    Raises
    ------
    BoundaryError
        With one problem naming the file if it is missing, unreadable, too large, not
        UTF-8 or not JSON.
    """
    name = label or str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise BoundaryError([Problem(name, None, "is not a regular file (a pipe or device?); "
                                         "point to a file")])
        size = info.st_size
        if size > max_bytes:
            raise BoundaryError([Problem(name, None, too_large(size, max_bytes))])
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        if path.is_symlink():
            raise BoundaryError([Problem(name, None, "is a broken symbolic link")]) from None
        raise BoundaryError([Problem(name, None, "file not found")]) from None
    except IsADirectoryError:
        raise BoundaryError([Problem(name, None, "is a folder, not a file")]) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise BoundaryError([Problem(name, None, f"cannot be read ({reason})")]) from None
    if not data.strip():
        raise BoundaryError([Problem(name, None, "file is empty; it should hold JSON")])
    return decode_text(data, name)


#: Byte-order marks of UTF-16 text (what Windows PowerShell's ``>`` writes).
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, name: str, utf16: bool = False) -> str:
    """UTF-8 text (a byte-order mark dropped); with ``utf16``, UTF-16 text with a byte-order
    mark too. BoundaryError naming ``name`` otherwise, saying which encoding it is if known.

    >>> decode_text("{}".encode("utf-16"), "x.geojson", utf16=True)
    '{}'
    """
    if data.startswith(_UTF16_BOMS):
        if utf16:
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise BoundaryError([Problem(name, None, (
            "is UTF-16 text (as Windows PowerShell's > writes), not UTF-8; save it as UTF-8 "
            "(e.g. Out-File -Encoding utf8)"))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BoundaryError([Problem(name, None, (
            f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"))]) from None


def is_number(value: object) -> TypeGuard[float]:
    """True for a finite int or float that is not a bool."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def short_repr(value: object, width: int) -> str:
    """``repr(value)`` as a message quotes it: at most ``width`` characters, cut with "...".

    >>> short_repr("x" * 100, 10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically: the old file stays until the new one is complete."""
    write_files_atomic({path: data})


def write_files_atomic(files: Mapping[Path, bytes | str]) -> None:
    """Write several files, each atomically, only after all of them have been prepared.

    Every file is first written and fsynced to a temporary file beside its target; only
    when all are complete are they renamed into place. If preparing any fails, no target
    is touched.

    Raises
    ------
    HetaoIOError
        If a file cannot be written.
    """
    staged: list[tuple[str, Path]] = []
    created_dirs: list[Path] = []
    placed: list[Path] = []          # targets renamed into place that did not exist before
    current: Path | None = None
    try:
        for path, data in files.items():
            current = path = Path(path)
            created_dirs.extend(_make_parents(path.parent))
            raw = data.encode("utf-8") if isinstance(data, str) else data
            _remove_stale_temporaries(path)
            fd, tmp = _create_temporary(path)
            staged.append((tmp, path))
            try:
                os.fchmod(fd, stat.S_IMODE(path.stat().st_mode))   # keep an existing file's mode
            except FileNotFoundError:
                pass                        # a new file: created 0o666 less the umask, as open() does
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            current = path
            existed = os.path.lexists(path)
            os.replace(tmp, path)
            if not existed:
                placed.append(path)
        for directory in {path.parent for _, path in staged}:
            _fsync_dir(directory)
    except OSError as exc:
        # Leave no trace: temporaries, files this call created, folders it made.
        for leftover in [tmp for tmp, _ in staged] + [str(p) for p in placed]:
            try:
                os.unlink(leftover)
            except OSError:
                pass
        for directory in reversed(created_dirs):
            try:
                directory.rmdir()
            except OSError:
                pass
        target = current or exc.filename or "output"
        raise HetaoIOError(f"{target}: cannot be written ({exc.strerror or exc})") from None


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
    return list(reversed(missing))


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new, exclusive temporary file beside ``path`` (mode 0o666 less the umask)."""
    import secrets      # here: reading a folder needs no temporary file

    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _remove_stale_temporaries(path: Path, age_s: float = 3600.0) -> None:
    """Remove this target's temporary files left by a write that was killed (over an hour old)."""
    import time
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > age_s:
                stale.unlink()
        except OSError:
            pass


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
