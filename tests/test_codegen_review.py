"""Review of the generated replay pass (`engine.codegen`): protocols the model allows (after
validation, or built in code) whose generated code must still give `engine.decide`'s outcome,
and protocol text that must stay data."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import TypeAdapter

from bruising_check.engine.compiled import compiled, probe
from bruising_check.protocol.conditions import Condition
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Case, _checked_case, run_outcome

ANSWERS: dict[str, Any] = {
    "immediate_danger": "no",
    "injury_red_flags": [],
    "age_weeks": 10,
    "gestation_weeks_at_birth": 40,
    "mobility_milestones": [],
    "report_channel": "seen_in_person",
    "diagnosed_bleeding_condition": "no",
    "marks": [{"type": "bruise", "site": "shin", "patterned": "no", "explanation": "none_given"}],
}


def _with_first_rule(baseline: Protocol, when: dict[str, Any]) -> Protocol:
    protocol = copy.deepcopy(baseline)
    object.__setattr__(protocol.rules[0], "when", TypeAdapter(Condition).validate_python(when))
    return protocol


def test_equals_text_on_a_list_answer_is_the_engines(baseline: Protocol) -> None:
    """`equals: "<text>"` on a multiple-choice answer (the model allows it; the checks refuse
    it) reads as the engine reads it: a list equals the empty set of options, so an empty
    list matches. The two-valued code compared the list with the text (False) and gave a less
    urgent pathway than `decide`."""
    protocol = _with_first_rule(
        baseline, {"question": "injury_red_flags", "equals": "seriously_unwell"}
    )
    lazy = probe(compiled(protocol))
    assert lazy is not None and hasattr(lazy.fast, "source")  # the generated code runs
    for flags in ([], ["seriously_unwell"], ["limb_not_moved"]):
        case = Case("c", {**ANSWERS, "injury_red_flags": flags})
        expected = _checked_case(protocol, case)
        assert expected[1] is None
        assert run_outcome(protocol, case) == expected, flags
