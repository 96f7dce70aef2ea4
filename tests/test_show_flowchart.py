"""`show --format tree|mermaid|dot|svg|png`: flowcharts from questions through rules to pathways,
with one case's path highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from bruising_check import STATEMENT
from bruising_check.cli import _register, app
from bruising_check.engine.decide import decide
from bruising_check.protocol.model import Protocol
from bruising_check.render import flowchart
from tests.conftest import BASE_ANSWERS, BASELINE, ROOT, load_text, run
from tests.test_properties import PROTOCOL, answer_sets

_register()
runner = CliRunner()
EAR = ROOT / "examples" / "answers" / "ear-bruise-walking-18-months.yaml"


@pytest.mark.parametrize("fmt", ["tree", "mermaid", "dot"])
def test_flowchart_snapshot(baseline: Protocol, fmt: str, snapshot: SnapshotAssertion) -> None:
    assert getattr(flowchart, fmt)(baseline) == snapshot


@pytest.mark.parametrize("fmt", ["tree", "mermaid", "dot"])
def test_highlighted_flowchart_snapshot(
    baseline: Protocol, fmt: str, snapshot: SnapshotAssertion
) -> None:
    answers = yaml.safe_load(EAR.read_text(encoding="utf-8"))
    path = flowchart.trace(baseline, run(baseline, **answers))
    assert getattr(flowchart, fmt)(baseline, path) == snapshot


@pytest.mark.parametrize("fmt", ["tree", "mermaid", "dot"])
def test_every_flowchart_says_the_tool_does_not_replace_judgement(
    baseline: Protocol, fmt: str
) -> None:
    """Like every printout (the drawn charts, the handbook, the records, the diff)."""
    text = " ".join(
        getattr(flowchart, fmt)(baseline).replace("<br/>", " ").replace("\\n", " ").split()
    )
    assert STATEMENT in text


def test_tree_marks_the_deciding_rule_and_the_pathway(baseline: Protocol) -> None:
    path = flowchart.trace(baseline, run(baseline))  # the 10-week-old: B6 decides
    text = flowchart.tree(baseline, path)
    assert "┌ B6  [✔ DECIDES]" in text
    assert "┌ B7  [· not reached]" in text
    assert "┌ B1  [✗ no]" in text
    line = next(x for x in text.splitlines() if "Refer today" in x and "◀ this case" in x)
    assert line.strip().startswith("[3]")


def test_every_rule_and_pathway_is_in_each_chart(baseline: Protocol) -> None:
    for render in (flowchart.tree, flowchart.mermaid, flowchart.dot):
        text = render(baseline)
        for rule in baseline.rules:
            assert rule.id in text
        for pw in baseline.pathways:
            assert pw.title[:30] in text.replace("<br/>", " ").replace("\\n", " ")


def test_dot_has_one_yes_edge_per_rule_and_a_chain_of_no_edges(baseline: Protocol) -> None:
    text = flowchart.dot(baseline)
    assert text.count('label="yes"') == len(baseline.rules)
    assert text.count('label="no"') == len(baseline.rules)  # the last one leads to "unmatched"


@settings(max_examples=150, deadline=None)
@given(answer_sets(PROTOCOL))
def test_highlight_agrees_with_the_engine(answers: dict[str, Any]) -> None:
    decision = decide(PROTOCOL, answers)
    path = flowchart.trace(PROTOCOL, decision)
    assert decision.deciding_rule is not None
    states = [path.steps[r.id] for r in PROTOCOL.rules]
    k = [r.id for r in PROTOCOL.rules].index(decision.deciding_rule.id)
    assert states[k] == "decides"
    assert set(states[:k]) <= {"ruled_out"}
    assert set(states[k + 1 :]) <= {"not_reached"}


HOSTILE = '"]} --> x <script>alert(1)</script> \\ [bold]B[/bold]'


def _hostile_protocol() -> Protocol:
    text = BASELINE.read_text(encoding="utf-8").replace(
        "title: Refer today to children's social care, and a paediatric assessment is arranged",
        f"title: {yaml.safe_dump(HOSTILE).strip()}",
    )
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


def test_protocol_text_cannot_break_out_of_mermaid_or_dot() -> None:
    p = _hostile_protocol()
    mm = flowchart.mermaid(p)
    assert "<script>" not in mm and '"]}' not in mm
    assert "#60;script#62;" in mm  # shown, as entity codes Mermaid prints literally
    dot = flowchart.dot(p)
    assert "<script>alert(1)</script>" in dot  # DOT strings show it as text
    for line in dot.splitlines():  # every quote inside a string is escaped: none breaks out
        bare = line.replace("\\\\", "").replace('\\"', "")
        assert bare.count('"') % 2 == 0, line
    assert flowchart.tree(p).count(HOSTILE) >= 1  # plain text: literally


def test_show_tree_through_the_cli_with_highlight() -> None:
    result = runner.invoke(app, ["show", "--highlight", str(EAR)])
    assert result.exit_code == 0, result.output
    assert "┌ B8  [✔ DECIDES]" in result.stdout  # TEN-4-FACESp positive though walking


def test_highlight_with_a_handbook_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["show", "--format", "md", "--highlight", str(EAR)])
    assert result.exit_code == 2
    assert "flowchart" in result.stderr


def test_highlight_with_bad_answers_names_the_id(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**BASE_ANSWERS, "explanation": "fell"}), encoding="utf-8")
    result = runner.invoke(app, ["show", "--highlight", str(bad)])
    assert result.exit_code == 1
    assert "explanation:" in result.stderr and "Traceback" not in result.output


def test_a_first_step_shows_what_follows_in_every_chart(baseline: Protocol) -> None:
    """Emergency care first, then the rules below: each chart says so, and a highlighted case
    names and marks both pathways."""
    first = [r for r in baseline.rules if r.then is not None]
    assert first, "the baseline has a first-step rule"
    path = flowchart.trace(baseline, run(baseline, injury_red_flags=["seriously_unwell"]))
    assert path.pathway == "emergency_care_first"
    assert path.then == "refer_same_day_csc_and_paediatric"
    tree = flowchart.tree(baseline, path)
    assert "→ emergency_care_first, then refer_same_day_csc_and_paediatric" in tree
    assert tree.count("◀ this case") == 2
    assert tree.count("then ↓") == len(first)
    assert flowchart.mermaid(baseline).count("-.->|then|") == len(first)
    dot = flowchart.dot(baseline, path)
    assert dot.count('label="then"') == len(first)
    assert dot.count('fillcolor="#ffe9a8", color="#b00000"') >= 2
