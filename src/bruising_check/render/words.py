"""Plain-English wording of a protocol's conditions, for people rather than engines.

`conditions.describe` gives one line of ids for validators and records; trainers and handbook
readers need option labels and fact names, and nested conditions as nested bullets. Shared by
the flowchart, the handbook and the demo so that all three say a rule the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
)


@dataclass(frozen=True)
class Line:
    """One bullet of a condition: its text and the bullets nested under it."""

    text: str
    children: tuple[Line, ...] = ()


def subject_name(protocol: Protocol, subject: str) -> str:
    """A question's id in words (prompts are long questions), or a derived fact's label."""
    for f in protocol.derived:
        if f.id == subject:
            # Mid-sentence: "independently mobile", but keep "TEN-4-FACESp" as written.
            label = f.label
            if len(label) > 1 and label[0].isupper() and (label[1].islower() or label[1] == " "):
                label = label[0].lower() + label[1:]
            return label
    return subject.replace("_", " ")


def option_label(protocol: Protocol, question: str, value: object) -> str:
    """The label of an option id, or the value itself (yes/no for booleans)."""
    q = protocol.question(question)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        for o in q.options:
            if o.id == value:
                return o.label
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _labels(protocol: Protocol, cmp: Compare, values: object) -> str:
    items = values if isinstance(values, tuple) else (values,)
    if cmp.question is None:
        return ", ".join(str(v) for v in items)
    return ", ".join(f'"{option_label(protocol, cmp.question, v)}"' for v in items)


def compare_text(protocol: Protocol, cmp: Compare) -> str:
    """One comparison as a sentence fragment, e.g. `mark types includes any of "Bruise"`."""
    name = subject_name(protocol, cmp.subject)
    op, operand = cmp.operator, cmp.operand
    q = protocol.question(cmp.question) if cmp.question else None
    unit = f" {q.unit}" if isinstance(q, NumberQuestion) else ""
    if op == "is_true":
        return name
    if op == "equals" and isinstance(operand, bool) and cmp.fact is not None:
        return name if operand else f"not {name}"
    if op == "equals" and isinstance(operand, bool):
        return f"{name}: {'yes' if operand else 'no'}"
    if op == "equals" and isinstance(operand, tuple):
        return f"{name} is exactly {_labels(protocol, cmp, operand)}" + (
            " and nothing else" if len(operand) == 1 else ""
        )
    if op == "equals":
        return f"{name} is {_labels(protocol, cmp, operand)}"
    if op == "in":
        return f"{name} is one of {_labels(protocol, cmp, operand)}"
    if op == "includes_any":
        return f"{name} includes any of {_labels(protocol, cmp, operand)}"
    if op == "includes_all":
        return f"{name} includes all of {_labels(protocol, cmp, operand)}"
    if op == "is_empty":
        return f"{name} is {'empty (none chosen)' if operand else 'not empty'}"
    if op == "answered":
        return f"{name} is {'known' if operand else 'not known or not applicable'}"
    if op == "known":
        return f"{name} is {'known' if operand else 'not known'}"
    words = {"lt": "under", "le": "at most", "gt": "over", "ge": "at least"}
    shown = int(operand) if float(operand) == int(operand) else operand
    return f"{name} {words[op]} {shown}{unit}"


def _negated(protocol: Protocol, inner: Condition) -> Line | None:
    """`not` over a single comparison reads better as one negative sentence."""
    if not isinstance(inner, Compare):
        return None
    op, operand = inner.operator, inner.operand
    name = subject_name(protocol, inner.subject)
    if op == "is_true":
        return Line(f"not {name.lower()}" if inner.fact else f"{name}: no")
    if op == "equals" and not isinstance(operand, tuple | bool):
        return Line(f"{name} is not {_labels(protocol, inner, operand)}")
    if op == "in":
        return Line(f"{name} is none of {_labels(protocol, inner, operand)}")
    if op == "includes_any":
        return Line(f"{name} includes none of {_labels(protocol, inner, operand)}")
    return Line(f"not ({compare_text(protocol, inner)})")


def condition_lines(protocol: Protocol, cond: Condition) -> Line:
    """The condition as a tree of plain lines: `all of:` / `any of:` with nested bullets."""
    match cond:
        case AllOf(all=items):
            return Line("all of:", tuple(condition_lines(protocol, i) for i in items))
        case AnyOf(any=items):
            return Line("any of:", tuple(condition_lines(protocol, i) for i in items))
        case Not(not_=inner):
            simple = _negated(protocol, inner)
            if simple is not None:
                return simple
            return Line("not:", (condition_lines(protocol, inner),))
        case Some(some=q):
            label = _item_label(protocol, q.group)
            return Line(f"some {label} where:", (condition_lines(protocol, q.where),))
        case Every(every=q):
            label = _item_label(protocol, q.group)
            return Line(f"every {label} where:", (condition_lines(protocol, q.where),))
        case Count(count=q):
            label = _item_label(protocol, q.group)
            sign = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "fewer than"}
            bound = int(q.operand) if q.operand == int(q.operand) else q.operand
            what = f"{label}s" if q.sum is None else f"{label}s counted by {q.sum}"
            head = f"{sign.get(q.operator, 'exactly')} {bound} {what} where:"
            return Line(head, (condition_lines(protocol, q.where),))
        case Compare():
            return Line(compare_text(protocol, cond))
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the union is closed


def _item_label(protocol: Protocol, group: str) -> str:
    g = protocol.group(group)
    return g.item_label if g is not None else group


def condition_text(protocol: Protocol, cond: Condition) -> str:
    """The condition on one line (for flowchart boxes): `A; and B; and (C or D)`."""
    line = condition_lines(protocol, cond)
    return _flat(line)


def _flat(line: Line) -> str:
    if not line.children:
        return line.text
    parts = [_flat(c) if not c.children else f"({_flat(c)})" for c in line.children]
    if line.text not in {"all of:", "any of:", "not:"}:
        return f"{line.text[:-1]} {' and '.join(parts)}"  # a quantifier: "some mark where ..."
    joiner = {"all of:": " and ", "any of:": " or ", "not:": ""}[line.text]
    if line.text == "not:":
        return f"not ({parts[0]})"
    return joiner.join(parts)
