"""How one protocol's outcome compares with another's: the one order every cross-protocol
comparison uses (`validate --against`, `diff`, the case impact report; issue 14.2).

Pathways compare by their `level` on the national scale (`protocol/levels.py`), whatever their
ids or their own `urgency` ranks. Two pathways at the same level are `same` when they have one id
(the same pathway: edits to its text are the structural diff's business) or say the same (title,
timescale, actions; ids and ranks aside: a renamed pathway is no change), else
`different_actions` — never more or less urgent. Only when either side has no level do the
protocols' own ranks decide (matched by id where possible), and the verdict says so (`by_rank`).
A missing pathway (a gap) is less urgent than any pathway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bruising_check.protocol.levels import level_rank
from bruising_check.protocol.model import Pathway, Protocol

Direction = Literal["more_urgent", "less_urgent", "same", "different_actions"]
"""The new outcome relative to the old one."""

RANK_NOTE = "compared by the protocols' own urgency ranks: a pathway has no level"


@dataclass(frozen=True)
class Verdict:
    direction: Direction
    by_rank: bool = False
    """True when a side had no level, so the protocols' own ranks decided."""

    @property
    def note(self) -> str | None:
        return RANK_NOTE if self.by_rank else None


def pathway_direction(
    old: Protocol, old_pathway: str | None, new: Protocol, new_pathway: str | None
) -> Verdict:
    """`new_pathway` of `new` relative to `old_pathway` of `old` (None is no pathway: a gap)."""
    p = old.pathway(old_pathway) if old_pathway is not None else None
    q = new.pathway(new_pathway) if new_pathway is not None else None
    if p is None and q is None:
        return Verdict("same")
    if q is None:
        return Verdict("less_urgent")
    if p is None:
        return Verdict("more_urgent")
    if p.level is not None and q.level is not None:
        a, b = level_rank(p.level), level_rank(q.level)
        if a != b:
            return Verdict("less_urgent" if b > a else "more_urgent")
        same = p.id == q.id or same_content(old, p, new, q)
        return Verdict("same" if same else "different_actions")
    a, b = _ranks(old, p, new, q)
    if a != b:
        return Verdict("less_urgent" if b > a else "more_urgent", by_rank=True)
    same = p.id == q.id or same_content(old, p, new, q)
    return Verdict("same" if same else "different_actions", by_rank=True)


def outcome_direction(
    old: Protocol,
    old_outcome: tuple[str | None, str | None],
    new: Protocol,
    new_outcome: tuple[str | None, str | None],
) -> Verdict:
    """Outcomes are (pathway, follow-on) pairs: the pathways first; at the same urgency, the
    follow-ons (a missing follow-on least urgent of all) decide."""
    first = pathway_direction(old, old_outcome[0], new, new_outcome[0])
    if first.direction in ("more_urgent", "less_urgent"):
        return first
    if old_outcome[1] is None and new_outcome[1] is None:
        return first
    then = pathway_direction(old, old_outcome[1], new, new_outcome[1])
    by_rank = first.by_rank or then.by_rank
    if then.direction in ("more_urgent", "less_urgent"):
        return Verdict(then.direction, by_rank)
    if "different_actions" in (first.direction, then.direction):
        return Verdict("different_actions", by_rank)
    return Verdict("same", by_rank)


def same_content(old: Protocol, p: Pathway, new: Protocol, q: Pathway) -> bool:
    """The two pathways tell the practitioner the same: ids, ranks and citations aside."""
    return _content(old, p) == _content(new, q)


def _content(protocol: Protocol, pathway: Pathway) -> dict[str, Any]:
    data = pathway.model_dump(exclude={"id", "urgency", "actions"})
    data["actions"] = [
        {
            **a.model_dump(exclude={"id", "cite", "contact"}),
            "contact": _contact(protocol, a.contact),
        }
        for a in pathway.actions
    ]
    return data


def _contact(protocol: Protocol, cid: str | None) -> dict[str, Any] | None:
    found = protocol.contact(cid) if cid is not None else None
    return None if found is None else found.model_dump(exclude={"id"})


def _ranks(old: Protocol, p: Pathway, new: Protocol, q: Pathway) -> tuple[int, int]:
    """Ranks on one scale where the ids allow: if the old protocol also has the new pathway,
    both by the old protocol's ranks; else if the new one has the old pathway, both by the new
    one's; otherwise each by its own protocol's ranks."""
    in_old = old.pathway(q.id)
    if in_old is not None:
        return p.urgency, in_old.urgency
    in_new = new.pathway(p.id)
    if in_new is not None:
        return in_new.urgency, q.urgency
    return p.urgency, q.urgency
