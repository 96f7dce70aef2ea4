"""Approved deviations (issue 14.1, design §4): `validate --against` reports a difference an
approval covers as information with the approval, fails only on unapproved less urgent ones, and
warns when an approval matches no difference any more. Coverage is decided exactly, per
situation: a part-covered difference splits into a covered and an uncovered part."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.analysis import compare, example_for
from bruising_check.cli import _register, app
from bruising_check.protocol.conditions import Truth, evaluate
from bruising_check.protocol.model import Protocol
from tests.analysis_support import (
    _condition,
    complete_answer_sets,
    env,
    first_rule,
    load_data,
    random_protocol_data,
)
from tests.conftest import BASELINE, load_text
from tests.test_validation_codes import MINIMAL

_register()
runner = CliRunner()

# The local protocol refers a non-mobile baby only under 30 weeks; older ones are recorded.
LOCAL = (
    MINIMAL.replace("  id: tiny\n", "  id: local\n", 1)
    .replace(
        "    when: {question: mobile, equals: false}\n",
        "    when:\n      all:\n        - {question: mobile, equals: false}\n"
        "        - {question: age, lt: 30}\n",
        1,
    )
    .replace(
        "    when: {question: mobile, equals: true}\n",
        "    when:\n      any:\n        - {question: mobile, equals: true}\n"
        "        - {question: age, ge: 30}\n",
        1,
    )
)


def approval(**fields: str) -> str:
    lines = {
        "id": "older-babies-recorded",
        "against": "tiny",
        "why": "The board decided so.",
        "approved_by": "Local partnership executive",
        "approved_on": "2024-05-01",
        **fields,
    }
    return "  - " + "\n    ".join(f"{k}: {v}" for k, v in lines.items()) + "\n"


def protocol(text: str) -> Protocol:
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


@pytest.fixture(scope="module")
def reference() -> Protocol:
    return protocol(MINIMAL)


def test_without_approvals_the_difference_is_unapproved(reference: Protocol) -> None:
    (diff,) = compare(reference, protocol(LOCAL)).differences
    assert diff.direction == "less_urgent" and diff.approved == ()


def test_a_part_covered_difference_splits_exactly(reference: Protocol) -> None:
    plain = compare(reference, protocol(LOCAL))
    text = LOCAL + "approved_deviations:\n" + approval(when="{question: age, ge: 40}")
    covered = compare(reference, protocol(text))
    by_approval = {d.approved: d for d in covered.differences}
    assert set(by_approval) == {(), ("older-babies-recorded",)}
    assert sum(d.size for d in covered.differences) == plain.differences[0].size
    for c in by_approval[()].classes:
        assert 30 <= c.example["age"] < 40 and c.example["mobile"] is False
    for c in by_approval[("older-babies-recorded",)].classes:
        assert c.example["age"] >= 40
    assert covered.unused_deviations == ()
    # Unapproved first: what fails the check leads.
    assert covered.differences[0].approved == ()


def test_rules_and_when_must_both_hold(reference: Protocol) -> None:
    wrong_rule = LOCAL + "approved_deviations:\n" + approval(rules="[R1]")
    comparison = compare(reference, protocol(wrong_rule))
    assert [d.approved for d in comparison.differences] == [()]
    assert comparison.unused_deviations == ("older-babies-recorded",)
    right = LOCAL + "approved_deviations:\n" + approval(rules="[R2]")
    assert [d.approved for d in compare(reference, protocol(right)).differences] == [
        ("older-babies-recorded",)
    ]


def test_an_approval_against_another_reference_covers_nothing(reference: Protocol) -> None:
    text = LOCAL + "approved_deviations:\n" + approval(against="somewhere-else", rules="[R2]")
    comparison = compare(reference, protocol(text))
    assert [d.approved for d in comparison.differences] == [()]
    assert comparison.unused_deviations == ()  # not about this reference: not judged here


def test_an_approval_of_a_policy_field_neither_states_is_unused(reference: Protocol) -> None:
    """The reference has no `policy:` block; a block whose field is `not_stated` states no
    position either, so the approval matches no difference (the board paper's test too)."""
    unstated = "policy:\n  referral_timescale: not_stated\n  first_step: both_same_day\n"
    deviations = approval(policy="[referral_timescale]") + approval(
        id="first-step", policy="[first_step]"
    )
    text = LOCAL + unstated + "approved_deviations:\n" + deviations
    comparison = compare(reference, protocol(text))
    assert comparison.unused_deviations == ("older-babies-recorded",)


# --- the "Done when": the same protocol with the approval exits 0, without it exits 1 ---


def rolling(text: str) -> str:
    """The bundled baseline with rolling counted as independent mobility."""
    milestones = "        - question: mobility_milestones\n          includes_any: [crawling,"
    assert milestones in text
    text = text.replace(milestones, milestones.replace("[crawling,", "[rolling, crawling,"))
    return text.replace("  id: national-baseline\n", "  id: rollshire\n", 1).replace(
        "  rolling_counts_as_mobility: false\n  mobility_milestones: [crawling,",
        "  rolling_counts_as_mobility: true\n  mobility_milestones: [rolling, crawling,",
    )


APPROVALS = """
approved_deviations:
  - id: rolling-counts-as-mobility
    against: national-baseline
    when: {question: mobility_milestones, includes_any: [rolling]}
    policy: [rolling_counts_as_mobility, mobility_milestones]
    why: Rolling counts as independent mobility.
    approved_by: Rollshire Safeguarding Children Partnership executive
    approved_on: 2024-05-01
  - id: no-longer-differs
    against: national-baseline
    rules: [B0]
    why: Once differed.
    approved_by: Rollshire Safeguarding Children Partnership executive
    approved_on: 2020-01-01
  - id: policy-differs
    against: national-baseline
    policy: [rolling_counts_as_mobility]
    why: The stated position differs on purpose.
    approved_by: Rollshire Safeguarding Children Partnership executive
    approved_on: 2024-05-01
  - id: policy-same
    against: national-baseline
    policy: [referral_timescale]
    why: The stated position is the baseline's.
    approved_by: Rollshire Safeguarding Children Partnership executive
    approved_on: 2024-05-01
"""


def against(path: Path) -> tuple[int, dict[str, Any]]:
    args = ["validate", str(path), "--against", "national-baseline", "--format", "json"]
    result = runner.invoke(app, [*args, "--budget", "120"])
    (report,) = json.loads(result.stdout)
    return result.exit_code, report


def test_with_the_approval_exits_0_and_reports_it_without_it_exits_1(tmp_path: Path) -> None:
    text = rolling(BASELINE.read_text(encoding="utf-8"))
    plain, approved = tmp_path / "plain.yaml", tmp_path / "approved.yaml"
    plain.write_text(text, encoding="utf-8")
    approved.write_text(text + APPROVALS, encoding="utf-8")

    code, report = against(plain)
    assert code == 1
    failing = [p for p in report["problems"] if p["code"] == "AGAINST_LESS_URGENT"]
    assert failing and all(p["severity"] == "error" for p in failing)

    code, report = against(approved)
    assert code == 0
    codes = [p["code"] for p in report["problems"]]
    assert "AGAINST_LESS_URGENT" not in codes
    infos = [p for p in report["problems"] if p["code"] == "DEVIATION_APPROVED"]
    assert len(infos) == len(failing) and all(p["severity"] == "info" for p in infos)
    (who,) = {a["approved_by"] for p in infos for a in p["details"]["approved"]}
    assert who.startswith("Rollshire") and "2024-05-01" in infos[0]["message"]
    less = [d for d in report["against"]["differences"] if d["direction"] == "less_urgent"]
    assert less and all(d["covered_by_deviations"] == ["rolling-counts-as-mobility"] for d in less)
    unused = [p["message"] for p in report["problems"] if p["code"] == "W_DEVIATION_UNUSED"]
    assert len(unused) == 2 and "'no-longer-differs'" in unused[0] and "'policy-same'" in unused[1]
    assert report["against"]["unused_deviations"] == ["no-longer-differs", "policy-same"]


# --- exactness: coverage agrees with brute force through the engine on random protocols ---------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.integers(0, 2**32), st.integers(0, 2**32))
def test_coverage_matches_brute_force(seed_old: int, seed_new: int, seed_dev: int) -> None:
    old_data = random_protocol_data(seed_old, keep=0.7)
    new_data = random_protocol_data(seed_new, keep=0.7)
    rng = random.Random(seed_dev)
    rules = [r["id"] for r in new_data["rules"]]
    deviation: dict[str, Any] = {
        "id": "d",
        "against": "random",
        "why": "Approved.",
        "approved_by": "Board",
        "approved_on": "2024-01-01",
    }
    if rng.random() < 0.8:
        deviation["when"] = _condition(rng, new_data["questions"], True)
    if "when" not in deviation or rng.random() < 0.4:
        deviation["rules"] = rng.sample(rules, rng.randint(1, len(rules)))
    new_data["approved_deviations"] = [deviation]
    old, new = load_data(old_data), load_data(new_data)
    (dev,) = new.approved_deviations
    result = compare(old, new)
    brute: Counter[tuple[str | None, str | None, bool]] = Counter()
    for answers in complete_answer_sets([old, new]):
        i = first_rule(old, example_for(old, answers))
        mine = example_for(new, answers)
        j = first_rule(new, mine)
        p = None if i is None else old.rules[i].pathway
        q = None if j is None else new.rules[j].pathway
        if p == q:
            continue
        by_rule = not dev.rules or (j is not None and new.rules[j].id in dev.rules)
        by_when = dev.when is None or evaluate(dev.when, env(new, mine)) is Truth.TRUE
        brute[(p, q, by_rule and by_when)] += 1
    got: Counter[tuple[str | None, str | None, bool]] = Counter()
    for d in result.differences:
        got[(d.old_pathway, d.new_pathway, d.approved == ("d",))] += d.size
    assert got == brute
    assert result.unused_deviations == (() if any(k[2] for k in brute) else ("d",))


def test_the_handbook_lists_the_approvals_in_their_own_section() -> None:
    import datetime as dt

    from bruising_check.render import handbook
    from bruising_check.render import handbook_text as handbook_render

    def markdown(p: Protocol) -> str:
        book = handbook.build(p, file="p.yaml", sha256="0" * 64, today=dt.date(2026, 1, 1))
        return handbook_render.markdown(book)

    text = LOCAL + "approved_deviations:\n" + approval(when="{question: age, ge: 40}")
    shown = markdown(protocol(text))
    section = shown.split("## Deviations the partnership approved")[1].split("\n## ")[0]
    assert "**older-babies-recorded:** The board decided so." in section
    assert "**Against:** tiny" in section
    assert "Local partnership executive, 1 May 2024" in section
    assert "40" in section  # the situations, in words
    assert "Deviations the partnership approved" not in markdown(protocol(LOCAL))


# --- review of issue 14: an approval of a first step is not an approval of what follows it -----

FIRST_STEP = (
    MINIMAL.replace(
        "  - id: refer\n",
        "  - id: emergency\n    title: Emergency care first\n    urgency: 1\n"
        "    level: emergency_care\n    first_step: true\n    timescale: {label: Now, hours: 0}\n"
        "  - id: refer\n",
        1,
    )
    .replace(
        "    urgency: 1\n    level: social_care_same_day\n",
        "    urgency: 2\n    level: social_care_same_day\n",
        1,
    )
    .replace(
        "    urgency: 2\n    level: record_and_advise\n",
        "    urgency: 3\n    level: record_and_advise\n",
        1,
    )
    .replace(
        "rules:\n  - id: R1\n",
        "rules:\n  - id: E\n    when: {question: age, lt: 2}\n    pathway: emergency\n"
        "    then: rules_below\n    because: Newborn.\n    cite: [s1]\n  - id: R1\n",
        1,
    )
)


def test_approving_a_first_step_rule_does_not_approve_its_follow_on() -> None:
    """The new protocol keeps the emergency first step (rule E) and makes the referral after it
    (rule R1) a record-and-advise. An approval naming only E covers situations where E's own
    outcome differs; here only the follow-on does, so nothing is approved and the less urgent
    follow-on fails `validate --against`."""
    reference = protocol(FIRST_STEP)
    local = FIRST_STEP.replace("  id: tiny\n", "  id: local\n", 1).replace(
        "    when: {question: mobile, equals: false}\n    pathway: refer\n",
        "    when: {question: mobile, equals: false}\n    pathway: record\n",
        1,
    )
    text = local + "approved_deviations:\n" + approval(rules="[E]")
    comparison = compare(reference, protocol(text))
    less = [d for d in comparison.differences if d.direction == "less_urgent"]
    assert less and sum(d.old_then is not None for d in less) > 0
    assert all(d.approved == () for d in less), [(d.old_then, d.approved) for d in less]
    # Naming the follow-on's rule does approve it.
    text = local + "approved_deviations:\n" + approval(rules="[R1]")
    assert all(d.approved for d in compare(reference, protocol(text)).differences)
