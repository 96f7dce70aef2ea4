"""Bounds on the numbers a protocol can produce: timescales and derived facts that a record (and
the clock arithmetic behind act-by times) can hold. Interval arithmetic over the answers' ranges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import (
    Add,
    Div,
    Expr,
    Mul,
    NumberFact,
    NumberQuestion,
    Protocol,
    Ref,
    Sub,
    Timescale,
)
from bruising_check.protocol.yamlread import Located, Path

# A deadline further off than a year is not a safeguarding timescale, and far larger ones
# overflow the clock arithmetic that turns "within N hours" into an act-by time.
MAX_TIMESCALE_HOURS = 8760
# Derived numbers are ages and weeks; anything near this is an error in the arithmetic.
MAX_FACT_MAGNITUDE = 1e12


def check_number_sizes(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """Numbers a record cannot hold: timescales past a year, facts that can overflow."""
    for path, ts in _timescales(p):
        if ts.hours is not None and ts.hours > MAX_TIMESCALE_HOURS:
            yield located.problem(
                Code.SCHEMA,
                f"timescale of {ts.hours:g} hours is more than a year"
                f" (at most {MAX_TIMESCALE_HOURS})",
                (*path, "hours"),
            )
    ranges: dict[str, tuple[float, float]] = {
        q.id: (q.min, q.max) for q in p.questions if isinstance(q, NumberQuestion)
    }
    for i, f in enumerate(p.derived):
        if not isinstance(f, NumberFact):
            continue
        low, high = _interval(f.value, ranges)
        ranges[f.id] = (low, high)
        if not max(abs(low), abs(high)) <= MAX_FACT_MAGNITUDE:
            yield located.problem(
                Code.SCHEMA,
                f"fact {f.id!r} can reach {max(abs(low), abs(high)):g} for answers in range;"
                f" derived numbers must stay within ±{MAX_FACT_MAGNITUDE:g}",
                ("derived", i, "value"),
            )


def _timescales(p: Protocol) -> Iterator[tuple[Path, Timescale]]:
    for i, pw in enumerate(p.pathways):
        yield ("pathways", i, "timescale"), pw.timescale
        for k, a in enumerate(pw.actions):
            if a.timescale is not None:
                yield ("pathways", i, "actions", k, "timescale"), a.timescale
    for i, adv in enumerate(p.advice):
        for k, a in enumerate(adv.actions):
            if a.timescale is not None:
                yield ("advice", i, "actions", k, "timescale"), a.timescale


def _interval(expr: Expr, ranges: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """The smallest and largest value `expr` can take (interval arithmetic; unknown refs are 0,
    since other checks report them)."""
    if isinstance(expr, Ref):
        return ranges.get(expr.subject, (0.0, 0.0))
    if isinstance(expr, (int, float)):
        return (float(expr), float(expr))
    # Float arithmetic overflows to inf (or nan), never raises: the caller's bound catches both.
    match expr:
        case Add(add=items):
            parts = [_interval(e, ranges) for e in items]
            return (sum(lo for lo, _ in parts), sum(hi for _, hi in parts))
        case Sub(sub=(a, b)):
            (a_lo, a_hi), (b_lo, b_hi) = _interval(a, ranges), _interval(b, ranges)
            return (a_lo - b_hi, a_hi - b_lo)
        case Mul(mul=(a, k)):
            lo, hi = _interval(a, ranges)
            return (min(lo * k, hi * k), max(lo * k, hi * k))
        case Div(div=(a, k)):
            lo, hi = _interval(a, ranges)
            return (min(lo / k, hi / k), max(lo / k, hi / k))
    return (0.0, 0.0)  # pragma: no cover - the schema admits no other expression
