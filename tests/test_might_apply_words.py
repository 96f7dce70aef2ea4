"""A reason that only might apply (it hangs on an answer that is not known) is worded as a
condition in every printout, never as a fact about this child: the protocol's sentence is quoted
as written after "If ... makes it apply:"."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from bruising_check.protocol.model import Protocol
from bruising_check.records.record import Record, build_record
from bruising_check.render import html as render_html
from bruising_check.render import pdf as render_pdf
from bruising_check.render import plain as render
from bruising_check.render import words
from tests.conftest import mark, run2

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
BORN_EARLY = "The baby was born before 37 weeks"  # A9's sentence, as the protocol writes it
SCREEN = "TEN-4-FACESp screen positive. This is screening information"  # A3's


def _record(protocol: Protocol, **changes: Any) -> Record:
    return build_record(protocol, "0" * 64, run2(protocol, **changes), created_at=NOW)


def _pdf_text(r: Record) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_pdf.pdf(r)))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


FORMATS: dict[str, Callable[[Record], str]] = {
    "text": render.text,
    "md": render.markdown,
    "html": render_html.html,
    "pdf": _pdf_text,
}


def _flat(text: str) -> str:
    return " ".join(text.replace("&quot;", '"').split())


def _occurrences(text: str, sentence: str) -> list[str]:
    """The 40 characters before each occurrence of `sentence`."""
    return [
        text[max(0, m.start() - 40) : m.start()] for m in re.finditer(re.escape(sentence), text)
    ]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_gestation_not_known_words_born_early_as_a_condition(baseline: Protocol, fmt: str) -> None:
    r = _record(baseline, age_weeks=30, gestation_weeks_at_birth=None)
    fired = {f.id: f for f in r.rules_fired}
    assert fired["A9"].certain is False  # it only might apply
    before = _occurrences(_flat(FORMATS[fmt](r)), BORN_EARLY)
    assert before, "A9's reason is listed"
    for prefix in before:
        assert prefix.endswith("makes it apply: \u201c"), prefix


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_screen_that_only_may_be_positive_is_never_stated(baseline: Protocol, fmt: str) -> None:
    """Pattern not sure on a thigh bruise: the screen is unknown, and its advice is quoted as a
    condition both under Why and in the screening section."""
    r = _record(baseline, age_weeks=30, marks=[mark(site="thigh", patterned="not_sure")])
    assert {f.id: f.certain for f in r.rules_fired}["A3"] is False
    before = _occurrences(_flat(FORMATS[fmt](r)), SCREEN)
    assert len(before) == 2, before  # under Why, and in the screening section
    for prefix in before:
        assert prefix.endswith("makes it apply: \u201c"), prefix


def test_a_known_reason_is_still_stated_as_written(baseline: Protocol) -> None:
    r = _record(baseline, age_weeks=30, gestation_weeks_at_birth=34)
    text = _flat(render.text(r))
    assert f"A9 (advice): {BORN_EARLY}" in text
    assert "makes it apply" not in text


def test_the_unknowns_a_rule_hangs_on_are_named() -> None:
    assert words.might_apply_text("It is so.", ["mark 1: Is it patterned"]) == (
        "If \u201cmark 1: Is it patterned\u201d (not known) makes it apply: \u201cIt is so.\u201d"
    )
    assert words.might_apply_text("It is so.", ["A", "B"]).startswith(
        "If \u201cA\u201d and \u201cB\u201d (not known) make it apply:"
    )
