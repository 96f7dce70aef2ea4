"""`bruising-check diff` as a policy lead uses it: behaviour first, de-escalations marked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

from bruising_check.analysis import compare, example_for
from bruising_check.cli import _register, app
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import Located
from tests.conftest import BASE_ANSWERS_V1, BASELINE_V1, ROOT
from tests.test_properties import answer_sets

_register()
runner = CliRunner()
V1 = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"
BASE = ROOT / "protocols" / "national-baseline.yaml"


def load(path: Path) -> Protocol:
    """A bundled protocol that must load."""
    protocol = load_protocol(path.read_bytes(), str(path)).protocol
    assert protocol is not None
    return protocol


def test_a_protocol_against_itself() -> None:
    # The version-1 baseline: the v2 baseline's behaviour is too large for the analysis budget yet.
    result = runner.invoke(
        app, ["diff", str(BASELINE_V1), "national-baseline-v1", "--fail-on-deescalation"]
    )
    assert result.exit_code == 0, result.output
    assert "No situation gets a less urgent pathway." in result.stdout
    assert "None: every situation gets the same pathway." in result.stdout
    assert "Nothing: the two versions say the same." in result.stdout


def test_v1_to_v2_marks_deescalations_first_and_fails_when_asked() -> None:
    result = runner.invoke(app, ["diff", "exampleshire-v1", "exampleshire-v2", "--format", "md"])
    assert result.exit_code == 0
    text = result.stdout
    assert "⚠ **LESS URGENT" in text
    assert text.index("LESS URGENT") < text.index("**more urgent**")
    assert "Asked only by the new version: `report_channel`" in text
    failing = runner.invoke(app, ["diff", str(V1), str(V2), "--fail-on-deescalation"])
    assert failing.exit_code == 1
    assert "less urgent pathway under the new version" in failing.stderr


def test_json_report_and_examples_reproduce_through_the_engine() -> None:
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["deescalations"] > 0
    for diff in report["behaviour"]["differences"]:
        for cls in diff["classes"][:5]:
            for protocol, expected in ((OLD, diff["old_pathway"]), (NEW, diff["new_pathway"])):
                answers = example_for(protocol, cls["example"])
                checked = check_answers(protocol, Located(answers, "example"))
                assert checked.ok, [p.format() for p in checked.problems]
                pathway = decide(protocol, checked.answers).pathway
                assert pathway is not None and pathway.id == expected


OLD, NEW = load(V1), load(V2)
PAIRS = {(d.old_pathway, d.new_pathway) for d in compare(OLD, NEW).differences}


@settings(max_examples=150, deadline=None)
@given(answer_sets(NEW))
def test_every_changed_situation_is_in_the_behavioural_diff(answers: dict[str, Any]) -> None:
    before = decide(OLD, {k: v for k, v in answers.items() if k != "report_channel"}).pathway
    after = decide(NEW, answers).pathway
    assert before is not None and after is not None
    if before.id != after.id:
        assert (before.id, after.id) in PAIRS


def test_cases_impact_and_rev_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cases = tmp_path / "records.jsonl"
    record = json.dumps({"answers": BASE_ANSWERS_V1})
    cases.write_text(f"{record}\n{record}\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["diff", "HEAD:protocols/examples/exampleshire-v2.yaml", str(V2), "--cases", str(cases)],
    )
    assert result.exit_code == 0, result.output
    assert "Cases given: 2; run under both versions: 2; pathway changed for 0" in result.stdout
    assert "kept for 2; none failed." in result.stdout
    assert "Of 2 cases given, 2 ran under both versions: 0 changed pathway and 2 kept it." in (
        result.stdout
    )


def test_bad_revision_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["diff", "no-such-rev:protocols/x.yaml", str(BASE)])
    assert result.exit_code == 2
    assert "not found in git" in result.stderr


def test_v1_to_v2_board_paper_snapshot(snapshot: Any) -> None:
    result = runner.invoke(app, ["diff", "exampleshire-v1", "exampleshire-v2", "--format", "md"])
    assert result.stdout == snapshot


def test_behaviour_too_large_to_compare_is_said_and_fails_the_gate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bruising_check.analysis as analysis

    def too_large(old: Protocol, new: Protocol, **kwargs: object) -> None:
        raise analysis.TooLarge(2_000_001)

    monkeypatch.setattr(analysis, "compare", too_large)
    result = runner.invoke(app, ["diff", str(V1), str(V2)])
    assert result.exit_code == 1  # could not finish is never a pass
    assert "Behaviour was NOT compared" in result.stdout
    assert "Behaviour was not compared." in result.stdout
    gated = runner.invoke(app, ["diff", str(V1), str(V2), "--fail-on-deescalation"])
    assert gated.exit_code == 1
    assert "behaviour was not compared" in gated.stderr
    assert "--budget SECONDS allows more time" in result.stdout
    # In Markdown the warning is its own paragraph, not swallowed by the last list item above it.
    md = runner.invoke(app, ["diff", str(V1), str(V2), "--format", "md"]).stdout
    before, warning, _ = md.partition("Behaviour was NOT compared")
    assert warning
    assert before.endswith("\n\n")


def test_cases_may_be_a_folder_of_files() -> None:
    folder = ROOT / "protocols" / "scenarios"
    expected = sum(
        len(__import__("yaml").safe_load(p.read_text())["cases"]) for p in folder.glob("*.yaml")
    )
    result = runner.invoke(
        app, ["diff", str(V1), str(V2), "--cases", str(folder), "--format", "json"]
    )
    # The shipped scenarios are answers format v2 (a `marks:` list); the example protocols ask
    # version-1 questions, so every case is reported under both versions rather than dropped,
    # and a case that could not run is not a pass.
    assert result.exit_code == 1, result.output
    assert f"{expected} of {expected} cases given could not be run" in result.stderr
    impact = json.loads(result.stdout)["impact"]
    assert impact["total"] == expected
    assert impact["unrunnable_total"] == 2 * expected
    assert impact["unrunnable_listed"] == len(impact["unrunnable"]) == min(2 * expected, 200)
    assert all("mark_types" in u["reason"] for u in impact["unrunnable"])
    assert (impact["ran"], impact["changed"], impact["unchanged"]) == (0, 0, 0)
    assert impact["not_run"] == expected


def test_the_diff_report_is_a_document_of_the_one_block_model() -> None:
    """The diff report is built once as a `render.blocks.Document` (as the rationale, handbook
    and board paper are); text, Markdown and HTML show its sections in its order."""
    import re

    from bruising_check.render import blocks
    from bruising_check.render import diff as diff_render
    from bruising_check.versions.report import DiffReport
    from bruising_check.versions.structural import structural_diff

    old, new = load(V1), load(V2)
    report = DiffReport(
        old, new, "v1", "v2", "0" * 64, "1" * 64, structural_diff(old, new), compare(old, new)
    )
    doc = diff_render.document(report)
    assert isinstance(doc, blocks.Document)
    outline = doc.outline()
    assert outline == [
        "Summary",
        "Situations whose pathway changes",
        "What changed in the text",
    ]
    md = re.findall(r"^## (.+)$", diff_render.markdown(report), re.M)
    html = re.findall(r"<h2>(.+?)</h2>", diff_render.html(report))
    text = diff_render.text(report)
    assert md == outline and html == outline
    assert [text.index(f"\n{h.upper()}\n") for h in outline] == sorted(
        text.index(f"\n{h.upper()}\n") for h in outline
    )
    # Marked runs keep their plain text: a removed word is in both the spans and the text.
    bullets = [
        b
        for s in doc.sections
        for block in s.blocks
        if isinstance(block, blocks.Bullets)
        for b in block.items
    ]
    assert any(m == "del" for b in bullets for m, _ in b.spans)
    assert all(b.text == "".join(t for _, t in b.spans) for b in bullets if b.spans)


def test_a_follow_on_that_changes_is_shown_with_its_first_step(tmp_path: Path) -> None:
    """The outcome after a first step is the pair: a diff that changes only what follows
    emergency care names both, in the text and in the JSON."""
    from tests.groups_support import TINY

    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(TINY, encoding="utf-8")
    changed = TINY.replace(
        "pathway: refer\n    because: A patterned mark.",
        "pathway: discuss\n    because: A patterned mark.",
    )
    assert changed != TINY
    new.write_text(changed, encoding="utf-8")
    text = runner.invoke(app, ["diff", str(old), str(new)])
    assert text.exit_code == 0, text.output
    assert "emergency, then refer → emergency, then discuss" in text.stdout
    assert "refer → discuss" in text.stdout
    out = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    pairs = {
        (d["old_pathway"], d["old_then"], d["new_pathway"], d["new_then"], d["direction"])
        for d in json.loads(out.stdout)["behaviour"]["differences"]
    }
    assert ("emergency", "refer", "emergency", "discuss", "less_urgent") in pairs
    assert ("refer", None, "discuss", None, "less_urgent") in pairs


def test_a_bad_csv_header_is_refused_before_the_comparison_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison may take the whole budget (a minute with --budget 60): a mistyped column
    is refused first, as the README says."""
    import bruising_check.analysis as analysis

    def not_now(*args: object, **kwargs: object) -> None:
        raise AssertionError("the comparison ran before the CSV header was checked")

    monkeypatch.setattr(analysis, "compare", not_now)
    bad = tmp_path / "c.csv"
    bad.write_text("case_id,Age_weeks\nx,10\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--cases", str(bad)])
    assert result.exit_code == 2, result.output
    assert "column 'Age_weeks' is no question of either version" in result.stderr


@pytest.mark.parametrize(("name", "text"), [("e.jsonl", ""), ("h.csv", "case_id,age_weeks\n")])
def test_cases_files_that_hold_no_case_are_not_a_pass(tmp_path: Path, name: str, text: str) -> None:
    empty = tmp_path / name
    empty.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--cases", str(empty)])
    assert result.exit_code == 1, result.output
    assert "No case was read from the files given." in result.stdout
    assert "no case was read" in result.stderr


def test_class_conditions_are_worded_one_clause_a_line_none_dropped() -> None:
    """The README's "readable condition": each class is its clauses in the questions' own
    wording, one a line, as many lines as the analysis has clauses (ids stay in JSON)."""
    import re

    from bruising_check.render.board_words import split_condition

    data = json.loads(runner.invoke(app, ["diff", str(V1), str(V2), "--format", "json"]).stdout)
    first = data["behaviour"]["differences"][0]["classes"][0]["condition"]
    clauses = split_condition(first)
    assert len(clauses) == first.count(" AND ") + 1 > 2
    text = runner.invoke(app, ["diff", str(V1), str(V2)]).stdout
    _, _, rest = text.partition("situations where all of these hold:\n")
    lines = rest.split("      example answers:")[0].splitlines()
    worded = [ln for ln in lines if ln.startswith("      - ")]
    assert len(worded) == len(clauses)
    assert " AND " not in rest.split("WHAT CHANGED IN THE TEXT")[0]
    assert "      - (2) How old is the child, in completed weeks: 26 weeks or more" in worded
    assert all(len(ln) <= 100 for ln in lines)
    md = runner.invoke(app, ["diff", str(V1), str(V2), "--format", "md"]).stdout
    assert "\n  - (2) How old is the child, in completed weeks: 26 weeks or more\n" in md
    # A later class names the first class's conditions it shares by number and words the rest:
    # together, exactly its own clauses.
    second = data["behaviour"]["differences"][0]["classes"][1]["condition"]
    later = md.split("situations where all of these hold:", 1)[1].split("\n- ", 1)[1]
    head, _, body = later.partition(", and all of these:\n")
    # "conditions (1) to (3) and (5) of the first class hold": those that hold, never "all
    # but (4)", which reads as if (4) were false where it is only not required.
    assert " but " not in head
    said: set[int] = set()
    for a, b in re.findall(r"\((\d+)\)(?: to \((\d+)\))?", head):
        said |= set(range(int(a), int(b or a) + 1))
    everything = set(range(1, len(clauses) + 1))
    own = body.split("\n\n")[0].splitlines()
    assert all(line.startswith("  - ") for line in own)
    assert len(said) + len(own) == len(split_condition(second))
    assert said < everything


def test_shared_clause_numbers_read_as_runs() -> None:
    from bruising_check.render.diff import _numbers

    assert _numbers([1, 2]) == "(1) and (2)"
    assert _numbers([1, 2, 3, 4, 6]) == "(1) to (4) and (6)"
    assert _numbers([1, 2, 4, 5, 6, 8]) == "(1), (2), (4) to (6) and (8)"


def test_split_condition_keeps_an_and_inside_brackets() -> None:
    from bruising_check.render.board_words import split_condition

    cond = "a is true AND some mark has (b is x AND (c is y OR d is z)) AND e ≥ 2"
    assert split_condition(cond) == [
        "a is true",
        "some mark has (b is x AND (c is y OR d is z))",
        "e ≥ 2",
    ]


def test_html_counts_are_superscripts_and_examples_wrap() -> None:
    from bruising_check.render import blocks
    from bruising_check.render import diff as diff_render

    html = runner.invoke(app, ["diff", str(V1), str(V2), "--format", "html"]).stdout
    assert "× 10<sup>18</sup>" in html and "10^" not in html
    assert "white-space:pre-wrap" in html
    assert "10^18" in runner.invoke(app, ["diff", str(V1), str(V2)]).stdout  # text as it was
    marks = [{"type": "bruise", "site": "cheek"}, {"type": "burn", "site": "palm"}]
    rows = blocks.Fields((("age_weeks", "12"), ("marks", json.dumps(marks))))
    assert diff_render._example_lines(rows) == [
        "age_weeks: 12",
        "marks:",
        '  - {"type": "bruise", "site": "cheek"}',
        '  - {"type": "burn", "site": "palm"}',
    ]
    import yaml

    assert yaml.safe_load("\n".join(diff_render._example_lines(rows)))["marks"] == marks
