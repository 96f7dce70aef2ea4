"""Markdown escaping, once for every Markdown emitter (the record, the handbook, the diff report):
text shows literally, and the source stays readable. The policy itself is `render.safe`."""

from __future__ import annotations

from bruising_check.render import safe


def md_escape(value: str, *, line_start: bool = False) -> str:
    """Show text literally in Markdown (`safe.markdown`); line breaks and runs of white space
    become one space."""
    return safe.markdown(" ".join(str(value).split()), line_start=line_start)


def md_url(url: str | None) -> str:
    """A web address as a Markdown autolink only when it is plainly one; otherwise as escaped
    text, so a protocol cannot smuggle HTML or a `javascript:` link into the document."""
    return safe.markdown_url(url) if url else ""
