"""Repeated groups over the space: kinds of item, and how many items of each kind there are.

A group of up to 50 items of a few dozen answers each cannot be enumerated, but the rules never
look at an item except through the *item predicates* the protocol uses: each quantifier's `where`
and, for a `count ... sum:`, the value of the summed field (cut at the thresholds that matter).
Items that every predicate treats alike are one **kind**. The item space (the group's own
questions, partitioned like the top level) is searched once, split only until every predicate is
decided; each leaf is a set of item answers of one kind, counted exactly.

A child-level test inside a `where` (`question:`, `fact:`, a quantifier over another group) is
a *context* atom: it is the same for every item, so the item search treats it as a yes/no input
(`ctx--i`) and a kind belongs to one context. At the top level the group is then one variable per
kind, the number of items of that kind (an integer interval cut at 0, 1, ... up to the largest
count threshold that kind meets). Every quantifier is a monotone test of a weighted sum of those
numbers, decided when it agrees at the least and greatest sums a box allows:

- `some: W`  — the items of kinds where W holds number at least 1;
- `every: W` — the items of kinds where W fails number 0 (true when there are no items);
- `count: W` — the items (or summed field) of kinds where W holds compare with the threshold.

Answer sets are counted exactly as ordered lists of `min_items..max_items` items:
kinds are added one at a time, n items of a kind going into C(L + n, n) places among the L
already placed, each with `size` answers.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bruising_check.analysis.compile import Compiler
from bruising_check.analysis.formulas import (
    FALSE,
    TRUE,
    Atom,
    Formula,
    conj,
    disj,
    evaluate,
    guarded,
    neg,
)
from bruising_check.analysis.search import Explorer, Leaf, Split, TooLarge
from bruising_check.analysis.space import Assignment, Domain, Space
from bruising_check.protocol.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Count,
    CountOf,
    Every,
    Not,
    Some,
    comparisons,
    describe,
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
    NumberQuestion,
    Protocol,
    Ref,
    Sub,
)
from bruising_check.protocol.walk import all_conditions

MAX_CONTEXT = 10
"""Child-level atoms inside one group's item conditions (2^n contexts); more is not analysed."""
MAX_ITEM_NODES = 200_000
MAX_TABLES = 64
"""Counting tables kept at once (each holds a number per cell of its totals)."""


class NotAnalysable(TooLarge):
    """A construct the exact analysis does not cover: nothing is proved (an error, as TooLarge)."""

    def __init__(self, why: str) -> None:
        Exception.__init__(self, f"could not analyse: {why}")
        self.nodes = 0
        self.seconds = None
        self.memory_mb = None


Quantifier = Some | Every | Count


def _spec(node: Quantifier) -> Any:
    if isinstance(node, Some):
        return node.some
    if isinstance(node, Every):
        return node.every
    return node.count


@dataclass
class ItemScope:
    """The group's questions and item facts, rewritten as a small protocol over the item:
    `item: x` becomes `question: x` / `fact: x`, child-level tests become `ctx--i` booleans."""

    questions: list[Any]
    derived: list[Any]
    wheres: list[Condition] = field(default_factory=list)


@dataclass
class Predicate:
    """One quantifier of one protocol version, over the kinds."""

    test: Callable[[float], bool]
    empty: bool
    """Its value when the group has no items (or is not asked)."""
    where: int
    """Index of the `where` truth in a kind's key."""
    negate: bool
    """`every`: count the kinds where `where` fails."""
    weight: int | None
    """Index into a kind's weights for a `sum:`; None counts items."""
    threshold: float
    equals: bool
    presence: bool = False
    """`some` / `every`: only whether items of some kinds are present matters."""
    sum_field: str | None = None
    label: str = ""
    variables: dict[int, str | None] = field(default_factory=dict)
    """Presence predicates: per context, the presence variable (None: no kind qualifies)."""


@dataclass
class Presence:
    """A yes/no variable: at least one item of these kinds (in this context) is present."""

    context: int
    kinds: frozenset[str]
    yes: str
    no: str


@dataclass
class Total:
    """An integer variable: the number of items of these kinds (or the sum of their weights) in
    this context, cut at 0, 1, ..., cap - 1 and "cap or more"."""

    context: int
    weights: dict[str, int]
    """Kind var -> its exact weight, or `cap` or more (then it is stored as `cap`)."""
    cap: int
    text: str


@dataclass
class Kind:
    context: int
    truths: tuple[bool, ...]
    weights: tuple[tuple[int, int], ...]
    size: int
    example: dict[str, Any]
    var: str = ""


@dataclass
class GroupInfo:
    gid: str
    label: str
    min_items: int
    max_items: int
    contexts: list[tuple[int, Condition]]
    """(protocol version, child-level node) for each context atom."""
    kinds: list[Kind] = field(default_factory=list)
    predicates: dict[tuple[int, str], Predicate] = field(default_factory=dict)
    ctx_formulas: list[Formula] = field(default_factory=list)
    presence: dict[str, Presence] = field(default_factory=dict)
    totals: dict[str, Total] = field(default_factory=dict)
    deadline: float | None = None
    """The analysis's wall-clock deadline (time.monotonic): one count can be long."""
    _counts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    _by_cells: dict[tuple[Any, ...], int] = field(default_factory=dict)
    _tables: dict[tuple[Any, ...], dict[tuple[int, ...], int]] = field(default_factory=dict)
    _boxes: dict[tuple[Any, ...], int] = field(default_factory=dict)

    # --- the context a leaf is in -------------------------------------------------------------

    def context_of(self, a: Assignment) -> int:
        s = 0
        for i, f in enumerate(self.ctx_formulas):
            v = evaluate(f, a, [])
            if v is None:  # pragma: no cover - the explorer decides contexts before counting
                raise AssertionError("context undecided at a leaf")
            if v:
                s |= 1 << i
        return s

    def cells(self, var: str) -> list[Any]:
        if var in self.presence:
            return [False, True]
        cap = self.totals[var].cap
        return [(n, n) for n in range(cap)] + [(cap, cap)]

    def _constraints(
        self, a: Assignment
    ) -> tuple[int, set[str], list[frozenset[str]], list[tuple[Total, int, int]]]:
        s = self.context_of(a)
        forbidden: set[str] = set()
        present: list[frozenset[str]] = []
        for var, p in self.presence.items():
            if p.context == s and var in a:
                if a[var]:
                    present.append(p.kinds)
                else:
                    forbidden |= p.kinds
        bounded = []
        for var, t in self.totals.items():
            if t.context == s and var in a:
                lo, hi = int(a[var][0]), int(a[var][1])
                if hi == 0:
                    # A total of 0: no item of a kind that adds to it (the same lists, and
                    # counted without a table).
                    forbidden |= {k for k, w in t.weights.items() if w > 0}
                else:
                    bounded.append((t, lo, hi))
        return s, forbidden, present, bounded

    # --- counting -----------------------------------------------------------------------------

    def count(self, a: Assignment) -> int:
        """Exactly the ordered lists in the cells of `a`: kinds of an absent presence variable
        forbidden, each total in its cell, and (inclusion-exclusion over the present presence
        variables) at least one item of each one's kinds."""
        # The count depends only on the context and the cells of the group's own variables:
        # leaves that differ elsewhere (the thousands of a cross-version comparison) share it.
        cells = (self.context_of(a), *(a.get(v) for v in (*self.presence, *self.totals)))
        known = self._by_cells.get(cells)
        if known is not None:
            return known
        known = self._by_cells[cells] = self._count_cells(a)
        return known

    def _count_cells(self, a: Assignment) -> int:
        s, forbidden, present, bounded = self._constraints(a)
        present = [t - forbidden for t in present]
        if any(not t for t in present):
            return 0
        present = list(dict.fromkeys(t for t in present if not any(u < t for u in present)))
        key = (
            s,
            frozenset(forbidden),
            frozenset(present),
            tuple((id(t), lo, hi) for t, lo, hi in bounded),
        )
        got = self._counts.get(key)
        if got is None:
            if len(present) > 16:
                raise NotAnalysable(f"{len(present)} kinds of {self.label} required at once")
            mine = [k for k in self.kinds if k.context == s and k.var not in forbidden]
            # Inclusion-exclusion, the terms with the same union of excluded kinds added up
            # first: sum over S of (-1)^|S| lists(without the kinds of S) (many S share a union,
            # and their signs often cancel).
            terms: dict[frozenset[str], int] = {frozenset(): 1}
            for kinds in present:
                for union, sign in list(terms.items()):
                    wider = union | kinds
                    terms[wider] = terms.get(wider, 0) - sign
            total = 0
            for union, sign in terms.items():
                if sign:
                    allowed = [k for k in mine if k.var not in union]
                    total += sign * self._lists(allowed, bounded)
            got = self._counts[key] = total
        return got

    def possible(self, a: Assignment) -> bool:
        """Whether `count(a)` is above 0, without counting: some multiset of allowed kinds has
        min..max items, meets every present variable and puts every total in its cell. (Every
        kind has at least one answer, so a multiset is a list of items exactly when it fits.)"""
        s, forbidden, present, bounded = self._constraints(a)
        present = [t - forbidden for t in present]
        if any(not t for t in present):
            return False
        present = list(dict.fromkeys(t for t in present if not any(u < t for u in present)))
        key = (
            "possible",
            s,
            frozenset(forbidden),
            frozenset(present),
            tuple((id(t), lo, hi) for t, lo, hi in bounded),
        )
        got = self._counts.get(key)
        if got is None:
            got = self._counts[key] = int(self._reachable(s, forbidden, present, bounded))
        return bool(got)

    def _reachable(
        self,
        s: int,
        forbidden: set[str],
        present: list[frozenset[str]],
        bounded: list[tuple[Total, int, int]],
    ) -> bool:
        """Reachability over (length, each total capped at its cap, present variables met),
        adding kinds with the same increments and the same present variables together."""
        top = self.max_items
        caps = tuple(t.cap for t, _, _ in bounded)
        regions: set[tuple[tuple[int, ...], int]] = set()
        for k in self.kinds:
            if k.context != s or k.var in forbidden:
                continue
            inc = tuple(t.weights.get(k.var, 0) for t, _, _ in bounded)
            mask = sum(1 << i for i, p in enumerate(present) if k.var in p)
            regions.add((inc, mask))
        full = (1 << len(present)) - 1
        start = (0, tuple(0 for _ in bounded), 0)
        states: set[tuple[int, tuple[int, ...], int]] = {start}
        for inc, mask in regions:
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise TooLarge(0, None)
            grown = set(states)
            for length, totals, met in states:
                for n in range(1, top - length + 1):
                    capped = tuple(
                        min(c, v + n * i) for v, i, c in zip(totals, inc, caps, strict=True)
                    )
                    grown.add((length + n, capped, met | mask))
            states = grown
        for length, totals, met in states:
            if length < self.min_items or met != full:
                continue
            if all(lo <= v <= hi for v, (_, lo, hi) in zip(totals, bounded, strict=True)):
                return True
        return False

    def _lists(self, kinds: list[Kind], bounded: list[tuple[Total, int, int]]) -> int:
        """Ordered lists of min..max items of these kinds with every total in its bounds.

        Kinds that add the same amount to every bounded total are one region of `size` answers.
        Each place in a list holds one item of any region, so the lists of length L by their
        (capped) totals are the L-th power of the polynomial sum(size * y^inc) in which exponents
        add up capped at each total's cap (`_table`)."""
        top = self.max_items
        # Only what the box can tell apart is counted: a total bounded by hi < cap is capped at
        # hi + 1 (every larger sum fails alike), one bounded only below (hi = cap) at lo (every
        # sum of at least lo passes alike), and one not bounded at all (0..cap) drops out.
        # Smaller caps make smaller tables, and merge regions that differ only past them.
        dims: list[tuple[int, int, int, int]] = []  # index, cap, lo, hi in the capped values
        for d, (t, lo, hi) in enumerate(bounded):
            cap = hi + 1 if hi < t.cap else lo
            if cap > 0:
                dims.append((d, cap, lo, min(hi, cap)))
        regions: dict[tuple[int, ...], int] = {}
        for k in kinds:
            weights = [t.weights.get(k.var, 0) for t, _, _ in bounded]
            inc = tuple(min(cap, weights[d]) for d, cap, _, _ in dims)
            regions[inc] = regions.get(inc, 0) + k.size
        if not dims:
            size = sum(regions.values())
            return sum(size**n for n in range(self.min_items, top + 1))
        caps = tuple(cap for _, cap, _, _ in dims)
        # The table depends only on the regions and the caps, not on the cells: shared by every
        # leaf (and inclusion-exclusion term) with the same canonical sub-problem; so is the sum
        # over one box of cells.
        memo_key = ("lists", self.min_items, top, caps, frozenset(regions.items()))
        box = tuple((lo, hi) for _, _, lo, hi in dims)
        result = self._boxes.get((memo_key, box))
        if result is not None:
            return result
        ways = self._tables.get(memo_key)
        if ways is None:
            if len(self._tables) >= MAX_TABLES:
                # Tables are large (one big number per cell) and the box sums are kept: drop
                # the tables rather than run out of memory on a protocol with many counts.
                self._tables.clear()
            ways = self._tables[memo_key] = self._table(regions, caps)
        result = 0
        for totals, w in ways.items():
            if all(lo <= v <= hi for v, (lo, hi) in zip(totals, box, strict=True)):
                result += w
        self._boxes[(memo_key, box)] = result
        return result

    def _table(
        self, regions: dict[tuple[int, ...], int], caps: tuple[int, ...]
    ) -> dict[tuple[int, ...], int]:
        """Ordered lists of min..max items from these regions, by capped totals: the lists of
        length L + 1 are those of length L with one more item of any region at the end. The
        states are numbered, and where one more item of each region takes each state depends
        only on the caps and the increments (`_moves`, shared by tables whose regions differ
        only in their sizes); a region that adds nothing keeps the state."""
        incs = tuple(sorted(inc for inc in regions if any(inc)))
        states, moves = _moves(caps, incs)
        sizes = [regions[inc] for inc in incs]
        still = regions.get(tuple(0 for _ in caps), 0)
        n = len(states)
        current = [0] * n
        current[0] = 1
        out = list(current) if self.min_items == 0 else [0] * n
        for length in range(1, self.max_items + 1):
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise TooLarge(0, None)
            grown = [w * still for w in current] if still else [0] * n
            for move, size in zip(moves, sizes, strict=True):
                for state, w in enumerate(current):
                    if w:
                        grown[move[state]] += w * size
            current = grown
            if length >= self.min_items:
                out = [a + b for a, b in zip(out, current, strict=True)]
        return {states[i]: w for i, w in enumerate(out) if w}

    # --- examples and descriptions ------------------------------------------------------------

    def example(self, a: Assignment) -> list[dict[str, Any]]:
        """A smallest list of items in the cells of `a` (breadth-first over kinds)."""
        s, forbidden, present, bounded = self._constraints(a)
        # Kinds that meet the same present variables and add the same to each bounded total
        # are interchangeable here: search over one of each.
        chosen_by: dict[tuple[Any, ...], Kind] = {}
        for k in self.kinds:
            if k.context == s and k.var not in forbidden:
                sig = (
                    tuple(k.var in p for p in present),
                    tuple(t.weights.get(k.var, 0) for t, _, _ in bounded),
                )
                chosen_by.setdefault(sig, k)
        kinds = list(chosen_by.values())

        def fits(chosen: list[Kind], final: bool) -> bool:
            for t, lo, hi in bounded:
                v = min(t.cap, sum(t.weights.get(k.var, 0) for k in chosen))
                if v > hi or (final and v < lo):
                    return False
            if not final:
                return True
            have = {k.var for k in chosen}
            return len(chosen) >= self.min_items and all(have & p for p in present)

        frontier: list[list[Kind]] = [[]]
        for _ in range(self.max_items + 1):
            for chosen in frontier:
                if fits(chosen, True):
                    return [dict(k.example) for k in chosen]
            grown = []
            for chosen in frontier:
                last = kinds.index(chosen[-1]) if chosen else 0
                for k in kinds[last:]:
                    more = [*chosen, k]
                    if fits(more, False):
                        grown.append(more)
                if len(grown) > 5000:
                    break
            frontier = grown[:5000]
        return []  # pragma: no cover - a leaf with answer sets has a list of at most max items

    def describe_all(self, cells: Mapping[str, Iterable[Any]]) -> list[str]:
        said: list[str] = []
        for var, mine in cells.items():
            values = set(mine)
            p = self.presence.get(var)
            if p is not None:
                if len(values) == 1:
                    said.append(p.yes if True in values else p.no)
                continue
            t = self.totals[var]
            runs: list[list[int]] = []
            for lo, hi in sorted((int(lo), int(hi)) for lo, hi in values):
                if runs and lo <= runs[-1][1] + 1:
                    runs[-1][1] = max(runs[-1][1], hi)
                else:
                    runs.append([lo, hi])
            if len(runs) == 1 and runs[0] == [0, t.cap]:
                continue
            shown = []
            for lo, hi in runs:
                if hi >= t.cap:
                    shown.append(f"≥ {lo}")
                elif lo == hi:
                    shown.append(f"= {lo}")
                else:
                    shown.append(f"{lo} to {hi}")
            said.append(f"{t.text} is {' or '.join(shown)}")
        return said

    # --- quantifiers as formulas --------------------------------------------------------------

    def formula(self, version: int, node: Quantifier, asked: Formula) -> Formula:
        pred = self.predicates.get((version, node.model_dump_json()))
        if pred is None:  # pragma: no cover - every quantifier is registered when building
            raise NotAnalysable(f"a quantifier over {self.gid} was not registered")
        n_ctx = len(self.ctx_formulas)
        parts: list[Formula] = []
        for s in range(1 << n_ctx):
            var = pred.variables.get(s)
            atom: Formula
            if var is None:
                atom = TRUE if pred.test(0) else FALSE
            elif pred.presence:
                atom = _presence(var)
                if pred.negate:
                    atom = neg(atom)
            else:
                atom = _total(var, pred)
            if atom is FALSE:
                continue
            sigma = [f if s >> i & 1 else neg(f) for i, f in enumerate(self.ctx_formulas)]
            parts.append(conj(*sigma, atom))
        body = disj(*parts)
        return _guarded_group(asked, body, pred.empty)


@functools.lru_cache(maxsize=64)
def _moves(
    caps: tuple[int, ...], incs: tuple[tuple[int, ...], ...]
) -> tuple[list[tuple[int, ...]], list[list[int]]]:
    """Every capped-totals state (state 0 is all zeros), and for each increment the state one
    more item of it leads to from each state."""
    states = list(itertools.product(*(range(c + 1) for c in caps)))
    number = {st: i for i, st in enumerate(states)}
    moves = [
        [
            number[tuple(min(c, v + i) for v, i, c in zip(st, inc, caps, strict=True))]
            for st in states
        ]
        for inc in incs
    ]
    return states, moves


def _presence(var: str) -> Formula:
    def decide(a: Assignment) -> bool | None:
        got = a.get(var)
        return None if got is None else bool(got)

    return Atom((var,), decide, lambda a: var)


def _total(var: str, pred: Predicate) -> Formula:
    test, equals, t = pred.test, pred.equals, pred.threshold

    def decide(a: Assignment) -> bool | None:
        got = a.get(var)
        if got is None:
            return None
        lo, hi = got
        if equals:
            if lo == hi:
                return bool(lo == t)
            return None if lo <= t <= hi else False
        at_low, at_high = test(lo), test(hi)
        return at_low if at_low == at_high else None

    return Atom((var,), decide, lambda a: var)


def _guarded_group(asked: Formula, body: Formula, empty: bool) -> Formula:
    if empty:
        return disj(neg(asked), guarded(asked, body))
    return guarded(asked, body)


_TESTS: dict[str, Callable[[float, float], bool]] = {
    "ge": lambda x, t: x >= t,
    "gt": lambda x, t: x > t,
    "le": lambda x, t: x <= t,
    "lt": lambda x, t: x < t,
    "equals": lambda x, t: x == t,
}


# --- building ------------------------------------------------------------------------------------


def quantifiers_over(protocol: Protocol, gid: str) -> list[Quantifier]:
    """Every quantifier over `gid` in the protocol's conditions (item conditions included)."""
    roots = [cond for _, cond, owner in all_conditions(protocol) if owner != "context"]
    for g in protocol.groups:
        roots += [q.ask_if for q in g.questions if q.ask_if is not None]
        for f in g.derived:
            if isinstance(f, BooleanFact):
                roots.append(f.condition)
            elif f.applies_if is not None:
                roots.append(f.applies_if)
    found: dict[str, Quantifier] = {}
    for root in roots:
        for node in walk(root):
            if isinstance(node, (Some, Every, Count)) and _spec(node).group == gid:
                found.setdefault(node.model_dump_json(), node)
    return list(found.values())


class _Rewriter:
    """`item:` to the item scope's names; child-level tests to context booleans."""

    def __init__(self, version: int, group: GroupQuestion, contexts: list[tuple[int, Condition]]):
        self.version = version
        self.questions = {q.id for q in group.questions}
        self.facts = {f.id for f in group.derived}
        self.contexts = contexts
        self.keys = {(v, c.model_dump_json()): i for i, (v, c) in enumerate(contexts)}

    def context(self, node: Condition) -> Compare:
        key = (self.version, node.model_dump_json())
        if key not in self.keys:
            self.keys[key] = len(self.contexts)
            self.contexts.append((self.version, node))
        return Compare(question=f"ctx--{self.keys[key]}", equals=True)

    def cond(self, c: Condition) -> Condition:
        match c:
            case AllOf(all=parts):
                return AllOf(all=tuple(self.cond(p) for p in parts))
            case AnyOf(any=parts):
                return AnyOf(any=tuple(self.cond(p) for p in parts))
            case Not(not_=inner):
                return Not(not_=self.cond(inner))
            case Compare() if c.item is not None and c.operator == "known":
                raise NotAnalysable(f"`known:` on the item answer {c.item!r}")
            case Compare() if c.item is not None:
                data = c.model_dump(exclude_none=True, by_alias=True)
                data.pop("item")
                subject = "question" if c.item in self.questions else "fact"
                return Compare.model_validate({subject: c.item, **data})
        return self.context(c)

    def expr(self, e: Expr) -> Expr:
        if isinstance(e, Ref):
            if e.item is None:
                raise NotAnalysable("an item fact computed from a child-level number")
            subject = "question" if e.item in self.questions else "fact"
            return Ref.model_validate({subject: e.item})
        if isinstance(e, (int, float)):
            return e
        if isinstance(e, Add):
            return Add(add=tuple(self.expr(p) for p in e.add))
        if isinstance(e, Sub):
            return Sub(sub=(self.expr(e.sub[0]), self.expr(e.sub[1])))
        if isinstance(e, Mul):
            return Mul(mul=(self.expr(e.mul[0]), e.mul[1]))
        if isinstance(e, Div):
            return Div(div=(self.expr(e.div[0]), e.div[1]))
        raise NotAnalysable(f"an expression {e!r}")  # pragma: no cover


def build_group(
    gid: str,
    versions: list[tuple[int, Protocol, GroupQuestion]],
    notes: list[str],
    deadline: float | None = None,
) -> Domain:
    """The group's kinds (searching its item space once) and its predicates, as a Domain.
    `deadline` (time.monotonic) is the analysis's own: past it TooLarge is raised."""
    from bruising_check.analysis.build import Usage, _record, build_domain

    groups = [g for _, _, g in versions]
    lo, hi = max(g.min_items for g in groups), min(g.max_items for g in groups)
    if len({(g.min_items, g.max_items) for g in groups}) > 1:
        notes.append(f"{gid}: numbers of items differ; compared over {lo}–{hi} items")
    if lo > hi:
        raise NotAnalysable(f"no number of {gid} items both protocols accept")
    contexts: list[tuple[int, Condition]] = []
    scopes: list[tuple[int, ItemScope, list[Quantifier]]] = []
    for v, protocol, group in versions:
        rw = _Rewriter(v, group, contexts)
        questions = [
            q.model_copy(update={"ask_if": rw.cond(q.ask_if)}) if q.ask_if is not None else q
            for q in group.questions
        ]
        derived: list[Any] = []
        for f in group.derived:
            if isinstance(f, BooleanFact):
                derived.append(f.model_copy(update={"condition": rw.cond(f.condition)}))
            else:
                gate = rw.cond(f.applies_if) if f.applies_if is not None else None
                derived.append(f.model_copy(update={"applies_if": gate, "value": rw.expr(f.value)}))
        quants = quantifiers_over(protocol, gid)
        wheres = [rw.cond(_spec(q).where) for q in quants]
        scopes.append((v, ItemScope(questions, derived, wheres), quants))
    if len(contexts) > MAX_CONTEXT:
        raise NotAnalysable(
            f"{len(contexts)} child-level tests inside the item conditions of {gid}"
            f" (at most {MAX_CONTEXT})"
        )
    ctx_questions = [
        BooleanQuestion(id=f"ctx--{i}", prompt="context", type="boolean")
        for i in range(len(contexts))
    ]
    # The item space: context booleans, then the item questions matched by id across versions.
    usage: dict[str, Usage] = {}
    item_versions: dict[str, list[Any]] = {}
    order: list[str] = []
    for _, scope, _ in scopes:
        conds: list[Condition] = list(scope.wheres)
        conds += [q.ask_if for q in scope.questions if q.ask_if is not None]
        for f in scope.derived:
            if isinstance(f, BooleanFact):
                conds.append(f.condition)
            elif f.applies_if is not None:
                conds.append(f.applies_if)
        kinds_of = {q.id: q for q in scope.questions}
        for cond in conds:
            for cmp in comparisons(cond):
                q = kinds_of.get(cmp.question or "")
                if q is not None and q.type in ("single_choice", "multiple_choice"):
                    _record(usage.setdefault(q.id, Usage()), cmp)
        for q in scope.questions:
            if q.id not in item_versions:
                item_versions[q.id] = []
                order.append(q.id)
            elif item_versions[q.id][0].type != q.type:
                raise NotAnalysable(f"{gid}.{q.id} has different types in the two protocols")
            item_versions[q.id].append(q)
    domains: dict[str, Domain] = {}
    for q in ctx_questions:
        domains[q.id] = Domain(q.id, "boolean", var_names=(q.id,))
    for qid in order:
        domains[qid] = build_domain(f"{qid}", item_versions[qid], usage.get(qid), notes)
    space = Space(domains, (*(q.id for q in ctx_questions), *order))
    # Predicates: each version's quantifiers (their `where`, and the summed field's value).
    formulas: list[Formula] = []
    weight_specs: list[tuple[int, list[Formula], Formula, int]] = []
    weight_where: list[int] = []
    info = GroupInfo(gid, groups[0].item_label, lo, hi, contexts)
    compilers = []
    for v, scope, quants in scopes:
        scope.questions = ctx_questions + scope.questions
        c = Compiler(scope, space)
        compilers.append(c)
        for q, where in zip(quants, scope.wheres, strict=True):
            spec = _spec(q)
            formulas.append(c.condition(where))
            weight: int | None = None
            if isinstance(spec, CountOf) and spec.sum is not None:
                weight = len(weight_specs)
                weight_specs.append(_weight_spec(c, scope, spec, gid))
                weight_where.append(len(formulas) - 1)
            if isinstance(spec, CountOf):
                op, t = spec.operator, float(spec.operand)
            else:
                op, t = ("ge", 1.0) if isinstance(q, Some) else ("le", 0.0)
            test = _bind(_TESTS[op], t)
            info.predicates[(v, q.model_dump_json())] = Predicate(
                test=test,
                empty=test(0),
                where=len(formulas) - 1,
                negate=isinstance(q, Every),
                weight=weight,
                threshold=t,
                equals=op == "equals",
                presence=not isinstance(spec, CountOf),
                label=describe(spec.where),
                sum_field=spec.sum if isinstance(spec, CountOf) else None,
            )
        for qid in order:
            c.asked(qid)
    asked = {qid: disj(*(c.asked(qid) for c in compilers if qid in c.questions)) for qid in order}
    asked.update({q.id: TRUE for q in ctx_questions})
    explorer = Explorer(space, asked, MAX_ITEM_NODES)
    every_formula = formulas + [f for _, fs, unasked, _ in weight_specs for f in (*fs, unasked)]
    ctx_vars = [q.id for q in ctx_questions]

    def decide(a: Assignment, hint: Any) -> Split | Leaf:
        for var in ctx_vars:
            if var not in a:
                return Split(var)
        # A formula decided here stays decided below (cells only shrink): the children look
        # only at the ones still open, and carry the values found so far (the hint), so a leaf
        # has every value without evaluating any formula again.
        need: list[str] = []
        still: list[int] = []
        if hint is None:
            open_: Iterable[int] = range(len(every_formula))
            values: list[bool | None] = [None] * len(every_formula)
        else:
            open_, known = hint
            values = list(known)
        for i in open_:
            v = evaluate(every_formula[i], a, need)
            if v is None:
                still.append(i)
            else:
                values[i] = v
        if still:
            return Split(space.pick(need), (tuple(still), tuple(values)))
        return Leaf(tuple(values[: len(formulas)]))

    cache_key = _item_key(scopes, len(contexts))
    cached = _ITEM_CACHE.get(cache_key)
    if cached is None:
        explorer.deadline = deadline
        try:
            leaves = list(explorer.explore(decide))
        except TooLarge as exc:
            if exc.nodes <= explorer.max_nodes:
                raise  # the analysis's own time or memory budget: say so, not "not analysable"
            raise NotAnalysable(f"the items of {gid} ({exc})") from exc
        by_key: dict[tuple[Any, ...], Kind] = {}
        for a, got, size in leaves:
            s = sum(1 << i for i, var in enumerate(ctx_vars) if a[var])
            if None in got:  # pragma: no cover - decided at an ancestor, so decided here
                raise NotAnalysable(f"an item condition of {gid} left undecided")
            truths = tuple(bool(v) for v in got)
            # The summed value matters only for items the count's `where` takes.
            weights = tuple(
                _weight_of(a, spec) if truths[w] else (0, 0)
                for spec, w in zip(weight_specs, weight_where, strict=True)
            )
            key = (s, truths, weights)
            if key in by_key:
                by_key[key].size += size
                continue
            example = explorer.example(a, order)
            by_key[key] = Kind(s, truths, weights, size, example)
        cached = tuple((k.context, k.truths, k.weights, k.size, k.example) for k in by_key.values())
        if ITEM_CACHE_SIZE > 0:
            if len(_ITEM_CACHE) >= ITEM_CACHE_SIZE:
                del _ITEM_CACHE[next(iter(_ITEM_CACHE))]
            _ITEM_CACHE[cache_key] = cached
    by_key = {(c, t, w): Kind(c, t, w, size, dict(example)) for c, t, w, size, example in cached}
    for i, k in enumerate(by_key.values()):
        k.var = f"{gid}#{i}"
        info.kinds.append(k)
    # Presence variables: one per (context, set of kinds) a `some` or `every` looks at.
    by_set: dict[tuple[int, frozenset[str]], str] = {}
    label = groups[0].item_label
    for p in info.predicates.values():
        if not p.presence:
            continue
        for s in range(1 << len(contexts)):
            members = frozenset(
                k.var for k in info.kinds if k.context == s and k.truths[p.where] != p.negate
            )
            if not members:
                p.variables[s] = None
                continue
            if (s, members) not in by_set:
                var = f"{gid}?{len(by_set)}"
                by_set[(s, members)] = var
                if p.negate:
                    yes, no = f"not every {label} has ({p.label})", f"every {label} has ({p.label})"
                else:
                    yes, no = f"some {label} has ({p.label})", f"no {label} has ({p.label})"
                info.presence[var] = Presence(s, members, yes, no)
            p.variables[s] = by_set[(s, members)]
    # Totals: one per (context, kinds and their wmap) a `count` looks at.
    by_weights: dict[tuple[int, frozenset[tuple[str, int]], int], str] = {}
    for p in info.predicates.values():
        if p.presence:
            continue
        cap = max(0, math.floor(p.threshold)) + 1
        for s in range(1 << len(contexts)):
            wmap = {
                k.var: min(cap, _weight(k, p)[0])
                for k in info.kinds
                if k.context == s and k.truths[p.where] and _weight(k, p)[1] > 0
            }
            if not wmap:
                p.variables[s] = None
                continue
            tkey = (s, frozenset(wmap.items()), cap)
            if tkey not in by_weights:
                var = f"{gid}+{len(by_weights)}"
                by_weights[tkey] = var
                what = f"the total {p.sum_field} of" if p.sum_field else "the number of"
                text = f"{what} {label}s with ({p.label})"
                info.totals[var] = Total(s, wmap, cap, text)
            p.variables[s] = by_weights[tkey]
    return Domain(
        gid,
        "group",
        var_names=(*info.presence, *info.totals),
        lo=0,
        hi=hi,
        group=info,
    )


ITEM_CACHE_SIZE = 8
"""Item spaces kept (their kinds): a protocol with several groups of the same shape (or two
versions of one protocol) searches each shape once."""
_ITEM_CACHE: dict[str, tuple[tuple[Any, ...], ...]] = {}


_WORDING: Any = {
    "prompt": True,
    "help": True,
    "cite": True,
    "section": True,
    # `offered_if` only narrows what the guided check lists (an answer not offered is kept,
    # with a warning), so the analysis never reads it; it names child-level questions, which
    # would make identical groups of different copies look different.
    "options": {"__all__": {"label", "help", "offered_if"}},
}
"""What a person reads, not what the analysis looks at: left out of the item-space key."""


def _item_key(scopes: list[tuple[int, ItemScope, list[Quantifier]]], n_contexts: int) -> str:
    """Everything the item search and its kinds depend on, without the group's id."""
    parts: list[Any] = [n_contexts]
    for v, scope, quants in scopes:
        parts.append(
            [
                v,
                [q.model_dump_json(exclude=_WORDING) for q in scope.questions],
                [f.model_dump_json() for f in scope.derived],
                [w.model_dump_json() for w in scope.wheres],
                [
                    (type(q).__name__, _spec(q).model_dump_json(exclude={"group", "where"}))
                    for q in quants
                ],
            ]
        )
    return json.dumps(parts)


def _weight(k: Kind, p: Predicate) -> tuple[int, int]:
    return (1, 1) if p.weight is None else k.weights[p.weight]


def _bind(fn: Callable[[float, float], bool], t: float) -> Callable[[float], bool]:
    return lambda x: fn(x, t)


def _weight_spec(
    c: Compiler, scope: ItemScope, spec: CountOf, gid: str
) -> tuple[int, list[Formula], Formula, int]:
    """Formulas `field ≤ k` for k = 0..T (T the whole part of the threshold) and `not answered`:
    together they give each kind the summed field's value, exactly up to T, else 'above T'."""
    field_id = str(spec.sum)
    q = next((x for x in scope.questions if x.id == field_id), None)
    if not isinstance(q, NumberQuestion) or not q.integer or q.min < 0:
        raise NotAnalysable(
            f"`sum: {field_id}` over {gid}: only whole-number item questions of at least 0"
            " are analysed"
        )
    top = max(0, math.floor(spec.operand))
    le = [c.condition(Compare(question=field_id, le=float(k))) for k in range(top + 1)]
    unasked = c.condition(Compare(question=field_id, answered=False))
    return top, le, unasked, int(q.max)


def _weight_of(a: Assignment, spec: tuple[int, list[Formula], Formula, int]) -> tuple[int, int]:
    top, le, unasked, most = spec
    if evaluate(unasked, a, []):
        return 0, 0
    for k, f in enumerate(le):
        if evaluate(f, a, []):
            return k, k
    return top + 1, max(top + 1, most)
