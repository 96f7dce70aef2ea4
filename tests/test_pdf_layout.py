"""The PDF lays a text out to measure it only near the foot of a page (`Printout.keep` callers):
elsewhere a bound from the text's width is enough. The bound is never below fpdf2's own line
count, and the PDFs are the same bytes as when every text is measured."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.protocol.loader import Loaded
from bruising_check.records.record import build_record
from bruising_check.render import handbook
from bruising_check.render import pdf as render_pdf
from bruising_check.render.handbook_pdf import handbook_pdf
from bruising_check.render.pdfdoc import Document
from tests.conftest import TODAY, mark, run

WHEN = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)

words = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzWMIl0123456789.,;:-()'\"&*[]/\t"),
    min_size=1,
    max_size=60,
)
texts = st.lists(st.tuples(words, st.sampled_from([" ", "  ", "\n", " \n", ""])), max_size=40).map(
    lambda parts: "".join(w + sep for w, sep in parts)
)


_DOC: list[Document] = []


def _doc() -> Document:
    if not _DOC:  # one document for every example: measuring prints nothing
        _DOC.append(Document("t"))
        _DOC[0].add_page()
    return _DOC[0]


@settings(max_examples=300, deadline=None)
@given(
    text=texts,
    width=st.floats(min_value=12, max_value=190),
    size=st.sampled_from([6.5, 7.5, 8, 9, 9.5, 10, 11, 12, 16, 18]),
    bold=st.booleans(),
)
def test_the_bound_is_never_below_the_lines_fpdf2_makes(
    text: str, width: float, size: float, bold: bool
) -> None:
    doc = _doc()
    doc.set_font("DejaVu", "B" if bold else "", size)
    at_most = doc.lines_at_most(text, width)
    try:
        lines = doc.multi_cell(width, 5, text, dry_run=True, output="LINES")
    except Exception:  # a column too narrow for one character: then no bound is claimed
        assert at_most is None
        return
    assert isinstance(lines, list)
    if at_most is not None:
        assert len(lines) <= at_most


@pytest.mark.parametrize("text", ["محمد", "王小明", "Zażółć", "e\u0301"])
def test_no_bound_is_claimed_for_text_beyond_ascii(text: str) -> None:
    doc = Document("t")
    doc.add_page()
    assert doc.lines_at_most(f"Name: {text}", 100) is None


def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    made = Document.__init__

    def init(self: Document, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.set_creation_date(WHEN)

    monkeypatch.setattr(Document, "__init__", init)


def _both(monkeypatch: pytest.MonkeyPatch, make: Any) -> tuple[bytes, bytes]:
    """The PDF as made, and as made measuring every text."""
    _fixed_date(monkeypatch)
    bounded = make()
    with monkeypatch.context() as m:
        m.setattr(Document, "lines_at_most", lambda self, text, width: None)
        measured = make()
    return bounded, measured


def test_the_rationale_is_the_same_bytes_as_when_every_text_is_measured(
    baseline_loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    protocol = baseline_loaded.protocol
    assert protocol is not None
    decision = run(
        protocol,
        age_weeks=17,
        marks=[mark(explained_by="father", account="He said the dog did it. " * 12)],
        notes="Seen at home.\nMother and father present.",
    )
    record = build_record(
        protocol,
        "0" * 64,
        decision,
        created_at=WHEN,
        context={"icon_discussed": "no"},
        about={"practitioner": "A. Visitor", "role": "Health visitor", "child_reference": "X"},
    )
    bounded, measured = _both(monkeypatch, lambda: render_pdf.pdf(record))
    assert bounded == measured


def test_the_handbook_is_the_same_bytes_as_when_every_text_is_measured(
    baseline_loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert baseline_loaded.protocol is not None
    book = handbook.build(
        baseline_loaded.protocol, file="national-baseline.yaml", sha256="0" * 64, today=TODAY
    )
    bounded, measured = _both(monkeypatch, lambda: handbook_pdf(book))
    assert bounded == measured
