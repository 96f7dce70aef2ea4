"""Issue 15: the analysis shares work (watched formulas, who-asks carried down the search, one
item search per group shape) and gives up cheaply and honestly (time, steps, memory; what was
covered is said, nothing is claimed proved)."""

from __future__ import annotations

import importlib.util
import re
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bruising_check.analysis.groups as groups
import bruising_check.analysis.search as search
from bruising_check.analysis import TooLarge, analyse, compare
from bruising_check.analysis.build import build
from bruising_check.analysis.formulas import evaluate
from bruising_check.analysis.search import Leaf, Split
from tests.analysis_support import load_data, random_protocol_data
from tests.conftest import ROOT, load_text


def _bench(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scaled_yaml = _bench("scaled").scaled_yaml

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _random_search(seed: int) -> tuple[Any, list[Any], Callable[[Any, Any], Split | Leaf]]:
    """A random protocol's explorer, the formulas to watch (its invariants and rules) and the
    decision its search runs."""
    protocol = load_data(random_protocol_data(seed))
    built = build([protocol])
    view, ex = built.views[0], built.explorer
    watch = [view.compiler.condition(inv.when) for inv in protocol.invariants] + list(view.rules)

    def decide(a: dict[str, Any], hint: Any) -> Split | Leaf:
        need: list[str] = []
        done, key, resume = view.decide_pair(a, need, hint)
        return Leaf(key) if done else Split(built.space.pick(need), resume)

    return ex, watch, decide


@SETTINGS
@given(st.integers(0, 10**6))
def test_watched_values_are_the_formulas_values_on_each_leaf(seed: int) -> None:
    """What the search works out on the way down agrees with evaluating each formula afresh, and
    the leaves (and sizes) are those of the plain search."""
    ex, watch, decide = _random_search(seed)
    watched = list(ex.explore_watching(decide, watch))
    assert [(a, k, s) for a, k, s, _, _ in watched] == list(ex.explore(decide))
    assert sum(s for _, _, s, _, _ in watched) > 0
    for a, _, size, true, undecided in watched:
        assert size == ex.size(a)
        for i, f in enumerate(watch):
            got = evaluate(f, a, [])
            assert (i in true, i in undecided) == (got is True, got is None)


@SETTINGS
@given(st.integers(0, 10**6))
def test_packed_leaves_unpack_to_the_plain_search(seed: int) -> None:
    """A packed leaf stands for the very assignment the plain search gives (same keys in the same
    order, same cells), with the same key, size and watched values: what a finished analysis
    reads from them is unchanged."""
    ex, watch, decide = _random_search(seed)
    plain = list(ex.explore_watching(decide, watch))
    packed = list(ex.explore_watching(decide, watch, packed=True))
    assert len(packed) == len(plain) > 0
    for (a, *rest), (trail, *packed_rest) in zip(plain, packed, strict=True):
        assert not isinstance(trail, dict)
        assert list(ex.unpack(trail).items()) == list(a.items())
        assert packed_rest == rest
    assert [(ex.unpack(t), k, s) for t, k, s in ex.explore(decide, packed=True)] == list(
        ex.explore(decide)
    )


def _traced_peak(run: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_search_that_gives_up_keeps_little_per_leaf() -> None:
    """Bounded memory on giving up (issue 15.2), pinned without timing: the steps budget stops
    the four-copy protocol twice, and the memory the search holds grows by the leaves it
    finished. Each used to be a dict of every variable (about 2 KB, 217-278 MB at the 5 s
    budget); packed, it is a few shared tuples (about 150 B)."""
    protocol = load_text(scaled_yaml("interacting", 4, "v1"), "interacting4.yaml").protocol
    assert protocol is not None
    measured: list[tuple[int, int]] = []
    for steps in (2_000, 6_000):
        caught: list[TooLarge] = []

        def run(steps: int = steps, caught: list[TooLarge] = caught) -> None:
            try:
                analyse(protocol, max_nodes=steps, budget_seconds=None)
            except TooLarge as exc:
                caught.append(exc)

        peak = _traced_peak(run)
        assert len(caught) == 1, "the search should give up at its step budget"
        found = re.search(r"finished ([\d,]+) situation classes", str(caught[0]))
        assert found is not None
        measured.append((peak, int(found.group(1).replace(",", ""))))
    (peak_small, leaves_small), (peak_big, leaves_big) = measured
    assert leaves_big > leaves_small + 1_000
    per_leaf = (peak_big - peak_small) / (leaves_big - leaves_small)
    assert per_leaf < 500, f"{per_leaf:.0f} bytes per finished leaf"


def test_a_comparison_that_gives_up_keeps_little_per_step() -> None:
    """The same for `diff` against the baseline: every leaf there differs, and was kept as a
    dict until the search ended."""
    baseline = ROOT / "protocols" / "examples" / "national-baseline-v1.yaml"
    old = load_text(baseline.read_text(encoding="utf-8"), "v1.yaml")
    new = load_text(scaled_yaml("interacting", 4, "v1"), "interacting4.yaml")
    assert old.protocol is not None and new.protocol is not None
    peaks: list[int] = []
    for steps in (2_000, 8_000):

        def run(steps: int = steps) -> None:
            assert old.protocol is not None and new.protocol is not None
            with pytest.raises(TooLarge, match=f"stopped after {steps + 1:,} search steps"):
                compare(old.protocol, new.protocol, max_nodes=steps, budget_seconds=None)

        peaks.append(_traced_peak(run))
    per_step = (peaks[1] - peaks[0]) / 6_000
    assert per_step < 250, f"{per_step:.0f} bytes per search step"


def test_identical_groups_are_searched_once_and_analysed_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    groups._ITEM_CACHE.clear()
    three = load_text(scaled_yaml("gated", 3, "v2"), "gated3.yaml").protocol
    assert three is not None
    result = analyse(three, budget_seconds=120)
    # Copy 0 keeps the advice (more item predicates); copies 1 and 2 are one shape: two searches.
    assert len(groups._ITEM_CACHE) == 2
    groups._ITEM_CACHE.clear()
    monkeypatch.setattr(groups, "ITEM_CACHE_SIZE", 0)
    fresh = analyse(three, budget_seconds=120)
    assert groups._ITEM_CACHE == {}
    assert (result.total, result.classes, result.outcome_sizes) == (
        fresh.total,
        fresh.classes,
        fresh.outcome_sizes,
    )
    assert [f.to_json() for f in result.findings[:-1]] == [f.to_json() for f in fresh.findings[:-1]]
    holds = [f for f in result.findings if f.code.name == "INVARIANT_HOLDS"]
    assert len(holds) == len(three.invariants) == 3 * 7


def test_the_item_search_obeys_the_analysis_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    groups._ITEM_CACHE.clear()
    protocol = load_text(scaled_yaml("gated", 1, "v2"), "gated1.yaml").protocol
    assert protocol is not None
    with pytest.raises(TooLarge, match=r"stopped after 0 s") as info:
        analyse(protocol, budget_seconds=0.0)
    assert not isinstance(info.value, groups.NotAnalysable)
    assert groups._ITEM_CACHE == {}  # nothing half-searched is kept


def test_giving_up_says_what_was_covered_and_that_nothing_is_proved() -> None:
    groups._ITEM_CACHE.clear()
    protocol = load_text(scaled_yaml("gated", 1, "v2"), "gated1.yaml").protocol
    assert protocol is not None
    full = analyse(protocol, budget_seconds=120)
    with pytest.raises(TooLarge) as info:
        analyse(protocol, max_nodes=full.classes, budget_seconds=None)
    message = str(info.value)
    assert message.startswith(f"stopped after {full.classes + 1:,} search steps. Before stopping")
    assert "situation classes" in message and "each reaches a pathway" in message
    assert message.endswith("the rest was not analysed and no invariant is proved")
    finished = int(message.split("finished ")[1].split(" ")[0].replace(",", ""))
    assert 0 < finished < full.classes


def test_the_memory_limit_stops_the_search(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = iter(range(0, 10**6, 300))  # each reading 300 MB more than the last
    monkeypatch.setattr(search, "_resident_mb", lambda: float(next(readings)))
    protocol = load_text(scaled_yaml("gated", 1, "v2"), "gated1.yaml").protocol
    assert protocol is not None
    groups._ITEM_CACHE.clear()
    with pytest.raises(TooLarge, match=r"stopped at the memory limit \(1,024 MB more"):
        analyse(protocol, budget_seconds=None)


def test_the_scaled_protocols_are_valid() -> None:
    for version, rules in (("v1", 9), ("v2", 11)):
        for kind, n in (("gated", 3), ("interacting", 2)):
            loaded = load_text(scaled_yaml(kind, n, version), f"{kind}.yaml")
            errors = [p.format() for p in loaded.problems if p.severity == "error"]
            # Any error and `validate` stops before the analysis: the bench would time nothing.
            assert loaded.protocol is not None and errors == [], errors[:3]
            assert len(loaded.protocol.rules) == n * rules


def test_merging_leaves_checks_the_budget_before_each_pass() -> None:
    from bruising_check.analysis.classes import merge

    leaves: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
        ({"x": i, "y": 0}, 1, {}) for i in range(3)
    ]
    calls: list[int] = []
    merged = merge(leaves, lambda: calls.append(1))
    assert len(merged) == 1 and merged[0].size == 3 and calls  # merged, and asked each pass

    def over() -> None:
        raise TooLarge(7, 5.0)

    with pytest.raises(TooLarge):
        merge(leaves, over)


class _Clock:
    """search.py's `time` module as a test sets it: `monotonic` reads `now[0]`."""

    def __init__(self, now: list[float]) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now[0]


def test_a_comparison_whose_search_finished_in_time_still_stops_at_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The budget bounds the whole comparison: grouping a finished search's differences into
    classes (minutes for hundreds of thousands of leaves) stops at the deadline too, and says
    that nothing is proved. A made-up clock jumps past the deadline when the grouping starts."""
    from bruising_check.analysis import comparison
    from bruising_check.analysis.comparison import compare
    from tests.conftest import BASELINE_V1, ROOT

    now = [1000.0]
    monkeypatch.setattr(search, "time", _Clock(now))
    real_merge: Any = getattr(comparison, "merge")  # noqa: B009 - not exported; patched below

    def late_merge(*args: Any, **kwargs: Any) -> Any:
        now[0] += 10_000.0
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(comparison, "merge", late_merge)
    old = load_text(BASELINE_V1.read_text(encoding="utf-8")).protocol
    new_path = ROOT / "protocols" / "examples" / "exampleshire-v1.yaml"
    new = load_text(new_path.read_text(encoding="utf-8")).protocol
    assert old is not None and new is not None
    with pytest.raises(TooLarge) as info:
        compare(old, new, budget_seconds=60)
    assert "The search had finished" in str(info.value)
    assert str(info.value).endswith("nothing is proved")
    # Without a budget nothing stops it: the same comparison finishes, with differences.
    now[0] = 1000.0
    assert compare(old, new, budget_seconds=None).differences
