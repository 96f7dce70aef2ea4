"""References: the pathways, contacts and sources that rules, actions, advice and invariants name
exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import Action, Protocol
from bruising_check.protocol.yamlread import Located, Path


def check_references(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    sources = {s.id for s in p.sources}
    contacts = {c.id for c in p.contacts}
    pathways = {pw.id for pw in p.pathways}

    def cites(ids: Iterable[str], path: Path) -> Iterator[Problem]:
        for k, sid in enumerate(ids):
            if sid not in sources:
                yield located.problem(Code.UNKNOWN_SOURCE, f"unknown source {sid!r}", (*path, k))

    def actions(items: Iterable[Action], path: Path) -> Iterator[Problem]:
        for k, a in enumerate(items):
            if a.contact is not None and a.contact not in contacts:
                yield located.problem(
                    Code.UNKNOWN_CONTACT, f"unknown contact {a.contact!r}", (*path, k, "contact")
                )
            yield from cites(a.cite, (*path, k, "cite"))

    for i, al in enumerate(p.metadata.aligned_to):
        if al.source not in sources:
            yield located.problem(
                Code.UNKNOWN_SOURCE,
                f"unknown source {al.source!r}",
                ("metadata", "aligned_to", i, "source"),
            )
    for i, d in enumerate(p.definitions):
        yield from cites(d.cite, ("definitions", i, "cite"))
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            yield from cites(q.cite, (section, i, "cite"))
    for i, f in enumerate(p.derived):
        yield from cites(f.cite, ("derived", i, "cite"))
    for i, pw in enumerate(p.pathways):
        yield from actions(pw.actions, ("pathways", i, "actions"))
    for i, r in enumerate(p.rules):
        if r.pathway not in pathways:
            yield located.problem(
                Code.UNKNOWN_PATHWAY, f"unknown pathway {r.pathway!r}", ("rules", i, "pathway")
            )
        yield from cites(r.cite, ("rules", i, "cite"))
    for i, a in enumerate(p.advice):
        yield from actions(a.actions, ("advice", i, "actions"))
        yield from cites(a.cite, ("advice", i, "cite"))
    for i, inv in enumerate(p.invariants):
        if inv.at_least not in pathways:
            yield located.problem(
                Code.UNKNOWN_PATHWAY,
                f"unknown pathway {inv.at_least!r}",
                ("invariants", i, "at_least"),
            )
        yield from cites(inv.cite, ("invariants", i, "cite"))
