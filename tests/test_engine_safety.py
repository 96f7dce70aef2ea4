"""The engine's safety rules beyond the baseline: what a local protocol could otherwise break.

Built on the version-1 baseline (a one-answer-per-question protocol, as many local ones are)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol.model import Protocol
from tests.conftest import BASE_ANSWERS_V1, BASELINE_V1, MOBILE, load_text, run_v1

INVARIANT_ON_AN_OPTIONAL_ANSWER = """
  - id: I7
    when: {question: gestation_weeks_at_birth, lt: 28}
    at_least: discuss_with_safeguarding_lead_or_paediatrician
    because: Extremely preterm babies are always discussed (a local rule for this test).
    cite: [nice_ng72]
"""


@pytest.fixture(scope="module")
def local() -> Protocol:
    text = BASELINE_V1.read_text(encoding="utf-8") + INVARIANT_ON_AN_OPTIONAL_ANSWER
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


KNEE = {
    "mobility_milestones": MOBILE,
    "locations": ["knee"],
    "explanation": "plausible_consistent",
    "age_weeks": 44,
}


def test_an_invariant_that_might_apply_is_honoured(local: Protocol) -> None:
    term = run_v1(local, **KNEE, gestation_weeks_at_birth=40)
    assert term.pathway is not None and term.pathway.id == "no_protocol_action_record_and_advise"
    very_preterm = run_v1(local, **KNEE, gestation_weeks_at_birth=25)
    assert very_preterm.pathway is not None
    assert very_preterm.pathway.id == "discuss_with_safeguarding_lead_or_paediatrician"
    not_known = run_v1(local, **KNEE, gestation_weeks_at_birth=None)
    assert not_known.pathway is not None
    assert not_known.pathway.id == "discuss_with_safeguarding_lead_or_paediatrician"
    assert not_known.raised
    assert [r.id for r in not_known.rules_fired if r.kind == "invariant"] == ["I7"]


def test_a_failed_save_takes_back_the_printable_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bruising_check.records.store as store

    real = store._write_partial

    def fail_on_printable(path: Path, data: bytes) -> None:
        # The JSON record is written first, so failing on the second file tests the take-back.
        if ".md." in Path(path).name:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(store, "_write_partial", fail_on_printable)
    _register()
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(BASE_ANSWERS_V1), encoding="utf-8")
    out = tmp_path / "rationale.md"
    result = CliRunner().invoke(
        app,
        [
            "check",
            str(BASELINE_V1),
            "--answers",
            str(answers),
            "--format",
            "md",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "nothing was saved" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]
