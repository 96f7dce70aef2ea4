"""Saving files safely: a temporary file in the same folder, flushed, then linked into place.

The result is all or nothing (a crash leaves no partial file), readable only by the owner (0600),
and an existing file is never overwritten.

Stray temporary files: a save that is killed outright (SIGKILL, power loss) cannot clean up, so
it may leave a hidden `.NAME.XXXXXXXX.partial` file beside where NAME would have been. It is
owner-only, never read by the tool and never mistaken for a record (records never end in
`.partial`). The next save of the same NAME into that folder removes such leftovers once they are
an hour old, an age no live save reaches, so a save running in parallel never loses its file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

STALE_AFTER_SECONDS = 3600


class AlreadyExists(FileExistsError):
    pass


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data` atomically; raise `AlreadyExists` if it exists."""
    path = Path(path)
    if path.exists():
        raise AlreadyExists(str(path))
    folder = path.parent if str(path.parent) else Path()
    remove_stale_partials(path)
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
        _sync_folder(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()


def remove_stale_partials(path: Path, *, now: float | None = None) -> list[Path]:
    """Remove leftovers of killed saves of `path` older than STALE_AFTER_SECONDS."""
    folder = path.parent if str(path.parent) else Path()
    cutoff = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    removed = []
    for leftover in folder.glob(f".{_glob_escape(path.name)}.*.partial"):
        with contextlib.suppress(OSError):
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed.append(leftover)
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable too (POSIX); best effort elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
