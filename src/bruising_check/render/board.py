"""The board paper (issue 14.5): a diff a partnership board can read, as one `Document` laid out
by the same text, Markdown, HTML and PDF emitters as every printout.

Order: the impact on the cases given (when there are some), then a plain-English summary (one
sentence per change, with its direction and the kind of child it reaches), then each behaviour
change with the clauses that matter and one example both engines confirm, then pathways whose
actions change, added and removed pathways with their actions, questions and options, policy
positions, and how the paper was made. No count of answer combinations appears: the only counts
are of cases given, and of the changes listed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence

from bruising_check import STATEMENT, __version__
from bruising_check.analysis.direction import lost_advice
from bruising_check.protocol.model import ApprovedDeviation, Pathway, Protocol
from bruising_check.render import board_words as w
from bruising_check.render.blocks import (
    Banner,
    Block,
    Bullet,
    Bullets,
    Check,
    Checklist,
    Document,
    Para,
    Section,
    Table,
    Warning,
)
from bruising_check.render.board_sentences import (
    advice_sentences,
    approved,
    by_cause,
    cause_heading,
    cause_title,
    changed_pathways,
    count_of,
    effect_sentences,
    less_urgent_pathways,
    level_words,
    out_or_none,
    outcome_words,
    pair_words,
    pathway_change,
    pathway_sentences,
    pathway_title,
    policy_sentences,
    question_sentences,
    short,
)
from bruising_check.render.words import UNDATED, contact_line, long_date
from bruising_check.versions.board import (
    BoardPaper,
    Effect,
    outcome_direction,
)
from bruising_check.versions.examples import (
    FLOOR_BASIS,
    MILESTONE_FLOOR_WEEKS,
    milestone_question,
)


def document(paper: BoardPaper) -> Document:
    om, nm = paper.old.metadata, paper.new.metadata
    if om.id == nm.id:
        title = f"Board paper: {nm.title} - version {om.version} to {nm.version}"
    else:
        title = f"Board paper: {om.title} {om.version} to {nm.title} {nm.version}"
    head = f"{nm.id} {om.version} → {nm.version} - board paper - bruising-check {__version__}"
    sections = [*_impact(paper), _summary(paper), *_effects(paper)]
    sections += [*_pathways(paper), *_advice(paper), *_questions(paper), *_policy(paper)]
    sections += [*_approvals(paper), _about(paper)]
    return Document(title, head, tuple(s for s in sections if s.blocks))


def text(paper: BoardPaper) -> str:
    from bruising_check.render.plain import text_lines
    from bruising_check.render.safe import visible

    return visible("\n".join(text_lines(document(paper))) + "\n")


def markdown(paper: BoardPaper) -> str:
    from bruising_check.render.plain import markdown_lines
    from bruising_check.render.safe import visible

    return visible("\n".join(markdown_lines(document(paper))) + "\n")


def html(paper: BoardPaper) -> str:
    from bruising_check.render.html import html_lines

    return "\n".join(html_lines(document(paper))) + "\n"


def pdf(paper: BoardPaper) -> bytes:
    from bruising_check.render.pdf import Printout, write

    doc = document(paper)
    d = Printout(doc.title, doc.running_head)
    d.add_page()
    write(d, doc)
    return d.output_bytes()


def _floors(paper: BoardPaper) -> str:
    """The youngest age the examples show each milestone at, and where each figure comes from."""
    q = milestone_question(paper.new) or milestone_question(paper.old)
    if q is None:
        return ""
    groups: dict[str, list[str]] = {}
    for o in q.options:
        if o.id in MILESTONE_FLOOR_WEEKS:
            key = f"{FLOOR_BASIS[o.id]}:{MILESTONE_FLOOR_WEEKS[o.id]}"
            groups.setdefault(key, []).append(o.label[:1].lower() + o.label[1:])
    said = {
        "who": "the WHO Motor Development Study's 1st percentiles as the national baseline spec"
        " quotes them",
        "crawling figure": "the crawling figure, applied",
        "rough": "rough figures chosen by this tool, not from a study: unverified",
    }
    parts: dict[str, list[str]] = {}
    for key, labels in groups.items():
        basis, weeks = key.split(":")
        parts.setdefault(basis, []).append(f"{_and(labels)} {weeks} weeks")
    words = "; ".join(
        f"{', '.join(parts[b])} ({said[b]})"
        for b in ("who", "crawling figure", "rough")
        if b in parts
    )
    return (
        "The youngest age at which an example shows a milestone: "
        + words
        + ". These only choose the examples; they decide nothing."
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- sections -------------------------------------------------------------------------------


def _impact(paper: BoardPaper) -> Iterator[Section]:
    impact = paper.impact
    if impact is None:
        return
    order = {"less_urgent": 0, "more_urgent": 1, "different_actions": 2, "same": 3}

    def shown(pair: tuple[str, str]) -> tuple[int, str]:
        """Where the transition sorts and what it is called: not compared (a pathway without a
        level) sorts with less urgent and says it may be, never "same urgency"."""
        if not impact.compared(pair):
            return 0, "NOT COMPARED, may be less urgent"
        d = outcome_direction(paper.old, paper.new, (pair[0], None), (pair[1], None))
        return order[d], w.DIRECTION_WORDS[d]

    changed = sorted(
        ((k, n) for k, n in impact.transitions.items() if k[0] != k[1]),
        key=lambda kn: (shown(kn[0])[0], -kn[1], kn[0]),
    )
    ran = sum(impact.transitions.values())
    blocks: list[Block] = []
    ending = ":" if changed else "."
    given = count_of(impact.total, "case")
    if ran == impact.total:
        lead = f"Of {given} given, {impact.changed:,} would now get a different pathway{ending}"
    else:
        lead = (
            f"Of {given} given, {ran:,} could be run under both versions, and"
            f" {impact.changed:,} of those would now get a different pathway{ending}"
        )
    blocks.append(Para(lead, "strong"))
    items = []
    for (a, b), n in changed:
        cases = impact.changed_cases.get((a, b), [])
        more = f" and {n - len(cases):,} more" if n > len(cases) else ""
        items.append(
            Bullet(
                f"{shown((a, b))[1]}: {count_of(n, 'case')} from"
                f" “{pathway_title(paper.old, a)}” to “{pathway_title(paper.new, b)}”",
                (f"{_case_list(cases)}{more}",),
            )
        )
    for key, n in sorted(impact.follow_ons.items(), key=lambda kn: tuple(map(str, kn[0]))):
        # The first step stays (emergency care first); what follows it changes.
        first, old_then, new_then = key
        cases = impact.follow_on_cases.get(key, [])
        more = f" and {n - len(cases):,} more" if n > len(cases) else ""
        then_old = "no pathway" if old_then is None else f"“{pathway_title(paper.old, old_then)}”"
        then_new = "no pathway" if new_then is None else f"“{pathway_title(paper.new, new_then)}”"
        items.append(
            Bullet(
                f"{w.DIRECTION_WORDS[impact.follow_on_directions[key]]}: {count_of(n, 'case')}"
                f" still start with “{pathway_title(paper.new, first)}”, but what follows"
                f" changes from {then_old} to {then_new}",
                (f"{_case_list(cases)}{more}",),
            )
        )
    if items:
        blocks.append(Bullets(tuple(items)))
    # Cases that keep a pathway whose actions change: not "a different pathway", but a board
    # must see them, above all when the change is less urgent (an action removed).
    kept = []
    for pa, pb in changed_pathways(paper):
        n = impact.transitions.get((pa.id, pb.id), 0)
        if pa.id != pb.id or not n:
            continue
        cases = impact.kept_cases.get(pa.id, [])
        more = f" and {n - len(cases):,} more" if n > len(cases) else ""
        words = level_words(pa, pb)
        kept.append(
            (
                not words.startswith("LESS URGENT"),
                Bullet(
                    f"{words}: {count_of(n, 'case')} {'keeps' if n == 1 else 'keep'}"
                    f" “{pb.title}”, whose"
                    " actions change (see “Pathways whose actions change”)",
                    (f"{_case_list(cases)}{more}",),
                ),
            )
        )
    if kept:
        blocks.append(Para("Cases that keep their pathway, whose actions change:"))
        blocks.append(Bullets(tuple(b for _, b in sorted(kept, key=lambda kb: kb[0]))))
    if ran < impact.total:
        blocks.append(
            Warning(
                f"{count_of(impact.total - ran, 'case')} of those given could not be run under both"
                " versions: they are not counted as changed."
            )
        )
        blocks.append(
            Bullets(
                tuple(
                    Bullet(f"{case}, under the {which} version: {short(why, 160)}")
                    for case, which, why in impact.unrunnable[:3]
                )
            )
        )
    if impact.with_ignored:
        # As the diff says it: answers to no question of either version (a typo such as
        # `age_weks`) were left out of those cases.
        listed = impact.ignored.most_common(10)
        ids = ", ".join(f"“{k}” ({count_of(n, 'case')})" for k, n in listed)
        rest = len(impact.ignored) - len(listed)
        more = f", and {count_of(rest, 'other id')}" if rest > 0 else ""
        blocks.append(
            Warning(
                f"{count_of(impact.with_ignored, 'case')} gave answers to questions neither"
                " version asks; those answers were left out (a typo leaves an answer not"
                f" known): {ids}{more}."
            )
        )
    yield Section("Impact on the cases given", tuple(blocks))


_CASE_FILE = re.compile(r"(.+?\.(?:csv|ya?ml|jsonl?))[#: ](.+)", re.IGNORECASE | re.DOTALL)


def _case_list(cases: Sequence[str]) -> str:
    """`Cases in FILE: a, b` when every case comes from one file (its name said once, not
    before each id), else `Cases: FILE#a, OTHER:b`."""
    found = [_CASE_FILE.fullmatch(c) for c in cases]
    files = {m.group(1) for m in found if m is not None}
    if cases and len(files) == 1 and all(found):
        return f"Cases in {files.pop()}: {', '.join(m.group(2) for m in found if m)}"
    return f"Cases: {', '.join(cases)}"


def _on(day: dt.date | None) -> str:
    return f", approved {long_date(day)}" if day is not None else ""


def _summary(paper: BoardPaper) -> Section:
    om, nm = paper.old.metadata, paper.new.metadata
    if om.id == nm.id:
        lead = (
            f"Version {nm.version}{approved(nm.approved_on)} replaces version"
            f" {om.version}{approved(om.approved_on)}."
        )
    else:  # two different protocols (another partnership's, say): neither replaces the other
        lead = (
            f"{nm.title} ({nm.id}, version {nm.version}{_on(nm.approved_on)}) is compared"
            f" with {om.title} ({om.id}, version {om.version}{_on(om.approved_on)})."
        )
    blocks: list[Block] = [
        Para(
            f"{lead} Each change below says what changed, then for which babies"
            " their pathway becomes more urgent, less urgent, or keeps its urgency with different"
            " actions, and what it becomes."
        )
    ]
    if not paper.compared:
        blocks.append(
            Warning(
                "Behaviour was NOT compared (the protocols tell apart too many situations):"
                " nothing here shows that no baby gets a less urgent pathway."
            )
        )
    if any(u.difference.direction == "less_urgent" for u in paper.unconfirmed):
        blocks.append(
            Warning(
                "The analysis of the rules found a less urgent change whose example the"
                " engines did not reproduce: see “Not confirmed by the engines”."
            )
        )
    if any(e.direction == "less_urgent" for e in paper.effects) or less_urgent_pathways(paper):
        blocks.append(
            Warning(
                f"Some babies would get a less urgent pathway under version {nm.version}. The"
                " board should be sure each of these is intended."
            )
        )
    lost = list(advice_sentences(paper))
    if lost:
        blocks.append(
            Warning(
                f"Version {nm.version} no longer gives some actions version {om.version} gives"
                " (advice removed or cut): advice never changes a pathway, so no change of"
                " pathway below shows this. The board should be sure each of these is intended."
            )
        )
    items = [Bullet(s) for s in effect_sentences(paper)]
    items += [Bullet(s) for s in lost]
    items += [Bullet(s) for s in pathway_sentences(paper)]
    items += [Bullet(s) for s in question_sentences(paper)]
    items += [Bullet(s) for s in policy_sentences(paper)]
    if paper.compared and not paper.effects:
        items.insert(0, Bullet("No baby gets a different pathway under the new version."))
    blocks.append(Bullets(tuple(items)))
    blocks.append(Para(STATEMENT, "small"))
    return Section("Summary", tuple(blocks))


def _effects(paper: BoardPaper) -> Iterator[Section]:
    ps = (paper.new, paper.old)
    for n, (cause, effects) in enumerate(by_cause(paper.effects), start=1):
        title = cause_title(paper, cause)
        blocks: list[Block] = [Para(title[:1].upper() + title[1:] + ".", "strong")]
        if cause.policy:
            blocks.append(
                Table(
                    (
                        "Policy position",
                        f"Version {paper.old.metadata.version}",
                        f"Version {paper.new.metadata.version}",
                    ),
                    tuple(
                        (
                            w.POLICY_NAMES.get(p.field, p.field),
                            w.policy_value(ps, p.field, p.old),
                            w.policy_value(ps, p.field, p.new),
                        )
                        for p in cause.policy
                    ),
                )
            )
        for e in effects:
            blocks.append(
                Para(
                    f"{w.DIRECTION_WORDS[e.direction]}: {pair_words(paper, e)}, for"
                    f" {w.who(ps, e.clauses, e.cause.questions)}.",
                    "strong",
                )
            )
            for dev in _deviations(paper, e.approved):
                blocks.append(
                    Para(
                        f"Approved deviation “{dev.id}”: {dev.why} (approved by"
                        f" {dev.approved_by}, {long_date(dev.approved_on, UNDATED)})."
                    )
                )
            named = {t for c in e.clauses for t in re.findall(r"[A-Za-z0-9_]+", c)}
            also = [
                w.label(found[1])
                for q in e.relevant
                if q not in named and (found := w.question(ps, q)) is not None
            ]
            lines = [w.clause_words(ps, c) for c in e.clauses]
            if also:
                lines.append("and it also depends on: " + "; ".join(also))
            blocks.append(Para("When all of these hold:"))
            blocks.append(Bullets(tuple(Bullet(x) for x in lines)))
            blocks.append(Para(f"Example case ({w.example_person(ps, e.example)}):"))
            blocks.append(Table(("Question", "Answer"), _example_rows(paper, e)))
            blocks.append(
                Para(
                    "Checked: run through both versions, this case gets"
                    f" “{outcome_words(paper.old, e.old)}” under version"
                    f" {paper.old.metadata.version} and “{outcome_words(paper.new, e.new)}” under"
                    f" version {paper.new.metadata.version}."
                    + (
                        " The analysis found other patterns of answers with this change too (see"
                        " the clauses above); this is one."
                        if e.patterns > 1
                        else ""
                    ),
                    "small",
                )
            )
        yield Section(f"Change {n}: {cause_heading(paper, cause)}", tuple(blocks))
    if paper.unconfirmed:
        yield Section(
            "Not confirmed by the engines",
            (
                Para(
                    "The analysis of the rules found these changes, but for their example the"
                    " engines, which also honour the protocol's invariants, give other outcomes."
                    " They are not counted as changes here; other answers in the same class may"
                    " still change: check them with the plain diff."
                ),
                Bullets(
                    tuple(
                        Bullet(
                            f"{w.DIRECTION_WORDS[u.difference.direction]}: “"
                            f"{pathway_title(paper.old, u.difference.old_pathway)}” to"
                            f" “{pathway_title(paper.new, u.difference.new_pathway)}” by the rules;"
                            f" the engines give “{out_or_none(paper.old, u.old)}” and"
                            f" “{out_or_none(paper.new, u.new)}”"
                        )
                        for u in paper.unconfirmed[:10]
                    )
                ),
            ),
        )


def _pathways(paper: BoardPaper) -> Iterator[Section]:
    old, new = paper.old, paper.new
    renamed = {r.old_id: r.new_id for r in paper.renamed if r.section == "pathways"}
    items = []
    for a, b in changed_pathways(paper):
        pid = a.id
        mine = [
            s
            for c in paper.changes
            if c.section == "pathways" and c.item == pid
            for s in [pathway_change(a, b, c)]
            if s
        ]
        items.append(Bullet(f"“{b.title}”: {level_words(a, b)}", tuple(mine)))
    if items:
        yield Section("Pathways whose actions change", (Bullets(tuple(items)),))
    added = [p for p in new.pathways if old.pathway(p.id) is None and p.id not in renamed.values()]
    for p in added:
        yield Section(f"Added pathway: {p.title}", tuple(_pathway_blocks(new, p)))
    removed = [p for p in old.pathways if new.pathway(p.id) is None and p.id not in renamed]
    if removed or renamed:
        lines = [Bullet(f"Removed: “{p.title}”") for p in removed]
        lines += [
            Bullet(f"Renamed (same title and actions): “{pathway_title(old, a)}” is now {b}")
            for a, b in renamed.items()
        ]
        yield Section("Removed or renamed pathways", (Bullets(tuple(lines)),))


def _only(pathways: tuple[str, ...]) -> str:
    return f" (except on {', '.join(pathways)})" if pathways else ""


def _advice(paper: BoardPaper) -> Iterator[Section]:
    """Each advice whose actions the new version no longer gives: when it applied, and what."""
    items = [
        Bullet(
            f"{lost.advice} ({'removed' if lost.removed else 'kept, with fewer actions'}):"
            f" {lost.because}",
            tuple(f"No longer given{_only(lost.on_pathways)}: {text}" for text in lost.actions),
        )
        for lost in lost_advice(paper.old, paper.new)
    ]
    if items:
        yield Section("Actions no longer given (advice)", (Bullets(tuple(items)),))


def _questions(paper: BoardPaper) -> Iterator[Section]:
    lines = [Bullet(s) for s in question_sentences(paper, detail=True)]
    lines += [
        Bullet(f"Rule {r.old_id} is now called {r.new_id} (same condition and pathway): renamed")
        for r in paper.renamed
        if r.section == "rules"
    ]
    if lines:
        yield Section("Questions, options and rules", (Bullets(tuple(lines)),))


def _policy(paper: BoardPaper) -> Iterator[Section]:
    if not paper.policy:
        return
    ps = (paper.new, paper.old)
    rows = tuple(
        (
            w.POLICY_NAMES.get(p.field, p.field),
            w.policy_value(ps, p.field, p.old),
            w.policy_value(ps, p.field, p.new),
        )
        for p in paper.policy
    )
    om, nm = paper.old.metadata, paper.new.metadata
    # Say which of these positions the tool checks against the rules: a board must not read a
    # position that is only stated as one that was checked.
    from bruising_check.analysis.policy import checked_against_rules

    checked = [
        w.POLICY_NAMES.get(p.field, p.field)
        for p in paper.policy
        if checked_against_rules(paper.new, p.field)
    ]
    note = (
        f"Of these, bruising-check validate checks version {nm.version}'s position against its"
        f" rules for: {'; '.join(checked)}. The others are as each version states them, not"
        " checked against the rules."
        if checked
        else "These positions are as each version states them: none is checked against the rules."
    )
    yield Section(
        "Policy positions",
        (Table(("Position", f"Version {om.version}", f"Version {nm.version}"), rows), Para(note)),
    )


def _deviations(paper: BoardPaper, ids: Sequence[str]) -> list[ApprovedDeviation]:
    return [d for d in paper.new.approved_deviations if d.id in ids]


def _approvals(paper: BoardPaper) -> Iterator[Section]:
    """The new version's approved deviations, in their own section (design section 4)."""
    devs = paper.new.approved_deviations
    if not devs:
        return
    used = {a for e in paper.effects for a in e.approved}
    items = []
    for d in devs:
        if d.id in used:
            status = "covers changes above"
        elif d.against != paper.old.metadata.id:
            status = f"against {d.against}, not the version compared here"
        elif d.id in paper.unused_deviations:
            status = "matches no change here: the protocol may have changed since it was approved"
        else:
            status = "covers no change shown here"
        subs = [
            f"Approved by {d.approved_by}, {long_date(d.approved_on, UNDATED)}",
            f"Status: {status}",
        ]
        if d.rules:
            subs.insert(0, f"Rules: {', '.join(d.rules)}")
        if d.policy:
            names = (w.POLICY_NAMES.get(f, f.replace("_", " ")) for f in d.policy)
            subs.insert(0, f"Policy positions: {'; '.join(names)}")
        items.append(Bullet(f"{d.id}: {d.why}", tuple(subs)))
    yield Section(
        f"Deviations approved in version {paper.new.metadata.version}", (Bullets(tuple(items)),)
    )


def _about(paper: BoardPaper) -> Section:
    return Section(
        "How this paper was made",
        (
            Para(
                "Every answer either version accepts was compared, not a sample. Changes are"
                " grouped by the change in the protocol that causes them. Each example case is"
                " the most ordinary one the tool found (the youngest age at which the milestones"
                " are plausible, the fewest milestones and marks), and it is shown only after"
                " running it through both versions gave the change stated."
                if paper.compared
                else "Behaviour was NOT compared: the analysis could not finish in the time"
                " allowed (diff --budget SECONDS allows more). Only the changes in the text are"
                " listed; nothing here shows which babies get a different pathway."
            ),
            *(Para(floors, "small") for floors in [_floors(paper)] if floors and paper.effects),
            Para(
                f"Old: {paper.old_name} ({paper.old.metadata.title}, version"
                f" {paper.old.metadata.version}). New: {paper.new_name}"
                f" ({paper.new.metadata.title}, version {paper.new.metadata.version})."
                " Every difference in the text, with checksums: “bruising-check diff OLD NEW”.",
                "small",
            ),
            *(
                Para(
                    f"Answers only one version offers ({'; '.join(_lacking(paper))}) were"
                    " compared as answers the other version's rules do not name.",
                    "small",
                )
                for _ in [0]
                if paper.lacking
            ),
            *(Para(note, "small") for note in paper.notes),
            *(
                Para(
                    "Some pathways declare no level on the national urgency scale; where either"
                    " pathway of a change lacks one, urgency is compared by each protocol's own"
                    " ranks.",
                    "small",
                )
                for _ in [0]
                if any(p.level is None for p in (*paper.old.pathways, *paper.new.pathways))
            ),
            Para(STATEMENT, "small"),
        ),
    )


def _lacking(paper: BoardPaper) -> list[str]:
    ps = (paper.new, paper.old)
    out = []
    for gap in paper.lacking:
        found = w.question(ps, gap.question)
        name = w.label(found[1]) if found else gap.question
        version = paper.old if gap.lacks == "old" else paper.new
        answer = w.answer_words(ps, gap.question, [gap.option])
        out.append(f"“{answer}” in “{name}”, not in version {version.metadata.version}")
    return out


def _example_rows(paper: BoardPaper, e: Effect) -> tuple[tuple[str, str], ...]:
    ps = (paper.new, paper.old)
    rows = []
    for qid, value in e.example.items():
        found = w.question(ps, qid)
        if found is None:
            continue
        rows.append((w.label(found[1]), w.answer_words(ps, qid, value)))
    return tuple(rows)


def _pathway_blocks(p: Protocol, pathway: Pathway) -> Iterator[Block]:
    yield Banner(
        pathway.title,
        (pathway.timescale.label,),
        (pathway.summary,) if pathway.summary else (),
        pathway.urgency,
    )
    checks = []
    for a in pathway.actions:
        details = []
        if a.timescale is not None:
            details.append(("When", a.timescale.label))
        if a.responsible:
            details.append(("Who", a.responsible))
        contact = p.contact(a.contact) if a.contact else None
        line = contact_line(contact)
        if line:
            details.append(("Contact", line))
        checks.append(
            Check(a.text, tuple(details), bool(contact is not None and contact.placeholder))
        )
    if checks:
        yield Checklist(tuple(checks))
