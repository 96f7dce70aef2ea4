"""`quiz`: the trainee answers the protocol's own questions from a narrative, then picks the
pathway; feedback compares the reading with the scenario's and runs the engine on it; results
saved as JSON and replayed; a result sheet per question, watermarked as training."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.decide import decide
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import MultipleChoiceQuestion, Protocol
from bruising_check.render import quiz_pdf
from bruising_check.training import quiz as qz
from tests.conftest import ROOT, mark, run

_register()
runner = CliRunner()
PUBLIC = ROOT / "protocols" / "scenarios" / "public-examples-v2.yaml"
WHEN = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)
# Case 1 of the public file (V01): a 10-week-old, an unexplained bruise on the left cheek.
V01_RIGHT = "none\n2\n1\ncheek\n2\n1\n"  # mobility, condition, type, site, patterned, explanation


def _case(baseline: Protocol, **changes: Any) -> qz.Case:
    decision = run(baseline, **changes)
    return qz.Case("X", "title", "narrative", "why", decision.answers, decision)


def _reading(baseline: Protocol, case: qz.Case, **mine: Any) -> list[tuple[qz.Ask, Any]]:
    """Every question the quiz asks, answered as the scenario does except `mine` (by path, with
    `.` for `[`...`]`: marks_1_patterned -> marks[1].patterned)."""
    wanted = {k.replace("marks_1_", "marks[1]."): v for k, v in mine.items()}
    reading: dict[str, Any] = {}
    out = []
    for ask in qz.asks(baseline, case.answers, reading):
        value = wanted.get(ask.path, qz._value_at(case.answers, ask))
        reading[ask.path] = value
        out.append((ask, value))
    return out


def test_the_questions_asked_are_those_the_facts_are_worked_out_from(baseline: Protocol) -> None:
    top, items = qz.judgement_questions(baseline)
    assert top == {
        "mobility_milestones",
        "mobility_seen_by_professional",
        "diagnosed_bleeding_condition",
    }
    assert items == {"marks": {"type", "site", "patterned", "explanation"}}


def test_what_is_not_asked_is_given(baseline: Protocol) -> None:
    told = dict(qz.given(baseline, _case(baseline).answers))
    assert told["How old is the child, in completed weeks?"] == "10 weeks"
    assert told["Marks"] == "1"
    assert "side: Left" in told["Mark 1"] and "Bruise" not in told["Mark 1"]
    assert not any("can the child do" in what for what in told)


def test_a_question_follows_the_trainees_own_earlier_answer(baseline: Protocol) -> None:
    case = _case(baseline)
    none = [a.path for a, _ in _reading(baseline, case)]
    assert "mobility_seen_by_professional" not in none
    crawling = [a.path for a, _ in _reading(baseline, case, mobility_milestones=("crawling",))]
    assert crawling[1] == "mobility_seen_by_professional"
    assert none[-4:] == [
        "marks[1].type",
        "marks[1].site",
        "marks[1].patterned",
        "marks[1].explanation",
    ]


def test_the_scenarios_reading_is_all_same(baseline: Protocol) -> None:
    case = _case(baseline)
    fb = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", _reading(baseline, case))
    assert fb.pathway_correct and fb.rule == "B6" and fb.points == 1
    assert fb.readings and all(r.same and r.alone is None for r in fb.readings)
    assert fb.on_your_reading == fb.expected and not fb.less_urgent_reading
    assert "panel_2022" in {s.id for s in fb.sources}


def test_a_reading_that_lowers_the_pathway_is_shown_as_less_urgent(baseline: Protocol) -> None:
    case = _case(baseline)
    # Taking the unexplained bruise for a birthmark: B4, a same-day health opinion, not referral.
    mine = _reading(baseline, case, marks_1_type="birthmark_like")
    fb = qz.grade(baseline, case, "same_day_health_opinion", mine)
    (differs,) = [r for r in fb.readings if not r.same]
    assert differs.path == "marks[1].type" and differs.scenario == "Bruise"
    assert differs.alone is not None and differs.alone.id == "same_day_health_opinion"
    assert differs.alone_less_urgent and fb.less_urgent_reading
    # The answer key stays the protocol's decision on the scenario's answers.
    assert fb.expected.id == "refer_same_day_csc_and_paediatric" and not fb.pathway_correct


def test_not_sure_about_a_pattern_changes_nothing_here_but_is_not_the_scenarios(
    baseline: Protocol,
) -> None:
    case = _case(baseline)
    fb = qz.grade(
        baseline,
        case,
        "refer_same_day_csc_and_paediatric",
        _reading(baseline, case, marks_1_patterned=UNKNOWN),
    )
    (differs,) = [r for r in fb.readings if not r.same]
    assert (differs.yours, differs.scenario, differs.alone) == ("not known", "No", None)


def _options(q: Any) -> list[Any]:
    ids = [o.id for o in q.options] if hasattr(q, "options") else [True, False]
    if isinstance(q, MultipleChoiceQuestion):
        return [(), *((i,) for i in ids if i != q.unknown_option)]
    return [UNKNOWN if i == getattr(q, "unknown_option", None) else i for i in ids]


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_feedback_is_the_engine_on_the_readings(baseline: Protocol, data: st.DataObject) -> None:
    """Whatever the trainee answers: the key is the scenario's decision; 'on your reading' is the
    engine on all their answers; a reading 'changes the pathway' exactly when the engine on that
    answer alone gives another outcome."""
    case = _case(baseline, marks=[mark(), mark(site="ear", explanation="plausible_consistent")])
    reading: dict[str, Any] = {}
    asked = []
    for ask in qz.asks(baseline, case.answers, reading):
        value = data.draw(st.sampled_from(_options(ask.question)))
        reading[ask.path] = value
        asked.append((ask, value))
    fb = qz.grade(baseline, case, "protect_now", asked)
    assert fb.expected == qz.outcome_of(case.decision)
    assert fb.on_your_reading == qz.outcome_of(
        decide(baseline, qz.with_reading(case.answers, reading))
    )
    for (ask, value), r in zip(asked, fb.readings, strict=True):
        alone = qz.outcome_of(decide(baseline, qz.with_reading(case.answers, {ask.path: value})))
        assert (r.alone is not None) == (not r.same and alone != fb.expected)
        if r.alone is not None:
            assert r.alone_less_urgent == (
                alone is not None and alone.urgency > fb.expected.urgency
            )


def test_a_saved_quiz_reads_back_and_a_broken_one_is_located(baseline: Protocol) -> None:
    case = _case(baseline)
    fb = qz.grade(baseline, case, "protect_now", _reading(baseline, case))
    done = qz.result(baseline, "0" * 64, "file.yaml", [fb], WHEN)
    back, problems = qz.load_result(qz.to_json(done).encode(), "r.json")
    assert back == done and not problems
    broken = qz.to_json(done).replace('"same": true', '"same": "maybe"', 1)
    none, problems = qz.load_result(broken.encode(), "r.json")
    assert none is None and problems[0].line > 1 and problems[0].file == "r.json"


def test_the_sheet_lists_per_question_where_trainees_went_wrong(baseline: Protocol) -> None:
    case = _case(baseline)
    right = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", _reading(baseline, case))
    wrong = qz.grade(
        baseline,
        case,
        "same_day_health_opinion",
        _reading(baseline, case, marks_1_type="birthmark_like"),
    )
    a = qz.result(baseline, "0" * 64, "f", [right], WHEN)
    b = qz.result(baseline, "0" * 64, "f", [wrong], WHEN)
    lines = qz.summary_lines([a, b], ["anna.json", "ben.json"])
    assert lines[0] == "TRAINING — not a clinical record"
    assert (
        "  What kind of mark is it? (marks.type): 1 of 2 differed, 1 alone changing the pathway"
        in lines
    )
    (why,) = [x for x in lines if x.startswith("    X marks[1].type")]
    assert "(ben.json)" in why and "LESS urgent" in why and "A birthmark-like mark" in why
    assert "  Where is it? (marks.site): 0 of 2 differed" in lines
    assert lines.count("Answers read differently that alone change the pathway: 1") == 1
    assert quiz_pdf.summary_pdf([a, b]).startswith(b"%PDF-")


def test_grading_actions(baseline: Protocol) -> None:
    case = _case(baseline)
    due = [a.action.id for a in case.decision.actions]
    exact = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", (), due)
    assert exact.actions_correct and exact.points == 2
    partial = qz.grade(
        baseline, case, "refer_same_day_csc_and_paediatric", (), [*due[1:], "call_999"]
    )
    texts = {a.id: a.text for a in qz.action_choices(baseline)}
    assert partial.actions_missed == (texts[due[0]],) and partial.actions_extra == (
        texts["call_999"],
    )
    s = qz.score([exact, partial])
    assert (s.points, s.out_of, s.pathways_right, s.cases) == (3, 4, 2, 2)


def test_every_action_is_offered_once(baseline: Protocol) -> None:
    ids = [a.id for a in qz.action_choices(baseline)]
    assert len(ids) == len(set(ids))
    assert {"call_999", "refer_csc", "see_in_person", "record_corrected_age"} <= set(ids)
    assert [p.urgency for p in qz.pathway_choices(baseline)] == [1, 2, 3, 4, 5, 6]


def test_quiz_save_and_review_through_the_cli(tmp_path: Path) -> None:
    saved, sheet = tmp_path / "anna.json", tmp_path / "sheet.pdf"
    args = ["quiz", "--scenarios", str(PUBLIC), "--save", str(saved), "--summary", str(sheet)]
    # V01 read right but the pathway chosen wrong; then stop at case 2's first question.
    result = runner.invoke(
        app, args, input=V01_RIGHT.replace("\n1\ncheek", "\n1\n6") + "x\n4\n\nq\n"
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Type a number from 1 to 6." in out
    assert "same     Mark 1 of 1: Where is it? -> Face: cheek (the fleshy part)" in out
    assert "Not this time: you chose \u201cToday, a paediatrician" in out
    assert "Rule B6:" in out and "Enter for the next case" in out and "Case 2 of 10" in out
    assert "Score: 0 of 1 (0 of 1 pathways right; 6 of 6 answers read as the scenario does)" in out
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["cases"][0]["chosen"]["id"] == "same_day_health_opinion"
    assert sheet.read_bytes().startswith(b"%PDF-")
    again = runner.invoke(app, args, input="q\n")
    assert again.exit_code == 2 and "already exists" in again.stderr
    review = runner.invoke(app, ["quiz", "--review", str(saved), "--no-pause"])
    assert review.exit_code == 0, review.output
    assert "REVIEW" in review.stdout and "Case 1 of 1: V01" in review.stdout
    assert "Not this time: you chose" in review.stdout
    assert "What kind of mark is it? (marks.type): 0 of 1 differed" in review.stdout


def test_a_reading_that_differs_is_explained(tmp_path: Path) -> None:
    # V01 with "crawling" and "seen by a professional" at 10 weeks: mobile on that reading.
    typed = "4\ny\n2\n1\ncheek\n2\n1\n5\nq\n"
    result = runner.invoke(app, ["quiz", "--scenarios", str(PUBLIC)], input=typed)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "DIFFERS  Which of these can the child do by themselves now?" in out
    assert "the scenario: None of these" in out
    assert "On your reading the protocol gives" in out and "LESS urgent" in out
    assert "You applied the protocol to your reading correctly" in out


def test_review_refuses_what_is_not_a_saved_quiz(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "something else"}\n')
    result = runner.invoke(app, ["quiz", "--review", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:1:" in result.stderr and "Traceback" not in result.output


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


def test_the_protocol_is_the_key_even_when_a_scenario_file_is_out_of_date(tmp_path: Path) -> None:
    import yaml

    from tests.conftest import BASE_ANSWERS

    stale = tmp_path / "stale.yaml"
    case = {
        "id": "S1",
        "title": "An expectation from an older version",
        "narrative": "A 10-week-old has an unexplained bruise on the left cheek.",
        "answers": BASE_ANSWERS,
        "expect": {"outcome": "no_protocol_action_record_and_advise"},
    }
    stale.write_text(yaml.safe_dump({"cases": [case]}), encoding="utf-8")
    typed = V01_RIGHT + "6\n"  # the stale file's answer
    result = runner.invoke(app, ["quiz", "--scenarios", str(stale)], input=typed)
    assert result.exit_code == 0, result.output
    assert "Not this time: you chose \u201cNot a referral" in result.stdout
    assert "the scenario file expects no_protocol_action_record_and_advise" in result.stdout


def test_the_family_context_is_told_and_its_actions_are_due(tmp_path: Path) -> None:
    import yaml

    bundled = ROOT / "protocols" / "scenarios" / "baseline-unknowns-and-carers.yaml"
    data = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    data["cases"] = [c for c in data["cases"] if c["id"] == "BL-C03"]
    file = tmp_path / "c03.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # BL-C03 read as the scenario does (walking 2-year-old, plausibly explained forehead
    # bruise), the right pathway, and no action chosen.
    typed = "1,2,3,4,6,7\n2\n1\nforehead\n2\n3\n6\n\n"
    result = runner.invoke(app, ["quiz", "--scenarios", str(file), "--actions"], input=typed)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "About the family (never changes the pathway; may add actions):" in out
    assert "relationship: Partner (of a parent), seen: Not known" in out
    assert "been discussed with every carer?: Not known" in out
    assert "Right: \u201cNot a referral under this protocol" in out
    # The partner not known to be seen and ICON not known to be discussed: C1 and C4 are due.
    assert "Missed: Arrange to see every carer you have not seen" in out
    assert 'Missed: Discuss ICON ("Babies cry, you can cope") now' in out


def test_grading_counts_the_family_contexts_actions(baseline: Protocol) -> None:
    answers = dict(run(baseline).answers)
    context = {"carers": [{"relationship": "father", "seen": "no"}], "icon_discussed": "yes"}
    decision = decide(baseline, answers, context=context)
    case = qz.Case("X", "title", "narrative", "why", answers, decision, context)
    due = [a.action.id for a in decision.actions]
    assert "see_every_carer" in due
    fb = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", (), due)
    assert fb.actions_correct
    told = dict(qz.family(baseline, context))
    assert any("father" in v.lower() and "seen: no" in v.lower() for v in told.values())
    assert dict(qz.family(baseline, None)) == {}


def test_the_sheet_says_when_the_answers_together_lower_the_pathway(baseline: Protocol) -> None:
    # Crawling, seen by a professional: neither answer alone changes the pathway for this
    # 10-week-old, together they make the baby mobile, and the pathway less urgent.
    case = _case(baseline)
    reading = _reading(
        baseline, case, mobility_milestones=("crawling",), mobility_seen_by_professional=True
    )
    fb = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", reading)
    assert [r.alone for r in fb.readings if not r.same] == [None, None]
    assert fb.less_urgent_reading and fb.on_your_reading is not None
    lines = qz.summary_lines([qz.result(baseline, "0" * 64, "f", [fb], WHEN)])
    (said,) = [x for x in lines if x.startswith("  on the answers given the protocol gives")]
    assert fb.on_your_reading.title in said and said.endswith(" - LESS urgent")
    right = qz.grade(baseline, case, "refer_same_day_csc_and_paediatric", _reading(baseline, case))
    lines = qz.summary_lines([qz.result(baseline, "0" * 64, "f", [right], WHEN)])
    assert not any(x.startswith("  on the answers given") for x in lines)
