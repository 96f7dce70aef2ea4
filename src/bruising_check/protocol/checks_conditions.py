"""Each comparison in a condition names a question or fact that exists, in a way its type allows
and with options it offers; a context prompt never decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import (
    BooleanFact,
    BooleanQuestion,
    GroupQuestion,
    ItemQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    NumberQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.walk import all_conditions, conditions_with_paths
from bruising_check.protocol.yamlread import Located, Path


def check_conditions(p: Protocol, located: Located, today: dt.date) -> Iterator[Problem]:
    questions: dict[str, Question] = {q.id: q for q in p.questions}
    context = {q.id: q for q in p.context_prompts}
    facts = {f.id: f for f in p.derived}
    for root, cond, owner in all_conditions(p):
        for path, node in conditions_with_paths(cond, root):
            if not isinstance(node, Compare) or node.item is not None:
                continue  # `item:` comparisons: checks_groups
            if node.question is not None:
                q = questions.get(node.question) or context.get(node.question)
                if q is None:
                    yield located.problem(
                        Code.UNKNOWN_QUESTION,
                        f"unknown question {node.question!r}{_in_group(p, node.question)}",
                        (*path, "question"),
                    )
                    continue
                if isinstance(q, GroupQuestion):
                    yield located.problem(
                        Code.GROUP_NOT_ALLOWED,
                        f"{q.id!r} is a repeated group; look at its items with some, every"
                        " or count",
                        (*path, "question"),
                    )
                    continue
                if node.question in context and owner != "context":
                    yield located.problem(
                        Code.CONTEXT_DECIDES,
                        f"context prompt {node.question!r} is used by a {owner}",
                        (*path, "question"),
                    )
                yield from _check_compare_question(node, q, path, located)
            else:
                f = facts.get(str(node.fact))
                if f is None:
                    yield located.problem(
                        Code.UNKNOWN_FACT, f"unknown derived fact {node.fact!r}", (*path, "fact")
                    )
                    continue
                yield from _check_compare_fact(node, f, path, located)


def _in_group(p: Protocol, qid: str) -> str:
    for g in p.groups:
        if g.question(qid) is not None:
            return f" (it is asked per {g.item_label}: use `item: {qid}` inside some/every/count)"
    return ""


def _check_compare_question(
    node: Compare, q: Question | ItemQuestion, path: Path, located: Located
) -> Iterator[Problem]:
    op, operand = node.operator, node.operand
    if op in {"answered", "known"} or isinstance(q, GroupQuestion):
        return
    allowed = {
        BooleanQuestion: {"equals", "in"},
        SingleChoiceQuestion: {"equals", "in"},
        MultipleChoiceQuestion: {"equals", "includes_any", "includes_all", "is_empty"},
        NumberQuestion: {"equals", "in", "lt", "le", "gt", "ge"},
        TextQuestion: set(),
    }[type(q)]
    if op not in allowed:
        yield located.problem(
            Code.TYPE_MISMATCH,
            f"`{op}` cannot be used on {q.type} question {q.id!r}"
            f" (allowed: {', '.join(sorted(allowed | {'answered'}))})",
            path,
        )
        return
    values = operand if isinstance(operand, tuple) else (operand,)
    if op == "is_empty":
        return
    if isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        if (
            isinstance(q, MultipleChoiceQuestion)
            and op == "equals"
            and not isinstance(operand, tuple)
        ):
            yield located.problem(
                Code.TYPE_MISMATCH,
                f"`equals` on multiple-choice {q.id!r} takes a list of option ids",
                (*path, op),
            )
            return
        ids = {o.id for o in q.options}
        for v in values:
            if not isinstance(v, str):
                yield located.problem(
                    Code.TYPE_MISMATCH,
                    f"{q.id!r} is a choice question; compare it with option ids, not {v!r}",
                    (*path, "in" if op == "in" else op),
                )
            elif v == q.unknown_option:
                yield located.problem(
                    Code.UNKNOWN_OPTION_IN_CONDITION,
                    f"{v!r} is {q.id!r}'s 'not known' option; a condition cannot name it",
                    (*path, "in" if op == "in" else op),
                    hint=f"Use `{{{node.subject_kind}: {q.id}, known: false}}` to act on not"
                    " knowing.",
                )
            elif v not in ids:
                yield located.problem(
                    Code.UNKNOWN_OPTION,
                    f"{v!r} is not an option of {q.id!r} (options: {', '.join(sorted(ids))})",
                    (*path, "in" if op == "in" else op),
                )
    elif isinstance(q, BooleanQuestion):
        if not all(isinstance(v, bool) for v in values):
            yield located.problem(
                Code.TYPE_MISMATCH, f"{q.id!r} is yes/no; compare it with true or false", path
            )
    elif isinstance(q, NumberQuestion) and not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        yield located.problem(
            Code.TYPE_MISMATCH, f"{q.id!r} is a number; compare it with numbers", path
        )


def _check_compare_fact(node: Compare, f: Any, path: Path, located: Located) -> Iterator[Problem]:
    op, operand = node.operator, node.operand
    if op == "known":
        yield located.problem(
            Code.TYPE_MISMATCH,
            f"`known` looks at an answer; {f.id!r} is a derived fact (a fact that depends on an"
            " unknown answer is unknown itself)",
            path,
        )
        return
    if op == "answered":
        return
    if isinstance(f, BooleanFact):
        if op not in {"is_true", "equals"} or not isinstance(operand, bool):
            yield located.problem(
                Code.TYPE_MISMATCH,
                f"{f.id!r} is a yes/no fact; test it alone or with `equals: true|false`",
                path,
            )
    elif isinstance(f, NumberFact) and (
        op not in {"lt", "le", "gt", "ge", "equals", "in"}
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in (operand if isinstance(operand, tuple) else (operand,))
        )
    ):
        yield located.problem(
            Code.TYPE_MISMATCH, f"{f.id!r} is a number; compare it with lt/le/gt/ge", path
        )
