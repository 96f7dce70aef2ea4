"""A `chart.Scene` as SVG (written by us), PNG (drawn with Pillow, which fpdf2 already needs) and
PDF (fpdf2), the same picture in each. Text arrives visible (`safe.visible`); the SVG escapes it
as XML at its boundary."""

from __future__ import annotations

import io
import itertools
import math
from typing import Any

from bruising_check.render.chart import (
    GREY,
    INK,
    LINE,
    PAD,
    PATH_RED,
    Arrow,
    Box,
    Scene,
    font,
    text_width,
)
from bruising_check.render.safe import html as xml

_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"


def _arrow_style(a: Arrow) -> tuple[str, float]:
    if a.state == "on":
        return PATH_RED, 6.0
    if a.state == "off":
        return "#b5b5b5", 2.5
    return INK, 3.0


def _box_width(b: Box) -> float:
    return 5.0 if b.state == "on" else (3.0 if b.kind == "pathway" else 2.5)


def _lines(b: Box) -> list[tuple[float, float, str, float, bool]]:
    """(x, baseline y, text, size, bold) of each line, centred or left-aligned in the box."""
    total = sum(r.size * LINE for r in b.runs)
    y = b.y + (b.h - total) / 2
    out = []
    for r in b.runs:
        y += r.size * LINE
        baseline = y - r.size * (LINE - 1) / 2 - r.size * 0.22
        half = text_width(r.text, r.size, r.bold) / 2
        x = b.x + PAD if b.align == "left" else b.cx - half
        out.append((x, baseline, r.text, r.size, r.bold))
    return out


def _text_colour(b: Box) -> str:
    return GREY if b.state == "off" and b.kind != "pathway" else INK


def _head(a: Arrow, size: float) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = a.points[-2], a.points[-1]
    ang = math.atan2(y1 - y0, x1 - x0)
    back = size * 1.8
    half = size * 0.9
    bx, by = x1 - back * math.cos(ang), y1 - back * math.sin(ang)
    return [
        (x1, y1),
        (bx + half * math.sin(ang), by - half * math.cos(ang)),
        (bx - half * math.sin(ang), by + half * math.cos(ang)),
    ]


def _head_size(width: float) -> float:
    return max(6.0, width * 1.6)


# --- SVG --------------------------------------------------------------------------------------


def svg(scene: Scene) -> str:
    w, h = scene.width, scene.height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}"'
        f' viewBox="0 0 {w:.0f} {h:.0f}" font-family="{_FAMILY}">',
        f"<title>{xml(scene.title)}</title>",
        f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>',
    ]
    for b in scene.boxes:
        dash = ' stroke-dasharray="10 6"' if b.dashed else ""
        rx = 14 if b.kind == "decision" else 6
        out.append(
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}"'
            f' rx="{rx}" fill="{b.fill}" stroke="{b.stroke}" stroke-width="{_box_width(b)}"'
            f"{dash}/>"
        )
        colour = _text_colour(b)
        for x, y, text, size, bold in _lines(b):
            weight = ' font-weight="bold"' if bold else ""
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}"{weight}'
                f' fill="{colour}">{xml(text)}</text>'
            )
    for a in scene.arrows:
        colour, width = _arrow_style(a)
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in _shortened(a, _head_size(width)))
        dash = ' stroke-dasharray="10 6"' if a.dashed else ""
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"'
            f' stroke-linejoin="round"{dash}/>'
        )
        head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _head(a, _head_size(width)))
        out.append(f'<polygon points="{head}" fill="{colour}"/>')
        if a.label and a.label_at:
            lx, ly = a.label_at
            out.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{a.label_size:g}"'
                f' font-weight="bold" fill="{colour if a.state else INK}">{xml(a.label)}</text>'
            )
    for s in scene.swatches:
        out.append(
            f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.size:g}" height="{s.size:g}"'
            f' fill="{s.fill}" stroke="{s.stroke}" stroke-width="2"/>'
        )
    for t in scene.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        out.append(
            f'<text x="{t.x:.1f}" y="{t.y:.1f}" font-size="{t.size:g}"{weight}'
            f' fill="{t.colour}">{xml(t.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _shortened(a: Arrow, head: float) -> list[tuple[float, float]]:
    """The line stops where the arrowhead starts, so a thick line does not blunt its tip."""
    pts = list(a.points)
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    if length > head:
        k = (length - head * 1.2) / length
        pts[-1] = (x0 + (x1 - x0) * k, y0 + (y1 - y0) * k)
    return pts


# --- PNG --------------------------------------------------------------------------------------


def png(scene: Scene, width: int = 1920, height: int = 1080) -> bytes:
    """The scene fitted into `width` x `height` pixels (centred, white around it)."""
    from PIL import Image, ImageDraw

    k = scene.scale_to(width, height)
    ox = (width - scene.width * k) / 2
    oy = (height - scene.height * k) / 2

    def p(x: float, y: float) -> tuple[float, float]:
        return ox + x * k, oy + y * k

    img = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(img)
    for b in scene.boxes:
        draw.rounded_rectangle(
            (*p(b.x, b.y), *p(b.right, b.bottom)),
            radius=(14 if b.kind == "decision" else 6) * k,
            fill=b.fill,
            outline=b.stroke,
            width=max(1, round(_box_width(b) * k)),
        )
        if b.dashed:
            _dashed_rect(draw, [p(b.x, b.y), p(b.right, b.bottom)], "#ffffff", k)
        for x, y, text, size, bold in _lines(b):
            f = font(size * k, bold)
            draw.text(p(x, y), text, font=f, fill=_text_colour(b), anchor="ls")
    for a in scene.arrows:
        colour, w = _arrow_style(a)
        pts = [p(x, y) for x, y in _shortened(a, _head_size(w))]
        draw.line(pts, fill=colour, width=max(1, round(w * k)), joint="curve")
        draw.polygon([p(x, y) for x, y in _head(a, _head_size(w))], fill=colour)
        if a.label and a.label_at:
            draw.text(
                p(*a.label_at),
                a.label,
                font=font(a.label_size * k, True),
                fill=colour if a.state else INK,
                anchor="ls",
            )
    for s in scene.swatches:
        draw.rectangle(
            (*p(s.x, s.y), *p(s.x + s.size, s.y + s.size)),
            fill=s.fill,
            outline=s.stroke,
            width=max(1, round(2 * k)),
        )
    for t in scene.texts:
        draw.text(p(t.x, t.y), t.text, font=font(t.size * k, t.bold), fill=t.colour, anchor="ls")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _dashed_rect(draw: object, corners: list[tuple[float, float]], gap: str, k: float) -> None:
    """Gaps cut into a drawn border: the dashed outline of a check whose answer is unknown."""
    from PIL import ImageDraw

    assert isinstance(draw, ImageDraw.ImageDraw)
    (x0, y0), (x1, y1) = corners
    step, cut = 16 * k, 6 * k
    x = x0 + 20 * k
    while x < x1 - 20 * k:
        draw.line([(x, y0), (x + cut, y0)], fill=gap, width=max(2, round(4 * k)))
        draw.line([(x, y1), (x + cut, y1)], fill=gap, width=max(2, round(4 * k)))
        x += step


# --- PDF --------------------------------------------------------------------------------------


def pdf(scene: Scene) -> bytes:
    """One page the shape of the scene, 0.2 mm a pixel (1920 px is 384 mm, about A3 wide), with
    the running footer of every printout; characters DejaVu lacks come from the bundled
    fallback fonts (`pdfdoc.Document`)."""
    from bruising_check.render.pdfdoc import Document

    k = 0.2
    doc = Document(scene.title)
    doc.set_margins(0, 0, 0)
    doc.set_lang("en-GB")
    doc.add_page(format=(scene.width * k, scene.height * k + 18))
    draw(doc, scene, 0, 0, k, 72 / 25.4)
    return doc.output_bytes()


def draw(doc: Any, scene: Scene, ox: float, oy: float, k: float, pt_per_unit: float) -> None:
    """Draw `scene` on an fpdf2 page at (ox, oy), `k` page units per scene pixel; font sizes
    are in points, so they take `pt_per_unit` too. The document has the DejaVu fonts."""

    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    def at(x: float, y: float) -> tuple[float, float]:
        return ox + x * k, oy + y * k

    pt = k * pt_per_unit
    auto, margin = doc.auto_page_break, doc.b_margin
    doc.set_auto_page_break(False)

    def text(x: float, y: float, words: str, size: float, bold: bool) -> None:
        # A cell, not `text()`: cells take the fallback fonts and shaping; baseline to top.
        doc.set_font("DejaVu", "B" if bold else "", size * pt)
        x0, y0 = at(x, y)
        doc.set_xy(x0, y0 - 0.8 * size * k)
        doc.cell(doc.get_string_width(words) + 1, size * k, words)

    for b in scene.boxes:
        doc.set_fill_color(*rgb(b.fill))
        doc.set_draw_color(*rgb(b.stroke))
        doc.set_line_width(_box_width(b) * k)
        if b.dashed:
            doc.set_dash_pattern(dash=10 * k, gap=6 * k)
        doc.rect(
            *at(b.x, b.y),
            b.w * k,
            b.h * k,
            style="FD",
            round_corners=True,
            corner_radius=(14 if b.kind == "decision" else 6) * k,
        )
        doc.set_dash_pattern()
        doc.set_text_color(*rgb(_text_colour(b)))
        for x, y, line, size, bold in _lines(b):
            text(x, y, line, size, bold)
    for a in scene.arrows:
        colour, w = _arrow_style(a)
        doc.set_draw_color(*rgb(colour))
        doc.set_fill_color(*rgb(colour))
        doc.set_line_width(w * k)
        pts = _shortened(a, _head_size(w))
        if a.dashed:
            doc.set_dash_pattern(dash=10 * k, gap=6 * k)
        for p0, p1 in itertools.pairwise(pts):
            doc.line(*at(*p0), *at(*p1))
        doc.set_dash_pattern()
        doc.polygon([at(x, y) for x, y in _head(a, _head_size(w))], style="F")
        if a.label and a.label_at:
            doc.set_text_color(*rgb(colour if a.state else INK))
            text(*a.label_at, a.label, a.label_size, True)
    for s in scene.swatches:
        doc.set_fill_color(*rgb(s.fill))
        doc.set_draw_color(*rgb(s.stroke))
        doc.set_line_width(2 * k)
        doc.rect(*at(s.x, s.y), s.size * k, s.size * k, style="FD")
    for t in scene.texts:
        doc.set_text_color(*rgb(t.colour))
        text(t.x, t.y, t.text, t.size, t.bold)
    doc.set_text_color(0, 0, 0)
    doc.set_auto_page_break(auto, margin)
    doc.set_draw_color(0, 0, 0)
    doc.set_line_width(0.2)
