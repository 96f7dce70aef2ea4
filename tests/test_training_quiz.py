"""`quiz`: choose the pathway (and optionally the actions), feedback with rule and sources, score,
and a printable summary watermarked as training."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol.model import Protocol
from bruising_check.render import quiz_pdf
from bruising_check.training import quiz as qz
from tests.conftest import ROOT, run

_register()
runner = CliRunner()
PUBLIC = ROOT / "protocols" / "scenarios" / "public-examples-v2.yaml"
# The first three public cases: V01 refer (3), V07 no action (6), V08 same-day health opinion (4).


def _item(baseline: Protocol, **changes: object) -> qz.Item:
    return qz.Item("X", "title", "narrative", "why", run(baseline, **changes))


def test_grading_a_right_and_a_wrong_pathway(baseline: Protocol) -> None:
    item = _item(baseline)
    right = qz.grade(baseline, item, "refer_same_day_csc_and_paediatric")
    assert right.pathway_correct and right.points == 1 and right.rule == "B6"
    assert "panel_2022" in {s[0] for s in right.sources}
    wrong = qz.grade(baseline, item, "no_protocol_action_record_and_advise")
    assert not wrong.pathway_correct and wrong.points == 0
    assert wrong.expected.id == "refer_same_day_csc_and_paediatric"


def test_grading_actions(baseline: Protocol) -> None:
    item = _item(baseline)
    due = [a.action.id for a in item.decision.actions]
    exact = qz.grade(baseline, item, "refer_same_day_csc_and_paediatric", due)
    assert exact.actions_correct and exact.points == 2
    partial = qz.grade(baseline, item, "refer_same_day_csc_and_paediatric", [*due[1:], "call_999"])
    assert partial.actions_missed == (due[0],) and partial.actions_extra == ("call_999",)
    assert partial.points == 1
    s = qz.score([exact, partial])
    assert (s.points, s.out_of, s.pathways_right, s.cases) == (3, 4, 2, 2)


def test_every_action_is_offered_once(baseline: Protocol) -> None:
    ids = [a.id for a in qz.action_choices(baseline)]
    assert len(ids) == len(set(ids))
    assert {"call_999", "refer_csc", "see_in_person", "record_corrected_age"} <= set(ids)
    assert [p.urgency for p in qz.pathway_choices(baseline)] == [1, 2, 3, 4, 5, 6]


def test_summary_is_watermarked(baseline: Protocol) -> None:
    fb = [qz.grade(baseline, _item(baseline), "emergency_care_first")]
    lines = qz.summary_lines(baseline, fb)
    assert lines[0] == "TRAINING — not a clinical record"
    assert "Score: 0 of 1 (0 of 1 pathways right)" in lines
    pdf = quiz_pdf.summary_pdf(
        baseline, fb, dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)
    )
    assert pdf.startswith(b"%PDF-")


def test_quiz_through_the_cli(tmp_path: Path) -> None:
    sheet = tmp_path / "result.pdf"
    args = ["quiz", "--scenarios", str(PUBLIC), "--summary", str(sheet)]
    result = runner.invoke(app, args, input="3\n1\n7\nx\n4\nq\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Right.") == 2
    assert "Not this time: the protocol gives \u201cNot a referral under this protocol" in out
    assert "Rule B2: Every mark is accounted for" in out
    assert "https://www.nice.org.uk/guidance/cg89/chapter/recommendations" in out
    assert out.count("Type a number from 1 to 6.") == 2
    assert "Score: 2 of 3 (2 of 3 pathways right)" in out
    assert "TRAINING — not a clinical record" in out
    assert sheet.read_bytes().startswith(b"%PDF-")


def test_quiz_with_actions(baseline: Protocol) -> None:
    every = qz.action_choices(baseline)
    item = _item(baseline)
    due = {a.action.id for a in item.decision.actions}
    numbers = ",".join(str(i) for i, a in enumerate(every, 1) if a.id in due)
    result = runner.invoke(
        app, ["quiz", "--scenarios", str(PUBLIC), "--actions"], input=f"3\n{numbers}\nq\n"
    )
    assert result.exit_code == 0, result.output
    assert "Actions: all right." in result.stdout
    assert "Score: 2 of 2 (1 of 1 pathways right)" in result.stdout


def test_quiz_with_no_answers_has_no_score() -> None:
    result = runner.invoke(app, ["quiz", "--scenarios", str(PUBLIC)], input="")
    assert result.exit_code == 0
    assert "No answers given; no score." in result.stdout


def test_quiz_needs_scenarios_and_never_overwrites_a_summary(tmp_path: Path) -> None:
    assert runner.invoke(app, ["quiz"]).exit_code == 2
    old = tmp_path / "old.pdf"
    old.write_bytes(b"keep")
    result = runner.invoke(app, ["quiz", "--scenarios", str(PUBLIC), "--summary", str(old)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert old.read_bytes() == b"keep"
