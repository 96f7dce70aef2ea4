"""The guided check through the command line with typed input (CliRunner: plain mode)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from tests.conftest import BASE_ANSWERS_V1, BASELINE_V1
from tests.test_guided_session import V01

V1 = str(BASELINE_V1)  # the guided flows below type version-1 answers


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The V01 answers (version 1) in a file of their own, for --answers with version 1."""
    path = tmp_path_factory.mktemp("answers") / "answers-v1.yaml"
    path.write_text(yaml.safe_dump(BASE_ANSWERS_V1), encoding="utf-8")
    return path


_register()
runner = CliRunner()
ENV = {"BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"}
CONTEXT = ["1", "4", "3", "3", "Dad works nights"]


def typed(*replies: str) -> str:
    return "".join(r + "\n" for r in replies)


def test_full_flow_with_help_back_review_change_and_save(tmp_path: Path) -> None:
    replies = [
        "n", "?", "12", "b", "4m",      # help on age, a wrong age, back to it, then "4m"
        *V01[2:7], "x", "n", "n",       # ... an invalid answer to "patterned", then no
        *V01[9:10], "He said <b>the dog</b> \x1b[31mjumped", *V01[11:],
        "r", "7", "8,18", "",           # review: change locations to cheek and thigh, confirm
        *CONTEXT,
        "A. Visitor", "Health visitor", "HV-1",
    ]  # fmt: skip
    result = runner.invoke(
        app, ["check", V1, "--record-dir", str(tmp_path), "--format", "html"],
        input=typed(*replies), env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Why we ask: Age decides whether TEN-4-FACESp" in out
    assert "Recorded: 4m = 17 completed weeks" in out
    assert "Not understood: Type y for yes or n for no." in out
    assert "-- Review your answers --" in out and "The mark - Change answer 7 --" in out
    assert "PATHWAY: REFER TODAY TO CHILDREN'S SOCIAL CARE" in out
    # The pathway's timescale is said once, with its deadline; actions repeat only a different one.
    assert "Timescale: Same day - today, Fri 27 Nov 2026, as soon as possible" in out
    assert "When: Same day" not in out
    # Positive wording: the baby rolls, so "not rolling" is false and not printed as "...: no".
    assert "not rolling: no" not in out
    assert "Version 1.0.0 is DRAFT: not an approved local protocol." in out
    assert "THE CHILD" in out
    assert re.search(r"Independently mobile:\s+no", out)
    assert re.search(r"TEN-4-FACESp screen positive:\s+yes", out)
    assert "\x1b" not in out  # plain mode: no colour, and typed escapes are not replayed
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved == ["bruising-check-20261127-103000.html", "bruising-check-20261127-103000.json"]
    record = json.loads((tmp_path / saved[1]).read_text(encoding="utf-8"))
    assert record["outcome"]["id"] == "refer_same_day_csc_and_paediatric"
    assert record["answers"]["age_weeks"] == 17
    assert record["answers"]["locations"] == ["cheek", "thigh"]
    assert record["answers"]["explanation_verbatim"] == "He said <b>the dog</b> \x1b[31mjumped"
    assert record["header"] == {
        "practitioner": "A. Visitor",
        "role": "Health visitor",
        "child_reference": "HV-1",
    }
    assert {c["id"]: c["answer"] for c in record["context"]}["context_notes"] == "Dad works nights"
    assert record["entered"]["mode"] == "guided"
    for name in saved:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    page = (tmp_path / saved[0]).read_text(encoding="utf-8")
    assert "He said &lt;b&gt;the dog&lt;/b&gt;" in page and "<b>the dog</b>" not in page


def test_declining_to_save_is_confirmed_and_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["check", V1],
        input=typed(*V01, "", *CONTEXT, "n", "y"),
        env=ENV,
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "The answers and the result will be lost" in result.stdout
    assert "Not saved. Nothing was written." in result.stdout


def test_enter_at_the_save_prompt_never_discards_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # Enter, then "n" but not confirmed (Enter again), then save after all.
    replies = typed(*V01, "", *CONTEXT, "", "n", "", "y", "", "", "")
    result = runner.invoke(app, ["check", V1], input=replies, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Type y to save, or n to leave without saving:") == 3
    assert "Nothing is saved yet. Type y to save the check, or n not to." in out
    assert "Not discarded." in out
    assert "Not saved" not in out
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".pdf"]


def test_enter_alone_until_input_ends_saves_nothing_and_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", V1], input=typed(*V01, "", *CONTEXT, "", ""), env=ENV)
    assert result.exit_code == 1
    assert "Not saved. Nothing was written." not in result.stdout
    assert "Nothing was saved." in result.stderr


def test_an_output_name_that_does_not_say_the_format_is_refused(
    tmp_path: Path, answers: Path
) -> None:
    for name, extra, said in [
        ("x.docx", [], "must end in one of .htm, .html, .json, .md, .pdf, .text, .txt"),
        ("x", [], "must end in one of"),
        ("x.md", ["--format", "pdf"], "the file name says md but --format is pdf"),
    ]:
        result = runner.invoke(
            app, ["check", V1, "--output", str(tmp_path / name), *extra], input=typed(*V01), env=ENV
        )
        assert result.exit_code == 2, result.output
        assert said in result.stderr and "nothing was written" in result.stderr.lower()
        assert "Question 1" not in result.stdout  # refused before the questions
    result = runner.invoke(app, ["check", V1, "--answers", str(answers), "--output", "x.docx"])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_a_bad_format_is_named_in_the_tools_own_words(answers: Path) -> None:
    result = runner.invoke(app, ["check", V1, "--format", "docx"])
    assert result.exit_code == 2
    assert "'docx' is not a format; choose one of text, md, json, html, pdf." in result.stderr
    assert "Value error" not in result.output
    upper = runner.invoke(app, ["check", V1, "--answers", str(answers), "--format", "JSON"])
    assert upper.exit_code == 0 and upper.stdout.startswith("{")


def test_end_of_input_stops_cleanly_and_writes_nothing(tmp_path: Path) -> None:
    for cut in (0, 4, len(V01) + 1, len(V01) + 3):
        result = runner.invoke(
            app, ["check", V1, "--record-dir", str(tmp_path)], input=typed(*V01[:cut]), env=ENV
        )
        assert result.exit_code == 1
        assert "Nothing was saved." in result.stderr
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_output_saves_the_printable_and_the_json_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "visit.pdf"
    result = runner.invoke(
        app,
        ["check", V1, "--output", str(out), "--practitioner", "Jo", "--child-ref", "R1"],
        input=typed(*V01, "", *CONTEXT, "Health visitor"),
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    record = json.loads((tmp_path / "visit.json").read_text(encoding="utf-8"))
    assert record["header"] == {
        "practitioner": "Jo",
        "child_reference": "R1",
        "role": "Health visitor",
    }
    again = runner.invoke(app, ["check", V1, "--output", str(out)], input=typed(*V01), env=ENV)
    # Both files of the pair are there, and both are named.
    assert again.exit_code == 2 and "already exist;" in again.stderr
    assert f"{out} and {tmp_path / 'visit.json'}" in again.stderr


def test_answers_file_with_record_dir_and_pdf(tmp_path: Path, answers: Path) -> None:
    result = runner.invoke(
        app,
        ["check", V1, "--answers", str(answers), "--format", "pdf", "--record-dir", str(tmp_path)],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".pdf"]
    no_file = runner.invoke(app, ["check", V1, "--answers", str(answers), "--format", "pdf"])
    assert no_file.exit_code == 2 and "needs --output" in no_file.stderr


def test_result_screen_wording_corrected_age_rolling_and_time_zones(tmp_path: Path) -> None:
    text = BASELINE_V1.read_text(encoding="utf-8")
    marker = "  - id: refer_same_day_csc_and_paediatric\n"
    head, tail = text.split(marker, 1)
    before, after = tail.split("    timescale: {label: Same day, same_day: true}\n", 1)
    four_hours = "    timescale: {label: Within 4 hours, hours: 4}\n"
    protocol = tmp_path / "four-hours.yaml"
    protocol.write_text(head + marker + before + four_hours + after, encoding="utf-8")
    # 8 weeks old, born at 30+2 weeks (2 weeks before term), rolling, cheek bruise.
    replies = ["n", "8", "30+2", "1", *V01[4:], "", *CONTEXT, "n", "y"]
    result = runner.invoke(
        app,
        ["check", str(protocol)],
        input=typed(*replies),
        env={"BRUISING_CHECK_NOW": "2026-07-01T10:30:00+01:00"},
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Recorded: 30+2 = 30 completed weeks." in out
    assert re.search(r"Corrected age:\s+2 weeks before term", out) and "-2 weeks" not in out
    # The deadline is 4 hours after 10:30 in the practitioner's own zone, and says which zone.
    assert "Timescale: Within 4 hours - by 14:30 UTC+01:00 on Wed 01 Jul 2026" in out
    # Actions on another timescale than the pathway's still say when.
    assert "When: Same day - today, Wed 01 Jul 2026, as soon as possible" in out
    # The baby rolls: "Not independently mobile and not rolling: no" would be a double negative.
    assert re.search(r"Independently mobile:\s+no", out)
    assert "not rolling" not in out.split("THE CHILD")[1].split("MARKS")[0]
