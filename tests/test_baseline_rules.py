"""Rules B1-B8 of the national baseline and every boundary DOMAIN.md names, as tables."""

from __future__ import annotations

from typing import Any

import pytest

from bruising_check.protocol.model import Protocol
from tests.conftest import MOBILE, run

REFER = "refer_same_day_csc_and_paediatric"
DISCUSS = "discuss_with_safeguarding_lead_or_paediatrician"
NONE = "no_protocol_action_record_and_advise"
EMERGENCY = "emergency_care_first"

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("B1 unwell beats everything", {"child_seriously_unwell": True}, "B1", EMERGENCY),
    (
        "B1 unwell even with documented procedure",
        {"child_seriously_unwell": True, "explanation": "medical_procedure_documented"},
        "B1",
        EMERGENCY,
    ),
    (
        "B2 documented procedure mark in NIM baby",
        {"explanation": "medical_procedure_documented"},
        "B2",
        NONE,
    ),
    (
        "B2 documented birthmark",
        {
            "mark_types": ["birthmark_suspected"],
            "explanation": "birthmark_documented_by_health_professional",
        },
        "B2",
        NONE,
    ),
    (
        "B3 undocumented suspected birthmark only",
        {"mark_types": ["birthmark_suspected"], "explanation": "plausible_consistent"},
        "B3",
        DISCUSS,
    ),
    (
        "B3 does not apply when a bruise is there too",
        {"mark_types": ["birthmark_suspected", "bruise"]},
        "B5",
        REFER,
    ),
    (
        "B4 diagnosed condition, nothing patterned or implausible",
        {"diagnosed_condition_can_cause_mark": True, "explanation": "plausible_consistent"},
        "B4",
        DISCUSS,
    ),
    (
        "B4 not when patterned",
        {"diagnosed_condition_can_cause_mark": True, "patterned": True},
        "B5",
        REFER,
    ),
    (
        "B4 not when implausible",
        {
            "diagnosed_condition_can_cause_mark": True,
            "explanation": "implausible_or_inconsistent",
        },
        "B5",
        REFER,
    ),
    (
        "B5a plausible abrasion only in NIM baby",
        {"mark_types": ["abrasion"], "explanation": "plausible_consistent"},
        "B5a",
        DISCUSS,
    ),
    ("B5a not when unexplained", {"mark_types": ["abrasion"], "explanation": "none"}, "B5", REFER),
    (
        "B5a not with a bruise as well",
        {"mark_types": ["abrasion", "bruise"], "explanation": "plausible_consistent"},
        "B5",
        REFER,
    ),
    ("B5 NIM bruise", {}, "B5", REFER),
    (
        "B5 NIM burn, plausible story",
        {"mark_types": ["burn"], "explanation": "plausible_consistent"},
        "B5",
        REFER,
    ),
    ("B5 NIM petechiae", {"mark_types": ["petechiae"]}, "B5", REFER),
    (
        "B5 NIM swelling at the shin",
        {"mark_types": ["swelling"], "locations": ["shin"]},
        "B5",
        REFER,
    ),
    ("B5 remote report by carer", {"report_channel": "reported_remotely_by_carer"}, "B5", REFER),
    ("B5 third-party report", {"report_channel": "reported_by_third_party"}, "B5", REFER),
    (
        "B5 rolling alone is not mobility",
        {"mobility_milestones": ["rolling", "sitting"]},
        "B5",
        REFER,
    ),
    (
        "B5 pulling to stand alone is not mobility",
        {"mobility_milestones": ["pulling_to_stand"]},
        "B5",
        REFER,
    ),
    (
        "B5 older child with disability, no milestone",
        {"age_weeks": 300, "disability_affecting_mobility": True, "locations": ["shin"]},
        "B5",
        REFER,
    ),
    (
        "B5 witnessed accident does not help a NIM baby",
        {"accident_independently_witnessed": True, "explanation": "plausible_consistent"},
        "B5",
        REFER,
    ),
    (
        "B6 mobile with patterned mark",
        {"mobility_milestones": MOBILE, "patterned": True, "locations": ["shin"]},
        "B6",
        REFER,
    ),
    (
        "B6 mobile with clustered marks",
        {"mobility_milestones": MOBILE, "multiple_or_clustered": True, "locations": ["shin"]},
        "B6",
        REFER,
    ),
    (
        "B6 mobile with implausible explanation",
        {
            "mobility_milestones": MOBILE,
            "explanation": "implausible_or_inconsistent",
            "locations": ["knee"],
        },
        "B6",
        REFER,
    ),
    (
        "B7 mobile, unusual site, unwitnessed",
        {
            "mobility_milestones": MOBILE,
            "locations": ["ear"],
            "explanation": "plausible_consistent",
        },
        "B7",
        DISCUSS,
    ),
    (
        "B7 wheelchair user is mobile; unusual site",
        {
            "age_weeks": 400,
            "mobility_milestones": ["independent_wheelchair_use"],
            "disability_affecting_mobility": True,
            "locations": ["upper_arm"],
        },
        "B7",
        DISCUSS,
    ),
    (
        "B7 bottom shuffler; buttocks",
        {"mobility_milestones": ["bottom_shuffling"], "locations": ["buttocks"]},
        "B7",
        DISCUSS,
    ),
    (
        "B8 mobile, shin bruise, plausible",
        {
            "mobility_milestones": MOBILE,
            "locations": ["shin"],
            "explanation": "plausible_consistent",
        },
        "B8",
        NONE,
    ),
    (
        "B8 mobile, witnessed accident at an unusual site",
        {
            "mobility_milestones": ["walking"],
            "locations": ["cheek"],
            "accident_independently_witnessed": True,
            "explanation": "plausible_consistent",
        },
        "B8",
        NONE,
    ),
    (
        "B8 mobile, abrasion only at an unusual site",
        {"mobility_milestones": ["crawling"], "mark_types": ["abrasion"], "locations": ["hand"]},
        "B8",
        NONE,
    ),
]


@pytest.mark.parametrize(("name", "changes", "rule", "pathway"), CASES, ids=[c[0] for c in CASES])
def test_rule_table(
    baseline: Protocol, name: str, changes: dict[str, Any], rule: str, pathway: str
) -> None:
    decision = run(baseline, **changes)
    assert decision.pathway is not None
    assert decision.deciding_rule is not None
    assert (decision.deciding_rule.id, decision.pathway.id) == (rule, pathway)


@pytest.mark.parametrize(("weeks", "expected"), [(0, True), (21, True), (22, False), (30, False)])
def test_ten4facesp_age_edge_21_22_weeks(baseline: Protocol, weeks: int, expected: bool) -> None:
    # A thigh is not a TEN region, so only the age component can make the screen positive.
    decision = run(baseline, age_weeks=weeks, locations=["thigh"])
    assert decision.derived["ten4facesp_positive"] is expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age_weeks": 100, "locations": ["ear"]}, True),
        ({"age_weeks": 207, "locations": ["neck"]}, True),
        ({"age_weeks": 208, "locations": ["neck"]}, False),  # not applicable from 4 years
        ({"age_weeks": 100, "locations": ["frenulum"], "mark_types": ["abrasion"]}, True),
        ({"age_weeks": 100, "locations": ["thigh"], "patterned": True}, True),
        ({"age_weeks": 100, "locations": ["ear"], "accident_independently_witnessed": True}, False),
        ({"age_weeks": 100, "locations": ["ear"], "explanation": "plausible_consistent"}, True),
        ({"age_weeks": 100, "locations": ["ear"], "mark_types": ["burn"]}, False),
        ({"age_weeks": 10, "locations": ["thigh"], "mark_types": ["bite"]}, True),
    ],
)
def test_ten4facesp_components(baseline: Protocol, changes: dict[str, Any], expected: bool) -> None:
    assert run(baseline, **changes).derived["ten4facesp_positive"] is expected


@pytest.mark.parametrize(
    ("age", "gestation", "corrected"),
    [
        (10, 40, None),  # term: not recorded
        (10, 37, None),  # 37 weeks is term
        (10, 36, 6),
        (10, 28, -2),  # still before the due date
        (115, 28, 103),  # last corrected week under 2 years
        (116, 28, None),  # 104 corrected weeks: no longer recorded
    ],
)
def test_corrected_age(baseline: Protocol, age: int, gestation: int, corrected: int | None) -> None:
    decision = run(baseline, age_weeks=age, gestation_weeks_at_birth=gestation)
    assert decision.derived["corrected_age_weeks"] == corrected


def test_corrected_age_never_changes_the_pathway(baseline: Protocol) -> None:
    term = run(baseline, age_weeks=30, gestation_weeks_at_birth=40, locations=["shin"])
    preterm = run(baseline, age_weeks=30, gestation_weeks_at_birth=26, locations=["shin"])
    assert term.pathway == preterm.pathway
    assert preterm.derived["corrected_age_weeks"] == 16


def test_unknown_gestation_is_shown_as_not_known(baseline: Protocol) -> None:
    decision = run(baseline, gestation_weeks_at_birth=None)
    assert "gestation_weeks_at_birth" in decision.unanswered
    assert decision.pathway is not None
    assert decision.pathway.id == REFER


@pytest.mark.parametrize(
    ("milestones", "non_roller", "mobile"),
    [
        ([], True, False),
        (["sitting"], True, False),
        (["rolling"], False, False),
        (["crawling"], False, True),
        (["walking"], False, True),
    ],
)
def test_non_roller_and_mobility(
    baseline: Protocol, milestones: list[str], non_roller: bool, mobile: bool
) -> None:
    d = run(baseline, mobility_milestones=milestones)
    assert (d.derived["non_roller"], d.derived["independently_mobile"]) == (non_roller, mobile)


def test_remote_report_adds_see_in_person(baseline: Protocol) -> None:
    seen = {a.action.id for a in run(baseline).actions}
    remote = {
        a.action.id for a in run(baseline, report_channel="reported_remotely_by_carer").actions
    }
    assert remote - seen == {"see_in_person"}


def test_every_action_of_the_pathway_is_listed(baseline: Protocol) -> None:
    decision = run(baseline)
    assert decision.pathway is not None
    listed = [a.action.id for a in decision.actions if a.source == decision.pathway.id]
    assert listed == [a.id for a in decision.pathway.actions]
