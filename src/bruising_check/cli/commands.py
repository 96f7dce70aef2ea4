"""Commands: check, schema, protocols."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import load, load_or_exit, print_problems, read_bytes, save_new
from bruising_check.cli.guided import clock


class CheckFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"
    pdf = "pdf"


EXTENSIONS = {"text": ".txt", "md": ".md", "json": ".json", "html": ".html", "pdf": ".pdf"}
BY_SUFFIX = {ext: CheckFormat(fmt) for fmt, ext in EXTENSIONS.items()} | {".htm": CheckFormat.html}


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
    format: Annotated[
        CheckFormat | None,
        typer.Option(
            help="Output format (default: from the --output file's extension; else text, or a"
            " PDF when saving a guided check)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write to this new file (never overwrites) instead of the screen; the JSON"
            " record is saved beside a printable one."
        ),
    ] = None,
    record_dir: Annotated[
        Path | None,
        typer.Option(
            help="Save the printable rationale and the JSON record in this folder, named by date"
            " and time."
        ),
    ] = None,
    plain: Annotated[
        bool,
        typer.Option(
            help="No colour, boxes or cursor tricks (also with NO_COLOR, TERM=dumb, ACCESSIBLE=1)."
        ),
    ] = False,
    practitioner: Annotated[
        str | None, typer.Option(help="Your name, for the record (optional).")
    ] = None,
    role: Annotated[str | None, typer.Option(help="Your role, for the record (optional).")] = None,
    child_ref: Annotated[
        str | None,
        typer.Option(help="A reference for the child, never a name (optional)."),
    ] = None,
) -> None:
    """Run the check: the pathway, actions, reasons and what was not known.

    Without --answers, asks the questions one at a time (the guided check)."""
    from bruising_check.engine.answers import check_answers
    from bruising_check.engine.decide import decide
    from bruising_check.protocol.yamlread import YamlError, decode, read_yaml
    from bruising_check.records.record import build_record

    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    about = {
        k: v
        for k, v in (("practitioner", practitioner), ("role", role), ("child_reference", child_ref))
        if v
    }
    if output is not None and record_dir is not None:
        fail("Give --output or --record-dir, not both.", 2)
    if format is None and output is not None:
        format = BY_SUFFIX.get(output.suffix.lower())
    if answers is None:
        from bruising_check.cli.guided import run_guided

        fmt = "pdf" if format is None else format.value
        # Say so before the questions, not after them.
        if output is not None:
            for path, _ in _targets(output, fmt):
                if path.exists():
                    fail(f"{path}: already exists; nothing was overwritten. Choose another.", 2)
        if record_dir is not None and not record_dir.is_dir():
            fail(f"{record_dir}: no such folder", 2)
        code = run_guided(
            loaded,
            plain=plain,
            fmt=fmt,
            output=output,
            record_dir=record_dir,
            about=about,
            save=save,
        )
        raise typer.Exit(code)
    try:
        # Answers are read with YAML 1.2 rules: `no` is the option "no", `010` is ten.
        located = read_yaml(decode(read_bytes(answers), str(answers)), str(answers), yaml12=True)
    except YamlError as exc:
        print_problems([exc.problem])
        raise typer.Exit(1) from None
    format = format or CheckFormat.text
    checked = check_answers(loaded.protocol, located)
    print_problems(checked.problems)
    if not checked.ok:
        fail(f"{answers}: the answers have errors; nothing was decided", 1)
    decision = decide(loaded.protocol, checked.answers)
    record = build_record(
        loaded.protocol,
        loaded.sha256,
        decision,
        created_at=clock()(),
        context=checked.context,
        about=about,
    )
    if record_dir is not None or (output is not None and format is not CheckFormat.json):
        for path in save(record, format.value, output, record_dir):
            typer.echo(f"Saved {path}", err=True)
    elif format is CheckFormat.pdf:
        fail("--format pdf needs --output FILE or --record-dir DIR.", 2)
    else:
        emit(record, format.value, output)
    if decision.pathway is None:
        raise typer.Exit(1)


def emit(record: dict[str, Any], fmt: str, output: Path | None) -> None:
    content = rendered(record, fmt)
    if output is None:
        typer.echo(content.decode("utf-8"), nl=False)
        return
    save_new(output, content)


def rendered(record: dict[str, Any], fmt: str) -> bytes:
    from bruising_check.records.record import to_json
    from bruising_check.render import html as render_html
    from bruising_check.render import plain as render

    if fmt == "pdf":
        from bruising_check.render.pdf import pdf

        return pdf(record)
    text = {
        "json": to_json,
        "md": render.markdown,
        "text": render.text,
        "html": render_html.html,
    }[fmt](record)
    return text.encode("utf-8")


def save(
    record: dict[str, Any], fmt: str, output: Path | None, record_dir: Path | None
) -> list[Path]:
    """Write the printable rationale and, beside it, the JSON record (so the check can be
    verified again later). Every target is checked first: all are written, or none."""
    from bruising_check.records.store import AlreadyExists, write_new

    if output is None:
        folder = record_dir or Path.cwd()
        if not folder.is_dir():
            fail(f"{folder}: no such folder; nothing was saved", 2)
        stamp = dt.datetime.fromisoformat(record["created_at"]).strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            base = folder / (f"bruising-check-{stamp}" + ("" if n == 1 else f"-{n}"))
            targets = _targets(base.with_suffix(EXTENSIONS[fmt]), fmt)
            if not any(p.exists() for p, _ in targets):
                break
    else:
        targets = _targets(output, fmt)
    for path, _ in targets:
        if path.exists():
            fail(f"{path}: already exists; nothing was overwritten. Choose another name.", 2)
    contents = [(path, rendered(record, kind)) for path, kind in targets]
    written: list[Path] = []
    for path, content in contents:
        try:
            write_new(path, content)
        except (AlreadyExists, OSError) as exc:
            # All or nothing: a printable rationale without its JSON record cannot be verified
            # later, so what this save already wrote is taken back.
            for done in written:
                done.unlink(missing_ok=True)
            why = "already exists" if isinstance(exc, AlreadyExists) else "cannot write"
            fail(f"{path}: {why}; nothing was saved", 2)
        written.append(path)
    return written


def _targets(printable: Path, fmt: str) -> list[tuple[Path, str]]:
    if fmt == "json":
        return [(printable, "json")]
    beside = printable.with_suffix(".json")
    if beside == printable:
        beside = printable.with_name(printable.name + ".record.json")
    return [(printable, fmt), (beside, "json")]


@app.command()
def schema() -> None:
    """Print the JSON Schema of the protocol format (for editors and CI)."""
    from bruising_check.protocol.schema import protocol_schema

    typer.echo(json.dumps(protocol_schema(), indent=2))


@app.command("protocols")
def list_protocols() -> None:
    """List the bundled protocols: id, version, status, review date."""
    from bruising_check.protocol.bundled import bundled_files

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
