"""`diff` of the national baseline 1.0 against 2.0 through `maps_from` (issue 12.1): every
behaviour change the 2.0 changelog names appears, and nothing it does not name.

The diff is run once (the CLI, `--format json`). Each changelog claim is a phrase of the 2.0
changelog, a concrete version-2 answers case that the engine decides differently under version
1 (read through `maps_from`) and version 2 and whose outcome pair is one of the diff's changes,
and the test that attributes a changed class to it (on the engine's deciding rules for the
class's own example). Every class of every change must be attributed to some claim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bruising_check.analysis.twins import engine_decision
from bruising_check.cli import _register, app
from bruising_check.engine.decide import Decision
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.versions import reading as version_reading

_register()
ROOT = Path(__file__).resolve().parents[1]
OLD_FILE = ROOT / "protocols" / "examples" / "national-baseline-v1.yaml"
NEW_FILE = ROOT / "protocols" / "national-baseline.yaml"


def load(path: Path) -> Protocol:
    loaded = load_protocol(path.read_bytes(), str(path))
    assert loaded.ok and loaded.protocol is not None
    return loaded.protocol


OLD = load(OLD_FILE)
NEW = load(NEW_FILE)
FOUND = version_reading.reading_for(OLD, NEW)
assert FOUND is not None
INDEX, READING = FOUND
READ = version_reading.read_over(OLD, NEW, READING)


@dataclass(frozen=True)
class Seen:
    """One answers case under both versions."""

    old: Decision
    new: Decision

    @property
    def old_rule(self) -> str | None:
        r = self.old.deciding_rule
        return None if r is None else r.id

    @property
    def new_rule(self) -> str | None:
        r = self.new.deciding_rule
        return None if r is None else r.id

    def mobile(self, which: str) -> bool:
        decision = self.old if which == "old" else self.new
        return decision.derived.get("independently_mobile") is True

    def outcome(self) -> tuple[tuple[str | None, str | None], tuple[str | None, str | None]]:
        def pair(d: Decision) -> tuple[str | None, str | None]:
            return (
                None if d.pathway is None else d.pathway.id,
                None if d.then is None else d.then.id,
            )

        return pair(self.old), pair(self.new)


def seen(answers: dict[str, Any]) -> Seen:
    old, new = engine_decision(READ.protocol, answers), engine_decision(NEW, answers)
    assert old is not None and new is not None, answers
    return Seen(old, new)


@dataclass(frozen=True)
class Claim:
    phrase: str
    """Words of the 2.0 changelog entry."""
    case: dict[str, Any]
    applies: Callable[[Seen], bool]


def mark(**fields: Any) -> dict[str, Any]:
    return {"type": "bruise", "site": "shin", "patterned": "no", **fields}


def child(age: int = 10, milestones: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {
        "immediate_danger": "no",
        "injury_red_flags": [],
        "age_weeks": age,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": list(milestones),
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        **more,
    }


def walking(**more: Any) -> dict[str, Any]:
    """A child old enough for a reported walk to count."""
    return child(age=80, milestones=("walking",), **more)


NON_MOBILE_B = ("B4", "B5", "B6a")

CLAIMS = [
    Claim(
        "New B0 (immediate danger: protect now)",
        child(immediate_danger="yes", marks=[mark(explanation="none_given")]),
        lambda s: s.new_rule == "B0",
    ),
    Claim(
        "B1 is now any injury red flag",
        child(injury_red_flags=["limb_not_moved"], marks=[mark(explanation="none_given")]),
        lambda s: s.new_rule == "B1" and s.old_rule != "B1",
    ),
    Claim(
        "emergency care no longer adds a referral of its own (then the follow-on pathway the"
        " rules give)",
        child(
            injury_red_flags=["seriously_unwell"],
            marks=[mark(explanation="documented_procedure_or_birth_injury")],
        ),
        lambda s: s.new_rule == "B1" and s.old_rule == "B1",
    ),
    Claim(
        "B3 (a disclosure or admission that a person caused a mark: refer)",
        walking(marks=[mark(explanation="person_caused")]),
        lambda s: s.new_rule == "B3",
    ),
    Claim(
        'a parent\'s "crawling" at 8 weeks no longer takes a baby off the non-mobile pathway',
        child(
            age=8,
            milestones=("crawling",),
            mobility_seen_by_professional=False,
            marks=[mark(explanation="plausible_consistent")],
        ),
        lambda s: s.mobile("old") and not s.mobile("new"),
    ),
    Claim(
        "an undocumented birthmark-like mark (B4; a patterned one is referred), a mark explained"
        " by a diagnosed bleeding condition (B5, now only non-patterned bruises, petechiae or"
        " swelling: a burn is referred) and a plausible fingernail abrasion on the face or"
        " hands (B6a) now lead to a same-day opinion",
        child(marks=[mark(type="birthmark_like", site="back", explanation="none_given")]),
        lambda s: s.new_rule in NON_MOBILE_B and not s.mobile("old"),
    ),
    Claim(
        "an undocumented birthmark-like mark (B4; a patterned one is referred)",
        child(marks=[mark(type="birthmark_like", explanation="none_given", patterned="yes")]),
        lambda s: s.old_rule == "B3" and s.new_rule == "B6",
    ),
    Claim(
        "a burn is referred",
        child(
            diagnosed_bleeding_condition="yes",
            marks=[mark(type="burn", explanation="diagnosed_condition")],
        ),
        lambda s: s.old_rule == "B4" and s.new_rule == "B6",
    ),
    Claim(
        "a ligature-like neck abrasion is referred",
        child(marks=[mark(type="abrasion", site="neck", explanation="plausible_consistent")]),
        lambda s: s.old_rule == "B5a" and s.new_rule == "B6",
    ),
    Claim(
        "a documented cannula bruise no longer excuses a second, unexplained bruise (B2 needs"
        " every mark accounted for)",
        walking(
            marks=[mark(explanation="documented_procedure_or_birth_injury", patterned="yes")],
        ),
        lambda s: s.old_rule == "B2" and s.new_rule != "B2",
    ),
    Claim(
        "documentation accounts only for the types it explains, never for a patterned mark",
        child(marks=[mark(type="burn", explanation="documented_procedure_or_birth_injury")]),
        lambda s: s.old_rule == "B2" and s.new_rule != "B2",
    ),
    Claim(
        "a mark accounted for no longer counts against the others",
        child(
            marks=[
                mark(explanation="documented_procedure_or_birth_injury"),
                mark(type="birthmark_like", site="back", explanation="none_given"),
            ]
        ),
        lambda s: s.old_rule in ("B5", "B6") and s.new_rule in NON_MOBILE_B,
    ),
    Claim(
        "For mobile children NICE CG89's site criteria now apply with an absent explanation (B7)",
        walking(marks=[mark(type="burn", site="sole", explanation="none_given")]),
        lambda s: s.new_rule == "B7",
    ),
    Claim(
        "a single unexplained bruise at an unusual site or a positive TEN-4-FACESp to a"
        " discussion (B8)",
        walking(marks=[mark(site="upper_arm", explanation="plausible_consistent")]),
        lambda s: s.new_rule == "B8",
    ),
    Claim(
        "several marks alone no longer lead to referral or discussion",
        walking(marks=[mark(count=3, explanation="plausible_consistent")]),
        lambda s: s.old_rule == "B6" and s.new_rule in ("B8", "B9"),
    ),
    Claim(
        "a birthmark-like mark or one the diagnosed condition explains no longer to discussion"
        " (B9)",
        walking(
            diagnosed_bleeding_condition="yes",
            marks=[mark(site="thigh", explanation="diagnosed_condition")],
        ),
        lambda s: s.old_rule in ("B3", "B4", "B7") and s.new_rule == "B9",
    ),
    Claim(
        "Typical accidental sites are now forehead, cheekbone, nose, chin, elbow, knee, shin and"
        " top of the foot",
        walking(marks=[mark(site="nose", explanation="plausible_consistent")]),
        lambda s: s.old_rule == "B7" and s.new_rule == "B9",
    ),
    Claim(
        'Every pathway is reworded; the no-action pathway\'s "reconsider" is now "use your'
        ' judgement"',
        walking(marks=[mark(explanation="plausible_consistent")]),
        lambda s: s.outcome()[0] == s.outcome()[1],
    ),
]


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


CHANGELOG = words(next(c.summary for c in NEW.metadata.changelog if c.version == "2.0.0"))


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """The diff as a policy lead runs it (through `maps_from`), as JSON."""
    result = CliRunner().invoke(app, ["diff", str(OLD_FILE), str(NEW_FILE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_reading_is_valid_and_its_judgements_are_printed(report: dict[str, Any]) -> None:
    assert version_reading.problems(OLD, NEW, INDEX, READING, None) == []
    reading = report["behaviour"]["reading"]
    assert {n["question"] for n in reading["not_exact"]} >= {"explanation", "locations"}
    assert "mobility_milestones" in reading["same"]
    assert report["behaviour"]["differences"], "1.0 and 2.0 behave differently"


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.phrase[:40] for c in CLAIMS])
def test_each_claim_is_in_the_changelog_and_is_a_change_of_the_diff(
    claim: Claim, report: dict[str, Any]
) -> None:
    assert words(claim.phrase) in CHANGELOG
    s = seen(claim.case)
    assert claim.applies(s), (claim.phrase, s.old_rule, s.new_rule)
    (p, p_then), (q, q_then) = s.outcome()
    changes = {
        (d["old_pathway"], d["old_then"], d["new_pathway"], d["new_then"])
        for d in report["behaviour"]["differences"]
    }
    assert (p, p_then, q, q_then) in changes, (claim.phrase, s.outcome())


def test_every_changed_class_is_one_the_changelog_names(report: dict[str, Any]) -> None:
    unnamed = []
    total = 0
    for d in report["behaviour"]["differences"]:
        for c in d["classes"]:
            total += 1
            s = seen(c["example"])
            # The example is decided as the diff says (the comparison is exact).
            assert s.outcome() == (
                (d["old_pathway"], d["old_then"]),
                (d["new_pathway"], d["new_then"]),
            )
            if not any(claim.applies(s) for claim in CLAIMS):
                unnamed.append((s.old_rule, s.new_rule, c["example"]))
    assert total > 100
    assert not unnamed, unnamed[:5]


def test_a_reading_that_does_not_fit_is_a_located_error() -> None:
    text = NEW_FILE.read_text(encoding="utf-8")
    text = text.replace("{id: hand, when:", "{id: handy, when:")
    text = text.replace(
        "{id: bruise, when: {some: {group: marks, where: {item: type, equals: bruise}}}}",
        "{id: bruise, when: {some: {group: marks, where: {item: typo, equals: bruise}}}}",
    )
    text = text.replace("      - {id: age_weeks, same: true}\n", "")
    loaded = load_protocol(text.encode(), "nb.yaml")
    assert loaded.protocol is not None
    found = version_reading.reading_for(OLD, loaded.protocol)
    assert found is not None
    problems = version_reading.problems(OLD, loaded.protocol, *found, loaded.located)
    messages = {p.code.name: p for p in problems}
    assert "'locations' has no option 'handy'" in messages["SCHEMA"].message or any(
        "handy" in p.message for p in problems
    )
    typo = next(p for p in problems if "typo" in p.message)
    assert typo.line > 0 and typo.path[:2] == ("maps_from", 0)
    assert any("age_weeks" in p.message and p.code.name == "MISSING_KEY" for p in problems)
    assert any("none for hand" in p.message for p in problems)


def test_same_with_another_ask_if_is_refused_and_every_condition_reading_is_listed() -> None:
    """`same` means asked the same: where the old version asked a question under other
    conditions, the old rules would read the new question as not asked where the old version
    had an answer, and a de-escalation there would not show. Every reading through a condition
    that has no note is listed too (it is not 'asked the same')."""
    text = OLD_FILE.read_text(encoding="utf-8").replace(
        "  - id: mobility_milestones\n",
        "  - id: mobility_milestones\n    ask_if: {question: age_weeks, gt: 4}\n",
        1,
    )
    loaded = load_protocol(text.encode(), "v1.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    found = version_reading.reading_for(loaded.protocol, NEW)
    assert found is not None
    problems = version_reading.problems(loaded.protocol, NEW, *found, NEW_LOCATED)
    assert any("mobility_milestones" in p.message and "ask_if" in p.message for p in problems)
    assert {"mark_types", "patterned"} <= set(READ.by_condition)
    assert not set(READ.by_condition) & {q for q, _ in READ.notes}


NEW_LOCATED = load_protocol(NEW_FILE.read_bytes(), str(NEW_FILE)).located
