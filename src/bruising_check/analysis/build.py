"""Build the space for one protocol, or the joint space of two, and compile them over it.

Questions are matched by id. A question both protocols have, with the same type, is one variable
over the answers both accept; with different types it becomes two variables (`id` for the old
protocol, `id@new` for the new one), noted in `Space.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bruising_check.analysis.formulas import Compiler, Formula, atoms, disj
from bruising_check.analysis.search import Explorer, View
from bruising_check.analysis.space import Domain, Space, Usage, build_domain, same_shape
from bruising_check.checks import all_conditions
from bruising_check.conditions import Compare, comparisons
from bruising_check.model import (
    MultipleChoiceQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)

MAX_NODES = 2_000_000
"""Search steps allowed per analysis (about a minute); past it `TooLarge` is raised."""


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


def build(protocols: list[Protocol], max_nodes: int = MAX_NODES) -> Built:
    """One protocol, or (old, new)."""
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
        d = build_domain(key, versions[key], usage.get(key), notes)
        domains[key] = d
    space = Space(domains, tuple(order), notes)
    compilers = [Compiler(p, space, names) for p, names in zip(protocols, rename, strict=True)]
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
        for p, c, names in zip(protocols, compilers, rename, strict=True):
            for q in p.questions:
                if names.get(q.id, q.id) == key:
                    parts.append(c.asked(q.id))
        asked[key] = disj(*parts)
    return Built(space, views, Explorer(space, asked, max_nodes))
