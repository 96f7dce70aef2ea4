"""Completions of unknown answers: the exact most urgent outcome over every way the unknowns
could have been answered (docs/design/groups-unknowns-followon.md §3).

Each unknown answer ranges over the *classes* of answers the protocol's conditions can tell
apart (an option no condition names is like any other such option; a number matters only on
which side of each threshold it falls). A branch-and-bound search assigns one unknown at a time;
the three-valued pass (`engine.evaluate`) bounds every completion below a partial assignment, so
a branch that cannot beat the best outcome found is never entered, and the search stops as soon
as it reaches the three-valued upper bound. A budget caps the work: past it the engine keeps the
sound three-valued answer and says the decision is not exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import pairwise, product
from typing import Any

from bruising_check.engine.evaluate import Pass, run_pass
from bruising_check.engine.urgency import Outcome, more_urgent, urgency_key
from bruising_check.protocol.conditions import (
    UNKNOWN,
    UNKNOWN_KEYS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Count,
    CountOf,
    Every,
    Not,
    Some,
    Truth,
    evaluate,
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
    Protocol,
    Ref,
    SingleChoiceQuestion,
    Sub,
    TextQuestion,
)

DEFAULT_BUDGET = 2000
"""Three-valued passes one decision may spend searching completions (a pass over a protocol
with 20 marks takes a few milliseconds, so a decision stays within seconds)."""
_FULL_RANGE = 400  # whole numbers enumerated one by one when no threshold can be worked out


class Exhausted(Exception):
    """The search budget is spent."""


class Inexact(Exception):
    """An unknown's classes cannot be worked out (non-linear use of several unknown numbers)."""


@dataclass(frozen=True)
class Var:
    """One unknown answer: a top-level question or one item's question (`index` 0-based)."""

    qid: str
    group: str | None = None
    index: int | None = None

    @property
    def path(self) -> str:
        """1-based, as printed: `marks[2].patterned`."""
        if self.group is None:
            return self.qid
        assert self.index is not None
        return f"{self.group}[{self.index + 1}].{self.qid}"


# --- what the protocol's conditions can tell apart ------------------------------------------

Atom = tuple[str, str]  # ("q", question id) | ("i", item question id)
Linear = tuple[dict[Atom, float], float]


@dataclass
class Index:
    """The protocol's comparisons by what they read, worked out once per protocol."""

    top: dict[str, list[Compare]] = field(default_factory=dict)
    item: dict[tuple[str, str], list[Compare]] = field(default_factory=dict)
    fact_cmps: dict[str, list[Compare]] = field(default_factory=dict)
    item_fact_cmps: dict[tuple[str, str], list[Compare]] = field(default_factory=dict)
    lin: dict[str, Linear | None] = field(default_factory=dict)
    item_lin: dict[tuple[str, str], Linear | None] = field(default_factory=dict)
    sums: list[CountOf] = field(default_factory=list)
    relevant: dict[tuple[str | None, str], bool] = field(default_factory=dict)
    """`_top_relevant` / `_item_relevant` per (group or None, question id), worked out once."""
    choices: dict[tuple[str | None, str], tuple[Any, ...]] = field(default_factory=dict)
    """The classes of a yes / no or choice question (`Completer.reps`), per (group or None,
    question id): they hang on the protocol's comparisons only, so they are worked out once."""
    unknown_plan: tuple[tuple[str, tuple[str, ...] | None], ...] | None = None
    """`unknowns`' questions, worked out once: each question (in order) that can be an unknown
    that matters, with None for a top-level one and for a group its item questions that can
    (in order). Which can hangs on the protocol only: not text, and relevant."""


def _scoped(cond: Condition, scope: str | None) -> Iterator[tuple[Condition, str | None]]:
    """Every node with the group its `item:` refers to."""
    yield cond, scope
    match cond:
        case AllOf(all=parts) | AnyOf(any=parts):
            for part in parts:
                yield from _scoped(part, scope)
        case Not(not_=inner):
            yield from _scoped(inner, scope)
        case Some(some=q) | Every(every=q) | Count(count=q):
            yield from _scoped(q.where, q.group)


def _conditions(protocol: Protocol) -> Iterator[tuple[Condition, str | None]]:
    for q in protocol.questions:
        if q.ask_if is not None:
            yield q.ask_if, None
        if isinstance(q, GroupQuestion):
            for iq in q.questions:
                if iq.ask_if is not None:
                    yield iq.ask_if, q.id
            for f in q.derived:
                cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
                if cond is not None:
                    yield cond, q.id
    for f in protocol.derived:
        cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
        if cond is not None:
            yield cond, None
    for r in protocol.rules:
        yield r.when, None
    for a in protocol.advice:
        yield a.when, None
    for inv in protocol.invariants:
        yield inv.when, None


def _linear(
    expr: Expr, child: Mapping[str, Linear | None], item: Mapping[str, Linear | None] | None
) -> Linear | None:
    match expr:
        case int() | float():
            return ({}, float(expr))
        case Ref():
            if expr.question is not None:
                return ({("q", expr.question): 1.0}, 0.0)
            if expr.fact is not None:
                return child.get(expr.fact)
            assert expr.item is not None
            if item is not None and expr.item in item:
                return item[expr.item]
            return ({("i", expr.item): 1.0}, 0.0)
        case Add(add=parts):
            forms = [_linear(p, child, item) for p in parts]
            if any(f is None for f in forms):
                return None
            total: dict[Atom, float] = {}
            const = 0.0
            for f in forms:
                assert f is not None
                for atom, k in f[0].items():
                    total[atom] = total.get(atom, 0.0) + k
                const += f[1]
            return (total, const)
        case Sub(sub=(a, b)):
            fa, fb = _linear(a, child, item), _linear(b, child, item)
            if fa is None or fb is None:
                return None
            diff = dict(fa[0])
            for atom, k in fb[0].items():
                diff[atom] = diff.get(atom, 0.0) - k
            return (diff, fa[1] - fb[1])
        case Mul(mul=(a, k)):
            return _scale(_linear(a, child, item), k)
        case Div(div=(a, k)):
            return _scale(_linear(a, child, item), 1 / k)
    return None  # pragma: no cover


def _scale(form: Linear | None, k: float) -> Linear | None:
    if form is None:
        return None
    return ({atom: c * k for atom, c in form[0].items()}, form[1] * k)


_INDEX: dict[int, tuple[Protocol, Index]] = {}


def index(protocol: Protocol) -> Index:
    cached = _INDEX.get(id(protocol))
    if cached is not None and cached[0] is protocol:
        return cached[1]
    ix = Index()
    groups = {q.id: q for q in protocol.questions if isinstance(q, GroupQuestion)}
    item_number_facts = {
        (g, f.id) for g, q in groups.items() for f in q.derived if isinstance(f, NumberFact)
    }
    for cond, scope in _conditions(protocol):
        for node, group in _scoped(cond, scope):
            if isinstance(node, Count):
                if node.count.sum is not None:
                    ix.sums.append(node.count)
                continue
            if not isinstance(node, Compare):
                continue
            if node.question is not None:
                ix.top.setdefault(node.question, []).append(node)
            elif node.fact is not None:
                ix.fact_cmps.setdefault(node.fact, []).append(node)
            elif group is not None and node.item is not None:
                ix.item.setdefault((group, node.item), []).append(node)
                if (group, node.item) in item_number_facts:
                    ix.item_fact_cmps.setdefault((group, node.item), []).append(node)
    for f in protocol.derived:
        if isinstance(f, NumberFact):
            ix.lin[f.id] = _linear(f.value, ix.lin, None)
    for g, q in groups.items():
        own: dict[str, Linear | None] = {}
        for f in q.derived:
            if isinstance(f, NumberFact):
                own[f.id] = ix.item_lin[(g, f.id)] = _linear(f.value, ix.lin, own)
    if len(_INDEX) > 16:
        _INDEX.clear()
    _INDEX[id(protocol)] = (protocol, ix)
    return ix


# --- the unknowns and their classes ---------------------------------------------------------


def unknowns(protocol: Protocol, root: Pass) -> list[Var]:
    """Every unknown answer the conditions can see, in the order the questions are asked."""
    ix = index(protocol)
    plan = ix.unknown_plan
    if plan is None:
        plan = ix.unknown_plan = _unknown_plan(protocol, ix)
    found: list[Var] = []
    values, pending = root.values, root.pending
    for qid, item_ids in plan:
        value = values.get(qid)
        if item_ids is None:
            if value is UNKNOWN and qid not in pending:
                found.append(Var(qid))
            continue
        if value is None or value is UNKNOWN:
            continue
        for n, item in enumerate(value):
            for iid in item_ids:
                if item.get(iid) is UNKNOWN and f"{qid}[{n + 1}].{iid}" not in pending:
                    found.append(Var(iid, qid, n))
    return found


def _unknown_plan(protocol: Protocol, ix: Index) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """`Index.unknown_plan`: the questions whose unknown answer `unknowns` may list."""
    plan: list[tuple[str, tuple[str, ...] | None]] = []
    for q in protocol.questions:
        if isinstance(q, GroupQuestion):
            ids = tuple(
                iq.id
                for iq in q.questions
                if not isinstance(iq, TextQuestion) and _item_relevant(ix, q.id, iq.id)
            )
            if ids:
                plan.append((q.id, ids))
        elif not isinstance(q, TextQuestion) and _top_relevant(ix, q.id):
            plan.append((q.id, None))
    return tuple(plan)


def _top_relevant(ix: Index, qid: str) -> bool:
    key = (None, qid)
    known = ix.relevant.get(key)
    if known is None:
        known = ix.relevant[key] = _top_relevant_now(ix, qid)
    return known


def _top_relevant_now(ix: Index, qid: str) -> bool:
    if qid in ix.top:
        return True
    atom = ("q", qid)
    forms = [*ix.lin.values(), *ix.item_lin.values()]
    return any(f is None or atom in f[0] for f in forms)


def _item_relevant(ix: Index, group: str, qid: str) -> bool:
    key = (group, qid)
    known = ix.relevant.get(key)
    if known is None:
        known = ix.relevant[key] = _item_relevant_now(ix, group, qid)
    return known


def _item_relevant_now(ix: Index, group: str, qid: str) -> bool:
    if (group, qid) in ix.item:
        return True
    if any(s.group == group and s.sum == qid for s in ix.sums):
        return True
    atom = ("i", qid)
    return any(f is None or atom in f[0] for (g, _), f in ix.item_lin.items() if g == group)


def question_of(protocol: Protocol, var: Var) -> Any:
    if var.group is None:
        return protocol.question(var.qid)
    group = protocol.group(var.group)
    assert group is not None
    return group.question(var.qid)


def _compares(ix: Index, var: Var) -> list[Compare]:
    if var.group is None:
        return ix.top.get(var.qid, [])
    return ix.item.get((var.group, var.qid), [])


def choice_classes(options: tuple[str, ...], cmps: list[Compare]) -> list[list[str]]:
    """Options grouped by how every comparison treats them (same operand memberships)."""
    sets: list[frozenset[Any]] = []
    for c in cmps:
        if c.operator in {"equals", "in", "includes_any", "includes_all"}:
            operand = c.operand if isinstance(c.operand, tuple) else (c.operand,)
            sets.append(frozenset(operand))
    classes: dict[tuple[bool, ...], list[str]] = {}
    for o in options:
        classes.setdefault(tuple(o in s for s in sets), []).append(o)
    return list(classes.values())


def _multiple_reps(q: MultipleChoiceQuestion, cmps: list[Compare]) -> list[tuple[str, ...]]:
    classes = choice_classes(tuple(o.id for o in q.known_options), cmps)
    states: list[list[str]] = []
    for cls in classes:
        states.append(["none", "some", "all"] if len(cls) >= 2 else ["none", "all"])
    reps: list[tuple[str, ...]] = []
    order = [o.id for o in q.known_options]
    for combo in product(*states):
        chosen: list[str] = []
        room: list[str] = []
        for cls, state in zip(classes, combo, strict=True):
            if state == "all":
                chosen.extend(cls)
            elif state == "some":
                chosen.append(cls[0])
                room.extend(cls[1:-1])  # still a proper part of its class
        while len(chosen) < q.min_selected and room:
            chosen.append(room.pop())
        if len(chosen) >= q.min_selected:
            picked = set(chosen)
            reps.append(tuple(o for o in order if o in picked))
    return reps


class Completer:
    """Searches completions of the unknowns of one set of answers."""

    def __init__(
        self, protocol: Protocol, answers: Mapping[str, Any], root: Pass, budget: int
    ) -> None:
        self.protocol = protocol
        self.answers = answers
        self.root = root
        self.budget = budget
        self.nodes = 0
        self.ix = index(protocol)
        self.vars = unknowns(protocol, root)
        self.inexact = False
        top = frozenset(v.qid for v in self.vars if v.group is None)
        self.top_marks = top | set(answers.get(UNKNOWN_KEYS, ()))
        self.item_marks: dict[tuple[str, int], frozenset[str]] = {}
        self.item_vars: dict[tuple[str, int], list[Var]] = {}
        for v in self.vars:
            if v.group is not None and v.index is not None:
                key = (v.group, v.index)
                self.item_marks[key] = self.item_marks.get(key, frozenset()) | {v.qid}
                self.item_vars.setdefault(key, []).append(v)

    # -- identical items are interchangeable

    def twins(self, excluded: frozenset[tuple[str, int]] = frozenset()) -> dict[Any, int]:
        """For each item, the nearest earlier item with the same answers and the same unknowns
        (none of them numbers). Conditions cannot tell the order of items apart, so a search
        need only try completions in which such twins are in a fixed (sorted) order."""
        found: dict[Any, int] = {}
        for (group, n), own in self.item_vars.items():
            if (group, n) in excluded or any(_is_number_var(self, v) for v in own):
                continue
            items = self.answers.get(group) or ()
            for m in range(n - 1, -1, -1):
                other = self.item_vars.get((group, m), [])
                if (
                    (group, m) not in excluded
                    and [v.qid for v in other] == [v.qid for v in own]
                    and _same_item(items[m], items[n])
                    and not any(_is_number_var(self, v) for v in other)
                ):
                    found[(group, n)] = m
                    break
        return found

    def _rank(self, var: Var, assignment: Mapping[Var, Any]) -> int:
        if var not in assignment:
            return -1
        reps = self.reps(var, self.root)
        value = assignment[var]
        return reps.index(value) if value in reps else -1

    def _canonical(
        self, var: Var, reps: list[Any], assignment: Mapping[Var, Any], twins: Mapping[Any, int]
    ) -> list[Any]:
        """The values of `var` that keep its item sorted after its twin."""
        if var.group is None or var.index is None or (var.group, var.index) not in twins:
            return reps
        mate = twins[(var.group, var.index)]
        own = self.item_vars[(var.group, var.index)]
        for v in own[: own.index(var)]:
            a = self._rank(v, assignment)
            b = self._rank(Var(v.qid, v.group, mate), assignment)
            if a > b:
                return reps  # already after its twin
            if a < b:
                return []  # pragma: no cover - such a branch is never entered
        bound = self._rank(Var(var.qid, var.group, mate), assignment)
        static = self.reps(var, self.root)
        return [x for x in reps if (static.index(x) if x in static else -1) >= bound]

    # -- evaluating one partial assignment

    def answers_for(self, assignment: Mapping[Var, Any]) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.answers)
        out[UNKNOWN_KEYS] = frozenset(self.top_marks)
        items: dict[str, list[dict[str, Any]]] = {}
        for (group, n), marks in self.item_marks.items():
            if group not in items:
                items[group] = [dict(x) for x in self.answers.get(group, ())]
            items[group][n][UNKNOWN_KEYS] = marks
        for var, value in assignment.items():
            if var.group is None:
                out[var.qid] = value
            else:
                assert var.index is not None
                items[var.group][var.index][var.qid] = value
        for group, listed in items.items():
            out[group] = tuple(listed)
        return out

    def run(self, assignment: Mapping[Var, Any]) -> Pass:
        self.nodes += 1
        if self.nodes > self.budget:
            raise Exhausted
        return run_pass(self.protocol, self.answers_for(assignment))

    def open_vars(
        self, assignment: Mapping[Var, Any], p: Pass, order: list[Var] | None = None
    ) -> Iterator[Var]:
        """The unknowns still unassigned and still asked in this partial completion."""
        for var in order or self.vars:
            if var in assignment:
                continue
            if var.group is None:
                if p.values.get(var.qid) is UNKNOWN:
                    yield var
            else:
                items = p.values.get(var.group)
                if (
                    items is not None
                    and items is not UNKNOWN
                    and var.index is not None
                    and items[var.index].get(var.qid) is UNKNOWN
                ):
                    yield var

    def branch(
        self, assignment: Mapping[Var, Any], p: Pass, order: list[Var] | None = None
    ) -> tuple[Var | None, list[Any]]:
        """The next unknown to assign and its classes. A number whose thresholds hang on
        another unknown number waits until that one is assigned."""
        stuck = False
        for var in self.open_vars(assignment, p, order):
            try:
                return var, self.reps(var, p)
            except Inexact:
                stuck = True
        if stuck:
            raise Inexact
        return None, []

    # -- the classes of one unknown

    def reps(self, var: Var, p: Pass) -> list[Any]:
        fixed = self.choice_reps(var)
        if fixed is not None:
            return fixed
        q = question_of(self.protocol, var)
        if isinstance(q, NumberQuestion):
            return self._number_reps(var, q, _compares(self.ix, var), p)
        raise Inexact  # pragma: no cover - text questions are never unknowns here

    def choice_reps(self, var: Var) -> list[Any] | None:
        """`reps` of a yes / no or choice question (the same whatever the other answers);
        None for any other question."""
        key = (var.group, var.qid)
        known = self.ix.choices.get(key)
        if known is not None:
            return list(known)
        q = question_of(self.protocol, var)
        if not isinstance(q, BooleanQuestion | SingleChoiceQuestion | MultipleChoiceQuestion):
            return None
        made = self._choice_reps(q, _compares(self.ix, var))
        self.ix.choices[key] = tuple(made)
        return made

    @staticmethod
    def _choice_reps(
        q: BooleanQuestion | SingleChoiceQuestion | MultipleChoiceQuestion, cmps: list[Compare]
    ) -> list[Any]:
        match q:
            case BooleanQuestion():
                return [True, False]
            case SingleChoiceQuestion():
                ids = tuple(o.id for o in q.known_options)
                return [cls[0] for cls in choice_classes(ids, cmps)]
        return list(_multiple_reps(q, cmps))

    def _number_reps(self, var: Var, q: NumberQuestion, cmps: list[Compare], p: Pass) -> list[Any]:
        points: set[float] = set()
        for c in cmps:
            if c.operator in {"lt", "le", "gt", "ge", "equals", "in"}:
                operand = c.operand if isinstance(c.operand, tuple) else (c.operand,)
                points.update(float(x) for x in operand if _is_number(x))
        try:
            points.update(self._derived_points(var, p))
        except Inexact:
            if not q.integer or q.max - q.min + 1 > _FULL_RANGE:
                raise
            return list(range(math.ceil(q.min), math.floor(q.max) + 1))
        return _representatives(q, points)

    def _derived_points(self, var: Var, p: Pass) -> set[float]:
        """Thresholds on `var` that comparisons on derived numbers (and sums) imply, given the
        values the partial completion `p` already fixes."""
        found: set[float] = set()
        atom: Atom = ("q", var.qid) if var.group is None else ("i", var.qid)
        # (`p.env` is read only where an item's values are needed: a replay's pass makes its
        # environment only when read, and a top-level number in no item fact needs none.)
        if var.group is None:
            for fid, form in self.ix.lin.items():
                if form is None:
                    raise Inexact
                if atom in form[0]:
                    found |= _solve(form, atom, self.ix.fact_cmps.get(fid, []), p.values, None)
            for (g, fid), form in self.ix.item_lin.items():
                if form is None:
                    raise Inexact
                if atom not in form[0]:
                    continue
                if any(s.group == g and s.sum == fid for s in self.ix.sums):
                    raise Inexact
                items = p.env.get(g)
                if items is UNKNOWN:
                    raise Inexact
                for item in items or ():
                    found |= _solve(
                        form, atom, self.ix.item_fact_cmps.get((g, fid), []), p.values, item
                    )
            return found
        assert var.index is not None
        items = p.env.get(var.group) or ()
        item = items[var.index]
        for (g, fid), form in self.ix.item_lin.items():
            if g != var.group:
                continue
            if form is None:
                raise Inexact
            if atom in form[0]:
                found |= _solve(
                    form, atom, self.ix.item_fact_cmps.get((g, fid), []), p.values, item
                )
        for spec in self.ix.sums:
            if spec.group != var.group:
                continue
            key = (var.group, spec.sum or "")
            form = self.ix.item_lin[key] if key in self.ix.item_lin else ({("i", key[1]): 1.0}, 0.0)
            if form is None:
                raise Inexact
            if atom not in form[0]:
                continue
            others = 0.0
            for n, other in enumerate(items):
                if n == var.index:
                    continue
                truth = evaluate(spec.where, p.env, other)
                if truth is Truth.FALSE:
                    continue
                amount = other.get(spec.sum or "")
                if truth is Truth.UNKNOWN or amount is UNKNOWN:
                    raise Inexact
                others += amount or 0
            rest = _rest(form, atom, p.values, item)
            if rest is None:
                continue
            k = form[0][atom]
            found.add((spec.operand - others - rest) / k)
        return found

    # -- searches

    def maximise(
        self, fixed: Mapping[Var, Any], stop_at: Outcome, start: Pass | None = None
    ) -> tuple[Outcome, Pass, dict[Var, Any]]:
        """The most urgent outcome over completions extending `fixed` (stops early once it
        reaches `stop_at`), a pass that reaches it and the assignment behind that pass."""
        best: list[Any] = [None, None, None]  # outcome, pass, assignment
        twins = self.twins(
            frozenset(
                (v.group, v.index) for v in fixed if v.group is not None and v.index is not None
            )
        )

        def better(o: Outcome) -> bool:
            return best[0] is None or more_urgent(o, best[0])

        def visit(assignment: dict[Var, Any], p: Pass) -> bool:
            if not better(p.upper):
                return False
            var, reps = (None, []) if p.definite else self.branch(assignment, p)
            if p.definite or var is None:
                if not p.definite:
                    self.inexact = True  # an unknown nothing can complete (a whole group)
                best[:] = [p.upper, p, dict(assignment)]
                return not more_urgent(stop_at, p.upper)
            for value in self._canonical(var, reps, assignment, twins):
                child = {**assignment, var: value}
                if visit(child, self.run(child)):
                    return True
            return False

        first = start if start is not None else self.run(fixed)
        visit(dict(fixed), first)
        return best[0], best[1], best[2]

    def ties(self, final: Outcome, limit: int = 3) -> list[tuple[Outcome, Pass, dict[Var, Any]]]:
        """Other outcomes exactly as urgent as `final` (other pathways of the same rank: equal
        alternatives), each with a pass and the completion that give it; at most `limit`. When
        the budget runs out the search stops and keeps what it found: each one found is real,
        but there may be others."""
        key = urgency_key(final)
        seen = {_ids(final)}
        found: list[tuple[Outcome, Pass, dict[Var, Any]]] = []

        def visit(assignment: dict[Var, Any], p: Pass) -> bool:
            if urgency_key(p.upper) < key:
                return False  # every completion below is less urgent: none ties
            if p.definite:
                if urgency_key(p.upper) == key and _ids(p.upper) not in seen:
                    seen.add(_ids(p.upper))
                    found.append((p.upper, p, dict(assignment)))
                return len(found) >= limit
            var, reps = self.branch(assignment, p)
            if var is None:
                return False
            for value in reps:
                child = {**assignment, var: value}
                if visit(child, self.run(child)):
                    return True
            return False

        with suppress(Exhausted, Inexact):
            visit({}, self.root)
        return found

    def constant(
        self, read: Callable[[Pass], Any], order: list[Var] | None = None
    ) -> tuple[bool, Any]:
        """Whether `read` (a fact's value) is the same in every completion, and that value."""
        seen: list[Any] = []

        def visit(assignment: dict[Var, Any], p: Pass) -> bool:
            value = read(p)
            if value is not UNKNOWN:
                if seen and value != seen[0]:
                    return True
                if not seen:
                    seen.append(value)
                return False
            var, reps = self.branch(assignment, p, order)
            if var is None:
                return True  # still unknown with nothing left to complete
            for v in reps:
                child = {**assignment, var: v}
                if visit(child, self.run(child)):
                    return True
            return False

        differs = visit({}, self.root)
        return (not differs and bool(seen)), (seen[0] if seen else UNKNOWN)


def _ids(outcome: Outcome) -> tuple[str | None, str | None]:
    first, then = outcome
    return (first.id if first is not None else None, then.id if then is not None else None)


def _is_number_var(search: Completer, var: Var) -> bool:
    return isinstance(question_of(search.protocol, var), NumberQuestion)


def _same_item(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    strip = {UNKNOWN_KEYS}
    return {k: v for k, v in a.items() if k not in strip} == {
        k: v for k, v in b.items() if k not in strip
    }


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _rest(
    form: Linear, atom: Atom, values: Mapping[str, Any], item: Mapping[str, Any] | None
) -> float | None:
    """The linear form's value without `atom`; None when another part is not applicable;
    raises Inexact when another part is itself unknown."""
    total = form[1]
    for other, k in form[0].items():
        if other == atom:
            continue
        scope = values if other[0] == "q" else (item or {})
        value = scope.get(other[1], UNKNOWN)
        if value is None:
            return None
        if value is UNKNOWN or not _is_number(value):
            raise Inexact
        total += k * value
    return total


def _solve(
    form: Linear,
    atom: Atom,
    cmps: list[Compare],
    values: Mapping[str, Any],
    item: Mapping[str, Any] | None,
) -> set[float]:
    k = form[0].get(atom, 0.0)
    if k == 0 or not cmps:
        return set()
    rest = _rest(form, atom, values, item)
    if rest is None:
        return set()
    found: set[float] = set()
    for c in cmps:
        if c.operator not in {"lt", "le", "gt", "ge", "equals", "in"}:
            continue
        operand = c.operand if isinstance(c.operand, tuple) else (c.operand,)
        found.update((float(t) - rest) / k for t in operand if _is_number(t))
    return found


def _representatives(q: NumberQuestion, points: set[float]) -> list[Any]:
    """One value from each region the thresholds cut [min, max] into, and each threshold."""
    lo, hi = q.min, q.max
    inside = sorted(x for x in points if lo <= x <= hi)
    if q.integer:
        lo_i, hi_i = math.ceil(lo), math.floor(hi)
        chosen = {lo_i, hi_i}
        for b in inside:
            for x in (math.floor(b), math.floor(b) + 1, math.ceil(b) - 1, math.ceil(b)):
                if lo_i <= x <= hi_i:
                    chosen.add(x)
        return sorted(chosen)
    marks = sorted({lo, hi, *inside})
    chosen_f = set(marks)
    for a, b in pairwise(marks):
        chosen_f.add((a + b) / 2)
    return sorted(chosen_f)
