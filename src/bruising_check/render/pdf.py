"""The printable rationale as an A4 PDF: the same content as the HTML, with the body map drawn from
the same geometry, tick boxes, space to sign, page numbers and the tool statement (`pdfdoc`).

Text is written with fpdf2's plain cells (no markdown), so protocol and user text print as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bruising_check.render import bodymap
from bruising_check.render import rationale as printable
from bruising_check.render.pdfdoc import Document

MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
MARK_RGB = (198, 40, 40)


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%H:%M on %a %d %b %Y")


class Rationale(Document):
    def __init__(self) -> None:
        super().__init__("Bruising check: rationale")
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def heading(self, text: str) -> None:
        if self.get_y() > 297 - 45:
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(WIDTH, 6, text, new_x="LMARGIN", new_y="NEXT")
        y = self.get_y()
        self.set_draw_color(120, 120, 120)
        self.line(MARGIN, y, MARGIN + WIDTH, y)
        self.ln(1.5)
        self.set_font("DejaVu", "", 10)

    def para(self, text: str, *, bold: bool = False, size: float = 10, indent: float = 0) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_x(MARGIN + indent)
        self.multi_cell(WIDTH - indent, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def pair(self, label: str, value: str, size: float = 10) -> None:
        self.set_font("DejaVu", "B", 10)
        self.cell(38, 5, label)
        self.set_font("DejaVu", "", size)
        self.multi_cell(WIDTH - 38, 5, value, align="L", new_x="LMARGIN", new_y="NEXT")


def pdf(record: Mapping[str, Any]) -> bytes:
    doc = Rationale()
    doc.add_page()
    _write(doc, record)
    return doc.output_bytes()


def _write(d: Rationale, r: Mapping[str, Any]) -> None:
    p = r["protocol"]
    d.para("Bruising check: rationale", bold=True, size=18)
    d.ln(2)
    d.pair("Checked", _when(r["created_at"]))
    for key, label in printable.ABOUT_FIELDS:
        if r["about"].get(key):
            d.pair(label, r["about"][key])
    d.pair("Protocol", p["title"])
    d.pair("Version", f"{p['version']} ({p['status']})")
    d.pair("Review due", p["review_due"] or "not set")
    d.pair("Protocol SHA-256", p["sha256"], size=8)  # one line, so it can be read and compared

    _pathway(d, r)
    _actions(d, r)

    d.heading("Why")
    kinds = {
        "decides": "decides the pathway",
        "might_apply": "might apply (an answer is not known)",
        "invariant": "protocol safeguard",
        "advice": "advice",
    }
    for f in r["rules_fired"]:
        d.para(f"{f['id']} ({kinds.get(f['kind'], f['kind'])}): {f['because']}")
        for sid in f["cite"]:
            s = r["sources"].get(sid)
            if s is None:
                continue
            status = "" if s["status"] == "verified" else f" ({s['status']})"
            d.para(f"- {s['title']}{status}", size=8.5, indent=5)
            if s["url"]:
                d.para(s["url"], size=7.5, indent=7)
        d.ln(1)

    screening = printable.ten4facesp(r)
    if screening is not None:
        d.heading("TEN-4-FACESp (screening information)")
        d.para(f"{screening.label}: {screening.shown}", bold=True)
        for note in screening.notes:
            d.para(note, size=9)

    located = printable.locations(r)
    if located is not None:
        _bodymap(d, *located)

    d.heading("In their own words, and notes")
    texts = printable.verbatim(r)
    if not texts:
        d.para("Nothing was written down.")
    for prompt, text in texts:
        d.para(prompt, bold=True)
        d.para(text, indent=4)
        d.ln(1)

    d.heading("Every question and its answer")
    for q in r["questions"]:
        d.para(q["prompt"], bold=True, size=9)
        d.para(printable.answer_text(q), size=9, indent=5)
    if r["unanswered"]:
        d.para("Not known: " + ", ".join(r["unanswered"]), bold=True)

    d.heading("Derived facts")
    for label, shown in printable.shown_facts(r):
        d.para(f"{label}: {shown}", size=9)

    if r["context"]:
        d.heading("Context (recorded only; never changes the pathway)")
        for c in r["context"]:
            d.para(c["prompt"], size=9)
            d.para(c["answer_label"] or "(not answered)", bold=True, size=9, indent=5)

    d.heading("Sources")
    for sid, s in r["sources"].items():
        status = "" if s["status"] == "verified" else f" ({s['status'].replace('_', ' ')})"
        d.para(f"[{sid}] {s['title']}{status}", size=8.5)
        if s["url"]:
            d.para(s["url"], size=7.5, indent=5)

    _signature(d)
    d.ln(4)
    d.para(r["statement"], bold=True)
    d.para(r["disclaimer"], size=9)
    d.para(f"Record checksum: {r['checksum']} - {r['tool']['name']} {r['tool']['version']}", size=7)


def _pathway(d: Rationale, r: Mapping[str, Any]) -> None:
    out = r["outcome"]
    d.ln(4)
    top = d.get_y()
    d.set_x(MARGIN + 3)
    if out is None:
        title, timescale = "No pathway: no rule of the protocol matched these answers.", ""
        summary = "Follow your local procedure and discuss with your safeguarding lead now."
    else:
        title, timescale, summary = out["title"], out["timescale"], out.get("summary") or ""
    d.ln(2)
    d.para(title, bold=True, size=16, indent=3)
    if timescale:
        d.ln(1)
        d.para(f"Timescale: {timescale}", bold=True, size=13, indent=3)
    if summary:
        d.ln(1)
        d.para(summary, indent=3)
    if r.get("raised_for_safety"):
        d.para(
            "Raised for safety: some answers were not known, or a protocol safeguard applied,"
            " so the more urgent pathway is shown.",
            bold=True,
            indent=3,
        )
    d.ln(2)
    d.set_draw_color(0, 0, 0)
    d.set_line_width(0.8)
    d.rect(MARGIN, top, WIDTH, d.get_y() - top)
    d.set_line_width(0.2)


def _actions(d: Rationale, r: Mapping[str, Any]) -> None:
    d.heading("Actions")
    for a in r["actions"]:
        if d.get_y() > 297 - 35:
            d.add_page()
        y = d.get_y() + 0.6
        d.set_draw_color(0, 0, 0)
        d.set_line_width(0.35)
        d.rect(MARGIN, y, 4, 4)  # the tick box
        d.set_line_width(0.2)
        d.para(a["text"], indent=7)
        if a.get("timescale"):
            by = f" - {a['deadline']}" if a.get("deadline") else ""
            d.para(f"When: {a['timescale']}{by}", size=9, indent=7)
        if a.get("responsible"):
            d.para(f"Who: {a['responsible']}", size=9, indent=7)
        contact = printable.contact_line(a)
        if contact:
            d.para(f"Contact: {contact}", size=9, indent=7, bold="PLACEHOLDER" in contact)
        d.ln(1.5)


def _bodymap(d: Rationale, chosen: list[str], names: dict[str, str]) -> None:
    scale = WIDTH / bodymap.WIDTH
    height = bodymap.TOTAL_H * scale
    if d.get_y() + height + 30 > 297 - 20:
        d.add_page()
    d.heading("Body map")
    top = d.get_y()
    marked = set(chosen)

    def pt(x: float, y: float) -> tuple[float, float]:
        return MARGIN + x * scale, top + y * scale

    d.set_font("DejaVu", "B", 10)
    for view in bodymap.VIEWS:
        ox = bodymap.view_origin(view)
        x, y = pt(ox, 4)
        d.set_xy(x, y)
        d.cell(bodymap.VIEW_W * scale, 4, "Front" if view == "front" else "Back", align="C")
        for region, s in bodymap.shapes(view):
            bx, by, bw, bh = s.box()
            x, y = pt(ox + bx, bodymap.TITLE_H + by)
            w, h = bw * scale, bh * scale
            if region is None:
                d.set_fill_color(238, 238, 238)
                d.set_draw_color(119, 119, 119)
                d.set_line_width(0.25)
            elif region in marked:
                d.set_fill_color(*MARK_RGB)
                d.set_draw_color(0, 0, 0)
                d.set_line_width(0.5)
            else:
                d.set_fill_color(255, 255, 255)
                d.set_draw_color(119, 119, 119)
                d.set_line_width(0.15)
            if s.kind == "ellipse":
                d.ellipse(x, y, w, h, style="FD")
            else:
                d.rect(x, y, w, h, style="FD")
    d.set_font("DejaVu", "B", 7.5)
    d.set_draw_color(0, 0, 0)
    d.set_line_width(0.25)
    for lab in bodymap.labels(marked, names):
        lx, ly = pt(lab.x, lab.y)
        tx, ty = pt(*lab.to)
        width = d.get_string_width(lab.text)
        if lab.anchor == "end":
            d.text(lx - width, ly, lab.text)
            d.line(lx + 0.8, ly - 1, tx, ty)
        else:
            d.text(lx, ly, lab.text)
            d.line(lx - 0.8, ly - 1, tx, ty)
    d.set_y(top + height + 2)
    marked_names = "; ".join(names.get(c, c) for c in chosen) or "none recorded"
    d.para(f"Marked: {marked_names}.", bold=True, size=9)
    d.para(
        "Both sides are marked for a paired region: the check does not record which side. Draw"
        " the exact position, size and colour of each mark on your service's own body map.",
        size=8.5,
    )
    missing = bodymap.unmapped(chosen)
    if missing:
        d.para("Not on this map: " + ", ".join(missing), bold=True, size=9)


def _signature(d: Rationale) -> None:
    if d.get_y() > 297 - 70:
        d.add_page()
    d.heading("Signed")
    for field in printable.SIGN_FIELDS:
        d.ln(6)
        d.set_font("DejaVu", "", 10)
        d.cell(35, 6, field)
        y = d.get_y() + 6
        d.line(MARGIN + 35, y, MARGIN + WIDTH, y)
        d.ln(6)
