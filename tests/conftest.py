"""Shared fixtures: the bundled baseline, a complete default answer set, and small builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.loader import Loaded, load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "protocols" / "national-baseline.yaml"
TODAY = dt.date(2026, 11, 27)

# A 10-week-old, not rolling, one unexplained cheek bruise, seen in person (rule B5).
BASE_ANSWERS: dict[str, Any] = {
    "child_seriously_unwell": False,
    "age_weeks": 10,
    "gestation_weeks_at_birth": 40,
    "mobility_milestones": [],
    "disability_affecting_mobility": False,
    "mark_types": ["bruise"],
    "locations": ["cheek"],
    "patterned": False,
    "multiple_or_clustered": False,
    "explanation": "none",
    "diagnosed_condition_can_cause_mark": False,
    "accident_independently_witnessed": False,
    "report_channel": "seen_in_person",
}

MOBILE = ["rolling", "sitting", "crawling", "pulling_to_stand", "cruising"]


def load_text(text: str, file: str = "test.yaml") -> Loaded:
    return load_protocol(text.encode("utf-8"), file, today=TODAY)


@pytest.fixture(scope="session")
def baseline_loaded() -> Loaded:
    return load_protocol(BASELINE.read_bytes(), str(BASELINE), today=TODAY)


@pytest.fixture(scope="session")
def baseline(baseline_loaded: Loaded) -> Protocol:
    assert baseline_loaded.protocol is not None, [p.format() for p in baseline_loaded.problems]
    return baseline_loaded.protocol


def run(protocol: Protocol, **changes: Any) -> Decision:
    """Decide for BASE_ANSWERS with `changes`, through the same answer checks as the CLI."""
    answers = {**BASE_ANSWERS, **changes}
    answers = {k: v for k, v in answers.items() if v is not ...}
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors
    return decide(protocol, checked.answers)
