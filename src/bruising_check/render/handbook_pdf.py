"""The handbook as an A4 PDF: a contents page with page numbers first, then the handbook in the
order of a published protocol (`handbook.build`), the flowchart on a landscape page drawn from
the same layout as `show --format pdf --view overview`, and a blank body map. Bundled DejaVu
fonts; every page has the running head, the tool statement and page X of Y, and every page that
shows a placeholder contact says so at its foot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bruising_check import STATEMENT
from bruising_check.render import safe
from bruising_check.render.blocks import BodyMap
from bruising_check.render.chart_draw import draw
from bruising_check.render.handbook import Figure, Handbook, Heading, Item, Items, Para, Warning
from bruising_check.render.pdf import Printout, bodymap_figure
from bruising_check.render.pdfdoc import MAIN

_SIZES = {1: 16, 2: 13, 3: 11}
_INDENT = 5.0  # mm per nesting level
PLACEHOLDER_FOOT = "This page shows PLACEHOLDER contacts: examples, not real numbers."
MM_TO_PT = 72 / 25.4


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

    def marks_placeholders(self, text: str, first_page: int) -> None:
        if "PLACEHOLDER" in text:
            self.placeholder_pages.update(range(first_page, self.page_no() + 1))


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
        if section.level == 0 or (section.level == 1 and parent.startswith("What to do")):
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
        name = _fit(doc, section.name, width - 2)
        doc.cell(width, step, name, link=doc.add_link(page=section.page_number))
        doc.cell(14, step, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(MAIN, "", 9)
    doc.multi_cell(0, 5, STATEMENT, new_x="LMARGIN", new_y="NEXT")


def handbook_pdf(book: Handbook) -> bytes:
    version = next(
        (
            it.text
            for b in book.blocks
            if isinstance(b, Items)
            for it in b.items
            if it.label == "Version"
        ),
        "",
    )
    doc = _Book(book.title, f"{book.title} - version {version}" if version else book.title)
    doc.set_margins(18, 20, 18)
    doc.add_page()
    doc.insert_toc_placeholder(_contents, pages=1, reset_page_indices=False)
    for block in book.blocks:
        match block:
            case Heading(level=1):
                continue  # the title heads the contents page
            case Heading(level=level, text=text, anchor=anchor):
                if anchor == "flowchart":  # the chart's own landscape page, heading and all
                    doc.add_page(orientation="L")
                elif anchor == "body-map" or (level == 2 and doc.get_y() > 240):
                    doc.add_page()
                doc.ln(3)
                if level <= 3:
                    doc.start_section(safe.visible(text), level=level - 2)
                doc.set_font(MAIN, "B", _SIZES.get(level, 10))
                doc.multi_cell(
                    0, 6 if level < 3 else 5, text, align="L", new_x="LMARGIN", new_y="NEXT"
                )
                doc.ln(1)
            case Para(text=text, label=label):
                _rich(doc, label, text, 0.0)
                doc.ln(1.5)
            case Warning(text=text):
                first = doc.page_no()
                doc.set_draw_color(176, 0, 0)
                doc.set_fill_color(255, 241, 240)
                doc.set_font(MAIN, "B", 9.5)
                doc.multi_cell(
                    0, 5, f"Warning: {text}", border="L", fill=True, new_x="LMARGIN", new_y="NEXT"
                )
                doc.marks_placeholders(text, first)
                doc.ln(1.5)
            case Items(items=items):
                _items(doc, items, 0)
                doc.ln(1)
            case Figure(kind="flowchart", scene=scene) if scene is not None:
                _flowchart(doc, scene, block.caption)
            case Figure(kind="bodymap", caption=caption):
                bodymap_figure(doc, BodyMap((), caption))
                doc.ln(2)
    return doc.output_bytes()


def _flowchart(doc: _Book, scene: Any, caption: str) -> None:
    """The overview on its landscape page, as large as the rest of the page allows."""
    top, left = doc.get_y() + 1, 12.0
    # Above the automatic page break, with a line for the caption.
    width, height = doc.w - 2 * left, doc.page_break_trigger - top - 7.0
    k = min(width / scene.width, height / scene.height)
    draw(doc, scene, left + (width - scene.width * k) / 2, top, k, MM_TO_PT)
    doc.set_xy(left, top + scene.height * k + 2)
    doc.set_font(MAIN, "", 8.5)
    doc.cell(0, 4, caption)
    doc.add_page(orientation="P")


def _rich(doc: _Book, label: str | None, text: str, indent: float) -> None:
    """A label in bold, then the text, wrapped within the indented width."""
    first = doc.page_no()
    doc.set_x(doc.l_margin + indent)
    width = doc.w - doc.r_margin - doc.l_margin - indent
    parts = []
    if label:
        parts.append(f"**{safe.pdf_markdown(label, last=False)}**")
    if text:
        parts.append(safe.pdf_markdown(text))
    doc.set_font(MAIN, "", 9.5)
    doc.multi_cell(
        width, 4.8, " ".join(parts), markdown=True, align="L", new_x="LMARGIN", new_y="NEXT"
    )
    doc.marks_placeholders(text, first)


def _items(doc: _Book, items: Sequence[Item], depth: int) -> None:
    for it in items:
        bullet = "•" if depth == 0 else "–"
        doc.set_font(MAIN, "", 9.5)
        doc.set_x(doc.l_margin + depth * _INDENT)
        doc.cell(_INDENT, 4.8, bullet)
        text = it.text + (f" {it.url}" if it.url else "")
        _rich(doc, it.label, text, (depth + 1) * _INDENT)
        _items(doc, it.children, depth + 1)
