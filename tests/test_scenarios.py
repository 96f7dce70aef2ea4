"""Every scenario file shipped in protocols/scenarios passes against the bundled baseline, through
the same runner as `bruising-check test`; our own baseline-* files cover every rule and option."""

from __future__ import annotations

from pathlib import Path

import pytest

from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Protocol
from bruising_check.training import scenarios as sc
from tests.conftest import ROOT

SCENARIO_FILES = sorted((ROOT / "protocols" / "scenarios").glob("*.yaml"))
OURS = [p for p in SCENARIO_FILES if p.name.startswith("baseline-")]


def _run(baseline: Protocol, path: Path) -> list[sc.CaseResult]:
    loaded = sc.load_scenarios(path.read_bytes(), str(path))
    assert loaded.scenarios is not None, [p.format() for p in loaded.problems]
    return sc.run_file(baseline, loaded)


def test_public_examples_and_our_own_are_shipped() -> None:
    assert ROOT / "protocols" / "scenarios" / "public-examples-v2.yaml" in SCENARIO_FILES
    assert OURS


def test_at_least_70_cases_in_answers_format_2(baseline: Protocol) -> None:
    results = [r for path in SCENARIO_FILES for r in _run(baseline, path)]
    assert len(results) >= 70
    assert all(isinstance(r.case.answers.get("marks"), list) for r in results)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_passes(baseline: Protocol, path: Path) -> None:
    results = _run(baseline, path)
    failures = {r.case.id: sc.difference_lines(r) for r in results if not r.passed}
    assert not failures


def test_our_scenarios_cover_every_rule_pathway_advice_and_option(baseline: Protocol) -> None:
    results = [r for path in OURS for r in _run(baseline, path)]
    assert len(results) >= 60
    cov = sc.coverage(baseline, results)
    assert cov.complete, cov
    deciding = {
        r.decision.deciding_rule.id for r in results if r.decision and r.decision.deciding_rule
    }
    rules = {"B0", "B1", "B2", "B3", "B4", "B5", "B6a", "B6", "B7", "B8", "B9"}
    assert deciding >= rules
    follow_ons = {r.decision.then.id for r in results if r.decision and r.decision.then}
    assert len(follow_ons) >= 3  # emergency care first, then referral, discussion or no action


def test_bl_s12_grip_marks_on_a_3_week_old_are_referred(baseline: Protocol) -> None:
    """The v1 scenario taught 'no action'; each mark on its own, the grip marks are referred."""
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    decision = results["BL-S12"].decision
    assert decision is not None and decision.pathway is not None
    assert decision.pathway.id == "refer_same_day_csc_and_paediatric"


@pytest.mark.parametrize(
    ("boundary", "facts"),
    [
        # DOMAIN.md boundaries, each on both sides, as the cases in our files state them.
        ("TEN-4-FACESp age 21/22 weeks", {"BL-M09": True, "BL-M10": False}),
        ("TEN-4-FACESp 4 years (207/208 weeks)", {"BL-M07": True, "BL-M08": None}),
    ],
)
def test_boundaries_are_covered_on_both_sides(
    baseline: Protocol, boundary: str, facts: dict[str, bool | None]
) -> None:
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    for case_id, positive in facts.items():
        decision = results[case_id].decision
        assert decision is not None
        assert decision.derived["ten4facesp_positive"] is positive, boundary


def test_corrected_age_boundaries(baseline: Protocol) -> None:
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    got = {}
    for cid in ("BL-M11", "BL-M12", "BL-M13", "BL-M14"):
        decision = results[cid].decision
        assert decision is not None
        got[cid] = decision.derived["corrected_age_weeks"]
    assert got == {"BL-M11": 10, "BL-M12": None, "BL-M13": 103, "BL-M14": None}


@pytest.mark.parametrize(
    ("boundary", "mobile"),
    [
        ("21/22 weeks", {"BL-M17": False, "BL-M18": True}),
        ("21/22 weeks corrected", {"BL-M20": False, "BL-M21": True}),
        ("36/37 weeks' gestation", {"BL-M23": False, "BL-M22": True}),
        ("seen by a professional", {"BL-M16": False, "BL-M19": True}),
        ("gestation not known, 39/40 weeks", {"BL-M24": None, "BL-M25": True}),
    ],
)
def test_mobility_age_check_boundaries(
    baseline: Protocol, boundary: str, mobile: dict[str, bool | None]
) -> None:
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    for case_id, expected in mobile.items():
        decision = results[case_id].decision
        assert decision is not None
        got = decision.derived["independently_mobile"]
        assert (None if got is UNKNOWN else got) is expected, boundary
