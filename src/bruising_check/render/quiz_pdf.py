"""The quiz result sheet as an A4 PDF, watermarked as training material on every page. The
training layer works out the sheet (`training.quiz.summary_lines`); this only lays it out."""

from __future__ import annotations

from collections.abc import Sequence

from bruising_check.render.pdfdoc import Document
from bruising_check.render.safe import visible
from bruising_check.render.words import moment_text
from bruising_check.training.quiz import WATERMARK, QuizResult, summary_lines


class _TrainingDocument(Document):
    """Every page carries the watermark across its body, not only in the footer."""

    def header(self) -> None:
        self.set_font("DejaVu", "B", 30)
        self.set_text_color(225, 225, 225)
        with self.rotation(45, x=self.w / 2, y=self.h / 2):
            self.text(self.w / 2 - 95, self.h / 2, WATERMARK)
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", "B", 9)
        self.set_y(8)
        self.cell(0, 5, WATERMARK, align="C")
        self.set_y(18)


def summary_pdf(results: Sequence[QuizResult], names: Sequence[str] = ()) -> bytes:
    first = results[0]
    doc = _TrainingDocument(f"Quiz result - {first.protocol.id}", footer_note=WATERMARK)
    doc.set_margins(18, 18, 18)
    doc.add_page()
    lines = summary_lines(results, names)
    doc.set_font("DejaVu", "B", 14)
    doc.multi_cell(0, 7, visible(lines[0]), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    taken = "; ".join(moment_text(r.taken_at) for r in results)
    doc.multi_cell(0, 5, visible(f"Taken: {taken}"), new_x="LMARGIN", new_y="NEXT")
    for line in lines[1:]:
        depth = len(line) - len(line.lstrip(" "))
        indent = 3.0 * depth
        bold = not indent and (line.startswith("Score:") or ": " in line or line.endswith(":"))
        doc.set_font("DejaVu", "B" if bold else "", 10)
        doc.set_x(doc.l_margin + indent)
        width = doc.w - doc.l_margin - doc.r_margin - indent
        doc.multi_cell(
            width, 5, visible(line.strip()) or " ", align="L", new_x="LMARGIN", new_y="NEXT"
        )
    return doc.output_bytes()
