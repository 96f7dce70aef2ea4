"""What depends on an unknown answer is judged over every completion of the unknowns: advice, a
conditional action, the deciding rule and whether a question is asked are stated or left out
when they are the same in every completion, and "may apply" only when they differ."""

from __future__ import annotations

from typing import Any

import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml
from tests.conftest import load_text, mark, run2

MOBILE = ["rolling", "sitting", "crawling", "pulling_to_stand", "cruising", "walking"]


def _child(baseline: Protocol, age_weeks: int) -> Decision:
    """A walking child with an unexplained-by-a-witness ear bruise; gestation not known."""
    return run2(
        baseline,
        age_weeks=age_weeks,
        gestation_weeks_at_birth=None,
        mobility_milestones=MOBILE,
        marks=[mark(site="ear", explanation="plausible_consistent", explained_by="father")],
    )


def _rules(d: Decision) -> dict[str, tuple[str, bool]]:
    return {r.id: (r.kind, r.certain) for r in d.rules_fired}


def test_a_six_year_old_with_no_gestation_is_not_born_before_37_weeks(
    baseline: Protocol,
) -> None:
    d = _child(baseline, 312)
    rules = _rules(d)
    # A9 "born before 37 weeks" and A5 "a milestone set aside for age" hold in no completion
    # (the corrected age is at least 294 weeks whatever the gestation): neither is shown.
    assert "A9" not in rules and "A5" not in rules
    assert not any(a.action.id == "record_corrected_age" for a in d.actions)
    # The gestation is still not known, and that is said (A6), as a fact about the answers.
    assert rules["A6"] == ("advice", True)
    assert "gestation_weeks_at_birth" in d.unanswered
    # The same rule decides in every completion: it decides, nothing was raised for safety.
    assert rules["B8"][0] == "decides"
    assert d.deciding_rule is not None and d.deciding_rule.id == "B8"
    assert not d.raised
    assert d.unknowns_that_decided == ()
    # Whether a professional saw the baby walk is asked in no completion: not asked, not unknown.
    assert "mobility_seen_by_professional" not in d.unanswered
    assert any(s.question == "mobility_seen_by_professional" for s in d.not_asked)


def test_a_thirty_week_old_with_no_gestation_may_have_been_born_before_37_weeks(
    baseline: Protocol,
) -> None:
    d = _child(baseline, 30)
    rules = _rules(d)
    # At 30 weeks a gestation under 37 weeks is possible and so is one over: "may apply".
    assert rules["A9"] == ("advice", False)
    assert any(a.action.id == "record_corrected_age" for a in d.actions)
    assert "mobility_seen_by_professional" in d.unanswered
    assert d.raised
    assert "gestation_weeks_at_birth" in d.unknowns_that_decided


def test_the_pathway_is_the_same_as_with_every_gestation_given(baseline: Protocol) -> None:
    """Settling what is shown never changes the outcome: the same as the most urgent of the
    answers with each gestation given."""
    for age in (30, 312):
        unknown = _child(baseline, age)
        outcomes = []
        for g in range(22, 45):
            known = run2(
                baseline,
                age_weeks=age,
                gestation_weeks_at_birth=g,
                mobility_milestones=MOBILE,
                marks=[mark(site="ear", explanation="plausible_consistent", explained_by="father")],
                # Asked when the corrected age is 21 weeks or less; nobody has seen it.
                mobility_seen_by_professional=False if age - (40 - g) <= 21 else ...,
            )
            assert known.pathway is not None
            outcomes.append(known.pathway.urgency)
        assert unknown.pathway is not None and unknown.pathway.urgency == min(outcomes)


TINY = """
metadata: {id: tiny, title: Tiny, version: "1", status: draft, issued_by: Tests,
           review_due: 2030-01-01, disclaimer: Supports judgement.}
sources: [{id: s1, title: Source, url: "https://example.org"}]
questions:
  - {id: g, type: number, prompt: Gestation?, unit: weeks, min: 22, max: 44, allow_unknown: true}
  - {id: seen, type: boolean, prompt: Seen?}
pathways:
  - id: refer
    title: Refer
    urgency: 1
    timescale: {label: Today}
    actions:
      - {id: impossible, text: Never needed (g is at least 22)., when: {question: g, lt: 10}}
      - {id: possible, text: Needed if preterm., when: {question: g, lt: 37}}
  - {id: record, title: Record, urgency: 2, timescale: {label: Now}}
rules:
  - {id: R1, when: {question: seen, equals: false}, pathway: refer, because: Not seen., cite: [s1]}
  - {id: R2, when: {question: g, ge: 0}, pathway: record, because: Seen., cite: [s1]}
advice:
  - id: A_never
    when: {question: g, gt: 50}
    because: Never true.
    cite: [s1]
    actions: [{id: never, text: Never.}]
  - id: A_always
    when: {question: g, lt: 100}
    because: Always true.
    cite: [s1]
    actions: [{id: always, text: Always.}]
  - id: A_maybe
    when: {question: g, lt: 37}
    because: Sometimes true.
    cite: [s1]
    actions: [{id: maybe, text: Maybe.}]
"""


def _tiny(answers: dict[str, Any]) -> Decision:
    loaded = load_text(TINY, "tiny.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    checked = check_answers(loaded.protocol, read_yaml(yaml.safe_dump(answers), "a.yaml"))
    assert not [p for p in checked.problems if p.severity == "error"]
    return decide(loaded.protocol, checked.answers)


def test_advice_and_actions_on_an_unknown_number_are_settled_by_its_range() -> None:
    d = _tiny({"g": None, "seen": False})
    rules = _rules(d)
    assert "A_never" not in rules
    assert rules["A_always"] == ("advice", True)
    assert rules["A_maybe"] == ("advice", False)
    actions = {a.action.id: a.uncertain for a in d.actions}
    assert "impossible" not in actions and "never" not in actions
    assert actions["always"] is False
    assert actions["possible"] is True
    assert actions["maybe"] is False  # its advice says it may apply (A_maybe, not certain)
    # R1 decides for the answers as given (g is not read); R2 below it is not shown.
    assert [(r.id, r.kind) for r in d.rules_fired if r.kind != "advice"] == [("R1", "decides")]


def test_a_rule_that_decides_in_every_completion_decides() -> None:
    d = _tiny({"g": None, "seen": True})
    assert d.pathway is not None and d.pathway.id == "record"
    assert d.deciding_rule is not None and d.deciding_rule.id == "R2"
    assert not d.raised


def test_a_marks_answer_not_known_is_listed_under_what_was_not_known(tmp_path: Any) -> None:
    """A cannula bruise (documented) and an unexplained thigh bruise whose pattern is not sure:
    the unexplained bruise refers whatever the pattern, so the pattern did not decide, and the
    printout still says it was not known, with its mark."""
    from typer.testing import CliRunner

    from bruising_check.cli import _register, app

    _register()
    answers = {
        "immediate_danger": "no",
        "injury_red_flags": [],
        "age_weeks": 8,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": [],
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": [
            mark(site="back_of_hand", explanation="documented_procedure_or_birth_injury"),
            mark(site="thigh", patterned="not_sure", explanation="none_given"),
        ],
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    known = result.stdout.split("WHAT WAS NOT KNOWN")[1].split("THE CHILD")[0]
    assert "mark 2: Is it patterned" in known
    assert "mark 1" not in known
    assert "REFER TODAY" in result.stdout


def test_a_rule_that_decides_only_as_given_is_not_said_to_decide(tmp_path: Any) -> None:
    """A walking child, one forehead bruise, plausibly explained, pattern not sure: if patterned,
    B7 refers; if not, B9 gives no referral. The pathway is the referral; B9 is shown as what
    the answers as given would decide, never as the rule that decided."""
    from typer.testing import CliRunner

    from bruising_check.cli import _register, app

    _register()
    answers = {
        "immediate_danger": "no",
        "injury_red_flags": [],
        "age_weeks": 78,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": MOBILE,
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": [
            mark(site="forehead", patterned="not_sure", explanation="plausible_consistent"),
        ],
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "REFER TODAY" in text
    # B7 only might apply: its sentence is conditional on the unknown it hangs on, never flat.
    assert (
        "B7 (might apply): If \u201cmark 1: Is it patterned\u201d (not known) makes it apply:"
        in text
    )
    assert "B9 (decides for the answers as given, unless an answer that is not known" in text
    assert "B9 (decides the pathway)" not in text
    assert "mark 1: Is it patterned" in text
