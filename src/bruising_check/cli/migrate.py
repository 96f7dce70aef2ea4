"""`migrate-answers`: an answers file of version 1 converted to version 2 where that is
unambiguous (engine.migrate does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import print_problems, read_bytes, save_new


@app.command("migrate-answers")
def migrate_answers(
    file: Annotated[Path, typer.Argument(help="A version-1 answers file (YAML or JSON).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Save here (never overwrites); default: print."),
    ] = None,
) -> None:
    """Convert a version-1 answers file (top-level mark_types / locations) to version 2 (one
    entry per mark under `marks:`), when it has one mark type or one location. Lists what it
    left out for you to answer; refuses (exit 1) when converting would be a guess."""
    from bruising_check.engine.migrate import migrate
    from bruising_check.protocol.yamlread import YamlError, decode, read_yaml
    from bruising_check.render.safe import visible, yaml_dump

    try:
        located = read_yaml(decode(read_bytes(file), str(file)), str(file))
    except YamlError as exc:
        print_problems([exc.problem])
        raise typer.Exit(1) from None
    if not isinstance(located.data, dict):
        fail(f"{file}: not a mapping of question ids to answers", 1)
    result = migrate(located.data)
    if result.answers is None:
        fail(visible(f"{file}: not converted: {result.reason}"), 1)
    header = "# Answers format version 2, converted from a version-1 file by migrate-answers.\n"
    if result.notes:
        header += "# Still to answer (version 1 did not say, or said it differently):\n"
        header += "".join(f"#   {visible(n)}\n" for n in result.notes)
    text = header + yaml_dump(result.answers)
    for note in result.notes:
        typer.echo(visible(f"{file}: {note}"), err=True)
    if output is None:
        typer.echo(text, nl=False)
    else:
        save_new(output, text.encode("utf-8"))
