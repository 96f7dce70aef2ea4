"""PDFs with any fpdf2 the package allows (`fpdf2>=2.8.6`): the faster paths (stored font metrics,
`_Fragment`, `_LineBreak`, the font cutter) are used only with the fpdf2 they were built and
tested with (`fontcache.verified`); with another, a PDF is fpdf2's own work and still correct."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from bruising_check.render.pdfdoc import Document


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_pdf_is_made_with_an_fpdf2_whose_fragments_take_no_emphasis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fpdf2 2.8.6 (the oldest allowed) has `_preload_font_styles(text, markdown)`, without
    2.8.9's `_initial_emphasis`: `Document` passes on what fpdf2 gives it, nothing more."""
    own = FPDF._preload_font_styles

    def older(self: FPDF, text: str | None, markdown: bool) -> Any:
        return own(self, text, markdown)

    monkeypatch.setattr(FPDF, "_preload_font_styles", older)
    doc = Document("Older fpdf2")
    doc.add_page()
    doc.multi_cell(0, 5, "Printed with **an older** fpdf2. " * 10, markdown=True)
    doc.cell(0, 5, "One cell.")
    assert "Printed with an older fpdf2." in _text(doc.output_bytes())


def test_fpdf2s_line_breaking_is_restored_after_a_layout_that_fails() -> None:
    """`Document.multi_cell` puts `_LineBreak` in fpdf2's module only while it lays a text out:
    a text that cannot be laid out (not one character fits) leaves fpdf2's own class there."""
    import fpdf.fpdf
    from fpdf.errors import FPDFException
    from fpdf.line_break import MultiLineBreak

    module: Any = fpdf.fpdf  # fpdf2 imports the class there, without exporting it
    doc = Document("t")
    doc.add_page()
    with pytest.raises(FPDFException):
        doc.multi_cell(2.5, 5, "W" * 20)  # narrower than the cell margins and one letter
    assert module.MultiLineBreak is MultiLineBreak
    doc.multi_cell(0, 5, "Then laid out as before.")
    assert module.MultiLineBreak is MultiLineBreak
    assert "Then laid out as before." in _text(doc.output_bytes())


def test_with_another_fpdf2_a_pdf_is_written_by_fpdf2s_own_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No stored faces (another fpdf2, or the stored metrics left unused): `output` is called
    as every fpdf2 takes it, without the `output_producer_class` hook."""
    from bruising_check.render import fontcache

    called: list[dict[str, Any]] = []
    own = FPDF.output

    def output(self: FPDF, *args: Any, **kwargs: Any) -> Any:
        called.append(kwargs)
        return own(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "output", output)
    monkeypatch.setattr(fontcache, "font", lambda *args: None)
    doc = Document("t")
    doc.add_page()
    doc.multi_cell(0, 5, "Written by fpdf2.")
    assert "Written by fpdf2." in _text(doc.output_bytes())
    assert called == [{}]
