"""For trainers: show (flowcharts, handbook) and test (scenarios) here; demo and quiz in
`cli.classroom` (issue 6).

The terminal layer only: each command reads files, calls the core (flowchart, handbook,
scenarios) and prints. Protocol and scenario text is printed through `_safe`, so a
terminal escape in a file is shown, never obeyed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import textwrap
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import (
    Unreadable,
    load_or_exit,
    print_problems,
    read_bytes,
    read_limited,
    save_new,
)

if TYPE_CHECKING:
    from bruising_check.protocol.model import Protocol


def _safe(text: str) -> str:
    """Control characters (escape sequences), direction overrides and zero-width characters
    shown as `\\x1b`, never acted on by the terminal (the one policy, `render.safe.visible`)."""
    from bruising_check.render.safe import visible

    return visible(text)


_PLAIN = [False]  # the running command's --plain (demo, quiz); reset when it ends


def use_plain(flag: bool, ctx: typer.Context | None = None) -> None:
    """Print without colour or other styling for the rest of the command when `flag` (its
    --plain), as check does; NO_COLOR, TERM=dumb, ACCESSIBLE=1 or output that is not a terminal
    have the same effect without it (`cli.guided.want_plain`)."""
    _PLAIN[0] = flag
    if ctx is not None:
        ctx.call_on_close(lambda: use_plain(False))


def _say(text: str = "", indent: str = "", wrap: bool = True, **style: Any) -> None:
    """Print wrapped to the terminal's width; continuation lines indented under `indent`.
    `wrap=False` keeps a line whole (file:line:col locations that editors and CI parse).
    `style` (bold, colour) only when plain output is not wanted (`use_plain`)."""
    from bruising_check.cli.guided import want_plain

    if style and want_plain(_PLAIN[0]):
        style = {}
    if not wrap:
        typer.echo(typer.style(_safe(text), **style) if style else _safe(text))
        return
    # A terminal's own width; 100 when piped, so saved output does not depend on a window.
    columns = shutil.get_terminal_size((101, 24)).columns if sys.stdout.isatty() else 101
    width = max(40, min(100, columns - 1))
    body = text.lstrip(" ")
    indent = indent or " " * (len(text) - len(body))
    lines = textwrap.wrap(
        _safe(body),
        width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    ) or [""]
    for line in lines:
        typer.echo(typer.style(line, **style) if style else line)


def _write(output: Path | None, data: bytes, *, binary: bool) -> None:
    if output is None:
        if binary and sys.stdout.isatty():
            fail("This format is binary: give --output FILE to save it.", 2)
        sys.stdout.buffer.write(data) if binary else typer.echo(_safe(data.decode()), nl=False)
        sys.stdout.flush()
        return
    save_new(output, data)


# --- show ---------------------------------------------------------------------------------------


class ShowFormat(str, Enum):
    tree = "tree"
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    png = "png"
    md = "md"
    html = "html"
    pdf = "pdf"


class ShowView(str, Enum):
    overview = "overview"
    detailed = "detailed"


FLOWCHARTS = {ShowFormat.tree, ShowFormat.mermaid, ShowFormat.dot, ShowFormat.svg, ShowFormat.png}
DRAWN = {ShowFormat.svg, ShowFormat.png, ShowFormat.pdf}


def _decision_for(protocol: Protocol, answers: Path) -> Any:
    from bruising_check.engine.answers import check_answers
    from bruising_check.engine.decide import decide
    from bruising_check.protocol.yamlread import YamlError, decode, read_yaml

    try:
        located = read_yaml(decode(read_bytes(answers), str(answers)), str(answers), yaml12=True)
    except YamlError as exc:
        print_problems([exc.problem])
        raise typer.Exit(1) from None
    checked = check_answers(protocol, located)
    print_problems(checked.problems)
    if not checked.ok:
        fail(f"{answers}: the answers have errors; nothing to highlight", 1)
    return decide(protocol, checked.answers, context=checked.context)


@app.command()
def show(
    protocol: Annotated[
        str | None,
        typer.Argument(help="Protocol file or bundled id (default: the national baseline)."),
    ] = None,
    format: Annotated[
        ShowFormat,
        typer.Option(
            help="Flowchart: tree, mermaid, dot, svg, png (and pdf with --view). Handbook: md,"
            " html, pdf."
        ),
    ] = ShowFormat.tree,
    view: Annotated[
        ShowView | None,
        typer.Option(
            help="A drawn flowchart (svg, png, pdf): overview (for a room, 1920x1080; the"
            " default for svg and png) or detailed (every rule, for policy leads)."
        ),
    ] = None,
    highlight: Annotated[
        Path | None,
        typer.Option(help="An answers file: mark the path this case takes (flowcharts only)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write to this new file (never overwrites).")
    ] = None,
) -> None:
    """The protocol as a flowchart, or as a handbook a partnership could publish."""
    from bruising_check.render import flowchart, handbook
    from bruising_check.render import handbook_text as handbook_render

    if view is not None and format not in DRAWN:
        fail("--view chooses a drawn flowchart: use it with svg, png or pdf.", 2)
    if format in {ShowFormat.svg, ShowFormat.png} and view is None:
        view = ShowView.overview
    chart = format in FLOWCHARTS or view is not None
    if highlight is not None and not chart:
        fail(
            "--highlight marks a path on a flowchart: use it with tree, mermaid, dot, svg, png,"
            " or pdf with --view.",
            2,
        )
    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    if chart:
        path = None if highlight is None else flowchart.trace(p, _decision_for(p, highlight))
        if view is not None:
            from bruising_check.render import chart_draw, chart_views

            scene = (chart_views.overview if view is ShowView.overview else chart_views.detailed)(
                p, path
            )
            if view is ShowView.overview and scene.height > chart_views.H:
                # Said, never hidden: a room at the back cannot read it.
                px = chart_views.SIZE * chart_views.H / scene.height
                typer.echo(
                    f"Note: this overview does not fit one 1920x1080 screen at full size: its"
                    f" smallest text is {px:.1f} px there, under the 18 px a room needs. Shorter"
                    " rule labels (`label:`) make it fit; --view detailed shows every rule.",
                    err=True,
                )
            if format is ShowFormat.svg:
                _write(output, chart_draw.svg(scene).encode(), binary=False)
            elif format is ShowFormat.png:
                size = (1920, 1080) if view is ShowView.overview else None
                _write(output, chart_draw.png(scene, *(size or scene_size(scene))), binary=True)
            else:
                _write(output, chart_draw.pdf(scene), binary=True)
            return
        render = {"tree": flowchart.tree, "mermaid": flowchart.mermaid, "dot": flowchart.dot}
        _write(output, render[format.value](p, path).encode(), binary=False)
        return
    book = handbook.build(p, file=loaded.file, sha256=loaded.sha256, today=dt.date.today())
    if format is ShowFormat.pdf:
        from bruising_check.render.handbook_pdf import handbook_pdf

        _write(output, handbook_pdf(book), binary=True)
    elif format is ShowFormat.md:
        _write(output, handbook_render.markdown(book).encode(), binary=False)
    else:
        _write(output, handbook_render.html(book).encode(), binary=False)


def scene_size(scene: Any) -> tuple[int, int]:
    """A detailed chart is drawn at its own size: 1920 pixels wide, as tall as it needs."""
    return round(scene.width), round(scene.height)


# --- test ---------------------------------------------------------------------------------------


def _scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


@app.command("test")
def test_scenarios(
    protocol: Annotated[str, typer.Argument(help="Protocol file or bundled id.")],
    cases: Annotated[
        list[Path], typer.Argument(help="Scenario files (or folders of .yaml files).")
    ],
    junit: Annotated[Path | None, typer.Option(help="Also write JUnit XML here (for CI).")] = None,
    coverage: Annotated[
        bool, typer.Option(help="Report rules, pathways and options no scenario exercises.")
    ] = True,
) -> None:
    """Run scenario files against a protocol: pass/fail with differences, and coverage.

    Exit 0 all pass, 1 any scenario fails, 2 a file cannot be read or is malformed."""
    from bruising_check.training import scenarios as sc

    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    runs: list[sc.FileRun] = []
    for path in _scenario_files(cases):
        try:
            raw = read_limited(path)
        except Unreadable as exc:  # keep going: the other files still run and report
            problem = exc.problem
            print_problems([problem], hints=False)
            runs.append(sc.FileRun(str(path), (problem,)))
            continue
        data = sc.load_scenarios(raw, str(path))
        if data.scenarios is None:
            print_problems(list(data.problems))
            runs.append(sc.FileRun(str(path), data.problems))
            continue
        runs.append(sc.FileRun(str(path), (), sc.run_file(p, data)))
    results = [r for run in runs for r in run.results]
    width = max((len(r.case.id) for r in results), default=4)
    for r in results:
        status = "PASS" if r.passed else "FAIL"
        _say(f"{status}  {r.case.id:<{width}}  {r.case.title}", fg=None if r.passed else "red")
        if not r.passed:
            _say(f"      {r.file}:{r.line}", wrap=False)
            for line in sc.difference_lines(r):
                _say(f"      {line}", wrap=False)
    failed = sum(not r.passed for r in results)
    unreadable = sum(bool(run.problems) for run in runs)
    noun = "scenario" if len(results) == 1 else "scenarios"
    summary = f"{len(results)} {noun}: {len(results) - failed} passed, {failed} failed"
    if unreadable:
        summary += f"; {unreadable} file(s) could not be read"
    _say(summary)
    if coverage and results:
        _print_coverage(sc.coverage(p, results))
    if junit is not None:
        # The same path as every file the tool writes: new only, never through a symlink, 0600.
        # Case titles and messages quote files: shown (and valid XML 1.0), never raw.
        save_new(junit, _safe(sc.junit_xml(runs, p.metadata.id)).encode("utf-8"))
    if unreadable:
        raise typer.Exit(2)
    if failed:
        raise typer.Exit(1)


def _print_coverage(cov: Any) -> None:
    rules = cov.rules_total - len(cov.rules_never_deciding)
    pathways = cov.pathways_total - len(cov.pathways_never_reached)
    options = cov.options_total - len(cov.options_never_chosen)
    _say(
        f"Coverage: {rules}/{cov.rules_total} rules decide a case,"
        f" {pathways}/{cov.pathways_total} pathways reached,"
        f" {options}/{cov.options_total} answer options chosen."
    )
    if cov.complete:
        _say("Every rule, advice, pathway and option is exercised by at least one scenario.")
        return
    _say("Not exercised by any scenario:")
    if cov.rules_never_deciding:
        _say("  rules that never decide: " + ", ".join(cov.rules_never_deciding))
    if cov.advice_never_firing:
        _say("  advice that never fires: " + ", ".join(cov.advice_never_firing))
    if cov.pathways_never_reached:
        _say("  pathways never reached: " + ", ".join(cov.pathways_never_reached))
    if cov.options_never_chosen:
        _say("  answers never given:")
        by_question: dict[str, list[str]] = {}
        for q, o in cov.options_never_chosen:
            by_question.setdefault(q, []).append(o)
        for q, options in by_question.items():
            _say(f"    {q}: " + ", ".join(options))
