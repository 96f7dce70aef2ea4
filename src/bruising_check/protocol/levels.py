"""The national scale of urgency: one order shared by every protocol (issue 14.2).

Each pathway may declare its `level` on this scale, so two protocols compare by level whatever
their pathway ids or their own `urgency` ranks; two pathways may share a level (equal
alternatives). The scale is documented in the README ("The urgency scale").
"""

from __future__ import annotations

from typing import Literal, get_args

Level = Literal[
    "protect_now",
    "emergency_care",
    "social_care_immediate",
    "social_care_same_day",
    "social_care_24h",
    "health_opinion_same_day",
    "discussion",
    "record_and_advise",
    "out_of_scope",
]

LEVELS: tuple[Level, ...] = get_args(Level)
"""Most urgent first."""

LEVEL_LABELS: dict[Level, str] = {
    "protect_now": "Act now to protect the child",
    "emergency_care": "Emergency medical care",
    "social_care_immediate": "Referral to children's social care, immediately",
    "social_care_same_day": "Referral to children's social care, the same day",
    "social_care_24h": "Referral to children's social care, within 24 hours",
    "health_opinion_same_day": "A same-day health opinion on whether to refer",
    "discussion": "Discussion before deciding",
    "record_and_advise": "Record and advise",
    "out_of_scope": "This procedure does not apply",
}


def level_rank(level: Level) -> int:
    """0 is the most urgent; larger is less urgent."""
    return LEVELS.index(level)
