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

from collections.abc import Callable, Mapping
from typing import Any

from bruising_check.engine.answers import AnswerError, coerce
from bruising_check.engine.complete import DEFAULT_BUDGET, Completer, Exhausted, Inexact, Var
from bruising_check.engine.evaluate import Pass, groups_used
from bruising_check.engine.urgency import Outcome, most_urgent, raise_to, urgency_key
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
    Div,
    Expr,
    GroupQuestion,
    Mul,
    NumberFact,
    NumberQuestion,
    Pathway,
    Protocol,
    Ref,
    Sub,
)

__all__ = ["Compiled", "compile_condition", "compiled", "decide_outcome"]

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
    if on_item:

        def on_one(values: Scope, item: Scope | None) -> int:
            return 1 if item is None else test(item.get(subject))

        return on_one

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
                if (
                    value is not None
                    and value is not UNKNOWN
                    and (isinstance(value, bool) or not isinstance(value, (int, float)))
                ):
                    raise TypeError(f"arithmetic on {subject!r}, which is not a number")
                return value

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


def _uses_facts(cond: Condition) -> bool:
    return any(isinstance(n, Compare) and n.fact is not None for n in walk(cond))


# --- the protocol, compiled -----------------------------------------------------------------


class _Question:
    __slots__ = ("ask", "ask_env", "default", "group", "id", "required")

    def __init__(self, protocol: Protocol, q: Any, *, in_group: bool = False) -> None:
        self.id: str = q.id
        self.ask: Test | None = None if q.ask_if is None else compile_condition(q.ask_if)
        # `run_pass` evaluates a top-level ask_if over the facts when it reads facts or groups.
        self.ask_env = (
            q.ask_if is not None
            and not in_group
            and (_uses_facts(q.ask_if) or bool(groups_used(q.ask_if)))
        )
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
        self.context = {q.id: q for q in protocol.context_prompts}
        self.own = {
            g.id: {q.id: q for q in g.questions}
            for g in (*protocol.questions, *protocol.context_prompts)
            if isinstance(g, GroupQuestion)
        }

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
                scope: Scope = self.environment(values)[0] if q.ask_env else values
                truth = q.ask(scope, None)
            qid = q.id
            asked[qid] = TRUTHS[truth]
            if truth == 0:
                values[qid] = None
                continue
            if truth == 2 and q.required and qid not in answers:
                missing = True
            raw = answers.get(qid, UNKNOWN)
            if q.group is not None:
                if raw is UNKNOWN:
                    values[qid] = raw
                else:
                    values[qid], short = self._items(q.group, raw, values, pending)
                    missing = missing or short
                continue
            if q.default is not _NO_DEFAULT and qid not in answers:
                raw = q.default
            if truth == 1 and raw is not UNKNOWN:
                pending[qid] = raw
                raw = UNKNOWN
            elif truth == 1:
                maybe.add(qid)
            values[qid] = raw
        top_pending = frozenset(k for k in pending if "[" not in k)
        if top_pending:
            values[PENDING_KEYS] = top_pending
        if maybe:
            values[MAYBE_ASKED_KEYS] = frozenset(maybe)
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

    def answers_ok(self, data: Scope) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The answers and context as `check_answers` normalises them, when every answer has
        the right type, option and range; None when any does not (or the mapping is not one
        this shortcut knows), so that `check_answers` says what is wrong. Ids this protocol
        does not ask are left out, as `versions.impact.run_case` leaves them out."""
        answers: dict[str, Any] = {}
        context: dict[str, Any] = {}
        for qid, value in data.items():
            q = self.top.get(qid)
            into = answers
            if q is None:
                q = self.context.get(qid)
                into = context
                if q is None:
                    continue  # not this protocol's question: replay leaves it out
            try:
                if isinstance(q, GroupQuestion):
                    into[qid] = self._group_answers(q, value)
                else:
                    into[qid] = coerce(q, value)
            except (AnswerError, _Refer):
                return None
        return answers, context

    def _group_answers(self, g: GroupQuestion, value: Any) -> tuple[dict[str, Any], ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(x, Mapping) for x in value):
            raise _Refer
        if not g.min_items <= len(value) <= g.max_items:
            raise _Refer
        own = self.own[g.id]
        items: list[dict[str, Any]] = []
        for given in value:
            item: dict[str, Any] = {}
            for key, answer in given.items():
                q = own.get(key)
                if q is None:
                    raise _Refer
                item[key] = coerce(q, answer)
            items.append(item)
        return tuple(items)


class _Refer(Exception):
    """Not an answer set this shortcut accepts: `check_answers` says what is wrong."""


def _honour(outcome: Outcome, floors: list[Pathway]) -> Outcome:
    """`evaluate.honour`."""
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
        return self.program.run(self.answers_for(assignment))[0]


def decide_outcome(
    program: Compiled, answers: Scope, root: Pass | None = None, budget: int = DEFAULT_BUDGET
) -> Outcome:
    """The (pathway, follow-on) `engine.decide` gives for checked `answers` (the first two
    fields of its decision, nothing else)."""
    if root is None:
        root = program.run(answers)[0]
    if root.definite:
        return root.upper
    search = _Search(program, answers, root, budget)
    try:
        final, _, _ = search.maximise({}, root.upper, start=root)
    except (Exhausted, Inexact):
        return root.upper
    return final


def without_not_asked(program: Compiled, answers: Scope, root: Pass) -> dict[str, Any]:
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
