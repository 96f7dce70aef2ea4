"""Structural diff: matched by id, reformatting is not a change, precedence moves are called out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.protocol.model import Protocol
from bruising_check.versions.structural import structural_diff, word_diff
from tests.conftest import BASELINE, BASELINE_V1, ROOT, load_text

V1 = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"


def proto(text: str) -> Protocol:
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


BASE_TEXT = BASELINE_V1.read_text(encoding="utf-8")  # text edits of the v1 baseline
WORDS = ["the", "baby", "has", "a", "bruise", "on", "cheek", "and", "ear", "today"]


def test_a_protocol_against_itself_has_no_changes(baseline: Protocol) -> None:
    assert structural_diff(baseline, baseline) == []


def test_reformatting_and_reordering_meaningless_lists_is_not_a_change() -> None:
    reformatted = BASE_TEXT.replace(
        "      includes_any: [crawling, bottom_shuffling, cruising, walking, "
        "independent_wheelchair_use]",
        "      includes_any:\n        - walking\n        - crawling\n        - bottom_shuffling\n"
        "        - independent_wheelchair_use\n        - cruising",
    ).replace(
        "  - id: sugar_1999\n",
        "  # a comment changes nothing\n  - id: sugar_1999\n",
    )
    assert reformatted != BASE_TEXT
    assert structural_diff(proto(BASE_TEXT), proto(reformatted)) == []


def test_reordering_all_children_is_not_a_change() -> None:
    old = BASE_TEXT
    new = old.replace(
        "        - {question: patterned, equals: false}\n"
        "        - not: {question: explanation, equals: implausible_or_inconsistent}",
        "        - not: {question: explanation, equals: implausible_or_inconsistent}\n"
        "        - {question: patterned, equals: false}",
    )
    assert new != old
    assert structural_diff(proto(old), proto(new)) == []


def test_a_rule_moved_past_another_changes_precedence() -> None:
    start = BASE_TEXT.index("  - id: B5a\n")
    end = BASE_TEXT.index("  - id: B5\n")
    b5a = BASE_TEXT[start:end]
    moved = BASE_TEXT[:start] + BASE_TEXT[end:]
    moved = moved.replace("  - id: B6\n", b5a + "  - id: B6\n")
    changes = structural_diff(proto(BASE_TEXT), proto(moved))
    # Swapping neighbours can be told either way round; exactly one move names both rules.
    [change] = changes
    assert (change.section, change.kind, change.note) == ("rules", "moved", "precedence changed")
    assert {change.item, (change.new or "").split()[-1]} == {"B5", "B5a"}


def test_inserting_a_rule_does_not_move_the_others() -> None:
    new = BASE_TEXT.replace(
        "  - id: B8\n",
        "  - id: B7b\n    when: {question: patterned, equals: true}\n"
        "    pathway: refer_same_day_csc_and_paediatric\n    because: Extra.\n"
        "    cite: [nice_cg89]\n  - id: B8\n",
    )
    changes = structural_diff(proto(BASE_TEXT), proto(new))
    assert [(c.item, c.kind) for c in changes] == [("B7b", "added")]
    assert "patterned is true -> refer_same_day_csc_and_paediatric" in (changes[0].new or "")


def test_wording_changes_are_shown_word_by_word() -> None:
    new = BASE_TEXT.replace(
        "prompt: How did you learn of the mark?", "prompt: How did you first learn of the mark?"
    )
    [change] = structural_diff(proto(BASE_TEXT), proto(new))
    assert (change.item, change.field) == ("report_channel", "prompt")
    assert change.words == (
        ("equal", "How did you"),
        ("insert", "first"),
        ("equal", "learn of the mark?"),
    )


def test_example_v1_to_v2_names_the_real_revisions() -> None:
    changes = structural_diff(proto(V1.read_text()), proto(V2.read_text()))
    found = {(c.section, c.item, c.kind, c.field) for c in changes}
    assert ("policy", None, "changed", "rolling_counts_as_mobility") in found
    assert ("policy", None, "removed", "mobility_milestones") in found  # rolling left the list
    assert ("questions", "report_channel", "added", None) in found
    assert ("derived", "independently_mobile", "changed", "condition") in found
    assert (
        "pathways",
        "refer_same_day_csc_and_paediatric",
        "removed",
        "actions.strategy_discussion",
    ) in found
    assert ("advice", "A1", "added", None) in found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12), st.lists(st.sampled_from(WORDS), max_size=12))
def test_word_diff_rebuilds_both_texts(a: list[str], b: list[str]) -> None:
    ops = word_diff(" ".join(a), " ".join(b))
    old = " ".join(t for op, t in ops if op != "insert" and t)
    new = " ".join(t for op, t in ops if op != "delete" and t)
    assert old.split() == a
    assert new.split() == b


def test_changed_items_come_in_the_old_protocols_order() -> None:
    """The same diff prints the same way every run: items changed in both versions are listed
    in the old protocol's order (they came in set order, which moves with PYTHONHASHSEED)."""
    old, new = proto(BASE_TEXT), proto(BASELINE.read_text(encoding="utf-8"))
    changes = structural_diff(old, new)
    checked = 0
    for section in ("sources", "definitions", "questions", "rules"):
        order = [item.id for item in getattr(old, section)]
        seen: list[str] = []
        for change in changes:
            if change.section == section and change.kind == "changed" and change.item not in seen:
                assert change.item is not None
                seen.append(change.item)
        assert seen == sorted(seen, key=order.index), section
        checked += len(seen) > 2
    assert checked >= 3  # enough changed items in enough sections for the order to mean something
