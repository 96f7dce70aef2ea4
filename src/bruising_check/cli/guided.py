"""The guided check in a terminal: draws the session's screens, reads what is typed, shows the
result, and offers to save. Decisions live in `bruising_check.records.session`: this is a shell.

Plain mode (`--plain`, or NO_COLOR, TERM=dumb, ACCESSIBLE=1, or output that is not a terminal)
prints one line at a time with no colour, boxes or cursor movement, for screen readers. Every text
from the protocol or the person is shown literally: rich markup is off and control characters
(terminal escape sequences) are made visible instead of acting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # imported when a check runs, so that `--help` stays fast
    from rich.text import Text

    from bruising_check.protocol.loader import Loaded
    from bruising_check.protocol.model import Question
    from bruising_check.records.record import Record
    from bruising_check.records.session import Message, QuestionScreen, ReviewScreen, Screen

TIME_ENV = "BRUISING_CHECK_NOW"
"""An ISO date-time that fixes the clock (tests and demonstrations); read only by the CLI."""

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def literal(text: object) -> str:
    """Text shown as written: control characters (escape sequences) become visible `\\x1b`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def want_plain(flag: bool) -> bool:
    env = os.environ
    return (
        flag
        or bool(env.get("NO_COLOR"))
        or env.get("TERM") == "dumb"
        or env.get("ACCESSIBLE", "").lower() in {"1", "true", "yes"}
        or not sys.stdout.isatty()
    )


def clock() -> Callable[[], dt.datetime]:
    fixed = os.environ.get(TIME_ENV)
    if fixed:
        try:
            moment = dt.datetime.fromisoformat(fixed)
        except ValueError:
            typer.echo(f"{TIME_ENV}={fixed!r} is not an ISO date-time", err=True)
            raise typer.Exit(2) from None
        if moment.tzinfo is None:
            moment = moment.astimezone()
        return lambda: moment
    return lambda: dt.datetime.now().astimezone()


class Terminal:
    """Draws screens and reads replies. `read` is `input` in real use."""

    def __init__(self, plain: bool, read: Callable[[str], str] = input) -> None:
        from rich.console import Console

        self.plain = plain
        self.read = read
        self.console = Console(
            highlight=False,
            markup=False,
            emoji=False,
            no_color=plain,
            soft_wrap=plain,
        )

    # --- output -------------------------------------------------------------------------------

    def text(self, text: str, style: str = "") -> Text:
        from rich.text import Text

        return Text(literal(text), style=style)

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.plain:
            print(literal(text), flush=True)
        else:
            self.console.print(self.text(text, style or ""))

    def heading(self, text: str) -> None:
        if self.plain:
            self.line("")
            self.line(f"-- {text} --")
        else:
            self.console.print()
            self.console.rule(self.text(text, "bold"), align="left")

    def message(self, m: Message | None) -> None:
        if m is None:
            return
        prefix = {"error": "Not understood: ", "help": "Why we ask: ", "info": ""}[m.kind]
        style = {"error": "bold red", "help": "cyan", "info": "green"}[m.kind]
        for i, part in enumerate(m.text.split("\n")):
            self.line((prefix if i == 0 else "  ") + part, style)
        for s in m.sources:
            self.line(f"  Source: {s.title}" + (f" {s.url}" if s.url else ""), style)

    # --- screens ------------------------------------------------------------------------------

    def ask(self, screen: Screen) -> str:
        from bruising_check.records.session import QuestionScreen, ReviewScreen

        if isinstance(screen, QuestionScreen):
            self.question(screen)
        elif isinstance(screen, ReviewScreen):
            self.review(screen)
        else:
            show_result(self, screen.record)
            return ""
        return self.read("> ")

    def question(self, s: QuestionScreen) -> None:
        q = s.question
        if s.stage == "context":
            where = f"Context {s.number} of {s.number + s.remaining}"
        elif s.stage == "change":
            where = f"Change answer {s.number}"
        else:
            more = f", {s.remaining} more" if s.remaining else ", the last one"
            where = f"Question {s.number}{more}"
        section = f"{q.section} - " if q.section else ""
        self.heading(section + where)
        self.message(s.message)
        self.line(q.prompt, "bold")
        options = getattr(q, "options", ())
        for i, o in enumerate(options, start=1):
            self.line(f"  {i:>2}  {o.label}")
        self.line(_hint(q, s), "dim")
        if s.current is not None:
            self.line(f"Now: {s.current}. Type a new answer, or press Enter to keep it.", "dim")

    def review(self, s: ReviewScreen) -> None:
        self.heading("Review your answers")
        self.message(s.message)
        for e in s.entries:
            self.line(f"{e.number:>3}  {e.question.prompt}")
            self.line(f"       {e.answer}", "bold")
        go = "see the result" if s.complete else "carry on with the questions"
        self.line(f"Type a number to change that answer, or press Enter to {go}.", "dim")


def _hint(q: Question, s: QuestionScreen) -> str:
    from bruising_check.protocol.model import (
        BooleanQuestion,
        MultipleChoiceQuestion,
        NumberQuestion,
        SingleChoiceQuestion,
    )

    keys = "? why we ask" + ("   b back" if s.can_go_back else "")
    if s.stage == "questions":
        keys += "   r review"
    if isinstance(q, BooleanQuestion):
        how = "Type y or n."
    elif isinstance(q, SingleChoiceQuestion):
        how = "Type a number."
    elif isinstance(q, MultipleChoiceQuestion):
        how = "Type the numbers, for example 1,3"
        how += "." if q.min_selected else ", or none."
    elif isinstance(q, NumberQuestion):
        how = f"Type a number of {q.unit} ({q.min:g} to {q.max:g})"
        # Units only where they make sense: an age, not a gestation of 22 to 44 weeks.
        how += ", or 10d, 6w, 4m, 2y." if q.unit == "weeks" and q.max > 104 else "."
    else:
        how = "Type the text, then Enter."
    if not q.required and s.current is None:
        # When changing an answer, Enter keeps it (said on the next line), so do not say both.
        how += " Enter alone leaves it unanswered."
    return f"{how}   {keys}"


def show_result(t: Terminal, r: Record) -> None:
    """The terminal emitter of the record's rationale document: the pathway and its timescale
    first, then the actions, then the reasons (the same sections and words as every printout)."""
    from bruising_check.render.plain import screen_lines

    t.line("")
    for text, style in screen_lines(r):
        t.line(text, style or None)
    t.line("Now a few questions about the family. They are recorded, never change the pathway.")


def run_guided(
    loaded: Loaded,
    *,
    plain: bool,
    fmt: str,
    output: Path | None,
    record_dir: Path | None,
    about: dict[str, str],
    save: Callable[[Record, str, Path | None, Path | None], list[Path]],
) -> int:
    """Run the questionnaire; return the exit code. Nothing is written unless it completes."""
    from bruising_check.records.session import Session

    assert loaded.protocol is not None
    terminal = Terminal(want_plain(plain))
    now = clock()
    try:
        meta = loaded.protocol.metadata
        terminal.line(meta.title, "bold")
        if meta.status != "approved":
            # A draft or superseded protocol must never pass for the local procedure.
            terminal.line(
                f"Version {meta.version} is {meta.status.upper()}: not an approved local"
                " protocol. Check your partnership's current procedure.",
                "bold",
            )
        terminal.line(
            "Answer each question and press Enter. ? explains why it is asked, b goes back,"
            " r reviews your answers. Ctrl-C stops without saving."
        )
        session = Session(loaded.protocol, loaded.sha256, terminal.ask, now)
        outcome = session.run()
        if output is None and record_dir is None:
            kind = {"pdf": "PDF", "html": "HTML", "md": "Markdown", "text": "text"}.get(fmt, fmt)
            terminal.heading("Save")
            reply = terminal.read(
                f"Save a {kind} rationale and the JSON record in {Path.cwd()}? [y/N] "
            )
            if reply.strip().lower() not in {"y", "yes"}:
                terminal.line("Not saved. Nothing was written.")
                return 0 if outcome.decision.pathway else 1
            record_dir = Path.cwd()
        for key, label in (
            ("practitioner", "Your name"),
            ("role", "Your role"),
            ("child_reference", "Child reference (no name)"),
        ):
            if key not in about:
                typed = terminal.read(f"{label} (optional, Enter to skip): ").strip()
                if typed:
                    about[key] = typed
    except KeyboardInterrupt:
        terminal.line("")
        typer.echo("Stopped (Ctrl-C). Nothing was saved.", err=True)
        return 130
    except EOFError:
        terminal.line("")
        typer.echo("Input ended before the check was finished. Nothing was saved.", err=True)
        return 1
    from bruising_check.records.record import Entered

    record = outcome.record(loaded.protocol, loaded.sha256, about).with_entered(
        Entered(mode="guided", prompts=outcome.prompts)
    )
    for path in save(record, fmt, output, record_dir):
        terminal.line(f"Saved {path}")
    return 0 if outcome.decision.pathway else 1
