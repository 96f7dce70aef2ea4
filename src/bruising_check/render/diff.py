"""Renderings of a `DiffReport`: text (terminal), Markdown (a board paper), self-contained HTML
and JSON. Protocol text is shown literally in each: control characters visibly escaped, Markdown
and HTML special characters escaped.
"""

from __future__ import annotations

from typing import Any

from bruising_check import STATEMENT, __version__
from bruising_check.protocol.model import Protocol
from bruising_check.render import safe
from bruising_check.render.markdown import md_escape
from bruising_check.versions.report import (
    Bullets,
    DiffReport,
    Example,
    Heading,
    Para,
    Span,
    blocks,
)


def _example_lines(answers: dict[str, Any]) -> list[str]:
    import json

    return [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in answers.items()]


def text(r: DiffReport) -> str:
    out: list[str] = []
    for b in blocks(r):
        match b:
            case Heading(level=1, text=t):
                out += ["=" * 78, t, "=" * 78]
            case Heading(level=2, text=t):
                out += ["", t.upper(), "-" * len(t)]
            case Heading(text=t):
                out += ["", t]
            case Para(spans=s):
                out.append(_text_spans(s))
            case Bullets(items=items):
                out += [f"  - {_text_spans(s)}" for s in items]
            case Example(answers=a):
                out += [
                    "      example answers:",
                    *(f"        {line}" for line in _example_lines(a)),
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
    for b in blocks(r):
        match b:
            case Heading(level=level, text=t):
                out += ["", f"{'#' * level} {_md(t)}", ""]
            case Para(spans=s):
                out += [_md_spans(s), ""]
            case Bullets(items=items):
                out += [f"- {_md_spans(s)}" for s in items]
            case Example(answers=a):
                out += ["", "  ```yaml", *(f"  {line}" for line in _example_lines(a)), "  ```", ""]
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
    for b in blocks(r):
        match b:
            case Heading(level=level, text=t):
                body.append(f"<h{level}>{safe.html(t)}</h{level}>")
            case Para(spans=s):
                body.append(f"<p>{_html_spans(s)}</p>")
            case Bullets(items=items):
                body.append("<ul>" + "".join(f"<li>{_html_spans(s)}</li>" for s in items) + "</ul>")
            case Example(answers=a):
                lines = "\n".join(safe.html(line) for line in _example_lines(a))
                body.append(f"<pre class='example'>{lines}</pre>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
        "del{background:#fdd}ins{background:#dfd;text-decoration:none}"
        ".warn{background:#c00;color:#fff;padding:0 .3em;font-weight:bold}"
        "pre.example{background:#f4f4f4;padding:.5em;margin-left:2em}"
        "@media print{body{margin:0}}"
    )
    title = safe.html(f"Protocol diff: {r.old.metadata.id} {r.old.metadata.version}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


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
        parts.append(f"{before}{safe.html(_plain_text(t))}{after}")
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
                "not_read": [{"question": q, "why": n} for q, n in r.reading.not_read],
            },
            "differences": [
                {
                    "old_pathway": d.old_pathway,
                    "new_pathway": d.new_pathway,
                    "old_then": d.old_then,
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
