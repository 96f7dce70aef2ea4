"""The lazy pass (`compiled._ProbeProgram.run_pass`) as generated Python, for replaying cases.

`diff --cases` runs every case through the lazy pass of two protocols. The closures of
`compiled._probe` cost a call, a tuple unpack and a dict look-up per condition node; here the
same pass is written out once per protocol as straight-line source: the questions in order, each
group's items as a dict display, the rules an if / elif chain, the quantifiers as loops, a fact
a function whose value is kept in a slot of the case's list `S` (computed only when a condition
reaches it, as the probe computes it). It runs two-valued first (`cond2`: `and`, `or`, `not`
over answers with no unknown in reach) and gives way to the same pass written three-valued
(`cond`: 0 / 1 / 2 in if / while blocks) when a leaf meets an unknown.

It mirrors `run_pass` step for step (the same order, the same scopes, what a fact not yet
computed reads as, the same bounds) and returns the same `LazyPass`; tests/test_compiled_replay.py
compares the two, and both with the engine.

Safety: no text from the protocol is ever put into the source. Every id, option, string, number
and object the code needs is a constant `c<N>` bound in the namespace the code runs in; the only
names in the source are ones made here (`v3`, `t12`, `F4`). A construct this does not write out
(or a protocol whose code would not compile, e.g. nested too deeply) leaves the whole protocol
to the closures (`generated_pass` returns None), so behaviour never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bruising_check.engine import compiled as cm
from bruising_check.engine.evaluate import groups_used
from bruising_check.engine.evaluate import operand as _ref
from bruising_check.engine.urgency import Outcome, most_urgent, urgency_key
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
)
from bruising_check.protocol.model import Add, BooleanFact, Div, Expr, Mul, Pathway, Ref, Sub

if TYPE_CHECKING:
    from bruising_check.engine.compiled import LazyPass, _ProbeProgram

__all__ = ["generated_pass"]

PassFn = Callable[[Mapping[str, Any]], "tuple[LazyPass, bool]"]
MAX_LINES = 20_000  # beyond this the closures are kept (a protocol far larger than any in use)
HONOURED_KEPT = 4096
_M = object()  # "not computed yet" (a fact, an item fact, a group's items)


_ORDER = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class _Unsupported(Exception):
    """A construct the generator does not write out: the closures replay the protocol."""


# --- helpers the generated code calls (names made here) -------------------------------------


def _rows(raw: Any, n: int) -> list[tuple[Any, list[Any]]] | None:
    """A group's items as the probe reads them, each with room for its item facts."""
    if raw is UNKNOWN:
        return None
    return [(x, [_M] * n) for x in raw or ()]


def _known(value: Any, where: Mapping[str, Any], subject: str, want: bool) -> int:
    """`compiled._known_test` on a value already read."""
    if value is UNKNOWN and subject in where.get(MAYBE_ASKED_KEYS, ()):
        return 1
    if value is UNKNOWN:
        was_unknown = subject not in where.get(PENDING_KEYS, ())
    else:
        was_unknown = value is not None and subject in where.get(UNKNOWN_KEYS, ())
    return 2 if (not was_unknown) == want else 0


def _add(parts: tuple[Any, ...]) -> Any:
    if any(p is None for p in parts):
        return None
    if any(p is UNKNOWN for p in parts):
        return UNKNOWN
    return sum(parts)


def _sub(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    return a - b


def _mul(a: Any, k: Any) -> Any:
    return a if a is None or a is UNKNOWN else a * k


def _div(a: Any, k: Any) -> Any:
    return a if a is None or a is UNKNOWN else a / k


def _count_result(low: float, high: float, op: str, bound: Any) -> int:
    """The end of `compiled._probe`'s count: does [low, high] satisfy the bound."""
    holds: Callable[[float], bool] = {
        "ge": lambda v: v >= bound,
        "gt": lambda v: v > bound,
        "le": lambda v: v <= bound,
        "lt": lambda v: v < bound,
    }.get(op, lambda v: v == bound)
    at_low, at_high = holds(low), holds(high)
    if op == "equals":
        if low == high:
            return 2 if at_low else 0
        return 1 if low <= bound <= high else 0
    if at_low == at_high:
        return 2 if at_low else 0
    return 1


class _Three(Exception):
    """A leaf of the two-valued code met an unknown: the three-valued code decides. A new
    instance each time (one raised again would keep every earlier traceback)."""


def _bail() -> Any:
    raise _Three


def _known2(value: Any, where: Mapping[str, Any], subject: str, want: bool) -> bool:
    t = _known(value, where, subject, want)
    if t == 1:
        raise _Three
    return t == 2


def _count2(amounts: list[Any], op: str, bound: Any) -> bool:
    """A count (or sum) over the items where the condition holds, none unknown."""
    total = 0.0
    for n in amounts:
        if n is None:
            n = 0
        if n is UNKNOWN:
            raise _Three
        total += n
    return _count_result(total, total, op, bound) == 2


def _finish(
    highs: list[Outcome],
    lows: list[Outcome],
    sure: int,
    floors: int,
    listed: tuple[Pathway, ...],
    kept: dict[tuple[int, int, int], tuple[Any, Any, Outcome]],
) -> tuple[Outcome, Outcome]:
    """The end of `run_pass`: the bounds with the invariants honoured. `sure` and `floors`
    are bit masks over `listed` (the invariants' floors, in order): the invariants that hold,
    and those that may hold."""
    if not floors and len(highs) == 1:
        upper = highs[0]  # (what `most_urgent` gives for one outcome)
    elif not floors:
        upper = most_urgent(highs)  # (`_honour` with no floors changes nothing)
    else:
        upper = most_urgent([_honoured3(c, floors, listed, kept) for c in highs])
    if not sure and len(lows) == 1:
        lower = lows[0]
    elif not sure:
        lower = min(lows, key=urgency_key)
    else:
        lower = min((_honoured3(c, sure, listed, kept) for c in lows), key=urgency_key)
    return upper, lower


def _honoured3(
    outcome: Outcome,
    mask: int,
    listed: tuple[Pathway, ...],
    kept: dict[tuple[int, int, int], tuple[Any, Any, Outcome]],
) -> Outcome:
    """`_honour(outcome, the floors of `listed` whose bit is set in mask, in order)`, kept per
    (pathway, follow-on, mask) up to `HONOURED_KEPT` of them. The three-valued code's
    outcomes are made afresh (`_follow`), so the key is the pathways' ids, and a kept result
    is used only when it was made for those very pathways."""
    first, then = outcome
    key = (id(first), id(then), mask)
    got = kept.get(key)
    if got is not None and got[0] is first and got[1] is then:
        return got[2]
    made = cm._honour(outcome, [f for bit, f in enumerate(listed) if mask >> bit & 1])
    if len(kept) < HONOURED_KEPT:
        kept[key] = (first, then, made)
    return made


def _honoured(
    outcome: Outcome, mask: int, floors: tuple[Pathway, ...], kept: dict[tuple[int, int], Outcome]
) -> Outcome:
    """`_honour(outcome, the floors whose bit is set in mask, in order)`, kept per outcome
    (one of the generated code's constants, so its id is stable) and mask, up to
    `HONOURED_KEPT` of them (memory stays bounded whatever the number of invariants)."""
    key = (id(outcome), mask)
    got = kept.get(key)
    if got is None:
        chosen = [f for bit, f in enumerate(floors) if mask >> bit & 1]
        got = cm._honour(outcome, chosen)
        if len(kept) < HONOURED_KEPT:
            kept[key] = got
    return got


def _follow(pathway: Pathway, highs: list[Outcome], lows: list[Outcome]) -> tuple[Outcome, Outcome]:
    """A first step's outcome bounds, the follow-ons the rules below it gave."""
    return (pathway, most_urgent(highs)[0]), (pathway, min(lows, key=urgency_key)[0])


# --- the generator --------------------------------------------------------------------------


class _Sc:
    """`compiled._Scope` for the generator: the facts a condition sees, and in a group the item
    facts and the names of the item's variables."""

    def __init__(
        self,
        facts: frozenset[str] | None,
        group: str | None = None,
        item_facts: frozenset[str] = frozenset(),
        item: tuple[str, str] | None = None,
    ) -> None:
        self.facts = facts
        self.group = group
        self.item_facts = item_facts
        self.item = item  # (item dict, item-fact row) variable names


class _Block:
    """One generated function over `values` (three-valued or two-valued): the list `S` its
    module-level helpers share (S[0] the values, then the values read, the facts and the
    groups' items as computed)."""

    def __init__(self) -> None:
        self.slots: list[str] = ["values"]
        self.index: dict[Any, int] = {}
        self.facts: dict[str, tuple[int, str]] = {}
        self.item_facts: dict[tuple[str, str], str] = {}
        self.lists: dict[str, tuple[int, str]] = {}  # the two-valued code's item readers

    def slot(self, key: Any, initial: str) -> int:
        if key not in self.index:
            self.index[key] = len(self.slots)
            self.slots.append(initial)
        return self.index[key]

    def text(self, name: str, body: list[str]) -> list[str]:
        return [
            f"def {name}(values):",
            "    _g = values.get",
            f"    S = [{', '.join(self.slots)}]",
            *("    " + line for line in body),
        ]


class _Gen:
    def __init__(self, lazy: _ProbeProgram) -> None:
        self.top2: list[str] = []
        self.top3: list[str] = []
        self.lazy = lazy
        self.protocol = lazy.program.protocol
        self.consts: list[Any] = []
        self.n = 0
        self.order = [f.id for f in self.protocol.derived]
        self.derived = {f.id: f for f in self.protocol.derived}
        self.group_derived = {g.id: [f.id for f in g.derived] for g in self.protocol.groups}
        self.group_facts = {g.id: {f.id: f for f in g.derived} for g in self.protocol.groups}
        settle: dict[str, int] = {}

        for k, f in enumerate(self.protocol.derived):
            cond = f.condition if isinstance(f, BooleanFact) else f.applies_if
            for gid in groups_used(cond):
                settle.setdefault(gid, k)
        self.seen = {
            g.id: frozenset(self.order[: settle.get(g.id, len(self.order))])
            for g in self.protocol.groups
        }

    def c(self, value: Any) -> str:
        self.consts.append(value)
        return f"c{len(self.consts) - 1}"

    def tmp(self, prefix: str = "t") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    # -- reading a subject

    def child(self, b: _Block, subject: str, sc: _Sc, out: list[str], p: str, arith: bool) -> str:
        absent = "_U" if arith else "None"
        if subject in self.lazy.fact_ids:
            if sc.facts is None or subject not in sc.facts:
                return absent
            k, f = self.fact(b, subject)
            x = self.tmp("x")
            out.append(f"{p}{x} = S[{k}] if S[{k}] is not _M else {f}(S)")
            return x
        c = self.c(subject)
        k = b.slot(("value", subject, arith), f"_g({c}, _U)" if arith else f"_g({c})")
        return f"S[{k}]"

    def item(self, b: _Block, subject: str, sc: _Sc, out: list[str], p: str, arith: bool) -> str:
        absent = "_U" if arith else "None"
        if sc.group is None or sc.item is None:
            raise _Unsupported  # `item:` outside a group (the validator forbids it)
        it, row = sc.item
        if subject in self.lazy.all_item_facts[sc.group]:
            if subject not in sc.item_facts:
                return absent
            j = self.group_derived[sc.group].index(subject)
            g = self.item_fact(b, sc.group, subject)
            x = self.tmp("x")
            out.append(f"{p}{x} = {row}[{j}]")
            out.append(f"{p}if {x} is _M: {x} = {g}(S, {it}, {row})")
            return x
        x = self.tmp("x")
        c = self.c(subject)
        out.append(f"{p}{x} = {it}.get({c}, _U)" if arith else f"{p}{x} = {it}.get({c})")
        return x

    def fact_scope(self, fid: str) -> _Sc:
        """What a fact's own condition sees: the facts before it."""
        return _Sc(frozenset(self.order[: self.order.index(fid)]))

    def item_fact_scope(self, gid: str, fid: str) -> tuple[int, _Sc]:
        """An item fact's place in its item's row, and what its condition sees: the protocol's
        facts settled before the group, and the item facts before it."""
        j = self.group_derived[gid].index(fid)
        done = frozenset(self.group_derived[gid][:j])
        return j, _Sc(self.seen[gid], gid, done, ("it", "row"))

    def fact(self, b: _Block, fid: str) -> tuple[int, str]:
        """A fact's slot and module-level function (written on first use)."""
        if fid in b.facts:
            return b.facts[fid]
        k = b.slot(("fact", fid), "_M")
        name = self.tmp("F")
        b.facts[fid] = (k, name)
        body: list[str] = []
        r = self.fact_value(b, self.derived[fid], self.fact_scope(fid), body, "    ")
        self.top3 += [f"def {name}(S):", *body, f"    S[{k}] = {r}", f"    return {r}"]
        return k, name

    def item_fact(self, b: _Block, gid: str, fid: str) -> str:
        key = (gid, fid)
        if key in b.item_facts:
            return b.item_facts[key]
        name = self.tmp("G")
        b.item_facts[key] = name
        j, sc = self.item_fact_scope(gid, fid)
        body: list[str] = []
        r = self.fact_value(b, self.group_facts[gid][fid], sc, body, "    ")
        self.top3 += [f"def {name}(S, it, row):", *body, f"    row[{j}] = {r}", f"    return {r}"]
        return name

    def fact_value(self, b: _Block, f: Any, sc: _Sc, out: list[str], p: str) -> str:
        r = self.tmp("r")
        if isinstance(f, BooleanFact):
            t = self.cond(b, f.condition, sc, out, p)
            out.append(f"{p}{r} = _U if {t} == 1 else {t} == 2")
            return r
        if f.applies_if is None:
            out.append(f"{p}{r} = {self.expr(b, f.value, sc, out, p)}")
            return r
        g = self.cond(b, f.applies_if, sc, out, p)
        out.append(f"{p}if {g} == 0:")
        out.append(f"{p}    {r} = None")
        out.append(f"{p}else:")
        n = self.expr(b, f.value, sc, out, p + "    ")
        out.append(f"{p}    {r} = _U if {g} == 1 and {n} is not None else {n}")
        return r

    def expr(self, b: _Block, e: Expr, sc: _Sc, out: list[str], p: str) -> str:
        match e:
            case bool():
                raise _Unsupported
            case int() | float():
                return self.c(e)
            case Ref():
                if e.item is not None:
                    x = self.item(b, e.subject, sc, out, p, arith=True)
                else:
                    x = self.child(b, e.subject, sc, out, p, arith=True)
                y = self.tmp("y")
                out.append(f"{p}{y} = _ref({x}, {self.c(e.subject)})")
                return y
            case Add(add=parts):
                names = [self.expr(b, q, sc, out, p) for q in parts]
                y = self.tmp("y")
                out.append(f"{p}{y} = _add(({''.join(n + ', ' for n in names)}))")
                return y
            case Sub(sub=(x1, x2)):
                a, c = self.expr(b, x1, sc, out, p), self.expr(b, x2, sc, out, p)
                y = self.tmp("y")
                out.append(f"{p}{y} = _sub({a}, {c})")
                return y
            case Mul(mul=(x1, k)):
                a = self.expr(b, x1, sc, out, p)
                y = self.tmp("y")
                out.append(f"{p}{y} = _mul({a}, {self.c(k)})")
                return y
            case Div(div=(x1, k)):
                a = self.expr(b, x1, sc, out, p)
                y = self.tmp("y")
                out.append(f"{p}{y} = _div({a}, {self.c(k)})")
                return y
        raise _Unsupported

    # -- conditions: each leaves 0 / 1 / 2 in a variable it names

    def items_of(self, b: _Block, gid: str, sc: _Sc, out: list[str], p: str) -> str:
        raw = self.child(b, gid, _Sc(None), out, p, arith=False)
        k = b.slot(("rows", gid), "_M")
        n = len(self.group_derived.get(gid, ()))
        out.append(f"{p}if S[{k}] is _M: S[{k}] = _rows({raw}, {n})")
        return f"S[{k}]"

    def inner(self, sc: _Sc, gid: str) -> _Sc:
        if sc.group is not None or sc.facts is None:
            raise _Unsupported  # a quantifier in an item fact or a plain-values scope
        if gid not in self.lazy.all_item_facts:
            raise _Unsupported
        return _Sc(sc.facts, gid, self.lazy.all_item_facts[gid], (self.tmp("it"), self.tmp("row")))

    def cond(self, b: _Block, node: Condition, sc: _Sc, out: list[str], p: str) -> str:
        q = p + "    "
        r = self.tmp()
        match node:
            case AllOf(all=parts) | AnyOf(any=parts):
                every = isinstance(node, AllOf)
                out.append(f"{p}{r} = {2 if every else 0}")
                out.append(f"{p}while True:")
                for part in parts:
                    t = self.cond(b, part, sc, out, q)
                    out.append(f"{q}if {t} {'<' if every else '>'} {r}:")
                    out.append(f"{q}    {r} = {t}")
                    out.append(f"{q}    if {t} == {0 if every else 2}: break")
                out.append(f"{q}break")
                return r
            case Not(not_=inner):
                t = self.cond(b, inner, sc, out, p)
                out.append(f"{p}{r} = 2 - {t}")
                return r
            case Some(some=spec) | Every(every=spec):
                some = isinstance(node, Some)
                inner_sc = self.inner(sc, spec.group)
                listed = self.items_of(b, spec.group, sc, out, p)
                assert inner_sc.item is not None
                it, row = inner_sc.item
                out.append(f"{p}if {listed} is None:")
                out.append(f"{p}    {r} = 1")
                out.append(f"{p}else:")
                out.append(f"{q}{r} = {0 if some else 2}")
                out.append(f"{q}for {it}, {row} in {listed}:")
                w = self.cond(b, spec.where, inner_sc, out, q + "    ")
                out.append(f"{q}    if {w} {'>' if some else '<'} {r}:")
                out.append(f"{q}        {r} = {w}")
                out.append(f"{q}        if {w} == {2 if some else 0}: break")
                return r
            case Count(count=spec):
                inner_sc = self.inner(sc, spec.group)
                listed = self.items_of(b, spec.group, sc, out, p)
                assert inner_sc.item is not None
                it, row = inner_sc.item
                low, high, n = self.tmp("lo"), self.tmp("hi"), self.tmp("n")
                out.append(f"{p}if {listed} is None:")
                out.append(f"{p}    {r} = 1")
                out.append(f"{p}else:")
                out.append(f"{q}{r} = _M")
                out.append(f"{q}{low} = {high} = 0.0")
                out.append(f"{q}for {it}, {row} in {listed}:")
                qq = q + "    "
                w = self.cond(b, spec.where, inner_sc, out, qq)
                out.append(f"{qq}if {w} == 0: continue")
                if spec.sum is None:
                    out.append(f"{qq}{n} = 1")
                else:
                    got = self.item(b, spec.sum, inner_sc, out, qq, arith=False)
                    out.append(f"{qq}{n} = {got}")
                out.append(f"{qq}if {n} is None: {n} = 0")
                out.append(f"{qq}if {n} is _U:")
                out.append(f"{qq}    {r} = 1")
                out.append(f"{qq}    break")
                out.append(f"{qq}if {w} == 2:")
                out.append(f"{qq}    {low} += {n}")
                out.append(f"{qq}    {high} += {n}")
                out.append(f"{qq}else:")
                out.append(f"{qq}    {low}, {high} = {low} + min(0, {n}), {high} + max(0, {n})")
                op, bound = self.c(spec.operator), self.c(spec.operand)
                out.append(f"{q}if {r} is _M: {r} = _count_result({low}, {high}, {op}, {bound})")
                return r
            case RoleIs():
                out.append(f"{p}{r} = 1")
                return r
            case Compare():
                return self.compare(b, node, sc, out, p, r)
        raise _Unsupported

    def compare(self, b: _Block, cmp: Compare, sc: _Sc, out: list[str], p: str, r: str) -> str:
        on_item = cmp.item is not None
        if on_item and sc.group is None:
            raise _Unsupported
        if on_item:
            x = self.item(b, cmp.subject, sc, out, p, arith=False)
        else:
            x = self.child(b, cmp.subject, sc, out, p, arith=False)
        op, operand = cmp.operator, cmp.operand
        if op == "known":
            where = "S[0]" if not on_item else (sc.item or ("", ""))[0]
            subject, want = self.c(cmp.subject), bool(operand)
            out.append(f"{p}{r} = _known({x}, {where}, {subject}, {want})")
            return r
        check = self.c(cm._op(cmp))
        if op == "is_true" or (op == "equals" and operand is True):
            out.append(
                f"{p}{r} = 2 if {x} is True else 0 if {x} is False or {x} is None"
                f" else 1 if {x} is _U else {check}({x})"
            )
            return r
        texts: frozenset[str] | None = None
        if op == "equals" and type(operand) is str:
            texts = frozenset((operand,))
        elif op == "in" and all(type(o) is str for o in operand):
            texts = frozenset(operand)
        if texts is not None:
            if len(texts) == 1:
                test = f"{x} == {self.c(next(iter(texts)))}"
            else:
                test = f"{x} in {self.c(texts)}"
            out.append(f"{p}{r} = (2 if {test} else 0) if type({x}) is str else {check}({x})")
            return r
        out.append(f"{p}{r} = {check}({x})")
        return r

    # -- two-valued: the same conditions over answers with no unknown in reach
    # A condition none of whose leaves reads an unknown (nor a group not known, a role, a count
    # over an unknown amount) is true or false, and its three-valued value is 2 or 0: then
    # `and`, `or`, `not`, `any` and `all` in the same order give it, stopping where `evaluate`
    # stops. A leaf that would give 1 raises `_Three` (`_bail`) and the three-valued code runs
    # instead, from the start; up to that leaf both evaluated the same things in the same order.

    def get2(self, b: _Block, cmp_item: bool, subject: str, sc: _Sc, arith: bool) -> str:
        """An expression for the value (unknowns included) `child` / `item` would read."""
        absent = "_U" if arith else "None"
        if cmp_item:
            if sc.group is None or sc.item is None:
                raise _Unsupported
            it, row = sc.item
            if subject in self.lazy.all_item_facts[sc.group]:
                if subject not in sc.item_facts:
                    return absent
                j = self.group_derived[sc.group].index(subject)
                g = self.item_fact2(b, sc.group, subject)
                return f"({row}[{j}] if {row}[{j}] is not _M else {g}(S, {it}, {row}))"
            c = self.c(subject)
            return f"{it}.get({c}, _U)" if arith else f"{it}.get({c})"
        if subject in self.lazy.fact_ids:
            if sc.facts is None or subject not in sc.facts:
                return absent
            k, f = self.fact2(b, subject)
            return f"(S[{k}] if S[{k}] is not _M else {f}(S))"
        c = self.c(subject)
        k = b.slot(("value", subject, arith), f"_g({c}, _U)" if arith else f"_g({c})")
        return f"S[{k}]"

    def fact2(self, b: _Block, fid: str) -> tuple[int, str]:
        if fid in b.facts:
            return b.facts[fid]
        k = b.slot(("fact", fid), "_M")
        name = self.tmp("F")
        b.facts[fid] = (k, name)
        value = self.fact_value2(b, self.derived[fid], self.fact_scope(fid))
        self.top2 += [f"def {name}(S):", f"    S[{k}] = v = {value}", "    return v"]
        return k, name

    def item_fact2(self, b: _Block, gid: str, fid: str) -> str:
        key = (gid, fid)
        if key in b.item_facts:
            return b.item_facts[key]
        name = self.tmp("G")
        b.item_facts[key] = name
        j, sc = self.item_fact_scope(gid, fid)
        value = self.fact_value2(b, self.group_facts[gid][fid], sc)
        self.top2 += [f"def {name}(S, it, row):", f"    row[{j}] = v = {value}", "    return v"]
        return name

    def fact_value2(self, b: _Block, f: Any, sc: _Sc) -> str:
        if isinstance(f, BooleanFact):
            return f"bool({self.cond2(b, f.condition, sc)})"
        value = self.expr2(b, f.value, sc)
        if f.applies_if is None:
            return value
        return f"({value} if {self.cond2(b, f.applies_if, sc)} else None)"

    def expr2(self, b: _Block, e: Expr, sc: _Sc) -> str:
        match e:
            case bool():
                raise _Unsupported
            case int() | float():
                return self.c(e)
            case Ref():
                x = self.get2(b, e.item is not None, e.subject, sc, arith=True)
                return f"_ref({x}, {self.c(e.subject)})"
            case Add(add=parts):
                return f"_add(({''.join(self.expr2(b, q, sc) + ', ' for q in parts)}))"
            case Sub(sub=(x1, x2)):
                return f"_sub({self.expr2(b, x1, sc)}, {self.expr2(b, x2, sc)})"
            case Mul(mul=(x1, k)):
                return f"_mul({self.expr2(b, x1, sc)}, {self.c(k)})"
            case Div(div=(x1, k)):
                return f"_div({self.expr2(b, x1, sc)}, {self.c(k)})"
        raise _Unsupported

    def rows2(self, b: _Block, gid: str) -> str:
        """The group's items (memoised), or `_bail()` when the group is not known."""
        if gid not in b.lists:
            raw = self.get2(b, False, gid, _Sc(None), arith=False)
            k = b.slot(("rows", gid), "_M")
            n = len(self.group_derived.get(gid, ()))
            fn = self.tmp("R")
            self.top2 += [
                f"def {fn}(S):",
                f"    r = _rows({raw}, {n})",
                "    if r is None: _bail()",
                f"    S[{k}] = r",
                "    return r",
            ]
            b.lists[gid] = (k, fn)
        k, fn = b.lists[gid]
        return f"(S[{k}] if S[{k}] is not _M else {fn}(S))"

    def quantifier2(self, b: _Block, node: Some | Every | Count, sc: _Sc) -> str:
        """A quantifier as a function of its own (a loop; no generator per call)."""
        spec: Any = (
            node.some
            if isinstance(node, Some)
            else node.every
            if isinstance(node, Every)
            else node.count
        )
        inner_sc = self.inner(sc, spec.group)
        inner_sc.item = ("it", "row")
        rows = self.rows2(b, spec.group)
        where = self.cond2(b, spec.where, inner_sc)
        name = self.tmp("Q")
        lines = [f"def {name}(S, rows):"]
        if isinstance(node, Some):
            lines += [
                "    for it, row in rows:",
                f"        if {where}: return True",
                "    return False",
            ]
        elif isinstance(node, Every):
            lines += [
                "    for it, row in rows:",
                f"        if not {where}: return False",
                "    return True",
            ]
        else:
            assert isinstance(node, Count)
            amount = "1" if spec.sum is None else self.get2(b, True, spec.sum, inner_sc, False)
            op, bound = self.c(spec.operator), self.c(spec.operand)
            lines += [
                "    total = 0.0",
                "    for it, row in rows:",
                f"        if {where}:",
                f"            n = {amount}",
                "            if n is None: n = 0",
                "            if n is _U: _bail()",
                "            total += n",
                f"    return _count_result(total, total, {op}, {bound}) == 2",
            ]
        self.top2 += lines
        return f"{name}(S, {rows})"

    def cond2(self, b: _Block, node: Condition, sc: _Sc) -> str:
        match node:
            case AllOf(all=parts):
                return (
                    "(" + " and ".join(self.cond2(b, q, sc) for q in parts) + ")"
                    if parts
                    else "True"
                )
            case AnyOf(any=parts):
                return (
                    "(" + " or ".join(self.cond2(b, q, sc) for q in parts) + ")"
                    if parts
                    else "False"
                )
            case Not(not_=inner):
                return f"(not {self.cond2(b, inner, sc)})"
            case Some() | Every() | Count():
                return self.quantifier2(b, node, sc)
            case RoleIs():
                return "_bail()"
            case Compare():
                return self.compare2(b, node, sc)
        raise _Unsupported

    def compare2(self, b: _Block, cmp: Compare, sc: _Sc) -> str:
        on_item = cmp.item is not None
        if on_item and sc.group is None:
            raise _Unsupported
        got = self.get2(b, on_item, cmp.subject, sc, arith=False)
        op, operand = cmp.operator, cmp.operand
        if op == "known":
            where = "S[0]" if not on_item else (sc.item or ("", ""))[0]
            subject, want = self.c(cmp.subject), bool(operand)
            return f"_known2({got}, {where}, {subject}, {want})"
        if got == "_U":
            return "_bail()"
        check = self.c(cm._op(cmp))
        if got == "None":
            x, guard = "None", ""
        else:
            x = got if got.isidentifier() else self.tmp("x")
            bound = got if x == got else f"({x} := {got})"
            guard = f"_bail() if {bound} is _U else "
        if op == "is_true" or (op == "equals" and operand is True):
            test = f"{x} is True or ({x} is not False and {x} is not None and {check}({x}) == 2)"
        elif op == "equals" and type(operand) is str:
            # Only text is compared with the text: a list answer is a set of options to the
            # engine (the empty one equals any text operand), so anything else is `check`'s.
            test = f"{x} == {self.c(operand)} if type({x}) is str else {check}({x}) == 2"
        elif op == "in" and all(type(o) is str for o in operand):
            test = f"type({x}) is str and {x} in {self.c(frozenset(operand))}"
        elif op in _ORDER and type(operand) in (int, float):
            # `_op`'s `ordered`: None is false, anything else is `value <op> bound` (a value
            # that cannot be ordered raises the same TypeError there and here).
            test = f"{x} is not None and {x} {_ORDER[op]} {self.c(operand)}"
        elif op == "includes_any":
            # `set(value) & chosen`, as `_op`'s `includes` (the same TypeError for a value
            # that is not a collection of hashable options).
            test = f"{x} is not None and not {self.c(frozenset(operand))}.isdisjoint({x})"
        elif op == "includes_all":
            test = f"{x} is not None and {self.c(frozenset(operand))}.issubset({x})"
        elif op == "is_empty":
            test = f"{x} is not None and (len({x}) == 0) == {bool(operand)}"
        else:
            test = f"{check}({x}) == 2"
        return f"({guard}({test}))"

    # -- the whole pass

    def source(self) -> str:
        lazy = self.lazy
        program = lazy.program
        lines: list[str] = []
        # The outcome over the final values: rules (with follow-ons) and invariants.
        b = _Block()
        every = _Sc(frozenset(self.order))
        body = ["H = []", "Lo = []", "while True:"]
        rules = lazy.rules
        for i, (pathway, first_step, below, _when) in enumerate(rules):
            if pathway is None:
                continue
            t = self.cond(b, self.protocol.rules[i].when, every, body, "    ")
            body.append(f"    if {t} != 0:")
            if below and first_step:
                fh, fl = self.tmp("H"), self.tmp("L")
                body.append(f"        {fh} = []")
                body.append(f"        {fl} = []")
                body.append("        while True:")
                for j in range(i + 1, len(rules)):
                    pj, first_j, _, _ = rules[j]
                    if pj is None or first_j:
                        continue
                    tj = self.cond(b, self.protocol.rules[j].when, every, body, " " * 12)
                    cj = self.c((pj, None))
                    body.append(f"            if {tj} != 0:")
                    body.append(f"                {fh}.append({cj})")
                    body.append(f"                {fl}.append({cj})")
                    body.append(f"                if {tj} == 2: break")
                body.append(f"            {fh}.append(_NN)")
                body.append(f"            {fl}.append(_NN)")
                body.append("            break")
                hi, lo = self.tmp("o"), self.tmp("o")
                body.append(f"        {hi}, {lo} = _follow({self.c(pathway)}, {fh}, {fl})")
                body.append(f"        H.append({hi})")
                body.append(f"        Lo.append({lo})")
            else:
                cp = self.c((pathway, None))
                body.append(f"        H.append({cp})")
                body.append(f"        Lo.append({cp})")
            body.append(f"        if {t} == 2: break")
        body += ["    H.append(_NN)", "    Lo.append(_NN)", "    break", "SU = 0", "Fl = 0"]
        floors = [
            (floor, inv.when)
            for inv in self.protocol.invariants
            if (floor := self.protocol.pathway(inv.at_least)) is not None
        ]
        # The invariants that hold (SU) and that may hold (Fl), as bit masks over the floors.
        for bit, (_floor, inv_when) in enumerate(floors):
            t = self.cond(b, inv_when, every, body, "")
            body.append(f"if {t} == 2: SU |= {1 << bit}")
            body.append(f"if {t} != 0: Fl |= {1 << bit}")
        listed3 = self.c(tuple(floor for floor, _ in floors))
        body.append(f"return _finish(H, Lo, SU, Fl, {listed3}, {self.c({})})")
        lines += b.text("OUT3", body)
        # The same, two-valued (`cond2`): the first rule that holds, the invariants that hold.
        b2 = _Block()
        body = []
        word = "if"
        for i, (pathway, first_step, below, _) in enumerate(rules):
            if pathway is None:
                continue
            body.append(f"{word} {self.cond2(b2, self.protocol.rules[i].when, every)}:")
            word = "elif"
            if below and first_step:
                inner = "if"
                for j in range(i + 1, len(rules)):
                    pj, first_j, _, _ = rules[j]
                    if pj is None or first_j:
                        continue
                    body.append(
                        f"    {inner} {self.cond2(b2, self.protocol.rules[j].when, every)}:"
                    )
                    body.append(f"        o = {self.c((pathway, pj))}")
                    inner = "elif"
                if inner == "if":
                    body.append(f"    o = {self.c((pathway, None))}")
                else:
                    body.append("    else:")
                    body.append(f"        o = {self.c((pathway, None))}")
            else:
                body.append(f"    o = {self.c((pathway, None))}")
        if word == "if":
            body.append("o = _NN")
        else:
            body += ["else:", "    o = _NN"]
        # The invariants that hold, as a bit mask; the outcome they give is kept per outcome
        # and mask (a few hundred at most), as `_honour` would give it for those floors in order.
        body.append("FL = 0")
        for bit, (_floor, inv_when) in enumerate(floors):
            body.append(f"if {self.cond2(b2, inv_when, every)}: FL |= {1 << bit}")
        listed = self.c(tuple(floor for floor, _ in floors))
        body += [f"if FL: o = _honoured(o, FL, {listed}, {self.c({})})", "return o, o"]
        lines += b2.text("OUT2", body)
        # Each ask_if as a function of the answers so far (a fresh set of facts, as the probe
        # gives each one a fresh context).
        asks: dict[int, str] = {}
        for i, pq in enumerate(self.protocol.questions):
            if pq.ask_if is None:
                continue
            env = program.questions[i].ask_env
            b = _Block()
            body = []
            seen = every if env else _Sc(None)
            t = self.cond(b, pq.ask_if, seen, body, "")
            body.append(f"return {t}")
            asks[i] = name = self.tmp("A")
            lines += b.text(name + "_3", body)
            b2 = _Block()
            lines += b2.text(name + "_2", [f"return {self.cond2(b2, pq.ask_if, seen)}"])
        # Groups none of whose questions has an ask_if: their items as dict displays.
        plain: dict[str, str] = {}
        for gid, (fields, required) in lazy.plain_items.items():
            name = plain[gid] = self.tmp("I")
            shown = ", ".join(
                f"{self.c(qid)}: given.get({self.c(qid)}, {self.c(fb)})" for qid, fb in fields
            )
            ids = [qid for qid, _ in fields]
            lines += [
                f"def {name}(raw):",
                "    items = []",
                "    short = False",
                "    for given in raw:",
            ]
            if len(set(ids)) == len(ids):
                # Answers to this group's questions only (no marks): each question's answer,
                # else its fallback, in the questions' order; the same mapping as the display
                # below, made by copying the fallbacks and then the answers over them.
                fallbacks = self.c(dict(fields))
                lines += [
                    f"        if given.keys() <= {self.c(frozenset(ids))}:",
                    f"            items.append({{**{fallbacks}, **given}})",
                    "        else:",
                    "            marks = given.get(_UK)",
                    f"            items.append({{_UK: marks, {shown}}} if marks else {{{shown}}})",
                ]
            else:
                lines += [
                    "        marks = given.get(_UK)",
                    f"        items.append({{_UK: marks, {shown}}} if marks else {{{shown}}})",
                ]
            if required:
                lacking = " or ".join(f"{self.c(qid)} not in given" for qid in required)
                lines.append(f"        if not short and ({lacking}): short = True")
            lines.append("    return tuple(items), short")
        # The pass.
        run = [
            "def RAW(answers):",
            "    values = {}",
            "    pending = {}",
            "    maybe = set()",
            "    missing = False",
            "    marks = answers.get(_UK)",
            "    if marks: values[_UK] = marks",
        ]
        for i, (q, _ask, absent) in enumerate(lazy.steps):
            cq = self.c(q.id)  # (q: a compiled question, `compiled._Question`)
            if absent is not cm._MISSING:
                run.append(f"    x = answers.get({cq}, _M)")
                run.append("    if x is _M:")
                run.append(f"        x = {self.c(absent)}")
                if q.required:
                    run.append("        missing = True")
                run.append(f"    values[{cq}] = x")
                continue
            p = "    "
            if i in asks:
                run.append("    try:")
                run.append(f"        t = 2 if {asks[i]}_2(values) else 0")
                run.append("    except (_Three, TypeError):")
                run.append(f"        t = {asks[i]}_3(values)")
                run.append("    if t == 0:")
                run.append(f"        values[{cq}] = None")
                run.append("    else:")
                p = "        "
            else:
                run.append("    t = 2")
            if q.required:
                run.append(f"{p}if t == 2 and {cq} not in answers: missing = True")
            run.append(f"{p}raw = answers.get({cq}, _U)")
            if q.group is not None:
                run.append(f"{p}if raw is _U:")
                run.append(f"{p}    values[{cq}] = raw")
                run.append(f"{p}else:")
                if q.group.id in plain:
                    run.append(f"{p}    got, short = {plain[q.group.id]}(raw)")
                else:
                    items, grp = self.c(lazy._items), self.c(q.group)
                    run.append(f"{p}    got, short = {items}({grp}, raw, values, pending)")
                run.append(f"{p}    values[{cq}] = got")
                run.append(f"{p}    if short: missing = True")
                continue
            if q.default is not cm._NO_DEFAULT:
                run.append(f"{p}if {cq} not in answers: raw = {self.c(q.default)}")
            run.append(f"{p}if t == 1:")
            run.append(f"{p}    if raw is not _U:")
            run.append(f"{p}        pending[{cq}] = raw")
            run.append(f"{p}        raw = _U")
            run.append(f"{p}    else:")
            run.append(f"{p}        maybe.add({cq})")
            run.append(f"{p}values[{cq}] = raw")
        run += [
            # (`_mark_pending` records nothing when nothing is pending or maybe asked.)
            "    if pending or maybe: _mark(values, pending, maybe)",
            "    try:",
            "        upper, lower = OUT2(values)",
            "    except (_Three, TypeError):",
            "        upper, lower = OUT3(values)",
            "    return values, pending, upper, lower, missing",
            # The pass as `run_pass` gives it: a LazyPass (replay reads RAW's parts first and
            # makes one only when the outcome is not definite).
            "def RUN(answers):",
            "    values, pending, upper, lower, missing = RAW(answers)",
            f"    return _Lazy({self.c(program)}, values, pending, upper, lower), missing",
        ]
        lines += run
        lines += self.top2
        lines += self.top3
        if len(lines) > MAX_LINES:
            raise _Unsupported
        return "\n".join(lines) + "\n"


def generated_pass(lazy: _ProbeProgram) -> PassFn | None:
    """`lazy.run_pass` as generated code, or None when the generator leaves it to the
    closures (a construct it does not write out, or code Python will not compile)."""
    gen = _Gen(lazy)
    try:
        text = gen.source()
        code = compile(text, "<bruising_check generated pass>", "exec")
    except (_Unsupported, SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    namespace: dict[str, Any] = {f"c{i}": v for i, v in enumerate(gen.consts)}
    namespace.update(
        __builtins__={
            "set": set,
            "tuple": tuple,
            "type": type,
            "str": str,
            "min": min,
            "max": max,
            "len": len,
        },
        _M=_M,
        _U=UNKNOWN,
        _UK=UNKNOWN_KEYS,
        _NN=(None, None),
        _rows=_rows,
        _known=_known,
        _ref=_ref,
        _add=_add,
        _sub=_sub,
        _mul=_mul,
        _div=_div,
        _count_result=_count_result,
        _finish=_finish,
        _honoured=_honoured,
        _Three=_Three,
        _bail=_bail,
        _known2=_known2,
        _count2=_count2,
        TypeError=TypeError,
        any=any,
        all=all,
        bool=bool,
        _follow=_follow,
        _mark=cm._mark_pending,
        _Lazy=cm.LazyPass,
    )
    exec(code, namespace)  # noqa: S102  # the source holds no protocol text (see the module's docstring)
    run: PassFn = namespace["RUN"]
    run.source = text  # type: ignore[attr-defined]  # for tests and for reading
    run.raw = namespace["RAW"]  # type: ignore[attr-defined]  # (`compiled.replay_outcome`)
    return run


# --- a group's answers as `check_answers` normalises them (`Compiled._group_answers`) -------


def generated_group_answers(program: cm.Compiled, g: Any) -> Callable[[Any], Any] | None:
    """`program._group_answers(g, ·)` as generated code: each item's answers read in one
    if / elif chain on the answer's id, a yes / no or single choice answer checked in line
    (anything else through the question's own reader, which judges it); None when it will not
    compile. Raises what `_group_answers` raises (`_Refer`, `AnswerError`) where it does."""
    consts: list[Any] = []

    def c(value: Any) -> str:
        consts.append(value)
        return f"c{len(consts) - 1}"

    own = program.item_coercers[g.id]
    lines = [
        "def GA(value):",
        "    if not isinstance(value, (list, tuple)): raise _Refer",
        f"    if not {c(g.min_items)} <= len(value) <= {c(g.max_items)}: raise _Refer",
        "    items = []",
        "    for given in value:",
        "        if type(given) is not dict and not isinstance(given, _Mapping): raise _Refer",
        "    for given in value:",
        "        item = {}",
        "        for key, answer in given.items():",
    ]
    word = "if"
    for q in g.questions:
        read = _item_read(q, own[q.id], c)
        lines += [f"            {word} key == {c(q.id)}:", f"                item[key] = {read}"]
        word = "elif"
    lines += [
        "            else:",
        "                raise _Refer",
        "        items.append(item)",
        "    return tuple(items)",
    ]
    made: Callable[[Any], Any] | None = _built(lines, consts, "group answers", "GA", _group_names())
    return made


def _item_read(q: Any, reader: Callable[[Any], Any], c: Callable[[Any], str]) -> str:
    """How the generated code reads `answer` to item question `q` (`reader` its coercer): a
    yes / no or single choice answer checked in line, anything else by `reader`."""
    from bruising_check.protocol.model import BooleanQuestion, SingleChoiceQuestion

    name = c(reader)
    if isinstance(q, BooleanQuestion):
        return f"answer if answer is True or answer is False else {name}(answer)"
    if isinstance(q, SingleChoiceQuestion):
        ids = c(frozenset(o.id for o in q.options))
        plain = (
            "answer"
            if q.unknown_option is None
            else (f"(_U if answer == {c(q.unknown_option)} else answer)")
        )
        return f"{plain} if type(answer) is str and answer in {ids} else {name}(answer)"
    return f"{name}(answer)"


def generated_joint_group_answers(
    a: cm.Compiled, b: cm.Compiled, ga: Any, gb: Any
) -> Callable[[Any], tuple[Any, Any]] | None:
    """`(a._group_answers(ga, ·), b._group_answers(gb, ·))` for one group both protocols ask,
    read once: an answer to an item question defined alike in both is read once and kept in
    both items. Only for answers both accept: anything else (a wrong type, an item question
    one of them does not have, too many items for either) raises `_Refer`, and the caller
    reads the answers for each protocol on its own, which judges them. None when it will not
    compile."""
    consts: list[Any] = []

    def c(value: Any) -> str:
        consts.append(value)
        return f"c{len(consts) - 1}"

    own_a, own_b = a.item_coercers[ga.id], b.item_coercers[gb.id]
    lines = [
        "def GJ(value):",
        "    if not isinstance(value, (list, tuple)): raise _Refer",
        "    n = len(value)",
        f"    if not {c(ga.min_items)} <= n <= {c(ga.max_items)}: raise _Refer",
        f"    if not {c(gb.min_items)} <= n <= {c(gb.max_items)}: raise _Refer",
        "    items_a = []",
        "    items_b = []",
        "    for given in value:",
        "        if type(given) is not dict and not isinstance(given, _Mapping): raise _Refer",
        "    for given in value:",
        "        item_a = {}",
        "        item_b = {}",
        "        for key, answer in given.items():",
    ]
    word = "if"
    for q in ga.questions:
        other = gb.question(q.id)
        if other is None:
            continue  # (an answer to it: `else`, `_Refer`)
        lines.append(f"            {word} key == {c(q.id)}:")
        word = "elif"
        if other == q or cm.read_alike(q, other):
            lines += [
                f"                item_a[key] = item_b[key] = {_item_read(q, own_a[q.id], c)}",
            ]
        else:
            lines += [
                f"                item_a[key] = {_item_read(q, own_a[q.id], c)}",
                f"                item_b[key] = {_item_read(other, own_b[q.id], c)}",
            ]
    if word == "if":
        return None
    lines += [
        "            else:",
        "                raise _Refer",
        "        items_a.append(item_a)",
        "        items_b.append(item_b)",
        "    return tuple(items_a), tuple(items_b)",
    ]
    made: Callable[[Any], tuple[Any, Any]] | None = _built(
        lines, consts, "joint group answers", "GJ", _group_names()
    )
    return made


def generated_joint_answers(
    plans: Mapping[str, tuple[int, bool, Any, bool, Any]],
    questions: Mapping[str, tuple[Any, Any]],
) -> Callable[[Any], Any] | None:
    """`compiled.Joint`'s reading of a case as generated code: one if / elif chain on the
    answer's id, each plan's reading written out (a yes / no or single choice answer checked
    in line, as `generated_group_answers` does); `questions` gives each id's question in
    each protocol. It raises wherever a reader raises (the caller then reads the case for
    each protocol on its own). None when it will not compile."""
    consts: list[Any] = []

    def c(value: Any) -> str:
        consts.append(value)
        return f"c{len(consts) - 1}"

    lines = [
        "def JA(data):",
        "    answers_a = {}",
        "    context_a = {}",
        "    answers_b = {}",
        "    context_b = {}",
        "    for key, answer in data.items():",
    ]
    word = "if"
    for qid, (how, into_a, read_a, into_b, read_b) in plans.items():
        qa, qb = questions[qid]
        to_a = "context_a" if into_a else "answers_a"
        to_b = "context_b" if into_b else "answers_b"
        lines.append(f"        {word} key == {c(qid)}:")
        word = "elif"
        if how == 0:
            lines.append(f"            {to_a}[key] = {to_b}[key] = {_item_read(qa, read_a, c)}")
        elif how == 1:
            lines.append(f"            {to_a}[key], {to_b}[key] = {c(read_a)}(answer)")
        else:
            if read_a is not None:
                lines.append(f"            {to_a}[key] = {_item_read(qa, read_a, c)}")
            if read_b is not None:
                lines.append(f"            {to_b}[key] = {_item_read(qb, read_b, c)}")
    lines.append("    return (answers_a, context_a), (answers_b, context_b)")
    names = {"__builtins__": {"type": type, "str": str}, "_U": UNKNOWN}
    made: Callable[[Any], Any] | None = _built(lines, consts, "joint answers", "JA", names)
    return made


def _group_names() -> dict[str, Any]:
    """What a generated reader of a group's answers may call: nothing else is in its reach."""
    return {
        "__builtins__": {
            "dict": dict,  # (a dict is a Mapping: told apart without the ABC's check)
            "isinstance": isinstance,
            "len": len,
            "list": list,
            "tuple": tuple,
            "type": type,
            "str": str,
        },
        "_Refer": cm._Refer,
        "_Mapping": Mapping,
        "_U": UNKNOWN,
    }


def _built(lines: list[str], consts: list[Any], what: str, name: str, names: dict[str, Any]) -> Any:
    """Function `name` of the generated source `lines`, run with only the constants `c<N>` and
    `names` in reach (None if Python will not compile it: the caller keeps its closures)."""
    namespace: dict[str, Any] = {f"c{i}": v for i, v in enumerate(consts)}
    namespace.update(names)
    text = "\n".join(lines) + "\n"
    try:
        code = compile(text, f"<bruising_check generated {what}>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    exec(code, namespace)  # noqa: S102  # the source holds no protocol text (constants only)
    made = namespace[name]
    made.source = text
    return made
