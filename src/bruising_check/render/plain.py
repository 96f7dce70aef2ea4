"""Plain renderings of a record: text (80 columns, ready to paste into a clinical record) and
Markdown. Both work from the record mapping alone and show protocol and user text literally.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

from bruising_check.render import rationale as printable
from bruising_check.render import safe
from bruising_check.render.safe import visible

WIDTH = 80


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso)
    return moment.strftime("%H:%M on %a %d %b %Y")


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(str(text).split()),
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent if first is None else first]


def _contact_line(action: Mapping[str, Any]) -> str | None:
    c = action.get("contact_detail")
    if not c:
        return None
    parts = [c["name"]]
    if c.get("phone"):
        parts.append(c["phone"])
    if c.get("hours"):
        parts.append(c["hours"])
    if c.get("out_of_hours"):
        parts.append(f"out of hours: {c['out_of_hours']}")
    line = " - ".join(parts)
    return line + (" (PLACEHOLDER: not a real contact)" if c.get("placeholder") else "")


def _deadline(action: Mapping[str, Any]) -> str:
    ts = action.get("timescale")
    if not ts:
        return ""
    when = action.get("deadline")
    return f"{ts} - {when}" if when else str(ts)


def text(record: Mapping[str, Any]) -> str:
    return visible("\n".join(_text_lines(record)) + "\n")


def _text_lines(r: Mapping[str, Any]) -> Iterator[str]:
    rule = "=" * WIDTH
    yield rule
    yield "BRUISING CHECK - RATIONALE"
    yield rule
    yield f"Checked:  {_when(r['created_at'])}"
    for key, label in (
        ("practitioner", "Practitioner"),
        ("role", "Role"),
        ("child_reference", "Child ref"),
    ):
        if r["about"].get(key):
            yield from _wrap(r["about"][key], " " * 10, f"{label + ':':<10}")
    p = r["protocol"]
    yield from _wrap(
        f"{p['title']} - version {p['version']} ({p['status']})", " " * 10, "Protocol: "
    )
    yield f"          review due {p['review_due'] or 'not set'}"
    yield f"          sha256 {p['sha256']}"
    yield ""
    out = r["outcome"]
    yield "-" * WIDTH
    if out is None:
        yield "PATHWAY: NONE - no rule of the protocol matched these answers."
        yield "Follow your local procedure and discuss with your safeguarding lead now."
    else:
        yield from _wrap(out["title"].upper(), "         ", "PATHWAY: ")
        yield f"Timescale: {out['timescale']}"
        if out.get("summary"):
            yield from _wrap(out["summary"])
    if r.get("raised_for_safety"):
        yield from _wrap(
            "Raised for safety: some answers were not known, or a protocol safeguard applied, so"
            " the more urgent pathway is shown. See the reasons below."
        )
    yield "-" * WIDTH
    yield ""
    yield "ACTIONS"
    for a in r["actions"]:
        yield from _wrap(a["text"], "      ", "[ ]   ")
        when = _deadline(a)
        if when:
            yield from _wrap(f"When: {when}", "      ", "      ")
        if a.get("responsible"):
            yield from _wrap(f"Who: {a['responsible']}", "      ", "      ")
        contact = _contact_line(a)
        if contact:
            yield from _wrap(f"Contact: {contact}", "      ", "      ")
    yield ""
    yield "WHY"
    for f in r["rules_fired"]:
        tag = {
            "decides": "decides the pathway",
            "might_apply": "might apply (an answer is not known)",
            "invariant": "protocol safeguard",
            "advice": "advice",
        }[f["kind"]]
        yield from _wrap(f"{f['id']} ({tag}): {f['because']}", "    ", "  - ")
        if f["cite"]:
            yield from _wrap("Sources: " + ", ".join(f"[{c}]" for c in f["cite"]), "    ", "    ")
    yield ""
    yield "DERIVED FACTS"
    for label, shown in printable.shown_facts(r):
        yield from _wrap(f"{label}: {shown}", "    ", "  - ")
    yield ""
    yield "ANSWERS"
    for q in r["questions"]:
        yield from _wrap(q["prompt"], "    ", "  - ")
        if q["status"] == "answered":
            yield from _wrap(q["answer_label"], "      ", "    > ")
        else:
            yield from _wrap(f"({q['status'].replace('_', ' ')}: {q['note']})", "      ", "    > ")
    if r["unanswered"]:
        yield ""
        yield from _wrap("NOT KNOWN: " + ", ".join(r["unanswered"]))
    if r["context"]:
        yield ""
        yield "CONTEXT (recorded only; never changes the pathway)"
        for c in r["context"]:
            yield from _wrap(c["prompt"], "    ", "  - ")
            yield from _wrap(c["answer_label"] or "(not answered)", "      ", "    > ")
    yield from _text_printable(r)
    yield ""
    yield "SOURCES"
    for sid, s in r["sources"].items():
        status = "" if s["status"] == "verified" else f" ({s['status'].replace('_', ' ')})"
        yield from _wrap(f"[{sid}] {s['title']}{status}", "    ", "  ")
        if s["url"]:
            yield f"    {s['url']}"
    yield ""
    yield rule
    yield from _wrap(r["statement"])
    yield from _wrap(r["disclaimer"])
    yield f"Record checksum: {r['checksum']}"
    yield f"{r['tool']['name']} {r['tool']['version']}"
    yield rule


def _text_printable(r: Mapping[str, Any]) -> Iterator[str]:
    """TEN-4-FACESp as screening information, the verbatim texts, and space to sign."""

    screening = printable.ten4facesp(r)
    if screening is not None:
        yield ""
        yield "TEN-4-FACESp (SCREENING INFORMATION)"
        yield from _wrap(f"{screening.label}: {screening.shown}", "    ", "  ")
        for note in screening.notes:
            yield from _wrap(note, "    ", "  ")
    texts = printable.verbatim(r)
    if texts:
        yield ""
        yield "IN THEIR OWN WORDS, AND NOTES"
        for prompt, said in texts:
            yield from _wrap(prompt, "    ", "  ")
            for line in said.splitlines() or [""]:
                yield from _wrap(line, "    | ", "    | ")
    yield ""
    yield "SIGNED"
    for field in printable.SIGN_FIELDS:
        yield ""
        yield f"  {field + ':':<15}" + "_" * (WIDTH - 17)


def _md_printable(r: Mapping[str, Any]) -> Iterator[str]:

    e = _md_escape
    screening = printable.ten4facesp(r)
    if screening is not None:
        yield ""
        yield "## TEN-4-FACESp (screening information)"
        yield ""
        yield f"**{e(screening.label)}: {e(screening.shown)}**"
        for note in screening.notes:
            yield ""
            yield e(note)
    texts = printable.verbatim(r)
    if texts:
        yield ""
        yield "## In their own words, and notes"
        for prompt, said in texts:
            yield ""
            yield f"**{e(prompt)}**"
            yield ""
            yield "> " + e(said)
    yield ""
    yield "## Signed"
    yield ""
    for field in printable.SIGN_FIELDS:
        yield f"- {field}: ______________________________"


def _md_escape(value: Any) -> str:
    """Show text literally in Markdown: the one policy (`safe.markdown`); a value may start a
    line, and escaping a block marker mid-line changes nothing."""
    return safe.markdown(value, line_start=True)


def _md_url(url: str | None) -> str:
    """A web address as a Markdown autolink only when it is plainly one (`safe.markdown_url`)."""
    return f" {safe.markdown_url(url)}" if url else ""


def markdown(record: Mapping[str, Any]) -> str:
    return visible("\n".join(_md_lines(record)) + "\n")


def _md_lines(r: Mapping[str, Any]) -> Iterator[str]:
    e = _md_escape
    p = r["protocol"]
    yield "# Bruising check: rationale"
    yield ""
    yield f"- **Checked:** {e(_when(r['created_at']))}"
    for key, label in printable.ABOUT_FIELDS:
        if r["about"].get(key):
            yield f"- **{label}:** {e(r['about'][key])}"
    yield f"- **Protocol:** {e(p['title'])}, version {e(p['version'])} ({e(p['status'])})"
    yield f"- **Review due:** {e(p['review_due'] or 'not set')}"
    yield f"- **Protocol SHA-256:** `{p['sha256']}`"
    yield ""
    out = r["outcome"]
    if out is None:
        yield "## Pathway: none - no rule matched"
        yield ""
        yield "Follow your local procedure and discuss with your safeguarding lead now."
    else:
        yield f"## Pathway: {e(out['title'])}"
        yield ""
        yield f"**Timescale:** {e(out['timescale'])}"
        if out.get("summary"):
            yield ""
            yield e(out["summary"])
    if r.get("raised_for_safety"):
        yield ""
        yield (
            "> **Raised for safety:** some answers were not known, or a protocol safeguard"
            " applied, so the more urgent pathway is shown."
        )
    yield ""
    yield "## Actions"
    yield ""
    for a in r["actions"]:
        yield f"- [ ] {e(a['text'])}"
        details = []
        if a.get("timescale"):
            details.append(f"*When:* {e(_deadline(a))}")
        if a.get("responsible"):
            details.append(f"*Who:* {e(a['responsible'])}")
        contact = _contact_line(a)
        if contact:
            details.append(f"*Contact:* {e(contact)}")
        for d in details:
            yield f"  - {d}"
    yield ""
    yield "## Why"
    yield ""
    for f in r["rules_fired"]:
        yield f"- **{e(f['id'])}** ({e(f['kind'].replace('_', ' '))}): {e(f['because'])}"
        for sid in f["cite"]:
            s = r["sources"].get(sid)
            if s is not None:
                url = _md_url(s["url"])
                yield f"  - {e(s['title'])}{url}"
    yield ""
    yield "## Derived facts"
    yield ""
    for label, shown in printable.shown_facts(r):
        yield f"- {e(label)}: **{e(shown)}**"
    yield ""
    yield "## Answers"
    yield ""
    yield "| Question | Answer |"
    yield "|---|---|"
    for q in r["questions"]:
        answer = (
            q["answer_label"]
            if q["status"] == "answered"
            else f"({q['status'].replace('_', ' ')}: {q['note']})"
        )
        yield f"| {e(q['prompt'])} | {e(answer)} |"
    if r["context"]:
        yield ""
        yield "## Context (recorded only; never changes the pathway)"
        yield ""
        for c in r["context"]:
            yield f"- {e(c['prompt'])} **{e(c['answer_label'] or '(not answered)')}**"
    yield from _md_printable(r)
    yield ""
    yield "---"
    yield ""
    yield f"*{e(r['statement'])}* {e(r['disclaimer'])}"
    yield ""
    yield f"Record checksum: `{r['checksum']}` - {e(r['tool']['name'])} {e(r['tool']['version'])}"
