"""Symbolic enumeration: split the space only where a question of interest is not yet decided.

`explore` walks a tree of partial assignments. At each node a `decide` function either names a
result (a *leaf*: every answer set in the node's cells gets it), prunes the node, or names a
variable to split. A leaf is counted only once it is known, for every question, whether anyone asks
it (an unasked question contributes one "no answer", an asked one every answer in its cells).
The work grows with the number of situations the protocol distinguishes, not with the raw space.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bruising_check.analysis.compile import Compiler
from bruising_check.analysis.formulas import (
    FALSE,
    TRUE,
    Formula,
    atoms,
    conj,
    disj,
    evaluate,
    neg,
)
from bruising_check.analysis.space import Assignment, Space
from bruising_check.engine.urgency import satisfies
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.walk import all_conditions, conditions_with_paths


class TooLarge(Exception):
    """The protocol tells apart more situations than the search may visit in its budget (steps,
    seconds or memory). Nothing is proved then: callers must treat it as an error, never a pass."""

    def __init__(
        self, nodes: int, seconds: float | None = None, memory_mb: int | None = None
    ) -> None:
        if memory_mb is not None:
            super().__init__(
                f"stopped at the memory limit ({memory_mb:,} MB more than at the start,"
                f" {nodes:,} search steps)"
            )
        elif nodes == 0 and seconds is None:
            super().__init__("stopped: the time budget ran out while counting answer sets")
        elif seconds is None:
            super().__init__(f"stopped after {nodes:,} search steps")
        else:
            super().__init__(f"stopped after {round(seconds, 1):g} s ({nodes:,} search steps)")
        self.nodes = nodes
        self.seconds = seconds
        self.memory_mb = memory_mb

    def add_progress(self, text: str) -> None:
        """Say what was covered before stopping (never a proof: the rest was not looked at)."""
        self.args = (f"{self.args[0]}{text}", *self.args[1:])


MAX_MEMORY_MB = 1024
"""Resident memory an analysis may add (checked every 256 search steps where the system tells,
/proc/self/statm): past it the search stops as for the time budget, rather than swap."""


_STATM = Path("/proc/self/statm")


def _resident_mb() -> float | None:
    try:
        pages = int(_STATM.read_bytes().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * _PAGE / 2**20


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
    _PAGE = 4096


@dataclass(frozen=True)
class Split:
    var: str
    hint: Any = None
    """Passed to `decide` for the children: what is already known there (e.g. rules ruled out)."""


@dataclass(frozen=True)
class Leaf:
    key: Hashable


PRUNE = None
Trail = tuple[Any, str, Any]
"""A packed leaf (`Explorer.explore_watching(packed=True)`): (parent trail, variable, cell), the
root being (None, "", its start assignment)."""
Decide = Callable[[Assignment, Any], "Split | Leaf | None"]


@dataclass
class View:
    """One protocol compiled over a space: its rules, invariants and `asked` formulas."""

    protocol: Protocol
    compiler: Compiler
    rules: tuple[Formula, ...] = ()
    pathways: tuple[str, ...] = ()
    urgency: dict[str, int] = field(default_factory=dict)
    follows: tuple[bool, ...] = ()
    """Per rule: `then: rules_below` (a first step; the rules below give the follow-on)."""
    first_steps: frozenset[int] = frozenset()
    """Rules whose pathway is a first step: never a follow-on."""

    @classmethod
    def build(cls, protocol: Protocol, space: Space, compiler: Compiler) -> View:
        view = cls(protocol, compiler)
        # Compile every condition now: number thresholds must be known before the first split.
        for _, cond, owner in all_conditions(protocol):
            if owner != "context":
                for _, node in conditions_with_paths(cond, ()):
                    compiler.condition(node)
        for q in protocol.questions:
            compiler.asked(q.id)
        view.rules = tuple(compiler.condition(r.when) for r in protocol.rules)
        view.pathways = tuple(r.pathway for r in protocol.rules)
        view.urgency = {p.id: p.urgency for p in protocol.pathways}
        view.follows = tuple(r.then == "rules_below" for r in protocol.rules)
        steps = {p.id for p in protocol.pathways if p.first_step}
        view.first_steps = frozenset(i for i, r in enumerate(protocol.rules) if r.pathway in steps)
        return view

    def decide_pair(
        self, a: Assignment, need: list[str], hint: tuple[int, int] | None
    ) -> tuple[bool, tuple[int | None, int | None], tuple[int, int]]:
        """(decided, (first rule, follow-on rule), where to resume): the outcome as rule indices;
        the follow-on is the first matching rule below a `then: rules_below` rule."""
        start, start_then = hint or (0, 0)
        done, i = self.outcome(a, need, start)
        if not done:
            return False, (i, None), (i if i is not None else 0, 0)
        if i is None or not self.follows[i]:
            return True, (i, None), (0, 0)
        # Like the engine, a follow-on is never itself a first step: those rules are passed over.
        done, j = self.outcome(a, need, max(start_then, i + 1), self.first_steps)
        resume = j if j is not None else 0
        return done, (i, j), (i, resume)

    def pair_pathways(self, key: tuple[int | None, int | None]) -> tuple[str | None, str | None]:
        i, j = key
        return (
            None if i is None else self.pathways[i],
            None if j is None else self.pathways[j],
        )

    def follow_is(self, i: int, j: int | None) -> Formula:
        """Below first-step rule `i`, rule `j` is the first to match (None: none does)."""
        end = len(self.rules) if j is None else j
        later = [self.rules[k] for k in range(i + 1, end) if k not in self.first_steps]
        mine = TRUE if j is None else self.rules[j]
        return conj(mine, *(neg(r) for r in later))

    def fails(self, floor: str) -> Formula:
        """The rules' outcome (pathway, follow-on) does not satisfy `at_least: floor`."""
        pathways = {p.id: p for p in self.protocol.pathways}
        target = pathways.get(floor)
        if target is None:
            return FALSE
        options = [self.decides(None)]
        for i, pid in enumerate(self.pathways):
            first = pathways.get(pid)
            if not self.follows[i]:
                if not satisfies((first, None), target):
                    options.append(self.decides(i))
                continue
            for j in [
                *(k for k in range(i + 1, len(self.rules)) if k not in self.first_steps),
                None,
            ]:
                then = None if j is None else pathways.get(self.pathways[j])
                if not satisfies((first, then), target):
                    options.append(conj(self.decides(i), self.follow_is(i, j)))
        return disj(*options)

    def outcome(
        self, a: Assignment, need: list[str], start: int = 0, skip: frozenset[int] = frozenset()
    ) -> tuple[bool, int | None]:
        """(decided, index of the first matching rule or None for a gap); undecided: the index of
        the first undecided rule. Rules before `start` are known not to match; rules in `skip`
        are not looked at."""
        for i in range(start, len(self.rules)):
            if i in skip:
                continue
            f = self.rules[i]
            mine: list[str] = []
            v = evaluate(f, a, mine)
            if v is True:
                return True, i
            if v is None:
                need.extend(mine)
                return False, i
        return True, None

    def decides(self, index: int | None) -> Formula:
        """Rule `index` is the first to match (None: no rule matches)."""
        earlier = self.rules if index is None else self.rules[:index]
        mine = TRUE if index is None else self.rules[index]
        return conj(mine, *(neg(r) for r in earlier))

    def worse_than(self, pathway: str) -> Formula:
        """The rules give a pathway less urgent than `pathway`, or none at all."""
        floor = self.urgency.get(pathway, 0)
        options = [self.decides(None)]
        for i, pid in enumerate(self.pathways):
            if self.urgency.get(pid, 10**9) > floor:
                options.append(self.decides(i))
        return disj(*options)


@dataclass
class Explorer:
    """Runs `decide` over the space; `asked` gives, per question, who-asks formulas."""

    space: Space
    asked: dict[str, Formula]
    max_nodes: int = 2_000_000
    """Give up (TooLarge) past this many search nodes, rather than run for hours."""
    budget_seconds: float | None = None
    """Give up (TooLarge) past this much wall-clock time, counted from construction."""
    nodes: int = 0
    deadline: float | None = None
    _index: tuple[tuple[str, ...], tuple[Formula, ...], dict[str, list[int]]] | None = None

    memory_mb: float | None = MAX_MEMORY_MB
    """Give up (TooLarge) past this much resident memory added since construction."""
    _memory_floor: float | None = None

    def __post_init__(self) -> None:
        if self.budget_seconds is not None:
            self.deadline = time.monotonic() + self.budget_seconds
        self._memory_floor = _resident_mb()

    def tick(self) -> None:
        """One search step: raise TooLarge past the step, time or memory budget."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise TooLarge(self.nodes)
        if self.nodes & 255 != 1:
            return
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TooLarge(self.nodes, self.budget_seconds)
        if self.memory_mb is not None and self._memory_floor is not None:
            now = _resident_mb()
            if now is not None and now - self._memory_floor > self.memory_mb:
                raise TooLarge(self.nodes, memory_mb=round(self.memory_mb))

    def on_time(self) -> None:
        """Raise TooLarge past the time budget, without counting a search step: for the work
        after a search (grouping its leaves into classes), which the budget bounds too."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            exc = TooLarge(self.nodes, self.budget_seconds)
            exc.add_progress(
                ". The search had finished; grouping what it found into situation classes"
                " had not, so nothing is proved"
            )
            raise exc

    def explore(
        self,
        decide: Decide,
        start: Assignment | None = None,
        exact: bool = True,
        packed: bool = False,
    ) -> Iterator[tuple[Any, Any, int]]:
        """Yield (assignment, key, size) for each leaf, in a stable order (lowest cells first).
        With `exact=False` only whether a leaf has answer sets is worked out (its size is given
        as 1): the same leaves, without counting repeated groups. With `packed=True` (exact
        only) a leaf's assignment is given as a `Trail` (see `explore_watching`)."""
        if not exact:
            yield from self._explore_lazy(decide, start)
            return
        for a, key, size, _, _ in self.explore_watching(decide, (), start, exact, packed):
            yield a, key, size

    def _explore_lazy(
        self, decide: Decide, start: Assignment | None
    ) -> Iterator[tuple[Any, Any, int]]:
        """`explore(exact=False)`: the short searches (is this satisfiable? where does this hold
        in this leaf?) usually stop at their first leaf, so who asks what is worked out only at
        a leaf, in question order, resuming where the parent stopped (`explore_watching` instead
        carries it down every step, which pays off when every leaf is visited)."""
        keys, formulas, _ = self._asked_index()
        stack: list[tuple[Assignment, Any, Any]] = [(dict(start or {}), None, None)]
        while stack:
            a, known, hint = stack.pop()
            self.tick()
            if known is None:
                got = decide(a, hint)
                if got is None:
                    continue
                if isinstance(got, Split):
                    for cell in reversed(self.space.split(got.var, a)):
                        stack.append(({**a, got.var: cell}, None, got.hint))
                    continue
                known = got
                hint = None
            # Formulas before `pos` were decided at an ancestor; `asked` holds those found true.
            pos, asked = hint if hint is not None else (0, ())
            var: str | None = None
            while pos < len(formulas):
                f = formulas[pos]
                if f is not TRUE:
                    need: list[str] = []
                    v = evaluate(f, a, need)
                    if v is None:
                        var = self.space.pick(need)
                        break
                    if not v:
                        pos += 1
                        continue
                asked += (keys[pos],)
                pos += 1
            if var is not None:
                for cell in reversed(self.space.split(var, a)):
                    stack.append(({**a, var: cell}, known, (pos, asked)))
                continue
            if self._possible(a, frozenset(asked)):
                yield a, known.key, 1

    def explore_watching(
        self,
        decide: Decide,
        watch: Sequence[Formula],
        start: Assignment | None = None,
        exact: bool = True,
        packed: bool = False,
    ) -> Iterator[tuple[Any, Any, int, frozenset[int], frozenset[int]]]:
        """As `explore`, and for each leaf the values of the `watch` formulas there: (indices
        true on the whole leaf, indices undecided on it); the rest are false. They are worked
        out on the way down, as the who-asks formulas are, so asking for them costs about what
        the splits touch, not a pass over every leaf for every formula.

        With `packed=True` a leaf is given as a `Trail` instead of its assignment (`unpack` gives
        the same dict back): a caller that keeps every leaf until the search ends then holds a
        few small tuples per leaf, shared with its neighbours, instead of a dict of every
        variable (about 1.5 KB a leaf on four copies of the baseline; a search that gives up
        after its budget held hundreds of MB of leaves it never reports). The sets of watched
        indices and the leaf keys are shared between leaves that have equal ones."""
        keys, asked_formulas, asked_by_var = self._asked_index()
        n_asked = len(asked_formulas)
        formulas = asked_formulas + tuple(watch)
        by_var = asked_by_var
        if watch:
            by_var = {var: list(ids) for var, ids in asked_by_var.items()}
            for i, f in enumerate(watch, start=n_asked):
                for var in sorted({v for atom in atoms(f) for v in atom.vars}):
                    by_var.setdefault(var, []).append(i)
        # Who asks what, carried down the search: `open_` the who-asks formulas not yet decided,
        # `asked` the questions known to be asked. A split on `var` can only decide formulas
        # that read `var` (cells only shrink), so a child re-evaluates just those: the work per
        # step is the few formulas the split touches, not every question's.
        root = dict(start or {})
        open0: list[int] = []
        asked0: list[str | int] = []
        for i, f in enumerate(formulas):
            v = evaluate(f, root, [])
            if v is None:
                open0.append(i)
            elif v:
                asked0.append(keys[i] if i < n_asked else i - n_asked)
        Entry = tuple[
            Assignment, Any, Any, str | None, frozenset[int], frozenset[Any], Trail | None
        ]
        origin: Trail | None = (None, "", root) if packed else None
        stack: list[Entry] = [(root, None, None, None, frozenset(open0), frozenset(asked0), origin)]
        shared: dict[Any, Any] = {}  # equal watched sets and keys, one object each
        while stack:
            a, known, hint, split, open_, asked, path = stack.pop()
            self.tick()
            if split is not None and open_:
                touched = [i for i in by_var.get(split, ()) if i in open_]
                if touched:
                    still, now = set(open_), set(asked)
                    for i in touched:
                        v = evaluate(formulas[i], a, [])
                        if v is not None:
                            still.discard(i)
                            if v:
                                now.add(keys[i] if i < n_asked else i - n_asked)
                    open_, asked = frozenset(still), frozenset(now)
            if known is None:
                got = decide(a, hint)
                if got is None:
                    continue
                if isinstance(got, Split):
                    self._push(stack, a, got.var, None, got.hint, open_, asked, path)
                    continue
                known = got
            first = min(open_, default=n_asked)
            if first < n_asked:
                # The first undecided who-asks formula, in question order, names the split.
                need: list[str] = []
                evaluate(formulas[first], a, need)
                self._push(stack, a, self.space.pick(need), known, None, open_, asked, path)
                continue
            questions = frozenset(x for x in asked if isinstance(x, str)) if watch else asked
            size = self._size(a, questions) if exact else int(self._possible(a, questions))
            if size:
                leaf: Any = a if path is None else path
                if watch:
                    true = frozenset(x for x in asked if isinstance(x, int))
                    undecided = frozenset(i - n_asked for i in open_)
                    if packed:
                        true = shared.setdefault(true, true)
                        undecided = shared.setdefault(undecided, undecided)
                        yield leaf, shared.setdefault(known.key, known.key), size, true, undecided
                    else:
                        yield leaf, known.key, size, true, undecided
                else:
                    yield leaf, known.key, size, frozenset(), frozenset()

    def _asked_index(self) -> tuple[tuple[str, ...], tuple[Formula, ...], dict[str, list[int]]]:
        if self._index is None:
            keys = tuple(self.asked)
            formulas = tuple(self.asked[k] for k in keys)
            by_var: dict[str, list[int]] = {}
            for i, f in enumerate(formulas):
                for var in sorted({v for atom in atoms(f) for v in atom.vars}):
                    by_var.setdefault(var, []).append(i)
            self._index = (keys, formulas, by_var)
        return self._index

    def _push(
        self,
        stack: list[
            tuple[Assignment, Any, Any, str | None, frozenset[int], frozenset[Any], Trail | None]
        ],
        a: Assignment,
        var: str,
        known: Any,
        hint: Any,
        open_: frozenset[int],
        asked: frozenset[Any],
        path: Trail | None,
    ) -> None:
        for cell in reversed(self.space.split(var, a)):
            step = None if path is None else (path, var, cell)
            stack.append(({**a, var: cell}, known, hint, var, open_, asked, step))

    @staticmethod
    def unpack(path: Trail) -> Assignment:
        """The assignment a packed leaf stands for: the same dict, keys in the same order."""
        steps: list[tuple[str, Any]] = []
        node: Trail | None = path
        while node is not None:
            parent, var, cell = node
            if parent is None:
                a: Assignment = dict(cell)
                for v, c in reversed(steps):
                    a[v] = c
                return a
            steps.append((var, cell))
            node = parent
        raise ValueError("a path ends at its root")  # pragma: no cover

    def _size(self, a: Assignment, asked: frozenset[str]) -> int:
        total = 1
        for qid in self.space.order:
            if qid in asked:
                total *= self.space.count(qid, a)
                if not total:
                    return 0
        return total

    def _possible(self, a: Assignment, asked: frozenset[str]) -> bool:
        return all(self.space.possible(qid, a) for qid in asked if qid in self.space.domains)

    def is_asked(self, qid: str, a: Assignment) -> bool:
        f = self.asked[qid]
        return f is TRUE or evaluate(f, a, []) is True

    def size(self, a: Assignment) -> int:
        total = 1
        for qid in self.space.order:
            if self.is_asked(qid, a):
                total *= self.space.count(qid, a)
                if not total:
                    return 0
        return total

    def possible(self, a: Assignment) -> bool:
        """`size(a) > 0`, without counting repeated groups exactly."""
        for qid in self.space.order:
            if self.is_asked(qid, a) and not self.space.possible(qid, a):
                return False
        return True

    def solve(
        self, f: Formula, start: Assignment | None = None, exact: bool = True
    ) -> Iterator[tuple[Any, Any, int]]:
        """Leaves where `f` holds (`exact=False`: sizes given as 1, see `explore`)."""

        def decide(a: Assignment, hint: Any) -> Split | Leaf | None:
            need: list[str] = []
            v = evaluate(f, a, need)
            if v is None:
                return Split(self.space.pick(need))
            return Leaf(True) if v else PRUNE

        return self.explore(decide, start, exact)

    def satisfiable(self, f: Formula, start: Assignment | None = None) -> Assignment | None:
        if f is FALSE:
            return None
        for a, _, _ in self.solve(f, start, exact=False):
            found: Assignment = a
            return found
        return None

    def example(self, a: Assignment, questions: Sequence[str] | None = None) -> dict[str, Any]:
        """Concrete answers for the questions asked in `a` (all asked ones by default)."""
        out: dict[str, Any] = {}
        for qid in questions or self.space.order:
            d = self.space.domains[qid]
            if d.kind == "text" and not d.required:
                continue  # optional free text never decides: leave it out of examples
            if qid.endswith("?unknown"):
                base = qid.removesuffix("?unknown")
                if base in out and a.get(qid):
                    out[base] = self.space.unknown_answer(base)
                continue
            if self.is_asked(qid, a):
                out[qid] = self.space.example(qid, a)
        return out

    def describe(self, a: Assignment) -> str:
        from bruising_check.analysis.classes import Merged, describe

        return describe(self.space, Merged({v: frozenset([c]) for v, c in a.items()}, 0, {}))
