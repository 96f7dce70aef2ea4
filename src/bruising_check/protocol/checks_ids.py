"""Unique ids within each list, one namespace for questions and context prompts (answered in one
answers file), and no id both a question and a derived fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import MultipleChoiceQuestion, Protocol, SingleChoiceQuestion
from bruising_check.protocol.yamlread import Located, Path


def _first(located: Located, path: Path) -> str:
    """Where the first of two items with one id is, so that both can be found."""
    if path not in located.value_at:  # a protocol made without its text has no lines
        return ""
    return f" (the first is at line {located.where(path)[0]})"


def _duplicates(items: Iterable[Any], path: Path, located: Located) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            first = _first(located, (*path, seen[item.id], "id"))
            yield located.problem(
                Code.DUPLICATE_ID, f"duplicate id {item.id!r}{first}", (*path, i, "id")
            )
        seen.setdefault(item.id, i)


def check_duplicate_ids(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    for name in (
        "sources",
        "definitions",
        "derived",
        "pathways",
        "contacts",
        "rules",
        "advice",
        "invariants",
    ):
        yield from _duplicates(getattr(p, name), (name,), located)
    # Questions and context prompts are answered in one answers file: one namespace.
    seen: dict[str, Path] = {}
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            if q.id in seen:
                first = _first(located, seen[q.id])
                yield located.problem(
                    Code.DUPLICATE_ID,
                    f"duplicate question id {q.id!r}{first}",
                    (section, i, "id"),
                )
            seen.setdefault(q.id, (section, i, "id"))
            if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
                yield from _duplicates(q.options, (section, i, "options"), located)
                for m, o in enumerate(q.options):
                    if o.offered_if is not None:
                        yield located.problem(
                            Code.SCHEMA,
                            f"option {o.id!r} of {q.id!r}: `offered_if` is for a question"
                            " inside a repeated group (the marks)",
                            (section, i, "options", m, "offered_if"),
                            key=True,
                        )
    for i, pw in enumerate(p.pathways):
        yield from _duplicates(pw.actions, ("pathways", i, "actions"), located)
    facts = {f.id for f in p.derived}
    for i, q in enumerate(p.questions):
        if q.id in facts:
            yield located.problem(
                Code.ID_CLASH, f"{q.id!r} is both a question and a derived fact", ("questions", i)
            )
    # Shared urgency ranks (allowed for equal levels): checks_local.check_levels.
