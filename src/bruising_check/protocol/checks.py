"""Semantic checks of a schema-valid protocol: references, types, order, and housekeeping.

One small function per concern, each yielding located problems (the yamllint way); `CHECKS` is the
registry `check_protocol` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.checks_actions import check_after
from bruising_check.protocol.checks_groups import GROUP_CHECKS
from bruising_check.protocol.checks_local import LOCAL_CHECKS
from bruising_check.protocol.checks_numbers import check_number_sizes
from bruising_check.protocol.checks_types import check_types
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import (
    Action,
    BooleanFact,
    BooleanQuestion,
    GroupQuestion,
    ItemQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.walk import all_conditions, conditions_with_paths, expr_refs
from bruising_check.protocol.yamlread import Located, Path

Check = Callable[[Protocol, Located, dt.date], Iterator[Problem]]


def check_protocol(protocol: Protocol, located: Located, *, today: dt.date) -> list[Problem]:
    problems = [p for check in CHECKS for p in check(protocol, located, today)]
    return sorted(problems, key=lambda p: (p.line, p.column, p.code.name))


def _duplicates(items: Iterable[Any], path: Path, located: Located) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            yield located.problem(Code.DUPLICATE_ID, f"duplicate id {item.id!r}", (*path, i, "id"))
        seen.add(item.id)


# --- checks ---------------------------------------------------------------------------------


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
    seen: set[str] = set()
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            if q.id in seen:
                yield located.problem(
                    Code.DUPLICATE_ID, f"duplicate question id {q.id!r}", (section, i, "id")
                )
            seen.add(q.id)
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


def check_conditions(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    questions: dict[str, Question] = {q.id: q for q in p.questions}
    context = {q.id: q for q in p.context_prompts}
    facts = {f.id: f for f in p.derived}
    for root, cond, owner in all_conditions(p):
        for path, node in conditions_with_paths(cond, root):
            if not isinstance(node, Compare) or node.item is not None:
                continue  # `item:` comparisons: checks_groups
            if node.question is not None:
                q = questions.get(node.question) or context.get(node.question)
                if q is None:
                    yield located.problem(
                        Code.UNKNOWN_QUESTION,
                        f"unknown question {node.question!r}{_in_group(p, node.question)}",
                        (*path, "question"),
                    )
                    continue
                if isinstance(q, GroupQuestion):
                    yield located.problem(
                        Code.GROUP_NOT_ALLOWED,
                        f"{q.id!r} is a repeated group; look at its items with some, every"
                        " or count",
                        (*path, "question"),
                    )
                    continue
                if node.question in context and owner != "context":
                    yield located.problem(
                        Code.CONTEXT_DECIDES,
                        f"context prompt {node.question!r} is used by a {owner}",
                        (*path, "question"),
                    )
                yield from _check_compare_question(node, q, path, located)
            else:
                f = facts.get(str(node.fact))
                if f is None:
                    yield located.problem(
                        Code.UNKNOWN_FACT, f"unknown derived fact {node.fact!r}", (*path, "fact")
                    )
                    continue
                yield from _check_compare_fact(node, f, path, located)


def _in_group(p: Protocol, qid: str) -> str:
    for g in p.groups:
        if g.question(qid) is not None:
            return f" (it is asked per {g.item_label}: use `item: {qid}` inside some/every/count)"
    return ""


def _check_compare_question(
    node: Compare, q: Question | ItemQuestion, path: Path, located: Located
) -> Iterator[Problem]:
    op, operand = node.operator, node.operand
    if op in {"answered", "known"} or isinstance(q, GroupQuestion):
        return
    allowed = {
        BooleanQuestion: {"equals", "in"},
        SingleChoiceQuestion: {"equals", "in"},
        MultipleChoiceQuestion: {"equals", "includes_any", "includes_all", "is_empty"},
        NumberQuestion: {"equals", "in", "lt", "le", "gt", "ge"},
        TextQuestion: set(),
    }[type(q)]
    if op not in allowed:
        yield located.problem(
            Code.TYPE_MISMATCH,
            f"`{op}` cannot be used on {q.type} question {q.id!r}"
            f" (allowed: {', '.join(sorted(allowed | {'answered'}))})",
            path,
        )
        return
    values = operand if isinstance(operand, tuple) else (operand,)
    if op == "is_empty":
        return
    if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        if (
            isinstance(q, MultipleChoiceQuestion)
            and op == "equals"
            and not isinstance(operand, tuple)
        ):
            yield located.problem(
                Code.TYPE_MISMATCH,
                f"`equals` on multiple-choice {q.id!r} takes a list of option ids",
                (*path, op),
            )
            return
        ids = {o.id for o in q.options}
        for v in values:
            if not isinstance(v, str):
                yield located.problem(
                    Code.TYPE_MISMATCH,
                    f"{q.id!r} is a choice question; compare it with option ids, not {v!r}",
                    (*path, "in" if op == "in" else op),
                )
            elif v == q.unknown_option:
                yield located.problem(
                    Code.UNKNOWN_OPTION_IN_CONDITION,
                    f"{v!r} is {q.id!r}'s 'not known' option; a condition cannot name it",
                    (*path, "in" if op == "in" else op),
                    hint=f"Use `{{{node.subject_kind}: {q.id}, known: false}}` to act on not"
                    " knowing.",
                )
            elif v not in ids:
                yield located.problem(
                    Code.UNKNOWN_OPTION,
                    f"{v!r} is not an option of {q.id!r} (options: {', '.join(sorted(ids))})",
                    (*path, "in" if op == "in" else op),
                )
    elif isinstance(q, BooleanQuestion):
        if not all(isinstance(v, bool) for v in values):
            yield located.problem(
                Code.TYPE_MISMATCH, f"{q.id!r} is yes/no; compare it with true or false", path
            )
    elif isinstance(q, NumberQuestion) and not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        yield located.problem(
            Code.TYPE_MISMATCH, f"{q.id!r} is a number; compare it with numbers", path
        )


def _check_compare_fact(node: Compare, f: Any, path: Path, located: Located) -> Iterator[Problem]:
    op, operand = node.operator, node.operand
    if op == "known":
        yield located.problem(
            Code.TYPE_MISMATCH,
            f"`known` looks at an answer; {f.id!r} is a derived fact (a fact that depends on an"
            " unknown answer is unknown itself)",
            path,
        )
        return
    if op == "answered":
        return
    if isinstance(f, BooleanFact):
        if op not in {"is_true", "equals"} or not isinstance(operand, bool):
            yield located.problem(
                Code.TYPE_MISMATCH,
                f"{f.id!r} is a yes/no fact; test it alone or with `equals: true|false`",
                path,
            )
    elif isinstance(f, NumberFact) and (
        op not in {"lt", "le", "gt", "ge", "equals", "in"}
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in (operand if isinstance(operand, tuple) else (operand,))
        )
    ):
        yield located.problem(
            Code.TYPE_MISMATCH, f"{f.id!r} is a number; compare it with lt/le/gt/ge", path
        )


def check_order(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """ask_if may only use questions asked before; facts only what is defined before them."""
    order = {q.id: i for i, q in enumerate(p.questions)}
    fact_ids = [f.id for f in p.derived]
    # The latest question each fact depends on (facts may use earlier facts).
    needs: dict[str, int] = {}
    for i, f in enumerate(p.derived):
        refs: list[tuple[str, str, Path]] = []
        if isinstance(f, BooleanFact):
            for path, node in conditions_with_paths(f.condition, ("derived", i, "condition")):
                if isinstance(node, Compare) and node.item is None:
                    kind = "question" if node.question is not None else "fact"
                    refs.append((kind, node.subject, path))
        else:
            for ref in expr_refs(f.value):
                if ref.item is not None:
                    yield located.problem(
                        Code.ITEM_OUTSIDE_GROUP,
                        f"`item: {ref.item}` in child-level fact {f.id!r}; items are read only"
                        " inside a group",
                        ("derived", i, "value"),
                    )
                    continue
                kind = "question" if ref.question is not None else "fact"
                refs.append((kind, ref.subject, ("derived", i, "value")))
            if f.applies_if is not None:
                for path, node in conditions_with_paths(f.applies_if, ("derived", i, "applies_if")):
                    if isinstance(node, Compare) and node.item is None:
                        kind = "question" if node.question is not None else "fact"
                        refs.append((kind, node.subject, path))
        latest = -1
        for kind, subject, path in refs:
            if kind == "question":
                if subject not in order:
                    if isinstance(f, NumberFact) and path[-1] == "value":
                        yield located.problem(
                            Code.UNKNOWN_QUESTION, f"unknown question {subject!r}", path
                        )
                    continue
                latest = max(latest, order[subject])
            elif subject in fact_ids[:i]:
                latest = max(latest, needs[subject])
            elif subject in fact_ids:
                yield located.problem(
                    Code.FACT_ORDER,
                    f"fact {f.id!r} uses {subject!r}, which is defined after it",
                    path,
                )
            elif isinstance(f, NumberFact) and path[-1] == "value":
                yield located.problem(Code.UNKNOWN_FACT, f"unknown derived fact {subject!r}", path)
        needs[f.id] = latest
    for i, q in enumerate(p.questions):
        if q.ask_if is None:
            continue
        for path, node in conditions_with_paths(q.ask_if, ("questions", i, "ask_if")):
            if not isinstance(node, Compare) or node.item is not None:
                continue
            at = order.get(node.subject) if node.question is not None else needs.get(node.subject)
            if at is not None and at >= i:
                what = (
                    f"question {node.subject!r}"
                    if node.question is not None
                    else f"fact {node.subject!r}, which needs question {p.questions[at].id!r},"
                )
                yield located.problem(
                    Code.ASK_IF_ORDER,
                    f"`ask_if` of {q.id!r} uses {what} asked at or after it",
                    path,
                )


def check_references(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    sources = {s.id for s in p.sources}
    contacts = {c.id for c in p.contacts}
    pathways = {pw.id for pw in p.pathways}

    def cites(ids: Iterable[str], path: Path) -> Iterator[Problem]:
        for k, sid in enumerate(ids):
            if sid not in sources:
                yield located.problem(Code.UNKNOWN_SOURCE, f"unknown source {sid!r}", (*path, k))

    def actions(items: Iterable[Action], path: Path) -> Iterator[Problem]:
        for k, a in enumerate(items):
            if a.contact is not None and a.contact not in contacts:
                yield located.problem(
                    Code.UNKNOWN_CONTACT, f"unknown contact {a.contact!r}", (*path, k, "contact")
                )
            yield from cites(a.cite, (*path, k, "cite"))

    for i, al in enumerate(p.metadata.aligned_to):
        if al.source not in sources:
            yield located.problem(
                Code.UNKNOWN_SOURCE,
                f"unknown source {al.source!r}",
                ("metadata", "aligned_to", i, "source"),
            )
    for i, d in enumerate(p.definitions):
        yield from cites(d.cite, ("definitions", i, "cite"))
    for section in ("questions", "context_prompts"):
        for i, q in enumerate(getattr(p, section)):
            yield from cites(q.cite, (section, i, "cite"))
    for i, f in enumerate(p.derived):
        yield from cites(f.cite, ("derived", i, "cite"))
    for i, pw in enumerate(p.pathways):
        yield from actions(pw.actions, ("pathways", i, "actions"))
    for i, r in enumerate(p.rules):
        if r.pathway not in pathways:
            yield located.problem(
                Code.UNKNOWN_PATHWAY, f"unknown pathway {r.pathway!r}", ("rules", i, "pathway")
            )
        yield from cites(r.cite, ("rules", i, "cite"))
    for i, a in enumerate(p.advice):
        yield from actions(a.actions, ("advice", i, "actions"))
        yield from cites(a.cite, ("advice", i, "cite"))
    for i, inv in enumerate(p.invariants):
        if inv.at_least not in pathways:
            yield located.problem(
                Code.UNKNOWN_PATHWAY,
                f"unknown pathway {inv.at_least!r}",
                ("invariants", i, "at_least"),
            )
        yield from cites(inv.cite, ("invariants", i, "cite"))


def check_housekeeping(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    for i, c in enumerate(p.contacts):
        if c.placeholder:
            yield located.problem(
                Code.PLACEHOLDER_CONTACT,
                f"contact {c.id!r} ({c.name}) is an example placeholder, not a real number",
                ("contacts", i),
            )
    due = p.metadata.review_due
    if due is not None and due < today:
        yield located.problem(
            Code.REVIEW_OVERDUE,
            f"review was due on {due.isoformat()}",
            ("metadata", "review_due"),
        )
    cited = {sid for sid in _all_cites(p)} | {a.source for a in p.metadata.aligned_to}
    for i, s in enumerate(p.sources):
        if s.id not in cited:
            yield located.problem(
                Code.SOURCE_UNCITED, f"source {s.id!r} is never cited", ("sources", i)
            )
        if s.status != "verified":
            yield located.problem(
                Code.SOURCE_UNVERIFIED,
                f"source {s.id!r} is marked {s.status.replace('_', ' ')}"
                + (f": {s.note}" if s.note else ""),
                ("sources", i, "status"),
            )


def _all_cites(p: Protocol) -> Iterator[str]:
    for group in (p.definitions, p.questions, p.context_prompts, p.derived, p.rules, p.advice):
        for item in group:
            yield from item.cite
    for inv in p.invariants:
        yield from inv.cite
    for pw in p.pathways:
        for a in pw.actions:
            yield from a.cite
    for adv in p.advice:
        for a in adv.actions:
            yield from a.cite


def check_policy(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    """The declared mobility milestones must be the ones the protocol's mobility fact (the fact
    it declares `show_as: mobility`) uses, directly or through the facts it reads: a milestone
    that counts only under a condition (wheelchair use only with a consistent account, often a
    fact of its own) still counts. The milestones are the options of the question(s) the fact
    tests with `includes_any` that hold a declared milestone; no id is assumed. The other
    positions are checked by the analysis (`analysis/policy.py`)."""
    if p.policy is None or p.policy.mobility_milestones == "not_stated":
        return  # no position taken: nothing to disagree with
    declared = set(p.policy.mobility_milestones)
    mobility = [f.id for f in p.derived if f.show_as == "mobility"]
    used = _milestones_used(p, mobility, declared)
    if used and used != declared:
        yield located.problem(
            Code.POLICY_MISMATCH,
            f"policy.mobility_milestones {sorted(declared)} differ from the milestones"
            f" {', '.join(f'`{m}`' for m in mobility)} uses {sorted(used)}",
            ("policy", "mobility_milestones"),
        )
    rolling = p.policy.rolling_counts_as_mobility
    if rolling != "not_stated" and rolling != ("rolling" in declared):
        yield located.problem(
            Code.POLICY_MISMATCH,
            "policy.rolling_counts_as_mobility disagrees with policy.mobility_milestones",
            ("policy", "rolling_counts_as_mobility"),
        )


def _milestones_used(p: Protocol, mobility: list[str], declared: set[str]) -> set[str]:
    facts = {f.id: f for f in p.derived}
    tested: dict[str, set[str]] = {}
    seen: set[str] = set()
    todo = list(mobility)
    while todo:
        fact = facts.get(todo.pop())
        if not isinstance(fact, BooleanFact) or fact.id in seen:
            continue
        seen.add(fact.id)
        for _, node in conditions_with_paths(fact.condition, ()):
            if not isinstance(node, Compare):
                continue
            if node.question is not None and node.includes_any is not None:
                tested.setdefault(node.question, set()).update(node.includes_any)
            elif node.fact is not None:
                todo.append(node.fact)
    used: set[str] = set()
    for qid, options in tested.items():
        q = p.question(qid)
        if {o.id for o in getattr(q, "options", ())} & declared:
            used |= options
    return used


CHECKS: tuple[Check, ...] = (
    check_duplicate_ids,
    check_conditions,
    check_order,
    check_references,
    check_housekeeping,
    check_policy,
    check_number_sizes,
    *GROUP_CHECKS,
    check_types,
    check_after,
    *LOCAL_CHECKS,
)
