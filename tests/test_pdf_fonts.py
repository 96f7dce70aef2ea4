"""The PDF's fonts: small, loaded only when a text needs them, and covering the scripts people in
England write names and words in (see `render/pdfdoc.py` and `bench/subset_fonts.py`)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, CharVPos
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment, MultiLineBreak
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bruising_check.render import pdfdoc
from bruising_check.render.pdfdoc import FONTS, Document, MissingGlyphs
from tests.pdf_support import FAST, assert_fpdf2s_own_layout


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


PARAGRAPHS = (
    "A bruise on the cheek of a 10-week-old baby who is not yet mobile. " * 6,
    "Zażółć gęślą jaźń — Größe, Ångström; Ŵyn ŷd. " * 5 + "Name: 王小明, सीता, தமிழ்.",
    "والد نے کہا کہ بچہ صوفے سے گر گیا " * 4 + "and the mother agreed.",
)


def _made() -> bytes:
    doc = Document("Widths")
    doc.set_creation_date(dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc))
    doc.add_page()
    for size in (7.5, 10, 12):
        for style in ("", "B"):
            doc.set_font("DejaVu", style, size)
            for text in PARAGRAPHS:
                doc.multi_cell(120, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
                doc.multi_cell(60, 5, f"**{text[:40]}** {text}", markdown=True)
    # `_Font` with the fpdf2 the stored metrics are for; fpdf2's own class with another.
    assert {type(f) for f in doc.fonts.values()} == ({pdfdoc._Font} if FAST else {TTFFont})
    return doc.output_bytes()


def test_fast_widths_make_the_same_pdf_as_fpdf2s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    pdfdoc._UNITS.clear()
    ours = _made()
    assert ours == _made()  # again, with the widths remembered
    with monkeypatch.context() as m:  # fpdf2's own measure, as if `_Font` were not there
        m.setattr(pdfdoc._Font, "get_text_width", TTFFont.get_text_width)
        assert ours == _made()


def test_fast_widths_are_fpdf2s_widths() -> None:
    if not FAST:  # another fpdf2 than the stored metrics are for: fpdf2 measures itself
        assert_fpdf2s_own_layout()
        return
    doc = Document("t")
    for font in doc.fonts.values():
        assert isinstance(font, pdfdoc._Font)
        for text in PARAGRAPHS:
            for end in range(len(text) + 1):  # as line breaking asks: each text one longer
                got = font.get_text_width(text[:end], 10.5, None)
                assert got == TTFFont.get_text_width(font, text[:end], 10.5, None)


def test_fast_fragments_make_the_same_pdf_as_fpdf2s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _made()
    with monkeypatch.context() as m:  # fpdf2's own fragments, as if `_Fragment` were not there
        m.setattr(Document, "_preload_font_styles", FPDF._preload_font_styles)
        assert ours == _made()


def _fragment_pair(doc: Document, text: str) -> tuple[Fragment, Fragment]:
    (own,) = FPDF._preload_font_styles(doc, text, False)
    assert type(own) is Fragment
    fast = pdfdoc._Fragment(list(own.characters), own.graphics_state, own.k)
    return fast, own


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        st.sampled_from("abcWMIl 01.,-\u00a0\u00adZażółć—€\u0590"), min_size=1, max_size=30
    ),
    size=st.sampled_from([6.5, 7.5, 10, 10.5, 12, 18]),
    bold=st.booleans(),
    spacing=st.sampled_from([0, 0, 0.5]),
    stretching=st.sampled_from([100, 100, 80]),
    vpos=st.sampled_from([CharVPos.LINE, CharVPos.LINE, CharVPos.SUP, CharVPos.SUB]),
    start=st.integers(0, 5),
    end=st.one_of(st.none(), st.integers(0, 30)),
    initial_cs=st.booleans(),
)
def test_fast_fragments_measure_as_fpdf2s_do(
    text: str,
    size: float,
    bold: bool,
    spacing: float,
    stretching: float,
    vpos: CharVPos,
    start: int,
    end: int | None,
    initial_cs: bool,
) -> None:
    """Every width a fragment gives line breaking, plain or not (spacing, stretching, sub- and
    superscript fall back to fpdf2's own), is fpdf2's float exactly."""
    if not FAST:  # another fpdf2 than the stored metrics are for: fpdf2's own fragments
        assert_fpdf2s_own_layout()
        return
    doc = _doc()
    doc.set_font("DejaVu", "B" if bold else "", size)
    doc.set_char_spacing(spacing)
    doc.set_stretching(stretching)
    doc.char_vpos = vpos
    try:
        fast, own = _fragment_pair(doc, text)
    finally:
        doc.set_char_spacing(0)
        doc.set_stretching(100)
        doc.char_vpos = CharVPos.LINE
    assert fast.get_width(start, end, initial_cs=initial_cs) == own.get_width(
        start, end, initial_cs=initial_cs
    )
    assert fast.get_width(chars=text[start:]) == own.get_width(chars=text[start:])
    for ch in text:
        for print_sh in (False, True):
            got = fast.get_character_width(ch, print_sh, initial_cs)
            assert got == own.get_character_width(ch, print_sh, initial_cs)
    # The same style: the same state object (a clone), or an equal copy of it.
    assert fast.has_same_style(fast.clone()) is own.has_same_style(own.clone()) is True
    state = fast.graphics_state.copy()
    fast_copy, own_copy = pdfdoc._Fragment(text, state, fast.k), Fragment(text, state, fast.k)
    assert fast.has_same_style(fast_copy) is own.has_same_style(own_copy) is True
    doc.set_font(size=size + 1)  # another style
    fast_other, own_other = _fragment_pair(doc, text)
    assert fast.has_same_style(fast_other) is own.has_same_style(own_other) is False


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(
        st.text(st.sampled_from("ab WZażółć—€\u00a0\u00ad\u200b\u0590王\x00"), max_size=20),
        min_size=1,
        max_size=5,
    ),
    bold=st.booleans(),
)
def test_fast_fragments_write_the_text_as_fpdf2s_do(texts: list[str], bold: bool) -> None:
    """Each run's text operator, the subset's numbering (glyphs numbered as first used) and
    the characters noted missing (王: not in DejaVu), as fpdf2's own fragments make them."""
    if not FAST:  # another fpdf2 than the stored metrics are for: fpdf2's own fragments
        assert_fpdf2s_own_layout()
        return
    made = []
    for kind in (pdfdoc._Fragment, Fragment):
        doc = Document("t")  # a fresh subset each
        doc.add_page()
        doc.set_font("DejaVu", "B" if bold else "", 10)
        (seed,) = FPDF._preload_font_styles(doc, "a", False)
        font = doc.current_font
        assert isinstance(font, pdfdoc._Font)
        ops = [kind(list(t), seed.graphics_state, seed.k).render_pdf_text_ttf(0, 0) for t in texts]
        made.append((ops, dict(font.subset.items()), list(font.missing_glyphs)))
    assert made[0] == made[1]


def test_fast_line_breaking_makes_the_same_pdf_as_fpdf2s_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = _made()
    with monkeypatch.context() as m:  # fpdf2's own multi_cell and line breaking
        m.setattr(Document, "multi_cell", FPDF.multi_cell)
        assert ours == _made()


def _lines(breaker: MultiLineBreak) -> list[Any]:
    out: list[Any] = []
    try:
        while (line := breaker.get_line()) is not None and len(out) < 500:
            out.append((line, [f.link for f in line.fragments], type(line.text_width)))
    except FPDFException as exc:  # not even one character fits: fpdf2 says so
        out.append(str(exc))
    return out


@settings(max_examples=500, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "a",
                "b",
                "W",
                "i",
                "-",
                ".",
                " ",
                "  ",
                "\u00a0",
                "\t",
                "\n",
                "\x0c",
                "\u00ad",
                "\u200b",
                "word",
                "Zażółć",
                "longerword",
            ]
        ),
        max_size=40,
    ).map("".join),
    width=st.floats(min_value=1.5, max_value=120),
    size=st.sampled_from([6.5, 10, 12, 18]),
    bold=st.booleans(),
    align=st.sampled_from(["L", "J", "C", "R"]),
    link=st.sampled_from([None, "https://example.org"]),
    spacing=st.sampled_from([0, 0, 0, 0.4]),
)
# A word broken where it no longer fits, then a character alone too wide: fpdf2 remembers the
# forced break and refuses at once.
@example(text="iW", width=6.0, size=18, bold=False, align="L", link=None, spacing=0)
def test_fast_line_breaking_makes_fpdf2s_lines(
    text: str, width: float, size: float, bold: bool, align: str, link: str | None, spacing: float
) -> None:
    """Every line (its characters, width, spaces, height, alignment, link, trailing newline)
    and every forced break and error, as fpdf2's own `MultiLineBreak` gives them."""
    _same_lines(text, width, size, bold, align, link, spacing)


@pytest.mark.parametrize("off", [-5e-10, 5e-10, -2e-9, 2e-9])
@pytest.mark.parametrize("text", ["ab cd", "abcd", "ab\u00a0cd", "a\tb cd"])
def test_fast_line_breaking_fits_within_fpdf2s_tolerance(text: str, off: float) -> None:
    """A line as wide as the room to within 1e-9 mm fits, as fpdf2 compares widths."""
    doc = _doc()
    doc.set_font("DejaVu", "", 10)
    (fragment,) = doc._preload_font_styles(text, False)
    fitting = Fragment(fragment.characters[:-1], fragment.graphics_state, fragment.k)
    room = fitting.get_width() + 2 * doc.c_margin + off
    _same_lines(text, room, 10, False, "L", None, 0)


def _same_lines(
    text: str, width: float, size: float, bold: bool, align: str, link: str | None, spacing: float
) -> None:
    if not FAST:  # another fpdf2 than the stored metrics are for: fpdf2's own line breaking
        assert_fpdf2s_own_layout()
        return
    doc = _doc()
    doc.set_font("DejaVu", "B" if bold else "", size)
    doc.set_char_spacing(spacing)  # not plain: fpdf2's own path, through the same class
    try:
        made = doc._preload_font_styles(text, False)
    finally:
        doc.set_char_spacing(0)
    margins = [doc.c_margin, doc.c_margin]

    def breaker(cls: type[MultiLineBreak], kind: type[Fragment]) -> MultiLineBreak:
        fragments = [kind(list(f.characters), f.graphics_state, f.k, link) for f in made]
        return cls(fragments, width, margins, align=Align.coerce(align))

    ours = _lines(breaker(pdfdoc._LineBreak, pdfdoc._Fragment))
    assert ours == _lines(breaker(MultiLineBreak, Fragment))


_DOC: list[Document] = []


def _doc() -> Document:
    if not _DOC:
        _DOC.append(Document("t"))
        _DOC[0].add_page()
    return _DOC[0]


@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_the_main_fonts_keep_their_glyph_names(name: str) -> None:
    """Every PDF loads these two: with the names stored (`bench/subset_fonts.py`), fontTools
    need not make them up from the cmap at each load."""
    font = TTFont(str(FONTS / name), lazy=True)
    assert font["post"].formatType == 2.0
    order = font.getGlyphOrder()
    assert len(set(order)) == len(order) == font["maxp"].numGlyphs
    assert order[0] == ".notdef" and font.getBestCmap()[ord("A")] in order
