"""The printable rationale: snapshots of text, Markdown and HTML for a fixed record, the PDF's
extracted text, and the body map marking exactly the selected regions."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.protocol.loader import Loaded
from bruising_check.records.record import build_record
from bruising_check.render import bodymap
from bruising_check.render import html as render_html
from bruising_check.render import pdf as render_pdf
from bruising_check.render import plain as render
from tests.conftest import run

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
LOCATION_IDS = list(bodymap.REGIONS)


@pytest.fixture(scope="module")
def record(baseline_loaded: Loaded) -> dict[str, Any]:
    protocol = baseline_loaded.protocol
    assert protocol is not None
    decision = run(
        protocol,
        age_weeks=17,
        mark_types=["bruise", "swelling"],
        locations=["cheek", "thigh"],
        multiple_or_clustered=True,
        explanation_verbatim='He said <script>alert("x")</script> & *the dog* [did it]',
        notes="Seen at home.\nMother and father present.",
    )
    return build_record(
        protocol,
        "0" * 64,  # fixed, so that snapshots do not change with the protocol's bytes
        decision,
        created_at=NOW,
        context={"carers_seen": "identified_not_all_seen", "context_notes": "Dad <b>works</b>"},
        about={"practitioner": "A. Visitor", "role": "Health visitor", "child_reference": "HV-1"},
    )


def test_text_snapshot(record: dict[str, Any], snapshot: Any) -> None:
    assert render.text(record) == snapshot


def test_markdown_snapshot(record: dict[str, Any], snapshot: Any) -> None:
    assert render.markdown(record) == snapshot


def test_html_snapshot(record: dict[str, Any], snapshot: Any) -> None:
    assert render_html.html(record) == snapshot


def test_html_shows_user_text_literally(record: dict[str, Any]) -> None:
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


def test_pdf_holds_the_key_content(record: dict[str, Any], tmp_path: Path) -> None:
    text = pdf_text(render_pdf.pdf(record), tmp_path)
    flat = " ".join(text.split())
    for needed in (
        "Bruising check: rationale",
        "10:30 on Fri 27 Nov 2026",
        "A. Visitor",
        "HV-1",
        "national baseline",
        "Review due 2027-05-27",
        "0" * 64,
        "Refer today to children's social care and for a paediatric assessment",
        "Timescale: Same day",
        "today, Fri 27 Nov 2026, as soon as possible",
        "PLACEHOLDER",
        "B5 (decides the pathway)",
        "https://www.nice.org.uk/guidance/cg89/chapter/recommendations",
        "TEN-4-FACESp: positive",
        "Body map",
        "Front",
        "Back",
        "Marked: Cheek; Thigh.",
        'He said <script>alert("x")</script> & *the dog* [did it]',
        "Mother and father present.",
        "Dad <b>works</b>",
        "Every question and its answer",
        "Signature",
        "This tool supports, and does not replace, professional judgement and the local procedure.",
        "page 1 of",
    ):
        assert needed in flat, needed


def marked(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    found = set()
    for el in root.iter():
        classes = (el.get("class") or "").split()
        if "marked" in classes:
            region = el.get("data-region")
            assert region is not None
            found.add(region)
    return found


def labelled(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {
        el.get("data-region") or ""
        for el in root.iter()
        if el.tag.endswith("text") and "label" in (el.get("class") or "").split()
    }


@settings(max_examples=60)
@given(st.sets(st.sampled_from(LOCATION_IDS)))
def test_body_map_marks_and_labels_exactly_the_selected_regions(chosen: set[str]) -> None:
    svg = bodymap.svg(chosen, {r: r.upper() for r in LOCATION_IDS})
    assert marked(svg) == chosen
    assert labelled(svg) == chosen


def test_every_location_of_the_baseline_is_on_the_map(record: dict[str, Any]) -> None:
    q = next(q for q in record["questions"] if q["id"] == "locations")
    # "Somewhere else" has no place on a drawing: it is listed under the map instead.
    assert sorted(o["id"] for o in q["options"]) == sorted([*LOCATION_IDS, "other_site"])
    assert bodymap.unmapped(["cheek", "other_site"]) == ["other_site"]


def test_body_map_labels_are_escaped() -> None:
    svg = bodymap.svg(["cheek"], {"cheek": "<b>Cheek</b> & jaw"})
    assert "&lt;b&gt;Cheek&lt;/b&gt; &amp; jaw" in svg
    ET.fromstring(svg)  # still well-formed
