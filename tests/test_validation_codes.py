"""One tiny inline protocol per validation code; tests assert codes and positions, not prose."""

from __future__ import annotations

import textwrap

import pytest

from bruising_check.problems import Code
from tests.conftest import BASELINE_V1, load_text

MINIMAL = """\
metadata:
  id: tiny
  title: Tiny protocol
  version: "1"
  status: draft
  issued_by: Test partnership
  review_due: 2030-01-01
  disclaimer: Supports, does not replace, judgement.
sources:
  - {id: s1, title: Source one, url: "https://example.org/s1"}
questions:
  - id: mobile
    type: boolean
    prompt: Mobile?
  - id: age
    type: number
    prompt: Age?
    unit: weeks
    min: 0
    max: 100
  - id: marks
    type: multiple_choice
    prompt: Marks?
    options:
      - {id: bruise, label: Bruise}
      - {id: scratch, label: Scratch}
derived:
  - id: young
    label: Young
    type: boolean
    condition: {question: age, lt: 22}
    cite: [s1]
pathways:
  - id: refer
    title: Refer
    urgency: 1
    level: social_care_same_day
    timescale: {label: Same day, same_day: true}
    actions:
      - {id: call, text: Call, contact: lead}
  - id: record
    title: Record
    urgency: 2
    level: record_and_advise
    timescale: {label: Now}
contacts:
  - {id: lead, name: Lead, phone: "01234 567890", source: Test directory, verified_on: 2026-01-01}
rules:
  - id: R1
    when: {question: mobile, equals: false}
    pathway: refer
    because: Not mobile.
    cite: [s1]
  - id: R2
    when: {question: mobile, equals: true}
    pathway: record
    because: Mobile.
    cite: [s1]
"""


def codes(text: str) -> list[Code]:
    return [p.code for p in load_text(text).problems]


def test_minimal_protocol_is_clean() -> None:
    loaded = load_text(MINIMAL)
    assert loaded.ok
    assert loaded.problems == []


def replace(old: str, new: str) -> str:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new, 1)


CASES = [
    (replace("  status: draft", "  status: draft\n  colour: blue"), Code.UNKNOWN_KEY, "colour"),
    (replace('  version: "1"\n', ""), Code.MISSING_KEY, "metadata:"),
    (replace("status: draft", "status: final"), Code.SCHEMA, "status: final"),
    (replace("max: 100", "max: 100\n    min: 5"), Code.YAML_DUPLICATE_KEY, "min: 5"),
    (replace("id: scratch", "id: bruise"), Code.DUPLICATE_ID, "{id: bruise, label: Scratch}"),
    (
        replace("{question: mobile, equals: false}", "{question: mobil, equals: false}"),
        Code.UNKNOWN_QUESTION,
        "mobil,",
    ),
    (
        replace("condition: {question: age, lt: 22}", "condition: {fact: old}"),
        Code.UNKNOWN_FACT,
        "{fact: old}",
    ),
    (
        replace("{question: mobile, equals: true}", "{question: marks, includes_any: [bite]}"),
        Code.UNKNOWN_OPTION,
        "[bite]",
    ),
    (replace("pathway: record\n", "pathway: recrod\n"), Code.UNKNOWN_PATHWAY, "recrod"),
    (replace("cite: [s1]\npathways", "cite: [s2]\npathways"), Code.UNKNOWN_SOURCE, "[s2]"),
    (replace("contact: lead}", "contact: boss}"), Code.UNKNOWN_CONTACT, "boss"),
    (
        replace("{question: mobile, equals: true}", "{question: marks, lt: 3}"),
        Code.TYPE_MISMATCH,
        "lt: 3",
    ),
    (
        replace("{question: mobile, equals: true}", "{question: age, equals: bruise}"),
        Code.TYPE_MISMATCH,
        "equals: bruise",
    ),
    (replace("urgency: 2", "urgency:   1"), Code.DUPLICATE_URGENCY, "urgency:   1"),
    (
        replace(
            '{id: lead, name: Lead, phone: "01234 567890", source: Test directory,'
            " verified_on: 2026-01-01}",
            "{id: lead, placeholder: true, name: L}",
        ),
        Code.PLACEHOLDER_CONTACT,
        "placeholder: true",
    ),
    (replace("review_due: 2030-01-01", "review_due: 2020-01-01"), Code.REVIEW_OVERDUE, "2020"),
    (
        replace('url: "https://example.org/s1"}', "url: x}\n  - {id: s9, title: Nine}"),
        Code.SOURCE_UNCITED,
        "s9",
    ),
    (
        replace("    prompt: Mobile?", "    prompt: Mobile?\n    ask_if: {question: age, lt: 5}"),
        Code.ASK_IF_ORDER,
        "ask_if",
    ),
    (
        replace("    type: boolean", "    type: !!python/name:os.system boolean"),
        Code.YAML_TAG,
        "python/name",
    ),
    (replace("  id: tiny", "  id: tiny\n  bad: [unclosed"), Code.YAML_SYNTAX, "title: Tiny"),
]


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize(
    ("text", "code", "marker"), CASES, ids=[f"{c[1].name}-{i}" for i, c in enumerate(CASES)]
)
def test_each_code_is_reported_at_its_line(text: str, code: Code, marker: str) -> None:
    problems = load_text(text).problems
    found = [p for p in problems if p.code is code]
    assert found, [p.format() for p in problems]
    assert found[0].line == line_of(text, marker), found[0].format()
    assert found[0].file == "test.yaml"
    assert found[0].column >= 1


def test_unverified_source_is_information_not_a_warning() -> None:
    text = replace('url: "https://example.org/s1"}', "status: unverified, note: not checked}")
    [problem] = load_text(text).problems
    assert (problem.code, problem.severity) == (Code.SOURCE_UNVERIFIED, "info")
    assert "not checked" in problem.message


def test_every_code_has_a_severity_and_a_hint() -> None:
    for code in Code:
        assert code.severity in {"error", "warning", "info"}
        assert code.hint.endswith(".")


def test_ask_if_on_a_fact_needing_a_later_question() -> None:
    text = replace("    prompt: Mobile?", "    prompt: Mobile?\n    ask_if: {fact: young}")
    assert Code.ASK_IF_ORDER in codes(text)


def test_fact_using_a_later_fact() -> None:
    text = replace(
        "    cite: [s1]\npathways",
        "    cite: [s1]\n  - id: late\n    label: L\n    type: boolean\n"
        "    condition: {fact: later}\n    cite: [s1]\n  - id: later\n    label: L2\n"
        "    type: boolean\n    condition: {question: mobile, equals: true}\n"
        "    cite: [s1]\npathways",
    )
    assert Code.FACT_ORDER in codes(text)


def test_context_prompt_may_not_decide() -> None:
    text = MINIMAL + textwrap.dedent(
        """\
        context_prompts:
          - id: dad_seen
            type: boolean
            prompt: Father seen?
            required: false
        """
    )
    text = text.replace("{question: mobile, equals: true}", "{question: dad_seen, equals: true}")
    assert Code.CONTEXT_DECIDES in codes(text)


def test_question_and_fact_share_a_namespace() -> None:
    text = replace("  - id: young\n", "  - id: age\n")
    assert Code.ID_CLASH in codes(text)


def test_yes_no_trap_is_explained() -> None:
    problems = load_text(
        replace("{id: scratch, label: Scratch}", "{id: no, label: Scratch}")
    ).problems
    assert [p.code for p in problems] == [Code.SCHEMA]
    assert "quotes" in (problems[0].hint or "")


def test_condition_with_two_subjects_is_a_schema_error() -> None:
    text = replace(
        "{question: mobile, equals: false}", "{question: mobile, fact: young, equals: false}"
    )
    assert codes(text) == [Code.SCHEMA]


def test_policy_must_match_the_mobility_fact(baseline_loaded) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import BASELINE

    text = BASELINE.read_text(encoding="utf-8").replace(
        "  mobility_milestones: [crawling, bottom_shuffling,",
        "  mobility_milestones: [bottom_shuffling,",
    )
    assert Code.POLICY_MISMATCH in codes(text)


def test_problem_format_is_file_line_col_severity_code() -> None:
    problem = load_text(replace("pathway: record\n", "pathway: recrod\n")).problems[0]
    text = replace("pathway: record\n", "pathway: recrod\n")
    line = line_of(text, "recrod")
    assert problem.format().startswith(f"test.yaml:{line}:14: error UNKNOWN_PATHWAY ")


def test_a_key_indented_into_the_wrong_mapping_is_named_where_it_is() -> None:
    text = replace(
        "    when: {question: mobile, equals: true}\n    pathway: record\n",
        "    when:\n      all:\n        - {question: mobile, equals: true}\n"
        "      pathway: record\n",
    )
    problems = load_text(text).problems
    found = {(p.code, p.line) for p in problems}
    assert (Code.UNKNOWN_KEY, line_of(text, "      pathway: record")) in found
    rule_line = line_of(text, "  - id: R2")
    assert (Code.MISSING_KEY, rule_line) in found


def test_a_schema_problem_names_a_listed_item_by_its_id_or_its_number_from_1() -> None:
    """`missing key 'cite' in rules[B1]`, not pydantic's `rules.1`, which counts from 0 and
    names no rule; an item without an id is counted from 1."""
    from bruising_check.protocol.loader import _where

    data = {"rules": [{"id": "B0"}, {"id": "B1", "because": [{"text": "x"}, {}]}], "x": {}}
    assert _where(("rules", 1), data) == "rules[B1]"
    assert _where(("rules", 1, "because", 1), data) == "rules[B1].because[#2]"
    assert _where(("x", "y"), data) == "x.y"
    assert _where((), data) == "the file"
    assert _where(("rules", 9), data) == "rules[#10]"  # not there: still counted from 1
    assert _where(("rules", 0, "id")) == "rules[#1].id"  # without the data


def test_a_rule_missing_its_citation_is_named_by_id() -> None:
    baseline_v1_text = BASELINE_V1.read_text(encoding="utf-8")
    start = baseline_v1_text.index("\n  - id: B1\n")
    cite = baseline_v1_text.index("\n    cite:", start)
    end = baseline_v1_text.index("\n", cite + 1)
    loaded = load_text(baseline_v1_text[:cite] + baseline_v1_text[end:])
    messages = [p.message for p in loaded.problems]
    assert "missing key 'cite' in rules[B1]" in messages, messages


def test_a_duplicate_id_says_where_the_first_one_is() -> None:
    text = BASELINE_V1.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines.index("  - id: B2") + 1
    second = lines.index("  - id: B3") + 1
    loaded = load_text(text.replace("  - id: B3\n", "  - id: B2\n", 1))
    found = [p for p in loaded.problems if p.code is Code.DUPLICATE_ID]
    assert [(p.line, p.message) for p in found] == [
        (second, f"duplicate id 'B2' (the first is at line {first})")
    ]
    age = lines.index("  - id: age_weeks") + 1
    loaded = load_text(text.replace("  - id: gestation_weeks_at_birth\n", "  - id: age_weeks\n"))
    found = [p for p in loaded.problems if p.code is Code.DUPLICATE_ID]
    assert [p.message for p in found] == [
        f"duplicate question id 'age_weeks' (the first is at line {age})"
    ]


def test_a_screen_over_the_marks_without_its_parts_is_warned_of() -> None:
    """The record names the mark and the part of a positive TEN-4-FACESp screen from the marks'
    `screening_component` facts; a protocol that declares none (llr-2024 did) printed "screen
    positive: yes" with no why, though its own action says to share which mark and which part."""
    from tests.conftest import BASELINE

    text = BASELINE.read_text(encoding="utf-8")
    assert Code.W_SCREENING_WITHOUT_PARTS not in codes(text)
    stripped = text.replace("        show_as: screening_component\n", "")
    assert stripped != text
    found = [p for p in load_text(stripped).problems if p.code is Code.W_SCREENING_WITHOUT_PARTS]
    assert len(found) == 1 and "'ten4facesp_positive'" in found[0].message
    assert found[0].severity == "warning"


def test_a_place_never_shows_an_id_that_is_not_plainly_one() -> None:
    """An id with a newline (which the schema refuses) would split the problem's line in two,
    so that it reads as another `file:line:col` problem: such an item is named by its number."""
    from bruising_check.protocol.loader import _where

    data = {"rules": [{"id": "B1\nprotocol.yaml:1:1: info FAKE"}, {"id": 'B"2'}, {"id": "B_3-x"}]}
    assert _where(("rules", 0), data) == "rules[#1]"
    assert _where(("rules", 1), data) == "rules[#2]"
    assert _where(("rules", 2), data) == "rules[B_3-x]"
