"""The handbook (see `handbook`) as Markdown and as a standalone HTML page, protocol text shown
literally in both: escaped for Markdown, HTML-escaped, and links only for http(s) addresses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bruising_check import STATEMENT
from bruising_check.render import bodymap, chart_draw, safe
from bruising_check.render.handbook import Figure, Handbook, Heading, Item, Items, Para, Warning
from bruising_check.render.markdown import md_escape

# --- Markdown -----------------------------------------------------------------------------------


def markdown(book: Handbook) -> str:
    e = md_escape
    out: list[str] = []
    for block in book.blocks:
        match block:
            case Heading(level=level, text=text):
                out += ["#" * level + " " + e(text, line_start=True), ""]
            case Para(text=text, label=label):
                lead = f"**{e(label)}** " if label else ""
                out += [lead + e(text, line_start=not label), ""]
            case Warning(text=text):
                out += [f"> **Warning:** {e(text)}", ""]
            case Items(items=items):
                out += [*_md_items(items, 0), ""]
            case Figure(kind=kind):
                what = "flowchart" if kind == "flowchart" else "body map"
                how = (
                    "`bruising-check show --format png` draws it"
                    if kind == "flowchart"
                    else "the printed record has one"
                )
                out += [f"*The {what} is drawn in the HTML and PDF handbook; {how}.*", ""]
    out += ["---", "", f"*{e(STATEMENT)}*", ""]
    return safe.visible("\n".join(out))


def _md_items(items: Sequence[Item], depth: int) -> Iterator[str]:
    e = md_escape
    for it in items:
        parts = []
        if it.label:
            parts.append(f"**{e(it.label)}**")
        if it.text:
            parts.append(e(it.text, line_start=not it.label))
        if it.url:
            parts.append(safe.markdown_url(it.url))
        yield "  " * depth + "- " + " ".join(parts)
        yield from _md_items(it.children, depth + 1)


# --- HTML ---------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { margin-bottom: .3rem; }
.warning { border-left: 4px solid #b00000; background: #fff1f0; padding: .5rem .8rem; }
figure svg { max-width: 100%; height: auto; } figure.bodymap svg { max-width: 28rem; }
footer { margin-top: 3rem; border-top: 1px solid #ccc; font-style: italic; }
@media print { body { max-width: none; } a { color: inherit; } }
"""


def html(book: Handbook) -> str:
    h = safe.html
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(book.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    for block in book.blocks:
        match block:
            case Heading(level=level, text=text, anchor=anchor):
                ident = f' id="{h(anchor)}"' if anchor else ""
                out.append(f"<h{level}{ident}>{h(text)}</h{level}>")
            case Para(text=text, label=label):
                lead = f"<strong>{h(label)}</strong> " if label else ""
                out.append(f"<p>{lead}{h(text)}</p>")
            case Warning(text=text):
                out.append(f'<p class="warning"><strong>Warning:</strong> {h(text)}</p>')
            case Items(items=items):
                out.extend(_html_items(items))
            case Figure(kind="flowchart", scene=scene, caption=caption) if scene is not None:
                picture = chart_draw.svg(scene).split("\n", 1)[1]  # without the XML declaration
                out.append(f'<figure class="chart">{picture}<figcaption>{h(caption)}</figcaption>')
                out.append("</figure>")
            case Figure(kind="bodymap", caption=caption):
                out.append(f'<figure class="bodymap">{bodymap.svg((), "Body map")}')
                out.append(f"<figcaption>{h(caption)}</figcaption></figure>")
    out += [f"<footer><p>{h(STATEMENT)}</p></footer>", "</body>", "</html>", ""]
    return safe.visible("\n".join(out))


def _html_items(items: Sequence[Item]) -> Iterator[str]:
    h = safe.html
    yield "<ul>"
    for it in items:
        parts = []
        if it.label:
            parts.append(f"<strong>{h(it.label)}</strong>")
        if it.text:
            parts.append(h(it.text))
        if it.url and safe.is_plain_url(it.url):
            parts.append(f'<a href="{h(it.url)}">{h(it.url)}</a>')
        elif it.url:  # never a link for other schemes (javascript:, data:, ...)
            parts.append(h(it.url))
        yield "<li>" + " ".join(parts)
        if it.children:
            yield from _html_items(it.children)
        yield "</li>"
    yield "</ul>"
