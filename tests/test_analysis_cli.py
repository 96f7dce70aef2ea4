"""`validate` with the analysis, `--against` and `--format json`, as a policy lead meets them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from tests.analysis_support import ROLLING
from tests.conftest import BASELINE, BASELINE_V1

_register()
runner = CliRunner()

TINY = """\
metadata:
  id: tiny
  title: Tiny protocol
  version: "1"
  status: draft
  issued_by: Test partnership
  review_due: 2030-01-01
  disclaimer: Supports, does not replace, judgement.
sources:
  - {id: s1, title: Source one, url: "https://example.org/s1"}
questions:
  - id: mobile
    type: boolean
    prompt: Mobile?
  - id: marks
    type: multiple_choice
    prompt: Marks?
    min_selected: 1
    options:
      - {id: bruise, label: Bruise}
      - {id: scratch, label: Scratch}
pathways:
  - id: refer
    title: Refer
    urgency: 1
    level: social_care_same_day
    timescale: {label: Same day, same_day: true}
  - id: record
    title: Record
    urgency: 2
    level: record_and_advise
    timescale: {label: Now}
rules:
  - id: R1
    when:
      all:
        - {question: mobile, equals: false}
        - {question: marks, includes_any: [bruise]}
    pathway: refer
    because: Not mobile, bruised.
    cite: [s1]
  - id: R2
    when: {question: mobile, equals: true}
    pathway: record
    because: Mobile.
    cite: [s1]
invariants:
  - id: I1
    when: {question: mobile, equals: false}
    at_least: refer
    because: Every mark on a non-mobile baby is referred.
    cite: [s1]
"""


def rolling_variant(tmp_path: Path) -> Path:
    """The version-1 baseline with rolling counted as mobility (compare with BASELINE_V1)."""
    text = BASELINE_V1.read_text(encoding="utf-8")
    text = text.replace(*ROLLING)
    text = text.replace(
        "rolling_counts_as_mobility: false\n  mobility_milestones: [crawling,",
        "rolling_counts_as_mobility: true\n  mobility_milestones: [rolling, crawling,",
    )
    path = tmp_path / "rolling.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_reports_a_gap_and_a_broken_invariant_located(
    tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    lines = [
        line.replace(str(tmp_path), "TMP")
        for line in result.stderr.splitlines()
        if "ANALYSIS_SUMMARY" not in line  # carries a time in ms
    ]
    assert f"{path}:34:3: error ANALYSIS_GAP" in result.stderr  # the `rules:` key
    assert f"{path}:48:5: error INVARIANT_BROKEN" in result.stderr  # the invariant
    assert "\n".join(lines) == snapshot


def test_the_counterexample_runs_with_check_answers(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    report = json.loads(runner.invoke(app, ["validate", str(path), "--format", "json"]).stdout)
    (broken,) = [p for p in report[0]["problems"] if p["code"] == "INVARIANT_BROKEN"]
    example = broken["details"]["example"]
    assert example == {"mobile": False, "marks": ["scratch"]}
    answers = tmp_path / "cx.yaml"
    answers.write_text(yaml.safe_dump(example), encoding="utf-8")
    checked = runner.invoke(
        app, ["check", str(path), "--answers", str(answers), "--format", "json"]
    )
    assert checked.exit_code == 0, checked.output
    record = json.loads(checked.stdout)
    # The rules reach nothing; the engine's safety net applies I1 at run time.
    assert record["outcome"]["id"] == "refer"
    assert [r["id"] for r in record["rules_fired"]] == ["I1"]


# Comparing two versions of the v2 baseline (joint space over the marks group) takes about 14 s
# of CPU, past the default 5 s budget: a known limit (README, figures), so these give it room.
AGAINST_BUDGET = ("--budget", "120")


def test_the_bundled_baseline_validates_clean_with_its_invariants_proved() -> None:
    result = runner.invoke(app, ["validate", "national-baseline", *AGAINST_BUDGET])
    assert result.exit_code == 0, result.output
    assert "error" not in result.stderr.split("protocol(s) checked")[0].replace("0 error", "")
    assert result.stderr.count("info INVARIANT_HOLDS") == 7  # I0-I6


def test_against_reports_less_urgent_classes_as_errors(tmp_path: Path) -> None:
    path = rolling_variant(tmp_path)
    result = runner.invoke(
        app, ["validate", str(path), "--against", str(BASELINE_V1), *AGAINST_BUDGET]
    )
    assert result.exit_code == 1
    less = [x for x in result.stderr.splitlines() if "error AGAINST_LESS_URGENT" in x]
    assert len(less) == 3
    assert all("mobility_milestones includes rolling" in x for x in less)
    assert "info AGAINST_MORE_URGENT" in result.stderr
    assert "    when " in result.stderr and "      e.g. {" in result.stderr


def test_against_itself_is_clean_and_against_a_path_works(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(BASELINE), "--against", str(BASELINE), *AGAINST_BUDGET]
    )
    assert result.exit_code == 0
    assert "AGAINST_" not in result.stderr


def test_against_json_lists_every_class_for_ci(tmp_path: Path) -> None:
    path = rolling_variant(tmp_path)
    result = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--against",
            str(BASELINE_V1),
            "--format",
            "json",
            *AGAINST_BUDGET,
        ],
    )
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)
    against: dict[str, Any] = report["against"]
    assert against["total"] == report["analysis"]["total"]
    directions = [d["direction"] for d in against["differences"]]
    assert directions == sorted(directions, key=["less_urgent", "more_urgent"].index)
    for d in against["differences"]:
        assert d["size"] == sum(c["size"] for c in d["classes"])
    codes = [p["code"] for p in report["problems"]]
    assert codes.count("AGAINST_LESS_URGENT") == 3


def test_against_an_unreadable_or_broken_reference_is_a_usage_error(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["validate", str(BASELINE), "--against", "nowhere"])
    assert missing.exit_code == 2 and "no bundled protocol" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("metadata: {}\n", encoding="utf-8")
    bad = runner.invoke(app, ["validate", str(BASELINE), "--against", str(broken)])
    assert bad.exit_code == 2 and "has errors" in bad.stderr


def test_validate_says_when_the_analysis_is_too_large(monkeypatch: Any) -> None:
    import bruising_check.analysis as analysis

    def too_large(*args: Any, **kwargs: Any) -> Any:
        raise analysis.TooLarge(2_000_001)

    monkeypatch.setattr(analysis, "analyse", too_large)
    result = runner.invoke(app, ["validate", str(BASELINE)])
    assert result.exit_code == 1  # nothing is proved: an error, though the rest was checked
    assert "error ANALYSIS_TOO_LARGE exhaustive analysis stopped after 2,000,001" in result.stderr
