"""Properties of the one text-safety policy (`render.safe`), for any text: what it returns holds
no character a terminal, a browser or a PDF would act on, and what a person reads is the text as
written (escapes made visible, nothing dropped)."""

from __future__ import annotations

import html as htmllib
import io
import json
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pypdf import PdfReader

from bruising_check.render import safe
from bruising_check.render.pdfdoc import Document

# Written independently of safe.py: what no output may hold raw (ZWJ/ZWNJ are allowed between
# non-Latin letters, where they shape Arabic and Indic script, and checked separately).
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)
NASTY = st.sampled_from(
    [
        *"\x1b\x07\x08\r\x00\x9b\u202e\u202d\u2066\u2069\u200b\u200c\u200d\u2060\ufeff\xad",
        *["\U000e0041", "\ud800", "\x1b]52;c;aGk=\x07", "\x1b[2J"],
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=12).map("".join)
MARKUP = st.lists(
    st.one_of(
        st.sampled_from(list("*_`[]()<>&!#|~\\-+=.1 \"'")),
        st.sampled_from(["**", "__", "](javascript:x)", "<script>", "&amp;", "1. ", "> "]),
        st.text(alphabet="abcdé中ب", max_size=3),
        NASTY,
    ),
    max_size=16,
).map("".join)


@given(TEXT)
def test_visible_leaves_nothing_to_obey(text: str) -> None:
    shown = safe.visible(text)
    assert not RAW.search(shown)
    assert safe.visible(shown) == shown  # idempotent: safe to apply at every boundary
    assert safe.is_safe(shown)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Zl", "Zp"])))
def test_visible_changes_no_ordinary_text(text: str) -> None:
    assert safe.visible(text) == text


def test_joiners_are_kept_only_where_they_shape_script() -> None:
    assert safe.visible("क्\u200dष") == "क्\u200dष"  # Devanagari conjunct
    assert safe.visible("می\u200cخواهم") == "می\u200cخواهم"  # Persian/Urdu ZWNJ
    assert safe.visible("👨\u200d👩") == "👨\u200d👩"  # an emoji sequence
    assert safe.visible("pay\u200dpal") == "pay\\u200dpal"  # hiding in Latin text
    assert safe.visible("\u200d") == "\\u200d"
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert safe.visible(england) == england
    assert safe.visible("x\U000e0041") == "x\\U000e0041"


@given(TEXT)
def test_json_safe_parses_back_to_the_text(text: str) -> None:
    out = safe.json_safe(json.dumps({"t": text}, ensure_ascii=False))
    assert not RAW.search(out)
    assert json.loads(out) == {"t": text}


@given(MARKUP)
def test_html_creates_no_markup(text: str) -> None:
    out = safe.html(text)
    assert not re.search("[<>\"']", out) and not RAW.search(out)
    assert htmllib.unescape(out) == safe.visible(text)


@settings(max_examples=300)
@given(MARKUP)
@example(" 1. ")  # a list marker after a space, found by this test
@example("    code")
def test_markdown_renders_as_the_text_and_nothing_else(text: str) -> None:
    md = safe.markdown(text, line_start=True)
    assert not RAW.search(md)
    rendered = MarkdownIt("commonmark").render(md)
    # One paragraph (or nothing), with no tag of its own: no emphasis, link, code, HTML.
    body = re.sub(r"^<p>|</p>\n$", "", rendered)
    assert "<" not in body, (text, md, rendered)
    shown = " ".join(safe.visible(text.replace("\n", " ")).split())
    assert " ".join(htmllib.unescape(body).split()) == shown


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P", "S"])))
def test_markdown_url_links_only_plain_addresses(rest: str) -> None:
    out = safe.markdown_url("https://example.org/" + rest)
    html = MarkdownIt("commonmark").render(out)
    assert "<img" not in html and "<script" not in html and "onerror" not in html.split('"')[0]
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith("https://example.org/")
    assert safe.markdown_url("javascript:alert(1)") == "javascript:alert(1)"


def _pdf_text(*parts: tuple[str, bool]) -> str:
    doc = Document("t")
    doc.add_page()
    doc.multi_cell(0, 5, "".join(text for text, _ in parts), markdown=True)
    reader = PdfReader(io.BytesIO(doc.output_bytes()))
    return reader.pages[0].extract_text()


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="*_-~\\ab[]():{}n", min_size=1, max_size=12))
def test_pdf_markdown_prints_as_written(text: str) -> None:
    label = f"**{safe.pdf_markdown('x', last=False)}** "
    printed = _pdf_text((label, False), (safe.pdf_markdown(text), True))
    assert printed.split("\n")[0] == f"x {text}"


def test_pdf_markdown_never_links() -> None:
    doc = Document("t")
    doc.add_page()
    doc.multi_cell(0, 5, safe.pdf_markdown("[click](javascript:alert(1)) {nb}"), markdown=True)
    data = doc.output_bytes()
    assert b"/URI" not in data and b"/Link" not in data
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "[click](javascript:alert(1)) {nb}" in text
