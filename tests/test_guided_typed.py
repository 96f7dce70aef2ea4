"""What a person types becomes the answer they meant, or a plain message; never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bruising_check.engine.replies import TypedError, parse, shown, weeks_from
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Protocol


def q(protocol: Protocol, qid: str):  # type: ignore[no-untyped-def]
    found = protocol.question(qid) or next(c for c in protocol.context_prompts if c.id == qid)
    return found


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [("17", 17), ("6w", 6), ("6 weeks", 6), ("10d", 1), ("13d", 1), ("14d", 2), ("4m", 17),
     ("3m", 13), ("2y", 104), ("1y", 52), ("0", 0)],
)  # fmt: skip
def test_ages_with_units_become_completed_weeks(
    baseline_v1: Protocol, typed: str, weeks: int
) -> None:
    parsed = parse(q(baseline_v1, "age_weeks"), typed)
    assert parsed.value == weeks
    if typed[-1] in "dmy":
        unit = "completed week" if weeks == 1 else "completed weeks"
        assert parsed.note is not None and f"= {weeks} {unit}" in parsed.note


def test_months_use_the_protocols_month_length() -> None:
    # 4.99 months is TEN-4-FACESp's age limit; the protocol says 21 completed weeks is inside it.
    assert weeks_from(4.99, "m") == 21
    assert weeks_from(5.2, "m") == 22


@given(st.integers(min_value=0, max_value=900))
def test_weeks_typed_plain_or_with_w_agree(n: int) -> None:
    assert weeks_from(n, "w") == n
    assert weeks_from(n * 7, "d") == n


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ten", "Type a number of weeks"), ("937", "outside the range"), ("10.5", "whole weeks"),
     ("", "An answer is needed"), ("nan", "Type a number"), ("5kg", "Type a number")],
)  # fmt: skip
def test_bad_numbers_are_explained(baseline_v1: Protocol, typed: str, message: str) -> None:
    with pytest.raises(TypedError, match=message):
        parse(q(baseline_v1, "age_weeks"), typed)


def test_gestation_is_optional_and_blank_means_not_known(baseline_v1: Protocol) -> None:
    assert parse(q(baseline_v1, "gestation_weeks_at_birth"), "  ").value is UNKNOWN
    with pytest.raises(TypedError, match="outside the range"):
        parse(q(baseline_v1, "gestation_weeks_at_birth"), "4m")


def test_multiple_choice_by_numbers_ids_or_none(baseline_v1: Protocol) -> None:
    locations = q(baseline_v1, "locations")
    assert parse(locations, "8, 18").value == ("cheek", "thigh")
    assert parse(locations, "thigh cheek 8").value == ("cheek", "thigh")
    assert parse(locations, "CHEEK").value == ("cheek",)
    with pytest.raises(TypedError, match="Choose at least 1"):
        parse(locations, "none")
    with pytest.raises(TypedError, match="1 to 23"):
        parse(locations, "24")
    milestones = q(baseline_v1, "mobility_milestones")
    assert parse(milestones, "none").value == ()
    assert shown(milestones, ()) == "None of these"


def test_single_choice_yes_no_and_text(baseline_v1: Protocol) -> None:
    assert parse(q(baseline_v1, "explanation"), "1").value == "none"
    assert parse(q(baseline_v1, "explanation"), "none").value == "none"  # the option id wins
    assert parse(q(baseline_v1, "adult_services"), "no").value == "no"
    with pytest.raises(TypedError, match="not an option"):
        parse(q(baseline_v1, "explanation"), "maybe")
    assert parse(q(baseline_v1, "patterned"), "Y").value is True
    assert parse(q(baseline_v1, "patterned"), "no").value is False
    with pytest.raises(TypedError, match="y for yes"):
        parse(q(baseline_v1, "patterned"), "sure")
    said = "  He said <b>the dog</b> did it  "
    assert parse(q(baseline_v1, "explanation_verbatim"), said).value == said.strip()


def test_blank_free_text_reads_back_as_not_given(baseline_v1: Protocol) -> None:
    notes = q(baseline_v1, "notes")
    assert parse(notes, "").value is UNKNOWN
    assert shown(notes, UNKNOWN) == "not given"
    assert shown(q(baseline_v1, "gestation_weeks_at_birth"), UNKNOWN) == "not known"


@pytest.mark.parametrize(
    ("typed", "note"),
    [("4 months", "4 months = 17 completed weeks"), ("10d", "10d = 1 completed week")],
)
def test_ages_are_echoed_as_typed(baseline_v1: Protocol, typed: str, note: str) -> None:
    parsed = parse(q(baseline_v1, "age_weeks"), typed)
    assert parsed.note is not None and parsed.note.startswith(note)


def test_python_number_spellings_are_not_numbers(baseline_v1: Protocol) -> None:
    for typed in ("1_7", "1e1", "0x11"):
        with pytest.raises(TypedError):
            parse(q(baseline_v1, "age_weeks"), typed)


@pytest.mark.parametrize(
    ("typed", "weeks"), [("32+4", 32), ("32 + 0", 32), ("36+6", 36), ("24+1", 24)]
)
def test_uk_gestation_notation_is_completed_weeks(
    baseline_v1: Protocol, typed: str, weeks: int
) -> None:
    parsed = parse(q(baseline_v1, "gestation_weeks_at_birth"), typed)
    assert parsed.value == weeks
    assert parsed.note == f"{typed.replace(' ', '')} = {weeks} completed weeks"


@pytest.mark.parametrize(
    ("typed", "said"),
    [("32+7", "the days after + are 0 to 6"), ("50+1", "outside the range"), ("32+", "Type a")],
)
def test_weeks_and_days_out_of_range_are_explained(
    baseline_v1: Protocol, typed: str, said: str
) -> None:
    with pytest.raises(TypedError) as error:
        parse(q(baseline_v1, "gestation_weeks_at_birth"), typed)
    assert said in str(error.value)


@given(st.integers(min_value=22, max_value=44), st.integers(min_value=0, max_value=6))
def test_weeks_plus_days_never_rounds_up(weeks: int, days: int) -> None:
    from bruising_check.protocol.model import NumberQuestion

    gestation = NumberQuestion.model_validate(
        {"id": "g", "type": "number", "prompt": "?", "unit": "weeks", "min": 22, "max": 44,
         "integer": True}
    )  # fmt: skip
    assert parse(gestation, f"{weeks}+{days}").value == weeks


def test_a_wrong_choice_asks_only_for_what_is_shown(baseline: Protocol) -> None:
    """The guided check shows numbers and labels, never option ids: the message asks for a
    number, and an id typed anyway is still accepted."""
    question = q(baseline, "report_channel")
    count = len(question.options)
    with pytest.raises(TypedError) as raised:
        parse(question, "maybe")
    assert str(raised.value) == f"'maybe' is not an option: type its number, 1 to {count}."
    assert "id" not in str(raised.value).replace("'maybe'", "")
    assert parse(question, "seen_in_person").value == "seen_in_person"
