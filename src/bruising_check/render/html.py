"""A thin emitter of a `Document` as one self-contained HTML file (no scripts, fonts or images
fetched), with print CSS for A4: every printed page carries the running head (child reference,
date, protocol version) and an action never splits from its contact. Every text from the
protocol or a person is made visible (`render.safe`) and escaped, so no HTML in it takes effect.
"""

from __future__ import annotations

from collections.abc import Iterator

from bruising_check import STATEMENT
from bruising_check.records.record import Record
from bruising_check.render import bodymap, rationale, safe
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
    Signature,
    Subheading,
    Table,
    Warning,
)
from bruising_check.render.safe import visible

CSS = """
@page { size: A4; margin: 18mm 14mm 20mm 14mm;
  @top-left { content: RUNNING; font: 8pt "DejaVu Sans", Arial, sans-serif; }
  @bottom-left { content: STATEMENT; font: 7pt "DejaVu Sans", Arial, sans-serif; }
  @bottom-right { content: "page " counter(page) " of " counter(pages);
    font: 8pt "DejaVu Sans", Arial, sans-serif; } }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35;
  color: #000; background: #fff; max-width: 190mm; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; border-bottom: 1px solid #666; margin: 1.2em 0 .4em; break-after: avoid; }
dl.fields { display: grid; grid-template-columns: 11em 1fr; gap: .2em .8em; margin: 0; }
dl.fields dt { font-weight: bold; } dl.fields dd { margin: 0; overflow-wrap: anywhere; }
dl.fields dd.blank { border-bottom: 1px solid #000; min-height: 1.3em; }
.pathway { border: 3px solid #000; padding: .6em .9em; margin: 1em 0; break-inside: avoid; }
.pathway .title { font-size: 20pt; font-weight: bold; line-height: 1.2; margin: 0; }
.pathway .timescale { font-size: 14pt; font-weight: bold; margin: .3em 0 0; }
.warning { border-left: 5px solid #b71c1c; padding-left: .6em; font-weight: bold; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { margin: .5em 0; padding-left: 2em; position: relative; break-inside: avoid; }
ul.checklist li .box { position: absolute; left: 0; top: .1em; width: 1em; height: 1em;
  border: 1.5px solid #000; }
.detail { color: #222; font-size: 10pt; margin: 0; }
.placeholder { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #767676; padding: .25em .4em; text-align: left; vertical-align: top; }
tr { break-inside: avoid; }
.quote { white-space: pre-wrap; border-left: 3px solid #767676; padding-left: .6em; }
.small { font-size: 9pt; color: #333; overflow-wrap: anywhere; }
figure { margin: 0; break-inside: avoid; }
svg.bodymap { width: 100%; height: auto; max-height: 120mm; }
svg.bodymap text { font-family: inherit; font-size: 10px; }
svg.bodymap text.view { font-size: 13px; font-weight: bold; }
svg.bodymap text.side { font-size: 9px; fill: #333; }
svg.bodymap text.number { font-size: 9px; font-weight: bold; }
.sign { display: grid; grid-template-columns: 9em 1fr; gap: 1.4em .8em; margin-top: 1em;
  break-inside: avoid; }
.sign div.line { border-bottom: 1px solid #000; }
@media print { body { margin: 0; padding: 0; max-width: none; } a { color: #000; } }
"""


def css_string(text: str) -> str:
    """A CSS string that holds `text` and nothing else: every character but letters, digits and
    spaces is a hex escape, so no quote, backslash or `</style>` can end it."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


# Only for documents that have them (the handbook): a printout's page stays as it was.
BOOK_CSS = """figure.chart svg { width: 100%; height: auto; }
h3 { font-size: 11.5pt; margin: 1em 0 .3em; break-after: avoid; }
"""


def _css(doc: Document) -> str:
    css = CSS.replace("RUNNING", css_string(doc.running_head)).replace(
        "STATEMENT", css_string(STATEMENT)
    )
    blocks = [b for s in doc.sections for b in s.blocks]
    if any(isinstance(b, Chart | Subheading | Outline) for b in blocks):
        css += BOOK_CSS
    return css


def e(text: str) -> str:
    return safe.html(text)


def html_lines(doc: Document) -> Iterator[str]:
    yield "<!DOCTYPE html>"
    yield '<html lang="en-GB">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield f"<title>{e(doc.title)}</title>"
    yield f"<style>{_css(doc)}</style>"
    yield "</head>"
    yield "<body>"
    yield "<main>"
    yield f"<h1>{e(doc.title)}</h1>"
    for section in doc.sections:
        if section.heading:
            ident = f' id="{e(section.anchor)}"' if section.anchor else ""
            yield "<section>"
            yield f"<h2{ident}>{e(section.heading)}</h2>"
        for block in section.blocks:
            yield from _block(block)
        if section.heading:
            yield "</section>"
    yield "</main>"
    yield "</body>"
    yield "</html>"


def _block(b: Block) -> Iterator[str]:
    match b:
        case Para(text=t, label=str(label)):
            yield f"<p><strong>{e(label)}</strong> {e(t)}</p>"
        case Subheading(text=t, anchor=anchor):
            ident = f' id="{e(anchor)}"' if anchor else ""
            yield f"<h3{ident}>{e(t)}</h3>"
        case Outline(items=items):
            yield from _outline(items)
        case Chart(scene=scene, caption=caption):
            from bruising_check.render.chart_draw import svg

            yield '<figure class="chart">'
            yield svg(scene).split("\n", 1)[1].rstrip("\n")  # without the XML declaration
            yield f'<figcaption class="small">{e(caption)}</figcaption>'
            yield "</figure>"
        case Para(text=t, style="quote"):
            yield f'<p class="quote">{e(t)}</p>'
        case Para(text=t, style="strong"):
            yield f"<p><strong>{e(t)}</strong></p>"
        case Para(text=t, style="small"):
            yield f'<p class="small">{e(t)}</p>'
        case Para(text=t):
            yield f"<p>{e(t)}</p>"
        case Fields(rows=rows):
            yield '<dl class="fields">'
            for label, value in rows:
                if value is None:
                    yield f'<dt>{e(label)}</dt><dd class="blank"><span class="small">'
                    yield "(blank: fill in by hand)</span></dd>"
                else:
                    yield f"<dt>{e(label)}</dt><dd>{e(value)}</dd>"
            yield "</dl>"
        case Checklist(items=items):
            yield '<ul class="checklist">'
            for item in items:
                yield f'<li><span class="box" aria-hidden="true"></span>{e(item.text)}'
                for label, value in item.details:
                    cls = (
                        "detail placeholder"
                        if label == "Contact" and item.placeholder
                        else "detail"
                    )
                    yield f'<p class="{cls}"><b>{e(label)}:</b> {e(value)}</p>'
                yield "</li>"
            yield "</ul>"
        case Bullets(items=items, numbered=numbered):
            tag = "ol" if numbered else "ul"
            yield f"<{tag}>"
            for bullet in items:
                yield f"<li>{e(bullet.text)}"
                if bullet.sub:
                    yield '<ul class="small">'
                    yield from (f"<li>{e(sub)}</li>" for sub in bullet.sub)
                    yield "</ul>"
                yield "</li>"
            yield f"</{tag}>"
        case Table(header=header, rows=rows):
            yield "<table>"
            yield "<thead><tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in header)
            yield "</tr></thead><tbody>"
            for row in rows:
                yield "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
            yield "</tbody></table>"
        case Warning(text=t):
            yield f'<p class="warning">{e(t)}</p>'
        case Banner(title=title, timescales=lines, lines=more):
            yield '<div class="pathway" role="region" aria-label="Pathway">'
            yield f'<p class="title">{e(title)}</p>'
            for line in lines:
                yield f'<p class="timescale">{e(line)}</p>'
            for line in more:
                yield f"<p>{e(line)}</p>"
            yield "</div>"
        case BodyMap(marks=marks, caption=caption):
            listed = "; ".join(f"{m.number} {m.label}" for m in marks)
            name = f"Body map, front and back: {listed}" if marks else "Body map, front and back"
            yield "<figure>"
            yield bodymap.svg(marks, visible(name))
            yield f'<figcaption class="small">{e(caption)}</figcaption>'
            yield "</figure>"
        case Signature(fields=fields):
            yield '<div class="sign">'
            for field in fields:
                yield f'<div>{e(field)}</div><div class="line"></div>'
            yield "</div>"


def _outline(items: tuple[Node, ...]) -> Iterator[str]:
    yield "<ul>"
    for it in items:
        parts = []
        if it.label:
            parts.append(f"<strong>{e(it.label)}</strong>")
        if it.text:
            parts.append(e(it.text))
        if it.url and safe.is_plain_url(it.url):
            parts.append(f'<a href="{e(it.url)}">{e(it.url)}</a>')
        elif it.url:  # never a link for other schemes (javascript:, data:, ...)
            parts.append(e(it.url))
        yield "<li>" + " ".join(parts)
        if it.children:
            yield from _outline(it.children)
        yield "</li>"
    yield "</ul>"


def html(record: Record) -> str:
    return "\n".join(html_lines(rationale.document(record))) + "\n"
