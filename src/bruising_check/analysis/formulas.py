"""Formulas over the space's variables, and their partial evaluation on cells.

`evaluate` is partial: on an assignment of some variables to cells it answers True or False when
every completion agrees, else None and the variables worth splitting. `compile` builds these
formulas from a protocol's conditions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bruising_check.analysis.space import Assignment


class Formula:
    __slots__ = ()


@dataclass(frozen=True, eq=False)
class Const(Formula):
    value: bool


TRUE, FALSE = Const(True), Const(False)


@dataclass(frozen=True, eq=False)
class And(Formula):
    items: tuple[Formula, ...]


@dataclass(frozen=True, eq=False)
class Or(Formula):
    items: tuple[Formula, ...]


@dataclass(frozen=True, eq=False)
class Neg(Formula):
    item: Formula


@dataclass(frozen=True, eq=False)
class Guarded(Formula):
    """`guard AND test`, where `test` reads answers that exist only when `guard` holds (the
    question is asked, the fact applies): never split on the test's variables before the guard
    is known, or an unasked question would be counted once per cell."""

    guard: Formula
    test: Formula


@dataclass(frozen=True, eq=False)
class Atom(Formula):
    """A test on the cells of some variables: True/False when decided, None when not."""

    vars: tuple[str, ...]
    test: Callable[[Assignment], bool | None]
    split_on: Callable[[Assignment], str]


def conj(*items: Formula) -> Formula:
    flat = [i for i in items if i is not TRUE]
    if any(i is FALSE for i in flat):
        return FALSE
    return flat[0] if len(flat) == 1 else (And(tuple(flat)) if flat else TRUE)


def disj(*items: Formula) -> Formula:
    flat = [i for i in items if i is not FALSE]
    if any(i is TRUE for i in flat):
        return TRUE
    return flat[0] if len(flat) == 1 else (Or(tuple(flat)) if flat else FALSE)


def guarded(guard: Formula, test: Formula) -> Formula:
    if guard is FALSE or test is FALSE:
        return FALSE
    if guard is TRUE:
        return test
    if test is TRUE:
        return guard
    return Guarded(guard, test)


def neg(item: Formula) -> Formula:
    if item is TRUE:
        return FALSE
    if item is FALSE:
        return TRUE
    return item.item if isinstance(item, Neg) else Neg(item)


def evaluate(f: Formula, a: Assignment, need: list[str]) -> bool | None:
    """True/False if decided on every completion of `a`; else None, and the variables worth
    splitting (one per undecided atom) are appended to `need`."""
    if isinstance(f, Atom):
        got = f.test(a)
        if got is None:
            need.append(f.split_on(a))
        return got
    if isinstance(f, And):
        result: bool | None = True
        for item in f.items:
            v = evaluate(item, a, need)
            if v is False:
                return False
            if v is None:
                result = None
        return result
    if isinstance(f, Or):
        result = False
        for item in f.items:
            v = evaluate(item, a, need)
            if v is True:
                return True
            if v is None:
                result = None
        return result
    if isinstance(f, Neg):
        v = evaluate(f.item, a, need)
        return None if v is None else not v
    if isinstance(f, Guarded):
        g = evaluate(f.guard, a, need)
        if g is False:
            return False
        t = evaluate(f.test, a, need if g else [])
        if t is False:
            return False
        return True if g and t else None
    assert isinstance(f, Const)
    return f.value


def atoms(f: Formula) -> list[Atom]:
    if isinstance(f, Atom):
        return [f]
    if isinstance(f, (And, Or)):
        return [x for item in f.items for x in atoms(item)]
    if isinstance(f, Neg):
        return atoms(f.item)
    if isinstance(f, Guarded):
        return atoms(f.guard) + atoms(f.test)
    return []
