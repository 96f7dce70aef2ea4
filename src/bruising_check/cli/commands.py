"""Commands: check, schema, protocols."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import (
    Plain,
    load_or_exit,
    print_problems,
    read_bytes,
    save_new,
    tolerant_stdin,
)
from bruising_check.cli.guided import clock

if TYPE_CHECKING:
    from bruising_check.protocol.model import Protocol
    from bruising_check.protocol.yamlread import Located
    from bruising_check.records.record import Record


class CheckFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"
    pdf = "pdf"


EXTENSIONS = {"text": ".txt", "md": ".md", "json": ".json", "html": ".html", "pdf": ".pdf"}
# (records.store.EXTENSIONS holds the same; not imported here so that `--help` stays fast.)
BY_SUFFIX = {ext: CheckFormat(fmt) for fmt, ext in EXTENSIONS.items()} | {
    ".htm": CheckFormat.html,
    ".text": CheckFormat.text,
}
FORMATS = ", ".join(f.value for f in CheckFormat)


def _format(typed: str) -> CheckFormat:
    """`--format`, in the tool's own words when it is not one (not a library's "Value error")."""
    try:
        return CheckFormat(typed.strip().lower())
    except ValueError:
        raise typer.BadParameter(f"{typed!r} is not a format; choose one of {FORMATS}.") from None


def _output_format(output: Path, format: CheckFormat | None) -> CheckFormat:
    """The format an --output file is written in. A file name whose extension does not say the
    format is refused: 'Saved x.docx' holding plain text would mislead whoever opens it."""
    by_name = BY_SUFFIX.get(output.suffix.lower())
    if by_name is None:
        known = ", ".join(sorted(BY_SUFFIX))
        fail(
            f"{output}: the file name must end in one of {known} (the format it holds);"
            " nothing was written.",
            2,
        )
    if format is not None and format is not by_name:
        fail(
            f"{output}: the file name says {by_name.value} but --format is {format.value};"
            " give a name ending in " + EXTENSIONS[format.value] + ". Nothing was written.",
            2,
        )
    return by_name


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
            parser=_format,
            metavar="[" + FORMATS.replace(", ", "|") + "]",
            help="Output format (default: from the --output file's extension; else text, or a"
            " PDF when saving a guided check).",
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
    plain: Plain = False,
    practitioner: Annotated[
        str | None, typer.Option(help="Your name, for the record (optional).")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            help="Your role, for the record (optional). Where the protocol declares roles, one"
            " of their ids: its rules may depend on it."
        ),
    ] = None,
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
    from bruising_check.records.record import Entered, build_record

    if answers is not None and _pdf_wanted(format, output):
        # fpdf2 is the largest import; made during start-up, it is set aside as start-up is
        # (cli.lasting). A guided check imports it only once the questions are answered.
        from bruising_check.cli import lasting

        with lasting():
            import bruising_check.render.pdf  # noqa: F401
    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    about = _about(practitioner, role, child_ref)
    if role is not None:
        _known_role(loaded.protocol, role, "--role")
    if output is not None and record_dir is not None:
        fail("Give --output or --record-dir, not both.", 2)
    if output is not None:
        format = _output_format(output, format)
    if answers is None:
        from bruising_check.cli.guided import run_guided

        tolerant_stdin()
        fmt = "pdf" if format is None else format.value
        # Say so before the questions, not after them.
        if output is not None:
            from bruising_check.records.store import taken_names

            taken = [str(p) for p, _ in _targets(output, fmt) if p.exists() or p.is_symlink()]
            if taken:  # every file in the way (the printout, its record, or both)
                verb = "already exists" if len(taken) == 1 else "already exist"
                names = taken_names(taken)
                fail(f"{names}: {verb}; nothing was overwritten. Choose another.", 2)
        if record_dir is not None and not record_dir.is_dir():
            fail(f"{record_dir}: no such folder", 2)
        code = run_guided(
            loaded,
            plain=plain,
            fmt=fmt,
            output=output,
            record_dir=record_dir,
            about=about,
            save=save_guided,
        )
        raise typer.Exit(code)
    try:
        # Answers are read with YAML 1.2 rules: `no` is the option "no", `010` is ten.
        located = read_yaml(decode(read_bytes(answers), str(answers)), str(answers), yaml12=True)
    except YamlError as exc:
        print_problems([exc.problem])
        raise typer.Exit(1) from None
    format = format or CheckFormat.text
    _role_in_answers(loaded.protocol, located, role, answers)
    checked = check_answers(loaded.protocol, located)
    print_problems(checked.problems)
    if not checked.ok:
        fail(f"{answers}: the answers have errors; nothing was decided", 1)
    decision = decide(loaded.protocol, checked.answers, context=checked.context)
    answered_role = checked.answers.get("role")
    if loaded.protocol.roles and isinstance(answered_role, str):
        from bruising_check.protocol.roles import role_label

        # The record's header says who checked, as the protocol names the role.
        about["role"] = role_label(loaded.protocol, answered_role)
    record = build_record(
        loaded.protocol,
        loaded.sha256,
        decision,
        created_at=clock()(),
        context=checked.context,
        about=about,
        entered=Entered(mode="answers_file"),
    )
    if record_dir is not None or output is not None:
        save(record, format.value, output, record_dir)
    elif format is CheckFormat.pdf:
        fail("--format pdf needs --output FILE or --record-dir DIR.", 2)
    else:
        emit(record, format.value, output)
    if decision.pathway is None:
        raise typer.Exit(1)


MAX_ABOUT_CHARS = 200


def _pdf_wanted(format: CheckFormat | None, output: Path | None) -> bool:
    if format is not None:
        return format is CheckFormat.pdf
    return output is not None and output.suffix.lower() == ".pdf"


def _known_role(protocol: Protocol, role: str, where: str) -> None:
    """Where the protocol declares roles, the role must be one of them (a usage error, exit 2,
    that lists them); without `roles:` it stays free text for the record."""
    if not protocol.roles or role in {r.id for r in protocol.roles}:
        return
    listed = ", ".join(f"{r.id} ({r.label})" for r in protocol.roles)
    fail(f"{where} {role!r} is not a role of this protocol. Its roles: {listed}.", 2)


def _role_in_answers(protocol: Protocol, located: Located, role: str | None, answers: Path) -> None:
    """The answers file's `role:` is checked like `--role`; `--role` fills it when absent and
    may not contradict it."""
    from bruising_check.protocol.roles import ROLE_QUESTION

    data = located.data
    if not protocol.roles or not isinstance(data, dict):
        return
    given = data.get(ROLE_QUESTION)
    if isinstance(given, str):
        line, col = located.where((ROLE_QUESTION,))
        _known_role(protocol, given, f"{answers}:{line}:{col}: role:")
        if role is not None and role != given:
            fail(f"--role {role!r} and {answers}'s role: {given!r} differ; give one role.", 2)
    elif given is None and role is not None:
        data[ROLE_QUESTION] = role


def _about(practitioner: str | None, role: str | None, child_ref: str | None) -> dict[str, str]:
    """The record's optional header from the command line: bytes that are not UTF-8 are kept as
    escapes (`\\xff`) instead of crashing the save; overlong values are refused up front."""
    from bruising_check.records.store import keep_escaped

    about: dict[str, str] = {}
    for key, flag, value in (
        ("practitioner", "--practitioner", practitioner),
        ("role", "--role", role),
        ("child_reference", "--child-ref", child_ref),
    ):
        if not value:
            continue
        if len(value) > MAX_ABOUT_CHARS:
            fail(f"{flag}: at most {MAX_ABOUT_CHARS} characters", 2)
        about[key] = keep_escaped(value)
    return about


def emit(record: Record, fmt: str, output: Path | None) -> None:
    content = rendered(record, fmt)
    if output is None:
        typer.echo(content.decode("utf-8"), nl=False)
        return
    save_new(output, content)


def rendered(record: Record, fmt: str) -> bytes:
    from bruising_check.render.emit import rendered as render

    return render(record, fmt)


def save(record: Record, fmt: str, output: Path | None, record_dir: Path | None) -> list[Path]:
    """Write the printable rationale and, beside it, the JSON record (so the check can be
    verified again later): both or neither. With --answers there are no prompts, so if the
    place asked for fails (the name is taken, the folder is missing or cannot be written, the
    disk is full) the check is saved as an emergency copy in the emergency folder
    (`$XDG_STATE_HOME/bruising-check/unsaved`, default `~/.local/state/...`, owner-only), the
    command says where and exits 2: a script sees that the file is not where it asked, and the
    finished check is not lost."""
    from bruising_check.records.store import NotSaved, save_check
    from bruising_check.render.safe import visible

    said: list[str] = []

    def say(line: str) -> None:
        # save_check speaks only when the place asked for failed.
        said.append(line)
        typer.echo(visible(line), err=True)

    try:
        saved = save_check(
            lambda kind: rendered(record, kind),
            fmt,
            record.created_at.isoformat(),
            output,
            record_dir,
            ask=None,
            say=say,
        )
    except NotSaved as exc:
        fail(f"Not saved: {exc}. Run the check again with another --output or --record-dir.", 2)
    for path in saved:
        typer.echo(visible(f"Saved {path}"), err=True)
    if said:
        fail("The check was not saved where asked (see above); the emergency copy holds it.", 2)
    return saved


def save_guided(
    record: Record, fmt: str, output: Path | None, record_dir: Path | None
) -> list[Path]:
    """Save a finished guided check; never lose it. If the place asked for fails (the file
    appeared or the folder vanished during the questions, the disk is full), say why and ask
    for another name or folder; with no terminal to ask, save an emergency copy and say where."""
    import sys

    from bruising_check.records.store import NotSaved, save_check
    from bruising_check.render.safe import visible

    ask = input if sys.stdin.isatty() else None
    kept = _bound_typed_header(record)
    try:
        return save_check(
            lambda kind: rendered(kept, kind),
            fmt,
            kept.created_at.isoformat(),
            output,
            record_dir,
            ask=ask,
            # A typed file name may hold terminal escapes: shown, never obeyed.
            say=lambda line: typer.echo(visible(line), err=True),
        )
    except NotSaved as exc:
        fail(f"Not saved: {exc}. Write the result down now.", 2)


def _bound_typed_header(record: Record) -> Record:
    """A name, role or reference typed at the save prompts is kept to MAX_ABOUT_CHARS (a pasted
    page would make a record too large to verify), cut visibly; the checksum follows, as it is
    computed from the record."""
    from bruising_check.records.record import Header
    from bruising_check.records.store import keep_escaped

    values: dict[str, str | None] = {}
    for key in ("practitioner", "role", "child_reference"):
        value = getattr(record.header, key)
        if value is None:
            values[key] = None
            continue
        kept = keep_escaped(str(value))
        if len(kept) > MAX_ABOUT_CHARS:
            kept = kept[:MAX_ABOUT_CHARS] + f" [cut at {MAX_ABOUT_CHARS} characters]"
            typer.echo(
                f"The {key.replace('_', ' ')} was cut to {MAX_ABOUT_CHARS} characters.", err=True
            )
        values[key] = kept
    if values == record.header.model_dump():
        return record
    return record.model_copy(update={"header": Header(**values)})


def _targets(printable: Path, fmt: str) -> list[tuple[Path, str]]:
    from bruising_check.records.store import pair_targets

    return pair_targets(printable, fmt)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the protocol format (for editors and CI)."""
    from bruising_check.protocol.schema import protocol_schema

    typer.echo(json.dumps(protocol_schema(), indent=2))


@app.command("protocols")
def list_protocols() -> None:
    """List the bundled protocols: id, version, status, review date."""
    from pydantic import ValidationError

    from bruising_check.protocol.bundled import bundled_files
    from bruising_check.protocol.header import NoMetadata, read_metadata
    from bruising_check.protocol.yamlread import YamlError, decode
    from bruising_check.render.safe import visible

    rows = []
    for path in bundled_files():
        # The metadata alone: listing seven protocols need not build and check seven protocols.
        try:
            m = read_metadata(decode(read_bytes(path), str(path)), str(path))
        except (YamlError, NoMetadata, ValidationError):
            rows.append((path.stem, "?", "?", "BROKEN", "", "run `validate` on it"))
            continue
        due = m.review_due.isoformat() if m.review_due else "not set"
        rows.append((path.stem, m.id, m.version, m.status, due, m.title))
    header = ("name", "id", "version", "status", "review due", "title")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        cells = "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False))
        typer.echo(visible(f"{cells}  {row[5]}"))
    typer.echo("Use the name as PROTOCOL, e.g. `bruising-check check exampleshire-v2`.", err=True)
