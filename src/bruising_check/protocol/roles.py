"""Roles (issue 14.3): who is checking, as one more answer the rules can use.

A protocol that declares `roles:` gets a reserved single-choice question `role`, asked first,
whose options are the roles; each `{role: {...}}` test becomes a comparison on it
(`health_professional: true` names the roles marked so). The engine and the exhaustive analysis
then treat the role exactly like any other answer: a role not given is not known, so the outcome
is the most urgent over every role. The located YAML is re-keyed to match, so that a problem on
a question still points at its own line (the role question points at `roles:`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import RoleIs
from bruising_check.protocol.model import Protocol, Role
from bruising_check.protocol.walk import all_conditions, conditions_with_paths
from bruising_check.protocol.yamlread import Located, Path

ROLE_QUESTION = "role"
"""The reserved question id under which the role is answered (answers files: `role:`)."""

ROLE_PROMPT = "Your role: who is doing this check?"
ROLE_HELP = (
    "This protocol's steps depend on who is checking. If you leave it out, the result is the"
    " most urgent for any of the roles listed."
)

_ROLE_KEYS = {"in", "equals", "health_professional"}


def role_tests(protocol: Protocol) -> Iterator[tuple[Path, RoleIs]]:
    """Every `{role: ...}` test, with its path."""
    for root, cond, _owner in all_conditions(protocol):
        for path, node in conditions_with_paths(cond, root):
            if isinstance(node, RoleIs):
                yield path, node


def check_roles(protocol: Protocol, located: Located) -> list[Problem]:
    """Role tests name declared roles; roles are declared where they are tested; the reserved
    question id is free."""
    problems: list[Problem] = []
    ids = [r.id for r in protocol.roles]
    seen: set[str] = set()
    for i, r in enumerate(protocol.roles):
        if r.id in seen:
            problems.append(
                located.problem(
                    Code.DUPLICATE_ID, f"duplicate role id {r.id!r}", ("roles", i, "id")
                )
            )
        seen.add(r.id)
    if protocol.roles:
        for i, q in enumerate(protocol.questions):
            if q.id == ROLE_QUESTION:
                problems.append(
                    located.problem(
                        Code.ID_CLASH,
                        f"question id {ROLE_QUESTION!r} is reserved for the role when the protocol"
                        " declares `roles:`",
                        ("questions", i, "id"),
                    )
                )
    for path, node in role_tests(protocol):
        spec = node.role
        if not protocol.roles:
            problems.append(
                located.problem(
                    Code.NO_ROLES_DECLARED,
                    "this condition tests the role, but the protocol declares no `roles:`",
                    (*path, "role"),
                    key=True,
                )
            )
            continue
        named = spec.in_ or ((spec.equals,) if spec.equals is not None else ())
        for n, rid in enumerate(named):
            if rid not in ids:
                where = (*path, "role", "in", n) if spec.in_ else (*path, "role", "equals")
                problems.append(
                    located.problem(
                        Code.UNKNOWN_ROLE,
                        f"{rid!r} is not a declared role (roles: {', '.join(ids)})",
                        where,
                    )
                )
    return problems


def role_label(protocol: Protocol, role: str) -> str:
    """How a record's header names a declared role: its label (`gp` -> `GP`)."""
    return next((r.label for r in protocol.roles if r.id == role), role)


def resolve_roles(protocol: Protocol, located: Located | None) -> tuple[Protocol, Located | None]:
    """The protocol with its role question first and every role test as a comparison on it,
    and the located YAML re-keyed to the new question indices. Unchanged without roles."""
    if not protocol.roles:
        return protocol, located
    data = protocol.model_dump(by_alias=True, exclude_none=True)
    data = _rewrite(data, protocol.roles)
    data["questions"] = [_role_question(protocol.roles), *data["questions"]]
    # Every role test is now a comparison on the role question (never a RoleIs node).
    resolved = Protocol.model_validate(data)
    return resolved, None if located is None else _shift(located)


def _role_question(roles: tuple[Role, ...]) -> dict[str, Any]:
    return {
        "id": ROLE_QUESTION,
        "type": "single_choice",
        "prompt": ROLE_PROMPT,
        "help": ROLE_HELP,
        "required": False,
        "options": [{"id": r.id, "label": r.label} for r in roles],
    }


def _rewrite(node: Any, roles: tuple[Role, ...]) -> Any:
    if isinstance(node, (list, tuple)):
        return [_rewrite(x, roles) for x in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"role"} and isinstance(node["role"], dict) and set(node["role"]) <= _ROLE_KEYS:
        return _as_comparison(node["role"], roles)
    return {k: _rewrite(v, roles) for k, v in node.items()}


def _as_comparison(spec: dict[str, Any], roles: tuple[Role, ...]) -> dict[str, Any]:
    declared = [r.id for r in roles]
    if "health_professional" in spec:
        chosen = [r.id for r in roles if r.health_professional == spec["health_professional"]]
    elif "equals" in spec:
        chosen = [spec["equals"]]
    else:
        chosen = list(spec["in"])
    chosen = [c for c in chosen if c in declared]  # an undeclared one is an UNKNOWN_ROLE error
    if not chosen:
        # No declared role is meant: true for no role, and (like any comparison) not known
        # when the role is not known.
        return {
            "all": [
                {"question": ROLE_QUESTION, "answered": True},
                {"not": {"question": ROLE_QUESTION, "answered": True}},
            ]
        }
    return {"question": ROLE_QUESTION, "in": chosen}


def _shift(located: Located) -> Located:
    """Question `i` of the file is question `i + 1` of the resolved protocol; question 0 (the
    role) is located at `roles:`."""

    def move(table: dict[Path, Any]) -> dict[Path, Any]:
        out: dict[Path, Any] = {}
        for path, at in table.items():
            if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
                moved: Path = ("questions", path[1] + 1)
                out[moved + path[2:]] = at
            else:
                out[path] = at
        roles_at = table.get(("roles",))
        if roles_at is not None:
            out[("questions", 0)] = roles_at
        return out

    key_at = move(located.key_at)
    if ("roles",) in located.key_at:
        key_at[("questions", 0)] = located.key_at[("roles",)]
    data = located.data
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = {**data, "questions": [{"id": ROLE_QUESTION}, *data["questions"]]}
    return replace(
        located,
        data=data,
        value_at=move(located.value_at),
        key_at=key_at,
        truthy_words=move(located.truthy_words),
    )
