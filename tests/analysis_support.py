"""Test support for the analysis: random small protocols, and brute-force enumeration through the
engine's own functions (the reference the analyser must agree with exactly)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

import yaml

from bruising_check.engine.decide import applicable, derive
from bruising_check.protocol.conditions import UNKNOWN, Truth, evaluate
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from tests.conftest import load_text

HEAD: dict[str, Any] = {
    "metadata": {
        "id": "random",
        "title": "Random protocol",
        "version": "1",
        "status": "draft",
        "issued_by": "Tests",
        "review_due": "2030-01-01",
        "disclaimer": "Supports, does not replace, judgement.",
    },
    "sources": [{"id": "s1", "title": "Source", "url": "https://example.org/s1"}],
    "pathways": [
        {"id": "urgent", "title": "Urgent", "urgency": 1, "timescale": {"label": "Now"}},
        {"id": "discuss", "title": "Discuss", "urgency": 2, "timescale": {"label": "Today"}},
        {"id": "record", "title": "Record", "urgency": 3, "timescale": {"label": "Now"}},
    ],
}

# The baseline with rolling counted as mobility (a real local variation, DOMAIN.md section 4).
ROLLING = (
    "includes_any: [crawling, bottom_shuffling, cruising, walking, independent_wheelchair_use]\n"
    "    cite: [panel_2022, nice_cg89_2025_definition]",
    "includes_any: [rolling, crawling, bottom_shuffling, cruising, walking,"
    " independent_wheelchair_use]\n    cite: [panel_2022, nice_cg89_2025_definition]",
)


POOL: list[dict[str, Any]] = [
    {"id": "b1", "type": "boolean", "prompt": "B1?"},
    {"id": "b2", "type": "boolean", "prompt": "B2?"},
    {
        "id": "c1",
        "type": "single_choice",
        "prompt": "C1?",
        "options": [{"id": o, "label": o} for o in ("x", "y", "z")],
    },
    {
        "id": "m1",
        "type": "multiple_choice",
        "prompt": "M1?",
        "options": [{"id": o, "label": o} for o in ("p", "q", "r")],
    },
    {"id": "n1", "type": "number", "prompt": "N1?", "unit": "weeks", "min": 0, "max": 5},
    {"id": "n2", "type": "number", "prompt": "N2?", "unit": "weeks", "min": 1, "max": 3},
]


def _atom(rng: random.Random, qs: list[dict[str, Any]], facts: bool) -> dict[str, Any]:
    if facts and rng.random() < 0.3:
        pick = rng.choice(["flag", "flag_false", "total", "total_answered", "scaled"])
        if pick == "flag":
            return {"fact": "flag"}
        if pick == "flag_false":
            return {"fact": "flag", "equals": False}
        if pick == "total":
            return {"fact": "total", rng.choice(["lt", "le", "gt", "ge"]): rng.randint(1, 8)}
        if pick == "total_answered":
            return {"fact": "total", "answered": rng.random() < 0.5}
        return {"fact": "scaled", rng.choice(["lt", "ge"]): rng.choice([0.5, 2.0, 4.2, 7])}
    q = rng.choice(qs)
    qid = q["id"]
    if rng.random() < 0.1:
        return {"question": qid, "answered": rng.random() < 0.5}
    if q["type"] == "boolean":
        return {"question": qid, "equals": rng.random() < 0.5}
    if q["type"] == "single_choice":
        if rng.random() < 0.5:
            return {"question": qid, "equals": rng.choice("xyz")}
        return {"question": qid, "in": rng.sample("xyz", rng.randint(1, 2))}
    if q["type"] == "multiple_choice":
        op = rng.choice(["includes_any", "includes_all", "equals", "is_empty"])
        if op == "is_empty":
            return {"question": qid, "is_empty": rng.random() < 0.5}
        return {"question": qid, op: sorted(rng.sample("pqr", rng.randint(1, 3)))}
    op = rng.choice(["lt", "le", "gt", "ge", "equals", "in"])
    if op == "in":
        return {"question": qid, "in": rng.sample(range(0, 6), 2)}
    return {"question": qid, op: rng.choice([0, 1, 2, 2.5, 3, 4, 5])}


def _condition(
    rng: random.Random, qs: list[dict[str, Any]], facts: bool, depth: int = 2
) -> dict[str, Any]:
    roll = rng.random()
    if depth == 0 or roll < 0.45:
        return _atom(rng, qs, facts)
    if roll < 0.65:
        return {"not": _condition(rng, qs, facts, depth - 1)}
    key = "all" if roll < 0.85 else "any"
    return {key: [_condition(rng, qs, facts, depth - 1) for _ in range(rng.randint(2, 3))]}


def random_protocol_data(seed: int, *, keep: float = 1.0) -> dict[str, Any]:
    """A small valid protocol: some of the pool's questions (with ask_if on earlier ones),
    derived facts, 1-5 rules and 0-2 invariants."""
    rng = random.Random(seed)
    questions: list[dict[str, Any]] = []
    for q in POOL:
        if q["id"] not in ("b1", "n1") and rng.random() > keep:
            continue
        q = dict(q)
        if q["type"] == "multiple_choice":
            q["min_selected"] = rng.randint(0, 2)
        if q["type"] == "number" and rng.random() < 0.5:
            q["required"] = False
        if questions and rng.random() < 0.3:
            q["ask_if"] = _condition(rng, questions, False, 1)
        questions.append(q)
    has_n2 = any(q["id"] == "n2" for q in questions)
    total_value: Any = (
        {"add": [{"question": "n1"}, {"question": "n2"}]}
        if has_n2
        else {"sub": [10, {"question": "n1"}]}
    )
    derived: list[dict[str, Any]] = [
        {
            "id": "flag",
            "label": "Flag",
            "type": "boolean",
            "condition": _condition(rng, questions, False, 1),
            "cite": ["s1"],
        },
        {
            "id": "total",
            "label": "Total",
            "type": "number",
            "value": total_value,
            "cite": ["s1"],
        },
        {
            "id": "scaled",
            "label": "Scaled",
            "type": "number",
            "value": {"div": [{"mul": [{"question": "n1"}, 7]}, 3.0]},
            "cite": ["s1"],
        },
    ]
    if rng.random() < 0.5:
        derived[1]["applies_if"] = _condition(rng, questions, False, 1)
    pathways = ["urgent", "discuss", "record"]
    rules = [
        {
            "id": f"R{i}",
            "when": _condition(rng, questions, True),
            "pathway": rng.choice(pathways),
            "because": "Because.",
            "cite": ["s1"],
        }
        for i in range(1, rng.randint(2, 6))
    ]
    invariants = [
        {
            "id": f"I{i}",
            "when": _condition(rng, questions, True, 1),
            "at_least": rng.choice(pathways[:2]),
            "because": "Promise.",
            "cite": ["s1"],
        }
        for i in range(1, rng.randint(1, 3))
    ]
    return {
        **HEAD,
        "questions": questions,
        "derived": derived,
        "rules": rules,
        "invariants": invariants,
    }


def load_data(data: dict[str, Any]) -> Protocol:
    loaded = load_text(yaml.safe_dump(data, sort_keys=False))
    errors = [p.format() for p in loaded.problems if p.severity == "error"]
    assert not errors and loaded.protocol is not None, errors
    return loaded.protocol


# --- brute force --------------------------------------------------------------------------------


def answers_of(q: Question) -> list[Any]:
    """Every raw answer to `q` (number questions here are small integer ranges)."""
    if isinstance(q, BooleanQuestion):
        return [False, True]
    if isinstance(q, SingleChoiceQuestion):
        return [o.id for o in q.options]
    if isinstance(q, MultipleChoiceQuestion):
        ids = [o.id for o in q.options]
        subsets = [c for n in range(len(ids) + 1) for c in itertools.combinations(ids, n)]
        return [s for s in subsets if len(s) >= q.min_selected]
    if isinstance(q, NumberQuestion):
        return list(range(int(q.min), int(q.max) + 1))
    return [""]


def complete_answer_sets(protocols: list[Protocol]) -> list[dict[str, Any]]:
    """Every distinct complete answer set over the union of the protocols' questions that every
    protocol accepts: each question some protocol asks is answered (with an answer valid in each
    protocol that has the question), and no other."""
    domains: dict[str, list[Any]] = {}
    for p in protocols:
        for q in p.questions:
            mine = answers_of(q)
            domains[q.id] = [a for a in domains.get(q.id, mine) if a in mine]
    ids = list(domains)
    seen: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
    for combo in itertools.product(*(domains[i] for i in ids)):
        full = dict(zip(ids, combo, strict=True))
        asked: set[str] = set()
        for p in protocols:
            own = {q.id: full[q.id] for q in p.questions}
            applies = applicable(p, own)
            asked |= {qid for qid, t in applies.items() if t is not Truth.FALSE}
        restricted = {k: v for k, v in full.items() if k in asked}
        seen.setdefault(tuple(sorted(restricted.items())), restricted)
    return list(seen.values())


def env(protocol: Protocol, answers: dict[str, Any]) -> dict[str, Any]:
    """The engine's view of complete answers: unasked questions None, plus derived facts."""
    applies = applicable(protocol, answers)
    values = {
        q.id: None if applies[q.id] is Truth.FALSE else answers.get(q.id, UNKNOWN)
        for q in protocol.questions
    }
    return {**values, **derive(protocol, values)}


def first_rule(protocol: Protocol, answers: dict[str, Any]) -> int | None:
    """engine.decide's first TRUE rule (complete answers, so no rule is unknown)."""
    values = env(protocol, answers)
    for i, rule in enumerate(protocol.rules):
        truth = evaluate(rule.when, values)
        assert truth is not Truth.UNKNOWN
        if truth is Truth.TRUE:
            return i
    return None


def brute_pathways(protocol: Protocol, complete: list[dict[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for answers in complete:
        i = first_rule(protocol, answers)
        counts["(none)" if i is None else protocol.rules[i].pathway] += 1
    return counts
