"""Answers: check a mapping of question id → answer against a protocol.

Used for `check --answers FILE` and by the guided check for each typed answer. A `null` answer
means "not known"; it is allowed only for questions that are not required, and it makes every
rule that depends on it *unknown* (see `engine`).
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


def coerce(q: Question, value: Any) -> Any:
    """Check one answer's type, options and range. Returns the normal form or raises."""
    if value is None:
        if q.required:
            raise AnswerError(Code.ANSWER_MISSING, f"{q.id}: an answer is required")
        return UNKNOWN
    match q:
        case BooleanQuestion():
            if not isinstance(value, bool):
                raise AnswerError(
                    Code.ANSWER_TYPE, f"{q.id}: expected true or false, got {value!r}"
                )
            return value
        case SingleChoiceQuestion(options=options):
            ids = [o.id for o in options]
            if not isinstance(value, str):
                raise AnswerError(
                    Code.ANSWER_TYPE, f"{q.id}: expected one option id, got {_show(value)}"
                )
            if value not in ids:
                raise AnswerError(
                    Code.ANSWER_OPTION,
                    f"{q.id}: {_show(value)} is not an option (options: {', '.join(ids)})",
                )
            return value
        case MultipleChoiceQuestion(options=options):
            ids = [o.id for o in options]
            if not isinstance(value, list | tuple):
                raise AnswerError(
                    Code.ANSWER_TYPE,
                    f"{q.id}: expected a list of option ids ([] for none), got {_show(value)}",
                )
            if len(value) > len(ids):
                # A repeat is harmless and dropped, but a list of 100,000 repeats is a broken or
                # hostile file.
                raise AnswerError(
                    Code.ANSWER_OPTION,
                    f"{q.id}: {len(value):,} choices given; there are only {len(ids)} options",
                )
            for item in value:
                if not isinstance(item, str) or item not in ids:
                    raise AnswerError(
                        Code.ANSWER_OPTION,
                        f"{q.id}: {_show(item)} is not an option (options: {', '.join(ids)})",
                    )
            if len(set(value)) < q.min_selected:
                raise AnswerError(Code.ANSWER_MISSING, f"{q.id}: choose at least {q.min_selected}")
            # Protocol order, no repeats: the same choices always read the same.
            return tuple(i for i in ids if i in set(value))
        case NumberQuestion():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AnswerError(
                    Code.ANSWER_TYPE, f"{q.id}: expected a number, got {_show(value)}"
                )
            if not q.min <= value <= q.max:
                raise AnswerError(
                    Code.ANSWER_RANGE,
                    f"{q.id}: {value} {q.unit} is outside {_num(q.min)}–{_num(q.max)} {q.unit}",
                )
            if q.integer and value != int(value):
                raise AnswerError(
                    Code.ANSWER_RANGE, f"{q.id}: expected whole {q.unit}, got {value}"
                )
            return int(value) if q.integer else value
        case TextQuestion():
            if not isinstance(value, str):
                raise AnswerError(Code.ANSWER_TYPE, f"{q.id}: expected text, got {_show(value)}")
            if len(value) > q.max_length:
                raise AnswerError(
                    Code.ANSWER_RANGE, f"{q.id}: text is longer than {q.max_length} characters"
                )
            return value
    raise TypeError(q)  # pragma: no cover


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
            and not any(p.path == (q.id,) for p in out.problems)
        ):
            out.problems.append(
                located.problem(Code.ANSWER_MISSING, f"{q.id}: required answer is missing", ())
            )
    return out


def _name(qid: str) -> str:
    """A key as typed when it is short plain text; otherwise shortened and escaped."""
    return qid if len(qid) <= 60 and qid.isprintable() else _show(qid)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
