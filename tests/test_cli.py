"""The command line as a user meets it: exit codes, messages, the JSON contract, safe saving."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from tests.conftest import BASE_ANSWERS, BASELINE, ROOT

_register()
runner = CliRunner()


def write_answers(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({**BASE_ANSWERS, **changes}), encoding="utf-8")
    return path


def test_check_json_follows_the_contract(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", "--answers", str(write_answers(tmp_path)), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    for key in (
        "outcome",
        "actions",
        "rules_fired",
        "derived",
        "answers",
        "protocol",
        "tool",
        "created_at",
    ):
        assert key in record
    assert record["outcome"]["id"] == "refer_same_day_csc_and_paediatric"
    assert set(record["outcome"]) >= {"id", "title", "timescale"}
    assert all(set(a) >= {"id", "text", "timescale", "contact"} for a in record["actions"])
    assert record["rules_fired"][0] == {
        "id": "B6",
        "because": record["rules_fired"][0]["because"],
        "cite": [
            "nice_cg89",
            "panel_2022",
            "nice_surveillance_2024",
            "sugar_1999",
            "kemp_2015",
            "local_protocol_remote_reports",
        ],
        "kind": "decides",
        "pathway": "refer_same_day_csc_and_paediatric",
        "facts_used": ["independently_mobile"],
        "certain": True,
    }
    assert record["derived"] == {
        **record["derived"],
        "independently_mobile": False,
        "corrected_age_weeks": None,
        "ten4facesp_positive": True,
        "non_roller": True,
        "every_mark_accounted_for": False,
    }
    assert record["answers"]["age_weeks"] == 10
    assert record["protocol"]["id"] == "national-baseline"
    import hashlib

    assert record["protocol"]["sha256"] == hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    assert record["tool"]["name"] == "bruising-check"


def test_check_text_says_what_it_is(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", "national-baseline", "--answers", str(write_answers(tmp_path))]
    )
    assert result.exit_code == 0
    assert "PATHWAY: REFER TODAY" in result.stdout
    flat = " ".join(result.stdout.split())
    assert "does not replace, professional judgement and the local procedure" in flat
    assert "PLACEHOLDER" in result.stdout


def test_check_markdown(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", "--answers", str(write_answers(tmp_path)), "--format", "md"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("# Bruising check: rationale")
    assert "- [ ] Refer to children" in result.stdout


def test_bad_answers_exit_1_naming_each_id(tmp_path: Path) -> None:
    path = write_answers(tmp_path, age_weeks=2000, explanation="fell", colour="red")
    result = runner.invoke(app, ["check", "--answers", str(path)])
    assert result.exit_code == 1
    for qid in ("age_weeks", "explanation", "colour"):
        assert f"{qid}:" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_missing_answers_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--answers", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_unknown_protocol_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "no-such-protocol", "--answers", "x"])
    assert result.exit_code == 2
    assert "no bundled protocol has that id" in result.stderr


def test_output_is_new_private_and_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    args = [
        "check",
        "--answers",
        str(write_answers(tmp_path)),
        "--format",
        "json",
        "--output",
        str(out),
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0
    saved = out.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    second = runner.invoke(app, args)
    assert second.exit_code == 2
    assert "already exists" in second.stderr
    assert out.read_bytes() == saved
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_validate_exit_codes(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", "--budget", "300", str(BASELINE)])
    assert ok.exit_code == 0, ok.output
    assert "PLACEHOLDER_CONTACT" in ok.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        BASELINE.read_text(encoding="utf-8").replace(
            "pathway: emergency_care_first", "pathway: emergncy"
        )
    )
    bad = runner.invoke(app, ["validate", str(broken)])
    assert bad.exit_code == 1
    assert f"{broken}:" in bad.stderr and "error UNKNOWN_PATHWAY" in bad.stderr
    assert "hint:" in bad.stderr
    unreadable = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")])
    assert unreadable.exit_code == 2


def test_validate_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--budget", "300", str(BASELINE), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    codes = {p["code"] for p in report[0]["problems"]}
    assert "PLACEHOLDER_CONTACT" in codes


def test_check_refuses_a_broken_protocol(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("metadata: {}\n")
    result = runner.invoke(app, ["check", str(broken), "--answers", str(write_answers(tmp_path))])
    assert result.exit_code == 1
    assert "MISSING_KEY" in result.stderr


def test_schema_file_in_the_repository_is_current() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    committed = (ROOT / "schema" / "protocol.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(committed), (
        "run: bruising-check schema > schema/protocol.schema.json"
    )


def test_bundled_protocols_point_editors_at_the_schema() -> None:
    for path in (ROOT / "protocols").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/protocol.schema.json"


def test_protocols_lists_the_baseline() -> None:
    result = runner.invoke(app, ["protocols"])
    assert result.exit_code == 0
    rows = [x.split()[:5] for x in result.stdout.splitlines() if x.startswith("national-baseline")]
    assert ["national-baseline", "national-baseline", "2.0.1", "draft", "2027-12-02"] in rows
    # Version 1 is kept beside it (same id, so records made with it still verify).
    assert ["national-baseline-v1", "national-baseline", "1.0.0", "draft", "2027-05-27"] in rows


@pytest.mark.parametrize("command", ["check", "validate", "schema", "protocols"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_every_bundled_protocol_validates_without_errors() -> None:
    from bruising_check.protocol.bundled import bundled_files

    files = bundled_files()
    assert {p.stem for p in files} >= {"national-baseline", "exampleshire-v1", "exampleshire-v2"}
    # A generous budget: this asks for correctness on a shared, loaded machine; speed is
    # measured by bench/analysis.py, not here.
    result = runner.invoke(app, ["validate", "--budget", "300", *map(str, files)])
    assert result.exit_code == 0, result.stderr
    assert " 0 error(s)" in result.stderr
