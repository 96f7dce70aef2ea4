"""The one text-safety policy: text from a protocol, an answers file or a person is shown as
written, never obeyed. Every emitter calls it at its boundary (see SECURITY.md).

A protocol travels by e-mail and answers are typed by people, so either may carry terminal escape
sequences (ESC, CSI, OSC — OSC 52 writes the clipboard), backspaces or carriage returns that rewrite
what is on screen, Unicode direction overrides and isolates that make text read differently from
what it is (U+202A-202E, U+2066-2069), or invisible characters (zero-width space, word joiner,
BOM, tag characters) that hide text. Every such character is shown as a visible escape (`\\x1b`,
`\\u202e`, `\\U000e0041`); tab and newline are kept.

Two invisible characters do real work in the scripts people in England write: ZWJ and ZWNJ shape
Arabic, Urdu, Devanagari and Bengali words and join emoji. They are kept only *between* two
non-ASCII letters, marks or symbols (where they can do nothing but shape) and escaped anywhere
else. Tag characters are kept only inside an emoji flag sequence (England's flag is one).

One function per kind of output:

| output | function | what it does besides `visible` |
|---|---|---|
| terminal, plain text, CSV, PDF | `visible` | nothing |
| JSON | `json_safe` | the same characters as `\\uXXXX`: parses back to the original |
| YAML | `yaml_dump` | such strings double-quoted, the characters as YAML escapes: the same |
| Markdown | `markdown` | escapes what Markdown or HTML would act on; `markdown_url` for links |
| HTML and SVG | `html` | escapes `<>&"'` |
| fpdf2 markdown mode | `pdf_markdown` | escapes fpdf2's `**`, `__`, `~~`, `--` and backslashes |
"""

from __future__ import annotations

import re
from collections.abc import Callable


class TextWarning(UserWarning):
    """Text could not be shown exactly as written (a font lacks a character, say); the CLI shows
    these as one `warning:` line on stderr."""


# Always unsafe: C0 controls except tab and newline, DEL, C1 controls, line/paragraph separators,
# bidirectional marks, embeddings, overrides and isolates, and invisible format characters
# (soft hyphen, Mongolian vowel separator, zero-width space, word joiner and the invisible
# operators, deprecated format characters, BOM, interlinear annotation), lone surrogates (text
# decoded with `surrogateescape`, which no stream can encode) and noncharacters.
_ALWAYS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff"
)
_JOINERS = "\u200c\u200d"
_TAGS = "\U000e0000-\U000e007f"
_UNSAFE = re.compile(f"[{_ALWAYS}{_JOINERS}{_TAGS}]")
# Kept in place: a joiner between two letters, marks, digits or symbols beyond Latin (the
# lookbehind is one character), and emoji tag sequences; anything else unsafe is escaped.
_OTHER = "[^\x00-\u024f" + _ALWAYS + _JOINERS + _TAGS + "]"
_SCAN = re.compile(
    f"(?P<keep>(?<={_OTHER})[{_JOINERS}](?={_OTHER})"
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"
    f"|(?P<bad>[{_ALWAYS}{_JOINERS}{_TAGS}]+)"
)


def _code(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _json_code(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # JSON has only \\uXXXX: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _sub(text: str, code: Callable[[str], str]) -> str:
    if not _UNSAFE.search(text):
        return text  # the common case: nothing to do
    return _SCAN.sub(
        lambda m: m.group() if m.group("keep") else "".join(code(ch) for ch in m.group()), text
    )


def visible(text: object) -> str:
    """`text` with every unsafe character replaced by a visible escape; newlines and tabs kept."""
    return _sub(str(text), _code)


def is_safe(text: str) -> bool:
    """True when `visible` would leave `text` unchanged (what the tests assert of every output)."""
    return visible(text) == text


def json_safe(text: str) -> str:
    """For JSON written with `ensure_ascii=False`: the same characters as `\\uXXXX` escapes, so
    the JSON still parses to exactly the original text but a terminal never obeys them.
    (json.dumps already escapes C0 controls; C1 and the rest pass through raw.)"""
    return _sub(text, _json_code)


def yaml_dump(data: object) -> str:
    """`data` as YAML (block style, keys in order, Unicode as written) that parses back to the
    same text: a string holding an unsafe character is double-quoted and the character written
    as a YAML escape (`\\u202e`), which a terminal never obeys."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = None if is_safe(value) else '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, string)
    # Double-quoted YAML takes `\\xXX`, `\\uXXXX` and `\\UXXXXXXXX`: `visible`'s escapes.
    return visible(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True))


def html(text: object) -> str:
    """For HTML and SVG (XML) text and attribute values: visible, then `<>&"'` escaped."""
    # Imported here: `html` reads its table of entities, which text output never needs.
    from html import escape

    return escape(visible(text), quote=True)


# Markdown: what acts anywhere (emphasis, code, links, HTML, tables, attribute lists), as a
# backslash escape, and what starts HTML as a character reference (with no `<` there is no tag,
# so quotes are harmless). `(`, `)` and `!` act
# only next to a `[` or `]`, which is always escaped, so they stay as written (readable source).
_MD_INLINE = set("\\`*_{}[]|~")
_MD_HTML = set("<>&")


def markdown(text: object, *, line_start: bool = False) -> str:
    """Show text literally in Markdown (CommonMark and GitHub): line breaks become spaces, every
    character Markdown or HTML could act on is escaped, and with `line_start`, what would start a
    block (heading, list, quote, rule) too."""
    out = []
    for ch in visible(" ".join(str(text).split("\n"))).replace("\r", " "):
        if ch in _MD_HTML:
            out.append(f"&#{ord(ch)};")
        elif ch in _MD_INLINE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    if line_start:
        # Up to three spaces before a marker still start a block, four start code: a paragraph
        # drops leading white space anyway, so leave it out and look at what follows.
        s = s.lstrip(" \t")
    if line_start and s:
        if s[0] in "#-+=>":
            s = "\\" + s
        else:  # "1. " or "1) " would start a numbered list
            digits = len(s) - len(s.lstrip("0123456789"))
            if digits and s[digits : digits + 1] in {".", ")"}:
                s = s[:digits] + "\\" + s[digits:]
    return s


# A plain web address: http(s), a host, then only characters that can neither end a Markdown
# autolink nor start HTML (no space, <, >, quotes, backslash, backtick, controls or bidi).
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]*)?"
)


def is_plain_url(url: str) -> bool:
    """True for an http(s) address that is safe to make a link in Markdown and HTML."""
    return _PLAIN_URL.fullmatch(url) is not None


def markdown_url(url: str) -> str:
    """A web address as a Markdown autolink only when it is plainly one; otherwise as escaped
    text, so a protocol cannot smuggle HTML or a `javascript:` link into the document."""
    return f"<{url}>" if is_plain_url(url) else markdown(url)


_PDF_MARKERS = re.compile(r"\*\*|__|~~|--")


def pdf_markdown(text: object, *, last: bool = True) -> str:
    """For fpdf2's `markdown=True` mode: `**`, `__`, `~~` and `--` print as written (a backslash
    before each) and a backslash stays one backslash. `last`: nothing follows in the same call
    (fpdf2 prints a backslash run at the very end as it is, elsewhere halved). Links
    (`[text](url)`) are switched off in `pdfdoc.Document`, so a `](javascript:` prints as text."""
    s = visible(text).replace("\\", "\\\\")
    s = _PDF_MARKERS.sub(lambda m: "\\" + m.group(), s)
    tail = len(s) - len(s.rstrip("\\"))
    return s[: len(s) - tail // 2] if last and tail else s
