"""Readable situation classes: merge leaves of the search that differ in one variable, then say
what each merged class requires of the answers.

The search splits the space in whatever order the rules needed, so one plain situation ("rolling,
not mobile, a swelling") can arrive as many leaves. Leaves with the same result that differ in the
cell of exactly one variable are merged (their cells united, their sizes added) until nothing
changes; a variable whose cells cover its whole domain is then dropped from the description.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bruising_check.analysis.space import Domain, Space, _num

Cells = frozenset[Any]


@dataclass
class Merged:
    cells: dict[str, Cells]
    size: int
    example: dict[str, Any]


def merge(
    leaves: Iterable[tuple[dict[str, Any], int, dict[str, Any]]],
    on_time: Callable[[], None] | None = None,
) -> list[Merged]:
    """Merge (assignment, size, example) leaves that differ in one variable's cell.
    `on_time` is called before each pass over the leaves (an analysis's budget check: merging
    hundreds of thousands of leaves can take minutes)."""
    items = [Merged({v: frozenset([c]) for v, c in a.items()}, s, ex) for a, s, ex in leaves]
    changed = True
    while changed and len(items) > 1:
        changed = False
        for var in sorted({v for m in items for v in m.cells}):
            if on_time is not None:
                on_time()
            buckets: dict[Any, list[Merged]] = {}
            rest: list[Merged] = []
            for m in items:
                if var not in m.cells:
                    rest.append(m)
                    continue
                key = (
                    frozenset(m.cells),
                    tuple(sorted((k, _key(c)) for k, c in m.cells.items() if k != var)),
                )
                buckets.setdefault(key, []).append(m)
            merged: list[Merged] = []
            for group in buckets.values():
                if len(group) == 1:
                    merged.append(group[0])
                    continue
                changed = True
                union: set[Any] = set()
                for m in group:
                    union |= m.cells[var]
                cells = {**group[0].cells, var: frozenset(union)}
                biggest = max(group, key=lambda m: m.size)
                merged.append(Merged(cells, sum(m.size for m in group), biggest.example))
            items = rest + merged
    items.sort(key=lambda m: -m.size)
    return items


def _key(cells: Cells) -> tuple[str, ...]:
    return tuple(sorted(repr(c) for c in cells))


def describe(space: Space, m: Merged) -> str:
    parts: list[str] = []
    for qid in space.order:
        d = space.domains[qid]
        parts += _describe_question(space, d, m.cells)
    return " AND ".join(parts) if parts else "any answers"


def _describe_question(space: Space, d: Domain, cells: dict[str, Cells]) -> list[str]:
    mine = {v: cells[v] for v in d.var_names if v in cells}
    if not mine:
        return []
    if d.kind == "boolean":
        values = mine[d.var_names[0]]
        return [] if len(values) == 2 else [f"{d.qid} is {str(next(iter(values))).lower()}"]
    if d.kind == "single_choice":
        chosen = sorted(mine[d.var_names[0]])
        if len(chosen) == len(d.classes):
            return []
        options = [o for i in chosen for o in d.classes[i]]
        if len(options) == 1:
            return [f"{d.qid} is {options[0]}"]
        return [f"{d.qid} is one of {', '.join(options)}"]
    if d.kind == "number":
        return _describe_number(space, d, mine[d.var_names[0]])
    if d.kind == "group":
        return d.group.describe_all(mine)  # type: ignore[no-any-return]
    return _describe_multi(d, mine)


def _describe_number(space: Space, d: Domain, cells: Cells) -> list[str]:
    if not d.integer:
        return _describe_real(space, d, cells)
    runs: list[list[float]] = []
    for lo, hi in sorted(cells):
        if runs and d.integer and lo <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], hi)
        else:
            runs.append([lo, hi])
    if len(runs) == 1 and runs[0][0] <= d.lo and runs[0][1] >= d.hi:
        return []
    shown = []
    for lo, hi in runs:
        if lo == hi:
            shown.append(f"{d.qid} is {_num(lo)}")
        elif lo <= d.lo:
            shown.append(f"{d.qid} ≤ {_num(hi)}")
        elif hi >= d.hi:
            shown.append(f"{d.qid} ≥ {_num(lo)}")
        else:
            shown.append(f"{_num(lo)} ≤ {d.qid} ≤ {_num(hi)}")
    return [shown[0] if len(shown) == 1 else "(" + " OR ".join(shown) + ")"]


def _describe_real(space: Space, d: Domain, cells: Cells) -> list[str]:
    """Ranges [start, end) of a non-integer number, adjacent ones joined."""
    runs: list[list[Any]] = []
    for lo, _ in sorted(cells):
        start, end = space.real_ranges.get((d.qid, lo), (lo, None))
        if runs and runs[-1][1] == start:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    if len(runs) == 1 and runs[0][0] <= d.lo and runs[0][1] is None:
        return []
    shown = []
    for start, end in runs:
        if end is not None and end == math.nextafter(start, math.inf):
            shown.append(f"{d.qid} is {_num(start)}")
            continue
        low = "" if start <= d.lo else _bound(start, below=False)
        high = "" if end is None else _bound(end, below=True)
        if low and high:
            shown.append(f"{d.qid} {low} and {high}")
        else:
            shown.append(f"{d.qid} {low or high}")
    return [shown[0] if len(shown) == 1 else "(" + " OR ".join(shown) + ")"]


def _bound(x: float, *, below: bool) -> str:
    """`< x` / `≥ x`, or `≤ y` / `> y` when x is the float just after a rounder y (an `equals`
    or `le` threshold)."""
    y = math.nextafter(x, -math.inf)
    rounder = len(repr(y)) < len(repr(x))
    if below:
        return f"≤ {_num(y)}" if rounder else f"< {_num(x)}"
    return f"> {_num(y)}" if rounder else f"≥ {_num(x)}"


_STATE_WORDS = {
    frozenset("E"): "none of",
    frozenset("N"): "any of",
    frozenset("F"): "all of",
    frozenset("P"): "some but not all of",
    frozenset("PF"): "any of",
    frozenset("EP"): "not all of",
    frozenset("EF"): "all or none of",
}


def _describe_multi(d: Domain, mine: dict[str, Cells]) -> list[str]:
    states = {v: frozenset(mine[v]) for v in mine}
    singles = {v: s for v, s in states.items() if len(s) == 1}
    if len(singles) == len(d.var_names) and all(next(iter(s)) in "EF" for s in singles.values()):
        full = [
            o for v, c in zip(d.var_names, d.classes, strict=True) if states[v] == {"F"} for o in c
        ]
        return [f"{d.qid} is exactly [{', '.join(full)}]"]
    # "none of A" and "none of B" read as "none of A, B" (likewise "all of"); "any of" per class.
    phrases: dict[str, list[str]] = {}
    members: tuple[str, ...]
    for v, members in zip(d.var_names, d.classes, strict=True):
        s = states.get(v)
        if s is None:
            continue
        if len(members) == 1:
            s = frozenset("F" if x in "NPF" else x for x in s)
        if len(s) >= 2 and (
            s >= {"E", "N"} or s >= {"E", "P", "F"} or (s == {"E", "F"} and len(members) == 1)
        ):
            continue  # every answer: nothing to say
        word = _STATE_WORDS.get(s)
        if word is None:
            continue
        if word in ("none of", "all of", "includes"):
            phrases.setdefault(word, []).extend(members)
        else:
            phrases[f"{word}#{v}"] = list(members)
    out = []
    for key, names in phrases.items():
        word = key.split("#")[0]
        if word == "all of" and len(names) == 1:
            word = "includes"
        verb = word if word == "includes" else f"includes {word}"
        out.append(f"{d.qid} {verb} {', '.join(names)}")
    return out
