"""A handbook a partnership could publish, generated from the protocol file itself, so that the
printed policy and the tool cannot drift apart.

`build` turns a protocol into a small document model (headings, paragraphs, nested bullets,
warnings); `markdown` and `html` render it here, `handbook_pdf` renders it to PDF. Protocol text
is shown literally in every format.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bruising_check.model import (
    Action,
    BooleanFact,
    Contact,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.pdfdoc import STATEMENT
from bruising_check.wording import Line, condition_lines

# --- the document model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    label: str | None = None  # shown in bold before the text


@dataclass(frozen=True)
class Item:
    text: str
    label: str | None = None
    url: str | None = None
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Warning:
    """Something a reader must not miss: placeholders, contested rules, unverified sources."""

    text: str


Block = Heading | Para | Items | Warning


@dataclass(frozen=True)
class Handbook:
    title: str
    blocks: tuple[Block, ...]


# --- building -----------------------------------------------------------------------------------


def _from_line(line: Line) -> Item:
    return Item(line.text, children=tuple(_from_line(c) for c in line.children))


def _cites(protocol: Protocol, cite: Sequence[str]) -> Item | None:
    if not cite:
        return None
    children = []
    for sid in cite:
        s = protocol.source(sid)
        children.append(Item(f"[{sid}] {s.title if s else '(not in the sources list)'}"))
    return Item("Sources:", children=tuple(children))


def _when(day: dt.date | None) -> str:
    return day.strftime("%d %B %Y").lstrip("0") if day else "not set"


def _opt(*items: Item | None) -> tuple[Item, ...]:
    return tuple(i for i in items if i is not None)


def build(protocol: Protocol, *, file: str, sha256: str, today: dt.date) -> Handbook:
    """The handbook for `protocol`. `today` decides whether the review date has passed."""
    return Handbook(protocol.metadata.title, tuple(_blocks(protocol, file, sha256, today)))


def _blocks(p: Protocol, file: str, sha256: str, today: dt.date) -> Iterator[Block]:
    m = p.metadata
    yield Heading(1, m.title)
    yield Items(
        (
            Item(m.version, "Version"),
            Item(m.status, "Status"),
            Item(m.issued_by, "Issued by"),
            Item(m.approved_by or "not yet approved", "Approved by"),
            Item(_when(m.approved_on), "Approved on"),
            Item(_when(m.effective_from), "Effective from"),
            Item(_when(m.review_due), "Review due"),
            *([Item(m.supersedes, "Supersedes")] if m.supersedes else []),
            Item(f"{file} (SHA-256 {sha256[:16]}…), on {_when(today)}", "Generated from"),
        )
    )
    if m.status != "approved":
        yield Warning(f"This protocol is a {m.status}, not an approved local protocol.")
    if m.review_due is not None and m.review_due < today:
        yield Warning(f"The review date ({_when(m.review_due)}) has passed.")
    yield Para(m.disclaimer, "Disclaimer:")
    yield Para(STATEMENT)
    if m.aligned_to:
        yield Heading(2, "Aligned to")
        yield Items(
            tuple(
                Item(f"[{a.source}] {_source_title(p, a.source)}: {a.date}") for a in m.aligned_to
            )
        )
    if m.notes:
        yield Heading(2, "Notes")
        yield Items(tuple(Item(n) for n in m.notes))

    if p.definitions:
        yield Heading(2, "Definitions")
        for d in p.definitions:
            yield Items((Item(d.text, d.term + ":", children=_opt(_cites(p, d.cite))),))

    yield Heading(2, "The questions, and why each is asked")
    yield Para("Asked in this order. Questions that do not apply to a child are skipped.")
    section = None
    for n, q in enumerate(p.questions, 1):
        if q.section and q.section != section:
            section = q.section
            yield Heading(3, section)
        details: list[Item] = []
        if q.help:
            details.append(Item(q.help, "Why we ask:"))
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            kind = "Choose one:" if isinstance(q, SingleChoiceQuestion) else "Choose any:"
            opts = tuple(
                Item(o.label + (f" - {o.help}" if o.help else ""), f"{o.id}:") for o in q.options
            )
            details.append(Item("", kind, children=opts))
        elif isinstance(q, NumberQuestion):
            details.append(Item(f"a number of {q.unit}, {q.min:g} to {q.max:g}", "Answer:"))
        elif isinstance(q, TextQuestion):
            details.append(Item(f"free text, up to {q.max_length} characters", "Answer:"))
        else:
            details.append(Item("yes or no", "Answer:"))
        if q.ask_if is not None:
            when = _from_line(condition_lines(p, q.ask_if))
            details.append(Item("", "Asked only if", children=(when,)))
        details.append(
            Item("required" if q.required else "optional (may be left as not known)", "Answer is")
        )
        cites = _cites(p, q.cite)
        if cites:
            details.append(cites)
        yield Items((Item(q.prompt, f"{n}. ({q.id})", children=tuple(details)),))

    if p.derived:
        yield Heading(2, "Facts worked out from the answers")
        for f in p.derived:
            how = (
                _from_line(condition_lines(p, f.condition))
                if isinstance(f, BooleanFact)
                else Item("calculated from the answers" + (f", in {f.unit}" if f.unit else ""))
            )
            children = [
                Item("", "True when" if isinstance(f, BooleanFact) else "Value:", children=(how,))
            ]
            if not isinstance(f, BooleanFact) and f.applies_if is not None:
                children.append(
                    Item(
                        "",
                        "Applies only if",
                        children=(_from_line(condition_lines(p, f.applies_if)),),
                    )
                )
            if f.help:
                children.append(Item(f.help, "Note:"))
            children.extend(_opt(_cites(p, f.cite)))
            step = " (a working step, shown in the record's data only)" if f.internal else ""
            yield Items((Item(f.label + step, f"({f.id})", children=tuple(children)),))

    yield Heading(2, "The rules")
    yield Para(
        "The rules are checked in this order and the first one that matches decides the pathway."
        " Advice is added whenever it matches and never changes the pathway. An answer that is"
        " not known can only make the pathway more urgent."
    )
    for r in p.rules:
        pw = p.pathway(r.pathway)
        yield Heading(3, f"Rule {r.id}: {pw.title if pw else r.pathway}", f"rule-{r.id}")
        if r.contested:
            yield Warning(r.note or f"Rule {r.id} is contested.")
        yield Items(
            (
                Item("", "When", children=(_from_line(condition_lines(p, r.when)),)),
                Item(r.because, "Why:"),
                *([Item(r.note, "Note:")] if r.note and not r.contested else []),
                *_opt(_cites(p, r.cite)),
            )
        )
    if p.advice:
        yield Heading(2, "Advice added to any pathway")
        for a in p.advice:
            yield Heading(3, f"Advice {a.id}")
            yield Items(
                (
                    Item("", "When", children=(_from_line(condition_lines(p, a.when)),)),
                    Item(a.because, "Why:"),
                    Item("", "Actions:", children=tuple(_action(p, x) for x in a.actions)),
                    *_opt(_cites(p, a.cite)),
                )
            )
    if p.invariants:
        yield Heading(2, "Safeguards the tool always keeps")
        for inv in p.invariants:
            floor = p.pathway(inv.at_least)
            yield Items(
                (
                    Item(
                        inv.because,
                        f"{inv.id}: at least \u201c{floor.title if floor else inv.at_least}\u201d.",
                        children=_opt(_cites(p, inv.cite)),
                    ),
                )
            )

    yield Heading(2, "Pathways, actions, timescales and contacts")
    for pw in sorted(p.pathways, key=lambda x: x.urgency):
        yield Heading(3, f"{pw.urgency}. {pw.title}", f"pathway-{pw.id}")
        yield Para(pw.timescale.label, "Timescale:")
        if pw.summary:
            yield Para(pw.summary)
        yield Items(tuple(_action(p, a) for a in pw.actions))

    if p.contacts:
        yield Heading(2, "Contacts")
        if any(c.placeholder for c in p.contacts):
            yield Warning(
                "Contacts marked PLACEHOLDER are examples, not real numbers. Replace them with"
                " your partnership's own before publishing or using this protocol."
            )
        for c in p.contacts:
            yield Items((Item(_contact_text(c), c.name + ":"),))

    if p.context_prompts:
        yield Heading(2, "Family context (recorded; never changes the pathway)")
        yield Items(
            tuple(
                Item(
                    c.prompt, children=tuple(_opt(Item(c.help, "Why we ask:") if c.help else None))
                )
                for c in p.context_prompts
            )
        )

    if p.policy is not None:
        yield Heading(2, "Where this protocol stands on points local protocols differ on")
        yield Items(
            tuple(
                Item(_policy_value(v), k.replace("_", " ") + ":")
                for k, v in p.policy.model_dump().items()
            )
        )

    yield Heading(2, "Sources")
    for s in p.sources:
        status = {
            "verified": None,
            "unverified": "UNVERIFIED: wording not checked against the source",
            "not_available": "NOT AVAILABLE to the authors: not encoded",
        }[s.status]
        notes = _opt(
            Item(s.note, "Note:") if s.note else None,
            Item(status) if status else None,
        )
        year = f" ({s.year})" if s.year else ""
        yield Items((Item(s.title + year, f"[{s.id}]", url=s.url, children=notes),))

    if m.changelog:
        yield Heading(2, "Changes")
        yield Items(
            tuple(Item(c.summary, f"{c.version} ({c.date.isoformat()}):") for c in m.changelog)
        )


def _source_title(p: Protocol, sid: str) -> str:
    s = p.source(sid)
    return s.title if s else "(not in the sources list)"


PLACEHOLDER = "PLACEHOLDER - not a real contact"


def _contact_text(c: Contact) -> str:
    parts = [
        x
        for x in (c.phone, c.hours, f"out of hours: {c.out_of_hours}" if c.out_of_hours else None)
        if x
    ]
    text = "; ".join(parts) or "no number given"
    return f"[{PLACEHOLDER}] {text}" if c.placeholder else text


def _action(p: Protocol, a: Action) -> Item:
    details: list[Item] = []
    if a.timescale:
        details.append(Item(a.timescale.label, "When:"))
    if a.responsible:
        details.append(Item(a.responsible, "Who:"))
    if a.contact:
        c = p.contact(a.contact)
        details.append(
            Item(
                _contact_text(c) if c else "(not in the contacts list)",
                f"Contact: {c.name if c else a.contact}:",
            )
        )
    return Item(a.text, children=tuple(details))


def _policy_value(value: object) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value).replace("_", " ")


# --- Markdown -----------------------------------------------------------------------------------


def _md_escape(value: str, *, line_start: bool = False) -> str:
    """Show text literally in Markdown, but keep the source readable: escape what acts anywhere
    (emphasis, code, links, HTML, tables) and, at the start of a line, what starts a block."""
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


def markdown(book: Handbook) -> str:
    e = _md_escape
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
    out += ["---", "", f"*{e(STATEMENT)}*", ""]
    return "\n".join(out)


def _md_items(items: Sequence[Item], depth: int) -> Iterator[str]:
    e = _md_escape
    for it in items:
        parts = []
        if it.label:
            parts.append(f"**{e(it.label)}**")
        if it.text:
            parts.append(e(it.text, line_start=not it.label))
        if it.url:
            parts.append(f"<{it.url}>" if it.url.startswith(("https://", "http://")) else e(it.url))
        yield "  " * depth + "- " + " ".join(parts)
        yield from _md_items(it.children, depth + 1)


# --- HTML ---------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { margin-bottom: .3rem; }
.warning { border-left: 4px solid #b00000; background: #fff1f0; padding: .5rem .8rem; }
footer { margin-top: 3rem; border-top: 1px solid #ccc; font-style: italic; }
@media print { body { max-width: none; } a { color: inherit; } }
"""


def html(book: Handbook) -> str:
    h = htmllib.escape
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
    out += [f"<footer><p>{h(STATEMENT)}</p></footer>", "</body>", "</html>", ""]
    return "\n".join(out)


def _html_items(items: Sequence[Item]) -> Iterator[str]:
    h = htmllib.escape
    yield "<ul>"
    for it in items:
        parts = []
        if it.label:
            parts.append(f"<strong>{h(it.label)}</strong>")
        if it.text:
            parts.append(h(it.text))
        if it.url and it.url.startswith(("https://", "http://")):
            parts.append(f'<a href="{h(it.url)}">{h(it.url)}</a>')
        elif it.url:  # never a link for other schemes (javascript:, data:, ...)
            parts.append(h(it.url))
        yield "<li>" + " ".join(parts)
        if it.children:
            yield from _html_items(it.children)
        yield "</li>"
    yield "</ul>"
