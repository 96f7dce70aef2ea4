"""The exact analysis over repeated groups and follow-on pathways agrees with brute-force
enumeration of every ordered list of items (tests/group_support.py) on random small protocols."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bruising_check.analysis import analyse, compare
from bruising_check.engine.decide import decide
from bruising_check.engine.urgency import satisfies, urgency_key
from bruising_check.problems import Code
from tests.group_support import (
    answer_sets,
    as_answers,
    brute_force,
    random_group_protocol,
    reference,
)

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=2**32)


@SETTINGS
@given(seeds)
def test_outcome_counts_over_groups_match_brute_force(seed: int) -> None:
    protocol = random_group_protocol(seed)
    result = analyse(protocol, budget_seconds=60)
    expected = brute_force(protocol)
    assert Counter(result.outcome_sizes) == expected
    assert result.total == sum(expected.values())
    gaps = [f for f in result.findings if f.code is Code.ANALYSIS_GAP]
    assert bool(gaps) == ((None, None) in expected)
    for f in gaps:
        for c in f.data["classes"]:
            assert len(c["example"]["marks"]) >= protocol.groups[0].min_items
            assert reference(protocol, as_answers(c["example"], protocol)) == (None, None)


@SETTINGS
@given(seeds)
def test_the_reference_is_the_engine(seed: int) -> None:
    """The brute force above goes through a plain reference; here it is checked against
    `engine.decide` itself (which also raises the outcome to what the invariants demand)."""
    protocol = random_group_protocol(seed)
    sets = list(answer_sets(protocol))
    rng = random.Random(seed)
    for a in rng.sample(sets, min(40, len(sets))):
        plain = dict(a)
        plain["marks"] = tuple(
            {k: v for k, v in item.items() if k in ("t", "k", "f")} for item in a["marks"]
        )
        d = decide(protocol, plain)
        got = (d.pathway, d.then)
        first, then = reference(protocol, a)
        want = (protocol.pathway(first or ""), protocol.pathway(then or ""))
        if protocol.invariants:
            assert urgency_key(got) >= urgency_key(want)
        else:
            assert got == want


@SETTINGS
@given(seeds)
def test_invariants_on_pairs_match_brute_force(seed: int) -> None:
    protocol = random_group_protocol(seed)
    if not protocol.invariants:
        return
    inv = protocol.invariants[0]
    floor = protocol.pathway(inv.at_least)
    assert floor is not None
    from bruising_check.protocol.conditions import Truth, evaluate
    from bruising_check.protocol.model import BooleanFact

    def broken(answers: dict[str, object]) -> bool:
        env = dict(answers)
        for f in protocol.derived:
            assert isinstance(f, BooleanFact)
            env[f.id] = evaluate(f.condition, env) is Truth.TRUE
        if evaluate(inv.when, env) is not Truth.TRUE:
            return False
        first, then = reference(protocol, answers)
        return not satisfies((protocol.pathway(first or ""), protocol.pathway(then or "")), floor)

    violations = sum(1 for a in answer_sets(protocol) if broken(a))
    result = analyse(protocol, budget_seconds=60)
    verdict = next(f for f in result.findings if f.path == ("invariants", 0))
    if violations == 0:
        assert verdict.code is Code.INVARIANT_HOLDS
    else:
        assert verdict.code is Code.INVARIANT_BROKEN
        assert verdict.data["size"] == violations
        assert verdict.example is not None
        assert broken(as_answers(verdict.example, protocol))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds, seeds)
def test_behavioural_diff_over_groups_matches_brute_force(seed_old: int, seed_new: int) -> None:
    # The same items in both (a question one protocol asks and the other does not is compared
    # over its answers, which this brute force does not enumerate).
    same = seed_old % 2 == 0
    old = random_group_protocol(seed_old, items=(1, 2), f_asked_if_x=same)
    new = random_group_protocol(seed_new, items=(1, 2), f_asked_if_x=same)
    comparison = compare(old, new, budget_seconds=60)
    expected: Counter[tuple[object, object]] = Counter()
    total = 0
    for a in answer_sets(old):
        total += 1
        p, q = reference(old, a), reference(new, as_answers(_plain(a), new))
        if p != q:
            expected[(p, q)] += 1
    got = Counter(
        {
            ((d.old_pathway, d.old_then), (d.new_pathway, d.new_then)): d.size
            for d in comparison.differences
        }
    )
    assert got == expected
    assert comparison.total == total
    for d in comparison.differences:
        for c in d.classes:
            assert reference(old, as_answers(c.example, old)) == (d.old_pathway, d.old_then)
            assert reference(new, as_answers(c.example, new)) == (d.new_pathway, d.new_then)


def _plain(answers: dict[str, object]) -> dict[str, object]:
    """Answers as a file holds them: items without facts, unasked item questions left out."""
    out = dict(answers)
    items = answers["marks"]
    assert isinstance(items, tuple)
    out["marks"] = [
        {k: v for k, v in item.items() if k in ("t", "k", "f") and v is not None} for item in items
    ]
    return out


def test_a_twenty_mark_group_is_counted_exactly_without_enumeration() -> None:
    from tests.conftest import load_text

    text = GROUP_OF_TWENTY
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    result = analyse(loaded.protocol, budget_seconds=60)
    per_item = 3 * 4
    assert result.total == sum(per_item**n for n in range(1, 21))
    # Every burn list is referred; the rest (no burn among 1..20 marks) is recorded.
    no_burn = sum(8**n for n in range(1, 21))
    assert result.outcome_sizes == {
        ("refer", None): result.total - no_burn,
        ("record", None): no_burn,
    }


GROUP_OF_TWENTY = """\
metadata: {id: g, title: G, version: "1", status: draft, issued_by: T, review_due: 2030-01-01,
  disclaimer: D.}
sources: [{id: s1, title: S, url: "https://example.org"}]
questions:
  - id: marks
    type: group
    prompt: Marks
    item_label: mark
    min_items: 1
    max_items: 20
    questions:
      - id: type
        type: single_choice
        prompt: Type?
        options: [{id: bruise, label: B}, {id: burn, label: Bu}, {id: other, label: O}]
      - id: site
        type: single_choice
        prompt: Site?
        options:
          [{id: ear, label: E}, {id: leg, label: L}, {id: arm, label: A}, {id: back, label: K}]
pathways:
  - {id: refer, title: R, urgency: 1, timescale: {label: now}}
  - {id: record, title: Rec, urgency: 2, timescale: {label: now}}
rules:
  - id: R1
    when: {some: {group: marks, where: {item: type, equals: burn}}}
    pathway: refer
    because: b
    cite: [s1]
  - id: R2
    when: {every: {group: marks, where: {item: type, in: [bruise, other]}}}
    pathway: record
    because: b
    cite: [s1]
"""


@settings(max_examples=40, deadline=None)
@given(seeds)
def test_counting_lists_by_capped_totals_matches_enumeration(seed: int) -> None:
    """`GroupInfo._lists` (the count of ordered lists of min..max items whose totals fall in a
    box) against enumerating every list of kinds, up to 5 items of 3 kinds and 2 totals."""
    from itertools import product

    from bruising_check.analysis.groups import GroupInfo, Kind, Total

    rng = random.Random(seed)
    low = rng.randint(0, 2)
    info = GroupInfo("g", "g", low, rng.randint(max(low, 1), 5), [])
    kinds = [Kind(0, (), (), rng.randint(1, 4), {}, var=f"k{i}") for i in range(3)]
    totals = []
    for n in range(2):
        cap = rng.randint(1, 4)
        weights = {k.var: min(cap, rng.randint(0, 3)) for k in kinds if rng.random() < 0.7}
        totals.append(Total(0, weights, cap, f"t{n}"))
    bounded: list[tuple[Total, int, int]] = []
    for t in totals:
        lo = rng.randint(0, t.cap)
        bounded.append((t, lo, rng.randint(lo, t.cap)))
    expected = 0
    for length in range(info.min_items, info.max_items + 1):
        for chosen in product(kinds, repeat=length):
            sums = [min(t.cap, sum(t.weights.get(k.var, 0) for k in chosen)) for t in totals]
            if all(lo <= v <= hi for v, (_, lo, hi) in zip(sums, bounded, strict=True)):
                ways = 1
                for k in chosen:
                    ways *= k.size
                expected += ways
    assert info._lists(kinds, bounded) == expected
