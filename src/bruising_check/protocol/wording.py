"""A condition in plain words, for what is said below the render layer (why a question was not
asked, in the record): derived facts by their labels, questions by name, options by their
labels, `and` / `or` / `not` in lower case. Never ids such as `locomotor_milestone_reported`."""

from __future__ import annotations

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
from bruising_check.protocol.model import GroupQuestion, Protocol

_OPS = {
    "in": "is one of",
    "includes_any": "includes any of",
    "includes_all": "includes all of",
    "lt": "under",
    "le": "at most",
    "gt": "over",
    "ge": "at least",
}


def in_words(protocol: Protocol, cond: Condition, group: str | None = None) -> str:
    match cond:
        case AllOf(all=parts):
            return " and ".join(_paren(protocol, p, group) for p in parts)
        case AnyOf(any=parts):
            return " or ".join(_paren(protocol, p, group) for p in parts)
        case Not(not_=inner):
            if isinstance(inner, Compare) and inner.operator == "is_true":
                return f"not {_name(protocol, inner, group)}"
            return f"not ({in_words(protocol, inner, group)})"
        case Some(some=q):
            return f"some {_item(protocol, q.group)} where {in_words(protocol, q.where, q.group)}"
        case Every(every=q):
            return f"every {_item(protocol, q.group)} where {in_words(protocol, q.where, q.group)}"
        case Count(count=q):
            where = in_words(protocol, q.where, q.group)
            bound = f"{_OPS.get(q.operator, 'is')} {q.operand:g}"
            return f"the number of {_item(protocol, q.group)}s where {where} {bound}"
        case Compare():
            return _compare(protocol, cond, group)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the union is closed


def _paren(protocol: Protocol, cond: Condition, group: str | None) -> str:
    text = in_words(protocol, cond, group)
    return f"({text})" if isinstance(cond, AllOf | AnyOf) else text


def _item(protocol: Protocol, gid: str) -> str:
    g = protocol.group(gid)
    return g.item_label if g is not None else gid.replace("_", " ")


def _name(protocol: Protocol, cmp: Compare, group: str | None) -> str:
    if cmp.fact is not None or cmp.item is not None:
        fid = str(cmp.fact if cmp.fact is not None else cmp.item)
        facts = list(protocol.derived)
        g = protocol.group(group) if group else None
        if isinstance(g, GroupQuestion):
            facts += list(g.derived)
        f = next((x for x in facts if x.id == fid), None)
        if f is not None:
            label = f.label
            if len(label) > 1 and label[0].isupper() and (label[1].islower() or label[1] == " "):
                label = label[0].lower() + label[1:]
            return label
        return fid.replace("_", " ")
    return str(cmp.question).replace("_", " ")


def _value(protocol: Protocol, cmp: Compare, value: object, group: str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    qid = cmp.question or cmp.item
    q: object = None
    if cmp.item is not None and group is not None:
        g = protocol.group(group)
        q = g.question(str(qid)) if g is not None else None
    elif qid is not None:
        q = protocol.question(qid)
    for o in getattr(q, "options", ()):
        if o.id == value:
            return f'"{o.label}"'
    return str(value)


def _compare(protocol: Protocol, cmp: Compare, group: str | None) -> str:
    name = _name(protocol, cmp, group)
    op, operand = cmp.operator, cmp.operand
    if op == "is_true":
        return name
    if op == "known":
        return f"{name} is {'known' if operand else 'not known'}"
    if op == "answered":
        return f"{name} is {'answered' if operand else 'not answered'}"
    if op == "is_empty":
        return f"{name} is {'none' if operand else 'not none'}"
    if op == "equals" and isinstance(operand, bool):
        if cmp.fact is not None or (cmp.item is not None and not cmp.question):
            return name if operand else f"not {name}"
        return f"{name}: {'yes' if operand else 'no'}"
    values = operand if isinstance(operand, tuple) else (operand,)
    shown = ", ".join(_value(protocol, cmp, v, group) for v in values)
    if op == "equals":
        return f"{name} is {shown}"
    return f"{name} {_OPS[op]} {shown}"
