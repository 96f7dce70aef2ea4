"""The national baseline version 2 (DOMAIN.md §3 v2): rules B0-B9, the boundaries DOMAIN.md names,
each mark judged by its own explanation, unknowns that only make the pathway more urgent, carers
that add actions and never change the pathway, and the source list."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bruising_check.engine.decide import Decision
from bruising_check.engine.urgency import urgency_key
from bruising_check.protocol.bundled import find_bundled
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Action, GroupQuestion, Protocol
from tests.conftest import BASELINE, BASELINE_V1, mark, run2

PROTECT = "protect_now"
EMERGENCY = "emergency_care_first"
REFER = "refer_same_day_csc_and_paediatric"
OPINION = "same_day_health_opinion"
DISCUSS = "discuss_with_safeguarding_lead_or_paediatrician"
NONE = "no_protocol_action_record_and_advise"
WALKER = ["rolling", "sitting", "crawling", "pulling_to_stand", "cruising", "walking"]
CANNULA = mark(site="back_of_hand", explanation="documented_procedure_or_birth_injury")


def outcome(d: Decision) -> tuple[str | None, str | None]:
    return (d.pathway.id if d.pathway else None, d.then.id if d.then else None)


# (name, changes, deciding rule, pathway, then)
CASES: list[tuple[str, dict[str, Any], str, str, str | None]] = [
    ("B0 immediate danger beats everything", {"immediate_danger": "yes"}, "B0", PROTECT, None),
    (
        "B1 red flag, then B6",
        {"injury_red_flags": ["limb_not_moved"]},
        "B1",
        EMERGENCY,
        REFER,
    ),
    (
        "B1 red flag, then B2",
        {"injury_red_flags": ["seriously_unwell"], "marks": [CANNULA]},
        "B1",
        EMERGENCY,
        NONE,
    ),
    ("B2 every mark accounted for", {"marks": [CANNULA]}, "B2", NONE, None),
    (
        "B2 documented birthmark on a bruise-like mark",
        {"marks": [mark(type="birthmark_like", explanation="documented_birthmark")]},
        "B2",
        NONE,
        None,
    ),
    (
        "B2 not for a patterned documented bruise",
        {"marks": [mark(explanation="documented_procedure_or_birth_injury", patterned="yes")]},
        "B6",
        REFER,
        None,
    ),
    (
        "B2 not for a documented burn",
        {"marks": [mark(type="burn", explanation="documented_procedure_or_birth_injury")]},
        "B6",
        REFER,
        None,
    ),
    (
        "B3 a disclosure, mobile child",
        {
            "age_weeks": 100,
            "mobility_milestones": WALKER,
            "marks": [mark(site="forehead", explanation="person_caused")],
        },
        "B3",
        REFER,
        None,
    ),
    (
        "B4 undocumented birthmark-like mark",
        {"marks": [mark(type="birthmark_like", explanation="plausible_consistent")]},
        "B4",
        OPINION,
        None,
    ),
    (
        "B5 bruise explained by a diagnosed condition",
        {"diagnosed_bleeding_condition": "yes", "marks": [mark(explanation="diagnosed_condition")]},
        "B5",
        OPINION,
        None,
    ),
    (
        "B5 not for a burn",
        {
            "diagnosed_bleeding_condition": "yes",
            "marks": [mark(type="burn", explanation="diagnosed_condition")],
        },
        "B6",
        REFER,
        None,
    ),
    (
        "B6a plausible fingernail scratch on the cheek",
        {"marks": [mark(type="abrasion", explanation="plausible_consistent")]},
        "B6a",
        OPINION,
        None,
    ),
    (
        "B6a not on the neck",
        {"marks": [mark(type="abrasion", site="neck", explanation="plausible_consistent")]},
        "B6",
        REFER,
        None,
    ),
    ("B6 an unexplained bruise on a non-mobile baby", {}, "B6", REFER, None),
    (
        "B7 unexplained burn on a toddler's sole",
        {
            "age_weeks": 100,
            "mobility_milestones": WALKER,
            "marks": [mark(type="burn", site="sole")],
        },
        "B7",
        REFER,
        None,
    ),
    (
        "B7 a cluster of two unexplained bruises at an unusual site",
        {"age_weeks": 100, "mobility_milestones": WALKER, "marks": [mark(site="thigh", count=2)]},
        "B7",
        REFER,
        None,
    ),
    (
        "B8 one unexplained bruise at an unusual site",
        {"age_weeks": 100, "mobility_milestones": WALKER, "marks": [mark(site="thigh")]},
        "B8",
        DISCUSS,
        None,
    ),
    (
        "B8 TEN-4-FACESp positive with a plausible account",
        {
            "age_weeks": 78,
            "mobility_milestones": WALKER,
            "marks": [mark(site="ear", explanation="plausible_consistent")],
        },
        "B8",
        DISCUSS,
        None,
    ),
    (
        "B9 plausible bruise at a typical site",
        {
            "age_weeks": 44,
            "mobility_milestones": WALKER,
            "marks": [mark(site="shin", explanation="plausible_consistent")],
        },
        "B9",
        NONE,
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "changes", "rule", "pathway", "then"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_table(
    baseline: Protocol,
    name: str,
    changes: dict[str, Any],
    rule: str,
    pathway: str,
    then: str | None,
) -> None:
    d = run2(baseline, **changes)
    assert outcome(d) == (pathway, then), name
    assert d.deciding_rule is not None and d.deciding_rule.id == rule, name


def test_each_mark_is_judged_by_its_own_explanation(baseline: Protocol) -> None:
    """A documented cannula bruise never excuses a second, unexplained bruise (DOMAIN.md §3.4)."""
    alone = run2(baseline, marks=[CANNULA])
    with_second = run2(baseline, marks=[CANNULA, mark(site="upper_arm", side="right")])
    assert outcome(alone) == (NONE, None)
    assert outcome(with_second) == (REFER, None)
    assert with_second.derived["every_mark_accounted_for"] is False
    accounted = [item["accounted_for"] for item in with_second.item_derived["marks"]]
    assert accounted == [True, False]


@pytest.mark.parametrize(
    ("age", "gestation", "seen", "mobile", "set_aside"),
    [
        (8, 40, False, False, True),  # a parent's "crawling" at 8 weeks
        (21, 40, False, False, True),
        (22, 40, ..., True, False),
        (20, 40, True, True, False),  # seen by a health professional
        (31, 30, False, False, True),  # corrected 21
        (32, 30, ..., True, False),  # corrected 22
        (22, 36, False, False, True),  # corrected 18
        (22, 37, ..., True, False),  # 37 weeks: actual age
    ],
)
def test_the_age_check_for_a_reported_milestone(
    baseline: Protocol, age: int, gestation: int, seen: Any, mobile: bool, set_aside: bool
) -> None:
    d = run2(
        baseline,
        age_weeks=age,
        gestation_weeks_at_birth=gestation,
        mobility_milestones=["crawling"],
        mobility_seen_by_professional=seen,
        marks=[mark(site="shin", explanation="plausible_consistent")],
    )
    assert d.derived["independently_mobile"] is mobile
    assert d.derived["milestone_set_aside_for_age"] is set_aside
    assert ("A5" in {r.id for r in d.rules_fired}) is set_aside


@pytest.mark.parametrize(("age", "mobile"), [(39, None), (40, True)])
def test_unknown_gestation_ranges_from_22_to_44_weeks(
    baseline: Protocol, age: int, mobile: bool | None
) -> None:
    d = run2(
        baseline,
        age_weeks=age,
        gestation_weeks_at_birth=None,
        mobility_milestones=["crawling"],
        mobility_seen_by_professional=False if age <= 39 else ...,
        marks=[mark(site="shin", explanation="plausible_consistent")],
    )
    # A fact that differs between completions of the unknown gestation is unknown, never stated.
    assert d.derived["independently_mobile"] is (UNKNOWN if mobile is None else mobile)
    assert d.derived["corrected_age_weeks"] is UNKNOWN
    assert outcome(d)[0] == (REFER if mobile is None else NONE)
    assert ("gestation_weeks_at_birth" in d.unknowns_that_decided) is (mobile is None)
    assert "A6" in {r.id for r in d.rules_fired}  # record the gestation when known


@pytest.mark.parametrize(
    ("changes", "positive"),
    [
        ({"age_weeks": 21, "marks": [mark(site="thigh")]}, True),  # 4.83 months
        ({"age_weeks": 22, "marks": [mark(site="thigh")]}, False),  # 5.06 months
        ({"age_weeks": 30, "marks": [mark(site="buttocks")]}, True),  # torso includes buttocks
        ({"age_weeks": 30, "marks": [mark(site="genitals")]}, True),
        ({"age_weeks": 30, "marks": [mark(site="cheekbone")]}, False),  # fleshy cheek only
        ({"age_weeks": 30, "marks": [mark(type="other", site="subconjunctiva")]}, True),
        ({"age_weeks": 30, "marks": [mark(type="abrasion", site="frenulum")]}, True),
        ({"age_weeks": 30, "marks": [mark(type="abrasion", site="thigh", patterned="yes")]}, False),
        ({"age_weeks": 30, "marks": [mark(site="thigh", patterned="yes")]}, True),
        ({"age_weeks": 30, "marks": [mark(explanation="independent_witness_accident")]}, False),
        ({"age_weeks": 207, "marks": [mark(site="ear")]}, True),
        ({"age_weeks": 208, "marks": [mark(site="ear")]}, None),  # does not apply: not "no"
    ],
)
def test_ten4facesp_components(
    baseline: Protocol, changes: dict[str, Any], positive: bool | None
) -> None:
    assert run2(baseline, **changes).derived["ten4facesp_positive"] is positive


def test_corrected_age_can_be_negative_and_stops_at_104_weeks(baseline: Protocol) -> None:
    assert run2(baseline, age_weeks=3, gestation_weeks_at_birth=25).derived[
        "corrected_age_weeks"
    ] == (-12)
    assert (
        run2(baseline, age_weeks=108, gestation_weeks_at_birth=36).derived["corrected_age_weeks"]
        is None
    )


@pytest.mark.parametrize(
    ("changes", "field", "values"),
    [
        ({"immediate_danger": "not_sure"}, "immediate_danger", ["yes", "no"]),
        (
            {
                "age_weeks": 100,
                "mobility_milestones": WALKER,
                "marks": [mark(patterned="not_sure")],
            },
            "patterned",
            ["yes", "no"],
        ),
        (
            {
                "diagnosed_bleeding_condition": "not_known",
                "marks": [mark(explanation="diagnosed_condition")],
            },
            "diagnosed_bleeding_condition",
            ["yes", "no"],
        ),
    ],
)
def test_an_unknown_is_the_most_urgent_of_its_answers(
    baseline: Protocol, changes: dict[str, Any], field: str, values: list[str]
) -> None:
    got = run2(baseline, **changes)
    completions = []
    for value in values:
        filled = dict(changes)
        if field == "patterned":
            filled["marks"] = [{**changes["marks"][0], "patterned": value}]
        else:
            filled[field] = value
        completions.append(run2(baseline, **filled))
    keys = [urgency_key((c.pathway, c.then)) for c in completions]
    assert urgency_key((got.pathway, got.then)) == max(keys)
    assert min(keys) < max(keys)  # the unknown mattered, and the record says so
    assert got.unknowns_that_decided


CARER = st.fixed_dictionaries(
    {"relationship": st.sampled_from(["mother", "father", "partner", "other_carer"])},
    optional={
        "seen": st.sampled_from(["yes", "no", "not_known"]),
        "mental_health_needs": st.sampled_from(["yes", "no", "not_known"]),
        "substance_misuse": st.sampled_from(["yes", "no", "not_known"]),
        "domestic_abuse": st.sampled_from(["yes", "no", "not_known"]),
        "information_shared": st.sampled_from(["yes", "no", "not_known"]),
    },
)
CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "carers": st.lists(CARER, max_size=3),
        "other_children_in_household": st.integers(0, 4),
        "icon_discussed": st.sampled_from(["yes", "no", "not_known"]),
    },
)
CHILDREN = st.sampled_from(
    [
        {},
        {"marks": [CANNULA]},
        {"marks": [mark(type="abrasion", explanation="plausible_consistent")]},
        {"age_weeks": 100, "mobility_milestones": WALKER, "marks": [mark(site="shin")]},
        {"injury_red_flags": ["limb_not_moved"]},
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(child=CHILDREN, context=CONTEXT)
def test_context_never_changes_the_pathway(
    baseline: Protocol, child: dict[str, Any], context: dict[str, Any]
) -> None:
    """DOMAIN.md §3.5: the carers, other children and ICON add actions, never change the outcome."""
    without = run2(baseline, **child)
    with_context = run2(baseline, **child, **context)
    assert outcome(with_context) == outcome(without)


def test_the_cspr10_carers_are_recorded_as_context(baseline: Protocol) -> None:
    """The carers are a context group: recorded, never read by a rule, fact or invariant."""
    carers = baseline.group("carers")
    assert carers is not None and carers in baseline.context_prompts
    ids = {q.id for q in carers.questions}
    assert {"relationship", "seen", "mental_health_needs", "information_shared"} <= ids
    d = run2(
        baseline,
        carers=[
            {
                "relationship": "mother",
                "seen": "yes",
                "mental_health_needs": "yes",
                "services": ["gp"],
                "information_shared": "not_known",
            },
            {"relationship": "father", "seen": "no"},
        ],
        other_children_in_household=1,
        icon_discussed="no",
    )
    assert outcome(d) == (REFER, None)


def test_every_invariant_of_domain_3_4_is_declared(baseline: Protocol) -> None:
    floors = {inv.id: inv.at_least for inv in baseline.invariants}
    assert floors == {
        "I0": PROTECT,
        "I1": REFER,
        "I2": OPINION,
        "I3": REFER,
        "I4": REFER,
        "I5": EMERGENCY,
        "I6": DISCUSS,
    }


def _actions(p: Protocol) -> list[Action]:
    return [a for pw in p.pathways for a in pw.actions] + [
        a for adv in p.advice for a in adv.actions
    ]


def test_every_rule_fact_and_action_cites_a_source(baseline: Protocol) -> None:
    assert all(r.cite for r in baseline.rules)
    assert all(f.cite for f in baseline.derived)
    group = baseline.question("marks")
    assert isinstance(group, GroupQuestion)
    assert all(f.cite for f in group.derived)
    assert all(a.cite for a in _actions(baseline))


def test_contacts_are_placeholders_except_999(baseline: Protocol) -> None:
    for c in baseline.contacts:
        if c.phone == "999":
            continue
        assert c.placeholder and c.phone is not None and c.phone.startswith("[PLACEHOLDER")


def test_the_source_list_the_review_corrected(baseline: Protocol) -> None:
    def source(sid: str) -> str:
        s = baseline.source(sid)
        assert s is not None, sid
        return s.title

    assert "Patterns of bruising in preschool children—a longitudinal study" in source("kemp_2015")
    assert "doi:10.1136/archdischild-2014-307120" in source("kemp_2015")
    assert "doi:10.1136/archdischild-2020-320491" in source("kemp_2021")
    assert "doi:10.1001/jamanetworkopen.2021.5832" in source("ten4facesp")
    assert "The Myth of Invisible Men" in source("panel_invisible_men_2021")
    invisible = baseline.source("panel_invisible_men_2021")
    assert (
        invisible is not None and invisible.url and invisible.url.startswith("https://www.gov.uk/")
    )
    # Acting on remote and third-party reports is the local protocol's requirement, not the Panel's.
    a1 = next(a for a in baseline.advice if a.id == "A1")
    assert a1.cite == ("local_protocol_remote_reports",)
    remote = baseline.source("local_protocol_remote_reports")
    assert remote is not None and remote.status == "unverified"
    non_roller = next(d for d in baseline.definitions if d.id == "non_roller")
    assert "particular attention to the risks for children who cannot roll over" in non_roller.text


def test_version_2_is_bundled_and_version_1_is_kept(
    baseline: Protocol, baseline_v1: Protocol
) -> None:
    assert find_bundled("national-baseline") == BASELINE
    assert find_bundled("national-baseline-v1") == BASELINE_V1
    assert baseline.metadata.version == "2.0.1" and baseline_v1.metadata.version == "1.0.0"
    assert baseline.metadata.id == baseline_v1.metadata.id == "national-baseline"
    assert [c.version for c in baseline.metadata.changelog] == ["1.0.0", "2.0.0", "2.0.1"]


def test_the_side_question_says_whose_left_and_right(baseline: Protocol) -> None:
    """A practitioner facing the baby must not record their own left: the prompt and its help
    say it is the child's own side, as the body map labels it ("child's left")."""
    from bruising_check.protocol.model import GroupQuestion

    marks = next(q for q in baseline.questions if isinstance(q, GroupQuestion))
    side = next(q for q in marks.questions if q.show_as == "side")
    assert "child's body" in side.prompt
    assert side.help is not None and "child's own left or right, not yours" in side.help


@pytest.mark.parametrize("name", ["devon.yaml", "hipsp-2023.yaml", "llr-2024.yaml"])
def test_local_protocols_copied_from_the_baseline_say_whose_side(name: str) -> None:
    from bruising_check.protocol.model import GroupQuestion
    from tests.conftest import BASELINE, load_text

    loaded = load_text((BASELINE.parent / "examples" / name).read_text(encoding="utf-8"), name)
    assert loaded.protocol is not None
    marks = next(q for q in loaded.protocol.questions if isinstance(q, GroupQuestion))
    side = next(q for q in marks.questions if q.show_as == "side")
    assert side.prompt == "Which side of the child's body?"
    assert loaded.protocol.metadata.version.endswith("-enc2")
