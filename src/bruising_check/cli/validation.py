"""`validate`: schema, references and consistency of protocol files, then the exhaustive analysis
(gaps, dead rules, overlaps, invariants ...) and, with `--against`, conformance to a reference.
The report is built by `analysis.validation`; this command only reads the files and prints it."""

from __future__ import annotations

import json
import time
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import load, resolve_protocol

if TYPE_CHECKING:
    from bruising_check.analysis.validation import Report
    from bruising_check.protocol.model import Protocol

SHOWN_CLASSES = 3


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def validate(
    protocols: Annotated[
        list[str], typer.Argument(help="Protocol files (or bundled protocol ids) to check.")
    ],
    format: Annotated[ValidateFormat, typer.Option(help="Output format.")] = ValidateFormat.text,
    against: Annotated[
        str | None,
        typer.Option(
            help="Compare pathways over every answer set with this protocol (a path, or a bundled"
            " id such as national-baseline); less urgent anywhere is an error."
        ),
    ] = None,
    budget: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=3600,
            help="Seconds the exhaustive analysis may take per protocol; past it nothing is"
            " proved and validate exits 1 (ANALYSIS_TOO_LARGE).",
        ),
    ] = 5.0,
) -> None:
    """Check protocols: schema, references, order, then every possible answer set (gaps, dead
    rules, overlaps, invariants); file:line:col: severity CODE message."""
    from bruising_check.analysis.validation import report_json, validation_report
    from bruising_check.problems import worst_exit_code

    reference = _reference(against) if against is not None else None
    reports = []
    for name in protocols:
        # The budget is the protocol's, reading and checking it included: a big file's schema
        # and reference checks take part of it, so `validate` stops within about the budget.
        started = time.monotonic()
        loaded = load(resolve_protocol(name))
        left = max(0.1, budget - (time.monotonic() - started))
        reports.append(validation_report(loaded, reference, left))
    problems = [p for r in reports for p, _ in r.items]
    if format is ValidateFormat.json:
        from bruising_check.render.safe import json_safe

        typer.echo(
            json_safe(json.dumps([report_json(r) for r in reports], indent=2, ensure_ascii=False))
        )
    else:
        for r in reports:
            _print(r)
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        typer.echo(
            f"{len(reports)} protocol(s) checked: {errors} error(s), {warnings} warning(s)",
            err=True,
        )
    raise typer.Exit(worst_exit_code(problems))


def _reference(name: str) -> tuple[str, Protocol]:
    loaded = load(resolve_protocol(name))
    if not loaded.ok or loaded.protocol is None:
        fail(f"{loaded.file}: the --against protocol has errors; validate it first", 2)
    return loaded.file, loaded.protocol


def _print(r: Report) -> None:
    """Problems quote the protocol (names, labels, examples): every line goes through the one
    text-safety policy, so an escape sequence or a direction override is shown, never obeyed."""
    from bruising_check.analysis.validation import UNDATED
    from bruising_check.render.safe import visible

    def echo(line: str) -> None:
        typer.echo(visible(line), err=True)

    for p, details in r.items:
        echo(p.format())
        if p.severity != "info":
            echo(f"    hint: {p.hint or p.code.hint}")
        for a in details.get("approved", []):
            on = f"on {a['approved_on']}" if a["approved_on"] else f"({UNDATED})"
            echo(f"    approved by {a['approved_by']} {on}: {a['why']}")
        classes = details.get("classes")
        if isinstance(classes, list) and classes and "condition" in classes[0]:
            from bruising_check.protocol.wording import count_text

            for c in classes[:SHOWN_CLASSES]:
                echo(f"    when {c['condition']} ({count_text(c['size'])} answer sets)")
                echo(f"      e.g. {json.dumps(c['example'], ensure_ascii=False)}")
            if len(classes) > SHOWN_CLASSES:
                echo(
                    f"    ... and {len(classes) - SHOWN_CLASSES} more class(es); --format json"
                    " lists them all"
                )
        elif isinstance(details.get("pre_empted_by"), dict):
            for rule, example in details["pre_empted_by"].items():
                shown = json.dumps(example, ensure_ascii=False)
                echo(f"    {rule} decides e.g. {shown}")
        elif "example" in details:
            echo(f"    e.g. {json.dumps(details['example'], ensure_ascii=False)}")
        counter = details.get("counterexample")
        if isinstance(counter, dict) and "changed_answers" in counter:  # a policy position
            echo(f"    and {json.dumps(counter['changed_answers'], ensure_ascii=False)}")
        if details.get("changes"):
            echo(f"    answers that change it: {'; '.join(details['changes'])}")
