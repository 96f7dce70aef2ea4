"""Property tests: malformed protocols and answers give problems, never an exception.

A few examples run in CI; `bench/fuzz.py` runs the same strategies for a long time.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from bruising_check.problems import Code
from tests.fuzzing import (
    BASE_ANSWERS,
    BASELINE_LOADED,
    hostile_answers_bytes,
    hostile_protocol_bytes,
    load,
    run_answers,
    serialise,
)

CI = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CI
@given(hostile_protocol_bytes())
def test_a_hostile_protocol_is_rejected_with_problems_or_loads(raw: bytes) -> None:
    loaded = load(raw)
    if loaded.ok:
        # A mutation can leave a valid protocol; it must then run a whole check without error.
        run_answers(loaded, serialise(BASE_ANSWERS, "yaml"))
    else:
        errors = [p for p in loaded.problems if p.severity == "error"]
        assert errors
        assert all(isinstance(p.code, Code) and p.line >= 0 for p in errors)
        assert len(loaded.problems) <= 101  # capped, with one "and N more" line


@CI
@given(hostile_answers_bytes())
def test_hostile_answers_are_rejected_with_a_problem_or_decided(raw: bytes) -> None:
    problem = run_answers(BASELINE_LOADED, raw)
    assert problem is None or " error " in problem
