"""Realistic example cases for the board paper, each checked through both protocols' engines.

The analysis gives one valid example per class of situations, but the first in its search order
(a 0-week-old born at 22 weeks who crawls). A board recognises a case a practitioner meets: the
smallest age that is plausible for the milestones reported, the fewest milestones and marks, no
optional answer unless it matters. `realistic` starts from the analysis example and changes one
answer at a time towards that, keeping a change only while both engines still give the outcome
pair being illustrated; `reproduces` is the check every shown example has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.protocol.model import (
    BooleanQuestion,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from bruising_check.protocol.yamlread import Located

Outcome = tuple[str | None, str | None]
"""(pathway id, follow-on pathway id) as the engine decides them."""

# The earliest age (completed weeks) at which the tool will show a milestone in an example. Not a
# clinical threshold and not used to decide anything: only to keep examples recognisable (no
# "0-week-old who rolls"). Three kinds of figure, and the paper says which is which (`FLOOR_BASIS`):
# - "who": the WHO Motor Development Study 1st percentiles as the national baseline v2 spec quotes
#   them (hands-and-knees crawling 5.2 months, walking with assistance 5.9 months; WHO Multicentre
#   Growth Reference Study Group, Acta Paediatr Suppl 2006;450:86-95): crawling 23 weeks, cruising
#   and walking 26 weeks;
# - "crawling figure": bottom shuffling and wheelchair use take the crawling floor (no figure of
#   their own in a source held here);
# - "rough": rolling, sitting and pulling to stand have no figure in a source held here; these are
#   rough, deliberately early round figures (about 3, 4 and 5 months) chosen by this tool, marked as
#   such wherever they are shown. Unverified: replace them if a partnership has a better source.
MILESTONE_FLOOR_WEEKS: dict[str, int] = {
    "rolling": 12,
    "sitting": 16,
    "pulling_to_stand": 20,
    "crawling": 23,
    "bottom_shuffling": 23,
    "cruising": 26,
    "walking": 26,
    "independent_wheelchair_use": 23,
}
FloorBasis = Literal["who", "crawling figure", "rough"]
FLOOR_BASIS: dict[str, FloorBasis] = {
    "rolling": "rough",
    "sitting": "rough",
    "pulling_to_stand": "rough",
    "crawling": "who",
    "bottom_shuffling": "crawling figure",
    "cruising": "who",
    "walking": "who",
    "independent_wheelchair_use": "crawling figure",
}
# Milestones that make a child mobile (the locomotor ones): `milestone_question` finds the
# question by these, not by rolling or sitting, which other multiple-choice questions might share.
LOCOMOTOR = frozenset({"crawling", "bottom_shuffling", "cruising", "walking"})
# Answers preferred in an example when the outcome allows (the most ordinary first).
PREFERRED: dict[str, tuple[Any, ...]] = {
    "report_channel": ("seen_in_person",),
}
# The same, for a question by what it is (`show_as`), whatever its id.
PREFERRED_SHOWN_AS: dict[str, tuple[Any, ...]] = {
    "explanation": ("plausible_consistent", "none"),
}
MAX_PASSES = 3


def outcome(protocol: Protocol, answers: Mapping[str, Any]) -> Outcome | None:
    """What the engine decides for `answers` (questions this protocol lacks left out), or None
    when the answers are not a valid case for it. Remembered per protocol object: the example
    search asks the same few cases many times."""
    key = (id(protocol), _key(answers))
    if key not in _SEEN or _SEEN[key][0] is not protocol:
        if len(_SEEN) > MAX_REMEMBERED:
            _SEEN.clear()
        _SEEN[key] = (protocol, _outcome(protocol, answers))
    return _SEEN[key][1]


MAX_REMEMBERED = 20_000
_SEEN: dict[tuple[int, Any], tuple[Protocol, Outcome | None]] = {}


def _key(answers: Mapping[str, Any]) -> Any:
    return _frozen(answers)


def _frozen(value: Any) -> Any:
    """A hashable copy: answers hold lists of marks, each a mapping (answers format v2)."""
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_frozen(v) for v in value))
    return value


def _outcome(protocol: Protocol, answers: Mapping[str, Any]) -> Outcome | None:
    ids = {q.id for q in protocol.questions} | {q.id for q in protocol.context_prompts}
    kept = {k: v for k, v in answers.items() if k in ids}
    checked = check_answers(protocol, Located(kept, "example"))
    if any(p.severity == "error" for p in checked.problems):
        return None
    decision = decide(protocol, checked.answers)
    if decision.pathway is None:
        return None
    return decision.pathway.id, decision.then.id if decision.then is not None else None


def reproduces(
    old: Protocol, new: Protocol, answers: Mapping[str, Any], pair: tuple[Outcome, Outcome]
) -> bool:
    """Both engines give exactly the illustrated (old outcome, new outcome)."""
    return outcome(old, answers) == pair[0] and outcome(new, answers) == pair[1]


def age_question(protocol: Protocol) -> NumberQuestion | None:
    """The child's age in weeks, if the protocol asks it (found by unit, not by id)."""
    for q in protocol.questions:
        weeks = isinstance(q, NumberQuestion) and q.unit.strip().lower() == "weeks"
        if weeks and ("old" in q.prompt.lower() or q.id.startswith("age")):
            assert isinstance(q, NumberQuestion)
            return q
    return None


def milestone_question(protocol: Protocol) -> MultipleChoiceQuestion | None:
    for q in protocol.questions:
        if isinstance(q, MultipleChoiceQuestion) and any(o.id in LOCOMOTOR for o in q.options):
            return q
    return None


def plausible(protocol: Protocol, answers: Mapping[str, Any]) -> bool:
    """No milestone is reported before the age the tool shows it from (see the floors)."""
    age_q, mile_q = age_question(protocol), milestone_question(protocol)
    if age_q is None or mile_q is None:
        return True
    age, miles = answers.get(age_q.id), answers.get(mile_q.id)
    if not isinstance(age, (int, float)) or not isinstance(miles, list):
        return True
    return all(age >= MILESTONE_FLOOR_WEEKS.get(m, 0) for m in miles)


def realistic(
    old: Protocol,
    new: Protocol,
    start: Mapping[str, Any],
    keeps: Callable[[Mapping[str, Any]], bool],
) -> dict[str, Any]:
    """An example as ordinary as `keeps` allows, from `start` (which `keeps` must accept)."""
    questions = _joint_questions(old, new)
    current = dict(start)
    # Choices and yes/no first, then numbers: the age floor depends on the milestones chosen.
    ordered = sorted(questions, key=lambda q: isinstance(q, NumberQuestion))
    for _ in range(MAX_PASSES):
        before = dict(current)
        for q in ordered:
            if q.id not in current and q.required:
                continue
            for value in _candidates(q, current):
                trial = dict(current)
                if value is _LEAVE_OUT:
                    trial.pop(q.id, None)
                else:
                    trial[q.id] = value
                if trial == current:
                    if plausible(new, current):
                        break  # nothing more ordinary keeps the outcome
                    continue
                if plausible(new, trial) and keeps(trial):
                    current = trial
                    break
        if current == before:
            break
    return _items_left_out(old, new, current, keeps)


def _items_left_out(
    old: Protocol,
    new: Protocol,
    current: dict[str, Any],
    keeps: Callable[[Mapping[str, Any]], bool],
) -> dict[str, Any]:
    """Each item's optional answers (a mark's size, say) left out where the outcome keeps: the
    analysis gives every item answer a value, and a size of 0 cm is no ordinary mark."""
    groups = {q.id: q for p in (new, old) for q in p.questions if isinstance(q, GroupQuestion)}
    for gid, group in groups.items():
        optional = [q.id for q in group.questions if not q.required]
        for n in range(len(current.get(gid) or [])):
            for qid in optional:
                items = current[gid]
                if not isinstance(items[n], Mapping) or qid not in items[n]:
                    continue
                item = {k: v for k, v in items[n].items() if k != qid}
                trial = {**current, gid: [*items[:n], item, *items[n + 1 :]]}
                if keeps(trial):
                    current = trial
    return current


# --- internals ------------------------------------------------------------------------------

_LEAVE_OUT = object()


def _joint_questions(old: Protocol, new: Protocol) -> list[Question]:
    seen: dict[str, Question] = {q.id: q for q in new.questions}
    for q in old.questions:
        seen.setdefault(q.id, q)
    return [
        q
        for q in seen.values()
        if isinstance(
            q, (BooleanQuestion, SingleChoiceQuestion, MultipleChoiceQuestion, NumberQuestion)
        )
    ]


def _candidates(q: Question, current: Mapping[str, Any]) -> Iterator[Any]:
    """Values to try, the most ordinary first; the current value ends the search."""
    mine = current.get(q.id)
    if not q.required:
        yield _LEAVE_OUT
    if isinstance(q, BooleanQuestion):
        yield from (False, True)
    elif isinstance(q, SingleChoiceQuestion):
        ids = [o.id for o in q.options if not o.unknown]
        preferred = PREFERRED.get(q.id, ()) + PREFERRED_SHOWN_AS.get(q.show_as or "", ())
        yield from (p for p in preferred if p in ids)
        yield from ids
    elif isinstance(q, MultipleChoiceQuestion):
        if q.min_selected == 0:
            yield []
        # One choice only, the earliest listed (milestones are listed in developmental order).
        yield from ([o.id] for o in q.options if not o.unknown)
        if isinstance(mine, list) and len(mine) > 1:
            for i in range(len(mine)):
                yield mine[:i] + mine[i + 1 :]
    elif isinstance(q, NumberQuestion):
        yield from _numbers(q, mine)
    yield mine


def _numbers(q: NumberQuestion, mine: Any) -> Iterator[Any]:
    """The smallest values first: the minimum, the milestone floors and just above them, and
    halving steps down from the current value; a birth at term (40 weeks) first for a
    gestation."""
    if "gestation" in q.id and q.min <= 40 <= q.max:
        yield 40
    if not isinstance(mine, (int, float)):
        return
    low, high = int(q.min), int(q.max)
    values = {low, int(mine)}
    for floor in MILESTONE_FLOOR_WEEKS.values():
        values.update(range(floor, floor + 4))
    step, value = max(1, int(mine - low) // 2), int(mine)
    while step >= 1 and value - step >= low:
        values.add(value - step)
        step //= 2
    yield from sorted(v for v in values if low <= v <= high)


def alternatives(q: Question, value: Any) -> Iterator[Any]:
    if isinstance(q, BooleanQuestion):
        yield not value
    elif isinstance(q, SingleChoiceQuestion):
        yield from (o.id for o in q.options if o.id != value and not o.unknown)
    elif isinstance(q, MultipleChoiceQuestion):
        chosen = value if isinstance(value, list) else []
        yield from ([*chosen, o.id] for o in q.options if o.id not in chosen and not o.unknown)
        yield from ([c for c in chosen if c != gone] for gone in chosen)
    elif isinstance(q, NumberQuestion) and isinstance(value, (int, float)):
        yield from (q.min, q.max)
