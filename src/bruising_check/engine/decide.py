"""The engine: a pure function from (protocol, answers) to a decision.

The first rule whose condition is true decides the pathway. Safety rules on top of that:
- an answer that is not known makes a condition *unknown*; every rule before the deciding one
  whose condition is unknown *might* apply, so the most urgent of their pathways is taken
  (a missing answer can never lower the pathway);
- the protocol's invariants are checked on every decision and, if one would be broken, the
  pathway is raised to what it demands and the decision says so.
Advice accumulates from every matching advice entry and never changes the pathway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bruising_check.protocol.conditions import UNKNOWN, Truth, describe, evaluate
from bruising_check.protocol.model import (
    Action,
    Add,
    BooleanFact,
    Contact,
    Div,
    Expr,
    Mul,
    NumberFact,
    Pathway,
    Protocol,
    Ref,
    Sub,
    TextQuestion,
)


@dataclass(frozen=True)
class FiredRule:
    id: str
    because: str
    cite: tuple[str, ...]
    kind: str  # "decides" | "might_apply" | "advice" | "invariant"
    pathway: str | None = None


@dataclass(frozen=True)
class ResolvedAction:
    action: Action
    contact: Contact | None
    source: str  # pathway id or advice id


@dataclass(frozen=True)
class Skipped:
    question: str
    reason: str


@dataclass(frozen=True)
class Decision:
    pathway: Pathway | None
    rules_fired: tuple[FiredRule, ...]
    actions: tuple[ResolvedAction, ...]
    derived: Mapping[str, Any]
    answers: Mapping[str, Any]
    not_asked: tuple[Skipped, ...]
    unanswered: tuple[str, ...]
    context: Mapping[str, Any] = field(default_factory=dict)
    then: Pathway | None = None
    """The follow-on pathway when `pathway` is a `first_step` one (decided by the rules below
    the first-step rule); None otherwise."""
    unknowns_that_decided: tuple[str, ...] = ()
    """Unknown answers (paths such as `gestation_weeks_at_birth`, `marks[2].patterned`; 1-based)
    for which some answer to that one alone would give a less urgent outcome."""
    item_derived: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    """Per-item facts: group id -> one mapping of fact id -> value per item (UNKNOWN where the
    fact differs between completions of the unknowns)."""
    exact: bool = True
    """False when there were too many completions of the unknowns to search: the outcome is then
    the sound three-valued (Kleene) upper bound, never less urgent than the exact one."""

    @property
    def deciding_rule(self) -> FiredRule | None:
        return next((r for r in self.rules_fired if r.kind == "decides"), None)

    @property
    def raised(self) -> bool:
        """True when unknown answers or an invariant made the pathway more urgent."""
        return any(r.kind in {"might_apply", "invariant"} for r in self.rules_fired)


def applicable(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Truth]:
    """Whether each question applies given the answers to earlier ones (ask_if, in order)."""
    values: dict[str, Any] = {}
    result: dict[str, Truth] = {}
    for q in protocol.questions:
        truth = Truth.TRUE
        if q.ask_if is not None:
            truth = evaluate(q.ask_if, {**values, **derive(protocol, values)})
        result[q.id] = truth
        if truth is Truth.FALSE:
            values[q.id] = None
        else:
            values[q.id] = answers.get(q.id, UNKNOWN)
    return result


def derive(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Compute derived facts in order. Missing inputs are unknown; `None` means not applicable."""
    facts: dict[str, Any] = {}
    for f in protocol.derived:
        values = {**answers, **facts}
        if isinstance(f, BooleanFact):
            truth = evaluate(f.condition, values)
            facts[f.id] = UNKNOWN if truth is Truth.UNKNOWN else truth is Truth.TRUE
        elif isinstance(f, NumberFact):
            gate = Truth.TRUE if f.applies_if is None else evaluate(f.applies_if, values)
            if gate is Truth.FALSE:
                facts[f.id] = None
            else:
                number = compute(f.value, values)
                facts[f.id] = UNKNOWN if gate is Truth.UNKNOWN and number is not None else number
    return facts


def compute(expr: Expr, values: Mapping[str, Any]) -> Any:
    """Evaluate linear arithmetic; UNKNOWN and None propagate."""
    match expr:
        case bool():
            raise TypeError("booleans are not numbers")  # pragma: no cover - schema forbids
        case int() | float():
            return expr
        case Ref():
            value = values.get(expr.subject, UNKNOWN)
            if value is not None and value is not UNKNOWN and not isinstance(value, (int, float)):
                return UNKNOWN  # pragma: no cover - the validator forbids non-numbers here
            return value
        case Add(add=parts):
            got = [compute(p, values) for p in parts]
            return _combine(got, sum)
        case Sub(sub=(a, b)):
            return _combine([compute(a, values), compute(b, values)], lambda v: v[0] - v[1])
        case Mul(mul=(a, k)):
            return _combine([compute(a, values)], lambda v: v[0] * k)
        case Div(div=(a, k)):
            return _combine([compute(a, values)], lambda v: v[0] / k)
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _combine(parts: list[Any], fn: Any) -> Any:
    if any(p is None for p in parts):
        return None
    if any(p is UNKNOWN for p in parts):
        return UNKNOWN
    return fn(parts)


def decide(protocol: Protocol, answers: Mapping[str, Any]) -> Decision:
    """Decide the pathway for validated `answers` (question id → value; UNKNOWN = not known)."""
    applies = applicable(protocol, answers)
    values: dict[str, Any] = {}
    not_asked: list[Skipped] = []
    unanswered: list[str] = []
    for q in protocol.questions:
        if applies[q.id] is Truth.FALSE:
            values[q.id] = None
            assert q.ask_if is not None
            not_asked.append(Skipped(q.id, f"asked only if {describe(q.ask_if)}"))
            continue
        value = answers.get(q.id, UNKNOWN)
        values[q.id] = value
        if value is UNKNOWN and not isinstance(q, TextQuestion):
            # Free text never decides anything; an unknown anywhere else is shown as unknown.
            unanswered.append(q.id)
    facts = derive(protocol, values)
    env = {**values, **facts}

    fired: list[FiredRule] = []
    candidates: list[Pathway] = []
    deciding: Pathway | None = None
    for rule in protocol.rules:
        truth = evaluate(rule.when, env)
        pathway = protocol.pathway(rule.pathway)
        if truth is Truth.FALSE or pathway is None:
            continue
        if truth is Truth.UNKNOWN:
            candidates.append(pathway)
            fired.append(FiredRule(rule.id, rule.because, rule.cite, "might_apply", pathway.id))
            continue
        deciding = pathway
        fired.append(FiredRule(rule.id, rule.because, rule.cite, "decides", pathway.id))
        break
    options = [*candidates, *([deciding] if deciding else [])]
    chosen = min(options, key=lambda pw: pw.urgency) if options else None
    if deciding is not None and chosen is deciding:
        # Unknown rules that were not more urgent did not change anything: do not list them.
        fired = [r for r in fired if r.kind == "decides" or _more_urgent(protocol, r, deciding)]

    for inv in protocol.invariants:
        floor = protocol.pathway(inv.at_least)
        # An invariant that *might* apply (an answer it needs is not known) is honoured too:
        # otherwise a missing answer could switch a protocol's promise off.
        if floor is None or evaluate(inv.when, env) is Truth.FALSE:
            continue
        if chosen is None or chosen.urgency > floor.urgency:
            chosen = floor
            fired.append(FiredRule(inv.id, inv.because, inv.cite, "invariant", floor.id))

    actions: list[ResolvedAction] = []
    if chosen is not None:
        actions.extend(_resolve(protocol, a, chosen.id) for a in chosen.actions)
    for adv in protocol.advice:
        if evaluate(adv.when, env) is Truth.FALSE:
            continue
        fired.append(FiredRule(adv.id, adv.because, adv.cite, "advice"))
        actions.extend(_resolve(protocol, a, adv.id) for a in adv.actions)

    return Decision(
        pathway=chosen,
        rules_fired=tuple(fired),
        actions=tuple(actions),
        derived=facts,
        answers=dict(values),
        not_asked=tuple(not_asked),
        unanswered=tuple(unanswered),
    )


def _more_urgent(protocol: Protocol, rule: FiredRule, than: Pathway) -> bool:
    pw = protocol.pathway(rule.pathway or "")
    return pw is not None and pw.urgency < than.urgency


def _resolve(protocol: Protocol, action: Action, source: str) -> ResolvedAction:
    contact = protocol.contact(action.contact) if action.contact else None
    return ResolvedAction(action, contact, source)
