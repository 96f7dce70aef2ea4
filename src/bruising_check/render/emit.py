"""One record in any output format: the format dispatch every command that prints a record uses.
The JSON record is the record's own serialisation, made terminal-safe here at its boundary."""

from __future__ import annotations

from bruising_check.records.record import Record
from bruising_check.render.safe import json_safe

FORMATS = ("text", "md", "json", "html", "pdf")


def rendered(record: Record, fmt: str) -> bytes:
    """The record as `fmt` (one of FORMATS), as the bytes to write or print."""
    if fmt == "pdf":
        from bruising_check.render.pdf import pdf

        return pdf(record)
    if fmt == "json":
        # Terminal controls json.dumps leaves raw become \\u escapes: the same text once parsed.
        return json_safe(record.to_json()).encode("utf-8")
    if fmt == "html":
        from bruising_check.render.html import html

        return html(record).encode("utf-8")
    from bruising_check.render import plain

    if fmt == "md":
        return plain.markdown(record).encode("utf-8")
    if fmt == "text":
        return plain.text(record).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
