"""Order: an `ask_if` reads only questions asked before it, a derived fact only questions and facts
defined before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import BooleanFact, NumberFact, Protocol
from bruising_check.protocol.walk import conditions_with_paths, expr_refs
from bruising_check.protocol.yamlread import Located, Path


def check_order(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """ask_if may only use questions asked before; facts only what is defined before them."""
    order = {q.id: i for i, q in enumerate(p.questions)}
    fact_ids = [f.id for f in p.derived]
    # The latest question each fact depends on (facts may use earlier facts).
    needs: dict[str, int] = {}
    for i, f in enumerate(p.derived):
        refs: list[tuple[str, str, Path]] = []
        if isinstance(f, BooleanFact):
            for path, node in conditions_with_paths(f.condition, ("derived", i, "condition")):
                if isinstance(node, Compare) and node.item is None:
                    kind = "question" if node.question is not None else "fact"
                    refs.append((kind, node.subject, path))
        else:
            for ref in expr_refs(f.value):
                if ref.item is not None:
                    yield located.problem(
                        Code.ITEM_OUTSIDE_GROUP,
                        f"`item: {ref.item}` in child-level fact {f.id!r}; items are read only"
                        " inside a group",
                        ("derived", i, "value"),
                    )
                    continue
                kind = "question" if ref.question is not None else "fact"
                refs.append((kind, ref.subject, ("derived", i, "value")))
            if f.applies_if is not None:
                for path, node in conditions_with_paths(f.applies_if, ("derived", i, "applies_if")):
                    if isinstance(node, Compare) and node.item is None:
                        kind = "question" if node.question is not None else "fact"
                        refs.append((kind, node.subject, path))
        latest = -1
        for kind, subject, path in refs:
            if kind == "question":
                if subject not in order:
                    if isinstance(f, NumberFact) and path[-1] == "value":
                        yield located.problem(
                            Code.UNKNOWN_QUESTION, f"unknown question {subject!r}", path
                        )
                    continue
                latest = max(latest, order[subject])
            elif subject in fact_ids[:i]:
                latest = max(latest, needs[subject])
            elif subject in fact_ids:
                yield located.problem(
                    Code.FACT_ORDER,
                    f"fact {f.id!r} uses {subject!r}, which is defined after it",
                    path,
                )
            elif isinstance(f, NumberFact) and path[-1] == "value":
                yield located.problem(Code.UNKNOWN_FACT, f"unknown derived fact {subject!r}", path)
        needs[f.id] = latest
    for i, q in enumerate(p.questions):
        if q.ask_if is None:
            continue
        for path, node in conditions_with_paths(q.ask_if, ("questions", i, "ask_if")):
            if not isinstance(node, Compare) or node.item is not None:
                continue
            at = order.get(node.subject) if node.question is not None else needs.get(node.subject)
            if at is not None and at >= i:
                what = (
                    f"question {node.subject!r}"
                    if node.question is not None
                    else f"fact {node.subject!r}, which needs question {p.questions[at].id!r},"
                )
                yield located.problem(
                    Code.ASK_IF_ORDER,
                    f"`ask_if` of {q.id!r} uses {what} asked at or after it",
                    path,
                )
