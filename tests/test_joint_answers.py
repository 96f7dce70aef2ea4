"""Property: the joint answer check of two protocols (`compiled.Joint`, one reading of a case
for both versions in `diff --cases`) gives exactly what each protocol's own `answers_ok` gives,
and nothing when either refuses the case (each protocol's own check then says why).

On pairs of random protocols with random raw answers (wrong types, options not offered, an
item answer to no question, null), and on every pair of the bundled and real protocols (whose
groups differ: the joint group reader is generated) with answers format v2; then the whole
case impact with the joint check against the impact worked out case by case without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations
from typing import Any

from hypothesis import HealthCheck, event, given, settings

from bruising_check.engine.compiled import compiled, joint
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Case, Impact, impact, run_outcome
from tests.test_compiled_replay import (
    baseline_answers,
    raw_answer_sets,
    real,  # noqa: F401  # (a fixture)
    richer_protocols,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _own(protocol: Protocol, answers: dict[str, Any]) -> Any:
    """Each protocol's own check: its result, or the exception's type."""
    try:
        return compiled(protocol).answers_ok(answers)
    except Exception as exc:  # (the joint check gives nothing then)
        return type(exc)


def _same_as_each(a: Protocol, b: Protocol, answers: dict[str, Any], *, count: bool = True) -> None:
    own_a, own_b = _own(a, answers), _own(b, answers)
    both = joint(a, b).answers_ok(answers)
    accepted = isinstance(own_a, tuple) and isinstance(own_b, tuple)
    if count:
        event("both accept" if accepted else "one refuses")
    if accepted:
        assert both == (own_a, own_b)
        for got, want in zip(both or (), (own_a, own_b), strict=True):
            # The same order of answers too (as `answers_ok` reads them, the case's order).
            assert [list(d) for d in got] == [list(d) for d in want]
    else:
        assert both is None


@SETTINGS
@given(richer_protocols(), richer_protocols(), raw_answer_sets())
def test_joint_check_on_random_protocols(a: Protocol, b: Protocol, answers: dict[str, Any]) -> None:
    _same_as_each(a, b, answers)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_joint_check_on_the_bundled_and_real_protocols(
    real: dict[str, Protocol],  # noqa: F811
    answers: dict[str, Any],
) -> None:
    for a, b in permutations(real.values(), 2):
        _same_as_each(a, b, answers)


def _narrowed(baseline: Protocol) -> Protocol:
    """The baseline with answers it accepts refused or read otherwise: ages over a year, an
    unknown gestation, bite marks, a mark's side, a third carer's explanation; "not sure" of
    the milestones an option like the others; the red flags in another order."""
    data = baseline.model_dump(mode="json", by_alias=True, exclude_none=True)
    for q in data["questions"]:
        if q["id"] == "age_weeks":
            q["max"] = 52
        if q["id"] == "gestation_weeks_at_birth":
            q["allow_unknown"] = False
            q["required"] = True
        if q["id"] == "mobility_milestones":
            q["required"] = False  # (null stays an answer: only "not sure" reads otherwise)
            for o in q["options"]:
                o.pop("unknown", None)
        if q["id"] == "injury_red_flags":
            q["options"].reverse()
        if q["id"] == "marks":
            q["questions"] = [iq for iq in q["questions"] if iq["id"] != "side"]
            for iq in q["questions"]:
                if iq["id"] == "type":
                    iq["options"] = [o for o in iq["options"] if o["id"] != "bite"]
                if iq["id"] == "explained_by":
                    iq["options"] = iq["options"][:2]
    return Protocol.model_validate(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_joint_check_where_the_versions_accept_different_answers(
    real: dict[str, Protocol],  # noqa: F811
    answers: dict[str, Any],
) -> None:
    baseline = real["national-baseline"]
    narrow = _narrowed(baseline)
    _same_as_each(baseline, narrow, answers)
    _same_as_each(narrow, baseline, answers)


def test_answers_the_narrowed_baseline_reads_otherwise(
    real: dict[str, Protocol],  # noqa: F811
) -> None:
    baseline = real["national-baseline"]
    narrow = _narrowed(baseline)
    mark = {"type": "bruise", "site": "cheek", "patterned": "no", "explanation": "none_given"}
    plain = {
        "immediate_danger": "no",
        "injury_red_flags": ["seriously_unwell", "limb_not_moved"],
        "age_weeks": 20,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": ["not_sure"],
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": [mark],
    }
    both = joint(baseline, narrow).answers_ok(plain)
    assert both is not None
    assert both[0][0]["mobility_milestones"] is UNKNOWN
    assert both[1][0]["mobility_milestones"] == ("not_sure",)
    assert both[0][0]["injury_red_flags"] == ("seriously_unwell", "limb_not_moved")
    assert both[1][0]["injury_red_flags"] == ("limb_not_moved", "seriously_unwell")
    for refused in (
        {"gestation_weeks_at_birth": None},
        {"age_weeks": 60},
        {"marks": [{**mark, "type": "bite"}]},
        {"marks": [{**mark, "side": "left"}]},
    ):
        answers = {**plain, **refused}
        assert compiled(baseline).answers_ok(answers) is not None
        assert compiled(narrow).answers_ok(answers) is None
        assert joint(baseline, narrow).answers_ok(answers) is None
        _same_as_each(baseline, narrow, answers, count=False)


def test_alike_questions_are_read_once_and_groups_by_one_reader(
    real: dict[str, Protocol],  # noqa: F811
) -> None:
    """The baseline and LLR 2024 read most answers alike (one reading for both) and define
    their marks differently (`side`, `explanation`): one generated reader gives both items."""
    plans = joint(real["national-baseline"], real["llr-2024"]).plans
    assert plans["immediate_danger"][0] == 0
    assert plans["age_weeks"][0] == 0
    assert plans["mobility_milestones"][0] == 0  # (only its help and citations differ)
    assert plans["child_gives_consistent_account"][0] == 2  # LLR's own
    assert plans["child_gives_consistent_account"][2] is None
    assert plans["marks"][0] == 1
    assert hasattr(plans["marks"][2], "source")


def _cases(draws: list[dict[str, Any]]) -> Iterator[Case]:
    for i, answers in enumerate(draws):
        yield Case(f"c{i}", answers)


def _case_by_case(old: Protocol, new: Protocol, draws: list[dict[str, Any]]) -> dict[str, Any]:
    """The impact's counts from `run_outcome` of each version on its own."""
    result = Impact()
    for case in _cases(draws):
        result.total += 1
        a, why_a = run_outcome(old, case)
        b, why_b = run_outcome(new, case)
        result.unrunnable_total += (why_a is not None) + (why_b is not None)
        for which, why in (("old", why_a), ("new", why_b)):
            if why is not None:
                result.unrunnable.append((case.name, which, why))
        if a is not None and b is not None:
            result.transitions[(a[0], b[0])] += 1
            if a[0] == b[0] and a[1] != b[1]:
                result.follow_ons[(a[0], a[1], b[1])] += 1
    return {
        "total": result.total,
        "transitions": dict(result.transitions),
        "follow_ons": dict(result.follow_ons),
        "unrunnable_total": result.unrunnable_total,
        "unrunnable": result.unrunnable,
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers(), baseline_answers(), baseline_answers())
def test_impact_with_the_joint_check_is_case_by_case(
    real: dict[str, Protocol],  # noqa: F811
    x: dict[str, Any],
    y: dict[str, Any],
    z: dict[str, Any],
) -> None:
    """Counts, transitions and the cases that cannot run (which version, and why) are those
    of each version run on its own; a case only one version refuses runs under the other."""
    refused_by_llr_only = {**x, "child_gives_consistent_account": "sometimes"}
    draws = [x, y, z, refused_by_llr_only]
    old, new = real["national-baseline"], real["llr-2024"]
    got = impact(old, new, _cases(draws))
    assert {
        "total": got.total,
        "transitions": dict(got.transitions),
        "follow_ons": dict(got.follow_ons),
        "unrunnable_total": got.unrunnable_total,
        "unrunnable": got.unrunnable,
    } == _case_by_case(old, new, draws)
    assert any(c == "c3" and which == "new" for c, which, _ in got.unrunnable)
