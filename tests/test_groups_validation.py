"""Located validation errors for groups, quantifiers, unknown options and follow-on pathways."""

from __future__ import annotations

import pytest

from bruising_check.problems import Code
from tests.groups_support import TINY, load

LAST_RULE = "when: {question: age_weeks, ge: 0}"


def _with_last_rule(when: str) -> str:
    assert LAST_RULE in TINY
    return TINY.replace(LAST_RULE, f"when: {when}")


CASES = [
    ("{item: site, equals: ear}", Code.ITEM_OUTSIDE_GROUP),
    ("{some: {group: markz, where: {item: site, equals: ear}}}", Code.UNKNOWN_GROUP),
    ("{some: {group: marks, where: {item: sitez, equals: ear}}}", Code.UNKNOWN_ITEM),
    (
        "{count: {group: marks, where: {item: site, equals: ear}, sum: patterned, ge: 2}}",
        Code.SUM_NOT_NUMBER,
    ),
    (
        "{some: {group: marks, where:"
        " {every: {group: marks, where: {item: type, equals: bruise}}}}}",
        Code.NESTED_QUANTIFIER,
    ),
    (
        "{some: {group: marks, where: {item: patterned, equals: not_sure}}}",
        Code.UNKNOWN_OPTION_IN_CONDITION,
    ),
    ("{question: mobility, includes_any: [walking, not_sure]}", Code.UNKNOWN_OPTION_IN_CONDITION),
    ("{question: site, equals: ear}", Code.UNKNOWN_QUESTION),
    ("{question: marks, answered: true}", Code.GROUP_NOT_ALLOWED),
    ("{some: {group: marks, where: {item: site, equals: elbow}}}", Code.UNKNOWN_OPTION),
    ("{some: {group: marks, where: {item: count, includes_any: [x]}}}", Code.TYPE_MISMATCH),
    ("{count: {group: marks, where: {item: unusual_site}, ge: 2, le: 4}}", Code.SCHEMA),
    ("{count: {group: marks, where: {item: unusual_site}}}", Code.SCHEMA),
    ("{fact: mobile, known: false}", Code.TYPE_MISMATCH),
]


@pytest.mark.parametrize(("when", "code"), CASES)
def test_each_misuse_is_one_located_error(when: str, code: Code) -> None:
    loaded = load(_with_last_rule(when))
    errors = [p for p in loaded.problems if p.severity == "error"]
    assert [p.code for p in errors] == [code], [p.format() for p in errors]
    line = TINY[: TINY.index(LAST_RULE)].count("\n") + 1
    assert errors[0].line == line
    assert errors[0].column > 1
    assert errors[0].format().startswith(f"tiny.yaml:{line}:")


def test_the_unknown_option_error_suggests_known_false() -> None:
    loaded = load(_with_last_rule("{question: mobility, includes_any: [not_sure]}"))
    (problem,) = [p for p in loaded.problems if p.severity == "error"]
    assert problem.hint is not None and "known: false" in problem.hint


def test_then_needs_a_first_step_pathway_and_a_first_step_needs_then() -> None:
    text = TINY.replace(
        "    pathway: refer\n    because: A patterned mark.",
        "    pathway: refer\n    then: rules_below\n    because: A patterned mark.",
    ).replace(
        "    then: rules_below\n    because: Seriously unwell.", "    because: Seriously unwell."
    )
    codes = sorted(p.code.name for p in load(text).problems if p.severity == "error")
    assert codes == [
        "FIRST_STEP_WITHOUT_THEN",  # the pathway, used by no rule with then
        "FIRST_STEP_WITHOUT_THEN",  # the rule R0, a first step with nothing after
        "THEN_WITHOUT_FIRST_STEP",  # the rule R1
    ]


def test_item_ask_if_may_use_earlier_item_answers() -> None:
    text = TINY.replace(
        "      - id: patterned\n        type: single_choice\n        prompt: Patterned?\n",
        "      - id: patterned\n        type: single_choice\n        prompt: Patterned?\n"
        "        ask_if: {item: type, equals: bruise}\n",
    )
    assert load(text).ok


def test_item_fact_naming_another_groups_item_is_an_error() -> None:
    text = TINY.replace(
        "condition: {item: site, in: [ear, sole]}", "condition: {item: colour, equals: red}"
    )
    codes = [p.code for p in load(text).problems if p.severity == "error"]
    assert codes == [Code.UNKNOWN_ITEM]


def test_at_most_one_unknown_option_and_min_items_at_most_max_items() -> None:
    two = TINY.replace(
        '          - {id: "no", label: "No"}',
        '          - {id: "no", label: "No", unknown: true}',
    )
    assert [p.code for p in load(two).problems] == [Code.SCHEMA]
    counts = TINY.replace("    min_items: 1\n", "    min_items: 9\n")
    assert [p.code for p in load(counts).problems] == [Code.SCHEMA]


def test_a_version_1_protocol_still_loads() -> None:
    from bruising_check.protocol.loader import load_protocol
    from tests.conftest import BASELINE
    from tests.groups_support import TODAY

    assert load_protocol(BASELINE.read_bytes(), "baseline", today=TODAY).ok
