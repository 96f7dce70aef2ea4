"""Helpers every command uses: reading files, finding protocols, printing problems."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bruising_check.cli import fail

if TYPE_CHECKING:
    from bruising_check.problems import Problem
    from bruising_check.protocol.loader import Loaded


# Protocols, answers, scenarios and case files are YAML, JSON or CSV of at most this size (the
# same as `protocol.yamlread.MAX_BYTES`, not imported so that `--help` stays fast; a test holds
# them equal). A saved record may be larger: verify-record passes its own limit.
READ_LIMIT = 2_000_000


class Unreadable(Exception):
    """A file that cannot be read as input: missing, a folder, a FIFO or device, too large."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def read_limited(path: Path, limit: int = READ_LIMIT) -> bytes:
    """Read a regular file of at most `limit` bytes, reading no more than `limit` + 1 bytes.

    A FIFO, socket or device is refused before anything is read (opening is non-blocking, so a
    FIFO with no writer cannot hang the tool, and /dev/zero is never read); so is a file whose
    size is over the limit, and one that grows past it while being read."""
    from bruising_check.problems import Code, Problem

    def refuse(code: Code, message: str) -> Unreadable:
        return Unreadable(Problem(code, message, str(path)))

    fd = open_regular(path)
    try:
        info = os.fstat(fd)
        if info.st_size > limit:
            message = f"file is {info.st_size:,} bytes; the limit is {limit:,}"
            raise refuse(Code.TOO_LARGE, message)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            except OSError as exc:
                if exc.errno == errno.EISDIR:
                    raise refuse(Code.UNREADABLE, "is a folder, not a file") from None
                raise refuse(Code.UNREADABLE, f"cannot read ({exc.strerror or exc})") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise refuse(Code.TOO_LARGE, f"file is over {limit:,} bytes; the limit is {limit:,}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_regular(path: Path) -> int:
    """A file descriptor for a regular file (a FIFO, socket, device or folder is refused before
    anything is read), for readers that stream and bound each line themselves."""
    from bruising_check.problems import Code, Problem

    def refuse(message: str) -> Unreadable:
        return Unreadable(Problem(Code.UNREADABLE, message, str(path)))

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise refuse("is a folder, not a file") from None
    except OSError as exc:
        raise refuse(f"cannot read ({exc.strerror or exc})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise refuse(
            "is a folder, not a file"
            if stat.S_ISDIR(mode)
            else f"is {'a FIFO (named pipe)' if stat.S_ISFIFO(mode) else 'not a regular file'};"
            " give a saved file"
        )
    return fd


def read_bytes(path: Path, limit: int = READ_LIMIT) -> bytes:
    """Read a user's file (bounded, see `read_limited`) or exit 2 with one located line."""
    try:
        return read_limited(path, limit)
    except Unreadable as exc:
        print_problems([exc.problem])
        raise typer.Exit(2) from None


def resolve_protocol(name: str | None) -> Path:
    """A path to a protocol file, or the id of a bundled protocol; none means the baseline."""
    from bruising_check.protocol.bundled import DEFAULT_PROTOCOL, find_bundled

    if name is None:
        name = DEFAULT_PROTOCOL
    path = Path(name)
    if path.exists():
        return path
    found = find_bundled(name)
    if found is None:
        fail(
            f"{name}: no such file, and no bundled protocol has that id"
            " (`bruising-check protocols` lists them)",
            2,
        )
    return found


def load(path: Path, today: dt.date | None = None) -> Loaded:
    from bruising_check.cli import started
    from bruising_check.protocol.loader import load_protocol

    loaded = load_protocol(read_bytes(path), str(path), today=today)
    started()  # start-up is over: the collector runs as usual again
    return loaded


def print_problems(problems: list[Problem], *, hints: bool = True) -> None:
    from bruising_check.render.safe import visible

    for p in problems:
        # Messages quote the file, which may hold terminal escapes: show them, never obey them.
        typer.echo(visible(p.format()), err=True)
        if hints and p.severity != "info":
            typer.echo(visible(f"    hint: {p.hint or p.code.hint}"), err=True)


def load_or_exit(name: str | None) -> Loaded:
    loaded = load(resolve_protocol(name))
    if not loaded.ok:
        print_problems([p for p in loaded.problems if p.severity == "error"])
        fail(f"{loaded.file}: the protocol has errors; run `bruising-check validate` on it", 1)
    return loaded


def save_new(output: Path, data: bytes) -> None:
    """Save `data` as a new file (atomic, owner-only, never overwriting) and say so; a file that
    exists or cannot be written ends the command with exit 2 and nothing saved."""
    from bruising_check.records.store import AlreadyExists, write_new

    try:
        write_new(output, data)
    except AlreadyExists:
        fail(f"{output}: already exists; nothing was overwritten. Choose another name.", 2)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror or exc}); nothing was saved", 2)
    typer.echo(f"Saved {output}", err=True)


def tolerant_stdin() -> None:
    """Typed bytes that are not UTF-8 (a name typed in another encoding) become visible escapes
    such as `\\xff` instead of an error that would lose a finished check."""
    import contextlib
    import sys

    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdin.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


# --plain, for check, demo and quiz: no colour or bold (NO_COLOR, TERM=dumb, ACCESSIBLE=1 do the
# same).
Plain = Annotated[
    bool,
    typer.Option(
        help="No colour, boxes or cursor tricks (also with NO_COLOR, TERM=dumb, ACCESSIBLE=1)."
    ),
]
