"""Size limits a valid protocol cannot exceed, so that nothing made from it can either.

Every text in a protocol is at most MAX_TEXT_CHARS characters (the schema holds most prose to
4,000; this bounds every string, phone numbers and notes included). And the JSON record of any
check under the protocol must stay well under the size `verify-record` accepts: a record repeats
a contact's details for every action that names it and an option's label in the answer, so a
small protocol could otherwise make a record too large to verify. `record_size_bound` is an upper
bound over every answer set, counted from the protocol alone; the loader refuses a protocol whose
bound is over MAX_RECORD_FROM_PROTOCOL.
"""

from __future__ import annotations

from collections.abc import Iterable

from bruising_check.protocol.model import (
    Action,
    MultipleChoiceQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)

MAX_TEXT_CHARS = 10_000
RECORD_LIMIT = 5_000_000  # records.verify.MAX_RECORD_BYTES (a test holds them equal)
# What the protocol may take of a record; the rest is for the header a person types (name, role
# and child reference, each bounded) and the tool's own words.
MAX_RECORD_FROM_PROTOCOL = 4_000_000
# Bytes per character in the worst case: a control character is written as a six-byte `\uXXXX`.
_PER_CHAR = 6
_PER_ITEM = 400  # keys, ids, punctuation, dates, numbers and deadline wording of one entry


def _text(*texts: str | None) -> int:
    return sum(_PER_CHAR * len(t) + 2 for t in texts if t)


def _action(p: Protocol, a: Action) -> int:
    size = _PER_ITEM + _text(a.id, a.text, a.responsible, a.contact)
    if a.timescale is not None:
        size += 2 * _text(a.timescale.label)
    contact = p.contact(a.contact) if a.contact else None
    if contact is not None:
        size += _text(contact.name, contact.phone, contact.hours, contact.out_of_hours)
    return size


def _question(q: Question, ask_if: str | None) -> int:
    size = _PER_ITEM + 3 * _text(q.id) + _text(q.prompt)
    options: Iterable[tuple[str, str]] = ()
    if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        options = [(o.id, o.label) for o in q.options]
    for oid, label in options:
        # Listed once with its label, and again in the answer and its label.
        size += 2 * _text(oid, label) + _PER_ITEM // 4
    if isinstance(q, TextQuestion):
        size += 2 * _PER_CHAR * q.max_length  # the answer, and the answer as read back
    if ask_if is not None:
        # Why it was not asked: its `ask_if` in words, never longer than twice its JSON form
        # (an operator word for each key, ids and constants as written).
        size += 2 * _text(ask_if)
    return size


def _ask_if_json(p: Protocol, field: str, index: int) -> str:
    """The JSON form of question `index`'s `ask_if` in `field`, exactly as
    `ask_if.model_dump_json()` writes it, cut from the protocol's own JSON (whose serializer
    loading built): serialising the condition on its own would first build its class's schema,
    a few milliseconds of every start (issue 15.4). A pydantic that lays the JSON out otherwise
    gets the condition's own."""
    dumped = p.model_dump_json(include={field: {index: {"ask_if"}}})
    head, tail = f'{{"{field}":[{{"ask_if":', "}]}"
    if dumped.startswith(head) and dumped.endswith(tail):
        return dumped[len(head) : -len(tail)]
    questions: tuple[Question, ...] = getattr(p, field)
    condition = questions[index].ask_if
    assert condition is not None
    return condition.model_dump_json()


def record_size_bound(p: Protocol) -> int:
    """An upper bound, in bytes, of the JSON record of any check under `p` (header excepted)."""
    m = p.metadata
    size = 20_000 + _text(m.id, m.title, m.version, m.disclaimer)
    # One pathway decides, with its actions; every advice entry may add its own.
    size += max(
        _PER_ITEM
        + _text(pw.id, pw.title, pw.summary, pw.timescale.label)
        + sum(_action(p, a) for a in pw.actions)
        for pw in p.pathways
    )
    for adv in p.advice:
        size += _PER_ITEM + _text(adv.id, adv.because, *adv.cite)
        size += sum(_action(p, a) for a in adv.actions)
    for rule in p.rules:
        size += _PER_ITEM + _text(rule.id, rule.because, rule.pathway, *rule.cite)
    for field, questions in (("questions", p.questions), ("context_prompts", p.context_prompts)):
        for i, q in enumerate(questions):
            size += _question(q, None if q.ask_if is None else _ask_if_json(p, field, i))
    for f in p.derived:
        size += _PER_ITEM + 4 * _text(f.id) + _text(f.label, f.help, getattr(f, "unit", None))
    for s in p.sources:
        size += _PER_ITEM + _text(s.id, s.title, s.url)
    return size
