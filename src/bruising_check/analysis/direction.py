"""How one protocol's outcome compares with another's: the one order every cross-protocol
comparison uses (`validate --against`, `diff`, the case impact report; issue 14.2).

Pathways compare by their `level` on the national scale (`protocol/levels.py`), whatever their
ids or their own `urgency` ranks. Two pathways at the same level are `same` when they have one id
(the same pathway: edits to its text are the structural diff's business) or say the same (title,
timescale, actions; ids and ranks aside: a renamed pathway is no change), else
`different_actions` — never more or less urgent. One pathway (one id, one level) whose content
changed is compared by that content (`content_direction`): a longer timescale or a removed action
is less urgent, a shorter one or an added action more urgent, anything else `different_actions`
(a change that is less urgent in one respect is less urgent, whatever else it does). Only when
either side has no level do the protocols' own ranks decide (matched by id), and the verdict says
so (`by_rank`); when the ids cannot be matched either, the two protocols' ranks are not one scale
and the verdict is `compared=False` ("not compared": never `same`). A missing pathway (a gap) is
less urgent than any pathway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bruising_check.protocol.levels import level_rank
from bruising_check.protocol.model import Pathway, Protocol, Timescale

Direction = Literal["more_urgent", "less_urgent", "same", "different_actions"]
"""The new outcome relative to the old one."""

RANK_NOTE = "compared by the protocols' own urgency ranks: a pathway has no level"
NOT_COMPARED_NOTE = (
    "not compared: a pathway has no level and the two protocols' ranks are not one scale"
)


@dataclass(frozen=True)
class Verdict:
    direction: Direction
    by_rank: bool = False
    """True when a side had no level, so the protocols' own ranks decided."""
    compared: bool = True
    """False when a side had no level and no pathway id matched across the protocols: the
    direction (`different_actions`) is then no comparison at all."""

    @property
    def note(self) -> str | None:
        if not self.compared:
            return NOT_COMPARED_NOTE
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
        return Verdict(_same_level(old, p, new, q))
    ranks = _ranks(old, p, new, q)
    if ranks is None:
        if same_content(old, p, new, q):
            return Verdict("same", by_rank=True)
        return Verdict("different_actions", by_rank=True, compared=False)
    a, b = ranks
    if a != b:
        return Verdict("less_urgent" if b > a else "more_urgent", by_rank=True)
    return Verdict(_same_level(old, p, new, q), by_rank=True)


def outcome_direction(
    old: Protocol,
    old_outcome: tuple[str | None, str | None],
    new: Protocol,
    new_outcome: tuple[str | None, str | None],
) -> Verdict:
    """Outcomes are (pathway, follow-on) pairs: the pathways first; at the same urgency, the
    follow-ons (a missing follow-on least urgent of all) decide."""
    first = pathway_direction(old, old_outcome[0], new, new_outcome[0])
    if first.direction in ("more_urgent", "less_urgent") or not first.compared:
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


def _ranks(old: Protocol, p: Pathway, new: Protocol, q: Pathway) -> tuple[int, int] | None:
    """Ranks on one scale where the ids allow: if the old protocol also has the new pathway,
    both by the old protocol's ranks; else if the new one has the old pathway, both by the new
    one's; otherwise None: two protocols' own ranks are not one scale (issue 14)."""
    in_old = old.pathway(q.id)
    if in_old is not None:
        return p.urgency, in_old.urgency
    in_new = new.pathway(p.id)
    if in_new is not None:
        return in_new.urgency, q.urgency
    return None


def _same_level(old: Protocol, p: Pathway, new: Protocol, q: Pathway) -> Direction:
    """Two pathways at one urgency: one pathway (one id) by its content, else same or not."""
    if same_content(old, p, new, q):
        return "same"
    return content_direction(p, q) if p.id == q.id else "different_actions"


def deadline(timescale: Timescale | None) -> float | None:
    """The clock a timescale gives, in hours: `hours`, else 24 for `same_day`; None when it gives
    no clock (a label only, or `after` another action)."""
    if timescale is None or timescale.after is not None:
        return None
    if timescale.hours is not None:
        return timescale.hours
    return 24.0 if timescale.same_day else None


def _clock(old: Timescale | None, new: Timescale | None) -> Direction:
    a, b = deadline(old), deadline(new)
    if a is None and b is None:
        return "same"
    if b is None:
        return "less_urgent"  # the clock was lost
    if a is None:
        return "more_urgent"
    return "less_urgent" if b > a else "more_urgent" if b < a else "same"


def content_direction(p: Pathway, q: Pathway) -> Direction:
    """One pathway's content, old `p` to new `q` (not `same`: the caller knows they differ): a
    longer timescale (the pathway's or an action's), a lost clock or a removed action is less
    urgent, and wins over anything more urgent; a shorter timescale or an added action is more
    urgent; anything else is `different_actions`."""
    found = [_clock(p.timescale, q.timescale)]
    old_actions = {a.id: a for a in p.actions}
    new_actions = {a.id: a for a in q.actions}
    if old_actions.keys() - new_actions.keys():
        found.append("less_urgent")
    if new_actions.keys() - old_actions.keys():
        found.append("more_urgent")
    for aid in old_actions.keys() & new_actions.keys():
        found.append(_clock(old_actions[aid].timescale, new_actions[aid].timescale))
    if "less_urgent" in found:
        return "less_urgent"
    return "more_urgent" if "more_urgent" in found else "different_actions"


@dataclass(frozen=True)
class LostAdvice:
    """Advice of the old version whose actions the new version no longer gives: the advice
    itself is gone, or it kept its id and lost these actions. An action still given by some
    advice of the new version (matched by id) is not lost."""

    advice: str
    because: str
    actions: tuple[str, ...]
    """The text of each action no longer given."""
    removed: bool
    """True when the whole advice (its id) is gone from the new version."""
    on_pathways: tuple[str, ...] = ()
    """Pathways of the new version that still give one of these actions (by id): then they are
    given only there, no longer whenever the advice applied (still a loss, said as such)."""


def lost_advice(old: Protocol, new: Protocol) -> list[LostAdvice]:
    """Advice actions `old` gives and `new` gives as no advice: like a removed pathway action, a
    board and `validate --against` must see them (advice only adds actions, so its loss is never
    a change of pathway the behavioural comparison finds)."""
    kept = {a.id for adv in new.advice for a in adv.actions}
    ids = {adv.id for adv in new.advice}
    out = []
    for adv in old.advice:
        lost = [a for a in adv.actions if a.id not in kept]
        if lost:
            lost_ids = {a.id for a in lost}
            on = tuple(pw.id for pw in new.pathways if any(a.id in lost_ids for a in pw.actions))
            why = " ".join(adv.because.split())
            texts = tuple(a.text for a in lost)
            out.append(LostAdvice(adv.id, why, texts, adv.id not in ids, on))
    return out
