"""A person's right-to-left words inside an English paragraph of a PDF are drawn in the order
they have on their own: each glyph is read back from the page's content stream (its `Tm`
position and its font's ToUnicode map), each line put in left-to-right order by position, and
compared with the visual order the Unicode bidi algorithm (fpdf2's `BidiParagraph`, on the
person's text alone, rule L2 on each line's part of it) gives.

fpdf2 split a text by direction only and reversed each right-to-left run: Urdu with numbers and
brackets within an English paragraph printed `(1) ( ...آیا۔ ...مجھے2اور... )` and, wrapped, its
second sentence was read before the first (`pdfdoc._BidiLine`, `Document.own_words`)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from bruising_check.protocol.loader import Loaded
from bruising_check.records.record import build_record
from bruising_check.render import pdf as render_pdf
from bruising_check.render import rationale
from bruising_check.render.blocks import Table
from bruising_check.render.pdfdoc import Document
from tests.conftest import mark, run

SHORT = "(1) مجھے نہیں معلوم۔ (2) وہ رو رہا تھا۔"
LONG = (
    "(1) مجھے نہیں معلوم یہ نشان کیسے آیا۔ (2) وہ رات کو بہت رو رہا تھا اور صبح نشان تھا۔"
    " (3) میں نے 10 بجے ڈاکٹر کو فون کیا [اس نے کہا: انتظار کرو]۔"
)
BEFORE = "Details: Bruise; In their own words: "
AFTER = "; Who: Mother"


def _unicode_map(font: Any) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for i, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                out[code] = chr(int(text, 16) + i)
    return out


def drawn_lines(data: bytes) -> list[list[str]]:
    """Each page's lines, top to bottom, each the characters of its glyphs from left to right
    (by the position each run of glyphs is drawn at, then in drawing order), without spaces."""
    reader = PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts = {name: _unicode_map(ref.get_object()) for name, ref in resources["/Font"].items()}
        font: dict[int, str] = {}
        x = y = 0.0
        lines: dict[float, list[tuple[float, int, str]]] = defaultdict(list)
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                font = fonts[operands[0]]
            elif op == b"Td":
                x, y = float(operands[0]), float(operands[1])
            elif op == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif op in (b"Tj", b"TJ"):
                parts = [operands[0]] if op == b"Tj" else list(operands[0])
                for part in parts:
                    if isinstance(part, (int, float)):
                        continue
                    raw = part.original_bytes if hasattr(part, "original_bytes") else bytes(part)
                    for i in range(0, len(raw), 2):
                        text = font[int.from_bytes(raw[i : i + 2], "big")]
                        lines[round(y, 2)].append((x, len(lines[round(y, 2)]), text))
        pages.append(
            [
                "".join(t for _, _, t in sorted(glyphs)).replace(" ", "")
                for _, glyphs in sorted(lines.items(), reverse=True)
            ]
        )
    return pages


def _alone(person: str, start: int, end: int) -> str:
    """The visual order of `person[start:end]` as one line of `person` on its own."""
    from fpdf.bidi import BidiParagraph

    paragraph = BidiParagraph(person)
    paragraph.characters = [
        c for c in paragraph.get_characters() if start <= c.character_index < end
    ]
    return "".join(c.character for c in paragraph.reorder_resolved_levels())


def expected_lines(paragraph: str, person: str, counts: list[int]) -> list[str]:
    """The lines of `paragraph` (English, `person`'s words inside it once), holding `counts`
    non-space characters each, as each should be drawn: the English left to right, the person's
    part of the line as that part of their text would be on its own."""
    at = paragraph.index(person)
    lines = []
    start = 0
    for count in counts:
        end = start
        seen = 0
        while seen < count:
            seen += not paragraph[end].isspace()
            end += 1
        before = paragraph[start : min(end, at)] if start < at else ""
        inside = _alone(person, max(start, at) - at, min(end, at + len(person)) - at)
        after = paragraph[max(start, at + len(person)) : end]
        lines.append((before + inside + after).replace(" ", ""))
        start = end
    return lines


def _paragraph_lines(page: list[str], first: str, paragraph: str) -> list[str]:
    """The drawn lines of `paragraph`, from the one that starts with `first`."""
    index = next(i for i, line in enumerate(page) if line.startswith(first))
    total = sum(not c.isspace() for c in paragraph)
    lines: list[str] = []
    while sum(map(len, lines)) < total:
        lines.append(page[index + len(lines)])
    assert sum(map(len, lines)) == total
    return lines


@pytest.mark.parametrize(
    ("person", "width", "wrapped"),
    [(SHORT, 180, False), (SHORT, 45, True), (LONG, 0, True), (LONG, 90, True), (LONG, 55, True)],
    ids=["short", "short-wrapped", "long", "long-wrapped", "long-narrow"],
)
def test_right_to_left_words_with_numbers_draw_as_on_their_own(
    person: str, width: float, wrapped: bool
) -> None:
    doc = Document("t")
    doc.own_words([person])
    doc.add_page()
    paragraph = BEFORE + person + AFTER
    doc.multi_cell(width, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
    data = doc.output_bytes()
    drawn = _paragraph_lines(drawn_lines(data)[0], "Details:", paragraph)
    # Wrapped: the person's words on more than one line.
    assert (sum(any(ord(c) > 0x5FF for c in line) for line in drawn) > 1) == wrapped
    assert drawn == expected_lines(paragraph, person, [len(line) for line in drawn])
    # The isolate marks themselves are never drawn, as glyphs or as escapes.
    text = "".join(drawn_lines(data)[0])
    assert not set(text) & set("\u2066\u2067\u2068\u2069")
    assert "2068" not in text and "2069" not in text
    assert doc.missing == {}


def test_the_same_words_as_their_own_paragraph_are_drawn_as_before() -> None:
    """A paragraph that is only the person's words is not isolated (it has its own direction)."""
    doc = Document("t")
    doc.own_words([LONG])
    doc.add_page()
    doc.multi_cell(90, 5, LONG, new_x="LMARGIN", new_y="NEXT")
    page = drawn_lines(doc.output_bytes())[0]
    total = sum(not c.isspace() for c in LONG)
    lines = page[: next(i for i in range(len(page) + 1) if sum(map(len, page[:i])) >= total)]
    assert len(lines) > 1
    assert lines == expected_lines(LONG, LONG, [len(line) for line in lines])


def test_isolate_marks_in_a_persons_own_text_still_print_as_escapes() -> None:
    """Only the marks `Document` writes do anything; one typed by a person is shown (`safe`)."""
    said = "وہ \u2068رو رہا\u2069 تھا (2)"
    doc = Document("t")
    doc.own_words([said])
    doc.add_page()
    doc.multi_cell(0, 5, f"Said: {said}; Who: mother")
    text = "".join(drawn_lines(doc.output_bytes())[0])
    # Drawn within the right-to-left words, so right to left: `8602u\\`.
    assert text.count("u2068") == 1 and text.count("u2069") == 1 and text.count("\\") == 2


def test_without_shaping_no_isolate_mark_is_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No uharfbuzz: fpdf2 runs no bidi algorithm, so the marks are left out, never printed."""
    from bruising_check.render.pdfdoc import MissingGlyphs

    own = Document.set_text_shaping

    def no_harfbuzz(self: Document, use_shaping_engine: bool = True, **kwargs: Any) -> None:
        if use_shaping_engine:
            raise ImportError("uharfbuzz")
        own(self, use_shaping_engine, **kwargs)

    monkeypatch.setattr(Document, "set_text_shaping", no_harfbuzz)
    doc = Document("t")
    doc.own_words([SHORT])
    doc.add_page()
    with pytest.warns(MissingGlyphs):
        doc.multi_cell(0, 5, f"Said: {SHORT}; Who: mother")
    text = "".join(drawn_lines(doc.output_bytes())[0])
    assert not set(text) & set("\u2066\u2067\u2068\u2069")
    assert doc.missing == {}


def test_a_carers_account_in_the_rationales_marks_details_draws_as_on_its_own(
    baseline_loaded: Loaded,
) -> None:
    """The tester's case: the mark's "Details:" paragraph of a saved rationale."""
    protocol = baseline_loaded.protocol
    assert protocol is not None
    decision = run(protocol, marks=[mark(explained_by="mother", account=LONG)])
    record = build_record(
        protocol, "0" * 64, decision, created_at=dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
    )
    table = next(
        b
        for s in rationale.document(record).sections
        for b in s.blocks
        if isinstance(b, Table) and b.header[-1] == "Details"
    )
    paragraph = f"Details: {table.rows[0][-1]}"
    assert LONG in paragraph
    page = next(
        p
        for p in drawn_lines(render_pdf.pdf(record))
        if any(line.startswith("Details:") for line in p)
    )
    drawn = _paragraph_lines(page, "Details:", paragraph)
    assert drawn == expected_lines(paragraph, LONG, [len(line) for line in drawn])
