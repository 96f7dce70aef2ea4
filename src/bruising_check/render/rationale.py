"""The rationale of one check as one `Document` (`Record -> Document`): every format (the guided
screen, text, Markdown, HTML, PDF) is a thin emitter of it, so all show the same sections in the
same order with the same words: the pathway and its timescale first, then the actions, then the
reasons. Works from the record alone, so a saved JSON record can be printed again years later.

What a printout singles out (a screening fact, the mobility fact) is declared in the protocol
with `show_as` on a derived fact; nothing here knows a protocol's ids.
"""

from __future__ import annotations

from collections.abc import Iterator

from bruising_check.records.record import AnswerEntry, FactEntry, Mark, Record
from bruising_check.render import bodymap
from bruising_check.render import words as w
from bruising_check.render.blocks import (
    Banner,
    Block,
    BodyMap,
    Bullet,
    Bullets,
    Check,
    Checklist,
    Document,
    Fields,
    MapMark,
    Para,
    Section,
    Signature,
    Table,
    Warning,
)

TITLE = "Bruising check: rationale"
# The tool's own framing, not a guideline sentence: the protocol's notes give the evidence.
SCREENING_CAVEAT = (
    "Screening information shown beside the decision, not the decision: it never changes the"
    " pathway."
)
UNKNOWN_NOTE = (
    "An answer that is not known is never taken as a fact: the pathway is the most urgent one"
    " any answer to it could give."
)
SIGN_FIELDS = ("Name", "Role", "Signature", "Date and time")
HEADER_LABELS = (
    ("practitioner", "Practitioner"),
    ("role", "Role"),
    ("child_reference", "Child reference"),
)
CONTEXT_HEADING = "Context (never changes the pathway; may add actions)"
MAY_APPLY = "May apply (an answer it depends on is not known): "


def running_head(r: Record) -> str:
    """What every printed page carries: child reference, date, protocol version."""
    child = r.header.child_reference or "____________"
    p = r.protocol
    return (
        f"Child reference: {child} | Checked {w.moment_text(r.created_at)} |"
        f" {p.id} version {p.version}"
    )


def document(r: Record) -> Document:
    return Document(TITLE, running_head(r), tuple(_sections(r)))


def _sections(r: Record) -> Iterator[Section]:
    yield Section(None, (_header(r),), on_screen=False)
    yield Section(None, tuple(_pathway(r)))
    if w.out_of_scope(r):
        yield Section(
            w.OUT_OF_SCOPE_ACTIONS,
            (_actions(r),) if r.actions else (Para(w.OUT_OF_SCOPE_NO_ACTIONS),),
        )
    else:
        yield Section(
            "Actions",
            (_actions(r),) if r.actions else (Para("The protocol lists no action for this."),),
        )
    yield Section("Why", (_reasons(r), *_accounted(r)))
    unknown = tuple(_unknowns(r))
    if unknown:
        yield Section("What was not known", unknown)
    child = _child(r)
    if child is not None:
        yield Section("The child", (child,))
    screening = tuple(_screening(r))
    if screening:
        yield Section(_screening_heading(r), screening)
    marks = tuple(_marks(r))
    if marks:
        yield Section("Marks", marks)
    yield Section("In their own words, and notes", tuple(_verbatim(r)))
    yield Section("Every question and its answer", (_answers(r),), on_screen=False)
    if r.context:
        yield Section(
            CONTEXT_HEADING,
            (
                Table(
                    ("Question", "Answer"),
                    tuple((c.prompt, c.answer_label or "(not answered)") for c in r.context),
                ),
            ),
            on_screen=False,
        )
    yield Section("Sources", (_sources(r),), on_screen=False)
    yield Section("Signed", (Signature(SIGN_FIELDS),), on_screen=False)
    yield Section(
        "About this record",
        (
            Para(r.statement, "strong"),
            Para(r.disclaimer, "small"),
            Para(
                f"Record checksum: {r.checksum} - {r.tool.name} {r.tool.version}",
                "small",
            ),
        ),
    )


def _header(r: Record) -> Fields:
    p = r.protocol
    rows: list[tuple[str, str | None]] = [("Checked", w.moment_text(r.created_at))]
    rows.extend((label, getattr(r.header, key)) for key, label in HEADER_LABELS)
    rows.extend(
        [
            ("Protocol", p.title),
            ("Version", f"{p.version} ({p.status})"),
            ("Review due", w.long_date(p.review_due)),
            ("Protocol SHA-256", p.sha256),
        ]
    )
    return Fields(tuple(rows))


def _pathway(r: Record) -> Iterator[Block]:
    out = r.outcome
    if out is None:
        yield Banner(w.NO_PATHWAY_TITLE, (), (w.NO_PATHWAY_INSTRUCTION,), urgency=1)
        return
    timescale = w.timescale_text(out.timescale, out.deadline) or out.timescale
    then = out.then_pathway
    lines: tuple[str, ...]
    if then is None:
        lines = (f"Timescale: {timescale}",)
    else:
        after = w.timescale_text(then.timescale, then.deadline) or then.timescale
        # The banner is the pathway now (its title said once, issue 12); then the follow-on.
        lines = (f"Timescale: {timescale}", f"Then: {then.title} - {after}")
    extra = tuple(s for s in (out.summary, then.summary if then else None) if s)
    if w.out_of_scope(r):
        # Never "no action": the procedure does not apply, and what to do instead follows.
        extra = (out.title, *extra, w.OUT_OF_SCOPE_INSTEAD)
        yield Banner(w.OUT_OF_SCOPE_TITLE, lines, extra, urgency=out.urgency)
        return
    yield Banner(out.title, lines, extra, urgency=out.urgency)
    yield from _equally_urgent(r)
    if r.raised_for_safety:
        yield Warning(w.RAISED_FOR_SAFETY)


def _equally_urgent(r: Record) -> Iterator[Block]:
    """An equal alternative the answers not known could give: a practitioner must see it, since
    its actions differ and finding out the answer decides which applies."""
    assert r.outcome is not None
    for alt in r.outcome.equally_urgent:
        names = [w.path_name(r, path) for path in alt.depends_on]
        which = " and ".join(f"“{n}”" for n in names) or "answers that were not known"
        yield Warning(
            f"Equally urgent: “{alt.title}”, if {which} were answered otherwise. Find out: which"
            " of the two applies depends on it, and their actions differ."
        )


def _actions(r: Record) -> Checklist:
    items = []
    pathway_deadline = r.outcome.deadline if r.outcome else None
    # Advice that applies only in some completions of the unknowns (a carer's "seen" left
    # unanswered): its actions are never shown as firm.
    maybe = {f.id for f in r.rules_fired if f.kind == "advice" and not f.certain}
    listed = {a.id for a in r.actions}
    for a in r.actions:
        details: list[tuple[str, str]] = []
        # The pathway's own timescale is said once, in the box above; only a different one here.
        if a.deadline is not None and a.deadline != pathway_deadline:
            when = w.timescale_text(a.timescale, a.deadline)
            if when and a.deadline.after is not None and a.deadline.after not in listed:
                when += f" ({w.AFTER_NOT_LISTED})"
            if when:
                details.append(("When", when))
        if a.depends_on_unknown:
            details.append(("Depends on", w.depends_on_text(r, a.depends_on)))
        if a.responsible:
            details.append(("Who", a.responsible))
        contact = w.contact_line(a.contact_detail)
        if contact:
            details.append(("Contact", contact))
        placeholder = a.contact_detail is not None and a.contact_detail.placeholder
        text = f"{MAY_APPLY}{a.text}" if a.from_ in maybe else a.text
        items.append(Check(text, tuple(details), placeholder))
    return Checklist(tuple(items))


def _reasons(r: Record) -> Bullets:
    items = []
    raised = any(f.kind == "might_apply" for f in r.rules_fired)
    for f in r.rules_fired:
        sub = []
        for sid in f.cite:
            s = r.sources.get(sid)
            if s is None:
                continue
            status = "" if s.status == "verified" else f" ({s.status.replace('_', ' ')})"
            sub.append(f"{s.title}{status}" + (f" {s.url}" if s.url else ""))
        might = f.kind == "might_apply" or not f.certain
        kind = w.rule_kind("might_apply") if might else w.rule_kind(f.kind)
        if f.kind == "decides" and r.outcome is not None and f.pathway != r.outcome.id and raised:
            # The unknowns raised the pathway above this rule's: it is not what decided (a
            # protocol safeguard that raises it says so in its own line).
            kind = w.rule_kind("decides_as_given")
        # A reason that only might apply is worded as a condition, never as a fact: a rule that
        # might give the pathway hangs on the unknowns that decided it (the record names them);
        # advice on its own condition's unknowns, which the record does not keep apart.
        unknown = w.unknown_names(r) if f.kind == "might_apply" else []
        because = w.might_apply_text(f.because, unknown) if might else f.because
        items.append(Bullet(f"{f.id} ({kind}): {because}", tuple(sub)))
    return Bullets(tuple(items))


def mark_name(m: Mark) -> str:
    """`Mark 1 (bruise, Face: cheek (the fleshy part), left)`: the number as on the body map."""
    kind = m.label_of("type")
    side = m.side_label.lower() if m.side_label else None
    where = _with_side(m.site_label or m.site or "site not recorded", m.site or "", side)
    return f"Mark {m.number} ({kind.lower() + ', ' if kind else ''}{where})"


def _accounted(r: Record) -> Iterator[Block]:
    """Each mark is judged on its own: whether it is accounted for, and by what explanation."""
    rows = []
    for m in r.marks:
        f = next((x for x in m.facts if x.show_as == "accounted_for"), None)
        if f is None:
            continue
        why = m.label_of("explanation")
        if f.unknown:
            state = "may be accounted for: an answer it depends on is not known"
        else:
            state = "accounted for" if f.value else "not accounted for"
        rows.append(Bullet(f"{mark_name(m)}: {state}" + (f" ({why})" if why else "")))
    if rows:
        yield Para("Each mark is judged by its own explanation:", "strong")
        yield Bullets(tuple(rows))


def _unknowns(r: Record) -> Iterator[Block]:
    decided = w.unknown_names(r)
    if decided:
        yield Para("These answers were not known, and decided the pathway:", "strong")
        yield Bullets(tuple(Bullet(name) for name in decided))
    others = [
        q.prompt.rstrip(":?")
        for q in r.questions
        if q.id in r.unanswered and q.id not in r.unknowns_that_decided
    ]
    # A mark's answer given as not known ("not sure" whether it is patterned) is as unknown as a
    # child-level one: named with its mark (an optional detail left out, such as the size, is not).
    given = {f"{m.number}].{f.id}" for m in r.marks for f in m.fields}
    others += [
        w.path_name(r, path)
        for path in r.unanswered
        if "[" in path and path not in r.unknowns_that_decided and path.partition("[")[2] in given
    ]
    if others:
        yield Para("Not known:" if not decided else "Also not known:", "strong")
        yield Bullets(tuple(Bullet(name) for name in others))
    if decided or others:
        yield Para(UNKNOWN_NOTE, "small")


def _child(r: Record) -> Fields | None:
    """The facts worked out from the answers, the mobility fact first; screening facts have
    their own section and steps towards other facts (`internal`) stay in the JSON only."""
    shown = [
        f
        for f in r.facts
        if not f.internal
        and f.show_as not in _SCREENING
        and not (not f.unknown and w.reads_as_double_negative(f.label, f.value))
    ]
    shown.sort(key=lambda f: f.show_as != "mobility")
    if not shown:
        return None
    return Fields(tuple((f.label, w.fact_value(f)) for f in shown))


_SCREENING = ("screening", "screening_applies")


def _screening_fact(r: Record) -> FactEntry | None:
    return r.fact_shown_as("screening")


def _screening_heading(r: Record) -> str:
    return "Screening information"


def _screening(r: Record) -> Iterator[Block]:
    f = _screening_fact(r)
    if f is None:
        return
    applies = r.fact_shown_as("screening_applies")
    if f.unknown:
        shown = "unknown (an answer it depends on is not known)"
    elif f.value is None or (applies is not None and applies.value is False):
        shown = "not applicable"
    else:
        shown = "yes" if f.value else "no"
    yield Para(f"{f.label}: {shown}", "strong")
    if f.unknown or f.value is True:
        found = [
            Bullet(f"{mark_name(m)}: {c.label}" + (" (may apply)" if c.unknown else ""))
            for m in r.marks
            for c in m.facts
            if c.show_as == "screening_component" and (c.unknown or c.value is True)
        ]
        if found:
            yield Para("Which mark, and which part of the screen:", "strong")
            yield Bullets(tuple(found))
    yield Para(SCREENING_CAVEAT)
    for note in (f.help, applies.help if applies else None):
        if note:
            yield Para(note)
    for rule in r.rules_fired:
        if rule.kind == "advice" and f.id in rule.facts_used:
            yield Para(rule.because if rule.certain else w.might_apply_text(rule.because))


def map_marks(r: Record) -> tuple[MapMark, ...]:
    """The marks to draw: each recorded mark at its site and side; for a protocol without a mark
    group, each chosen body site of a question whose options are the map's sites (side not
    recorded)."""
    if r.marks:
        return tuple(
            MapMark(
                m.number, m.site, _with_side(m.site_label or m.site, m.site, m.side_label), m.side
            )
            for m in r.marks
            if m.site
        )
    q = next(
        (
            q
            for q in r.questions
            if q.type == "multiple_choice"
            and q.options
            and sum(o.id in bodymap.REGIONS for o in q.options) * 2 >= len(q.options)
        ),
        None,
    )
    if q is None:
        return ()
    labels = {o.id: o.label for o in q.options}
    chosen = q.answer if q.status == "answered" and isinstance(q.answer, list) else []
    return tuple(
        MapMark(n, str(site), _with_side(labels.get(str(site), str(site)), str(site), None), None)
        for n, site in enumerate(chosen, start=1)
    )


def _with_side(label: str, site: str, side: str | None) -> str:
    """`Cheek (left)`; a paired site with no side: `Cheek (side not recorded)`."""
    if side:
        return f"{label} ({side})"
    return f"{label} (side not recorded)" if bodymap.paired(site) else label


def _side_text(side: str | None, site: str) -> str:
    if side is None:
        return "side not recorded" if bodymap.paired(site) else ""
    return side


def _marks(r: Record) -> Iterator[Block]:
    marks = map_marks(r)
    if r.marks:
        header = ("No.", "Site", "Side", "Details")
        rows = []
        for m in r.marks:
            # The answers in plain words; the facts worked out from them are in the JSON record
            # (whether the mark is accounted for is said under Why, the screen under its own).
            details = "; ".join(
                f"{w.field_label(f.prompt)}: {f.answer_label}"
                for f in m.fields
                if f.show_as not in ("site", "side") and f.answer_label
            )
            rows.append(
                (
                    str(m.number),
                    m.site_label or "not recorded",
                    m.side_label or _side_text(None, m.site or "") or "not recorded",
                    details,
                )
            )
        yield Table(header, tuple(rows))
    elif marks:
        yield Bullets(tuple(Bullet(m.label) for m in marks), numbered=True)
    if not marks:
        return
    missing = [m.label for m in marks if not bodymap.known(m.site)]
    caption = (
        "Each number is a mark in the list above, drawn at its site on the side given; a mark"
        " whose side was not recorded is drawn on the centre line with a dashed ring. Draw the"
        " exact position, size and colour of each mark on your service's own body map."
    )
    yield BodyMap(marks, caption)
    if missing:
        yield Warning("Not on this map: " + "; ".join(missing))


def _verbatim(r: Record) -> Iterator[Block]:
    """Free-text answers (the explanation in the carer's words, notes), as written."""
    texts = [
        (w.field_label(q.prompt), str(q.answer))
        for q in r.questions
        if q.type == "text" and q.status == "answered" and q.answer
    ]
    for m in r.marks:
        # Only what a person said about the mark (its account); a text field that records
        # what the practitioner saw (its colour) is the mark's own field, in the list of marks.
        texts.extend(
            (f"Mark {m.number}: {w.field_label(f.prompt)}", str(f.answer))
            for f in m.fields
            if f.type == "text" and isinstance(f.answer, str) and f.answer and _words(f)
        )
    texts.extend(
        (w.field_label(c.prompt), str(c.answer)) for c in r.context if c.type == "text" and c.answer
    )
    if not texts:
        yield Para("Nothing was written down.")
    for prompt, said in texts:
        yield Para(prompt, "strong")
        yield Para(said, "quote")


def _words(field: AnswerEntry) -> bool:
    """A mark's text field that holds someone's words: the question declared `show_as:
    account`, or a local protocol's field whose prompt asks for someone's own words."""
    return bool(field.show_as == "account" or "own words" in field.prompt.lower())


def _answers(r: Record) -> Table:
    return Table(("Question", "Answer"), tuple((q.prompt, w.answer_text(q)) for q in r.questions))


def _sources(r: Record) -> Bullets:
    items = []
    for sid, s in r.sources.items():
        status = "" if s.status == "verified" else f" ({s.status.replace('_', ' ')})"
        items.append(Bullet(f"[{sid}] {s.title}{status}", (s.url,) if s.url else ()))
    return Bullets(tuple(items))
