"""Random small protocols with a repeated group (and follow-on pathways), and brute-force
enumeration of every complete answer set (ordered lists of items) through a reference decision.

The reference is the engine's semantics for complete answer sets, written out plainly over
`protocol.conditions.evaluate` (the same evaluator the engine uses): item questions asked in order
by their `ask_if`, item facts per item, child facts over the group, the first matching rule, and
for a `then: rules_below` rule the first matching rule below it that is not itself a first step.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import yaml

from bruising_check.protocol.conditions import Truth, evaluate
from bruising_check.protocol.model import BooleanFact, GroupQuestion, NumberQuestion, Protocol
from tests.analysis_support import HEAD
from tests.conftest import load_text

Outcome = tuple[str | None, str | None]


def _item_atom(rng: random.Random, facts: bool, context: bool) -> dict[str, Any]:
    choices = ["t_in", "t_eq", "k", "f"]
    if facts:
        choices.append("acc")
    if context:
        choices += ["b1", "n1"]
    pick = rng.choice(choices)
    if pick == "t_in":
        return {"item": "t", "in": rng.sample(["x", "y", "z"], rng.randint(1, 2))}
    if pick == "t_eq":
        return {"item": "t", "equals": rng.choice(["x", "y", "z"])}
    if pick == "k":
        return {"item": "k", rng.choice(["lt", "le", "gt", "ge"]): rng.randint(0, 2)}
    if pick == "f":
        return {"item": "f", "equals": rng.random() < 0.5}
    if pick == "acc":
        return {"item": "acc"}
    if pick == "b1":
        return {"question": "b1", "equals": rng.random() < 0.5}
    return {"question": "n1", rng.choice(["ge", "le"]): rng.randint(0, 2)}


def _item_cond(rng: random.Random, depth: int, facts: bool, context: bool) -> dict[str, Any]:
    if depth <= 0 or rng.random() < 0.45:
        return _item_atom(rng, facts, context)
    kind = rng.choice(["all", "any", "not"])
    if kind == "not":
        return {"not": _item_cond(rng, depth - 1, facts, context)}
    return {kind: [_item_cond(rng, depth - 1, facts, context) for _ in range(rng.randint(2, 3))]}


def _quantifier(rng: random.Random) -> dict[str, Any]:
    where = _item_cond(rng, 2, True, rng.random() < 0.4)
    kind = rng.choice(["some", "every", "count", "count"])
    if kind != "count":
        return {kind: {"group": "marks", "where": where}}
    spec: dict[str, Any] = {"group": "marks", "where": where}
    spec[rng.choice(["ge", "gt", "le", "lt", "equals"])] = rng.randint(0, 3)
    if rng.random() < 0.4:
        spec["sum"] = "k"
    return {"count": spec}


def _top_cond(rng: random.Random, depth: int = 1) -> dict[str, Any]:
    r = rng.random()
    if depth > 0 and r < 0.25:
        kind = rng.choice(["all", "any"])
        return {kind: [_top_cond(rng, depth - 1) for _ in range(2)]}
    if r < 0.4:
        return {"question": "b1", "equals": rng.random() < 0.5}
    if r < 0.5:
        return {"question": "n1", rng.choice(["ge", "le"]): rng.randint(0, 2)}
    if r < 0.6:
        return {"fact": "flag"}
    return _quantifier(rng)


def random_group_protocol(
    seed: int,
    *,
    follow_on: bool = True,
    items: tuple[int, int] | None = None,
    f_asked_if_x: bool | None = None,
) -> Protocol:
    rng = random.Random(seed)
    min_items, max_items = items or (rng.choice([0, 1]), rng.choice([1, 2, 2, 3]))
    f_question: dict[str, Any] = {"id": "f", "type": "boolean", "prompt": "F?"}
    roll = rng.random() < 0.4
    if roll if f_asked_if_x is None else f_asked_if_x:
        f_question["ask_if"] = {"item": "t", "equals": "x"}
    group: dict[str, Any] = {
        "id": "marks",
        "type": "group",
        "prompt": "Marks",
        "item_label": "mark",
        "min_items": min_items,
        "max_items": max_items,
        "questions": [
            {
                "id": "t",
                "type": "single_choice",
                "prompt": "T?",
                "options": [{"id": o, "label": o} for o in ("x", "y", "z")],
            },
            {"id": "k", "type": "number", "prompt": "K?", "unit": "marks", "min": 0, "max": 2},
            f_question,
        ],
        "derived": [
            {
                "id": "acc",
                "label": "Accounted for",
                "type": "boolean",
                "condition": _item_cond(rng, 1, False, rng.random() < 0.3),
                "cite": ["s1"],
            }
        ],
    }
    pathways = [{**p, "urgency": p["urgency"] + 1} for p in HEAD["pathways"]]
    pathways.insert(
        0,
        {
            "id": "first",
            "title": "First",
            "urgency": 1,
            "timescale": {"label": "Now"},
            "first_step": True,
        },
    )
    rules = []
    for i in range(rng.randint(2, 4)):
        rule: dict[str, Any] = {
            "id": f"R{i + 1}",
            "when": _top_cond(rng),
            "pathway": rng.choice(["urgent", "discuss", "record"]),
            "because": "Because.",
            "cite": ["s1"],
        }
        if follow_on and rng.random() < 0.3:
            rule["pathway"] = "first"
            rule["then"] = "rules_below"
        rules.append(rule)
    if not any(r["pathway"] == "first" for r in rules):
        pathways.pop(0)
    doc: dict[str, Any] = {
        **HEAD,
        "pathways": pathways,
        "questions": [
            {"id": "b1", "type": "boolean", "prompt": "B1?"},
            {"id": "n1", "type": "number", "prompt": "N1?", "unit": "weeks", "min": 0, "max": 2},
            group,
        ],
        "derived": [
            {
                "id": "flag",
                "label": "Flag",
                "type": "boolean",
                "condition": _quantifier(rng),
                "cite": ["s1"],
            }
        ],
        "rules": rules,
    }
    if rng.random() < 0.5:
        floor = rng.choice([p["id"] for p in pathways])
        doc["invariants"] = [
            {
                "id": "I1",
                "when": _top_cond(rng),
                "at_least": floor,
                "because": "Promise.",
                "cite": ["s1"],
            }
        ]
    loaded = load_text(yaml.safe_dump(doc, sort_keys=False))
    assert loaded.protocol is not None, [p.format() for p in loaded.problems]
    return loaded.protocol


# --- brute force --------------------------------------------------------------------------------


def _items(group: GroupQuestion, child: dict[str, Any]) -> list[dict[str, Any]]:
    """Every complete answer to one item (item facts added), in the engine's order."""
    out: list[dict[str, Any]] = [{}]
    for q in group.questions:
        grown: list[dict[str, Any]] = []
        for item in out:
            if q.ask_if is not None and evaluate(q.ask_if, child, item) is not Truth.TRUE:
                grown.append({**item, q.id: None})
                continue
            values: list[Any]
            if q.type == "boolean":
                values = [False, True]
            elif q.type == "single_choice":
                values = [o.id for o in q.options if not o.unknown]
            else:
                assert isinstance(q, NumberQuestion)
                values = list(range(int(q.min), int(q.max) + 1))
            grown += [{**item, q.id: v} for v in values]
        out = grown
    for item in out:
        for f in group.derived:
            assert isinstance(f, BooleanFact)
            item[f.id] = evaluate(f.condition, child, item) is Truth.TRUE
    return out


def answer_sets(protocol: Protocol) -> Iterator[dict[str, Any]]:
    group = protocol.groups[0]
    for b1, n1 in itertools.product([False, True], [0, 1, 2]):
        child = {"b1": b1, "n1": n1}
        items = _items(group, child)
        for n in range(group.min_items, group.max_items + 1):
            for chosen in itertools.product(items, repeat=n):
                yield {**child, group.id: tuple(chosen)}


def reference(protocol: Protocol, answers: dict[str, Any]) -> Outcome:
    env = dict(answers)
    for f in protocol.derived:
        assert isinstance(f, BooleanFact)
        env[f.id] = evaluate(f.condition, env) is Truth.TRUE
    rules = protocol.rules
    for i, r in enumerate(rules):
        if evaluate(r.when, env) is Truth.TRUE:
            if r.then != "rules_below":
                return r.pathway, None
            steps = {p.id for p in protocol.pathways if p.first_step}
            follow = next(
                (
                    s.pathway
                    for s in rules[i + 1 :]
                    if s.pathway not in steps and evaluate(s.when, env) is Truth.TRUE
                ),
                None,
            )
            return r.pathway, follow
    return None, None


def brute_force(protocol: Protocol) -> Counter[Outcome]:
    return Counter(reference(protocol, a) for a in answer_sets(protocol))


def as_answers(example: dict[str, Any], protocol: Protocol) -> dict[str, Any]:
    """An answers file (an analysis example) as the reference's values: each item gets this
    protocol's item facts."""
    group = protocol.groups[0]
    child = {k: v for k, v in example.items() if k != group.id}
    items = []
    for given in example.get(group.id, []):
        item = {q.id: given.get(q.id) for q in group.questions}
        for q in group.questions:
            if q.ask_if is not None and evaluate(q.ask_if, child, item) is not Truth.TRUE:
                item[q.id] = None
        for f in group.derived:
            assert isinstance(f, BooleanFact)
            item[f.id] = evaluate(f.condition, child, item) is Truth.TRUE
        items.append(item)
    return {**child, group.id: tuple(items)}
