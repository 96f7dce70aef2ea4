"""Policy positions that are true (issue 14.4): each checked position on a tiny inline protocol
where it holds (no warning) and where it fails (a warning whose counterexample, run through the
engine, really shows the difference)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.analysis import Finding, analyse
from bruising_check.analysis import policy as policy_module
from bruising_check.analysis.build import build
from bruising_check.analysis.formulas import TRUE
from bruising_check.analysis.policy import policy_findings
from bruising_check.analysis.twins import Budget, differences, run, twin
from bruising_check.cli import _register, app
from bruising_check.engine.urgency import compare_outcomes
from bruising_check.problems import Code
from bruising_check.protocol.bundled import find_bundled
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Policy, Protocol
from bruising_check.render import handbook, handbook_text
from bruising_check.versions.structural import structural_diff
from tests.analysis_support import complete_answer_sets, first_rule, load_data, random_protocol_data

_register()
POLICY_CODES = (Code.POLICY_HOLDS, Code.W_POLICY_NOT_TRUE, Code.W_POLICY_NOT_PROVED)


def rule(rid: str, when: dict[str, Any], pathway: str) -> dict[str, Any]:
    return {"id": rid, "when": when, "pathway": pathway, "because": "Because.", "cite": ["s1"]}


def action(aid: str) -> dict[str, Any]:
    return {"id": aid, "text": f"Do {aid}."}


def choice(qid: str, *options: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single_choice",
        "prompt": f"{qid}?",
        "options": [{"id": o, "label": o} for o in options],
    }


QUESTIONS: list[dict[str, Any]] = [
    {"id": "mobile", "type": "boolean", "prompt": "Mobile?"},
    choice("explanation", "none", "plausible", "documented"),
    choice("report_channel", "seen_in_person", "phone", "third_party"),
]
FACTS: list[dict[str, Any]] = [
    {
        "id": "independently_mobile",
        "type": "boolean",
        "label": "Independently mobile",
        "condition": {"question": "mobile", "equals": True},
        "cite": ["s1"],
        "show_as": "mobility",
    }
]
PATHWAYS: list[dict[str, Any]] = [
    {
        "id": "refer",
        "title": "Refer",
        "urgency": 1,
        "level": "social_care_same_day",
        "timescale": {"label": "Today"},
        "actions": [action("phone_front_door"), action("strategy_discussion")],
    },
    {
        "id": "discuss",
        "title": "Discuss",
        "urgency": 2,
        "level": "discussion",
        "timescale": {"label": "Today"},
        "actions": [action("discuss")],
    },
    {
        "id": "record",
        "title": "Record",
        "urgency": 3,
        "level": "record_and_advise",
        "timescale": {"label": "Now"},
        "actions": [action("record")],
    },
]
# Not mobile: referred whatever the explanation; mobile: the explanation decides.
RULES: list[dict[str, Any]] = [
    rule("R1", {"fact": "independently_mobile", "equals": False}, "refer"),
    rule("R2", {"question": "explanation", "equals": "none"}, "discuss"),
    rule("R3", {"question": "explanation", "in": ["plausible", "documented"]}, "record"),
]


def protocol(policy: dict[str, Any], **parts: Any) -> Protocol:
    data: dict[str, Any] = {
        "metadata": {
            "id": "tiny",
            "title": "Tiny",
            "version": "1",
            "status": "draft",
            "issued_by": "Tests",
            "review_due": "2030-01-01",
            "disclaimer": "Supports, does not replace, judgement.",
        },
        "sources": [{"id": "s1", "title": "Source", "url": "https://example.org/s1"}],
        "questions": parts.pop("questions", QUESTIONS),
        "derived": parts.pop("derived", FACTS),
        "pathways": parts.pop("pathways", PATHWAYS),
        "rules": parts.pop("rules", RULES),
        "policy": policy,
        **parts,
    }
    return load_data(data)


def positions(p: Protocol) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in analyse(p).findings:
        if f.code in POLICY_CODES:
            out[str(f.path[1])] = f
    return out


def confirm_pair(p: Protocol, f: Finding) -> tuple[Any, Any]:
    """The counterexample's two answers files, run through the engine: both accepted, and their
    outcomes are what the finding says."""
    cx = f.data["counterexample"]
    first, second = run(p, cx["answers"]), run(p, cx["changed_answers"])
    assert first is not None and second is not None
    assert first[0] is not None and first[0].id == cx["outcome"].split(" then ")[0]
    assert second[0] is not None and second[0].id == cx["changed_outcome"].split(" then ")[0]
    return first, second


# --- every field may be not_stated ---------------------------------------------------------


def test_an_empty_policy_block_states_nothing_and_nothing_is_checked() -> None:
    policy = Policy()
    assert all(not policy.stated(name) for name in Policy.model_fields)
    assert positions(protocol({})) == {}


@pytest.mark.parametrize("name", sorted(Policy.model_fields))
def test_every_field_accepts_not_stated(name: str) -> None:
    policy = Policy.model_validate({name: "not_stated"})
    assert not policy.stated(name)


def test_a_stated_position_is_stated() -> None:
    assert Policy(nim_explanation="regardless").stated("nim_explanation")


# --- nim_explanation: regardless --------------------------------------------------------------


def test_regardless_holds_when_only_mobile_children_depend_on_the_explanation() -> None:
    found = positions(protocol({"nim_explanation": "regardless"}))
    assert found["nim_explanation"].code is Code.POLICY_HOLDS


def test_regardless_fails_with_a_pair_differing_only_in_the_explanation() -> None:
    rules = [
        rule("R0", {"question": "explanation", "equals": "documented"}, "record"),
        *RULES,
    ]
    p = protocol({"nim_explanation": "regardless"}, rules=rules)
    f = positions(p)["nim_explanation"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    cx = f.data["counterexample"]
    assert cx["differs_at"] == ["explanation"]
    assert {k: v for k, v in cx["answers"].items() if k != "explanation"} == {
        k: v for k, v in cx["changed_answers"].items() if k != "explanation"
    }
    assert cx["answers"]["mobile"] is False  # a child who is not independently mobile
    assert set(f.data["changes"]) == {"documented ↔ none", "documented ↔ plausible"}
    first, second = confirm_pair(p, f)
    assert first != second


def test_regardless_ignores_what_advice_does_with_the_explanation() -> None:
    advice = [
        {
            "id": "A1",
            "when": {"question": "explanation", "equals": "none"},
            "because": "Ask again.",
            "actions": [action("ask_again")],
            "cite": ["s1"],
        }
    ]
    p = protocol({"nim_explanation": "regardless"}, advice=advice)
    assert positions(p)["nim_explanation"].code is Code.POLICY_HOLDS


GROUP_QUESTIONS: list[dict[str, Any]] = [
    {"id": "mobile", "type": "boolean", "prompt": "Mobile?"},
    {
        "id": "marks",
        "type": "group",
        "prompt": "Marks",
        "item_label": "mark",
        "min_items": 1,
        "max_items": 3,
        "questions": [
            choice("type", "bruise", "abrasion"),
            choice("explanation", "none", "plausible"),
        ],
    },
]


def test_regardless_is_checked_for_each_marks_own_explanation() -> None:
    # An abrasion with a plausible account is only discussed, even for a non-mobile child.
    every_plausible_abrasion = {
        "every": {
            "group": "marks",
            "where": {
                "all": [
                    {"item": "type", "equals": "abrasion"},
                    {"item": "explanation", "equals": "plausible"},
                ]
            },
        }
    }
    rules = [
        rule("R0", every_plausible_abrasion, "discuss"),
        rule("R1", {"fact": "independently_mobile", "equals": False}, "refer"),
        rule("R2", {"question": "mobile", "equals": True}, "record"),
    ]
    p = protocol({"nim_explanation": "regardless"}, questions=GROUP_QUESTIONS, rules=rules)
    f = positions(p)["nim_explanation"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    cx = f.data["counterexample"]
    assert cx["differs_at"] and all(
        path.startswith("marks[") and path.endswith("].explanation") for path in cx["differs_at"]
    )
    first, second = confirm_pair(p, f)
    assert first != second
    held = protocol({"nim_explanation": "regardless"}, questions=GROUP_QUESTIONS, rules=rules[1:])
    assert positions(held)["nim_explanation"].code is Code.POLICY_HOLDS


def group_rules() -> list[dict[str, Any]]:
    every_plausible_abrasion = {
        "every": {
            "group": "marks",
            "where": {
                "all": [
                    {"item": "type", "equals": "abrasion"},
                    {"item": "explanation", "equals": "plausible"},
                ]
            },
        }
    }
    return [
        rule("R0", every_plausible_abrasion, "discuss"),
        rule("R1", {"fact": "independently_mobile", "equals": False}, "refer"),
        rule("R2", {"question": "mobile", "equals": True}, "record"),
    ]


@pytest.mark.parametrize("cheap_first", [True, False])
def test_over_groups_both_the_cheap_refutation_and_the_exact_search_find_it(
    cheap_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With groups the engine first tries each class example with one explanation changed;
    without that (no time for it) the exact twin search finds the same kind of pair."""
    if not cheap_first:
        monkeypatch.setattr(policy_module, "MUTATION_SECONDS", -1.0)
    p = protocol({"nim_explanation": "regardless"}, questions=GROUP_QUESTIONS, rules=group_rules())
    f = positions(p)["nim_explanation"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    assert ("class(es)" in f.message) is not cheap_first  # only the exact search counts them
    first, second = confirm_pair(p, f)
    assert first != second


def test_every_case_over_groups_gives_an_answers_file_with_the_marks() -> None:
    pathways = copy.deepcopy(PATHWAYS)
    pathways[0]["actions"] = [action("phone_front_door")]
    p = protocol(
        {"strategy_discussion": "every_case"},
        questions=GROUP_QUESTIONS,
        rules=group_rules(),
        pathways=pathways,
    )
    f = positions(p)["strategy_discussion"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    answers = f.data["counterexample"]["answers"]
    assert answers["marks"]  # a repeated group is part of the answers file
    got = run(p, answers)
    assert got is not None and got[0] is not None and got[0].id == "refer"


# --- remote_reports: must_refer ----------------------------------------------------------------


def test_must_refer_holds_when_the_channel_only_raises_the_pathway() -> None:
    rules = [rule("R0", {"question": "report_channel", "equals": "phone"}, "refer"), *RULES]
    found = positions(protocol({"remote_reports": "must_refer"}, rules=rules))
    assert found["remote_reports"].code is Code.POLICY_HOLDS


def test_must_refer_fails_when_a_phone_report_is_less_urgent() -> None:
    rules = [
        rule("R0", {"question": "report_channel", "in": ["phone", "third_party"]}, "discuss"),
        *RULES,
    ]
    p = protocol({"remote_reports": "must_refer"}, rules=rules)
    f = positions(p)["remote_reports"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    cx = f.data["counterexample"]
    assert cx["answers"]["report_channel"] == "seen_in_person"
    assert cx["changed_answers"]["report_channel"] != "seen_in_person"
    assert cx["differs_at"] == ["report_channel"]
    seen, remote = confirm_pair(p, f)
    assert compare_outcomes(remote, seen) < 0


def test_must_refer_holds_when_nothing_that_decides_reads_the_channel() -> None:
    found = positions(protocol({"remote_reports": "must_refer"}))
    assert found["remote_reports"].code is Code.POLICY_HOLDS


def test_treated_as_seen_fails_even_when_a_remote_report_is_more_urgent() -> None:
    rules = [rule("R0", {"question": "report_channel", "equals": "phone"}, "refer"), *RULES]
    held = protocol({"remote_reports": "treated_as_seen"})
    assert positions(held)["remote_reports"].code is Code.POLICY_HOLDS
    p = protocol({"remote_reports": "treated_as_seen"}, rules=rules)
    f = positions(p)["remote_reports"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    assert f.data["counterexample"]["changed_answers"]["report_channel"] == "phone"
    seen, remote = confirm_pair(p, f)
    assert compare_outcomes(remote, seen) > 0  # "decided differently", here more urgently


def test_a_channel_question_without_seen_in_person_is_not_proved() -> None:
    questions = [*QUESTIONS[:2], choice("report_channel", "in_clinic", "phone")]
    p = protocol({"remote_reports": "must_refer"}, questions=questions)
    assert positions(p)["remote_reports"].code is Code.W_POLICY_NOT_PROVED


def test_explanation_dependent_holds_with_a_witness_and_fails_without_one() -> None:
    rules = [rule("R0", {"question": "explanation", "equals": "documented"}, "record"), *RULES]
    p = protocol({"nim_explanation": "explanation_dependent"}, rules=rules)
    f = positions(p)["nim_explanation"]
    assert f.code is Code.POLICY_HOLDS
    witness = f.data["witness"]
    first, second = run(p, witness["answers"]), run(p, witness["changed_answers"])
    assert first is not None and second is not None and first != second
    # As written, RULES refer every non-mobile child whatever the explanation.
    silent = protocol({"nim_explanation": "explanation_dependent"})
    f = positions(silent)["nim_explanation"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    assert "regardless" in f.message


GESTATION_QUESTIONS = [
    *QUESTIONS,
    {
        "id": "gestation_weeks_at_birth",
        "type": "number",
        "prompt": "Gestation?",
        "unit": "weeks",
        "min": 22,
        "max": 44,
    },
]
PRETERM_REFERRED = [
    rule("R0", {"question": "gestation_weeks_at_birth", "lt": 37}, "refer"),
    *RULES,
]


@pytest.mark.parametrize(
    ("position", "rules", "code"),
    [
        ("used", PRETERM_REFERRED, Code.POLICY_HOLDS),
        ("used", RULES, Code.W_POLICY_NOT_TRUE),
        ("recorded_only", RULES, Code.POLICY_HOLDS),
        ("recorded_only", PRETERM_REFERRED, Code.W_POLICY_NOT_TRUE),
    ],
)
def test_corrected_age_used_or_recorded_only(position: str, rules: Any, code: Code) -> None:
    p = protocol({"corrected_age": position}, questions=GESTATION_QUESTIONS, rules=rules)
    f = positions(p)["corrected_age"]
    assert f.code is code
    pair = f.data.get("witness") or f.data.get("counterexample")
    if pair is not None:  # a pair differing only in the gestation, with different outcomes
        first, second = run(p, pair["answers"]), run(p, pair["changed_answers"])
        assert first is not None and second is not None and first != second
        assert {k for k in pair["answers"] if pair["answers"][k] != pair["changed_answers"][k]} == {
            "gestation_weeks_at_birth"
        }
    else:
        assert rules is RULES  # proved or refuted over every answer set, with no pair to show


# --- strategy_discussion: every_case ---------------------------------------------------------


def test_every_case_holds_when_every_referral_pathway_has_the_action() -> None:
    found = positions(protocol({"strategy_discussion": "every_case"}))
    assert found["strategy_discussion"].code is Code.POLICY_HOLDS


def test_every_case_fails_for_a_reachable_referral_without_the_action() -> None:
    pathways = copy.deepcopy(PATHWAYS)
    pathways[0]["actions"] = [action("phone_front_door")]
    p = protocol({"strategy_discussion": "every_case"}, pathways=pathways)
    f = positions(p)["strategy_discussion"]
    assert f.code is Code.W_POLICY_NOT_TRUE
    got = run(p, f.data["counterexample"]["answers"])
    assert got is not None and got[0] is not None and got[0].id == "refer"
    assert not any(a.id == "strategy_discussion" for a in got[0].actions)


def test_every_case_counts_an_advice_that_adds_the_discussion() -> None:
    pathways = copy.deepcopy(PATHWAYS)
    pathways[0]["actions"] = [action("phone_front_door")]
    advice = [
        {
            "id": "A1",
            "when": {"fact": "independently_mobile", "equals": False},
            "because": "Always.",
            "actions": [action("strategy_discussion")],
            "cite": ["s1"],
        }
    ]
    p = protocol({"strategy_discussion": "every_case"}, pathways=pathways, advice=advice)
    assert positions(p)["strategy_discussion"].code is Code.POLICY_HOLDS


def test_every_case_is_not_proved_when_pathways_have_no_level() -> None:
    pathways = [{k: v for k, v in pw.items() if k != "level"} for pw in PATHWAYS]
    p = protocol({"strategy_discussion": "every_case"}, pathways=pathways)
    assert positions(p)["strategy_discussion"].code is Code.W_POLICY_NOT_PROVED


# --- budget, milestones, twins, location ---------------------------------------------------


def test_a_position_not_settled_within_the_budget_is_not_proved() -> None:
    rules = [rule("R0", {"question": "explanation", "equals": "documented"}, "record"), *RULES]
    p = protocol({"nim_explanation": "regardless"}, rules=rules)
    assert positions(p)["nim_explanation"].code is Code.W_POLICY_NOT_TRUE  # with the budget
    for budget in (Budget(max_nodes=3, deadline=None), Budget(10**6, time.monotonic() - 1)):
        found = list(policy_findings(p, build([p]), [], budget))
        assert [f.code for f in found] == [Code.W_POLICY_NOT_PROVED]
        assert "not proved" in found[0].message


MILESTONES = {
    "id": "mobility_milestones",
    "type": "multiple_choice",
    "prompt": "Milestones?",
    "options": [{"id": o, "label": o} for o in ("rolling", "crawling", "wheelchair")],
}
CONDITIONAL_WHEELCHAIR = [
    {
        "id": "wheelchair_counts",
        "type": "boolean",
        "label": "Wheelchair use with a consistent account",
        "condition": {
            "all": [
                {"question": "mobility_milestones", "includes_any": ["wheelchair"]},
                {"question": "account_consistent", "equals": True},
            ]
        },
        "cite": ["s1"],
    },
    {
        "id": "independently_mobile",
        "type": "boolean",
        "label": "Independently mobile",
        "condition": {
            "any": [
                {"question": "mobility_milestones", "includes_any": ["crawling"]},
                {"fact": "wheelchair_counts"},
            ]
        },
        "cite": ["s1"],
        "show_as": "mobility",
    },
]


def wheelchair_protocol(milestones: list[str]) -> dict[str, Any]:
    """Milestones with wheelchair use counting only with a consistent account (a fact of its
    own), and a policy declaring `milestones`."""
    questions = [
        MILESTONES,
        {"id": "account_consistent", "type": "boolean", "prompt": "Consistent?"},
        *QUESTIONS[1:],
    ]
    rules = [
        rule("R1", {"fact": "independently_mobile", "equals": False}, "refer"),
        rule("R2", {"fact": "independently_mobile"}, "record"),
    ]
    policy = {"rolling_counts_as_mobility": False, "mobility_milestones": milestones}
    data: dict[str, Any] = yaml.safe_load(_yaml(protocol_data(policy, questions, rules)))
    return data


def test_a_conditional_milestone_counts_and_raises_no_policy_mismatch(tmp_path: Path) -> None:
    """Issue 14: "wheelchair use counts only with a consistent account" raised a false
    POLICY_MISMATCH (the milestone sat in a fact of its own)."""
    codes = {}
    for milestones in (["crawling", "wheelchair"], ["crawling"]):
        path = tmp_path / f"p{len(milestones)}.yaml"
        path.write_text(yaml.safe_dump(wheelchair_protocol(milestones)), encoding="utf-8")
        result = CliRunner().invoke(app, ["validate", str(path)])
        codes[len(milestones)] = "POLICY_MISMATCH" in result.stderr
    assert codes == {2: False, 1: True}


def test_the_mobility_fact_is_found_by_its_show_as_not_its_id(tmp_path: Path) -> None:
    """A local protocol with its own ids (`can_get_about`, `milestones_seen`) is checked as the
    baseline is: the fact declares `show_as: mobility`; without it nothing is assumed."""
    local_ids = {
        "mobility_milestones": "milestones_seen",
        "independently_mobile": "can_get_about",
        "wheelchair_counts": "chair_counts",
    }

    def renamed(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: renamed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v) for v in value]
        return local_ids.get(value, value) if isinstance(value, str) else value

    data = renamed(wheelchair_protocol(["crawling"]))
    assert "independently_mobile" not in yaml.safe_dump(data)
    found = {}
    for declared in (True, False):
        for fact in data["derived"]:
            if not declared:
                fact.pop("show_as", None)
        path = tmp_path / f"local-{declared}.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        result = CliRunner().invoke(app, ["validate", str(path)])
        found[declared] = "POLICY_MISMATCH" in result.stderr and "`can_get_about`" in result.stderr
    assert found == {True: True, False: False}


def protocol_data(policy: dict[str, Any], questions: Any, rules: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "id": "tiny",
            "title": "Tiny",
            "version": "1",
            "status": "draft",
            "issued_by": "Tests",
            "review_due": "2030-01-01",
            "disclaimer": "Supports, does not replace, judgement.",
        },
        "sources": [{"id": "s1", "title": "Source", "url": "https://example.org/s1"}],
        "questions": questions,
        "derived": CONDITIONAL_WHEELCHAIR if questions[0] is MILESTONES else FACTS,
        "pathways": PATHWAYS,
        "rules": rules,
        "policy": policy,
    }


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def test_the_twin_renames_the_question_and_every_reference_only() -> None:
    p = protocol({})
    made = twin(p, "explanation")
    assert made is not None
    other, name, decisive = made
    assert decisive and name == "explanation__twin"
    assert [q.id for q in other.questions] == ["mobile", name, "report_channel"]
    dumped = json.dumps(other.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert '"explanation"' not in dumped
    assert twin(p, "no_such_question") is None


@pytest.mark.parametrize("name", ["exampleshire-v1", "exampleshire-v2", "national-baseline"])
def test_a_twin_of_a_bundled_protocol_is_the_protocol_but_for_one_name(name: str) -> None:
    path = find_bundled(name)
    assert path is not None
    loaded = load_protocol(path.read_bytes(), str(path), today=dt.date(2026, 12, 3))
    assert loaded.protocol is not None
    p = loaded.protocol
    same = Protocol.model_validate(p.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert same == p  # the copy loses nothing
    made = twin(p, "explanation")
    assert made is not None
    other, new, decisive = made
    assert decisive
    back = json.loads(
        json.dumps(other.model_dump(mode="json", by_alias=True, exclude_none=True)).replace(
            f'"{new}"', '"explanation"'
        )
    )
    assert Protocol.model_validate(back) == p


def test_validate_puts_the_warning_on_the_policy_fields_line(tmp_path: Path) -> None:
    rules = [rule("R0", {"question": "explanation", "equals": "documented"}, "record"), *RULES]
    data = protocol_data({"nim_explanation": "regardless"}, QUESTIONS, rules)
    text = _yaml(data)
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "nim_explanation:" in t)
    assert any(
        t.startswith(f"{path}:{line}:") and " warning W_POLICY_NOT_TRUE " in t
        for t in result.stderr.splitlines()
    )
    report = json.loads(CliRunner().invoke(app, ["validate", str(path), "--format", "json"]).stdout)
    cx = next(item for item in report[0]["problems"] if item["code"] == "W_POLICY_NOT_TRUE")[
        "details"
    ]["counterexample"]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(cx["answers"]), encoding="utf-8")
    checked = CliRunner().invoke(
        app, ["check", str(path), "--answers", str(answers), "--format", "json"]
    )
    assert checked.exit_code == 0, checked.stdout
    assert json.loads(checked.stdout)["outcome"]["id"] == cx["outcome"]


@pytest.mark.parametrize("name", ["exampleshire-v1", "exampleshire-v2", "national-baseline"])
def test_the_bundled_protocols_state_only_true_checked_positions(name: str) -> None:
    # A generous budget: correctness, not speed (bench/analysis.py measures speed).
    result = CliRunner().invoke(app, ["validate", "--budget", "300", str(find_bundled(name))])
    assert "W_POLICY_NOT_TRUE" not in result.stderr
    assert "ANALYSIS_SUMMARY" in result.stderr  # the analysis ran, and its positions with it
    assert "POLICY_HOLDS" in result.stderr


# --- the twin search agrees with brute force ---------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_the_twin_search_finds_a_pair_exactly_when_brute_force_does(seed: int) -> None:
    """On random small protocols: some two complete answer sets that differ only in `c1` get
    different pathways if and only if the twin search finds a class (no ask_if reads `c1`, so
    both answer sets ask the same questions)."""
    data = random_protocol_data(seed)
    assume(all('"c1"' not in json.dumps(q.get("ask_if", {})) for q in data["questions"]))
    p = load_data(data)
    by_rest: dict[str, set[str | None]] = {}
    for answers in complete_answer_sets([p]):
        rest = json.dumps({k: v for k, v in answers.items() if k != "c1"}, sort_keys=True)
        i = first_rule(p, answers)
        by_rest.setdefault(rest, set()).add(None if i is None else p.rules[i].pathway)
    brute = any(len(pathways) > 1 for pathways in by_rest.values())
    result = differences(p, "c1", Budget(10**6, None), lambda built: TRUE)
    assert result is not None
    _, _, found = result
    assert bool(found) == brute


def test_the_handbook_and_the_diff_say_not_stated() -> None:
    silent = protocol({"strategy_discussion": "not_stated"})
    book = handbook.build(silent, file="tiny.yaml", sha256="0" * 64, today=dt.date(2026, 12, 3))
    text = handbook_text.markdown(book)
    assert "**Strategy discussion:** not stated" in text
    assert "not_stated" not in text
    stated = protocol({"strategy_discussion": "every_case"})
    changes = [c for c in structural_diff(silent, stated) if c.section == "policy"]
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("strategy_discussion", "not stated", "every_case")
    ]


# --- which stated positions are checked, and saying so -------------------------------------

EVERY_POSITION: dict[str, Any] = {
    "nim_explanation": "regardless",
    "remote_reports": "must_refer",
    "corrected_age": "recorded_only",
    "strategy_discussion": "every_case",
    "who_may_decide_no_referral": "health_professional",
    "first_step": "both_same_day",
    "suspected_birthmark": "discuss",
}


def test_exactly_the_positions_said_to_be_checked_get_a_verdict() -> None:
    """`checked_against_rules` is what the handbook and the board paper say is checked, so it
    must be what the analysis checks: a verdict for each field it names, none for the others
    (`who_may_decide_no_referral`, `first_step`, the dispositions: no agreed test over the
    answers)."""
    gestation = {
        "id": "gestation_weeks_at_birth",
        "type": "number",
        "prompt": "Gestation?",
        "unit": "weeks",
        "min": 22,
        "max": 44,
    }
    p = protocol(EVERY_POSITION, questions=[*QUESTIONS, gestation])
    said = {f for f in EVERY_POSITION if policy_module.checked_against_rules(p, f)}
    assert said == {"nim_explanation", "remote_reports", "corrected_age", "strategy_discussion"}
    assert set(positions(p)) == said
    # Not stated is never checked; a value with no test is not either.
    assert not policy_module.checked_against_rules(protocol({}), "nim_explanation")
    other = protocol({"strategy_discussion": "after_appraisal"})
    assert not policy_module.checked_against_rules(other, "strategy_discussion")
    assert positions(other) == {}


def test_corrected_age_over_a_repeated_group_is_said_not_checked() -> None:
    path = find_bundled("national-baseline")
    assert path is not None
    baseline = load_protocol(path.read_bytes(), str(path)).protocol
    assert baseline is not None and baseline.groups
    assert baseline.policy is not None and baseline.policy.corrected_age == "used"
    assert not policy_module.checked_against_rules(baseline, "corrected_age")
    assert policy_module.checked_against_rules(baseline, "remote_reports")


def test_the_handbook_names_the_checked_positions_only() -> None:
    p = protocol(
        {"remote_reports": "must_refer", "who_may_decide_no_referral": "gp_or_paediatrician"}
    )
    book = handbook.build(p, file="tiny.yaml", sha256="0" * 64, today=dt.date(2026, 12, 3))
    text = " ".join(handbook_text.markdown(book).split())
    said = text.split("bruising-check validate checks these stated positions against the rules")[1]
    said = said.split(".", 1)[0]
    assert "reports by phone, photo or a third party" in said
    assert "who may decide" not in said
    assert "The other stated positions are the partnership's own statement" in text
    only_words = protocol({"who_may_decide_no_referral": "gp_or_paediatrician"})
    book = handbook.build(only_words, file="t.yaml", sha256="0" * 64, today=dt.date(2026, 12, 3))
    text = " ".join(handbook_text.markdown(book).split())
    assert "bruising-check does not check them against the rules" in text
    assert "validate checks these" not in text
