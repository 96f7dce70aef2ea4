"""The per-mark loop of the guided check, with a scripted `ask` (no terminal): each mark on its
own, "another mark?", "not sure" and its `?`, questions asked only when they matter, the review
changing, adding and removing a mark within min/max, and the carers one at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Protocol
from bruising_check.records.session import (
    NOT_SURE_HELP,
    AnotherScreen,
    ConfirmScreen,
    ItemScreen,
    QuestionScreen,
    ReviewScreen,
)
from tests.conftest import load_text
from tests.guided_marks import MARKS_PROTOCOL
from tests.test_guided_session import Script, run

CHILD = ["10", "40", "2"]  # 10 weeks, born at 40 weeks, no diagnosed condition
# Mark: bruise, cheek (by id), left, 1 cm, count left out, not patterned, not witnessed,
# no explanation (so "who gave it" is not asked), the carer's words.
BRUISE = ["1", "cheek", "1", "1", "", "2", "n", "1", "He woke up with it"]
# A birthmark-like mark on the back: no witnessed-accident question for it.
BIRTHMARK = ["3", "7", "3", "", "", "2", "3", "3", ""]
NO_CARERS = ["n", ""]  # no carer recorded, ICON left unanswered


@pytest.fixture(scope="module")
def marks_protocol() -> Protocol:
    loaded = load_text(MARKS_PROTOCOL)
    assert loaded.protocol is not None and loaded.ok, [p.format() for p in loaded.problems]
    return loaded.protocol


def item_questions(script: Script, number: int) -> list[str]:
    return [
        s.question.id
        for s in script.screens
        if isinstance(s, QuestionScreen) and s.item is not None and s.item.number == number
    ]


def test_two_marks_each_on_its_own_then_no_more(marks_protocol: Protocol) -> None:
    replies = [*CHILD, *BRUISE, "y", *BIRTHMARK, "n", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    marks = outcome.answers["marks"]
    assert marks == (
        {"type": "bruise", "site": "cheek", "side": "left", "size_cm": 1.0, "count": 1,
         "patterned": "no", "witnessed": False, "explanation": "none_given",
         "account": "He woke up with it"},
        {"type": "birthmark_like", "site": "back", "side": "midline", "count": 1,
         "patterned": "no", "explanation": "documented_birthmark",
         "explained_by": "professional"},
    )  # fmt: skip
    # Left out: absent, as in an answers file (size and words not given), not "not known".
    assert "witnessed" not in item_questions(script, 2)  # not asked for a birthmark-like mark
    assert "explained_by" not in item_questions(script, 1)  # no explanation: nobody gave one
    another = [s for s in script.screens if isinstance(s, AnotherScreen)]
    assert [s.group.id for s in another] == ["marks", "marks", "carers"]
    assert another[1].summaries == (
        "Bruise, Face: cheek (the fleshy part), Left",
        "A birthmark-like mark, Trunk: back, Midline",
    )
    assert outcome.decision.pathway is not None and outcome.decision.pathway.id == "refer"
    review = next(s for s in script.screens if isinstance(s, ReviewScreen))
    assert [(e.number, e.question.id, e.item) for e in review.entries] == [
        (1, "age_weeks", None), (2, "gestation_weeks_at_birth", None),
        (3, "diagnosed_bleeding_condition", None), (4, "marks", 1), (5, "marks", 2),
    ]  # fmt: skip
    assert outcome.context == {"carers": ()}


def test_only_birthmarks_record_and_advise(marks_protocol: Protocol) -> None:
    outcome, _ = run(marks_protocol, [*CHILD, *BIRTHMARK, "n", "", *NO_CARERS])
    assert outcome.decision.pathway is not None and outcome.decision.pathway.id == "record"


def test_not_sure_is_offered_and_question_mark_says_what_it_does(
    marks_protocol: Protocol,
) -> None:
    # Gestation "not sure"; at "patterned", ? then "Not sure" (option 3); ? on the type first.
    bruise = [*BRUISE[:5], "?", "3", *BRUISE[6:]]
    replies = ["10", "not sure", "?", "3", "?", *bruise, "n", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    assert outcome.answers["gestation_weeks_at_birth"] is UNKNOWN
    # The engine's form of "not sure": not known, never a guess.
    assert outcome.answers["diagnosed_bleeding_condition"] is UNKNOWN
    assert outcome.answers["marks"][0]["patterned"] is UNKNOWN
    helps = {
        s.question.id: s.message.text
        for s in script.screens
        if isinstance(s, QuestionScreen) and s.message is not None and s.message.kind == "help"
    }
    assert NOT_SURE_HELP in helps["diagnosed_bleeding_condition"]
    assert NOT_SURE_HELP in helps["patterned"]
    assert "Shaped like a hand" in helps["patterned"]
    assert NOT_SURE_HELP not in helps["type"]  # "not sure" is not offered for the type
    assert "more urgent, never less urgent" in NOT_SURE_HELP


def test_not_sure_is_refused_where_the_protocol_does_not_offer_it(
    marks_protocol: Protocol,
) -> None:
    outcome, script = run(marks_protocol, ["not sure", *CHILD, *BRUISE, "n", "", *NO_CARERS])
    again = script.screens[1]
    assert isinstance(again, QuestionScreen) and again.question.id == "age_weeks"
    assert again.message is not None and again.message.kind == "error"
    assert outcome.answers["age_weeks"] == 10


def test_back_moves_through_the_marks_and_keeps_them(marks_protocol: Protocol) -> None:
    # At mark 2's first question, b goes back to "another mark?"; b there asks mark 1's last
    # answer again (the carer's words), and the rest of mark 1 is kept.
    replies = [*CHILD, *BRUISE, "y", "b", "b", "Changed words", "n", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    assert len(outcome.answers["marks"]) == 1
    assert outcome.answers["marks"][0]["account"] == "Changed words"
    kinds = [type(s).__name__ for s in script.screens]
    first_another = kinds.index("AnotherScreen")
    assert kinds[first_another : first_another + 4] == [
        "AnotherScreen", "QuestionScreen", "AnotherScreen", "QuestionScreen",
    ]  # fmt: skip
    account = script.screens[first_another + 3]
    assert isinstance(account, QuestionScreen) and account.question.id == "account"


def test_back_from_the_first_mark_question_returns_to_the_child(marks_protocol: Protocol) -> None:
    replies = [*CHILD, "b", "1", *BRUISE, "n", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    asked = script.asked()
    assert asked[:5] == [
        "age_weeks", "gestation_weeks_at_birth", "diagnosed_bleeding_condition", "type",
        "diagnosed_bleeding_condition",
    ]  # fmt: skip
    assert outcome.answers["diagnosed_bleeding_condition"] == "yes"


def test_review_changes_one_mark_and_asks_what_now_applies(marks_protocol: Protocol) -> None:
    # Review: open mark 1 (entry 4), change its explanation (answer 8) to "plausible": now
    # "who gave it" applies and is asked; Enter back to the review; confirm.
    replies = [*CHILD, *BRUISE, "n", "4", "8", "2", "1", "", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    mark = outcome.answers["marks"][0]
    assert mark["explanation"] == "plausible_consistent"
    assert mark["explained_by"] == "mother"
    item_screens = [s for s in script.screens if isinstance(s, ItemScreen)]
    assert [e.question.id for e in item_screens[0].entries] == [
        "type", "site", "side", "size_cm", "count", "patterned", "witnessed", "explanation",
        "account",
    ]  # fmt: skip
    assert "explained_by" in [e.question.id for e in item_screens[1].entries]


def test_changing_a_mark_to_a_birthmark_drops_the_question_that_no_longer_applies(
    marks_protocol: Protocol,
) -> None:
    replies = [*CHILD, *BRUISE, "n", "4", "1", "3", "", "", *NO_CARERS]
    outcome, _ = run(marks_protocol, replies)
    assert outcome.answers["marks"][0]["type"] == "birthmark_like"
    assert "witnessed" not in outcome.answers["marks"][0]


def test_review_adds_and_removes_marks_within_min_and_max(marks_protocol: Protocol) -> None:
    replies = [
        *CHILD, *BRUISE, "n",
        "a", *BIRTHMARK, "y", *BRUISE,   # add mark 2, then mark 3: the most this protocol takes
        "a",                             # a fourth is refused
        "5", "d", "n",                   # mark 2: remove? no
        "d", "y",                        # remove it after all
        "",                              # confirm the review
        *NO_CARERS,
    ]  # fmt: skip
    outcome, script = run(marks_protocol, replies)
    marks = outcome.answers["marks"]
    assert [m["type"] for m in marks] == ["bruise", "bruise"]
    reviews = [s for s in script.screens if isinstance(s, ReviewScreen)]
    full = reviews[1]
    assert full.can_add == () and len([e for e in full.entries if e.item]) == 3
    assert reviews[2].message is not None
    assert reviews[2].message.text == "Every group already has the most items it can take."
    confirms = [s for s in script.screens if isinstance(s, ConfirmScreen)]
    assert confirms[0].text == "Remove mark 2 (A birthmark-like mark, Trunk: back, Midline)?"
    assert reviews[-1].message is not None and reviews[-1].message.text == "Removed mark 2."


def test_the_last_mark_cannot_be_removed(marks_protocol: Protocol) -> None:
    replies = [*CHILD, *BRUISE, "n", "4", "d", "", "", *NO_CARERS]
    outcome, script = run(marks_protocol, replies)
    assert len(outcome.answers["marks"]) == 1
    screens = [s for s in script.screens if isinstance(s, ItemScreen)]
    assert not screens[0].can_remove
    assert screens[1].message is not None
    assert "At least 1 mark must be recorded" in screens[1].message.text


def test_carers_one_at_a_time_then_the_context(marks_protocol: Protocol) -> None:
    carers = ["y", "1", "1", "y", "2", "3", "n", "y"]  # mother seen; father not known; ICON yes
    outcome, script = run(marks_protocol, [*CHILD, *BRUISE, "n", "", *carers])
    assert outcome.context == {
        "carers": ({"relationship": "mother", "seen": "yes"},
                   {"relationship": "father", "seen": UNKNOWN}),
        "icon_discussed": True,
    }  # fmt: skip
    another = [s for s in script.screens if isinstance(s, AnotherScreen) and s.stage == "context"]
    assert [len(s.summaries) for s in another] == [0, 1, 2]
    # The context never changes the pathway.
    quiet, _ = run(marks_protocol, [*CHILD, *BRUISE, "n", "", *NO_CARERS])
    assert quiet.decision.pathway == outcome.decision.pathway


def test_back_at_the_first_carer_question_returns_to_record_a_carer(
    marks_protocol: Protocol,
) -> None:
    replies = [*CHILD, *BRUISE, "n", "", "y", "b", "n", ""]
    outcome, _ = run(marks_protocol, replies)
    assert outcome.context == {"carers": ()}


def test_not_known_on_a_carer_says_it_never_changes_the_pathway(marks_protocol: Protocol) -> None:
    from bruising_check.records.session import NOT_SURE_CONTEXT_HELP

    carers = ["y", "2", "?", "3", "n", ""]
    _, script = run(marks_protocol, [*CHILD, *BRUISE, "n", "", *carers])
    helped = [
        s.message.text
        for s in script.screens
        if isinstance(s, QuestionScreen) and s.message is not None and s.message.kind == "help"
    ]
    assert NOT_SURE_CONTEXT_HELP in helped[0] and NOT_SURE_HELP not in helped[0]
    summary = [s for s in script.screens if isinstance(s, AnotherScreen)][-1].summaries
    assert summary == ("Father, seen: not known",)


# --- the bundled national baseline 2.0: the real questions -------------------------------------

CHEEK = ["1", "cheek", "1", "1", "blue", "", "2", "1", "1", "No idea, he was like that"]
HEEL = ["1", "sole", "1", "0.5", "", "", "2", "documented_procedure_or_birth_injury", "2",
        "Heel prick at the newborn blood spot test"]  # fmt: skip


@pytest.fixture(scope="module")
def baseline_v2() -> Protocol:
    from tests.conftest import BASELINE

    loaded = load_text(BASELINE.read_text(encoding="utf-8"))
    assert loaded.protocol is not None and loaded.protocol.group("marks") is not None
    return loaded.protocol


def test_a_13_week_old_with_a_cheek_bruise_and_a_heel_prick_bruise(baseline_v2: Protocol) -> None:
    """Issue 12's case as a health visitor types it: each mark on its own, in the answers
    format version 2 of CONTRACT.md."""
    child = ["2", "none", "13", "40", "none", "1", "2"]
    carers = ["y", "2", "2", "3", "", "", "", "", "n"]
    replies = [*child, *CHEEK, "y", *HEEL, "n", "", "", *carers, "", "", "", ""]
    outcome, script = run(baseline_v2, replies)
    assert outcome.answers["marks"] == (
        {"type": "bruise", "site": "cheek", "side": "left", "size_cm": 1.0, "colour": "blue",
         "count": 1, "patterned": "no", "explanation": "none_given", "explained_by": "mother",
         "account": "No idea, he was like that"},
        {"type": "bruise", "site": "sole", "side": "left", "size_cm": 0.5, "count": 1,
         "patterned": "no", "explanation": "documented_procedure_or_birth_injury",
         "explained_by": "father", "account": "Heel prick at the newborn blood spot test"},
    )  # fmt: skip
    assert outcome.context["carers"] == (
        {"relationship": "father", "seen": "no", "mental_health_needs": "not_known"},
    )
    assert outcome.decision.pathway is not None
    assert outcome.decision.pathway.id == "refer_same_day_csc_and_paediatric"
    site = next(s for s in script.screens if isinstance(s, QuestionScreen) and s.item is not None
                and s.question.id == "site")  # fmt: skip
    assert site.item is not None and site.item.group.id == "marks" and site.item.number == 1


@given(
    st.lists(st.text(alphabet="abc xyz()", min_size=1, max_size=30), min_size=1, max_size=40),
    st.integers(min_value=20, max_value=120),
)
def test_site_rows_never_split_an_entry_and_keep_the_order(entries: list[str], width: int) -> None:
    from bruising_check.cli.guided import _wrap_entries

    rows = _wrap_entries(entries, width)
    assert "; ".join(rows) == "; ".join(entries)
    assert all(len(r) <= width or "; " not in r for r in rows)


def test_sites_are_listed_by_body_area_only_when_the_labels_name_areas(
    marks_protocol: Protocol,
) -> None:
    from bruising_check.cli.guided import _areas
    from bruising_check.protocol.model import GroupQuestion

    g = marks_protocol.group("marks")
    assert isinstance(g, GroupQuestion)
    site, kind = g.question("site"), g.question("type")
    assert site is not None and kind is not None
    areas = _areas(site.options)  # type: ignore[union-attr]
    assert areas[:3] == [
        ("Head", "scalp"),
        ("Head", "forehead"),
        ("Face", "cheek (the fleshy part)"),
    ]
    assert areas[4] == (None, "Neck")
    assert _areas(kind.options) == []  # type: ignore[union-attr]
