"""The printable rationale: snapshots of text, Markdown and HTML for a fixed record, the PDF's
extracted text, one outline in every format, and the body map drawing each mark at its own site
and side."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.protocol.loader import Loaded
from bruising_check.protocol.model import GroupQuestion, Protocol, SingleChoiceQuestion
from bruising_check.records.record import FollowOn, Record, build_record
from bruising_check.render import bodymap, rationale, words
from bruising_check.render import html as render_html
from bruising_check.render import pdf as render_pdf
from bruising_check.render import plain as render
from bruising_check.render.blocks import MapMark
from tests.conftest import mark, run

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
LOCATION_IDS = list(bodymap.REGIONS)


@pytest.fixture(scope="module")
def record(baseline_loaded: Loaded) -> Record:
    protocol = baseline_loaded.protocol
    assert protocol is not None
    decision = run(
        protocol,
        age_weeks=17,
        marks=[
            mark(
                explained_by="father",
                account='He said <script>alert("x")</script> & *the dog* [did it]',
            ),
            # No side recorded: the map draws it on the centre line, never on both sides.
            {k: v for k, v in mark(type="swelling", site="thigh").items() if k != "side"},
        ],
        notes="Seen at home.\nMother and father present.",
    )
    return build_record(
        protocol,
        "0" * 64,  # fixed, so that snapshots do not change with the protocol's bytes
        decision,
        created_at=NOW,
        context={"icon_discussed": "no", "context_notes": "Dad <b>works</b>"},
        about={"practitioner": "A. Visitor", "role": "Health visitor", "child_reference": "HV-1"},
    )


def test_text_snapshot(record: Record, snapshot: Any) -> None:
    assert render.text(record) == snapshot


def test_markdown_snapshot(record: Record, snapshot: Any) -> None:
    assert render.markdown(record) == snapshot


def test_html_snapshot(record: Record, snapshot: Any) -> None:
    assert render_html.html(record) == snapshot


def test_html_shows_user_text_literally(record: Record) -> None:
    page = render_html.html(record)
    assert "<script>" not in page and "<b>works</b>" not in page
    assert "He said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; *the dog*" in page
    assert "Dad &lt;b&gt;works&lt;/b&gt;" in page
    for needed in ("Signature", "TEN-4-FACESp", "Protocol SHA-256", "page &quot;", "@media print"):
        assert needed in page.replace('"page "', "page &quot;")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader would extract it (pypdf: pure Python, installed by dev.py)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_pdf_holds_the_key_content(record: Record, tmp_path: Path) -> None:
    text = pdf_text(render_pdf.pdf(record), tmp_path)
    flat = " ".join(text.split())
    for needed in (
        "Bruising check: rationale",
        "10:30 UTC on Fri 27 Nov 2026",
        "A. Visitor",
        "HV-1",
        "national baseline",
        "Review due 2 December 2027",
        "0" * 64,
        "Refer today to children's social care, and a paediatric assessment is arranged",
        "Timescale: Same day - today, Fri 27 Nov 2026, as soon as possible",
        "PLACEHOLDER",
        "B6 (decides the pathway)",
        "https://www.nice.org.uk/guidance/cg89/chapter/recommendations",
        "TEN-4-FACESp screen positive: yes",
        "Marks",
        "Front",
        "Back",
        "Marked: 1 Face: cheek (the fleshy part) (Left); 2 Leg: thigh (side not recorded).",
        'He said <script>alert("x")</script> & *the dog* [did it]',
        "Mother and father present.",
        "Dad <b>works</b>",
        "Every question and its answer",
        "Signature",
        "This tool supports, and does not replace, professional judgement and the local procedure.",
        "page 1 of",
    ):
        assert needed in flat, needed


def test_every_pdf_page_carries_the_child_reference_date_and_version(record: Record) -> None:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(render_pdf.pdf(record))).pages
    assert len(pages) >= 2
    head = "Child reference: HV-1 | Checked 10:30 UTC on Fri 27 Nov 2026 | national-baseline"
    for page in pages:
        assert head in " ".join((page.extract_text() or "").split())


def test_missing_header_fields_print_as_blank_lines(record: Record) -> None:
    bare = record.model_copy(update={"header": record.header.model_copy(update={
        "practitioner": None, "child_reference": None})})  # fmt: skip
    shown = render.text(bare)
    assert re.search(r"^Practitioner:\s+_{20,}$", shown, re.MULTILINE)
    assert re.search(r"^Child reference:\s+_{20,}$", shown, re.MULTILINE)
    assert "- **Practitioner:** ____" in render.markdown(bare)
    assert '<dt>Practitioner</dt><dd class="blank">' in render_html.html(bare)
    flat = " ".join(pdf_text(render_pdf.pdf(bare), Path()).split())
    assert "Child reference: ____________ | Checked" in flat


def outlines(r: Record) -> dict[str, list[str]]:
    """The section headings of every format of one record, as each format shows them."""
    doc = rationale.document(r)
    text = render.text(r).splitlines()
    text_headings = [
        text[i] for i in range(len(text) - 1) if text[i + 1] and set(text[i + 1]) == {"-"}
    ]
    md = [line[3:] for line in render.markdown(r).splitlines() if line.startswith("## ")]
    page = render_html.html(r)
    html_headings = re.findall(r"<h2>(.*?)</h2>", page)
    screen = [t for t, style in render.screen_lines(r) if style == "bold"]
    flat = " ".join(pdf_text(render_pdf.pdf(r), Path()).split())
    at, pdf_headings = 0, []
    for heading in doc.outline():  # in order, each after the one before
        found = flat.find(heading, at)
        if found >= 0:
            pdf_headings.append(heading)
            at = found + len(heading)
    return {
        "document": doc.outline(),
        "text": [h.title() for h in text_headings],
        "md": [h.replace("\\", "") for h in md],
        "html": [h.replace("&#x27;", "'") for h in html_headings],
        "pdf": pdf_headings,
        "screen": [h.title() for h in screen],
        "screen_document": doc.outline(screen=True),
    }


def test_every_format_shows_the_same_sections_in_the_same_order(record: Record) -> None:
    got = outlines(record)
    expected = got["document"]
    assert expected[:3] == ["Actions", "Why", "The child"]  # after the pathway box
    assert got["md"] == expected
    assert got["html"] == expected
    assert got["pdf"] == expected
    assert got["text"] == [h.title() for h in expected]
    # The guided result screen is the same document without what only a printout needs.
    assert got["screen"] == [h.title() for h in got["screen_document"]]
    assert [h for h in expected if h in got["screen_document"]] == got["screen_document"]


def test_the_pathway_comes_first_then_the_actions_then_the_reasons(record: Record) -> None:
    for shown in (render.text(record), render.markdown(record), render_html.html(record)):
        title = shown.find("Refer today")
        if title < 0:
            title = shown.find("REFER TODAY")
        actions = min(i for i in (shown.find("ACTIONS"), shown.find("Actions")) if i >= 0)
        why = min(i for i in (shown.find("\nWHY\n"), shown.find("## Why"), shown.find("<h2>Why"))
                  if i >= 0)  # fmt: skip
        assert 0 <= title < actions < why


def test_no_pathway_says_discuss_with_the_safeguarding_lead_everywhere(record: Record) -> None:
    none = record.model_copy(update={"outcome": None})
    screen = " ".join(t for t, _ in render.screen_lines(none))
    for shown in (screen, render.text(none), render_html.html(none)):
        assert "discuss with your safeguarding lead now" in " ".join(shown.split())
    assert "discuss with your safeguarding lead now" in render.markdown(none)


def test_an_emergency_shows_now_and_then(record: Record) -> None:
    assert record.outcome is not None
    then = FollowOn(
        id="refer", title="Refer today", timescale="Same day", urgency=2,
        deadline=record.outcome.deadline,
    )  # fmt: skip
    emergency = record.model_copy(update={"outcome": record.outcome.model_copy(update={
        "title": "Emergency care first", "then": "refer", "then_pathway": then})})  # fmt: skip
    flat = " ".join(render.text(emergency).split())
    assert "emergency care first timescale: same day" in flat.lower()
    assert flat.lower().count("emergency care first") == 1  # the title said once
    assert "Then: Refer today - Same day - today, Fri 27 Nov 2026" in flat


def test_same_day_is_never_a_clock_time_in_the_json(record: Record) -> None:
    body = record.json_body()
    outcome = body["outcome"]
    assert isinstance(outcome, dict)
    assert outcome["deadline"] == {
        "kind": "same_day",
        "hours": None,
        "by": None,
        "on": "2026-11-27",
    }
    assert "23:59" not in record.to_json()
    assert words.deadline_text(record.outcome.deadline if record.outcome else None) == (
        "today, Fri 27 Nov 2026, as soon as possible (after office hours, use the out-of-hours"
        " contact)"
    )


def test_dates_carry_their_time_zone() -> None:
    london = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=1), "BST"))
    assert words.moment_text(london) == "09:05 BST on Wed 01 Jul 2026"
    plus = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))
    assert words.moment_text(plus) == "09:05 UTC-03:30 on Wed 01 Jul 2026"


SIDES = st.sampled_from(["left", "right", "midline", None])


def circles(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [el for el in root.iter() if el.tag.endswith("circle") and el.get("class") == "mark"]


@settings(max_examples=80)
@given(st.lists(st.tuples(st.sampled_from(LOCATION_IDS), SIDES), max_size=8))
def test_each_mark_is_drawn_once_at_its_site_and_side(marks: list[tuple[str, str | None]]) -> None:
    given_marks = [MapMark(n, site, site, side) for n, (site, side) in enumerate(marks, start=1)]
    drawn = circles(bodymap.svg(given_marks, "map"))
    assert [int(c.get("data-mark") or 0) for c in drawn] == [m.number for m in given_marks]
    for m, c in zip(given_marks, drawn, strict=True):
        assert c.get("data-site") == m.site
        view = next(iter(bodymap.REGIONS[m.site]))
        centre = bodymap.view_origin(view) + bodymap.VIEW_W / 2
        x = float(c.get("cx") or 0)
        if not bodymap.paired(m.site):
            continue
        if m.side in ("left", "right"):
            assert c.get("data-side") == "given"
            # From the front the child's right is on the viewer's left; from the back, the right.
            on_viewers_left = x < centre
            assert on_viewers_left == ((m.side == "right") == (view == "front"))
        else:  # side not recorded: on the centre line, dashed, never on both sides
            assert c.get("data-side") == "not-recorded"
            assert c.get("stroke-dasharray")
            assert x == centre


def test_a_site_the_map_does_not_know_is_listed_not_dropped(
    baseline: Protocol, record: Record
) -> None:
    marks = next(q for q in baseline.questions if q.id == "marks")
    assert isinstance(marks, GroupQuestion)
    site = next(q for q in marks.questions if q.id == "site")
    assert isinstance(site, SingleChoiceQuestion)
    # "Somewhere else" has no place on a drawing: it is listed under the map instead.
    assert sorted(o.id for o in site.options if not bodymap.known(o.id)) == ["other_site"]
    assert "Not on this map" not in render.text(record)
    elsewhere = record.marks[1].model_copy(
        update={"site": "other_site", "site_label": "Somewhere else"}
    )
    other = record.model_copy(update={"marks": (record.marks[0], elsewhere)})
    assert "Not on this map: Somewhere else" in render.text(other)


def test_body_map_title_is_escaped() -> None:
    svg = bodymap.svg([MapMark(1, "cheek", "Cheek", "left")], "<b>Cheek</b> & jaw")
    assert "&lt;b&gt;Cheek&lt;/b&gt; &amp; jaw" in svg
    ET.fromstring(svg)  # still well-formed


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_html_record_passes_the_small_accessibility_check(record: Record) -> None:
    """What bench/a11y_check.py checks with axe-core in Chromium, in a form CI always runs:
    language, one h1 and no skipped heading level, table headers, the body map's name, and
    the contrast of every text colour on white (WCAG AA, 4.5:1)."""
    page = render_html.html(record)
    assert '<html lang="en-GB">' in page
    levels = [int(n) for n in re.findall(r"<h([1-6])>", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert "<th>" not in page and '<th scope="col">' in page
    assert 'role="img" aria-labelledby="bodymap-title"' in page
    css = page[page.index("<style>") : page.index("</style>")]
    for colour in set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css)):
        ratio = (1.05) / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, colour


def test_the_body_map_labels_the_childs_left_and_right_as_drawn(tmp_path: Path) -> None:
    """Trial item 13: no left/right labels. The child's left is on the viewer's right from the
    front and on the viewer's left from the back; a mark on the left cheek is drawn on the
    side the map labels "child's left", in the SVG and in the PDF."""
    svg = bodymap.svg([MapMark(1, "cheek", "Cheek", "left")], "map")
    root = ET.fromstring(svg)
    labels = [
        (float(t.get("x") or 0), t.text or "") for t in root.iter() if t.get("class") == "side"
    ]
    assert sorted(t for _, t in labels) == ["child's left"] * 2 + ["child's right"] * 2
    mark_x = float(circles(svg)[0].get("cx") or 0)
    front_end = bodymap.view_origin("back")
    front = sorted(x for x, _ in labels if x < front_end)
    left_x = next(x for x, t in labels if t == "child's left" and x < front_end)
    assert left_x == front[1] and abs(mark_x - left_x) < abs(mark_x - front[0])
    back_left = next(x for x, t in labels if t == "child's left" and x > front_end)
    back_right = next(x for x, t in labels if t == "child's right" and x > front_end)
    assert back_left < back_right
    assert "\nR</text>" not in svg and ">R</text>" not in svg and ">L</text>" not in svg


def test_pdf_body_map_names_the_childs_sides(record: Record, tmp_path: Path) -> None:
    text = pdf_text(render_pdf.pdf(record), tmp_path)
    assert text.count("child's right") == 2 and text.count("child's left") == 2


def test_a_long_label_keeps_a_short_value_on_its_line() -> None:
    """Trial item 13: in THE CHILD a long label pushed its value onto a line of its own
    ("...set aside for age:" then "no" 18 spaces in)."""
    from bruising_check.render.blocks import Document, Fields, Section

    long = "A reported locomotor milestone was set aside for age"
    doc = Document(
        "t",
        "t",
        (Section("The child", (Fields((("Independently mobile", "no"), (long, "no"))),)),),
    )
    lines = list(render.text_lines(doc))
    assert f"{long}: no" in lines
    assert not any(line.strip() == "no" for line in lines)
    assert any(re.fullmatch(r"Independently mobile: +no", line) for line in lines)
    # A value too long for the line still goes under its label, nothing cut.
    doc = Document("t", "t", (Section("x", (Fields(((long, "word " * 12),)),)),))
    shown = list(render.text_lines(doc))
    assert f"{long}:" in [line.strip() for line in shown]
    assert ("word " * 12).strip() in " ".join(" ".join(shown).split())
    # On one line, as on two, a value's line break or run of spaces is laid out as `_wrap`
    # lays out every other text (review: the one-line shortcut printed it as it was).
    doc = Document("t", "t", (Section("x", (Fields(((long, "yes\nno   x"),)),)),))
    assert f"{long}: yes no x" in list(render.text_lines(doc))
