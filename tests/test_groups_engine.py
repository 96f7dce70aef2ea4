"""The engine over repeated groups, unknown answers and follow-on pathways, on tiny inline
protocols (tests/groups_support.py): each quantifier, each kind of unknown, the follow-on."""

from __future__ import annotations

import pytest

from bruising_check.engine.decide import decide
from bruising_check.engine.evaluate import run_pass
from bruising_check.engine.urgency import Outcome, compare_outcomes, raise_to, satisfies
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.model import Pathway, Timescale
from tests.groups_support import ANSWERS, MARK, TINY, run, tiny, with_marks

P = tiny()


def outcome(d: object) -> tuple[str | None, str | None, str | None]:
    pathway, then = d.pathway, d.then  # type: ignore[attr-defined]
    rule = d.deciding_rule  # type: ignore[attr-defined]
    return (
        pathway.id if pathway else None,
        then.id if then else None,
        rule.id if rule else None,
    )


# --- quantifiers ------------------------------------------------------------------------------


def test_some_item_patterned_refers_whichever_mark_it_is() -> None:
    assert outcome(run(P, with_marks({}, {"patterned": "yes"}))) == ("refer", None, "R1")
    assert outcome(run(P, with_marks({}, {}))) == ("discuss", None, "R6")


def test_every_item_abrasion_needs_all_of_them() -> None:
    only = run(P, with_marks({"type": "abrasion"}, {"type": "abrasion"}))
    assert outcome(only) == ("discuss", None, "R4")
    mixed = run(P, with_marks({"type": "abrasion"}, {"type": "bruise"}))
    assert outcome(mixed) == ("discuss", None, "R6")


def test_count_sums_the_count_field_over_matching_items() -> None:
    # One mark at the ear counted twice is two marks at unusual sites.
    assert outcome(run(P, with_marks({"site": "ear", "count": 2}))) == ("refer", None, "R2")
    assert outcome(run(P, with_marks({"site": "ear"}))) == ("discuss", None, "R6")
    # Two items at unusual sites, each counted once (the default).
    assert outcome(run(P, with_marks({"site": "ear"}, {"site": "sole"}))) == ("refer", None, "R2")
    # A mark elsewhere adds nothing, however many.
    assert outcome(run(P, with_marks({"site": "ear"}, {"count": 9}))) == ("discuss", None, "R6")


def test_item_facts_are_computed_per_item() -> None:
    d = run(P, with_marks({"site": "ear"}, {"site": "cheek"}))
    assert d.item_derived["marks"] == ({"unusual_site": True}, {"unusual_site": False})


# --- unknowns ---------------------------------------------------------------------------------


def test_single_choice_unknown_option_ranges_over_the_others() -> None:
    d = run(P, with_marks({}, {"patterned": "not_sure"}))
    assert outcome(d)[:2] == ("refer", None)
    assert d.unknowns_that_decided == ("marks[2].patterned",)
    assert d.answers["marks"][1]["patterned"] is UNKNOWN
    assert "marks[2].patterned" in d.unanswered


def test_multiple_choice_unknown_option_is_chosen_alone_and_ranges_over_selections() -> None:
    # Only abrasions: "discuss" unless mobile, when "no action". Not knowing the mobility
    # must not give "no action".
    d = run(P, with_marks({"type": "abrasion"}, mobility=["not_sure"]))
    assert outcome(d)[0] == "discuss"
    assert d.unknowns_that_decided == ("mobility",)
    assert d.derived["mobile"] is UNKNOWN
    known = run(P, with_marks({"type": "abrasion"}, mobility=["walking"]))
    assert outcome(known)[0] == "none"


def test_number_null_ranges_over_the_range_and_facts_that_cannot_apply_are_stated() -> None:
    d = run(P, with_marks({}, gestation=None))
    assert outcome(d)[0] == "refer"  # gestation could be under 30 (R5)
    assert d.unknowns_that_decided == ("gestation",)
    assert d.derived["preterm"] is UNKNOWN  # born before 37 weeks: may apply
    older = run(P, with_marks({}, gestation=None, age_weeks=150))
    # Over 104 weeks nobody is "born before 37 weeks" for this fact, gestation or not.
    assert older.derived["preterm"] is False


def test_boolean_null_may_mean_emergency_care_first() -> None:
    d = run(P, with_marks({}, unwell=None))
    assert outcome(d)[:2] == ("emergency", "discuss")
    assert d.unknowns_that_decided == ("unwell",)


def test_known_false_is_definite_and_acts_on_not_knowing() -> None:
    d = run(P, with_marks({}, gestation=None))
    advice = [r for r in d.rules_fired if r.kind == "advice"]
    assert [(r.id, r.certain) for r in advice] == [("A1", True)]
    assert not [r for r in run(P, ANSWERS).rules_fired if r.kind == "advice"]


def test_an_unknown_that_cannot_change_the_outcome_did_not_decide_it() -> None:
    # Patterned already: the second mark's count cannot make it less than "refer".
    d = run(P, with_marks({"patterned": "yes"}, {"count": None, "site": "ear"}))
    assert outcome(d)[0] == "refer"
    assert d.unknowns_that_decided == ()


NEVER = TINY.replace(
    "rules:\n",
    "rules:\n"
    "  - id: R_never\n"
    "    when: {all: [{question: gestation, lt: 30}, {question: gestation, ge: 30}]}\n"
    "    pathway: refer\n"
    "    because: Never.\n"
    "    cite: [s]\n",
    1,
)


def test_exact_not_three_valued_shortcuts() -> None:
    # A rule that no completion can satisfy must not be taken because its condition is
    # "unknown" under three-valued logic (an abrasion, so that R4 decides before R5).
    p = tiny(NEVER)
    d = run(p, with_marks({"type": "abrasion"}, gestation=None))
    assert outcome(d) == ("discuss", None, "R4")
    assert d.exact
    assert d.unknowns_that_decided == ()
    three_valued = run_pass(p, {**d.answers})
    assert three_valued.upper[0] is not None and three_valued.upper[0].id == "refer"


def test_a_budget_too_small_keeps_the_sound_three_valued_outcome() -> None:
    p = tiny(NEVER)
    answers = {**ANSWERS, "gestation": UNKNOWN, "marks": ({**MARK, "type": "abrasion"},)}
    small = decide(p, answers, budget=0)
    assert not small.exact
    assert small.pathway is not None and small.pathway.id == "refer"
    # Not exact: every unknown is listed as one that may have decided it.
    assert small.unknowns_that_decided == ("gestation",)
    full = decide(p, answers)
    assert full.exact and full.pathway is not None and full.pathway.id == "discuss"


def test_an_unknown_nothing_depends_on_is_not_searched() -> None:
    answers = {**ANSWERS, "gestation": UNKNOWN, "marks": ({**MARK, "type": "abrasion"},)}
    d = decide(P, answers, budget=0)  # R4 decides before anything reads the gestation
    assert d.exact and d.unknowns_that_decided == ()


# --- follow-on pathways -----------------------------------------------------------------------


def test_first_step_then_the_rules_below_decide_what_follows() -> None:
    d = run(P, with_marks({}, {"patterned": "yes"}, unwell=True))
    assert outcome(d) == ("emergency", "refer", "R0")
    assert [(r.id, r.kind) for r in d.rules_fired] == [("R0", "decides"), ("R1", "then")]
    sources = [a.source for a in d.actions]
    assert sources == [a.source for a in d.actions if a.source in {"emergency", "refer"}]


def test_not_a_first_step_means_no_follow_on() -> None:
    d = run(P, with_marks({"patterned": "yes"}))
    assert d.then is None


# --- the order on outcomes and invariants on pairs --------------------------------------------


def _pw(pid: str, urgency: int, first: bool = False) -> Pathway:
    return Pathway(
        id=pid, title=pid, urgency=urgency, timescale=Timescale(label="x"), first_step=first
    )


EMERGENCY, REFER, DISCUSS = _pw("emergency", 1, True), _pw("refer", 2), _pw("discuss", 3)


def test_outcomes_compare_by_pathway_then_follow_on_and_missing_is_least() -> None:
    assert compare_outcomes((EMERGENCY, REFER), (EMERGENCY, DISCUSS)) == 1
    assert compare_outcomes((EMERGENCY, None), (EMERGENCY, DISCUSS)) == -1
    assert compare_outcomes((REFER, None), (EMERGENCY, None)) == -1
    assert compare_outcomes((None, None), (DISCUSS, None)) == -1
    assert compare_outcomes((REFER, None), (REFER, None)) == 0


@pytest.mark.parametrize(
    ("start", "floor", "expected"),
    [
        ((DISCUSS, None), REFER, ("refer", None)),
        ((EMERGENCY, DISCUSS), REFER, ("emergency", "refer")),  # still after emergency care
        ((EMERGENCY, DISCUSS), EMERGENCY, ("emergency", "discuss")),  # a first step: holds
        ((DISCUSS, None), EMERGENCY, ("emergency", "discuss")),  # first step, then the rules'
        ((REFER, None), REFER, ("refer", None)),
    ],
)
def test_invariants_on_pairs(start: Outcome, floor: Pathway, expected: Outcome) -> None:
    raised = raise_to(start, floor)
    assert (raised[0].id if raised[0] else None, raised[1].id if raised[1] else None) == expected
    assert satisfies(raised, floor)
    assert compare_outcomes(raised, start) >= 0


def test_engine_honours_an_invariant_on_the_follow_on() -> None:
    text = TINY.replace(
        "advice:\n",
        "invariants:\n"
        "  - id: I1\n"
        "    when: {some: {group: marks, where: {item: site, equals: sole}}}\n"
        "    at_least: refer\n"
        "    because: A mark on the sole.\n"
        "    cite: [s]\n"
        "advice:\n",
    )
    p = tiny(text)
    d = run(p, with_marks({"site": "sole"}, unwell=True))
    assert outcome(d)[:2] == ("emergency", "refer")
    assert ("I1", "invariant") in [(r.id, r.kind) for r in d.rules_fired]
