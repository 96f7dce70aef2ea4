"""One small inline protocol per analysis finding; every example is re-run through the engine."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bruising_check.analysis import Finding, TooLarge, analyse
from bruising_check.engine.answers import check_answers
from bruising_check.problems import Code
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from tests.analysis_support import complete_answer_sets, first_rule, load_data

QUESTIONS: list[dict[str, Any]] = [
    {"id": "mobile", "type": "boolean", "prompt": "Mobile?"},
    {"id": "age", "type": "number", "prompt": "Age?", "unit": "weeks", "min": 0, "max": 100},
    {
        "id": "marks",
        "type": "multiple_choice",
        "prompt": "Marks?",
        "min_selected": 1,
        "options": [{"id": o, "label": o} for o in ("bruise", "scratch", "burn")],
    },
    {"id": "note", "type": "text", "prompt": "Note?", "required": False},
]


def rule(rid: str, when: dict[str, Any], pathway: str) -> dict[str, Any]:
    return {"id": rid, "when": when, "pathway": pathway, "because": "Because.", "cite": ["s1"]}


BASE_RULES = [
    rule("R1", {"question": "mobile", "equals": False}, "refer"),
    rule("R2", {"question": "mobile", "equals": True}, "record"),
]


def protocol(**parts: Any) -> Protocol:
    data: dict[str, Any] = {
        "metadata": {
            "id": "tiny",
            "title": "Tiny",
            "version": "1",
            "status": "draft",
            "issued_by": "Tests",
            "review_due": "2030-01-01",
            "disclaimer": "Supports, does not replace, judgement.",
        },
        "sources": [{"id": "s1", "title": "Source", "url": "https://example.org/s1"}],
        "questions": parts.pop("questions", QUESTIONS),
        "pathways": [
            {"id": "refer", "title": "Refer", "urgency": 1, "timescale": {"label": "Today"}},
            {"id": "discuss", "title": "Discuss", "urgency": 2, "timescale": {"label": "Today"}},
            {"id": "record", "title": "Record", "urgency": 3, "timescale": {"label": "Now"}},
        ],
        "rules": parts.pop("rules", BASE_RULES),
        **parts,
    }
    return load_data(data)


def found(p: Protocol, code: Code) -> list[Finding]:
    return [f for f in analyse(p).findings if f.code is code]


def accepted(p: Protocol, example: dict[str, Any]) -> dict[str, Any]:
    """The example as `check --answers` reads it; it must have no errors."""
    checked = check_answers(p, read_yaml(yaml.safe_dump(example), "example.yaml"))
    assert checked.ok, [x.format() for x in checked.problems]
    return checked.answers


def test_a_gap_is_an_error_with_an_example_that_reaches_no_rule() -> None:
    p = protocol(
        rules=[
            rule(
                "R1",
                {
                    "all": [
                        {"question": "mobile", "equals": False},
                        {"question": "marks", "includes_any": ["bruise"]},
                    ]
                },
                "refer",
            ),
            BASE_RULES[1],
        ]
    )
    (gap,) = found(p, Code.ANALYSIS_GAP)
    assert gap.code.severity == "error" and gap.path == ("rules",)
    # not mobile, marks without a bruise: scratch, burn or both; any age = 3 x 101
    assert gap.data["size"] == 3 * 101
    assert gap.example is not None
    assert first_rule(p, accepted(p, gap.example)) is None
    assert "mobile is false" in gap.message and "marks includes none of bruise" in gap.message


def test_a_rule_shadowed_by_earlier_rules_is_dead_and_names_them() -> None:
    p = protocol(
        rules=[
            *BASE_RULES,
            rule("R3", {"question": "marks", "includes_any": ["bruise"]}, "discuss"),
        ]
    )
    (dead,) = found(p, Code.ANALYSIS_DEAD_RULE)
    assert dead.path == ("rules", 2)
    assert dead.data["shadowed_by"] == ["R1", "R2"]
    assert not found(p, Code.ANALYSIS_GAP)


def test_an_earlier_less_urgent_rule_pre_empting_a_later_one_is_an_overlap() -> None:
    p = protocol(rules=[rule("R0", {"question": "age", "lt": 10}, "record"), *BASE_RULES])
    (overlap,) = found(p, Code.ANALYSIS_OVERLAP)
    assert overlap.path == ("rules", 1)  # R1 (refer) is pre-empted by R0 (record)
    example = overlap.example
    assert example is not None and example["mobile"] is False and example["age"] < 10
    assert first_rule(p, accepted(p, example)) == 0


def test_a_more_urgent_rule_first_is_not_an_overlap_that_matters() -> None:
    p = protocol(rules=[rule("R0", {"question": "age", "lt": 10}, "refer"), *BASE_RULES])
    assert found(p, Code.ANALYSIS_OVERLAP) == []


def test_conditions_always_true_or_false_are_reported_at_their_node() -> None:
    always_true = {"question": "marks", "is_empty": False}  # min_selected is 1
    always_false = {"all": [{"question": "age", "lt": 5}, {"question": "age", "gt": 10}]}
    p = protocol(
        rules=[
            rule("R0", {"all": [{"question": "mobile", "equals": False}, always_true]}, "refer"),
            rule("R1", always_false, "discuss"),
            BASE_RULES[1],
        ]
    )
    (t,) = found(p, Code.ANALYSIS_ALWAYS_TRUE)
    assert t.path == ("rules", 0, "when", "all", 1)
    (f,) = found(p, Code.ANALYSIS_ALWAYS_FALSE)
    assert f.path == ("rules", 1, "when")  # its children are each satisfiable: not reported


def test_a_question_whose_ask_if_is_never_true_is_never_asked() -> None:
    extra = {
        "id": "later",
        "type": "boolean",
        "prompt": "Later?",
        "ask_if": {"question": "age", "gt": 100},
    }
    p = protocol(questions=[*QUESTIONS, extra])
    (never,) = found(p, Code.ANALYSIS_NEVER_ASKED)
    assert never.path == ("questions", 4, "ask_if")


def test_unused_questions_options_and_internal_facts_are_information() -> None:
    p = protocol(
        rules=[
            rule(
                "R1",
                {
                    "all": [
                        {"question": "mobile", "equals": False},
                        {"question": "marks", "includes_any": ["bruise"]},
                    ]
                },
                "refer",
            ),
            rule("R2", {"question": "mobile", "equals": True}, "record"),
            rule("R3", {"question": "mobile", "equals": False}, "discuss"),
        ],
        derived=[
            {
                "id": "step",
                "label": "Step",
                "type": "boolean",
                "internal": True,
                "condition": {"question": "mobile", "equals": True},
                "cite": ["s1"],
            }
        ],
    )
    (question,) = found(p, Code.ANALYSIS_UNUSED_QUESTION)
    assert question.path == ("questions", 1) and "age" in question.message
    (option,) = found(p, Code.ANALYSIS_UNUSED_OPTION)
    assert option.data["options"] == ["scratch", "burn"]
    (fact,) = found(p, Code.ANALYSIS_UNUSED_FACT)
    assert fact.path == ("derived", 0)
    assert {f.code.severity for f in (question, option, fact)} == {"info"}


def test_a_pathway_no_rule_reaches_is_reported() -> None:
    (unreached,) = found(protocol(), Code.ANALYSIS_UNREACHED_PATHWAY)
    assert unreached.path == ("pathways", 1)


def test_invariants_are_proved_or_refuted_with_a_smallest_counterexample() -> None:
    invariants = [
        {
            "id": "I1",
            "when": {"question": "mobile", "equals": False},
            "at_least": "refer",
            "because": "x",
            "cite": ["s1"],
        },
        {
            "id": "I2",
            "when": {"question": "marks", "includes_any": ["burn"]},
            "at_least": "discuss",
            "because": "x",
            "cite": ["s1"],
        },
    ]
    p = protocol(invariants=invariants)
    holds = found(p, Code.INVARIANT_HOLDS)
    assert [f.path for f in holds] == [("invariants", 0)]
    (broken,) = found(p, Code.INVARIANT_BROKEN)
    assert broken.path == ("invariants", 1)
    # mobile with a burn: 101 ages x 4 mark sets that include a burn
    assert broken.data["size"] == 101 * 4
    assert broken.example == {"mobile": True, "age": 0, "marks": ["burn"]}
    answers = accepted(p, broken.example)
    assert p.rules[first_rule(p, answers) or 0].pathway == "record"


def test_an_optional_answer_that_decides_asking_is_flagged() -> None:
    gestation = {
        "id": "gestation",
        "type": "number",
        "prompt": "G?",
        "unit": "weeks",
        "min": 22,
        "max": 44,
        "required": False,
    }
    later = {
        "id": "early",
        "type": "boolean",
        "prompt": "E?",
        "ask_if": {"question": "gestation", "lt": 37},
    }
    p = protocol(questions=[*QUESTIONS, gestation, later])
    (flag,) = found(p, Code.UNKNOWN_CHANGES_ASKING)
    assert flag.path == ("questions", 5, "ask_if") and "gestation" in flag.message


@pytest.mark.parametrize("gestation_max", [36, 44])
def test_a_threshold_on_two_numbers_is_counted_exactly(gestation_max: int) -> None:
    """Corrected age = age - (40 - gestation) < 104 for gestation < 37: the partition must cut the
    age/gestation plane exactly, as enumerating every point through the engine does."""
    questions = [
        {"id": "age", "type": "number", "prompt": "A?", "unit": "weeks", "min": 0, "max": 200},
        {
            "id": "gest",
            "type": "number",
            "prompt": "G?",
            "unit": "weeks",
            "min": 22,
            "max": gestation_max,
        },
    ]
    derived = [
        {
            "id": "corrected",
            "label": "C",
            "type": "number",
            "cite": ["s1"],
            "value": {"sub": [{"question": "age"}, {"sub": [40, {"question": "gest"}]}]},
            "applies_if": {"question": "gest", "lt": 37},
        },
    ]
    rules = [
        rule("R1", {"fact": "corrected", "lt": 104}, "refer"),
        rule("R2", {"fact": "corrected", "answered": False}, "discuss"),
        rule("R3", {"question": "age", "ge": 0}, "record"),
    ]
    p = protocol(questions=questions, derived=derived, rules=rules)
    sizes = analyse(p).pathway_sizes
    brute: dict[str, int] = {}
    for answers in complete_answer_sets([p]):
        i = first_rule(p, answers)
        key = "(none)" if i is None else p.rules[i].pathway
        brute[key] = brute.get(key, 0) + 1
    assert sizes == brute


def test_a_protocol_too_large_to_analyse_stops_with_a_clear_error() -> None:
    with pytest.raises(TooLarge, match="stopped after"):
        analyse(protocol(), max_nodes=2)


def test_a_non_integer_number_is_cut_exactly_at_its_threshold() -> None:
    weight = {
        "id": "weight",
        "type": "number",
        "prompt": "Weight?",
        "unit": "kg",
        "min": 0.5,
        "max": 20,
        "integer": False,
    }
    rules = [
        rule("R1", {"question": "weight", "lt": 3.7}, "refer"),
        rule("R2", {"question": "weight", "equals": 9.25}, "discuss"),
    ]
    p = protocol(questions=[weight], rules=rules)
    (gap,) = found(p, Code.ANALYSIS_GAP)
    conditions = [c["condition"] for c in gap.data["classes"]]
    assert conditions == ["(weight ≥ 3.7 and < 9.25 OR weight > 9.25)"]
    assert first_rule(p, {"weight": 3.7}) is None
    assert first_rule(p, {"weight": 3.6999999999999997}) == 0
    assert first_rule(p, {"weight": 9.25}) == 1
    assert analyse(p).pathway_sizes == {"refer": 1, "discuss": 1, "(none)": 2}
