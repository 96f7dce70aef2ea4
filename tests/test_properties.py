"""Invariants of the engine over random complete answer sets (hypothesis), on the version-1
baseline: one answer per question. The v2 baseline's groups and unknowns are covered by the
scenario files and tests/test_baseline_rules.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.engine.decide import decide
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
)
from tests.conftest import BASELINE_V1, TODAY

_LOADED = load_protocol(BASELINE_V1.read_bytes(), str(BASELINE_V1), today=TODAY).protocol
assert _LOADED is not None
PROTOCOL: Protocol = _LOADED


def _in_order(ids: list[str], chosen: list[str]) -> tuple[str, ...]:
    return tuple(i for i in ids if i in chosen)


def answer_sets(protocol: Protocol) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for q in protocol.questions:
        match q:
            case BooleanQuestion():
                fields[q.id] = st.booleans()
            case SingleChoiceQuestion():
                fields[q.id] = st.sampled_from([o.id for o in q.options])
            case MultipleChoiceQuestion():
                ids = [o.id for o in q.options]
                fields[q.id] = st.lists(
                    st.sampled_from(ids), min_size=max(q.min_selected, 0), unique=True
                ).map(partial(_in_order, ids))
            case NumberQuestion():
                fields[q.id] = st.integers(int(q.min), int(q.max))
    return st.fixed_dictionaries(fields)


@settings(max_examples=400, deadline=None)
@given(answer_sets(PROTOCOL))
def test_every_complete_answer_set_gets_exactly_one_pathway(answers: dict[str, Any]) -> None:
    decision = decide(PROTOCOL, answers)
    assert decision.pathway is not None
    deciding = [r for r in decision.rules_fired if r.kind == "decides"]
    assert len(deciding) == 1
    assert not decision.raised  # complete answers never need the safety net


@settings(max_examples=300, deadline=None)
@given(answer_sets(PROTOCOL), st.data())
def test_an_unknown_answer_never_lowers_the_pathway(answers: dict[str, Any], data: Any) -> None:
    known = decide(PROTOCOL, answers)
    assert known.pathway is not None
    forget = data.draw(st.sampled_from(sorted(answers)))
    partial = decide(PROTOCOL, {**answers, forget: UNKNOWN})
    assert partial.pathway is not None
    assert partial.pathway.urgency <= known.pathway.urgency


@settings(max_examples=200, deadline=None)
@given(answer_sets(PROTOCOL), st.data())
def test_context_answers_never_change_the_decision(answers: dict[str, Any], data: Any) -> None:
    context = {
        q.id: data.draw(st.sampled_from([o.id for o in q.options]))
        for q in PROTOCOL.context_prompts
        if isinstance(q, SingleChoiceQuestion)
    }
    assert decide(PROTOCOL, answers) == decide(PROTOCOL, {**answers, **context})
