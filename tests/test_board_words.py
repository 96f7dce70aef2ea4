"""The board paper's wording: the analysis's clauses and the kind of child in plain English."""

from __future__ import annotations

import pytest

from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.render import board_words as w
from tests.conftest import ROOT

V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"


@pytest.fixture(scope="module")
def ps() -> tuple[Protocol, ...]:
    protocol = load_protocol(V2.read_bytes(), str(V2)).protocol
    assert protocol is not None
    return (protocol,)


@pytest.mark.parametrize(
    ("clauses", "expected"),
    [
        (["age_weeks ≤ 25"], "a baby under 26 weeks"),
        (
            ["age_weeks ≥ 26", "mobility_milestones includes rolling"],
            "a baby of 26 weeks or more who rolls",
        ),
        (["12 ≤ age_weeks ≤ 30"], "a baby of 12 to 30 weeks"),
        (["age_weeks ≥ 104"], "a child of 104 weeks or more"),
        (
            [
                "mobility_milestones includes rolling",
                "mobility_milestones includes none of crawling, walking",
            ],
            "a baby who rolls but does not crawl or walk",
        ),
        (
            ["mobility_milestones includes any of crawling, cruising"],
            "a baby who crawls or cruises",
        ),
        (["mobility_milestones includes none of crawling"], "a baby who does not crawl"),
        (["patterned is true"], "a baby"),  # not a question the change is about
    ],
)
def test_the_kind_of_child(ps: tuple[Protocol, ...], clauses: list[str], expected: str) -> None:
    assert w.who(ps, clauses, {"age_weeks", "mobility_milestones"}) == expected


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("patterned is true", "yes"),
        ("age_weeks ≤ 25", "25 weeks or fewer"),
        ("age_weeks ≥ 26", "26 weeks or more"),
        ("(age_weeks ≤ 3 OR age_weeks ≥ 10)", "3 weeks or fewer or 10 weeks or more"),
        ("explanation is one of none, plausible_consistent", "one of No explanation or Plausible"),
        ("mark_types is exactly [bruise, abrasion]", "exactly Bruise and Abrasion or scratch"),
        ("mark_types includes none of bruise", "none of Bruise"),
        ("report_channel is seen_in_person", "I have seen it in person"),
    ],
)
def test_clauses_in_words(ps: tuple[Protocol, ...], clause: str, expected: str) -> None:
    worded = w.clause_words(ps, clause)
    assert expected in worded
    assert "_" not in worded.split(": ", 1)[1]  # option ids become labels


def test_an_unreadable_clause_is_shown_not_dropped(ps: tuple[Protocol, ...]) -> None:
    assert (
        w.clause_words(ps, "some marks item has (site is ear)")
        == "some marks item has (site is ear)"
    )


def test_policy_changes_in_few_words(ps: tuple[Protocol, ...]) -> None:
    change = w.policy_change(ps, "mobility_milestones", ["rolling", "crawling"], ["crawling"])
    assert change == "milestones that make a child independently mobile: Rolling over removed"
    assert w.policy_change(ps, "rolling_counts_as_mobility", True, False).endswith("yes → no")
    assert w.policy_change(ps, "age_anchor", "x" * 80, None).endswith("no longer stated")


BASELINE = ROOT / "protocols" / "national-baseline.yaml"


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("no mark has (patterned is yes)", "No mark has (Is it patterned: Yes)"),
        ("not every mark has (accounted_for is true)", "Not every mark has (Accounted for: yes)"),
        (
            "some mark has (type is bruise AND site is one of ear, neck)",
            "Some mark has (What kind of mark is it: Bruise and Where is it: one of Face: ear or"
            " Neck)",
        ),
        ("injury_red_flags is exactly []", ": none of these"),
        (
            "the number of marks with (patterned is yes) is ≥ 2",
            "Marks with (Is it patterned: Yes): 2 or more",
        ),
        (
            "the total count of marks with (unusual_site is true) is = 0",
            "“How many marks like this are there here”, added up over the marks with (At an"
            " unusual site (not a typical accidental site): yes): 0",
        ),
        (
            # A fact of the child inside a mark's condition, compared with a number: its label.
            "some mark has (type is bite AND age_months ≤ 4.99)",
            "Some mark has (What kind of mark is it: Bite and Age in months (weeks x 7 /"
            " 30.4375): 4.99 months or fewer)",
        ),
    ],
)
def test_clauses_about_each_mark_use_labels_not_ids(clause: str, expected: str) -> None:
    protocol = load_protocol(BASELINE.read_bytes(), str(BASELINE)).protocol
    assert protocol is not None
    words = w.clause_words((protocol,), clause)
    assert words.endswith(expected) if expected.startswith(":") else words == expected, words
    assert "_" not in words, words
