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
