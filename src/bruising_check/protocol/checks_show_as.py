"""`show_as` on questions: what the record and printouts single out (a mark's site, side,
explanation...) is declared once per group, so they never have to guess by a question's id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import Some, walk
from bruising_check.protocol.model import BooleanFact, GroupQuestion, Protocol, Question
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
                yield from _marks_without_site(q, (section, i), located)
    yield from _once_each(
        [(path, q) for path, q in top if not isinstance(q, GroupQuestion)],
        "the top-level questions",
        located,
    )
    yield from _screening_without_parts(p, located)


def _screening_without_parts(p: Protocol, located: Located) -> Iterator[Problem]:
    """A screening fact (`show_as: screening`) that holds when some item of a group does: without
    a `screening_component` item fact in that group, a positive screen's record cannot say
    which mark, or which part of the screen, made it positive."""
    groups = {
        q.id: q
        for s in ("questions", "context_prompts")
        for q in getattr(p, s)
        if isinstance(q, GroupQuestion)
    }
    for i, f in enumerate(p.derived):
        if f.show_as != "screening" or not isinstance(f, BooleanFact):
            continue
        read = {n.some.group for n in walk(f.condition) if isinstance(n, Some)}
        for gid in sorted(read):
            g = groups.get(gid)
            if g is not None and not any(d.show_as == "screening_component" for d in g.derived):
                yield located.problem(
                    Code.W_SCREENING_WITHOUT_PARTS,
                    f"screening fact {f.id!r} reads group {gid!r}, which has no"
                    " `show_as: screening_component` fact: the record of a positive screen"
                    " cannot say which mark or which part made it positive",
                    ("derived", i),
                )


# What a mark's questions are shown as: a group that declares any of these is meant as the marks.
_MARK_PARTS = frozenset(
    {"type", "side", "size", "colour", "count", "pattern", "explanation", "explained_by"}
)


def _marks_without_site(g: GroupQuestion, path: Path, located: Located) -> Iterator[Problem]:
    """A group that declares a mark's parts but no `show_as: site` is not printed as marks (no
    marks list, no body map): the printout finds the marks by their site, never by an id."""
    shown = {iq.show_as for iq in g.questions if iq.show_as is not None}
    if shown & _MARK_PARTS and "site" not in shown:
        yield located.problem(
            Code.W_MARKS_WITHOUT_SITE,
            f"group {g.id!r} declares {', '.join(sorted(shown & _MARK_PARTS))} but no"
            " `show_as: site`: its items are not printed as marks (no marks list, no body map)",
            path,
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
