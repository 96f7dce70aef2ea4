"""`diff OLD NEW`: what changed between two protocol versions (issue 5)."""

from __future__ import annotations

import subprocess
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import print_problems, read_bytes, resolve_protocol, save_new

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from bruising_check.protocol.loader import Loaded
    from bruising_check.versions.impact import Case


class DiffFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"


def load_version(spec: str) -> tuple[str, Loaded]:
    """A protocol from a path, a bundled name, or `REV:path` in the current git repository."""
    from bruising_check.protocol.loader import load_protocol

    path = Path(spec)
    if not path.exists() and ":" in spec and not spec.startswith(":"):
        rev, _, inner = spec.partition(":")
        try:
            shown = subprocess.run(  # noqa: S603 - fixed argv, no shell
                ["git", "show", f"{rev}:{inner}"],  # noqa: S607 - git from PATH is intended
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
            " .jsonl) or CSV with one column per question id, or a folder of them. Repeatable.",
        ),
    ] = None,
    format: Annotated[DiffFormat, typer.Option(help="Output format.")] = DiffFormat.text,
    output: Annotated[
        Path | None, typer.Option(help="Write to this new file instead of the screen.")
    ] = None,
    fail_on_deescalation: Annotated[
        bool,
        typer.Option("--fail-on-deescalation", help="Exit 1 if any situation becomes less urgent."),
    ] = False,
    budget: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=3600,
            help="Seconds the behavioural comparison may take; past it behaviour is not compared"
            " and diff exits 1.",
        ),
    ] = 5.0,
) -> None:
    """What changed between two protocol versions: text, behaviour, and impact on cases."""
    from bruising_check.analysis import TooLarge, compare
    from bruising_check.render import diff as diff_render
    from bruising_check.versions import report as diff_report
    from bruising_check.versions.impact import CASE_SUFFIXES, CaseFileError, impact, read_cases
    from bruising_check.versions.structural import structural_diff

    loaded = [load_version(old), load_version(new)]
    for _name, item in loaded:
        if not item.ok:
            print_problems([p for p in item.problems if p.severity == "error"])
            fail(f"{item.file}: the protocol has errors; fix them before diffing", 1)
    (old_name, a), (new_name, b) = loaded
    assert a.protocol is not None and b.protocol is not None
    report = diff_report.DiffReport(
        a.protocol,
        b.protocol,
        old_name,
        new_name,
        a.sha256,
        b.sha256,
        structural_diff(a.protocol, b.protocol),
    )
    try:
        report.comparison = compare(a.protocol, b.protocol, budget_seconds=budget)
    except TooLarge as exc:
        report.notes.append(
            f"Behaviour was NOT compared: the protocols tell apart too many situations ({exc})."
            " Nothing here shows that no situation becomes less urgent."
        )
    if cases:
        questions = {q.id: q for p in (a.protocol, b.protocol) for q in p.questions}

        def files() -> Iterator[Path]:
            for given in cases or []:
                if given.is_dir():
                    yield from sorted(
                        p for p in given.rglob("*") if p.suffix.lower() in CASE_SUFFIXES
                    )
                else:
                    yield given

        def stream() -> Iterator[Case]:
            for path in files():
                try:
                    with path.open(encoding="utf-8", newline="") as handle:
                        yield from read_cases(str(path), handle, questions)
                except OSError as exc:
                    fail(f"{path}: cannot read ({exc.strerror or exc})", 2)
                except UnicodeDecodeError:
                    fail(f"{path}: not UTF-8 text", 2)

        try:
            report.impact = impact(a.protocol, b.protocol, stream())
        except CaseFileError as exc:
            fail(str(exc), 2)
    renderers: dict[str, Callable[[diff_report.DiffReport], str]] = {
        "text": diff_render.text,
        "md": diff_render.markdown,
        "html": diff_render.html,
        "json": diff_render.json_text,
    }
    rendered = renderers[format.value](report)
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        save_new(output, rendered.encode("utf-8"))
    if report.comparison is None:
        # Could not finish: never exit 0, with or without --fail-on-deescalation.
        fail("Cannot show that no situation becomes less urgent: behaviour was not compared.", 1)
    if fail_on_deescalation and (report.deescalations or report.case_deescalations):
        typer.echo(
            f"{report.deescalations:,} situations and {report.case_deescalations:,} cases"
            " get a less urgent pathway under the new version.",
            err=True,
        )
        raise typer.Exit(1)
