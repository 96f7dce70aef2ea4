"""The engine's three-valued pass, compiled once per protocol, for replaying many cases.

`diff --cases` re-runs a year of cases under two protocol versions and reads only each case's
pathway and follow-on. `evaluate.run_pass` walks the condition trees (pydantic models, matched
case by case, with `Truth` enums) for every case; here each condition is turned once into a
closure over plain values (truth as 0 / 1 / 2 for false / unknown / true) and the pass mirrors
`run_pass` step by step: the same order, the same scopes, the same facts, the same bounds. It
builds no wording (no "asked only if ..." reasons) and no trace, which replay never reads.

`decide_outcome` gives exactly the outcome `engine.decide` gives: when the pass is definite, its
bounds; otherwise the engine's own search (`complete.Completer`) with this pass in place of
`run_pass`. `answers_ok` tells whether `check_answers` would find no error, or leaves it to
`check_answers` (None) whenever it is not sure. The engine stays the single source of truth for
the guided check and the record; tests/test_compiled_replay.py compares the two on random
protocols and answer sets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

from bruising_check.engine.answers import AnswerError, coerce, may_be_unknown
from bruising_check.engine.complete import DEFAULT_BUDGET, Completer, Exhausted, Inexact, Var
from bruising_check.engine.evaluate import Pass, groups_used, operand
from bruising_check.engine.urgency import Outcome, more_urgent, most_urgent, raise_to, urgency_key
from bruising_check.protocol.conditions import (
    MAYBE_ASKED_KEYS,
    PENDING_KEYS,
    UNKNOWN,
    UNKNOWN_KEYS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Count,
    Every,
    Not,
    RoleIs,
    Some,
    Truth,
    walk,
)
from bruising_check.protocol.model import (
    Add,
    BooleanFact,
    BooleanQuestion,
    Div,
    Expr,
    GroupQuestion,
    Mul,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Pathway,
    Protocol,
    Ref,
    SingleChoiceQuestion,
    Sub,
    TextQuestion,
)

__all__ = [
    "Compiled",
    "Joint",
    "compile_condition",
    "compiled",
    "decide_outcome",
    "joint",
    "replay_outcome",
    "replayer",
]

Scope = Mapping[str, Any]
Test = Callable[[Scope, Scope | None], int]
Value = Callable[[Scope, Scope | None], Any]
TRUTHS = (Truth.FALSE, Truth.UNKNOWN, Truth.TRUE)
_NO_DEFAULT = object()


# --- conditions -----------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """`conditions._same`: equal and of the same kind (a yes/no answer never equals 1)."""
    comparable = type(a) is type(b) or (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )
    return comparable and bool(a == b)


def _op(cmp: Compare) -> Callable[[Any], int]:
    """`conditions.compare` for one comparison, with its operand worked out once."""
    op, operand = cmp.operator, cmp.operand
    if op == "known":
        want = bool(operand)

        def known(value: Any) -> int:
            return 2 if (value is not UNKNOWN) == want else 0

        return known
    if op == "answered":
        want = bool(operand)

        def answered(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            return 2 if (value is not None) == want else 0

        return answered
    if op == "is_true":

        def is_true(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            return 2 if value is True else 0

        return is_true
    if op == "equals":
        as_set = set(operand if isinstance(operand, tuple) else ())

        def equals(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            if value is None:
                return 0
            if isinstance(value, (list, tuple, frozenset, set)):
                return 2 if set(value) == as_set else 0
            return 2 if _same(value, operand) else 0

        return equals
    if op == "in":
        options = tuple(operand)
        texts = frozenset(o for o in options if type(o) is str)

        def in_(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            if value is None:
                return 0
            if type(value) is str:
                return 2 if value in texts else 0
            return 2 if any(_same(value, o) for o in options) else 0

        return in_
    if op in {"includes_any", "includes_all"}:
        chosen = frozenset(operand)
        any_ = op == "includes_any"

        def includes(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            if value is None:
                return 0
            if any_:
                return 2 if set(value) & chosen else 0
            return 2 if chosen <= set(value) else 0

        return includes
    if op == "is_empty":
        want = bool(operand)

        def is_empty(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            if value is None:
                return 0
            return 2 if (len(value) == 0) == want else 0

        return is_empty
    if op in {"lt", "le", "gt", "ge"}:
        bound = operand
        order: Callable[[Any, Any], bool] = {
            "lt": lambda a, b: a < b,
            "le": lambda a, b: a <= b,
            "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b,
        }[op]

        def ordered(value: Any) -> int:
            if value is UNKNOWN:
                return 1
            if value is None:
                return 0
            return 2 if order(value, bound) else 0

        return ordered
    raise ValueError(f"unknown operator {op}")  # pragma: no cover


def _compare(cmp: Compare) -> Test:
    subject = cmp.subject
    on_item = cmp.item is not None
    if cmp.operator == "known":
        want = bool(cmp.operand)

        def known(values: Scope, item: Scope | None) -> int:
            scope = item if on_item else values
            if scope is None:
                return 1
            value = scope.get(subject)
            if value is UNKNOWN and subject in scope.get(MAYBE_ASKED_KEYS, ()):
                return 1
            if value is UNKNOWN:
                was_unknown = subject not in scope.get(PENDING_KEYS, ())
            else:
                was_unknown = value is not None and subject in scope.get(UNKNOWN_KEYS, ())
            return 2 if (not was_unknown) == want else 0

        return known
    test = _op(cmp)
    op, operand = cmp.operator, cmp.operand
    texts: frozenset[str] | None = None
    if op == "equals" and type(operand) is str:
        texts = frozenset((operand,))
    elif op == "in" and all(type(o) is str for o in operand):
        texts = frozenset(operand)
    if on_item:
        if texts is not None:
            # A text answer against option ids in one closure; anything else through `test`.
            def text_on_one(values: Scope, item: Scope | None) -> int:
                if item is None:
                    return 1
                v = item.get(subject)
                if type(v) is str:
                    return 2 if v in texts else 0
                return test(v)

            return text_on_one

        def on_one(values: Scope, item: Scope | None) -> int:
            return 1 if item is None else test(item.get(subject))

        return on_one
    if texts is not None:

        def text_on_values(values: Scope, item: Scope | None) -> int:
            v = values.get(subject)
            if type(v) is str:
                return 2 if v in texts else 0
            return test(v)

        return text_on_values

    def on_values(values: Scope, item: Scope | None) -> int:
        return test(values.get(subject))

    return on_values


def _items_of(values: Scope, group: str) -> Any:
    items = values.get(group)
    if items is UNKNOWN:
        return UNKNOWN
    return () if items is None else items


def compile_condition(cond: Condition) -> Test:
    """`conditions.evaluate` as a closure: (values, item) -> 0 false, 1 unknown, 2 true."""
    match cond:
        case AllOf(all=parts):
            tests = tuple(compile_condition(p) for p in parts)

            def all_(values: Scope, item: Scope | None) -> int:
                result = 2
                for test in tests:
                    t = test(values, item)
                    if t < result:
                        result = t
                        if t == 0:
                            return 0
                return result

            return all_
        case AnyOf(any=parts):
            tests = tuple(compile_condition(p) for p in parts)

            def any_(values: Scope, item: Scope | None) -> int:
                result = 0
                for test in tests:
                    t = test(values, item)
                    if t > result:
                        result = t
                        if t == 2:
                            return 2
                return result

            return any_
        case Not(not_=inner):
            test = compile_condition(inner)

            def not_(values: Scope, item: Scope | None) -> int:
                return 2 - test(values, item)

            return not_
        case Some(some=q):
            group, where = q.group, compile_condition(q.where)

            def some(values: Scope, item: Scope | None) -> int:
                items = _items_of(values, group)
                if items is UNKNOWN:
                    return 1
                result = 0
                for one in items:
                    t = where(values, one)
                    if t > result:
                        result = t
                        if t == 2:
                            return 2
                return result

            return some
        case Every(every=q):
            group, where = q.group, compile_condition(q.where)

            def every(values: Scope, item: Scope | None) -> int:
                items = _items_of(values, group)
                if items is UNKNOWN:
                    return 1
                result = 2
                for one in items:
                    t = where(values, one)
                    if t < result:
                        result = t
                        if t == 0:
                            return 0
                return result

            return every
        case Count(count=spec):
            return _count(spec.group, compile_condition(spec.where), spec.sum, spec)
        case RoleIs():
            return lambda values, item: 1  # unresolved: never lowers (as `evaluate`)
        case Compare():
            return _compare(cond)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _count(group: str, where: Test, total: str | None, spec: Any) -> Test:
    """`conditions._count`: the count (or sum) lies in [low, high]."""
    op, bound = spec.operator, spec.operand
    holds: Callable[[float], bool] = {
        "ge": lambda v: v >= bound,
        "gt": lambda v: v > bound,
        "le": lambda v: v <= bound,
        "lt": lambda v: v < bound,
    }.get(op, lambda v: v == bound)

    def count(values: Scope, item: Scope | None) -> int:
        items = _items_of(values, group)
        if items is UNKNOWN:
            return 1
        low = high = 0.0
        for one in items:
            t = where(values, one)
            if t == 0:
                continue
            amount: Any = 1 if total is None else one.get(total)
            if amount is None:
                amount = 0
            if amount is UNKNOWN:
                return 1
            if t == 2:
                low += amount
                high += amount
            else:
                low, high = low + min(0, amount), high + max(0, amount)
        at_low, at_high = holds(low), holds(high)
        if op == "equals":
            if low == high:
                return 2 if at_low else 0
            return 1 if low <= bound <= high else 0
        if at_low == at_high:
            return 2 if at_low else 0
        return 1

    return count


# --- arithmetic and facts -------------------------------------------------------------------


def _combine(parts: list[Any], fn: Callable[[list[Any]], Any]) -> Any:
    if any(p is None for p in parts):
        return None
    if any(p is UNKNOWN for p in parts):
        return UNKNOWN
    return fn(parts)


def compile_expr(expr: Expr) -> Value:
    """`evaluate.compute` as a closure."""
    match expr:
        case bool():
            raise TypeError("booleans are not numbers")  # pragma: no cover - schema forbids
        case int() | float():
            number = expr
            return lambda values, item: number
        case Ref():
            subject, own = expr.subject, expr.item

            def ref(values: Scope, item: Scope | None) -> Any:
                if own is not None:
                    value = UNKNOWN if item is None else item.get(own, UNKNOWN)
                else:
                    value = values.get(subject, UNKNOWN)
                return operand(value, subject)

            return ref
        case Add(add=parts):
            adds = tuple(compile_expr(p) for p in parts)
            return lambda values, item: _combine([a(values, item) for a in adds], sum)
        case Sub(sub=(a, b)):
            fa, fb = compile_expr(a), compile_expr(b)
            return lambda values, item: _combine(
                [fa(values, item), fb(values, item)], lambda v: v[0] - v[1]
            )
        case Mul(mul=(a, k)):
            fm = compile_expr(a)
            return lambda values, item: _combine([fm(values, item)], lambda v: v[0] * k)
        case Div(div=(a, k)):
            fd = compile_expr(a)
            return lambda values, item: _combine([fd(values, item)], lambda v: v[0] / k)
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def compile_fact(f: BooleanFact | NumberFact) -> Value:
    """`evaluate.fact_value` as a closure."""
    if isinstance(f, BooleanFact):
        test = compile_condition(f.condition)

        def boolean(values: Scope, item: Scope | None) -> Any:
            t = test(values, item)
            return UNKNOWN if t == 1 else t == 2

        return boolean
    gate = None if f.applies_if is None else compile_condition(f.applies_if)
    value = compile_expr(f.value)

    def number(values: Scope, item: Scope | None) -> Any:
        g = 2 if gate is None else gate(values, item)
        if g == 0:
            return None
        n = value(values, item)
        return UNKNOWN if g == 1 and n is not None else n

    return number


def _subjects(cond: Condition | None) -> set[str]:
    return set() if cond is None else {n.subject for n in walk(cond) if isinstance(n, Compare)}


def _expr_subjects(expr: Expr) -> set[str]:
    match expr:
        case Ref():
            return {expr.subject}
        case Add(add=parts):
            return set().union(*(_expr_subjects(p) for p in parts))
        case Sub(sub=(a, b)):
            return _expr_subjects(a) | _expr_subjects(b)
        case Mul(mul=(a, _)) | Div(div=(a, _)):
            return _expr_subjects(a)
    return set()


def _needed_facts(protocol: Protocol, cond: Condition) -> tuple[int, ...] | None:
    """The facts `cond` reads, directly or through other facts (indices, in order); None when
    one of them looks at a group (then the whole environment is computed)."""
    index = {f.id: k for k, f in enumerate(protocol.derived)}
    wanted: set[int] = set()
    todo = [s for s in _subjects(cond) if s in index]
    while todo:
        k = index[todo.pop()]
        if k in wanted:
            continue
        wanted.add(k)
        f = protocol.derived[k]
        if isinstance(f, BooleanFact):
            if groups_used(f.condition):
                return None
            reads = _subjects(f.condition)
        else:
            if groups_used(f.applies_if):
                return None
            reads = _subjects(f.applies_if) | _expr_subjects(f.value)
        todo.extend(s for s in reads if s in index)
    return tuple(sorted(wanted))


def _uses_facts(cond: Condition) -> bool:
    return any(isinstance(n, Compare) and n.fact is not None for n in walk(cond))


# --- the protocol, compiled -----------------------------------------------------------------


class _Question:
    __slots__ = ("ask", "ask_env", "ask_facts", "default", "group", "id", "required")

    def __init__(self, protocol: Protocol, q: Any, *, in_group: bool = False) -> None:
        self.id: str = q.id
        self.ask: Test | None = None if q.ask_if is None else compile_condition(q.ask_if)
        # `run_pass` evaluates a top-level ask_if over the facts when it reads facts or groups.
        self.ask_env = (
            q.ask_if is not None
            and not in_group
            and (_uses_facts(q.ask_if) or bool(groups_used(q.ask_if)))
        )
        self.ask_facts: tuple[int, ...] | None = None
        """With `ask_env`: the facts (indices) the ask_if reads, when none of them looks at a
        group; only those are computed (the others cannot change what it reads)."""
        if self.ask_env and q.ask_if is not None and not groups_used(q.ask_if):
            self.ask_facts = _needed_facts(protocol, q.ask_if)
        self.required: bool = bool(q.required)
        self.default: Any = _NO_DEFAULT
        if isinstance(q, NumberQuestion) and q.default is not None:
            self.default = int(q.default) if q.integer else q.default
        self.group: _Group | None = _Group(protocol, q) if isinstance(q, GroupQuestion) else None


class _Group:
    __slots__ = ("derived", "facts_in_ask", "id", "questions")

    def __init__(self, protocol: Protocol, g: GroupQuestion) -> None:
        self.id = g.id
        self.questions = tuple(_Question(protocol, q, in_group=True) for q in g.questions)
        self.derived = tuple((f.id, compile_fact(f)) for f in g.derived)
        self.facts_in_ask = any(_uses_facts(x.ask_if) for x in g.questions if x.ask_if)


class _Rule:
    __slots__ = ("first_step", "pathway", "rules_below", "when")

    def __init__(self, pathway: Pathway | None, when: Test, rules_below: bool) -> None:
        self.pathway = pathway
        self.first_step = pathway is not None and pathway.first_step
        self.when = when
        self.rules_below = rules_below


_ItemsOf = Callable[
    [_Group, Any, dict[str, Any], dict[str, Any]], tuple[tuple[dict[str, Any], ...], bool]
]


def _take(
    q: _Question,
    truth: int,
    answers: Scope,
    values: dict[str, Any],
    pending: dict[str, Any],
    maybe: set[str],
    items: _ItemsOf,
) -> bool:
    """One asked (or maybe asked, `truth` 1) question's answer into `values`, as `run_pass`
    takes it; whether a required answer that applies is missing. Shared by the eager pass
    (`Compiled.run`) and the lazy one (`_ProbeProgram.run_pass`)."""
    qid = q.id
    missing = truth == 2 and q.required and qid not in answers
    raw = answers.get(qid, UNKNOWN)
    if q.group is not None:
        if raw is UNKNOWN:
            values[qid] = raw
        else:
            values[qid], short = items(q.group, raw, values, pending)
            missing = missing or short
        return missing
    if q.default is not _NO_DEFAULT and qid not in answers:
        raw = q.default
    if truth == 1 and raw is not UNKNOWN:
        pending[qid] = raw
        raw = UNKNOWN
    elif truth == 1:
        maybe.add(qid)
    values[qid] = raw
    return missing


def _mark_pending(values: dict[str, Any], pending: dict[str, Any], maybe: set[str]) -> None:
    """The pass's record of answers held back (asked only maybe) and questions maybe asked."""
    top_pending = frozenset(k for k in pending if "[" not in k)
    if top_pending:
        values[PENDING_KEYS] = top_pending
    if maybe:
        values[MAYBE_ASKED_KEYS] = frozenset(maybe)


class Compiled:
    """One protocol's questions, facts, rules and invariants as closures."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.questions = tuple(_Question(protocol, q) for q in protocol.questions)
        self.groups = tuple(q.group for q in self.questions if q.group is not None)
        self.facts: list[tuple[str, Value, tuple[_Group, ...]]] = []
        for f in protocol.derived:
            cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
            used = groups_used(cond)
            settle = tuple(g for g in self.groups if g.id in used)
            self.facts.append((f.id, compile_fact(f), settle))
        self.rules = tuple(
            _Rule(protocol.pathway(r.pathway), compile_condition(r.when), r.then == "rules_below")
            for r in protocol.rules
        )
        self.invariants = tuple(
            (floor, compile_condition(inv.when))
            for inv in protocol.invariants
            if (floor := protocol.pathway(inv.at_least)) is not None
        )
        self.top = {q.id: q for q in protocol.questions}
        self.shared_ranks = _shared_ranks(protocol)
        self.context = {q.id: q for q in protocol.context_prompts}
        self.probe: Any = _MISSING
        self.replay: Any = None  # (`replayer`, made on first use)
        self.coercers = {
            q.id: self._coercer(q)
            for q in (*protocol.questions, *protocol.context_prompts)
            if not isinstance(q, GroupQuestion)
        }
        self.item_coercers = {
            g.id: {q.id: self._coercer(q) for q in g.questions}
            for g in (*protocol.questions, *protocol.context_prompts)
            if isinstance(g, GroupQuestion)
        }
        # Per answer id, where `answers_ok` puts it (True: the context) and how it reads it: a
        # question first, else a context prompt, as `answers_ok` looked them up one by one.
        self.takers: dict[str, tuple[bool, Callable[[Any], Any]]] = {}
        for into_context, q in (
            *((True, c) for c in protocol.context_prompts),
            *((False, t) for t in protocol.questions),
        ):
            take = (
                functools.partial(self._group_answers, q)
                if isinstance(q, GroupQuestion)
                else self.coercers[q.id]
            )
            self.takers[q.id] = (into_context, take)

    # -- the pass (`evaluate.run_pass`)

    def run(self, answers: Scope, *, rules: bool = True) -> tuple[Pass, bool]:
        """The pass and whether a required answer that applies is missing (`check_answers`'s
        ANSWER_MISSING, at the top level or in an item)."""
        values: dict[str, Any] = {}
        marks = answers.get(UNKNOWN_KEYS)
        if marks:
            values[UNKNOWN_KEYS] = marks
        asked: dict[str, Truth] = {}
        pending: dict[str, Any] = {}
        maybe: set[str] = set()
        missing = False
        for q in self.questions:
            truth = 2
            if q.ask is not None:
                scope: Scope = values
                if q.ask_facts is not None:
                    scope = self.some_facts(values, q.ask_facts)
                elif q.ask_env:
                    scope = self.environment(values)[0]
                truth = q.ask(scope, None)
            asked[q.id] = TRUTHS[truth]
            if truth == 0:
                values[q.id] = None
                continue
            missing = _take(q, truth, answers, values, pending, maybe, self._items) or missing
        _mark_pending(values, pending, maybe)
        env, facts, item_facts = self.environment(values)
        result = Pass(values, facts, item_facts, env, [], asked, pending)
        if rules:
            self._outcome(result)
        return result, missing

    def _items(
        self, group: _Group, raw: Any, values: dict[str, Any], pending: dict[str, Any]
    ) -> tuple[tuple[dict[str, Any], ...], bool]:
        items: list[dict[str, Any]] = []
        child_env: Scope | None = None
        missing = False
        gid = group.id
        for n, given in enumerate(raw, start=1):
            item: dict[str, Any] = {}
            marks = given.get(UNKNOWN_KEYS)
            if marks:
                item[UNKNOWN_KEYS] = marks
            for q in group.questions:
                truth = 2
                if q.ask is not None:
                    if child_env is None:
                        child_env = self.environment(values)[0] if group.facts_in_ask else values
                    truth = q.ask(child_env, item)
                qid = q.id
                if truth == 0:
                    item[qid] = None
                    continue
                value = given.get(qid, UNKNOWN)
                if value is UNKNOWN and qid not in given and q.default is not _NO_DEFAULT:
                    value = q.default
                if truth == 2 and q.required and qid not in given and q.default is _NO_DEFAULT:
                    missing = True
                if truth == 1 and value is not UNKNOWN:
                    pending[f"{gid}[{n}].{qid}"] = value
                    item[PENDING_KEYS] = item.get(PENDING_KEYS, frozenset()) | {qid}
                    value = UNKNOWN
                elif truth == 1:
                    item[MAYBE_ASKED_KEYS] = item.get(MAYBE_ASKED_KEYS, frozenset()) | {qid}
                item[qid] = value
            items.append(item)
        return tuple(items), missing

    def some_facts(self, values: Scope, which: tuple[int, ...]) -> dict[str, Any]:
        """`environment(values)[0]` as far as facts `which` (and no group) are concerned."""
        env: dict[str, Any] = dict(values)
        facts = self.facts
        for k in which:
            fid, fact, _ = facts[k]
            env[fid] = fact(env, None)
        return env

    def environment(
        self, values: Scope
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, tuple[dict[str, Any], ...]]]:
        """`evaluate._environment`: child facts in order; a group's item facts just before the
        first fact that looks at the group, or at the end."""
        env: dict[str, Any] = dict(values)
        facts: dict[str, Any] = {}
        item_facts: dict[str, tuple[dict[str, Any], ...]] = {}

        def settle(group: _Group) -> None:
            if group.id in item_facts:
                return
            items = values.get(group.id)
            if items is None or items is UNKNOWN:
                item_facts[group.id] = ()
                return
            per_item: list[dict[str, Any]] = []
            merged: list[dict[str, Any]] = []
            derived = group.derived
            for item in items:
                own: dict[str, Any] = {}
                scope = dict(item)
                for fid, fact in derived:
                    own[fid] = scope[fid] = fact(env, scope)
                per_item.append(own)
                merged.append(scope)
            item_facts[group.id] = tuple(per_item)
            env[group.id] = tuple(merged)

        for fid, fact, used in self.facts:
            for g in used:
                settle(g)
            facts[fid] = env[fid] = fact(env, None)
        for g in self.groups:
            settle(g)
        return env, facts, item_facts

    # -- rules, follow-ons and invariants (`evaluate._scan`, `_outcome`)

    def _scan(
        self, start: int, env: Scope, *, follow_on: bool
    ) -> tuple[Outcome, Outcome, list[Outcome], list[Outcome]]:
        highs: list[Outcome] = []
        lows: list[Outcome] = []
        decided = False
        rules = self.rules
        for i in range(start, len(rules)):
            rule = rules[i]
            pathway = rule.pathway
            if pathway is None or (follow_on and rule.first_step):
                continue
            truth = rule.when(env, None)
            if truth == 0:
                continue
            hi: Outcome = (pathway, None)
            lo: Outcome = (pathway, None)
            if rule.rules_below and rule.first_step and not follow_on:
                upper, lower, _, _ = self._scan(i + 1, env, follow_on=True)
                hi, lo = (pathway, upper[0]), (pathway, lower[0])
            highs.append(hi)
            lows.append(lo)
            if truth == 2:
                decided = True
                break
        if not decided:
            highs.append((None, None))
            lows.append((None, None))
        return most_urgent(highs), min(lows, key=urgency_key), highs, lows

    def _outcome(self, result: Pass) -> None:
        env = result.env
        upper, lower, highs, lows = self._scan(0, env, follow_on=False)
        sure: list[Pathway] = []
        maybe: list[Pathway] = []
        for floor, when in self.invariants:
            truth = when(env, None)
            if truth == 2:
                sure.append(floor)
            if truth != 0:
                maybe.append(floor)
        result.rules_upper, result.rules_lower = upper, lower
        result.upper = most_urgent(_honour(c, maybe) for c in highs)
        result.lower = min((_honour(c, sure) for c in lows), key=urgency_key)

    # -- the answer check (`check_answers`), for answers it would accept

    def _coercer(self, q: Any) -> Callable[[Any], Any]:
        """`answers.coerce` for one question: the common well-formed answers directly, anything
        else (not known, a wrong type, option or range) by `coerce` itself."""
        return _plain_answer(q)

    def answers_ok(self, data: Scope) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The answers and context as `check_answers` normalises them, when every answer has
        the right type, option and range; None when any does not (or the mapping is not one
        this shortcut knows), so that `check_answers` says what is wrong. Ids this protocol
        does not ask are left out, as `versions.impact.run_case` leaves them out."""
        answers: dict[str, Any] = {}
        context: dict[str, Any] = {}
        takers = self.takers
        try:
            for qid, value in data.items():
                taker = takers.get(qid)
                if taker is None:
                    continue  # not this protocol's question: replay leaves it out
                if taker[0]:
                    context[qid] = taker[1](value)
                else:
                    answers[qid] = taker[1](value)
        except (AnswerError, _Refer):
            return None
        return answers, context

    def generate_group_answers(self) -> None:
        """Each group's answers read by generated code (`codegen.generated_group_answers`)."""
        from bruising_check.engine.codegen import generated_group_answers

        for g in (*self.protocol.questions, *self.protocol.context_prompts):
            if isinstance(g, GroupQuestion):
                made = generated_group_answers(self, g)
                if made is not None:
                    self.takers[g.id] = (self.takers[g.id][0], made)

    def _group_answers(self, g: GroupQuestion, value: Any) -> tuple[dict[str, Any], ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(x, Mapping) for x in value):
            raise _Refer
        if not g.min_items <= len(value) <= g.max_items:
            raise _Refer
        own = self.item_coercers[g.id]
        items: list[dict[str, Any]] = []
        for given in value:
            item: dict[str, Any] = {}
            for key, answer in given.items():
                check = own.get(key)
                if check is None:
                    raise _Refer
                item[key] = check(answer)
            items.append(item)
        return tuple(items)


def _plain_answer(q: Any) -> Callable[[Any], Any]:
    """The normal form `coerce` gives a well-formed answer, found directly; anything else (not
    known, a wrong type, option or range) goes to `coerce` itself, which judges it."""
    if isinstance(q, BooleanQuestion):
        return lambda v: v if v is True or v is False else coerce(q, v)
    if isinstance(q, SingleChoiceQuestion):
        ids = frozenset(o.id for o in q.options)
        unknown = q.unknown_option

        def single(v: Any) -> Any:
            if type(v) is not str or v not in ids:
                return coerce(q, v)
            return UNKNOWN if v == unknown else v

        return single
    if isinstance(q, MultipleChoiceQuestion):
        order = tuple(o.id for o in q.options)
        ids = frozenset(order)
        unknown = q.unknown_option
        least = q.min_selected

        def multiple(v: Any) -> Any:
            if type(v) is not list and type(v) is not tuple:
                return coerce(q, v)
            if not v:  # (none chosen, as below: the empty selection, if few enough may be)
                return () if least <= 0 else coerce(q, v)
            if len(v) > len(order):
                return coerce(q, v)
            # (A loop and a list, not generators: this runs for every case replayed.)
            for x in v:
                if type(x) is not str or x not in ids:
                    return coerce(q, v)
            chosen = set(v)
            if unknown is not None and unknown in chosen:
                return UNKNOWN if len(chosen) == 1 else coerce(q, v)
            if len(chosen) < least:
                return coerce(q, v)
            return tuple([i for i in order if i in chosen])

        return multiple
    if isinstance(q, NumberQuestion):
        low, high, whole = q.min, q.max, q.integer

        def number(v: Any) -> Any:
            if (type(v) is not int and type(v) is not float) or not low <= v <= high:
                return coerce(q, v)
            if whole:
                return int(v) if v == int(v) else coerce(q, v)
            return v

        return number
    if isinstance(q, TextQuestion):
        longest = q.max_length
        return lambda v: v if type(v) is str and len(v) <= longest else coerce(q, v)
    return lambda v: coerce(q, v)


class Joint:
    """Two protocols' answer checks (`Compiled.answers_ok`) in one reading of a case, for
    `diff --cases`, which runs every case under both: an answer to a question both define
    alike (the same model: id, type, options, range, default) is read once and kept in both,
    and a group both ask is read by one generated function for both
    (`codegen.generated_joint_group_answers`). It gives only what both checks accept: on
    anything else (an answer either would refuse, an exception of any kind) it gives None,
    and each protocol's own `answers_ok` reads the case, so that what it refuses and why is
    exactly as before."""

    def __init__(self, a: Compiled, b: Compiled) -> None:
        from bruising_check.engine.codegen import (
            generated_joint_answers,
            generated_joint_group_answers,
        )

        self.a, self.b = a, b
        # Per answer id: (how, into a's context?, a's reader, into b's context?, b's reader);
        # how 0: one reading for both, 1: a pair of readings (a group), 2: each its own.
        self.plans: dict[str, tuple[int, bool, Any, bool, Any]] = {}
        # (a's questions first: the order a case's answers usually come in.)
        order = [*a.top, *b.top, *a.context, *b.context]
        for qid in dict.fromkeys(q for q in order if q in a.takers or q in b.takers):
            in_a, in_b = a.takers.get(qid), b.takers.get(qid)
            qa, qb = _asked(a, qid), _asked(b, qid)
            if in_a is not None and in_b is not None and in_a[0] == in_b[0]:
                if qa == qb or (not isinstance(qa, GroupQuestion) and read_alike(qa, qb)):
                    self.plans[qid] = (0, in_a[0], in_a[1], in_b[0], in_b[1])
                    continue
                if isinstance(qa, GroupQuestion) and isinstance(qb, GroupQuestion):
                    pair = generated_joint_group_answers(a, b, qa, qb)
                    if pair is not None:
                        self.plans[qid] = (1, in_a[0], pair, in_b[0], None)
                        continue
            self.plans[qid] = (
                2,
                in_a is not None and in_a[0],
                None if in_a is None else in_a[1],
                in_b is not None and in_b[0],
                None if in_b is None else in_b[1],
            )
        self.read = generated_joint_answers(
            self.plans, {qid: (_asked(a, qid), _asked(b, qid)) for qid in self.plans}
        )
        """The same reading as generated code (None: the loop below reads)."""

    def answers_ok(
        self, data: Scope
    ) -> tuple[tuple[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]] | None:
        """(a's `answers_ok(data)`, b's), when both accept every answer; None otherwise."""
        if self.read is not None:
            try:
                return self.read(data)  # type: ignore[no-any-return]
            except Exception:  # each protocol's own check says what it is
                return None
        answers_a: dict[str, Any] = {}
        context_a: dict[str, Any] = {}
        answers_b: dict[str, Any] = {}
        context_b: dict[str, Any] = {}
        plans = self.plans
        try:
            for qid, value in data.items():
                plan = plans.get(qid)
                if plan is None:
                    continue
                how, into_a, read_a, into_b, read_b = plan
                if how == 0:
                    v = read_a(value)
                    (context_a if into_a else answers_a)[qid] = v
                    (context_b if into_b else answers_b)[qid] = v
                elif how == 1:
                    va, vb = read_a(value)
                    (context_a if into_a else answers_a)[qid] = va
                    (context_b if into_b else answers_b)[qid] = vb
                else:
                    if read_a is not None:
                        (context_a if into_a else answers_a)[qid] = read_a(value)
                    if read_b is not None:
                        (context_b if into_b else answers_b)[qid] = read_b(value)
        except Exception:  # each protocol's own check says what it is
            return None
        return (answers_a, context_a), (answers_b, context_b)


def read_alike(a: Any, b: Any) -> bool:
    """Whether `answers_ok` accepts the same answers to questions `a` and `b` (not groups)
    and reads them the same: what `_plain_answer` and `coerce` look at (the kind, the option
    ids in order, the unknown option, the least choices, the range, whole numbers, the
    longest text, whether null is an answer) is the same; their wording, citations and
    ask_if (which `answers_ok` never reads) may differ."""
    return _reading(a) == _reading(b)


def _reading(q: Any) -> tuple[Any, ...]:
    options = getattr(q, "options", None)
    return (
        type(q),
        None if options is None else tuple(o.id for o in options),
        getattr(q, "unknown_option", None),
        getattr(q, "min_selected", None),
        getattr(q, "min", None),
        getattr(q, "max", None),
        getattr(q, "integer", None),
        getattr(q, "max_length", None),
        may_be_unknown(q),
    )


def _asked(program: Compiled, qid: str) -> Any:
    """The question or context prompt `qid` of the program's protocol (None: neither)."""
    return program.top.get(qid, program.context.get(qid))


_JOINTS: dict[tuple[int, int], tuple[Protocol, Protocol, Joint]] = {}


def joint(a: Protocol, b: Protocol) -> Joint:
    """The two protocols' joint answer check, made once (after both are probed, so that it
    reads groups with the generated readers)."""
    cached = _JOINTS.get((id(a), id(b)))
    if cached is not None and cached[0] is a and cached[1] is b:
        return cached[2]
    ca, cb = compiled(a), compiled(b)
    probe(ca)
    probe(cb)
    made = Joint(ca, cb)
    if len(_JOINTS) > 16:
        _JOINTS.clear()
    _JOINTS[(id(a), id(b))] = (a, b, made)
    return made


class _Refer(Exception):
    """Not an answer set this shortcut accepts: `check_answers` says what is wrong."""


def _honour(outcome: Outcome, floors: list[Pathway]) -> Outcome:
    """`evaluate.honour`."""
    if not floors:
        return outcome  # (the loop below would change nothing)
    for _ in range(len(floors) + 1):
        before = _ids(outcome)
        for floor in floors:
            outcome = raise_to(outcome, floor)
        if _ids(outcome) == before:
            break
    return outcome


def _ids(outcome: Outcome) -> tuple[str | None, str | None]:
    return (
        outcome[0].id if outcome[0] is not None else None,
        outcome[1].id if outcome[1] is not None else None,
    )


_COMPILED: dict[int, tuple[Protocol, Compiled]] = {}


def compiled(protocol: Protocol) -> Compiled:
    """The protocol compiled once (kept for the few protocols in use)."""
    cached = _COMPILED.get(id(protocol))
    if cached is not None and cached[0] is protocol:
        return cached[1]
    made = Compiled(protocol)
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    _COMPILED[id(protocol)] = (protocol, made)
    return made


class _Search(Completer):
    """The engine's search over completions of the unknowns, each pass the compiled one."""

    def __init__(self, program: Compiled, answers: Scope, root: Pass, budget: int) -> None:
        super().__init__(program.protocol, answers, root, budget)
        self.program = program

    def run(self, assignment: Mapping[Var, Any]) -> Pass:
        self.nodes += 1
        if self.nodes > self.budget:
            raise Exhausted
        answers = self.answers_for(assignment)
        lazy = probe(self.program)
        if lazy is None:
            return self.program.run(answers)[0]
        return cast(Pass, lazy.fast(answers)[0])


def decide_outcome(
    program: Compiled,
    answers: Scope,
    root: Pass | LazyPass | None = None,
    budget: int = DEFAULT_BUDGET,
) -> Outcome:
    """The (pathway, follow-on) `engine.decide` gives for checked `answers` (the first two
    fields of its decision, nothing else)."""
    if root is None:
        root = program.run(answers)[0]
    if root.definite:
        return root.upper
    # A LazyPass has every field of a Pass that the search reads (values, pending, bounds,
    # and the environment on demand).
    if program.shared_ranks:
        # Equal alternatives: the engine shows the one first in the protocol's pathways, which
        # the search alone does not choose (it keeps whichever it reached first). Such cases
        # go through the engine itself, so replay never names another pathway than a check.
        from bruising_check.engine.decide import decide

        decision = decide(program.protocol, answers, budget=budget)
        return decision.pathway, decision.then
    start = cast(Pass, root)
    search = _Search(program, answers, start, budget)
    try:
        if len(search.vars) == 1:
            return _one_unknown(search, start)
        final, _, _ = search.maximise({}, root.upper, start=start)
    except (Exhausted, Inexact):
        return root.upper
    return final


def _one_unknown(search: _Search, root: Pass) -> Outcome:
    """`search.maximise({}, root.upper, start=root)[0]` when the search has one unknown (most
    of replay's searches), without its recursion: no two items are twins (a twin has the same
    unknowns as another item), so each of the unknown's classes in turn, kept when more
    urgent than the best so far, until one reaches the root's upper bound. Raises what
    `maximise` raises (`Inexact`, `Exhausted`)."""
    (var,) = search.vars
    if next(search.open_vars({}, root), None) is None:
        return root.upper  # (nothing left to complete: `maximise` keeps the root's bound)
    best: Outcome | None = None
    for value in search.reps(var, root):
        p = search.run({var: value})
        if best is not None and not more_urgent(p.upper, best):
            continue
        best = p.upper
        if not more_urgent(root.upper, best):
            break
    return best  # type: ignore[return-value]  # (None only if the unknown had no class)


def _shared_ranks(protocol: Protocol) -> bool:
    """Two pathways share an urgency rank: only then can outcomes tie (engine.decide)."""
    ranks = [p.urgency for p in protocol.pathways]
    return len(set(ranks)) < len(ranks)


def without_not_asked(program: Compiled, answers: Scope, root: Pass | LazyPass) -> dict[str, Any]:
    """The answers as `check_answers` keeps them: an answer to a question not asked (None in
    the pass) is dropped, at the top level and in each item."""
    kept: dict[str, Any] = {}
    values = root.values
    groups = {g.id for g in program.groups}
    for qid, value in answers.items():
        seen = values.get(qid)
        if seen is None:
            continue
        if qid in groups and isinstance(seen, tuple):
            value = tuple(
                {k: v for k, v in given.items() if own.get(k) is not None}
                for given, own in zip(value, seen, strict=True)
            )
        kept[qid] = value
    return kept


# --- the lazy probe -------------------------------------------------------------------------
# Most cases have no unknown answer that decides anything. For them replay needs neither the
# whole environment nor a search: the probe evaluates the same three-valued closures, but reads
# a fact (or an item's fact) only when a condition asks for it, once per case, and stops each
# all / any / quantifier at its deciding part, as `evaluate` does. What a fact sees is what
# `_environment` gives it where it is declared: the facts before it, and for an item fact the
# facts before the first fact that looks at its group (`_Scope`); a fact or item fact not yet
# computed there reads as absent, as in the engine. The outcome bounds are `_outcome`'s; when
# they differ (an unknown that may matter), or an ask_if is not known, it gives way (`_Unsure`)
# to the full pass and the engine's search. A construct it does not mirror (a quantifier in an
# item fact, a fact and a question of one id) leaves the protocol to the full pass
# (`_NotMirrored`).


class _Unsure(Exception):
    """The probe cannot give the outcome alone: the full pass (and the search) decide.
    Raised as a new instance each time: one instance raised again keeps every earlier
    traceback (and the cases its frames held), so memory would grow with the cases."""


_MISSING = object()


class _Ctx:
    """One environment: answers after ask_if, and the facts read so far."""

    __slots__ = ("items", "memo", "values")

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.memo: dict[str, Any] = {}
        self.items: dict[str, Any] = {}


Probe = Callable[[_Ctx, dict[str, Any] | None], int]
Getter = Callable[[_Ctx, dict[str, Any] | None], Any]


class _Scope:
    """What a condition sees where it is written (mirrors `_environment`'s order): the child
    facts already computed there, and in a group's `where` or item fact, the item facts."""

    def __init__(
        self,
        probe: _ProbeProgram,
        facts: frozenset[str] | None,
        group: str | None = None,
        item_facts: frozenset[str] = frozenset(),
    ) -> None:
        self.probe = probe
        self.facts = facts  # None: no facts at all (a plain `values` scope)
        self.group = group
        self.item_facts = item_facts

    def child(self, subject: str, *, arith: bool = False) -> Getter:
        absent: Any = UNKNOWN if arith else None
        p = self.probe
        if subject in p.fact_ids:
            if self.facts is None or subject not in self.facts:
                return lambda ctx, scope: absent
            fns = p.fact_fn  # filled in once every fact is compiled

            def get_fact(ctx: _Ctx, scope: dict[str, Any] | None) -> Any:
                memo = ctx.memo
                v = memo.get(subject, _MISSING)
                if v is _MISSING:
                    v = memo[subject] = fns[subject](ctx, None)
                return v

            return get_fact
        if arith:
            return lambda ctx, scope: ctx.values.get(subject, UNKNOWN)
        return lambda ctx, scope: ctx.values.get(subject)

    def item(self, subject: str, *, arith: bool = False) -> Getter:
        absent: Any = UNKNOWN if arith else None
        assert self.group is not None
        own = self.probe.item_fact_fn[self.group]
        if subject in self.probe.all_item_facts[self.group]:
            if subject not in self.item_facts:
                return lambda ctx, scope: absent

            def get_item_fact(ctx: _Ctx, scope: dict[str, Any] | None) -> Any:
                if scope is None:
                    return absent
                v = scope.get(subject, _MISSING)
                if v is _MISSING:
                    v = scope[subject] = own[subject](ctx, scope)
                return v

            return get_item_fact
        if arith:
            return lambda ctx, scope: absent if scope is None else scope.get(subject, UNKNOWN)
        return lambda ctx, scope: None if scope is None else scope.get(subject)

    def inner(self, group: str) -> _Scope:
        """A quantifier's `where`: the group's items with all their item facts (settled)."""
        if self.group is not None or self.facts is None:
            raise _NotMirrored  # a quantifier in an item fact or a plain-values scope
        return _Scope(self.probe, self.facts, group, self.probe.all_item_facts[group])


class _NotMirrored(Exception):
    """A construct the probe does not mirror: the protocol is replayed by the full pass only."""


def _known_test(cmp: Compare, get: Getter, on_item: bool) -> Probe:
    subject, want = cmp.subject, bool(cmp.operand)

    def known(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
        where: Mapping[str, Any] | None = scope if on_item else ctx.values
        if where is None:
            return 1
        value = get(ctx, scope)
        if value is UNKNOWN and subject in where.get(MAYBE_ASKED_KEYS, ()):
            return 1
        if value is UNKNOWN:
            was_unknown = subject not in where.get(PENDING_KEYS, ())
        else:
            was_unknown = value is not None and subject in where.get(UNKNOWN_KEYS, ())
        return 2 if (not was_unknown) == want else 0

    return known


def _probe(cond: Condition, sc: _Scope) -> Probe:
    """`compile_condition` over the probe's scopes (facts read when first needed)."""
    match cond:
        case AllOf(all=parts):
            # A `not:` part is its inner test negated here (2 - t): one call fewer.
            parted = tuple(_negated(p, sc) for p in parts)

            def all_(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
                result = 2
                for test, negate in parted:
                    t = test(ctx, scope)
                    if negate:
                        t = 2 - t
                    if t < result:
                        if t == 0:
                            return 0
                        result = t
                return result

            return all_
        case AnyOf(any=parts):
            parted = tuple(_negated(p, sc) for p in parts)

            def any_(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
                result = 0
                for test, negate in parted:
                    t = test(ctx, scope)
                    if negate:
                        t = 2 - t
                    if t > result:
                        if t == 2:
                            return 2
                        result = t
                return result

            return any_
        case Not(not_=inner):
            test = _probe(inner, sc)
            return lambda ctx, scope: 2 - test(ctx, scope)
        case Some(some=q):
            where = _probe(q.where, sc.inner(q.group))
            items = sc.probe.items_getter(q.group)

            def some(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
                listed = items(ctx)
                if listed is None:
                    return 1
                result = 0
                for one in listed:
                    t = where(ctx, one)
                    if t > result:
                        if t == 2:
                            return 2
                        result = t
                return result

            return some
        case Every(every=q):
            where = _probe(q.where, sc.inner(q.group))
            items = sc.probe.items_getter(q.group)

            def every(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
                listed = items(ctx)
                if listed is None:
                    return 1
                result = 2
                for one in listed:
                    t = where(ctx, one)
                    if t < result:
                        if t == 0:
                            return 0
                        result = t
                return result

            return every
        case Count(count=spec):
            inner_sc = sc.inner(spec.group)
            where = _probe(spec.where, inner_sc)
            items = sc.probe.items_getter(spec.group)
            amount = None if spec.sum is None else inner_sc.item(spec.sum)
            op, bound = spec.operator, spec.operand
            holds: Callable[[float], bool] = {
                "ge": lambda v: v >= bound,
                "gt": lambda v: v > bound,
                "le": lambda v: v <= bound,
                "lt": lambda v: v < bound,
            }.get(op, lambda v: v == bound)

            def count(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
                listed = items(ctx)
                if listed is None:
                    return 1
                low = high = 0.0
                for one in listed:
                    t = where(ctx, one)
                    if t == 0:
                        continue
                    n: Any = 1 if amount is None else amount(ctx, one)
                    if n is None:
                        n = 0
                    if n is UNKNOWN:
                        return 1
                    if t == 2:
                        low += n
                        high += n
                    else:
                        low, high = low + min(0, n), high + max(0, n)
                at_low, at_high = holds(low), holds(high)
                if op == "equals":
                    if low == high:
                        return 2 if at_low else 0
                    return 1 if low <= bound <= high else 0
                if at_low == at_high:
                    return 2 if at_low else 0
                return 1

            return count
        case RoleIs():
            return lambda ctx, scope: 1  # unresolved: never lowers (as `evaluate`)
        case Compare():
            on_item = cond.item is not None
            if on_item and sc.group is None:
                raise _NotMirrored  # `item:` outside a quantifier (the validator forbids it)
            get = sc.item(cond.subject) if on_item else sc.child(cond.subject)
            if cond.operator == "known":
                return _known_test(cond, get, on_item)
            check = _op(cond)
            fused = _fused(cond, sc, check)
            if fused is not None:
                return fused
            return lambda ctx, scope: check(get(ctx, scope))
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _negated(cond: Condition, sc: _Scope) -> tuple[Probe, bool]:
    """A part of all / any: its test, and whether to negate it (a `not:` part)."""
    if isinstance(cond, Not):
        return _probe(cond.not_, sc), True
    return _probe(cond, sc), False


def _fused(cmp: Compare, sc: _Scope, test: Callable[[Any], int]) -> Probe | None:
    """The commonest comparisons (a text answer equal to, or one of, given option ids) with
    the read and the test in one closure; anything but text goes to `test` (`_op`)."""
    subject, op, operand = cmp.subject, cmp.operator, cmp.operand
    if op == "is_true" or (op == "equals" and operand is True):
        return _fused_true(cmp, sc, test)
    if op == "equals" and type(operand) is str:
        texts: frozenset[str] = frozenset((operand,))
    elif op == "in" and all(type(o) is str for o in operand):
        texts = frozenset(operand)
    else:
        return None
    if cmp.item is not None:
        assert sc.group is not None
        if subject in sc.probe.all_item_facts[sc.group]:
            return None

        def item_text(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
            # Always an item here (a quantifier's `where`, an item fact or an item's ask_if).
            v = scope.get(subject)  # type: ignore[union-attr]
            if type(v) is str:
                return 2 if v in texts else 0
            return test(v)

        return item_text
    if subject in sc.probe.fact_ids:
        return None

    def child_text(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
        v = ctx.values.get(subject)
        if type(v) is str:
            return 2 if v in texts else 0
        return test(v)

    return child_text


def _fused_true(cmp: Compare, sc: _Scope, test: Callable[[Any], int]) -> Probe | None:
    """A fact (or item fact) tested for being true, the memo read in the same closure; a value
    other than True, False, None or unknown goes to `test` (`_op`)."""
    subject = cmp.subject
    if cmp.item is not None:
        assert sc.group is not None
        if subject not in sc.item_facts:
            return None
        own = sc.probe.item_fact_fn[sc.group]

        def item_fact_true(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
            # Always an item here (a quantifier's `where` or an item fact).
            v = scope.get(subject, _MISSING)  # type: ignore[union-attr]
            if v is _MISSING:
                v = scope[subject] = own[subject](ctx, scope)  # type: ignore[index]
            if v is True:
                return 2
            if v is False or v is None:
                return 0
            return 1 if v is UNKNOWN else test(v)

        return item_fact_true
    if sc.facts is None or subject not in sc.facts:
        return None
    fns = sc.probe.fact_fn

    def fact_true(ctx: _Ctx, scope: dict[str, Any] | None) -> int:
        memo = ctx.memo
        v = memo.get(subject, _MISSING)
        if v is _MISSING:
            v = memo[subject] = fns[subject](ctx, None)
        if v is True:
            return 2
        if v is False or v is None:
            return 0
        return 1 if v is UNKNOWN else test(v)

    return fact_true


def _probe_expr(expr: Expr, sc: _Scope) -> Getter:
    """`evaluate.compute` over the probe's scopes (unknown values flow through as values)."""
    match expr:
        case bool():
            raise TypeError("booleans are not numbers")  # pragma: no cover - schema forbids
        case int() | float():
            number = expr
            return lambda ctx, scope: number
        case Ref():
            subject = expr.subject
            if expr.item is not None and sc.group is None:
                raise _NotMirrored  # `item:` outside a group's fact (the validator forbids it)
            get = (
                sc.item(subject, arith=True)
                if expr.item is not None
                else sc.child(subject, arith=True)
            )

            def ref(ctx: _Ctx, scope: dict[str, Any] | None) -> Any:
                return operand(get(ctx, scope), subject)

            return ref
        case Add(add=parts):
            adds = tuple(_probe_expr(p, sc) for p in parts)
            return lambda ctx, scope: _combine([a(ctx, scope) for a in adds], sum)
        case Sub(sub=(a, b)):
            fa, fb = _probe_expr(a, sc), _probe_expr(b, sc)
            return lambda ctx, scope: _combine(
                [fa(ctx, scope), fb(ctx, scope)], lambda v: v[0] - v[1]
            )
        case Mul(mul=(a, k)):
            fm = _probe_expr(a, sc)
            return lambda ctx, scope: _combine([fm(ctx, scope)], lambda v: v[0] * k)
        case Div(div=(a, k)):
            fd = _probe_expr(a, sc)
            return lambda ctx, scope: _combine([fd(ctx, scope)], lambda v: v[0] / k)
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _probe_fact(f: BooleanFact | NumberFact, sc: _Scope) -> Getter:
    """`compile_fact` over the probe's scopes."""
    if isinstance(f, BooleanFact):
        test = _probe(f.condition, sc)

        def boolean(ctx: _Ctx, scope: dict[str, Any] | None) -> Any:
            t = test(ctx, scope)
            return UNKNOWN if t == 1 else t == 2

        return boolean
    gate = None if f.applies_if is None else _probe(f.applies_if, sc)
    value = _probe_expr(f.value, sc)

    def number(ctx: _Ctx, scope: dict[str, Any] | None) -> Any:
        g = 2 if gate is None else gate(ctx, scope)
        if g == 0:
            return None
        n = value(ctx, scope)
        return UNKNOWN if g == 1 and n is not None else n

    return number


class LazyPass:
    """What the engine's search reads of a pass (`values`, `pending`, the bounds), with the
    environment (`env`, `facts`, `item_facts`) computed by the full pass only if read."""

    __slots__ = ("_full", "_program", "lower", "pending", "upper", "values")

    def __init__(
        self,
        program: Compiled,
        values: dict[str, Any],
        pending: dict[str, Any],
        upper: Outcome,
        lower: Outcome,
    ) -> None:
        self._program = program
        self.values = values
        self.pending = pending
        self.upper = upper
        self.lower = lower
        self._full: Any = None

    @property
    def definite(self) -> bool:
        # (The generated two-valued pass gives one outcome as both bounds.)
        return self.upper is self.lower or _ids(self.upper) == _ids(self.lower)

    def _environment(self) -> Any:
        if self._full is None:
            self._full = self._program.environment(self.values)
        return self._full

    @property
    def env(self) -> dict[str, Any]:
        env: dict[str, Any] = self._environment()[0]
        return env

    @property
    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = self._environment()[1]
        return facts

    @property
    def item_facts(self) -> dict[str, tuple[dict[str, Any], ...]]:
        items: dict[str, tuple[dict[str, Any], ...]] = self._environment()[2]
        return items


class _ProbeProgram:
    """The protocol's conditions as three-valued closures over lazily read facts."""

    def __init__(self, program: Compiled) -> None:
        protocol = program.protocol
        self.program = program
        self.fast: Callable[[Scope], tuple[LazyPass, bool]] = self.run_pass
        """`run_pass`, or the same pass as generated code (`probe` sets it)."""
        top_ids = {q.id for q in protocol.questions}
        self.fact_ids = frozenset(f.id for f in protocol.derived)
        if self.fact_ids & top_ids:
            raise _NotMirrored  # a fact and a question of one id
        self.fact_fn: dict[str, Getter] = {}
        self.item_fact_fn: dict[str, dict[str, Getter]] = {}
        self.all_item_facts: dict[str, frozenset[str]] = {}
        groups = protocol.groups
        for g in groups:
            own = {f.id for f in g.derived}
            if own & {q.id for q in g.questions}:
                raise _NotMirrored  # an item fact and an item question of one id
            self.item_fact_fn[g.id] = {}
            self.all_item_facts[g.id] = frozenset(own)
        # Where each group's item facts are computed: just before the first fact that looks
        # at the group (they see the facts before it), else at the end (they see every fact).
        order = [f.id for f in protocol.derived]
        settle: dict[str, int] = {}
        for k, f in enumerate(protocol.derived):
            cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
            for gid in groups_used(cond):
                settle.setdefault(gid, k)
        for g in groups:
            seen = frozenset(order[: settle.get(g.id, len(order))])
            done: list[str] = []
            for f in g.derived:
                sc = _Scope(self, seen, g.id, frozenset(done))
                self.item_fact_fn[g.id][f.id] = _probe_fact(f, sc)
                done.append(f.id)
        for k, f in enumerate(protocol.derived):
            self.fact_fn[f.id] = _probe_fact(f, _Scope(self, frozenset(order[:k])))
        every = frozenset(order)
        rules_scope = _Scope(self, every)
        self.rules = tuple(
            (r.pathway, r.first_step, r.rules_below, _probe(w, rules_scope))
            for r, w in zip(program.rules, (x.when for x in protocol.rules), strict=True)
        )
        self.invariants = tuple(
            (floor, _probe(inv.when, rules_scope))
            for inv in protocol.invariants
            if (floor := protocol.pathway(inv.at_least)) is not None
        )
        plain = _Scope(self, None)
        self.asks: dict[int, tuple[Probe, bool]] = {}
        for i, q in enumerate(protocol.questions):
            if q.ask_if is not None:
                env = program.questions[i].ask_env
                self.asks[i] = (_probe(q.ask_if, rules_scope if env else plain), env)
        self.item_asks: dict[str, list[Probe | None]] = {}
        for g in groups:
            in_env = any(_uses_facts(x.ask_if) for x in g.questions if x.ask_if)
            sc = _Scope(self, every if in_env else None, g.id, frozenset())
            self.item_asks[g.id] = [
                None if iq.ask_if is None else _probe(iq.ask_if, sc) for iq in g.questions
            ]
        # Each question with its ask_if probe, and for a question without ask_if that is not a
        # group what an absent answer reads as (its default, else unknown), else _MISSING.
        self.steps = tuple(
            (
                q,
                self.asks.get(i),
                _MISSING
                if q.group is not None or i in self.asks
                else (UNKNOWN if q.default is _NO_DEFAULT else q.default),
            )
            for i, q in enumerate(program.questions)
        )
        # Groups none of whose questions has an ask_if: (question, what an absent answer reads
        # as) in order, and the required questions without a default (`_plain_items`).
        self.plain_items: dict[str, tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]] = {}
        for cg in program.groups:
            if any(q.ask is not None for q in cg.questions):
                continue
            self.plain_items[cg.id] = (
                tuple(
                    (q.id, UNKNOWN if q.default is _NO_DEFAULT else q.default) for q in cg.questions
                ),
                tuple(q.id for q in cg.questions if q.required and q.default is _NO_DEFAULT),
            )

    def items_getter(self, group: str) -> Callable[[_Ctx], list[dict[str, Any]] | None]:
        """A group's items with room for their facts (None when the group is not known)."""

        def items(ctx: _Ctx) -> list[dict[str, Any]] | None:
            got = ctx.items.get(group, _MISSING)
            if got is _MISSING:
                raw = ctx.values.get(group)
                got = ctx.items[group] = None if raw is UNKNOWN else [dict(x) for x in raw or ()]
            return got  # type: ignore[no-any-return]

        return items

    def run(self, answers: Scope) -> tuple[Outcome, bool]:
        """The outcome and whether a required answer that applies is missing; raises
        `_Unsure` when the outcome is not definite."""
        done, missing = self.run_pass(answers)
        if not done.definite:
            raise _Unsure  # not definite: the engine's search decides
        return done.upper, missing

    def run_pass(self, answers: Scope) -> tuple[LazyPass, bool]:
        """`Compiled.run` with facts read only as the rules and invariants need them: the
        answers after ask_if and the outcome bounds now, the environment when asked for."""
        program = self.program
        values: dict[str, Any] = {}
        marks = answers.get(UNKNOWN_KEYS)
        if marks:
            values[UNKNOWN_KEYS] = marks
        pending: dict[str, Any] = {}
        maybe: set[str] = set()
        missing = False
        for q, ask, absent in self.steps:
            qid = q.id
            if absent is not _MISSING:
                # Always asked, not a group (`_take` with truth 2): the answer, else the
                # default or unknown; a required answer not given is missing.
                if qid in answers:
                    values[qid] = answers[qid]
                else:
                    values[qid] = absent
                    missing = missing or q.required
                continue
            truth = 2
            if ask is not None:
                # ask_if over the facts: `run_pass` computes them from the answers so far.
                truth = ask[0](_Ctx(values), None)
                if truth == 0:
                    values[qid] = None
                    continue
            missing = _take(q, truth, answers, values, pending, maybe, self._items) or missing
        _mark_pending(values, pending, maybe)
        ctx = _Ctx(values)
        highs, lows = self._scan(ctx, 0, follow_on=False)
        sure: list[Pathway] = []
        floors: list[Pathway] = []
        for floor, when in self.invariants:
            t = when(ctx, None)
            if t == 2:
                sure.append(floor)
            if t != 0:
                floors.append(floor)
        upper = most_urgent(_honour(c, floors) for c in highs)
        lower = min((_honour(c, sure) for c in lows), key=urgency_key)
        return LazyPass(program, values, pending, upper, lower), missing

    def _items(
        self, group: _Group, raw: Any, values: dict[str, Any], pending: dict[str, Any]
    ) -> tuple[tuple[dict[str, Any], ...], bool]:
        plain = self.plain_items.get(group.id)
        if plain is not None:
            return self._plain_items(plain, raw)
        items: list[dict[str, Any]] = []
        missing = False
        asks = self.item_asks[group.id]
        gid = group.id
        for n, given in enumerate(raw, start=1):
            item: dict[str, Any] = {}
            marks = given.get(UNKNOWN_KEYS)
            if marks:
                item[UNKNOWN_KEYS] = marks
            for q, ask in zip(group.questions, asks, strict=True):
                qid = q.id
                truth = 2
                if ask is not None:
                    truth = ask(_Ctx(values), item)
                    if truth == 0:
                        item[qid] = None
                        continue
                value = given.get(qid, UNKNOWN)
                if value is UNKNOWN and qid not in given and q.default is not _NO_DEFAULT:
                    value = q.default
                if truth == 2 and q.required and qid not in given and q.default is _NO_DEFAULT:
                    missing = True
                if truth == 1 and value is not UNKNOWN:
                    pending[f"{gid}[{n}].{qid}"] = value
                    item[PENDING_KEYS] = item.get(PENDING_KEYS, frozenset()) | {qid}
                    value = UNKNOWN
                elif truth == 1:
                    item[MAYBE_ASKED_KEYS] = item.get(MAYBE_ASKED_KEYS, frozenset()) | {qid}
                item[qid] = value
            items.append(item)
        return tuple(items), missing

    @staticmethod
    def _plain_items(
        plain: tuple[tuple[tuple[str, Any], ...], tuple[str, ...]], raw: Any
    ) -> tuple[tuple[dict[str, Any], ...], bool]:
        """`_items` for a group none of whose questions has an ask_if: every question is
        asked, so an item is each answer given, else the default, else unknown; a required
        answer without a default that is not given is missing. (Nothing is pending.)"""
        fields, required = plain
        items: list[dict[str, Any]] = []
        missing = False
        for given in raw:
            marks = given.get(UNKNOWN_KEYS)
            item: dict[str, Any] = {UNKNOWN_KEYS: marks} if marks else {}
            for qid, fallback in fields:
                item[qid] = given.get(qid, fallback)
            if not missing:
                for qid in required:
                    if qid not in given:
                        missing = True
                        break
            items.append(item)
        return tuple(items), missing

    def _scan(
        self, ctx: _Ctx, start: int, *, follow_on: bool
    ) -> tuple[list[Outcome], list[Outcome]]:
        """`Compiled._scan`'s candidates (the first rule that is true decides; unknown ones
        before it might)."""
        highs: list[Outcome] = []
        lows: list[Outcome] = []
        rules = self.rules
        for i in range(start, len(rules)):
            pathway, first_step, below, when = rules[i]
            if pathway is None or (follow_on and first_step):
                continue
            truth = when(ctx, None)
            if truth == 0:
                continue
            hi: Outcome = (pathway, None)
            lo: Outcome = (pathway, None)
            if below and first_step and not follow_on:
                then_hi, then_lo = self._scan(ctx, i + 1, follow_on=True)
                hi = (pathway, most_urgent(then_hi)[0])
                lo = (pathway, min(then_lo, key=urgency_key)[0])
            highs.append(hi)
            lows.append(lo)
            if truth == 2:
                return highs, lows
        highs.append((None, None))
        lows.append((None, None))
        return highs, lows


GENERATE = True
"""Whether `probe` writes the lazy pass out as generated code (`engine.codegen`); set it to
False (before the first case) to replay with the closures alone, e.g. to compare the two."""


def probe(program: Compiled) -> _ProbeProgram | None:
    """The lazy probe for a compiled protocol (None when it uses a construct the probe does
    not mirror), with `fast` its pass as generated code where the generator writes it out."""
    if program.probe is _MISSING:
        try:
            program.probe = _ProbeProgram(program)
        except _NotMirrored:
            program.probe = None
        else:
            if GENERATE:
                from bruising_check.engine.codegen import generated_pass

                program.probe.fast = generated_pass(program.probe) or program.probe.run_pass
                program.generate_group_answers()
    made: _ProbeProgram | None = program.probe
    return made


def replay_outcome(
    protocol: Protocol,
    data: Scope,
    checked: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> Outcome | None:
    """The (pathway, follow-on) `engine.decide` gives for `data` (answers and context, ids this
    protocol does not ask left out) once `check_answers` has accepted it; None when
    `check_answers` may find an error, which it should then report. Raises TypeError where the
    engine would (arithmetic on a non-number, which the validator refuses). `checked`: what
    `answers_ok(data)` gives, when already worked out (`Joint`)."""
    return replayer(protocol)(data, checked)


Replay = Callable[[Scope, "tuple[dict[str, Any], dict[str, Any]] | None"], "Outcome | None"]


def replayer(protocol: Protocol) -> Replay:
    """`replay_outcome` for this protocol as one function (`replay(data, checked)`), with its
    compiled program, probe and generated pass looked up once (`diff --cases` calls it twice a
    case); made once per compiled program, after its probe."""
    program = compiled(protocol)
    if program.replay is not None:
        made: Replay = program.replay
        return made
    lazy = probe(program)
    answers_ok = program.answers_ok
    raw: Any = getattr(lazy.fast, "raw", None) if lazy is not None else None

    def replay_raw(data: Scope, checked: tuple[dict[str, Any], dict[str, Any]] | None) -> Any:
        fast = answers_ok(data) if checked is None else checked
        if fast is None:
            return None
        answers = fast[0]
        # The generated pass's parts: a LazyPass is made only when the search needs one.
        values, pending, upper, lower, missing = raw(answers)
        if missing:
            return None
        if upper is lower or _ids(upper) == _ids(lower):  # (`LazyPass.definite`)
            return upper
        root = LazyPass(program, values, pending, upper, lower)  # (not definite: see above)
        return decide_outcome(program, without_not_asked(program, answers, root), root)

    def replay_pass(data: Scope, checked: tuple[dict[str, Any], dict[str, Any]] | None) -> Any:
        fast = answers_ok(data) if checked is None else checked
        if fast is None:
            return None
        answers = fast[0]
        root: Pass | LazyPass
        if lazy is not None:
            root, missing = lazy.fast(answers)
        else:
            root, missing = program.run(answers)
        if missing:
            return None
        if root.definite:
            return root.upper  # (what `decide_outcome` gives for a definite pass)
        return decide_outcome(program, without_not_asked(program, answers, root), root)

    program.replay = made = replay_raw if raw is not None else replay_pass
    return made
