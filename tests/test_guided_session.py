"""The questionnaire without a terminal: a scripted `ask` and a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest

from bruising_check.protocol.model import Protocol
from bruising_check.records.session import (
    Outcome,
    QuestionScreen,
    ResultScreen,
    ReviewScreen,
    Screen,
    Session,
)
from tests.conftest import BASELINE_V1, load_text

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)

# The V01 scenario (unexplained cheek bruise, 10 weeks) as a person would type it.
V01 = ["n", "10", "40", "none", "n", "1", "8", "n", "n", "1", "", "n", "n", "1", ""]


class Script:
    """Replies in order; remembers every screen. Runs out → EOFError, like a closed terminal."""

    def __init__(self, replies: Iterable[str]) -> None:
        self.replies = list(replies)
        self.screens: list[Screen] = []

    def __call__(self, screen: Screen) -> str:
        self.screens.append(screen)
        if isinstance(screen, ResultScreen):
            return ""
        if not self.replies:
            raise EOFError
        return self.replies.pop(0)

    def asked(self) -> list[str]:
        return [s.question.id for s in self.screens if isinstance(s, QuestionScreen)]


def run(protocol: Protocol, replies: list[str]) -> tuple[Outcome, Script]:
    script = Script(replies)
    return Session(protocol, "0" * 64, script, lambda: NOW).run(), script


def test_v01_typed_gives_the_same_decision_as_the_scenario(baseline_v1: Protocol) -> None:
    session, script = run(baseline_v1, [*V01, "", "", "", "", "", ""])
    outcome = session
    assert outcome.decision.pathway is not None
    assert outcome.decision.pathway.id == "refer_same_day_csc_and_paediatric"
    assert outcome.decision.derived["ten4facesp_positive"] is True
    assert [s.question.id for s in script.screens if isinstance(s, QuestionScreen)][:15] == [
        q.id for q in baseline_v1.questions
    ]
    # One review, then the result, then the five context prompts.
    kinds = [type(s).__name__ for s in script.screens[15:]]
    assert kinds == ["ReviewScreen", "ResultScreen", *["QuestionScreen"] * 5]
    record: Any = outcome.record(baseline_v1, "0" * 64).json_body()
    assert record["created_at"] == "2026-11-27T10:30:00+00:00"
    # Same day is today, as soon as possible: never a clock time such as 23:59.
    assert record["actions"][0]["deadline"] == {
        "kind": "same_day",
        "hours": None,
        "by": None,
        "on": "2026-11-27",
    }


def test_help_shows_why_with_citation_and_asks_again(baseline_v1: Protocol) -> None:
    _, script = run(baseline_v1, ["?", *V01, "", "", "", "", "", ""])
    first, again = script.screens[0], script.screens[1]
    assert isinstance(first, QuestionScreen)
    assert isinstance(again, QuestionScreen) and again.question.id == first.question.id
    assert again.message is not None and again.message.kind == "help"
    assert "Emergency care comes first" in again.message.text
    assert [s.id for s in again.message.sources] == ["nice_cg89"]


def test_back_goes_to_the_previous_question_and_forgets_its_answer(baseline_v1: Protocol) -> None:
    replies = ["n", "12", "b", "10", *V01[2:], "", "", "", "", "", ""]
    session, script = run(baseline_v1, replies)
    assert script.asked()[:4] == ["child_seriously_unwell", "age_weeks", "gestation_weeks_at_birth",
                                  "age_weeks"]  # fmt: skip
    assert session.answers["age_weeks"] == 10


def test_invalid_input_is_explained_and_asked_again(baseline_v1: Protocol) -> None:
    _, script = run(baseline_v1, ["maybe", *V01, "", "", "", "", "", ""])
    again = script.screens[1]
    assert isinstance(again, QuestionScreen) and again.message is not None
    assert again.message.kind == "error" and "y for yes" in again.message.text


def test_review_change_and_age_shown_back_in_weeks(baseline_v1: Protocol) -> None:
    # At the review: change answer 2 (age) to "6m", then confirm.
    session, script = run(baseline_v1, [*V01, "2", "6m", "", "", "", "", "", ""])
    outcome = session
    assert outcome.answers["age_weeks"] == 26
    reviews = [s for s in script.screens if isinstance(s, ReviewScreen)]
    assert len(reviews) == 2
    assert reviews[1].entries[1].answer == "26 weeks"
    assert reviews[1].message is not None and "6m = 26 completed weeks" in reviews[1].message.text
    assert outcome.decision.derived["ten4facesp_positive"] is True  # the cheek is a TEN region


ASK_IF_PROTOCOL = BASELINE_V1.read_text(encoding="utf-8").replace(
    """  - id: accident_independently_witnessed
    section: The explanation
    type: boolean""",
    """  - id: accident_independently_witnessed
    section: The explanation
    type: boolean
    ask_if: {question: mobility_milestones, includes_any: [crawling, walking]}""",
)


@pytest.fixture(scope="module")
def ask_if_protocol() -> Protocol:
    loaded = load_text(ASK_IF_PROTOCOL)
    assert loaded.protocol is not None and loaded.ok, [p.format() for p in loaded.problems]
    return loaded.protocol


def test_only_questions_whose_ask_if_holds_are_asked(ask_if_protocol: Protocol) -> None:
    replies = [r for i, r in enumerate(V01) if i != 12]  # no reply for the witnessed accident
    session, script = run(ask_if_protocol, [*replies, "", "", "", "", "", ""])
    assert "accident_independently_witnessed" not in script.asked()
    outcome = session
    assert [s.question for s in outcome.decision.not_asked] == ["accident_independently_witnessed"]


def test_a_change_that_makes_a_question_apply_asks_it_and_drops_what_no_longer_applies(
    ask_if_protocol: Protocol,
) -> None:
    replies = [r for i, r in enumerate(V01) if i != 12]
    # Review: change milestones (answer 4) to crawling → the witnessed question now applies.
    session, script = run(ask_if_protocol, [*replies, "4", "3", "y", "", "", "", "", "", ""])
    outcome = session
    assert outcome.answers["accident_independently_witnessed"] is True
    assert script.asked().count("accident_independently_witnessed") == 1
    # Going back to "none" afterwards drops the answer that no longer applies.
    session2, _ = run(
        ask_if_protocol, [*replies, "4", "3", "y", "4", "none", "", "", "", "", "", ""]
    )
    assert "accident_independently_witnessed" not in session2.answers


def test_context_answers_are_recorded_and_never_change_the_pathway(baseline_v1: Protocol) -> None:
    quiet, _ = run(baseline_v1, [*V01, "", "", "", "", "", ""])
    worried, _ = run(baseline_v1, [*V01, "", "3", "2", "1", "3", "Dad not seen <script>"])
    a, b = quiet, worried
    assert a.decision.pathway == b.decision.pathway and a.decision.actions == b.decision.actions
    assert a.context == {}
    assert b.context == {
        "carers_seen": "not_all_identified",
        "adult_services": "yes_not_shared",
        "other_children": "yes",
        "icon_discussed": "not_yet",
        "context_notes": "Dad not seen <script>",
    }


def test_end_of_input_at_any_prompt_is_raised_not_swallowed(baseline_v1: Protocol) -> None:
    for cut in (0, 5, len(V01), len(V01) + 3):
        script = Script([*V01, "", "", "", "", "", ""][:cut])
        with pytest.raises(EOFError):
            Session(baseline_v1, "0" * 64, script, lambda: NOW).run()


def test_finishing_from_a_review_opened_early_does_not_review_twice() -> None:
    from tests.test_validation_codes import MINIMAL

    text = MINIMAL.replace(
        "    prompt: Marks?", "    prompt: Marks?\n    ask_if: {question: mobile, equals: false}"
    )
    protocol = load_text(text).protocol
    assert protocol is not None
    # Not mobile, age 3; at "Marks?" open the review and change "mobile" to yes, so that
    # "Marks?" no longer applies and the review is complete; then confirm.
    outcome, script = run(protocol, ["n", "3", "r", "1", "y", ""])
    assert outcome.answers == {"mobile": True, "age": 3}
    kinds = [type(s).__name__ for s in script.screens]
    result_at = kinds.index("ResultScreen")
    assert kinds[result_at - 1] == "ReviewScreen"
    assert kinds[:result_at].count("ReviewScreen") == 2  # before the change and after it


def test_review_before_any_answer_says_there_is_nothing_to_review(baseline_v1: Protocol) -> None:
    _, script = run(baseline_v1, ["r", *V01, "", "", "", "", "", ""])
    first, again = script.screens[0], script.screens[1]
    assert isinstance(first, QuestionScreen)
    assert isinstance(again, QuestionScreen) and again.question.id == first.question.id
    assert again.message is not None
    assert again.message.text == "There is nothing to review yet: answer this question first."
    assert not any(
        isinstance(s, ReviewScreen) and not s.entries for s in script.screens
    )  # never an empty review
