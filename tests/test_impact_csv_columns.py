"""`diff --cases` as a policy lead reads it: a CSV column no version asks is refused (never read
as "not answered" in every row), and the impact counts every case given once: run under both
versions and changed, run and unchanged, or not run, which is never a pass (exit 1)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol, Question
from bruising_check.versions import impact as impact_module
from bruising_check.versions.impact import CaseFileError, read_cases
from tests.conftest import BASELINE, ROOT

_register()
runner = CliRunner()
V1 = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"
SYNTHETIC = ROOT / "examples" / "cases" / "exampleshire-synthetic.csv"

V1_HEADER = (
    "case_id,age_weeks,mobility_milestones,mark_types,locations,child_seriously_unwell,"
    "gestation_weeks_at_birth,disability_affecting_mobility,patterned,multiple_or_clustered,"
    "explanation,diagnosed_condition_can_cause_mark,accident_independently_witnessed,report_channel"
)
# A 10-week-old with a cheek bruise: referred under both versions (`test_impact.py`).
YOUNG = "10,none,bruise,cheek,false,40,no,no,no,none,no,no,seen_in_person"


def load(path: Path) -> Protocol:
    protocol = load_protocol(path.read_bytes(), path.name).protocol
    assert protocol is not None
    return protocol


def questions_of(*protocols: Protocol) -> dict[str, Question]:
    return {q.id: q for p in protocols for q in p.questions}


@pytest.fixture(scope="module")
def baseline() -> dict[str, Question]:
    return questions_of(load(BASELINE))


@pytest.fixture(scope="module")
def exampleshire() -> dict[str, Question]:
    return questions_of(load(V1), load(V2))


def refusal(
    text: str, questions: dict[str, Question], also: Mapping[str, Question] | None = None
) -> str:
    with pytest.raises(CaseFileError) as caught:
        list(read_cases("c.csv", io.StringIO(text, newline=""), questions, also or {}))
    return str(caught.value)


def test_an_unknown_column_is_refused_with_a_hint(exampleshire: dict[str, Question]) -> None:
    message = refusal(f"{V1_HEADER},foo\nA,{YOUNG},bar\n", exampleshire)
    first, hint = message.split("\n", 1)
    assert first == "c.csv: column 'foo' is no question of either version"
    assert hint.startswith("  hint: each column is a question id of the old or the new version")


def test_a_mistyped_mark_column_is_refused_with_the_nearest(
    baseline: dict[str, Question],
) -> None:
    header = "case_id,age_weeks,marks[1].type,marks[2].sitee"
    message = refusal(f"{header}\nA,10,bruise,cheek\n", baseline)
    assert message.startswith("c.csv: column 'marks[2].sitee' is no question of either version")
    assert "Did you mean 'marks[2].site'?" in message


def test_several_unknown_columns_are_named_at_once(baseline: dict[str, Question]) -> None:
    message = refusal("age_weeks,a,b\n10,1,2\n", baseline)
    assert message.startswith("c.csv: columns 'a' and 'b' are no question of either version")
    many = refusal("age_weeks,a,b,c,d,e,f,g,h\n10\n", baseline)
    assert "columns 'a', 'b', 'c', 'd', 'e', 'f' and 2 more are no question" in many


def test_an_unnamed_column_is_refused_and_said(baseline: dict[str, Question]) -> None:
    message = refusal("case_id,age_weeks,\nA,10,x\n", baseline)
    assert message.startswith("c.csv: column '' is no question of either version")
    assert "A header cell that is empty" in message


def test_version_1_columns_against_version_2_protocols_are_said_plainly(
    baseline: dict[str, Question],
) -> None:
    message = refusal(SYNTHETIC.read_text(encoding="utf-8"), baseline)
    assert "'mark_types'" in message and "'locations'" in message
    assert "'mark_types' and 'locations' are version-1 answers" in message
    assert "marks[1].type, marks[1].site" in message
    assert "migrate-answers" in message


def test_version_2_columns_against_version_1_protocols_are_said_plainly(
    exampleshire: dict[str, Question],
) -> None:
    message = refusal("case_id,age_weeks,marks[1].site\nA,10,cheek\n", exampleshire)
    assert message.startswith("c.csv: column 'marks[1].site' is no question of either version")
    assert "'marks[1].site' are answers format version 2" in message


def test_the_bundled_csv_reads_for_the_versions_it_was_written_for(
    exampleshire: dict[str, Question],
) -> None:
    cases = list(read_cases(str(SYNTHETIC), io.StringIO(SYNTHETIC.read_text()), exampleshire))
    assert len(cases) == 240


def test_ids_and_context_prompts_are_known_columns(baseline: dict[str, Question]) -> None:
    prompts = {q.id: q for q in load(BASELINE).context_prompts}
    text = "case_id,id,age_weeks,carers[1].relationship\nA,B,10,mother\n"
    assert "'carers[1].relationship'" in refusal(text, baseline)
    (case,) = read_cases("c.csv", io.StringIO(text), baseline, prompts)
    assert case.name == "c.csv:A" and case.answers["carers"] == [{"relationship": "mother"}]
    typo = refusal(text.replace("ship", ""), baseline, prompts)
    assert "'carers[1].relation'" in typo and "Did you mean 'carers[1].relationship'?" in typo


def _diff(path: Path, *more: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--cases", str(path), *more])
    return result.exit_code, result.stdout, result.stderr


def test_a_case_that_never_ran_is_not_summed_up_as_unchanged(tmp_path: Path) -> None:
    file = tmp_path / "one.csv"
    file.write_text(f"{V1_HEADER}\nT6,{YOUNG.replace('cheek', 'chek')}\n", encoding="utf-8")
    code, out, err = _diff(file)
    assert code == 1
    assert "changes pathway" not in out
    assert "Of 1 case given, 0 ran under both versions: 0 changed pathway and 0 kept it." in out
    assert "1 case of 1 could not be run under both versions" in out
    assert "Cases given: 1; run under both versions: 0;" in out
    assert "1 of 1 cases given could not be run under both versions" in err
    code, out, _ = _diff(file, "--format", "json")
    assert code == 1
    counted = json.loads(out)["impact"]
    assert {k: counted[k] for k in ("total", "ran", "changed", "unchanged", "not_run")} == {
        "total": 1,
        "ran": 0,
        "changed": 0,
        "unchanged": 0,
        "not_run": 1,
    }


def test_cases_that_all_ran_pass(tmp_path: Path) -> None:
    file = tmp_path / "two.csv"
    file.write_text(f"{V1_HEADER}\nA,{YOUNG}\nB,{YOUNG}\n", encoding="utf-8")
    code, out, err = _diff(file)
    assert code == 0, err
    assert "Of 2 cases given, 2 ran under both versions: 0 changed pathway and 2 kept it." in out
    assert "could not be run" not in out + err


def test_text_and_json_state_the_same_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = YOUNG.replace("cheek", "chek")
    rows = [f"ok{i},{YOUNG}" for i in range(3)] + [f"bad{i},{bad}" for i in range(30)]
    file = tmp_path / "many.csv"
    file.write_text(V1_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = _diff(file)
    assert code == 1
    assert "Of 33 cases given, 3 ran under both versions: 0 changed pathway and 3 kept it." in out
    assert "30 cases of 33 could not be run" in out
    # 30 cases, each failing under both versions: 60 failed runs, 20 listed in the text.
    assert "(a case under one version or each; the first 20 of 60 listed;" in out
    assert "--format json lists 60)" in out
    listed = [line for line in out.splitlines() if "under the old version: " in line]
    listed += [line for line in out.splitlines() if "under the new version: " in line]
    assert len(listed) == 20
    # The JSON keeps a bounded sample, and says of how many.
    monkeypatch.setattr(impact_module, "MAX_UNRUNNABLE_KEPT", 7)
    code, out, _ = _diff(file, "--format", "json")
    counted = json.loads(out)["impact"]
    assert (counted["unrunnable_total"], counted["unrunnable_listed"]) == (60, 7)
    assert len(counted["unrunnable"]) == 7
    assert (counted["ran"], counted["unchanged"], counted["not_run"]) == (3, 3, 30)
    code, out, _ = _diff(file)
    assert "(a case under one version or each; the first 7 of 60 listed;" in out


def test_an_unknown_column_stops_the_diff_before_any_report(tmp_path: Path) -> None:
    file = tmp_path / "typo.csv"
    file.write_text(f"{V1_HEADER},foo\nA,{YOUNG},bar\n", encoding="utf-8")
    code, out, err = _diff(file)
    assert code == 2
    assert out == ""
    assert err.startswith(f"{file}: column 'foo' is no question of either version\n  hint: ")
