"""The handbook as an A4 PDF through the printout's emitter (`pdf.write`): a contents page with
page numbers first, then the handbook in the order of a published protocol (`handbook.build`),
the flowchart on a landscape page, a blank body map. Every page has the running head, the tool
statement and page X of Y, and every page that shows a placeholder contact says so at its foot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bruising_check import STATEMENT
from bruising_check.render.blocks import Document
from bruising_check.render.pdf import Printout, write
from bruising_check.render.pdfdoc import MAIN

PLACEHOLDER_FOOT = "This page shows PLACEHOLDER contacts: examples, not real numbers."


class _Book(Printout):
    def __init__(self, title: str, running_head: str) -> None:
        super().__init__(title, running_head)
        self.placeholder_pages: set[int] = set()

    def footer(self) -> None:
        if self.page_no() in self.placeholder_pages:
            self.set_y(-19.5)
            self.set_font(MAIN, "B", 7.5)
            self.set_text_color(176, 0, 0)
            self.cell(0, 4, PLACEHOLDER_FOOT, align="L")
            self.set_text_color(0, 0, 0)
        super().footer()

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        """Every paragraph passes here: the pages it lands on are marked when it shows a
        placeholder contact (a dry run, which only measures, marks nothing)."""
        text = kwargs.get("text", args[2] if len(args) > 2 else "")
        first = self.page_no()
        result = super().multi_cell(*args, **kwargs)
        if "PLACEHOLDER" in str(text) and not kwargs.get("dry_run"):
            self.placeholder_pages.update(range(first, self.page_no() + 1))
        return result


def _fit(doc: Any, text: str, width: float) -> str:
    """`text` cut to one line of `width` (the contents page never runs onto a second page)."""
    if doc.get_string_width(text) <= width:
        return text
    while text and doc.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _contents(doc: Any, outline: Sequence[Any]) -> None:
    doc.set_xy(doc.l_margin, 22)
    doc.set_font(MAIN, "B", 18)
    usable = doc.w - doc.l_margin - doc.r_margin
    title = doc.doc_title if len(doc.doc_title) <= 160 else doc.doc_title[:157] + "..."
    doc.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(MAIN, "B", 13)
    doc.cell(0, 7, "Contents", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    entries = []
    parent = ""
    for section in outline:
        if section.level == 0:
            parent = section.name
        # The chapters, and under "what to do" each pathway: what a reader looks up first.
        chapter = section.level == 0 and section.name != doc.doc_title
        if chapter or (section.level == 1 and parent.startswith("What to do")):
            entries.append(section)
    room = doc.page_break_trigger - doc.get_y() - 20
    if len(entries) * 6 > room:  # a protocol with very many pathways: the chapters only
        entries = [e for e in entries if e.level == 0]
    step = min(6.0, room / max(1, len(entries)))
    for section in entries:
        indent = 6.0 * section.level
        doc.set_font(MAIN, "B" if section.level == 0 else "", 10.5 if section.level == 0 else 9.5)
        width = usable - indent - 14
        doc.set_x(doc.l_margin + indent)
        doc.cell(
            width,
            step,
            _fit(doc, section.name, width - 2),
            link=doc.add_link(page=section.page_number),
        )
        doc.cell(14, step, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(MAIN, "", 9)
    doc.multi_cell(0, 5, STATEMENT, new_x="LMARGIN", new_y="NEXT")


def handbook_pdf(book: Document) -> bytes:
    doc = _Book(book.title, book.running_head)
    doc.add_page()
    doc.insert_toc_placeholder(_contents, pages=1, reset_page_indices=False)
    write(doc, book)
    return doc.output_bytes()
