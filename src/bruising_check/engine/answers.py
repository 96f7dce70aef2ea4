"""Answers: check a mapping of question id → answer against a protocol (answers format v2).

Used for `check --answers FILE` and by the guided check for each typed answer. "Not known" is
`null` (for a question with `allow_unknown: true`, one with an `unknown: true` option, or one
that is not required) or the question's unknown option (`not_sure`; for multiple choice, alone
in the list); it becomes UNKNOWN, which the engine completes every possible way. A repeated
group is a list of mappings, one per item; problems inside it name the item, 1-based
(`marks[2].site: ...`). A version-1 file (top-level `mark_types` / `locations` for a protocol
that asks per mark) is refused with what changed (`bruising-check migrate-answers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bruising_check.engine.decide import applicable
from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import UNKNOWN, Truth
from bruising_check.protocol.model import (
    BooleanQuestion,
    GroupQuestion,
    ItemQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.yamlread import Located


@dataclass
class CheckedAnswers:
    """An answers file checked against the protocol: the answers, the context, the problems."""

    answers: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


class AnswerError(ValueError):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code


YES_NO = frozenset({"yes", "no", "Yes", "No", "YES", "NO", "y", "n", "on", "off"})


def may_be_unknown(q: Question | ItemQuestion) -> bool:
    """Whether `null` is an answer: the question says so, offers an unknown option, or is
    optional."""
    if isinstance(q, (BooleanQuestion, NumberQuestion)) and q.allow_unknown:
        return True
    if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)) and q.unknown_option:
        return True
    return not q.required


def _unquoted(value: Any, ids: list[str]) -> str:
    """Why a yes/no option came as true or false, where it may have: a scenario or cases file
    read by YAML 1.1 rules takes an unquoted `no`, `off`, `yes` or `on` as a boolean."""
    if not isinstance(value, bool):
        return ""
    words = ("yes", "on") if value else ("no", "off")
    word = next((i for i in ids if i.lower() in words), None)
    if word is None:
        return ""
    return f' (an unquoted {word} in YAML is read as {_show(value)}: write "{word}" in quotes)'


def coerce(q: Question | ItemQuestion, value: Any, name: str | None = None) -> Any:
    """Check one answer's type, options and range. Returns the normal form (UNKNOWN for "not
    known") or raises. `name` is how messages name the question (`marks[1].site`)."""
    name = name or q.id
    if value is None:
        if not may_be_unknown(q):
            raise AnswerError(
                Code.ANSWER_MISSING,
                f"{name}: an answer is required (this question has no 'not known')",
            )
        return UNKNOWN
    match q:
        case BooleanQuestion():
            if not isinstance(value, bool):
                plain = isinstance(value, str) and value in YES_NO
                words = " (answers files read yes/no as text)" if plain else ""
                raise AnswerError(
                    Code.ANSWER_TYPE,
                    f"{name}: expected true or false, got {_show(value)}{words}",
                )
            return value
        case SingleChoiceQuestion(options=options):
            ids = [o.id for o in options]
            if not isinstance(value, str):
                raise AnswerError(
                    Code.ANSWER_TYPE,
                    f"{name}: expected one option id, got {_show(value)}{_unquoted(value, ids)}",
                )
            if value not in ids:
                raise AnswerError(
                    Code.ANSWER_OPTION,
                    f"{name}: {_show(value)} is not an option (options: {', '.join(ids)})",
                )
            return UNKNOWN if value == q.unknown_option else value
        case MultipleChoiceQuestion(options=options):
            ids = [o.id for o in options]
            if not isinstance(value, list | tuple):
                raise AnswerError(
                    Code.ANSWER_TYPE,
                    f"{name}: expected a list of option ids ([] for none), got {_show(value)}",
                )
            if len(value) > len(ids):
                # A repeat is harmless and dropped, but a list of 100,000 repeats is a broken or
                # hostile file.
                raise AnswerError(
                    Code.ANSWER_OPTION,
                    f"{name}: {len(value):,} choices given; there are only {len(ids)} options",
                )
            for item in value:
                if not isinstance(item, str) or item not in ids:
                    raise AnswerError(
                        Code.ANSWER_OPTION,
                        f"{name}: {_show(item)} is not an option (options: {', '.join(ids)})",
                    )
            unknown = q.unknown_option
            if unknown is not None and unknown in value:
                if len(set(value)) > 1:
                    raise AnswerError(
                        Code.ANSWER_OPTION,
                        f"{name}: {unknown!r} means not known and must be chosen alone",
                    )
                return UNKNOWN
            if len(set(value)) < q.min_selected:
                raise AnswerError(Code.ANSWER_MISSING, f"{name}: choose at least {q.min_selected}")
            # Protocol order, no repeats: the same choices always read the same.
            return tuple(i for i in ids if i in set(value))
        case NumberQuestion():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AnswerError(
                    Code.ANSWER_TYPE, f"{name}: expected a number, got {_show(value)}"
                )
            if not q.min <= value <= q.max:
                raise AnswerError(
                    Code.ANSWER_RANGE,
                    f"{name}: {value} {q.unit} is outside {_num(q.min)}–{_num(q.max)} {q.unit}",
                )
            if q.integer and value != int(value):
                raise AnswerError(
                    Code.ANSWER_RANGE, f"{name}: expected whole {q.unit}, got {value}"
                )
            return int(value) if q.integer else value
        case TextQuestion():
            if not isinstance(value, str):
                raise AnswerError(Code.ANSWER_TYPE, f"{name}: expected text, got {_show(value)}")
            if len(value) > q.max_length:
                raise AnswerError(
                    Code.ANSWER_RANGE, f"{name}: text is longer than {q.max_length} characters"
                )
            return value
        case GroupQuestion():
            raise AnswerError(Code.ANSWER_TYPE, f"{name}: a repeated group is checked item by item")
    raise TypeError(q)  # pragma: no cover


V1_KEYS = ("mark_types", "locations")
"""Top-level answers of version 1 that version 2 asks once per mark."""


def version1_keys(protocol: Protocol, data: Mapping[str, Any]) -> list[str]:
    """The version-1 keys in `data` that `protocol` no longer asks at the top level."""
    top = {q.id for q in (*protocol.questions, *protocol.context_prompts)}
    return [k for k in V1_KEYS if k in data and k not in top]


def check_answers(protocol: Protocol, located: Located) -> CheckedAnswers:
    out = CheckedAnswers()
    data = located.data
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        out.problems.append(
            located.problem(Code.NOT_A_MAPPING, "answers must map question ids to answers", ())
        )
        return out
    old = version1_keys(protocol, data)
    if old and protocol.groups:
        out.problems.append(
            located.problem(
                Code.ANSWERS_VERSION_1,
                f"this is a version-1 answers file ({' and '.join(old)} at the top level);"
                f" version 2 answers each mark on its own, as a list under"
                f" `{protocol.groups[0].id}:`",
                (old[0],),
                key=True,
            )
        )
        return out
    questions = {q.id: q for q in protocol.questions}
    context = {q.id: q for q in protocol.context_prompts}
    for qid, value in data.items():
        q = questions.get(qid) or context.get(qid)
        if q is None:
            out.problems.append(
                located.problem(
                    Code.ANSWER_UNKNOWN_ID, f"{_name(qid)}: no such question", (qid,), key=True
                )
            )
            continue
        if isinstance(q, GroupQuestion):
            items = _group(q, value, located, out.problems)
            if items is not None:
                (out.answers if qid in questions else out.context)[qid] = items
            continue
        try:
            normal = coerce(q, value)
        except AnswerError as exc:
            out.problems.append(located.problem(exc.code, str(exc), (qid,)))
            continue
        (out.answers if qid in questions else out.context)[qid] = normal
    applies = applicable(protocol, out.answers)
    for q in protocol.questions:
        truth = applies[q.id]
        if truth is Truth.FALSE and q.id in out.answers:
            del out.answers[q.id]
            out.problems.append(
                located.problem(
                    Code.ANSWER_NOT_ASKED,
                    f"{q.id}: not asked for these answers; ignored",
                    (q.id,),
                    key=True,
                )
            )
        elif (
            truth is Truth.TRUE
            and q.required
            and q.id not in out.answers
            and not any(p.path[:1] == (q.id,) for p in out.problems)
        ):
            out.problems.append(
                located.problem(Code.ANSWER_MISSING, f"{q.id}: required answer is missing", ())
            )
    for g in protocol.groups:
        if g.id in out.answers and applies[g.id] is not Truth.FALSE:
            _group_asking(protocol, g, out, located)
    return out


def _group(
    g: GroupQuestion, value: Any, located: Located, problems: list[Problem]
) -> tuple[dict[str, Any], ...] | None:
    """A group's items, each checked; None when the list itself is wrong."""
    if not isinstance(value, list | tuple) or not all(isinstance(x, Mapping) for x in value):
        problems.append(
            located.problem(
                Code.ANSWER_TYPE,
                f"{g.id}: expected a list of {g.item_label}s, each a mapping of"
                f" {', '.join(q.id for q in g.questions[:3])}, ...",
                (g.id,),
            )
        )
        return None
    if not g.min_items <= len(value) <= g.max_items:
        problems.append(
            located.problem(
                Code.ANSWER_RANGE,
                f"{g.id}: {len(value)} {g.item_label}s given; between {g.min_items} and"
                f" {g.max_items} are allowed",
                (g.id,),
            )
        )
        return None
    own = {q.id: q for q in g.questions}
    items: list[dict[str, Any]] = []
    for n, given in enumerate(value):
        item: dict[str, Any] = {}
        for key, answer in given.items():
            where = f"{g.id}[{n + 1}].{_name(str(key))}"
            q = own.get(key)
            if q is None:
                problems.append(
                    located.problem(
                        Code.ANSWER_UNKNOWN_ID,
                        f"{where}: no such question in a {g.item_label}",
                        (g.id, n, key),
                        key=True,
                    )
                )
                continue
            try:
                item[key] = coerce(q, answer, where)
            except AnswerError as exc:
                problems.append(located.problem(exc.code, str(exc), (g.id, n, key)))
        items.append(item)
    return tuple(items)


def _not_offered(
    protocol: Protocol,
    q: ItemQuestion,
    value: Any,
    env: Mapping[str, Any],
    item: Mapping[str, Any],
) -> str | None:
    """Why the chosen option is not offered for this item (its `offered_if`, in words), or None
    when it is offered (or might be: an unknown answer never refuses an option)."""
    from bruising_check.protocol.conditions import evaluate
    from bruising_check.protocol.wording import condition_text

    chosen = value if isinstance(value, list | tuple) else (value,)
    for o in getattr(q, "options", ()):
        if o.offered_if is None or o.id not in chosen:
            continue
        if evaluate(o.offered_if, env, item) is Truth.FALSE:
            group = next((g.id for g in protocol.groups if g.question(q.id) is q), None)
            return condition_text(protocol, o.offered_if, group)
    return None


def _group_asking(
    protocol: Protocol, g: GroupQuestion, out: CheckedAnswers, located: Located
) -> None:
    """Per item: answers to questions not asked are dropped (warning); required ones that
    apply must be there."""
    from bruising_check.engine.evaluate import run_pass

    done = run_pass(protocol, out.answers, rules=False)
    asked = done.asked
    kept: list[dict[str, Any]] = []
    scopes = done.env.get(g.id)
    for n, item in enumerate(out.answers[g.id]):
        item = dict(item)
        scope = scopes[n] if isinstance(scopes, tuple) and n < len(scopes) else item
        for q in g.questions:
            path = f"{g.id}[{n + 1}].{q.id}"
            truth = asked.get(path, Truth.TRUE)
            refused = _not_offered(protocol, q, item.get(q.id), done.env, scope)
            if refused is not None and truth is not Truth.FALSE:
                # A warning, not an error: the answer is kept and the engine reads it as given
                # (a condition-explained mark without a diagnosed condition excuses nothing).
                out.problems.append(
                    located.problem(
                        Code.ANSWER_NOT_OFFERED,
                        f"{path}: {item[q.id]!r} is not offered for this {g.item_label}"
                        f" (offered only if {refused})",
                        (g.id, n, q.id),
                    )
                )
            if truth is Truth.FALSE and q.id in item:
                del item[q.id]
                out.problems.append(
                    located.problem(
                        Code.ANSWER_NOT_ASKED,
                        f"{path}: not asked for this {g.item_label}; ignored",
                        (g.id, n, q.id),
                        key=True,
                    )
                )
            elif (
                truth is Truth.TRUE
                and q.required
                and q.id not in item
                and not (isinstance(q, NumberQuestion) and q.default is not None)
                and not any(p.path[:3] == (g.id, n, q.id) for p in out.problems)
            ):
                out.problems.append(
                    located.problem(
                        Code.ANSWER_MISSING, f"{path}: required answer is missing", (g.id, n)
                    )
                )
        kept.append(item)
    out.answers[g.id] = tuple(kept)


def _name(qid: str) -> str:
    """A key as typed when it is short plain text; otherwise shortened and escaped."""
    return qid if len(qid) <= 60 and qid.isprintable() else _show(qid)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
