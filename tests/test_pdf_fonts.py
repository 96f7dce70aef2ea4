"""The PDF's fonts: small, loaded only when a text needs them, and covering the scripts people in
England write names and words in (see `render/pdfdoc.py` and `bench/subset_fonts.py`)."""

from __future__ import annotations

import io
import json

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from bruising_check.render.pdfdoc import FONTS, Document, MissingGlyphs


def test_coverage_lists_exactly_what_each_font_has() -> None:
    coverage = json.loads((FONTS / "coverage.json").read_text("utf-8"))
    for name, ranges in coverage.items():
        listed = {c for first, last in ranges for c in range(first, last + 1)}
        assert listed == set(TTFont(str(FONTS / name)).getBestCmap()), name


def test_the_fonts_stay_small() -> None:
    total = sum(p.stat().st_size for p in FONTS.iterdir())
    assert total < 4_000_000, total


def render(text: str) -> tuple[Document, str]:
    doc = Document("t")
    doc.add_page()
    doc.multi_cell(0, 5, text)
    data = doc.output_bytes()
    return doc, "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_latin_text_loads_no_other_font_and_no_shaping() -> None:
    doc, text = render("Zażółć gęślą jaźń. Ŵyn, ŷd, ẃ ẁ ẅ. Größe, Ångström, Ørsted. {nb}")
    assert set(doc.fonts) == {"dejavu", "dejavuB"}
    assert not doc.text_shaping
    assert "Zażółć gęślą jaźń. Ŵyn, ŷd, ẃ ẁ ẅ." in text and "{nb}" in text


@pytest.mark.parametrize(
    ("text", "font"),
    [
        ("王小明", "notosanscjksc"),
        ("محمد", "notonaskharabic"),
        ("بچے", "notonaskharabic"),  # Urdu letters
        ("सीता", "notosansdevanagari"),
        ("রহিম", "notosansbengali"),
        ("ਸਿੰਘ", "notosansgurmukhi"),
        ("પટેલ", "notosansgujarati"),
        ("தமிழ்", "notosanstamil"),
    ],
)
def test_each_script_loads_only_its_font(text: str, font: str) -> None:
    doc, printed = render(f"Name: {text}")
    assert set(doc.fonts) == {"dejavu", "dejavuB", font}
    assert text[0] in printed  # read back as text, not as pictures of glyphs


def test_a_character_in_no_font_is_shown_and_warned() -> None:
    with pytest.warns(MissingGlyphs, match=r"U\+1F476"):
        _, printed = render("baby 👶 here")
    assert "baby [U+1F476] here" in printed
