"""The version-1 national baseline (kept as protocols/examples/national-baseline-v1.yaml), analysed
exhaustively and compared with variants of itself: the analyser's answer-set counting, examples and
comparisons on a protocol without groups. The v2 baseline's proof is in test_analysis_cli."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from bruising_check.analysis import analyse, compare, example_for
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.problems import Code
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
)
from bruising_check.protocol.yamlread import read_yaml
from tests.analysis_support import ROLLING, first_rule
from tests.conftest import BASELINE_V1 as BASELINE
from tests.conftest import load_text


def raw_size(protocol: Protocol) -> int:
    """The raw answer space, counted from the question definitions (no ask_if in the baseline;
    free text counts once)."""
    total = 1
    for q in protocol.questions:
        assert q.ask_if is None
        if isinstance(q, BooleanQuestion):
            total *= 2
        elif isinstance(q, SingleChoiceQuestion):
            total *= len(q.options)
        elif isinstance(q, MultipleChoiceQuestion):
            n = len(q.options)
            total *= sum(math.comb(n, k) for k in range(q.min_selected, n + 1))
        elif isinstance(q, NumberQuestion):
            total *= int(q.max) - int(q.min) + 1
    return total


def test_the_baseline_has_no_gap_no_dead_rule_and_keeps_every_invariant(
    baseline_v1: Protocol,
) -> None:
    result = analyse(baseline_v1)
    codes = [f.code for f in result.findings]
    assert result.total == raw_size(baseline_v1)
    assert 2**63 < result.total < 2**64  # 23 locations: about 2^63
    for bad in (
        Code.ANALYSIS_GAP,
        Code.ANALYSIS_DEAD_RULE,
        Code.INVARIANT_BROKEN,
        Code.ANALYSIS_ALWAYS_FALSE,
        Code.ANALYSIS_ALWAYS_TRUE,
        Code.ANALYSIS_UNREACHED_PATHWAY,
        Code.UNKNOWN_CHANGES_ASKING,
    ):
        assert bad not in codes
    proved = [f.message.split()[1] for f in result.findings if f.code is Code.INVARIANT_HOLDS]
    assert proved == [inv.id for inv in baseline_v1.invariants]
    assert {"I1", "I2", "I3"} <= set(proved)
    assert set(result.pathway_sizes) == {p.id for p in baseline_v1.pathways}


def test_the_baseline_overlaps_are_the_documented_exceptions(baseline_v1: Protocol) -> None:
    """B2-B4 and B5a come first on purpose (documented causes, suspected birthmarks, bleeding
    disorders, a plausibly explained abrasion); the analysis must show exactly those."""
    overlaps = {
        baseline_v1.rules[f.path[1]].id: sorted(f.data["pre_empted_by"])  # type: ignore[index]
        for f in analyse(baseline_v1).findings
        if f.code is Code.ANALYSIS_OVERLAP
    }
    assert overlaps == {
        "B3": ["B2"],
        "B4": ["B2"],
        "B5": ["B2", "B3", "B4", "B5a"],
        "B6": ["B2", "B3", "B4"],
    }


def variant(*changes: tuple[str, str]) -> Protocol:
    text = BASELINE.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


def test_compare_with_itself_and_with_an_equivalent_rewrite_finds_nothing(
    baseline_v1: Protocol,
) -> None:
    assert compare(baseline_v1, baseline_v1).differences == ()
    rewritten = variant(
        (
            "    when: {fact: independently_mobile, equals: false}",
            "    when:\n      not:\n        question: mobility_milestones\n        includes_any:"
            " [walking, cruising, crawling, bottom_shuffling, independent_wheelchair_use]",
        )
    )
    result = compare(baseline_v1, rewritten)
    assert result.differences == ()
    assert result.total == raw_size(baseline_v1)


def test_rolling_counted_as_mobility_is_less_urgent_for_rolling_babies(
    baseline_v1: Protocol,
) -> None:
    rolling = variant(ROLLING)
    result = compare(baseline_v1, rolling)
    assert result.only_in_old == () and result.only_in_new == ()
    less = [d for d in result.differences if d.direction == "less_urgent"]
    assert less and result.differences[: len(less)] == tuple(less)
    for d in result.differences:
        for c in d.classes:
            assert "mobility_milestones includes rolling" in c.condition
            assert c.example["mobility_milestones"][0] == "rolling"
            for protocol, want in ((baseline_v1, d.old_pathway), (rolling, d.new_pathway)):
                answers = example_for(protocol, c.example)
                checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "x.yaml"))
                assert checked.ok
                index = first_rule(protocol, checked.answers)
                assert index is not None and protocol.rules[index].pathway == want
    # the whole difference: non-mobile rolling babies that the baseline refers or discusses.
    assert sum(d.size for d in result.differences) == sum(
        c.size for d in result.differences for c in d.classes
    )


def test_questions_only_one_protocol_asks_are_listed_and_dropped_from_examples(
    baseline_v1: Protocol,
) -> None:
    extra = variant(
        (
            "  - id: report_channel\n",
            "  - id: seen_by_two\n    type: boolean\n    prompt: Seen by two people?\n"
            "  - id: report_channel\n",
        ),
        (
            "    when: {question: child_seriously_unwell, equals: true}\n    pathway: emergency",
            "    when:\n      any:\n        - {question: child_seriously_unwell, equals: true}\n"
            "        - {question: seen_by_two, equals: true}\n    pathway: emergency",
        ),
    )
    result = compare(baseline_v1, extra)
    assert result.only_in_new == ("seen_by_two",) and result.only_in_old == ()
    assert result.total == raw_size(baseline_v1) * 2
    assert {d.old_pathway for d in result.differences} == {
        p.id for p in baseline_v1.pathways if p.id != "emergency_care_first"
    }
    for diff in result.differences:
        assert diff.direction == "more_urgent" and diff.new_pathway == "emergency_care_first"
        assert all(c.example["seen_by_two"] is True for c in diff.classes)
        assert "seen_by_two" not in example_for(baseline_v1, diff.classes[0].example)


@pytest.mark.parametrize("answers", [{"age_weeks": 30}, {"gestation_weeks_at_birth": 30}])
def test_example_for_keeps_only_what_the_protocol_accepts(
    baseline_v1: Protocol, answers: dict[str, Any]
) -> None:
    assert example_for(baseline_v1, {**answers, "no_such_question": 1}) == answers


def test_the_engine_agrees_with_the_analysis_on_every_class_example(baseline_v1: Protocol) -> None:
    """Each gap-free class example of the baseline decides as its class says, and the engine's
    invariants never have to raise it (the rules keep them)."""
    for d in compare(baseline_v1, variant(ROLLING)).differences:
        for c in d.classes:
            decision = decide(baseline_v1, example_for(baseline_v1, c.example))
            assert not any(r.kind == "invariant" for r in decision.rules_fired)
