"""The quiz offers a mark's question with the options the guided check offers, never one the
check hides: after "No" to a bleeding condition, not "Explained by the diagnosed condition"."""

from __future__ import annotations

from typing import Any

from bruising_check.engine.decide import offered
from bruising_check.protocol.model import GroupQuestion, Protocol
from bruising_check.training.quiz import asks
from tests.conftest import BASE_ANSWERS_V2, mark


def _options(protocol: Protocol, answers: dict[str, Any], qid: str) -> list[str]:
    """The option ids the quiz puts to a trainee who answers as the case does."""
    reading: dict[str, Any] = {}
    for ask in asks(protocol, answers, reading):
        if ask.question.id == qid:
            return [o.id for o in getattr(ask.question, "options", ())]
        if ask.group is None:
            reading[ask.path] = answers[ask.question.id]
        else:
            assert ask.item is not None
            reading[ask.path] = answers[ask.group.id][ask.item - 1][ask.question.id]
    raise AssertionError(f"{qid} was not asked")


def test_no_bleeding_condition_hides_explained_by_it(baseline: Protocol) -> None:
    answers = {**BASE_ANSWERS_V2, "diagnosed_bleeding_condition": "no"}
    options = _options(baseline, answers, "explanation")
    assert "diagnosed_condition" not in options
    assert "none_given" in options


def test_a_diagnosed_condition_offers_it(baseline: Protocol) -> None:
    answers = {**BASE_ANSWERS_V2, "diagnosed_bleeding_condition": "yes"}
    assert "diagnosed_condition" in _options(baseline, answers, "explanation")


def test_the_quiz_and_the_check_offer_the_same(baseline: Protocol) -> None:
    """The same function decides for both: what the quiz offers is what `offered` gives."""
    answers = {**BASE_ANSWERS_V2, "marks": [mark(site="forehead")]}
    marks = next(q for q in baseline.questions if isinstance(q, GroupQuestion))
    for qid in ("explanation", "side"):
        q = next(x for x in marks.questions if x.id == qid)
        item = {k: v for k, v in answers["marks"][0].items() if k != qid}
        want = [o.id for o in getattr(offered(baseline, marks, q, item, answers), "options", ())]
        try:
            got = _options(baseline, answers, qid)
        except AssertionError:
            continue  # not a question the quiz asks (given in the case instead)
        assert got == want, qid
