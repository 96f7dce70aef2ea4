"""The subset of a TrueType font a PDF embeds, cut from the font file's bytes.

fpdf2 embeds each font through fontTools' subsetter: it parses the whole font (glyph table,
metrics, names, layout tables) and compiles a new one, about 20 ms for the two faces every PDF
uses, after 10 ms of importing the subsetter. A PDF needs much less (ISO 32000 9.9: for a
CIDFontType2 with a CIDToGIDMap, glyph outlines and the tables that locate and size them), so
here the glyphs keep their own glyph ids: the glyphs used (and the glyphs they are made of, and
.notdef) are copied byte for byte, every other glyph is empty and zero-width, and the other
tables are copied or cut down (`cmap` to the characters used, `name` to names 0-6 as fontTools
keeps them, `post` without glyph names, no layout tables). The text stays selectable through
the PDF's ToUnicode map, which fpdf2 writes as before.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

# Tables copied as they are; the others of a font are not embedded (layout, kerning, device
# metrics: a PDF positions every glyph itself).
_COPIED = ("OS/2", "cvt ", "fpgm", "gasp", "maxp", "prep")
# Composite glyph flags (OpenType `glyf`).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_2X2 = 0x0080


class NotTrueType(ValueError):
    """The font is not a TrueType-outline font this module can cut (CFF, a collection...)."""


def tables(data: bytes) -> dict[str, bytes]:
    """The tables of a TrueType font file, by tag."""
    if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        raise NotTrueType("not a TrueType font file")
    (count,) = struct.unpack_from(">H", data, 4)
    found: dict[str, bytes] = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        found[tag.decode("latin-1")] = data[offset : offset + length]
    if "glyf" not in found or "loca" not in found:
        raise NotTrueType("no glyf table")
    return found


def _loca(font: Mapping[str, bytes], glyphs: int) -> list[int]:
    (long_offsets,) = struct.unpack_from(">h", font["head"], 50)
    if long_offsets:
        return list(struct.unpack_from(f">{glyphs + 1}L", font["loca"]))
    return [2 * x for x in struct.unpack_from(f">{glyphs + 1}H", font["loca"])]


def _components(glyph: bytes) -> list[int]:
    """The glyph ids a composite glyph is made of (none for a simple glyph)."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    found = []
    at = 10
    while True:
        flags, gid = struct.unpack_from(">HH", glyph, at)
        found.append(gid)
        at += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        if flags & _HAVE_SCALE:
            at += 2
        elif flags & _HAVE_XY_SCALE:
            at += 4
        elif flags & _HAVE_2X2:
            at += 8
        if not flags & _MORE_COMPONENTS:
            return found


def _metric(hmtx: bytes | bytearray, metrics: int, gid: int) -> tuple[int, int]:
    """(advance width, left side bearing) of glyph `gid` in an hmtx table of `metrics` pairs."""
    if gid < metrics:
        adv, lsb = struct.unpack_from(">Hh", hmtx, 4 * gid)
        return adv, lsb
    (adv,) = struct.unpack_from(">H", hmtx, 4 * (metrics - 1))
    (lsb,) = struct.unpack_from(">h", hmtx, 4 * metrics + 2 * (gid - metrics))
    return adv, lsb


def _cmap(chars: Mapping[int, int]) -> bytes:
    """A cmap table (Windows Unicode BMP, format 4) of `chars` (code point -> glyph id)."""
    codes = sorted(c for c in chars if c < 0xFFFF)
    ends = [*codes, 0xFFFF]
    deltas = [(chars[c] - c) & 0xFFFF for c in codes] + [1]
    n = len(ends)
    search = 2 ** (n.bit_length() - 1)
    body = struct.pack(
        f">4H{n}HH{n}H{n}H{n}H",
        2 * n,
        2 * search,
        search.bit_length() - 1,
        2 * n - 2 * search,
        *ends,
        0,
        *ends[:-1],
        0xFFFF,
        *deltas,
        *([0] * n),
    )
    subtable = struct.pack(">HHH", 4, 6 + len(body), 0) + body
    return struct.pack(">HHHHL", 0, 1, 3, 1, 12) + subtable


def _names(name: bytes) -> bytes:
    """The name table with names 0-6 only (copyright, family, style, id, full name, version,
    PostScript name), as fontTools' subsetter keeps them."""
    fmt, count, strings = struct.unpack_from(">HHH", name, 0)
    if fmt != 0:
        return name
    records = []
    for i in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(
            ">6H", name, 6 + 12 * i
        )
        if name_id <= 6:
            text = name[strings + offset : strings + offset + length]
            records.append((platform, encoding, language, name_id, text))
    out = bytearray()
    head = struct.pack(">HHH", 0, len(records), 6 + 12 * len(records))
    listed = bytearray()
    for platform, encoding, language, name_id, text in records:
        listed += struct.pack(">6H", platform, encoding, language, name_id, len(text), len(out))
        out += text
    return head + bytes(listed) + bytes(out)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


def _assemble(font: Mapping[str, bytes]) -> bytes:
    tags = sorted(font)
    n = len(tags)
    search = 2 ** (n.bit_length() - 1)
    header = struct.pack(
        ">LHHHH", 0x00010000, n, 16 * search, search.bit_length() - 1, 16 * (n - search)
    )
    offset = 12 + 16 * n
    directory = bytearray()
    body = bytearray()
    head_at = 0
    for tag in tags:
        data = font[tag]
        if tag == "head":
            head_at = offset
        directory += struct.pack(
            ">4sLLL", tag.encode("latin-1"), _checksum(data), offset, len(data)
        )
        padded = data + b"\0" * (-len(data) % 4)
        body += padded
        offset += len(padded)
    out = bytearray(header + directory + body)
    # checkSumAdjustment (head offset 8): the whole font then sums to 0xB1B0AFBA.
    adjust = (0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF
    struct.pack_into(">L", out, head_at + 8, adjust)
    return bytes(out)


def subset(data: bytes, glyph_ids: Iterable[int], chars: Mapping[int, int]) -> bytes:
    """The font file `data` cut down to `glyph_ids`, at their own glyph ids (with .notdef and
    every glyph a composite one uses); `chars` (code point -> glyph id) is its cmap."""
    font = tables(data)
    (glyphs,) = struct.unpack_from(">H", font["maxp"], 4)
    (metrics,) = struct.unpack_from(">H", font["hhea"], 34)
    loca = _loca(font, glyphs)
    glyf = font["glyf"]
    keep: set[int] = set()
    todo = [0, *glyph_ids]
    while todo:
        gid = todo.pop()
        if gid in keep or not 0 <= gid < glyphs:
            continue
        keep.add(gid)
        todo.extend(_components(glyf[loca[gid] : loca[gid + 1]]))
    new_glyf = bytearray()
    offsets: list[int] = []
    for gid in sorted(keep):  # every glyph before a kept one ends where the glyphs so far end
        offsets.extend([len(new_glyf)] * (gid + 1 - len(offsets)))
        new_glyf += glyf[loca[gid] : loca[gid + 1]]
        new_glyf += b"\0" * (-len(new_glyf) % 4)
    offsets.extend([len(new_glyf)] * (glyphs + 1 - len(offsets)))
    # An empty glyph has no width and no side bearing, but the last full metric's width is
    # also that of every glyph after it.
    old_hmtx = font["hmtx"]
    hmtx = bytearray(len(old_hmtx))
    for gid in keep | {metrics - 1}:
        at, size = (4 * gid, 4) if gid < metrics else (4 * metrics + 2 * (gid - metrics), 2)
        hmtx[at : at + size] = old_hmtx[at : at + size]
    # The font's box and horizontal extremes are those of the glyphs it has, as fontTools
    # recomputes them on saving (renderers size their glyph bitmaps from them).
    boxes = {
        gid: struct.unpack_from(">4h", glyf, loca[gid] + 2)
        for gid in keep
        if loca[gid + 1] - loca[gid] >= 10
    }
    head = bytearray(font["head"])
    hhea = bytearray(font["hhea"])
    advances = [_metric(hmtx, metrics, gid) for gid in keep]
    struct.pack_into(">H", hhea, 10, max(adv for adv, _ in advances))
    if boxes:
        struct.pack_into(
            ">4h",
            head,
            36,
            min(b[0] for b in boxes.values()),
            min(b[1] for b in boxes.values()),
            max(b[2] for b in boxes.values()),
            max(b[3] for b in boxes.values()),
        )
        sides = []
        for gid, (x_min, _, x_max, _) in boxes.items():
            adv, lsb = _metric(hmtx, metrics, gid)
            sides.append((lsb, adv - lsb - (x_max - x_min), lsb + (x_max - x_min)))
        struct.pack_into(
            ">3h",
            hhea,
            12,
            min(x[0] for x in sides),
            min(x[1] for x in sides),
            max(x[2] for x in sides),
        )
    struct.pack_into(">L", head, 8, 0)  # checkSumAdjustment, set over the whole font below
    struct.pack_into(">h", head, 50, 1)  # long loca offsets
    post = bytearray(font["post"][:32])
    struct.pack_into(">L", post, 0, 0x00030000)  # no glyph names
    out = {tag: font[tag] for tag in _COPIED if tag in font}
    out.update(
        head=bytes(head),
        hhea=bytes(hhea),
        loca=struct.pack(f">{glyphs + 1}L", *offsets),
        glyf=bytes(new_glyf),
        hmtx=bytes(hmtx),
        post=bytes(post),
        cmap=_cmap({c: g for c, g in chars.items() if g in keep}),
    )
    if "name" in font:
        out["name"] = _names(font["name"])
    return _assemble(out)
