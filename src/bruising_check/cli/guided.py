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
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # imported when a check runs, so that `--help` stays fast
    from rich.text import Text

    from bruising_check.protocol.loader import Loaded
    from bruising_check.protocol.model import Option, Question
    from bruising_check.records.record import Record
    from bruising_check.records.session import (
        AnotherScreen,
        ItemScreen,
        Message,
        QuestionScreen,
        ResultScreen,
        ReviewScreen,
        Screen,
    )

TIME_ENV = "BRUISING_CHECK_NOW"
"""An ISO date-time that fixes the clock (tests and demonstrations); read only by the CLI."""


def literal(text: object) -> str:
    """Text shown as written (the one policy, `render.safe.visible`): control characters, escape
    sequences, direction overrides and zero-width characters become visible `\\x1b`, `\\u202e`."""
    from bruising_check.render.safe import visible

    return visible(text)


def plain_environment() -> bool:
    """NO_COLOR, TERM=dumb or ACCESSIBLE=1: no colour, boxes or cursor tricks are wanted."""
    env = os.environ
    return (
        bool(env.get("NO_COLOR"))
        or env.get("TERM") == "dumb"
        or env.get("ACCESSIBLE", "").lower() in {"1", "true", "yes"}
    )


def want_plain(flag: bool) -> bool:
    return flag or plain_environment() or not sys.stdout.isatty()


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
        from bruising_check.records.session import (
            AnotherScreen,
            ConfirmScreen,
            ItemScreen,
            QuestionScreen,
            ResultScreen,
            ReviewScreen,
        )

        if isinstance(screen, QuestionScreen):
            self.question(screen)
        elif isinstance(screen, AnotherScreen):
            return self.another(screen)
        elif isinstance(screen, ReviewScreen):
            self.review(screen)
        elif isinstance(screen, ItemScreen):
            self.item(screen)
        elif isinstance(screen, ConfirmScreen):
            self.message(screen.message)
            return self.read(f"{screen.text} Type y or n: ")
        elif isinstance(screen, ResultScreen):
            if screen.after_context:
                show_final(self, screen)
            else:
                show_result(self, screen.record, final=screen.final)
            return ""
        return self.read("> ")

    def question(self, s: QuestionScreen) -> None:
        q = s.question
        if s.brief:
            # Enter alone where an answer is needed: the question is still on the screen.
            self.message(s.message)
            self.line(_hint(q, s), "dim")
            return
        if s.item is not None:
            label = s.item.group.item_label.capitalize()
            doing = "changing an answer" if s.stage == "change" else f"question {s.number}"
            where = f"{label} {s.item.number} - {doing}"
        elif s.stage == "context":
            where = f"Context {s.number} of {s.number + s.remaining}"
        elif s.stage == "change":
            where = f"Change answer {s.number}"
        else:
            more = f", {s.remaining} more" if s.remaining else ", the last one"
            where = f"Question {s.number}{more}"
        home = s.item.group.section if s.item is not None else q.section
        self.heading((f"{home} - " if home else "") + where)
        self.message(s.message)
        self.line(q.prompt, "bold")
        self.options(getattr(q, "options", ()))
        self.line(_hint(q, s), "dim")
        if s.current is not None:
            self.line(f"Now: {s.current}. Type a new answer, or press Enter to keep it.", "dim")

    def options(self, options: Sequence[Option]) -> None:
        """Numbered options; a long list whose labels say a body area ("Face: cheek") is shown
        under one heading per area."""
        areas = _areas(options)
        if not areas:
            for i, o in enumerate(options, start=1):
                self.line(f"  {i:>2}  {o.label}")
            return
        # One line per area keeps a list of 30 sites on one screen: "Face: 3 eyelid; 4 ear".
        lines: list[tuple[str | None, list[str]]] = []
        for i, (area, rest) in enumerate(areas, start=1):
            if area is not None and lines and lines[-1][0] == area:
                lines[-1][1].append(f"{i} {rest}")
            else:
                lines.append((area, [f"{i} {rest}"]))
        width = max(40, min(self.console.width, 100) - 2)
        for area, entries in lines:
            head = f"  {area}: " if area else "  "
            for row in _wrap_entries(entries, width - len(head)):
                self.line(head + row)
                head = " " * len(head)

    def another(self, s: AnotherScreen) -> str:
        label = s.group.item_label
        self.heading(f"{label.capitalize()}s: {len(s.summaries)} so far")
        self.message(s.message)
        if not s.summaries:
            self.line(s.group.prompt, "bold")
        for i, summary in enumerate(s.summaries, start=1):
            self.line(f"  {label.capitalize()} {i}: {summary}")
        ask = f"Another {label}?" if s.summaries else f"Record a {label}?"
        return self.read(f"{ask} Type y or n (b back, ? help): ")

    def review(self, s: ReviewScreen) -> None:
        self.heading("Review your answers")
        self.message(s.message)
        for e in s.entries:
            if e.item is not None:
                label = getattr(e.question, "item_label", "item").capitalize()
                self.line(f"{e.number:>3}  {label} {e.item}")
            else:
                self.line(f"{e.number:>3}  {e.question.prompt}")
            self.line(f"       {e.answer}", "bold")
        go = "see the result" if s.complete else "carry on with the questions"
        add = ""
        if len(s.can_add) == 1:
            add = f", a to add a {s.can_add[0].item_label}"
        elif s.can_add:
            add = ", " + " or ".join(f"'a {g.item_label}'" for g in s.can_add) + " to add one"
        self.line(f"Type a number to change that answer{add}, or press Enter to {go}.", "dim")

    def item(self, s: ItemScreen) -> None:
        label = f"{s.place.group.item_label} {s.place.number}"
        self.heading(f"Review {label}")
        self.message(s.message)
        for e in s.entries:
            self.line(f"{e.number:>3}  {e.question.prompt}")
            self.line(f"       {e.answer}", "bold")
        remove = f", d to remove this {s.place.group.item_label}" if s.can_remove else ""
        self.line(f"Type a number to change that answer{remove}, or press Enter to go back.", "dim")


def _wrap_entries(entries: list[str], width: int) -> list[str]:
    """Entries joined by "; " in rows of at most `width`, never splitting "7 cheekbone"."""
    rows: list[str] = []
    for e in entries:
        if rows and len(rows[-1]) + 2 + len(e) <= width:
            rows[-1] += "; " + e
        else:
            rows.append(e)
    return rows


def _areas(options: Sequence[Option]) -> list[tuple[str | None, str]]:
    """(area, the rest of the label) for each option when a long list names body areas as
    "Area: place" and each area holds two or more; [] otherwise (an ordinary list)."""
    if len(options) < 8:
        return []
    split: list[tuple[str | None, str]] = []
    for o in options:
        area, sep, rest = o.label.partition(": ")
        split.append((area, rest) if sep else (None, o.label))
    named = [a for a, _ in split if a is not None]
    if not named or any(len(a) > 24 or named.count(a) < 2 for a in named):
        return []
    return split


def _hint(q: Question, s: QuestionScreen) -> str:
    from bruising_check.protocol.model import (
        BooleanQuestion,
        MultipleChoiceQuestion,
        NumberQuestion,
        SingleChoiceQuestion,
    )

    keys = "? why we ask" + ("   b back" if s.can_go_back else "")
    if s.stage == "questions" and s.item is None:
        keys += "   r review"
    if s.offers_not_sure:
        keys = keys.replace("? why we ask", '? why we ask (and "not sure")')
    elif '"not sure"' in (q.help or ""):
        keys = keys.replace("? why we ask", "? why we ask (and if you are not sure)")
    not_sure = ", or not sure" if getattr(q, "allow_unknown", False) else ""
    if isinstance(q, BooleanQuestion):
        how = f"Type y or n{not_sure}."
    elif isinstance(q, SingleChoiceQuestion):
        how = "Type a number." if len(q.options) < 8 else "Type a number, or the name."
        if {"yes", "no"} <= {o.id.lower() for o in q.options}:
            how = "Type a number, or y or n."
    elif isinstance(q, MultipleChoiceQuestion):
        how = "Type the numbers, for example 1,3"
        how += "." if q.min_selected else ", or none."
    elif isinstance(q, NumberQuestion):
        how = f"Type a number of {q.unit} ({q.min:g} to {q.max:g})"
        # Units only where they make sense: an age, not a gestation of 22 to 44 weeks.
        if q.unit == "weeks" and q.max > 104:
            how += ", or 10d, 6w, 4m, 2y"
        elif q.unit == "weeks":
            how += ", or weeks+days such as 32+4"
        how += f"{not_sure}."
    else:
        how = "Type the text, then Enter."
    default = getattr(q, "default", None)
    if default is not None and s.current is None:
        how += f" Enter alone means {default:g}."
    elif not q.required and s.current is None:
        # When changing an answer, Enter keeps it (said on the next line), so do not say both.
        how += " Enter alone leaves it unanswered."
    return f"{how}   {keys}"


def show_result(t: Terminal, r: Record, final: bool = True) -> None:
    """The terminal emitter of the record's rationale document: the pathway and its timescale
    first, then the actions, then the reasons (the same sections and words as every printout).
    Before the context questions (`final` False) it says the list of actions is not final."""
    from bruising_check.render.plain import screen_lines

    t.line("")
    for text, style in screen_lines(r):
        t.line(text, style or None)
    if not final:
        t.line(
            "This is not the final list of actions. Now a few questions about the family:"
            " they never change the pathway, but may add actions.",
            "bold",
        )
    else:
        t.line("Now a few questions about the family. They are recorded, never change the pathway.")


def show_final(t: Terminal, s: ResultScreen) -> None:
    """After the context questions: the pathway (unchanged) and every action, the ones the
    family answers added marked as new."""
    from bruising_check.render.plain import final_screen_lines

    added = {(a.source, a.action.id) for a in s.added}
    t.heading("Final result, with the answers about the family")
    n = len(added)
    t.line(
        f"The answers about the family add {n} action{'' if n == 1 else 's'}"
        " (marked New); the pathway is unchanged."
        if n
        else "The answers about the family add no action; the pathway is unchanged."
    )
    for text, style in final_screen_lines(s.record, added):
        t.line(text, style or None)


def want_to_save(t: Terminal, what: str, folder: Path) -> bool:
    """Ask whether to save, until the answer is plain. A bare Enter never discards a check (the
    questions before it accept Enter for "not known", so one Enter too many is easy); leaving
    without saving is confirmed first."""
    from bruising_check.engine.replies import NO, YES

    t.heading("Save")
    t.line(f"Save {what} in {folder}?")
    while True:
        reply = t.read("Type y to save, or n to leave without saving: ").strip().lower()
        if reply in YES:
            return True
        if reply not in NO:
            t.line("Nothing is saved yet. Type y to save the check, or n not to.", "bold")
            continue
        t.line("The answers and the result will be lost: nothing of this check is kept.", "bold")
        sure = t.read("Leave without saving? Type y to leave, or n to go back: ").strip().lower()
        if sure in YES:
            return False
        t.line(f"Not discarded. Save {what} in {folder}?")


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
    from bruising_check.protocol.roles import ROLE_QUESTION, role_label
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
        if loaded.protocol.roles and about.get("role"):
            # `--role`, already checked against the protocol's roles: the role question is
            # not asked (it is first otherwise).
            session.preset(ROLE_QUESTION, about["role"])
            about["role"] = role_label(loaded.protocol, about["role"])
        outcome = session.run()
        if output is None and record_dir is None:
            kind = {"pdf": "PDF", "html": "HTML", "md": "Markdown", "text": "text"}.get(fmt, fmt)
            if not want_to_save(terminal, f"a {kind} rationale and the JSON record", Path.cwd()):
                terminal.line("Not saved. Nothing was written.")
                return 0 if outcome.decision.pathway else 1
            record_dir = Path.cwd()
        answered_role = outcome.answers.get(ROLE_QUESTION)
        if loaded.protocol.roles and isinstance(answered_role, str) and "role" not in about:
            about["role"] = role_label(loaded.protocol, answered_role)  # asked first already
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
