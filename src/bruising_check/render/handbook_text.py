"""The handbook (see `handbook`) as Markdown and as a standalone HTML page: the printouts' own
emitters of the one block `Document` (`plain`, `html`), so protocol text is shown literally by
the same policy (escaped for Markdown, HTML-escaped, links only for http(s) addresses)."""

from __future__ import annotations

from bruising_check.render import html as html_emitter
from bruising_check.render import plain
from bruising_check.render.blocks import Document
from bruising_check.render.safe import visible


def markdown(book: Document) -> str:
    return visible("\n".join(plain.markdown_lines(book)) + "\n")


def html(book: Document) -> str:
    return visible("\n".join(html_emitter.html_lines(book)) + "\n")
