"""Rebuild the fallback fonts in src/bruising_check/render/fonts/ (a dev-only tool; needs fonttools,
which fpdf2 already brings, and Debian's fonts-dejavu-core, fonts-noto-core and fonts-noto-cjk).

    python bench/subset_fonts.py [NOTO_TRUETYPE_DIR] [NOTO_CJK_TTC]
    python bench/subset_fonts.py --metrics    # only fonts/metrics.json.z (fpdf2 upgraded)

Each font is cut down to the scripts it is there for, with every OpenType layout feature kept so
that text shaping (uharfbuzz) still joins Arabic letters and forms Indic conjuncts. The CJK subset
keeps level 1 of GB2312 (the 3,755 most used simplified Han characters, which cover about 99.9%
of running mainland Chinese text and most names), Japanese kana, CJK punctuation and full-width
forms; traditional-only and rare characters are not in it. Anything outside every subset
prints as a visible [U+XXXX] code with a warning.
`coverage.json` lists each font's code points so the PDF loads only the fonts a text needs.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

OUT = Path(__file__).resolve().parent.parent / "src" / "bruising_check" / "render" / "fonts"
NOTO = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/noto")
CJK = Path(
    sys.argv[2] if len(sys.argv) > 2 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)

COMMON = [0x20, 0xA0, 0x200C, 0x200D, 0x25CC, 0x2010, 0x2011, 0x2013, 0x2014, 0x2018, 0x2019]


def span(a: int, b: int) -> list[int]:
    return list(range(a, b + 1))


def han() -> list[int]:
    chars: set[int] = set()
    for hi in range(0xB0, 0xD8):  # GB2312 level 1, rows 16-55: the 3,755 most used hanzi
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
    return sorted(c for c in chars if c >= 0x3400)


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# The main font: Latin (with Polish, Welsh and the rest of Latin Extended), IPA, Greek, Cyrillic,
# Armenian, Hebrew, Georgian, punctuation, currency, arrows, maths, shapes and symbols. Its few
# Arabic glyphs are left out so that Arabic and Urdu come from the Naskh font, which has them all.
MAIN = (
    span(0x20, 0x7E)
    + span(0xA0, 0x05FF)
    + span(0x10A0, 0x10FF)
    + span(0x1D00, 0x1FFF)
    + span(0x2000, 0x2BFF)
    + span(0x2C60, 0x2C7F)
    + span(0xA720, 0xA7FF)
    + span(0xFB00, 0xFB4F)
    + [0xFFFD]
)

FONTS = {
    "DejaVuSans.ttf": (DEJAVU / "DejaVuSans.ttf", 0, MAIN),
    "DejaVuSans-Bold.ttf": (DEJAVU / "DejaVuSans-Bold.ttf", 0, MAIN),
    "NotoNaskhArabic-Regular.ttf": (
        NOTO / "NotoNaskhArabic-Regular.ttf",
        0,
        span(0x0600, 0x06FF)
        + span(0x0750, 0x077F)
        + span(0x08A0, 0x08FF)
        + span(0xFB50, 0xFDFF)
        + span(0xFE70, 0xFEFF),
    ),
    "NotoSansDevanagari-Regular.ttf": (
        NOTO / "NotoSansDevanagari-Regular.ttf",
        0,
        span(0x0900, 0x097F) + span(0xA8E0, 0xA8FF) + span(0x1CD0, 0x1CFF),
    ),
    "NotoSansBengali-Regular.ttf": (
        NOTO / "NotoSansBengali-Regular.ttf",
        0,
        span(0x0980, 0x09FF),
    ),
    "NotoSansGurmukhi-Regular.ttf": (
        NOTO / "NotoSansGurmukhi-Regular.ttf",
        0,
        span(0x0A00, 0x0A7F),
    ),
    "NotoSansGujarati-Regular.ttf": (
        NOTO / "NotoSansGujarati-Regular.ttf",
        0,
        span(0x0A80, 0x0AFF),
    ),
    "NotoSansTamil-Regular.ttf": (
        NOTO / "NotoSansTamil-Regular.ttf",
        0,
        span(0x0B80, 0x0BFF),
    ),
    "NotoSansCJKsc-Subset.ttf": (
        CJK,
        2,  # the Simplified Chinese face of the collection
        han() + span(0x3000, 0x30FF) + span(0xFF00, 0xFFEF),
    ),
}


def main() -> None:
    coverage: dict[str, list[list[int]]] = {}
    for name, (source, number, codepoints) in FONTS.items():
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.hinting = False
        options.font_number = number
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[*codepoints, *COMMON])
        subsetter.subset(font)
        subset.save_font(font, str(OUT / name), options)
        if "CFF " in font:
            # CID-keyed CFF embeds with a wrong /Encoding in fpdf2 (text extraction and search
            # give NULs): quadratic TrueType outlines instead, within 1/1000 em.
            saved = TTFont(str(OUT / name))
            to_truetype(saved)
            saved.save(str(OUT / name))
        if name.startswith("DejaVu"):
            name_glyphs(OUT / name)
        cmap = sorted(TTFont(str(OUT / name)).getBestCmap())
        coverage[name] = ranges(cmap)
        print(f"{name}: {len(cmap)} code points, {(OUT / name).stat().st_size:,} bytes")
    (OUT / "coverage.json").write_text(json.dumps(coverage, separators=(",", ":")) + "\n")


def name_glyphs(path: Path) -> None:
    """Store the glyph names in the font (a version 2 `post` table): without them fontTools makes
    them up from the cmap and the Adobe Glyph List every time the font is read, which was a third
    of the time to load the two DejaVu faces every PDF uses. The names are the ones fontTools
    would make up, so the glyph order, and every PDF, stay the same; fpdf2's own subset of the
    font in the PDF drops them again."""
    font = TTFont(str(path), recalcTimestamp=False)
    post = font["post"]
    if post.formatType == 2.0:
        return
    order = font.getGlyphOrder()
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.save(str(path))


def to_truetype(font: TTFont) -> None:
    """Replace a font's CFF outlines by TrueType ones (fontTools' otf2ttf snippet)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"


def ranges(codepoints: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for c in codepoints:
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def metrics() -> None:
    """fonts/metrics.json.z: what fpdf2 reads from the two main faces when a PDF adds them
    (`render/fontcache.py`), for the installed fpdf2 and fontTools. Run after a rebuild, and
    with `--metrics` alone after upgrading fpdf2 or fontTools."""
    sys.path.insert(0, str(OUT.parents[2]))  # src/
    from bruising_check.render import fontcache

    fontcache.METRICS.write_bytes(fontcache.build())
    print(f"{fontcache.METRICS.name}: {fontcache.METRICS.stat().st_size:,} bytes")


if __name__ == "__main__":
    if sys.argv[1:] != ["--metrics"]:
        main()
    metrics()
