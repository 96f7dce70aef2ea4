"""The order on outcomes, shared by the engine, the analysis, the diff and case impact.

An outcome is a pair (pathway, then): the pathway and, when the pathway is a `first_step` one,
the follow-on pathway the rules below decided (docs/design/groups-unknowns-followon.md §4).
Outcomes compare by the pathways' urgency, then by the follow-ons'; a missing pathway (a gap) or
a missing follow-on is less urgent than any.
"""

from __future__ import annotations

from collections.abc import Iterable

from bruising_check.protocol.model import Pathway

Outcome = tuple[Pathway | None, Pathway | None]

_NONE = 10**9  # less urgent than any urgency rank (ranks start at 1 and stay small)


def urgency_key(outcome: Outcome) -> tuple[int, int]:
    """Larger is more urgent: sort or `max` outcomes with this key."""
    pathway, then = outcome
    return (
        -(pathway.urgency if pathway is not None else _NONE),
        -(then.urgency if then is not None else _NONE),
    )


def compare_outcomes(a: Outcome, b: Outcome) -> int:
    """-1 when `a` is less urgent than `b`, 0 when as urgent, 1 when more urgent."""
    ka, kb = urgency_key(a), urgency_key(b)
    return (ka > kb) - (ka < kb)


def more_urgent(a: Outcome, b: Outcome) -> bool:
    return urgency_key(a) > urgency_key(b)


def most_urgent(outcomes: Iterable[Outcome]) -> Outcome:
    """The most urgent outcome (the first of equals); (None, None) when there are none."""
    best: Outcome = (None, None)
    for outcome in outcomes:
        if more_urgent(outcome, best):
            best = outcome
    return best


def at_least(pathway: Pathway | None, floor: Pathway) -> bool:
    """The pathway is at least as urgent as `floor`."""
    return pathway is not None and pathway.urgency <= floor.urgency


def satisfies(outcome: Outcome, floor: Pathway) -> bool:
    """An invariant `at_least: floor` holds for the outcome: the pathway is at least as urgent
    as `floor` and, unless `floor` is itself a first step, so is the follow-on (if any)."""
    pathway, then = outcome
    if not at_least(pathway, floor):
        return False
    return floor.first_step or then is None or at_least(then, floor)


def raise_to(outcome: Outcome, floor: Pathway) -> Outcome:
    """The least change to `outcome` that satisfies `at_least: floor`.

    - a first-step floor comes first and what the rules decided follows it;
    - otherwise a follow-on below the floor is raised to it, or (when the pathway itself is
      below the floor) the floor replaces the pathway.
    """
    if satisfies(outcome, floor):
        return outcome
    pathway, then = outcome
    if floor.first_step:
        follow = then if pathway is not None and pathway.first_step else pathway
        return (floor, follow)
    if at_least(pathway, floor):
        return (pathway, floor)  # a first step above the floor, followed by too little
    return (floor, None)
