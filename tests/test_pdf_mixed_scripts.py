"""A carer's own words in several scripts print as written: read back from the PDF, a paragraph
that mixes the main font with fallback fonts (Arabic, Chinese, Devanagari...) and wraps has
exactly the characters written, on every line, and so has the text after it.

fpdf2 (2.8.8 to at least 2.8.9, issue #1772) lost the page's font after a line that starts in a
fallback font and ends in another font than the main one: the lines after it printed in no font
or in the wrong one (`Document._render_styled_text_line`). The PDFs are read with pypdf, which
decodes each glyph through the font it is shown in, as a viewer does."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bruising_check.render import fontcache
from bruising_check.render.pdfdoc import Document

# Words in the scripts the bundled fonts cover whose glyphs each read back as their own
# characters. (Tamil and Bengali vowel signs written before their consonant print right, but
# fpdf2 gives one glyph of such a cluster no text of its own, so it reads back as an extra
# code: a limit of the PDF's text layer, not of what is printed.)
WORDS = (
    "Zażółć",
    "gęślą",
    "jaźń.",
    "Ŵyn,",
    "Größe",
    "said",
    "baby",
    "Привет.",
    "Ελένη",
    "王小明",
    "说不知道.",
    "محمد",
    "بچے",
    "ليس",
    "لدي",
    "فكرة.",
    "لا",
    "أعرف",
    "שלום.",
    "सीता",
    "ने",
    "कहा।",
    "ਪਤਾ",
    "ਨਹੀਂ।",
    "ખબર",
    "નથી.",
)
AFTER = "Then the health visitor wrote this."
# The fpdf2 issue's case: Arabic, then Chinese, then Latin and Cyrillic, in a narrow cell.
CARER = "سلام 王小明 说不知道. Zażółć gęślą jaźń. Привет. Привет. Привет. Привет."


def _printed(doc: Document) -> str:
    data = doc.output_bytes()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _chars(text: str) -> Counter[str]:
    """The characters of a text, in any order (right-to-left runs print in visual order) and
    without the spaces (where a line breaks, and what a reader puts between glyphs)."""
    return Counter(c for c in text if not c.isspace())


def _footers(pages: int) -> Counter[str]:
    """What the running footers of a document of that many pages print."""
    doc = Document("t")
    for _ in range(pages):
        doc.add_page()
    return _chars(_printed(doc))


def _written(paragraphs: list[str], width: float, *, start_y: float | None = None) -> Document:
    doc = Document("t")
    doc.add_page()
    if start_y is not None:
        doc.set_y(start_y)
    for paragraph in paragraphs:
        doc.multi_cell(width, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 5, AFTER, new_x="LMARGIN", new_y="NEXT")
    return doc


def _assert_printed_as_written(doc: Document, paragraphs: list[str]) -> None:
    printed = _printed(doc)
    expected = _chars("".join(paragraphs) + AFTER) + _footers(doc.pages_count)
    assert _chars(printed) == expected, printed
    for word in AFTER.split():
        assert word in printed


def test_a_wrapped_mixed_paragraph_prints_every_line_in_its_fonts() -> None:
    doc = _written([CARER], 60)
    _assert_printed_as_written(doc, [CARER])
    printed = _printed(doc)
    for word in ("王小明", "Zażółć", "gęślą", "jaźń.", "Привет."):
        assert word in printed


def test_a_cell_that_starts_in_a_fallback_font_leaves_the_next_texts_their_font() -> None:
    """fpdf2 issue #1772's own case: the first text of a page starts with a fallback glyph."""
    doc = Document("t")
    doc.add_page()
    doc.cell(0, 5, "王小明", new_x="LMARGIN", new_y="NEXT")
    doc.cell(0, 5, "محمد 王", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 5, AFTER, new_x="LMARGIN", new_y="NEXT")
    _assert_printed_as_written(doc, ["王小明", "محمد 王"])


def test_a_mixed_paragraph_across_a_page_break_prints_on_both_pages() -> None:
    doc = _written([CARER * 3], 60, start_y=255)
    assert doc.pages_count == 2
    _assert_printed_as_written(doc, [CARER * 3])


def test_a_cell_that_breaks_the_page_gets_the_font_on_the_new_page() -> None:
    """A cell breaks the page inside fpdf2's printing of its line: the page's font is written
    on the page the line prints on, not on the one before."""
    doc = Document("t")
    doc.add_page()
    doc.set_y(274)
    doc.cell(0, 5, "王小明 محمد", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 5, AFTER, new_x="LMARGIN", new_y="NEXT")
    assert doc.pages_count == 2
    _assert_printed_as_written(doc, ["王小明 محمد"])


def test_with_fpdf2s_own_layout_a_mixed_paragraph_prints_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As with another fpdf2 than the stored metrics are for: fpdf2's own fonts, fragments and
    line breaking, and its own writer."""
    monkeypatch.setattr(fontcache, "verified", lambda: False)
    monkeypatch.setattr(fontcache, "font", lambda *args: None)
    doc = _written([CARER, "王小明 " + CARER], 45)
    assert not doc.cached_fonts
    _assert_printed_as_written(doc, [CARER, "王小明 " + CARER])


@settings(max_examples=25, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join),
        min_size=1,
        max_size=3,
    ),
    width=st.sampled_from([35.0, 50.0, 80.0, 0.0]),
)
@example(paragraphs=[CARER], width=60.0)
@example(paragraphs=["王小明 said محمد", "baby"], width=35.0)
def test_mixed_script_paragraphs_print_as_written(paragraphs: list[str], width: float) -> None:
    _assert_printed_as_written(_written(paragraphs, width), paragraphs)
