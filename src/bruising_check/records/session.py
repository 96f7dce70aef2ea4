"""The guided questionnaire as a pure function: it shows screens through an injected `ask` and
reads the time from an injected clock, so it runs the same in a terminal, a test or a script.

`ask(screen)` shows one screen and returns what the person typed. The session asks only the
questions whose `ask_if` holds (or might hold), in protocol order; `?` explains why a question is
asked, `b` goes back one question, `r` shows the review screen, where any answer can be changed.
After the review it decides, shows the result (the reply to a `ResultScreen` is ignored), then
asks the context prompts, which are recorded and never change the pathway. Ctrl-C or end of
input is whatever `ask` raises: the session does not catch it, so nothing half-done is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check.engine.decide import Decision, applicable, decide
from bruising_check.engine.replies import Parsed, TypedError, parse, shown
from bruising_check.protocol.conditions import UNKNOWN, Truth
from bruising_check.protocol.model import Protocol, Question, Source
from bruising_check.records.record import Record, build_record

BACK = frozenset({"b", "back"})
HELP = frozenset({"?", "help", "h"})
REVIEW = frozenset({"r", "review"})


@dataclass(frozen=True)
class Message:
    kind: Literal["error", "help", "info"]
    text: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class QuestionScreen:
    question: Question
    number: int  # position among the questions asked, from 1
    remaining: int  # questions still to ask after this one, as far as known now
    stage: Literal["questions", "change", "context"]
    current: str | None = None  # the answer being changed, as a person reads it
    message: Message | None = None
    can_go_back: bool = True


@dataclass(frozen=True)
class ReviewEntry:
    number: int
    question: Question
    answer: str


@dataclass(frozen=True)
class ReviewScreen:
    entries: tuple[ReviewEntry, ...]
    complete: bool  # every question that applies has an answer
    message: Message | None = None


@dataclass(frozen=True)
class ResultScreen:
    decision: Decision
    record: Record


Screen = QuestionScreen | ReviewScreen | ResultScreen
Ask = Callable[[Screen], str]
Clock = Callable[[], dt.datetime]


@dataclass
class Outcome:
    answers: dict[str, Any]
    context: dict[str, Any]
    decision: Decision
    decided_at: dt.datetime
    started_at: dt.datetime
    prompts: int = 0  # screens answered, for the speed figures in bench/
    notes: list[str] = field(default_factory=list)

    def record(
        self, protocol: Protocol, sha256: str, about: Mapping[str, str] | None = None
    ) -> Record:
        return build_record(
            protocol,
            sha256,
            self.decision,
            created_at=self.decided_at,
            context=self.context,
            about=about,
        )


def help_message(protocol: Protocol, q: Question) -> Message:
    """Why the question is asked, with the sources the protocol cites for it."""
    parts = [q.help or "The protocol gives no explanation for this question."]
    options = getattr(q, "options", ())
    parts.extend(f"{o.label}: {o.help}" for o in options if o.help)
    sources = tuple(s for c in q.cite if (s := protocol.source(c)) is not None)
    return Message("help", "\n".join(parts), sources)


class Session:
    """One guided check. `run()` returns the `Outcome`; the state lives here between screens."""

    def __init__(self, protocol: Protocol, sha256: str, ask: Ask, clock: Clock) -> None:
        self.protocol = protocol
        self.sha256 = sha256
        self.ask = ask
        self.clock = clock
        self.answers: dict[str, Any] = {}
        self.history: list[str] = []  # question ids in the order they were answered
        self.prompts = 0
        self.notice: Message | None = None  # shown on the next screen, e.g. "4m = 17 weeks"
        self.confirmed = False  # the review was confirmed with every answer in place

    # --- which questions apply --------------------------------------------------------------

    def pending(self) -> list[Question]:
        """Questions that apply (or might) and have no answer yet, in protocol order."""
        applies = applicable(self.protocol, self.answers)
        return [
            q
            for q in self.protocol.questions
            if applies[q.id] is not Truth.FALSE and q.id not in self.answers
        ]

    def _undo_last(self) -> bool:
        """Drop the last answer given, and any that no longer apply; False if there is none."""
        if not self.history:
            return False
        del self.answers[self.history.pop()]
        self.prune()
        return True

    def prune(self) -> None:
        """Drop answers to questions that no longer apply (after back or a change)."""
        applies = applicable(self.protocol, self.answers)
        for qid in [k for k in self.answers if applies.get(k) is Truth.FALSE]:
            del self.answers[qid]
            self.history.remove(qid)

    def asked(self) -> list[Question]:
        return [q for q in self.protocol.questions if q.id in self.answers]

    # --- the flow ---------------------------------------------------------------------------

    def _reply(self, screen: Screen) -> str:
        self.prompts += 1
        return self.ask(screen)

    def run(self) -> Outcome:
        started = self.clock()
        self.questions()
        decided_at = self.clock()
        decision = decide(self.protocol, self.answers)
        record = build_record(self.protocol, self.sha256, decision, created_at=decided_at)
        self.ask(ResultScreen(decision, record))
        context = self.context()
        return Outcome(
            dict(self.answers), context, decision, decided_at, started, prompts=self.prompts
        )

    def questions(self) -> None:
        """Ask until every question that applies is answered and the review is confirmed."""
        while True:
            todo = self.pending()
            if todo:
                self._question(todo[0], len(todo) - 1)
                if self.confirmed:  # finished from a review opened mid-way: no second review
                    return
                continue
            if self._review():
                return

    def _take_notice(self) -> Message | None:
        notice, self.notice = self.notice, None
        return notice

    def _question(self, q: Question, remaining: int) -> None:
        message = self._take_notice()
        while True:
            screen = QuestionScreen(
                q,
                number=len(self.history) + 1,
                remaining=remaining,
                stage="questions",
                message=message,
                can_go_back=bool(self.history),
            )
            typed = self._reply(screen)
            word = typed.strip().lower()
            if _is_option(q, word):
                word = ""  # an option id that looks like a key word is the option
            if word in HELP:
                message = help_message(self.protocol, q)
            elif word in BACK:
                if not self._undo_last():
                    message = Message("info", "This is the first question; there is no going back.")
                    continue
                return
            elif word in REVIEW:
                # Enter on the review carries on here; a change there may alter what applies.
                self.confirmed = self._review()
                return
            else:
                try:
                    parsed = parse(q, typed)
                except TypedError as exc:
                    message = Message("error", str(exc))
                    continue
                self._store(q, parsed)
                return

    def _store(self, q: Question, parsed: Parsed) -> None:
        if parsed.note:
            self.notice = Message("info", f"Recorded: {parsed.note}.")
        self.answers[q.id] = parsed.value
        if q.id in self.history:
            self.history.remove(q.id)
        self.history.append(q.id)
        self.prune()

    def _review(self) -> bool:
        """Show every answer; a number changes that answer. True when the person confirms."""
        message: Message | None = None
        while True:
            message = message or self._take_notice()
            entries = tuple(
                ReviewEntry(i, q, shown(q, self.answers[q.id]))
                for i, q in enumerate(self.asked(), start=1)
            )
            complete = not self.pending()
            typed = self._reply(ReviewScreen(entries, complete, message)).strip().lower()
            message = None
            if typed in REVIEW:
                continue
            if typed == "":
                return complete
            if typed in BACK:
                if not self._undo_last():
                    message = Message("info", "There is no answer to go back to yet.")
                    continue
                return False
            if typed in HELP:
                message = Message(
                    "help",
                    "Type the number of an answer to change it, or press Enter to "
                    + ("see the result." if complete else "carry on with the questions."),
                )
                continue
            if typed.isdigit() and 1 <= int(typed) <= len(entries):
                self._change(entries[int(typed) - 1].question)
                # A change can make other questions apply: ask them before reviewing again.
                if self.pending():
                    return False
                continue
            message = Message(
                "error", f"Type a number from 1 to {len(entries)}, or press Enter to go on."
            )

    def _change(self, q: Question) -> None:
        message: Message | None = None
        while True:
            screen = QuestionScreen(
                q,
                number=self.asked().index(q) + 1,
                remaining=0,
                stage="change",
                current=shown(q, self.answers[q.id]),
                message=message,
            )
            typed = self._reply(screen)
            word = typed.strip().lower()
            if word in HELP and not _is_option(q, word):
                message = help_message(self.protocol, q)
                continue
            if word == "" or (word in BACK and not _is_option(q, word)):
                return  # keep the answer as it was
            try:
                parsed = parse(q, typed)
            except TypedError as exc:
                message = Message("error", str(exc))
                continue
            self._store(q, parsed)
            return

    def context(self) -> dict[str, Any]:
        """The context prompts, after the result: recorded only, never part of the decision."""
        prompts = list(self.protocol.context_prompts)
        got: dict[str, Any] = {}
        i = 0
        message: Message | None = None
        while i < len(prompts):
            q = prompts[i]
            screen = QuestionScreen(
                q,
                number=i + 1,
                remaining=len(prompts) - i - 1,
                stage="context",
                message=message,
                can_go_back=i > 0,
            )
            typed = self._reply(screen)
            word = typed.strip().lower()
            message = None
            if word in HELP and not _is_option(q, word):
                message = help_message(self.protocol, q)
                continue
            if word in BACK and not _is_option(q, word):
                if i == 0:
                    message = Message("info", "This is the first context question.")
                    continue
                i -= 1
                got.pop(prompts[i].id, None)
                continue
            try:
                parsed = parse(q, typed)
            except TypedError as exc:
                message = Message("error", str(exc))
                continue
            if parsed.value is not UNKNOWN:
                got[q.id] = parsed.value
            i += 1
        return got


def _is_option(q: Question, word: str) -> bool:
    """Whether a control word is also an option id, in which case the option wins."""
    return any(o.id.lower() == word for o in getattr(q, "options", ()))


def run_session(protocol: Protocol, sha256: str, ask: Ask, clock: Clock) -> Outcome:
    return Session(protocol, sha256, ask, clock).run()
