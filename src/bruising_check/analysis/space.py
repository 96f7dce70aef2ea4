"""The answer space, partitioned into the classes the conditions can tell apart.

Each question becomes one or more *variables* whose values (*cells*) are sets of raw answers that no
condition in the protocol(s) can distinguish:

- yes/no: the two answers;
- single choice: options grouped by the operand sets (`equals`/`in`) they appear in — options
  that appear in exactly the same operands behave identically;
- multiple choice: one variable per option *class* (options with the same membership in every
  operand set), valued `E` (none of the class chosen), `N` (at least one), or — when an
  `includes_all` or an `equals` list names the class — `P` (some, not all) and `F` (all). Every
  operator on the question is a function of these states; `min_selected` is applied when counting,
  by multiplying per-class count polynomials;
- number: integer intervals. A comparison, direct or through linear derived facts, is monotone in
  each number (add/sub/mul/div by constants, and rounded float operations are monotone), so it is
  constant on a box exactly when it agrees at the box's corners. Thresholds of one-number
  comparisons are found by binary search with the engine's own arithmetic; comparisons on several
  numbers (corrected age = age − (40 − gestation)) are resolved by bisecting boxes until their
  corners agree. Non-integer numbers are sampled at their thresholds and between them, and each
  such piece counts as one answer (the raw space is not countable);
- text: one cell (no condition can read text, `answered` aside); it counts as one answer.

Where two protocols are compared, a question both ask is one variable over the answers *both*
accept (shared options, the overlap of ranges); differences are listed in `notes`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check.protocol.model import (
    Question,
)

Kind = Literal["boolean", "single_choice", "multiple_choice", "number", "text", "group"]
Interval = tuple[float, float]
Assignment = dict[str, Any]


def kind_of(q: Question) -> Kind:
    return q.type


@dataclass
class NumTest:
    """A monotone test on a point (question id → number), registered with the variables it reads."""

    vars: tuple[str, ...]
    test: Callable[[Mapping[str, float]], bool]


@dataclass
class Domain:
    """One question over the space: its variables, how to count and show answers in a cell."""

    qid: str
    kind: Kind
    options: tuple[str, ...] = ()
    classes: tuple[tuple[str, ...], ...] = ()
    ternary: tuple[bool, ...] = ()
    min_selected: int = 0
    lo: float = 0
    hi: float = 0
    integer: bool = True
    var_names: tuple[str, ...] = ()
    required: bool = True
    group: Any = None
    """For a repeated group: its `groups.GroupInfo` (kinds, counting, examples)."""
    unknown_option: str | None = None
    """The option that says "not known", if any (never one of `options`)."""

    def class_of(self, option: str) -> int | None:
        for i, members in enumerate(self.classes):
            if option in members:
                return i
        return None


@dataclass
class Space:
    """Every question of one or two protocols as variables with cells, plus counting."""

    domains: dict[str, Domain]
    order: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    num_tests: dict[str, list[NumTest]] = field(default_factory=dict)
    var_domain: dict[str, Domain] = field(default_factory=dict)
    _cuts: dict[str, list[Any]] = field(default_factory=dict)
    priority: dict[str, int] = field(default_factory=dict)
    real_ranges: dict[tuple[str, float], tuple[float, float | None]] = field(default_factory=dict)
    """Non-integer numbers: the range [start, end) each sampled cell stands for (end None: max)."""
    _counts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    """Split order: variables the rules test most often first (fewer, larger classes)."""

    def pick(self, need: list[str]) -> str:
        return min(need, key=lambda v: self.priority.get(v, 1 << 30))

    def __post_init__(self) -> None:
        for d in self.domains.values():
            for v in d.var_names:
                self.var_domain[v] = d

    # --- splitting ------------------------------------------------------------------------

    def split(self, var: str, a: Assignment) -> list[Any]:
        d = self.var_domain[var]
        if d.kind == "boolean":
            return [False, True]
        if d.kind == "single_choice":
            return list(range(len(d.classes)))
        if d.kind == "multiple_choice":
            i = d.var_names.index(var)
            if len(d.classes[i]) == 1:
                return ["E", "F"]
            return ["E", "P", "F"] if d.ternary[i] else ["E", "N"]
        if d.kind == "group":
            if var not in a:
                return list(d.group.cells(var))
            raise ValueError(f"cannot split {var} further")  # pragma: no cover
        if d.kind == "number":
            if var not in a:
                return self.number_cells(d)
            lo, hi = a[var]
            mid = math.floor((lo + hi) / 2)
            return [(lo, mid), (mid + 1, hi)]
        raise ValueError(f"cannot split {var}")  # pragma: no cover

    def number_cells(self, d: Domain) -> list[Interval]:
        """Initial cells: the intervals between the thresholds of one-number comparisons."""
        if d.qid in self._cuts:
            return self._cuts[d.qid]
        tests = [t for t in self.num_tests.get(d.qid, []) if t.vars == (d.qid,)]
        if d.integer:
            lo, hi = int(d.lo), int(d.hi)
            starts = {lo}
            for t in tests:
                starts |= _switch_points(_on(t, d.qid), lo, hi)
            bounds = sorted(starts)
            cells: list[Any] = [
                (s, (bounds[i + 1] - 1) if i + 1 < len(bounds) else hi)
                for i, s in enumerate(bounds)
            ]
        else:
            # Ranges [start, next start) between the first values of each new test result; each
            # range is represented by its start (where every test already has its new value).
            firsts: set[float] = {float(d.lo)}
            for t in tests:
                firsts |= _real_switches(_on(t, d.qid), d.lo, d.hi)
            ordered = sorted(firsts)
            ends = [*ordered[1:], None]
            cells = [(x, x) for x in ordered]
            for x, end in zip(ordered, ends, strict=True):
                self.real_ranges[(d.qid, x)] = (x, end)
        self._cuts[d.qid] = cells
        return cells

    def interval(self, var: str, a: Assignment) -> Interval:
        got = a.get(var)
        if got is not None:
            return got  # type: ignore[no-any-return]
        d = self.var_domain[var]
        return (d.lo, d.hi)

    # --- counting -------------------------------------------------------------------------

    def count(self, qid: str, a: Assignment) -> int:
        """Raw answers to `qid` inside the cells of `a` (the question is asked)."""
        d = self.domains[qid]
        if d.kind == "group":
            return int(d.group.count(a))
        key = (qid, *(a.get(v) for v in d.var_names))
        got = self._counts.get(key)
        if got is None:
            got = self._counts[key] = self._count(d, a)
        return got

    def possible(self, qid: str, a: Assignment) -> bool:
        """`count(qid, a) > 0`; a repeated group is not counted for it."""
        d = self.domains[qid]
        if d.kind == "group":
            return bool(d.group.possible(a))
        return self.count(qid, a) > 0

    def _count(self, d: Domain, a: Assignment) -> int:
        if d.kind == "boolean":
            return 1 if d.var_names[0] in a else 2
        if d.kind == "single_choice":
            cell = a.get(d.var_names[0])
            return len(d.options) if cell is None else len(d.classes[cell])
        if d.kind == "multiple_choice":
            poly = [1]
            for v, members in zip(d.var_names, d.classes, strict=True):
                poly = _mul(poly, _state_poly(a.get(v), len(members)))
            return sum(poly[d.min_selected :])
        if d.kind == "number":
            v = d.var_names[0]
            if not d.integer:
                return 1 if v in a else len(self.number_cells(d))
            lo, hi = a.get(v, (d.lo, d.hi))
            return int(hi) - int(lo) + 1
        return 1  # text

    # --- examples and descriptions ----------------------------------------------------------

    def unknown_answer(self, qid: str) -> Any:
        """How an answers file says "not known" for this question."""
        d = self.domains[qid]
        if d.unknown_option is None:
            return None
        return [d.unknown_option] if d.kind == "multiple_choice" else d.unknown_option

    def example(self, qid: str, a: Assignment) -> Any:
        """One concrete, JSON-able answer in the cells of `a` (fewest options, lowest number)."""
        d = self.domains[qid]
        if d.kind == "group":
            return d.group.example(a)
        if d.kind == "boolean":
            return bool(a.get(d.var_names[0], False))
        if d.kind == "single_choice":
            return d.classes[a.get(d.var_names[0], 0)][0] if d.classes else None
        if d.kind == "multiple_choice":
            return _multi_example(d, a)
        if d.kind == "number":
            lo, _ = a.get(d.var_names[0], self.number_cells(d)[0])
            return int(lo) if d.integer else lo
        return ""


def _on(t: NumTest, qid: str) -> Callable[[float], bool]:
    """The test as a function of one number."""
    return lambda x: t.test({qid: x})


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _switch_points(test: Callable[[float], bool], lo: int, hi: int) -> set[int]:
    """Where a monotone test on integers changes value: the first x of the new value."""
    if lo >= hi or test(lo) == test(hi):
        return set()
    target = test(hi)
    a, b = lo, hi  # test(a) != target, test(b) == target
    while b - a > 1:
        m = (a + b) // 2
        if test(m) == target:
            b = m
        else:
            a = m
    return {b}


def _real_switches(test: Callable[[float], bool], lo: float, hi: float) -> set[float]:
    """The first float where a monotone test takes its value at `hi` (bisection to adjacent
    floats)."""
    if lo >= hi or test(lo) == test(hi):
        return set()
    target = test(hi)
    a, b = float(lo), float(hi)
    while math.nextafter(a, math.inf) < b:
        m = (a + b) / 2
        if m in (a, b):
            break
        if test(m) == target:
            b = m
        else:
            a = m
    return {b}


def _mul(p: list[int], q: list[int]) -> list[int]:
    out = [0] * (len(p) + len(q) - 1)
    for i, x in enumerate(p):
        if x:
            for j, y in enumerate(q):
                out[i + j] += x * y
    return out


def _state_poly(state: str | None, k: int) -> list[int]:
    """Ways to choose j options of a class of k in this state, as coefficients of x^j."""
    binom = [math.comb(k, j) for j in range(k + 1)]
    if state is None:
        return binom
    if state == "E":
        return [1]
    if state == "F":
        return [0] * k + [1]
    if state == "N":
        return [0, *binom[1:]]
    return [0, *binom[1:k], 0]  # P: some but not all


def _multi_example(d: Domain, a: Assignment) -> list[str]:
    chosen: list[str] = []
    slack: list[str] = []
    for v, members in zip(d.var_names, d.classes, strict=True):
        state = a.get(v)
        if state == "F":
            chosen += members
        elif state in ("N", "P"):
            chosen.append(members[0])
            slack += members[1 : len(members) - (1 if state == "P" else 0)]
        elif state is None:
            slack += members
    for option in slack:
        if len(chosen) >= d.min_selected:
            break
        chosen.append(option)
    return [o for o in d.options if o in set(chosen)]
