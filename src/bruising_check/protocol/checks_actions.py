"""Checks of actions timed relative to another action (`timescale.after`, issue 14.3).

`after` names another action of the same pathway (or advice entry); an action of a first-step
pathway may name one of a pathway that can follow it, and an action of a follow-on pathway one of
a first-step pathway. Unknown ids and loops are located errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bruising_check.problems import Code, Problem
from bruising_check.protocol.model import Action, Protocol
from bruising_check.protocol.yamlread import Located, Path

Key = tuple[str, int, str]  # (section, index, action id)


def _owners(p: Protocol) -> Iterator[tuple[str, int, tuple[Action, ...]]]:
    for i, pw in enumerate(p.pathways):
        yield "pathways", i, pw.actions
    for i, adv in enumerate(p.advice):
        yield "advice", i, adv.actions


def _reachable(p: Protocol, section: str, i: int) -> list[tuple[str, int]]:
    """Where an action's `after` may look, nearest first."""
    if section == "advice":
        return [(section, i)]
    mine = p.pathways[i]
    others = [
        ("pathways", j)
        for j, pw in enumerate(p.pathways)
        if j != i and pw.first_step != mine.first_step
    ]
    return [(section, i), *others]


def check_after(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    actions: dict[tuple[str, int], dict[str, Action]] = {
        (s, i): {a.id: a for a in acts} for s, i, acts in _owners(p)
    }
    target: dict[Key, Key] = {}
    paths: dict[Key, Path] = {}
    for section, i, acts in _owners(p):
        for j, a in enumerate(acts):
            if a.timescale is None or a.timescale.after is None:
                continue
            path: Path = (section, i, "actions", j, "timescale", "after")
            after = a.timescale.after
            found = next(
                (o for o in _reachable(p, section, i) if after in actions.get(o, {})), None
            )
            if found is None:
                here = sorted(x for x in actions[(section, i)] if x != a.id)
                yield located.problem(
                    Code.UNKNOWN_AFTER,
                    f"action {a.id!r} is timed after {after!r}, which is not an action here"
                    f" (actions: {', '.join(here) or 'none'})",
                    path,
                )
                continue
            me: Key = (section, i, a.id)
            target[me] = (*found, after)
            paths[me] = path
    reported: set[Key] = set()
    for start in target:
        chain: list[Key] = [start]
        node = target[start]
        while node in target and node not in chain:
            chain.append(node)
            node = target[node]
        if node in chain and start == node:
            loop = chain[chain.index(node) :]
            if reported & set(loop):
                continue
            reported |= set(loop)
            names = " → ".join([k[2] for k in loop] + [node[2]])
            yield located.problem(
                Code.AFTER_CYCLE, f"actions timed after each other in a loop: {names}", paths[start]
            )
