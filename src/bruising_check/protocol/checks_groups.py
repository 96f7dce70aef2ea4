"""Semantic checks for repeated groups, quantifiers, unknown options and follow-on pathways
(docs/design/groups-unknowns-followon.md): every misuse is a located problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
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
from bruising_check.protocol.model import (
    BooleanFact,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
)
from bruising_check.protocol.walk import all_conditions, conditions_with_paths, expr_refs
from bruising_check.protocol.yamlread import Located, Path


def _group_conditions(p: Protocol) -> Iterator[tuple[Path, Condition, str, GroupQuestion]]:
    """Conditions that belong to a group: item `ask_if` and item facts."""
    for section in ("questions", "context_prompts"):
        for i, g in enumerate(getattr(p, section)):
            if not isinstance(g, GroupQuestion):
                continue
            base: Path = (section, i)
            for k, q in enumerate(g.questions):
                if q.ask_if is not None:
                    yield (*base, "questions", k, "ask_if"), q.ask_if, "ask_if", g
                for m, o in enumerate(getattr(q, "options", ())):
                    if o.offered_if is not None:
                        where = (*base, "questions", k, "options", m, "offered_if")
                        yield where, o.offered_if, "ask_if", g
            for k, f in enumerate(g.derived):
                if isinstance(f, BooleanFact):
                    yield (*base, "derived", k, "condition"), f.condition, "fact", g
                elif f.applies_if is not None:
                    yield (*base, "derived", k, "applies_if"), f.applies_if, "fact", g


def check_quantifiers(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """`item:` only where an item is in view; groups, item ids and sums that exist; no nested
    quantifier over the same group."""
    groups = {q.id: q for q in p.questions if isinstance(q, GroupQuestion)}
    context_groups = {q.id: q for q in p.context_prompts if isinstance(q, GroupQuestion)}
    for path, cond, owner in all_conditions(p):
        yield from _walk(p, cond, path, None, (), groups, context_groups, owner, located)
    for path, cond, owner, g in _group_conditions(p):
        yield from _walk(p, cond, path, g, (g.id,), groups, context_groups, owner, located)
        yield from _child_refs(p, cond, path, located)


def _child_refs(p: Protocol, cond: Condition, root: Path, located: Located) -> Iterator[Problem]:
    """Child-level `question:` / `fact:` inside a group's own conditions (the top-level check
    does the same for rules, facts and advice)."""
    from bruising_check.protocol.checks_conditions import (
        _check_compare_fact,
        _check_compare_question,
    )

    facts = {f.id: f for f in p.derived}
    for path, node in conditions_with_paths(cond, root):
        if not isinstance(node, Compare) or node.item is not None:
            continue
        if node.question is not None:
            q = p.question(node.question)
            if q is None or isinstance(q, GroupQuestion):
                yield located.problem(
                    Code.UNKNOWN_QUESTION,
                    f"unknown child-level question {node.question!r}",
                    (*path, "question"),
                )
                continue
            yield from _check_compare_question(node, q, path, located)
        else:
            f = facts.get(str(node.fact))
            if f is None:
                yield located.problem(
                    Code.UNKNOWN_FACT, f"unknown derived fact {node.fact!r}", (*path, "fact")
                )
                continue
            yield from _check_compare_fact(node, f, path, located)


def _walk(
    p: Protocol,
    cond: Condition,
    path: Path,
    scope: GroupQuestion | None,
    open_groups: tuple[str, ...],
    groups: dict[str, GroupQuestion],
    context_groups: dict[str, GroupQuestion],
    owner: str,
    located: Located,
) -> Iterator[Problem]:
    match cond:
        case AllOf(all=parts):
            for i, part in enumerate(parts):
                yield from _walk(
                    p,
                    part,
                    (*path, "all", i),
                    scope,
                    open_groups,
                    groups,
                    context_groups,
                    owner,
                    located,
                )
        case AnyOf(any=parts):
            for i, part in enumerate(parts):
                yield from _walk(
                    p,
                    part,
                    (*path, "any", i),
                    scope,
                    open_groups,
                    groups,
                    context_groups,
                    owner,
                    located,
                )
        case Not(not_=inner):
            yield from _walk(
                p,
                inner,
                (*path, "not"),
                scope,
                open_groups,
                groups,
                context_groups,
                owner,
                located,
            )
        case Some(some=q) | Every(every=q) | Count(count=q):
            key = (
                "some"
                if isinstance(cond, Some)
                else "every"
                if isinstance(cond, Every)
                else "count"
            )
            here: Path = (*path, key)
            g = groups.get(q.group) or context_groups.get(q.group)
            if g is None:
                known = ", ".join(sorted(groups | context_groups)) or "none"
                yield located.problem(
                    Code.UNKNOWN_GROUP,
                    f"unknown group {q.group!r} (groups: {known})",
                    (*here, "group"),
                )
                return
            if q.group in context_groups and owner != "context":
                yield located.problem(
                    Code.CONTEXT_DECIDES,
                    f"context group {q.group!r} is used by a {owner}",
                    (*here, "group"),
                )
            if q.group in open_groups:
                yield located.problem(
                    Code.NESTED_QUANTIFIER,
                    f"a quantifier over {q.group!r} inside another over the same group",
                    (*here, "group"),
                )
            if isinstance(cond, Count) and cond.count.sum is not None:
                yield from _check_sum(g, cond.count.sum, (*here, "sum"), located)
            yield from _walk(
                p,
                q.where,
                (*here, "where"),
                g,
                (*open_groups, q.group),
                groups,
                context_groups,
                owner,
                located,
            )
        case Compare(item=str(item_id)):
            if scope is None:
                yield located.problem(
                    Code.ITEM_OUTSIDE_GROUP,
                    f"`item: {item_id}` outside a quantifier: no item is in view here",
                    (*path, "item"),
                )
                return
            yield from _check_item_compare(cond, scope, path, located)


def _check_item_compare(
    node: Compare, g: GroupQuestion, path: Path, located: Located
) -> Iterator[Problem]:
    from bruising_check.protocol.checks_conditions import (
        _check_compare_fact,
        _check_compare_question,
    )

    subject = node.subject
    q = g.question(subject)
    if q is not None:
        yield from _check_compare_question(node, q, path, located)
        return
    f = g.fact(subject)
    if f is not None:
        yield from _check_compare_fact(node, f, path, located)
        return
    ids = [x.id for x in g.questions] + [x.id for x in g.derived]
    yield located.problem(
        Code.UNKNOWN_ITEM,
        f"{subject!r} is not a question or fact of {g.id!r} ({', '.join(ids)})",
        (*path, "item"),
    )


def _check_sum(g: GroupQuestion, field: str, path: Path, located: Located) -> Iterator[Problem]:
    q = g.question(field)
    f = g.fact(field)
    if q is None and f is None:
        yield located.problem(
            Code.UNKNOWN_ITEM, f"{field!r} is not a question or fact of {g.id!r}", path
        )
    elif not isinstance(q, NumberQuestion) and not isinstance(f, NumberFact):
        what = q.type if q is not None else "yes/no fact"
        yield located.problem(
            Code.SUM_NOT_NUMBER, f"`sum: {field}` adds up a {what}, not a number", path
        )


def check_groups(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """Inside a group: unique ids, item facts in order, references to items that exist."""
    sources = {s.id for s in p.sources}
    for section in ("questions", "context_prompts"):
        for i, g in enumerate(getattr(p, section)):
            if not isinstance(g, GroupQuestion):
                continue
            base: Path = (section, i)
            seen: set[str] = set()
            for k, q in enumerate(g.questions):
                if q.id in seen:
                    yield located.problem(
                        Code.DUPLICATE_ID,
                        f"duplicate question id {q.id!r} in {g.id!r}",
                        (*base, "questions", k, "id"),
                    )
                seen.add(q.id)
                if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
                    options: set[str] = set()
                    for m, o in enumerate(q.options):
                        if o.id in options:
                            yield located.problem(
                                Code.DUPLICATE_ID,
                                f"duplicate id {o.id!r}",
                                (*base, "questions", k, "options", m, "id"),
                            )
                        options.add(o.id)
                for m, sid in enumerate(q.cite):
                    if sid not in sources:
                        yield located.problem(
                            Code.UNKNOWN_SOURCE,
                            f"unknown source {sid!r}",
                            (*base, "questions", k, "cite", m),
                        )
            defined: list[str] = []
            for k, f in enumerate(g.derived):
                if f.id in seen or f.id in defined:
                    yield located.problem(
                        Code.ID_CLASH,
                        f"{f.id!r} is used twice in {g.id!r} (questions and item facts share"
                        " one namespace)",
                        (*base, "derived", k, "id"),
                    )
                for m, sid in enumerate(f.cite):
                    if sid not in sources:
                        yield located.problem(
                            Code.UNKNOWN_SOURCE,
                            f"unknown source {sid!r}",
                            (*base, "derived", k, "cite", m),
                        )
                if isinstance(f, NumberFact):
                    for ref in expr_refs(f.value):
                        if ref.item is None:
                            continue
                        if ref.item not in seen and ref.item not in defined:
                            code = (
                                Code.FACT_ORDER
                                if g.fact(ref.item) is not None
                                else Code.UNKNOWN_ITEM
                            )
                            yield located.problem(
                                code,
                                f"item fact {f.id!r} uses {ref.item!r}, which is not an item"
                                " question or an item fact defined before it",
                                (*base, "derived", k, "value"),
                            )
                        else:
                            target = g.question(ref.item) or g.fact(ref.item)
                            if not isinstance(target, (NumberQuestion, NumberFact)):
                                yield located.problem(
                                    Code.TYPE_MISMATCH,
                                    f"{ref.item!r} is not a number",
                                    (*base, "derived", k, "value"),
                                )
                defined.append(f.id)


def check_follow_on(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """`then: rules_below` names a first-step pathway; a first-step pathway is used only so."""
    pathways = {pw.id: pw for pw in p.pathways}
    used_with_then: set[str] = set()
    for i, rule in enumerate(p.rules):
        pw = pathways.get(rule.pathway)
        if pw is None:
            continue  # check_references says so
        if rule.then == "rules_below":
            used_with_then.add(pw.id)
            if not pw.first_step:
                yield located.problem(
                    Code.THEN_WITHOUT_FIRST_STEP,
                    f"rule {rule.id!r} has `then: rules_below` but pathway {pw.id!r} is not a"
                    " first step",
                    ("rules", i, "then"),
                )
        elif pw.first_step:
            yield located.problem(
                Code.FIRST_STEP_WITHOUT_THEN,
                f"rule {rule.id!r} gives first-step pathway {pw.id!r} without"
                " `then: rules_below`: nothing would say what follows",
                ("rules", i, "pathway"),
            )
    for i, pw in enumerate(p.pathways):
        if pw.first_step and pw.id not in used_with_then:
            yield located.problem(
                Code.FIRST_STEP_WITHOUT_THEN,
                f"first-step pathway {pw.id!r} is not used by any rule with `then: rules_below`",
                ("pathways", i, "first_step"),
            )


GROUP_CHECKS = (check_quantifiers, check_groups, check_follow_on)
