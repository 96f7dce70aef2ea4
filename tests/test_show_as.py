"""What the record and printouts single out about a mark (its site, side, kind, explanation) is
found by the protocol's `show_as`, never by a question id: a copy of the baseline whose mark
questions all have other ids prints the same rationale, body map and TEN-4-FACESp line, and its
saved record verifies."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bruising_check.analysis.twins import twin
from bruising_check.problems import Code
from bruising_check.protocol.loader import Loaded
from bruising_check.protocol.model import GroupQuestion, Protocol
from bruising_check.protocol.yamlread import read_yaml
from bruising_check.records.record import Record, build_record
from bruising_check.render import html as render_html
from bruising_check.render import plain as render
from bruising_check.render import rationale
from bruising_check.versions.board import policy_questions
from tests.conftest import BASE_ANSWERS_V2, BASELINE, ROOT, load_text, mark, run

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
RENAMED = {
    "type": "kind",
    "site": "where",
    "side": "which_side",
    "size_cm": "width",
    "colour": "hue",
    "count": "how_many",
    "patterned": "pattern_seen",
    "explanation": "why",
    "explained_by": "told_by",
    "account": "in_their_words",
}


def _rename(node: Any) -> Any:
    """Every reference to a mark question (`item:`, `sum:`) under its new id."""
    if isinstance(node, dict):
        return {
            k: RENAMED.get(v, v) if k in ("item", "sum") and isinstance(v, str) else _rename(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename(x) for x in node]
    return node


def renamed_baseline() -> str:
    data = read_yaml(BASELINE.read_text(encoding="utf-8"), str(BASELINE)).data
    data = _rename(data)
    [marks] = [q for q in data["questions"] if q["id"] == "marks"]
    for q in marks["questions"]:
        q["id"] = RENAMED[q["id"]]
    return json.dumps(data, ensure_ascii=False, indent=1)


def renamed_mark(item: dict[str, Any]) -> dict[str, Any]:
    return {RENAMED[k]: v for k, v in item.items()}


@pytest.fixture(scope="module")
def renamed() -> Protocol:
    loaded = load_text(renamed_baseline(), "renamed.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    marks = loaded.protocol.group("marks")
    assert marks is not None and marks.question("site") is None  # the ids really are others
    return loaded.protocol


MARKS = [
    mark(explained_by="father", account="He said the dog did it", colour="blue-purple"),
    {k: v for k, v in mark(type="swelling", site="thigh").items() if k != "side"},
    mark(type="bruise", site="ear", side="right", patterned="not_sure", count=3),
]


def _record(protocol: Protocol, marks: list[dict[str, Any]]) -> Record:
    decision = run(protocol, age_weeks=17, marks=marks)
    return build_record(protocol, "0" * 64, decision, created_at=NOW)


@pytest.fixture(scope="module")
def pair(baseline_loaded: Loaded, renamed: Protocol) -> tuple[Record, Record]:
    assert baseline_loaded.protocol is not None
    original = _record(baseline_loaded.protocol, MARKS)
    other = _record(renamed, [renamed_mark(m) for m in MARKS])
    return original, other


def test_renamed_copy_decides_the_same(pair: tuple[Record, Record]) -> None:
    original, other = pair
    assert other.outcome == original.outcome
    assert [m.site for m in other.marks] == ["cheek", "thigh", "ear"]
    assert [m.side for m in other.marks] == ["left", None, "right"]


def _but_checksum(printed: str) -> str:
    """The printout without the record's checksum: the records differ (their answers are keyed
    by each protocol's own ids), what is printed from them must not."""
    found = re.findall(r"sha256:[0-9a-f]{64}", printed)
    assert len(set(found)) == 1, found
    return printed.replace(found[0], "sha256:...")


def test_renamed_copy_prints_the_same_rationale(pair: tuple[Record, Record]) -> None:
    original, other = pair
    text = _but_checksum(render.text(original))
    assert _but_checksum(render.text(other)) == text
    assert _but_checksum(render.markdown(other)) == _but_checksum(render.markdown(original))
    # What the printout singles out is there, not merely equal (both could have lost it).
    flat = " ".join(text.split())
    assert "Mark 2 (swelling, Leg: thigh (side not recorded)): not accounted for (The" in flat
    assert "Mark 1 (bruise, Face: cheek (the fleshy part) (left)): TEN-4-FACESp region" in flat
    assert "Who gave the explanation: Father" in flat and "| He said the dog did it" in flat


def test_renamed_copy_draws_the_same_body_map(pair: tuple[Record, Record]) -> None:
    original, other = pair
    drawn = rationale.map_marks(original)
    assert [(m.number, m.site, m.side) for m in drawn] == [
        (1, "cheek", "left"),
        (2, "thigh", None),
        (3, "ear", "right"),
    ]
    assert rationale.map_marks(other) == drawn
    svg = re.findall(r"<svg.*?</svg>", render_html.html(original), re.S)
    assert svg and re.findall(r"<svg.*?</svg>", render_html.html(other), re.S) == svg


def test_renamed_copy_prints_the_same_screening_line(pair: tuple[Record, Record]) -> None:
    original, other = pair
    line = [s for s in render.text(original).splitlines() if s.startswith("TEN-4-FACESp")]
    assert line, render.text(original)
    assert [s for s in render.text(other).splitlines() if s.startswith("TEN-4-FACESp")] == line


def test_renamed_copy_record_verifies(tmp_path: Path) -> None:
    protocol = tmp_path / "renamed.yaml"
    protocol.write_text(renamed_baseline(), encoding="utf-8")
    answers = tmp_path / "answers.json"
    data = {**BASE_ANSWERS_V2, "age_weeks": 17, "marks": [renamed_mark(m) for m in MARKS]}
    answers.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "check.json"
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bruising_check", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    made = cli("check", str(protocol), "--answers", str(answers), "--output", str(out))
    assert made.returncode == 0, made.stderr
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert [m["site"] for m in saved["marks"]] == ["cheek", "thigh", "ear"]  # the record's keys
    verified = cli("verify-record", str(out), "--protocol", str(protocol))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_no_site_declared_means_no_marks_are_guessed(baseline: Protocol) -> None:
    """A group is the marks because it says `show_as: site`, never because an item is `site`."""
    text = BASELINE.read_text(encoding="utf-8").replace("        show_as: site\n", "", 1)
    loaded = load_text(text)
    assert loaded.protocol is not None
    record = _record(loaded.protocol, MARKS)
    assert record.marks == ()
    assert _record(baseline, MARKS).marks != ()
    # ... and `validate` says so, at the group, rather than let the marks vanish from printouts.
    [warning] = [p for p in loaded.problems if p.code is Code.W_MARKS_WITHOUT_SITE]
    assert "group 'marks'" in warning.message and "no `show_as: site`" in warning.message
    assert text.splitlines()[warning.line - 1].strip() == "- id: marks"
    assert not [
        p for p in load_text(BASELINE.read_text()).problems if p.code is Code.W_MARKS_WITHOUT_SITE
    ]


def test_two_questions_shown_as_one_thing_is_a_located_error() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    twice = text.replace("        show_as: colour\n", "        show_as: size\n", 1)
    problems = [p for p in load_text(twice).problems if p.code is Code.DUPLICATE_SHOW_AS]
    assert len(problems) == 1, [p.format() for p in load_text(twice).problems]
    [problem] = problems
    lines = twice.splitlines()
    assert lines[problem.line - 1].strip() == "show_as: size"
    assert lines[problem.line - 2].strip() == "- id: colour"  # the second one, where it is
    assert "'colour'" in problem.message and "'size_cm'" in problem.message


def test_a_group_is_not_shown_as_anything() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    marked = text.replace("    item_label: mark\n", "    item_label: mark\n    show_as: site\n", 1)
    problems = load_text(marked).problems
    assert any(p.code is Code.SCHEMA and "show_as" in p.message for p in problems), [
        p.format() for p in problems
    ]


def test_every_bundled_mark_group_declares_its_site_and_side() -> None:
    for path in sorted((ROOT / "protocols").glob("**/*.yaml")):
        if "scenarios" in path.parts:
            continue
        loaded = load_text(path.read_text(encoding="utf-8"), str(path))
        assert loaded.protocol is not None, path
        for g in loaded.protocol.questions:
            if isinstance(g, GroupQuestion) and g.question("site") is not None:
                assert g.shown_as("site") is not None and g.shown_as("side") is not None, path


def test_the_board_paper_links_positions_to_the_questions_declared_so() -> None:
    """`nim_explanation` is about the question declared `show_as: explanation`, whatever its id
    (the twin renames it, and every reference to it)."""
    path = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
    loaded = load_text(path.read_text(encoding="utf-8"), str(path))
    assert loaded.protocol is not None
    assert policy_questions("nim_explanation", loaded.protocol) == {"explanation"}
    assert policy_questions("scope_mark_types", loaded.protocol) == {"mark_types"}
    made = twin(loaded.protocol, "explanation")
    assert made is not None
    other, name, _ = made
    assert policy_questions("nim_explanation", other) == {name} != {"explanation"}
    assert policy_questions("age_anchor", other) == {"age_weeks"}


def _strip_show_as(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_show_as(v) for k, v in node.items() if k != "show_as"}
    if isinstance(node, list):
        return [_strip_show_as(x) for x in node]
    return node


def test_a_protocol_without_show_as_still_prints_every_mark() -> None:
    """A local protocol written before `show_as` (mark questions with the baseline's ids, no
    annotation): every mark, its answers, an unknown among them and the carer's words are
    printed, as before the annotation; none is silently dropped."""
    data = _strip_show_as(read_yaml(BASELINE.read_text(encoding="utf-8"), str(BASELINE)).data)
    loaded = load_text(json.dumps(data, ensure_ascii=False), "undeclared.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    record = _record(loaded.protocol, MARKS)
    assert [m.site for m in record.marks] == ["cheek", "thigh", "ear"]
    assert [m.side for m in record.marks] == ["left", None, "right"]
    flat = " ".join(render.text(record).split())
    assert "He said the dog did it" in flat
    assert "Nothing was written down" not in flat
    assert "mark 3: Is it patterned" in flat  # the unknown is listed with its mark
