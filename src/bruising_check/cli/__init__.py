"""The command line: a thin shell over the library. Each command parses its arguments, calls the
core, and turns problems into messages and exit codes (0 ok, 1 wrong input, 2 usage).

Heavy modules (pydantic, yaml, the core) are imported inside commands so that `--help` starts fast.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

app = typer.Typer(
    name="bruising-check",
    help=(
        "Follow a local protocol for bruising and injuries in babies who are not independently"
        " mobile. Supports, and does not replace, professional judgement and the local procedure."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Local variables can hold patient answers: never print them in a traceback.
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def fail(message: str, code: int) -> NoReturn:
    """One-line message on stderr, then exit with `code`."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _register() -> None:
    """Import the command modules; each registers its commands on `app`. One module per area,
    so that work on one area does not touch another's file."""
    from bruising_check.cli import (  # noqa: F401
        classroom,
        commands,
        diffing,
        guided,
        migrate,
        records,
        training,
        validation,
    )


def main() -> None:
    _register()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - typer handles most of these itself
        typer.echo("\nInterrupted. Only files reported as saved were saved.", err=True)
        sys.exit(130)
