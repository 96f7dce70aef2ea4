"""The handbook as an A4 PDF, through `pdfdoc.Document` (bundled DejaVu fonts, page numbers and
the tool statement on every page)."""

from __future__ import annotations

from collections.abc import Sequence

from bruising_check import STATEMENT
from bruising_check.render import safe
from bruising_check.render.handbook import Handbook, Heading, Item, Items, Para, Warning
from bruising_check.render.pdfdoc import Document

_SIZES = {1: 16, 2: 13, 3: 11}
_INDENT = 5.0  # mm per nesting level


def handbook_pdf(book: Handbook) -> bytes:
    doc = Document(book.title)
    doc.set_margins(18, 16, 18)
    doc.add_page()
    for block in book.blocks:
        match block:
            case Heading(level=level, text=text):
                if level == 2 and doc.get_y() > 240:
                    doc.add_page()
                doc.ln(3 if level > 1 else 0)
                doc.set_font("DejaVu", "B", _SIZES.get(level, 10))
                doc.multi_cell(
                    0, 6 if level < 3 else 5, text, align="L", new_x="LMARGIN", new_y="NEXT"
                )
                doc.ln(1)
            case Para(text=text, label=label):
                _rich(doc, label, text, 0.0)
                doc.ln(1.5)
            case Warning(text=text):
                doc.set_draw_color(176, 0, 0)
                doc.set_fill_color(255, 241, 240)
                doc.set_font("DejaVu", "B", 9.5)
                doc.multi_cell(
                    0, 5, f"Warning: {text}", border="L", fill=True, new_x="LMARGIN", new_y="NEXT"
                )
                doc.ln(1.5)
            case Items(items=items):
                _items(doc, items, 0)
                doc.ln(1)
    doc.ln(4)
    doc.set_font("DejaVu", "", 9)
    doc.multi_cell(0, 5, STATEMENT, new_x="LMARGIN", new_y="NEXT")
    return doc.output_bytes()


def _rich(doc: Document, label: str | None, text: str, indent: float) -> None:
    """A label in bold, then the text, wrapped within the indented width."""
    doc.set_x(doc.l_margin + indent)
    width = doc.w - doc.r_margin - doc.l_margin - indent
    parts = []
    if label:
        parts.append(f"**{safe.pdf_markdown(label, last=False)}**")
    if text:
        parts.append(_md(text))
    doc.set_font("DejaVu", "", 9.5)
    doc.multi_cell(
        width, 4.8, " ".join(parts), markdown=True, align="L", new_x="LMARGIN", new_y="NEXT"
    )


def _md(text: str) -> str:
    """fpdf2's markdown mode: its markers and backslashes escaped so text prints as written."""
    return safe.pdf_markdown(text)


def _items(doc: Document, items: Sequence[Item], depth: int) -> None:
    for it in items:
        bullet = "•" if depth == 0 else "–"
        doc.set_font("DejaVu", "", 9.5)
        doc.set_x(doc.l_margin + depth * _INDENT)
        doc.cell(_INDENT, 4.8, bullet)
        text = it.text + (f" {it.url}" if it.url else "")
        _rich(doc, it.label, text, (depth + 1) * _INDENT)
        _items(doc, it.children, depth + 1)
