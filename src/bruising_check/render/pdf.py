"""A thin emitter of a `Document` as an A4 PDF: the same sections as every other format, the body
map drawn from the same geometry as the HTML, tick boxes, space to sign. Every page carries the
running head (child reference, date, protocol version) and the footer (statement, page X of Y);
an action is kept on one page with its timescale, who and contact; each heading is a section of
the PDF outline and the document language is set, as far as fpdf2 tags a PDF.

Text is written with fpdf2's plain cells (no markdown), made visible first (`render.safe`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bruising_check.records.record import AnswerEntry, QuestionEntry, Record
from bruising_check.render import bodymap, rationale
from bruising_check.render.blocks import (
    Banner,
    Block,
    BodyMap,
    Bullets,
    Chart,
    Checklist,
    Document,
    Fields,
    Node,
    Outline,
    Para,
    Signature,
    Subheading,
    Table,
    Warning,
)
from bruising_check.render.pdfdoc import Document as PdfDocument
from bruising_check.render.safe import pdf_markdown, visible

if TYPE_CHECKING:
    from bruising_check.render.chart import Scene

MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
BOTTOM = 297.0 - 22
MARK_RGB = (198, 40, 40)
LABEL_W = 38.0


class Printout(PdfDocument):
    def __init__(self, title: str, running_head: str) -> None:
        super().__init__(title)
        self.running_head = visible(running_head)
        self.set_margins(MARGIN, 20, MARGIN)
        self.set_lang("en-GB")

    def header(self) -> None:
        self.set_y(8)
        self.set_font("DejaVu", "", 7.5)
        self.cell(
            self.w - 2 * MARGIN, 4, self.running_head, align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN, 13, self.w - MARGIN, 13)  # the page's own width (a landscape page too)
        self.set_y(20)

    def para(self, text: str, *, bold: bool = False, size: float = 10, indent: float = 0) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_x(MARGIN + indent)
        self.multi_cell(
            WIDTH - indent, size * 0.5, visible(text), align="L", new_x="LMARGIN", new_y="NEXT"
        )

    def height(
        self, text: str, *, bold: bool = False, size: float = 10, indent: float = 0
    ) -> float:
        """How tall `para` would print `text`, without printing it."""
        self.set_font("DejaVu", "B" if bold else "", size)
        lines = self.multi_cell(
            WIDTH - indent, size * 0.5, visible(text), align="L", dry_run=True, output="LINES"
        )
        assert isinstance(lines, list)
        return len(lines) * size * 0.5

    def height_at_most(
        self, text: str, *, bold: bool = False, size: float = 10, indent: float = 0
    ) -> float:
        """At least as tall as `height` (with the same font set after it), without laying the
        text out: where this fits on the page, so does the text, and `keep` need not measure."""
        self.set_font("DejaVu", "B" if bold else "", size)
        lines = self.lines_at_most(text, WIDTH - indent)
        return math.inf if lines is None else lines * size * 0.5

    def fits(self, height: float) -> bool:
        """Whether `height` more millimetres fit on this page (as `keep` decides)."""
        return self.get_y() + height <= self.page_break_trigger

    def rich(self, label: str | None, text: str, indent: float) -> None:
        """A bold label, then the text, wrapped within the indented width (fpdf2's markdown,
        with every marker in the text escaped: `safe.pdf_markdown`)."""
        self.set_x(self.l_margin + indent)
        parts = []
        if label:
            parts.append(f"**{pdf_markdown(label, last=False)}**")
        if text:
            parts.append(pdf_markdown(text))
        self.set_font("DejaVu", "", 9.5)
        self.multi_cell(
            self.w - self.l_margin - self.r_margin - indent,
            4.8,
            " ".join(parts),
            markdown=True,
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def keep(self, height: float) -> None:
        """Start a new page unless `height` more millimetres fit on this one."""
        if not self.fits(height):
            self.add_page()

    def heading(self, text: str) -> None:
        if self.get_y() > BOTTOM - 25:
            self.add_page()
        self.start_section(visible(text), level=0)
        self.ln(3)
        self.para(text, bold=True, size=12)
        y = self.get_y()
        self.set_draw_color(120, 120, 120)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.ln(1.5)


def pdf(record: Record) -> bytes:
    doc = rationale.document(record)
    d = Printout(doc.title, doc.running_head)
    d.own_words(free_texts(record))
    d.add_page()
    write(d, doc)
    return d.output_bytes()


def free_texts(record: Record) -> list[str]:
    """What a person or the answers file wrote in their own words (text answers, about the
    child, each mark or the context, notes, the header's details): printed within English
    paragraphs, each is ordered as on its own (`pdfdoc.Document.own_words`)."""
    header = record.header
    texts = [header.practitioner, header.role, header.child_reference]
    texts += [q.note for q in record.questions]
    entries: list[QuestionEntry | AnswerEntry] = [*record.questions, *record.context]
    entries += (f for m in record.marks for f in m.fields)
    for entry in entries:
        if entry.type == "text":
            texts += [entry.answer if isinstance(entry.answer, str) else None, entry.answer_label]
    return [text for text in texts if text]


def write(d: Printout, doc: Document) -> None:
    d.start_section(visible(doc.title), level=0)
    d.para(doc.title, bold=True, size=18)
    d.ln(2)
    for section in doc.sections:
        if section.heading:
            if any(isinstance(b, Chart) for b in section.blocks):
                d.add_page(orientation="L")  # the chart's own page, its heading on it
            elif section.blocks and isinstance(section.blocks[-1], BodyMap):
                # The map with its heading: never a heading alone at the foot of a page.
                d.keep(bodymap.TOTAL_H * WIDTH / bodymap.WIDTH + 45)
            d.heading(section.heading)
        for block in section.blocks:
            _block(d, block)


def _block(d: Printout, b: Block) -> None:
    match b:
        case Para(text=t, label=str(label)):
            d.rich(label, t, 0.0)
            d.ln(1)
        case Subheading(text=t):
            if d.get_y() > BOTTOM - 20:
                d.add_page()
            d.ln(2)
            d.start_section(visible(t), level=1)
            d.para(t, bold=True, size=11)
            d.ln(1)
        case Outline(items=items):
            _outline(d, items, 0)
            d.ln(1)
        case Chart(scene=scene, caption=caption):
            _chart(d, scene, caption)
        case Para(text=t, style="quote"):
            d.para(t, indent=4)
            d.ln(1)
        case Para(text=t, style="strong"):
            d.para(t, bold=True)
        case Para(text=t, style="small"):
            d.para(t, size=8)
        case Para(text=t):
            d.para(t)
        case Fields(rows=rows):
            for label, value in rows:
                _field(d, label, value)
        case Checklist(items=items):
            for item in items:
                # An action, its timescale, who and its contact never split across pages.
                details = [
                    (f"{label}: {value}", label == "Contact" and item.placeholder)
                    for label, value in item.details
                ]
                # Laid out to measure only near the foot of a page (the same breaks).
                at_most = d.height_at_most(item.text, indent=7) + sum(
                    d.height_at_most(t, size=9, indent=7, bold=b) for t, b in details
                )
                if not d.fits(at_most):
                    d.keep(
                        d.height(item.text, indent=7)
                        + sum(d.height(t, size=9, indent=7, bold=b) for t, b in details)
                    )
                y = d.get_y() + 0.6
                d.set_draw_color(0, 0, 0)
                d.set_line_width(0.35)
                d.rect(MARGIN, y, 4, 4)  # the tick box
                d.set_line_width(0.2)
                d.para(item.text, indent=7)
                for text, bold in details:
                    d.para(text, size=9, indent=7, bold=bold)
                d.ln(1.5)
        case Bullets(items=items, numbered=numbered):
            for n, bullet in enumerate(items, start=1):
                mark = f"{n}." if numbered else "-"
                d.para(f"{mark} {bullet.text}")
                for sub in bullet.sub:
                    d.para(sub, size=8, indent=5)
                d.ln(1)
        case Table(header=header, rows=rows):
            for row in rows:
                cells = [
                    cell if len(header) == 2 else f"{name}: {cell}"
                    for name, cell in zip(header[1:], row[1:], strict=False)
                ]
                at_most = d.height_at_most(row[0], bold=True, size=9) + sum(
                    d.height_at_most(c, size=9, indent=5) for c in cells
                )
                if not d.fits(at_most):
                    d.keep(
                        d.height(row[0], bold=True, size=9)
                        + sum(d.height(c, size=9, indent=5) for c in cells)
                    )
                d.para(row[0], bold=True, size=9)
                for cell in cells:
                    d.para(cell, size=9, indent=5)
        case Warning(text=t):
            d.para(t, bold=True)
        case Banner(title=title, timescales=lines, lines=more):
            d.ln(3)
            top = d.get_y()
            d.ln(2)
            d.para(title, bold=True, size=16, indent=3)
            for line in lines:
                d.ln(1)
                d.para(line, bold=True, size=12, indent=3)
            for line in more:
                d.ln(1)
                d.para(line, indent=3)
            d.ln(2)
            d.set_draw_color(0, 0, 0)
            d.set_line_width(0.8)
            d.rect(MARGIN, top, WIDTH, d.get_y() - top)
            d.set_line_width(0.2)
        case BodyMap():
            bodymap_figure(d, b)
        case Signature(fields=fields):
            if d.get_y() > BOTTOM - 50:
                d.add_page()
            for field in fields:
                d.ln(6)
                d.set_font("DejaVu", "", 10)
                d.cell(35, 6, visible(field))
                y = d.get_y() + 6
                d.line(MARGIN + 35, y, MARGIN + WIDTH, y)
                d.ln(6)


def _field(d: Printout, label: str, value: str | None) -> None:
    """One label and value row. A label wider than its column is printed on its own line(s)
    across the page, with the value under it in the value column (it used to run on under the
    value: "Independently mobno")."""
    d.set_font("DejaVu", "B", 10)
    label_w = d.get_string_width(visible(label)) + 3
    wide = label_w > LABEL_W + 1
    size = 8 if value is not None and len(value) > 60 and " " not in value else 10
    if wide and value is not None and label_w + d.get_string_width(visible(value)) < WIDTH:
        d.keep(6)  # a long label and a short value fit on one line: kept together on it
        d.cell(label_w, 6, visible(label))
        d.set_font("DejaVu", "", 10)
        d.cell(0, 6, visible(value), new_x="LMARGIN", new_y="NEXT")
        return

    def height(exact: bool) -> float:
        """The row's height (`exact`), or a sure upper bound of it without laying it out."""
        label_h = 0.0
        if wide:
            label_h = d.height(label, bold=True) if exact else d.height_at_most(label, bold=True)
        value_h = 6.0
        if value is not None:
            d.set_font("DejaVu", "", size)
            lines: float | None
            if exact:
                broken = d.multi_cell(
                    WIDTH - LABEL_W, 6, visible(value), dry_run=True, output="LINES"
                )
                assert isinstance(broken, list)
                lines = len(broken)
            else:
                lines = d.lines_at_most(value, WIDTH - LABEL_W)
            value_h = 6.0 * (math.inf if lines is None else lines)
        return label_h + value_h

    if not d.fits(height(exact=False)):  # laid out to measure only near the foot of a page
        d.keep(height(exact=True))
    if wide:
        d.para(label, bold=True)
    else:
        d.set_font("DejaVu", "B", 10)
        d.cell(LABEL_W, 6, visible(label))
    d.set_x(MARGIN + LABEL_W)
    if value is None:  # a blank line to fill in by hand
        y = d.get_y() + 5
        d.set_draw_color(0, 0, 0)
        d.line(MARGIN + LABEL_W, y, MARGIN + WIDTH, y)
        d.set_y(d.get_y() + 7)
        return
    d.set_font("DejaVu", "", size)
    d.multi_cell(WIDTH - LABEL_W, 6, visible(value), align="L", new_x="LMARGIN", new_y="NEXT")


INDENT = 5.0  # mm per level of an outline


def _outline(d: Printout, items: tuple[Node, ...], depth: int) -> None:
    for it in items:
        d.set_font("DejaVu", "", 9.5)
        d.set_x(d.l_margin + depth * INDENT)
        d.cell(INDENT, 4.8, "•" if depth == 0 else "–")
        text = it.text + (f" {it.url}" if it.url else "")
        d.rich(it.label, text, (depth + 1) * INDENT)
        _outline(d, it.children, depth + 1)


def _chart(d: Printout, scene: Scene, caption: str) -> None:
    """The chart on a landscape page of its own, as large as the page allows."""
    from bruising_check.render.chart_draw import draw

    if d.w < d.h:
        d.add_page(orientation="L")
    top, left = d.get_y() + 1, 12.0
    # Above the automatic page break, with a line for the caption.
    width, height = d.w - 2 * left, d.page_break_trigger - top - 7.0
    k = min(width / scene.width, height / scene.height)
    draw(d, scene, left + (width - scene.width * k) / 2, top, k, 72 / 25.4)
    d.set_xy(left, top + scene.height * k + 2)
    d.set_font("DejaVu", "", 8.5)
    d.cell(0, 4, visible(caption))
    d.add_page(orientation="P")


def bodymap_figure(d: Printout, b: BodyMap) -> None:
    scale = WIDTH / bodymap.WIDTH
    height = bodymap.TOTAL_H * scale
    if d.get_y() + height + 20 > BOTTOM:
        d.add_page()
    top = d.get_y()

    def pt(x: float, y: float) -> tuple[float, float]:
        return MARGIN + x * scale, top + y * scale

    d.set_font("DejaVu", "B", 10)
    for view in bodymap.VIEWS:
        ox = bodymap.view_origin(view)
        x, y = pt(ox, 4)
        d.set_xy(x, y)
        d.cell(bodymap.VIEW_W * scale, 4, "Front" if view == "front" else "Back", align="C")
        d.set_font("DejaVu", "", 7)
        for sx, anchor, words in bodymap.side_labels(view):  # the child's right and left
            x, y = pt(ox + sx, bodymap.TITLE_H + 10)
            d.text(x - (d.get_string_width(words) if anchor == "end" else 0), y, words)
        d.set_font("DejaVu", "B", 10)
        for region, s in bodymap.shapes(view):
            bx, by, bw, bh = s.box()
            x, y = pt(ox + bx, bodymap.TITLE_H + by)
            if region is None:
                d.set_fill_color(238, 238, 238)
                d.set_draw_color(119, 119, 119)
                d.set_line_width(0.25)
            else:
                d.set_fill_color(255, 255, 255)
                d.set_draw_color(119, 119, 119)
                d.set_line_width(0.15)
            if s.kind == "ellipse":
                d.ellipse(x, y, bw * scale, bh * scale, style="FD")
            else:
                d.rect(x, y, bw * scale, bh * scale, style="FD")
    r = bodymap.MARKER_R * scale
    d.set_font("DejaVu", "B", 6.5)
    for p in bodymap.placements(b.marks):
        cx, cy = pt(p.x, p.y)
        d.set_draw_color(0, 0, 0)
        d.set_line_width(0.35)
        if p.unsided:
            d.set_fill_color(255, 255, 255)
            d.set_dash_pattern(dash=0.8, gap=0.6)
            d.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="FD")
            d.set_dash_pattern()
            d.set_text_color(0, 0, 0)
        else:
            d.set_fill_color(*MARK_RGB)
            d.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="FD")
            d.set_text_color(255, 255, 255)
        label = str(p.number)
        d.text(cx - d.get_string_width(label) / 2, cy + 1.1, label)
        d.set_text_color(0, 0, 0)
    d.set_line_width(0.2)
    d.set_y(top + height + 2)
    if b.marks:
        listed = "; ".join(f"{m.number} {m.label}" for m in b.marks)
        d.para(f"Marked: {listed}.", bold=True, size=9)
    d.para(b.caption, size=8.5)
