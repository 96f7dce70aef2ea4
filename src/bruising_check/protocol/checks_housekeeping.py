"""Housekeeping: example placeholder contacts, a review date passed, sources never cited or not
verified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import Located


def check_housekeeping(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    for i, c in enumerate(p.contacts):
        if c.placeholder:
            yield located.problem(
                Code.PLACEHOLDER_CONTACT,
                f"contact {c.id!r} ({c.name}) is an example placeholder, not a real number",
                ("contacts", i),
            )
    due = p.metadata.review_due
    if due is not None and due < today:
        yield located.problem(
            Code.REVIEW_OVERDUE, f"review was due on {due.isoformat()}", ("metadata", "review_due")
        )
    cited = {sid for sid in _all_cites(p)} | {a.source for a in p.metadata.aligned_to}
    for i, s in enumerate(p.sources):
        if s.id not in cited:
            yield located.problem(
                Code.SOURCE_UNCITED, f"source {s.id!r} is never cited", ("sources", i)
            )
        if s.status != "verified":
            yield located.problem(
                Code.SOURCE_UNVERIFIED,
                f"source {s.id!r} is marked {s.status.replace('_', ' ')}"
                + (f": {s.note}" if s.note else ""),
                ("sources", i, "status"),
            )


def _all_cites(p: Protocol) -> Iterator[str]:
    for group in (p.definitions, p.questions, p.context_prompts, p.derived, p.rules, p.advice):
        for item in group:
            yield from item.cite
    for inv in p.invariants:
        yield from inv.cite
    for pw in p.pathways:
        for a in pw.actions:
            yield from a.cite
    for adv in p.advice:
        for a in adv.actions:
            yield from a.cite
