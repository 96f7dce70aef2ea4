"""The diff report as a `Document` of the one block model (`render.blocks`: sections, subheadings,
paragraphs and bullets of marked runs, an example's answers as fields), and its renderings: text
(terminal), Markdown (a board paper), self-contained HTML and JSON. Protocol text is shown
literally in each: control characters visibly escaped, Markdown and HTML special characters
escaped.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from bruising_check import STATEMENT, __version__
from bruising_check.analysis.direction import NOT_COMPARED_NOTE
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.wording import count_text
from bruising_check.render import board_words, safe
from bruising_check.render.blocks import (
    Block,
    Bullet,
    Bullets,
    Document,
    Fields,
    Mark,
    Para,
    Section,
    Span,
    Subheading,
    marked,
    marked_bullet,
)
from bruising_check.render.markdown import md_escape
from bruising_check.versions.report import DiffReport
from bruising_check.versions.structural import SECTIONS, Change

CLASSES_SHOWN = 8
UNRUNNABLE_SHOWN = 20  # failed runs listed in text, Markdown and HTML
_WHY_NOT = NOT_COMPARED_NOTE.removeprefix("not compared: ")


def document(r: DiffReport) -> Document:
    om, nm = r.old.metadata, r.new.metadata
    head = (
        Bullets(
            (
                marked_bullet(
                    ("strong", "Old: "),
                    ("plain", f"{r.old_name} - {om.title}, version {om.version}"),
                ),
                marked_bullet(("plain", "sha256 "), ("code", r.old_sha256)),
                marked_bullet(
                    ("strong", "New: "),
                    ("plain", f"{r.new_name} - {nm.title}, version {nm.version}"),
                ),
                marked_bullet(("plain", "sha256 "), ("code", r.new_sha256)),
            )
        ),
    )
    sections = [Section(None, head), Section("Summary", tuple(_summary(r)))]
    if r.comparison is not None and r.reading is not None:
        sections.append(Section("How the old version's questions were read", tuple(_reading(r))))
    if r.comparison is not None:
        sections.append(Section("Situations whose pathway changes", tuple(_behaviour(r))))
    if r.impact is not None:
        sections.append(Section("Impact on cases", tuple(_impact(r))))
    sections.append(Section("What changed in the text", tuple(_structure(r))))
    notes = [marked(("plain", note)) for note in r.notes]
    notes.append(marked(("plain", f"{STATEMENT} bruising-check {__version__}.")))
    sections.append(Section(None, tuple(notes)))
    return Document(
        f"Protocol diff: {om.id} {om.version} → {nm.id} {nm.version}",
        f"{om.id} {om.version} → {nm.id} {nm.version}",
        tuple(sections),
    )


def _example(answers: dict[str, Any]) -> Fields:
    """An example's answers, one per row as YAML reads them (`key: JSON value`)."""
    return Fields(tuple((k, json.dumps(v, ensure_ascii=False)) for k, v in answers.items()))


def _example_lines(f: Fields) -> list[str]:
    """`key: value`; a list of items (the marks) one item a line, so no line runs off the page
    (still YAML: a block list of JSON mappings)."""
    lines = []
    for k, v in f.rows:
        items = json.loads(v) if v is not None and v.startswith("[{") else None
        if isinstance(items, list) and items:
            lines.append(f"{k}:")
            lines += [f"  - {json.dumps(item, ensure_ascii=False)}" for item in items]
        else:
            lines.append(f"{k}: {v}")
    return lines


def _spans(b: Para | Bullet) -> tuple[Span, ...]:
    return b.spans or (("plain", b.text),)


def _reading(r: DiffReport) -> Iterator[Block]:
    """How the new version's `maps_from` read each old question (issue 12.1)."""
    read = r.reading
    assert read is not None
    yield marked(
        (
            "plain",
            "The questions were rewritten, so the old version's rules were run over the new"
            f" version's answers, each old question read as `maps_from` in {r.new_name} says."
            " Where a reading is a judgement, it says so here; every change below is measured"
            " through these readings.",
        )
    )
    items: list[tuple[Span, ...]] = []
    if read.exact:
        items.append((("plain", "Asked the same: "), ("code", ", ".join(read.exact))))
    for qid, note in read.notes:
        items.append(
            (("warn", "Not exact:"), ("plain", " "), ("code", qid), ("plain", f": {note}"))
        )
    if read.by_condition:
        items.append(
            (
                ("plain", "Read through a condition on the new answers (no note given): "),
                ("code", ", ".join(read.by_condition)),
            )
        )
    for qid, why in read.not_read:
        items.append((("plain", "Not read: "), ("code", qid), ("plain", f": {why}")))
    yield Bullets(tuple(marked_bullet(*i) for i in items))


def _summary(r: DiffReport) -> Iterator[Block]:
    items: list[tuple[Span, ...]] = []
    if r.comparison is None:
        items.append((("plain", "Behaviour was not compared."),))
    else:
        unknown = r.not_compared
        less = r.deescalations - unknown
        if less:
            items.append(
                (
                    ("warn", f"LESS URGENT for {count_text(less)} situations"),
                    ("plain", " (see below)."),
                )
            )
        if unknown:
            items.append(
                (
                    ("warn", f"NOT COMPARED for {count_text(unknown)} situations"),
                    ("plain", f" ({_WHY_NOT}, so they may be less urgent; see below)."),
                )
            )
        if not less and not unknown:
            items.append((("strong", "No situation gets a less urgent pathway."),))
        more = sum(
            c.size
            for d in r.comparison.differences
            if d.direction == "more_urgent"
            for c in d.classes
        )
        items.append((("plain", f"More urgent for {count_text(more)} situations."),))
        items.append(
            (
                (
                    "plain",
                    f"Situations compared: {count_text(r.comparison.total)} complete answer sets.",
                ),
            )
        )
        for label, ids in (
            ("Asked only by the old version", r.comparison.only_in_old),
            ("Asked only by the new version", r.comparison.only_in_new),
        ):
            if ids:
                items.append((("plain", f"{label}: "), ("code", ", ".join(ids))))
    if r.impact is not None:
        i = r.impact
        not_run: Span = (
            ("warn", f"could not be run: {i.not_run:,}") if i.not_run else ("plain", "none failed")
        )
        items.append(
            (
                ("plain", f"Cases given: {i.total:,}; run under both versions: {i.ran:,};"),
                ("plain", " pathway changed for "),
                ("strong", f"{i.changed:,}"),
                ("plain", f" (less urgent{_or_not_compared(r)}: {r.case_deescalations:,}),"),
                ("plain", f" kept for {i.unchanged:,}; "),
                not_run,
                ("plain", "."),
            )
        )
    items.append((("plain", f"Structural changes: {len(r.changes)}."),))
    yield Bullets(tuple(marked_bullet(*i) for i in items))


def _behaviour(r: DiffReport) -> Iterator[Block]:
    assert r.comparison is not None
    if not r.comparison.differences:
        yield marked(("plain", "None: every situation gets the same pathway."))
        return
    for d in r.comparison.differences:
        size = sum(c.size for c in d.classes)
        mark: Span = (
            ("warn", "NOT COMPARED, may be less urgent")
            if not d.compared
            else ("warn", "LESS URGENT")
            if d.direction == "less_urgent"
            else ("strong", "more urgent")
            if d.direction == "more_urgent"
            else ("plain", "different actions, same urgency")
        )
        old, new = _outcome(d.old_pathway, d.old_then), _outcome(d.new_pathway, d.new_then)
        yield Subheading(f"{old} → {new}")
        yield marked(
            *(mark, ("plain", f": {count_text(size)} situations in {len(d.classes)} classes."))
        )
        first: tuple[str, ...] = ()
        for c in d.classes[:CLASSES_SHOWN]:
            # In the questions' own words, one clause a line (the ids: --format json). The first
            # class numbers its clauses; a later one names those it shares by number, so each
            # clause is written once and none is left out.
            clauses = tuple(board_words.condition_words((r.new, r.old), c.condition))
            shared = [n for n, x in enumerate(first, start=1) if x in clauses]
            if not first:
                head = f"{count_text(c.size)} situations where all of these hold:"
                shown = tuple(f"({n}) {x}" for n, x in enumerate(clauses, start=1))
                first = clauses
            elif len(shared) >= 2:
                # Named by the clauses that hold, never "all but (5)": that reads as if (5) were
                # false, where it is only not required.
                which = f"conditions {_numbers(shared)} of the first class hold"
                head = f"{count_text(c.size)} situations where {which}, and all of these:"
                shown = tuple(x for x in clauses if x not in first)
            else:
                head = f"{count_text(c.size)} situations where all of these hold:"
                shown = clauses
            yield Bullets((Bullet(head, sub=shown, spans=(("plain", head),)),))
            yield _example(dict(c.example))
        if len(d.classes) > CLASSES_SHOWN:
            rest = len(d.classes) - CLASSES_SHOWN
            yield marked(("plain", f"... and {rest} more classes (all in --format json)."))


def _impact(r: DiffReport) -> Iterator[Block]:
    assert r.impact is not None
    changed = [
        (k, n) for k, n in sorted(r.impact.transitions.items()) if r.impact.direction(k) != "same"
    ]
    i = r.impact
    if not i.total:
        yield marked(("plain", "No case was read from the files given."))
    else:
        # Every case given is in exactly one of the three counts: one that did not run is
        # never said to keep its pathway.
        yield marked(
            (
                "plain",
                f"Of {_count(i.total, 'case')} given, {i.ran:,} ran under both versions:"
                f" {i.changed:,} changed pathway and {i.unchanged:,} kept it.",
            )
        )
    if i.not_run:
        yield marked(
            (
                "warn",
                f"{_count(i.not_run, 'case')} of {i.total:,} could not be run under both"
                " versions: whether their pathway changes is not known.",
            )
        )
    if i.with_ignored:
        ids = ", ".join(f"{k!r} ({n:,})" for k, n in i.ignored.most_common(10))
        more = " ..." if len(i.ignored) > 10 else ""
        yield marked(
            (
                "warn",
                f"{_count(i.with_ignored, 'case')} gave answers to questions neither version"
                " asks; those answers were left out (a typo leaves an answer not known):",
            ),
            ("plain", f" {ids}{more}."),
        )
    for (a, b), n in changed:
        less = r.impact.may_be_less_urgent((a, b))
        lead: Span = (
            ("warn", "NOT COMPARED, may be less urgent")
            if not r.impact.compared((a, b))
            else ("warn", "LESS URGENT")
            if less
            else ("plain", "")
        )
        cases = ", ".join(r.impact.changed_cases.get((a, b), []))
        more = " ..." if n > len(r.impact.changed_cases.get((a, b), [])) else ""
        line = f" {a} → {b}: {_count(n, 'case')}: {cases}{more}"
        yield Bullets((marked_bullet(lead, ("plain", line.lstrip() if not less else line)),))
    for key, n in sorted(r.impact.follow_ons.items(), key=lambda kn: tuple(map(str, kn[0]))):
        # The first step stays and what follows it changes: the outcome is the pair.
        first, old_then, new_then = key
        less = r.impact.follow_on_directions[key] == "less_urgent"
        cases = ", ".join(r.impact.follow_on_cases.get(key, []))
        more = " ..." if n > len(r.impact.follow_on_cases.get(key, [])) else ""
        before = _outcome(first, old_then or "(no pathway)")
        after = _outcome(first, new_then or "(no pathway)")
        line = f"{before} → {after}: {_count(n, 'case')}: {cases}{more}"
        flag: Span = ("warn", "LESS URGENT") if less else ("plain", "")
        yield Bullets((marked_bullet(flag, ("plain", f" {line}" if less else line)),))
    if i.unrunnable:
        shown = i.unrunnable[:UNRUNNABLE_SHOWN]
        # The runs that failed (a case under one version, or under each): the report lists the
        # first few of those kept, and says of how many (JSON keeps MAX_UNRUNNABLE_KEPT).
        listed = (
            f"all {i.unrunnable_total:,}"
            if len(shown) == i.unrunnable_total
            else f"the first {len(shown):,} of {i.unrunnable_total:,} listed;"
            f" --format json lists {len(i.unrunnable):,}"
        )
        yield marked(("plain", f"Runs that failed (a case under one version or each; {listed}):"))
        yield Bullets(
            tuple(
                marked_bullet(("plain", f"{case} under the {which} version: {why}"))
                for case, which, why in shown
            )
        )


def _outcome(pathway: str | None, then: str | None) -> str:
    """A pathway and, after a first step, what follows it: both are the outcome."""
    return (pathway or "(no pathway)") + (f", then {then}" if then else "")


def _or_not_compared(r: DiffReport) -> str:
    return " or not compared" if r.impact is not None and r.impact.not_compared else ""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _structure(r: DiffReport) -> Iterator[Block]:
    if not r.changes:
        yield marked(("plain", "Nothing: the two versions say the same."))
        return
    for section, title in SECTIONS:
        mine = [c for c in r.changes if c.section == section]
        if not mine:
            continue
        yield Subheading(title)
        yield Bullets(tuple(marked_bullet(*_change_spans(c)) for c in mine))


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
            style: Mark = "del" if op == "delete" else "ins" if op == "insert" else "plain"
            spans.append((style, text))
            spans.append(("plain", " "))
        return tuple(spans)
    if c.kind == "added":
        return (*head, ("plain", ": "), ("ins", c.new or ""))
    if c.kind == "removed":
        return (*head, ("plain", ": "), ("del", c.old or ""))
    return (*head, ("plain", ": "), ("del", c.old or ""), ("plain", " → "), ("ins", c.new or ""))


def _flow(doc: Document) -> Iterator[tuple[int, str] | Block]:
    """The document in reading order: headings as (level, text), then each block."""
    yield (1, doc.title)
    for section in doc.sections:
        if section.heading:
            yield (2, section.heading)
        yield from section.blocks


def text(r: DiffReport) -> str:
    out: list[str] = []
    for b in _flow(document(r)):
        match b:
            case (1, str(t)):
                out += ["=" * 78, t, "=" * 78]
            case (2, str(t)):
                out += ["", t.upper(), "-" * len(t)]
            case Subheading(text=t):
                out += ["", t]
            case Para():
                out.append(_text_spans(_spans(b)))
            case Bullets(items=items):
                for i in items:
                    line = f"  - {_text_spans(_spans(i))}"
                    # A class's head and its conditions are wrapped; other bullets as they were.
                    out += textwrap.wrap(line, 100, subsequent_indent="    ") if i.sub else [line]
                    for sub in i.sub:
                        out += textwrap.wrap(
                            _plain_text(sub),
                            100,
                            initial_indent="      - ",
                            subsequent_indent="        ",
                            break_on_hyphens=False,
                        )
            case Fields():
                out += [
                    "      example answers:",
                    *(f"        {line}" for line in _example_lines(b)),
                ]
    return safe.visible("\n".join(out) + "\n")


def _text_spans(spans: tuple[Span, ...]) -> str:
    marks = {"del": ("[-", "-]"), "ins": ("{+", "+}"), "warn": ("!! ", " !!")}
    parts = []
    for style, t in spans:
        t = _plain_text(t)
        if not t:
            continue
        before, after = marks.get(style, ("", ""))
        parts.append(f"{before}{t}{after}")
    return "".join(parts)


def _plain_text(t: str) -> str:
    """Control characters (terminal escapes) are shown, never obeyed (the one policy)."""
    return safe.visible(t)


def markdown(r: DiffReport) -> str:
    out: list[str] = []

    def gap() -> None:
        # One blank line between blocks. A list must end with one: a paragraph straight after
        # it would be read as part of its last item (the "NOT compared" warning, after the
        # last change).
        if out and out[-1]:
            out.append("")

    for b in _flow(document(r)):
        match b:
            case (int(level), str(t)):
                gap()
                out += [f"{'#' * level} {_md(t)}", ""]
            case Subheading(text=t):
                gap()
                out += [f"### {_md(t)}", ""]
            case Para():
                out += [_md_spans(_spans(b)), ""]
            case Bullets(items=items):
                for i in items:
                    out.append(f"- {_md_spans(_spans(i))}")
                    out += [f"  - {_md(sub)}" for sub in i.sub]
                gap()
            case Fields():
                gap()
                out += ["  ```yaml", *(f"  {line}" for line in _example_lines(b)), "  ```", ""]
    return safe.visible("\n".join(out).strip() + "\n")


def _md(t: str) -> str:
    return md_escape(_plain_text(t))


def _md_spans(spans: tuple[Span, ...]) -> str:
    marks = {
        "del": ("~~", "~~"),
        "ins": ("**", "**"),
        "strong": ("**", "**"),
        "warn": ("⚠ **", "**"),
    }
    parts = []
    for style, t in spans:
        if not t.strip():
            parts.append(t)
            continue
        if style == "code":
            parts.append("`" + _plain_text(t).replace("`", "'") + "`")
            continue
        before, after = marks.get(style, ("", ""))
        core = _md(t.strip())
        lead = " " if t[:1] == " " else ""
        trail = " " if t[-1:] == " " else ""
        parts.append(f"{lead}{before}{core}{after}{trail}")
    return "".join(parts)


def html(r: DiffReport) -> str:
    body: list[str] = []
    for b in _flow(document(r)):
        match b:
            case (int(level), str(t)):
                body.append(f"<h{level}>{_powers(safe.html(t))}</h{level}>")
            case Subheading(text=t):
                body.append(f"<h3>{_powers(safe.html(t))}</h3>")
            case Para():
                body.append(f"<p>{_html_spans(_spans(b))}</p>")
            case Bullets(items=items):
                shown = "".join(
                    f"<li>{_html_spans(_spans(i))}{_html_sub(i.sub)}</li>" for i in items
                )
                body.append(f"<ul>{shown}</ul>")
            case Fields():
                lines = "\n".join(safe.html(line) for line in _example_lines(b))
                body.append(f"<pre class='example'>{lines}</pre>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
        "del{background:#fdd}ins{background:#dfd;text-decoration:none}"
        ".warn{background:#c00;color:#fff;padding:0 .3em;font-weight:bold}"
        "pre.example{background:#f4f4f4;padding:.5em;margin-left:2em;white-space:pre-wrap;"
        "overflow-wrap:anywhere}"
        "@media print{body{margin:0}}"
    )
    title = safe.html(f"Protocol diff: {r.old.metadata.id} {r.old.metadata.version}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _html_sub(sub: tuple[str, ...]) -> str:
    if not sub:
        return ""
    return "<ul>" + "".join(f"<li>{safe.html(_plain_text(t))}</li>" for t in sub) + "</ul>"


_POWER = re.compile(r"× 10\^(\d+)")


def _powers(escaped: str) -> str:
    """A count's `× 10^133` (`count_text`) as a superscript in HTML; text keeps the caret."""
    return _POWER.sub(r"× 10<sup>\1</sup>", escaped)


def _html_spans(spans: tuple[Span, ...]) -> str:
    tags = {
        "del": ("<del>", "</del>"),
        "ins": ("<ins>", "</ins>"),
        "strong": ("<strong>", "</strong>"),
        "code": ("<code>", "</code>"),
        "warn": ("<span class='warn'>", "</span>"),
    }
    parts = []
    for style, t in spans:
        before, after = tags.get(style, ("", ""))
        parts.append(f"{before}{_powers(safe.html(_plain_text(t)))}{after}")
    return "".join(parts)


def to_json(r: DiffReport) -> dict[str, Any]:
    def meta(p: Protocol, name: str, sha: str) -> dict[str, Any]:
        return {"name": name, "id": p.metadata.id, "version": p.metadata.version, "sha256": sha}

    behaviour = None
    if r.comparison is not None:
        behaviour = {
            "total": r.comparison.total,
            "only_in_old": list(r.comparison.only_in_old),
            "only_in_new": list(r.comparison.only_in_new),
            "reading": None
            if r.reading is None
            else {
                "same": list(r.reading.exact),
                "not_exact": [{"question": q, "note": n} for q, n in r.reading.notes],
                "by_condition": list(r.reading.by_condition),
                "not_read": [{"question": q, "why": n} for q, n in r.reading.not_read],
            },
            "differences": [
                {
                    "old_pathway": d.old_pathway,
                    "old_then": d.old_then,
                    "new_pathway": d.new_pathway,
                    "new_then": d.new_then,
                    "direction": d.direction,
                    "compared": d.compared,
                    "situations": sum(c.size for c in d.classes),
                    "classes": [
                        {"condition": c.condition, "size": c.size, "example": dict(c.example)}
                        for c in d.classes
                    ],
                }
                for d in r.comparison.differences
            ],
        }
    return {
        "old": meta(r.old, r.old_name, r.old_sha256),
        "new": meta(r.new, r.new_name, r.new_sha256),
        "deescalations": r.deescalations,
        "behaviour": behaviour,
        "impact": None if r.impact is None else r.impact.to_json(),
        "changes": [c.to_json() for c in r.changes],
        "tool": {"name": "bruising-check", "version": __version__},
        "statement": STATEMENT,
    }


def json_text(r: DiffReport) -> str:
    import json

    # Protocol text may hold terminal escapes or bidi overrides: JSON escapes, same text parsed.
    return safe.json_safe(json.dumps(to_json(r), indent=2, ensure_ascii=False)) + "\n"


def _numbers(shared: list[int]) -> str:
    """Clause numbers as a reader scans them: "(1) to (4) and (6)"."""
    runs: list[list[int]] = []
    for n in shared:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for r in runs:
        if len(r) > 2:
            parts.append(f"({r[0]}) to ({r[-1]})")
        else:
            parts += [f"({n})" for n in r]
    return board_words.and_list(parts)
