"""Every scenario file shipped in protocols/scenarios passes against the bundled baseline, through
the same runner as `bruising-check test`; our own baseline-* files cover every rule and option."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert ROOT / "protocols" / "scenarios" / "public-examples.yaml" in SCENARIO_FILES
    assert OURS


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_passes(baseline: Protocol, path: Path) -> None:
    results = _run(baseline, path)
    failures = {r.case.id: sc.difference_lines(r) for r in results if not r.passed}
    assert not failures


def test_our_scenarios_cover_every_rule_pathway_advice_and_option(baseline: Protocol) -> None:
    results = [r for path in OURS for r in _run(baseline, path)]
    assert len(results) >= 25
    cov = sc.coverage(baseline, results)
    assert cov.complete, cov
    deciding = {
        r.decision.deciding_rule.id for r in results if r.decision and r.decision.deciding_rule
    }
    assert deciding >= {"B1", "B2", "B3", "B4", "B5a", "B5", "B6", "B7", "B8"}


@pytest.mark.parametrize(
    ("boundary", "facts"),
    [
        # DOMAIN.md boundaries, each on both sides, as the cases in our files state them.
        ("TEN-4-FACESp age 21/22 weeks", {"BL-M09": True, "BL-M10": False}),
        ("TEN-4-FACESp 4 years (207/208 weeks)", {"BL-M07": True, "BL-M08": False}),
    ],
)
def test_boundaries_are_covered_on_both_sides(
    baseline: Protocol, boundary: str, facts: dict[str, bool]
) -> None:
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    for case_id, positive in facts.items():
        decision = results[case_id].decision
        assert decision is not None
        assert decision.derived["ten4facesp_positive"] is positive, boundary


def test_corrected_age_boundaries(baseline: Protocol) -> None:
    results = {r.case.id: r for path in OURS for r in _run(baseline, path)}
    got = {
        cid: results[cid].decision.derived["corrected_age_weeks"]
        for cid in ("BL-M11", "BL-M12", "BL-M13", "BL-M14")
    }  # type: ignore[union-attr]
    assert got == {"BL-M11": 10, "BL-M12": None, "BL-M13": 103, "BL-M14": None}
