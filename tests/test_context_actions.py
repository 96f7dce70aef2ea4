"""Context that acts (DOMAIN.md section 3.5, issue 12.4) and TEN-4-FACESp that says which mark
and which part (issue 12.3): the carers, other children and ICON add the actions DOMAIN.md names
and never change the pathway; an unanswered context question makes its action "may apply",
never firm; the screen is not applicable (null), never "no", from 208 weeks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bruising_check.analysis.findings import analyse
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.problems import Code
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from bruising_check.records.record import Record, build_record
from bruising_check.render import plain, rationale
from tests.conftest import BASE_ANSWERS_V2, mark

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
FATHER_NOT_SEEN = {"relationship": "father", "seen": "no"}
MOTHER_SEEN = {
    "relationship": "mother",
    "seen": "yes",
    "mental_health_needs": "no",
    "substance_misuse": "no",
    "domestic_abuse": "no",
}
CONTEXT = {"carers": [MOTHER_SEEN], "other_children_in_household": 0, "icon_discussed": "yes"}


def checked(protocol: Protocol, **changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = {k: v for k, v in {**BASE_ANSWERS_V2, **changes}.items() if v is not ...}
    got = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    assert got.ok, [p.format() for p in got.problems]
    return got.answers, got.context


def decided(protocol: Protocol, **changes: Any) -> Decision:
    answers, context = checked(protocol, **changes)
    return decide(protocol, answers, context=context)


def action_ids(d: Decision) -> set[str]:
    return {a.action.id for a in d.actions}


def advice(d: Decision) -> dict[str, bool]:
    """Advice id -> certain."""
    return {r.id: r.certain for r in d.rules_fired if r.kind == "advice"}


def record_of(protocol: Protocol, d: Decision, context: dict[str, Any] | None = None) -> Record:
    return build_record(protocol, "0" * 64, d, created_at=NOW, context=context)


# --- the actions DOMAIN.md names -----------------------------------------------------------


def test_nothing_to_act_on_adds_no_context_action(baseline: Protocol) -> None:
    d = decided(baseline, **CONTEXT)
    assert not {"C1", "C2", "C3", "C4"} & set(advice(d))


def test_a_carer_not_seen_asks_to_see_them(baseline: Protocol) -> None:
    d = decided(baseline, **{**CONTEXT, "carers": [MOTHER_SEEN, FATHER_NOT_SEEN]})
    assert advice(d).get("C1") is True
    assert "see_every_carer" in action_ids(d)


def test_known_needs_not_shared_asks_the_gp_about_every_carer(baseline: Protocol) -> None:
    carer = {**MOTHER_SEEN, "mental_health_needs": "yes", "information_shared": "no"}
    d = decided(baseline, **{**CONTEXT, "carers": [carer]})
    assert advice(d).get("C2") is True
    assert "ask_adult_services" in action_ids(d)
    shared = {**carer, "information_shared": "yes"}
    assert "C2" not in advice(decided(baseline, **{**CONTEXT, "carers": [shared]}))


def test_other_children_tell_social_care(baseline: Protocol) -> None:
    d = decided(baseline, **{**CONTEXT, "other_children_in_household": 2})
    assert advice(d).get("C3") is True
    assert "tell_csc_other_children" in action_ids(d)


def test_icon_not_discussed_discuss_it_now(baseline: Protocol) -> None:
    d = decided(baseline, **{**CONTEXT, "icon_discussed": "no"})
    assert advice(d).get("C4") is True
    assert "discuss_icon" in action_ids(d)


def test_an_unanswered_context_question_may_apply_and_is_never_firm(baseline: Protocol) -> None:
    d = decided(baseline, **{**CONTEXT, "other_children_in_household": ...})
    assert advice(d).get("C3") is False  # may apply: the number of other children is not known
    _, context = checked(baseline, **{**CONTEXT, "other_children_in_household": ...})
    r = record_of(baseline, d, context)
    items = [
        c.text
        for s in rationale.document(r).sections
        if s.heading == "Actions"
        for b in s.blocks
        for c in getattr(b, "items", ())
    ]
    told = [t for t in items if "other children" in t]
    assert told and all(t.startswith(rationale.MAY_APPLY) for t in told)
    firm = [t for t in items if "ICON" in t]
    assert not firm  # ICON was discussed: nothing about it


def test_without_context_no_context_advice_is_judged(baseline: Protocol) -> None:
    """The guided check's first result comes before the context questions: nothing about the
    family is claimed either way."""
    answers, _ = checked(baseline)
    d = decide(baseline, answers)
    assert not {"C1", "C2", "C3", "C4"} & set(advice(d))


def test_the_cspr10_example_gets_its_carer_actions(baseline: Protocol) -> None:
    from tests.conftest import ROOT

    text = (ROOT / "examples/answers/cspr10-bruise-and-swelling-17-weeks.yaml").read_text()
    got = check_answers(baseline, read_yaml(text, "cspr10.yaml", yaml12=True))
    d = decide(baseline, got.answers, context=got.context)
    # Father never seen; mother's anxiety and depression with her GP, sharing not known; ICON no.
    assert {"see_every_carer", "ask_adult_services", "discuss_icon"} <= action_ids(d)
    assert "tell_csc_other_children" not in action_ids(d)


# --- never the pathway ---------------------------------------------------------------------

YES_NO_NK = st.sampled_from(["yes", "no", "not_known"])
CARER = st.fixed_dictionaries(
    {"relationship": st.sampled_from(["mother", "father", "partner", "other_carer"])},
    optional={
        "seen": YES_NO_NK,
        "mental_health_needs": YES_NO_NK,
        "substance_misuse": YES_NO_NK,
        "domestic_abuse": YES_NO_NK,
        "information_shared": YES_NO_NK,
    },
)
CONTEXTS = st.fixed_dictionaries(
    {},
    optional={
        "carers": st.lists(CARER, max_size=3),
        "other_children_in_household": st.integers(0, 4),
        "icon_discussed": YES_NO_NK,
    },
)
CASES = st.sampled_from(
    [
        {},
        {"age_weeks": 60, "mobility_milestones": ["walking"]},
        {"marks": [mark(explanation="documented_procedure_or_birth_injury")]},
        {"injury_red_flags": ["limb_not_moved"]},
        {"marks": [mark(type="abrasion", site="forehead", explanation="plausible_consistent")]},
        {"age_weeks": 60, "mobility_milestones": ["walking"], "marks": [mark(site="knee")]},
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=CASES, context=CONTEXTS)
def test_context_never_changes_the_pathway_and_only_adds(
    baseline: Protocol, case: dict[str, Any], context: dict[str, Any]
) -> None:
    answers, given_context = checked(baseline, **case, **context)
    without = decide(baseline, answers)
    with_context = decide(baseline, answers, context=given_context)
    ids = (without.pathway.id if without.pathway else None, without.then and without.then.id)
    assert (
        with_context.pathway.id if with_context.pathway else None,
        with_context.then and with_context.then.id,
    ) == ids
    before = {(a.source, a.action.id) for a in without.actions}
    after = {(a.source, a.action.id) for a in with_context.actions}
    assert before <= after
    assert {s for s, _ in after - before} <= {"C1", "C2", "C3", "C4"}


def test_validate_proves_the_context_never_decides(baseline: Protocol) -> None:
    found = [
        f
        for f in analyse(baseline, budget_seconds=300).findings
        if f.code is Code.CONTEXT_NEVER_DECIDES
    ]
    assert len(found) == 1
    assert "C1, C2, C3, C4" in found[0].message


def test_a_rule_reading_the_context_is_refused(baseline: Protocol) -> None:
    from bruising_check.protocol.loader import load_protocol
    from tests.conftest import BASELINE, TODAY

    text = BASELINE.read_text().replace(
        '    when: {question: immediate_danger, equals: "yes"}\n    pathway: protect_now',
        '    when: {question: icon_discussed, equals: "yes"}\n    pathway: protect_now',
        1,
    )
    assert "icon_discussed, equals" in text
    loaded = load_protocol(text.encode(), "local.yaml", today=TODAY)
    assert Code.CONTEXT_DECIDES in {p.code for p in loaded.problems}


# --- TEN-4-FACESp: which mark, which part; not applicable from 208 weeks --------------------


def screen_text(protocol: Protocol, d: Decision) -> str:
    r = record_of(protocol, d)
    return "\n".join(plain.text_lines(rationale.document(r)))


def test_the_screen_names_the_mark_and_the_part(baseline: Protocol) -> None:
    d = decided(
        baseline,
        age_weeks=30,
        marks=[
            mark(site="knee", explanation="plausible_consistent"),
            mark(site="ear", side="right"),
        ],
    )
    assert d.derived["ten4facesp_positive"] is True
    text = " ".join(screen_text(baseline, d).split())
    assert "Mark 2 (bruise, Face: ear (right)): TEN-4-FACESp region" in text
    assert (
        "Mark 1 ("
        not in text.split("Which mark, and which part of the screen:")[1].split(
            "Screening information shown"
        )[0]
    )


def test_age_part_named_for_a_young_baby(baseline: Protocol) -> None:
    d = decided(baseline, age_weeks=13, marks=[mark(site="thigh")])
    text = " ".join(screen_text(baseline, d).split())
    assert 'Mark 1 (bruise, Leg: thigh (left)): TEN-4-FACESp "4"' in text
    assert "TEN-4-FACESp region" not in text


def test_not_applicable_from_208_weeks_never_no(baseline: Protocol) -> None:
    d = decided(baseline, age_weeks=208, marks=[mark(site="ear")])
    assert d.derived["ten4facesp_positive"] is None
    assert all(f["ten4_region"] is None for f in d.item_derived["marks"])
    r = record_of(baseline, d)
    assert r.derived["ten4facesp_positive"] is None
    text = screen_text(baseline, d)
    assert "TEN-4-FACESp screen positive: not applicable" in text
    assert "screen positive: no\n" not in text + "\n"
    younger = decided(baseline, age_weeks=207, marks=[mark(site="ear")])
    assert younger.derived["ten4facesp_positive"] is True


SITES = st.sampled_from(["cheek", "ear", "frenulum", "subconjunctiva", "thigh", "knee", "back"])
MARKS = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["bruise", "abrasion", "burn", "bite", "birthmark_like"]),
            "site": SITES,
            "patterned": st.sampled_from(["yes", "no"]),
            "explanation": st.sampled_from(
                [
                    "none_given",
                    "independent_witness_accident",
                    "documented_procedure_or_birth_injury",
                    "plausible_consistent",
                ]
            ),
        }
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(marks=MARKS, age=st.sampled_from([4, 21, 22, 100, 207, 208]))
def test_the_parts_named_are_exactly_what_made_the_screen_positive(
    baseline: Protocol, marks: list[dict[str, Any]], age: int
) -> None:
    d = decided(baseline, age_weeks=age, marks=marks)
    parts = ("ten4_region", "ten4_frenulum_or_eye", "ten4_age", "ten4_patterned")
    named = any(f[p] is True for f in d.item_derived["marks"] for p in parts)
    positive = d.derived["ten4facesp_positive"]
    if age >= 208:
        assert positive is None
    else:
        assert positive is named
