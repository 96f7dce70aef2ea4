"""`validate`: schema, references and consistency of protocol files."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bruising_check.cli import app
from bruising_check.cli.common import load, print_problems


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def validate(
    protocols: Annotated[list[Path], typer.Argument(help="Protocol files to check.")],
    format: Annotated[ValidateFormat, typer.Option(help="Output format.")] = ValidateFormat.text,
) -> None:
    """Check protocols: schema, references, order; file:line:col: severity CODE message."""
    from bruising_check.problems import worst_exit_code

    results = [load(path) for path in protocols]
    problems = [p for r in results for p in r.problems]
    if format is ValidateFormat.json:
        payload = [
            {"file": r.file, "sha256": r.sha256, "problems": [p.to_json() for p in r.problems]}
            for r in results
        ]
        typer.echo(json.dumps(payload, indent=2))
    else:
        print_problems(problems)
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        typer.echo(
            f"{len(results)} protocol(s) checked: {errors} error(s), {warnings} warning(s)",
            err=True,
        )
    raise typer.Exit(worst_exit_code(problems))
