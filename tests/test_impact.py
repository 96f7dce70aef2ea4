"""Impact on real cases: every supported cases format, streamed, counted by old -> new pathway."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Case, CaseFileError, impact, read_cases
from tests.conftest import BASE_ANSWERS_V1, BASE_ANSWERS_V2, ROOT

V1 = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"


@pytest.fixture(scope="module")
def versions() -> tuple[Protocol, Protocol]:
    a = load_protocol(V1.read_bytes(), "v1").protocol
    b = load_protocol(V2.read_bytes(), "v2").protocol
    assert a is not None and b is not None
    return a, b


CSV = (
    "case_id,age_weeks,mobility_milestones,mark_types,locations,child_seriously_unwell,"
    "gestation_weeks_at_birth,disability_affecting_mobility,patterned,multiple_or_clustered,"
    "explanation,diagnosed_condition_can_cause_mark,accident_independently_witnessed,report_channel\n"
    # 30-week-old roller, shin bruise: v1 counts rolling (mobile -> no action); v2 refers.
    "roller,30,rolling;sitting,bruise,shin,false,40,no,no,no,plausible_consistent,no,no,seen_in_person\n"
    # 10-week-old, cheek bruise: referred under both.
    "young,10,none,bruise,cheek,false,40,no,no,no,none,no,no,seen_in_person\n"
    # 20-week-old crawler: v1 treats under-6-months as non-mobile (refer); v2 mobile, typical site.
    "crawler,20,crawling,bruise,knee,false,40,no,no,no,plausible_consistent,no,no,seen_in_person\n"
)


def test_csv_cases_are_counted_by_transition(versions: tuple[Protocol, Protocol]) -> None:
    v1, v2 = versions
    questions = {q.id: q for q in v2.questions}
    result = impact(v1, v2, read_cases("cases.csv", io.StringIO(CSV), questions))
    assert result.total == 3
    assert result.unrunnable == []
    assert dict(result.transitions) == {
        ("no_protocol_action_record_and_advise", "refer_same_day_csc_and_paediatric"): 1,
        ("refer_same_day_csc_and_paediatric", "refer_same_day_csc_and_paediatric"): 1,
        ("refer_same_day_csc_and_paediatric", "no_protocol_action_record_and_advise"): 1,
    }
    assert result.changed == 2
    assert result.changed_cases[
        ("refer_same_day_csc_and_paediatric", "no_protocol_action_record_and_advise")
    ] == ["cases.csv:crawler"]


def test_saved_records_and_jsonl(versions: tuple[Protocol, Protocol]) -> None:
    v1, v2 = versions
    record = {"answers": {**BASE_ANSWERS_V1, "report_channel": "seen_in_person"}, "created_at": "t"}
    one = list(read_cases("r.json", io.StringIO(json.dumps(record)), {}))
    many = list(
        read_cases("r.jsonl", io.StringIO(json.dumps(record) + "\n\n" + json.dumps(record)), {})
    )
    assert [c.name for c in one] == ["r.json t"]
    assert [c.name for c in many] == ["r.jsonl:1 t", "r.jsonl:3 t"]
    result = impact(v1, v2, many)
    # v1 does not ask report_channel: the answer is left out for v1, so both run.
    assert result.unrunnable == []
    assert result.total == 2 and result.changed == 0


def test_scenario_files_run(baseline: Protocol) -> None:
    """Scenario files in answers format v2 (a `marks:` list) run as cases."""
    path = ROOT / "protocols" / "scenarios" / "public-examples-v2.yaml"
    with path.open() as handle:
        result = impact(baseline, baseline, read_cases(str(path), handle, {}))
    assert result.total == 10
    assert result.unrunnable == []
    assert result.changed == 0


def test_a_case_one_version_cannot_run_is_reported(versions: tuple[Protocol, Protocol]) -> None:
    v1, v2 = versions
    answers = {k: v for k, v in BASE_ANSWERS_V1.items() if k != "report_channel"}
    record = json.dumps({"answers": answers})
    result = impact(v1, v2, read_cases("r.json", io.StringIO(record), {}))
    assert result.total == 1
    assert [(c, which) for c, which, _ in result.unrunnable] == [("r.json", "new")]
    assert "report_channel" in result.unrunnable[0][2]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.txt", "a"),
        ("x.json", "{nope"),
        ("x.json", "[1]"),
        ("x.yaml", "cases: 3"),
        ("x.yaml", ": :"),
        ("x.csv", "age_weeks,notes\n10," + "n" * 100_001 + "\n"),  # one cell is bounded
    ],
)
def test_unreadable_case_files_are_named(name: str, content: str) -> None:
    with pytest.raises(CaseFileError, match=name.replace(".", r"\.")):
        list(read_cases(name, io.StringIO(content), {}))


def test_reading_streams_one_case_at_a_time() -> None:
    lines = (json.dumps({"answers": {"age_weeks": i}}) + "\n" for i in range(10**9))

    class Endless(io.TextIOBase):
        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            return next(lines)

    cases = read_cases("big.jsonl", Endless(), {})  # type: ignore[arg-type]
    first = [next(cases) for _ in range(3)]
    assert [c.answers["age_weeks"] for c in first] == [0, 1, 2]


def test_csv_item_columns_make_a_group(baseline: Protocol) -> None:
    """Answers format v2 in CSV: `marks[N].question` columns, 1-based; an item whose cells are
    all empty is no item; the cases run as the same answers in JSON Lines do."""
    text = (
        "case_id,immediate_danger,injury_red_flags,age_weeks,gestation_weeks_at_birth,"
        "mobility_milestones,report_channel,diagnosed_bleeding_condition,"
        "marks[1].type,marks[1].site,marks[1].patterned,marks[1].explanation,marks[1].count,"
        "marks[2].type,marks[2].site,marks[2].patterned,marks[2].explanation,marks[2].count\n"
        # 10-week-old, one cheek bruise (marks[2] left empty): referred (B6).
        "one,no,none,10,40,none,seen_in_person,no,bruise,cheek,no,none_given,,,,,,\n"
        # 60-week-old walker, two unexplained bruises at unusual sites (count 1 each): B7.
        "two,no,none,60,40,walking,seen_in_person,no,bruise,back,no,none_given,1,"
        "bruise,ear,no,none_given,1\n"
    )
    questions = {q.id: q for q in baseline.questions}
    cases = list(read_cases("v2.csv", io.StringIO(text), questions))
    assert [len(c.answers["marks"]) for c in cases] == [1, 2]
    assert cases[1].answers["marks"][1] == {
        "type": "bruise",
        "site": "ear",
        "patterned": "no",
        "explanation": "none_given",
        "count": 1,
    }
    result = impact(baseline, baseline, cases)
    assert result.unrunnable == []
    assert dict(result.transitions) == {
        ("refer_same_day_csc_and_paediatric", "refer_same_day_csc_and_paediatric"): 2
    }
    lines = "".join(json.dumps({"answers": c.answers}) + "\n" for c in cases)
    again = impact(baseline, baseline, read_cases("v2.jsonl", io.StringIO(lines), {}))
    assert dict(again.transitions) == dict(result.transitions)


def test_a_case_whose_follow_on_changes_is_a_changed_case(tmp_path: Path) -> None:
    """The outcome after a first step is the pair: a seriously unwell baby with a patterned
    mark keeps "emergency care first" but what follows it goes from refer to discuss. The case
    impact counts it, says it is less urgent, and `--fail-on-deescalation` fails on it."""
    from typer.testing import CliRunner

    from bruising_check.cli import _register, app
    from tests.groups_support import ANSWERS, TINY, tiny

    changed = TINY.replace(
        "pathway: refer\n    because: A patterned mark.",
        "pathway: discuss\n    because: A patterned mark.",
    )
    assert changed != TINY
    unwell = {**ANSWERS, "unwell": True, "marks": [{**ANSWERS["marks"][0], "patterned": "yes"}]}
    well = {**ANSWERS, "marks": [{**ANSWERS["marks"][0], "patterned": "yes"}]}
    lines = "".join(
        json.dumps({"created_at": name, "answers": {"answers_version": 2, **answers}}) + "\n"
        for name, answers in (("unwell", unwell), ("well", well), ("plain", ANSWERS))
    )
    result = impact(tiny(), tiny(changed), read_cases("c.jsonl", io.StringIO(lines), {}))
    assert result.follow_ons == {("emergency", "refer", "discuss"): 1}
    assert result.follow_on_directions[("emergency", "refer", "discuss")] == "less_urgent"
    assert result.transitions[("refer", "discuss")] == 1  # the well baby: the pathway changes
    assert result.changed == 2 and result.follow_on_deescalations == 1
    cases = [c for c in result.to_json()["follow_on_changes"] if c["count"]]
    assert [(c["old_then"], c["new_then"], c["cases"]) for c in cases] == [
        ("refer", "discuss", ["c.jsonl:1 unwell"])
    ]

    old, new, file = tmp_path / "old.yaml", tmp_path / "new.yaml", tmp_path / "c.jsonl"
    old.write_text(TINY, encoding="utf-8")
    new.write_text(changed, encoding="utf-8")
    file.write_text(lines, encoding="utf-8")
    _register()
    shown = CliRunner().invoke(
        app, ["diff", str(old), str(new), "--cases", str(file), "--fail-on-deescalation"]
    )
    assert shown.exit_code == 1, shown.output
    assert "emergency, then refer → emergency, then discuss: 1 case: " in shown.stdout
    assert "c.jsonl:1 unwell" in shown.stdout


def test_answers_to_questions_neither_version_asks_are_left_out_and_said(
    baseline: Protocol,
) -> None:
    """A typo in a saved record (`foo`, `age_weks`) is no answer to any question: the case runs
    as each version runs it (each leaves out ids it does not ask), and the impact says which
    ids were left out and in how many cases."""
    cases = [
        Case("a", {**BASE_ANSWERS_V2, "foo": 1}),
        Case("b", {**BASE_ANSWERS_V2, "foo": 2, "age_weks": 3}),
        Case("c", dict(BASE_ANSWERS_V2)),
    ]
    result = impact(baseline, baseline, cases)
    assert result.total == result.ran == 3  # the stray answers stop nothing
    assert result.with_ignored == 2
    assert dict(result.ignored) == {"foo": 2, "age_weks": 1}
    assert result.to_json()["ignored_answers"] == {
        "cases": 2,
        "ids": [{"id": "foo", "cases": 2}, {"id": "age_weks", "cases": 1}],
    }
