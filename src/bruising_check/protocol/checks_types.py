"""Arithmetic only on numbers, and only questions that can be answered.

Two promises the engine and the exhaustive analysis both rely on, so that they can never disagree
(issue 13): a derived number adds, subtracts, multiplies and divides numbers only — a yes/no or
choice answer inside arithmetic is refused here, because Python would happily compute
`True + 1 = 2` while the analysis treats the answer as a choice — and every question has at least
one possible answer (a multiple-choice question with `min_selected` above its number of options,
or an integer question with no integer between `min` and `max`, makes every answer set invalid,
and "all 0 complete answer sets" proves nothing).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import (
    Add,
    Div,
    Expr,
    Mul,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    Ref,
    Sub,
)
from bruising_check.protocol.yamlread import Located, Path


def check_types(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """Arithmetic on non-numbers, and questions no answer can satisfy."""
    questions: dict[str, Any] = {q.id: q for q in (*p.questions, *p.context_prompts)}
    facts: dict[str, Any] = {f.id: f for f in p.derived}
    for i, f in enumerate(p.derived):
        if isinstance(f, NumberFact):
            yield from _arithmetic(f.value, ("derived", i, "value"), questions, facts, {}, located)
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            yield from _answerable(q, (section, i), located)
            items = getattr(q, "questions", None)
            if items is None:
                continue
            own = {x.id: x for x in items}
            own_facts = {f.id: f for f in getattr(q, "derived", ())}
            for j, x in enumerate(items):
                yield from _answerable(x, (section, i, "questions", j), located)
            for j, f in enumerate(getattr(q, "derived", ())):
                if isinstance(f, NumberFact):
                    yield from _arithmetic(
                        f.value,
                        (section, i, "derived", j, "value"),
                        questions,
                        facts,
                        {**own, **own_facts},
                        located,
                    )


def _arithmetic(
    expr: Expr,
    path: Path,
    questions: Mapping[str, Any],
    facts: Mapping[str, Any],
    item: Mapping[str, Any],
    located: Located,
) -> Iterator[Problem]:
    for ref, where in _refs(expr, path):
        subject_kind, subject = _subject(ref)
        found = {"question": questions, "fact": facts, "item": item}[subject_kind].get(subject)
        if found is None:
            continue  # an unknown id is reported by the reference checks
        if isinstance(found, (NumberQuestion, NumberFact)):
            continue
        kind = getattr(found, "type", "unknown")
        yield located.problem(
            Code.ARITHMETIC_NOT_NUMBER,
            f"arithmetic on {subject_kind} {subject!r}, which is a {kind.replace('_', ' ')}"
            " answer, not a number",
            (*where, subject_kind),
        )


def _subject(ref: Ref) -> tuple[str, str]:
    if ref.question is not None:
        return "question", ref.question
    if ref.fact is not None:
        return "fact", ref.fact
    return "item", str(getattr(ref, "item", ""))


def _refs(expr: Expr, path: Path) -> Iterator[tuple[Ref, Path]]:
    if isinstance(expr, Ref):
        yield expr, path
        return
    if isinstance(expr, (int, float)):
        return
    names: dict[type, str] = {Add: "add", Sub: "sub", Mul: "mul", Div: "div"}
    name = names.get(type(expr))
    if name is None:  # pragma: no cover - the Expr union is closed
        return
    for k, part in enumerate(getattr(expr, name)):
        yield from _refs(part, (*path, name, k))


def _answerable(q: Any, path: Path, located: Located) -> Iterator[Problem]:
    if isinstance(q, MultipleChoiceQuestion):
        known = [o for o in q.options if not getattr(o, "unknown", False)]
        if q.min_selected > len(known):
            yield located.problem(
                Code.UNANSWERABLE,
                f"question {q.id!r} can never be answered: min_selected is {q.min_selected}"
                f" but it offers only {len(known)} option(s) to choose",
                (*path, "min_selected"),
            )
    elif isinstance(q, NumberQuestion) and q.integer and math.ceil(q.min) > math.floor(q.max):
        yield located.problem(
            Code.UNANSWERABLE,
            f"question {q.id!r} can never be answered: it takes whole numbers, and there is"
            f" none from {q.min:g} to {q.max:g}",
            (*path, "min"),
        )
