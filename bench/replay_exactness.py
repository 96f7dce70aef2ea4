"""Replay's outcome against the engine's on many random answer sets, per protocol.

    .venv/bin/python bench/replay_exactness.py [CASES] [SEED]      (default 2000, seed 1)

For the bundled baseline, every protocol in protocols/examples/ and bench/scaled.py's gated 3
and interacting 2 (answers v1 and v2): random answer sets drawn from each protocol's own
questions (options, "not sure", unknowns, numbers at and around every bound a condition uses,
as ints and floats, empty and long mark lists, answers missing, answers to questions not
asked, and now and then a wrong type: 1 for yes, "40" for 40, inf, -0.0, NUL, U+2028) run
through `versions.impact.run_outcome` (the generated pass, `engine.codegen`) and, with
`compiled.GENERATE = False`, through the closures; each must give exactly `_checked_case`'s
(`check_answers` + `engine.decide`) pathway and follow-on, or the same reason it cannot run.
Prints per protocol how many cases ran and the outcomes reached; exits 1 on a mismatch.
"""

from __future__ import annotations

import copy
import datetime
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bruising_check.engine import compiled as cm  # noqa: E402
from bruising_check.protocol.conditions import Compare, walk  # noqa: E402
from bruising_check.protocol.loader import load_protocol  # noqa: E402
from bruising_check.protocol.model import (  # noqa: E402
    BooleanQuestion,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.versions.impact import Case, _checked_case, run_outcome  # noqa: E402

TODAY = datetime.date(2026, 12, 3)
ODD: list[Any] = [None, True, False, 1, 0, 1.0, "yes", "no", "", "not_sure", [], {}]
ODD += ["x\u2028y", "\x00", 1e309, -0.0]


def _load(text: bytes, name: str) -> Protocol:
    loaded = load_protocol(text, name, today=TODAY)
    assert loaded.protocol is not None, name
    return loaded.protocol


def _bounds(protocol: Protocol) -> dict[str, set[float]]:
    """The numbers each subject is compared with, anywhere in the protocol."""
    conds = [r.when for r in protocol.rules] + [i.when for i in protocol.invariants]
    facts: list[Any] = list(protocol.derived)
    for q in protocol.questions:
        conds += [q.ask_if] if q.ask_if is not None else []
        if isinstance(q, GroupQuestion):
            conds += [iq.ask_if for iq in q.questions if iq.ask_if is not None]
            facts += q.derived
    for f in facts:
        c = getattr(f, "condition", None) or getattr(f, "applies_if", None)
        conds += [c] if c is not None else []
    out: dict[str, set[float]] = {}
    for cond in conds:
        for node in walk(cond):
            if isinstance(node, Compare):
                for op in ("lt", "le", "gt", "ge", "equals"):
                    v = getattr(node, op, None)
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        out.setdefault(node.subject, set()).add(v)
    return out


class _Draw:
    def __init__(self, rnd: random.Random, bounds: dict[str, set[float]]) -> None:
        self.rnd, self.bounds = rnd, bounds
        self.noise, self.calm = 0.0, False

    def answers(self, protocol: Protocol) -> dict[str, Any]:
        rnd = self.rnd
        self.calm = rnd.random() < 0.6  # mostly "no": the less urgent pathways are reached
        self.noise = rnd.choice([0.0, 0.0, 0.0, 0.01, 0.05])
        out: dict[str, Any] = {}
        for q in (*protocol.questions, *protocol.context_prompts):
            if rnd.random() < 1 - self.noise:
                out[q.id] = self.value(q)
        if rnd.random() < 0.1:
            out["not_a_question"] = 3
        return out

    def value(self, q: Any) -> Any:
        rnd, noisy = self.rnd, bool(self.noise)
        if rnd.random() < self.noise:
            return rnd.choice(ODD)
        if isinstance(q, BooleanQuestion):
            return rnd.choice(
                [True, False] + ([None] if q.allow_unknown else []) + ([1, 0] if noisy else [])
            )
        if isinstance(q, SingleChoiceQuestion):
            ids = [o.id for o in q.options]
            if self.calm and "no" in ids and rnd.random() < 0.9:
                return "no"
            return rnd.choice(ids + ([None] if noisy else []))
        if isinstance(q, MultipleChoiceQuestion):
            ids = [o.id for o in q.options]
            known = [i for i in ids if i != q.unknown_option]
            k = rnd.random()
            if self.calm and k < 0.7:
                return known[: q.min_selected]
            if k < 0.1 and (noisy or not q.min_selected):
                return []
            if k < 0.2 and q.unknown_option:
                return [q.unknown_option]
            if k < 0.25 and noisy:
                return ids * 2  # long, repeated, with the unknown
            if k < 0.3 and noisy:
                return None
            least = 0 if noisy else min(q.min_selected, len(known))
            return rnd.sample(known, rnd.randint(least, min(max(4, least), len(known))))
        if isinstance(q, NumberQuestion):
            points = sorted(self.bounds.get(q.id, set()) | {q.min, q.max})
            steps: list[float] = [0, 0, 0, -1, 1]
            if noisy or not q.integer:
                steps += [-0.5, 0.5, 1e-9]
            v: Any = rnd.choice(points) + rnd.choice(steps)
            if not noisy or rnd.random() < 0.7:
                v = min(max(v, q.min), q.max)
            k = rnd.random()
            if k < 0.15:
                v = float(v)
            elif k < 0.3 and v == int(v):
                v = int(v)
            elif k < 0.33 and q.allow_unknown:
                v = None
            elif k < 0.35 and noisy:
                v = rnd.choice([10**30, -(10**30), 1e309, -0.0, True, "40"])
            return v
        if isinstance(q, TextQuestion):
            return rnd.choice(["", "text", "a'b\"c\\\n"])
        if isinstance(q, GroupQuestion):
            n = rnd.choice([0, 1, 1, 2, 3] + ([q.max_items + 1] if noisy else []))
            if not noisy:
                n = max(n, q.min_items)
            if noisy and rnd.random() < 0.05:
                return "marks"
            items = []
            for _ in range(n):
                item = {
                    iq.id: self.value(iq) for iq in q.questions if rnd.random() > self.noise * 2
                }
                if rnd.random() < self.noise:
                    item["bogus"] = 1
                items.append(item)
            return items
        return None


def protocols() -> dict[str, Protocol]:
    import scaled

    paths = [ROOT / "protocols" / "national-baseline.yaml"]
    paths += sorted((ROOT / "protocols" / "examples").glob("*.yaml"))
    out = {p.stem: _load(p.read_bytes(), str(p)) for p in paths}
    for kind, n in (("gated", 3), ("interacting", 2)):
        for version in ("v1", "v2"):
            text = scaled.scaled_yaml(kind, n, version).encode()
            out[f"{kind} {n} ({version})"] = _load(text, f"{kind}{n}-{version}")
    return out


def main(argv: list[str]) -> int:
    cases = int(argv[0]) if argv else 2000
    seed = int(argv[1]) if len(argv) > 1 else 1
    bad = 0
    for name, protocol in protocols().items():
        bounds = _bounds(protocol)
        for generate in (True, False):
            cm.GENERATE = generate
            mine = copy.deepcopy(protocol)  # compiled afresh under this setting
            lazy = cm.probe(cm.compiled(mine))
            generated = lazy is not None and hasattr(lazy.fast, "source")
            assert generated == generate, name
            draw = _Draw(random.Random(seed), bounds)
            ran, outcomes = 0, set()
            for i in range(cases):
                case = Case(str(i), draw.answers(mine))
                expected = _checked_case(mine, case)
                got = run_outcome(mine, case)
                if expected[1] is None:
                    ran += 1
                    outcomes.add(expected[0])
                if got != expected:
                    bad += 1
                    print(f"MISMATCH {name} (generated: {generate}): {case.answers}")
                    print(f"  replay {got}\n  engine {expected}")
            print(
                f"{name:28} {'generated' if generate else 'closures '}: {ran}/{cases} cases"
                f" ran, {len(outcomes)} outcomes"
            )
    cm.GENERATE = True
    print(f"mismatches: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
