"""Saving files safely: a temporary file in the same folder, flushed, then linked into place.

The result is all or nothing (a crash leaves no partial file), readable only by the owner (0600),
and an existing file is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class AlreadyExists(FileExistsError):
    pass


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data` atomically; raise `AlreadyExists` if it exists."""
    path = Path(path)
    if path.exists():
        raise AlreadyExists(str(path))
    folder = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else None
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() fails if the target exists, unlike rename(): no race overwrites a record.
            os.link(tmp, path)
        except FileExistsError:
            raise AlreadyExists(str(path)) from None
        except OSError:  # pragma: no cover - file systems without hard links
            if path.exists():
                raise AlreadyExists(str(path)) from None
            Path(tmp).replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
