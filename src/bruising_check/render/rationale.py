"""What every printable rationale (text, Markdown, HTML, PDF) takes from a record beyond its plain
keys: the TEN-4-FACESp screening line with its caveat, the verbatim texts, the body-map choices.

Works from the record mapping alone, so a saved JSON record can be printed again years later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEN4 = "ten4facesp_positive"
# The only identifying details a record may hold, all optional: (key in record["about"], label).
ABOUT_FIELDS = (
    ("practitioner", "Practitioner"),
    ("role", "Role"),
    ("child_reference", "Child reference"),
)
TEN4_APPLIES = "ten4facesp_applicable"
LOCATIONS = "locations"
# The tool's own framing, not a guideline sentence: the protocol's notes give the evidence.
SCREENING_CAVEAT = (
    "Screening information shown beside the decision, not the decision: it never changes the"
    " pathway."
)
SIGN_FIELDS = ("Name", "Role", "Signature", "Date and time")


@dataclass(frozen=True)
class Screening:
    shown: str  # "positive", "negative", "unknown" or "not applicable"
    label: str
    notes: tuple[str, ...]  # the protocol's own help and advice text for the fact


def ten4facesp(r: Mapping[str, Any]) -> Screening | None:
    """The TEN-4-FACESp line, or None if the protocol has no such fact."""
    derived = r.get("derived", {})
    if TEN4 not in derived:
        return None
    value = derived[TEN4]
    if TEN4 in r.get("derived_unknown", []):
        shown = "unknown (an answer it depends on is not known)"
    elif value is None or derived.get(TEN4_APPLIES) is False:
        shown = "not applicable"
    else:
        shown = "positive" if value else "negative"
    notes = [SCREENING_CAVEAT]
    help_text = r.get("fact_notes", {}).get(TEN4)
    if help_text:
        notes.append(help_text)
    notes.extend(
        f["because"]
        for f in r.get("rules_fired", [])
        if f["kind"] == "advice" and "ten-4-facesp" in f["because"].lower()
    )
    return Screening(shown, "TEN-4-FACESp", tuple(notes))


def verbatim(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Free-text answers (the explanation in the carer's words, notes), as (prompt, text)."""
    out = [
        (q["prompt"], q["answer"])
        for q in r.get("questions", [])
        if q.get("type") == "text" and q["status"] == "answered" and q["answer"]
    ]
    out.extend(
        (c["prompt"], c["answer"])
        for c in r.get("context", [])
        if c.get("type") == "text" and c.get("answer")
    )
    return out


def locations(r: Mapping[str, Any]) -> tuple[list[str], dict[str, str]] | None:
    """The selected location ids and every location's label, or None without the question."""
    q = next((q for q in r.get("questions", []) if q["id"] == LOCATIONS), None)
    if q is None:
        return None
    names = {o["id"]: o["label"] for o in q.get("options", [])}
    chosen = list(q["answer"]) if q["status"] == "answered" and q["answer"] else []
    return chosen, names


def contact_line(action: Mapping[str, Any]) -> str | None:
    c = action.get("contact_detail")
    if not c:
        return None
    parts = [c["name"]]
    for key, prefix in (("phone", ""), ("hours", ""), ("out_of_hours", "out of hours: ")):
        if c.get(key):
            parts.append(prefix + str(c[key]))
    line = " - ".join(parts)
    return line + (" (PLACEHOLDER: not a real contact)" if c.get("placeholder") else "")


def answer_text(q: Mapping[str, Any]) -> str:
    if q["status"] == "answered":
        return str(q["answer_label"])
    return f"({q['status'].replace('_', ' ')}: {q['note']})"


def shown_facts(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The derived facts a reader needs, as (label, value with its unit); steps towards other
    facts (`internal`) stay in the JSON only."""
    rows = []
    units = r.get("units", {})
    for key, value in r["derived"].items():
        if key in r.get("internal_facts", []):
            continue
        if key in r.get("derived_unknown", []):
            shown = "UNKNOWN (an answer it depends on is not known)"
        elif value is None:
            shown = "not applicable"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = f"{value} {units[key]}" if units.get(key) else str(value)
        rows.append((r["labels"].get(key, key), shown))
    return rows
