"""Proving a protocol safe: exhaustive, exact analysis of every complete answer set.

Modules, one idea each: `space` (the partition of each answer's domain, counting, examples),
`formulas` (formulas over cells, partial evaluation), `compile` (a protocol's conditions as
formulas), `build` (one protocol or two over a joint space), `search` (the splitting search),
`findings` (what validate reports), `comparison` (behavioural differences), `direction` (the
one cross-protocol order on outcomes, by level), `classes` (merging and describing situation
classes), `twins` (does the outcome depend on one answer), `policy` (the stated policy
positions, checked).

Method (symbolic enumeration by partition refinement):
each question's answers are partitioned into the classes the protocol's conditions can tell apart
(yes/no; option classes of choice questions; integer intervals cut at the thresholds that direct
comparisons and linear derived facts induce). Conditions are compiled to formulas over those
classes, mirroring the engine (unasked questions are absent; three-valued logic is not needed for
complete answer sets). A search splits the space only while a question of interest — which rule
matches first, does an invariant hold — is undecided, so the work grows with the number of
situations the protocol distinguishes, not with the raw space (about 2^62 for the bundled protocol).

The partition is exact: every atom is constant on a cell (choice atoms by construction of the
classes; number atoms because they are monotone and agree at the cell's corners), so a formula
decided on a cell is decided for every raw answer set in it, and cell sizes are counted exactly.
The tests check this against brute-force enumeration through `engine.decide` on random protocols.
"""

from bruising_check.analysis.comparison import (
    Comparison,
    PathwayDifference,
    SituationClass,
    compare,
    example_for,
)
from bruising_check.analysis.direction import (
    Direction,
    Verdict,
    outcome_direction,
    pathway_direction,
)
from bruising_check.analysis.findings import Analysis, Finding, analyse
from bruising_check.analysis.search import TooLarge

__all__ = [
    "Analysis",
    "Comparison",
    "Direction",
    "Finding",
    "PathwayDifference",
    "SituationClass",
    "TooLarge",
    "Verdict",
    "analyse",
    "compare",
    "example_for",
    "outcome_direction",
    "pathway_direction",
]
