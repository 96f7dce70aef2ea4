"""A4 PDF documents with the bundled DejaVu Sans font (so any text prints as written), page
numbers, and the statement that the tool supports and does not replace professional judgement.

Shared by the printable rationale and the handbook. fpdf2 is imported lazily by callers' modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

from bruising_check import STATEMENT

FONTS = Path(__file__).resolve().parent / "fonts"


class Document(FPDF):
    """An A4 page with a running footer: statement, optional watermark text, page X of Y."""

    def __init__(self, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc_title = title
        self.footer_note = footer_note
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_title(title)
        self.set_creator("bruising-check")
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", size=7)
        note = f"{self.footer_note}  " if self.footer_note else ""
        self.cell(0, 4, f"{note}{STATEMENT}", align="L", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"{self.doc_title} - page {self.page_no()} of {{nb}}", align="R")

    def output_bytes(self) -> bytes:
        data: Any = self.output()
        return bytes(data)
