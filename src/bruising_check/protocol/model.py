"""The protocol format: frozen pydantic models for everything read from a protocol YAML file.

A protocol is data: metadata and sources, questions with `ask_if` conditions, derived facts,
pathways with actions, contacts, ordered rules (the first match decides the pathway), advice that
accumulates, context prompts that never change the pathway, the partnership's policy positions
(DOMAIN.md §4) and invariants the protocol promises to keep.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from typing_extensions import TypeAliasType

from bruising_check.protocol.conditions import Condition
from bruising_check.protocol.ids import Id
from bruising_check.protocol.levels import Level

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Cites = Annotated[tuple[Id, ...], Field(min_length=1, description="Source ids this rests on.")]


class Model(BaseModel):
    # Built on first use, not at import (issue 15): loading a protocol builds the one `Protocol`
    # schema, which holds every model below; a class used on its own is built when first used.
    # Forward references (`Expr` in `Add`) are resolved then, from this module.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


# --- metadata and sources -------------------------------------------------------------------


class AlignedTo(Model):
    source: Id
    date: Annotated[str, Field(description="Date or year of the version aligned to.")]


class ChangeEntry(Model):
    version: str
    date: dt.date
    summary: Text


class Metadata(Model):
    id: Id
    title: Text
    version: Annotated[str, Field(min_length=1, max_length=40)]
    status: Literal["draft", "approved", "superseded"]
    issued_by: Annotated[Text, Field(description="The issuing safeguarding partnership.")]
    approved_by: str | None = None
    approved_on: dt.date | None = None
    effective_from: dt.date | None = None
    review_due: dt.date | None = None
    supersedes: str | None = None
    aligned_to: tuple[AlignedTo, ...] = ()
    disclaimer: Text
    notes: tuple[Text, ...] = ()
    changelog: tuple[ChangeEntry, ...] = ()


class Source(Model):
    id: Id
    title: Text
    url: str | None = None
    year: int | None = None
    status: Literal["verified", "unverified", "not_available"] = "verified"
    note: str | None = None


class Definition(Model):
    id: Id
    term: Text
    text: Text
    cite: Cites


# --- questions ------------------------------------------------------------------------------


class Option(Model):
    id: Id
    label: Text
    help: str | None = None
    unknown: Annotated[
        bool,
        Field(
            description='"Not sure" / "not known": the answer ranges over every other option.'
            " At most one per question; never named by a condition (use `known: false`)."
        ),
    ] = False
    offered_if: Annotated[
        Condition | None,
        Field(
            description="For a question inside a repeated group: the option is offered only"
            " when this holds for the item (e.g. `midline` only for a site on the midline);"
            " an answers file that chooses it otherwise is warned (ANSWER_NOT_OFFERED). Offered"
            " when it is not known."
        ),
    ] = None


ShowAs = Literal[
    "type",
    "site",
    "side",
    "size",
    "colour",
    "count",
    "pattern",
    "explanation",
    "explained_by",
    "account",
    "report_channel",
    "gestation",
]
"""What a question is, for the record, the printouts and the policy checks: they find a mark's
site, side, kind and explanation, how the mark came to attention and the gestation at birth by
this, never by the question's id."""


class _QuestionBase(Model):
    id: Id
    prompt: Text
    help: Annotated[str | None, Field(description="Why we ask: shown on `?`.")] = None
    required: bool = True
    ask_if: Condition | None = None
    cite: tuple[Id, ...] = ()
    section: str | None = None
    show_as: Annotated[
        ShowAs | None,
        Field(
            description="What the question records about a mark, so the record and printouts"
            " find it whatever its id: the mark's type, site (a body-site id on the body map),"
            " side, size, colour, count, whether it is patterned, its explanation, who"
            " explained it, or the account in the carer's words (the group whose items have a"
            " `site` is the marks); of the child, how the mark came to attention"
            " (`report_channel`, with an option `seen_in_person`) or the gestation at birth"
            " (`gestation`), which the policy checks read. At most one question of a group (or"
            " of the top level) per `show_as`."
        ),
    ] = None


AllowUnknown = Annotated[
    bool,
    Field(description="The answer may be `null`: not known (ranges over every possible answer)."),
]


class BooleanQuestion(_QuestionBase):
    type: Literal["boolean"]
    allow_unknown: AllowUnknown = False


class _Choices(_QuestionBase):
    options: tuple[Option, ...]

    @model_validator(mode="after")
    def _one_unknown(self) -> "_Choices":
        if sum(o.unknown for o in self.options) > 1:
            raise ValueError("at most one option may be `unknown: true`")
        return self

    @property
    def unknown_option(self) -> str | None:
        """The id of the "not sure" option, if the question has one."""
        return next((o.id for o in self.options if o.unknown), None)

    @property
    def known_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not o.unknown)


class SingleChoiceQuestion(_Choices):
    type: Literal["single_choice"]
    options: Annotated[tuple[Option, ...], Field(min_length=2)]


class MultipleChoiceQuestion(_Choices):
    """An `unknown: true` option must be chosen alone; it ranges over every selection of the
    other options that `min_selected` allows."""

    type: Literal["multiple_choice"]
    options: Annotated[tuple[Option, ...], Field(min_length=1)]
    min_selected: Annotated[int, Field(ge=0)] = 0


class NumberQuestion(_QuestionBase):
    type: Literal["number"]
    unit: Text
    min: float
    max: float
    integer: bool = True
    allow_unknown: AllowUnknown = False
    default: Annotated[
        float | None, Field(description="The answer when an optional question is left out.")
    ] = None

    @model_validator(mode="after")
    def _range(self) -> "NumberQuestion":
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.default is not None and not self.min <= self.default <= self.max:
            raise ValueError(f"default ({self.default}) is outside {self.min}..{self.max}")
        return self


class TextQuestion(_QuestionBase):
    type: Literal["text"]
    max_length: Annotated[int, Field(ge=1, le=10000)] = 2000


ItemQuestion = Annotated[
    BooleanQuestion | SingleChoiceQuestion | MultipleChoiceQuestion | NumberQuestion | TextQuestion,
    Field(discriminator="type"),
]
"""A question that may stand inside a repeated group (anything but another group)."""


# --- derived facts --------------------------------------------------------------------------


class Ref(Model):
    question: Id | None = None
    fact: Id | None = None
    item: Annotated[Id | None, Field(description="In an item fact: this item's answer.")] = None

    @model_validator(mode="after")
    def _one(self) -> "Ref":
        if sum(s is not None for s in (self.question, self.fact, self.item)) != 1:
            raise ValueError("name exactly one of `question:`, `fact:` or `item:`")
        return self

    @property
    def subject(self) -> str:
        if self.question is not None:
            return self.question
        return str(self.fact) if self.fact is not None else str(self.item)


class Add(Model):
    add: "Annotated[tuple[Expr, ...], Field(min_length=2)]"


class Sub(Model):
    sub: 'Annotated[tuple[Expr, Expr], Field(description="first minus second")]'


class Mul(Model):
    mul: "tuple[Expr, float]"


class Div(Model):
    div: "tuple[Expr, float]"

    @model_validator(mode="after")
    def _nonzero(self) -> "Div":
        if self.div[1] == 0:
            raise ValueError("division by zero")
        return self


def _expr_kind(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "const"
    if isinstance(value, dict):
        for key in ("add", "sub", "mul", "div"):
            if key in value:
                return key
        return "ref"
    for model, tag in ((Add, "add"), (Sub, "sub"), (Mul, "mul"), (Div, "div")):
        if isinstance(value, model):
            return tag
    return "ref"


# A named alias, as `Condition` is: its schema is built once, not at each field that holds one.
Expr = TypeAliasType(
    "Expr",
    Annotated[
        Annotated[float, Tag("const")]
        | Annotated[Ref, Tag("ref")]
        | Annotated[Add, Tag("add")]
        | Annotated[Sub, Tag("sub")]
        | Annotated[Mul, Tag("mul")]
        | Annotated[Div, Tag("div")],
        Discriminator(_expr_kind),
    ],
)
"""Arithmetic on answers, facts and constants: linear, so the analyser can reason about it."""


class BooleanFact(Model):
    id: Id
    label: Text
    type: Literal["boolean"]
    condition: Condition
    help: str | None = None
    internal: Annotated[bool, Field(description="A step towards other facts: JSON only.")] = False
    cite: Cites
    show_as: Annotated[
        Literal[
            "screening", "screening_applies", "screening_component", "accounted_for", "mobility"
        ]
        | None,
        Field(
            description="What a printout singles out: the screening result (e.g. TEN-4-FACESp),"
            " whether that screen applies, the mobility fact; for an item fact, one component"
            " of the screen (so the printout says which mark and component made it positive),"
            " or whether the mark is accounted for (said for each mark in the reasons)."
        ),
    ] = None


class NumberFact(Model):
    id: Id
    label: Text
    type: Literal["number"]
    value: Expr
    unit: str | None = None
    applies_if: Annotated[
        Condition | None, Field(description="Otherwise the fact is not applicable (null).")
    ] = None
    help: str | None = None
    internal: Annotated[bool, Field(description="A step towards other facts: JSON only.")] = False
    cite: Cites
    show_as: Annotated[
        Literal["screening", "screening_applies", "mobility"] | None,
        Field(
            description="What a printout singles out: the screening result (e.g. TEN-4-FACESp),"
            " whether that screen applies, or the mobility fact."
        ),
    ] = None


DerivedFact = Annotated[BooleanFact | NumberFact, Field(discriminator="type")]


# --- repeated groups (docs/design/groups-unknowns-followon.md §1) ---------------------------


class GroupQuestion(_QuestionBase):
    """Asked once per item (the marks; the carers). Answers hold a list of mappings, one per
    item, keyed by the group's own question ids. `derived` are per-item facts, computed for each
    item in order; they may use `item:` and child-level `question:` / `fact:`."""

    type: Literal["group"]
    item_label: Annotated[
        str, Field(min_length=1, max_length=40, description='"mark": "mark 1", "another mark?"')
    ] = "item"
    min_items: Annotated[int, Field(ge=0, le=50)] = 0
    max_items: Annotated[int, Field(ge=1, le=50)] = 20
    questions: Annotated[tuple[ItemQuestion, ...], Field(min_length=1)]
    derived: tuple[DerivedFact, ...] = ()

    @model_validator(mode="after")
    def _counts(self) -> "GroupQuestion":
        if self.min_items > self.max_items:
            raise ValueError(
                f"min_items ({self.min_items}) is greater than max_items ({self.max_items})"
            )
        return self

    def question(self, qid: str) -> ItemQuestion | None:
        return next((q for q in self.questions if q.id == qid), None)

    def shown_as(self, role: ShowAs) -> ItemQuestion | None:
        """The item question declared `show_as: role` (the first, if a protocol repeats one)."""
        return next((q for q in self.questions if q.show_as == role), None)

    def fact(self, fid: str) -> BooleanFact | NumberFact | None:
        return next((f for f in self.derived if f.id == fid), None)


Question = Annotated[
    BooleanQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumberQuestion
    | TextQuestion
    | GroupQuestion,
    Field(discriminator="type"),
]


# --- pathways, actions, contacts ------------------------------------------------------------


class Timescale(Model):
    label: Annotated[str, Field(min_length=1, max_length=80, description="e.g. 'Same day'")]
    hours: Annotated[
        float | None,
        Field(
            ge=0,
            description="Act within this many hours (0 = immediately); with `after`, of that"
            " action (none given: straight after it).",
        ),
    ] = None
    same_day: bool = False
    after: Annotated[
        Id | None,
        Field(
            description="Relative to another action of the same pathway (or of a first step's"
            " follow-on): the clock starts when that action is done, so no clock time is given."
        ),
    ] = None

    @model_validator(mode="after")
    def _relative(self) -> "Timescale":
        if self.after is not None and self.same_day:
            raise ValueError("a timescale `after` another action cannot also be `same_day`")
        return self


class Action(Model):
    id: Id
    text: Text
    timescale: Timescale | None = None
    responsible: str | None = None
    contact: Id | None = None
    cite: tuple[Id, ...] = ()
    when: Annotated[
        Condition | None,
        Field(
            description="The action applies only when this holds; when it is not known (a"
            " 'not sure' answer) the action is included and marked as depending on it."
        ),
    ] = None


class Pathway(Model):
    id: Id
    title: Text
    urgency: Annotated[int, Field(ge=1, description="1 is the most urgent.")]
    level: Annotated[
        Level | None,
        Field(description="Its level on the national scale of urgency (protocol/levels.py)."),
    ] = None
    timescale: Timescale
    summary: str | None = None
    actions: tuple[Action, ...] = ()
    first_step: Annotated[
        bool,
        Field(
            description="Comes first; the rules below decide what follows (used only by rules"
            " with `then: rules_below`)."
        ),
    ] = False

    @model_validator(mode="after")
    def _own_clock(self) -> "Pathway":
        if self.timescale.after is not None:
            raise ValueError("a pathway's timescale cannot be `after` an action; time the action")
        return self


class Contact(Model):
    id: Id
    name: Text
    phone: str | None = None
    hours: str | None = None
    out_of_hours: str | None = None
    placeholder: bool = False
    note: str | None = None
    source: Annotated[
        str | None,
        Field(max_length=500, description="Where the number came from (a page, a document)."),
    ] = None
    verified_on: Annotated[
        dt.date | None, Field(description="When the number was last checked against its source.")
    ] = None


# --- roles: who is checking (issue 14.3) -----------------------------------------------------


class Role(Model):
    """A role the protocol knows. `--role`, the guided check's role question and an answers
    file's `role:` key take one of these ids; conditions test it with `{role: {...}}`."""

    id: Id
    label: Text
    health_professional: Annotated[
        bool, Field(description="Tested by `{role: {health_professional: true}}`.")
    ] = False


# --- rules ----------------------------------------------------------------------------------


class Rule(Model):
    id: Id
    when: Condition
    pathway: Id
    because: Text
    label: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=120,
            description="A short question for the flowchart overview, read as asked where the"
            " chart reaches this rule (e.g. 'Does anyone say a person caused a mark?'); the"
            " detailed view and the handbook still show the whole condition.",
        ),
    ] = None
    cite: Cites
    note: str | None = None
    contested: bool = False
    then: Annotated[
        Literal["rules_below"] | None,
        Field(
            description="The pathway (a `first_step` one) comes first; the first later rule that"
            " matches gives the follow-on pathway."
        ),
    ] = None


class Advice(Model):
    """Accumulates: every matching advice adds its actions; it never changes the pathway."""

    id: Id
    when: Condition
    because: Text
    actions: Annotated[tuple[Action, ...], Field(min_length=1)]
    cite: Cites


class Invariant(Model):
    """A promise checked for every answer set: when `when` holds, the pathway is at least as
    urgent as `at_least` and, unless `at_least` is itself a `first_step` pathway, so is the
    follow-on pathway (if any)."""

    id: Id
    when: Condition
    at_least: Id
    because: Text
    cite: Cites


# --- the partnership's positions (DOMAIN.md §4), as plain data for diffs and handbooks ---------


Disposition = Literal["end", "discuss", "refer"]
NotStated = Literal["not_stated"]
NOT_STATED: NotStated = "not_stated"
"""Any policy field may say this: the protocol takes no position on the point (issue 14.4)."""


class Policy(Model):
    """Where this protocol stands on each point local protocols differ on (DOMAIN.md §4).

    The rules and derived facts are what the engine runs; these fields state the positions
    plainly so that two protocols can be compared field by field. Every field may be
    `not_stated` (the default): a partnership states only the positions it takes. `validate`
    checks the stated positions it can against the rules (`analysis/policy.py`)."""

    rolling_counts_as_mobility: bool | NotStated = NOT_STATED
    mobility_milestones: tuple[Id, ...] | NotStated = NOT_STATED
    age_anchor: Annotated[
        str | None,
        Field(description="An age that overrides milestones; null: none, milestones decide."),
    ] = None
    corrected_age: Literal["used", "recorded_only"] | NotStated = NOT_STATED
    scope_mark_types: tuple[Id, ...] | NotStated = NOT_STATED
    petechiae_count_as_bruise: bool | NotStated = NOT_STATED
    disability: (
        Literal["included", "excluded_if_wheelchair_user_who_can_give_account", "physical_only"]
        | NotStated
    ) = NOT_STATED
    nim_explanation: (
        Literal["regardless", "explanation_dependent", "abrasions_only_dependent"] | NotStated
    ) = NOT_STATED
    who_may_decide_no_referral: (
        Literal[
            "any_practitioner",
            "health_professional",
            "safeguarding_lead_or_paediatrician",
            "gp_or_paediatrician",
            "consultant_paediatrician",
            "social_care_and_paediatrics_jointly",
        ]
        | NotStated
    ) = NOT_STATED
    suspected_birthmark: Disposition | NotStated = NOT_STATED
    medical_procedure_marks: Disposition | NotStated = NOT_STATED
    known_bleeding_disorder: Disposition | NotStated = NOT_STATED
    first_step: Literal["social_care_first", "health_triage_first", "both_same_day"] | NotStated = (
        NOT_STATED
    )
    strategy_discussion: Literal["every_case", "after_appraisal"] | NotStated = NOT_STATED
    referral_timescale: Annotated[
        str, Field(description="In words (`not_stated`: the protocol does not say).")
    ] = NOT_STATED
    remote_reports: Literal["must_refer", "treated_as_seen"] | NotStated = NOT_STATED
    escalation_if_declined: Annotated[
        str | None, Field(description="In words; null or `not_stated`: the protocol does not say.")
    ] = None
    informing_parents: Annotated[
        str | None, Field(description="In words; null or `not_stated`: the protocol does not say.")
    ] = None

    def stated(self, field: str) -> bool:
        """Whether the protocol takes a position on `field` (not `not_stated`, not null)."""
        value = getattr(self, field)
        return value is not None and value != NOT_STATED


def policy_differences(old: Policy | None, new: Policy | None) -> list[str]:
    """The policy fields whose positions differ, in the order the fields are declared. A field
    neither version states (`not_stated`, null, or no `policy:` block at all) is no change,
    whatever its spelling; a field one version states and the other does not is one. The one
    test the board paper (`versions.matching.policy_changes`) and the behaviour comparison's
    unused deviations use."""

    def value(policy: Policy | None, field: str) -> object:
        return getattr(policy, field) if policy is not None and policy.stated(field) else None

    return [f for f in Policy.model_fields if value(old, f) != value(new, f)]


# --- what the partnership approved or intends (issue 14: docs/design/local-protocols.md) -------


class ApprovedDeviation(Model):
    """A difference from a reference protocol that the partnership's board approved: the
    situations it covers are those its `rules` decide and/or its `when` holds in (both, when
    both are given); `policy` names policy fields that differ on purpose."""

    id: Id
    against: Annotated[Id, Field(description="The reference protocol's metadata.id.")]
    rules: Annotated[
        tuple[Id, ...], Field(description="This protocol's rules that deviate on purpose.")
    ] = ()
    when: Condition | None = None
    policy: Annotated[
        tuple[str, ...], Field(description="Fields of `policy:` that differ on purpose.")
    ] = ()
    why: Text
    approved_by: Text
    approved_on: Annotated[
        dt.date | None,
        Field(
            description="When the board approved it. Leave it out only when the approval record"
            " could not be read (`validate` warns, and printouts say the date is not recorded):"
            " never a placeholder date."
        ),
    ] = None
    cite: tuple[Id, ...] = ()


class Overlap(Model):
    """An overlap of rules acknowledged as intended: `validate` reports it as information."""

    rules: Annotated[tuple[Id, ...], Field(min_length=2)]
    because: Text


class OptionReading(Model):
    """When an earlier version's option is the answer, read from this version's answers."""

    id: Annotated[Id, Field(description="The earlier version's option id.")]
    when: Annotated[
        Condition | None,
        Field(
            description="Over this version's answers. Single choice: the first option whose"
            " condition holds is the answer, and the last option may leave it out (every answer"
            " set no earlier option takes). Multiple choice: the option is selected exactly when"
            " its condition holds."
        ),
    ] = None
    note: Annotated[
        Text | None, Field(description="Where this reading is not exact: said in the diff.")
    ] = None


class QuestionReading(Model):
    """How an earlier version's question is answered from this version's answers: exactly one
    of `same`, `when` (a yes/no question), `options` (a choice question) or `not_read`."""

    id: Annotated[Id, Field(description="The earlier version's question id.")]
    same: Annotated[
        bool | None,
        Field(description="This version asks it with the same id, type and meaning."),
    ] = None
    when: Annotated[
        Condition | None, Field(description="A yes/no question: when the answer is yes.")
    ] = None
    options: tuple[OptionReading, ...] | None = None
    not_read: Annotated[
        Text | None,
        Field(description="No reading: why none is needed (no rule or fact reads it)."),
    ] = None
    note: Annotated[
        Text | None, Field(description="Where this reading is not exact: said in the diff.")
    ] = None

    @model_validator(mode="after")
    def _one_reading(self) -> "QuestionReading":
        given = [
            k
            for k, v in (
                ("same", self.same),
                ("when", self.when),
                ("options", self.options),
                ("not_read", self.not_read),
            )
            if v is not None
        ]
        if len(given) != 1 or self.same is False:
            raise ValueError(
                "a question reading takes exactly one of `same: true`, `when`, `options` or"
                f" `not_read` (found {', '.join(given) or 'none'})"
            )
        return self


class VersionReading(Model):
    """An earlier version of this protocol, read over this version's answers, so that `diff`
    can compare the two over one answer space when the questions were rewritten."""

    protocol: Annotated[Id, Field(description="The earlier version's metadata.id.")]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    questions: Annotated[tuple[QuestionReading, ...], Field(min_length=1)]


class Protocol(Model):
    metadata: Metadata
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    definitions: tuple[Definition, ...] = ()
    roles: Annotated[
        tuple[Role, ...],
        Field(
            description="Who may be checking (none, or at least two: one role tells nothing apart)."
            " When declared, the role is asked first (question id `role`, reserved) and a role"
            " not given is not known: the outcome is then the most urgent over every role.",
        ),
    ] = ()
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    derived: tuple[DerivedFact, ...] = ()
    pathways: Annotated[tuple[Pathway, ...], Field(min_length=1)]

    @field_validator("roles")
    @classmethod
    def _none_or_two(cls, roles: tuple[Role, ...]) -> tuple[Role, ...]:
        # `roles: []` is "no roles declared" (as a dumped protocol without roles writes it).
        if len(roles) == 1:
            raise ValueError("declare at least two roles (one role tells nothing apart), or none")
        return roles

    contacts: tuple[Contact, ...] = ()
    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]
    advice: tuple[Advice, ...] = ()
    context_prompts: tuple[Question, ...] = ()
    policy: Policy | None = None
    invariants: tuple[Invariant, ...] = ()
    approved_deviations: tuple[ApprovedDeviation, ...] = ()
    overlaps: tuple[Overlap, ...] = ()
    maps_from: Annotated[
        tuple[VersionReading, ...],
        Field(
            description="How earlier versions' questions are read from this version's answers"
            " (for `diff` across a rewrite of the questions)."
        ),
    ] = ()

    # Lookups (cheap: protocols are small).
    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def group(self, gid: str) -> GroupQuestion | None:
        """A repeated group among the questions or the context prompts."""
        for q in (*self.questions, *self.context_prompts):
            if q.id == gid and isinstance(q, GroupQuestion):
                return q
        return None

    @property
    def groups(self) -> tuple[GroupQuestion, ...]:
        return tuple(q for q in self.questions if isinstance(q, GroupQuestion))

    def pathway(self, pid: str) -> Pathway | None:
        return next((p for p in self.pathways if p.id == pid), None)

    def contact(self, cid: str) -> Contact | None:
        return next((c for c in self.contacts if c.id == cid), None)

    def source(self, sid: str) -> Source | None:
        return next((s for s in self.sources if s.id == sid), None)
