"""The guided check through the command line with typed input (CliRunner: plain mode)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from typer.testing import CliRunner

from bruising_check.cli import _register, app
from tests.test_guided_session import V01

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
        app, ["check", "--record-dir", str(tmp_path), "--format", "html"], input=typed(*replies),
        env=ENV,
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
    assert "Version 1.0.0 is DRAFT: not an approved local protocol." in out
    assert "THE CHILD" in out
    assert re.search(r"Independently mobile:\s+no", out)
    assert "TEN-4-FACESp screen positive: yes" in out
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


def test_declining_to_save_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check"], input=typed(*V01, "", *CONTEXT, "n"), env=ENV, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "Not saved. Nothing was written." in result.stdout


def test_end_of_input_stops_cleanly_and_writes_nothing(tmp_path: Path) -> None:
    for cut in (0, 4, len(V01) + 1, len(V01) + 3):
        result = runner.invoke(
            app, ["check", "--record-dir", str(tmp_path)], input=typed(*V01[:cut]), env=ENV
        )
        assert result.exit_code == 1
        assert "Nothing was saved." in result.stderr
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_output_saves_the_printable_and_the_json_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "visit.pdf"
    result = runner.invoke(
        app,
        ["check", "--output", str(out), "--practitioner", "Jo", "--child-ref", "R1"],
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
    again = runner.invoke(app, ["check", "--output", str(out)], input=typed(*V01), env=ENV)
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_answers_file_with_record_dir_and_pdf(tmp_path: Path) -> None:
    answers = Path(__file__).parents[1] / "examples/answers/cheek-bruise-10-weeks.yaml"
    result = runner.invoke(
        app,
        ["check", "--answers", str(answers), "--format", "pdf", "--record-dir", str(tmp_path)],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".pdf"]
    no_file = runner.invoke(app, ["check", "--answers", str(answers), "--format", "pdf"])
    assert no_file.exit_code == 2 and "needs --output" in no_file.stderr
