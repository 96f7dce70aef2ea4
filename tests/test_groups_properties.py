"""Property: on random small protocols with a repeated group and unknown answers, the engine's
outcome is exactly the most urgent over every completion of the unknowns (brute force), so it
is never less urgent than any completion; the unknowns it says decided it are exactly those for
which one answer alone gives a less urgent outcome; a fact it states holds in every completion.
"""

from __future__ import annotations

from itertools import chain, combinations, product
from typing import Any

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from bruising_check.engine.decide import decide
from bruising_check.engine.evaluate import run_pass
from bruising_check.engine.urgency import Outcome, more_urgent, most_urgent, urgency_key
from bruising_check.protocol.conditions import UNKNOWN, Truth, evaluate
from bruising_check.protocol.model import Protocol

TOP_DOMAINS: dict[str, list[Any]] = {
    "b": [True, False],
    "n": list(range(6)),
    "c": ["x", "y", "z"],
    "m": [
        tuple(s) for s in chain.from_iterable(combinations(("p", "q", "r"), k) for k in range(4))
    ],
}
ITEM_DOMAINS: dict[str, list[Any]] = {"t": ["a", "b", "c"], "k": [1, 2, 3], "f": [True, False]}


def _top_leaf(with_fact: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    fact = [st.just({"fact": "F"})] if with_fact else []
    return st.one_of(
        *fact,
        st.builds(lambda v: {"question": "b", "equals": v}, st.booleans()),
        st.builds(
            lambda op, v: {"question": "n", op: v},
            st.sampled_from(["lt", "le", "gt", "ge", "equals"]),
            st.integers(0, 5),
        ),
        st.builds(
            lambda vs: {"question": "c", "in": vs},
            st.lists(st.sampled_from("xyz"), min_size=1, max_size=2, unique=True),
        ),
        st.builds(
            lambda op, vs: {"question": "m", op: vs},
            st.sampled_from(["includes_any", "includes_all", "equals"]),
            st.lists(st.sampled_from("pqr"), min_size=1, max_size=2, unique=True),
        ),
        st.builds(lambda v: {"question": "m", "is_empty": v}, st.booleans()),
        st.builds(lambda q, v: {"question": q, "known": v}, st.sampled_from("bnc"), st.booleans()),
    )


def _item_leaf(with_fact: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    fact = [st.just({"item": "d"})] if with_fact else []
    return st.one_of(
        *fact,
        st.builds(
            lambda vs: {"item": "t", "in": vs},
            st.lists(st.sampled_from("abc"), min_size=1, max_size=2, unique=True),
        ),
        st.builds(
            lambda op, v: {"item": "k", op: v},
            st.sampled_from(["ge", "le", "equals"]),
            st.integers(1, 3),
        ),
        st.builds(lambda v: {"item": "f", "equals": v}, st.booleans()),
        st.builds(lambda v: {"question": "b", "equals": v}, st.booleans()),
    )


def _tree(leaf: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=3,
    )


def _quantifier() -> st.SearchStrategy[dict[str, Any]]:
    where = _tree(_item_leaf())
    return st.one_of(
        st.builds(lambda w: {"some": {"group": "g", "where": w}}, where),
        st.builds(lambda w: {"every": {"group": "g", "where": w}}, where),
        st.builds(
            lambda w, op, v, s: {
                "count": {"group": "g", "where": w, op: v, **({"sum": "k"} if s else {})}
            },
            where,
            st.sampled_from(["ge", "le", "equals", "gt", "lt"]),
            st.integers(0, 4),
            st.booleans(),
        ),
    )


def _condition(with_fact: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    return _tree(st.one_of(_top_leaf(with_fact), _quantifier()))


PATHWAYS = [
    {
        "id": "first",
        "title": "First",
        "urgency": 1,
        "first_step": True,
        "timescale": {"label": "Now"},
    },
    {"id": "p2", "title": "Two", "urgency": 2, "timescale": {"label": "Soon"}},
    {"id": "p3", "title": "Three", "urgency": 3, "timescale": {"label": "Later"}},
    {"id": "p4", "title": "Four", "urgency": 4, "timescale": {"label": "Record"}},
]


@st.composite
def protocols(draw: st.DrawFn) -> Protocol:
    rules = []
    for i in range(draw(st.integers(1, 4))):
        pathway = draw(st.sampled_from(["first", "first", "p2", "p3", "p4"]))
        rule: dict[str, Any] = {
            "id": f"R{i}",
            "when": draw(_condition()),
            "pathway": pathway,
            "because": "x",
            "cite": ["s"],
        }
        if pathway == "first":
            rule["then"] = "rules_below"
        rules.append(rule)
    invariants = [
        {
            "id": f"I{i}",
            "when": draw(_condition()),
            "at_least": draw(st.sampled_from(["first", "p2", "p3"])),
            "because": "x",
            "cite": ["s"],
        }
        for i in range(draw(st.integers(0, 1)))
    ]
    data = {
        "metadata": {
            "id": "rand",
            "title": "Random",
            "version": "1",
            "status": "draft",
            "issued_by": "T",
            "disclaimer": "T",
        },
        "sources": [{"id": "s", "title": "S"}],
        "questions": [
            {"id": "b", "type": "boolean", "prompt": "b", "allow_unknown": True},
            {
                "id": "n",
                "type": "number",
                "prompt": "n",
                "unit": "u",
                "min": 0,
                "max": 5,
                "allow_unknown": True,
                **({"ask_if": {"question": "b", "equals": True}} if draw(st.booleans()) else {}),
            },
            {
                "id": "c",
                "type": "single_choice",
                "prompt": "c",
                "options": [
                    {"id": "x", "label": "x"},
                    {"id": "y", "label": "y"},
                    {"id": "z", "label": "z"},
                    {"id": "u", "label": "u", "unknown": True},
                ],
            },
            {
                "id": "m",
                "type": "multiple_choice",
                "prompt": "m",
                "options": [
                    {"id": "p", "label": "p"},
                    {"id": "q", "label": "q"},
                    {"id": "r", "label": "r"},
                    {"id": "u", "label": "u", "unknown": True},
                ],
            },
            {
                "id": "g",
                "type": "group",
                "prompt": "g",
                "min_items": 0,
                "max_items": 2,
                "questions": [
                    {
                        "id": "t",
                        "type": "single_choice",
                        "prompt": "t",
                        "options": [
                            {"id": "a", "label": "a"},
                            {"id": "b", "label": "b"},
                            {"id": "c", "label": "c"},
                            {"id": "u", "label": "u", "unknown": True},
                        ],
                    },
                    {
                        "id": "k",
                        "type": "number",
                        "prompt": "k",
                        "unit": "u",
                        "min": 1,
                        "max": 3,
                        "allow_unknown": True,
                    },
                    {"id": "f", "type": "boolean", "prompt": "f", "allow_unknown": True},
                ],
                "derived": [
                    {
                        "id": "d",
                        "type": "boolean",
                        "label": "d",
                        "condition": draw(_tree(_item_leaf(with_fact=False))),
                        "cite": ["s"],
                    },
                ],
            },
        ],
        "derived": [
            {
                "id": "F",
                "type": "boolean",
                "label": "F",
                "condition": draw(_condition(with_fact=False)),
                "cite": ["s"],
            }
        ],
        "pathways": PATHWAYS,
        "rules": rules,
        "invariants": invariants,
        "advice": [
            {
                "id": "A",
                "when": draw(_condition()),
                "because": "A.",
                "cite": ["s"],
                "actions": [{"id": "a", "text": "A."}],
            }
        ],
    }
    return Protocol.model_validate(data)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    def maybe(domain: list[Any]) -> Any:
        return UNKNOWN if draw(st.integers(0, 2)) == 0 else draw(st.sampled_from(domain))

    answers: dict[str, Any] = {q: maybe(d) for q, d in TOP_DOMAINS.items()}
    answers["g"] = tuple(
        {q: maybe(d) for q, d in ITEM_DOMAINS.items()} for _ in range(draw(st.integers(0, 2)))
    )
    return answers


def _slots(answers: dict[str, Any]) -> list[tuple[str, int | None, str, list[Any]]]:
    slots: list[tuple[str, int | None, str, list[Any]]] = [
        (q, None, q, d) for q, d in TOP_DOMAINS.items() if answers[q] is UNKNOWN
    ]
    for n, item in enumerate(answers["g"]):
        slots += [
            (f"g[{n + 1}].{q}", n, q, d) for q, d in ITEM_DOMAINS.items() if item[q] is UNKNOWN
        ]
    return slots


def _completions(answers: dict[str, Any], slots: list[Any]) -> list[dict[str, Any]]:
    out = []
    for values in product(*(s[3] for s in slots)):
        done = dict(answers)
        items = [dict(x) for x in answers["g"]]
        marks: set[str] = set()
        for (_, n, q, _), v in zip(slots, values, strict=True):
            if n is None:
                done[q] = v
                marks.add(q)
            else:
                items[n][q] = v
        done["g"] = tuple(items)
        done["?unknown"] = frozenset(marks)
        out.append(done)
    return out


def _outcome(protocol: Protocol, answers: dict[str, Any]) -> Outcome:
    p = run_pass(protocol, answers)
    assert p.definite
    return p.upper


def _ids(o: Outcome) -> tuple[str | None, str | None]:
    return (o[0].id if o[0] else None, o[1].id if o[1] else None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocols(), answer_sets())
def test_outcome_is_most_urgent_over_every_completion(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    slots = _slots(answers)
    size = 1
    for s in slots:
        size *= len(s[3])
    assume(size <= 3000)
    outcomes = [_outcome(protocol, c) for c in _completions(answers, slots)]
    expected = most_urgent(outcomes)
    decision = decide(protocol, answers)
    assert decision.exact
    got: Outcome = (decision.pathway, decision.then)
    event("an unknown decided" if decision.unknowns_that_decided else "no unknown decided")
    event("follow-on" if decision.then is not None else "no follow-on")
    assert _ids(got) == _ids(expected)
    assert not any(more_urgent(o, got) for o in outcomes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocols(), answer_sets())
def test_unknowns_that_decided_and_facts_are_exact(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    slots = _slots(answers)
    size = 1
    for s in slots:
        size *= len(s[3])
    assume(0 < size <= 600)
    completions = _completions(answers, slots)
    final = most_urgent(_outcome(protocol, c) for c in completions)
    decision = decide(protocol, answers)
    expected_decided = []
    for path, n, q, domain in slots:
        for v in domain:
            rest = [c for c in completions if (c[q] if n is None else c["g"][n][q]) == v]
            if urgency_key(most_urgent(_outcome(protocol, c) for c in rest)) < urgency_key(final):
                expected_decided.append(path)
                break
    assert list(decision.unknowns_that_decided) == expected_decided
    values = {run_pass(protocol, c).facts["F"] for c in completions}
    stated = decision.derived["F"]
    if len(values) == 1:
        assert stated == values.pop()
    else:
        assert stated is UNKNOWN


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocols(), answer_sets())
def test_advice_is_stated_left_out_or_may_apply_exactly(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    """Advice that holds in every completion is stated, one that holds in none is left out, and
    only one that holds in some is "may apply" (never stated as a fact, never dropped)."""
    slots = _slots(answers)
    size = 1
    for s in slots:
        size *= len(s[3])
    assume(size <= 600)
    (advice,) = protocol.advice
    truths = {
        evaluate(advice.when, run_pass(protocol, c).env) for c in _completions(answers, slots)
    }
    assert Truth.UNKNOWN not in truths
    decision = decide(protocol, answers)
    assert decision.exact
    fired = [r for r in decision.rules_fired if r.id == "A"]
    if truths == {Truth.FALSE}:
        event("advice in no completion")
        assert not fired
    elif truths == {Truth.TRUE}:
        event("advice in every completion")
        assert [r.certain for r in fired] == [True]
    else:
        event("advice in some completions")
        assert [r.certain for r in fired] == [False]
