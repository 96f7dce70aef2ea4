"""The guided questionnaire as a pure function: it shows screens through an injected `ask` and
reads the time from an injected clock, so it runs the same in a terminal, a test or a script.

`ask(screen)` shows one screen and returns what the person typed. The session asks only the
questions whose `ask_if` holds (or might hold), in protocol order; `?` explains why a question is
asked, `b` goes back one question, `r` shows the review screen, where any answer can be changed.
A repeated group (the marks; the carers) is asked one item at a time: the item's questions whose
`ask_if` holds for that item, then "another mark?"; the review lists each item and lets the
person change, add or remove one within the group's `min_items`..`max_items`. Where a question
offers "not sure", `?` says what it does to the pathway. After the review it decides, shows the
result (the reply to a `ResultScreen` is ignored), then asks the context prompts (groups
included), which never change the pathway but may add actions: it decides again with them and
shows the final result (the first one says it is not the final list of actions). Ctrl-C or end of
input is whatever `ask` raises: the session does not catch it, so nothing half-done is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check.engine.decide import (
    Decision,
    ResolvedAction,
    applicable,
    child_env,
    decide,
    item_values,
    offered,
)
from bruising_check.engine.replies import (
    NO,
    YES,
    Parsed,
    TypedError,
    choice_number,
    parse,
    shown,
)
from bruising_check.protocol.conditions import UNKNOWN, Truth, evaluate
from bruising_check.protocol.model import (
    BooleanQuestion,
    GroupQuestion,
    NumberQuestion,
    Protocol,
    Question,
    Source,
    TextQuestion,
)
from bruising_check.protocol.walk import reads_context
from bruising_check.records.record import Record, build_record

BACK = frozenset({"b", "back"})
HELP = frozenset({"?", "help", "h"})
REVIEW = frozenset({"r", "review"})
ADD = frozenset({"a", "add"})
REMOVE = frozenset({"d", "delete", "remove"})
# Typed for "not known" on a yes/no or number question that allows it (choices list an option).
NOT_SURE = frozenset({"not sure", "not known", "unknown", "don't know", "dont know", "ns"})
NOT_SURE_HELP = (
    '"Not sure" is an honest answer. The pathway is then the most urgent one over every answer'
    " this could have been, so not being sure can only make the result more urgent, never less"
    " urgent; the record says it was not known and never states a guess as a fact."
)
NOT_SURE_CONTEXT_HELP = (
    '"Not known" is recorded as not known, never as a fact. Answers about the family never'
    " change the pathway."
)


@dataclass(frozen=True)
class Message:
    kind: Literal["error", "help", "info"]
    text: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ItemPlace:
    """Which item of a repeated group a screen is about: "mark 2"."""

    group: GroupQuestion
    number: int  # from 1, as printed


@dataclass(frozen=True)
class QuestionScreen:
    question: Question
    number: int  # position among the questions asked, from 1
    remaining: int  # questions still to ask after this one, as far as known now
    stage: Literal["questions", "change", "context"]
    current: str | None = None  # the answer being changed, as a person reads it
    message: Message | None = None
    can_go_back: bool = True
    item: ItemPlace | None = None  # set for a question about one item of a group
    brief: bool = False
    """Enter alone on a question that needs an answer: the screen just shown is still there, so
    a terminal says "an answer is needed" without listing the options again."""

    @property
    def offers_not_sure(self) -> bool:
        return offers_not_sure(self.question)


@dataclass(frozen=True)
class AnotherScreen:
    """After an item: record another one? (y/n)"""

    group: GroupQuestion
    summaries: tuple[str, ...]  # the items so far, one line each
    stage: Literal["questions", "context"]
    message: Message | None = None


@dataclass(frozen=True)
class ReviewEntry:
    number: int
    question: Question  # for one item of a group: the group
    answer: str  # for one item of a group: a one-line summary of it
    item: int | None = None  # the item's number (from 1) when the entry is one item of a group


@dataclass(frozen=True)
class ItemScreen:
    """One item at the review: change one of its answers, or remove it."""

    place: ItemPlace
    entries: tuple[ReviewEntry, ...]
    can_remove: bool  # False at the group's `min_items`
    message: Message | None = None


@dataclass(frozen=True)
class ConfirmScreen:
    """A yes/no question before something is thrown away."""

    text: str
    message: Message | None = None


@dataclass(frozen=True)
class ReviewScreen:
    entries: tuple[ReviewEntry, ...]
    complete: bool  # every question that applies has an answer
    message: Message | None = None
    can_add: tuple[GroupQuestion, ...] = ()  # groups that can take another item (`a`)


@dataclass(frozen=True)
class ResultScreen:
    decision: Decision
    record: Record
    final: bool = True
    """False for the result shown before the context questions: their answers may add actions
    (never change the pathway), so its list of actions is not the final one."""
    after_context: bool = False
    """The final result, decided again after the context questions."""
    added: tuple[ResolvedAction, ...] = ()
    """On the final result after the context questions: the actions the context added."""


Screen = QuestionScreen | AnotherScreen | ReviewScreen | ItemScreen | ConfirmScreen | ResultScreen
Item = dict[str, Any]
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


def help_message(protocol: Protocol, q: Question, context: bool = False) -> Message:
    """Why the question is asked, with the sources the protocol cites for it; where "not sure"
    is offered, what it does (a context answer never changes the pathway at all)."""
    parts = [q.help or "The protocol gives no explanation for this question."]
    options = getattr(q, "options", ())
    parts.extend(f"{o.label}: {o.help}" for o in options if o.help)
    if offers_not_sure(q):
        parts.append(NOT_SURE_CONTEXT_HELP if context else NOT_SURE_HELP)
    sources = tuple(s for c in q.cite if (s := protocol.source(c)) is not None)
    return Message("help", "\n".join(parts), sources)


def offers_not_sure(q: Question) -> bool:
    """Whether the protocol lets the practitioner say she does not know the answer."""
    if any(getattr(o, "unknown", False) for o in getattr(q, "options", ())):
        return True
    return bool(getattr(q, "allow_unknown", False))


def item_summary(group: GroupQuestion, item: Mapping[str, Any]) -> str:
    """One item on one line: its first three known, non-text answers ("Bruise, Face: cheek,
    Left"), in the group's order."""
    parts = []
    for q in group.questions:
        value = item.get(q.id)
        if value is None or isinstance(q, TextQuestion):
            continue
        if value is UNKNOWN and not offers_not_sure(q):
            continue  # left out; "not sure" chosen where it is offered is worth a mention
        said = shown(q, value)
        # "Father, No" says nothing: a bare yes/no carries its question ("seen: No").
        if said.lower() in {"yes", "no", "not known", "not sure"}:
            said = f"{q.id.replace('_', ' ')}: {said}"
        parts.append(said)
    return ", ".join(parts[:3]) if parts else "no answers yet"


def plural(group: GroupQuestion, n: int) -> str:
    return f"{n} {group.item_label}" + ("" if n == 1 else "s")


class Session:
    """One guided check. `run()` returns the `Outcome`; the state lives here between screens."""

    def __init__(self, protocol: Protocol, sha256: str, ask: Ask, clock: Clock) -> None:
        self.protocol = protocol
        self.sha256 = sha256
        self.ask = ask
        self.clock = clock
        self.answers: dict[str, Any] = {}  # a group's answer is a tuple of item mappings
        self.history: list[str] = []  # question ids in the order they were answered
        self.prompts = 0
        self.notice: Message | None = None  # shown on the next screen, e.g. "4m = 17 weeks"
        self.confirmed = False  # the review was confirmed with every answer in place
        self.reopen: dict[str, list[Item]] = {}  # a group left by `b`: its items, kept

    def preset(self, qid: str, value: Any) -> None:
        """An answer given before the questions (`--role`): not asked, shown on the review."""
        self.answers[qid] = value
        self.history.append(qid)

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
        """Drop the last answer given, and any that no longer apply; False if there is none.
        A group's items are kept aside, so that going back into it resumes at its last item."""
        if not self.history:
            return False
        qid = self.history.pop()
        value = self.answers.pop(qid)
        q = self.protocol.question(qid)
        if isinstance(q, GroupQuestion):
            self.reopen[qid] = [dict(i) for i in value]
        elif q is not None:
            self.notice = Message("info", f"Your answer was: {shown(q, value)}.")
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

    def _env(self) -> dict[str, Any]:
        """Child-level answers and derived facts, for an item's `ask_if`."""
        return child_env(self.protocol, self.answers)

    def _item_applies(self, g: GroupQuestion, item: Item) -> dict[str, Truth]:
        env = self._env()
        values = item_values(g, item, env)
        return {
            q.id: Truth.TRUE if q.ask_if is None else evaluate(q.ask_if, env, values)
            for q in g.questions
        }

    def _offered(self, g: GroupQuestion, q: Question, item: Item) -> Question:
        """`q` with only the options offered for this item (`engine.decide.offered`, which the
        quiz asks through too)."""
        return offered(self.protocol, g, q, item, self.answers)

    def _item_pending(self, g: GroupQuestion, item: Item) -> list[Question]:
        applies = self._item_applies(g, item)
        return [q for q in g.questions if q.id not in item and applies[q.id] is not Truth.FALSE]

    def _prune_item(self, g: GroupQuestion, item: Item) -> None:
        """Drop an item's answers to questions that no longer apply to it (e.g. the type changed
        to a birthmark-like mark)."""
        while True:
            applies = self._item_applies(g, item)
            gone = [k for k in item if applies.get(k) is Truth.FALSE]
            for q in g.questions:
                # An answer whose option is no longer offered (the site changed to a cheek).
                offered = {o.id for o in getattr(self._offered(g, q, item), "options", ())}
                value = item.get(q.id)
                if offered and isinstance(value, str) and value not in offered:
                    gone.append(q.id)
            if not gone:
                return
            for k in dict.fromkeys(gone):
                del item[k]

    # --- the flow ---------------------------------------------------------------------------

    def _reply(self, screen: Screen) -> str:
        self.prompts += 1
        return self.ask(screen)

    def run(self) -> Outcome:
        started = self.clock()
        self.questions()
        decided_at = self.clock()
        answers = self.final_answers()
        decision = decide(self.protocol, answers)
        record = build_record(self.protocol, self.sha256, decision, created_at=decided_at)
        # Context that acts (advice reading the carers, ICON) may add actions after the result.
        acts = any(reads_context(self.protocol, a.when) for a in self.protocol.advice)
        self.ask(ResultScreen(decision, record, final=not acts))
        context = {
            k: _as_given(g, v) if (g := self.protocol.group(k)) is not None else v
            for k, v in self.context().items()
        }
        if not acts:
            return Outcome(answers, context, decision, decided_at, started, prompts=self.prompts)
        # The context adds actions (see a carer not seen, discuss ICON) and never changes the
        # pathway: decide again with it, and show the final list.
        final = decide(self.protocol, answers, context=context)
        record = build_record(
            self.protocol, self.sha256, final, created_at=decided_at, context=context
        )
        before = {(a.source, a.action.id) for a in decision.actions}
        added = tuple(a for a in final.actions if (a.source, a.action.id) not in before)
        self.ask(ResultScreen(final, record, final=True, after_context=True, added=added))
        return Outcome(answers, context, final, decided_at, started, prompts=self.prompts)

    def final_answers(self) -> dict[str, Any]:
        """The answers in the engine's form: a group's items as an answers file holds them."""
        return {
            k: _as_given(g, v) if (g := self.protocol.group(k)) is not None else v
            for k, v in self.answers.items()
        }

    def questions(self) -> None:
        """Ask until every question that applies is answered and the review is confirmed."""
        while True:
            todo = self.pending()
            if todo:
                if isinstance(todo[0], GroupQuestion):
                    self._group_question(todo[0])
                else:
                    self._question(todo[0], len(todo) - 1)
                if self.confirmed:  # finished from a review opened mid-way: no second review
                    return
                continue
            if self._review():
                return

    def _take_notice(self) -> Message | None:
        notice, self.notice = self.notice, None
        return notice

    def _parse(self, q: Question, typed: str) -> Parsed:
        """`parse`, plus "not sure" typed on a yes/no or number question that allows it."""
        word = " ".join(typed.strip().lower().split())
        if word in NOT_SURE and isinstance(q, BooleanQuestion | NumberQuestion):
            if q.allow_unknown:
                return Parsed(UNKNOWN, "not sure (not known)")
            raise TypedError("This question needs an answer the protocol can act on.")
        options = getattr(q, "options", ())
        named = any(o.label.lower() == word or o.id.lower() == word for o in options)
        if word in NOT_SURE and options and not offers_not_sure(q) and not named:
            # Where the protocol offers no "not sure", say what to choose instead (`?`).
            raise TypedError(
                'This question has no "not sure" answer: type ? to see what to choose when'
                " you are not sure."
            )
        parsed = parse(q, typed)
        if parsed.value is UNKNOWN and isinstance(q, TextQuestion):
            return Parsed(UNKNOWN)  # free text left blank: "not given", nothing to read back
        if parsed.value is UNKNOWN and isinstance(q, NumberQuestion) and q.default is not None:
            return Parsed(int(q.default) if q.integer else q.default)  # the hint says so
        return parsed

    def _question(self, q: Question, remaining: int) -> None:
        message = self._take_notice()
        brief = False
        while True:
            screen = QuestionScreen(
                q,
                number=len(self.history) + 1,
                remaining=remaining,
                stage="questions",
                message=message,
                can_go_back=bool(self.history),
                brief=brief,
            )
            typed = self._reply(screen)
            brief = False
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
                if not self.answers:
                    message = Message(
                        "info", "There is nothing to review yet: answer this question first."
                    )
                    continue
                # Enter on the review carries on here; a change there may alter what applies.
                self.confirmed = self._review()
                return
            else:
                try:
                    parsed = self._parse(q, typed)
                except TypedError as exc:
                    message = Message("error", str(exc))
                    brief = not typed.strip()
                    continue
                self._store(q, parsed)
                return

    def _store(self, q: Question, parsed: Parsed) -> None:
        if parsed.note:
            self.notice = Message("info", f"Recorded: {parsed.note}.")
        self._store_value(q.id, parsed.value)

    def _store_value(self, qid: str, value: Any) -> None:
        self.answers[qid] = value
        if qid in self.history:
            self.history.remove(qid)
        self.history.append(qid)
        self.prune()

    # --- repeated groups --------------------------------------------------------------------

    def _group_question(self, g: GroupQuestion) -> None:
        reopened = self.reopen.pop(g.id, None)
        items = self._group(g, "questions", reopened or [], resume=bool(reopened))
        if items is None:  # `b` at the first question of the first item
            if not self._undo_last():
                self.notice = Message("info", "This is the first question; there is no going back.")
            return
        self._store_value(g.id, items)

    def _group(
        self,
        g: GroupQuestion,
        stage: Literal["questions", "context"],
        items: list[Item],
        resume: bool = False,
    ) -> tuple[Item, ...] | None:
        """Ask the items of `g` one at a time, each followed by "another?". `resume` starts at
        "another?" after the items given (coming back with `b`). None: the person went back
        out of the group from its first question."""
        items = [dict(i) for i in items]
        # A group that may be empty (the carers) starts with "record one?", not its questions.
        asking_item = not resume and (bool(items) or g.min_items > 0)
        if asking_item and not items:
            items.append({})
        message: Message | None = None
        while True:
            if asking_item:
                if self._item(g, items, len(items) - 1, stage) == "back":
                    if len(items) == 1 and g.min_items > 0:
                        return None
                    items.pop()  # the new, empty item: back to "another?" (or "record one?")
                asking_item = False
                continue
            label = g.item_label
            if len(items) < g.min_items:
                self.notice = Message(
                    "info", f"At least {plural(g, g.min_items)}: now {label} {len(items) + 1}."
                )
                items.append({})
                asking_item = True
                continue
            if len(items) >= g.max_items:
                self.notice = Message(
                    "info", f"That is the most this protocol records: {plural(g, g.max_items)}."
                )
                return tuple(items)
            summaries = tuple(item_summary(g, i) for i in items)
            typed = self._reply(AnotherScreen(g, summaries, stage, message or self._take_notice()))
            word = " ".join(typed.strip().lower().split())
            message = None
            if word in YES:
                items.append({})
                asking_item = True
            elif word in NO:
                return tuple(items)
            elif word in BACK:
                if not items:
                    return None
                if items[-1]:
                    items[-1].popitem()  # the last answer of the last item, asked again
                asking_item = True
            elif word in HELP:
                why = f"{g.help}\n" if g.help else ""
                message = Message(
                    "help", f"{why}Type y to record another {label}, or n if that is all."
                )
            else:
                message = Message(
                    "error", f"Type y to record another {label}, or n if there are no more."
                )

    def _item(
        self,
        g: GroupQuestion,
        items: list[Item],
        index: int,
        stage: Literal["questions", "change", "context"],
    ) -> Literal["done", "back"]:
        """Ask the questions of one item that apply to it. "back": `b` before any answer."""
        item = items[index]
        place = ItemPlace(g, index + 1)
        message = self._take_notice()
        brief = False
        while True:
            todo = self._item_pending(g, item)
            if not todo:
                return "done"
            q = self._offered(g, todo[0], item)
            screen = QuestionScreen(
                q,
                number=len(item) + 1,
                remaining=len(todo) - 1,
                stage=stage,
                message=message,
                item=place,
                brief=brief,
            )
            typed = self._reply(screen)
            brief = False
            word = typed.strip().lower()
            message = None
            if _is_option(q, word):
                word = ""
            if word in HELP:
                message = help_message(self.protocol, q, context=stage == "context")
                continue
            if word in BACK:
                if not item:
                    return "back"
                qid, value = item.popitem()
                before = g.question(qid)
                if before is not None:
                    message = Message("info", f"Your answer was: {shown(before, value)}.")
                self._prune_item(g, item)
                continue
            if word in REVIEW:
                message = Message(
                    "info",
                    f"The review comes once this {g.item_label} is recorded: answer this"
                    " question, or type b to go back.",
                )
                continue
            try:
                parsed = self._parse(q, typed)
            except TypedError as exc:
                message = Message("error", str(exc))
                brief = not typed.strip()
                continue
            if parsed.note and parsed.value is not UNKNOWN:
                # A blank optional answer needs no read-back: the summary shows what was given.
                message = Message("info", f"Recorded: {parsed.note}.")
            item.pop(q.id, None)
            item[q.id] = parsed.value
            self._prune_item(g, item)

    # --- the review -------------------------------------------------------------------------

    def _entries(self) -> tuple[ReviewEntry, ...]:
        entries: list[ReviewEntry] = []
        for q in self.asked():
            if isinstance(q, GroupQuestion):
                for i, item in enumerate(self.answers[q.id], start=1):
                    entries.append(ReviewEntry(len(entries) + 1, q, item_summary(q, item), i))
            else:
                entries.append(ReviewEntry(len(entries) + 1, q, shown(q, self.answers[q.id])))
        return tuple(entries)

    def _review(self) -> bool:
        """Show every answer; a number changes that answer. True when the person confirms."""
        message: Message | None = None
        while True:
            message = message or self._take_notice()
            entries = self._entries()
            complete = not self.pending()
            addable = tuple(
                q
                for q in self.asked()
                if isinstance(q, GroupQuestion) and len(self.answers[q.id]) < q.max_items
            )
            screen = ReviewScreen(entries, complete, message, addable)
            typed = self._reply(screen).strip().lower()
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
                add = f", a to add a {addable[0].item_label}" if len(addable) == 1 else ""
                message = Message(
                    "help",
                    f"Type the number of an answer to change it{add}, or press Enter to "
                    + ("see the result." if complete else "carry on with the questions."),
                )
                continue
            if typed in ADD or (typed.startswith("a ") and typed[2:].strip()):
                message = self._add_from_review(addable, typed)
                if self.pending():
                    return False
                continue
            number = choice_number(typed, len(entries))
            if number is not None:
                entry = entries[number - 1]
                if entry.item is not None and isinstance(entry.question, GroupQuestion):
                    self._edit_item(entry.question, entry.item)
                else:
                    self._change(entry.question, entry.number)
                # A change can make other questions apply: ask them before reviewing again.
                if self.pending():
                    return False
                continue
            if not entries:
                message = Message("info", "There are no answers to change yet: press Enter.")
                continue
            message = Message(
                "error", f"Type a number from 1 to {len(entries)}, or press Enter to go on."
            )

    def _add_from_review(self, addable: tuple[GroupQuestion, ...], typed: str) -> Message | None:
        """`a` (or `a mark` when there are several groups): another item, then "another?"."""
        named = typed[2:].strip() if typed.startswith("a ") else ""
        if named:
            chosen = [g for g in addable if g.item_label.lower() == named or g.id == named]
        else:
            chosen = list(addable) if len(addable) == 1 else []
        if not chosen:
            groups = [g for g in self.asked() if isinstance(g, GroupQuestion)]
            if groups and not addable:
                return Message("info", "Every group already has the most items it can take.")
            if len(addable) > 1:
                names = " or ".join(f"'a {g.item_label}'" for g in addable)
                return Message("info", f"Type {names}.")
            return Message("info", "There is nothing to add here.")
        g = chosen[0]
        items = [dict(i) for i in self.answers[g.id]]
        items.append({})
        done = self._group(g, "questions", items, resume=False)
        if done is not None:
            self.answers[g.id] = done
            self.prune()
        return None

    def _edit_item(self, g: GroupQuestion, number: int) -> None:
        """One item at the review: a number changes that answer; d removes the item."""
        message: Message | None = None
        label = f"{g.item_label} {number}"
        while True:
            items = [dict(i) for i in self.answers[g.id]]
            item = items[number - 1]
            asked = [q for q in g.questions if q.id in item]
            entries = tuple(
                ReviewEntry(i, q, shown(q, item[q.id])) for i, q in enumerate(asked, start=1)
            )
            can_remove = len(items) > g.min_items
            typed = self._reply(ItemScreen(ItemPlace(g, number), entries, can_remove, message))
            word = typed.strip().lower()
            message = None
            if word == "" or word in BACK:
                return
            if word in HELP:
                message = Message(
                    "help",
                    "Type the number of an answer to change it"
                    + (f", d to remove this {g.item_label}" if can_remove else "")
                    + ", or press Enter to go back to the review.",
                )
                continue
            if word in REMOVE:
                if not can_remove:
                    message = Message(
                        "info",
                        f"At least {plural(g, g.min_items)} must be recorded: change this one"
                        " instead.",
                    )
                    continue
                if self._confirm(f"Remove {label} ({item_summary(g, item)})?"):
                    del items[number - 1]
                    self.answers[g.id] = tuple(items)
                    self.notice = Message("info", f"Removed {label}.")
                    self.prune()
                    return
                continue
            if word.isdigit() and 1 <= int(word) <= len(entries):
                entry = entries[int(word) - 1]
                self._change(entry.question, entry.number, ItemPlace(g, number), item)
                self._prune_item(g, item)
                # A change can make other questions of this item apply: ask them now.
                self._item(g, items, number - 1, "questions")
                self.answers[g.id] = tuple(items)
                self.prune()
                continue
            message = Message(
                "error",
                f"Type a number from 1 to {len(entries)}"
                + (", d to remove it" if can_remove else "")
                + ", or press Enter to go back.",
            )

    def _confirm(self, text: str) -> bool:
        message: Message | None = None
        while True:
            word = self._reply(ConfirmScreen(text, message)).strip().lower()
            if word in YES:
                return True
            if word in NO:
                return False
            message = Message("error", "Type y for yes or n for no.")

    def _change(
        self, q: Question, number: int, place: ItemPlace | None = None, item: Item | None = None
    ) -> None:
        """Ask `q` again with its answer shown. In an item, the item mapping is updated."""
        answers = self.answers if item is None else item
        if item is not None and place is not None:
            q = self._offered(place.group, q, {k: v for k, v in item.items() if k != q.id})
        message: Message | None = None
        while True:
            screen = QuestionScreen(
                q,
                number=number,
                remaining=0,
                stage="change",
                current=shown(q, answers[q.id]),
                message=message,
                item=place,
            )
            typed = self._reply(screen)
            word = typed.strip().lower()
            if word in HELP and not _is_option(q, word):
                message = help_message(self.protocol, q)
                continue
            if word == "" or (word in BACK and not _is_option(q, word)):
                return  # keep the answer as it was
            try:
                parsed = self._parse(q, typed)
            except TypedError as exc:
                message = Message("error", str(exc))
                continue
            if item is None:
                self._store(q, parsed)
            else:
                if parsed.note:
                    self.notice = Message("info", f"Recorded: {parsed.note}.")
                item[q.id] = parsed.value  # keeps its place among the item's answers
            return

    # --- after the result -------------------------------------------------------------------

    def context(self) -> dict[str, Any]:
        """The context prompts, after the first result: they never change the pathway; the
        final decision reads them for the actions they add."""
        prompts = list(self.protocol.context_prompts)
        got: dict[str, Any] = {}
        kept: dict[str, list[Item]] = {}  # a context group left by `b`
        i = 0
        message: Message | None = None
        while i < len(prompts):
            q = prompts[i]
            if isinstance(q, GroupQuestion):
                again = kept.pop(q.id, None)
                items = self._group(q, "context", again or [], resume=bool(again))
                if items is None:
                    if i == 0:
                        self.notice = Message("info", "This is the first context question.")
                        continue
                    i -= 1
                    previous = got.pop(prompts[i].id, None)
                    if isinstance(prompts[i], GroupQuestion) and previous:
                        kept[prompts[i].id] = list(previous)
                    continue
                got[q.id] = items
                i += 1
                continue
            screen = QuestionScreen(
                q,
                number=i + 1,
                remaining=len(prompts) - i - 1,
                stage="context",
                message=message or self._take_notice(),
                can_go_back=i > 0,
            )
            typed = self._reply(screen)
            word = typed.strip().lower()
            message = None
            if word in HELP and not _is_option(q, word):
                message = help_message(self.protocol, q, context=True)
                continue
            if word in BACK and not _is_option(q, word):
                if i == 0:
                    message = Message("info", "This is the first context question.")
                    continue
                i -= 1
                previous = got.pop(prompts[i].id, None)
                if isinstance(prompts[i], GroupQuestion) and previous:
                    kept[prompts[i].id] = list(previous)
                continue
            try:
                parsed = self._parse(q, typed)
            except TypedError as exc:
                message = Message("error", str(exc))
                continue
            if parsed.value is not UNKNOWN:
                got[q.id] = parsed.value
            i += 1
        return got


def _as_given(g: GroupQuestion, items: tuple[Item, ...]) -> tuple[Item, ...]:
    """Items as an answers file holds them: an optional answer left out is absent ("side not
    recorded"), while "not sure" on a question that allows it stays not known."""
    allows = {q.id for q in g.questions if offers_not_sure(q)}
    return tuple(
        {k: v for k, v in item.items() if v is not UNKNOWN or k in allows} for item in items
    )


def _is_option(q: Question, word: str) -> bool:
    """Whether a control word is also an option id, in which case the option wins."""
    return any(o.id.lower() == word for o in getattr(q, "options", ()))
