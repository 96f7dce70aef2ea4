"""The record of one check: a typed, frozen `Record` built once, by `build_record`, from the
decision and the answers. Everything a printout or `verify-record` needs is in it: the header,
the child, each mark, the pathway and its follow-on, the actions with one deadline
representation, the reasons with their sources, the unknowns that decided, the context, the
protocol's identity and the tool. Its checksum is a property of the model (never patched
afterwards); the JSON record is its serialisation (keys as in CONTRACT.md) and
`schema/record.schema.json` is generated from it.

No escaping happens here: the record holds text exactly as given; each emitter makes it safe.
"""

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    computed_field,
    field_validator,
    model_serializer,
)

from bruising_check import STATEMENT, __version__
from bruising_check.engine.decide import Decision
from bruising_check.engine.replies import shown
from bruising_check.protocol.conditions import (
    UNKNOWN,
    UNKNOWN_KEYS,
    Condition,
    Count,
    Every,
    Some,
    comparisons,
    describe,
    walk,
)
from bruising_check.protocol.model import (
    Advice,
    BooleanFact,
    GroupQuestion,
    Invariant,
    ItemQuestion,
    NumberFact,
    Pathway,
    Protocol,
    Question,
    Rule,
    ShowAs,
    Timescale,
)

RECORD_FORMAT = 2
TOOL_STATEMENT = STATEMENT
TOOL_NAME = "bruising-check"


Moment = Annotated[
    dt.datetime,
    PlainSerializer(lambda v: v.isoformat(timespec="seconds"), return_type=str, when_used="json"),
]
"""A date and time as ISO 8601 with its UTC offset (`2026-11-27T10:30:00+00:00`)."""


class Frozen(BaseModel):
    # Built on first use, as the protocol models are (issue 15.4): a check builds the parts it
    # records, `verify-record` the one `Record` schema.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _Sparse(Frozen):
    """Leaves out of the JSON the keys in `_SPARSE` while they hold their default (None or
    false), so that a record that uses none of the issue 14.3 constructs reads as before."""

    _SPARSE: ClassVar[tuple[str, ...]] = ()

    # No return annotation on purpose: with one, pydantic would take it as the serialised
    # schema and `schema/record.schema.json` would lose these models' fields.
    @model_serializer(mode="wrap")
    def _sparse(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        body = handler(self)
        if isinstance(body, dict):
            for key in self._SPARSE:
                if body.get(key) in (None, False) or body.get(key) in ([], ()):
                    body.pop(key, None)
        return body


# --- parts --------------------------------------------------------------------------------------


class Header(Frozen):
    """The only identifying details a record may hold, all optional (None: to fill in by hand)."""

    practitioner: str | None = None
    role: str | None = None
    child_reference: str | None = None


class Deadline(_Sparse):
    """When to act, in one representation. `by` is a clock time only where the protocol gives a
    number of hours; "same day" has none (23:59 would suggest there is time until midnight, while
    the front door keeps office hours) and is "today" (`on`), as soon as possible. `after`: within
    `hours` of the action it names (0: straight after), with no clock time and no day: the clock
    starts when that action is done."""

    _SPARSE = ("after",)

    kind: Literal["now", "within_hours", "same_day", "none", "after"]
    hours: float | None = None
    by: Moment | None = None
    on: dt.date | None = None
    after: str | None = None


class ContactDetail(Frozen):
    id: str
    name: str
    phone: str | None = None
    hours: str | None = None
    out_of_hours: str | None = None
    placeholder: bool = False


class FollowOn(_Sparse):
    """The pathway that follows a first step (emergency care first, then ...)."""

    _SPARSE = ("level",)

    id: str
    title: str
    timescale: str
    urgency: int
    level: str | None = None
    summary: str | None = None
    deadline: Deadline


class EquallyUrgent(Frozen):
    """Another outcome exactly as urgent (an equal alternative, such as a same-day GP review
    and a same-day paediatric opinion) that the answers not known could give: `depends_on`
    lists those answers (paths, 1-based)."""

    id: str
    title: str
    then: str | None = None
    depends_on: tuple[str, ...] = ()


class Outcome(_Sparse):
    """`level`: the pathway's level on the national scale (protocol/levels.py), where it
    declares one; `out_of_scope` means this procedure does not apply (never "no action").
    `equally_urgent`: other outcomes as urgent that answers not known could give (which one
    applies depends on them), left out when there are none."""

    _SPARSE = ("level", "equally_urgent")

    id: str
    title: str
    timescale: str
    timescale_hours: float | None = None
    same_day: bool = False
    urgency: int
    level: str | None = None
    summary: str | None = None
    deadline: Deadline
    then: str | None = None
    then_pathway: FollowOn | None = None
    equally_urgent: tuple[EquallyUrgent, ...] = ()


class ActionEntry(_Sparse):
    """`when`: the condition the action applies under, as read; `depends_on_unknown`: that
    condition was not known (a "not sure" answer, no role given), so the action is included."""

    _SPARSE = ("when", "depends_on_unknown", "depends_on")

    id: str
    text: str
    timescale: str | None = None
    deadline: Deadline | None = None
    responsible: str | None = None
    contact: str | None = None
    contact_detail: ContactDetail | None = None
    from_: str = Field(alias="from", serialization_alias="from")
    when: str | None = None
    depends_on_unknown: bool = False
    depends_on: Annotated[
        tuple[str, ...],
        Field(description="The questions and facts its `when` reads that were not known."),
    ] = ()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class RuleFired(Frozen):
    id: str
    because: str
    cite: tuple[str, ...]
    kind: Literal["decides", "then", "might_apply", "advice", "invariant"]
    pathway: str | None = None
    facts_used: tuple[str, ...] = ()  # derived facts its condition reads (advice about a fact)
    certain: bool = True  # advice: False when it applies only if an unknown answer is one way


class SourceEntry(Frozen):
    title: str
    url: str | None = None
    status: str


class OptionEntry(Frozen):
    id: str
    label: str


class QuestionEntry(Frozen):
    id: str
    type: str
    prompt: str
    options: tuple[OptionEntry, ...] = ()
    status: Literal["answered", "unanswered", "not_asked"]
    answer: JsonValue = None
    answer_label: str | None = None
    note: str | None = None


class FactEntry(Frozen):
    """A derived fact as a person reads it. `value` is None when not applicable or unknown."""

    id: str
    label: str
    value: bool | float | int | None = None
    unknown: bool = False
    internal: bool = False
    unit: str | None = None
    help: str | None = None
    show_as: str | None = None


class AnswerEntry(Frozen):
    """One answer (about one mark, or of the context): its question, and the answer as read."""

    id: str
    type: str
    prompt: str
    answer: JsonValue = None
    answer_label: str | None = None
    show_as: Annotated[
        str | None,
        Field(description="What the question records about the mark (its `show_as`), if declared."),
    ] = None


class Mark(Frozen):
    """One mark, numbered from 1 as printed and as in paths (`marks[1].site`)."""

    number: int
    site: str | None = None
    site_label: str | None = None
    side: str | None = None  # None: side not recorded
    side_label: str | None = None
    fields: tuple[AnswerEntry, ...] = ()
    facts: tuple[FactEntry, ...] = ()

    def shown_as(self, role: str) -> AnswerEntry | None:
        """The answer to the question the protocol declares `show_as: role`, if given."""
        return next((f for f in self.fields if f.show_as == role), None)

    def label_of(self, role: str) -> str | None:
        """The answer, as read, to the question declared `show_as: role` (None if not given)."""
        found = self.shown_as(role)
        return found.answer_label if found else None


class ProtocolIdentity(Frozen):
    id: str
    title: str
    version: str
    status: str
    review_due: dt.date | None = None
    sha256: str


class Entered(Frozen):
    mode: Literal["guided", "answers_file"]
    prompts: int | None = None


class Tool(Frozen):
    name: str = TOOL_NAME
    version: str = __version__


# --- the record ---------------------------------------------------------------------------------


class Record(Frozen):
    """One check, as saved. `checksum` is computed from every other field."""

    record_format: int = RECORD_FORMAT
    created_at: Moment
    header: Header
    outcome: Outcome | None
    actions: tuple[ActionEntry, ...]
    rules_fired: tuple[RuleFired, ...]
    decided_by: str | None = None
    raised_for_safety: bool = False
    unknowns_that_decided: tuple[str, ...] = ()
    derived: dict[str, bool | float | int | None]
    facts: tuple[FactEntry, ...]
    answers: dict[str, JsonValue]
    questions: tuple[QuestionEntry, ...]
    unanswered: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()
    context: tuple[AnswerEntry, ...] = ()
    sources: dict[str, SourceEntry]
    protocol: ProtocolIdentity
    disclaimer: str
    statement: str = TOOL_STATEMENT
    tool: Tool = Field(default_factory=Tool)
    entered: Entered | None = None

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("created_at needs a time zone")
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def checksum(self) -> str:
        return checksum(self.model_dump(mode="json", by_alias=True, exclude={"checksum"}))

    def to_json(self) -> str:
        return json.dumps(self.json_body(), indent=2, ensure_ascii=False) + "\n"

    def json_body(self) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = self.model_dump(mode="json", by_alias=True)
        return body

    def with_entered(self, entered: Entered) -> "Record":
        """The same record with how it was entered; the checksum follows (it is computed)."""
        return self.model_copy(update={"entered": entered})

    # --- what printouts single out (declared in the protocol by `show_as`) -------------------

    def fact_shown_as(self, role: str) -> FactEntry | None:
        return next((f for f in self.facts if f.show_as == role), None)

    def question(self, qid: str) -> QuestionEntry | None:
        return next((q for q in self.questions if q.id == qid), None)


def checksum(body: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a record's body without its `checksum` key."""
    rest = {k: v for k, v in body.items() if k != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_json(record: Record) -> str:
    return record.to_json()


def record_schema() -> dict[str, JsonValue]:
    """The JSON Schema of a saved record (what `to_json` writes)."""
    schema: dict[str, JsonValue] = Record.model_json_schema(mode="serialization", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bruising-check record"
    return schema


# --- building -----------------------------------------------------------------------------------


def build_record(
    protocol: Protocol,
    sha256: str,
    decision: Decision,
    *,
    created_at: dt.datetime,
    context: Mapping[str, object] | None = None,
    about: Mapping[str, str] | Header | None = None,
    entered: Entered | None = None,
) -> Record:
    """The one place a record is made. `about`: optional practitioner name/role and child
    reference (nothing else identifying)."""
    if created_at.tzinfo is None:
        created_at = created_at.astimezone()
    header = about if isinstance(about, Header) else _header(about or {})
    cited: list[str] = []
    for r in decision.rules_fired:
        cited.extend(c for c in r.cite if c not in cited)
    given = context or {}
    facts = tuple(_fact(protocol, k, v) for k, v in decision.derived.items())
    return Record(
        created_at=created_at,
        header=header,
        outcome=_outcome(protocol, decision, created_at),
        actions=tuple(
            ActionEntry(
                id=ra.action.id,
                text=ra.action.text,
                timescale=None if ra.action.timescale is None else ra.action.timescale.label,
                deadline=deadline(ra.action.timescale, created_at),
                responsible=ra.action.responsible,
                contact=None if ra.contact is None else ra.contact.id,
                contact_detail=None
                if ra.contact is None
                else ContactDetail(
                    id=ra.contact.id,
                    name=ra.contact.name,
                    phone=ra.contact.phone,
                    hours=ra.contact.hours,
                    out_of_hours=ra.contact.out_of_hours,
                    placeholder=ra.contact.placeholder,
                ),
                from_=ra.source,
                when=_when(protocol, ra.action.when),
                depends_on_unknown=ra.uncertain,
                depends_on=_not_known_in(protocol, ra.action.when, decision)
                if ra.uncertain
                else (),
            )
            for ra in decision.actions
        ),
        rules_fired=tuple(
            RuleFired(
                id=r.id,
                because=r.because,
                cite=tuple(r.cite),
                kind=r.kind,
                pathway=r.pathway,
                facts_used=_facts_used(protocol, r.id, r.kind),
                certain=r.certain,
            )
            for r in decision.rules_fired
        ),
        decided_by=None if decision.deciding_rule is None else decision.deciding_rule.id,
        raised_for_safety=decision.raised,
        unknowns_that_decided=tuple(decision.unknowns_that_decided),
        derived={k: _number_or_flag(v) for k, v in decision.derived.items()},
        facts=facts,
        # Not known is null (answers format v2), so that verify-record re-runs the same answers.
        answers={k: _plain(v) for k, v in decision.answers.items() if v is not None},
        questions=tuple(_question_entry(q, decision) for q in protocol.questions),
        unanswered=tuple(decision.unanswered),
        marks=_marks(protocol, decision),
        context=tuple(
            AnswerEntry(
                id=q.id,
                type=q.type,
                prompt=q.prompt,
                answer=_plain(given.get(q.id)),
                answer_label=_label(q, given.get(q.id), detailed=True),
            )
            for q in protocol.context_prompts
        ),
        sources={
            sid: SourceEntry(title=s.title, url=s.url, status=s.status)
            for sid in cited
            if (s := protocol.source(sid)) is not None
        },
        protocol=ProtocolIdentity(
            id=protocol.metadata.id,
            title=protocol.metadata.title,
            version=protocol.metadata.version,
            status=protocol.metadata.status,
            review_due=protocol.metadata.review_due,
            sha256=sha256,
        ),
        disclaimer=protocol.metadata.disclaimer,
        entered=entered,
    )


def _when(protocol: Protocol, cond: Condition | None) -> str | None:
    """An action's condition as read in a record (facts by their label)."""
    if cond is None:
        return None
    return describe(cond, {f.id: f.label for f in protocol.derived})


def _not_known_in(
    protocol: Protocol, cond: Condition | None, decision: Decision
) -> tuple[str, ...]:
    """The answers (and facts) a condition reads whose value was not known: ids, or item paths
    as in `unanswered` (`marks[2].patterned`)."""
    if cond is None:
        return ()
    found: list[str] = []
    for c in comparisons(cond):
        subject = c.question or c.fact
        if subject is None:
            continue
        value = decision.answers.get(subject, decision.derived.get(subject))
        if (value is UNKNOWN or subject in decision.unanswered) and subject not in found:
            found.append(subject)
    for node in walk(cond):
        if not isinstance(node, (Some, Every, Count)):
            continue
        spec = (
            node.some
            if isinstance(node, Some)
            else (node.every if isinstance(node, Every) else node.count)
        )
        group = protocol.group(spec.group)
        read: set[str] | None = {c.item for c in comparisons(spec.where) if c.item is not None}
        if group is None or any(group.question(x) is None for x in read or ()):
            read = None  # an item fact: any of the item's answers may feed it
        for u in decision.unanswered:
            head, _, field = u.partition("].")
            mine = head.startswith(f"{spec.group}[") and (read is None or field in read)
            if mine and u not in found:
                found.append(u)
    return tuple(found)


def _facts_used(protocol: Protocol, rule_id: str, kind: str) -> tuple[str, ...]:
    owners: Sequence[Rule | Advice | Invariant]
    if kind == "advice":
        owners = protocol.advice
    elif kind == "invariant":
        owners = protocol.invariants
    else:
        owners = protocol.rules
    owner = next((o for o in owners if o.id == rule_id), None)
    if owner is None:
        return ()
    used = [c.fact for c in comparisons(owner.when) if c.fact is not None]
    return tuple(dict.fromkeys(used))


def _header(about: Mapping[str, str]) -> Header:
    def get(key: str) -> str | None:
        value = about.get(key)
        return value if value else None

    return Header(
        practitioner=get("practitioner"), role=get("role"), child_reference=get("child_reference")
    )


def _outcome(protocol: Protocol, decision: Decision, now: dt.datetime) -> Outcome | None:
    pw = decision.pathway
    if pw is None:
        return None
    then: Pathway | None = decision.then
    return Outcome(
        id=pw.id,
        title=pw.title,
        timescale=pw.timescale.label,
        timescale_hours=pw.timescale.hours,
        same_day=pw.timescale.same_day,
        urgency=pw.urgency,
        level=pw.level,
        summary=pw.summary,
        deadline=_must(deadline(pw.timescale, now)),
        then=None if then is None else then.id,
        then_pathway=None
        if then is None
        else FollowOn(
            id=then.id,
            title=then.title,
            timescale=then.timescale.label,
            urgency=then.urgency,
            level=then.level,
            summary=then.summary,
            deadline=_must(deadline(then.timescale, now)),
        ),
        equally_urgent=tuple(
            EquallyUrgent(
                id=a.pathway.id,
                title=a.pathway.title,
                then=None if a.then is None else a.then.id,
                depends_on=a.depends_on,
            )
            for a in decision.equally_urgent
            if a.pathway is not None
        ),
    )


def _must(d: Deadline | None) -> Deadline:
    assert d is not None
    return d


def deadline(ts: Timescale | None, now: dt.datetime) -> Deadline | None:
    """The one deadline representation of a timescale, from the moment of the check."""
    if ts is None:
        return None
    if ts.after is not None:
        return Deadline(kind="after", hours=ts.hours or 0, after=ts.after)
    if ts.hours == 0:
        return Deadline(kind="now", hours=0, by=now.replace(microsecond=0), on=now.date())
    if ts.hours is not None:
        by = (now + dt.timedelta(hours=ts.hours)).replace(second=0, microsecond=0)
        return Deadline(kind="within_hours", hours=ts.hours, by=by, on=now.date())
    if ts.same_day:
        return Deadline(kind="same_day", on=now.date())
    return Deadline(kind="none", on=now.date())


def _fact(protocol: Protocol, fid: str, value: object) -> FactEntry:
    f = next((d for d in protocol.derived if d.id == fid), None)
    if f is None:  # pragma: no cover - the engine derives only the protocol's facts
        return FactEntry(id=fid, label=fid, value=_number_or_flag(value), unknown=value is UNKNOWN)
    return _item_fact(f, value)


def _marks(protocol: Protocol, decision: Decision) -> tuple[Mark, ...]:
    """Each item of the protocol's mark group: the group with a question declared `show_as:
    site` (and maybe one `show_as: side`), numbered from 1 as in the paths of the JSON record
    (`marks[1].site`). The record's keys are its own; the protocol's ids may be any."""
    out: list[Mark] = []
    for group in protocol.questions:
        if not isinstance(group, GroupQuestion) or _mark_role(group, "site") is None:
            continue
        items = decision.answers.get(group.id)
        if not isinstance(items, tuple):
            continue
        facts = decision.item_derived.get(group.id, ())
        for number, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                continue
            fields = tuple(
                AnswerEntry(
                    id=q.id,
                    type=q.type,
                    prompt=q.prompt,
                    answer=_plain(item.get(q.id)),
                    answer_label=_item_label(q, item.get(q.id)),
                    show_as=q.show_as,
                )
                for q in group.questions
                if _given(q, item.get(q.id))
            )
            by_id = {f.id: f for f in fields}
            site_q, side_q = _mark_role(group, "site"), _mark_role(group, "side")
            site = by_id.get(site_q.id) if site_q is not None else None
            side = by_id.get(side_q.id) if side_q is not None else None
            item_facts = facts[number - 1] if number <= len(facts) else {}
            out.append(
                Mark(
                    number=number,
                    site=_str(site.answer) if site else None,
                    site_label=site.answer_label if site else None,
                    side=_str(side.answer) if side else None,
                    side_label=side.answer_label if side and side.answer is not None else None,
                    fields=fields,
                    facts=tuple(
                        _item_fact(f, item_facts.get(f.id, UNKNOWN)) for f in group.derived
                    ),
                )
            )
    return tuple(out)


def _mark_role(group: GroupQuestion, role: ShowAs) -> ItemQuestion | None:
    """The item question declared `show_as: role`. In a group that declares no `show_as` at
    all (a local protocol written before the annotation) it is the question with the id
    `role`, as the record found marks before: such a protocol's marks, their unknowns and the
    carer's words are printed, never silently dropped. A group that declares some `show_as`
    is read by its declarations alone."""
    declared = group.shown_as(role)
    if declared is not None or any(q.show_as is not None for q in group.questions):
        return declared
    return group.question(role)


def _item_label(q: Question, value: object) -> str:
    """`Not sure` as the practitioner chose it, where the question has such an option."""
    unknown = getattr(q, "unknown_option", None)
    if value is UNKNOWN and unknown is not None:
        return next((o.label for o in getattr(q, "options", ()) if o.id == unknown), "not known")
    default = getattr(q, "default", None)
    if default is not None and value == default:
        # Enter alone, or left out of an answers file, gives the default: never shown as counted.
        return f"{shown(q, value)} (the default)"
    return shown(q, value)


def _given(q: Question, value: object) -> bool:
    """An item answer to list: None was not asked; an unknown answer to a required question was
    said ("not sure", listed as not known), to an optional one it was left out."""
    if value is None:
        return False
    return value is not UNKNOWN or q.required


def _item_fact(f: BooleanFact | NumberFact, value: object) -> FactEntry:
    """A derived fact (of the child or of one item) as a person reads it."""
    return FactEntry(
        id=f.id,
        label=f.label,
        value=_number_or_flag(value),
        unknown=value is UNKNOWN,
        internal=f.internal,
        unit=f.unit if isinstance(f, NumberFact) else None,
        help=f.help,
        show_as=f.show_as,
    )


def _str(value: JsonValue) -> str | None:
    return value if isinstance(value, str) else None


def _question_entry(q: Question, decision: Decision) -> QuestionEntry:
    skipped = next((s for s in decision.not_asked if s.question == q.id), None)
    value = decision.answers.get(q.id)
    status: Literal["answered", "unanswered", "not_asked"]
    if skipped is not None:
        status, note = "not_asked", skipped.reason
    elif value is UNKNOWN or value is None:
        status, note = "unanswered", "not known / not given"
    else:
        status, note = "answered", None
    return QuestionEntry(
        id=q.id,
        type=q.type,
        prompt=q.prompt,
        # Option ids with their labels, so a saved record can be re-rendered (e.g. the body map).
        options=tuple(OptionEntry(id=o.id, label=o.label) for o in getattr(q, "options", ())),
        status=status,
        answer=None if status != "answered" else _plain(value),
        answer_label=None if status != "answered" else _label(q, value),
        note=note,
    )


def _label(q: Question, value: object, *, detailed: bool = False) -> str | None:
    """The answer as a person reads it (one wording: `engine.replies.shown`); None if unknown.
    A group reads as its count (`2 marks`), or `detailed` item by item (the carers, which have
    no section of their own): `carer 1: Father; seen: No`."""
    if value is None or value is UNKNOWN:
        return None
    if isinstance(q, GroupQuestion):
        if not isinstance(value, tuple | list):
            return str(value)
        if not detailed:  # the marks are listed one by one in their own section
            return f"{len(value)} {q.item_label}{'' if len(value) == 1 else 's'}"
        parts = []
        for n, item in enumerate(value, start=1):
            if not isinstance(item, Mapping):
                continue
            said = "; ".join(
                f"{iq.prompt.rstrip(':?')}: {shown(iq, item.get(iq.id))}"
                for iq in q.questions
                if iq.id in item and item.get(iq.id) is not None and iq.id != UNKNOWN_KEYS
            )
            parts.append(f"{q.item_label} {n}: {said}")
        return " | ".join(parts) if parts else "none"
    return shown(q, value)


def _number_or_flag(value: object) -> bool | float | int | None:
    plain = _plain(value)
    return plain if isinstance(plain, bool | int | float) else None


def _plain(value: object) -> JsonValue:
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]  # a group's items are mappings (answers v2)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if not str(k).startswith("?")}
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON cannot hold it; `validate` keeps derived numbers far from overflow
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, bool | int | str):
        return value
    return str(value)
