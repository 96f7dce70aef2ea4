"""Sentences of the board paper: one per change for the summary, the titles of the changes
that cause behaviour, and the words for pathways, outcomes and policy positions. Plain strings;
`render.board` places them in the Document and the emitters make them safe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from bruising_check.analysis.direction import content_direction, deadline, lost_advice
from bruising_check.protocol.levels import level_rank
from bruising_check.protocol.model import Pathway, Protocol, Timescale
from bruising_check.render import board_words as w
from bruising_check.render.words import long_date
from bruising_check.versions.board import BoardPaper, Cause, Effect
from bruising_check.versions.examples import Outcome
from bruising_check.versions.matching import PolicyChange
from bruising_check.versions.structural import Change

# --- sentences ------------------------------------------------------------------------------


def effect_sentences(paper: BoardPaper) -> Iterator[str]:
    """One sentence per change: what changed, then each direction with the kind of child,
    the pathways now and before, and the example child."""
    ps = (paper.new, paper.old)
    for cause, effects in by_cause(paper.effects):
        parts: list[str] = []
        for direction in ("less_urgent", "more_urgent", "different_actions", "same"):
            mine = [e for e in effects if e.direction == direction]
            if not mine:
                continue
            whom = unique(who(paper, e) for e in mine)
            if len(whom) > 1:  # "a baby" says nothing a more precise description does not
                whom = [x for x in whom if x not in {"a baby", "a child"}]
            # Which becomes which: each old outcome with the new outcome(s) it becomes, never
            # a list of old and a list of new that leaves the reader to pair them.
            becomes: dict[str, list[str]] = {}
            for e in mine:
                now = outcome_words(paper.new, e.new)
                mapped = becomes.setdefault(outcome_words(paper.old, e.old), [])
                if now not in mapped:
                    mapped.append(now)
            same: dict[tuple[str, ...], list[str]] = {}  # olds that become the same new ones
            for was, nows in becomes.items():
                same.setdefault(tuple(nows), []).append(was)
            # One short sentence per pathway pair, after the direction: a board member reads
            # who is affected first, then what their pathway becomes.
            pairs = " ".join(
                f"{quoted(olds)} {'becomes' if len(olds) == 1 else 'each become'} {quoted(nows)}."
                for nows, olds in same.items()
            )
            words = w.DIRECTION_WORDS[direction]
            if not words.isupper():
                words = words[:1].lower() + words[1:]
            approvals = unique(a for e in mine for a in e.approved)
            approved = (
                f", an approved deviation ({', '.join(approvals)})"
                if approvals and all(e.approved for e in mine)
                else ""
            )
            head = (
                f"{words} for {' or '.join(whom)} (for example"
                f" {w.example_person(ps, mine[0].example)}){approved}."
            )
            parts.append(f"{head[:1].upper() + head[1:]} {pairs}")
        title = cause_title(paper, cause)
        yield f"{title[:1].upper() + title[1:]}. {' '.join(parts)}"


# Policy positions that a referral pathway's actions carry (DOMAIN.md section 4, points 10-12).
ACTION_POLICY = ("first_step", "strategy_discussion", "referral_timescale")


def changed_pathways(paper: BoardPaper) -> list[tuple[Pathway, Pathway]]:
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


def less_urgent_pathways(paper: BoardPaper) -> list[Pathway]:
    """Pathways both versions have that become less urgent: a lower level, or at the same level
    a removed action or a longer timescale (as `validate --against` judges them)."""
    return [b for a, b in changed_pathways(paper) if level_words(a, b).startswith("LESS URGENT")]


def action_policy(paper: BoardPaper) -> list[PolicyChange]:
    """The action policy changes, when a referral pathway's actions changed with them."""
    referral = any((b.level or "").startswith("social_care") for _, b in changed_pathways(paper))
    return [p for p in paper.policy if referral and p.field in ACTION_POLICY]


def pathway_sentences(paper: BoardPaper) -> Iterator[str]:
    ps = (paper.new, paper.old)
    linked = action_policy(paper)
    for a, b in changed_pathways(paper):
        what = "title and actions" if a.title != b.title else "actions"
        was = f" (was “{a.title}”)" if a.title != b.title else ""
        mine = linked if (b.level or "").startswith("social_care") else []
        policy = (
            ", with the policy changes ("
            + "; ".join(w.policy_change(ps, p.field, p.old, p.new) for p in mine)
            + ")"
            if mine
            else ""
        )
        gone = [x.text for x in a.actions if x.id not in {y.id for y in b.actions}]
        lost = f" It no longer gives: {_and([f'“{x}”' for x in gone])}" if gone else ""
        yield f"{level_words(a, b)} - the {what} of “{b.title}”{was} change{policy}.{lost}"
    for p in paper.new.pathways:
        if paper.old.pathway(p.id) is None and p.id not in {r.new_id for r in paper.renamed}:
            yield f"New pathway “{p.title}” ({p.timescale.label}); its actions are below."


def advice_sentences(paper: BoardPaper) -> Iterator[str]:
    """One sentence per advice whose actions the new version no longer gives: advice never
    changes a pathway, so no behaviour change shows these (DOMAIN.md section 3.5's C1-C4)."""
    version = paper.new.metadata.version
    for lost in lost_advice(paper.old, paper.new):
        what = "is removed" if lost.removed else "no longer gives all its actions"
        actions = _and([f"“{x}”" for x in lost.actions])
        only = (
            f" except on the pathway(s) {_and(list(lost.on_pathways))}" if lost.on_pathways else ""
        )
        yield (
            f"ACTIONS NO LONGER GIVEN: advice {lost.advice} {what}. Version {version} no longer"
            f" tells the practitioner {actions}{only} (it applied when:"
            f" {first_sentence(lost.because)})"
        )


def question_sentences(paper: BoardPaper, *, detail: bool = False) -> Iterator[str]:
    causes = {e.cause.key for e in paper.effects}
    # A question another change's conditions name (Devon's judgement question, with the role):
    # never "no baby's pathway depends on it".
    named = {qid for e in paper.effects for qid in (*e.relevant, *e.cause.questions)}
    for c in paper.changes:
        if c.section != "questions" or c.item is None:
            continue
        version = paper.new if c.kind == "added" else paper.old
        q = version.question(c.item)
        name = w.label(q) if q is not None else c.item
        if c.field is None and c.kind in {"added", "removed"}:
            only = f"asked only by version {version.metadata.version}"
            if c.item in causes:
                effect = "it changes which pathway some babies get (see above)"
            elif c.item in named:
                effect = "its answer is part of a change of pathway (see above)"
            elif paper.compared:
                effect = "no baby's pathway depends on it"
            else:  # never claim what was not shown
                effect = (
                    "behaviour was not compared, so whether a pathway depends on it is not known"
                )
            new_or_gone = "New" if c.kind == "added" else "Removed"
            yield f"{new_or_gone} question “{name}”, {only}: {effect}."
        elif (
            detail and c.field and c.field.startswith("options.") and c.kind in {"added", "removed"}
        ):
            opt = c.field.split(".", 1)[1]
            yield f"Option {c.kind}: “{c.new or c.old or opt}” in “{name}”."


def policy_sentences(paper: BoardPaper) -> Iterator[str]:
    linked = {p.field for e in paper.effects for p in e.cause.policy}
    linked |= {p.field for p in action_policy(paper)}
    ps = (paper.new, paper.old)
    for p in paper.policy:
        if p.field in linked:
            continue
        effect = (
            "no baby's pathway changes with it"
            if paper.compared
            else "behaviour was not compared, so its effect on pathways is not known"
        )
        change = w.policy_change(ps, p.field, p.old, p.new)
        yield f"Policy - {change} (a stated position: {effect})."


# --- helpers --------------------------------------------------------------------------------


def by_cause(effects: Sequence[Effect]) -> list[tuple[Cause, list[Effect]]]:
    out: dict[tuple[str, str], tuple[Cause, list[Effect]]] = {}
    for e in effects:
        out.setdefault((e.cause.kind, e.cause.key), (e.cause, []))[1].append(e)
    return list(out.values())


def who(paper: BoardPaper, e: Effect) -> str:
    ps = (paper.new, paper.old)
    text = w.who(ps, e.clauses, e.cause.questions)
    if e.cause.kind == "option" and text in {"a baby", "a child"}:
        qid, opt = e.cause.key.split(".", 1)
        found = w.question(ps, qid)
        name = w.label(found[1]) if found else qid
        text += f" for whom “{name}” is answered “{w.answer_words(ps, qid, [opt])}”"
    return text


def cause_heading(paper: BoardPaper, cause: Cause) -> str:
    if cause.kind == "fact":
        fact = next((f for f in paper.new.derived if f.id == cause.key), None)
        return f"the definition of “{fact.label if fact else cause.key}” changes"
    if cause.kind in {"question", "option"}:
        qid = cause.key.split(".")[0]
        found = w.question((paper.new, paper.old), qid)
        return f"the answers to “{w.label(found[1]) if found else qid}”"
    verb = {"rule_added": "added", "rule_removed": "removed", "rule_moved": "moved"}
    if not cause.key:
        return "the order of the rules"
    return f"rule {cause.key} {verb.get(cause.kind, 'changed')}"


def cause_title(paper: BoardPaper, cause: Cause) -> str:
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
    because = f" (“{first_sentence(rule.because)}”)" if rule is not None else ""
    return f"rule {cause.key} {verb}{because}" if cause.key else "the rules change"


def pair_words(paper: BoardPaper, e: Effect) -> str:
    return f"“{outcome_words(paper.old, e.old)}” becomes “{outcome_words(paper.new, e.new)}”"


def outcome_words(p: Protocol, o: Outcome) -> str:
    first = pathway_title(p, o[0])
    return f"{first}, then {pathway_title(p, o[1])}" if o[1] else first


def out_or_none(p: Protocol, o: Outcome | None) -> str:
    return outcome_words(p, o) if o is not None else "no result"


def pathway_title(p: Protocol, pid: str | None) -> str:
    found = p.pathway(pid) if pid else None
    return found.title if found is not None else "no pathway (no rule matches)"


def quoted(items: Sequence[str]) -> str:
    return " or ".join(f"“{x}”" for x in items)


def unique(items: Iterator[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def approved(day: dt.date | None) -> str:
    return f" (approved {long_date(day)})" if day is not None else ""


def count_of(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def level_words(a: Pathway, b: Pathway) -> str:
    if a.level is None or b.level is None:
        # "Same urgency" is a claim about levels: without one, it cannot be made.
        which = (
            "neither version gives it a level"
            if a.level is None and b.level is None
            else "one version gives it no level"
        )
        if a.id == b.id and content_direction(a, b) == "less_urgent":
            # `validate --against` compares one pathway by its content whatever its level.
            less, more = content_reasons(a, b)
            though = f", though {_and(more)}" if more else ""
            return (
                f"LESS URGENT by its content ({_and(less) or 'its content'}{though});"
                f" the levels are not compared ({which})"
            )
        return f"Different actions; urgency not compared ({which})"
    if a.level != b.level:
        change = (
            f"urgency level changes ({a.level.replace('_', ' ')} → {b.level.replace('_', ' ')})"
        )
        lower = level_rank(b.level) > level_rank(a.level)
        return f"{'LESS URGENT' if lower else 'More urgent'}: {change}"
    if a.id == b.id:
        # One pathway whose content changed: judged as `validate --against` and
        # `diff --fail-on-deescalation` judge it (a removed action or a longer timescale is
        # less urgent), never called "same urgency" while those call it less urgent.
        direction = content_direction(a, b)
        less, more = content_reasons(a, b)
        if direction == "less_urgent":
            though = f", though {_and(more)}" if more else ""
            return f"LESS URGENT at the same level ({_and(less) or 'its content'}{though})"
        if direction == "more_urgent":
            return f"More urgent at the same level ({_and(more) or 'its content'})"
    return "Different actions, same urgency"


def content_reasons(a: Pathway, b: Pathway) -> tuple[list[str], list[str]]:
    """What makes one pathway's new content (`b`) less and more urgent than its old (`a`), in
    words: the wording of `analysis.direction.content_direction`, which gives the verdict."""
    less: list[str] = []
    more: list[str] = []

    def clock(old: Timescale | None, new: Timescale | None, what: str) -> None:
        x, y = deadline(old), deadline(new)
        if x == y:
            return
        if y is None:
            less.append(f"{what} no longer has a clock time")
        elif x is None:
            more.append(f"{what} now has a clock time")
        elif y > x:
            less.append(f"{what} is longer")
        else:
            more.append(f"{what} is shorter")

    clock(a.timescale, b.timescale, "its timescale")
    old = {x.id: x for x in a.actions}
    new = {x.id: x for x in b.actions}
    gone = [x for x in old if x not in new]
    added = [x for x in new if x not in old]
    if gone:
        less.append(
            "an action is removed" if len(gone) == 1 else f"{len(gone)} actions are removed"
        )
    if added:
        more.append("an action is added" if len(added) == 1 else f"{len(added)} actions are added")
    for aid in [x for x in old if x in new]:
        clock(old[aid].timescale, new[aid].timescale, f"the timescale of “{short(old[aid].text)}”")
    return less, more


def pathway_change(a: Pathway, b: Pathway, c: Change) -> str | None:
    if c.item != a.id:
        return None
    field = c.field or ""
    parts = field.split(".")
    if parts[0] == "actions" and len(parts) >= 2:
        old_action = next((x for x in a.actions if x.id == parts[1]), None)
        new_action = next((x for x in b.actions if x.id == parts[1]), None)
        whole = len(parts) == 2  # the action itself, not one of its fields (a source added)
        if whole and c.kind == "added" and new_action is not None:
            return f"New action: {new_action.text}"
        if whole and c.kind == "removed" and old_action is not None:
            return f"Action removed: {old_action.text}"
        either = new_action or old_action
        name = either.text if either is not None else parts[1]
        what = parts[2] if len(parts) > 2 else "action"
        if not whole and c.kind in {"added", "removed"}:
            value = c.new if c.kind == "added" else c.old
            field_name = ACTION_FIELDS.get(what, what.replace("_", " ").capitalize())
            return f"{field_name} of “{short(name)}”: {value} {c.kind}"
        if what == "timescale" and parts[-1] != "label":
            return None  # hours and same_day say what the label says
        if what == "text":
            return f"Action now reads: {c.new}" + (f" (was: {c.old})" if c.old else "")
        if what == "timescale":
            return f"Timescale of “{short(name)}”: {c.old} → {c.new}"
        if what == "responsible":
            return f"Who does “{short(name)}”: {c.old} → {c.new}"
        return f"{what.capitalize()} of “{short(name)}”: {c.old} → {c.new}"
    if field == "title":
        return f"Title was “{c.old}”"
    if field == "urgency":
        return None  # the protocol's own rank: levels compare protocols
    if field == "first_step":
        return (
            "Now comes first, and the other rules decide what follows"
            if c.new == "true"
            else "No longer comes first before what the other rules decide"
        )
    return f"{field.replace('_', ' ').capitalize()}: {c.old} → {c.new}"


# An action's fields as a board reads them, for a field added to or removed from an action
# both versions have.
ACTION_FIELDS = {
    "cite": "Source",
    "contact": "Contact",
    "when": "Condition",
    "timescale": "Timescale",
    "responsible": "Who does it",
    "roles": "Roles",
}


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"
