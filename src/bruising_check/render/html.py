"""The printable rationale as one self-contained HTML file (no scripts, fonts or images fetched),
with print CSS for A4. Every text from the protocol or the user is escaped, so no HTML in them
ever takes effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from bruising_check.records.record import TOOL_STATEMENT
from bruising_check.render import bodymap, safe
from bruising_check.render import rationale as printable

CSS = """
@page { size: A4; margin: 16mm 14mm 20mm 14mm;
  @bottom-left { font-size: 7pt; content: "STATEMENT"; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35;
  color: #000; max-width: 190mm; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; border-bottom: 1px solid #888; margin: 1.2em 0 .4em; break-after: avoid; }
dl.meta { display: grid; grid-template-columns: 11em 1fr; gap: .1em .8em; margin: 0; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.pathway { border: 3px solid #000; padding: .6em .9em; margin: 1em 0; break-inside: avoid; }
.pathway .title { font-size: 20pt; font-weight: bold; line-height: 1.2; }
.pathway .timescale { font-size: 15pt; font-weight: bold; margin-top: .3em; }
.raised { border-left: 5px solid #c62828; padding-left: .6em; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { margin: .5em 0; padding-left: 2em; position: relative; break-inside: avoid; }
ul.checklist li .box { position: absolute; left: 0; top: .1em; width: 1em; height: 1em;
  border: 1.5px solid #000; }
.detail { color: #222; font-size: 10pt; }
.placeholder { font-weight: bold; }
table.answers { border-collapse: collapse; width: 100%; font-size: 10pt; }
table.answers th, table.answers td { border: 1px solid #999; padding: .25em .4em; text-align: left;
  vertical-align: top; }
.notasked { color: #444; font-style: italic; }
.verbatim { white-space: pre-wrap; border-left: 3px solid #888; padding-left: .6em; }
svg.bodymap { width: 100%; height: auto; max-height: 120mm; }
svg.bodymap text { font-family: inherit; font-size: 10px; }
svg.bodymap text.view { font-size: 13px; font-weight: bold; }
svg.bodymap text.side { font-size: 9px; fill: #555; }
svg.bodymap text.label { font-weight: bold; }
.sign { display: grid; grid-template-columns: 9em 1fr; gap: 1.4em .8em; margin-top: 1em;
  break-inside: avoid; }
.sign div.line { border-bottom: 1px solid #000; }
.statement { font-weight: bold; margin-top: 1.5em; }
.small { font-size: 8.5pt; color: #333; overflow-wrap: anywhere; }
@media print { body { margin: 0; padding: 0; max-width: none; } a { color: #000; } }
"""


CSS = CSS.replace("STATEMENT", TOOL_STATEMENT)


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%H:%M on %a %d %b %Y")


def html(record: Mapping[str, Any]) -> str:
    return safe.visible("\n".join(_lines(record)) + "\n")


def _lines(r: Mapping[str, Any]) -> Iterator[str]:
    e = safe.html
    p = r["protocol"]
    yield "<!DOCTYPE html>"
    yield '<html lang="en-GB">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield "<title>Bruising check: rationale</title>"
    yield f"<style>{CSS}</style>"
    yield "</head>"
    yield "<body>"
    yield "<h1>Bruising check: rationale</h1>"
    yield '<dl class="meta">'
    yield f"<dt>Checked</dt><dd>{e(_when(r['created_at']))}</dd>"
    for key, label in printable.ABOUT_FIELDS:
        if r["about"].get(key):
            yield f"<dt>{label}</dt><dd>{e(r['about'][key])}</dd>"
    yield f"<dt>Protocol</dt><dd>{e(p['title'])}</dd>"
    yield f"<dt>Version</dt><dd>{e(p['version'])} ({e(p['status'])})</dd>"
    yield f"<dt>Review due</dt><dd>{e(p['review_due'] or 'not set')}</dd>"
    yield f'<dt>Protocol SHA-256</dt><dd class="small">{e(p["sha256"])}</dd>'
    yield "</dl>"

    out = r["outcome"]
    yield '<section class="pathway">'
    if out is None:
        yield '<div class="title">No pathway: no rule of the protocol matched these answers.</div>'
        yield "<p>Follow your local procedure and discuss with your safeguarding lead now.</p>"
    else:
        yield f'<div class="title">{e(out["title"])}</div>'
        yield f'<div class="timescale">Timescale: {e(out["timescale"])}</div>'
        if out.get("summary"):
            yield f"<p>{e(out['summary'])}</p>"
    if r.get("raised_for_safety"):
        yield (
            '<p class="raised"><strong>Raised for safety:</strong> some answers were not known,'
            " or a protocol safeguard applied, so the more urgent pathway is shown.</p>"
        )
    yield "</section>"

    yield "<h2>Actions</h2>"
    yield '<ul class="checklist">'
    for a in r["actions"]:
        yield f'<li><span class="box" aria-hidden="true"></span>{e(a["text"])}'
        if a.get("timescale"):
            by = f" - {a['deadline']}" if a.get("deadline") else ""
            yield f'<div class="detail"><b>When:</b> {e(a["timescale"] + by)}</div>'
        if a.get("responsible"):
            yield f'<div class="detail"><b>Who:</b> {e(a["responsible"])}</div>'
        contact = printable.contact_line(a)
        if contact:
            cls = "detail placeholder" if "PLACEHOLDER" in contact else "detail"
            yield f'<div class="{cls}"><b>Contact:</b> {e(contact)}</div>'
        yield "</li>"
    yield "</ul>"

    yield "<h2>Why</h2>"
    yield "<ul>"
    kinds = {
        "decides": "decides the pathway",
        "might_apply": "might apply (an answer is not known)",
        "invariant": "protocol safeguard",
        "advice": "advice",
    }
    for f in r["rules_fired"]:
        yield f"<li><b>{e(f['id'])}</b> ({e(kinds.get(f['kind'], f['kind']))}): {e(f['because'])}"
        if f["cite"]:
            yield "<ul>"
            for sid in f["cite"]:
                s = r["sources"].get(sid)
                if s is None:
                    continue
                url = f' <span class="small">{e(s["url"])}</span>' if s["url"] else ""
                status = "" if s["status"] == "verified" else f" ({e(s['status'])})"
                yield f"<li>{e(s['title'])}{status}{url}</li>"
            yield "</ul>"
        yield "</li>"
    yield "</ul>"

    screening = printable.ten4facesp(r)
    if screening is not None:
        yield "<h2>TEN-4-FACESp (screening information)</h2>"
        yield f"<p><b>{e(screening.label)}: {e(screening.shown)}</b></p>"
        for note in screening.notes:
            yield f'<p class="detail">{e(note)}</p>'

    located = printable.locations(r)
    if located is not None:
        chosen, names = located
        yield "<h2>Body map</h2>"
        yield bodymap.svg(chosen, names)
        marked = "; ".join(names.get(c, c) for c in chosen) or "none recorded"
        yield f'<p class="detail"><b>Marked:</b> {e(marked)}. Both sides are marked for a paired'
        yield " region: the check does not record which side. Draw the exact position, size and"
        yield " colour of each mark on your service's own body map.</p>"
        missing = bodymap.unmapped(chosen)
        if missing:
            yield f'<p class="detail"><b>Not on this map:</b> {e(", ".join(missing))}</p>'

    texts = printable.verbatim(r)
    yield "<h2>In their own words, and notes</h2>"
    if not texts:
        yield '<p class="notasked">Nothing was written down.</p>'
    for prompt, text in texts:
        yield f"<p><b>{e(prompt)}</b></p>"
        yield f'<p class="verbatim">{e(text)}</p>'

    yield "<h2>Every question and its answer</h2>"
    yield '<table class="answers"><tr><th>Question</th><th>Answer</th></tr>'
    for q in r["questions"]:
        cls = "" if q["status"] == "answered" else ' class="notasked"'
        yield f"<tr><td>{e(q['prompt'])}</td><td{cls}>{e(printable.answer_text(q))}</td></tr>"
    yield "</table>"
    if r["unanswered"]:
        yield f"<p><b>Not known:</b> {e(', '.join(r['unanswered']))}</p>"

    yield "<h2>Derived facts</h2>"
    yield "<ul>"
    for label, shown in printable.shown_facts(r):
        yield f"<li>{e(label)}: <b>{e(shown)}</b></li>"
    yield "</ul>"

    if r["context"]:
        yield "<h2>Context (recorded only; never changes the pathway)</h2>"
        yield "<ul>"
        for c in r["context"]:
            yield f"<li>{e(c['prompt'])} <b>{e(c['answer_label'] or '(not answered)')}</b></li>"
        yield "</ul>"

    yield "<h2>Sources</h2>"
    yield "<ul>"
    for sid, s in r["sources"].items():
        status = "" if s["status"] == "verified" else f" ({e(s['status'].replace('_', ' '))})"
        url = f'<br><span class="small">{e(s["url"])}</span>' if s["url"] else ""
        yield f"<li>[{e(sid)}] {e(s['title'])}{status}{url}</li>"
    yield "</ul>"

    yield "<h2>Signed</h2>"
    yield '<div class="sign">'
    for field in printable.SIGN_FIELDS:
        yield f'<div>{field}</div><div class="line"></div>'
    yield "</div>"

    yield f'<p class="statement">{e(r["statement"])}</p>'
    yield f"<p>{e(r['disclaimer'])}</p>"
    yield (
        f'<p class="small">Record checksum: {e(r["checksum"])} -'
        f" {e(r['tool']['name'])} {e(r['tool']['version'])}</p>"
    )
    yield "</body>"
    yield "</html>"


def _fact(value: Any) -> str:
    if value is None:
        return "not applicable"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
