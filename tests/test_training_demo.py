"""`demo`: a case stepped through answer by answer (pure walk and the command)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.decide import decide
from bruising_check.protocol.model import Protocol
from bruising_check.training.demo import walk
from tests.conftest import BASE_ANSWERS, ROOT, run
from tests.test_properties import PROTOCOL, answer_sets

_register()
runner = CliRunner()
RULES_FILE = ROOT / "protocols" / "scenarios" / "baseline-rules.yaml"
SCRATCH = f"{RULES_FILE}#BL-R09"


def test_each_answer_shows_what_it_rules_in_and_out(baseline: Protocol) -> None:
    answers = dict(run(baseline).answers)  # the 10-week-old with a cheek bruise
    steps, end = walk(baseline, answers)
    by_id = {s.question: s for s in steps}
    assert by_id["immediate_danger"].ruled_out == ("B0",)
    assert by_id["injury_red_flags"].ruled_out == ("B1",)
    mobility = by_id["mobility_milestones"]
    assert set(mobility.ruled_out) == {"B7", "B8", "B9"}
    assert mobility.now_true == ()
    assert "Independently mobile: no" in mobility.facts
    assert by_id["diagnosed_bleeding_condition"].ruled_out == ("B5",)
    marks = by_id["marks"]
    assert marks.ruled_out == ("B2", "B3", "B4", "B6a") and marks.now_true == ("B6",)
    # The group's answer reads item by item with labels, never as raw data.
    assert marks.answer.startswith("mark 1: type: Bruise, site: Face: cheek (the fleshy part),")
    assert "{" not in marks.answer and "'" not in marks.answer
    # B6 decides only once every earlier rule (B2..B6a, on the marks) is ruled out.
    settled = [s.question for s in steps if s.decided]
    assert settled[0] == "marks"
    assert end.rule == "B6" and end.decision.pathway is not None
    assert {s.id for s in end.sources} >= {"nice_cg89", "panel_2022"}
    assert ("A2" in dict(end.advice)) and ("A3" in dict(end.advice))


@settings(max_examples=150, deadline=None)
@given(answer_sets(PROTOCOL))
def test_demo_agrees_with_the_engine_and_never_changes_its_mind(answers: dict[str, Any]) -> None:
    steps, end = walk(PROTOCOL, answers)
    decision = decide(PROTOCOL, answers)
    assert decision.deciding_rule is not None
    assert end.rule == decision.deciding_rule.id
    assert steps[-1].decided == decision.deciding_rule.id
    # Each rule is settled once: answers only ever turn "not yet known" into true or false.
    settled = [r for s in steps for r in (*s.ruled_out, *s.now_true)]
    assert len(settled) == len(set(settled))
    # Once decided, the deciding rule stays the same to the end.
    decided = [s.decided for s in steps if s.decided]
    assert set(decided) == {decision.deciding_rule.id}


def test_demo_no_pause_runs_to_the_result() -> None:
    result = runner.invoke(app, ["demo", "--scenario", SCRATCH, "--no-pause"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "DEMO  BL-R09: Fingernail scratch on the hand" in out
    assert "Why we ask: Crawling (including commando crawling), bottom shuffling" in out
    assert "Answer: mark 1: type: Abrasion or laceration (scratch, graze, cut)" in out
    assert "Ruled out: B3 (Refer today" in out
    assert "Decided: every earlier rule is ruled out, so B6a decides." in out
    assert "Decided by rule B6a:" in out
    assert "Enter to continue" not in out
    assert "does not replace, professional judgement" in out


def test_demo_waits_for_enter_and_stops_on_q() -> None:
    result = runner.invoke(app, ["demo", "--scenario", SCRATCH], input="\n\nq\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Enter to continue") == 3
    assert result.stdout.rstrip().endswith("Stopped.")
    assert "RESULT" not in result.stdout


def test_demo_runs_on_when_input_ends() -> None:
    result = runner.invoke(app, ["demo", "--scenario", SCRATCH], input="\n")
    assert result.exit_code == 0
    assert result.stdout.count("Enter to continue") == 2  # then end of input: no more waiting
    assert "Decided by rule B6a:" in result.stdout


def test_demo_case_errors_are_usage_errors() -> None:
    no_id = runner.invoke(app, ["demo", "--scenario", str(RULES_FILE)])
    assert no_id.exit_code == 2 and "FILE#ID" in no_id.stderr
    wrong = runner.invoke(app, ["demo", "--scenario", f"{RULES_FILE}#NOPE"])
    assert wrong.exit_code == 2 and "no case 'NOPE'" in wrong.stderr
    missing = runner.invoke(app, ["demo", "--scenario", "missing.yaml#X"])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_demo_shows_terminal_escapes_in_scenario_text_literally(tmp_path: Any) -> None:
    import yaml

    path = tmp_path / "cases.yaml"
    case = {
        "id": "E1",
        "title": "Escape \x1b[2J test",
        "narrative": "Text with \x1b]0;owned\x07 in it",
        "answers": BASE_ANSWERS,
        "expect": {"outcome": "refer_same_day_csc_and_paediatric"},
    }
    path.write_text(yaml.safe_dump({"cases": [case]}), encoding="utf-8")
    result = runner.invoke(app, ["demo", "--scenario", f"{path}#E1", "--no-pause"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "Escape \\x1b[2J test" in result.stdout


def test_demo_finds_a_bundled_scenario_file_by_name() -> None:
    result = runner.invoke(app, ["demo", "--scenario", "baseline-rules#BL-R01", "--no-pause"])
    assert result.exit_code == 0, result.output
    assert "Decided by rule B1:" in result.stdout


def _demo(case: str) -> str:
    result = runner.invoke(app, ["demo", "--scenario", case, "--no-pause"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_result_is_the_checks_own_rationale_with_the_contested_note() -> None:
    out = _demo(SCRATCH).split("RESULT", 1)[1]
    # The contested rule is the point of BL-R09: said beside the rule that decides.
    assert "Contested rule: Contested - many local protocols refer every mark" in out
    # The rationale document's sections, in its order: pathway, action checklist, reasons.
    order = ["PATHWAY: TODAY, A PAEDIATRICIAN", "ACTIONS", "[ ]   ", "WHY", "B6a (decides"]
    places = [out.index(x) for x in order]
    assert places == sorted(places)
    assert "(PLACEHOLDER: not a real contact)" in out
    assert "CONTEXT (NEVER CHANGES THE PATHWAY; MAY ADD ACTIONS)" in out
    assert out.count("does not replace, professional judgement") == 1


def test_not_sure_and_the_family_context_are_shown() -> None:
    unsure = _demo("baseline-unknowns-and-carers#BL-U03")
    assert "WHAT WAS NOT KNOWN" in unsure and "mark 1: Is it patterned" in unsure
    assert "never taken as a fact" in unsure
    family = _demo("baseline-unknowns-and-carers#BL-C03").split("CONTEXT (NEVER CHANGES", 1)[1]
    assert "Partner (of a parent); Have you seen them: Not known; Known" in family
    assert "Has ICON" in family


def _actions(out: str) -> str:
    return " ".join(out.split("ACTIONS", 1)[1].split("WHY", 1)[0].split())


def test_the_family_context_adds_its_actions_to_the_demo() -> None:
    # BL-C03: the partner not known to be seen, ICON not known to be discussed, other
    # children not asked: the check's final result adds C1 and C4, and C2, C3 as "may apply".
    out = _demo("baseline-unknowns-and-carers#BL-C03").split("RESULT", 1)[1]
    assert "The answers about the family add 4 actions (marked New)" in out
    actions = _actions(out)
    new = "New (from the answers about the family): "
    assert new + "Arrange to see every carer you have not seen" in actions
    assert new + 'Discuss ICON ("Babies cry, you can cope") now' in actions
    assert new + "May apply (an answer it depends on is not known): Ask the GP" in actions
    assert "PATHWAY: NOT A REFERRAL" in out  # the context never changes the pathway
    # BL-C02: every carer seen, ICON discussed, two other children: C3, firm (C2 may apply:
    # substance misuse and domestic abuse were not asked about).
    seen = _actions(_demo("baseline-unknowns-and-carers#BL-C02"))
    assert new + "Tell children's social care about the other children" in seen
    assert "Arrange to see every carer" not in seen and "Discuss ICON" not in seen


def test_the_demo_decides_with_the_family_context(baseline: Protocol) -> None:
    answers = dict(run(baseline).answers)
    context = {"carers": [{"relationship": "father", "seen": "no"}], "icon_discussed": "yes"}
    _, without = walk(baseline, answers)
    _, end = walk(baseline, answers, context)
    assert end.decision == decide(baseline, answers, context=context)
    assert end.decision.pathway == without.decision.pathway
    assert without.from_family == frozenset()
    # The father not seen adds C1; ICON discussed adds no C4. Nothing else is new.
    assert ("C1", "see_every_carer") in end.from_family
    assert not any(src == "C4" for src, _ in end.from_family)
    assert all(src.startswith("C") for src, _ in end.from_family)


def test_each_marks_part_in_the_decision(baseline: Protocol) -> None:
    out = _demo("baseline-reports-and-sites#BL-S12").split("EACH MARK'S PART IN THE DECISION", 1)
    assert len(out) == 2
    first, second = out[1].split("  Mark 2: ")
    assert "sole of the foot" in first and "On its own: Not a referral" in first
    assert "this mark raises it" not in first
    assert "ankle" in second and "On its own: Refer today" in second
    assert "this mark raises it" in second
    # One mark: its part is the whole decision, so no such section.
    assert "EACH MARK'S PART" not in _demo(SCRATCH)


def test_mark_parts_agree_with_the_engine(baseline: Protocol) -> None:
    from bruising_check.training.demo import mark_parts
    from tests.conftest import mark

    answers = dict(
        run(
            baseline, marks=[mark(), mark(explanation="documented_procedure_or_birth_injury")]
        ).answers
    )
    parts = mark_parts(baseline, answers)
    assert [p.number for p in parts] == [1, 2]
    for part, item in zip(parts, answers["marks"], strict=True):
        assert part.alone == decide(baseline, {**answers, "marks": (item,)})
    # The unexplained bruise raises the pathway; the documented one does not.
    assert [p.raises for p in parts] == [True, False]


def test_slides_one_step_a_page_self_contained_and_escaped(
    baseline: Protocol, tmp_path: Any
) -> None:
    import re

    import yaml

    path = tmp_path / "cases.yaml"
    case = {
        "id": "E1",
        "title": "Slides <script>alert(1)</script>",
        "narrative": "A <img src=x onerror=alert(1)> mark \x1b[2J here",
        "answers": BASE_ANSWERS,
        "expect": {"outcome": "refer_same_day_csc_and_paediatric"},
    }
    path.write_text(yaml.safe_dump({"cases": [case]}), encoding="utf-8")
    out = tmp_path / "slides.html"
    result = runner.invoke(app, ["demo", "--scenario", f"{path}#E1", "--slides", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # Scenario text is shown, never obeyed.
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "\x1b" not in page and "\\x1b[2J" in page
    # Offline: nothing fetched, and the policy forbids fetching.
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page)
    assert "default-src 'none'" in page
    # A title page, one page per answer that teaches, the result, the rationale's sections.
    from bruising_check.render.demo_slides import quiet

    steps, _ = walk(baseline, dict(run(baseline).answers))
    taught = sum(1 for s in steps if quiet(baseline, s) is None)
    assert 0 < taught < len(steps)
    headings = re.findall(r'<section class="slide">\s*<h[12]>([^<]*)</h[12]>', page)
    assert headings[0].startswith("Demo E1: Slides")
    assert len([h for h in headings if h.startswith("[")]) == taught
    assert "Result" in headings and "Actions" in headings and "Why" in headings
    assert 'id="count"' in page and "ArrowRight" in page
    again = runner.invoke(app, ["demo", "--scenario", f"{path}#E1", "--slides", str(out)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_the_slides_mark_the_family_contexts_actions(tmp_path: Any) -> None:
    out = tmp_path / "slides.html"
    result = runner.invoke(
        app,
        ["demo", "--scenario", "baseline-unknowns-and-carers#BL-C03", "--slides", str(out)],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "The answers about the family add 4 actions (marked New)" in page
    assert "New (from the answers about the family): Arrange to see every carer" in page


SCENARIO_FILES = sorted((ROOT / "protocols" / "scenarios").glob("*.yaml"))


def _bundled_cases(protocol: Protocol) -> list[tuple[str, Any, Any]]:
    from bruising_check.engine.answers import check_answers
    from bruising_check.training import scenarios as sc

    cases = []
    for path in SCENARIO_FILES:
        data = sc.load_scenarios(path.read_bytes(), str(path))
        assert data.scenarios is not None and data.located is not None, path
        for i, case in enumerate(data.scenarios.cases):
            checked = check_answers(protocol, sc.sub_located(data.located, ("cases", i, "answers")))
            assert checked.ok, (path.name, case.id)
            cases.append((f"{path.name}#{case.id}", checked.answers, checked.context))
    return cases


def test_what_the_demo_says_holds_is_true_on_every_bundled_scenario(baseline: Protocol) -> None:
    """BL-R02 (the only mark a documented cannula bruise) once showed "Now holds: B6" (a mark
    not accounted for): the step-through read each mark without its own facts. Whatever the
    demo says holds or is ruled out after a step must be so with the whole case's answers (the
    engine's own pass), and the rule it says decides is the one the engine decides by."""
    from bruising_check.engine.evaluate import run_pass
    from bruising_check.protocol.conditions import Truth, evaluate

    cases = _bundled_cases(baseline)
    assert len(cases) > 100 and any(name.endswith("#BL-R02") for name, _, _ in cases)
    for name, answers, context in cases:
        steps, end = walk(baseline, answers, context)
        env = run_pass(baseline, answers).env
        whole = {r.id: evaluate(r.when, env) for r in baseline.rules}
        for s in steps:
            for rid in s.now_true:
                assert whole[rid] is not Truth.FALSE, (name, s.question, rid, "said to hold")
            for rid in s.ruled_out:
                assert whole[rid] is not Truth.TRUE, (name, s.question, rid, "said ruled out")
        decision = decide(baseline, answers, context=context)
        rule = decision.deciding_rule
        if steps[-1].decided is not None:
            assert rule is not None and steps[-1].decided == rule.id, name
        assert end.rule == (rule.id if rule else None), name
    r02 = next(a for n, a, _ in cases if n.endswith("#BL-R02"))
    marks = next(s for s in walk(baseline, r02)[0] if s.question == "marks")
    assert "B6" in marks.ruled_out and "B6" not in marks.now_true
    assert "B2" in marks.now_true and marks.decided == "B2"


def test_a_question_not_asked_is_said_in_the_checks_words(
    baseline: Protocol, tmp_path: Any
) -> None:
    """The demo once printed "mobility_seen_by_professional: not asked for this child": an id
    and no reason. It now gives the question as asked and the check's own reason."""
    r02 = next(a for n, a, _ in _bundled_cases(baseline) if n.endswith("#BL-R02"))
    reason = next(
        s.reason
        for s in decide(baseline, r02).not_asked
        if s.question == "mobility_seen_by_professional"
    )
    assert reason.startswith("asked only if ")
    prompt = baseline.question("mobility_seen_by_professional")
    assert prompt is not None
    expected = f"[6/10] {prompt.prompt} (not asked: {reason})"
    out = " ".join(_demo(f"{RULES_FILE}#BL-R02").split())
    assert expected in out
    slides = tmp_path / "s.html"
    result = runner.invoke(
        app, ["demo", "--scenario", f"{RULES_FILE}#BL-R02", "--slides", str(slides)]
    )
    assert result.exit_code == 0, result.output
    html = slides.read_text(encoding="utf-8")
    assert f"Before this: {prompt.prompt} (not asked: {reason})".replace("'", "&#x27;") in html
    for text in (out, html):
        assert (
            "mobility_seen_by_professional" not in text and "not asked for this child" not in text
        )
        assert "notes:" not in text


def test_plain_lasts_only_for_the_command_given_it() -> None:
    """demo --plain drops styling for that run only: the next command in the same process
    (a test runner, an embedding script) styles again unless it asks for plain itself."""
    from bruising_check.cli import training

    result = runner.invoke(
        app, ["demo", "--scenario", f"{RULES_FILE}#BL-R02", "--no-pause", "--plain"]
    )
    assert result.exit_code == 0, result.output
    assert training._PLAIN == [False]


def test_a_rule_that_matches_behind_an_earlier_match_is_not_said_to_hold(
    baseline: Protocol,
) -> None:
    """BL-R02: B2 (every mark accounted for) decides; B4 and B6a also match but come after it,
    so "Now holds: B4" would tell a trainee it might decide. BL-R01: B1 (emergency care first,
    then the rules below) matches first, and B6 gives the follow-on, so B6 is not behind B1.
    Over every bundled scenario, judged by the engine's own decision: a rule said to be behind
    another is behind one that holds and comes first, and is never the rule that decides nor
    the one that gives the follow-on; each of those two is said to hold when it first does."""
    from bruising_check.render.demo_slides import changes

    order = [r.id for r in baseline.rules]
    seen = followed = 0
    for name, answers, context in _bundled_cases(baseline):
        steps, end = walk(baseline, answers, context)
        chosen = {end.rule} | {
            f.id for f in end.decision.rules_fired if f.kind == "then" and f.certain
        }
        truths: dict[str, bool] = {}
        for s in steps:
            truths.update({r: True for r in s.now_true})
            behind = dict(s.behind)
            for rid in s.now_true:
                earlier = [e for e in order[: order.index(rid)] if truths.get(e)]
                if rid in behind:
                    assert behind[rid] in earlier, (name, rid)
                    assert rid not in chosen, (name, rid)
                    seen += 1
                elif rid in chosen:
                    followed += rid != end.rule and bool(earlier)
    assert seen
    assert followed  # some scenario's follow-on matches behind its first step (BL-R01)
    r01 = next(a for n, a, _ in _bundled_cases(baseline) if n.endswith("#BL-R01"))
    assert all("B6" not in dict(s.behind) for s in walk(baseline, r01)[0])
    r02 = next(a for n, a, _ in _bundled_cases(baseline) if n.endswith("#BL-R02"))
    marks = next(s for s in walk(baseline, r02)[0] if s.question == "marks")
    assert dict(marks.behind) == {"B4": "B2", "B6a": "B2"}
    lines = changes(baseline, marks, announce=True)
    assert any(ln.startswith("Now holds: B2 ") for ln in lines)
    assert not any(ln.startswith(("Now holds: B4 ", "Now holds: B6a ")) for ln in lines)
    assert any(
        ln.startswith("Also matches: B4 (") and ln.endswith("B2 comes first, so B4 does not decide")
        for ln in lines
    )
