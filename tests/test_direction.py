"""Comparing outcomes across protocols by level (issue 14.2): one order for `validate --against`,
`diff` and the case impact report; ranks only when a side has no level, and then said so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.analysis import compare, outcome_direction, pathway_direction
from bruising_check.cli import _register, app
from bruising_check.protocol.levels import LEVELS, Level, level_rank
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Case, impact
from tests.conftest import BASELINE, load_text

_register()
runner = CliRunner()

SAME_DAY = "refer_same_day_csc_and_paediatric"

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
pathways:
  - id: refer
    title: Refer
    urgency: 1
    level: social_care_same_day
    timescale: {label: Same day, same_day: true}
    actions:
      - {id: phone, text: Phone social care.}
  - id: record
    title: Record
    urgency: 2
    level: record_and_advise
    timescale: {label: Now}
rules:
  - id: R1
    when: {question: mobile, equals: false}
    pathway: refer
    because: Not mobile.
    cite: [s1]
  - id: R2
    when: {question: mobile, equals: true}
    pathway: record
    because: Mobile.
    cite: [s1]
"""


def tiny(text: str = TINY) -> Protocol:
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


def with_pathway(p: Protocol, index: int, **update: Any) -> Protocol:
    pathways = list(p.pathways)
    pathways[index] = pathways[index].model_copy(update=update)
    return p.model_copy(update={"pathways": tuple(pathways)})


# --- the order itself -------------------------------------------------------------------------


def test_a_renamed_pathway_is_the_same_outcome() -> None:
    old = tiny()
    new = with_pathway(old, 0, id="refer_now")
    assert pathway_direction(old, "refer", new, "refer_now").direction == "same"


def test_same_level_different_actions_is_neither_more_nor_less_urgent() -> None:
    old = tiny()
    new = with_pathway(old, 0, id="gp_same_day", title="Same-day GP", urgency=9)
    verdict = pathway_direction(old, "refer", new, "gp_same_day")
    assert verdict.direction == "different_actions" and not verdict.by_rank


def test_levels_decide_whatever_the_ranks_say() -> None:
    old = tiny()
    # The new protocol ranks its social care referral 5th (it inserted tiers above it) and gives
    # it another id; the level says it is the same urgency, so only the title differs.
    new = with_pathway(old, 0, id="refer_later", urgency=5)
    assert pathway_direction(old, "refer", new, "refer_later").direction == "same"
    higher = with_pathway(old, 0, id="refer_now", urgency=7, level="social_care_immediate")
    verdict = pathway_direction(old, "refer", higher, "refer_now")
    assert verdict.direction == "more_urgent" and not verdict.by_rank
    lower = with_pathway(old, 0, id="talk", urgency=1, level="discussion")
    assert pathway_direction(old, "refer", lower, "talk").direction == "less_urgent"


def test_without_a_level_the_ranks_decide_and_the_verdict_says_so() -> None:
    old = tiny()
    # The ids match across the protocols (both have `record`), so one protocol's ranks decide.
    new = with_pathway(old, 1, level=None)
    verdict = pathway_direction(old, "refer", new, "record")
    assert verdict.direction == "less_urgent" and verdict.by_rank and verdict.compared
    assert verdict.note is not None and "rank" in verdict.note


def test_a_gap_is_less_urgent_than_any_pathway() -> None:
    old = tiny()
    assert pathway_direction(old, "record", old, None).direction == "less_urgent"
    assert pathway_direction(old, None, old, "record").direction == "more_urgent"
    assert pathway_direction(old, None, old, None).direction == "same"


def test_follow_ons_decide_when_the_first_steps_are_the_same() -> None:
    old = tiny()
    assert outcome_direction(old, ("refer", "record"), old, ("refer", "refer")).direction == (
        "more_urgent"
    )
    assert outcome_direction(old, ("refer", "refer"), old, ("refer", None)).direction == (
        "less_urgent"
    )
    # A more urgent first step wins whatever follows.
    assert outcome_direction(old, ("record", "refer"), old, ("refer", None)).direction == (
        "more_urgent"
    )


LEVEL_OR_NONE = st.one_of(st.none(), st.sampled_from(LEVELS))


@given(LEVEL_OR_NONE, LEVEL_OR_NONE, st.integers(1, 9), st.integers(1, 9), st.booleans())
def test_the_order_is_antisymmetric_and_follows_levels(
    a: Level | None, b: Level | None, ra: int, rb: int, same_text: bool
) -> None:
    base = tiny()
    old = with_pathway(base, 0, id="p", level=a, urgency=ra)
    new = with_pathway(base, 0, id="q", level=b, urgency=rb, title="Refer" if same_text else "X")
    forward = pathway_direction(old, "p", new, "q")
    back = pathway_direction(new, "q", old, "p")
    mirror = {"more_urgent": "less_urgent", "less_urgent": "more_urgent"}
    assert back.direction == mirror.get(forward.direction, forward.direction)
    assert forward.by_rank == (a is None or b is None)
    if a is not None and b is not None:
        expected = (
            "more_urgent"
            if level_rank(b) < level_rank(a)
            else "less_urgent"
            if level_rank(b) > level_rank(a)
            else "same"
            if same_text
            else "different_actions"
        )
        assert forward.direction == expected


def test_case_impact_counts_a_renamed_pathway_as_no_change() -> None:
    old = tiny()
    new = with_pathway(old, 0, id="refer_now").model_copy(
        update={"rules": (old.rules[0].model_copy(update={"pathway": "refer_now"}), old.rules[1])}
    )
    result = impact(old, new, [Case("a", {"mobile": False}), Case("b", {"mobile": True})])
    assert result.transitions[("refer", "refer_now")] == 1
    assert result.changed == 0 and result.changed_cases == {}
    assert result.to_json()["transitions"][0]["direction"] == "same"


# --- the bundled baseline: a renamed pathway, an inserted "immediate" tier ---------------------


def renamed_text() -> str:
    return BASELINE.read_text(encoding="utf-8").replace(SAME_DAY, "refer_csc_same_day")


def tier_text() -> str:
    """The renamed baseline with an "immediate" social care tier inserted at rank 3 (every lower
    pathway moves down a rank) that a disclosure (rule B3) now goes to."""
    text = renamed_text()
    for a, b in ((6, 7), (5, 6), (4, 5), (3, 4)):
        text = text.replace(f"    urgency: {a}\n", f"    urgency: {b}\n")
    tier = """\
  - id: refer_csc_immediately
    title: Refer to children's social care now, by phone
    urgency: 3
    level: social_care_immediate
    timescale: {label: Immediately, hours: 0}
    actions:
      - id: phone_csc
        text: Phone children's social care now.
        timescale: {label: Immediately, hours: 0}
        contact: csc_front_door
        cite: [panel_2022]

"""
    text = text.replace("  - id: refer_csc_same_day\n", tier + "  - id: refer_csc_same_day\n")
    head, rest = text.split("  - id: B3\n")
    rest = rest.replace("pathway: refer_csc_same_day", "pathway: refer_csc_immediately", 1)
    return head + "  - id: B3\n" + rest


def test_a_renamed_pathway_gives_no_difference_and_no_against_error(tmp_path: Path) -> None:
    path = tmp_path / "renamed.yaml"
    path.write_text(renamed_text(), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--against",
            "national-baseline",
            "--format",
            "json",
            "--budget",
            "120",
        ],
    )
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["against"]["differences"] == []
    assert not [p for p in report["problems"] if p["code"].startswith("AGAINST_")]


def test_an_inserted_immediate_tier_compares_by_level(baseline: Protocol) -> None:
    new = tiny(tier_text())
    comparison = compare(baseline, new, budget_seconds=None)
    pairs = {(d.old_pathway, d.new_pathway): d for d in comparison.differences}
    assert not [d for d in comparison.differences if d.direction == "less_urgent"]
    assert all(not d.by_rank for d in comparison.differences)
    assert pairs[(SAME_DAY, "refer_csc_immediately")].direction == "more_urgent"
    # Every other pathway moved down a rank: by level nothing else changed but the follow-on of
    # emergency care for a disclosure (now the immediate tier).
    assert set(pairs) <= {(SAME_DAY, "refer_csc_immediately"), ("emergency_care_first",) * 2}
    for d in comparison.differences:
        if d.old_pathway == "emergency_care_first":
            assert (d.old_then, d.new_then) == (SAME_DAY, "refer_csc_immediately")


def test_diff_of_a_renamed_pathway_shows_no_behaviour_change(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(TINY, encoding="utf-8")
    new.write_text(TINY.replace("refer", "refer_now"), encoding="utf-8")
    args = ["diff", str(old), str(new), "--fail-on-deescalation", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["behaviour"]["differences"] == [] and report["deescalations"] == 0
    # The same rename at a lower level (same rank) is a change, by level: less urgent.
    lowered = TINY.replace("refer", "refer_now").replace("social_care_same_day", "discussion")
    new.write_text(lowered, encoding="utf-8")
    failing = runner.invoke(app, args)
    assert failing.exit_code == 1
    (diff,) = json.loads(failing.stdout)["behaviour"]["differences"]
    assert diff["direction"] == "less_urgent"


# --- task safety: one pathway whose content changed (L1); ranks that are not one scale (L2) ----


def test_a_same_id_pathway_with_a_longer_timescale_and_no_call_is_less_urgent() -> None:
    old = tiny()
    week = old.pathways[0].timescale.model_copy(update={"hours": 168.0, "same_day": False})
    new = with_pathway(old, 0, timescale=week, actions=())
    assert pathway_direction(old, "refer", new, "refer").direction == "less_urgent"
    assert pathway_direction(new, "refer", old, "refer").direction == "more_urgent"
    comparison = compare(old, new, budget_seconds=None)
    (diff,) = comparison.differences
    assert (diff.old_pathway, diff.new_pathway, diff.direction) == ("refer", "refer", "less_urgent")
    assert diff.size == 1 and diff.compared


def test_a_same_id_pathway_with_other_text_is_different_actions_not_same() -> None:
    old = tiny()
    new = with_pathway(old, 0, title="Refer (edited)")
    assert pathway_direction(old, "refer", new, "refer").direction == "different_actions"


def test_validate_against_and_diff_fail_on_a_slower_same_id_pathway(tmp_path: Path) -> None:
    ref, local = tmp_path / "ref.yaml", tmp_path / "local.yaml"
    ref.write_text(TINY, encoding="utf-8")
    slower = TINY.replace("id: tiny", "id: local").replace(
        "timescale: {label: Same day, same_day: true}\n    actions:\n"
        "      - {id: phone, text: Phone social care.}\n",
        "timescale: {label: Within 7 days, hours: 168}\n",
    )
    assert slower != TINY.replace("id: tiny", "id: local")
    local.write_text(slower, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(local), "--against", str(ref)])
    assert result.exit_code == 1 and "AGAINST_LESS_URGENT" in result.output, result.output
    diff = runner.invoke(app, ["diff", str(ref), str(local), "--fail-on-deescalation"])
    assert diff.exit_code == 1, diff.output


def test_unmatched_pathways_without_a_level_are_not_compared(tmp_path: Path) -> None:
    old = tiny()
    new = with_pathway(old, 0, id="note_it", level=None, urgency=1, title="Just note it")
    verdict = pathway_direction(old, "refer", new, "note_it")
    assert not verdict.compared and verdict.direction == "different_actions"
    assert verdict.note is not None and "not compared" in verdict.note
    ref, local = tmp_path / "ref.yaml", tmp_path / "local.yaml"
    ref.write_text(TINY, encoding="utf-8")
    text = (
        TINY.replace("id: tiny", "id: local")
        .replace("  - id: refer\n    title: Refer", "  - id: note_it\n    title: Just note it")
        .replace("    level: social_care_same_day\n", "")
        .replace("pathway: refer\n", "pathway: note_it\n")
    )
    local.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(local), "--against", str(ref)])
    assert result.exit_code == 1, result.output
    assert (
        "AGAINST_NOT_COMPARED" in result.output and "give pathway note_it a level" in result.output
    )
    # The diff says the same in its summary and its section: never "same urgency".
    shown = runner.invoke(app, ["diff", str(ref), str(local)]).stdout
    assert "same urgency" not in shown and "No situation gets a less urgent" not in shown
    assert "NOT COMPARED for 1 situations" in shown
    assert "NOT COMPARED, may be less urgent !!: 1 situations" in shown
    # A case re-run under both says the same, fails --fail-on-deescalation, and the board paper
    # names it as not compared (it said "Different actions, same urgency").
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n  - id: baby\n    title: Not mobile\n    answers: {mobile: false}\n"
        "    expect: {outcome: refer}\n",
        encoding="utf-8",
    )
    with_cases = ["diff", str(ref), str(local), "--cases", str(cases)]
    run = runner.invoke(app, [*with_cases, "--fail-on-deescalation"])
    assert run.exit_code == 1, run.output
    assert "NOT COMPARED, may be less urgent !! refer → note_it: 1 case" in run.stdout
    assert "(less urgent or not compared: 1)" in run.stdout
    board = runner.invoke(app, [*with_cases, "--board"]).stdout
    assert "NOT COMPARED, may be less urgent: 1 case from" in board
    assert "same urgency: 1 case" not in board
    impact = json.loads(runner.invoke(app, [*with_cases, "--format", "json"]).stdout)["impact"]
    assert [t["compared"] for t in impact["transitions"]] == [False]


def test_validate_against_warns_of_advice_the_protocol_no_longer_gives(tmp_path: Path) -> None:
    """Advice never changes the pathway, so dropping it is no difference of pathway; a policy
    lead still needs to hear that the practitioner is no longer told to do it (llr-2024 drops
    the baseline's C1-C4)."""
    advice = (
        "advice:\n  - id: C9\n    when: {question: mobile, equals: false}\n"
        "    because: Not mobile.\n    actions:\n"
        "      - {id: tell_gp, text: Tell the GP today.}\n    cite: [s1]\n"
    )
    ref, local = tmp_path / "ref.yaml", tmp_path / "local.yaml"
    ref.write_text(TINY + advice, encoding="utf-8")
    local.write_text(TINY.replace("id: tiny", "id: local"), encoding="utf-8")
    args = ["validate", str(local), "--against", str(ref), "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output  # a warning, not an error
    (report,) = json.loads(result.stdout)
    [lost] = [p for p in report["problems"] if p["code"] == "W_AGAINST_ADVICE_LOST"]
    assert lost["severity"] == "warning"
    assert "C9" in lost["message"] and "Tell the GP today." in lost["message"]
    # The same advice kept under another id is not lost.
    kept = TINY.replace("id: tiny", "id: local") + advice.replace("id: C9", "id: C1")
    local.write_text(kept, encoding="utf-8")
    (report,) = json.loads(runner.invoke(app, args).stdout)
    assert not [p for p in report["problems"] if p["code"] == "W_AGAINST_ADVICE_LOST"]


def test_advice_moved_onto_a_pathway_is_said_to_be_given_only_there(tmp_path: Path) -> None:
    """An advice action the local protocol gives only as an action of one pathway is still a loss
    (it is no longer given whenever the advice applied) but not "never given"."""
    advice = (
        "advice:\n  - id: C9\n    when: {question: mobile, equals: false}\n"
        "    because: Not mobile.\n    actions:\n"
        "      - {id: tell_gp, text: Tell the GP today.}\n    cite: [s1]\n"
    )
    moved = TINY.replace("id: tiny", "id: local").replace(
        "      - {id: phone, text: Phone social care.}\n",
        "      - {id: phone, text: Phone social care.}\n"
        "      - {id: tell_gp, text: Tell the GP today.}\n",
    )
    ref, local = tmp_path / "ref.yaml", tmp_path / "local.yaml"
    ref.write_text(TINY + advice, encoding="utf-8")
    local.write_text(moved, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(local), "--against", str(ref), "--format", "json"])
    (report,) = json.loads(result.stdout)
    [lost] = [p for p in report["problems"] if p["code"] == "W_AGAINST_ADVICE_LOST"]
    assert "only on pathway(s) refer" in lost["message"]
    assert "never gives" not in lost["message"]
