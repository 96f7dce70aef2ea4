"""The `policy:` block's mobility positions agree with what the protocol's mobility fact uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import BooleanFact, Protocol
from bruising_check.protocol.walk import conditions_with_paths
from bruising_check.protocol.yamlread import Located


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
