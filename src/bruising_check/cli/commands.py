"""Commands: check, schema, protocols."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import load, load_or_exit, print_problems, read_bytes


class CheckFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


@app.command()
def check(
    protocol: Annotated[
        str | None,
        typer.Argument(help="Protocol file or bundled id (default: the national baseline)."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(help="YAML or JSON file of answers (question id: answer); no prompts."),
    ] = None,
    format: Annotated[CheckFormat, typer.Option(help="Output format.")] = CheckFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(help="Write to this new file (never overwrites) instead of the screen."),
    ] = None,
) -> None:
    """Run the check: the pathway, actions, reasons and what was not known."""
    from bruising_check.answers import check_answers
    from bruising_check.engine import decide
    from bruising_check.record import build_record
    from bruising_check.yamlread import YamlError, decode, read_yaml

    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    if answers is None:
        fail("Give the answers with --answers FILE (the guided check is not available yet).", 2)
    try:
        located = read_yaml(decode(read_bytes(answers), str(answers)), str(answers))
    except YamlError as exc:
        print_problems([exc.problem])
        raise typer.Exit(1) from None
    checked = check_answers(loaded.protocol, located)
    print_problems(checked.problems)
    if not checked.ok:
        fail(f"{answers}: the answers have errors; nothing was decided", 1)
    decision = decide(loaded.protocol, checked.answers)
    record = build_record(
        loaded.protocol,
        loaded.sha256,
        decision,
        created_at=dt.datetime.now().astimezone(),
        context=checked.context,
    )
    emit(record, format.value, output)
    if decision.pathway is None:
        raise typer.Exit(1)


def emit(record: dict[str, object], fmt: str, output: Path | None) -> None:
    from bruising_check import render
    from bruising_check.record import to_json
    from bruising_check.store import AlreadyExists, write_new

    content = {"json": to_json, "md": render.markdown, "text": render.text}[fmt](record)
    if output is None:
        typer.echo(content, nl=False)
        return
    try:
        write_new(output, content.encode("utf-8"))
    except AlreadyExists:
        fail(f"{output}: already exists; nothing was overwritten. Choose another name.", 2)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror or exc}); nothing was saved", 2)
    typer.echo(f"Saved {output}", err=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the protocol format (for editors and CI)."""
    from bruising_check.schema import protocol_schema

    typer.echo(json.dumps(protocol_schema(), indent=2))


@app.command("protocols")
def list_protocols() -> None:
    """List the bundled protocols: id, version, status, review date."""
    from bruising_check.bundled import bundled_files

    rows = []
    for path in bundled_files():
        loaded = load(path)
        if loaded.protocol is None:
            rows.append((path.stem, "?", "?", "BROKEN", "", "run `validate` on it"))
            continue
        m = loaded.protocol.metadata
        due = m.review_due.isoformat() if m.review_due else "not set"
        rows.append((path.stem, m.id, m.version, m.status, due, m.title))
    header = ("name", "id", "version", "status", "review due", "title")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        cells = "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False))
        typer.echo(f"{cells}  {row[5]}")
    typer.echo("Use the name as PROTOCOL, e.g. `bruising-check check exampleshire-v2`.", err=True)
