"""Diff figures: structural + behavioural diff of bundled protocols, in process.

    .venv/bin/python bench/diff.py

Prints the median of several runs for each pair (load excluded, so the figure is the diff itself)
and the case-impact throughput on synthetic CSV rows.
"""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

from bruising_check.analysis import compare
from bruising_check.protocol.loader import load_protocol
from bruising_check.versions.impact import impact, read_cases
from bruising_check.versions.structural import structural_diff

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "national-baseline": ROOT / "protocols" / "national-baseline.yaml",
    "exampleshire-v1": ROOT / "protocols" / "examples" / "exampleshire-v1.yaml",
    "exampleshire-v2": ROOT / "protocols" / "examples" / "exampleshire-v2.yaml",
    "national-baseline-v1": ROOT / "protocols" / "examples" / "national-baseline-v1.yaml",
}
RUNS = 7


def load(name: str):  # type: ignore[no-untyped-def]
    protocol = load_protocol(FILES[name].read_bytes(), name).protocol
    assert protocol is not None
    return protocol


def median(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    board(load("exampleshire-v1"), load("exampleshire-v2"))
    print(f"{'old':<20}{'new':<20}{'structural':>12}{'behavioural':>13}")
    for old, new in [
        ("national-baseline", "exampleshire-v1"),
        ("national-baseline", "exampleshire-v2"),
        ("exampleshire-v1", "exampleshire-v2"),
    ]:
        a, b = load(old), load(new)
        s = median(lambda a=a, b=b: structural_diff(a, b))
        c = median(lambda a=a, b=b: compare(a, b))
        print(f"{old:<20}{new:<20}{s * 1000:>10.1f}ms{c * 1000:>11.1f}ms")
    across_rewrite()
    a, b = load("exampleshire-v1"), load("exampleshire-v2")
    header = (
        "age_weeks,mobility_milestones,mark_types,locations,child_seriously_unwell,"
        "gestation_weeks_at_birth,disability_affecting_mobility,patterned,"
        "multiple_or_clustered,explanation,diagnosed_condition_can_cause_mark,"
        "accident_independently_witnessed,report_channel\n"
    )
    row = (
        "30,rolling;sitting,bruise,shin,false,40,no,no,no,plausible_consistent,no,no,"
        "seen_in_person\n"
    )
    rows = 20_000
    text = header + row * rows
    questions = {q.id: q for q in b.questions}
    start = time.perf_counter()
    result = impact(a, b, read_cases("bench.csv", io.StringIO(text), questions))
    spent = time.perf_counter() - start
    rate = result.total / spent
    print(f"case impact: {result.total:,} CSV cases in {spent:.2f}s ({rate:,.0f} cases/s)")


def across_rewrite() -> None:
    """National baseline 1.0 against 2.0 through 2.0's `maps_from` (one run: it takes seconds):
    the reading, then the exact comparison over the new answers; CPU time, so load is excluded."""
    from bruising_check.versions import reading

    a, b = load("national-baseline-v1"), load("national-baseline")
    start = time.process_time()
    found = reading.reading_for(a, b)
    assert found is not None
    read = reading.read_over(a, b, found[1])
    made = time.process_time() - start
    result = compare(read.protocol, reading.deciding_only(b), budget_seconds=None)
    spent = time.process_time() - start - made
    classes = sum(len(d.classes) for d in result.differences)
    print(
        f"national-baseline 1.0 -> 2.0 via maps_from: reading {made * 1000:.0f}ms CPU,"
        f" comparison {spent:.1f}s CPU ({len(result.differences)} changes, {classes:,} classes)"
    )


def board(a, b) -> None:  # type: ignore[no-untyped-def]
    """The board paper on top of the comparison: attribution, examples checked by the engines,
    and the Document; the engines' memo is cleared before each run."""
    from bruising_check.render.board import document
    from bruising_check.versions import examples
    from bruising_check.versions.board import board_paper

    changes, comparison = structural_diff(a, b), compare(a, b)

    def run() -> None:
        examples._SEEN.clear()
        document(board_paper(a, b, "old", "new", changes, comparison))

    print(f"board paper exampleshire-v1 -> v2 (after the comparison): {median(run) * 1000:.0f}ms")


if __name__ == "__main__":
    main()
