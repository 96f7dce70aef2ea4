"""The one vocabulary of everything people read: dates with their time zone, timescales and
deadlines, contact lines, rule kinds, answer labels, the "no pathway" instruction, and the
plain-English wording of a protocol's conditions.

`conditions.describe` gives one line of ids for validators and records; trainers and handbook
readers need option labels and fact names, and nested conditions as nested bullets. Shared by
the flowchart, the handbook and the demo so that all three say a rule the same way. Times carry
their zone, deadlines and corrected ages read as a practitioner says them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bruising_check.engine.replies import shown
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
    Contact,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from bruising_check.records.record import ContactDetail, Deadline, FactEntry, QuestionEntry, Record


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


def _item_option_label(protocol: Protocol, item: str, value: object) -> str | None:
    """The label of option `value` of the item question `item` in the protocol's groups, when
    the groups agree on one (ids are per group; a clash falls back to the id)."""
    labels = {
        o.label
        for g in (*protocol.questions, *protocol.context_prompts)
        if isinstance(g, GroupQuestion)
        for q in g.questions
        if q.id == item and isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion)
        for o in q.options
        if o.id == value
    }
    return labels.pop() if len(labels) == 1 else None


def _labels(protocol: Protocol, cmp: Compare, values: object) -> str:
    items = values if isinstance(values, tuple) else (values,)
    if cmp.item is not None:
        shown = [_item_option_label(protocol, cmp.item, v) for v in items]
        if all(s is not None for s in shown):
            return ", ".join(f'"{s}"' for s in shown)
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


# --- the vocabulary of records and printouts ----------------------------------------------------
# One wording for each of these, used by every emitter (terminal, text, Markdown, HTML, PDF) and
# by the handbook, so that a printout and the screen never say the same thing two ways.

OUT_OF_SCOPE_TITLE = "This procedure does not apply"
OUT_OF_SCOPE_INSTEAD = "What to do instead is listed below."
"""Said with an out-of-scope outcome (`level: out_of_scope`) by printouts and the handbook."""
OUT_OF_SCOPE_ACTIONS = "What to do instead"
OUT_OF_SCOPE_NO_ACTIONS = (
    "The protocol lists nothing else to do: follow your local procedure, and discuss with your"
    " safeguarding lead if you are worried."
)
DEPENDS_ON_UNKNOWN = "included because it may apply"
AFTER_NOT_LISTED = "the action it follows is not listed here: act as soon as possible"
NO_PATHWAY_TITLE = "No pathway: no rule of the protocol matched these answers."
NO_PATHWAY_INSTRUCTION = "Follow your local procedure and discuss with your safeguarding lead now."
PLACEHOLDER_NOTE = "PLACEHOLDER: not a real contact"
RAISED_FOR_SAFETY = (
    "Raised for safety: some answers were not known, or a protocol safeguard applied, so the more"
    " urgent pathway is shown. See the reasons below."
)
RULE_KINDS = {
    "decides": "decides the pathway",
    "decides_as_given": (
        "decides for the answers as given, unless an answer that is not known makes a more"
        " urgent rule apply"
    ),
    "then": "decides what follows",
    "might_apply": "might apply (an answer is not known)",
    "invariant": "protocol safeguard",
    "advice": "advice",
}
SAME_DAY_AFTER_HOURS = "after office hours, use the out-of-hours contact"


def rule_kind(kind: str) -> str:
    return RULE_KINDS.get(kind, kind.replace("_", " "))


def zone(moment: dt.datetime) -> str:
    """The time zone as people read it: its name (GMT, BST, UTC) or its offset."""
    name = moment.tzname()
    if name and not name.startswith(("UTC+", "UTC-")):
        return name
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def day_text(day: dt.date) -> str:
    """A date as printed everywhere: `Fri 27 Nov 2026`."""
    return day.strftime("%a %d %b %Y")


def long_date(day: dt.date | None, missing: str = "not set") -> str:
    """A date in running text: `27 November 2026`."""
    return day.strftime("%d %B %Y").lstrip("0") if day else missing


def moment_text(moment: dt.datetime) -> str:
    """A date and time with its time zone: `10:30 GMT on Fri 27 Nov 2026`."""
    tz = zone(moment)
    return f"{moment:%H:%M}{' ' + tz if tz else ''} on {day_text(moment.date())}"


def out_of_scope(r: Record) -> bool:
    """The outcome is "this procedure does not apply" (`level: out_of_scope`), never "no
    action"."""
    return r.outcome is not None and r.outcome.level == "out_of_scope"


def depends_on_text(r: Record, ids: tuple[str, ...]) -> str:
    """An action whose condition was not known: what was not known, and why it is listed."""
    names = [path_name(r, sid) for sid in ids]
    known = "; ".join(names) if names else "an answer"
    return f"{known} - not known, so {DEPENDS_ON_UNKNOWN}"


def deadline_text(d: Deadline | None) -> str | None:
    """When to act, in words read at a glance. "Same day" has no clock time: it is today, as
    soon as possible, with the out-of-hours contact after office hours."""
    if d is None or d.kind in {"none", "after"}:
        return None  # `after` another action: no clock time; its label says it as written
    if d.kind == "now":
        return "now"
    if d.kind == "within_hours" and d.by is not None:
        return "by " + moment_text(d.by)
    day = "" if d.on is None else f", {day_text(d.on)}"
    return f"today{day}, as soon as possible ({SAME_DAY_AFTER_HOURS})"


def timescale_text(label: str | None, d: Deadline | None) -> str | None:
    """A timescale with its deadline: `Same day - today, Fri 27 Nov 2026, as soon as ...`."""
    when = deadline_text(d)
    if label and when and label.lower() != when.lower():
        return f"{label} - {when}"
    return label or when


def contact_line(c: ContactDetail | Contact | None) -> str | None:
    """A contact on one line: name - phone - hours - out of hours: ..., and a placeholder flag."""
    if c is None:
        return None
    parts = [c.name]
    parts.extend(p for p in (c.phone, c.hours) if p)
    if c.out_of_hours:
        parts.append(f"out of hours: {c.out_of_hours}")
    line = " - ".join(parts)
    return line + (f" ({PLACEHOLDER_NOTE})" if c.placeholder else "")


def answer_label(q: Question, value: object) -> str:
    """An answer as a person reads it: the one wording, shared with the guided check."""
    return shown(q, value)


def answer_text(q: QuestionEntry) -> str:
    """A recorded question's answer, or why there is none."""
    if q.status == "answered":
        return str(q.answer_label)
    return f"({q.status.replace('_', ' ')}: {q.note})"


def fact_value(f: FactEntry) -> str:
    """A derived fact's value with its unit; an unknown fact is never shown as a fact."""
    if f.unknown:
        return "may apply: an answer it depends on is not known"
    if f.value is None:
        return "not applicable"
    if isinstance(f.value, bool):
        return "yes" if f.value else "no"
    if f.unit == "weeks":
        return weeks_text(f.value)  # a corrected age below zero: "2 weeks before term"
    shown_value = f"{f.value:g}" if isinstance(f.value, float) else str(f.value)
    return f"{shown_value} {f.unit}" if f.unit else shown_value


def unknown_names(r: Record) -> list[str]:
    """The unknowns that decided, in plain words: the question's prompt, or `mark 2: pattern`."""
    return [path_name(r, path) for path in r.unknowns_that_decided]


def path_name(r: Record, path: str) -> str:
    """An answer's path in plain words: the question's prompt, a fact's label, or
    `mark 2: pattern`."""
    head, _, rest = path.partition("[")
    q = r.question(head)
    if rest and "]" in rest:
        number, _, field = rest.partition("]")
        item = field.lstrip(".")
        mark = next((m for m in r.marks if str(m.number) == number), None)
        prompt = next((f.prompt for f in (mark.fields if mark else ()) if f.id == item), item)
        return f"mark {number}: {prompt.rstrip(':?')}"
    if q is not None:
        return q.prompt.rstrip(":?")
    fact = next((f for f in r.facts if f.id == path), None)
    if fact is not None:
        return fact.label
    return path.replace("_", " ")


_NEGATION = ("not ", "no ", "non-", "non ")


def weeks_text(value: float) -> str:
    """A number of weeks; a corrected age below zero is a time before the due date, so it reads
    "2 weeks before term" rather than "-2 weeks"."""
    shown = f"{abs(value):g} {'week' if abs(value) == 1 else 'weeks'}"
    return f"{shown} before term" if value < 0 else shown


def reads_as_double_negative(label: str, value: object) -> bool:
    """Whether "<label>: no" would be a double negative ("Not independently mobile and not
    rolling: no"). Such a line says nothing the positive facts beside it do not, so a screen
    leaves it out rather than ask the reader to untangle it."""
    return value is False and label.lower().startswith(_NEGATION)
