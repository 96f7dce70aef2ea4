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


LEVEL_DEADLINE_HOURS: dict[Level, float] = {
    "protect_now": 0.0,
    "emergency_care": 0.0,
    "social_care_immediate": 0.0,
    "social_care_same_day": 24.0,
    "social_care_24h": 24.0,
    "health_opinion_same_day": 24.0,
}
"""The longest pathway timescale each level allows, in hours (immediately is 0; the same day
counts as 24, as in the cross-protocol comparison). A level not listed (discussion, record and
advise, out of scope) sets no clock. A pathway whose own timescale is longer claims more urgency
than it gives, and since protocols compare by level, that would hide a less urgent pathway."""
