"""Helpers every command uses: reading files, finding protocols, printing problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bruising_check.cli import fail

if TYPE_CHECKING:
    from bruising_check.problems import Problem
    from bruising_check.protocol.loader import Loaded


def read_bytes(path: Path) -> bytes:
    """Read a user's file or exit 2 with a one-line message."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        fail(f"{path}: is a folder, not a file", 2)
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror or exc})", 2)


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
    from bruising_check.protocol.loader import load_protocol

    return load_protocol(read_bytes(path), str(path), today=today)


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
