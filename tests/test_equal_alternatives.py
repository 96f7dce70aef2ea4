"""Equal alternatives (issue 14.2): two pathways of one rank ("same-day GP" and "same-day
paediatrician"). When an answer that is not known decides between them, the engine shows one
and names the other, with the answer it depends on, in the decision, the record and the
printout; a health visitor then knows what to find out, since the actions differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from tests.conftest import ROOT, load_text

_register()
runner = CliRunner()

TIES = """\
metadata:
  id: ties
  title: Ties
  version: "1"
  status: draft
  issued_by: Test partnership
  review_due: 2030-01-01
  disclaimer: Supports, does not replace, judgement.
sources:
  - {id: s1, title: Source one, url: "https://example.org/s1"}
questions:
  - {id: gp_today, type: boolean, prompt: Can a GP see the baby today?, allow_unknown: true}
  - {id: danger, type: boolean, prompt: In danger now?, allow_unknown: true}
pathways:
  - id: protect
    title: Protect now
    urgency: 1
    level: protect_now
    timescale: {label: Immediately, hours: 0}
    actions: [{id: call, text: Call 999}]
  - id: gp
    title: Same-day GP review
    urgency: 2
    level: health_opinion_same_day
    timescale: {label: Same day, same_day: true}
    actions: [{id: book_gp, text: Book a GP appointment for today}]
  - id: paediatrician
    title: Same-day paediatrician review
    urgency: 2
    level: health_opinion_same_day
    timescale: {label: Same day, same_day: true}
    actions: [{id: phone_paeds, text: Phone the paediatrician on call}]
rules:
  - {id: R0, when: {question: danger, equals: true}, pathway: protect, because: Danger., cite: [s1]}
  - {id: R1, when: {question: gp_today, equals: true}, pathway: gp, because: A GP can., cite: [s1]}
  - id: R2
    when: {question: gp_today, equals: false}
    pathway: paediatrician
    because: No GP today.
    cite: [s1]
"""


def ties() -> Protocol:
    loaded = load_text(TIES, "ties.yaml")
    assert loaded.protocol is not None, loaded.problems
    return loaded.protocol


def decision(p: Protocol, answers: dict[str, Any]) -> Decision:
    checked = check_answers(p, read_yaml(json.dumps(answers), "answers.json"))
    assert checked.ok, checked.problems
    return decide(p, checked.answers)


def test_an_unknown_between_equal_alternatives_names_the_other_one() -> None:
    p = ties()
    d = decision(p, {"gp_today": None, "danger": False})
    # The one listed first in the protocol is shown, whatever order the search tries answers in.
    assert d.pathway is not None and d.pathway.id == "gp"
    (alt,) = d.equally_urgent
    assert alt.pathway is not None and alt.pathway.id == "paediatrician"
    # The reasons are those of the pathway shown.
    assert [(r.id, r.pathway) for r in d.rules_fired] == [("R1", "gp")]
    # Listed the other way round, the paediatrician review is shown: the protocol's order
    # decides, not the order in which the search tries the answers.
    gp_block = TIES[TIES.index("  - id: gp\n") : TIES.index("  - id: paediatrician\n")]
    paeds_block = TIES[TIES.index("  - id: paediatrician\n") : TIES.index("rules:")]
    swapped = load_text(TIES.replace(gp_block + paeds_block, paeds_block + gp_block), "s.yaml")
    assert swapped.protocol is not None, swapped.problems
    other = decision(swapped.protocol, {"gp_today": None, "danger": False})
    assert other.pathway is not None and other.pathway.id == "paediatrician"
    assert [a.pathway.id for a in other.equally_urgent if a.pathway] == ["gp"]
    assert [(r.id, r.pathway) for r in other.rules_fired] == [("R2", "paediatrician")]
    assert alt.depends_on == ("gp_today",)
    # Neither is less urgent, so the unknown did not "decide" in that sense.
    assert d.unknowns_that_decided == ()


def test_known_answers_or_a_more_urgent_possibility_give_no_alternative() -> None:
    p = ties()
    assert decision(p, {"gp_today": True, "danger": False}).equally_urgent == ()
    # Danger not known: protect now is the most urgent outcome, and nothing ties with it.
    d = decision(p, {"gp_today": None, "danger": None})
    assert d.pathway is not None and d.pathway.id == "protect"
    assert d.equally_urgent == ()


def test_the_record_and_the_printout_name_the_alternative(tmp_path: Path) -> None:
    protocol_file = tmp_path / "ties.yaml"
    protocol_file.write_text(TIES, encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text("gp_today: null\ndanger: false\n", encoding="utf-8")
    args = ["check", str(protocol_file), "--answers", str(answers)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)["outcome"]
    (alt,) = outcome["equally_urgent"]
    assert {alt["id"], outcome["id"]} == {"gp", "paediatrician"}
    assert alt["depends_on"] == ["gp_today"]
    text = runner.invoke(app, [*args, "--plain"]).stdout
    flat = " ".join(text.split())
    title = "Same-day GP review" if alt["id"] == "gp" else "Same-day paediatrician review"
    assert f"Equally urgent: “{title}”, if “Can a GP see the baby today” were answered" in flat
    # Without a tie the record has no such key at all (records that use none read as before).
    answers.write_text("gp_today: true\ndanger: false\n", encoding="utf-8")
    plain = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert "equally_urgent" not in plain["outcome"]


def test_devon_without_a_role_names_both_same_day_routes(tmp_path: Path) -> None:
    """Devon: a health professional unsure about a birthmark-like mark takes the same-day GP
    route; anyone else gets the same-day health opinion. With no role given, both are as
    urgent, and the printout says the role decides which."""
    answers = tmp_path / "devon.yaml"
    answers.write_text(
        "immediate_danger: 'no'\ninjury_red_flags: []\nage_weeks: 10\n"
        "gestation_weeks_at_birth: 40\nmobility_milestones: []\nreport_channel: seen_in_person\n"
        "diagnosed_bleeding_condition: 'no'\n"
        "health_professional_judgement: unsure_benign_indicators\nsame_day_gp_available: true\n"
        "marks:\n- {type: birthmark_like, site: back, side: midline, size_cm: 2, patterned: 'no',"
        " explanation: none_given, explained_by: mother}\n",
        encoding="utf-8",
    )
    devon = ROOT / "protocols" / "examples" / "devon.yaml"
    result = runner.invoke(
        app, ["check", str(devon), "--answers", str(answers), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)["outcome"]
    # Devon lists the same-day health opinion before its GP route: that one is shown.
    assert outcome["id"] == "same_day_health_opinion"
    assert [a["id"] for a in outcome["equally_urgent"]] == ["devon_same_day_gp_or_paediatrician"]
    assert all(a["depends_on"] == ["role"] for a in outcome["equally_urgent"])
    given = runner.invoke(
        app, ["check", str(devon), "--answers", str(answers), "--format", "json", "--role", "gp"]
    )
    assert "equally_urgent" not in json.loads(given.stdout)["outcome"]


def test_replay_names_the_pathway_a_check_shows_between_equal_alternatives() -> None:
    """diff --cases replays through the compiled pass; between equal alternatives it gives the
    pathway `decide` shows (the first in the protocol's list), whichever order the pathways
    are listed in, never the one the search happened to reach first."""
    from bruising_check.engine.compiled import replay_outcome

    gp_block = TIES[TIES.index("  - id: gp\n") : TIES.index("  - id: paediatrician\n")]
    paeds_block = TIES[TIES.index("  - id: paediatrician\n") : TIES.index("rules:")]
    for text in (TIES, TIES.replace(gp_block + paeds_block, paeds_block + gp_block)):
        loaded = load_text(text, "t.yaml")
        assert loaded.protocol is not None, loaded.problems
        answers = {"gp_today": None, "danger": False}
        shown = decision(loaded.protocol, answers)
        replayed = replay_outcome(loaded.protocol, answers)
        assert replayed is not None
        first, then = replayed
        assert (first.id if first else None, then) == (shown.pathway.id, None)  # type: ignore[union-attr]
