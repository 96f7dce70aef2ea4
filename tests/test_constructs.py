"""Issue 14.3: roles, conditional actions, relative timescales and the out-of-scope outcome,
on the demo protocol `tests/protocols/constructs-demo.yaml` and tiny inline variants of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from bruising_check.cli import _register, app
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.engine.urgency import more_urgent
from bruising_check.problems import Code
from bruising_check.protocol.loader import Loaded
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.roles import ROLE_QUESTION
from bruising_check.protocol.yamlread import read_yaml
from bruising_check.records.record import Record, build_record
from bruising_check.records.session import Session
from bruising_check.render.plain import text as render_text
from tests.conftest import BASE_ANSWERS, load_text

DEMO_FILE = Path(__file__).parent / "protocols" / "constructs-demo.yaml"
DEMO = DEMO_FILE.read_text(encoding="utf-8")
NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
ROLES = ("health_visitor", "gp", "nursery_practitioner")
ABRASION = {"mobile": False, "mark_type": "abrasion", "explanation": "plausible"}


@pytest.fixture(scope="module")
def demo() -> Protocol:
    loaded = load_text(DEMO, str(DEMO_FILE))
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert loaded.protocol is not None
    return loaded.protocol


def run(protocol: Protocol, answers: dict[str, Any]) -> Decision:
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors
    return decide(protocol, checked.answers)


def record(protocol: Protocol, answers: dict[str, Any]) -> Record:
    return build_record(protocol, "0" * 64, run(protocol, answers), created_at=NOW)


def codes(text: str) -> list[tuple[Code, int]]:
    return [(p.code, p.line) for p in load_text(text).problems if p.severity == "error"]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- roles -----------------------------------------------------------------------------------


def test_the_role_is_a_reserved_question_asked_first(demo: Protocol) -> None:
    first = demo.questions[0]
    assert first.id == ROLE_QUESTION
    assert [o.id for o in getattr(first, "options", ())] == list(ROLES)
    assert not first.required  # not given: not known, never a guess


@pytest.mark.parametrize(
    ("role", "pathway"),
    [
        ("health_visitor", "record_and_advise"),
        ("gp", "record_and_advise"),
        ("nursery_practitioner", "gp_today"),
    ],
)
def test_rules_test_the_role(demo: Protocol, role: str, pathway: str) -> None:
    decision = run(demo, {**ABRASION, "role": role})
    assert decision.pathway is not None and decision.pathway.id == pathway
    assert decision.exact and ROLE_QUESTION not in decision.unknowns_that_decided


def test_a_role_not_given_is_the_most_urgent_over_every_role(demo: Protocol) -> None:
    decision = run(demo, ABRASION)
    assert decision.pathway is not None and decision.pathway.id == "gp_today"
    assert ROLE_QUESTION in decision.unknowns_that_decided


@settings(max_examples=60, deadline=None)
@given(
    mobile=st.booleans(),
    mark_type=st.sampled_from(["bruise", "abrasion"]),
    explanation=st.sampled_from(["plausible", "not_plausible"]),
    gp=st.sampled_from(["yes", "no", "not_yet_known", None]),
)
def test_no_role_is_never_less_urgent_than_any_role(
    demo: Protocol, mobile: bool, mark_type: str, explanation: str, gp: str | None
) -> None:
    answers: dict[str, Any] = {"mobile": mobile}
    if not mobile:
        answers["mark_type"] = mark_type
        if mark_type == "abrasion":
            answers["explanation"] = explanation
            if explanation == "plausible" and gp is not None:
                answers["gp_rules_out_safeguarding_cause"] = gp
    unknown = run(demo, answers)
    assert unknown.pathway is not None
    for role in ROLES:
        known = run(demo, {**answers, "role": role})
        assert known.pathway is not None
        assert not more_urgent((known.pathway, known.then), (unknown.pathway, unknown.then))


def test_an_unknown_role_in_answers_is_refused(demo: Protocol) -> None:
    checked = check_answers(
        demo, read_yaml(yaml.safe_dump({**ABRASION, "role": "dentist"}), "answers.yaml")
    )
    assert [p.code for p in checked.problems] == [Code.ANSWER_OPTION]
    assert "nursery_practitioner" in checked.problems[0].message


def test_unknown_role_and_no_roles_are_located_errors() -> None:
    bad = DEMO.replace("{role: {in: [nursery_practitioner]}}", "{role: {in: [nursery]}}")
    assert codes(bad) == [(Code.UNKNOWN_ROLE, line_of(bad, "{role: {in: [nursery]}}"))]
    bad = DEMO.replace("{role: {health_professional: true}}", "{role: {equals: dentist}}")
    assert codes(bad) == [(Code.UNKNOWN_ROLE, line_of(bad, "{role: {equals: dentist}}"))]
    start, end = DEMO.index("roles:\n"), DEMO.index("questions:\n")
    bare = DEMO[:start] + DEMO[end:]
    assert codes(bare) == [
        (Code.NO_ROLES_DECLARED, line_of(bare, "{role: {health_professional: true}}")),
        (Code.NO_ROLES_DECLARED, line_of(bare, "{role: {in: [nursery_practitioner]}}")),
    ]


def test_a_question_named_role_clashes_only_when_roles_are_declared() -> None:
    clash = DEMO.replace("  - id: mobile\n", "  - id: role\n", 1)
    assert (Code.ID_CLASH, line_of(clash, "  - id: role")) in codes(clash)


def test_problems_on_questions_keep_their_lines_when_roles_are_declared() -> None:
    bad = DEMO.replace(
        "ask_if: {question: mark_type, equals: abrasion}",
        "ask_if: {question: mark_type, equals: burn}",
    )
    assert codes(bad) == [(Code.UNKNOWN_OPTION, line_of(bad, "equals: burn}"))]


# --- conditional actions --------------------------------------------------------------------


def _actions(r: Record) -> dict[str, Any]:
    return {a.id: a for a in r.actions}


def test_an_action_applies_only_when_its_condition_holds(demo: Protocol) -> None:
    nursery = {**ABRASION, "role": "nursery_practitioner"}
    cannot = _actions(record(demo, {**nursery, "gp_rules_out_safeguarding_cause": "no"}))
    assert set(cannot) == {"gp_appointment", "gp_phones_mash"}
    assert not cannot["gp_phones_mash"].depends_on_unknown
    ruled_out = _actions(record(demo, {**nursery, "gp_rules_out_safeguarding_cause": "yes"}))
    assert set(ruled_out) == {"gp_appointment"}


def test_an_action_whose_condition_is_not_known_is_included_and_marked(demo: Protocol) -> None:
    answers = {**ABRASION, "role": "nursery_practitioner"}
    answers["gp_rules_out_safeguarding_cause"] = "not_yet_known"
    r = record(demo, answers)
    action = _actions(r)["gp_phones_mash"]
    assert action.depends_on_unknown
    assert action.depends_on == ("gp_rules_out_safeguarding_cause",)
    entries = r.json_body()["actions"]
    assert isinstance(entries, list)
    entry = next(a for a in entries if isinstance(a, dict) and a["id"] == "gp_phones_mash")
    assert isinstance(entry, dict) and entry["depends_on_unknown"] is True
    text = render_text(r)
    assert "Has the GP ruled out a safeguarding cause - not known, so" in " ".join(text.split())
    assert "included because it may apply" in " ".join(text.split())


def test_records_without_the_constructs_carry_none_of_their_keys(demo: Protocol) -> None:
    body = record(demo, {**ABRASION, "role": "gp"}).json_body()
    entries = body["actions"]
    assert isinstance(entries, list) and entries
    for entry in entries:
        assert isinstance(entry, dict)
        assert not {"when", "depends_on_unknown", "depends_on"} & set(entry)


# --- timescales relative to another action ---------------------------------------------------


def test_a_relative_timescale_has_no_clock_time(demo: Protocol) -> None:
    r = record(demo, {"mobile": False, "mark_type": "bruise", "role": "gp"})
    by_id = _actions(r)
    assert by_id["call_mash"].deadline is not None and by_id["call_mash"].deadline.kind == "now"
    body = r.json_body()["actions"]
    assert isinstance(body, list)
    deadlines = {a["id"]: a["deadline"] for a in body if isinstance(a, dict)}
    assert deadlines["paediatric_assessment"] == {
        "kind": "after",
        "hours": 4,
        "by": None,
        "on": None,
        "after": "call_mash",
    }
    assert deadlines["iarf"] == {
        "kind": "after",
        "hours": 0,
        "by": None,
        "on": None,
        "after": "call_mash",
    }
    text = " ".join(render_text(r).split())
    assert "When: Within 4 hours of the referral" in text
    assert "When: Straight after the call" in text
    assert "Within 4 hours of the referral - by" not in text  # no clock time is invented


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("after: call_mash, hours: 4", "after: call_the_mash, hours: 4", Code.UNKNOWN_AFTER),
        ("after: call_mash, hours: 4", "after: paediatric_assessment, hours: 4", Code.AFTER_CYCLE),
        ("after: gp_appointment}", "after: gp_phones_mash}", Code.AFTER_CYCLE),
    ],
)
def test_relative_timescale_errors_are_located(old: str, new: str, code: Code) -> None:
    assert old in DEMO
    bad = DEMO.replace(old, new, 1)
    found = codes(bad)
    assert found and {c for c, _ in found} == {code}
    lines = {line for _, line in found}
    assert line_of(bad, new) in lines


def test_an_after_cycle_through_two_actions_is_one_error() -> None:
    bad = DEMO.replace(
        "timescale: {label: Immediately, hours: 0}",
        "timescale: {label: After the form, after: iarf}",
    )
    assert [c for c, _ in codes(bad)] == [Code.AFTER_CYCLE]


# --- out of scope ----------------------------------------------------------------------------


def test_out_of_scope_says_the_procedure_does_not_apply(demo: Protocol) -> None:
    r = record(demo, {"mobile": True, "role": "health_visitor"})
    assert r.outcome is not None and r.outcome.level == "out_of_scope"
    outcome = r.json_body()["outcome"]
    assert isinstance(outcome, dict) and outcome["level"] == "out_of_scope"
    text = render_text(r)
    assert "THIS PROCEDURE DOES NOT APPLY" in text
    assert "WHAT TO DO INSTEAD" in text
    assert "Follow your usual safeguarding procedure" in text
    assert "no action" not in text.lower()


def test_out_of_scope_without_actions_still_says_what_to_do() -> None:
    start = DEMO.index("    actions:\n      - id: usual_procedure")
    end = DEMO.index("contacts:\n")
    bare = DEMO[:start] + DEMO[end:]
    loaded: Loaded = load_text(bare)
    assert loaded.ok and loaded.protocol is not None
    text = render_text(record(loaded.protocol, {"mobile": True}))
    assert "follow your local procedure" in text
    assert "no action" not in text.lower()


# --- the command line ------------------------------------------------------------------------

runner = CliRunner()
_register()


def check(tmp_path: Path, answers: dict[str, Any], *args: str) -> Result:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    return runner.invoke(app, ["check", str(DEMO_FILE), "--answers", str(path), *args])


def test_an_unknown_role_is_a_usage_error_listing_the_roles(tmp_path: Path) -> None:
    result = check(tmp_path, ABRASION, "--role", "dentist")
    assert result.exit_code == 2
    assert "'dentist' is not a role" in result.stderr
    assert all(role in result.stderr for role in ROLES)
    assert "Traceback" not in result.output


def test_the_answers_files_role_is_checked_like_the_flag(tmp_path: Path) -> None:
    result = check(tmp_path, {**ABRASION, "role": "dentist"})
    assert result.exit_code == 2
    assert "answers.yaml:4:7: role: 'dentist' is not a role" in result.stderr
    clash = check(tmp_path, {**ABRASION, "role": "gp"}, "--role", "nursery_practitioner")
    assert clash.exit_code == 2 and "differ" in clash.stderr


def test_the_role_flag_answers_the_role_question(tmp_path: Path) -> None:
    hv = check(tmp_path, ABRASION, "--role", "health_visitor", "--format", "json")
    assert hv.exit_code == 0, hv.output
    body = json.loads(hv.stdout)
    assert body["outcome"]["id"] == "record_and_advise"
    assert body["answers"]["role"] == "health_visitor"
    assert body["header"]["role"] == "Health visitor"
    nursery = check(tmp_path, ABRASION, "--role", "nursery_practitioner", "--format", "json")
    assert json.loads(nursery.stdout)["outcome"]["id"] == "gp_today"


def test_without_declared_roles_the_role_stays_free_text(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(BASE_ANSWERS), encoding="utf-8")
    args = ["check", "--answers", str(path), "--role", "Any words", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["header"]["role"] == "Any words"


# --- the guided check ------------------------------------------------------------------------


def test_the_guided_check_asks_the_role_first_unless_it_was_given(demo: Protocol) -> None:
    from tests.test_guided_session import Script

    # Role 3 (nursery), not mobile, abrasion, plausible, GP answer left out; review: Enter.
    script = Script(["3", "n", "2", "1", "", ""])
    outcome = Session(demo, "0" * 64, script, lambda: NOW).run()
    assert script.asked()[0] == ROLE_QUESTION
    assert outcome.answers[ROLE_QUESTION] == "nursery_practitioner"
    assert outcome.decision.pathway is not None and outcome.decision.pathway.id == "gp_today"

    preset = Script(["n", "2", "1", "", ""])
    session = Session(demo, "0" * 64, preset, lambda: NOW)
    session.preset(ROLE_QUESTION, "gp")
    outcome = session.run()
    assert ROLE_QUESTION not in preset.asked()
    assert outcome.decision.pathway is not None
    assert outcome.decision.pathway.id == "record_and_advise"


def test_a_question_may_be_asked_only_for_some_roles() -> None:
    text = DEMO.replace(
        "    ask_if: {question: explanation, equals: plausible}",
        "    ask_if:\n      all:\n        - {question: explanation, equals: plausible}\n"
        "        - {role: {equals: gp}}",
    )
    loaded = load_text(text)
    assert loaded.ok and loaded.protocol is not None, [p.format() for p in loaded.problems]
    nursery = run(loaded.protocol, {**ABRASION, "role": "nursery_practitioner"})
    assert any(s.question == "gp_rules_out_safeguarding_cause" for s in nursery.not_asked)
    gp = run(loaded.protocol, {**ABRASION, "role": "gp", "gp_rules_out_safeguarding_cause": "no"})
    assert gp.answers["gp_rules_out_safeguarding_cause"] == "no"


def test_the_diff_names_changed_roles_conditions_and_timescales(demo: Protocol) -> None:
    from bruising_check.versions.structural import structural_diff

    text = (
        DEMO.replace(
            '        when: {question: gp_rules_out_safeguarding_cause, equals: "no"}\n', ""
        )
        .replace("after: call_mash, hours: 4", "hours: 4")
        .replace("{id: gp, label: GP, health_professional: true}", "{id: gp, label: GP}")
    )
    loaded = load_text(text)
    assert loaded.protocol is not None
    changes = {(c.section, c.item, c.field): c for c in structural_diff(demo, loaded.protocol)}
    when = changes[("pathways", "gp_today", "actions.gp_phones_mash.when")]
    assert when.old == "gp_rules_out_safeguarding_cause is no" and when.new == "(none)"
    after = changes[("pathways", "refer_same_day", "actions.paediatric_assessment.timescale.after")]
    assert after.old == "call_mash" and after.new == "(none)"
    role = changes[("roles", "gp", "health_professional")]
    assert role.old == "true" and role.new == "false"
    # ... and what it does: the rule that tests `health_professional` now means fewer roles.
    assert ("rules", "C3", "when") in changes


def test_an_action_that_depends_on_a_marks_unknown_answer_names_the_mark() -> None:
    from tests.conftest import BASE_MARK, BASELINE

    text = BASELINE.read_text(encoding="utf-8")
    anchor = (
        "        contact: on_call_paediatrician\n"
        "        cite: [panel_2022, nice_surveillance_2024]\n"
    )
    assert text.count(anchor) >= 1
    when = '        when: {some: {group: marks, where: {item: patterned, equals: "yes"}}}\n'
    loaded = load_text(text.replace(anchor, anchor + when, 1))
    assert loaded.ok and loaded.protocol is not None, [p.format() for p in loaded.problems]
    answers = {**BASE_ANSWERS, "marks": [{**BASE_MARK, "patterned": "not_sure"}]}
    r = record(loaded.protocol, answers)
    action = _actions(r)["arrange_paediatric_assessment"]
    assert action.depends_on_unknown and action.depends_on == ("marks[1].patterned",)
    assert "mark 1: " in " ".join(render_text(r).split())
    sure = record(loaded.protocol, {**BASE_ANSWERS, "marks": [{**BASE_MARK, "patterned": "no"}]})
    assert "arrange_paediatric_assessment" not in _actions(sure)


def test_a_pathways_own_timescale_cannot_run_after_an_action() -> None:
    bad = DEMO.replace(
        "    level: record_and_advise\n    timescale: {label: Today}",
        "    level: record_and_advise\n    timescale: {label: Today, after: record}",
    )
    assert [c for c, _ in codes(bad)] == [Code.SCHEMA]


def test_an_action_timed_after_one_that_does_not_apply_says_act_now(demo: Protocol) -> None:
    text = DEMO.replace(
        "        text: Arrange for the GP to see the child today\n",
        "        text: Arrange for the GP to see the child today\n"
        "        when: {question: explanation, equals: not_plausible}\n",
    )
    loaded = load_text(text)
    assert loaded.ok and loaded.protocol is not None, [p.format() for p in loaded.problems]
    answers = {**ABRASION, "role": "nursery_practitioner", "gp_rules_out_safeguarding_cause": "no"}
    r = record(loaded.protocol, answers)
    assert set(_actions(r)) == {"gp_phones_mash"}
    shown = " ".join(render_text(r).split())
    assert "Straight after seeing the child (the action it follows is not listed here" in shown


@pytest.mark.parametrize("base", ["national-baseline.yaml", "examples/exampleshire-v2.yaml"])
def test_declaring_roles_changes_nothing_else(base: str) -> None:
    """The role resolution rebuilds the protocol: apart from the role question, it must be the
    very same protocol (every rule, fact, pathway and text)."""
    from tests.conftest import ROOT

    text = (ROOT / "protocols" / base).read_text(encoding="utf-8")
    plain = load_text(text)
    roles = (
        "roles:\n  - {id: gp, label: GP, health_professional: true}\n  - {id: n, label: Nurse}\n"
    )
    with_roles = load_text(text.replace("\nquestions:\n", "\n" + roles + "questions:\n", 1))
    assert plain.protocol is not None and with_roles.protocol is not None
    resolved = with_roles.protocol
    assert resolved.questions[0].id == ROLE_QUESTION
    same = resolved.model_copy(update={"questions": resolved.questions[1:], "roles": ()})
    assert same == plain.protocol
    # Every problem still points at its own line (those below `roles:` moved down with it).
    at = line_of(text, "questions:")
    assert [(p.code, p.line) for p in with_roles.problems] == [
        (p.code, p.line + (roles.count("\n") if p.line >= at else 0)) for p in plain.problems
    ]


def test_one_role_alone_is_refused() -> None:
    start, end = DEMO.index("  - {id: gp, label: GP"), DEMO.index("questions:\n")
    one = DEMO[:start] + DEMO[end:]
    one = one.replace("{role: {in: [nursery_practitioner]}}", "{role: {equals: health_visitor}}")
    assert [c for c, _ in codes(one)] == [Code.SCHEMA]


def test_the_handbook_shows_roles_conditions_and_out_of_scope(demo: Protocol) -> None:
    from bruising_check.render.handbook import build
    from bruising_check.render.handbook_text import markdown

    md = markdown(build(demo, file="demo.yaml", sha256="0" * 64, today=dt.date(2026, 11, 27)))
    roles = md.split("## Who may be checking", 1)[1].split("## ", 1)[0]
    assert "- GP\n  - health professional" in roles
    assert "- Nursery or early years practitioner\n  - not a health professional" in roles
    action = md.split("the GP phones the MASH", 1)[1]
    assert action.startswith('\n  - **Only if**\n    - gp rules out safeguarding cause is "No"')
    scope = md.split("The child is independently mobile\n", 2)[-1]
    assert "**This procedure does not apply.**" in scope
    assert "no action" not in md.lower()
