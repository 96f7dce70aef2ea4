"""A printout labels each answer by its question without the hint to the person answering:
"(optional; write exactly what was said)" is how to answer, not part of what was recorded."""

from __future__ import annotations

import datetime as dt

from bruising_check.protocol.model import Protocol
from bruising_check.records.record import build_record
from bruising_check.render import plain as render
from bruising_check.render.words import field_label
from tests.conftest import mark, run2

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)


def test_the_carers_words_are_headed_without_the_prompt_hint(baseline: Protocol) -> None:
    decision = run2(baseline, marks=[mark(explained_by="mother", account="He rolled off.")])
    text = render.text(build_record(baseline, "0" * 64, decision, created_at=NOW))
    words = text.split("IN THEIR OWN WORDS, AND NOTES")[1].split("EVERY QUESTION")[0]
    assert "Mark 1: The explanation in the carer's own words\n" in words
    assert "He rolled off." in words
    marks = text.split("\nMARKS\n")[1].split("IN THEIR OWN WORDS")[0]
    assert "write exactly what was said" not in " ".join((words + marks).split())
    assert "optional" not in " ".join((words + marks).split())


def test_only_a_trailing_optional_hint_is_left_out() -> None:
    assert field_label("Its size, in cm (the longest dimension; optional)") == "Its size, in cm"
    assert field_label("Is it patterned?") == "Is it patterned"
    kept = 'Gestation at birth, in weeks ("not known" if you do not know)'
    assert field_label(kept) == kept
