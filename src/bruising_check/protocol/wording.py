"""A condition in plain words: the one wording of a protocol's conditions, for everything people
read — the flowchart, the handbook and the demo (`render.words` passes it on) and, below the render
layer, the record (why a question was not asked, why an option is not offered).

Derived facts and item facts by their labels, questions by name, options by their labels,
`and` / `or` / `not` in lower case; never ids such as `locomotor_milestone_reported`.
`conditions.describe` gives one line of ids for validators; trainers and handbook readers need
the words, and nested conditions as nested bullets (`condition_lines`) or on one line
(`condition_text`).

Inside a group (a quantifier's `where`, or an item question's `ask_if` / `offered_if`), `group`
names the group, so the group's item facts and item options read by their labels too.
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
    BooleanFact,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
)


@dataclass(frozen=True)
class Line:
    """One bullet of a condition: its text and the bullets nested under it."""

    text: str
    children: tuple[Line, ...] = ()


EXACT_DIGITS = 15
"""Counts up to this many digits are written out; a 144-digit count of answer sets is read by
nobody, so beyond it people read `about 4.8 × 10^151` (the JSON keeps the exact integer)."""


def count_text(n: int) -> str:
    """A count as people read it: `1,024`, or `about 4.8 × 10^151` past `EXACT_DIGITS` digits."""
    if n < 10**EXACT_DIGITS:
        return f"{n:,}"
    # Never str() of the whole count: Python refuses integers of more than 4,300 digits.
    exponent = int((n.bit_length() - 1) * 0.30102999566398120)  # log10(2)
    while 10 ** (exponent + 1) <= n:
        exponent += 1
    while 10**exponent > n:
        exponent -= 1
    whole, rest = divmod(n * 10, 10**exponent)
    tenths = whole + (2 * rest >= 10**exponent)  # half up
    if tenths == 100:  # 9.96... rounds up to the next power of ten
        tenths, exponent = 10, exponent + 1
    return f"about {tenths // 10}.{tenths % 10} × 10^{exponent}"


def _fact(protocol: Protocol, cmp: Compare, group: str | None) -> BooleanFact | NumberFact | None:
    """The derived fact (or, in a group, the item fact) a comparison tests, if it tests one."""
    if cmp.fact is not None:
        return next((f for f in protocol.derived if f.id == cmp.fact), None)
    if cmp.item is not None:
        g = protocol.group(group) if group is not None else None
        return g.fact(cmp.item) if g is not None else None
    return None


def _tests_fact(protocol: Protocol, cmp: Compare, group: str | None) -> bool:
    return cmp.fact is not None or _fact(protocol, cmp, group) is not None


def _mid_sentence(label: str) -> str:
    """ "Independently mobile" mid-sentence, but "TEN-4-FACESp" kept as written."""
    if len(label) > 1 and label[0].isupper() and (label[1].islower() or label[1] == " "):
        return label[0].lower() + label[1:]
    return label


def subject_name(protocol: Protocol, subject: str, group: str | None = None) -> str:
    """A question's id in words (prompts are long questions), or a derived fact's label (in a
    group, an item fact's label too)."""
    facts = list(protocol.derived)
    g = protocol.group(group) if group is not None else None
    if isinstance(g, GroupQuestion):
        facts += list(g.derived)
    for f in facts:
        if f.id == subject:
            return _mid_sentence(f.label)
    return subject.replace("_", " ")


def option_label(protocol: Protocol, question: str, value: object) -> str:
    """The label of an option id, or the value itself (yes/no for booleans)."""
    q = protocol.question(question) or next(
        (c for c in protocol.context_prompts if c.id == question), None
    )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        for o in q.options:
            if o.id == value:
                return o.label
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _item_option_label(
    protocol: Protocol, item: str, value: object, group: str | None
) -> str | None:
    """The label of option `value` of the item question `item`: in `group` when it is known,
    else in the protocol's groups when they agree on one (ids are per group; a clash falls back
    to the id)."""
    known = protocol.group(group) if group is not None else None
    groups = (
        [known]
        if known is not None
        else [
            g
            for g in (*protocol.questions, *protocol.context_prompts)
            if isinstance(g, GroupQuestion)
        ]
    )
    labels = {
        o.label
        for g in groups
        for q in g.questions
        if q.id == item and isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion)
        for o in q.options
        if o.id == value
    }
    return labels.pop() if len(labels) == 1 else None


def _labels(protocol: Protocol, cmp: Compare, values: object, group: str | None) -> str:
    items = values if isinstance(values, tuple) else (values,)
    if cmp.item is not None:
        shown = [_item_option_label(protocol, cmp.item, v, group) for v in items]
        if all(s is not None for s in shown):
            return ", ".join(f'"{s}"' for s in shown)
    if cmp.question is None:
        return ", ".join(str(v) for v in items)
    return ", ".join(f'"{option_label(protocol, cmp.question, v)}"' for v in items)


def compare_text(protocol: Protocol, cmp: Compare, group: str | None = None) -> str:
    """One comparison as a sentence fragment, e.g. `mark types includes any of "Bruise"`."""
    name = subject_name(protocol, cmp.subject, group)
    op, operand = cmp.operator, cmp.operand
    q = protocol.question(cmp.question) if cmp.question else None
    unit = f" {q.unit}" if isinstance(q, NumberQuestion) else ""
    fact = _tests_fact(protocol, cmp, group)
    if op == "is_true":
        return name
    if op == "equals" and isinstance(operand, bool) and fact:
        return name if operand else f"not {name}"
    if op == "equals" and isinstance(operand, bool):
        return f"{name}: {'yes' if operand else 'no'}"
    if op == "equals" and isinstance(operand, tuple):
        return f"{name} is exactly {_labels(protocol, cmp, operand, group)}" + (
            " and nothing else" if len(operand) == 1 else ""
        )
    if op == "equals":
        return f"{name} is {_labels(protocol, cmp, operand, group)}"
    if op == "in":
        return f"{name} is one of {_labels(protocol, cmp, operand, group)}"
    if op == "includes_any":
        return f"{name} includes any of {_labels(protocol, cmp, operand, group)}"
    if op == "includes_all":
        return f"{name} includes all of {_labels(protocol, cmp, operand, group)}"
    if op == "is_empty":
        return f"{name} is {'empty (none chosen)' if operand else 'not empty'}"
    if op == "answered":
        return f"{name} is {'known' if operand else 'not known or not applicable'}"
    if op == "known":
        return f"{name} is {'known' if operand else 'not known'}"
    words = {"lt": "under", "le": "at most", "gt": "over", "ge": "at least"}
    shown = int(operand) if float(operand) == int(operand) else operand
    return f"{name} {words[op]} {shown}{unit}"


def _negated(protocol: Protocol, inner: Condition, group: str | None) -> Line | None:
    """`not` over a single comparison reads better as one negative sentence."""
    if not isinstance(inner, Compare):
        return None
    op, operand = inner.operator, inner.operand
    name = subject_name(protocol, inner.subject, group)
    if op == "is_true" or (op == "equals" and operand is True):
        return Line(f"not {name}" if _tests_fact(protocol, inner, group) else f"{name}: no")
    if op == "equals" and not isinstance(operand, tuple | bool):
        return Line(f"{name} is not {_labels(protocol, inner, operand, group)}")
    if op == "in":
        return Line(f"{name} is none of {_labels(protocol, inner, operand, group)}")
    if op == "includes_any":
        return Line(f"{name} includes none of {_labels(protocol, inner, operand, group)}")
    return Line(f"not ({compare_text(protocol, inner, group)})")


def condition_lines(protocol: Protocol, cond: Condition, group: str | None = None) -> Line:
    """The condition as a tree of plain lines: `all of:` / `any of:` with nested bullets."""
    match cond:
        case AllOf(all=items):
            return Line("all of:", tuple(condition_lines(protocol, i, group) for i in items))
        case AnyOf(any=items):
            return Line("any of:", tuple(condition_lines(protocol, i, group) for i in items))
        case Not(not_=inner):
            simple = _negated(protocol, inner, group)
            if simple is not None:
                return simple
            return Line("not:", (condition_lines(protocol, inner, group),))
        case Some(some=q):
            label = _item_label(protocol, q.group)
            return Line(f"some {label} where:", (condition_lines(protocol, q.where, q.group),))
        case Every(every=q):
            label = _item_label(protocol, q.group)
            return Line(f"every {label} where:", (condition_lines(protocol, q.where, q.group),))
        case Count(count=q):
            label = _item_label(protocol, q.group)
            sign = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "fewer than"}
            bound = int(q.operand) if q.operand == int(q.operand) else q.operand
            by = None if q.sum is None else subject_name(protocol, q.sum, q.group)
            what = f"{label}s" if by is None else f"{label}s counted by {by}"
            head = f"{sign.get(q.operator, 'exactly')} {bound} {what} where:"
            return Line(head, (condition_lines(protocol, q.where, q.group),))
        case Compare():
            return Line(compare_text(protocol, cond, group))
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the union is closed


def _item_label(protocol: Protocol, group: str) -> str:
    g = protocol.group(group)
    return g.item_label if g is not None else group.replace("_", " ")


def condition_text(protocol: Protocol, cond: Condition, group: str | None = None) -> str:
    """The condition on one line (flowchart boxes, the record's notes): `A and B and (C or D)`."""
    return _flat(condition_lines(protocol, cond, group))


def _flat(line: Line) -> str:
    if not line.children:
        return line.text
    if line.text == "not:":
        return f"not ({_flat(line.children[0])})"
    parts = [_flat(c) if _bare(c) else f"({_flat(c)})" for c in line.children]
    if line.text not in {"all of:", "any of:"}:
        return f"{line.text[:-1]} {' and '.join(parts)}"  # a quantifier: "some mark where ..."
    return (" and " if line.text == "all of:" else " or ").join(parts)


def _bare(line: Line) -> bool:
    """Needs no brackets inside another line: one comparison, or `not (...)`."""
    return not line.children or line.text == "not:"
