"""Answers format version 2: groups as lists of mappings, unknowns, version-1 files, YAML 1.2
numbers, and `migrate-answers`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.answers import check_answers
from bruising_check.engine.migrate import migrate
from bruising_check.problems import Code
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.yamlread import read_yaml
from tests.groups_support import TINY, tiny

P = tiny()

GOOD = """\
age_weeks: 010
gestation: null
unwell: false
mobility: [not_sure]
marks:
  - type: bruise
    site: cheek
    patterned: no
  - type: abrasion
    site: sole
    patterned: not_sure
    count: 2
"""


def check(text: str) -> tuple[dict[str, Any], list[Any]]:
    checked = check_answers(P, read_yaml(text, "answers.yaml", yaml12=True))
    return checked.answers, checked.problems


def test_a_version_2_file_with_every_kind_of_unknown() -> None:
    answers, problems = check(GOOD)
    assert problems == []
    assert answers["age_weeks"] == 10  # YAML 1.2: 010 is ten, not octal eight
    assert answers["gestation"] is UNKNOWN
    assert answers["mobility"] is UNKNOWN
    first, second = answers["marks"]
    assert first == {"type": "bruise", "site": "cheek", "patterned": "no"}  # `no` is text
    assert second["patterned"] is UNKNOWN and second["count"] == 2


def test_errors_inside_a_group_name_the_item_one_based_and_point_at_it() -> None:
    text = GOOD.replace("site: sole", "site: elbow").replace("count: 2", "count: 0")
    _, problems = check(text)
    messages = [p.message for p in problems]
    assert any(m.startswith("marks[2].site: 'elbow' is not an option") for m in messages)
    assert any(m.startswith("marks[2].count: 0 marks is outside 1–10") for m in messages)
    site = next(p for p in problems if "site" in p.message)
    assert (site.line, site.column) == (10, 11)  # the value `elbow`
    assert site.path == ("marks", 1, "site")


def test_unknown_item_keys_missing_required_item_answers_and_counts() -> None:
    _, problems = check(GOOD.replace("    site: cheek\n", "    colour: blue\n"))
    assert {(p.code, p.message.split(":")[0]) for p in problems} == {
        (Code.ANSWER_UNKNOWN_ID, "marks[1].colour"),
        (Code.ANSWER_MISSING, "marks[1].site"),
    }
    _, problems = check(GOOD.split("marks:")[0] + "marks: []\n")
    assert [p.code for p in problems] == [Code.ANSWER_RANGE]  # at least one mark
    _, problems = check(GOOD.split("marks:")[0] + "marks: {type: bruise}\n")
    assert [p.code for p in problems] == [Code.ANSWER_TYPE]


def test_not_known_only_where_the_question_allows_it() -> None:
    _, problems = check(GOOD.replace("age_weeks: 010", "age_weeks: null"))
    assert [p.code for p in problems] == [Code.ANSWER_MISSING]
    assert "no 'not known'" in problems[0].message
    _, problems = check(GOOD.replace("site: cheek", "site: null"))
    assert [p.message.split(":")[0] for p in problems] == ["marks[1].site"]


def test_the_multiple_choice_unknown_option_must_be_alone() -> None:
    _, problems = check(GOOD.replace("[not_sure]", "[not_sure, walking]"))
    assert [p.code for p in problems] == [Code.ANSWER_OPTION]
    assert "chosen alone" in problems[0].message


def test_yaml_1_2_numbers_and_words_in_answers() -> None:
    data = read_yaml("a: 010\nb: 0x1F\nc: 1:30\nd: yes\ne: 1e3\nf: 0o17\n", "x", yaml12=True).data
    assert data == {"a": 10, "b": "0x1F", "c": "1:30", "d": "yes", "e": 1000.0, "f": "0o17"}
    # Protocols read numbers as YAML 1.2 too (010 is ten, never octal 8), but keep YAML 1.1
    # yes/no booleans, which are reported (truthy_words), not silently accepted as words.
    protocol = read_yaml("a: 010\nd: yes\n", "x")
    assert protocol.data == {"a": 10, "d": True}
    assert protocol.truthy_words == {("d",): "yes"}
    _, problems = check(GOOD.replace("unwell: false", "unwell: no"))
    assert "answers files read yes/no as text" in problems[0].message


V1 = """\
age_weeks: 10
gestation_weeks_at_birth: 40
mobility_milestones: []
mark_types: [bruise]
locations: [cheek]
patterned: false
explanation: none
report_channel: seen_in_person
"""


def test_a_version_1_file_says_what_changed() -> None:
    _, problems = check(V1)
    assert [p.code for p in problems] == [Code.ANSWERS_VERSION_1]
    assert "`marks:`" in problems[0].message and "mark_types" in problems[0].message
    assert "migrate-answers" in (problems[0].hint or problems[0].code.hint)
    assert problems[0].line == 4


def test_migrate_one_mark() -> None:
    result = migrate(yaml.safe_load(V1))
    assert result.answers == {
        "age_weeks": 10,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": [],
        "report_channel": "seen_in_person",
        "marks": [
            {"type": "bruise", "site": "cheek", "patterned": "no", "explanation": "none_given"}
        ],
    }
    assert result.notes == []


def test_migrate_one_type_at_several_sites_leaves_out_what_is_per_mark() -> None:
    data = {**yaml.safe_load(V1), "locations": ["cheek", "foot"], "patterned": True}
    result = migrate(data)
    assert result.answers is not None
    assert result.answers["marks"] == [{"type": "bruise", "site": "cheek"}, {"type": "bruise"}]
    joined = " ".join(result.notes)
    assert "top_of_foot or sole" in joined and "patterned" in joined
    assert "explanation" in joined


def test_migrate_refuses_to_guess_which_mark_is_where() -> None:
    data = {**yaml.safe_load(V1), "mark_types": ["bruise", "burn"], "locations": ["ear", "sole"]}
    result = migrate(data)
    assert result.answers is None and result.reason is not None
    assert "which mark is where" in result.reason


def test_migrate_answers_command(tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    source = tmp_path / "v1.yaml"
    source.write_text(V1)
    out = tmp_path / "v2.yaml"
    result = runner.invoke(app, ["migrate-answers", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["marks"][0]["site"] == "cheek"
    again = runner.invoke(app, ["migrate-answers", str(source), "--output", str(out)])
    assert again.exit_code == 2  # never overwrites
    source.write_text(V1.replace("[bruise]", "[bruise, burn]").replace("[cheek]", "[ear, sole]"))
    refused = runner.invoke(app, ["migrate-answers", str(source)])
    assert refused.exit_code == 1
    assert "not converted" in refused.output
    v2 = tmp_path / "v2-already.yaml"
    v2.write_text(GOOD)
    assert runner.invoke(app, ["migrate-answers", str(v2)]).exit_code == 1


def test_check_answers_on_a_protocol_with_groups(tmp_path: Path) -> None:
    import json

    _register()
    protocol = tmp_path / "tiny.yaml"
    protocol.write_text(TINY)
    answers = tmp_path / "answers.yaml"
    answers.write_text(GOOD)
    result = CliRunner().invoke(
        app, ["check", str(protocol), "--answers", str(answers), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["outcome"]["id"] == "refer"
    assert record["answers"]["marks"][1]["patterned"] is None  # not known is null
    assert record["answers"]["marks"][0]["patterned"] == "no"
