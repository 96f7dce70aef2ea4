"""Writes examples/cases/exampleshire-synthetic.csv: 240 made-up cases for `diff --cases`.

    .venv/bin/python bench/synthetic_cases.py

SYNTHETIC: no real child, no real case. Seeded, so the file is the same on every run. Ages are
mostly under 6 months (the babies this protocol is about), milestones appear around typical ages
(rough figures, not from a study), bruises mostly over bony sites for mobile babies; a few remote
reports, premature births and patterned marks. Only for trying the board paper's impact section.
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "examples" / "cases" / "exampleshire-synthetic.csv"
COLUMNS = (
    "case_id,age_weeks,gestation_weeks_at_birth,mobility_milestones,"
    "disability_affecting_mobility,mark_types,locations,child_seriously_unwell,patterned,"
    "multiple_or_clustered,explanation,diagnosed_condition_can_cause_mark,"
    "accident_independently_witnessed,report_channel"
)
# Rough typical ages (weeks) around which each milestone appears, for made-up cases only.
ONSET = (
    ("rolling", 16),
    ("sitting", 26),
    ("crawling", 36),
    ("bottom_shuffling", 40),
    ("pulling_to_stand", 40),
    ("cruising", 44),
    ("walking", 52),
)
NIM_SITES = ("cheek", "forehead", "torso_chest", "torso_back", "ear", "upper_arm", "thigh")
MOBILE_SITES = ("shin", "knee", "forehead", "lower_leg", "forearm", "hand")
EXPLANATIONS = (
    ("none", 30),
    ("plausible_consistent", 45),
    ("implausible_or_inconsistent", 10),
    ("medical_procedure_documented", 10),
    ("birthmark_documented_by_health_professional", 5),
)


def rows(n: int = 240, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    out = [COLUMNS]
    for i in range(n):
        age = rng.choice([rng.randint(0, 26)] * 3 + [rng.randint(27, 52), rng.randint(53, 104)])
        spread = rng.randint(-4, 10)
        miles = [m for m, w in ONSET if age >= w + spread and rng.random() < 0.9]
        gestation = str(rng.randint(28, 36)) if rng.random() < 0.1 else ""
        marks = ["bruise"]
        if rng.random() > 0.85:
            marks = rng.choice([["abrasion"], ["bruise", "swelling"], ["petechiae"]])
        mobile = {"crawling", "walking", "cruising"} & set(miles)
        sites = {rng.choice(MOBILE_SITES if mobile else NIM_SITES)}
        if rng.random() < 0.15:
            sites.add(rng.choice(NIM_SITES))
        explanation = rng.choices([e for e, _ in EXPLANATIONS], [w for _, w in EXPLANATIONS])[0]
        channel = rng.choices(
            ["seen_in_person", "reported_remotely_by_carer", "reported_by_third_party"],
            [80, 10, 10],
        )[0]

        def yes(p: float) -> str:
            return "yes" if rng.random() < p else "no"

        cells = [
            f"EX-{i + 1:04d}",
            str(age),
            gestation,
            ";".join(miles) or "none",
            yes(0.03),
            ";".join(marks),
            ";".join(sorted(sites)),
            yes(0.02),
            yes(0.05),
            "yes" if len(sites) > 1 else yes(0.1),
            explanation,
            yes(0.02),
            yes(0.05),
            channel,
        ]
        out.append(",".join(cells))
    return out


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(rows()) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


# --- version 2 (a list of marks) for the bundled baseline and the real protocols ---------------
# SYNTHETIC as above: made-up answer sets in answers format v2, for measuring `diff --cases`.
# Rates are rough, to exercise every path of the replay (not from a study): a few "not sure"
# answers, unknown gestations, red flags, reports by phone, patterned marks and disclosures.
V2_TYPES = (
    ("bruise", 70),
    ("abrasion", 10),
    ("petechiae", 5),
    ("swelling", 5),
    ("burn", 3),
    ("bite", 2),
    ("birthmark_like", 4),
    ("other", 1),
)
V2_SITES_NIM = (
    "cheek",
    "forehead",
    "chest",
    "back",
    "ear",
    "upper_arm",
    "thigh",
    "abdomen",
    "buttocks",
    "neck",
    "scalp",
    "eyelid",
    "angle_of_jaw",
    "frenulum",
)
V2_SITES_MOBILE = (
    "shin",
    "knee",
    "forehead",
    "calf",
    "forearm",
    "elbow",
    "chin",
    "nose",
    "top_of_foot",
    "back_of_hand",
    "cheekbone",
)
V2_EXPLANATIONS = (
    ("none_given", 30),
    ("not_asked", 8),
    ("plausible_consistent", 40),
    ("implausible_or_inconsistent", 6),
    ("person_caused", 1),
    ("independent_witness_accident", 5),
    ("documented_procedure_or_birth_injury", 6),
    ("documented_birthmark", 4),
)
V2_FLAGS = (
    "seriously_unwell",
    "limb_not_moved",
    "head_swelling_under_1",
    "bleeding_mouth_nose_ears",
    "vomiting_or_drowsy_after_injury",
)
V2_LOCOMOTOR = {"crawling", "bottom_shuffling", "cruising", "walking"}


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def v2_answers(rng: random.Random) -> dict[str, object]:
    """One made-up answer set in answers format v2 (the baseline's questions)."""
    age = rng.choice([rng.randint(0, 26)] * 3 + [rng.randint(27, 52), rng.randint(53, 104)])
    spread = rng.randint(-4, 10)
    miles = [m for m, w in ONSET if age >= w + spread and rng.random() < 0.9]
    if rng.random() < 0.02:
        miles = ["not_sure"]
    bleeding = rng.choices(["no", "yes", "not_known"], [95, 3, 2])[0]
    roll = rng.random()
    gestation: int | None = 40 if roll < 0.6 else rng.randint(37, 42) if roll < 0.9 else None
    if gestation is None and rng.random() < 0.5:
        gestation = rng.randint(28, 36)
    answers: dict[str, object] = {
        "immediate_danger": rng.choices(["no", "yes", "not_sure"], [96, 1, 3])[0],
        "injury_red_flags": rng.sample(V2_FLAGS, 1) if rng.random() < 0.05 else [],
        "age_weeks": age,
        "gestation_weeks_at_birth": gestation,
        "mobility_milestones": miles,
        "report_channel": rng.choices(
            ["seen_in_person", "reported_remotely_by_carer", "reported_by_third_party"],
            [80, 10, 10],
        )[0],
        "diagnosed_bleeding_condition": bleeding,
    }
    corrected = age if gestation is None or gestation >= 37 else age - (40 - gestation)
    if V2_LOCOMOTOR & set(miles) and (gestation is None or corrected <= 21):
        answers["mobility_seen_by_professional"] = rng.random() < 0.3
    mobile = bool(V2_LOCOMOTOR & set(miles))
    marks = []
    for _ in range(rng.choices([1, 2, 3, 4], [60, 25, 10, 5])[0]):
        mark: dict[str, object] = {
            "type": _pick(rng, V2_TYPES),
            "site": rng.choice(V2_SITES_MOBILE if mobile and rng.random() < 0.8 else V2_SITES_NIM),
            "patterned": rng.choices(["no", "yes", "not_sure"], [92, 4, 4])[0],
            "explanation": _pick(rng, V2_EXPLANATIONS),
        }
        if bleeding == "yes" and rng.random() < 0.5:
            mark["explanation"] = "diagnosed_condition"
        if rng.random() < 0.7:
            mark["side"] = rng.choice(["left", "right"])
        if rng.random() < 0.6:
            mark["size_cm"] = round(rng.uniform(0.2, 6), 1)
        if rng.random() < 0.2:
            mark["count"] = rng.randint(1, 4)
        if rng.random() < 0.5:
            mark["explained_by"] = rng.choice(["mother", "father", "partner", "other_carer"])
        if rng.random() < 0.3:
            mark["colour"] = rng.choice(["blue", "purple", "yellow-green", "red"])
        marks.append(mark)
    answers["marks"] = marks
    return answers


def v2_cases(n: int, seed: int = 2025) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return [v2_answers(rng) for _ in range(n)]


def v2_jsonl(cases: list[dict[str, object]]) -> str:
    """Saved-record lines (`answers`, `created_at`), one per case."""
    import json

    return "".join(
        json.dumps({"answers": a, "created_at": f"2026-01-01T00:00:{i % 60:02d}Z"}) + "\n"
        for i, a in enumerate(cases)
    )


def v2_yaml(cases: list[dict[str, object]], first: int = 0) -> str:
    """A scenario file (`cases:` with `id` and `answers`), ids counted from `first`."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(
        {"cases": [{"id": f"V2-{first + i + 1:06d}", "answers": a} for i, a in enumerate(cases)]},
        Dumper=dumper,
        sort_keys=False,
    )


def v2_csv(cases: list[dict[str, object]], max_marks: int = 4) -> str:
    """One column per question id, a group's item questions as `marks[N].id` (1-based)."""
    import csv
    import io

    top = [
        "immediate_danger",
        "injury_red_flags",
        "age_weeks",
        "gestation_weeks_at_birth",
        "mobility_milestones",
        "mobility_seen_by_professional",
        "report_channel",
        "diagnosed_bleeding_condition",
    ]
    item = [
        "type",
        "site",
        "side",
        "size_cm",
        "count",
        "patterned",
        "explanation",
        "explained_by",
        "colour",
    ]
    header = ["case_id", *top, *(f"marks[{n}].{q}" for n in range(1, max_marks + 1) for q in item)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, a in enumerate(cases):
        row = [f"V2-{i + 1:06d}"]
        for q in top:
            v = a.get(q, "")
            if isinstance(v, list):
                v = ";".join(v) or "none"
            elif isinstance(v, bool):
                v = "yes" if v else "no"
            elif v is None:
                v = "not known"
            row.append(str(v))
        marks = a["marks"]
        assert isinstance(marks, list)
        for n in range(max_marks):
            m = marks[n] if n < len(marks) else {}
            row.extend(str(m.get(q, "")) for q in item)
        writer.writerow(row)
    return out.getvalue()
