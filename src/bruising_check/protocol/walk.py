"""Visiting a protocol: every condition with its YAML path and owner, and the references inside
derived arithmetic. Shared by the semantic checks and the analyser.
"""

from __future__ import annotations

from collections.abc import Iterator

from bruising_check.protocol.conditions import AllOf, AnyOf, Condition, Count, Every, Not, Some
from bruising_check.protocol.model import BooleanFact, Expr, Protocol, Ref
from bruising_check.protocol.yamlread import Path


def conditions_with_paths(cond: Condition, path: Path) -> Iterator[tuple[Path, Condition]]:
    yield path, cond
    match cond:
        case AllOf(all=items):
            for i, item in enumerate(items):
                yield from conditions_with_paths(item, (*path, "all", i))
        case AnyOf(any=items):
            for i, item in enumerate(items):
                yield from conditions_with_paths(item, (*path, "any", i))
        case Not(not_=inner):
            yield from conditions_with_paths(inner, (*path, "not"))
        case Some(some=q):
            yield from conditions_with_paths(q.where, (*path, "some", "where"))
        case Every(every=q):
            yield from conditions_with_paths(q.where, (*path, "every", "where"))
        case Count(count=q):
            yield from conditions_with_paths(q.where, (*path, "count", "where"))


def expr_refs(expr: Expr) -> Iterator[Ref]:
    if isinstance(expr, Ref):
        yield expr
    elif isinstance(expr, (int, float)):
        return
    else:
        for part in getattr(expr, type(expr).__name__.lower()):
            if not isinstance(part, float):
                yield from expr_refs(part)


def all_conditions(protocol: Protocol) -> Iterator[tuple[Path, Condition, str]]:
    """Every condition in the protocol with its path and what owns it ("rule", "ask_if", ...)."""
    for i, q in enumerate(protocol.questions):
        if q.ask_if is not None:
            yield ("questions", i, "ask_if"), q.ask_if, "ask_if"
    for i, q in enumerate(protocol.context_prompts):
        if q.ask_if is not None:
            yield ("context_prompts", i, "ask_if"), q.ask_if, "context"
    for i, f in enumerate(protocol.derived):
        if isinstance(f, BooleanFact):
            yield ("derived", i, "condition"), f.condition, "fact"
        elif f.applies_if is not None:
            yield ("derived", i, "applies_if"), f.applies_if, "fact"
    for i, r in enumerate(protocol.rules):
        yield ("rules", i, "when"), r.when, "rule"
    for i, a in enumerate(protocol.advice):
        yield ("advice", i, "when"), a.when, "advice"
    for i, inv in enumerate(protocol.invariants):
        yield ("invariants", i, "when"), inv.when, "invariant"
    for i, pw in enumerate(protocol.pathways):
        for j, act in enumerate(pw.actions):
            if act.when is not None:
                yield ("pathways", i, "actions", j, "when"), act.when, "action"
    for i, a in enumerate(protocol.advice):
        for j, act in enumerate(a.actions):
            if act.when is not None:
                yield ("advice", i, "actions", j, "when"), act.when, "action"
    for i, d in enumerate(protocol.approved_deviations):
        if d.when is not None:
            yield ("approved_deviations", i, "when"), d.when, "deviation"
