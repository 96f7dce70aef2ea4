"""The board paper (issue 14.5): exampleshire 1.0 → 2.0 as a partnership board reads it.

Every example case is re-run here through both engines by the impact replay (`run_case`), not by
the code that chose it; the summary names the kind of child in words; no count of answer
combinations is printed; with `--cases` the impact on those cases leads.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.analysis import compare
from bruising_check.cli import _register, app
from bruising_check.protocol.levels import level_rank
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Policy, Protocol
from bruising_check.render import board as board_render
from bruising_check.render import board_sentences
from bruising_check.versions import matching
from bruising_check.versions.board import BoardPaper, board_paper
from bruising_check.versions.examples import MILESTONE_FLOOR_WEEKS
from bruising_check.versions.impact import Case, run_case
from bruising_check.versions.matching import PolicyChange, policy_changes
from bruising_check.versions.structural import structural_diff
from tests.conftest import ROOT, load_text

_register()
runner = CliRunner()
V1 = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"


def load(path: Path) -> Protocol:
    protocol = load_protocol(path.read_bytes(), str(path)).protocol
    assert protocol is not None
    return protocol


def paper_for(old: Protocol, new: Protocol) -> BoardPaper:
    return board_paper(old, new, "old", "new", structural_diff(old, new), compare(old, new))


@pytest.fixture(scope="module")
def paper() -> BoardPaper:
    return paper_for(load(V1), load(V2))


def level_direction(old: Protocol, new: Protocol, a: str, b: str) -> str:
    pa, pb = old.pathway(a), new.pathway(b)
    assert pa is not None and pb is not None and pa.level and pb.level
    ra, rb = level_rank(pa.level), level_rank(pb.level)
    return "different_actions" if ra == rb else "less_urgent" if rb > ra else "more_urgent"


def assert_examples_reproduce(paper: BoardPaper) -> None:
    for e in paper.effects:
        case = Case("example", e.example)
        before, why_old = run_case(paper.old, case)
        after, why_new = run_case(paper.new, case)
        assert why_old is None and why_new is None
        assert (before, after) == (e.old[0], e.new[0]), e
        assert before != after
        assert before is not None and after is not None
        assert level_direction(paper.old, paper.new, before, after) == e.direction


def test_every_example_reproduces_its_change_through_both_engines(paper: BoardPaper) -> None:
    assert paper.effects
    assert_examples_reproduce(paper)


def test_the_mobility_change_is_one_cause_in_both_directions(paper: BoardPaper) -> None:
    causes = {(e.cause.kind, e.cause.key) for e in paper.effects}
    assert causes == {("fact", "independently_mobile")}
    assert {e.direction for e in paper.effects} == {"less_urgent", "more_urgent"}
    fields = {p.field for e in paper.effects for p in e.cause.policy}
    assert {"rolling_counts_as_mobility", "mobility_milestones", "age_anchor"} <= fields
    assert not paper.unconfirmed


def test_examples_are_cases_a_practitioner_would_recognise(paper: BoardPaper) -> None:
    for e in paper.effects:
        ex = e.example
        age, miles = ex["age_weeks"], ex["mobility_milestones"]
        assert all(age >= MILESTONE_FLOOR_WEEKS.get(m, 0) for m in miles)
        assert len(miles) <= 1 and len(ex["mark_types"]) == 1 and len(ex["locations"]) == 1
        assert "gestation_weeks_at_birth" not in ex  # optional and irrelevant: left out
        # The smallest plausible age: a week younger is implausible or loses the change.
        younger = {**ex, "age_weeks": age - 1}
        plausible = all(age - 1 >= MILESTONE_FLOOR_WEEKS.get(m, 0) for m in miles)
        if plausible:
            pair = (
                run_case(paper.old, Case("y", younger))[0],
                run_case(paper.new, Case("y", younger))[0],
            )
            assert pair != (e.old[0], e.new[0])


def test_summary_says_the_kind_of_child_and_the_direction(paper: BoardPaper) -> None:
    text = " ".join(board_render.text(paper).split())
    summary = text.split("SUMMARY", 1)[1].split("CHANGE 1", 1)[0]
    # One item for the one change, a sentence per direction, the kind of child in words.
    sentence = summary.split("- The definition of “Independently mobile” changes", 1)[1]
    sentence = sentence.split("- Different actions", 1)[0]
    less = sentence.index(
        "LESS URGENT for a baby under 26 weeks who crawls, bottom shuffles, cruises, walks or"
        " moves independently in a wheelchair"
    )
    more = sentence.index(
        "More urgent for a baby of 26 weeks or more who rolls but does not crawl, bottom"
        " shuffle, cruise, walk or move independently in a wheelchair"
    )
    assert less < more
    assert "for example a 23-week-old who crawls" in sentence
    assert "for example a 26-week-old who rolls" in sentence
    # The referral pathway keeps its id and level but loses its strategy discussion: less
    # urgent, as `validate --against` and `diff --fail-on-deescalation` judge it.
    assert "LESS URGENT at the same level (an action is removed, though" in summary
    assert "Different actions, same urgency" not in summary
    assert "strategy discussion: in every case → only after an initial appraisal" in summary
    assert "refer_same_day_csc_and_paediatric" not in text  # titles, not ids
    assert "This tool supports, and does not replace" in summary


def test_the_summary_text_snapshot(paper: BoardPaper, snapshot: Any) -> None:
    text = board_render.text(paper)
    summary = text.split("\nSUMMARY\n", 1)[1].split("\nCHANGE 1", 1)[0]
    assert summary == snapshot


def test_a_renamed_rule_is_renamed_and_changes_nothing() -> None:
    v2 = load(V2)
    rules = tuple(r.model_copy(update={"id": "B5x"}) if r.id == "B5" else r for r in v2.rules)
    renamed = v2.model_copy(update={"rules": rules})
    paper = paper_for(v2, renamed)
    assert [(r.section, r.old_id, r.new_id) for r in paper.renamed] == [("rules", "B5", "B5x")]
    assert not paper.effects
    assert "is now called B5x" in board_render.text(paper)


def test_a_renamed_rule_with_another_then_is_not_renamed() -> None:
    """`then: rules_below` gives a follow-on pathway: without it the rule decides alone, so the
    same condition and pathway under another id is a removed rule and an added one."""
    base = load(ROOT / "protocols" / "national-baseline.yaml")
    first = next(r for r in base.rules if r.then == "rules_below")

    def with_b1(then: str | None) -> Protocol:
        rules = tuple(
            r.model_copy(update={"id": f"{r.id}x", "then": then}) if r.id == first.id else r
            for r in base.rules
        )
        return base.model_copy(update={"rules": rules})

    assert [(r.old_id, r.new_id) for r in matching.renamed(base, with_b1("rules_below"))] == [
        (first.id, f"{first.id}x")
    ]
    assert matching.renamed(base, with_b1(None)) == []


def test_a_renamed_pathway_is_what_the_behaviour_comparison_calls_the_same() -> None:
    """Renamed pathways and `direction.same_content` are one test: other action ids (ids
    aside) are still a rename; another action text is not."""
    v2 = load(V2)
    pid = "discuss_with_safeguarding_lead_or_paediatrician"
    old = v2.pathway(pid)
    assert old is not None and old.actions

    def renamed_to(**update: Any) -> Protocol:
        changed = old.model_copy(update={"id": "discuss", **update})
        return v2.model_copy(update={"pathways": (*v2.pathways, changed)})

    ids = tuple(a.model_copy(update={"id": f"{a.id}_2"}) for a in old.actions)
    text = (old.actions[0].model_copy(update={"text": "Something else."}), *old.actions[1:])
    same_ids = renamed_to(actions=ids)
    other_text = renamed_to(actions=text)
    assert [(r.old_id, r.new_id) for r in matching.renamed(v2, drop(same_ids, pid))] == [
        (pid, "discuss")
    ]
    assert matching.renamed(v2, drop(other_text, pid)) == []


def drop(protocol: Protocol, pid: str) -> Protocol:
    return protocol.model_copy(
        update={"pathways": tuple(p for p in protocol.pathways if p.id != pid)}
    )


def test_a_renamed_pathway_gives_no_behaviour_change() -> None:
    v2 = load(V2)
    pid = "discuss_with_safeguarding_lead_or_paediatrician"
    pathways = tuple(
        p.model_copy(update={"id": "discuss"}) if p.id == pid else p for p in v2.pathways
    )
    rules = tuple(
        r.model_copy(update={"pathway": "discuss"}) if r.pathway == pid else r for r in v2.rules
    )
    renamed = v2.model_copy(update={"pathways": pathways, "rules": rules})
    paper = paper_for(v2, renamed)
    assert not paper.effects
    text = board_render.text(paper)
    assert "Renamed (same title and actions)" in text
    assert "No baby gets a different pathway" in text


def _numbers(text: str) -> list[int]:
    """Every number in the text but ages and durations (`23 weeks`, `a 23-week-old`)."""
    found = re.findall(r"(\d[\d,]*\d|\d)(?!\d|[ -]weeks?\b|[ -]hours?\b)", text)
    return [int(n.replace(",", "")) for n in found]


def test_with_cases_the_impact_leads_and_no_number_exceeds_the_cases(
    paper: BoardPaper, tmp_path: Path
) -> None:
    changed = [e.example for e in paper.effects]
    same = [
        {**changed[0], "age_weeks": 40},
        {**changed[2], "age_weeks": 20, "mobility_milestones": ["rolling"]},
    ]
    cases: list[dict[str, Any]] = [
        {"id": f"case-{i}", "answers": a} for i, a in enumerate(changed + same, start=1)
    ]
    file = tmp_path / "cases.yaml"
    file.write_text(yaml.safe_dump({"cases": cases}), encoding="utf-8")
    expected = [
        c["id"]
        for c in cases
        if run_case(paper.old, Case("c", c["answers"]))[0]
        != run_case(paper.new, Case("c", c["answers"]))[0]
    ]
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--board", "--cases", str(file)])
    assert result.exit_code == 0, result.output
    body = result.stdout.split("=" * 80, 2)[2]
    first = body.strip().splitlines()
    assert first[0] == "IMPACT ON THE CASES GIVEN"
    lead = " ".join(body.split())
    assert f"Of {len(cases)} cases given, {len(expected)} would now get a different pathway" in lead
    # The file's name once, then the ids as the board knows them (not a path before each).
    assert f"Cases in {file}: " in lead
    changes, kept_part = lead.split("SUMMARY", 1)[0].split("Cases that keep their pathway", 1)
    assert changes.count(str(file)) == len(expected_pairs(paper, cases))
    for cid in expected:
        assert re.search(rf"(: |, ){re.escape(cid)}(,|\s|$)", changes), cid
    # The cases that stay on the referral pathway, which loses its strategy discussion in v2,
    # are named too: not "a different pathway", but less urgent by its content.
    kept = [
        c["id"]
        for c in cases
        if run_case(paper.old, Case("c", c["answers"]))[0]
        == run_case(paper.new, Case("c", c["answers"]))[0]
        == "refer_same_day_csc_and_paediatric"
    ]
    assert kept
    assert "LESS URGENT at the same level (an action is removed, though an action is added" in (
        kept_part
    )
    verb = "keep" if len(kept) > 1 else "keeps"
    assert f"{len(kept)} case{'s' if len(kept) > 1 else ''} {verb} “Refer today" in kept_part
    for cid in kept:
        assert re.search(rf"(: |, ){re.escape(cid)}(,|\s|$)", kept_part), cid
    impact_part = lead.split("SUMMARY", 1)[0]
    assert impact_part.index("LESS URGENT:") < impact_part.index("More urgent:")  # worst first
    # Every number the tool writes is at most the number of cases: the rest are the protocols'
    # own (ages, hours, dates and versions in their text).
    authored = set(_numbers(V1.read_text()) + _numbers(V2.read_text()))
    # The cases file's name is the user's, and so is the checkout's path (it may hold digits).
    shown = result.stdout.replace(str(file), "FILE").replace(str(ROOT), "ROOT")
    tool = [n for n in _numbers(shown) if n not in authored]
    assert all(n <= len(cases) for n in tool), tool
    sizes = {c.size for d in compare(paper.old, paper.new).differences for c in d.classes}
    assert not sizes & set(_numbers(result.stdout))


def expected_pairs(paper: BoardPaper, cases: list[dict[str, Any]]) -> dict[Any, int]:
    """(old pathway, new pathway) of each case that changes, counted."""
    pairs: dict[Any, int] = {}
    for c in cases:
        pair = (
            run_case(paper.old, Case("c", c["answers"]))[0],
            run_case(paper.new, Case("c", c["answers"]))[0],
        )
        if pair[0] != pair[1]:
            pairs[pair] = pairs.get(pair, 0) + 1
    return pairs


def test_case_ids_from_several_files_keep_their_file_names() -> None:
    assert (
        board_render._case_list(["a/x.csv:EX-1", "a/x.csv:EX:2"]) == "Cases in a/x.csv: EX-1, EX:2"
    )
    mixed = ["a/x.csv:EX-1", "b.yaml#case-2"]
    assert board_render._case_list(mixed) == "Cases: a/x.csv:EX-1, b.yaml#case-2"
    assert board_render._case_list(["rec.json Ann"]) == "Cases in rec.json: Ann"
    assert board_render._case_list(["odd"]) == "Cases: odd"


def test_pdf_page_one_has_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "paper.pdf"
    result = runner.invoke(
        app, ["diff", str(V1), str(V2), "--board", "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    page1 = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(page1.split())
    assert "Summary" in flat and "LESS URGENT for a baby under 26 weeks" in flat
    assert "More urgent for a baby of 26 weeks or more who rolls" in flat
    assert "This tool supports, and does not replace" in flat


def test_pdf_needs_an_output_file_and_the_board() -> None:
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--board", "--format", "pdf"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--format", "pdf", "--output", "x.pdf"])
    assert result.exit_code == 2


def test_markdown_and_html_carry_the_same_summary(paper: BoardPaper) -> None:
    for rendered in (board_render.markdown(paper), board_render.html(paper)):
        flat = " ".join(rendered.split())
        assert "Summary" in flat and "LESS URGENT for a baby under 26 weeks" in flat
        assert "26 weeks or more who rolls but does not crawl" in flat
    assert "<script" not in board_render.html(paper)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=0, max_value=60), st.sampled_from(["rolling", "sitting", "crawling"]))
@example(26, "rolling")
@example(0, "sitting")
def test_examples_reproduce_for_other_mobility_definitions(weeks: int, extra: str) -> None:
    """Property: whatever age anchor and milestones a revision chooses, every example the paper
    shows gets exactly the stated change through both engines, and is plausible for its age."""
    old = load(V1)
    new = _mobile_from(weeks, extra)
    paper = paper_for(old, new)
    # The same definition as version 1 (from 26 weeks, rolling counts) changes nothing.
    assert bool(paper.effects) == (weeks != 26 or extra != "rolling")
    assert_examples_reproduce(paper)
    for e in paper.effects:
        age, miles_ = e.example.get("age_weeks"), e.example.get("mobility_milestones", [])
        assert age is not None
        assert all(age >= MILESTONE_FLOOR_WEEKS.get(m, 0) for m in miles_)


def test_no_example_baby_rolls_or_sits_at_birth() -> None:
    """Rolling counted as mobility from birth: the example is not "a 0-week-old who rolls" but
    a baby of at least the rough floor (12 weeks for rolling, 16 for sitting), and the paper
    says those two figures are rough and chosen by the tool."""
    for extra, floor in (("rolling", 12), ("sitting", 16)):
        paper = paper_for(load(V1), _mobile_from(0, extra))
        shown = [e for e in paper.effects if extra in e.example.get("mobility_milestones", [])]
        assert shown, extra
        assert all(e.example["age_weeks"] >= floor for e in shown), extra
        assert_examples_reproduce(paper)
    flat = " ".join(board_render.text(paper).split())
    assert "rolling over 12 weeks, sitting 16 weeks" in flat
    assert "(rough figures chosen by this tool, not from a study: unverified)" in flat
    assert "crawling (including commando crawling) 23 weeks" in flat


def _mobile_from(weeks: int, extra: str) -> Protocol:
    """Version 2 with "independently mobile" = from `weeks`, by `extra` or a locomotor one."""
    data = yaml.safe_load(V2.read_text())
    for fact in data["derived"]:
        if fact["id"] == "independently_mobile":
            miles = [
                "crawling",
                "bottom_shuffling",
                "cruising",
                "walking",
                "independent_wheelchair_use",
            ]
            fact["condition"] = {
                "all": [
                    {"question": "age_weeks", "ge": weeks},
                    {"question": "mobility_milestones", "includes_any": [extra, *miles]},
                ]
            }
    new = load_protocol(yaml.safe_dump(data).encode(), "mutated.yaml").protocol
    assert new is not None
    return new


def _with_immediate_tier_and_new_option() -> Protocol:
    """Version 2 plus an "immediate" referral tier (a new pathway, and a rule sending a patterned
    mark on a non-mobile baby to it) and a new answer, "Ligature mark", that a rule names."""
    data = yaml.safe_load(V2.read_text())
    data["pathways"].insert(
        1,
        {
            "id": "refer_immediately",
            "title": "Phone children's social care now and keep the baby safe",
            "urgency": 2,
            "level": "social_care_immediate",
            "timescale": {"label": "Immediately", "hours": 0},
            "actions": [
                {
                    "id": "phone_now",
                    "text": "Phone the front door now.",
                    "timescale": {"label": "Immediately", "hours": 0},
                    "responsible": "The practitioner",
                    "contact": "csc_front_door",
                },
                {
                    "id": "paediatric_assessment",
                    "text": "Paediatric assessment.",
                    "timescale": {"label": "Within 4 hours of the call", "hours": 4},
                    "responsible": "Children's social care",
                    "contact": "on_call_paediatrician",
                },
            ],
        },
    )
    for p in data["pathways"][2:]:
        p["urgency"] += 1
    for q in data["questions"]:
        if q["id"] == "mark_types":
            q["options"].append({"id": "ligature_mark", "label": "Ligature mark"})
    data["rules"][4:4] = [
        {
            "id": "B4b",
            "when": {
                "all": [
                    {"not": {"fact": "independently_mobile"}},
                    {"question": "patterned", "equals": True},
                ]
            },
            "pathway": "refer_immediately",
            "because": "A patterned mark on a baby who is not mobile.",
            "cite": ["nice_cg89"],
        },
        {
            "id": "B4c",
            "when": {"question": "mark_types", "includes_any": ["ligature_mark"]},
            "pathway": "refer_immediately",
            "because": "A ligature mark.",
            "cite": ["nice_cg89"],
        },
    ]
    loaded = load_protocol(yaml.safe_dump(data, sort_keys=False).encode(), "tier.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


def test_an_inserted_tier_and_a_new_option_take_part_in_the_comparison() -> None:
    old, new = load(V2), _with_immediate_tier_and_new_option()
    paper = paper_for(old, new)
    causes = {(e.cause.kind, e.cause.key): e for e in paper.effects}
    assert set(causes) == {("rule_added", "B4b"), ("option", "mark_types.ligature_mark")}
    assert {e.direction for e in paper.effects} == {"more_urgent"}
    option = causes[("option", "mark_types.ligature_mark")]
    assert "ligature_mark" in option.example["mark_types"]
    # The example runs on version 2 as an answer its rules do not name, and on the new version.
    assert_examples_reproduce(paper_with_widened(paper))
    text = " ".join(board_render.text(paper).split())
    assert "The new answer “Ligature mark” to “What kind of mark or injury is it”" in text
    # The added pathway shows its actions, their timescales, who, and contacts.
    added = text.split("ADDED PATHWAY: PHONE CHILDREN'S SOCIAL CARE NOW", 1)[1]
    assert "[ ] Paediatric assessment. When: Within 4 hours of the call" in added
    assert "Who: Children's social care" in added
    assert "Contact: EXAMPLE - Exampleshire on-call paediatrician" in added
    assert "PLACEHOLDER: not a real contact" in added
    # Only the urgency ranks of the other pathways moved: not "different actions".
    assert "PATHWAYS WHOSE ACTIONS CHANGE" not in text


def paper_with_widened(paper: BoardPaper) -> BoardPaper:
    """The same effects, over the versions as compared (each with the other's options)."""
    from bruising_check.versions.matching import with_each_others_options

    old, new, _ = with_each_others_options(paper.old, paper.new)
    widened = BoardPaper(old, new, "old", "new", paper.changes)
    widened.effects = paper.effects
    return widened


def test_the_ci_gate_still_holds_with_the_board_paper() -> None:
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--board", "--fail-on-deescalation"])
    assert result.exit_code == 1
    assert "SUMMARY" in result.stdout
    result = runner.invoke(app, ["diff", str(V2), str(V2), "--board", "--fail-on-deescalation"])
    assert result.exit_code == 0
    assert "No baby gets a different pathway" in " ".join(result.stdout.split())


def test_a_change_the_invariants_undo_is_never_reported_as_a_change() -> None:
    """Version 2 with rule B5 sending non-mobile babies to a same-day discussion: the rules say
    less urgent, but invariant I2 keeps most of them referred. Only what the engines confirm is
    a change; the rest is listed as not confirmed, never as less urgent."""
    v2 = load(V2)
    rules = tuple(
        r.model_copy(update={"pathway": "discuss_with_safeguarding_lead_or_paediatrician"})
        if r.id == "B5"
        else r
        for r in v2.rules
    )
    lowered = v2.model_copy(update={"rules": rules})
    paper = paper_for(v2, lowered)
    assert paper.effects  # e.g. an abrasion alone, which I2 does not cover
    assert_examples_reproduce(paper)
    for u in paper.unconfirmed:
        example = u.difference.classes[0].example
        assert run_case(v2, Case("u", example))[0] == run_case(lowered, Case("u", example))[0]
    for e in paper.effects:
        marks = set(e.example["mark_types"])
        assert not marks & {"bruise", "petechiae", "burn", "bite"} or (
            e.example["diagnosed_condition_can_cause_mark"]
            or e.example["explanation"]
            in {"medical_procedure_documented", "birthmark_documented_by_health_professional"}
        )


def test_protocol_text_is_shown_literally_in_every_format() -> None:
    v2 = load(V2)
    hostile = "Refer \x1b[2J<script>alert(1)</script> *now* \u202e"
    pathways = tuple(
        p.model_copy(update={"title": hostile}) if p.urgency == 2 else p for p in v2.pathways
    )
    paper = paper_for(load(V1), v2.model_copy(update={"pathways": pathways}))
    text = board_render.text(paper)
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2J" in text
    page = board_render.html(paper)
    assert "<script>" not in page and "&lt;script&gt;" in page
    md = board_render.markdown(paper)
    assert "\x1b" not in md and "\\*now\\*" in md


def test_approved_deviations_are_shown_with_the_changes_they_cover() -> None:
    data = yaml.safe_load(V2.read_text())
    data["approved_deviations"] = [
        {
            "id": "rolling-is-not-mobility",
            "against": "exampleshire-bruising",
            "when": {"question": "age_weeks", "ge": 26},
            "why": "Rolling is not independent mobility (the Panel, 2022).",
            "approved_by": "Exampleshire SCP executive (example)",
            "approved_on": "2023-05-10",
        },
        {
            "id": "unused",
            "against": "exampleshire-bruising",
            "when": {"question": "child_seriously_unwell", "equals": True},
            "why": "Nothing any more.",
            "approved_by": "Exampleshire SCP executive (example)",
            "approved_on": "2023-05-10",
        },
    ]
    loaded = load_protocol(yaml.safe_dump(data, sort_keys=False).encode(), "approved.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    paper = paper_for(load(V1), loaded.protocol)
    approved = {e.direction: e.approved for e in paper.effects}
    assert approved["more_urgent"] == ("rolling-is-not-mobility",)
    assert approved["less_urgent"] == ()  # under 26 weeks: not covered
    text = " ".join(board_render.text(paper).split())
    assert "who rolls) , an approved deviation" not in text
    assert "an approved deviation (rolling-is-not-mobility)" in text.split("CHANGE 1")[0]
    section = text.split("DEVIATIONS APPROVED IN VERSION 2.0", 1)[1]
    assert "rolling-is-not-mobility: Rolling is not independent mobility" in section
    assert "unused: Nothing any more. Approved by" in section
    assert "matches no change here" in section


def test_a_new_policy_block_lists_only_the_positions_it_states() -> None:
    """Review of issue 14: an old version without `policy:` states no position, like a block
    of `not_stated` fields; only the fields the new block states are policy changes (not
    "not stated → not stated" for every field)."""
    old = load(V1).model_copy(update={"policy": None})
    new = load(V1).model_copy(
        update={"policy": Policy(nim_explanation="regardless", escalation_if_declined="not_stated")}
    )
    assert [(c.field, c.new) for c in policy_changes(old, new)] == [
        ("nim_explanation", "regardless")
    ]
    assert policy_changes(new, old) == [PolicyChange("nim_explanation", "regardless", None)]


def test_a_pathway_that_loses_its_level_is_not_said_to_keep_its_urgency() -> None:
    """Review of issue 14: "same urgency" is a claim about levels; when a version gives the
    pathway no level (here the referral also goes from the same day to within 7 days) the paper
    must not make it."""
    old = load(V1)
    pw = next(p for p in old.pathways if p.level is not None and p.level.startswith("social"))
    slower = pw.model_copy(
        update={
            "level": None,
            "timescale": pw.timescale.model_copy(
                update={"label": "Within 7 days", "hours": 168.0, "same_day": False}
            ),
        }
    )
    new = old.model_copy(
        update={"pathways": tuple(slower if p.id == pw.id else p for p in old.pathways)}
    )
    text = board_render.text(paper_for(old, new))
    line = next(x for x in text.splitlines() if f"“{pw.title}”:" in x or pw.title in x)
    assert "same urgency" not in text, line
    # Its content still compares, as `validate --against` compares it: a longer timescale.
    assert (
        "LESS URGENT by its content (its timescale is longer); the levels are not compared"
        " (one version gives it no level)" in " ".join(text.split())
    )
    assert "Some babies would get a less urgent pathway" in text


def test_a_pathway_kept_at_its_level_is_judged_by_its_content() -> None:
    """A pathway both versions have, at one level, whose action is removed or whose timescale
    lengthens is less urgent in the paper as in `validate --against`; one that moves to a lower
    level says so; an added action alone is more urgent."""
    old = load(V1)
    pw = next(p for p in old.pathways if p.level == "social_care_same_day")

    def paper_with(changed: Any) -> str:
        new = old.model_copy(
            update={"pathways": tuple(changed if p.id == pw.id else p for p in old.pathways)}
        )
        return " ".join(board_render.text(paper_for(old, new)).split())

    slower = pw.model_copy(
        update={
            "timescale": pw.timescale.model_copy(
                update={"label": "Within 7 days", "hours": 168.0, "same_day": False}
            )
        }
    )
    text = paper_with(slower)
    assert f"“{pw.title}”: LESS URGENT at the same level (its timescale is longer)" in text
    assert "Some babies would get a less urgent pathway" in text
    fewer = pw.model_copy(update={"actions": pw.actions[1:]})
    assert "LESS URGENT at the same level (an action is removed)" in paper_with(fewer)
    more = pw.model_copy(
        update={"actions": (*pw.actions, pw.actions[0].model_copy(update={"id": "extra"}))}
    )
    text = paper_with(more)
    assert f"“{pw.title}”: More urgent at the same level (an action is added)" in text
    assert "Some babies would get a less urgent pathway" not in text
    lower = pw.model_copy(update={"level": "social_care_24h"})
    assert (
        f"“{pw.title}”: LESS URGENT: urgency level changes (social care same day → social care"
        " 24h)" in paper_with(lower)
    )


def test_without_a_comparison_nothing_claims_no_baby_is_affected() -> None:
    """Past the budget behaviour is not compared: the paper must not say a new question or a
    policy change leaves every pathway as it was, nor that every answer was compared."""
    old, new = load(V1), load(V2)
    paper = board_paper(old, new, "old", "new", structural_diff(old, new), None)
    flat = " ".join(board_render.text(paper).split())
    assert "Behaviour was NOT compared" in flat
    assert "no baby's pathway" not in flat
    assert "Every answer either version accepts was compared" not in flat
    assert "New question “How did you learn of the mark”" in flat
    assert "whether a pathway depends on it is not known" in flat
    assert "its effect on pathways is not known" in flat


def test_example_outcomes_take_answers_with_marks() -> None:
    """Answers format v2 holds a list of marks, each a mapping: the example search remembers
    outcomes by answers, and must not crash on them (the baseline v1 → v2 paper did)."""
    from bruising_check.versions import examples

    baseline = load(ROOT / "protocols" / "national-baseline.yaml")
    answers = yaml.safe_load((ROOT / "examples/answers/cheek-bruise-10-weeks.yaml").read_text())
    first = examples.outcome(baseline, answers)
    assert first is not None and first == (run_case(baseline, Case("x", answers))[0], None)
    other = {**answers, "marks": [{**answers["marks"][0], "explanation": "plausible"}]}
    assert examples._key(other) != examples._key(answers)
    assert examples.outcome(baseline, answers) == first  # remembered, same answer


def test_every_see_reference_names_a_section_of_the_paper(paper: BoardPaper) -> None:
    """“see the table” pointed at nothing in the text and PDF papers: a reference names a
    section that the paper has."""
    doc = board_render.document(paper)
    titles = {s.heading for s in doc.sections}
    flat = " ".join(board_render.text(paper).split())
    refs = re.findall(r"\(see “([^”]+)”\)", flat)
    assert refs
    assert set(refs) <= titles, (refs, titles)
    assert "see the table" not in flat
    assert (
        "with the policy changes (first step: social care first → social care and health"
        " assessment, both the same day;" in flat
    )


def test_a_source_added_to_an_action_is_not_a_new_action() -> None:
    """Baseline v1 → v2 printed "New action: Discuss the child today…" twice for an action both
    versions have, because a source was added to it."""
    from bruising_check.render.board_sentences import pathway_change
    from bruising_check.versions.structural import Change

    v2 = load(V2)
    pathway = next(p for p in v2.pathways if p.actions)
    action = pathway.actions[0]
    added = Change("pathways", pathway.id, "added", f"actions.{action.id}.cite", None, "nice_cg89")
    line = pathway_change(pathway, pathway, added)
    assert line is not None and not line.startswith("New action")
    assert line.startswith("Source of “") and line.endswith("nice_cg89 added")
    whole = Change("pathways", pathway.id, "added", f"actions.{action.id}")
    assert pathway_change(pathway, pathway, whole) == f"New action: {action.text}"


def test_a_pathway_that_now_comes_first_is_said_in_words() -> None:
    from bruising_check.render.board_sentences import pathway_change
    from bruising_check.versions.structural import Change

    p = load(V2).pathways[0]
    now = pathway_change(p, p, Change("pathways", p.id, "changed", "first_step", "false", "true"))
    assert now == "Now comes first, and the other rules decide what follows"
    gone = pathway_change(p, p, Change("pathways", p.id, "changed", "first_step", "true", "false"))
    assert gone is not None and "false" not in gone and "No longer comes first" in gone


def test_the_paper_says_which_policy_positions_are_checked(paper: BoardPaper) -> None:
    """A position only stated (who may decide not to refer, the first step) must not read as
    checked: the paper names the ones `validate` checks against the rules."""
    text = " ".join(board_render.text(paper).split())
    section = text.split("POLICY POSITIONS", 1)[1].split("HOW THIS PAPER WAS MADE", 1)[0]
    note = section.split("Of these, bruising-check validate checks version 2.0's position", 1)[1]
    checked = note.split(". The others", 1)[0]
    assert "Reports by phone, photo or a third party" in checked
    assert "Rolling counts as independent mobility" in checked
    assert "Who may decide not to refer" in section and "Who may decide" not in checked
    assert "First step" in section and "First step" not in checked
    assert "The others are as each version states them, not checked against the rules." in note


TWO_NEW = """\
metadata:
  id: tiny
  title: Tiny
  version: "VERSION"
  status: draft
  issued_by: Tests
  review_due: 2030-01-01
  disclaimer: Supports, does not replace, judgement.
sources:
  - {id: s1, title: Source, url: "https://example.org/s1"}
questions:
  - id: marks
    type: group
    prompt: The marks you have found
    item_label: mark
    min_items: 1
    max_items: 2
    questions:
      - id: type
        type: single_choice
        prompt: What kind of mark is it?
        options: [{id: bruise, label: Bruise}, {id: scratch, label: Scratch}]
QUESTIONS
pathways:
  - {id: refer, title: Refer today, urgency: 1, level: social_care_same_day,
     timescale: {label: Same day, same_day: true}, actions: [{id: call, text: Call}]}
  - {id: record, title: Record and advise, urgency: 2, level: record_and_advise,
     timescale: {label: Now}, actions: [{id: note, text: Note it}]}
rules:
RULES
"""
OLD_RULES = """\
  - id: R1
    when: {some: {group: marks, where: {item: type, equals: bruise}}}
    pathway: refer
    because: A bruise.
    cite: [s1]
  - id: R2
    when: {not: {some: {group: marks, where: {item: type, equals: bruise}}}}
    pathway: record
    because: No bruise.
    cite: [s1]
"""
NEW_QUESTIONS = """\
  - id: who
    type: single_choice
    prompt: Who is checking?
    options: [{id: nurse, label: A nurse}, {id: other, label: Someone else}]
  - id: judgement
    type: single_choice
    prompt: Is the nurse satisfied?
    options: [{id: satisfied, label: Satisfied}, {id: concerned, label: Concerned}]
"""
NEW_RULES = (
    """\
  - id: N1
    when:
      all:
        - {question: who, equals: nurse}
        - {question: judgement, equals: satisfied}
    pathway: record
    because: A satisfied nurse.
    cite: [s1]
"""
    + OLD_RULES
)


def tiny_version(version: str, questions: str, rules: str) -> Protocol:
    text = TWO_NEW.replace("VERSION", version).replace("QUESTIONS\n", questions)
    loaded = load_text(text.replace("RULES\n", rules))
    assert loaded.protocol is not None, loaded.problems
    return loaded.protocol


def test_a_new_question_a_change_depends_on_is_never_said_to_change_nothing() -> None:
    """Two new questions decide together (Devon's role and judgement): the change is put down to
    one; the other must not be "no baby's pathway depends on it". The example's marks are in
    words, not the answers file's mapping."""
    old = tiny_version("1", "", OLD_RULES)
    new = tiny_version("2", NEW_QUESTIONS, NEW_RULES)
    text = " ".join(board_render.text(paper_for(old, new)).split())
    for name in ("Who is checking", "Is the nurse satisfied"):
        sentence = text.split(f"New question “{name}”", 1)[1].split(".", 1)[0]
        assert "no baby's pathway depends on it" not in sentence, sentence
    assert "Mark 1 - What kind of mark is it: Bruise" in text
    assert "{'type'" not in text and "'bruise'" not in text


def test_advice_the_new_version_no_longer_gives_is_in_the_summary_of_every_format(
    tmp_path: Path,
) -> None:
    """Advice only adds actions, so its removal changes no baby's pathway and no behaviour change
    shows it (llr-2024 drops the baseline's C1-C4): the summary and a section of its own name
    the advice and each action no longer given, in text, Markdown, HTML and PDF."""
    old = load(V1)
    a2 = next(a for a in old.advice if a.id == "A2")
    pw = next(p for p in old.pathways if p.level == "social_care_same_day")
    new = old.model_copy(
        update={
            "advice": tuple(a for a in old.advice if a.id != "A2"),
            "pathways": tuple(
                p.model_copy(update={"actions": p.actions[1:]}) if p.id == pw.id else p
                for p in old.pathways
            ),
        }
    )
    paper = paper_for(old, new)
    assert not paper.effects  # no pathway changes: only the lost actions show this change
    said = a2.actions[0].text
    for rendered in (
        board_render.text(paper),
        board_render.markdown(paper),
        board_render.html(paper).replace("&quot;", '"').replace("&#x27;", "'"),
    ):
        flat = " ".join(rendered.split())
        summary = flat[: flat.lower().index("actions no longer given (advice)")]
        assert "ACTIONS NO LONGER GIVEN: advice A2" in summary
        assert said in summary
        assert f"It no longer gives: “{pw.actions[0].text}”" in summary
        assert "no longer gives some actions" in summary
        assert f"No longer given: {said}" in flat
    out = tmp_path / "paper.pdf"
    out.write_bytes(board_render.pdf(paper))
    pages = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ACTIONS NO LONGER GIVEN: advice A2" in " ".join(pages.split())
    # Kept advice is never listed as lost.
    assert not list(board_sentences.advice_sentences(paper_for(old, old)))


def test_each_summary_sentence_says_which_pathway_becomes_which(paper: BoardPaper) -> None:
    """Not "now A or B, was C or D": each old outcome is followed by the new one(s) it becomes,
    exactly those of the changes found."""
    sentences = list(board_sentences.effect_sentences(paper))
    causes = board_sentences.by_cause(paper.effects)
    assert len(sentences) == len(causes)
    checked = 0
    for sentence, (_cause, effects) in zip(sentences, causes, strict=True):
        assert "(now “" not in sentence and ", was “" not in sentence
        for direction in {e.direction for e in effects}:
            mine = [e for e in effects if e.direction == direction]
            becomes: dict[str, list[str]] = {}
            for e in mine:
                now = board_sentences.outcome_words(paper.new, e.new)
                was = board_sentences.outcome_words(paper.old, e.old)
                if now not in becomes.setdefault(was, []):
                    becomes[was].append(now)
            for nows in becomes.values():
                # "“A” becomes “B”", or "“A” or “C” each become “B”" when both become B.
                olds = [w for w, n in becomes.items() if n == nows]
                quoted = board_sentences.quoted(olds)
                verb = "becomes" if len(olds) == 1 else "each become"
                after = sentence.split(f"{quoted} {verb} ", 1)[1]
                assert after.startswith(board_sentences.quoted(nows))
                checked += 1
    assert checked >= 2


def test_the_board_paper_says_which_answers_were_left_out_of_the_cases(tmp_path: Path) -> None:
    """As the text diff does: answers to questions neither version asks (a typo) were left out
    of the cases, and the board is told how many cases and which ids, in every format."""
    from tests.conftest import BASE_ANSWERS_V1

    cases = [
        {"id": "typo-1", "answers": {**BASE_ANSWERS_V1, "age_weks": 12}},
        {"id": "typo-2", "answers": {**BASE_ANSWERS_V1, "age_weks": 13, "mobilty": ["x"]}},
        {"id": "clean", "answers": BASE_ANSWERS_V1},
    ]
    file = tmp_path / "cases.yaml"
    file.write_text(yaml.safe_dump({"cases": cases}), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--board", "--cases", str(file)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    impact = text.split("IMPACT ON THE CASES GIVEN", 1)[1].split("SUMMARY", 1)[0]
    assert "2 cases gave answers to questions neither version asks" in impact
    assert "“age_weks” (2 cases), “mobilty” (1 case)." in impact
    md = runner.invoke(
        app, ["diff", str(V1), str(V2), "--board", "--format", "md", "--cases", str(file)]
    ).stdout
    assert "2 cases gave answers to questions neither version asks" in " ".join(md.split())
    clean = tmp_path / "clean.yaml"
    clean.write_text(yaml.safe_dump({"cases": cases[2:]}), encoding="utf-8")
    quiet = runner.invoke(app, ["diff", str(V1), str(V2), "--board", "--cases", str(clean)])
    assert "neither version asks" not in quiet.stdout
