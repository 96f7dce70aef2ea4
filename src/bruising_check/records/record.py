"""The record of one check: a plain JSON-able mapping that holds everything needed to re-check it.

Keys follow CONTRACT.md (`outcome`, `actions`, `rules_fired`, `derived`, `answers`, `protocol`,
`tool`, `created_at`) plus what a case review needs: every question with its status, what was
not known, the sources cited, the disclaimer, and a checksum over the canonical form.
Renderers (text, Markdown, ...) work from this mapping, so a saved record can be re-rendered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from bruising_check import STATEMENT, __version__
from bruising_check.engine.decide import Decision
from bruising_check.protocol.conditions import UNKNOWN, UNKNOWN_KEYS
from bruising_check.protocol.model import (
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
    Timescale,
)
from bruising_check.render.safe import json_safe

RECORD_FORMAT = 1
TOOL_STATEMENT = STATEMENT


def build_record(
    protocol: Protocol,
    sha256: str,
    decision: Decision,
    *,
    created_at: dt.datetime,
    context: Mapping[str, Any] | None = None,
    about: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`about`: optional practitioner name/role and child reference (nothing else identifying)."""
    pw = decision.pathway
    cited: list[str] = []
    for r in decision.rules_fired:
        cited.extend(c for c in r.cite if c not in cited)
    record: dict[str, Any] = {
        "record_format": RECORD_FORMAT,
        "outcome": None
        if pw is None
        else {
            "id": pw.id,
            "title": pw.title,
            "timescale": pw.timescale.label,
            "timescale_hours": pw.timescale.hours,
            "same_day": pw.timescale.same_day,
            "urgency": pw.urgency,
            "summary": pw.summary,
            "deadline": deadline_text(pw.timescale, created_at),
        },
        "actions": [
            {
                "id": ra.action.id,
                "text": ra.action.text,
                "timescale": _timescale(ra.action.timescale),
                "act_by": _act_by(ra.action.timescale, created_at),
                "deadline": deadline_text(ra.action.timescale, created_at),
                "responsible": ra.action.responsible,
                "contact": None if ra.contact is None else ra.contact.id,
                "contact_detail": None
                if ra.contact is None
                else {
                    "name": ra.contact.name,
                    "phone": ra.contact.phone,
                    "hours": ra.contact.hours,
                    "out_of_hours": ra.contact.out_of_hours,
                    "placeholder": ra.contact.placeholder,
                },
                "from": ra.source,
            }
            for ra in decision.actions
        ],
        "rules_fired": [
            {
                "id": r.id,
                "because": r.because,
                "cite": list(r.cite),
                "kind": r.kind,
                "pathway": r.pathway,
            }
            for r in decision.rules_fired
        ],
        "decided_by": None if decision.deciding_rule is None else decision.deciding_rule.id,
        "raised_for_safety": decision.raised,
        "derived": {k: _plain(v) for k, v in decision.derived.items()},
        "derived_unknown": [k for k, v in decision.derived.items() if v is UNKNOWN],
        # Not known is null (answers format v2), so that verify-record re-runs the same answers.
        "answers": {k: _plain(v) for k, v in decision.answers.items() if v is not None},
        "questions": [_question_entry(q, decision) for q in protocol.questions],
        "unanswered": list(decision.unanswered),
        "not_asked": [{"id": s.question, "reason": s.reason} for s in decision.not_asked],
        "context": [
            {
                "id": q.id,
                "type": q.type,
                "prompt": q.prompt,
                "answer": _plain((context or {}).get(q.id)),
                "answer_label": _label(q, (context or {}).get(q.id)),
            }
            for q in protocol.context_prompts
        ],
        "labels": {f.id: f.label for f in protocol.derived},
        # Why a fact matters and its limits (e.g. TEN-4-FACESp is screening information only).
        "fact_notes": {f.id: f.help for f in protocol.derived if f.help},
        "internal_facts": [f.id for f in protocol.derived if f.internal],
        "units": {f.id: f.unit for f in protocol.derived if isinstance(f, NumberFact) and f.unit},
        "sources": {
            sid: {"title": s.title, "url": s.url, "status": s.status}
            for sid in cited
            if (s := protocol.source(sid)) is not None
        },
        "about": dict(about or {}),
        "protocol": {
            "id": protocol.metadata.id,
            "title": protocol.metadata.title,
            "version": protocol.metadata.version,
            "status": protocol.metadata.status,
            "review_due": None
            if protocol.metadata.review_due is None
            else protocol.metadata.review_due.isoformat(),
            "sha256": sha256,
        },
        "disclaimer": protocol.metadata.disclaimer,
        "statement": TOOL_STATEMENT,
        "tool": {"name": "bruising-check", "version": __version__},
        "created_at": created_at.isoformat(timespec="seconds"),
    }
    record["checksum"] = checksum(record)
    return record


def checksum(record: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the record without its `checksum` key."""
    body = {k: v for k, v in record.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_json(record: Mapping[str, Any]) -> str:
    # Terminal controls json.dumps leaves raw become \u escapes: the same text once parsed.
    return json_safe(json.dumps(record, indent=2, ensure_ascii=False)) + "\n"


def _question_entry(q: Question, decision: Decision) -> dict[str, Any]:
    skipped = next((s for s in decision.not_asked if s.question == q.id), None)
    value = decision.answers.get(q.id)
    if skipped is not None:
        status, note = "not_asked", skipped.reason
    elif value is UNKNOWN or value is None:
        status, note = "unanswered", "not known / not given"
    else:
        status, note = "answered", None
    return {
        "id": q.id,
        "type": q.type,
        "prompt": q.prompt,
        # Option ids with their labels, so a saved record can be re-rendered (e.g. the body map).
        "options": [{"id": o.id, "label": o.label} for o in getattr(q, "options", ())],
        "status": status,
        "answer": None if status != "answered" else _plain(value),
        "answer_label": None if status != "answered" else _label(q, value),
        "note": note,
    }


def _label(q: Question, value: Any) -> str | None:
    """The answer as a person reads it: option labels, yes/no, a number with its unit."""
    if value is None or value is UNKNOWN:
        return None
    if isinstance(q, GroupQuestion):
        return f"{len(value)} {q.item_label}{'' if len(value) == 1 else 's'}"
    if isinstance(q, SingleChoiceQuestion):
        return next((o.label for o in q.options if o.id == value), str(value))
    if isinstance(q, MultipleChoiceQuestion):
        chosen = [o.label for o in q.options if o.id in set(value)]
        return "; ".join(chosen) if chosen else "None of these"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(q, NumberQuestion):
        return f"{value:g} {q.unit}"
    return str(value)


def _timescale(ts: Timescale | None) -> str | None:
    return None if ts is None else ts.label


def deadline_text(ts: Timescale | None, now: dt.datetime) -> str | None:
    """When to act, in words a practitioner reads at a glance. "Same day" is not given a clock
    time: 23:59 would suggest there is time until midnight, while the front door keeps office
    hours; the out-of-hours contact is named instead."""
    if ts is None:
        return None
    if ts.hours == 0:
        return "now"
    if ts.hours is not None:
        return "by " + (now + dt.timedelta(hours=ts.hours)).strftime("%H:%M on %a %d %b %Y")
    if ts.same_day:
        return (
            f"today, {now.strftime('%a %d %b %Y')}, as soon as possible"
            " (after office hours, use the out-of-hours contact)"
        )
    return None


def _act_by(ts: Timescale | None, now: dt.datetime) -> str | None:
    """The clock time by which to act: now + hours, or the end of today for "same day"."""
    if ts is None:
        return None
    if ts.hours is not None:
        return (now + dt.timedelta(hours=ts.hours)).isoformat(timespec="minutes")
    if ts.same_day:
        return now.replace(hour=23, minute=59, second=0, microsecond=0).isoformat(
            timespec="minutes"
        )
    return None


def _plain(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]  # a group's items are mappings (answers v2)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if k != UNKNOWN_KEYS}
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON cannot hold it; `validate` keeps derived numbers far from overflow
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, float):
        return round(value, 4)
    return value
