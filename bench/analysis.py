"""Analysis figures: the bundled protocol, synthetic protocols of 40, 60 and 80 questions, and
synthetic protocols with a repeated group (20 marks, 40 item predicates), with how the time grows
with the number of item predicates and with the maximum number of items.

    .venv/bin/python bench/analysis.py            (add --quick for fewer sizes;
                                                    --groups for the group figures only;
                                                    --scaled for the scaled-baseline table only)

The scaled table (issue 15): copies of the bundled baseline from bench/scaled.py (1, 16 and 32
gated copies, 2 and 4 interacting copies), each `validate`d in a process of its own with the
default budget, CPU seconds (user + sys of that process, start-up and reading the file included:
the machine is shared, wall time would measure the neighbours) and its peak resident memory
(VmHWM), against issue 15's targets.

For each protocol: the raw number of complete answer sets, the situation classes the analysis
found, the time and peak memory (tracemalloc) of a full `analyse`, and what brute-force enumeration
through `engine.decide` would take: the engine's cost per answer set is measured on random answer
sets, then multiplied by the raw space.

Synthetic protocols are seeded and built like local protocols: yes/no, single- and multiple-choice
questions; rules are conjunctions of two or three tests; questions are picked with a skew (a few key
questions carry most rules, as in real protocols); the last rule is a catch-all.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bruising_check.analysis import TooLarge, analyse, compare  # noqa: E402
from bruising_check.engine.decide import decide  # noqa: E402
from bruising_check.protocol.loader import load_protocol  # noqa: E402
from bruising_check.protocol.model import (  # noqa: E402
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)

PATHWAYS = ["p1", "p2", "p3", "p4"]
SECONDS_PER_YEAR = 365.25 * 24 * 3600
MAX_NODES = 1_000_000  # about half a minute of search; past it the row says so


def synthetic(n_questions: int, n_rules: int, seed: int) -> Protocol:
    rng = random.Random(seed)
    questions: list[dict[str, Any]] = []
    for i in range(n_questions):
        kind = rng.choice(["boolean", "boolean", "single_choice", "multiple_choice"])
        q: dict[str, Any] = {"id": f"q{i}", "type": kind, "prompt": f"Question {i}?"}
        if kind != "boolean":
            q["options"] = [{"id": f"o{k}", "label": f"Option {k}"} for k in range(4)]
        questions.append(q)
    weights = [1 / (i + 1) ** 1.2 for i in range(n_questions)]

    def test() -> dict[str, Any]:
        q = rng.choices(questions, weights)[0]
        if q["type"] == "boolean":
            return {"question": q["id"], "equals": rng.random() < 0.5}
        options = [f"o{k}" for k in range(4)]
        if q["type"] == "single_choice":
            return {"question": q["id"], "in": rng.sample(options, rng.randint(1, 2))}
        op = rng.choice(["includes_any", "includes_all"])
        return {"question": q["id"], op: rng.sample(options, rng.randint(1, 2))}

    rules = [
        {
            "id": f"R{i}",
            "when": {"all": [test() for _ in range(rng.randint(2, 3))]},
            "pathway": rng.choice(PATHWAYS),
            "because": "Synthetic.",
            "cite": ["s1"],
        }
        for i in range(n_rules - 1)
    ]
    rules.append(
        {
            "id": "R_last",
            "when": {"question": "q0", "answered": True},
            "pathway": "p4",
            "because": "Catch-all.",
            "cite": ["s1"],
        }
    )
    data = {
        "metadata": {
            "id": f"synthetic-{n_questions}-{n_rules}",
            "title": "Synthetic",
            "version": "1",
            "status": "draft",
            "issued_by": "bench",
            "disclaimer": "Synthetic protocol for measurement only.",
        },
        "sources": [{"id": "s1", "title": "None", "url": "https://example.org"}],
        "questions": questions,
        "pathways": [
            {"id": p, "title": p, "urgency": k + 1, "timescale": {"label": "x"}}
            for k, p in enumerate(PATHWAYS)
        ],
        "rules": rules,
    }
    import yaml

    loaded = load_protocol(yaml.safe_dump(data).encode(), "synthetic.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems][:3]
    return loaded.protocol


def random_answers(protocol: Protocol, rng: random.Random) -> dict[str, Any]:
    return {q.id: _random_answer(q, rng) for q in protocol.questions if q.type != "text"}


def _random_answer(q: Question, rng: random.Random) -> Any:
    if isinstance(q, BooleanQuestion):
        return rng.random() < 0.5
    if isinstance(q, SingleChoiceQuestion):
        return rng.choice(q.options).id
    if isinstance(q, MultipleChoiceQuestion):
        chosen = [o.id for o in q.options if rng.random() < 0.5]
        return tuple(chosen or [q.options[0].id])
    if isinstance(q, NumberQuestion):
        return rng.randint(int(q.min), int(q.max))
    return ""


def per_case_seconds(protocol: Protocol, n: int = 2000) -> float:
    rng = random.Random(1)
    cases = [random_answers(protocol, rng) for _ in range(n)]
    start = time.perf_counter()
    for answers in cases:
        decide(protocol, answers)
    return (time.perf_counter() - start) / n


def measure(name: str, protocol: Protocol, runs: int = 3) -> None:
    times = []
    start = time.perf_counter()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            result = analyse(protocol, max_nodes=MAX_NODES, budget_seconds=None)
            times.append(time.perf_counter() - start)
    except TooLarge as exc:
        print(
            f"{name:<28} {len(protocol.questions):>4} {len(protocol.rules):>5}  {exc} in"
            f" {time.perf_counter() - start:.0f} s: too many situations for the search budget"
        )
        return
    tracemalloc.start()  # a separate run: tracing slows Python down several times
    analyse(protocol, max_nodes=MAX_NODES, budget_seconds=None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    brute = per_case_seconds(protocol) * result.total
    print(
        f"{name:<28} {len(protocol.questions):>4} {len(protocol.rules):>5}"
        f"  2^{result.total.bit_length() - 1:<4} {result.classes:>7,}"
        f" {statistics.median(times) * 1000:>9.1f} ms {peak / 2**20:>7.1f} MiB"
        f"   {_duration(brute)}"
    )


def _duration(seconds: float) -> str:
    years = seconds / SECONDS_PER_YEAR
    if years >= 1:
        return f"{years:.2g} years"
    return f"{seconds:.3g} s"


ITEM_TYPES = ["bruise", "petechiae", "abrasion", "burn", "bite", "swelling", "birthmark", "other"]
SITES = [f"site{k}" for k in range(33)]
EXPLANATIONS = [f"expl{k}" for k in range(9)]


def synthetic_group(
    n_predicates: int,
    max_items: int,
    seed: int,
    counts: float = 0.05,
    every: float = 0.2,
    sums: float = 0.0,
) -> Protocol:
    """A marks group (type, site, patterned, explanation, count 1-50) up to `max_items` items,
    and `n_predicates` item predicates: each rule asks for some mark (or a number of marks, or
    every mark) of a few types at a few sites, as a body-map protocol would."""
    rng = random.Random(seed)

    def where() -> dict[str, Any]:
        parts: list[dict[str, Any]] = [
            {"item": "type", "in": rng.sample(ITEM_TYPES, rng.randint(1, 3))},
            {"item": "site", "in": rng.sample(SITES, rng.randint(1, 8))},
        ]
        if rng.random() < 0.4:
            parts.append({"item": "patterned", "equals": "yes"})
        if rng.random() < 0.4:
            parts.append({"not": {"item": "explanation", "in": rng.sample(EXPLANATIONS, 3)}})
        return {"all": parts}

    rules = []
    for i in range(n_predicates):
        roll = rng.random()
        when: dict[str, Any]
        if roll < 1 - counts - every:
            when = {"some": {"group": "marks", "where": where()}}
        elif roll < 1 - every:
            spec: dict[str, Any] = {"group": "marks", "where": where(), "ge": rng.randint(2, 4)}
            if rng.random() < sums:
                spec["sum"] = "count"
            when = {"count": spec}
        else:
            when = {"every": {"group": "marks", "where": where()}}
        if rng.random() < 0.3:
            when = {"all": [when, {"question": "age_weeks", "lt": rng.choice([13, 26, 39])}]}
        rules.append(
            {
                "id": f"R{i}",
                "when": when,
                "pathway": rng.choice(PATHWAYS[:3]),
                "because": "Synthetic.",
                "cite": ["s1"],
            }
        )
    rules.append(
        {
            "id": "R_last",
            "when": {"question": "age_weeks", "answered": True},
            "pathway": "p4",
            "because": "Catch-all.",
            "cite": ["s1"],
        }
    )

    def single(qid: str, options: list[str]) -> dict[str, Any]:
        return {
            "id": qid,
            "type": "single_choice",
            "prompt": f"{qid}?",
            "options": [{"id": o, "label": o} for o in options],
        }

    data = {
        "metadata": {
            "id": f"synthetic-group-{n_predicates}-{max_items}",
            "title": "Synthetic group",
            "version": "1",
            "status": "draft",
            "issued_by": "bench",
            "disclaimer": "Synthetic protocol for measurement only.",
        },
        "sources": [{"id": "s1", "title": "None", "url": "https://example.org"}],
        "questions": [
            {
                "id": "age_weeks",
                "type": "number",
                "prompt": "Age?",
                "unit": "weeks",
                "min": 0,
                "max": 104,
            },
            {
                "id": "marks",
                "type": "group",
                "prompt": "Marks",
                "item_label": "mark",
                "min_items": 1,
                "max_items": max_items,
                "questions": [
                    single("type", ITEM_TYPES),
                    single("site", SITES),
                    single("patterned", ["yes", "no"]),
                    single("explanation", EXPLANATIONS),
                    {
                        "id": "count",
                        "type": "number",
                        "prompt": "How many?",
                        "unit": "marks",
                        "min": 1,
                        "max": 50,
                    },
                ],
            },
        ],
        "pathways": [
            {"id": p, "title": p, "urgency": k + 1, "timescale": {"label": "x"}}
            for k, p in enumerate(PATHWAYS)
        ],
        "rules": rules,
    }
    import yaml

    loaded = load_protocol(yaml.safe_dump(data).encode(), "synthetic-group.yaml")
    assert loaded.protocol is not None, [p.format() for p in loaded.problems][:3]
    return loaded.protocol


def measure_group(n_predicates: int, max_items: int, **mix: float) -> float:
    protocol = synthetic_group(n_predicates, max_items, seed=n_predicates * 100 + max_items, **mix)
    start = time.perf_counter()
    cpu = time.process_time()
    shown = f"group {n_predicates:>3} predicates, max {max_items:>2} items"
    if mix:
        shown += " (" + ", ".join(f"{k} {v:g}" for k, v in mix.items()) + ")"
    try:
        result = analyse(protocol, max_nodes=10 * MAX_NODES, budget_seconds=None)
    except TooLarge as exc:
        print(f"{shown}: {exc}")
        return float("inf")
    wall = time.perf_counter() - start
    seconds = time.process_time() - cpu
    kinds = sum(len(d.var_names) for d in _group_domains(protocol))
    print(
        f"{shown}: 2^{result.total.bit_length() - 1:<5} answer sets, {kinds:>4} variables,"
        f" {result.classes:>6,} classes, {seconds:>7.2f} s CPU ({wall:.2f} s wall)"
    )
    return seconds


def _group_domains(protocol: Protocol) -> list[Any]:
    from bruising_check.analysis.build import build

    return [d for d in build([protocol], budget_seconds=None).space.domains.values() if d.group]


def groups(quick: bool) -> None:
    """CPU seconds of this process (the machine is shared: wall time measures the neighbours,
    and is shown beside it), with no wall-clock budget: a row stops only past 10,000,000 search
    steps."""
    print("Repeated group (marks: type, site, patterned, explanation, count), item predicates")
    print("75% some, 20% every, 5% count (a body-map protocol's mix):")
    headline = measure_group(40, 20)
    met = "met" if headline < 10 else "NOT met"
    print(f"  20-item group, 40 item predicates: {headline:.2f} s CPU (target < 10 s: {met})")
    print("  with more counts, and sums of a count field (the expensive case):")
    measure_group(40, 20, counts=0.1)
    measure_group(40, 20, counts=0.05, sums=1.0)
    print("  growth with the number of item predicates (max 20 items):")
    for n in [10, 20, 40, 80] if quick else [5, 10, 20, 40, 60, 80]:
        measure_group(n, 20)
    print("  growth with the maximum number of items (40 item predicates):")
    for m in [5, 20, 50] if quick else [2, 5, 10, 20, 35, 50]:
        measure_group(40, m)


SCALED = [
    # (baseline, kind, copies, CPU target in seconds or None, what is expected)
    # "proved": the analysis runs to the end (interacting copies break each other's invariants,
    # which it reports: exit 1 with every verdict given).
    ("v1", "gated", 1, None, "proved"),
    ("v1", "gated", 16, 1.5, "proved"),
    ("v1", "gated", 32, 4.0, "proved"),
    ("v1", "interacting", 2, 2.0, "proved"),
    ("v1", "interacting", 4, None, "gives up within the budget + 1 s, under 200 MB, exit 1"),
    ("v2", "gated", 1, None, "proved"),
    ("v2", "gated", 16, None, "proved"),
    ("v2", "interacting", 4, None, "gives up within the budget + 1 s, under 200 MB, exit 1"),
]
"""v1: the version-1 baseline issue 15's targets were set on; v2: the bundled baseline (a group
of 20 marks, 25 times the situations per copy), no targets: how far the same code gets."""

_CHILD = """
import resource, sys, time
from pathlib import Path
started = time.monotonic()
from bruising_check.cli import main
sys.argv = ["bruising-check", "validate", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
ru = resource.getrusage(resource.RUSAGE_SELF)
hwm = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM"))
print("RESULT", code, ru.ru_utime + ru.ru_stime, int(hwm.split()[1]) // 1024,
      time.monotonic() - started, file=sys.stderr)
"""


def scaled_table(budget: float | None = None, quick: bool = False) -> None:
    import os
    import subprocess
    import tempfile

    sys.path.insert(0, str(ROOT / "bench"))
    from scaled import scaled_yaml

    print(
        f"{'scaled baseline':<21} {'classes':>8} {'CPU s':>7} {'peak MB':>8} {'wall s':>7}"
        "  exit  target"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    # Start-up alone (the wall clock before the budget starts counting), for the give-up row.
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", "import bruising_check.cli"],
        env=env,
        check=True,
        capture_output=True,
    )
    startup = time.monotonic() - started
    with tempfile.TemporaryDirectory() as tmp:
        for version, kind, n, target, expected in SCALED:
            if quick and n > 16:
                continue
            path = Path(tmp) / f"{version}-{kind}-{n}.yaml"
            path.write_text(scaled_yaml(kind, n, version), encoding="utf-8")
            # Rows that should be proved get room to finish (their CPU time is the figure);
            # the row that should give up runs with the default budget.
            room = budget if budget else (None if expected != "proved" else 300.0)
            extra = ["--budget", str(room)] if room else []
            run = subprocess.run(
                [sys.executable, "-c", _CHILD, str(path), *extra],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            result = next(x for x in run.stderr.splitlines() if x.startswith("RESULT")).split()
            code, cpu, peak, wall = int(result[1]), float(result[2]), int(result[3]), result[4]
            summary = next((x for x in run.stderr.splitlines() if "ANALYSIS_SUMMARY" in x), "")
            classes = summary.split(" as ")[1].split()[0] if " as " in summary else "-"
            finished = classes != "-"  # the analysis ran to the end (its verdicts may be errors)
            if target is not None:
                met = finished and cpu <= target
                verdict = f"finished in <= {target:g} s CPU: {'met' if met else 'NOT met'}"
            elif expected == "proved":
                verdict = "finished" if finished else "NOT finished"
            else:
                met = code == 1 and peak < 200 and float(wall) <= (budget or 5.0) + 1 + startup
                verdict = f"{expected}: {'met' if met else 'NOT met'}"
            name = f"{version} {kind} x{n}"
            print(
                f"{name:<21} {classes:>8} {cpu:>7.2f} {peak:>8} {float(wall):>7.2f}  {code:>4}"
                f"  {verdict}"
            )


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if "--groups" in argv:
        groups(quick)
        return 0
    if "--scaled" in argv:
        scaled_table(quick=quick)
        return 0
    baseline = load_protocol(
        (ROOT / "protocols" / "national-baseline.yaml").read_bytes(), "baseline"
    ).protocol
    assert baseline is not None
    print(
        f"{'protocol':<28} {'qs':>4} {'rules':>5}  {'raw':<6} {'classes':>7}"
        f" {'analyse':>12} {'peak mem':>11}   brute force (extrapolated)"
    )
    measure("national-baseline", baseline)
    text = (ROOT / "protocols" / "national-baseline.yaml").read_text(encoding="utf-8")
    rolling = load_protocol(
        text.replace(
            "includes_any: [crawling, bottom_shuffling, cruising, walking,"
            " independent_wheelchair_use]\n    cite: [panel_2022",
            "includes_any: [rolling, crawling, bottom_shuffling, cruising, walking,"
            " independent_wheelchair_use]\n    cite: [panel_2022",
        ).encode(),
        "rolling",
    ).protocol
    assert rolling is not None and rolling != baseline
    for label, other in (("baseline", baseline), ("rolling-counts variant", rolling)):
        start = time.perf_counter()
        for _ in range(3):
            compare(baseline, other)
        per = (time.perf_counter() - start) / 3 * 1000
        print(f"compare(baseline, {label}): {per:.1f} ms")
    sizes = (
        [(40, 50), (60, 100), (80, 200)]
        if quick
        else [
            (40, 50),
            (40, 100),
            (60, 50),
            (60, 100),
            (60, 200),
            (80, 50),
            (80, 100),
            (80, 200),
        ]
    )
    for n_questions, n_rules in sizes:
        protocol = synthetic(n_questions, n_rules, seed=n_questions * 1000 + n_rules)
        measure(f"synthetic {n_questions}q {n_rules}r", protocol, runs=1)
    groups(quick)
    scaled_table(quick=quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
