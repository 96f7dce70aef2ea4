"""Behavioural comparison of two protocols over every complete answer set both accept.

The joint space has every question of either protocol (matched by id; see `build`). An answer set
answers each question that at least one protocol asks. Each protocol decides on its own view of it
(a question it does not have, or does not ask, is absent). The space is split until both first
matching rules are known; situations where the pathways differ are grouped by (old, new) pathway,
each class with a readable condition, an exact size and an example valid for both protocols after
`example_for`. Rules, not invariants, decide here: the invariants are proved separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bruising_check.analysis.build import BUDGET_SECONDS, MAX_NODES, build
from bruising_check.analysis.classes import describe, merge
from bruising_check.analysis.direction import RANK_NOTE, Verdict, outcome_direction
from bruising_check.analysis.formulas import evaluate
from bruising_check.analysis.search import Leaf, Split, Trail
from bruising_check.engine.answers import AnswerError, coerce
from bruising_check.engine.decide import applicable
from bruising_check.protocol.conditions import Truth
from bruising_check.protocol.model import Protocol, Question, policy_differences

Changed = Literal["less_urgent", "more_urgent", "different_actions"]
"""A difference's direction (`direction.Direction` minus `same`, which is no difference)."""
_ORDER: dict[str, int] = {"less_urgent": 0, "more_urgent": 1, "different_actions": 2}


Pair = tuple[str | None, str | None]
"""An outcome by pathway ids: (pathway, follow-on)."""
Explored = tuple[dict[str, Any], int, dict[str, Any]]


@dataclass(frozen=True)
class SituationClass:
    condition: str
    example: dict[str, Any]
    size: int


@dataclass(frozen=True)
class PathwayDifference:
    old_pathway: str | None
    new_pathway: str | None
    direction: Changed
    classes: tuple[SituationClass, ...]
    old_then: str | None = None
    """The follow-on pathway under the old protocol (when its pathway is a first step)."""
    new_then: str | None = None
    by_rank: bool = False
    """A side has no `level`, so the protocols' own urgency ranks decided the direction."""
    approved: tuple[str, ...] = ()
    """The new protocol's approved deviations (ids) that cover every situation of this one."""
    compared: bool = True
    """False: a side has no `level` and no id matches across the protocols, so the two could not
    be compared (`direction` is then `different_actions`, which says nothing of urgency)."""

    @property
    def size(self) -> int:
        return sum(c.size for c in self.classes)


@dataclass(frozen=True)
class Comparison:
    differences: tuple[PathwayDifference, ...]
    only_in_old: tuple[str, ...]
    only_in_new: tuple[str, ...]
    total: int
    notes: tuple[str, ...] = ()
    """Where shared questions differ (options, ranges, type) and how they were compared."""
    unused_deviations: tuple[str, ...] = ()
    """The new protocol's approved deviations against the old one that match no difference."""


def compare(
    old: Protocol,
    new: Protocol,
    max_nodes: int = MAX_NODES,
    budget_seconds: float | None = BUDGET_SECONDS,
) -> Comparison:
    """Every class of situations where `new` gives a different pathway from `old`. Raises
    `TooLarge` if that needs more than `max_nodes` search steps or `budget_seconds`.

    The new protocol's approved deviations against the old one's id (design §4) are decided in
    every differing situation: a class lists the deviations that cover it (`approved`), so a
    difference part-covered splits into a covered and an uncovered one."""
    built = build([old, new], max_nodes, budget_seconds)
    before, after = built.views
    ex = built.explorer
    deviations = [d for d in new.approved_deviations if d.against == old.metadata.id]
    whens = [None if d.when is None else after.compiler.condition(d.when) for d in deviations]
    rule_ids = [r.id for r in new.rules]
    verdicts: dict[tuple[Pair, Pair], Verdict] = {}

    def verdict_of(p: Pair, q: Pair) -> Verdict:
        if (p, q) not in verdicts:
            verdicts[(p, q)] = outcome_direction(old, p, new, q)
        return verdicts[(p, q)]

    def differs(p: Pair, q: Pair) -> bool:
        """Another outcome: another pathway, one pathway whose content changed (L1), or one
        that cannot be compared (never `same`)."""
        v = verdict_of(p, q)
        return v.direction != "same" or not v.compared

    def step_differs(a: str | None, b: str | None) -> bool:
        return a != b or differs((a, None), (b, None))

    Known = tuple[int | None, int | None]
    Hint = tuple[tuple[int, int], tuple[int, int], Known | None, Known | None]

    def decide(a: dict[str, Any], hint: Hint | None) -> Split | Leaf:
        need: list[str] = []
        resume_old, resume_new, known_old, known_new = hint or ((0, 0), (0, 0), None, None)
        if known_old is None:
            done, key_old, resume_old = before.decide_pair(a, need, resume_old)
            if not done:
                return Split(built.space.pick(need), (resume_old, resume_new, None, None))
        else:
            key_old = known_old
        if known_new is None:
            done, key_new, resume_new = after.decide_pair(a, need, resume_new)
            if not done:
                return Split(built.space.pick(need), (resume_old, resume_new, key_old, None))
        else:
            key_new = known_new
        p, q = before.pair_pathways(key_old), after.pair_pathways(key_new)
        if not deviations or not differs(p, q):
            return Leaf((p, q, ()))
        # The rules whose own outcome differs: a first step's rule when the first pathways
        # differ, the follow-on's rule when the follow-ons do. An approval of a first step
        # (say, emergency care first) is not an approval of a lower pathway after it.
        first, below = key_new
        deciding = {
            rule_ids[i]
            for i, changed in ((first, step_differs(p[0], q[0])), (below, step_differs(p[1], q[1])))
            if i is not None and changed
        }
        covered: list[str] = []
        for d, when in zip(deviations, whens, strict=True):
            if not d.rules and when is None:
                continue  # policy fields only: no situations
            if d.rules and not (deciding and deciding <= set(d.rules)):
                continue
            if when is not None:
                v = evaluate(when, a, need)
                if v is None:
                    return Split(built.space.pick(need), (resume_old, resume_new, key_old, key_new))
                if not v:
                    continue
            covered.append(d.id)
        return Leaf((p, q, tuple(covered)))

    total = 0
    # Differing leaves are kept packed until the search ends (one that gives up reports none
    # of them, and must stop within its memory bound).
    packed: dict[tuple[Pair, Pair, tuple[str, ...]], list[tuple[Trail, int]]] = {}
    for trail, key, size in ex.explore(decide, packed=True):
        total += size
        if differs(key[0], key[1]):
            packed.setdefault(key, []).append((trail, size))
    groups: dict[tuple[Pair, Pair, tuple[str, ...]], list[Explored]] = {}
    for key, found in packed.items():
        # The example is made once per merged class (from its biggest leaf), not per leaf.
        kept = groups[key] = []
        for trail, size in found:
            a = ex.unpack(trail)
            kept.append((a, size, a))
    del packed
    diffs: list[PathwayDifference] = []
    by_rank = False
    used: set[str] = set()
    for (p, q, approved), leaves in groups.items():
        ex.on_time()  # the budget bounds grouping the differences too, not only the search
        verdict = verdict_of(p, q)
        by_rank = by_rank or verdict.by_rank
        used.update(approved)
        # `differs` let only a change or a comparison not made through; the latter is never same.
        direction: Changed = (
            "different_actions" if verdict.direction == "same" else verdict.direction
        )
        diffs.append(
            PathwayDifference(
                p[0],
                q[0],
                direction,
                tuple(
                    SituationClass(describe(built.space, m), ex.example(m.example), m.size)
                    for m in merge(leaves, ex.on_time)
                ),
                old_then=p[1],
                new_then=q[1],
                by_rank=verdict.by_rank,
                approved=approved,
                compared=verdict.compared,
            )
        )
    diffs.sort(key=lambda d: (d.compared, _ORDER[d.direction], bool(d.approved), -d.size))
    differing = set(policy_differences(old.policy, new.policy))
    unused = tuple(d.id for d in deviations if d.id not in used and not set(d.policy) & differing)
    old_ids = [q.id for q in old.questions]
    new_ids = [q.id for q in new.questions]
    return Comparison(
        tuple(diffs),
        tuple(q for q in old_ids if q not in set(new_ids)),
        tuple(q for q in new_ids if q not in set(old_ids)),
        total,
        (*built.space.notes, *((f"pathways {RANK_NOTE}",) if by_rank else ())),
        unused_deviations=unused,
    )


def example_for(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers `check --answers` accepts for `protocol`: its own questions, minus those
    its ask_if leaves unasked for these answers. Where the two protocols give one id different
    types, the example holds both (`id` for the old, `id@new` for the new); the one this
    protocol's question accepts is kept, under `id`."""
    kept: dict[str, Any] = {}
    for q in protocol.questions:
        for key in (q.id, f"{q.id}@new"):
            if key in answers and _accepts(q, answers[key]):
                kept[q.id] = answers[key]
                break
    normal = {k: tuple(v) if isinstance(v, list) else v for k, v in kept.items()}
    applies = applicable(protocol, normal)
    return {k: v for k, v in kept.items() if applies.get(k) is not Truth.FALSE}


def _accepts(q: Question, value: Any) -> bool:
    try:
        coerce(q, value)
    except AnswerError:
        return False
    return True
