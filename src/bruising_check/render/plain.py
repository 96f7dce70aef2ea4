"""Thin emitters of a `Document` as plain text (80 columns, ready to paste into a clinical record),
as Markdown, and as styled lines for the guided result screen. Text is made safe at the boundary
(`render.safe.visible`; Markdown also escaped), so protocol and user text show literally.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import replace

from bruising_check.records.record import Record
from bruising_check.render import rationale
from bruising_check.render.blocks import (
    Banner,
    Block,
    BodyMap,
    Bullets,
    Chart,
    Checklist,
    Document,
    Fields,
    Node,
    Outline,
    Para,
    Section,
    Signature,
    Subheading,
    Table,
    Warning,
)
from bruising_check.render.markdown import md_escape, md_url
from bruising_check.render.safe import visible

WIDTH = 80
BLANK = "_" * 40  # a missing header field: a line to fill in by hand
LABEL_W = 18


def _wrap(text: str, indent: str = "", first: str | None = None, width: int = WIDTH) -> list[str]:
    words = " ".join(str(text).split())
    lead = indent if first is None else first
    if words and len(lead) + len(words) <= width:
        return [lead + words]  # what textwrap gives a line that fits, without its work
    return textwrap.wrap(
        words,
        width,
        initial_indent=lead,
        subsequent_indent=indent,
        break_long_words=False,  # web addresses and checksums stay whole, to copy
        break_on_hyphens=False,
    ) or [lead]


def _map_lines(b: BodyMap) -> Iterator[str]:
    listed = f": {_map_list(b)}" if b.marks else "."
    yield from _wrap("Body map (drawn in the PDF and HTML printouts)" + listed)


def _map_list(b: BodyMap) -> str:
    return "; ".join(f"{m.number} {m.label}" for m in b.marks)


# --- text -------------------------------------------------------------------------------------


def text_lines(doc: Document, *, screen: bool = False, width: int = WIDTH) -> Iterator[str]:
    """The document as plain lines; `screen`: only the sections shown on the result screen."""
    rule = "=" * width
    if not screen:
        yield rule
        yield doc.title.upper()
        yield rule
    for section in doc.sections:
        if screen and not section.on_screen:
            continue
        if section.heading:
            yield ""
            yield section.heading.upper()
            yield "-" * min(len(section.heading), width)
        for block in section.blocks:
            yield from _text_block(block, width)
    if not screen:
        yield rule


def _text_block(b: Block, width: int) -> Iterator[str]:
    match b:
        case Para(text=t, label=str(label)):
            yield from _wrap(f"{label} {t}", width=width)
        case Subheading(text=t):
            yield ""
            yield from _wrap(t, width=width)
        case Outline(items=items):
            yield from _text_outline(items, 0, width)
        case Chart(caption=caption):
            yield from _wrap(caption + " (drawn in the PDF and HTML)", width=width)
        case Para(text=t, style="quote"):
            for line in t.splitlines() or [""]:
                yield from _wrap(line, "    | ", "    | ", width)
        case Para(text=t):
            yield from _wrap(t, width=width)
        case Fields(rows=rows):
            column = min(max([LABEL_W - 2, *(len(label) for label, _ in rows)]) + 2, 40)
            for label, value in rows:
                shown = value if value is not None else BLANK
                if len(label) + 2 > column:
                    if len(label) + 2 + len(shown) <= width:  # label and value on one line
                        yield from _wrap(
                            f"{label}: {shown}", width=width
                        )  # spaces as _wrap has them
                        continue
                    yield from _wrap(label + ":", "  ", width=width)
                    yield from _wrap(shown, " " * LABEL_W, width=width)
                    continue
                first = f"{label + ':':<{column}}"
                yield from _wrap(shown, " " * column, first, width)
        case Checklist(items=items):
            for item in items:
                yield from _wrap(item.text, "      ", "[ ]   ", width)
                for label, value in item.details:
                    yield from _wrap(f"{label}: {value}", "          ", "      ", width)
        case Bullets(items=items, numbered=numbered):
            for n, bullet in enumerate(items, start=1):
                mark = f"  {n}. " if numbered else "  - "
                yield from _wrap(bullet.text, "    ", mark, width)
                for sub in bullet.sub:
                    yield from _wrap(sub, "      ", "      ", width)
        case Table(header=header, rows=rows):
            for row in rows:
                yield from _wrap(row[0], "    ", "  - ", width)
                for name, cell in zip(header[1:], row[1:], strict=False):
                    if len(header) == 2:
                        yield from _wrap(cell, "      ", "    > ", width)
                    elif cell:
                        yield from _wrap(f"{name}: {cell}", "      ", "    ", width)
        case Warning(text=t):
            yield from _wrap("! " + t, "  ", width=width)
        case Banner(title=title, timescales=lines, lines=more):
            yield "*" * width
            yield from _wrap(title.upper(), "         ", "PATHWAY: ", width)
            for line in lines:
                yield from _wrap(line, "  ", width=width)
            for line in more:
                yield from _wrap(line, width=width)
            yield "*" * width
        case BodyMap():
            yield from _map_lines(b)
            yield from _wrap(b.caption, width=width)
        case Signature(fields=fields):
            for field in fields:
                yield ""
                yield f"  {field + ':':<15}" + "_" * (width - 17)


def text(record: Record) -> str:
    return visible("\n".join(text_lines(rationale.document(record))) + "\n")


NEW_ACTION = "New (from the answers about the family): "


def final_screen_lines(record: Record, added: set[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """The final result after the context questions: the pathway (unchanged) and the whole
    checklist, each action the family answers added marked as new. `added`: (from, action id)."""
    doc = rationale.document(record)
    kept: list[Section] = []
    for section in doc.sections:
        if section.heading is None and section.on_screen:
            kept.append(section)
        elif any(isinstance(b, Checklist) for b in section.blocks):  # the actions
            blocks = tuple(
                Checklist(
                    tuple(
                        replace(c, text=NEW_ACTION + c.text) if (a.from_, a.id) in added else c
                        for c, a in zip(b.items, record.actions, strict=True)
                    )
                )
                if isinstance(b, Checklist)
                else b
                for b in section.blocks
            )
            kept.append(replace(section, blocks=blocks))
    yield from screen_lines(record, replace(doc, sections=tuple(kept)))


def screen_lines(record: Record, doc: Document | None = None) -> Iterator[tuple[str, str]]:
    """The result screen: the same document as text, with a style per line for the terminal
    (headings bold, the pathway box reversed). The caller shows each line safely."""
    doc = doc or rationale.document(record)
    banner = False
    for line in text_lines(doc, screen=True, width=76):
        if line.startswith("*" * 10):
            banner = not banner
            continue
        if banner:
            yield line, "bold reverse"
        elif line.isupper() and line.strip() and not line.startswith("["):
            yield line, "bold"
        elif line.startswith("-" * 3) and set(line) == {"-"}:
            continue
        else:
            yield line, ""


# --- Markdown ---------------------------------------------------------------------------------


def markdown_lines(doc: Document) -> Iterator[str]:
    e = md_escape
    yield f"# {e(doc.title)}"
    for section in doc.sections:
        if section.heading:
            yield ""
            yield f"## {e(section.heading)}"
        for block in section.blocks:
            yield ""
            yield from _md_block(block)


def _text_outline(items: tuple[Node, ...], depth: int, width: int) -> Iterator[str]:
    for it in items:
        text = " ".join(x for x in (it.label, it.text, it.url) if x)
        yield from _wrap(text, "  " * depth + "    ", "  " * depth + "  - ", width)
        yield from _text_outline(it.children, depth + 1, width)


def _md_outline(items: tuple[Node, ...], depth: int) -> Iterator[str]:
    e = md_escape
    for it in items:
        parts = []
        if it.label:
            parts.append(f"**{e(it.label)}**")
        if it.text:
            parts.append(e(it.text, line_start=not it.label))
        if it.url:
            parts.append(md_url(it.url))
        yield "  " * depth + "- " + " ".join(parts)
        yield from _md_outline(it.children, depth + 1)


def _md_block(b: Block) -> Iterator[str]:
    e = md_escape
    match b:
        case Para(text=t, label=str(label)):
            yield f"**{e(label)}** {e(t)}"
        case Subheading(text=t):
            yield f"### {e(t, line_start=True)}"
        case Outline(items=items):
            yield from _md_outline(items, 0)
        case Chart(caption=caption):
            yield f"*{e(caption)} (drawn in the HTML and PDF; also `show --format png`)*"
        case Para(text=t, style="quote"):
            yield "> " + e(t)
        case Para(text=t, style="strong"):
            yield f"**{e(t)}**"
        case Para(text=t, style="small"):
            yield f"*{e(t)}*"
        case Para(text=t):
            yield e(t)
        case Fields(rows=rows):
            for label, value in rows:
                yield f"- **{e(label)}:** {e(value) if value is not None else BLANK}"
        case Checklist(items=items):
            for item in items:
                yield f"- [ ] {e(item.text)}"
                for label, value in item.details:
                    yield f"  - *{e(label)}:* {e(value)}"
        case Bullets(items=items, numbered=numbered):
            for n, bullet in enumerate(items, start=1):
                yield f"{n}. {e(bullet.text)}" if numbered else f"- {e(bullet.text)}"
                for sub in bullet.sub:
                    url = sub.rsplit(" ", 1)
                    if len(url) == 2 and url[1].startswith(("http://", "https://")):
                        yield f"  - {e(url[0])} {md_url(url[1])}"
                    elif sub.startswith(("http://", "https://")):
                        yield f"  - {md_url(sub)}"
                    else:
                        yield f"  - {e(sub)}"
        case Table(header=header, rows=rows):
            yield "| " + " | ".join(e(h) for h in header) + " |"
            yield "|" + "---|" * len(header)
            for row in rows:
                yield "| " + " | ".join(e(c) for c in row) + " |"
        case Warning(text=t):
            yield f"> **{e(t)}**"
        case Banner(title=title, timescales=lines, lines=more):
            yield f"> ### {e(title)}"
            for line in lines:
                yield ">"
                yield f"> **{e(line)}**"
            for line in more:
                yield ">"
                yield f"> {e(line)}"
        case BodyMap():
            listed = f": {_map_list(b)}" if b.marks else "."
            yield e("Body map (drawn in the PDF and HTML printouts)" + listed)
            yield ""
            yield e(b.caption)
        case Signature(fields=fields):
            for field in fields:
                yield f"- {e(field)}: ______________________________"


def markdown(record: Record) -> str:
    return visible("\n".join(markdown_lines(rationale.document(record))) + "\n")
