"""Build the space for one protocol, or the joint space of two, and compile them over it.

Questions are matched by id. A question both protocols have, with the same type, is one variable
over the answers both accept; with different types it becomes two variables (`id` for the old
protocol, `id@new` for the new one), noted in `Space.notes`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from bruising_check.analysis.compile import Compiler
from bruising_check.analysis.formulas import Formula, atoms, disj
from bruising_check.analysis.groups import NotAnalysable, build_group
from bruising_check.analysis.search import Explorer, TooLarge, View
from bruising_check.analysis.space import Domain, Space, _num, kind_of
from bruising_check.protocol.conditions import Compare, comparisons
from bruising_check.protocol.model import (
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from bruising_check.protocol.walk import all_conditions

MAX_NODES = 2_000_000
"""Search steps allowed per analysis (about a minute); past it `TooLarge` is raised."""
BUDGET_SECONDS = 5.0
"""Wall-clock seconds allowed per analysis or comparison by default (`--budget`)."""


@dataclass
class Built:
    space: Space
    views: tuple[View, ...]
    explorer: Explorer


def usage_of(protocols: list[Protocol], rename: list[dict[str, str]]) -> dict[str, Usage]:
    out: dict[str, Usage] = {}
    for p, names in zip(protocols, rename, strict=True):
        questions = {q.id: q for q in p.questions}
        for _, cond, owner in all_conditions(p):
            if owner == "context":
                continue
            for cmp in comparisons(cond):
                q = questions.get(cmp.question or "")
                if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
                    _record(out.setdefault(names.get(q.id, q.id), Usage()), cmp)
    return out


def _record(u: Usage, cmp: Compare) -> None:
    operand = cmp.operand
    values = frozenset(v for v in (operand if isinstance(operand, tuple) else (operand,)))
    strings = frozenset(v for v in values if isinstance(v, str))
    if cmp.operator in ("includes_all",) or (
        cmp.operator == "equals" and isinstance(operand, tuple)
    ):
        u.whole.append(strings)
    elif cmp.operator in ("equals", "in", "includes_any"):
        u.operands.append(strings)


def build(
    protocols: list[Protocol],
    max_nodes: int = MAX_NODES,
    budget_seconds: float | None = BUDGET_SECONDS,
) -> Built:
    """One protocol, or (old, new). The time budget counts from here."""
    started = time.monotonic()
    deadline = None if budget_seconds is None else started + budget_seconds
    notes: list[str] = []
    rename: list[dict[str, str]] = [{} for _ in protocols]
    versions: dict[str, list[Question]] = {}
    order: list[str] = []
    for i, p in enumerate(protocols):
        for q in p.questions:
            key = q.id
            if key in versions and not same_shape(versions[key][0], q):
                key = f"{q.id}@new"
                rename[i][q.id] = key
                notes.append(
                    f"{q.id}: a {versions[q.id][0].type} question in the old protocol and a"
                    f" {q.type} question in the new one; compared as two questions"
                )
            if key not in versions:
                versions[key] = []
                order.append(key)
            versions[key].append(q)
    usage = usage_of(protocols, rename)
    domains: dict[str, Domain] = {}
    for key in order:
        if versions[key][0].type == "group":
            owners = [
                (i, p, g)
                for i, (p, names) in enumerate(zip(protocols, rename, strict=True))
                for g in p.groups
                if names.get(g.id, g.id) == key
            ]
            try:
                domains[key] = build_group(key, owners, notes, deadline)
            except TooLarge as exc:
                if isinstance(exc, NotAnalysable) or exc.memory_mb is not None:
                    raise
                if budget_seconds is None:  # pragma: no cover - no deadline, so steps (above)
                    raise
                # The item search ran out of the analysis's own time: say which budget.
                raise TooLarge(exc.nodes, budget_seconds) from exc
            continue
        d = build_domain(key, versions[key], usage.get(key), notes)
        domains[key] = d
    # `known:` tests: the answer "not known" is a yes/no of its own, next to the answer it hides.
    flags = _known_flags(protocols, rename)
    for key in flags:
        domains[f"{key}?unknown"] = Domain(
            f"{key}?unknown", "boolean", var_names=(f"{key}?unknown",)
        )
    order = [x for key in order for x in ([key, f"{key}?unknown"] if key in flags else [key])]
    space = Space(domains, tuple(order), notes)
    compilers = [
        Compiler(p, space, names, version=i)
        for i, (p, names) in enumerate(zip(protocols, rename, strict=True))
    ]
    groups = [d.group for d in domains.values() if d.group is not None]
    for info in groups:
        info.ctx_formulas = [compilers[v].condition(node) for v, node in info.contexts]
    views = tuple(View.build(p, space, c) for p, c in zip(protocols, compilers, strict=True))
    uses: dict[str, int] = {}
    for view in views:
        for f in view.rules:
            for atom in atoms(f):
                for v in atom.vars:
                    uses[v] = uses.get(v, 0) + 1
    ranked = sorted(uses, key=lambda v: -uses[v])  # stable: ties keep first appearance
    space.priority = {v: k for k, v in enumerate(ranked)}
    asked: dict[str, Formula] = {}
    for key in order:
        parts = []
        base = key.removesuffix("?unknown")
        for p, c, names in zip(protocols, compilers, rename, strict=True):
            for q in p.questions:
                if names.get(q.id, q.id) == base:
                    parts.append(c.asked(q.id))
        asked[key] = disj(*parts)
    for info in groups:
        # The context a group's items are in must be known before its answer sets are counted.
        for i, f in enumerate(info.ctx_formulas):
            asked[f"{info.gid}?ctx{i}"] = f
    explorer = Explorer(space, asked, max_nodes, budget_seconds)
    if deadline is not None:
        explorer.deadline = deadline
        for info in groups:
            info.deadline = deadline
    return Built(space, views, explorer)


def _known_flags(protocols: list[Protocol], rename: list[dict[str, str]]) -> set[str]:
    out: set[str] = set()
    for p, names in zip(protocols, rename, strict=True):
        for _, cond, owner in all_conditions(p):
            if owner == "context":
                continue
            for cmp in comparisons(cond):
                if cmp.operator == "known" and cmp.question is not None:
                    out.add(names.get(cmp.question, cmp.question))
    return out


# --- domains -----------------------------------------------------------------------------


@dataclass
class Usage:
    """What the conditions say about one choice question: its operand sets."""

    operands: list[frozenset[str]] = field(default_factory=list)
    whole: list[frozenset[str]] = field(default_factory=list)  # includes_all / equals lists


def build_domain(
    qid: str, versions: list[Question], usage: Usage | None, notes: list[str]
) -> Domain:
    """The domain of answers every version of the question accepts, split into option classes."""
    first = versions[0]
    kind = kind_of(first)
    usage = usage or Usage()
    if kind == "boolean":
        return Domain(qid, kind, var_names=(qid,))
    if kind == "text":
        return Domain(qid, kind, required=any(q.required for q in versions))
    if isinstance(first, NumberQuestion):
        nums = [q for q in versions if isinstance(q, NumberQuestion)]
        lo, hi = max(q.min for q in nums), min(q.max for q in nums)
        integer = any(q.integer for q in nums)
        if len({(q.min, q.max, q.integer) for q in nums}) > 1:
            notes.append(f"{qid}: ranges differ; compared over {_num(lo)}–{_num(hi)}")
        if integer:
            lo, hi = math.ceil(lo), math.floor(hi)
        return Domain(qid, kind, lo=lo, hi=hi, integer=integer, var_names=(qid,))
    choice = [q for q in versions if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion))]
    shared = [
        o.id for o in choice[0].options if not o.unknown and all(o.id in _ids(q) for q in choice)
    ]
    dropped = sorted({o.id for q in choice for o in q.options if not o.unknown} - set(shared))
    if dropped:
        notes.append(
            f"{qid}: options {', '.join(dropped)} are not in both protocols;"
            " only answers both accept are compared"
        )
    classes = _classes(shared, usage.operands + usage.whole)
    if isinstance(first, SingleChoiceQuestion):
        return Domain(
            qid,
            kind,
            options=tuple(shared),
            classes=classes,
            var_names=(qid,),
            unknown_option=choice[0].unknown_option,
        )
    ternary = tuple(len(c) > 1 and any(set(c) <= w for w in usage.whole) for c in classes)
    mins = [q.min_selected for q in choice if isinstance(q, MultipleChoiceQuestion)]
    return Domain(
        qid,
        kind,
        options=tuple(shared),
        classes=classes,
        ternary=ternary,
        min_selected=max(mins),
        var_names=tuple(f"{qid}#{i}" for i in range(len(classes))),
        unknown_option=choice[0].unknown_option,
    )


def _ids(q: SingleChoiceQuestion | MultipleChoiceQuestion) -> set[str]:
    return {o.id for o in q.options if not o.unknown}


def _classes(options: list[str], operands: Iterable[frozenset[str]]) -> tuple[tuple[str, ...], ...]:
    ops = list(operands)
    groups: dict[tuple[bool, ...], list[str]] = {}
    for o in options:
        groups.setdefault(tuple(o in s for s in ops), []).append(o)
    return tuple(tuple(g) for g in groups.values())


def same_shape(a: Question, b: Question) -> bool:
    return kind_of(a) == kind_of(b)
