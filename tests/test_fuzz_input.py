"""Issue 13's input attacks as property tests over every reader: a value or the reader's own
clear error, never an exception. A few examples here; `bench/fuzz.py` runs them for long."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.fuzzing import BASELINE_LOADED
from tests.fuzzing_input import (
    alias_yaml,
    check_cases,
    check_reply,
    check_scenarios,
    check_yaml,
    hostile_cases,
    hostile_scenarios,
    typed_reply,
)

CI = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
PROTOCOL = BASELINE_LOADED.protocol
assert PROTOCOL is not None


@CI
@given(alias_yaml())
def test_alias_structures_are_read_within_limits_or_refused(text: str) -> None:
    check_yaml(text)


@CI
@given(typed_reply)
def test_typed_replies_are_parsed_or_re_asked(reply: str) -> None:
    assert PROTOCOL is not None
    check_reply(PROTOCOL, reply)


@CI
@given(hostile_cases())
def test_cases_files_give_cases_or_a_clear_error(named: tuple[str, str]) -> None:
    assert PROTOCOL is not None
    check_cases(PROTOCOL, *named)


@CI
@given(hostile_scenarios())
def test_scenario_files_load_or_give_problems(raw: bytes) -> None:
    assert PROTOCOL is not None
    check_scenarios(PROTOCOL, raw)
