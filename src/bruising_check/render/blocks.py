"""The one block document model: a document is sections of headings, paragraphs, field lists,
checklists, tables, warnings, a body map and a signature block, and for the handbook subheadings,
nested outlines and the drawn flowchart. Builders (the rationale, the handbook, the board paper,
the diff report) make a `Document`; thin emitters (terminal, text, Markdown, HTML, PDF) only lay
it out, each making text safe at its own boundary. Every text here is as written by the
protocol, the answers or a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bruising_check.render.chart import Scene

Style = Literal["normal", "strong", "small", "quote"]
Mark = Literal["plain", "del", "ins", "strong", "code", "warn"]
"""How a run of text inside a line is marked (the diff report: words removed and added, ids as
code, warnings)."""
Span = tuple[Mark, str]


@dataclass(frozen=True)
class Para:
    """A paragraph in one style, with an optional bold label."""

    text: str
    style: Style = "normal"
    label: str | None = None  # shown in bold before the text
    spans: tuple[Span, ...] = ()
    """The same text as marked runs, for an emitter that marks them (`text` is their join)."""


def marked(*spans: Span) -> Para:
    """A paragraph of marked runs."""
    return Para("".join(t for _, t in spans), spans=spans)


@dataclass(frozen=True)
class Fields:
    """Label and value rows; a value of None prints as a blank line to fill in by hand."""

    rows: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Check:
    """One action: a tick box, its text, and details (when, who, contact) kept with it."""

    text: str
    details: tuple[tuple[str, str], ...] = ()
    placeholder: bool = False


@dataclass(frozen=True)
class Checklist:
    """The actions, a tick box each."""

    items: tuple[Check, ...]


@dataclass(frozen=True)
class Bullet:
    """One entry of a list, with lines under it."""

    text: str
    sub: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    """The same text as marked runs (see `Para.spans`)."""


def marked_bullet(*spans: Span) -> Bullet:
    """A bullet of marked runs."""
    return Bullet("".join(t for _, t in spans), spans=spans)


@dataclass(frozen=True)
class Bullets:
    """A list, bulleted or numbered."""

    items: tuple[Bullet, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A header row, then rows."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Warning:
    """A warning, set apart from the text around it."""

    text: str


@dataclass(frozen=True)
class Banner:
    """The pathway box: the title large, then the timescale lines, then plain lines."""

    title: str
    timescales: tuple[str, ...]
    lines: tuple[str, ...] = ()
    urgency: int = 1


@dataclass(frozen=True)
class MapMark:
    """A numbered mark on the body map. `side`: left, right, midline, or None (not recorded)."""

    number: int
    site: str
    label: str
    side: str | None


@dataclass(frozen=True)
class BodyMap:
    """The body map: each mark drawn at its site, and a caption."""

    marks: tuple[MapMark, ...]
    caption: str


@dataclass(frozen=True)
class Signature:
    """The signature block: a line to fill in by hand for each field."""

    fields: tuple[str, ...]


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section (the handbook's pathways, rules, question groups)."""

    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Node:
    """One entry of an outline: a bold label, its text, a web address, and entries under it."""

    text: str
    label: str | None = None
    url: str | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Outline:
    """Nested entries, as deep as they go (a rule's condition in plain English)."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Chart:
    """The drawn flowchart (`render.chart`), on a page of its own where pages exist."""

    scene: Scene
    caption: str


Block = (
    Para
    | Fields
    | Checklist
    | Bullets
    | Table
    | Warning
    | Banner
    | BodyMap
    | Signature
    | Subheading
    | Outline
    | Chart
)


@dataclass(frozen=True)
class Section:
    """A heading (or none) and its blocks."""

    heading: str | None
    blocks: tuple[Block, ...]
    on_screen: bool = True  # shown on the guided result screen too (not the signature, say)
    anchor: str | None = None  # an id for links to the section (HTML)


@dataclass(frozen=True)
class Document:
    """A whole document: its title, the running head of every page, its sections."""

    title: str
    running_head: str  # on every printed page: child reference, date, protocol version
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def outline(self, *, screen: bool = False) -> list[str]:
        """The section headings in order (on screen: those shown there)."""
        return [s.heading for s in self.sections if s.heading and (s.on_screen or not screen)]
