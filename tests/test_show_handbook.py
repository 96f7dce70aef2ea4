"""`show --format md|html|pdf`: the handbook generated from the protocol."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol.loader import Loaded
from bruising_check.protocol.model import Protocol
from bruising_check.render import handbook
from bruising_check.render import handbook_text as handbook_render
from bruising_check.render.blocks import Document
from bruising_check.render.handbook_pdf import handbook_pdf
from tests.conftest import BASELINE, TODAY, load_text

_register()
runner = CliRunner()


def _book(loaded: Loaded, today: dt.date = TODAY) -> Document:
    assert loaded.protocol is not None
    return handbook.build(
        loaded.protocol, file="national-baseline.yaml", sha256="0123456789abcdef" * 4, today=today
    )


def test_markdown_handbook_snapshot(baseline_loaded: Loaded, snapshot: SnapshotAssertion) -> None:
    assert handbook_render.markdown(_book(baseline_loaded)) == snapshot


def test_html_handbook_snapshot(baseline_loaded: Loaded, snapshot: SnapshotAssertion) -> None:
    # The flowchart's SVG has its own tests (test_flowchart_room): here only that it is there.
    page = handbook_render.html(_book(baseline_loaded))
    chart = re.compile(r'(<figure class="chart">)\s*<svg .*?</svg>', re.S)
    assert len(chart.findall(page)) == 1
    assert chart.sub(r"\1<svg>(the flowchart)</svg>", page) == snapshot


def test_handbook_covers_every_part_of_the_protocol(
    baseline_loaded: Loaded, baseline: Protocol
) -> None:
    text = handbook_render.html(_book(baseline_loaded))
    assert "Review due</strong> 2 December 2027" in text
    for d in baseline.definitions:
        assert d.term in text
    for q in baseline.questions:
        assert f"({q.id})" in text
        if q.help:
            assert "Why we ask:" in text
    for r in baseline.rules:
        assert f'id="rule-{r.id}"' in text
    for pw in baseline.pathways:
        assert f'id="pathway-{pw.id}"' in text
        for a in pw.actions:
            assert a.text.split()[0] in text
    for s in baseline.sources:
        if s.url:
            assert f'<a href="{s.url.replace("&", "&amp;")}">' in text
    # Placeholders are visibly marked, never passed off as numbers.
    assert text.count("(PLACEHOLDER: not a real contact)") >= 3
    assert "Replace them with your partnership" in text
    assert "Rule B6a is contested" not in text and "Contested - many local protocols" in text


def test_rules_read_as_nested_plain_english(baseline_loaded: Loaded) -> None:
    md = handbook_render.markdown(_book(baseline_loaded))
    b7 = md.split("### Rule B7")[1].split("###")[0]
    assert (
        "- **When**\n  - all of:\n    - independently mobile\n    - any of:\n"
        "      - some mark where:\n        - all of:\n          - not accounted for\n"
        '          - type is not "A birthmark-like mark"\n          - any of:\n'
        '            - patterned is "Yes"\n' in b7
    )
    # A count over the group reads as a bound on the marks, with the item condition nested.
    assert "      - at least 2 marks counted by count where:\n        - all of:\n" in b7
    assert '          - type is "Bruise"\n' in b7
    # Item facts read by their labels, as the record's notes say them: never "nice burn site: yes".
    assert "          - at an unusual site (not a typical accidental site)\n" in b7
    assert ": yes" not in b7


def test_overdue_review_and_draft_status_are_warned(baseline_loaded: Loaded) -> None:
    late = handbook_render.markdown(_book(baseline_loaded, dt.date(2028, 1, 1)))
    assert "> **Warning: The review date (2 December 2027) has passed.**" in late
    assert "> **Warning: This protocol is a draft" in late
    on_time = handbook_render.markdown(_book(baseline_loaded))
    assert "has passed" not in on_time


HOSTILE = "<script>alert(1)</script> **bold** [link](javascript:x) # not a heading"


def _hostile() -> Loaded:
    text = BASELINE.read_text(encoding="utf-8")
    text = text.replace(
        '  title: "Bruising and injuries in babies who are not independently mobile: national'
        ' baseline"',
        f"  title: {yaml.safe_dump(HOSTILE).strip()}",
    ).replace(
        "url: https://www.londonsafeguardingchildrenprocedures.co.uk/bruising.html",
        "url: javascript:alert(1)",
    )
    loaded = load_text(text)
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded


def test_protocol_text_is_shown_literally_in_html_and_markdown() -> None:
    book = _book(_hostile())
    page = handbook_render.html(book)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](javascript:x)" in page
    assert 'href="javascript' not in page and "javascript:alert(1)" in page
    md = handbook_render.markdown(book)
    assert (
        "# &#60;script&#62;alert(1)&#60;/script&#62; \\*\\*bold\\*\\* \\[link\\](javascript:x)"
        in md
    )
    assert "<javascript" not in md


def test_pdf_handbook_is_a_real_multi_page_pdf(baseline_loaded: Loaded) -> None:
    data = handbook_pdf(_book(baseline_loaded))
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type /Page\b", data))
    assert pages >= 8


def test_show_pdf_writes_a_new_file_never_over_an_old_one(tmp_path: Path) -> None:
    out = tmp_path / "handbook.pdf"
    result = runner.invoke(
        app, ["show", "national-baseline", "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    again = runner.invoke(app, ["show", "--format", "pdf", "--output", str(out)])
    assert again.exit_code == 2


def test_show_md_and_html_on_stdout() -> None:
    md = runner.invoke(app, ["show", "--format", "md"])
    assert md.exit_code == 0 and md.stdout.startswith("# Bruising and injuries")
    page = runner.invoke(app, ["show", str(BASELINE), "--format", "html"])
    assert page.exit_code == 0 and page.stdout.startswith("<!DOCTYPE html>")


def test_show_refuses_a_broken_protocol(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("metadata: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["show", str(broken), "--format", "md"])
    assert result.exit_code == 1 and "MISSING_KEY" in result.stderr


def test_show_pdf_to_a_pipe_writes_the_bytes() -> None:
    result = runner.invoke(app, ["show", "--format", "pdf"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_html_handbook_is_well_nested(baseline_loaded: Loaded) -> None:
    from html.parser import HTMLParser

    class Nesting(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.problems: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in {"meta", "br"}:
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if not self.stack or self.stack.pop() != tag:
                self.problems.append(tag)

    parser = Nesting()
    parser.feed(handbook_render.html(_book(_hostile())))
    assert parser.problems == [] and parser.stack == []


# --- a handbook a partnership could publish (issue 16.2) -----------------------------------------

ORDER = [
    "Scope and who this is for",
    "What to do: pathways, actions, timescales and contacts",
    "The flowchart",
    "Definitions",
    "The questions, and why each is asked",
    "The rules in plain English, with their sources",
    "Body map",
    "Governance: version, approval, review and changes",
    "Sources",
]


def _pdf_pages(data: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_handbook_is_in_the_order_of_a_published_protocol(baseline_loaded: Loaded) -> None:
    book = _book(baseline_loaded)
    chapters = book.outline()
    assert [c for c in chapters if c in ORDER] == ORDER
    # Everything else sits inside those chapters, in their order.
    at = {c: i for i, c in enumerate(chapters)}
    assert at["Facts worked out from the answers"] > at["The questions, and why each is asked"]
    assert at["Safeguards the tool always keeps"] < at["Body map"]


def test_pdf_opens_with_contents_and_what_to_do_within_three_pages(
    baseline_loaded: Loaded,
) -> None:
    pages = _pdf_pages(handbook_pdf(_book(baseline_loaded)))
    assert "Contents" in pages[0]
    first_lines = pages[0].split("Contents", 1)[1]
    for chapter in ORDER:  # each chapter with its page number, which is where it starts
        line = next(x for x in first_lines.splitlines() if x.startswith(chapter[:30]))
        number = int(line.rsplit(maxsplit=1)[-1])
        assert chapter[:30] in " ".join(pages[number - 1].split()), chapter
    what = next(i for i, t in enumerate(pages) if "What to do: pathways" in t and i > 0)
    assert what <= 2  # page 1, 2 or 3
    assert "Protect the child now" in pages[what] or "Protect the child now" in pages[what + 1]


def test_no_filesystem_path_anywhere(baseline_loaded: Loaded) -> None:
    book = handbook.build(
        baseline_loaded.protocol,  # type: ignore[arg-type]
        file="/home/someone/secret-folder/national-baseline.yaml",
        sha256="0123456789abcdef" * 4,
        today=TODAY,
    )
    texts = [
        handbook_render.markdown(book),
        handbook_render.html(book),
        "\n".join(_pdf_pages(handbook_pdf(book))),
    ]
    for text in texts:
        assert "secret-folder" not in text and "/home/" not in text
        assert "national-baseline.yaml" not in text
    assert "0123456789abcdef0123456789abcdef" in texts[0]  # named by its SHA-256 instead


def test_every_page_with_a_placeholder_contact_says_so(baseline_loaded: Loaded) -> None:
    from bruising_check.render.handbook_pdf import PLACEHOLDER_FOOT

    pages = _pdf_pages(handbook_pdf(_book(baseline_loaded)))
    with_placeholders = [i for i, t in enumerate(pages) if "[PLACEHOLDER" in t]
    assert len(with_placeholders) >= 3
    for i in with_placeholders:
        assert PLACEHOLDER_FOOT in pages[i], i + 1
    # ...and only those: a page without one does not cry wolf.
    assert all(PLACEHOLDER_FOOT not in t for i, t in enumerate(pages) if i not in with_placeholders)


def test_pdf_has_the_flowchart_and_a_body_map(baseline_loaded: Loaded) -> None:
    pages = _pdf_pages(handbook_pdf(_book(baseline_loaded)))
    chart = next(t for t in pages if "PROTECT NOW" in t and "Independently mobile?" in t)
    assert "Does anyone say a person caused a" in chart
    assert any("Body map" in t and "Front" in t and "Back" in t for t in pages)
    html = handbook_render.html(_book(baseline_loaded))
    assert 'class="bodymap" role="img"' in html and '<figure class="chart">\n<svg' in html
