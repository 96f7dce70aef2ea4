"""Answers files: every wrong answer names its id; answers to questions not asked are ignored."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.problems import Code
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from tests.conftest import BASE_ANSWERS, mark


def checked(protocol: Protocol, **changes: Any):  # type: ignore[no-untyped-def]
    answers = {**BASE_ANSWERS, **changes}
    answers = {k: v for k, v in answers.items() if v is not ...}
    return check_answers(protocol, read_yaml(yaml.safe_dump(answers), "a.yaml"))


@pytest.mark.parametrize(
    ("changes", "code", "names"),
    [
        ({"favourite_colour": "blue"}, Code.ANSWER_UNKNOWN_ID, "favourite_colour"),
        ({"marks": [mark(patterned="yes please")]}, Code.ANSWER_OPTION, "marks[1].patterned"),
        ({"marks": [mark(patterned=1)]}, Code.ANSWER_TYPE, "marks[1].patterned"),
        ({"age_weeks": True}, Code.ANSWER_TYPE, "age_weeks"),
        ({"age_weeks": "ten"}, Code.ANSWER_TYPE, "age_weeks"),
        ({"age_weeks": 937}, Code.ANSWER_RANGE, "age_weeks"),
        ({"age_weeks": -1}, Code.ANSWER_RANGE, "age_weeks"),
        ({"age_weeks": 10.5}, Code.ANSWER_RANGE, "age_weeks"),
        ({"gestation_weeks_at_birth": 21}, Code.ANSWER_RANGE, "gestation_weeks_at_birth"),
        (
            {"marks": [mark(), mark(explanation="dog did it")]},
            Code.ANSWER_OPTION,
            "marks[2].explanation",
        ),
        ({"marks": [mark(explanation=["none_given"])]}, Code.ANSWER_TYPE, "marks[1].explanation"),
        ({"marks": [mark(type="scar")]}, Code.ANSWER_OPTION, "marks[1].type"),
        ({"mobility_milestones": "crawling"}, Code.ANSWER_TYPE, "mobility_milestones"),
        ({"report_channel": ...}, Code.ANSWER_MISSING, "report_channel"),
        ({"marks": [mark(type=None)]}, Code.ANSWER_MISSING, "marks[1].type"),
    ],
)
def test_wrong_answers_name_the_id(
    baseline: Protocol, changes: dict[str, Any], code: Code, names: str
) -> None:
    result = checked(baseline, **changes)
    assert not result.ok
    errors = [p for p in result.problems if p.severity == "error"]
    assert [p.code for p in errors] == [code]
    assert errors[0].message.startswith(names)


def test_optional_question_may_be_not_known(baseline: Protocol) -> None:
    result = checked(baseline, gestation_weeks_at_birth=None)
    assert result.ok
    assert result.answers["gestation_weeks_at_birth"] is UNKNOWN


def test_multiple_choice_is_normalised_to_protocol_order(baseline: Protocol) -> None:
    result = checked(baseline, mobility_milestones=["sitting", "rolling", "sitting"])
    assert result.answers["mobility_milestones"] == ("rolling", "sitting")


def test_context_answers_are_kept_apart(baseline: Protocol) -> None:
    result = checked(baseline, icon_discussed="no")
    assert result.ok
    assert result.context == {"icon_discussed": "no"}
    assert "icon_discussed" not in result.answers


def test_answer_to_a_question_not_asked_is_ignored_with_a_warning() -> None:
    from tests.conftest import load_text
    from tests.test_validation_codes import MINIMAL

    text = MINIMAL.replace(
        "    prompt: Marks?", "    prompt: Marks?\n    ask_if: {question: mobile, equals: false}"
    )
    protocol = load_text(text).protocol
    assert protocol is not None
    result = check_answers(protocol, read_yaml("mobile: true\nage: 3\nmarks: [bruise]\n", "a.yaml"))
    assert result.ok
    assert [p.code for p in result.problems] == [Code.ANSWER_NOT_ASKED]
    assert "marks" not in result.answers


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("no", 'an unquoted no in YAML is read as False: write "no" in quotes'),
        ("yes", 'an unquoted yes in YAML is read as True: write "yes" in quotes'),
        ("'no'", None),
    ],
)
def test_a_yes_no_option_read_as_a_boolean_says_to_quote_it(
    baseline: Protocol, word: str, hint: str | None
) -> None:
    # Scenario and cases files are read by YAML 1.1 rules (answers files by 1.2): there an
    # unquoted no is False, and the option id it meant is named.
    text = yaml.safe_dump({**BASE_ANSWERS}).replace("immediate_danger: 'no'", "")
    result = check_answers(baseline, read_yaml(f"immediate_danger: {word}\n{text}", "s.yaml"))
    errors = [p.message for p in result.problems if p.severity == "error"]
    if hint is None:
        assert result.ok, errors
    else:
        assert len(errors) == 1 and errors[0].startswith("immediate_danger: expected one option")
        assert errors[0].endswith(f"({hint})")
