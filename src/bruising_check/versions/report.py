"""The diff report: structural changes, behavioural changes and impact on cases, as a small
document model (headings, paragraphs, bullets of styled spans) rendered to text, Markdown, HTML
and JSON. De-escalations (a less urgent pathway) come first and are marked in every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check import STATEMENT, __version__
from bruising_check.analysis import Comparison
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Impact
from bruising_check.versions.reading import Read
from bruising_check.versions.structural import SECTIONS, Change

Style = Literal["plain", "del", "ins", "strong", "code", "warn"]
Span = tuple[Style, str]
CLASSES_SHOWN = 8


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True)
class Example:
    answers: dict[str, Any]


Block = Heading | Para | Bullets | Example


@dataclass
class DiffReport:
    old: Protocol
    new: Protocol
    old_name: str
    new_name: str
    old_sha256: str
    new_sha256: str
    changes: list[Change]
    comparison: Comparison | None = None
    impact: Impact | None = None
    notes: list[str] = field(default_factory=list)
    reading: Read | None = None
    """The old version read over the new answers (the new version's `maps_from`)."""

    @property
    def deescalations(self) -> int:
        if self.comparison is None:
            return 0
        return sum(
            c.size
            for d in self.comparison.differences
            # Not compared (no level, no id in common): it may be less urgent, so it fails too.
            if d.direction == "less_urgent" or not d.compared
            for c in d.classes
        )

    @property
    def case_deescalations(self) -> int:
        if self.impact is None:
            return 0
        return sum(
            n
            for pair, n in self.impact.transitions.items()
            if self.impact.direction(pair) == "less_urgent"
        )


def blocks(r: DiffReport) -> Iterator[Block]:
    om, nm = r.old.metadata, r.new.metadata
    yield Heading(1, f"Protocol diff: {om.id} {om.version} → {nm.id} {nm.version}")
    yield Bullets(
        (
            (("strong", "Old: "), ("plain", f"{r.old_name} - {om.title}, version {om.version}")),
            (("plain", "sha256 "), ("code", r.old_sha256)),
            (("strong", "New: "), ("plain", f"{r.new_name} - {nm.title}, version {nm.version}")),
            (("plain", "sha256 "), ("code", r.new_sha256)),
        )
    )
    yield from _summary(r)
    if r.comparison is not None:
        yield from _behaviour(r)
    if r.impact is not None:
        yield from _impact(r)
    yield from _structure(r)
    for note in r.notes:
        yield Para((("plain", note),))
    yield Para((("plain", f"{STATEMENT} bruising-check {__version__}."),))


def _summary(r: DiffReport) -> Iterator[Block]:
    yield Heading(2, "Summary")
    items: list[tuple[Span, ...]] = []
    if r.comparison is None:
        items.append((("plain", "Behaviour was not compared."),))
    else:
        less = r.deescalations
        if less:
            items.append(
                (("warn", f"LESS URGENT for {less:,} situations"), ("plain", " (see below)."))
            )
        else:
            items.append((("strong", "No situation gets a less urgent pathway."),))
        more = sum(
            c.size
            for d in r.comparison.differences
            if d.direction == "more_urgent"
            for c in d.classes
        )
        items.append((("plain", f"More urgent for {more:,} situations."),))
        items.append(
            (("plain", f"Situations compared: {r.comparison.total:,} complete answer sets."),)
        )
        for label, ids in (
            ("Asked only by the old version", r.comparison.only_in_old),
            ("Asked only by the new version", r.comparison.only_in_new),
        ):
            if ids:
                items.append((("plain", f"{label}: "), ("code", ", ".join(ids))))
    if r.impact is not None:
        items.append(
            (
                ("plain", f"Cases re-run: {r.impact.total:,}; pathway changed for "),
                ("strong", f"{r.impact.changed:,}"),
                ("plain", f" (less urgent: {r.case_deescalations:,})."),
            )
        )
    items.append((("plain", f"Structural changes: {len(r.changes)}."),))
    yield Bullets(tuple(items))


def _reading(read: Read, new_name: str) -> Iterator[Block]:
    yield Heading(2, "How the old version's questions were read")
    yield Para(
        (
            (
                "plain",
                "The questions were rewritten, so the old version's rules were run over the new"
                f" version's answers, each old question read as `maps_from` in {new_name} says."
                " Where a reading is a judgement, it says so here; every change below is"
                " measured through these readings.",
            ),
        )
    )
    items: list[tuple[Span, ...]] = []
    if read.exact:
        items.append((("plain", "Asked the same: "), ("code", ", ".join(read.exact))))
    for qid, note in read.notes:
        items.append((("warn", "Not exact: "), ("code", qid), ("plain", f": {note}")))
    for qid, why in read.not_read:
        items.append((("plain", "Not read: "), ("code", qid), ("plain", f": {why}")))
    yield Bullets(tuple(items))


def _shown(pathway: str | None, then: str | None) -> str:
    return (pathway or "(no pathway)") + (f" then {then}" if then is not None else "")


def _behaviour(r: DiffReport) -> Iterator[Block]:
    assert r.comparison is not None
    if r.reading is not None:
        yield from _reading(r.reading, r.new_name)
    yield Heading(2, "Situations whose pathway changes")
    if not r.comparison.differences:
        yield Para((("plain", "None: every situation gets the same pathway."),))
        return
    for d in r.comparison.differences:
        size = sum(c.size for c in d.classes)
        mark: Span = (
            ("warn", "LESS URGENT")
            if d.direction == "less_urgent"
            else ("strong", "more urgent")
            if d.direction == "more_urgent"
            else ("plain", "different actions, same urgency")
        )
        yield Heading(
            3, f"{_shown(d.old_pathway, d.old_then)} → {_shown(d.new_pathway, d.new_then)}"
        )
        yield Para((mark, ("plain", f": {size:,} situations in {len(d.classes)} classes.")))
        for c in d.classes[:CLASSES_SHOWN]:
            yield Bullets(((("plain", f"{c.size:,} situations: "), ("code", c.condition)),))
            yield Example(dict(c.example))
        if len(d.classes) > CLASSES_SHOWN:
            rest = len(d.classes) - CLASSES_SHOWN
            yield Para((("plain", f"... and {rest} more classes (all in --format json)."),))


def _impact(r: DiffReport) -> Iterator[Block]:
    assert r.impact is not None
    yield Heading(2, "Impact on cases")
    changed = [
        (k, n) for k, n in sorted(r.impact.transitions.items()) if r.impact.direction(k) != "same"
    ]
    if not changed:
        yield Para((("plain", f"No case of {r.impact.total:,} changes pathway."),))
    if r.impact.unrunnable_total > len(r.impact.unrunnable):
        yield Para((("plain", f"({r.impact.unrunnable_total:,} runs failed in all.)"),))
    for (a, b), n in changed:
        less = r.impact.direction((a, b)) == "less_urgent"
        lead: Span = ("warn", "LESS URGENT") if less else ("plain", "")
        cases = ", ".join(r.impact.changed_cases.get((a, b), []))
        more = " ..." if n > len(r.impact.changed_cases.get((a, b), [])) else ""
        line = f" {a} → {b}: {_count(n, 'case')}: {cases}{more}"
        yield Bullets(((lead, ("plain", line.lstrip() if not less else line)),))
    if r.impact.unrunnable:
        yield Para((("plain", f"{len(r.impact.unrunnable):,} case runs could not be made:"),))
        yield Bullets(
            tuple(
                (("plain", f"{case} under the {which} version: {why}"),)
                for case, which, why in r.impact.unrunnable[:20]
            )
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _structure(r: DiffReport) -> Iterator[Block]:
    yield Heading(2, "What changed in the text")
    if not r.changes:
        yield Para((("plain", "Nothing: the two versions say the same."),))
        return
    for section, title in SECTIONS:
        mine = [c for c in r.changes if c.section == section]
        if not mine:
            continue
        yield Heading(3, title)
        yield Bullets(tuple(_change_spans(c) for c in mine))


def _change_spans(c: Change) -> tuple[Span, ...]:
    where = " ".join(x for x in (c.item, c.field) if x)
    head: list[Span] = [("strong", f"{where}" if where else c.section), ("plain", f" {c.kind}")]
    if c.kind == "moved":
        return (
            *head,
            ("plain", f": {c.old} → {c.new}"),
            ("warn", f" ({c.note})") if c.note else ("plain", ""),
        )
    if c.words is not None:
        spans: list[Span] = [*head, ("plain", ": ")]
        for op, text in c.words:
            style: Style = "del" if op == "delete" else "ins" if op == "insert" else "plain"
            spans.append((style, text))
            spans.append(("plain", " "))
        return tuple(spans)
    if c.kind == "added":
        return (*head, ("plain", ": "), ("ins", c.new or ""))
    if c.kind == "removed":
        return (*head, ("plain", ": "), ("del", c.old or ""))
    return (*head, ("plain", ": "), ("del", c.old or ""), ("plain", " → "), ("ins", c.new or ""))
