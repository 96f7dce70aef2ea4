"""The board paper's content: behaviour changes grouped by the change that causes them.

The behavioural comparison finds every class of situations whose outcome changes, grouped by
(old, new) pathway. A board asks a different question: *which change in our protocol* does what,
to *which babies*. Each class's example is run through both engines; the change that explains it
is the first of: an answer only one version accepts (a question or option), a derived fact both
define differently that takes different values here, the rule that decides under either version
having been added, removed, changed or moved. Classes with one cause and one outcome pair make one
effect, with the clauses every class shares (the analysis names only the questions that matter),
and one realistic example that both engines confirm. A class whose example the engines do not
confirm (an invariant raises the outcome, say) is listed as unconfirmed, never as a change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check.analysis import Comparison, PathwayDifference, TooLarge, compare
from bruising_check.analysis.direction import Direction
from bruising_check.analysis.direction import outcome_direction as shared_direction
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.model import GroupQuestion, Protocol, ShowAs
from bruising_check.protocol.yamlread import Located
from bruising_check.versions import examples
from bruising_check.versions.examples import Outcome
from bruising_check.versions.impact import Impact
from bruising_check.versions.matching import (
    Lacking,
    PolicyChange,
    Renamed,
    fact_of,
    fact_questions,
    policy_changes,
    questions_of,
    renamed,
    with_each_others_options,
)
from bruising_check.versions.structural import Change, _canonical, _dump

CauseKind = Literal[
    "question",
    "option",
    "fact",
    "rule_added",
    "rule_removed",
    "rule_changed",
    "rule_moved",
    "other",
]

# Which questions each policy position is about, so a behaviour change caused by a fact or rule
# over those questions is shown with the policy change that states it (DOMAIN.md section 4).
POLICY_QUESTIONS: dict[str, frozenset[str]] = {
    "rolling_counts_as_mobility": frozenset({"mobility_milestones"}),
    "mobility_milestones": frozenset({"mobility_milestones"}),
    "age_anchor": frozenset({"age_weeks"}),
    "disability": frozenset({"disability_affecting_mobility"}),
    "known_bleeding_disorder": frozenset({"diagnosed_condition_can_cause_mark"}),
}
# Positions about the marks' kind or explanation, the report channel or the gestation: the
# questions are those the protocol declares so (`show_as`), whatever their ids.
POLICY_SHOWN_AS: dict[str, ShowAs] = {
    "scope_mark_types": "type",
    "petechiae_count_as_bruise": "type",
    "suspected_birthmark": "type",
    "nim_explanation": "explanation",
    "medical_procedure_marks": "explanation",
    "corrected_age": "gestation",
    "remote_reports": "report_channel",
}


def policy_questions(field: str, *protocols: Protocol) -> frozenset[str]:
    """The questions a policy position is about, in these protocols."""
    role = POLICY_SHOWN_AS.get(field)
    asked = [q for p in protocols for q in p.questions]
    asked += [i for q in asked if isinstance(q, GroupQuestion) for i in q.questions]
    shown = {q.id for q in asked if role and q.show_as == role}
    return POLICY_QUESTIONS.get(field, frozenset()) | shown


def outcome_direction(old: Protocol, new: Protocol, p: Outcome, q: Outcome) -> Direction:
    """New outcome relative to old, across protocols: the shared order (`analysis.direction`:
    by level, ranks only where a pathway has none)."""
    return shared_direction(old, p, new, q).direction


@dataclass(frozen=True)
class Cause:
    kind: CauseKind
    key: str
    """The fact, rule or question id (an option as `question.option`)."""
    questions: frozenset[str]
    """The questions the change is about: what the kind of child is described by."""
    policy: tuple[PolicyChange, ...] = ()
    lacks: str = ""
    """For an option: the version that does not offer it ("old" or "new")."""


@dataclass
class Effect:
    cause: Cause
    old: Outcome
    new: Outcome
    direction: Direction
    clauses: list[str]
    """Clauses (as the analysis words them) every class of this effect shares."""
    relevant: list[str]
    """Questions whose answer matters for the example (the clauses shown are about these)."""
    example: dict[str, Any]
    patterns: int = 1
    """How many classes of situations (answer patterns) the analysis found for this effect."""
    approved: tuple[str, ...] = ()
    """The new version's approved deviations that cover every class of this effect."""


@dataclass(frozen=True)
class Unconfirmed:
    """A class the analysis of the rules found whose example the engines (which also honour
    the invariants) do not confirm."""

    difference: PathwayDifference
    old: Outcome | None
    new: Outcome | None


@dataclass
class BoardPaper:
    old: Protocol
    new: Protocol
    old_name: str
    new_name: str
    changes: list[Change]
    effects: list[Effect] = field(default_factory=list)
    unconfirmed: list[Unconfirmed] = field(default_factory=list)
    policy: list[PolicyChange] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    compared: bool = True
    unused_deviations: tuple[str, ...] = ()
    """The new version's approved deviations against the old one that match no difference."""
    lacking: list[Lacking] = field(default_factory=list)
    """Options one version does not offer, compared as answers its rules do not name."""
    impact: Impact | None = None
    notes: list[str] = field(default_factory=list)


def board_paper(
    old: Protocol,
    new: Protocol,
    old_name: str,
    new_name: str,
    changes: list[Change],
    comparison: Comparison | None,
    impact: Impact | None = None,
    budget_seconds: float | None = 5.0,
) -> BoardPaper:
    """`comparison` is `compare(old, new)`; when a shared question offers options only one
    version has, behaviour is compared again with each version given the other's options
    (answers its rules do not name, see `with_each_others_options`), within `budget_seconds`."""
    paper = BoardPaper(old, new, old_name, new_name, changes, impact=impact)
    paper.policy = policy_changes(old, new)
    paper.renamed = renamed(old, new)
    if comparison is None:
        paper.compared = False
        return paper
    old, new, lacking = with_each_others_options(old, new)
    if lacking:
        try:
            comparison = compare(old, new, budget_seconds=budget_seconds)
            paper.lacking = lacking
        except TooLarge:
            old, new = paper.old, paper.new
            paper.notes.append(
                "Answers only one version offers could not be compared in the time allowed:"
                " the changes below are over the answers both versions offer."
            )
    paper.unused_deviations = comparison.unused_deviations
    groups: dict[tuple[str, str, Outcome, Outcome], list[tuple[PathwayDifference, int]]] = {}
    causes: dict[tuple[str, str], Cause] = {}
    same = {(r.old_id, r.new_id) for r in paper.renamed if r.section == "pathways"}
    for d in comparison.differences:
        pair = ((d.old_pathway, d.old_then), (d.new_pathway, d.new_then))
        if all(a == b or (a, b) in same for a, b in zip(*pair, strict=True)):
            continue  # a pathway renamed, same title and actions: not a change of outcome
        for i, c in enumerate(d.classes):
            example = dict(c.example)
            if not examples.reproduces(old, new, example, pair):
                # The engines also honour the invariants; the rules alone do not. Never a change
                # the engines do not give: listed as not confirmed (and warned of if less urgent).
                got = (examples.outcome(old, example), examples.outcome(new, example))
                paper.unconfirmed.append(Unconfirmed(d, *got))
                continue
            cause = attribute(old, new, example, paper.policy, paper.lacking)
            causes.setdefault((cause.kind, cause.key), cause)
            groups.setdefault((cause.kind, cause.key, *pair), []).append((d, i))
    for (kind, key, p, q), members in groups.items():
        cause = causes[(kind, key)]
        paper.effects.append(_effect(old, new, cause, p, q, members, paper.lacking))
    order = {"less_urgent": 0, "more_urgent": 1, "different_actions": 2, "same": 3}
    paper.effects.sort(key=lambda e: (order[e.direction], -e.patterns))
    return paper


def attribute(
    old: Protocol,
    new: Protocol,
    answers: Mapping[str, Any],
    policy: Iterable[PolicyChange] = (),
    lacking: Iterable[Lacking] = (),
) -> Cause:
    """The change that explains why this case's outcome differs (see the module docstring)."""
    a, b = _decision(old, answers), _decision(new, answers)
    cause = _answer_cause(old, new, answers, lacking)
    if cause is None:
        cause = _fact_cause(old, new, a, b)
    if cause is None:
        cause = _rule_cause(old, new, a, b)
    linked = tuple(p for p in policy if policy_questions(p.field, old, new) & cause.questions)
    return Cause(cause.kind, cause.key, cause.questions, linked, cause.lacks)


# --- internals ------------------------------------------------------------------------------


def _decision(protocol: Protocol, answers: Mapping[str, Any]) -> Decision:
    ids = {q.id for q in protocol.questions}
    kept = {k: v for k, v in answers.items() if k in ids}
    return decide(protocol, check_answers(protocol, Located(kept, "example")).answers)


def _answer_cause(
    old: Protocol, new: Protocol, answers: Mapping[str, Any], lacking: Iterable[Lacking]
) -> Cause | None:
    """A question one version does not ask, or an option one version does not offer, that the
    case answers and that matters: without it (or with another option) the change goes."""
    pair = (examples.outcome(old, answers), examples.outcome(new, answers))
    for mine, other, side in ((new, old, 1), (old, new, 0)):
        for q in mine.questions:
            value = answers.get(q.id)
            if value is None or other.question(q.id) is not None:
                continue
            for alt in examples.alternatives(q, value):
                if examples.outcome(mine, {**answers, q.id: alt}) != pair[side]:
                    return Cause("question", q.id, frozenset({q.id}))
    for gap in lacking:
        value = answers.get(gap.question)
        chosen = set(value) if isinstance(value, list) else {value}
        if gap.option in chosen:
            return Cause(
                "option", f"{gap.question}.{gap.option}", frozenset({gap.question}), lacks=gap.lacks
            )
    return None


def _fact_cause(old: Protocol, new: Protocol, a: Decision, b: Decision) -> Cause | None:
    for fact in new.derived:
        theirs = fact_of(old, fact.id)
        if theirs is None or _canonical(_dump(theirs)) == _canonical(_dump(fact)):
            continue
        if a.derived.get(fact.id) != b.derived.get(fact.id):
            qs = fact_questions(old, fact.id) | fact_questions(new, fact.id)
            return Cause("fact", fact.id, frozenset(qs))
    return None


def _rule_cause(old: Protocol, new: Protocol, a: Decision, b: Decision) -> Cause:
    ra, rb = a.deciding_rule, b.deciding_rule
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}

    def about(rule_id: str) -> frozenset[str]:
        qs: set[str] = set()
        for p, rules in ((old, old_rules), (new, new_rules)):
            if rule_id in rules:
                qs |= questions_of(p, rules[rule_id].when)
        return frozenset(qs)

    if rb is not None and rb.id not in old_rules:
        return Cause("rule_added", rb.id, about(rb.id))
    if ra is not None and ra.id not in new_rules:
        return Cause("rule_removed", ra.id, about(ra.id))
    for r in (rb, ra):
        if r is not None and r.id in old_rules and r.id in new_rules:
            x, y = _dump(old_rules[r.id]), _dump(new_rules[r.id])
            if _canonical(x["when"]) != _canonical(y["when"]) or x["pathway"] != y["pathway"]:
                return Cause("rule_changed", r.id, about(r.id))
    if ra is not None and rb is not None and ra.id != rb.id:
        return Cause("rule_moved", rb.id, about(rb.id) | about(ra.id))
    return Cause("other", "", frozenset())


def _effect(
    old: Protocol,
    new: Protocol,
    cause: Cause,
    p: Outcome,
    q: Outcome,
    members: list[tuple[PathwayDifference, int]],
    lacking: Iterable[Lacking] = (),
) -> Effect:
    classes = [d.classes[i] for d, i in members]
    biggest = max(classes, key=lambda c: c.size)

    def keeps(answers: Mapping[str, Any]) -> bool:
        return examples.reproduces(old, new, answers, (p, q)) and (
            attribute(old, new, answers, (), lacking).key == cause.key
        )

    example = examples.realistic(old, new, biggest.example, keeps)
    # The questions that matter: those the exact analysis restricts in some class of this effect
    # (a question whose every answer is in a class is not named in its condition).
    ids = [q.id for q in new.questions] + [q.id for q in old.questions]
    relevant: list[str] = []
    for c in classes:
        for clause in _clauses(c.condition):
            qid = next((t for t in re.findall(r"[A-Za-z0-9_]+", clause) if t in ids), None)
            if qid is not None and qid not in relevant:
                relevant.append(qid)
    relevant.sort(key=ids.index)
    shared = set(_clauses(classes[0].condition))
    for c in classes[1:]:
        shared &= set(_clauses(c.condition))
    clauses = [x for x in _clauses(biggest.condition) if x in shared]
    approved = set(members[0][0].approved)
    for d, _ in members[1:]:
        approved &= set(d.approved)
    return Effect(
        cause,
        p,
        q,
        outcome_direction(old, new, p, q),
        clauses,
        relevant,
        example,
        patterns=len(classes),
        approved=tuple(a for a in members[0][0].approved if a in approved),
    )


def _clauses(condition: str) -> Iterator[str]:
    """The analysis's ` AND `-joined clauses (a clause inside brackets stays whole)."""
    depth, start = 0, 0
    for i, ch in enumerate(condition):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and condition.startswith(" AND ", i):
            yield condition[start:i]
            start = i + 5
    if condition[start:]:
        yield condition[start:]
