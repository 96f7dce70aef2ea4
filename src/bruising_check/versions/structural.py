"""Structural diff of two protocol versions, matched by id rather than by lines of text.

Every section is compared item by item (questions, rules, pathways ... by id; options and actions
by id within their parent); prose is diffed word by word, conditions are compared in a canonical
form (so `all: [a, b]` and `all: [b, a]` are the same) and shown readably. Reformatting the YAML
or reordering lists whose order means nothing is not a change. Rule order *is* meaningful (the
first matching rule decides), so a rule whose place among the shared rules changed is reported as
a move that changes precedence; a question asked at a different point is reported too.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from bruising_check.protocol.conditions import Condition, describe
from bruising_check.protocol.model import Protocol

Kind = Literal["added", "removed", "changed", "moved"]
WordOp = tuple[Literal["equal", "delete", "insert"], str]

# Fields holding conditions: shown with conditions.describe() and compared canonically.
CONDITION_FIELDS = {"when", "ask_if", "condition", "applies_if"}
# Sections in the order a reader meets them, with a human title.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("metadata", "Metadata"),
    ("policy", "Policy positions"),
    ("sources", "Sources"),
    ("definitions", "Definitions"),
    ("roles", "Roles"),
    ("questions", "Questions"),
    ("derived", "Derived facts"),
    ("rules", "Rules"),
    ("pathways", "Pathways and actions"),
    ("advice", "Advice"),
    ("contacts", "Contacts"),
    ("context_prompts", "Context prompts"),
    ("invariants", "Invariants"),
)
ORDERED_SECTIONS = {"rules": "precedence", "questions": "asking order"}

_CONDITION = TypeAdapter(Condition)


@dataclass(frozen=True)
class Change:
    section: str
    item: str | None
    kind: Kind
    field: str | None = None
    old: str | None = None
    new: str | None = None
    words: tuple[WordOp, ...] | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "item": self.item,
            "kind": self.kind,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "words": None if self.words is None else [list(w) for w in self.words],
            "note": self.note,
        }


def structural_diff(old: Protocol, new: Protocol) -> list[Change]:
    changes: list[Change] = []
    for section, _title in SECTIONS:
        a, b = getattr(old, section), getattr(new, section)
        if isinstance(a, tuple) or isinstance(b, tuple):
            changes.extend(_diff_list(section, a or (), b or ()))
        else:
            changes.extend(_diff_fields(section, None, _dump(a), _dump(b), ""))
    return changes


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level diff; whitespace differences alone are not changes."""
    a, b = old.split(), new.split()
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", " ".join(a[i1:i2])))
            continue
        if tag in {"delete", "replace"}:
            ops.append(("delete", " ".join(a[i1:i2])))
        if tag in {"insert", "replace"}:
            ops.append(("insert", " ".join(b[j1:j2])))
    return tuple(ops)


# --- internals ------------------------------------------------------------------------------


def _dump(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=False)
    return value


def _diff_list(section: str, old: Sequence[Any], new: Sequence[Any]) -> Iterable[Change]:
    a = {item.id: item for item in old}
    b = {item.id: item for item in new}
    for item_id, item in b.items():
        if item_id not in a:
            yield Change(section, item_id, "added", new=_summary(section, _dump(item)))
    for item_id, item in a.items():
        if item_id not in b:
            yield Change(section, item_id, "removed", old=_summary(section, _dump(item)))
    # In the old protocol's order, as sub-lists are: a set's order would change with
    # PYTHONHASHSEED, and two runs of the same diff would print differently.
    for item_id, item in a.items():
        if item_id in b:
            yield from _diff_fields(section, item_id, _dump(item), _dump(b[item_id]), "")
    if section in ORDERED_SECTIONS:
        yield from _moves(section, [i.id for i in old], [i.id for i in new])


def _moves(section: str, old_ids: list[str], new_ids: list[str]) -> Iterable[Change]:
    """Items whose place among the shared items changed: those outside the longest common
    subsequence of the shared ids, in both orders."""
    shared = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in shared]
    b = [i for i in new_ids if i in shared]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    kept = {a[block.a + k] for block in matcher.get_matching_blocks() for k in range(block.size)}
    for item_id in b:
        if item_id in kept:
            continue
        now_before = [y for y in b[b.index(item_id) + 1 :] if a.index(y) < a.index(item_id)]
        now_after = [y for y in b[: b.index(item_id)] if a.index(y) > a.index(item_id)]
        moved = []
        if now_before:
            moved.append(f"now before {', '.join(now_before)}")
        if now_after:
            moved.append(f"now after {', '.join(now_after)}")
        yield Change(
            section,
            item_id,
            "moved",
            old=f"position {old_ids.index(item_id) + 1}",
            new=f"position {new_ids.index(item_id) + 1}; {'; '.join(moved)}",
            note=f"{ORDERED_SECTIONS[section]} changed",
        )


def _diff_fields(
    section: str, item: str | None, old: Any, new: Any, prefix: str
) -> Iterable[Change]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            a, b = old.get(key), new.get(key)
            name = f"{prefix}{key}"
            if key in CONDITION_FIELDS:
                yield from _diff_condition(section, item, name, a, b)
            elif _is_id_list(a) and _is_id_list(b):
                yield from _diff_sublist(section, item, name, a or [], b or [])
            elif isinstance(a, list) and isinstance(b, list):
                yield from _diff_plain_list(section, item, name, a, b)
            else:
                yield from _diff_fields(section, item, a, b, f"{name}.")
        return
    field = prefix.rstrip(".") or None
    if isinstance(old, str) and isinstance(new, str) and len((old + new).split()) > 2:
        yield Change(section, item, "changed", field, old, new, words=word_diff(old, new))
        return
    if section == "policy":  # a position not taken reads as such, in the diff as in the handbook
        old, new = (_not_stated(x) for x in (old, new))
    yield Change(section, item, "changed", field, _show(old), _show(new))


def _diff_condition(
    section: str, item: str | None, field: str, old: Any, new: Any
) -> Iterable[Change]:
    if _canonical(old) == _canonical(new):
        return
    # An action's `when` may come or go (issue 14.3): say "(none)", never an empty side.
    yield Change(
        section, item, "changed", field, _describe(old) or _show(old), _describe(new) or _show(new)
    )


def _diff_sublist(
    section: str, item: str | None, field: str, old: list[Any], new: list[Any]
) -> Iterable[Change]:
    a = {x["id"]: x for x in old}
    b = {x["id"]: x for x in new}
    for key, value in b.items():
        if key not in a:
            yield Change(section, item, "added", f"{field}.{key}", new=_summary(field, value))
    for key, value in a.items():
        if key not in b:
            yield Change(section, item, "removed", f"{field}.{key}", old=_summary(field, value))
    for key in a:
        if key in b:
            yield from _diff_fields(section, item, a[key], b[key], f"{field}.{key}.")


def _diff_plain_list(
    section: str, item: str | None, field: str, old: list[Any], new: list[Any]
) -> Iterable[Change]:
    """Lists without ids (citations, notes, milestones): which entries came and went."""
    for value in new:
        if value not in old:
            yield Change(section, item, "added", field, new=_show(value))
    for value in old:
        if value not in new:
            yield Change(section, item, "removed", field, old=_show(value))


def _is_id_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(x, dict) and "id" in x for x in value)
    ) or value == []


def _canonical(cond: Any) -> Any:
    """A form in which the order of `all`/`any` children and of value lists does not matter."""
    if isinstance(cond, dict):
        out = {}
        for key, value in cond.items():
            if value is None:
                continue
            if key in {"all", "any"}:
                out[key] = sorted((_canonical(v) for v in value), key=json.dumps)
            elif key in {"in", "includes_any", "includes_all"} or (
                key == "equals" and isinstance(value, list)
            ):
                out[key] = sorted(value, key=json.dumps)
            else:
                out[key] = _canonical(value)
        return out
    return cond


def _describe(cond: Any) -> str | None:
    if cond is None:
        return None
    return describe(_CONDITION.validate_python(cond))


def _summary(section: str, value: Mapping[str, Any]) -> str:
    """One line saying what an added or removed item is."""
    if section == "rules":
        return f"when {_describe(value['when'])} -> {value['pathway']}"
    if section == "invariants":
        return f"when {_describe(value['when'])} -> at least {value['at_least']}"
    for key in ("text", "prompt", "title", "term", "label", "name", "because"):
        if value.get(key):
            return str(value[key])
    return _show(value)


def _not_stated(value: Any) -> Any:
    return "not stated" if value == "not_stated" else value


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
