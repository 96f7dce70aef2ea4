"""A handbook a partnership could publish, generated from the protocol file itself, so that the
printed policy and the tool cannot drift apart.

`build` turns a protocol into a small document model (headings, paragraphs, nested bullets,
warnings); `handbook_render` turns it into Markdown and HTML, `handbook_pdf` into PDF. Protocol
text is shown literally in every format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bruising_check import STATEMENT
from bruising_check.protocol.levels import LEVEL_LABELS
from bruising_check.protocol.model import (
    Action,
    BooleanFact,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.render.words import (
    OUT_OF_SCOPE_INSTEAD,
    OUT_OF_SCOPE_TITLE,
    Line,
    condition_lines,
    contact_line,
    long_date,
)

# --- the document model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    label: str | None = None  # shown in bold before the text


@dataclass(frozen=True)
class Item:
    text: str
    label: str | None = None
    url: str | None = None
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Warning:
    """Something a reader must not miss: placeholders, contested rules, unverified sources."""

    text: str


Block = Heading | Para | Items | Warning


@dataclass(frozen=True)
class Handbook:
    title: str
    blocks: tuple[Block, ...]


# --- building -----------------------------------------------------------------------------------


def _from_line(line: Line) -> Item:
    return Item(line.text, children=tuple(_from_line(c) for c in line.children))


def _cites(protocol: Protocol, cite: Sequence[str]) -> Item | None:
    if not cite:
        return None
    children = []
    for sid in cite:
        s = protocol.source(sid)
        children.append(Item(f"[{sid}] {s.title if s else '(not in the sources list)'}"))
    return Item("Sources:", children=tuple(children))


def _opt(*items: Item | None) -> tuple[Item, ...]:
    return tuple(i for i in items if i is not None)


def build(protocol: Protocol, *, file: str, sha256: str, today: dt.date) -> Handbook:
    """The handbook for `protocol`. `today` decides whether the review date has passed."""
    return Handbook(protocol.metadata.title, tuple(_blocks(protocol, file, sha256, today)))


def _blocks(p: Protocol, file: str, sha256: str, today: dt.date) -> Iterator[Block]:
    m = p.metadata
    yield Heading(1, m.title)
    yield Items(
        (
            Item(m.version, "Version"),
            Item(m.status, "Status"),
            Item(m.issued_by, "Issued by"),
            Item(m.approved_by or "not yet approved", "Approved by"),
            Item(long_date(m.approved_on), "Approved on"),
            Item(long_date(m.effective_from), "Effective from"),
            Item(long_date(m.review_due), "Review due"),
            *([Item(m.supersedes, "Supersedes")] if m.supersedes else []),
            Item(f"{file} (SHA-256 {sha256[:16]}…), on {long_date(today)}", "Generated from"),
        )
    )
    if m.status != "approved":
        yield Warning(f"This protocol is a {m.status}, not an approved local protocol.")
    if m.review_due is not None and m.review_due < today:
        yield Warning(f"The review date ({long_date(m.review_due)}) has passed.")
    yield Para(m.disclaimer, "Disclaimer:")
    yield Para(STATEMENT)
    if m.aligned_to:
        yield Heading(2, "Aligned to")
        yield Items(
            tuple(
                Item(f"[{a.source}] {_source_title(p, a.source)}: {a.date}") for a in m.aligned_to
            )
        )
    if m.notes:
        yield Heading(2, "Notes")
        yield Items(tuple(Item(n) for n in m.notes))

    if p.definitions:
        yield Heading(2, "Definitions")
        for d in p.definitions:
            yield Items((Item(d.text, d.term + ":", children=_opt(_cites(p, d.cite))),))

    if p.roles:
        yield Heading(2, "Who may be checking")
        yield Para(
            "The check asks your role first: some rules depend on it. If it is not given, the"
            " result is the most urgent for any of these roles."
        )
        yield Items(
            tuple(
                Item(
                    r.label,
                    children=(
                        Item(
                            "health professional"
                            if r.health_professional
                            else "not a health professional"
                        ),
                    ),
                )
                for r in p.roles
            )
        )

    yield Heading(2, "The questions, and why each is asked")
    yield Para("Asked in this order. Questions that do not apply to a child are skipped.")
    section = None
    for n, q in enumerate(p.questions, 1):
        if q.section and q.section != section:
            section = q.section
            yield Heading(3, section)
        details: list[Item] = []
        if q.help:
            details.append(Item(q.help, "Why we ask:"))
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            kind = "Choose one:" if isinstance(q, SingleChoiceQuestion) else "Choose any:"
            opts = tuple(
                Item(o.label + (f" - {o.help}" if o.help else ""), f"{o.id}:") for o in q.options
            )
            details.append(Item("", kind, children=opts))
        elif isinstance(q, NumberQuestion):
            details.append(Item(f"a number of {q.unit}, {q.min:g} to {q.max:g}", "Answer:"))
        elif isinstance(q, TextQuestion):
            details.append(Item(f"free text, up to {q.max_length} characters", "Answer:"))
        else:
            details.append(Item("yes or no", "Answer:"))
        if q.ask_if is not None:
            when = _from_line(condition_lines(p, q.ask_if))
            details.append(Item("", "Asked only if", children=(when,)))
        details.append(
            Item("required" if q.required else "optional (may be left as not known)", "Answer is")
        )
        cites = _cites(p, q.cite)
        if cites:
            details.append(cites)
        yield Items((Item(q.prompt, f"{n}. ({q.id})", children=tuple(details)),))

    if p.derived:
        yield Heading(2, "Facts worked out from the answers")
        for f in p.derived:
            how = (
                _from_line(condition_lines(p, f.condition))
                if isinstance(f, BooleanFact)
                else Item("calculated from the answers" + (f", in {f.unit}" if f.unit else ""))
            )
            children = [
                Item("", "True when" if isinstance(f, BooleanFact) else "Value:", children=(how,))
            ]
            if not isinstance(f, BooleanFact) and f.applies_if is not None:
                children.append(
                    Item(
                        "",
                        "Applies only if",
                        children=(_from_line(condition_lines(p, f.applies_if)),),
                    )
                )
            if f.help:
                children.append(Item(f.help, "Note:"))
            children.extend(_opt(_cites(p, f.cite)))
            step = " (a working step, shown in the record's data only)" if f.internal else ""
            yield Items((Item(f.label + step, f"({f.id})", children=tuple(children)),))

    yield Heading(2, "The rules")
    yield Para(
        "The rules are checked in this order and the first one that matches decides the pathway."
        " Advice is added whenever it matches and never changes the pathway. An answer that is"
        " not known can only make the pathway more urgent."
    )
    for r in p.rules:
        pw = p.pathway(r.pathway)
        yield Heading(3, f"Rule {r.id}: {pw.title if pw else r.pathway}", f"rule-{r.id}")
        if r.contested:
            yield Warning(r.note or f"Rule {r.id} is contested.")
        yield Items(
            (
                Item("", "When", children=(_from_line(condition_lines(p, r.when)),)),
                Item(r.because, "Why:"),
                *([Item(r.note, "Note:")] if r.note and not r.contested else []),
                *_opt(_cites(p, r.cite)),
            )
        )
    if p.advice:
        yield Heading(2, "Advice added to any pathway")
        for a in p.advice:
            yield Heading(3, f"Advice {a.id}")
            yield Items(
                (
                    Item("", "When", children=(_from_line(condition_lines(p, a.when)),)),
                    Item(a.because, "Why:"),
                    Item("", "Actions:", children=tuple(_action(p, x) for x in a.actions)),
                    *_opt(_cites(p, a.cite)),
                )
            )
    if p.invariants:
        yield Heading(2, "Safeguards the tool always keeps")
        for inv in p.invariants:
            floor = p.pathway(inv.at_least)
            yield Items(
                (
                    Item(
                        inv.because,
                        f"{inv.id}: at least \u201c{floor.title if floor else inv.at_least}\u201d.",
                        children=_opt(_cites(p, inv.cite)),
                    ),
                )
            )

    yield Heading(2, "Pathways, actions, timescales and contacts")
    for pw in sorted(p.pathways, key=lambda x: x.urgency):
        yield Heading(3, f"{pw.urgency}. {pw.title}", f"pathway-{pw.id}")
        if pw.level == "out_of_scope":
            # Never "no action": the procedure does not apply, and the actions say what instead.
            yield Para(OUT_OF_SCOPE_INSTEAD, f"{OUT_OF_SCOPE_TITLE}.")
        yield Para(pw.timescale.label, "Timescale:")
        if pw.level is not None:
            yield Para(LEVEL_LABELS[pw.level], "Level on the national scale:")
        if pw.summary:
            yield Para(pw.summary)
        yield Items(tuple(_action(p, a) for a in pw.actions))

    if p.contacts:
        yield Heading(2, "Contacts")
        if any(c.placeholder for c in p.contacts):
            yield Warning(
                "Contacts marked PLACEHOLDER are examples, not real numbers. Replace them with"
                " your partnership's own before publishing or using this protocol."
            )
        for c in p.contacts:
            sourced = _opt(
                Item(c.source, "Source:") if c.source else None,
                Item(long_date(c.verified_on), "Verified on:") if c.verified_on else None,
            )
            yield Items((Item(contact_line(c) or c.name, children=sourced),))

    if p.context_prompts:
        yield Heading(2, "Family context (recorded; never changes the pathway)")
        yield Items(
            tuple(
                Item(
                    c.prompt, children=tuple(_opt(Item(c.help, "Why we ask:") if c.help else None))
                )
                for c in p.context_prompts
            )
        )

    if p.policy is not None:
        yield Heading(2, "Where this protocol stands on points local protocols differ on")
        yield Items(
            tuple(
                Item(
                    "none: milestones decide"
                    if k == "age_anchor" and v is None
                    else _policy_value(v),
                    _POLICY_LABELS.get(k, k.replace("_", " ")) + ":",
                )
                for k, v in p.policy.model_dump().items()
            )
        )

    if p.approved_deviations:
        yield Heading(2, "Deviations the partnership approved")
        yield Para(
            "Where this protocol differs on purpose from a reference protocol, and who approved"
            " it. bruising-check validate --against checks that each one still matches a real"
            " difference."
        )
        for dev in p.approved_deviations:
            approval = _opt(
                Item(dev.against, "Against:"),
                Item(", ".join(dev.rules), "Rules:") if dev.rules else None,
                Item("", "When", children=(_from_line(condition_lines(p, dev.when)),))
                if dev.when is not None
                else None,
                Item(", ".join(dev.policy), "Policy fields:") if dev.policy else None,
                Item(f"{dev.approved_by}, {long_date(dev.approved_on)}", "Approved by:"),
                _cites(p, dev.cite) if dev.cite else None,
            )
            yield Items((Item(dev.why, f"{dev.id}:", children=approval),))

    yield Heading(2, "Sources")
    for s in p.sources:
        status = {
            "verified": None,
            "unverified": "UNVERIFIED: wording not checked against the source",
            "not_available": "NOT AVAILABLE to the authors: not encoded",
        }[s.status]
        notes = _opt(
            Item(s.note, "Note:") if s.note else None,
            Item(status) if status else None,
        )
        year = f" ({s.year})" if s.year and str(s.year) not in s.title else ""
        yield Items((Item(s.title + year, f"[{s.id}]", url=s.url, children=notes),))

    if m.changelog:
        yield Heading(2, "Changes")
        yield Items(
            tuple(Item(c.summary, f"{c.version} ({c.date.isoformat()}):") for c in m.changelog)
        )


def _source_title(p: Protocol, sid: str) -> str:
    s = p.source(sid)
    return s.title if s else "(not in the sources list)"


def _action(p: Protocol, a: Action) -> Item:
    details: list[Item] = []
    if a.when is not None:
        details.append(Item("", "Only if", children=(_from_line(condition_lines(p, a.when)),)))
    if a.timescale:
        details.append(Item(a.timescale.label, "When:"))
    if a.responsible:
        details.append(Item(a.responsible, "Who:"))
    if a.contact:
        c = p.contact(a.contact)
        details.append(
            Item(
                contact_line(c) or "" if c else f"{a.contact} (not in the contacts list)",
                "Contact:",
            )
        )
    return Item(a.text, children=tuple(details))


# The policy block's fields and closed values in words (DOMAIN.md §4); anything else is shown
# with underscores as spaces.
_POLICY_LABELS = {
    "rolling_counts_as_mobility": "Rolling counts as independent mobility",
    "mobility_milestones": "Milestones that make a child independently mobile",
    "age_anchor": "Age anchor that overrides milestones",
    "corrected_age": "Corrected age for prematurity",
    "scope_mark_types": "Marks in scope",
    "petechiae_count_as_bruise": "Petechiae count as bruising",
    "disability": "Disabled or developmentally delayed older children",
    "nim_explanation": "Explanation considered for a non-mobile baby",
    "who_may_decide_no_referral": "Who may decide not to refer",
    "suspected_birthmark": "Suspected birthmark",
    "medical_procedure_marks": "Marks from a documented medical procedure",
    "known_bleeding_disorder": "Known bleeding disorder",
    "first_step": "First step",
    "strategy_discussion": "Strategy discussion",
    "referral_timescale": "Referral timescale",
    "remote_reports": "Reports by phone, photo or a third party",
    "escalation_if_declined": "If the referral is declined",
    "informing_parents": "Informing parents",
}
_POLICY_VALUES = {
    "recorded_only": "recorded only, not used to decide",
    "used": "used to decide",
    "included": "included",
    "excluded_if_wheelchair_user_who_can_give_account": (
        "excluded if a wheelchair user who can give an account"
    ),
    "physical_only": "physical disability only",
    "regardless": "no: every mark is referred regardless of the explanation",
    "explanation_dependent": "yes: the explanation can change the pathway",
    "abrasions_only_dependent": (
        "only for an abrasion; every other mark is referred regardless of the explanation"
    ),
    "end": "no further action under the protocol (record and advise)",
    "discuss": "same-day discussion before deciding on referral",
    "refer": "same-day referral",
    "both_same_day": "social care and health assessment, both the same day",
    "social_care_first": "social care first",
    "health_triage_first": "same-day health triage first",
    "after_appraisal": "only after an initial appraisal",
    "every_case": "in every case",
    "must_refer": "acted on as if seen in person",
    "treated_as_seen": "treated as if seen",
    "not_stated": "not stated",
}


def _policy_value(value: object) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return _POLICY_VALUES.get(str(value), str(value).replace("_", " "))
