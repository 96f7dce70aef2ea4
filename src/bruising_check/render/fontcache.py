"""What fpdf2 reads from the two main font faces when a PDF adds them, read once at build time.

Every PDF adds DejaVu Sans and DejaVu Sans Bold; fpdf2's `TTFFont` parses each with fontTools
(the glyph table, the metrics of ~4,000 glyphs, the glyph names, the cmap) and keeps from that a
width and a glyph per character and a few numbers: about 22 ms of every PDF. `fonts/metrics.json.z`
holds exactly what `TTFFont.__init__` computes for each face (`build`, run by
`bench/subset_fonts.py`; `tests/test_font_cache.py` compares it with fpdf2's own), and `font`
makes fpdf2's font object from it, opening the font file only lazily (fpdf2 reads glyph names
from it only for shaped text). `Producer` embeds such a font with `render.fontsubset`.

The stored values are used only for the very font file (sha256), fpdf2 version and `TTFFont`
fields they were made from; otherwise `font` returns None and fpdf2 reads the font itself, as
before (correct, only slower: after upgrading fpdf2, `python bench/subset_fonts.py --metrics`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bruising_check.render import fontsubset
from bruising_check.render.deferred import deferring

with deferring():
    from fontTools import ttLib
    from fpdf import FPDF, FPDF_VERSION
    from fpdf import output as fpdf_output
    from fpdf.enums import FontDescriptorFlags, TextEmphasis
    from fpdf.fonts import Glyph, PDFFontDescriptor, SubsetMap, TTFFont
    from fpdf.syntax import Name, PDFArray, PDFContentStream

if TYPE_CHECKING:
    from collections.abc import Callable

FONTS = Path(__file__).resolve().parent / "fonts"
METRICS = FONTS / "metrics.json.z"
CACHED = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# The font descriptor's fields, in `PDFFontDescriptor`'s order.
_DESC = (
    "ascent",
    "descent",
    "cap_height",
    "flags",
    "font_b_box",
    "italic_angle",
    "stem_v",
    "missing_width",
)
# Fields copied as they are (numbers, strings, None).
_PLAIN = ("scale", "name", "up", "ut", "sp", "ss", "is_cff", "is_cid_keyed", "is_symbol")


def _key() -> dict[str, Any]:
    # fpdf2's version and fields: what TTFFont computes from a font. (fontTools only reads the
    # tables; the values are the font file's, whose hash is checked too.)
    return {"fpdf2": FPDF_VERSION, "slots": list(TTFFont.__slots__)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def measure(path: Path) -> dict[str, Any] | None:
    """What fpdf2's `TTFFont` computes from the font file at `path`, or None for a font this
    cache does not hold (a colour font, a CFF font, a font fpdf2 had to mend)."""
    with ttLib.TTFont(path, lazy=True) as plain:
        if "glyf" not in plain or ".notdef" not in plain["glyf"]:
            return None  # fpdf2 would draw a .notdef glyph into it
    font = TTFFont(FPDF(), path, "cached", "")
    if font.color_font is not None or font.is_cff or font.is_compressed or font.missing_glyphs:
        return None
    if font.cff_ros is not None:
        return None
    codes = list(font.cmap)
    if list(font.glyph_ids) != codes or not set(codes) <= set(font.cw):
        return None
    desc = font.desc
    widths: Any = font.cw  # fpdf2's defaultdict
    return {
        "sha256": _sha256(path),
        **{name: getattr(font, name) for name in _PLAIN},
        "desc": [
            getattr(desc, name).value if name == "flags" else getattr(desc, name) for name in _DESC
        ],
        "default_width": widths.default_factory() if widths.default_factory else None,
        "codes": codes,
        "glyphs": [font.cmap[c] for c in codes],
        "ids": [font.glyph_ids[c] for c in codes],
        "widths": [font.cw[c] for c in codes],
    }


def build() -> bytes:
    """The contents of `METRICS` for the fonts in `FONTS` and the installed fpdf2 (a cut-down
    font whose .notdef fpdf2 would draw, a colour or CFF font, is left to fpdf2)."""
    fonts = {name: measure(FONTS / name) for name in CACHED}
    data = {**_key(), "fonts": {k: v for k, v in fonts.items() if v is not None}}
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 9)


@cache
def _stored() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(zlib.decompress(METRICS.read_bytes()))
    except (OSError, ValueError, zlib.error):
        return {}
    if {k: data.get(k) for k in _key()} != _key():
        return {}  # another fpdf2: fpdf2 reads the fonts itself
    fonts: dict[str, Any] = data.get("fonts", {})
    return fonts


def verified() -> bool:
    """Whether the stored metrics are for the installed fpdf2: the version this module, and
    `pdfdoc`'s faster measuring and line breaking (which use fpdf2's internals), were built and
    tested with. With another fpdf2, PDFs are made by fpdf2's own code throughout."""
    return bool(_stored())


@cache
def _checked(path: Path) -> dict[str, Any] | None:
    stored: dict[str, Any] | None = _stored().get(path.name)
    if stored is None or path.parent != FONTS or _sha256(path) != stored["sha256"]:
        return None
    return stored


def font(pdf: FPDF, path: Path, fontkey: str, style: str) -> TTFFont | None:
    """fpdf2's font object for `path`, as `TTFFont(pdf, path, fontkey, style)` makes it, from
    the stored values; None if there are none for this file."""
    stored = _checked(path)
    if stored is None:
        return None
    made: TTFFont = TTFFont.__new__(TTFFont)
    made.i = len(pdf.fonts) + 1
    made.type = "TTF"
    made.ttffile = path
    made.is_compressed = False
    made._hbfont = None
    made.fontkey = fontkey
    made.biggest_size_pt = 0
    made.collection_font_number = 0
    # As fpdf2 opens it: read only when the subset is made (tables are read on demand).
    made.ttfont = ttLib.TTFont(path, recalcTimestamp=False, fontNumber=0, lazy=True)
    for name in _PLAIN:
        setattr(made, name, stored[name])
    made.cff_ros = None
    values = dict(zip(_DESC, stored["desc"], strict=True))
    values["flags"] = FontDescriptorFlags(values["flags"])
    made.desc = PDFFontDescriptor(**values)
    default = stored["default_width"]
    widths: Callable[[], Any] = lambda: default  # noqa: E731 - fpdf2's default, a lambda too
    made.cw = defaultdict(widths, zip(stored["codes"], stored["widths"], strict=True))
    made.cmap = dict(zip(stored["codes"], stored["glyphs"], strict=True))
    made.glyph_ids = dict(zip(stored["codes"], stored["ids"], strict=True))
    made.missing_glyphs = []
    made.emphasis = TextEmphasis.coerce(style)
    made.subset = SubsetMap(made)
    made.palette_index = 0
    made.color_font = None
    return made


class Producer(fpdf_output.OutputProducer):
    """fpdf2's PDF writer, embedding each font made by `font` through `fontsubset` (its glyphs
    at their own glyph ids) rather than fontTools' subsetter; every other font, and every other
    object, is fpdf2's own. The objects of such a font are those fpdf2 writes for a TrueType
    font (`OutputProducer._add_fonts`: Type0 font, CIDFontType2 with the same widths, the same
    ToUnicode map, CIDSystemInfo, descriptor, CIDToGIDMap, font file), in the same order."""

    def _add_fonts(self, *args: Any) -> dict[int, Any]:
        pdf = self.fpdf
        ours: set[str] = getattr(pdf, "cached_fonts", set())
        if not ours or pdf._compliance:
            return super()._add_fonts(*args)
        made: dict[int, Any] = {}
        registry = pdf.fonts
        everything = dict(registry)
        try:
            for key, one in sorted(everything.items(), key=lambda item: item[1].i):
                if key in ours and isinstance(one, TTFFont):
                    made[one.i] = self._embed(one)
                else:  # fpdf2's own, given only this font, to keep the order of the objects
                    registry.clear()
                    registry[key] = one
                    made.update(super()._add_fonts(*args))
        finally:
            registry.clear()
            registry.update(everything)
        return made

    def _embed(self, font: TTFFont) -> Any:
        fontname = f"MPDFAA+{font.name}"
        if font.missing_glyphs:  # fpdf2's own warning
            shown = ", ".join(
                f"'{chr(x)}' ({chr(x).encode('unicode-escape').decode()})"
                for x in font.missing_glyphs[:10]
            )
            if len(font.missing_glyphs) > 10:
                shown += f", ... (and {len(font.missing_glyphs) - 10} others)"
            fpdf_output.LOGGER.warning(
                "Font %s is missing the following glyphs: %s", fontname, shown
            )
        code_to_glyph = {
            code: _glyph_id(font, glyph) for glyph, code in font.subset.items() if glyph is not None
        }
        stream = fontsubset.subset(
            font.ttffile.read_bytes(), code_to_glyph.values(), font.glyph_ids
        )
        composite = fpdf_output.PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = fpdf_output.PDFFont(
            subtype="CIDFontType2",
            base_font=fontname,
            d_w=font.desc.missing_width,
            w=fpdf_output._tt_font_widths(font),
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        to_unicode = PDFContentStream(_to_unicode(font).encode("latin-1"))
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = fpdf_output.CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        gid_map = bytearray(2 * 256 * 256)
        for code, gid in code_to_glyph.items():
            gid_map[2 * code] = gid >> 8
            gid_map[2 * code + 1] = gid & 0xFF
        gid_map_obj = PDFContentStream(contents=bytes(gid_map), compress=True)
        self._add_pdf_obj(gid_map_obj, "fonts")
        cid_font.c_i_d_to_g_i_d_map = gid_map_obj
        file_obj = fpdf_output.PDFFontStream(contents=stream)
        self._add_pdf_obj(file_obj, "fonts")
        descriptor.font_file2 = file_obj  # type: ignore[attr-defined]  # as fpdf2 sets it
        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        font.close()
        return composite


def _glyph_id(font: TTFFont, glyph: Glyph) -> int:
    """The glyph id of the glyph fpdf2 embeds under `glyph.glyph_name` (fpdf2 looks the name up
    in its subset; here the glyphs keep their ids): a character's glyph, .notdef (glyph 0, which
    fpdf2 gives a made-up id), or a shaped glyph, which carries its own id."""
    if glyph.glyph_name == ".notdef":
        return 0
    unicode = glyph.unicode
    if isinstance(unicode, tuple) and len(unicode) == 1:
        char = unicode[0]
        if font.cmap.get(char) == glyph.glyph_name and char in font.glyph_ids:
            found: int = font.glyph_ids[char]
            return found
    return glyph.glyph_id


def _to_unicode(font: TTFFont) -> str:
    """fpdf2's ToUnicode CMap of a TrueType font (`OutputProducer._add_fonts`)."""

    def code(unicode: int) -> str:
        if unicode > 0xFFFF:
            high = 0xD800 | (unicode - 0x10000) >> 10
            low = 0xDC00 | (unicode & 0x3FF)
            return f"{high:04X}{low:04X}"
        return f"{unicode:04X}"

    chars = [
        f"<{mapped:04X}> <{''.join(code(c) for c in glyph.unicode)}>\n"
        for glyph, mapped in font.subset.items()
        if glyph is not None and isinstance(glyph.unicode, tuple) and glyph.unicode
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo\n"
        "<</Registry (Adobe)\n"
        "/Ordering (UCS)\n"
        "/Supplement 0\n"
        ">> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n"
        "<0000> <FFFF>\n"
        "endcodespacerange\n"
        f"{fpdf_output._build_cmap_blocks(chars, 'bfchar')}"
        "endcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end"
    )
