"""Answers format version 1 → version 2 (the national baseline's ids, CONTRACT.md).

Version 1 answered once for all the marks (`mark_types`, `locations` and one `patterned`,
`explanation` ...); version 2 answers each mark on its own under `marks:`. The conversion is
made only where it is unambiguous: one mark type (one mark per location) or one location (one
mark per type). Anything that does not carry over with the same meaning is left out and named,
so the practitioner answers it; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SAME_TOP = ("age_weeks", "gestation_weeks_at_birth", "mobility_milestones", "report_channel")

TYPES = {
    "bruise": "bruise",
    "petechiae": "petechiae",
    "abrasion": "abrasion",
    "burn": "burn",
    "bite": "bite",
    "swelling": "swelling",
    "birthmark_suspected": "birthmark_like",
    "other": "other",
}
SITES = {
    "torso_chest": "chest",
    "torso_back": "back",
    **{
        s: s
        for s in (
            "abdomen",
            "ear",
            "neck",
            "frenulum",
            "angle_of_jaw",
            "cheek",
            "eyelid",
            "subconjunctiva",
            "forehead",
            "scalp",
            "buttocks",
            "genitals",
            "upper_arm",
            "forearm",
            "thigh",
            "knee",
            "shin",
            "other_site",
        )
    },
}
SPLIT_SITES = {
    "hand": "back_of_hand or palm",
    "lower_leg": "shin or calf",
    "foot": "top_of_foot or sole",
}
EXPLANATIONS = {
    "none": "none_given",
    "plausible_consistent": "plausible_consistent",
    "implausible_or_inconsistent": "implausible_or_inconsistent",
    "medical_procedure_documented": "documented_procedure_or_birth_injury",
    "birthmark_documented_by_health_professional": "documented_birthmark",
}
NOT_CARRIED = {
    "child_seriously_unwell": "version 2 asks `immediate_danger` and `injury_red_flags` instead",
    "disability_affecting_mobility": "version 2 asks mobility through `mobility_milestones`",
    "multiple_or_clustered": "version 2 gives each mark a `count`",
    "diagnosed_condition_can_cause_mark": "version 2 asks `diagnosed_bleeding_condition`",
    "accident_independently_witnessed": "version 2 records it as each mark's `explanation`",
    "notes": "version 2 has no general notes; put what matters in a mark's `account`",
}


@dataclass
class Migrated:
    answers: dict[str, Any] | None
    """The version-2 answers, or None when the conversion would be a guess."""
    notes: list[str] = field(default_factory=list)
    """What was left out and why (the practitioner answers these)."""
    reason: str | None = None
    """Why nothing was converted."""


def is_version1(data: Mapping[str, Any]) -> bool:
    return "mark_types" in data or "locations" in data


def migrate(data: Mapping[str, Any]) -> Migrated:
    if "marks" in data:
        return Migrated(None, reason="this file already has `marks:`: it is version 2")
    if not is_version1(data):
        return Migrated(None, reason="no `mark_types` or `locations`: not a version-1 file")
    types = _ids(data.get("mark_types"))
    sites = _ids(data.get("locations"))
    if types is None or sites is None:
        return Migrated(None, reason="`mark_types` and `locations` must be lists of option ids")
    if not types or not sites:
        return Migrated(None, reason="no mark type or no location: there is no mark to write")
    if len(types) > 1 and len(sites) > 1:
        return Migrated(
            None,
            reason=f"{len(types)} mark types at {len(sites)} locations: version 1 does not say"
            " which mark is where; write each mark under `marks:` yourself",
        )
    out: dict[str, Any] = {k: data[k] for k in SAME_TOP if k in data}
    notes: list[str] = []
    pairs = [(t, sites[0]) for t in types] if len(sites) == 1 else [(types[0], s) for s in sites]
    marks: list[dict[str, Any]] = []
    for n, (t, s) in enumerate(pairs, start=1):
        mark: dict[str, Any] = {}
        if t in TYPES:
            mark["type"] = TYPES[t]
        else:
            notes.append(f"marks[{n}].type: {t!r} has no version-2 equivalent; answer it")
        if s in SITES:
            mark["site"] = SITES[s]
        elif s in SPLIT_SITES:
            notes.append(f"marks[{n}].site: {s!r} is now {SPLIT_SITES[s]}; answer it")
        else:
            notes.append(f"marks[{n}].site: {s!r} has no version-2 equivalent; answer it")
        marks.append(mark)
    one = len(marks) == 1
    patterned = data.get("patterned")
    if patterned is False:
        for mark in marks:
            mark["patterned"] = "no"  # no mark was patterned
    elif patterned is True and one:
        marks[0]["patterned"] = "yes"
    elif patterned is not None:
        notes.append("patterned: version 1 said some mark was patterned, not which; answer it")
    explanation = data.get("explanation")
    if explanation is not None:
        if one and explanation in EXPLANATIONS:
            marks[0]["explanation"] = EXPLANATIONS[explanation]
        elif one:
            notes.append(f"explanation: {explanation!r} has no version-2 equivalent; answer it")
        else:
            notes.append(
                "explanation: version 1 gave one explanation for all the marks; answer it for"
                " each mark"
            )
    account = data.get("explanation_verbatim")
    if isinstance(account, str) and account:
        if one:
            marks[0]["account"] = account
        else:
            notes.append("explanation_verbatim: one account for several marks; copy it by hand")
    out["marks"] = marks
    for key, why in NOT_CARRIED.items():
        if key in data:
            notes.append(f"{key}: left out; {why}")
    known = {*SAME_TOP, "mark_types", "locations", "patterned", "explanation"}
    known |= {"explanation_verbatim", *NOT_CARRIED}
    for key in data:
        if key not in known:
            notes.append(f"{key}: not a version-1 baseline question; left out")
    return Migrated(out, notes)


def _ids(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(value))
    return None
