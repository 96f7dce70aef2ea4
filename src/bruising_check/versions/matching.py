"""Matching two protocol versions item by item, beyond ids: policy positions that changed, rules
and pathways renamed with the same meaning, the options of a shared question only one version
offers, and the questions a condition depends on (through derived facts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bruising_check.protocol.conditions import Condition, comparisons
from bruising_check.protocol.model import (
    BooleanFact,
    MultipleChoiceQuestion,
    NumberFact,
    Pathway,
    Protocol,
    SingleChoiceQuestion,
)
from bruising_check.protocol.walk import expr_refs
from bruising_check.versions.structural import _canonical, _dump


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
    a = _dump(old.policy) or {}
    b = _dump(new.policy) or {}
    return [
        PolicyChange(k, a.get(k), b.get(k))
        for k in [*a, *(k for k in b if k not in a)]
        if a.get(k) != b.get(k)
    ]


def renamed(old: Protocol, new: Protocol) -> list[Renamed]:
    """A rule or pathway removed and another added that means the same (ids aside)."""
    out = []
    for section, same in (("rules", _same_rule), ("pathways", _same_pathway)):
        a = {x.id: x for x in getattr(old, section)}
        b = {x.id: x for x in getattr(new, section)}
        gone = [x for k, x in a.items() if k not in b]
        came = [x for k, x in b.items() if k not in a]
        for x in gone:
            match = next((y for y in came if same(old, new, x, y)), None)
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


def _same_rule(old: Protocol, new: Protocol, x: Any, y: Any) -> bool:
    return bool(
        _canonical(_dump(x.when)) == _canonical(_dump(y.when))
        and _same_target(old, new, x.pathway, y.pathway)
    )


def _same_target(old: Protocol, new: Protocol, a: str, b: str) -> bool:
    if a == b:
        return True
    return any(r.old_id == a and r.new_id == b for r in renamed_pathways(old, new))


def renamed_pathways(old: Protocol, new: Protocol) -> list[Renamed]:
    a = {x.id: x for x in old.pathways}
    b = {x.id: x for x in new.pathways}
    out = []
    came = [y for k, y in b.items() if k not in a]
    for k, x in a.items():
        if k in b:
            continue
        match = next((y for y in came if _same_pathway(old, new, x, y)), None)
        if match is not None:
            came.remove(match)
            out.append(Renamed("pathways", x.id, match.id))
    return out


def _same_pathway(old: Protocol, new: Protocol, x: Pathway, y: Pathway) -> bool:
    ignore = {"id", "urgency"}
    a = {k: v for k, v in _dump(x).items() if k not in ignore}
    b = {k: v for k, v in _dump(y).items() if k not in ignore}
    return bool(a == b)
