"""`diff OLD NEW`: what changed between two protocol versions (issue 5)."""

from __future__ import annotations

import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import (
    Unreadable,
    open_regular,
    print_problems,
    read_bytes,
    resolve_protocol,
    save_new,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from bruising_check.protocol.loader import Loaded
    from bruising_check.versions import report as diff_report
    from bruising_check.versions.impact import Case


READING_BUDGET = 120.0
"""Seconds by default for a comparison through `maps_from` (about 20 s of CPU for the national
baseline 1.0 against 2.0; the rest is room for a loaded machine)."""


class DiffFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"
    pdf = "pdf"


def load_version(spec: str) -> tuple[str, Loaded]:
    """A protocol from a path, a bundled name, or `REV:path` in the current git repository."""
    from bruising_check.protocol.loader import load_protocol

    path = Path(spec)
    if spec.startswith("-") and not path.exists():
        # After `--` typer passes options on as versions; git would take `--output=FILE:x` as
        # its own option and write a file. A version never starts with a dash.
        fail(f"{spec}: not a protocol version (a file, bundled name or REV:path)", 2)
    if not path.exists() and ":" in spec and not spec.startswith(":"):
        rev, _, inner = spec.partition(":")
        try:
            shown = subprocess.run(  # noqa: S603 - fixed argv, no shell
                # --end-of-options: whatever the spec holds, git reads it as a revision.
                ["git", "show", "--end-of-options", f"{rev}:{inner}"],  # noqa: S607 - PATH git
                capture_output=True,
                check=False,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            fail(f"{spec}: cannot run git ({exc})", 2)
        if shown.returncode != 0:
            why = shown.stderr.decode("utf-8", "replace").strip().splitlines()
            fail(f"{spec}: not found in git ({why[-1] if why else 'git show failed'})", 2)
        return spec, load_protocol(shown.stdout, spec)
    resolved = resolve_protocol(spec)
    return spec, load_protocol(read_bytes(resolved), str(resolved))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Old version: file, bundled name, or REV:path.")],
    new: Annotated[str, typer.Argument(help="New version: file, bundled name, or REV:path.")],
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases",
            help="Re-run cases under both versions: scenario YAML, saved JSON records (.json,"
            " .jsonl) or CSV with one column per question id (a column neither version asks"
            " is refused), or a folder of them. Repeatable. Exit 1 when a case cannot be run"
            " under both versions.",
        ),
    ] = None,
    format: Annotated[
        DiffFormat, typer.Option(help="Output format; pdf is for --board, with --output.")
    ] = DiffFormat.text,
    output: Annotated[
        Path | None, typer.Option(help="Write to this new file instead of the screen.")
    ] = None,
    fail_on_deescalation: Annotated[
        bool,
        typer.Option("--fail-on-deescalation", help="Exit 1 if any situation becomes less urgent."),
    ] = False,
    board: Annotated[
        bool,
        typer.Option(
            "--board",
            help="A board paper: a plain-English summary first, changes grouped by their cause,"
            " an example case each (checked through both versions); text, md, html or pdf.",
        ),
    ] = False,
    budget: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=3600,
            help="Seconds the behavioural comparison may take; past it behaviour is not compared"
            " and diff exits 1. Default 5, or 120 when the new version reads the old one's"
            " questions (`maps_from`).",
        ),
    ] = None,
) -> None:
    """What changed between two protocol versions: text, behaviour, and impact on cases."""
    from bruising_check.analysis import TooLarge, compare
    from bruising_check.render import diff as diff_render
    from bruising_check.render.safe import visible
    from bruising_check.versions import reading as version_reading
    from bruising_check.versions import report as diff_report
    from bruising_check.versions.impact import CASE_SUFFIXES, CaseFileError, impact, read_cases
    from bruising_check.versions.structural import structural_diff

    if format is DiffFormat.pdf and (not board or output is None):
        fail("--format pdf is for the board paper and needs --board and --output FILE", 2)
    if board and format is DiffFormat.json:
        fail("--board prints text, md, html or pdf; for JSON use diff without --board", 2)
    loaded = [load_version(old), load_version(new)]
    from bruising_check.cli import started

    started()  # both versions loaded: the comparison and replay are not start-up
    for _name, item in loaded:
        if not item.ok:
            print_problems([p for p in item.problems if p.severity == "error"])
            fail(f"{item.file}: the protocol has errors; fix them before diffing", 1)
    (old_name, a), (new_name, b) = loaded
    assert a.protocol is not None and b.protocol is not None

    def files() -> Iterator[Path]:
        for given in cases or []:
            if given.is_dir():
                yield from sorted(p for p in given.rglob("*") if p.suffix.lower() in CASE_SUFFIXES)
            else:
                yield given

    if output is not None and (output.exists() or output.is_symlink()):
        fail(f"{output}: already exists; nothing was overwritten. Choose another name.", 2)
    # A cases file that is missing, a FIFO, a device or a folder is refused at once, before the
    # comparison (which may take the whole budget); its content is bounded while it is read.
    questions = {q.id: q for p in (a.protocol, b.protocol) for q in p.questions}
    prompts = {q.id: q for p in (a.protocol, b.protocol) for q in p.context_prompts}
    for path in files():
        try:
            fd = open_regular(path)
        except Unreadable as exc:
            print_problems([exc.problem])
            raise typer.Exit(2) from None
        if path.suffix.lower() != ".csv":
            os.close(fd)
            continue
        # A CSV's header (a column no version asks, version-1 columns) is refused now too, not
        # after the comparison: its header and first row are read here, and again later.
        try:
            with os.fdopen(fd, encoding="utf-8", newline="") as handle:
                next(iter(read_cases(str(path), handle, questions, prompts)), None)
        except CaseFileError as exc:
            fail(visible(str(exc)), 2)
        except OSError as exc:
            fail(f"{path}: cannot read ({exc.strerror or exc})", 2)
        except UnicodeDecodeError:
            fail(f"{path}: not UTF-8 text", 2)
    report = diff_report.DiffReport(
        a.protocol,
        b.protocol,
        old_name,
        new_name,
        a.sha256,
        b.sha256,
        structural_diff(a.protocol, b.protocol),
    )
    before, after = a.protocol, b.protocol
    found = version_reading.reading_for(a.protocol, b.protocol)
    if found is not None:
        index, reading = found
        wrong = version_reading.problems(a.protocol, b.protocol, index, reading, b.located)
        if wrong:
            print_problems(wrong)
            fail(f"{b.file}: `maps_from` cannot read {old_name}; fix it before diffing", 1)
        report.reading = version_reading.read_over(a.protocol, b.protocol, reading)
        before, after = report.reading.protocol, version_reading.deciding_only(b.protocol)
    if budget is None:
        budget = 5.0 if found is None else READING_BUDGET
    try:
        report.comparison = compare(before, after, budget_seconds=budget)
    except TooLarge as exc:
        report.notes.append(
            "Behaviour was NOT compared: the protocols tell apart too many situations; the"
            f" comparison {exc}. Nothing here shows that no situation becomes less urgent"
            " (--budget SECONDS allows more time)."
        )
    if cases:

        def stream() -> Iterator[Case]:
            for path in files():
                try:
                    # A FIFO or device is refused before reading; readers bound each line.
                    fd = open_regular(path)
                except Unreadable as exc:
                    print_problems([exc.problem])
                    raise typer.Exit(2) from None
                try:
                    with os.fdopen(fd, encoding="utf-8", newline="") as handle:
                        yield from read_cases(str(path), handle, questions, prompts)
                except OSError as exc:
                    fail(f"{path}: cannot read ({exc.strerror or exc})", 2)
                except UnicodeDecodeError:
                    fail(f"{path}: not UTF-8 text", 2)

        try:
            report.impact = impact(a.protocol, b.protocol, stream(), _progress())
        except CaseFileError as exc:
            fail(visible(str(exc)), 2)
        finally:
            _progress_done()
    renderers: dict[str, Callable[[diff_report.DiffReport], str]] = {
        "text": diff_render.text,
        "md": diff_render.markdown,
        "html": diff_render.html,
        "json": diff_render.json_text,
    }
    if board:
        _board(report, output, format.value, budget)
    else:
        rendered = renderers[format.value](report)
        if output is None:
            typer.echo(rendered, nl=False)
        else:
            save_new(output, rendered.encode("utf-8"))
    if report.comparison is None:
        # Could not finish: never exit 0, with or without --fail-on-deescalation.
        fail("Cannot show that no situation becomes less urgent: behaviour was not compared.", 1)
    failed = False
    if fail_on_deescalation and (report.deescalations or report.case_deescalations):
        from bruising_check.protocol.wording import count_text

        typer.echo(
            f"{count_text(report.deescalations)} situations and {report.case_deescalations:,} cases"
            " get a less urgent pathway under the new version.",
            err=True,
        )
        failed = True
    if report.impact is not None and report.impact.not_run:
        # A case that could not be run says nothing about its pathway: never a pass.
        typer.echo(
            f"{report.impact.not_run:,} of {report.impact.total:,} cases given could not be run"
            " under both versions (the reasons are in the report): their impact is not known.",
            err=True,
        )
        failed = True
    if report.impact is not None and not report.impact.total:
        # An empty or truncated export shows nothing about any case: never a pass either.
        typer.echo("--cases was given, but no case was read from the files given.", err=True)
        failed = True
    if failed:
        raise typer.Exit(1)


def _board(report: diff_report.DiffReport, output: Path | None, fmt: str, budget: float) -> None:
    """The board paper (issue 14.5) from the same comparison and case impact as the diff."""
    from bruising_check.render import board as board_render
    from bruising_check.versions.board import board_paper

    # Through `maps_from` the comparison's old side is the old rules over the new questions:
    # its examples (new answers files) are run through that, never through the old questions.
    before = report.old if report.reading is None else report.reading.protocol
    paper = board_paper(
        before,
        report.new,
        report.old_name,
        report.new_name,
        report.changes,
        report.comparison,
        report.impact,
        budget_seconds=budget,
    )
    if report.reading is not None:
        inexact = "; ".join(f"{q}: {note}" for q, note in report.reading.notes)
        paper.notes.append(
            f"The questions were rewritten: {report.old_name}'s rules were run over"
            f" {report.new_name}'s answers, each old question read as its `maps_from` says"
            f" (examples are answers files for {report.new_name}). Readings that are a"
            f" judgement: {inexact}."
        )
    if fmt == "pdf":
        data = board_render.pdf(paper)
    else:
        emit = {"text": board_render.text, "md": board_render.markdown, "html": board_render.html}
        data = emit[fmt](paper).encode("utf-8")
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        save_new(output, data)


_shown_progress = [False]


def _progress() -> Callable[[int], None] | None:
    """On a terminal, a count every thousand cases from the second thousand on (one line,
    rewritten); elsewhere (CI logs, pipes) nothing. Where no cursor tricks are wanted
    (NO_COLOR, TERM=dumb, ACCESSIBLE=1, as `check --plain`) each count is a line of its own,
    at 2,000 and each time it doubles, so a screen reader reads a few plain lines."""
    if not sys.stderr.isatty():
        return None
    from bruising_check.cli.guided import plain_environment

    plain = plain_environment()
    next_plain = [2000]

    def show(count: int) -> None:
        if count < 2000:
            return
        if plain:
            if count >= next_plain[0]:
                next_plain[0] = count * 2
                sys.stderr.write(f"Re-running cases under both versions: {count:,} so far\n")
                sys.stderr.flush()
            return
        _shown_progress[0] = True
        sys.stderr.write(f"\rRe-running cases under both versions: {count:,} so far")
        sys.stderr.flush()

    return show


def _progress_done() -> None:
    if _shown_progress[0]:
        # The rewritten line is cleared; where escapes are not wanted it is ended instead.
        from bruising_check.cli.guided import plain_environment

        sys.stderr.write("\n" if plain_environment() else "\r\x1b[K")
        sys.stderr.flush()
        _shown_progress[0] = False
