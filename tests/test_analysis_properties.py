"""Property tests: on random small protocols the analyser agrees exactly with brute-force
enumeration of every complete answer set through the engine's own functions."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bruising_check.analysis import analyse, compare, example_for
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.problems import Code
from bruising_check.protocol.conditions import UNKNOWN, Truth, evaluate
from bruising_check.protocol.yamlread import read_yaml
from tests.analysis_support import (
    brute_pathways,
    complete_answer_sets,
    env,
    first_rule,
    load_data,
    random_protocol_data,
)

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=2**32)


@SETTINGS
@given(seeds)
def test_pathway_counts_gaps_and_dead_rules_match_brute_force(seed: int) -> None:
    protocol = load_data(random_protocol_data(seed))
    result = analyse(protocol)
    complete = complete_answer_sets([protocol])
    assert Counter(result.pathway_sizes) == brute_pathways(protocol, complete)
    assert result.total == len(complete)

    firsts = {first_rule(protocol, a) for a in complete}
    dead = {
        protocol.rules[int(f.path[1])].id
        for f in result.findings
        if f.code is Code.ANALYSIS_DEAD_RULE
    }
    assert dead == {r.id for i, r in enumerate(protocol.rules) if i not in firsts}

    gap = [f for f in result.findings if f.code is Code.ANALYSIS_GAP]
    assert (gap[0].data["size"] if gap else 0) == result.pathway_sizes.get("(none)", 0)
    for f in gap:
        for c in f.data["classes"]:
            assert first_rule(protocol, c["example"]) is None


@SETTINGS
@given(seeds)
def test_invariant_verdicts_and_counterexamples_match_brute_force(seed: int) -> None:
    protocol = load_data(random_protocol_data(seed))
    result = analyse(protocol)
    urgency = {p.id: p.urgency for p in protocol.pathways}
    complete = complete_answer_sets([protocol])
    for i, inv in enumerate(protocol.invariants):
        broken = 0
        for answers in complete:
            if evaluate(inv.when, env(protocol, answers)) is not Truth.TRUE:
                continue
            r = first_rule(protocol, answers)
            if r is None or urgency[protocol.rules[r].pathway] > urgency[inv.at_least]:
                broken += 1
        (finding,) = [f for f in result.findings if f.path == ("invariants", i)]
        if broken == 0:
            assert finding.code is Code.INVARIANT_HOLDS
            continue
        assert finding.code is Code.INVARIANT_BROKEN
        assert finding.data["size"] == broken
        # The counterexample is an answers file `check --answers` accepts, and it really breaks
        # the invariant: the rules alone give less, the engine's safety net raises it.
        example = finding.example
        assert example is not None
        checked = check_answers(protocol, read_yaml(yaml.safe_dump(example), "cx.yaml"))
        assert checked.ok, [p.format() for p in checked.problems]
        assert evaluate(inv.when, env(protocol, example)) is Truth.TRUE
        r = first_rule(protocol, example)
        assert r is None or urgency[protocol.rules[r].pathway] > urgency[inv.at_least]
        decision = decide(protocol, checked.answers)
        assert decision.pathway is not None
        assert decision.pathway.urgency <= urgency[inv.at_least]


@SETTINGS
@given(seeds, seeds)
def test_compare_matches_brute_force(seed_old: int, seed_new: int) -> None:
    old = load_data(random_protocol_data(seed_old, keep=0.7))
    new = load_data(random_protocol_data(seed_new, keep=0.7))
    result = compare(old, new)
    brute: Counter[tuple[str | None, str | None]] = Counter()
    total = 0
    for answers in complete_answer_sets([old, new]):
        total += 1
        i = first_rule(old, example_for(old, answers))
        j = first_rule(new, example_for(new, answers))
        p = None if i is None else old.rules[i].pathway
        q = None if j is None else new.rules[j].pathway
        if p != q:
            brute[(p, q)] += 1
    assert result.total == total
    assert Counter({(d.old_pathway, d.new_pathway): d.size for d in result.differences}) == brute
    for d in result.differences:
        for c in d.classes:
            for protocol, want in ((old, d.old_pathway), (new, d.new_pathway)):
                answers = example_for(protocol, c.example)
                checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "ex.yaml"))
                assert checked.ok, [p.format() for p in checked.problems]
                r = first_rule(protocol, answers)
                assert (None if r is None else protocol.rules[r].pathway) == want


@SETTINGS
@given(seeds)
def test_compare_with_itself_finds_no_difference(seed: int) -> None:
    protocol = load_data(random_protocol_data(seed))
    result = compare(protocol, protocol)
    assert result.differences == ()
    assert result.total == analyse(protocol).total


def _rank(protocol: Any, pathway: Any) -> float:
    return float("inf") if pathway is None else pathway.urgency


@SETTINGS
@given(seeds, st.data())
def test_unknown_answers_never_lower_the_pathway_when_the_analysis_says_so(
    seed: int, data: st.DataObject
) -> None:
    """Where no finding warns (no broken invariant, no optional answer deciding what is asked),
    making optional answers unknown never gives a less urgent pathway than any completion."""
    protocol = load_data(random_protocol_data(seed))
    codes = {f.code for f in analyse(protocol).findings}
    if codes & {Code.INVARIANT_BROKEN, Code.UNKNOWN_CHANGES_ASKING}:
        return
    optional = [q.id for q in protocol.questions if not q.required]
    if not optional:
        return
    hidden = data.draw(st.sets(st.sampled_from(optional), min_size=1))
    for answers in complete_answer_sets([protocol]):
        partial = {k: (UNKNOWN if k in hidden else v) for k, v in answers.items()}
        chosen = decide(protocol, partial).pathway
        full = decide(protocol, answers).pathway
        # every completion of `partial` agrees with it on the known answers; this one is one.
        assert _rank(protocol, chosen) <= _rank(protocol, full)


@SETTINGS
@given(seeds)
def test_a_question_whose_type_changed_is_compared_as_two_questions(seed: int) -> None:
    old_data = random_protocol_data(seed)
    new_data = copy.deepcopy(old_data)
    (b1,) = [q for q in new_data["questions"] if q["id"] == "b1"]
    b1.update(
        type="single_choice", options=[{"id": "yes", "label": "Y"}, {"id": "no", "label": "N"}]
    )
    b1.pop("ask_if", None)
    new_data["rules"] = [
        {
            "id": "R1",
            "when": {"question": "b1", "equals": "yes"},
            "pathway": "urgent",
            "because": "x",
            "cite": ["s1"],
        },
        {
            "id": "R2",
            "when": {"question": "b1", "equals": "no"},
            "pathway": "record",
            "because": "x",
            "cite": ["s1"],
        },
    ]
    new_data["derived"] = new_data["derived"][1:]  # `flag` may read b1 as yes/no
    new_data["invariants"] = []
    for q in new_data["questions"]:
        if "b1" in json.dumps(q.get("ask_if")):
            q.pop("ask_if")
    new_data["derived"] = [f for f in new_data["derived"] if "b1" not in json.dumps(f)]
    old, new = load_data(old_data), load_data(new_data)
    result = compare(old, new)
    assert any("b1" in note for note in result.notes)
    for d in result.differences:
        for c in d.classes:
            for protocol, want in ((old, d.old_pathway), (new, d.new_pathway)):
                answers = example_for(protocol, c.example)
                checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "ex.yaml"))
                assert checked.ok, [p.format() for p in checked.problems]
                r = first_rule(protocol, answers)
                assert (None if r is None else protocol.rules[r].pathway) == want
