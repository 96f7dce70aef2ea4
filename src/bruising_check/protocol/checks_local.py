"""Checks for what real local protocols declare (issue 14; docs/design/local-protocols.md §1, §4,
§6): pathway levels against ranks, approved deviations and acknowledged overlaps that name real
rules and policy fields, contacts that say where their number came from, a review date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.levels import LEVEL_DEADLINE_HOURS, LEVEL_LABELS, level_rank
from bruising_check.protocol.model import Pathway, Policy, Protocol
from bruising_check.protocol.yamlread import Located


def check_levels(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """Equal ranks only for equal levels (alternatives); ranks in the order of the levels; a
    warning for a pathway with no level (other protocols then compare with it by rank only)."""
    first: dict[int, int] = {}
    for i, pw in enumerate(p.pathways):
        if pw.level is None:
            yield located.problem(
                Code.W_NO_LEVEL,
                f"pathway {pw.id!r} has no level: across protocols it compares by its rank only",
                ("pathways", i, "id"),
            )
        if pw.urgency not in first:
            first[pw.urgency] = i
            continue
        other = p.pathways[first[pw.urgency]]
        if pw.level is None or other.level != pw.level:
            yield located.problem(
                Code.DUPLICATE_URGENCY,
                f"pathways {other.id!r} and {pw.id!r} share urgency {pw.urgency} but not a level"
                f" ({other.level or 'none'} and {pw.level or 'none'})",
                ("pathways", i, "urgency"),
            )
    for i, pw in enumerate(p.pathways):
        if pw.level is None:
            continue
        yield from _level_timescale(pw, i, located)
        for other in p.pathways:
            if (
                other.level is not None
                and pw.urgency < other.urgency
                and level_rank(pw.level) > level_rank(other.level)
            ):
                yield located.problem(
                    Code.LEVEL_ORDER,
                    f"pathway {pw.id!r} (urgency {pw.urgency}, level {pw.level}) is ranked more"
                    f" urgent than {other.id!r} (urgency {other.urgency}), whose level"
                    f" {other.level} is more urgent",
                    ("pathways", i, "urgency"),
                )
                break


def _level_timescale(pw: Pathway, i: int, located: Located) -> Iterator[Problem]:
    """A pathway's own clock no longer than its level allows (a "referral - immediate" level on a
    24-hour timescale would compare as more urgent than a same-day referral, which it is not).
    A timescale without a clock (a label only, or `after` another action) is not judged."""
    level = pw.level
    most = LEVEL_DEADLINE_HOURS.get(level) if level is not None else None
    ts = pw.timescale
    if level is None or most is None or ts.after is not None:
        return
    hours = ts.hours if ts.hours is not None else 24.0 if ts.same_day else None
    if hours is None or hours <= most:
        return
    allowed = "immediately" if most == 0 else f"within {most:g} hours"
    yield located.problem(
        Code.W_LEVEL_TIMESCALE,
        f"pathway {pw.id!r} has level {level} ({LEVEL_LABELS[level].lower()}), which"
        f" means acting {allowed}, but its timescale is {ts.label!r} ({hours:g} hours)",
        ("pathways", i, "timescale"),
    )


POLICY_FIELDS = frozenset(Policy.model_fields)


def check_deviations(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    rules = {r.id for r in p.rules}
    sources = {s.id for s in p.sources}
    seen: set[str] = set()
    for i, d in enumerate(p.approved_deviations):
        at = ("approved_deviations", i)
        if d.id in seen:
            yield located.problem(Code.DUPLICATE_ID, f"duplicate id {d.id!r}", (*at, "id"))
        seen.add(d.id)
        if d.approved_on is None:
            yield located.problem(
                Code.W_DEVIATION_UNDATED,
                f"approved deviation {d.id!r} has no approval date (approved_on)",
                (*at, "id"),
            )
        if not d.rules and d.when is None and not d.policy:
            yield located.problem(
                Code.MISSING_KEY,
                f"approved deviation {d.id!r} covers nothing: give `rules:`, `when:` or `policy:`",
                at,
                hint="Name the rules that deviate, the situations (`when:`) or the policy fields.",
            )
        for k, rid in enumerate(d.rules):
            if rid not in rules:
                yield located.problem(Code.UNKNOWN_RULE, f"unknown rule {rid!r}", (*at, "rules", k))
        for k, name in enumerate(d.policy):
            if name not in POLICY_FIELDS:
                yield located.problem(
                    Code.UNKNOWN_POLICY_FIELD,
                    f"{name!r} is not a policy field (known: {', '.join(sorted(POLICY_FIELDS))})",
                    (*at, "policy", k),
                )
            elif p.policy is None:
                yield located.problem(
                    Code.UNKNOWN_POLICY_FIELD,
                    f"{name!r}: this protocol has no `policy:` block",
                    (*at, "policy", k),
                )
        for k, sid in enumerate(d.cite):
            if sid not in sources:
                yield located.problem(
                    Code.UNKNOWN_SOURCE, f"unknown source {sid!r}", (*at, "cite", k)
                )


def check_overlaps(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    rules = {r.id for r in p.rules}
    for i, o in enumerate(p.overlaps):
        for k, rid in enumerate(o.rules):
            if rid not in rules:
                yield located.problem(
                    Code.UNKNOWN_RULE, f"unknown rule {rid!r}", ("overlaps", i, "rules", k)
                )


def check_sourced(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    for i, c in enumerate(p.contacts):
        if c.placeholder or c.phone is None:
            continue  # a placeholder has its own warning; no number, nothing to source
        missing = [
            name
            for name, value in (("source", c.source), ("verified_on", c.verified_on))
            if not value
        ]
        if missing:
            yield located.problem(
                Code.W_CONTACT_UNSOURCED,
                f"contact {c.id!r} ({c.name}) gives a number without {' or '.join(missing)}",
                ("contacts", i),
            )
    if p.metadata.review_due is None:
        yield located.problem(
            Code.W_NO_REVIEW_DUE, "the protocol has no review date (`review_due`)", ("metadata",)
        )


LOCAL_CHECKS = (check_levels, check_deviations, check_overlaps, check_sourced)
