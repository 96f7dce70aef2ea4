"""A protocol's conditions compiled to formulas over the variables of a shared `Space`.

Not-asked questions are explicit: a comparison on a question is `asked(question)` guarding a test
of its answer (or `NOT asked` for `answered: false`), mirroring the engine, where an unasked
question's value is `None`. Boolean facts are inlined; number facts become `defined(fact)` guarding
a monotone test, computed with the engine's own arithmetic.
"""

from __future__ import annotations

import itertools
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bruising_check.analysis.formulas import (
    FALSE,
    TRUE,
    Atom,
    Formula,
    conj,
    disj,
    guarded,
    neg,
)
from bruising_check.analysis.space import Assignment, Domain, NumTest, Space
from bruising_check.engine.decide import compute
from bruising_check.protocol.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Count,
    Every,
    Not,
    Some,
)
from bruising_check.protocol.model import BooleanFact, NumberFact, Ref, TextQuestion


class Scope(typing.Protocol):
    """What a compiler reads: a protocol, or a group's item questions and item facts."""

    @property
    def questions(self) -> Sequence[Any]: ...

    @property
    def derived(self) -> Sequence[Any]: ...


class Compiler:
    """Compiles one protocol's conditions over `space` (which must hold all its questions)."""

    def __init__(
        self,
        protocol: Scope,
        space: Space,
        rename: Mapping[str, str] | None = None,
        version: int = 0,
    ):
        self.protocol = protocol
        self.version = version
        self.space = space
        self.rename = dict(rename or {})
        self.questions = {q.id: q for q in protocol.questions}
        self.facts = {f.id: f for f in protocol.derived}
        self._asked: dict[str, Formula] = {}
        self._fact: dict[str, Formula] = {}
        self._defined: dict[str, Formula] = {}

    def domain(self, qid: str) -> Domain:
        return self.space.domains[self.rename.get(qid, qid)]

    def asked(self, qid: str) -> Formula:
        if qid not in self._asked:
            q = self.questions.get(qid)
            if q is None:
                self._asked[qid] = FALSE
            else:
                self._asked[qid] = TRUE if q.ask_if is None else self.condition(q.ask_if)
        return self._asked[qid]

    def condition(self, cond: Condition) -> Formula:
        match cond:
            case AllOf(all=items):
                return conj(*(self.condition(i) for i in items))
            case AnyOf(any=items):
                return disj(*(self.condition(i) for i in items))
            case Not(not_=inner):
                return neg(self.condition(inner))
            case Some(some=spec) | Every(every=spec) | Count(count=spec):
                d = self.space.domains.get(self.rename.get(spec.group, spec.group))
                if d is None or d.group is None:
                    return FALSE  # not a group of this protocol: the validator reports it
                return d.group.formula(self.version, cond, self.asked(spec.group))  # type: ignore[no-any-return]
            case Compare():
                if cond.question is not None:
                    return self._question(cond)
                if cond.fact is None:
                    return FALSE  # `item:` outside a quantifier: the validator reports it
                return self._fact_compare(cond)
        raise TypeError(cond)  # pragma: no cover

    # --- questions -----------------------------------------------------------------------------

    def _question(self, cmp: Compare) -> Formula:
        qid = str(cmp.question)
        asked = self.asked(qid)
        if cmp.operator == "answered":
            return asked if cmp.operand else neg(asked)
        if cmp.operator == "known":
            # `known: false` is definite, true exactly when the answer was given as unknown: a
            # yes/no variable of its own (`id?unknown`), the completions ranging over the rest.
            flag = self.space.domains.get(f"{self.rename.get(qid, qid)}?unknown")
            if flag is None:
                return TRUE if cmp.operand else FALSE  # pragma: no cover - build adds the flag
            unknown = guarded(asked, _cell_atom(flag.var_names[0], lambda cell: bool(cell)))
            return neg(unknown) if cmp.operand else unknown
        q = self.questions.get(qid)
        if q is None or isinstance(q, TextQuestion):
            return FALSE
        return guarded(asked, self._answer_test(self.domain(qid), cmp))

    def _answer_test(self, d: Domain, cmp: Compare) -> Formula:
        op, operand = cmp.operator, cmp.operand
        values = operand if isinstance(operand, tuple) else (operand,)
        if d.kind == "boolean":
            wanted = frozenset(v for v in values if isinstance(v, bool))
            var = d.var_names[0]
            if op not in ("equals", "in"):
                return FALSE
            return _cell_atom(var, lambda cell: cell in wanted)
        if d.kind == "single_choice":
            if op not in ("equals", "in"):
                return FALSE
            hit = {d.class_of(v) for v in values if isinstance(v, str)} - {None}
            return _cell_atom(d.var_names[0], lambda cell: cell in hit)
        if d.kind == "multiple_choice":
            return _multi_atom(d, op, values)
        if d.kind == "number":
            return self._number_compare(op, values, (d.qid,), lambda p: p[d.qid])
        return FALSE  # pragma: no cover - text handled above

    # --- facts -----------------------------------------------------------------------------------

    def fact(self, fid: str) -> Formula:
        """A boolean fact as a formula over the answers (inlined)."""
        if fid not in self._fact:
            f = self.facts.get(fid)
            self._fact[fid] = self.condition(f.condition) if isinstance(f, BooleanFact) else FALSE
        return self._fact[fid]

    def defined(self, fid: str) -> Formula:
        """A number fact has a value (its `applies_if` holds and every input is present)."""
        if fid not in self._defined:
            f = self.facts.get(fid)
            if not isinstance(f, NumberFact):
                self._defined[fid] = FALSE
            else:
                gate = TRUE if f.applies_if is None else self.condition(f.applies_if)
                parts = [gate]
                for ref in _refs(f.value):
                    if ref.question is not None:
                        parts.append(self.asked(ref.question))
                    else:
                        parts.append(self.defined(str(ref.fact)))
                self._defined[fid] = conj(*parts)
        return self._defined[fid]

    def _fact_compare(self, cmp: Compare) -> Formula:
        fid = str(cmp.fact)
        f = self.facts.get(fid)
        op, operand = cmp.operator, cmp.operand
        if isinstance(f, BooleanFact):
            if op == "answered":
                return TRUE if operand else FALSE
            body = self.fact(fid)
            values = operand if isinstance(operand, tuple) else (operand,)
            if op == "is_true":
                return body
            if op in ("equals", "in"):
                return disj(*((body if v else neg(body)) for v in values if isinstance(v, bool)))
            return FALSE
        if not isinstance(f, NumberFact):
            return FALSE
        defined = self.defined(fid)
        if op == "answered":
            return defined if operand else neg(defined)
        inputs = tuple(self.rename.get(q, q) for q in sorted(self._number_inputs(fid)))
        values = operand if isinstance(operand, tuple) else (operand,)
        raw = self._raw_value(fid)
        return guarded(defined, self._number_compare(op, values, inputs, raw))

    def _number_inputs(self, fid: str) -> set[str]:
        f = self.facts.get(fid)
        out: set[str] = set()
        if isinstance(f, NumberFact):
            for ref in _refs(f.value):
                if ref.question is not None:
                    out.add(ref.question)
                else:
                    out |= self._number_inputs(str(ref.fact))
        return out

    def _raw_value(self, fid: str) -> Callable[[Mapping[str, float]], float]:
        """The fact's value at a point, ignoring applies_if (handled by `defined`)."""
        chain = []
        for f in self.protocol.derived:
            if isinstance(f, NumberFact):
                chain.append(f)
            if f.id == fid:
                break
        rename = self.rename
        names = [(q, rename.get(q, q)) for q in self._number_inputs(fid)]

        def value(point: Mapping[str, float]) -> float:
            values: dict[str, Any] = {q: point[name] for q, name in names}
            for f in chain:
                try:
                    values[f.id] = compute(f.value, values)
                except (KeyError, TypeError):  # pragma: no cover - a fact on other inputs
                    values[f.id] = None
            result = values[fid]
            return float(result)

        return value

    def _number_compare(
        self,
        op: str,
        values: tuple[Any, ...],
        inputs: tuple[str, ...],
        value: Callable[[Mapping[str, float]], float],
    ) -> Formula:
        nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if op in ("equals", "in"):
            return disj(
                *(
                    conj(
                        self._monotone(inputs, _against(value, k, ge=True)),
                        self._monotone(inputs, _against(value, k, ge=False)),
                    )
                    for k in nums
                )
            )
        if not nums:
            return FALSE
        k = nums[0]
        tests: dict[str, Callable[[float], bool]] = {
            "lt": lambda x: x < k,
            "le": lambda x: x <= k,
            "gt": lambda x: x > k,
            "ge": lambda x: x >= k,
        }
        check = tests.get(op)
        if check is None:
            return FALSE
        return self._monotone(inputs, lambda p: check(value(p)))

    def _monotone(
        self, inputs: tuple[str, ...], test: Callable[[Mapping[str, float]], bool]
    ) -> Formula:
        space = self.space
        for q in inputs:
            space.num_tests.setdefault(q, []).append(NumTest(inputs, test))

        # The verdict depends only on the inputs' intervals, and the search meets the same few
        # boxes again and again (every leaf re-evaluates its rules): decide each box once.
        seen: dict[tuple[Any, ...], bool | None] = {}

        def decide(a: Assignment) -> bool | None:
            boxes = tuple(space.interval(q, a) for q in inputs)
            if boxes in seen:
                return seen[boxes]
            first: bool | None = None
            for corner in itertools.product(*({lo, hi} for lo, hi in boxes)):
                got = test(dict(zip(inputs, corner, strict=True)))
                if first is None:
                    first = got
                elif got != first:
                    first = None
                    break
            seen[boxes] = first
            return first

        def split_on(a: Assignment) -> str:
            for q in inputs:
                if q not in a:
                    return q
            return max(inputs, key=lambda q: a[q][1] - a[q][0])

        return Atom(inputs, decide, split_on)


def _against(
    value: Callable[[Mapping[str, float]], float], k: float, *, ge: bool
) -> Callable[[Mapping[str, float]], bool]:
    if ge:
        return lambda p: value(p) >= k
    return lambda p: value(p) <= k


def _refs(expr: Any) -> list[Ref]:
    if isinstance(expr, Ref):
        return [expr]
    if isinstance(expr, (int, float)):
        return []
    out: list[Ref] = []
    for part in getattr(expr, type(expr).__name__.lower()):
        out += _refs(part)
    return out


def _cell_atom(var: str, test: Callable[[Any], bool]) -> Formula:
    def decide(a: Assignment) -> bool | None:
        cell = a.get(var)
        return None if cell is None else test(cell)

    return Atom((var,), decide, lambda a: var)


def _multi_atom(d: Domain, op: str, values: tuple[Any, ...]) -> Formula:
    chosen = {v for v in values if isinstance(v, str)}
    if op == "is_empty":
        want_empty = bool(values[0])
        inside = list(range(len(d.classes)))
        body = _class_test(d, inside, "none")
        return body if want_empty else neg(body)
    if op in ("equals", "includes_all") and not chosen <= set(d.options):
        return FALSE  # names an option outside the domain: never true
    idx = sorted({i for v in chosen if (i := d.class_of(v)) is not None})
    if op == "includes_any":
        return _class_test(d, idx, "any")
    if op == "includes_all":
        return _class_test(d, idx, "all")
    if op == "equals":
        others = [i for i in range(len(d.classes)) if i not in idx]
        return conj(_class_test(d, idx, "all"), _class_test(d, others, "none"))
    return FALSE


def _class_test(d: Domain, idx: list[int], mode: str) -> Formula:
    """`any`: some class in idx is non-empty; `all`: every class in idx is full; `none`: every
    class in idx is empty."""
    names = [d.var_names[i] for i in idx]
    if not names:
        return FALSE if mode == "any" else TRUE

    def decide(a: Assignment) -> bool | None:
        undecided = False
        for v in names:
            s = a.get(v)
            if s is None:
                undecided = True
            elif mode == "any" and s != "E":
                return True
            elif (mode == "all" and s != "F") or (mode == "none" and s != "E"):
                return False
        if undecided:
            return None
        return mode != "any"

    def split_on(a: Assignment) -> str:
        return next(v for v in names if v not in a)

    return Atom(tuple(names), decide, split_on)
