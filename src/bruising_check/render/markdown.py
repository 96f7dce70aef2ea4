"""Markdown escaping, once for every Markdown emitter (the record, the handbook, the diff report):
text shows literally, and the source stays readable."""

from __future__ import annotations

import re


def md_escape(value: str, *, line_start: bool = False) -> str:
    """Show text literally in Markdown, but keep the source readable: escape what acts anywhere
    (emphasis, code, links, HTML, tables) and, at the start of a line, what starts a block.
    Line breaks and runs of white space become one space."""
    out = []
    for ch in " ".join(str(value).split()):
        if ch in "<>&":
            out.append(f"&#{ord(ch)};")
        elif ch in "\\`*_[]|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out)
    if line_start and text:
        if text[0] in "#-+=>!":
            text = "\\" + text
        else:  # "1. " or "1) " would start a numbered list
            digits = len(text) - len(text.lstrip("0123456789"))
            if digits and text[digits : digits + 1] in {".", ")"}:
                text = text[:digits] + "\\" + text[digits:]
    return text


def md_url(url: str | None) -> str:
    """A web address as a Markdown autolink only when it is plainly one; otherwise as escaped
    text, so a protocol cannot smuggle HTML or a `javascript:` link into the document."""
    if not url:
        return ""
    if re.fullmatch(r"https?://[^\s<>\"'`\\()\[\]]+", url):
        return f"<{url}>"
    return md_escape(url)
