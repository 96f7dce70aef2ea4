"""`show_as` on questions: what the record and printouts single out (a mark's site, side,
explanation...) is declared once per group, so they never have to guess by a question's id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import GroupQuestion, Protocol, Question
from bruising_check.protocol.yamlread import Located, Path


def check_show_as(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """At most one question per `show_as` among the top-level questions and context prompts,
    and within each group; a group itself is not shown as anything."""
    top: list[tuple[Path, Question]] = []
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            top.append(((section, i), q))
            if isinstance(q, GroupQuestion):
                if q.show_as is not None:
                    yield located.problem(
                        Code.SCHEMA,
                        f"group {q.id!r}: `show_as` is for a question, not a repeated group",
                        (section, i, "show_as"),
                        key=True,
                    )
                inner = [((section, i, "questions", k), iq) for k, iq in enumerate(q.questions)]
                yield from _once_each(inner, f"group {q.id!r}", located)
    yield from _once_each(
        [(path, q) for path, q in top if not isinstance(q, GroupQuestion)],
        "the top-level questions",
        located,
    )


def _once_each(
    questions: Sequence[tuple[Path, Question]], where: str, located: Located
) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for path, q in questions:
        if q.show_as is None:
            continue
        if q.show_as in first:
            yield located.problem(
                Code.DUPLICATE_SHOW_AS,
                f"{where}: {q.id!r} and {first[q.show_as]!r} are both `show_as: {q.show_as}`",
                (*path, "show_as"),
            )
        else:
            first[q.show_as] = q.id


SHOW_AS_CHECKS = (check_show_as,)
