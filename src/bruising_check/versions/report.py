"""The diff report: structural changes, behavioural changes and impact on cases, and the counts
every format states (situations less urgent, not compared, cases less urgent). `render.diff`
makes it a `render.blocks.Document` (the one block model) and prints it as text, Markdown, HTML
and JSON. De-escalations (a less urgent pathway) come first and are marked in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bruising_check.analysis import Comparison
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Impact
from bruising_check.versions.reading import Read
from bruising_check.versions.structural import Change


@dataclass
class DiffReport:
    old: Protocol
    new: Protocol
    old_name: str
    new_name: str
    old_sha256: str
    new_sha256: str
    changes: list[Change]
    comparison: Comparison | None = None
    impact: Impact | None = None
    notes: list[str] = field(default_factory=list)
    reading: Read | None = None
    """The old version read over the new answers (the new version's `maps_from`)."""

    @property
    def deescalations(self) -> int:
        if self.comparison is None:
            return 0
        return sum(
            c.size
            for d in self.comparison.differences
            # Not compared (no level, no id in common): it may be less urgent, so it fails too.
            if d.direction == "less_urgent" or not d.compared
            for c in d.classes
        )

    @property
    def not_compared(self) -> int:
        """Situations whose pathways could not be compared (counted in `deescalations`)."""
        if self.comparison is None:
            return 0
        return sum(c.size for d in self.comparison.differences if not d.compared for c in d.classes)

    @property
    def case_deescalations(self) -> int:
        if self.impact is None:
            return 0
        return (
            sum(
                n
                for pair, n in self.impact.transitions.items()
                # Not compared (no level, no id in common): it may be less urgent, so it fails too.
                if self.impact.may_be_less_urgent(pair)
            )
            + self.impact.follow_on_deescalations
        )
