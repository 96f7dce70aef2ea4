"""One three-valued pass over a protocol: what is asked, the derived facts, and the outcome's
sound bounds.

`run_pass` works on answers that may hold UNKNOWN. It never guesses: a rule whose condition is
unknown *might* apply, so the pass returns an upper bound on the outcome of every completion of
the unknowns (and a lower bound); when the two meet, the outcome is definite. `engine.complete`
searches the completions for the exact most urgent outcome, using these bounds to prune.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bruising_check.engine.urgency import Outcome, most_urgent, raise_to, urgency_key
from bruising_check.protocol.conditions import (
    MAYBE_ASKED_KEYS,
    PENDING_KEYS,
    UNKNOWN,
    UNKNOWN_KEYS,
    Compare,
    Condition,
    Count,
    Every,
    Some,
    Truth,
    evaluate,
    walk,
)
from bruising_check.protocol.model import (
    Add,
    BooleanFact,
    Div,
    Expr,
    GroupQuestion,
    Mul,
    NumberFact,
    NumberQuestion,
    Pathway,
    Protocol,
    Ref,
    Rule,
    Sub,
)


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired (or might have, with unknowns): why, its sources and its pathway."""

    id: str
    because: str
    cite: tuple[str, ...]
    kind: str  # "decides" | "might_apply" | "then" | "advice" | "invariant"
    pathway: str | None = None
    certain: bool = True
    """For advice: False when it applies only in some completions of the unknowns."""


@dataclass(frozen=True)
class Skipped:
    """A question that was not asked, and why."""

    question: str
    reason: str


@dataclass
class Pass:
    """One evaluation of the answers: the answers as asked, the derived facts, what was skipped."""

    values: dict[str, Any]
    """Answers after `ask_if` (None = not asked); a group is a tuple of item-answer mappings."""
    facts: dict[str, Any]
    item_facts: dict[str, tuple[dict[str, Any], ...]]
    env: dict[str, Any]
    """Answers and facts in one namespace; a group's items carry their item facts too."""
    not_asked: list[Skipped]
    asked: dict[str, Truth] = field(default_factory=dict)
    """Each question's `ask_if` truth: top-level ids and item paths (`marks[1].site`)."""
    pending: dict[str, Any] = field(default_factory=dict)
    """Answers given to questions whose `ask_if` is unknown (ids and item paths): UNKNOWN in
    `values`, since in some completions the question is not asked and its answer is void."""
    upper: Outcome = (None, None)
    lower: Outcome = (None, None)
    rules_upper: Outcome = (None, None)
    rules_lower: Outcome = (None, None)
    """The bounds the rules alone give, before invariants raise them."""
    trace: list[FiredRule] = field(default_factory=list)
    """Rules that decide (definitely true) or might apply (unknown), in order."""

    @property
    def definite(self) -> bool:
        return _ids(self.upper) == _ids(self.lower)


def _ids(outcome: Outcome) -> tuple[str | None, str | None]:
    return (
        outcome[0].id if outcome[0] is not None else None,
        outcome[1].id if outcome[1] is not None else None,
    )


# --- arithmetic -----------------------------------------------------------------------------


def compute(expr: Expr, values: Mapping[str, Any], item: Mapping[str, Any] | None = None) -> Any:
    """Evaluate linear arithmetic; UNKNOWN and None propagate. `item:` refs read `item`."""
    match expr:
        case bool():
            raise TypeError("booleans are not numbers")  # pragma: no cover - schema forbids
        case int() | float():
            return expr
        case Ref():
            if expr.item is not None:
                value = UNKNOWN if item is None else item.get(expr.item, UNKNOWN)
            else:
                value = values.get(expr.subject, UNKNOWN)
            return operand(value, expr.subject)
        case Add(add=parts):
            got = [compute(p, values, item) for p in parts]
            return _combine(got, sum)
        case Sub(sub=(a, b)):
            return _combine(
                [compute(a, values, item), compute(b, values, item)], lambda v: v[0] - v[1]
            )
        case Mul(mul=(a, k)):
            return _combine([compute(a, values, item)], lambda v: v[0] * k)
        case Div(div=(a, k)):
            return _combine([compute(a, values, item)], lambda v: v[0] / k)
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def operand(value: Any, subject: str) -> Any:
    """`value` (of `subject`) as an operand of arithmetic: a number, not known, or not asked.
    Anything else raises TypeError; the validator refuses it (ARITHMETIC_NOT_NUMBER): True + 1
    = 2 here while the analysis reads a yes/no answer, so the two could disagree."""
    if (
        value is not None
        and value is not UNKNOWN
        and (isinstance(value, bool) or not isinstance(value, (int, float)))
    ):
        raise TypeError(f"arithmetic on {subject!r}, which is not a number")
    return value


def _combine(parts: list[Any], fn: Any) -> Any:
    if any(p is None for p in parts):
        return None
    if any(p is UNKNOWN for p in parts):
        return UNKNOWN
    return fn(parts)


def fact_value(
    f: BooleanFact | NumberFact, values: Mapping[str, Any], item: Mapping[str, Any] | None = None
) -> Any:
    if isinstance(f, BooleanFact):
        truth = evaluate(f.condition, values, item)
        return UNKNOWN if truth is Truth.UNKNOWN else truth is Truth.TRUE
    gate = Truth.TRUE if f.applies_if is None else evaluate(f.applies_if, values, item)
    if gate is Truth.FALSE:
        return None
    number = compute(f.value, values, item)
    return UNKNOWN if gate is Truth.UNKNOWN and number is not None else number


# --- which groups a condition looks at ------------------------------------------------------


def groups_used(cond: Condition | None) -> set[str]:
    if cond is None:
        return set()
    found: set[str] = set()
    for node in walk(cond):
        if isinstance(node, Some):
            found.add(node.some.group)
        elif isinstance(node, Every):
            found.add(node.every.group)
        elif isinstance(node, Count):
            found.add(node.count.group)
    return found


def _uses_facts(cond: Condition) -> bool:
    return any(isinstance(n, Compare) and n.fact is not None for n in walk(cond))


# --- the pass -------------------------------------------------------------------------------


def run_pass(protocol: Protocol, answers: Mapping[str, Any], *, rules: bool = True) -> Pass:
    """Evaluate everything once, three-valued. Absent answers to questions that apply are
    UNKNOWN (an optional number with a `default` takes it)."""
    values: dict[str, Any] = {}
    marks = answers.get(UNKNOWN_KEYS)
    if marks:
        values[UNKNOWN_KEYS] = marks
    not_asked: list[Skipped] = []
    asked: dict[str, Truth] = {}
    pending: dict[str, Any] = {}
    maybe: set[str] = set()
    for q in protocol.questions:
        truth = Truth.TRUE
        if q.ask_if is not None:
            scope = values
            if _uses_facts(q.ask_if) or groups_used(q.ask_if):
                scope = _environment(protocol, values)[0]
            truth = evaluate(q.ask_if, scope)
        asked[q.id] = truth
        if truth is Truth.FALSE:
            values[q.id] = None
            not_asked.append(Skipped(q.id, _reason(protocol, q.ask_if)))
            continue
        raw = answers.get(q.id, UNKNOWN)
        if isinstance(q, GroupQuestion):
            values[q.id] = (
                raw
                if raw is UNKNOWN
                else _items(protocol, q, raw, values, not_asked, asked, pending)
            )
            continue
        if q.id not in answers and isinstance(q, NumberQuestion) and q.default is not None:
            raw = _default(q)
        if truth is Truth.UNKNOWN and raw is not UNKNOWN:
            pending[q.id] = raw
            raw = UNKNOWN
        elif truth is Truth.UNKNOWN:
            maybe.add(q.id)
        values[q.id] = raw
    top_pending = frozenset(k for k in pending if "[" not in k)
    if top_pending:
        values[PENDING_KEYS] = top_pending
    if maybe:
        values[MAYBE_ASKED_KEYS] = frozenset(maybe)
    env, facts, item_facts = _environment(protocol, values)
    result = Pass(values, facts, item_facts, env, not_asked, asked, pending)
    if rules:
        _outcome(protocol, result)
    return result


def _default(q: NumberQuestion) -> Any:
    assert q.default is not None
    return int(q.default) if q.integer else q.default


def asked_only_if(protocol: Protocol, cond: Condition | None, group: str | None = None) -> str:
    """Why a question was not asked, in words: "asked only if ..." (or "not asked")."""
    return _reason(protocol, cond, group)


def _reason(protocol: Protocol, cond: Condition | None, group: str | None = None) -> str:
    """Why a question was not asked, in words (fact labels, option labels; never ids)."""
    from bruising_check.protocol.wording import condition_text

    return (
        f"asked only if {condition_text(protocol, cond, group)}"
        if cond is not None
        else "not asked"
    )


def _items(
    protocol: Protocol,
    group: GroupQuestion,
    raw: Any,
    values: dict[str, Any],
    not_asked: list[Skipped],
    asked: dict[str, Truth],
    pending: dict[str, Any],
) -> tuple[dict[str, Any], ...]:
    items: list[dict[str, Any]] = []
    child_env: Mapping[str, Any] | None = None
    for n, given in enumerate(raw, start=1):
        item: dict[str, Any] = {}
        marks = given.get(UNKNOWN_KEYS)
        if marks:
            item[UNKNOWN_KEYS] = marks
        for q in group.questions:
            truth = Truth.TRUE
            if q.ask_if is not None:
                if child_env is None:
                    child_env = (
                        _environment(protocol, values)[0]
                        if any(_uses_facts(x.ask_if) for x in group.questions if x.ask_if)
                        else values
                    )
                truth = evaluate(q.ask_if, child_env, item)
            asked[f"{group.id}[{n}].{q.id}"] = truth
            if truth is Truth.FALSE:
                item[q.id] = None
                not_asked.append(
                    Skipped(f"{group.id}[{n}].{q.id}", _reason(protocol, q.ask_if, group.id))
                )
                continue
            value = given.get(q.id, UNKNOWN)
            if (
                value is UNKNOWN
                and q.id not in given
                and isinstance(q, NumberQuestion)
                and q.default is not None
            ):
                value = _default(q)
            if truth is Truth.UNKNOWN and value is not UNKNOWN:
                pending[f"{group.id}[{n}].{q.id}"] = value
                item[PENDING_KEYS] = item.get(PENDING_KEYS, frozenset()) | {q.id}
                value = UNKNOWN
            elif truth is Truth.UNKNOWN:
                item[MAYBE_ASKED_KEYS] = item.get(MAYBE_ASKED_KEYS, frozenset()) | {q.id}
            item[q.id] = value
        items.append(item)
    return tuple(items)


def _environment(
    protocol: Protocol, values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, tuple[dict[str, Any], ...]]]:
    """Child-level facts in order; a group's item facts are computed just before the first fact
    that looks at the group (so they see the facts declared before it), or at the end."""
    env: dict[str, Any] = dict(values)
    facts: dict[str, Any] = {}
    item_facts: dict[str, tuple[dict[str, Any], ...]] = {}
    groups = [q for q in protocol.questions if isinstance(q, GroupQuestion)]

    def settle(group: GroupQuestion) -> None:
        items = values.get(group.id)
        if group.id in item_facts:
            return
        if items is None or items is UNKNOWN:
            item_facts[group.id] = ()
            return
        per_item: list[dict[str, Any]] = []
        merged: list[dict[str, Any]] = []
        for item in items:
            own: dict[str, Any] = {}
            scope = dict(item)
            for f in group.derived:
                own[f.id] = scope[f.id] = fact_value(f, env, scope)
            per_item.append(own)
            merged.append(scope)
        item_facts[group.id] = tuple(per_item)
        env[group.id] = tuple(merged)

    for f in protocol.derived:
        cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
        used = groups_used(cond)
        for g in groups:
            if g.id in used:
                settle(g)
        facts[f.id] = env[f.id] = fact_value(f, env)
    for g in groups:
        settle(g)
    return env, facts, item_facts


# --- rules, follow-ons and invariants -------------------------------------------------------


def _scan(
    protocol: Protocol, rules: tuple[Rule, ...], env: Mapping[str, Any], *, follow_on: bool
) -> _Scan:
    """The first rule that is true decides; unknown ones before it might. Returns the upper and
    lower bounds on the outcome, the trace, and every candidate outcome (with the follow-on at
    its most and least urgent)."""
    candidates_hi: list[Outcome] = []
    candidates_lo: list[Outcome] = []
    trace: list[FiredRule] = []
    decided = False
    for i, rule in enumerate(rules):
        pathway = protocol.pathway(rule.pathway)
        if pathway is None or (follow_on and pathway.first_step):
            continue  # a follow-on is never itself a first step
        truth = evaluate(rule.when, env)
        if truth is Truth.FALSE:
            continue
        hi: Outcome = (pathway, None)
        lo: Outcome = (pathway, None)
        if rule.then == "rules_below" and pathway.first_step and not follow_on:
            below = _follow(protocol, rules[i + 1 :], env)
            then_hi, then_lo = below.upper[0], below.lower[0]
            hi, lo = (pathway, then_hi), (pathway, then_lo)
        kind = "decides" if truth is Truth.TRUE else "might_apply"
        if follow_on:
            kind = "then" if truth is Truth.TRUE else "might_apply"
        trace.append(FiredRule(rule.id, rule.because, rule.cite, kind, pathway.id))
        candidates_hi.append(hi)
        candidates_lo.append(lo)
        if truth is Truth.TRUE:
            decided = True
            break
    if not decided:
        candidates_hi.append((None, None))
        candidates_lo.append((None, None))
    upper = most_urgent(candidates_hi)
    lower = min(candidates_lo, key=urgency_key)
    return _Scan(upper, lower, trace, candidates_hi, candidates_lo)


@dataclass
class _Scan:
    """One scan of the rules: the most and least urgent outcomes, the trace, the candidates."""

    upper: Outcome
    lower: Outcome
    trace: list[FiredRule]
    highs: list[Outcome]
    lows: list[Outcome]


def _follow(protocol: Protocol, rules: tuple[Rule, ...], env: Mapping[str, Any]) -> _Scan:
    return _scan(protocol, rules, env, follow_on=True)


def follow_on_trace(protocol: Protocol, rule_id: str, env: Mapping[str, Any]) -> list[FiredRule]:
    """The rules below `rule_id` that decide (or might decide) its follow-on pathway."""
    index = next(i for i, r in enumerate(protocol.rules) if r.id == rule_id)
    return _follow(protocol, protocol.rules[index + 1 :], env).trace


def _outcome(protocol: Protocol, result: Pass) -> None:
    scan = _scan(protocol, protocol.rules, result.env, follow_on=False)
    sure: list[Pathway] = []
    maybe: list[Pathway] = []
    for inv in protocol.invariants:
        floor = protocol.pathway(inv.at_least)
        if floor is None:
            continue
        truth = evaluate(inv.when, result.env)
        if truth is Truth.TRUE:
            sure.append(floor)
        if truth is not Truth.FALSE:
            maybe.append(floor)
    result.rules_upper, result.rules_lower = scan.upper, scan.lower
    # Per candidate: raising to a floor is not monotone across pathways (a first-step floor
    # over "refer" gives "first step, then refer", above "first step" alone), so the bounds
    # are taken after honouring each candidate, never before.
    result.upper = most_urgent(honour(c, maybe) for c in scan.highs)
    result.lower = min((honour(c, sure) for c in scan.lows), key=urgency_key)
    result.trace = scan.trace


def honour(outcome: Outcome, floors: list[Pathway]) -> Outcome:
    """Raise `outcome` until every floor holds (each raise only makes it more urgent)."""
    for _ in range(len(floors) + 1):
        before = _ids(outcome)
        for floor in floors:
            outcome = raise_to(outcome, floor)
        if _ids(outcome) == before:
            break
    return outcome
