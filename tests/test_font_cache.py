"""The two main font faces from stored metrics (`render/fontcache.py`) and embedded by cutting the
font file (`render/fontsubset.py`): the font objects are fpdf2's own, and a PDF has the same
pages, widths, text and glyph outlines as when fpdf2 reads and subsets the fonts itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment
from pypdf import PdfReader

from bruising_check.protocol.loader import Loaded
from bruising_check.records.record import build_record
from bruising_check.render import fontcache, fontsubset, pdfdoc
from bruising_check.render import pdf as render_pdf
from bruising_check.render.pdfdoc import FONTS, Document
from tests.conftest import mark, run
from tests.pdf_support import FAST, assert_fpdf2s_own_layout, layout_classes

WHEN = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
# Every field fpdf2's TTFFont sets, compared as values (the font file is opened, not compared).
OPENED = {"ttfont", "subset", "_hbfont"}


def test_the_faster_paths_are_taken_only_with_the_fpdf2_the_metrics_are_for() -> None:
    """With the fpdf2 `fonts/metrics.json.z` was made for, every PDF takes the faster paths
    (stored faces, `_Fragment`, `_LineBreak`, the font cutter). With another (a newer fpdf2
    than the stored file, as CI may install), none of them: fpdf2 does it all itself (correct,
    only slower, until `python bench/subset_fonts.py --metrics`)."""
    if FAST:
        assert fontcache.verified()
        for name in fontcache.CACHED:
            assert fontcache._checked(FONTS / name) is not None, name
        assert zlib.decompress(fontcache.METRICS.read_bytes()) == zlib.decompress(fontcache.build())
        assert Document("t").cached_fonts == {"dejavu", "dejavuB"}
        fragments, breakers, fonts = layout_classes()
        assert fragments == {pdfdoc._Fragment}
        assert breakers == {pdfdoc._LineBreak}
        assert fonts == {pdfdoc._Font}
    else:
        assert_fpdf2s_own_layout()
    doc = Document("t")
    doc.add_page()
    doc.multi_cell(0, 5, "Still printed, with either fpdf2.")
    assert "Still printed, with either fpdf2." in _text(doc.output_bytes())


@pytest.fixture
def made_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The metrics as `build` makes them for the installed fpdf2, for the tests of the font
    objects alone (a document would take the faster paths under it, whatever the fpdf2)."""
    fonts = json.loads(zlib.decompress(fontcache.build()))["fonts"]
    fontcache._checked.cache_clear()
    monkeypatch.setattr(fontcache, "_stored", lambda: fonts)
    yield
    fontcache._checked.cache_clear()


def _fields(font: TTFFont) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in TTFFont.__slots__:
        if name in OPENED:
            continue
        value: Any = getattr(font, name, "(not set)")  # fpdf2 never sets unicode_range
        if name == "cw":
            value = (dict(value), value.default_factory() if value.default_factory else None)
        elif name in ("cmap", "glyph_ids"):
            value = list(value.items())  # the order too: fpdf2 takes the first as .notdef's
        elif name == "desc":
            value = vars(value)
        out[name] = value
    return out


@pytest.mark.parametrize("name", fontcache.CACHED)
@pytest.mark.parametrize("style", ["", "B"])
@pytest.mark.usefixtures("made_now")
def test_a_font_from_the_stored_metrics_is_the_font_fpdf2_makes(name: str, style: str) -> None:
    pdf = FPDF()
    path = FONTS / name
    own = TTFFont(pdf, path, "dejavu" + style, style)
    cached = fontcache.font(pdf, path, "dejavu" + style, style)
    assert cached is not None and type(cached) is TTFFont
    assert _fields(cached) == _fields(own)
    assert list(cached.subset.items()) == list(own.subset.items())
    assert cached.ttfont.getGlyphOrder() == own.ttfont.getGlyphOrder()


@pytest.mark.usefixtures("made_now")
def test_another_font_file_is_read_by_fpdf2(tmp_path: Path) -> None:
    changed = tmp_path / "DejaVuSans.ttf"
    changed.write_bytes((FONTS / "DejaVuSans.ttf").read_bytes())
    assert fontcache.font(FPDF(), changed, "dejavu", "") is None  # not the bundled file
    assert fontcache.font(FPDF(), FONTS / "NotoSansTamil-Regular.ttf", "t", "") is None


def test_metrics_for_another_fpdf2_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fontcache, "FPDF_VERSION", "0.0.1")
    fontcache._stored.cache_clear()
    fontcache._checked.cache_clear()
    try:
        assert fontcache.font(FPDF(), FONTS / "DejaVuSans.ttf", "dejavu", "") is None
        assert not fontcache.verified()
        assert_fpdf2s_own_layout()
        doc = Document("t")  # fpdf2 reads the fonts itself, and lays the text out itself
        assert doc.cached_fonts == set()
        doc.add_page()
        doc.multi_cell(0, 5, "Still printed.")
        assert type(doc._preload_font_styles("x", False)[0]) is Fragment
        assert "Still printed." in _text(doc.output_bytes())
    finally:
        fontcache._stored.cache_clear()
        fontcache._checked.cache_clear()


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _contents(data: bytes) -> dict[str, Any]:
    """What a reader sees of a PDF: each page's drawing, and per font its widths, its ToUnicode
    map and the outline of the glyph each character code draws."""
    reader = PdfReader(io.BytesIO(data))
    pages = [page.get_contents().get_data() for page in reader.pages]  # type: ignore[union-attr]
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        for font_ref in page["/Resources"]["/Font"].values():  # type: ignore[index]
            font = font_ref.get_object()
            name = str(font["/BaseFont"])
            if name in fonts:
                continue
            cid = font["/DescendantFonts"][0].get_object()
            program = cid["/FontDescriptor"]["/FontFile2"].get_data()
            ttf = TTFont(io.BytesIO(program))
            glyf, order = ttf["glyf"], ttf.getGlyphOrder()
            gid_map = cid["/CIDToGIDMap"].get_data()
            outlines = {}
            for code in range(len(gid_map) // 2):
                (gid,) = struct.unpack_from(">H", gid_map, 2 * code)
                if gid or code == 0:
                    coords, ends, flags = glyf[order[gid]].getCoordinates(glyf)
                    advance = ttf["hmtx"][order[gid]]
                    outlines[code] = (list(coords), list(ends), list(flags), advance)
            fonts[name] = {
                "widths": cid["/W"],
                "default": cid.get("/DW"),
                "to_unicode": font["/ToUnicode"].get_data(),
                "outlines": outlines,
                "units": ttf["head"].unitsPerEm,
            }
    return {"pages": pages, "fonts": fonts}


def _both(monkeypatch: pytest.MonkeyPatch, make: Any) -> tuple[bytes, bytes]:
    """A PDF as made, and as made with fpdf2 reading and subsetting every font itself."""
    made = Document.__init__

    def init(self: Document, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.set_creation_date(WHEN)

    monkeypatch.setattr(Document, "__init__", init)
    ours = make()
    with monkeypatch.context() as m:
        m.setattr(fontcache, "font", lambda *args: None)
        own = make()
    return ours, own


WORDS = (
    "He said the dog did it. Zażółć gęślą jaźń — Größe; Ŵyn ŷd. Ελληνικά, Русский, עברית. "
    "والد نے کہا کہ بچہ صوفے سے گر گیا. 王小明. सीता. ǅ ẃ ẁ ẅ ‰ € № ™ ½ ⅞ → ✓ 👶"
)


def test_a_rationale_reads_as_when_fpdf2_embeds_the_fonts(
    baseline_loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    protocol = baseline_loaded.protocol
    assert protocol is not None
    decision = run(
        protocol,
        age_weeks=17,
        marks=[mark(explained_by="father", account=WORDS), mark(site="ear")],
        notes="Seen at home.\n" + WORDS,
    )
    record = build_record(
        protocol,
        "0" * 64,
        decision,
        created_at=WHEN,
        context={"icon_discussed": "no"},
        about={"practitioner": "A. Visitor", "role": "Health visitor", "child_reference": "X"},
    )
    with pytest.warns(UserWarning):  # the emoji is in no font
        ours, own = _both(monkeypatch, lambda: render_pdf.pdf(record))
    # The main faces' programs differ (cut by render.fontsubset; with another fpdf2 than the
    # stored metrics are for, fpdf2 embeds them itself: the same bytes)...
    assert (ours != own) is FAST
    seen = _contents(ours)
    assert seen == _contents(own)  # ...and nothing a reader sees does
    assert {"/MPDFAA+DejaVuSansBook", "/MPDFAA+DejaVuSansBold"} <= set(seen["fonts"])
    assert _text(ours) == _text(own)
    assert "Zażółć gęślą jaźń" in _text(ours)
    assert len(ours) < 1.05 * len(own)


def test_a_shaped_hebrew_text_in_the_main_face_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def make() -> bytes:
        doc = Document("Hebrew")
        doc.add_page()
        doc.multi_cell(0, 5, "שָׁלוֹם עֲלֵיכֶם and Hello " * 8, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "B", 12)
        doc.multi_cell(0, 6, "בְּרֵאשִׁית **bold** text", markdown=True)
        return doc.output_bytes()

    ours, own = _both(monkeypatch, make)
    assert _contents(ours) == _contents(own)


def test_the_subset_keeps_each_glyph_at_its_id_with_its_components() -> None:
    data = (FONTS / "DejaVuSans.ttf").read_bytes()
    full = TTFont(io.BytesIO(data))
    cmap = full.getBestCmap()
    order = full.getGlyphOrder()
    ids = {c: full.getGlyphID(cmap[c]) for c in map(ord, "Aé")}  # é: e + acute, a composite
    cut = TTFont(io.BytesIO(fontsubset.subset(data, ids.values(), ids)))
    glyf = cut["glyf"]
    assert cut["maxp"].numGlyphs == len(order)
    assert cut.getBestCmap() == {c: cut.getGlyphOrder()[g] for c, g in ids.items()}
    components = {full.getGlyphID(c.glyphName) for c in full["glyf"][cmap[ord("é")]].components}
    assert components and components.isdisjoint(ids.values())
    kept = {gid for gid in range(len(order)) if glyf[cut.getGlyphOrder()[gid]].numberOfContours}
    drawn = {
        gid for gid in {0, *ids.values(), *components} if full["glyf"][order[gid]].numberOfContours
    }
    assert kept == drawn and set(ids.values()) | components <= drawn
    for gid in kept:
        ours = glyf[cut.getGlyphOrder()[gid]].getCoordinates(glyf)
        theirs = full["glyf"][order[gid]].getCoordinates(full["glyf"])
        assert [list(x) for x in ours] == [list(x) for x in theirs]
    assert "GSUB" not in cut and "GPOS" not in cut and cut["post"].formatType == 3.0
    assert {n.nameID for n in cut["name"].names} <= set(range(7))


def test_only_truetype_fonts_are_cut() -> None:
    with pytest.raises(fontsubset.NotTrueType):
        fontsubset.subset(b"OTTO" + bytes(64), [], {})  # CFF outlines


def test_the_font_file_checks_out() -> None:
    """The checksums: each table's, and the whole file's (head.checkSumAdjustment)."""
    data = (FONTS / "DejaVuSans-Bold.ttf").read_bytes()
    cut = fontsubset.subset(data, [36, 37, 38], {0x41: 36, 0x42: 37, 0x43: 38})
    assert fontsubset._checksum(cut) == 0xB1B0AFBA
    (count,) = struct.unpack_from(">H", cut, 4)
    for i in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sLLL", cut, 12 + 16 * i)
        table = bytearray(cut[offset : offset + length])
        if tag == b"head":
            table[8:12] = bytes(4)
        assert fontsubset._checksum(bytes(table)) == checksum, tag
    TTFont(io.BytesIO(cut), checkChecksums=2).ensureDecompiled()


def test_a_glyph_missing_from_a_main_face_is_logged_as_fpdf2_logs_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def make() -> bytes:
        doc = Document("t")
        doc.add_page()
        doc.multi_cell(0, 5, "Text.")
        main = doc.fonts["dejavu"]
        assert isinstance(main, TTFFont)
        for code in range(0x1F600, 0x1F60C):  # in no face: as if printed past `Document`
            main.subset.pick(code)
        return doc.output_bytes()

    logged: list[list[str]] = []
    for cached in (True, False):
        caplog.clear()
        with monkeypatch.context() as m, caplog.at_level("WARNING", logger="fpdf.output"):
            if not cached:
                m.setattr(fontcache, "font", lambda *args: None)
            make()
        logged.append([r.getMessage() for r in caplog.records])
    assert logged[0] == logged[1]
    assert "and 2 others" in logged[0][0]
