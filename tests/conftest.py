"""Shared fixtures: the bundled baseline, a complete default answer set, and small builders."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.loader import Loaded, load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml

# The gate is reproducible: property tests draw the same examples on every run, so a red run is a
# real regression that anyone can repeat (and a green main stays green). To explore with fresh
# random examples, as when changing the analysis: HYPOTHESIS_PROFILE=explore python3 dev.py test
settings.register_profile("gate", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "protocols" / "national-baseline.yaml"
BASELINE_V1 = ROOT / "protocols" / "examples" / "national-baseline-v1.yaml"
TODAY = dt.date(2026, 11, 27)

# Answers format version 1, for the version-1 baseline kept as protocols/examples/ (rule B5).
BASE_ANSWERS_V1: dict[str, Any] = {
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

# Answers format version 2 for the version-2 baseline: a 10-week-old, not rolling, one
# unexplained 1 cm bruise on the left cheek, seen in person (rule B6).
BASE_MARK: dict[str, Any] = {
    "type": "bruise",
    "site": "cheek",
    "side": "left",
    "size_cm": 1,
    "patterned": "no",
    "explanation": "none_given",
}
BASE_ANSWERS_V2: dict[str, Any] = {
    "immediate_danger": "no",
    "injury_red_flags": [],
    "age_weeks": 10,
    "gestation_weeks_at_birth": 40,
    "mobility_milestones": [],
    "report_channel": "seen_in_person",
    "diagnosed_bleeding_condition": "no",
    "marks": [BASE_MARK],
}
BASE_ANSWERS = BASE_ANSWERS_V2
"""The answers most tests start from: the bundled (version-2) baseline's 10-week-old."""


def same_data(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True == 1 in Python; not here), keys in
    the same order: what a fast reader must give to stand for the reference one."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def mark(**changes: Any) -> dict[str, Any]:
    """One item of `marks:`: the base cheek bruise with `changes`."""
    return {**BASE_MARK, **changes}


def load_text(text: str, file: str = "test.yaml") -> Loaded:
    return load_protocol(text.encode("utf-8"), file, today=TODAY)


@pytest.fixture(autouse=True, scope="session")
def _emergency_copies_stay_out_of_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A save that fails writes an emergency copy under $XDG_STATE_HOME: in the tests (and the
    commands they start) that is a temporary folder, never the real home."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))


@pytest.fixture(scope="session")
def baseline_loaded() -> Loaded:
    return load_protocol(BASELINE.read_bytes(), str(BASELINE), today=TODAY)


@pytest.fixture(scope="session")
def baseline(baseline_loaded: Loaded) -> Protocol:
    assert baseline_loaded.protocol is not None, [p.format() for p in baseline_loaded.problems]
    return baseline_loaded.protocol


@pytest.fixture(scope="session")
def baseline_v1() -> Protocol:
    loaded = load_protocol(BASELINE_V1.read_bytes(), str(BASELINE_V1), today=TODAY)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


def run2(protocol: Protocol, **changes: Any) -> Decision:
    """Decide for BASE_ANSWERS_V2 with `changes` (a value of `...` removes the answer), through
    the same answer checks as the CLI."""
    answers = {**BASE_ANSWERS_V2, **changes}
    answers = {k: v for k, v in answers.items() if v is not ...}
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors
    return decide(protocol, checked.answers)


run = run2


def run_v1(protocol: Protocol, **changes: Any) -> Decision:
    """Decide for BASE_ANSWERS_V1 with `changes` (for the version-1 baseline)."""
    answers = {**BASE_ANSWERS_V1, **changes}
    answers = {k: v for k, v in answers.items() if v is not ...}
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors
    return decide(protocol, checked.answers)
