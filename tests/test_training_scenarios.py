"""`bruising-check test PROTOCOL CASES...`: pass/fail with differences, coverage, JUnit XML, and
clear located errors for malformed scenario files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.problems import Code
from bruising_check.training import scenarios as sc
from tests.conftest import BASE_ANSWERS_V2, ROOT

_register()
runner = CliRunner()
SCENARIOS = ROOT / "protocols" / "scenarios"


def case(case_id: str = "T1", **expect: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "title": "Unexplained cheek bruise, 10 weeks",
        "narrative": "A 10-week-old has a bruise on the cheek.",
        "answers": {**BASE_ANSWERS_V2, "marks": [dict(m) for m in BASE_ANSWERS_V2["marks"]]},
        "expect": {"outcome": "refer_same_day_csc_and_paediatric", **expect},
    }


def write(tmp_path: Path, *cases: dict[str, Any], name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"cases": list(cases)}, sort_keys=False), encoding="utf-8")
    return path


def invoke(tmp_path: Path, *args: str) -> Any:
    result: Any = runner.invoke(app, ["test", "national-baseline", *args])
    result.clean = result.stdout.replace(str(tmp_path), "<tmp>")
    return result


def test_passing_file_output(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    path = write(tmp_path, case(ten4facesp_positive=True, rules=["B6", "A2", "A3"]))
    result = invoke(tmp_path, str(path))
    assert result.exit_code == 0, result.output
    assert result.clean == snapshot


def test_failing_file_output_shows_each_difference(
    tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    wrong = case(
        "T2",
        ten4facesp_positive=False,
        corrected_age_weeks=3,
        rules=["B7"],
        actions=["call_999"],
        then="refer_same_day_csc_and_paediatric",
    )
    wrong["expect"]["outcome"] = "no_protocol_action_record_and_advise"
    path = write(tmp_path, case(), wrong)
    result = invoke(tmp_path, str(path))
    assert result.exit_code == 1
    assert "FAIL  T2" in result.stdout and "PASS  T1" in result.stdout
    assert (
        "outcome: expected no_protocol_action_record_and_advise,"
        " got refer_same_day_csc_and_paediatric"
    ) in result.stdout
    assert result.clean == snapshot


def test_coverage_lists_what_no_scenario_exercises(
    tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    result = invoke(tmp_path, str(write(tmp_path, case())))
    assert "rules that never decide: B0, B1, B2, B3, B4, B5, B6a, B7, B8, B9" in result.stdout
    assert "pathways never reached: protect_now, emergency_care_first," in result.stdout
    explanation = next(
        x for x in result.stdout.splitlines() if x.strip().startswith("marks[].explanation:")
    )
    assert "not_asked" in explanation and "none_given" not in explanation
    assert result.clean == snapshot


def test_shipped_scenarios_all_pass_with_full_coverage() -> None:
    result = runner.invoke(app, ["test", "national-baseline", str(SCENARIOS)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.stdout
    assert "Every rule, advice, pathway and option is exercised" in result.stdout


def test_junit_xml(tmp_path: Path) -> None:
    wrong = case("T2")
    wrong["expect"]["outcome"] = "emergency_care_first"
    report = tmp_path / "junit.xml"
    path = write(tmp_path, case(), wrong)
    result = invoke(tmp_path, str(path), "--junit", str(report))
    assert result.exit_code == 1
    root = ET.parse(report).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name", "").split(":")[0] for c in failed] == ["T2"]
    failure = failed[0].find("failure")
    assert failure is not None
    assert "outcome: expected emergency_care_first" in failure.get("message", "")


def test_unreadable_and_malformed_files_exit_2_with_located_errors(tmp_path: Path) -> None:
    good = write(tmp_path, case(), name="good.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases:\n  - id: X\n    title: [unclosed\n", encoding="utf-8")
    report = tmp_path / "junit.xml"
    missing = tmp_path / "missing.yaml"
    result = invoke(tmp_path, str(missing), str(good), "--junit", str(report))
    assert result.exit_code == 2
    assert f"{missing}:0:0: error UNREADABLE cannot read" in result.stderr
    assert "PASS  T1" in result.stdout  # the readable file after it still ran
    errors = [s.get("errors") for s in ET.parse(report).getroot().iter("testsuite")]
    assert errors == ["1", "0"]
    result = invoke(tmp_path, str(good), str(broken))
    assert result.exit_code == 2
    assert f"{broken}:4:1: error YAML_SYNTAX" in result.stderr or f"{broken}:3:" in result.stderr
    assert "PASS  T1" in result.stdout  # the readable file still ran
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (lambda c: c["expect"].pop("outcome"), Code.MISSING_KEY, (2, 3)),
        (lambda c: c.update(colour="red"), Code.UNKNOWN_KEY, (2, 3)),
        (lambda c: c.update(answers=None), Code.SCHEMA, None),
    ],
)
def test_schema_problems_are_located(tmp_path: Path, change: Any, code: Code, where: Any) -> None:
    bad = case()
    change(bad)
    path = write(tmp_path, bad)
    loaded = sc.load_scenarios(path.read_bytes(), str(path))
    assert loaded.scenarios is None
    assert [p.code for p in loaded.problems][:1] == [code]
    assert loaded.problems[0].line > 1


def test_duplicate_case_ids_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, case("A"), case("A"))
    loaded = sc.load_scenarios(path.read_bytes(), str(path))
    assert [p.code for p in loaded.problems] == [Code.DUPLICATE_ID]
    assert "used twice" in loaded.problems[0].message


def test_answers_that_do_not_fit_the_protocol_fail_the_case_at_their_line(
    tmp_path: Path,
) -> None:
    bad = case()
    bad["answers"]["marks"][0]["explanation"] = "fell off the sofa"
    path = write(tmp_path, case("OK"), bad)
    result = invoke(tmp_path, str(path))
    assert result.exit_code == 1
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "fell off the sofa" in text
    )
    assert f"<tmp>/cases.yaml:{line}:" in result.clean
    assert "error ANSWER_OPTION marks[1].explanation:" in result.clean


def test_expecting_a_fact_the_protocol_does_not_have_fails(tmp_path: Path) -> None:
    result = invoke(tmp_path, str(write(tmp_path, case(shaken=True))))
    assert result.exit_code == 1
    assert "shaken: expected true, got (no such derived fact in the protocol)" in result.stdout


def test_test_needs_cases() -> None:
    result = runner.invoke(app, ["test", "national-baseline"])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["show", "test", "demo", "quiz"])
def test_every_training_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
