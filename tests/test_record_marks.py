"""The record and every printout show each mark: a numbered list and a body map with each mark at
its own site and side; an emergency shows now and then; unknowns that decided in plain words."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from bruising_check.protocol.model import Protocol
from bruising_check.records.record import Record, build_record
from bruising_check.render import html as render_html
from bruising_check.render import pdf as render_pdf
from bruising_check.render import plain as render
from tests.groups_support import TINY, run, tiny, with_marks

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)
WITH_SIDES = TINY.replace(
    "      - id: patterned",
    """      - id: side
        show_as: side
        type: single_choice
        prompt: Which side
        required: false
        options:
          - {id: left, label: Left}
          - {id: right, label: Right}
          - {id: midline, label: Midline}
      - id: account
        show_as: account
        type: text
        prompt: "The carer's words"
        required: false
      - id: patterned""",
    1,
)


def protocol() -> Protocol:
    return tiny(WITH_SIDES)


def record(answers: dict[str, Any]) -> Record:
    p = protocol()
    return build_record(p, "0" * 64, run(p, answers), created_at=NOW)


def test_each_mark_is_in_the_record_numbered_with_its_site_side_and_answers() -> None:
    r = record(
        with_marks(
            {"site": "cheek", "side": "left", "account": "He <b>fell</b>"},
            {"site": "ear", "patterned": "not_sure"},
        )
    )
    assert [(m.number, m.site, m.side) for m in r.marks] == [(1, "cheek", "left"), (2, "ear", None)]
    first = {f.id: f.answer_label for f in r.marks[0].fields}
    assert first["account"] == "He <b>fell</b>" and first["type"] == "Bruise"
    second = {f.id: f.answer_label for f in r.marks[1].fields}
    assert second["patterned"] == "Not sure"  # as chosen, never printed as a fact
    assert "side" not in second  # left out, so "side not recorded"
    assert {f.id: f.value for f in r.marks[1].facts} == {"unusual_site": True}
    body = r.json_body()
    assert body["answers"]["marks"][0]["site"] == "cheek"  # type: ignore[index,call-overload]


def test_every_printout_lists_each_mark_and_draws_it_at_its_site_and_side() -> None:
    r = record(
        with_marks(
            {"site": "cheek", "side": "left"},
            {"site": "ear"},
            {"site": "sole", "side": "right"},
        )
    )
    text = " ".join(render.text(r).split())
    assert "1 Cheek (Left); 2 Ear (side not recorded); 3 Sole (Right)" in text
    page = render_html.html(r)
    assert "<h2>Marks</h2>" in page
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    circles = [
        el for el in ET.fromstring(svg).iter() if el.tag.endswith("circle")
    ]  # one each, never both sides
    assert [(c.get("data-mark"), c.get("data-site"), c.get("data-side")) for c in circles] == [
        ("1", "cheek", "given"),
        ("2", "ear", "not-recorded"),
        ("3", "sole", "given"),
    ]
    # The child's left cheek is on the viewer's right of the front view.
    from bruising_check.render import bodymap

    centre_front = bodymap.view_origin("front") + bodymap.VIEW_W / 2
    centre_back = bodymap.view_origin("back") + bodymap.VIEW_W / 2
    assert float(circles[0].get("cx") or 0) > centre_front
    assert float(circles[1].get("cx") or 0) == centre_front
    assert float(circles[2].get("cx") or 0) > centre_back  # the right sole, seen from behind
    from pypdf import PdfReader

    pdf_text = " ".join(
        " ".join(
            (p.extract_text() or "") for p in PdfReader(io.BytesIO(render_pdf.pdf(r))).pages
        ).split()
    )
    assert "Marked: 1 Cheek (Left); 2 Ear (side not recorded); 3 Sole (Right)." in pdf_text


def test_an_emergency_shows_now_emergency_care_and_then_the_pathway() -> None:
    r = record(with_marks({"patterned": "yes"}, unwell=True))
    assert r.outcome is not None and r.outcome.then == "refer"
    assert r.json_body()["outcome"]["then"] == "refer"  # type: ignore[index,call-overload]
    for shown in (render.text(r), render_html.html(r), render.markdown(r)):
        flat = " ".join(shown.split()).replace("\\", "")  # Markdown escapes - and .
        # The banner is the pathway now, its title said once (the text format capitalises it).
        assert flat.lower().count("emergency care first") == 1
        assert "Timescale: Now" in flat
        assert "Then: Refer - Same day - today, Fri 27 Nov 2026" in flat


def test_unknowns_that_decided_are_named_in_plain_words() -> None:
    r = record(with_marks({"site": "cheek"}, {"site": "ear", "patterned": "not_sure"}))
    assert r.unknowns_that_decided == ("marks[2].patterned",)
    text = " ".join(render.text(r).split())
    assert "These answers were not known, and decided the pathway: - mark 2: Patterned" in text
    assert "marks[2]" not in re.sub(r'"marks\[\d\]', "", text)


def test_a_marks_colour_is_its_own_field_not_someones_words() -> None:
    """The colour is what the practitioner saw: listed with the mark, never under "In their own
    words" (the carer's account is)."""
    from pathlib import Path

    from typer.testing import CliRunner

    from bruising_check.cli import _register, app

    _register()
    answers = Path(__file__).resolve().parents[1] / "examples/answers/cheek-bruise-10-weeks.yaml"
    for fmt in ("text", "md", "html"):
        result = CliRunner().invoke(
            app,
            ["check", "--answers", str(answers), "--format", fmt],
            env={"BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"},
        )
        assert result.exit_code == 0, result.output
        flat = " ".join(result.stdout.split())
        words = re.split(r"(?i)in their own words, and notes", flat)
        assert len(words) == 2, fmt
        marks, own = words[0], words[1].split("very question", 1)[0]
        assert "Its colour: blue" in marks, fmt  # its label, without the hint to the person
        assert "blue" not in own, fmt
        assert "No idea how it happened" in own, fmt
