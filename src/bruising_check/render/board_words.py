"""Words for the board paper: question labels, the analysis's clauses in plain English, and the
kind of child a change reaches ("a baby of 26 weeks or more who rolls but does not crawl").

Only wording: what the clauses mean is decided by the analysis and checked by the engines
(`versions.board`). Ids never reach the reader here; a clause this module cannot read is shown
with its ids turned into labels, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bruising_check.protocol.model import (
    BooleanQuestion,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from bruising_check.render.words import POLICY_NAMES as POLICY_NAMES
from bruising_check.render.words import option_label
from bruising_check.render.words import policy_value as policy_value

# Milestones as verbs, for "who rolls but does not crawl" (the option ids of the national format).
VERBS: dict[str, tuple[str, str]] = {
    "rolling": ("rolls", "roll"),
    "sitting": ("sits", "sit"),
    "crawling": ("crawls", "crawl"),
    "bottom_shuffling": ("bottom shuffles", "bottom shuffle"),
    "pulling_to_stand": ("pulls to stand", "pull to stand"),
    "cruising": ("cruises", "cruise"),
    "walking": ("walks", "walk"),
    "independent_wheelchair_use": (
        "moves independently in a wheelchair",
        "move independently in a wheelchair",
    ),
}
DIRECTION_WORDS = {
    "less_urgent": "LESS URGENT",
    "more_urgent": "More urgent",
    "different_actions": "Different actions, same urgency",
    "same": "The same outcome",
}
_CLAUSE = re.compile(
    r"^(?P<q>[a-z0-9_]+) (?:(?P<op>is exactly|is one of|includes any of|includes none of|"
    r"includes all of|includes some but not all of|includes not all of|includes all or none of|"
    r"includes|is|≤|≥|<|>) )(?P<rest>.*)$"
)
_RANGE = re.compile(r"^(?P<lo>[-0-9.]+) ≤ (?P<q>[a-z0-9_]+) ≤ (?P<hi>[-0-9.]+)$")


def label(q: Question) -> str:
    """A question's prompt as a label: without its trailing question mark and bracketed
    instructions ("(choose all that apply)")."""
    text = re.sub(r"\s*\([^)]*\)", "", q.prompt).strip()
    return text.rstrip("?:").strip() or q.prompt


def question(protocols: Sequence[Protocol], qid: str) -> tuple[Protocol, Question] | None:
    for p in protocols:
        q = p.question(qid)
        if q is not None:
            return p, q
    return None


def answer_words(protocols: Sequence[Protocol], qid: str, value: Any) -> str:
    found = question(protocols, qid)
    if found is None:
        return str(value)
    p, q = found
    if isinstance(q, GroupQuestion) and isinstance(value, list):
        # Each mark in words ("Mark 1 - What kind of mark: Bruise; Where: Cheek; ..."), never
        # the answers file's mapping.
        return (
            " | ".join(
                _item_words(q, n, item)
                for n, item in enumerate(value, start=1)
                if isinstance(item, Mapping)
            )
            or "none"
        )
    if isinstance(value, list):
        return ", ".join(option_label(p, qid, v) for v in value) if value else "none of these"
    if isinstance(q, NumberQuestion) and isinstance(value, (int, float)):
        return f"{value:g} {unit_for(value, q.unit)}".strip()
    return option_label(p, qid, value)


def unit_for(value: float, unit: str) -> str:
    """A unit as counted: "1 mark", "2 marks" ("cm" stays)."""
    return unit[:-1] if value == 1 and len(unit) > 2 and unit.endswith("s") else unit


def _item_words(g: GroupQuestion, n: int, item: Mapping[str, Any]) -> str:
    parts = []
    for iq in g.questions:
        if iq.id not in item or item[iq.id] is None:
            continue
        value = item[iq.id]
        options = {o.id: o.label for o in getattr(iq, "options", ())}
        if isinstance(value, bool):
            words = "yes" if value else "no"
        elif isinstance(value, list):
            words = ", ".join(options.get(str(v), str(v)) for v in value) or "none of these"
        elif isinstance(iq, NumberQuestion) and isinstance(value, int | float):
            words = f"{value:g} {unit_for(value, iq.unit)}".strip()
        else:
            words = options.get(str(value), str(value))
        parts.append(f"{label(iq)}: {words}")
    return f"{g.item_label.capitalize()} {n} - " + "; ".join(parts)


_QUANT = re.compile(
    r"^(?P<quant>no|some|every|not every) (?P<item>[A-Za-z ]+?) has \((?P<inner>.*)\)$"
)
_ITEM_TEST = re.compile(
    r"\b(?P<id>[a-z][a-z0-9_]*) (?P<op>is one of|is)"
    r" (?P<vals>[A-Za-z0-9_.-]+(?:, [A-Za-z0-9_.-]+)*)"
)


_TOTAL = re.compile(
    r"^the (?:number|total (?P<sum>[a-z0-9_]+)) of (?P<item>[A-Za-z ]+?)s with"
    r" \((?P<inner>.*)\) is (?P<rest>.*)$"
)


def _group_of(protocols: Sequence[Protocol], item: str) -> GroupQuestion | None:
    return next((g for p in protocols for g in p.groups if g.item_label == item), None)


_ITEM_NUMBER = re.compile(r"\b(?P<id>[a-z][a-z0-9_]*) (?P<op>≤|≥|<|>) (?P<num>-?[0-9.]+)\b")


def _item_inner(group: GroupQuestion, inner: str, protocols: Sequence[Protocol] = ()) -> str:
    """An item condition (`type is bruise AND unusual_site is true`) in labels; a fact of the
    child it reads (`age_months ≤ 4.99`) by its label too."""
    questions = {q.id: q for q in group.questions}
    facts = {f.id: f.label for p in protocols for f in p.derived}
    facts.update({f.id: f.label for f in group.derived})
    units = {
        f.id: getattr(f, "unit", "") or "" for p in protocols for f in (*p.derived, *group.derived)
    }
    units.update({q.id: q.unit for q in group.questions if isinstance(q, NumberQuestion)})

    def number(t: re.Match[str]) -> str:
        qid, op, num = t["id"], t["op"], t["num"]
        q = questions.get(qid)
        if q is None and qid not in facts:
            return t[0]
        name = label(q) if q is not None else facts[qid]
        unit = f" {units[qid]}" if units.get(qid) else ""
        bound = {
            "≤": f"{num}{unit} or fewer",
            "≥": f"{num}{unit} or more",
            "<": f"under {num}{unit}",
            ">": f"over {num}{unit}",
        }[op]
        return f"{name}: {bound}"

    def one(t: re.Match[str]) -> str:
        qid, op, vals = t["id"], t["op"], t["vals"].split(", ")
        q = questions.get(qid)
        if q is None and qid not in facts:
            return t[0]
        name = label(q) if q is not None else facts[qid]
        options = {o.id: o.label for o in getattr(q, "options", ())}
        shown = [
            "yes" if v == "true" else "no" if v == "false" else options.get(v, v) for v in vals
        ]
        return f"{name}: {('one of ' if op == 'is one of' else '') + _list(shown, 'or')}"

    inner = _ITEM_NUMBER.sub(number, _ITEM_TEST.sub(one, inner))
    return inner.replace(" AND ", " and ").replace(" OR ", " or ").replace("NOT (", "not (")


def _group_clause(protocols: Sequence[Protocol], clause: str) -> str | None:
    """`no mark has (patterned is yes)` as `No mark has (Is it patterned: Yes)`, and `the number
    of marks with (...) is ≥ 2` as `Number of marks with (...): 2 or more`: the item questions'
    and item facts' labels and the options' labels, never their ids."""
    m = _QUANT.match(clause)
    if m is not None:
        group = _group_of(protocols, m["item"])
        if group is None:
            return None
        inner = _item_inner(group, m["inner"], protocols)
        return f"{m['quant'].capitalize()} {m['item']} has ({inner})"
    t = _TOTAL.match(clause)
    if t is None:
        return None
    group = _group_of(protocols, t["item"])
    if group is None:
        return None
    field = next((q for q in group.questions if q.id == t["sum"]), None) if t["sum"] else None
    what = (
        f"{group.item_label.capitalize()}s with"
        if t["sum"] is None
        else f"“{label(field) if field is not None else t['sum']}”, added up over the"
        f" {group.item_label}s with"
    )
    ranges = []
    for part in t["rest"].split(" or "):
        part = part.strip()
        if part.startswith("= "):
            ranges.append("none" if part[2:] == "0" and t["sum"] is None else part[2:])
        elif part.startswith("≥ "):
            ranges.append(f"{part[2:]} or more")
        else:
            ranges.append(part)
    return f"{what} ({_item_inner(group, t['inner'], protocols)}): {' or '.join(ranges)}"


def clause_words(protocols: Sequence[Protocol], clause: str) -> str:
    """One analysis clause as `Label: answer words`."""
    grouped = _group_clause(protocols, clause)
    if grouped is not None:
        return grouped
    if clause.startswith("(") and clause.endswith(")") and " OR " in clause:
        parts = [clause_words(protocols, part) for part in clause[1:-1].split(" OR ")]
        names = {part.split(": ", 1)[0] for part in parts}
        if len(names) == 1 and all(": " in part for part in parts):
            return f"{names.pop()}: " + " or ".join(part.split(": ", 1)[1] for part in parts)
        return " or ".join(parts)
    ranged = _RANGE.match(clause)
    if ranged:
        found = question(protocols, ranged["q"])
        unit = found[1].unit if found and isinstance(found[1], NumberQuestion) else ""
        name = label(found[1]) if found else ranged["q"]
        return f"{name}: {ranged['lo']} to {ranged['hi']} {unit}".strip()
    m = _CLAUSE.match(clause)
    found = question(protocols, m["q"]) if m else None
    if m is None or found is None:
        return clause
    p, q = found
    op, rest = m["op"], m["rest"]
    name = label(q)
    if isinstance(q, BooleanQuestion) and rest in {"true", "false"}:
        return f"{name}: {'yes' if rest == 'true' else 'no'}"
    if isinstance(q, NumberQuestion):
        unit = q.unit
        bound = {
            "≤": f"{rest} {unit} or fewer",
            "≥": f"{rest} {unit} or more",
            "<": f"under {rest} {unit}",
            ">": f"over {rest} {unit}",
            "is": f"{rest} {unit}",
        }
        return f"{name}: {bound.get(op, rest)}"
    if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        ids = [x.strip() for x in rest.strip("[]").split(",") if x.strip()]
        if not ids:  # `is exactly []`: nothing chosen
            return f"{name}: none of these"
        shown = [option_label(p, q.id, i) for i in ids]
        if op in {"is", "includes"}:
            return f"{name}: {shown[0] if len(shown) == 1 else ', '.join(shown)}"
        words = {
            "is one of": "one of",
            "is exactly": "exactly",
            "includes any of": "any of",
            "includes none of": "none of",
            "includes all of": "all of",
        }
        joiner = "and" if op in {"is exactly", "includes all of"} else "or"
        return f"{name}: {words.get(op, op)} {_list(shown, joiner)}"
    return clause


def split_condition(condition: str) -> list[str]:
    """A class condition as the analysis words it (`a AND some mark has (b AND c) AND d`) cut
    into its top-level clauses; an `AND` inside brackets stays in its clause."""
    parts: list[str] = []
    depth = start = i = 0
    while i < len(condition):
        ch = condition[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and condition.startswith(" AND ", i):
            parts.append(condition[start:i])
            i += len(" AND ")
            start = i
            continue
        i += 1
    parts.append(condition[start:])
    return [p for p in parts if p]


def condition_words(protocols: Sequence[Protocol], condition: str) -> list[str]:
    """A class condition as one line per clause, each in question wording and option labels
    (`clause_words`); every clause is kept, none dropped."""
    if condition == "any answers":
        return ["any answers"]
    return [clause_words(protocols, clause) for clause in split_condition(condition)]


def who(protocols: Sequence[Protocol], clauses: Iterable[str], about: Iterable[str]) -> str:
    """The kind of child the clauses about `about` describe, in words."""
    about = set(about)
    age = ""
    positive: list[str] = []
    negative: list[str] = []
    other: list[str] = []
    older = False
    for clause in clauses:
        m = _RANGE.match(clause) or _CLAUSE.match(clause)
        if m is None or m["q"] not in about:
            continue
        found = question(protocols, m["q"])
        if found is None:
            continue
        q = found[1]
        ranged = _RANGE.match(clause)
        if isinstance(q, NumberQuestion) and q.unit == "weeks":
            if ranged:
                age = f" of {ranged['lo']} to {ranged['hi']} weeks"
            elif m["op"] == "≤":
                age = f" under {_num(float(m['rest']) + 1)} weeks"
            elif m["op"] == "<":
                age = f" under {m['rest']} weeks"
            elif m["op"] == "≥":
                age = f" of {m['rest']} weeks or more"
                older = float(m["rest"]) >= 104
            elif m["op"] == ">":
                age = f" over {m['rest']} weeks"
            else:
                age = f" of {m['rest']} weeks"
            continue
        if isinstance(q, MultipleChoiceQuestion) and any(o.id in VERBS for o in q.options):
            ids = [x.strip() for x in m["rest"].strip("[]").split(",")]
            if m["op"] == "includes none of":
                negative += [VERBS[i][1] if i in VERBS else i for i in ids]
                continue
            if m["op"] in {"includes", "includes any of", "includes all of", "is exactly"}:
                positive.append(
                    _list([VERBS[i][0] if i in VERBS else i for i in ids], "or")
                    if m["op"] == "includes any of"
                    else _list([VERBS[i][0] if i in VERBS else i for i in ids], "and")
                )
                continue
        other.append(clause_words(protocols, clause))
    text = ("a child" if older else "a baby") + age
    if positive:
        text += " who " + _list(positive, "and")
    if negative:
        text += (" but does not " if positive else " who does not ") + _list(negative, "or")
    if other:
        text += " (" + "; ".join(other) + ")"
    return text


def example_person(protocols: Sequence[Protocol], answers: Mapping[str, Any]) -> str:
    """The example child in a few words: `a 23-week-old who crawls`."""
    age = next(
        (
            v
            for k, v in answers.items()
            if isinstance(v, (int, float))
            and (f := question(protocols, k)) is not None
            and isinstance(f[1], NumberQuestion)
            and f[1].unit == "weeks"
            and "gestation" not in k
        ),
        None,
    )
    text = f"a {_num(float(age))}-week-old" if age is not None else "a baby"
    for k, v in answers.items():
        f = question(protocols, k)
        if f is None or not isinstance(f[1], MultipleChoiceQuestion):
            continue
        if not any(o.id in VERBS for o in f[1].options) or not isinstance(v, list):
            continue
        if v:
            text += " who " + _list([VERBS[i][0] if i in VERBS else i for i in v], "and")
        else:
            text += " who does not yet roll, sit or move about"
    return text


def policy_change(protocols: Sequence[Protocol], field: str, old: Any, new: Any) -> str:
    """A policy change in a few words: lists say what came and went, long text is not
    repeated (the policy table has it)."""
    name = POLICY_NAMES.get(field, field.replace("_", " ")).lower()
    if isinstance(old, list) and isinstance(new, list):
        gone = [policy_value(protocols, field, [x]) for x in old if x not in new]
        came = [policy_value(protocols, field, [x]) for x in new if x not in old]
        parts = [f"{_list(gone, 'and')} removed"] if gone else []
        parts += [f"{_list(came, 'and')} added"] if came else []
        return f"{name}: {', '.join(parts)}"
    a, b = policy_value(protocols, field, old), policy_value(protocols, field, new)
    if len(a) > 60 or len(b) > 60:
        if b == "not stated":
            return f"{name}: no longer stated"
        return (
            f"{name}: {'now stated' if a == 'not stated' else 'reworded'} (see “Policy positions”)"
        )
    return f"{name}: {a} → {b}"


def and_list(items: Sequence[str]) -> str:
    """`1, 2 and 3`."""
    return _list(items, "and")


def _list(items: Sequence[str], last: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _num(x: float) -> str:
    return f"{x:g}"
