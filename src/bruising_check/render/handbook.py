"""A handbook a partnership could publish, generated from the protocol file itself, so that the
printed policy and the tool cannot drift apart.

`build` turns a protocol into the one block `Document` (`render.blocks`) that the printouts use
too: a section per chapter, subheadings, nested outlines, warnings, the flowchart and a body map.
`handbook_text` emits it as Markdown and HTML and `handbook_pdf` as PDF through the same
emitters as the printout. Protocol text is shown literally in every format.
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
from bruising_check.render import chart_views
from bruising_check.render.blocks import (
    Block,
    BodyMap,
    Chart,
    Document,
    Node,
    Outline,
    Para,
    Section,
    Subheading,
    Warning,
)
from bruising_check.render.words import (
    OUT_OF_SCOPE_INSTEAD,
    OUT_OF_SCOPE_TITLE,
    POLICY_NAMES,
    UNDATED,
    Line,
    condition_lines,
    contact_line,
    long_date,
    policy_value,
)


@dataclass(frozen=True)
class _Chapter:
    """Starts a section of the document (a chapter of the handbook)."""

    text: str
    anchor: str | None = None


_Part = _Chapter | Block


def _from_line(line: Line) -> Node:
    return Node(line.text, children=tuple(_from_line(c) for c in line.children))


def _cites(protocol: Protocol, cite: Sequence[str]) -> Node | None:
    if not cite:
        return None
    children = []
    for sid in cite:
        s = protocol.source(sid)
        children.append(Node(f"[{sid}] {s.title if s else '(not in the sources list)'}"))
    return Node("Sources:", children=tuple(children))


def _opt(*items: Node | None) -> tuple[Node, ...]:
    return tuple(i for i in items if i is not None)


def build(protocol: Protocol, *, file: str, sha256: str, today: dt.date) -> Document:
    """The handbook for `protocol`, in the order of a published protocol: scope, what to do,
    the flowchart, definitions, the questions, the rules, the body map, governance, sources.
    `today` decides whether the review date has passed. `file` is never printed: a published
    handbook names the protocol by id, version and SHA-256, not by a path on someone's disk."""
    del file
    p = protocol
    m = p.metadata
    parts: list[_Part] = [
        *_scope(p, today),
        *_what_to_do(p),
        _Chapter("The flowchart", "flowchart"),
        Para(
            "The checks in order, each with the pathway it leads to (coloured by urgency)."
            " The rules below are the full statement; the chart is an overview."
        ),
        Chart(chart_views.overview(p), "The flowchart: the overview of the checks and pathways."),
        *_definitions(p),
        *_questions(p),
        *_rules(p),
        _Chapter("Body map", "body-map"),
        Para(
            "For recording where each mark is: number each mark on the map and write the"
            " same number beside its description in the record."
        ),
        BodyMap((), "Front and back; mark the side (the child's left or right)."),
        *_governance(p, sha256, today),
        *_sources(p),
    ]
    sections: list[Section] = []
    for part in parts:
        if isinstance(part, _Chapter):
            sections.append(Section(part.text, (), anchor=part.anchor))
        elif sections:
            last = sections[-1]
            sections[-1] = Section(last.heading, (*last.blocks, part), anchor=last.anchor)
    sections.append(Section(None, (Para(STATEMENT, "small"),)))
    return Document(m.title, f"{m.title} - version {m.version} ({m.status})", tuple(sections))


def _scope(p: Protocol, today: dt.date) -> Iterator[_Part]:
    m = p.metadata
    yield _Chapter("Scope and who this is for", "scope")
    yield Para(m.disclaimer)
    yield Para(STATEMENT)
    yield Outline(
        (
            Node(m.issued_by, "Issued by"),
            Node(f"{m.version} ({m.status})", "Version"),
            Node(long_date(m.review_due), "Review due"),
        )
    )
    if m.status != "approved":
        yield Warning(f"Warning: This protocol is a {m.status}, not an approved local protocol.")
    if m.review_due is not None and m.review_due < today:
        yield Warning(f"Warning: The review date ({long_date(m.review_due)}) has passed.")
    if p.roles:
        yield Subheading("Who may be checking")
        yield Para(
            "The check asks your role first: some rules depend on it. If it is not given, the"
            " result is the most urgent for any of these roles."
        )
        yield Outline(
            tuple(
                Node(
                    r.label,
                    children=(
                        Node(
                            "health professional"
                            if r.health_professional
                            else "not a health professional"
                        ),
                    ),
                )
                for r in p.roles
            )
        )
    if p.policy is not None:
        scope = p.policy.model_dump()
        rows = [
            Node(policy_value((p,), k, scope[k]), POLICY_NAMES[k] + ":")
            for k in ("scope_mark_types", "disability", "mobility_milestones")
            if k in scope and scope[k] is not None
        ]
        if rows:
            yield Outline(tuple(rows))


def _what_to_do(p: Protocol) -> Iterator[_Part]:
    yield _Chapter("What to do: pathways, actions, timescales and contacts", "what-to-do")
    yield Para(
        "Each case ends in one of these pathways, most urgent first. The rules (below) say"
        " which; an answer that is not known can only make the pathway more urgent."
    )
    if any(c.placeholder for c in p.contacts):
        yield Warning(
            "Warning: Contacts marked PLACEHOLDER are examples, not real numbers. Replace them with"
            " your partnership's own before publishing or using this protocol."
        )
    for pw in sorted(p.pathways, key=lambda x: x.urgency):
        yield Subheading(f"{pw.urgency}. {pw.title}", f"pathway-{pw.id}")
        if pw.level == "out_of_scope":
            # Never "no action": the procedure does not apply, and the actions say what instead.
            yield Para(OUT_OF_SCOPE_INSTEAD, label=f"{OUT_OF_SCOPE_TITLE}.")
        yield Para(pw.timescale.label, label="Timescale:")
        if pw.level is not None:
            yield Para(LEVEL_LABELS[pw.level], label="Level on the national scale:")
        if pw.summary:
            yield Para(pw.summary)
        yield Outline(tuple(_action(p, a) for a in pw.actions))
    if p.contacts:
        yield Subheading("Contacts")
        for c in p.contacts:
            sourced = _opt(
                Node(c.source, "Source:") if c.source else None,
                Node(long_date(c.verified_on), "Verified on:") if c.verified_on else None,
            )
            yield Outline((Node(contact_line(c) or c.name, children=sourced),))
    if p.advice:
        yield Subheading("Added to any pathway when it applies")
        for a in p.advice:
            yield Outline(
                (
                    Node(
                        a.because,
                        f"Advice {a.id}:",
                        children=(
                            Node("", "When", children=(_from_line(condition_lines(p, a.when)),)),
                            Node("", "Actions:", children=tuple(_action(p, x) for x in a.actions)),
                            *_opt(_cites(p, a.cite)),
                        ),
                    ),
                )
            )
    if p.context_prompts:
        yield Subheading("Family context (recorded; never changes the pathway)")
        yield Outline(
            tuple(
                Node(
                    c.prompt, children=tuple(_opt(Node(c.help, "Why we ask:") if c.help else None))
                )
                for c in p.context_prompts
            )
        )


def _definitions(p: Protocol) -> Iterator[_Part]:
    if p.definitions:
        yield _Chapter("Definitions", "definitions")
        for d in p.definitions:
            yield Outline((Node(d.text, d.term + ":", children=_opt(_cites(p, d.cite))),))


def _questions(p: Protocol) -> Iterator[_Part]:
    yield _Chapter("The questions, and why each is asked", "questions")
    yield Para("Asked in this order. Questions that do not apply to a child are skipped.")
    section = None
    for n, q in enumerate(p.questions, 1):
        if q.section and q.section != section:
            section = q.section
            yield Subheading(section)
        details: list[Node] = []
        if q.help:
            details.append(Node(q.help, "Why we ask:"))
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            kind = "Choose one:" if isinstance(q, SingleChoiceQuestion) else "Choose any:"
            opts = tuple(
                Node(o.label + (f" - {o.help}" if o.help else ""), f"{o.id}:") for o in q.options
            )
            details.append(Node("", kind, children=opts))
        elif isinstance(q, NumberQuestion):
            details.append(Node(f"a number of {q.unit}, {q.min:g} to {q.max:g}", "Answer:"))
        elif isinstance(q, TextQuestion):
            details.append(Node(f"free text, up to {q.max_length} characters", "Answer:"))
        else:
            details.append(Node("yes or no", "Answer:"))
        if q.ask_if is not None:
            when = _from_line(condition_lines(p, q.ask_if))
            details.append(Node("", "Asked only if", children=(when,)))
        details.append(
            Node("required" if q.required else "optional (may be left as not known)", "Answer is")
        )
        cites = _cites(p, q.cite)
        if cites:
            details.append(cites)
        yield Outline((Node(q.prompt, f"{n}. ({q.id})", children=tuple(details)),))

    if p.derived:
        yield _Chapter("Facts worked out from the answers")
        for f in p.derived:
            how = (
                _from_line(condition_lines(p, f.condition))
                if isinstance(f, BooleanFact)
                else Node("calculated from the answers" + (f", in {f.unit}" if f.unit else ""))
            )
            children = [
                Node("", "True when" if isinstance(f, BooleanFact) else "Value:", children=(how,))
            ]
            if not isinstance(f, BooleanFact) and f.applies_if is not None:
                children.append(
                    Node(
                        "",
                        "Applies only if",
                        children=(_from_line(condition_lines(p, f.applies_if)),),
                    )
                )
            if f.help:
                children.append(Node(f.help, "Note:"))
            children.extend(_opt(_cites(p, f.cite)))
            step = " (a working step, shown in the record's data only)" if f.internal else ""
            yield Outline((Node(f.label + step, f"({f.id})", children=tuple(children)),))


def _rules(p: Protocol) -> Iterator[_Part]:
    yield _Chapter("The rules in plain English, with their sources", "rules")
    yield Para(
        "The rules are checked in this order and the first one that matches decides the pathway."
        " Advice is added whenever it matches and never changes the pathway. An answer that is"
        " not known can only make the pathway more urgent."
    )
    for r in p.rules:
        pw = p.pathway(r.pathway)
        yield Subheading(f"Rule {r.id}: {pw.title if pw else r.pathway}", f"rule-{r.id}")
        if r.contested:
            yield Warning("Warning: " + (r.note or f"Rule {r.id} is contested."))
        yield Outline(
            (
                Node("", "When", children=(_from_line(condition_lines(p, r.when)),)),
                Node(r.because, "Why:"),
                *([Node(r.note, "Note:")] if r.note and not r.contested else []),
                *_opt(_cites(p, r.cite)),
            )
        )
    if p.invariants:
        yield _Chapter("Safeguards the tool always keeps")
        for inv in p.invariants:
            floor = p.pathway(inv.at_least)
            yield Outline(
                (
                    Node(
                        inv.because,
                        f"{inv.id}: at least \u201c{floor.title if floor else inv.at_least}\u201d.",
                        children=_opt(_cites(p, inv.cite)),
                    ),
                )
            )


def _governance(p: Protocol, sha256: str, today: dt.date) -> Iterator[_Part]:
    m = p.metadata
    yield _Chapter("Governance: version, approval, review and changes", "governance")
    yield Outline(
        (
            Node(m.id, "Protocol id"),
            Node(m.version, "Version"),
            Node(m.status, "Status"),
            Node(m.issued_by, "Issued by"),
            Node(m.approved_by or "not yet approved", "Approved by"),
            Node(long_date(m.approved_on), "Approved on"),
            Node(long_date(m.effective_from), "Effective from"),
            Node(long_date(m.review_due), "Review due"),
            *([Node(m.supersedes, "Supersedes")] if m.supersedes else []),
            Node(f"SHA-256 {sha256}, on {long_date(today)}", "This handbook was generated from"),
        )
    )
    if m.aligned_to:
        yield Subheading("Aligned to")
        yield Outline(
            tuple(
                Node(f"[{a.source}] {_source_title(p, a.source)}: {a.date}") for a in m.aligned_to
            )
        )
    if p.approved_deviations:
        yield Subheading("Deviations the partnership approved")
        yield Para(
            "Where this protocol differs on purpose from a reference protocol, and who approved"
            " it. bruising-check validate --against checks that each one still matches a real"
            " difference."
        )
        for dev in p.approved_deviations:
            approval = _opt(
                Node(dev.against, "Against:"),
                Node(", ".join(dev.rules), "Rules:") if dev.rules else None,
                Node("", "When", children=(_from_line(condition_lines(p, dev.when)),))
                if dev.when is not None
                else None,
                Node(", ".join(dev.policy), "Policy fields:") if dev.policy else None,
                Node(f"{dev.approved_by}, {long_date(dev.approved_on, UNDATED)}", "Approved by:"),
                _cites(p, dev.cite) if dev.cite else None,
            )
            yield Outline((Node(dev.why, f"{dev.id}:", children=approval),))
    if p.policy is not None:
        yield Subheading("Where this protocol stands on points local protocols differ on")
        yield Outline(
            tuple(
                Node(
                    "none: milestones decide"
                    if k == "age_anchor" and v is None
                    else policy_value((p,), k, v),
                    POLICY_NAMES.get(k, k.replace("_", " ")) + ":",
                )
                for k, v in p.policy.model_dump().items()
            )
        )
        yield Para(_policy_checked(p))

    if m.changelog:
        yield Subheading("Changes")
        yield Outline(
            tuple(Node(c.summary, f"{c.version} ({c.date.isoformat()}):") for c in m.changelog)
        )

    if m.notes:
        yield Subheading("Notes")
        yield Outline(tuple(Node(n) for n in m.notes))


def _sources(p: Protocol) -> Iterator[_Part]:
    yield _Chapter("Sources")
    for s in p.sources:
        status = {
            "verified": None,
            "unverified": "UNVERIFIED: wording not checked against the source",
            "not_available": "NOT AVAILABLE to the authors: not encoded",
        }[s.status]
        notes = _opt(
            Node(s.note, "Note:") if s.note else None,
            Node(status) if status else None,
        )
        year = f" ({s.year})" if s.year and str(s.year) not in s.title else ""
        yield Outline((Node(s.title + year, f"[{s.id}]", url=s.url, children=notes),))


def _source_title(p: Protocol, sid: str) -> str:
    s = p.source(sid)
    return s.title if s else "(not in the sources list)"


def _action(p: Protocol, a: Action) -> Node:
    details: list[Node] = []
    if a.when is not None:
        details.append(Node("", "Only if", children=(_from_line(condition_lines(p, a.when)),)))
    if a.timescale:
        details.append(Node(a.timescale.label, "When:"))
    if a.responsible:
        details.append(Node(a.responsible, "Who:"))
    if a.contact:
        c = p.contact(a.contact)
        details.append(
            Node(
                contact_line(c) or "" if c else f"{a.contact} (not in the contacts list)",
                "Contact:",
            )
        )
    return Node(a.text, children=tuple(details))


def _policy_checked(p: Protocol) -> str:
    """Which stated positions `validate` checks against the rules: the others are only stated,
    and the handbook must not let them read as checked."""
    from bruising_check.analysis.policy import checked_against_rules  # the analysis is heavy

    assert p.policy is not None
    stated = [k for k in type(p.policy).model_fields if p.policy.stated(k)]
    label = {k: POLICY_NAMES.get(k, k.replace("_", " ")).lower() for k in stated}
    checked = [label[k] for k in stated if checked_against_rules(p, k)]
    if not stated:
        return "The protocol states no position on these points."
    if not checked:
        return (
            "These positions are the partnership's own statement: bruising-check does not check"
            " them against the rules."
        )
    rest = len(stated) - len(checked)
    others = (
        " The other stated positions are the partnership's own statement: bruising-check does"
        " not check them against the rules."
        if rest
        else ""
    )
    return (
        "bruising-check validate checks these stated positions against the rules (it warns when"
        f" the rules do not keep one): {'; '.join(checked)}.{others}"
    )
