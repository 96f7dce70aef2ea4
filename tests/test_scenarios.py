"""Every scenario file shipped in protocols/scenarios passes against the bundled baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bruising_check.model import Protocol
from tests.conftest import ROOT, run

SCENARIO_FILES = sorted((ROOT / "protocols" / "scenarios").glob("*.yaml"))
CASES = [
    pytest.param(case, id=f"{path.stem}:{case['id']}")
    for path in SCENARIO_FILES
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]


def test_public_examples_are_shipped() -> None:
    assert Path(ROOT / "protocols" / "scenarios" / "public-examples.yaml") in SCENARIO_FILES
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_scenario(baseline: Protocol, case: dict[str, Any]) -> None:
    answers = dict(case["answers"])
    decision = run(baseline, **answers)
    expect = dict(case["expect"])
    assert decision.pathway is not None
    assert decision.pathway.id == expect.pop("outcome")
    for fact, value in expect.items():
        if fact in {"rules", "actions"}:
            continue
        assert decision.derived[fact] == value, fact
