"""Matching two protocol versions item by item, beyond ids: policy positions that changed, rules
and pathways renamed with the same meaning, the options of a shared question only one version
offers, and the questions a condition depends on (through derived facts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from bruising_check.analysis.direction import same_content
from bruising_check.protocol.conditions import Condition, comparisons
from bruising_check.protocol.model import (
    BooleanFact,
    MultipleChoiceQuestion,
    NumberFact,
    Pathway,
    Protocol,
    Rule,
    SingleChoiceQuestion,
    policy_differences,
)
from bruising_check.protocol.walk import expr_refs
from bruising_check.versions.structural import _canonical, _dump

T = TypeVar("T", Rule, Pathway)


@dataclass(frozen=True)
class PolicyChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Lacking:
    """A choice option one version of a shared question does not offer."""

    question: str
    option: str
    lacks: Literal["old", "new"]


@dataclass(frozen=True)
class Renamed:
    section: str
    old_id: str
    new_id: str


def with_each_others_options(
    old: Protocol, new: Protocol
) -> tuple[Protocol, Protocol, list[Lacking]]:
    """Each version given the options of a shared choice question that only the other offers.
    An added option is an answer the old rules do not name: a case answered that way would have
    met the old rules as an answer none of them tests. So both versions can be run on it, and
    the behaviour comparison covers it; the board paper says how it was compared."""
    lacking: list[Lacking] = []

    def widen(mine: Protocol, other: Protocol, side: Literal["old", "new"]) -> Protocol:
        questions = []
        for q in mine.questions:
            theirs = other.question(q.id)
            if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)) and type(q) is type(
                theirs
            ):
                assert isinstance(theirs, (SingleChoiceQuestion, MultipleChoiceQuestion))
                ids = {o.id for o in q.options}
                extra = tuple(o for o in theirs.options if o.id not in ids and not o.unknown)
                if extra:
                    lacking.extend(Lacking(q.id, o.id, side) for o in extra)
                    q = q.model_copy(update={"options": (*q.options, *extra)})
            questions.append(q)
        return mine.model_copy(update={"questions": tuple(questions)}) if lacking else mine

    widened_old = widen(old, new, "old")
    count = len(lacking)
    widened_new = widen(new, old, "new")
    if len(lacking) == count:
        widened_new = new
    return widened_old, widened_new, lacking


def policy_changes(old: Protocol, new: Protocol) -> list[PolicyChange]:
    """The policy fields whose positions differ (`model.policy_differences`), with each
    version's value as written."""
    a = _dump(old.policy) or {}
    b = _dump(new.policy) or {}
    return [PolicyChange(k, a.get(k), b.get(k)) for k in policy_differences(old.policy, new.policy)]


def renamed(old: Protocol, new: Protocol) -> list[Renamed]:
    """A rule or pathway removed and another added that means the same (ids aside).

    A pathway is renamed when it tells the practitioner the same (`direction.same_content`, the
    test the behaviour comparison uses, so a pathway renamed here is `same` there). A rule is
    renamed when its condition, its `then:` (whether a follow-on pathway comes from the rules
    below) and its pathway (by id, or renamed) are the same."""
    pathways = _matched(
        "pathways", old.pathways, new.pathways, lambda x, y: same_content(old, x, new, y)
    )
    moved = {r.old_id: r.new_id for r in pathways}

    def same_rule(x: Rule, y: Rule) -> bool:
        return (
            x.then == y.then
            and moved.get(x.pathway, x.pathway) == y.pathway
            and _canonical(_dump(x.when)) == _canonical(_dump(y.when))
        )

    return [*_matched("rules", old.rules, new.rules, same_rule), *pathways]


def _matched(
    section: str,
    old: Sequence[T],
    new: Sequence[T],
    same: Callable[[T, T], bool],
) -> list[Renamed]:
    """Each item only in `old` paired with the first unpaired item only in `new` that is the
    same."""
    old_ids = {x.id for x in old}
    new_ids = {y.id for y in new}
    came = [y for y in new if y.id not in old_ids]
    out = []
    for x in old:
        if x.id in new_ids:
            continue
        match = next((y for y in came if same(x, y)), None)
        if match is not None:
            came.remove(match)
            out.append(Renamed(section, x.id, match.id))
    return out


def questions_of(
    protocol: Protocol, cond: Condition | None, seen: set[str] | None = None
) -> set[str]:
    """Questions a condition depends on, through the derived facts it uses."""
    seen = set() if seen is None else seen
    out: set[str] = set()
    if cond is None:
        return out
    for node in comparisons(cond):
        if node.question is not None:
            out.add(node.question)
        elif node.item is not None:  # a mark's own answer (its explanation, say)
            out.add(node.item)
        elif node.fact is not None and node.fact not in seen:
            seen.add(node.fact)
            out |= fact_questions(protocol, node.fact, seen)
    return out


def fact_questions(protocol: Protocol, fid: str, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    fact = fact_of(protocol, fid)
    if isinstance(fact, BooleanFact):
        return questions_of(protocol, fact.condition, seen)
    if isinstance(fact, NumberFact):
        out = questions_of(protocol, fact.applies_if, seen)
        for ref in expr_refs(fact.value):
            if ref.question is not None:
                out.add(ref.question)
            elif ref.fact is not None and ref.fact not in seen:
                seen.add(ref.fact)
                out |= fact_questions(protocol, ref.fact, seen)
        return out
    return set()


def fact_of(protocol: Protocol, fid: str) -> BooleanFact | NumberFact | None:
    return next((f for f in protocol.derived if f.id == fid), None)
