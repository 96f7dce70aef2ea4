"""The command line: a thin shell over the library. Each command parses its arguments, calls the
core, and turns problems into messages and exit codes (0 ok, 1 wrong input, 2 usage).

Heavy modules (pydantic, yaml, the core) are imported inside commands so that `--help` starts fast.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
    """One-line message on stderr, then exit with `code`. Messages quote files and what people
    typed, so they go through the one text-safety policy."""
    from bruising_check.render.safe import visible

    typer.echo(visible(message), err=True)
    raise typer.Exit(code)


_GC_THRESHOLDS = gc.get_threshold()
# Young objects per collection while starting. A text check with the baseline makes about 54,000
# before its protocol is loaded (a 5 KB protocol 42,000: most are the imports and the schema) and
# frees about 150 of them in a collection; one collection of them cost 10-15 ms. A protocol
# near the 2 MB limit may still be collected once or twice.
_STARTING_BATCH = 200_000
_starting = False


def _start() -> None:
    """Start-up (importing, building the models, reading the protocol) makes many objects and
    almost no garbage, and the cycle collector would walk them again and again: about a tenth of
    a check's CPU (issue 15.4). Until `started`, what the imports made is set aside (frozen) and
    young objects are collected in batches larger than a start-up makes. Only the command line
    does this: a program that imports the package keeps its own collector settings."""
    global _starting
    _starting = True
    gc.freeze()
    gc.set_threshold(_STARTING_BATCH, 20, 20)


def started() -> None:
    """The protocol is loaded: what start-up made lives as long as the command; from here the
    collector runs as usual (a long analysis or replay is not start-up)."""
    global _starting
    if not _starting:
        return
    _starting = False
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


@contextmanager
def lasting() -> Iterator[None]:
    """Objects made inside (a large import: fpdf2's, for a PDF) live as long as the command.
    While starting they are set aside as they are made, without the collector walking them
    first (one collection of fpdf2's objects was about 13 ms); otherwise nothing changes."""
    if not _starting:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


# The module under `cli` that defines each command. Running one command imports, and typer
# builds, only that module's commands: importing the others, evaluating their annotations and
# building their parameters was about 4 ms of every command's start (issue 15.4).
# `tests/test_startup.py` checks this against what `_register()` registers.
_HOMES = {
    "check": "commands",
    "schema": "commands",
    "protocols": "commands",
    "demo": "classroom",
    "quiz": "classroom",
    "show": "training",
    "test": "training",
    "diff": "diffing",
    "migrate-answers": "migrate",
    "verify-record": "records",
    "validate": "validation",
}


def _register(command: str | None = None) -> None:
    """Import the command modules; each registers its commands on `app`. One module per area,
    so that work on one area does not touch another's file.

    With `command` (the command line's first argument), only the module that defines it, when
    that makes two or more commands (typer runs a lone command as the whole program); anything
    else (`--help`, no command, a name that is not a command) imports them all, so that help
    and typer's messages list every command."""
    import importlib

    home = _HOMES.get(command) if command is not None else None
    if home is not None:
        importlib.import_module(f"bruising_check.cli.{home}")
    if home is None or len(app.registered_commands) < 2:
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

    _evaluate_annotations()


def _evaluate_annotations() -> None:
    """Typer reads every command's signature four times as it builds the command line (twice
    with `inspect.signature(eval_str=True)`, twice with `typing.get_type_hints`), and under
    `from __future__ import annotations` each reading evaluates every annotation's text again:
    about 5 ms of any command's start (issue 15.4). Evaluated once here, as `inspect` evaluates
    them (`inspect.get_annotations(eval_str=True)`: the same objects typer would make), the
    readings find objects instead of text. An annotation that cannot be evaluated is left as it
    is, for typer to report as it would."""
    import inspect

    for info in app.registered_commands:
        callback = info.callback
        if callback is None or not any(
            isinstance(a, str) for a in getattr(callback, "__annotations__", {}).values()
        ):
            continue
        try:
            callback.__annotations__ = inspect.get_annotations(callback, eval_str=True)
        except NameError:
            continue


def main() -> None:
    _start()
    from bruising_check.cli import plugins, streams

    plugins.exclude()  # before any validator is built: no pydantic plugin sees the answers

    streams.guard()  # a narrow-encoding terminal gets escapes and a warning, never a crash
    _register(sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - typer handles most of these itself
        typer.echo("\nInterrupted. Only files reported as saved were saved.", err=True)
        sys.exit(130)
    finally:
        streams.report()
