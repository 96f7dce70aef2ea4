"""Three real local protocols encoded from their public texts (issue 14.6): each validates, and each
key local difference gives the outcome the local text says for a concrete case, where the
national baseline gives another; the structural diff against the baseline names the difference.

The behavioural comparison over every situation (`validate --against`, `diff`) is exercised on
these files by hand and in the README; it takes seconds of CPU per protocol, so here each local
difference is pinned by concrete cases run through the engine on both protocols instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.bundled import find_bundled
from bruising_check.protocol.levels import level_rank
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from bruising_check.versions.structural import structural_diff
from tests.conftest import BASE_ANSWERS_V2, BASELINE, TODAY, mark

EXAMPLES = BASELINE.parent / "examples"
LLR = EXAMPLES / "llr-2024.yaml"
HIPS = EXAMPLES / "hipsp-2023.yaml"
DEVON = EXAMPLES / "devon.yaml"
REAL = [LLR, HIPS, DEVON]

REFER = "refer_same_day_csc_and_paediatric"
OPINION = "same_day_health_opinion"
NONE = "no_protocol_action_record_and_advise"

_register()
runner = CliRunner()


def load(path: Path) -> Protocol:
    loaded = load_protocol(path.read_bytes(), str(path), today=TODAY)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


@pytest.fixture(scope="module")
def baseline() -> Protocol:
    return load(BASELINE)


@pytest.fixture(scope="module")
def llr() -> Protocol:
    return load(LLR)


@pytest.fixture(scope="module")
def hips() -> Protocol:
    return load(HIPS)


@pytest.fixture(scope="module")
def devon() -> Protocol:
    return load(DEVON)


def run(protocol: Protocol, **changes: Any) -> Decision:
    """The baseline's 10-week-old with `changes`, through the CLI's answer checks."""
    answers = {**BASE_ANSWERS_V2, **changes}
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors
    return decide(protocol, checked.answers)


def pathway(d: Decision) -> str:
    assert d.pathway is not None
    return d.pathway.id


def level(d: Decision) -> int:
    assert d.pathway is not None and d.pathway.level is not None
    return level_rank(d.pathway.level)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_each_validates_without_errors_and_is_bundled(path: Path) -> None:
    # A generous budget: the analysis is exact but its time limit is wall-clock, and CI shares
    # its cores.
    result = runner.invoke(app, ["validate", str(path), "--budget", "120"])
    assert result.exit_code == 0, result.stderr
    assert " 0 error(s)" in result.stderr
    assert "INVARIANT_BROKEN" not in result.stderr
    assert find_bundled(path.stem) == path


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_each_cites_its_public_source_with_the_date_it_was_read(path: Path) -> None:
    protocol = load(path)
    read = [s for s in protocol.sources if "read on 2026-12-03" in (s.note or "").lower()]
    local = [s for s in read if s.url]
    assert local, "a local source with the date it was read"
    # Every real number says where it came from and when it was checked; the rest are placeholders.
    for c in protocol.contacts:
        assert c.placeholder or (c.source and c.verified_on), c.id


# --- LLR -------------------------------------------------------------------------------------

ROLLS_ONLY = ["rolling"]
FOREHEAD = mark(site="forehead")


def test_llr_a_30_week_old_who_only_rolls_is_mobile_there_but_not_in_the_baseline(
    baseline: Protocol, llr: Protocol
) -> None:
    case = {"age_weeks": 30, "mobility_milestones": ROLLS_ONLY, "marks": [FOREHEAD]}
    here, there = run(llr, **case), run(baseline, **case)
    assert here.derived["independently_mobile"] is True
    assert there.derived["independently_mobile"] is False
    # An unexplained bruise on the forehead (a typical accidental site) of a mobile child is not
    # a referral; for a non-mobile baby it is.
    assert pathway(there) == REFER
    assert pathway(here) == NONE
    assert level(here) > level(there)


@pytest.mark.parametrize(("weeks", "mobile"), [(26, False), (27, True)])
def test_llr_six_months_is_27_completed_weeks(llr: Protocol, weeks: int, mobile: bool) -> None:
    # 26 completed weeks is 182-188 days, and six months is 182.6 days: it may still be under six
    # months, so only 27 completed weeks counts.
    d = run(llr, age_weeks=weeks, mobility_milestones=["pulling_to_stand"], marks=[FOREHEAD])
    assert d.derived["independently_mobile"] is mobile
    assert pathway(d) == (NONE if mobile else REFER)


def test_llr_every_baby_under_six_months_is_pre_mobile(baseline: Protocol, llr: Protocol) -> None:
    # A 24-week-old seen crawling by a health professional: mobile in the baseline (older than 21
    # weeks), pre-mobile in LLR, so the forehead bruise is referred there.
    case = {"age_weeks": 24, "mobility_milestones": ["crawling"], "marks": [FOREHEAD]}
    here, there = run(llr, **case), run(baseline, **case)
    assert pathway(there) == NONE
    assert pathway(here) == REFER
    assert here.derived["milestone_set_aside_under_six_months"] is True
    assert any(a.action.id == "say_under_six_months" for a in here.actions)


def test_llr_refers_a_plausibly_explained_scratch(baseline: Protocol, llr: Protocol) -> None:
    scratch = mark(type="abrasion", site="cheek", explanation="plausible_consistent")
    assert pathway(run(baseline, marks=[scratch])) == OPINION  # the baseline's contested B6a
    assert pathway(run(llr, marks=[scratch])) == REFER


WHEELCHAIR: dict[str, Any] = {
    "age_weeks": 400,
    "mobility_milestones": ["independent_wheelchair_use"],
    "child_gives_consistent_account": True,
    "marks": [mark(site="thigh", explanation="plausible_consistent", explained_by="child")],
}


def test_llr_does_not_apply_to_a_wheelchair_user_who_explains_the_mark(llr: Protocol) -> None:
    d = run(llr, **WHEELCHAIR)
    assert d.deciding_rule is not None and d.deciding_rule.id == "L1"
    assert d.pathway is not None and d.pathway.level == "out_of_scope"


@pytest.mark.parametrize(
    "change",
    [
        {"child_gives_consistent_account": False},
        {"marks": [mark(site="thigh", explanation="plausible_consistent", patterned="yes")]},
        {"marks": [mark(site="thigh", explanation="none_given")]},
    ],
    ids=["no account", "patterned", "no explanation"],
)
def test_llr_the_wheelchair_exclusion_needs_all_of_it(
    llr: Protocol, change: dict[str, Any]
) -> None:
    d = run(llr, **{**WHEELCHAIR, **change})
    assert d.pathway is not None and d.pathway.level != "out_of_scope"


def test_llr_structural_diff_names_rolling_and_the_removed_rule(
    baseline: Protocol, llr: Protocol
) -> None:
    changes = structural_diff(baseline, llr)
    policy = {(c.field, c.old, c.new) for c in changes if c.section == "policy"}
    assert ("rolling_counts_as_mobility", "false", "true") in policy
    removed = {c.item for c in changes if c.section == "rules" and c.kind == "removed"}
    added = {c.item for c in changes if c.section == "rules" and c.kind == "added"}
    assert "B6a" in removed
    assert "L1" in added


# --- HIPS ------------------------------------------------------------------------------------

IMMEDIATE = "refer_immediately_via_mash"


def test_hips_refers_immediately_where_the_baseline_refers_the_same_day(
    baseline: Protocol, hips: Protocol
) -> None:
    here, there = run(hips), run(baseline)
    assert pathway(there) == REFER
    assert pathway(here) == IMMEDIATE
    assert here.pathway is not None and here.pathway.level == "social_care_immediate"
    assert level(here) < level(there)


def test_hips_the_referral_is_followed_by_the_iarf_an_assessment_and_a_strategy_discussion(
    hips: Protocol,
) -> None:
    actions = {a.action.id: a.action for a in run(hips).actions}
    assert list(actions)[:5] == [
        "call_mash",
        "iarf",
        "paediatric_assessment",
        "give_parents_leaflet",
        "strategy_discussion",
    ]
    # Relative timescales: the clock starts at the call, then at the assessment.
    iarf = actions["iarf"].timescale
    assert iarf is not None and iarf.after == "call_mash" and not iarf.hours
    assert iarf.label == "Straight after the call"
    assessment = actions["paediatric_assessment"].timescale
    assert assessment is not None and assessment.after == "call_mash" and assessment.hours == 4
    assert assessment.label == "Within 4 hours of the referral"
    discussion = actions["strategy_discussion"].timescale
    assert discussion is not None and discussion.after == "paediatric_assessment"


@pytest.mark.parametrize(
    "case",
    [
        {"marks": [mark(type="abrasion", site="cheek", explanation="plausible_consistent")]},
        {"marks": [mark(explanation="plausible_consistent")]},
        {"report_channel": "reported_remotely_by_carer", "marks": [mark(explanation="not_asked")]},
        {"marks": [mark(explanation="person_caused")]},
    ],
    ids=["plausible scratch", "plausible bruise", "photo from a carer", "disclosure"],
)
def test_hips_refers_these_immediately_even_with_an_explanation(
    hips: Protocol, case: dict[str, Any]
) -> None:
    assert pathway(run(hips, **case)) == IMMEDIATE


def test_hips_a_photo_report_is_referred_and_the_baby_seen(hips: Protocol) -> None:
    d = run(hips, report_channel="reported_remotely_by_carer")
    assert pathway(d) == IMMEDIATE
    assert any(a.action.id == "see_in_person" for a in d.actions)


def test_hips_mobile_children_keep_the_baseline(baseline: Protocol, hips: Protocol) -> None:
    # The HIPS protocol is about babies who are not independently mobile; for a walking toddler
    # with two unexplained bruises on the back, both give the baseline's same-day referral.
    case = {
        "age_weeks": 70,
        "mobility_milestones": ["crawling", "walking"],
        "marks": [mark(site="back", count=2)],
    }
    assert pathway(run(hips, **case)) == pathway(run(baseline, **case)) == REFER


def test_hips_structural_diff_names_the_immediate_pathway(
    baseline: Protocol, hips: Protocol
) -> None:
    changes = structural_diff(baseline, hips)
    added = {(c.section, c.item) for c in changes if c.kind == "added"}
    assert ("pathways", IMMEDIATE) in added
    policy = {(c.field, c.old, c.new) for c in changes if c.section == "policy"}
    assert ("strategy_discussion", "after_appraisal", "every_case") in policy


def test_the_board_papers_examples_run_answers_with_marks(
    baseline: Protocol, hips: Protocol
) -> None:
    # The board paper replays each example through both engines and remembers the outcome by its
    # answers; a `marks:` list of mappings must be a key (it raised TypeError: unhashable type).
    from bruising_check.versions import examples

    answers = {**BASE_ANSWERS_V2, "marks": [mark(), mark(site="back")]}
    assert examples.outcome(baseline, answers) == (REFER, None)
    assert examples.outcome(hips, answers) == (IMMEDIATE, None)


# --- Devon -----------------------------------------------------------------------------------

GP_ROUTE = "devon_same_day_gp_or_paediatrician"
ENDS = "devon_flowchart_ends"
EXPLAINED = [mark(explanation="plausible_consistent")]


def actions(d: Decision) -> set[str]:
    return {a.action.id for a in d.actions}


def test_devon_a_health_professional_may_close_the_pathway(
    baseline: Protocol, devon: Protocol
) -> None:
    case = {"marks": EXPLAINED, "health_professional_judgement": "satisfied_no_risk"}
    here = run(devon, role="public_health_nurse", **case)
    assert pathway(here) == ENDS
    assert here.pathway is not None and here.pathway.level == "record_and_advise"
    assert pathway(run(baseline, marks=EXPLAINED)) == REFER


@pytest.mark.parametrize("role", ["nursery_practitioner", "social_worker", None])
def test_devon_a_nursery_worker_may_not_and_nor_may_an_unknown_role(
    devon: Protocol, role: str | None
) -> None:
    # The judgement is asked only of a health professional; a role not given ranges over every
    # role, the non-health ones included, so it is the referral (not the closed pathway).
    answers: dict[str, Any] = {"marks": EXPLAINED}
    if role is None:
        answers["health_professional_judgement"] = "satisfied_no_risk"
    else:
        answers["role"] = role
    assert pathway(run(devon, **answers)) == REFER


@pytest.mark.parametrize(
    "case",
    [
        {"health_professional_judgement": "concerned"},
        {
            "health_professional_judgement": "satisfied_no_risk",
            "marks": [mark(explanation="plausible_consistent", patterned="yes")],
        },
    ],
    ids=["concerned", "patterned"],
)
def test_devon_a_health_professional_refers_otherwise(
    devon: Protocol, case: dict[str, Any]
) -> None:
    assert pathway(run(devon, role="gp", **{"marks": EXPLAINED, **case})) == REFER


def test_devon_the_gp_route_lists_only_the_actions_whose_condition_holds(devon: Protocol) -> None:
    unsure = {"marks": EXPLAINED, "health_professional_judgement": "unsure_benign_indicators"}
    gp_today = run(devon, role="midwife", same_day_gp_available=True, **unsure)
    assert pathway(gp_today) == GP_ROUTE
    assert "book_gp_today" in actions(gp_today)
    assert "refer_paediatrician_today" not in actions(gp_today)
    # Whether the GP rules out a safeguarding cause is not known yet: both follow-ups are listed.
    assert {"gp_phones_mash", "phn_follows_up"} <= actions(gp_today)

    no_gp = run(
        devon,
        role="midwife",
        same_day_gp_available=False,
        gp_rules_out_safeguarding_cause="no",
        **unsure,
    )
    assert "refer_paediatrician_today" in actions(no_gp)
    assert "book_gp_today" not in actions(no_gp)
    assert "gp_phones_mash" in actions(no_gp)
    assert "phn_follows_up" not in actions(no_gp)


def test_devon_the_gp_route_is_a_same_day_health_opinion_like_the_baselines(
    devon: Protocol,
) -> None:
    route = next(p for p in devon.pathways if p.id == GP_ROUTE)
    opinion = next(p for p in devon.pathways if p.id == OPINION)
    # Equal alternatives: the same level and the same rank.
    assert (route.level, route.urgency) == (opinion.level, opinion.urgency)


def test_devon_structural_diff_names_roles_and_health_triage(
    baseline: Protocol, devon: Protocol
) -> None:
    changes = structural_diff(baseline, devon)
    policy = {(c.field, c.old, c.new) for c in changes if c.section == "policy"}
    assert ("first_step", "both_same_day", "health_triage_first") in policy
    added = {(c.section, c.item) for c in changes if c.kind == "added"}
    assert {("rules", "D1"), ("rules", "D2"), ("pathways", ENDS)} <= added


@pytest.mark.parametrize("path", [BASELINE, *REAL], ids=lambda p: p.stem)
def test_a_positive_ten4facesp_screen_says_which_mark_and_which_part(path: Path) -> None:
    # The action "Share the TEN-4-FACESp screen (which mark, which part)" needs the record to
    # name them: a 27-week-old's unexplained bruise on the fleshy cheek.
    cheek = mark(site="cheek", explanation="none_given")
    d = run(load(path), age_weeks=27, mobility_milestones=ROLLS_ONLY, marks=[cheek])
    assert d.derived["ten4facesp_positive"] is True
    [own] = d.item_derived["marks"]
    assert own["ten4_region"] is True
    assert own["ten4_age"] is False
