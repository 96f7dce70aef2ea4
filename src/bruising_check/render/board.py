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
from bruising_check.protocol.model import Pathway, Protocol
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
from bruising_check.render.words import contact_line, long_date
from bruising_check.versions.board import (
    BoardPaper,
    Cause,
    Effect,
    PolicyChange,
    outcome_direction,
)
from bruising_check.versions.examples import Outcome
from bruising_check.versions.structural import Change


def document(paper: BoardPaper) -> Document:
    om, nm = paper.old.metadata, paper.new.metadata
    if om.id == nm.id:
        title = f"Board paper: {nm.title} - version {om.version} to {nm.version}"
    else:
        title = f"Board paper: {om.title} {om.version} to {nm.title} {nm.version}"
    head = f"{nm.id} {om.version} → {nm.version} - board paper - bruising-check {__version__}"
    sections = [*_impact(paper), _summary(paper), *_effects(paper)]
    sections += [*_pathways(paper), *_questions(paper), *_policy(paper), _about(paper)]
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


# --- sections -------------------------------------------------------------------------------


def _impact(paper: BoardPaper) -> Iterator[Section]:
    impact = paper.impact
    if impact is None:
        return
    changed = [(k, n) for k, n in sorted(impact.transitions.items()) if k[0] != k[1]]
    ran = sum(impact.transitions.values())
    blocks: list[Block] = []
    ending = ":" if changed else "."
    if ran == impact.total:
        lead = f"Of {_n(impact.total, 'case')} given, {impact.changed:,} would now get a different"
        lead += f" pathway{ending}"
    else:
        lead = (
            f"Of {_n(impact.total, 'case')} given, {ran:,} could be run under both versions, and"
            f" {impact.changed:,} of those would now get a different pathway{ending}"
        )
    blocks.append(Para(lead, "strong"))
    items = []
    for (a, b), n in changed:
        d = outcome_direction(paper.old, paper.new, (a, None), (b, None))
        cases = impact.changed_cases.get((a, b), [])
        more = f" and {n - len(cases):,} more" if n > len(cases) else ""
        items.append(
            Bullet(
                f"{w.DIRECTION_WORDS[d]}: {_n(n, 'case')} from “{_title(paper.old, a)}” to"
                f" “{_title(paper.new, b)}”",
                (f"Cases: {', '.join(cases)}{more}",),
            )
        )
    if items:
        blocks.append(Bullets(tuple(items)))
    if ran < impact.total:
        blocks.append(
            Warning(
                f"{_n(impact.total - ran, 'case')} of those given could not be run under both"
                " versions: they are not counted as changed."
            )
        )
        blocks.append(
            Bullets(
                tuple(
                    Bullet(f"{case}, under the {which} version: {_short(why, 160)}")
                    for case, which, why in impact.unrunnable[:3]
                )
            )
        )
    yield Section("Impact on the cases given", tuple(blocks))


def _summary(paper: BoardPaper) -> Section:
    om, nm = paper.old.metadata, paper.new.metadata
    blocks: list[Block] = [
        Para(
            f"Version {nm.version}{_approved(nm.approved_on)} replaces version"
            f" {om.version}{_approved(om.approved_on)}. Each change below is one"
            " sentence: what changed, for which babies, and whether their pathway becomes more"
            " urgent, less urgent, or keeps its urgency with different actions."
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
    if any(e.direction == "less_urgent" for e in paper.effects):
        blocks.append(
            Warning(
                f"Some babies would get a less urgent pathway under version {nm.version}. The"
                " board should be sure each of these is intended."
            )
        )
    items = [Bullet(s) for s in _effect_sentences(paper)]
    items += [Bullet(s) for s in _pathway_sentences(paper)]
    items += [Bullet(s) for s in _question_sentences(paper)]
    items += [Bullet(s) for s in _policy_sentences(paper)]
    if paper.compared and not paper.effects:
        items.insert(0, Bullet("No baby gets a different pathway under the new version."))
    blocks.append(Bullets(tuple(items)))
    blocks.append(Para(STATEMENT, "small"))
    return Section("Summary", tuple(blocks))


def _effects(paper: BoardPaper) -> Iterator[Section]:
    ps = (paper.new, paper.old)
    for n, (cause, effects) in enumerate(_by_cause(paper.effects), start=1):
        title = _cause_title(paper, cause)
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
                    f"{w.DIRECTION_WORDS[e.direction]}: {_pair(paper, e)}, for"
                    f" {w.who(ps, e.clauses, e.cause.questions)}.",
                    "strong",
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
                    f"Checked: run through both versions, this case gets “{_out(paper.old, e.old)}”"
                    f" under version {paper.old.metadata.version} and “{_out(paper.new, e.new)}”"
                    f" under version {paper.new.metadata.version}."
                    + (
                        " The analysis found other patterns of answers with this change too (see"
                        " the clauses above); this is one."
                        if e.patterns > 1
                        else ""
                    ),
                    "small",
                )
            )
        yield Section(f"Change {n}: {_cause_heading(paper, cause)}", tuple(blocks))
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
                            f"{_title(paper.old, u.difference.old_pathway)}” to"
                            f" “{_title(paper.new, u.difference.new_pathway)}” by the rules;"
                            f" the engines give “{_out_or_none(paper.old, u.old)}” and"
                            f" “{_out_or_none(paper.new, u.new)}”"
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
    for a, b in _changed_pathways(paper):
        pid = a.id
        mine = [
            s
            for c in paper.changes
            if c.section == "pathways" and c.item == pid
            for s in [_pathway_change(a, b, c)]
            if s
        ]
        items.append(Bullet(f"“{b.title}”: {_level_words(a, b)}", tuple(mine)))
    if items:
        yield Section("Pathways whose actions change", (Bullets(tuple(items)),))
    added = [p for p in new.pathways if old.pathway(p.id) is None and p.id not in renamed.values()]
    for p in added:
        yield Section(f"Added pathway: {p.title}", tuple(_pathway_blocks(new, p)))
    removed = [p for p in old.pathways if new.pathway(p.id) is None and p.id not in renamed]
    if removed or renamed:
        lines = [Bullet(f"Removed: “{p.title}”") for p in removed]
        lines += [
            Bullet(f"Renamed (same title and actions): “{_title(old, a)}” is now {b}")
            for a, b in renamed.items()
        ]
        yield Section("Removed or renamed pathways", (Bullets(tuple(lines)),))


def _questions(paper: BoardPaper) -> Iterator[Section]:
    lines = [Bullet(s) for s in _question_sentences(paper, detail=True)]
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
    yield Section(
        "Policy positions",
        (Table(("Position", f"Version {om.version}", f"Version {nm.version}"), rows),),
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
            ),
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


# --- sentences ------------------------------------------------------------------------------


def _effect_sentences(paper: BoardPaper) -> Iterator[str]:
    """One sentence per change: what changed, then each direction with the kind of child,
    the pathways now and before, and the example child."""
    ps = (paper.new, paper.old)
    for cause, effects in _by_cause(paper.effects):
        parts: list[str] = []
        for direction in ("less_urgent", "more_urgent", "same_urgency"):
            mine = [e for e in effects if e.direction == direction]
            if not mine:
                continue
            whom = _unique(_who(paper, e) for e in mine)
            if len(whom) > 1:  # "a baby" says nothing a more precise description does not
                whom = [x for x in whom if x not in {"a baby", "a child"}]
            was = _unique(_out(paper.old, e.old) for e in mine)
            now = _unique(_out(paper.new, e.new) for e in mine)
            words = w.DIRECTION_WORDS[direction]
            if not words.isupper():
                words = words[:1].lower() + words[1:]
            parts.append(
                f"{words} for {' or '.join(whom)} (now {_quoted(now)}, was {_quoted(was)};"
                f" for example {w.example_person(ps, mine[0].example)})"
            )
        title = _cause_title(paper, cause)
        yield f"{title[:1].upper() + title[1:]}: {'; '.join(parts)}."


# Policy positions that a referral pathway's actions carry (DOMAIN.md section 4, points 10-12).
ACTION_POLICY = ("first_step", "strategy_discussion", "referral_timescale")


def _changed_pathways(paper: BoardPaper) -> list[tuple[Pathway, Pathway]]:
    """Pathways both versions have whose content changed (not only their own urgency rank)."""
    out = []
    changed = {
        c.item for c in paper.changes if c.section == "pathways" and c.item and c.field != "urgency"
    }
    for pid in sorted(changed):
        a, b = paper.old.pathway(pid), paper.new.pathway(pid)
        if a is not None and b is not None:
            out.append((a, b))
    return out


def _action_policy(paper: BoardPaper) -> list[PolicyChange]:
    """The action policy changes, when a referral pathway's actions changed with them."""
    referral = any((b.level or "").startswith("social_care") for _, b in _changed_pathways(paper))
    return [p for p in paper.policy if referral and p.field in ACTION_POLICY]


def _pathway_sentences(paper: BoardPaper) -> Iterator[str]:
    ps = (paper.new, paper.old)
    linked = _action_policy(paper)
    for a, b in _changed_pathways(paper):
        what = "title and actions" if a.title != b.title else "actions"
        was = f" (was “{a.title}”)" if a.title != b.title else ""
        mine = linked if (b.level or "").startswith("social_care") else []
        policy = (
            ", with the policy changes "
            + "; ".join(w.policy_change(ps, p.field, p.old, p.new) for p in mine)
            if mine
            else ""
        )
        yield f"{_level_words(a, b)} - the {what} of “{b.title}”{was} change{policy}."
    for p in paper.new.pathways:
        if paper.old.pathway(p.id) is None and p.id not in {r.new_id for r in paper.renamed}:
            yield f"New pathway “{p.title}” ({p.timescale.label}); its actions are below."


def _question_sentences(paper: BoardPaper, *, detail: bool = False) -> Iterator[str]:
    causes = {e.cause.key for e in paper.effects}
    for c in paper.changes:
        if c.section != "questions" or c.item is None:
            continue
        version = paper.new if c.kind == "added" else paper.old
        q = version.question(c.item)
        name = w.label(q) if q is not None else c.item
        if c.field is None and c.kind in {"added", "removed"}:
            only = f"asked only by version {version.metadata.version}"
            effect = (
                "it changes which pathway some babies get (see above)"
                if c.item in causes
                else "no baby's pathway depends on it"
            )
            new_or_gone = "New" if c.kind == "added" else "Removed"
            yield f"{new_or_gone} question “{name}”, {only}: {effect}."
        elif (
            detail and c.field and c.field.startswith("options.") and c.kind in {"added", "removed"}
        ):
            opt = c.field.split(".", 1)[1]
            yield f"Option {c.kind}: “{c.new or c.old or opt}” in “{name}”."


def _policy_sentences(paper: BoardPaper) -> Iterator[str]:
    linked = {p.field for e in paper.effects for p in e.cause.policy}
    linked |= {p.field for p in _action_policy(paper)}
    ps = (paper.new, paper.old)
    for p in paper.policy:
        if p.field in linked:
            continue
        yield (
            f"Policy - {w.policy_change(ps, p.field, p.old, p.new)} (a stated position: no"
            " baby's pathway changes with it)."
        )


# --- helpers --------------------------------------------------------------------------------


def _by_cause(effects: Sequence[Effect]) -> list[tuple[Cause, list[Effect]]]:
    out: dict[tuple[str, str], tuple[Cause, list[Effect]]] = {}
    for e in effects:
        out.setdefault((e.cause.kind, e.cause.key), (e.cause, []))[1].append(e)
    return list(out.values())


def _who(paper: BoardPaper, e: Effect) -> str:
    ps = (paper.new, paper.old)
    text = w.who(ps, e.clauses, e.cause.questions)
    if e.cause.kind == "option" and text in {"a baby", "a child"}:
        qid, opt = e.cause.key.split(".", 1)
        found = w.question(ps, qid)
        name = w.label(found[1]) if found else qid
        text += f" for whom “{name}” is answered “{w.answer_words(ps, qid, [opt])}”"
    return text


def _cause_heading(paper: BoardPaper, cause: Cause) -> str:
    if cause.kind == "fact":
        fact = next((f for f in paper.new.derived if f.id == cause.key), None)
        return f"who counts as {fact.label.lower() if fact else cause.key}"
    if cause.kind in {"question", "option"}:
        qid = cause.key.split(".")[0]
        found = w.question((paper.new, paper.old), qid)
        return f"the answers to “{w.label(found[1]) if found else qid}”"
    verb = {"rule_added": "added", "rule_removed": "removed", "rule_moved": "moved"}
    if not cause.key:
        return "the order of the rules"
    return f"rule {cause.key} {verb.get(cause.kind, 'changed')}"


def _cause_title(paper: BoardPaper, cause: Cause) -> str:
    ps = (paper.new, paper.old)
    if cause.kind == "fact":
        fact = next((f for f in paper.new.derived if f.id == cause.key), None)
        text = f"the definition of “{fact.label if fact else cause.key}” changes"
        if cause.policy:
            changes = (w.policy_change(ps, p.field, p.old, p.new) for p in cause.policy)
            text += " (" + "; ".join(changes) + ")"
        return text
    if cause.kind == "question":
        found = w.question(ps, cause.key)
        name = w.label(found[1]) if found else cause.key
        return f"the question “{name}” is asked by one version only"
    if cause.kind == "option":
        qid, opt = cause.key.split(".", 1)
        found = w.question(ps, qid)
        name = w.label(found[1]) if found else qid
        answer = w.answer_words(ps, qid, [opt])
        if cause.lacks == "new":
            return (
                f"the answer “{answer}” to “{name}” is no longer offered (compared as an"
                f" answer version {paper.new.metadata.version}'s rules do not name)"
            )
        return (
            f"the new answer “{answer}” to “{name}” (version {paper.old.metadata.version} does"
            " not offer it: compared as an answer its rules do not name)"
        )
    rule = next((r for r in (*paper.new.rules, *paper.old.rules) if r.id == cause.key), None)
    verb = {
        "rule_added": "is added",
        "rule_removed": "is removed",
        "rule_changed": "changes",
        "rule_moved": "now comes in a different order",
    }.get(cause.kind, "changes")
    because = f" (“{_first_sentence(rule.because)}”)" if rule is not None else ""
    return f"rule {cause.key} {verb}{because}" if cause.key else "the rules change"


def _pair(paper: BoardPaper, e: Effect) -> str:
    return f"“{_out(paper.old, e.old)}” becomes “{_out(paper.new, e.new)}”"


def _out(p: Protocol, o: Outcome) -> str:
    first = _title(p, o[0])
    return f"{first}, then {_title(p, o[1])}" if o[1] else first


def _out_or_none(p: Protocol, o: Outcome | None) -> str:
    return _out(p, o) if o is not None else "no result"


def _title(p: Protocol, pid: str | None) -> str:
    found = p.pathway(pid) if pid else None
    return found.title if found is not None else "no pathway (no rule matches)"


def _quoted(items: Sequence[str]) -> str:
    return " or ".join(f"“{x}”" for x in items)


def _unique(items: Iterator[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _approved(day: dt.date | None) -> str:
    return f" (approved {long_date(day)})" if day is not None else ""


def _n(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _example_rows(paper: BoardPaper, e: Effect) -> tuple[tuple[str, str], ...]:
    ps = (paper.new, paper.old)
    rows = []
    for qid, value in e.example.items():
        found = w.question(ps, qid)
        if found is None:
            continue
        rows.append((w.label(found[1]), w.answer_words(ps, qid, value)))
    return tuple(rows)


def _level_words(a: Pathway, b: Pathway) -> str:
    if a.level is not None and b.level is not None and a.level != b.level:
        return f"Urgency level changes ({a.level.replace('_', ' ')} → {b.level.replace('_', ' ')})"
    return "Different actions, same urgency"


def _pathway_change(a: Pathway, b: Pathway, c: Change) -> str | None:
    if c.item != a.id:
        return None
    field = c.field or ""
    parts = field.split(".")
    if parts[0] == "actions" and len(parts) >= 2:
        old_action = next((x for x in a.actions if x.id == parts[1]), None)
        new_action = next((x for x in b.actions if x.id == parts[1]), None)
        if c.kind == "added" and new_action is not None:
            return f"New action: {new_action.text}"
        if c.kind == "removed" and old_action is not None:
            return f"Action removed: {old_action.text}"
        either = new_action or old_action
        name = either.text if either is not None else parts[1]
        what = parts[2] if len(parts) > 2 else "action"
        if what == "timescale" and parts[-1] != "label":
            return None  # hours and same_day say what the label says
        if what == "text":
            return f"Action now reads: {c.new}" + (f" (was: {c.old})" if c.old else "")
        if what == "timescale":
            return f"Timescale of “{_short(name)}”: {c.old} → {c.new}"
        if what == "responsible":
            return f"Who does “{_short(name)}”: {c.old} → {c.new}"
        return f"{what.capitalize()} of “{_short(name)}”: {c.old} → {c.new}"
    if field == "title":
        return f"Title was “{c.old}”"
    if field == "urgency":
        return None  # the protocol's own rank: levels compare protocols
    return f"{field.replace('_', ' ').capitalize()}: {c.old} → {c.new}"


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"


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
