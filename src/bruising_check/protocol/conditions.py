"""Conditions are data: a small typed tree of all / any / not and comparisons.

A comparison looks at one subject, either a question's answer (`question: id`) or a derived fact
(`fact: id`), and compares it with constants only. Nothing here is ever handed to `eval`; the tree
is evaluated by pattern matching (`evaluate`) and can be walked by the analyser (`walk`).

Evaluation is three-valued (Kleene logic) so that a question left unanswered is *unknown*, never
silently false: the engine then refuses to let an unknown lower the pathway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from bruising_check.protocol.ids import Id

Scalar = bool | int | float | str


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AllOf(_Node):
    all: Annotated[tuple[Condition, ...], Field(min_length=1)]


class AnyOf(_Node):
    any: Annotated[tuple[Condition, ...], Field(min_length=1)]


class Not(_Node):
    not_: Annotated[Condition, Field(alias="not")]


COMPARISON_OPERATORS = (
    "equals",
    "in_",
    "includes_any",
    "includes_all",
    "is_empty",
    "answered",
    "lt",
    "le",
    "gt",
    "ge",
)


class Compare(_Node):
    """One subject compared with constants. With no operator, a fact is tested for being true."""

    question: Id | None = None
    fact: Id | None = None
    equals: Scalar | tuple[str, ...] | None = None
    in_: Annotated[tuple[Scalar, ...] | None, Field(alias="in", min_length=1)] = None
    includes_any: Annotated[tuple[str, ...] | None, Field(min_length=1)] = None
    includes_all: Annotated[tuple[str, ...] | None, Field(min_length=1)] = None
    is_empty: bool | None = None
    answered: bool | None = None
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> Compare:
        if (self.question is None) == (self.fact is None):
            raise ValueError("a comparison names exactly one of `question:` or `fact:`")
        ops = self.operators()
        if len(ops) > 1:
            raise ValueError(f"a comparison takes one operator, found {', '.join(ops)}")
        if not ops and self.question is not None:
            raise ValueError(
                "a question comparison needs an operator (equals, in, includes_any, includes_all,"
                " is_empty, answered, lt, le, gt, ge)"
            )
        return self

    @property
    def subject(self) -> str:
        return self.question if self.question is not None else str(self.fact)

    def operators(self) -> list[str]:
        return [op.rstrip("_") for op in COMPARISON_OPERATORS if getattr(self, op) is not None]

    @cached_property
    def operator(self) -> str:
        # Cached: evaluated for every comparison of every decision (hot in case-impact runs).
        ops = self.operators()
        return ops[0] if ops else "is_true"

    @cached_property
    def operand(self) -> Any:
        op = self.operator
        if op == "is_true":
            return True
        return getattr(self, "in_" if op == "in" else op)


def _condition_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "compare"
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, Not):
        return "not"
    return "compare"


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Compare, Tag("compare")],
    Discriminator(_condition_kind),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class Truth(Enum):
    """Kleene three-valued truth."""

    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    @staticmethod
    def of(value: bool) -> Truth:
        return Truth.TRUE if value else Truth.FALSE

    def __invert__(self) -> Truth:
        return Truth(2 - self.value)


class _Unknown:
    """Marker for an answer that should have been given but was not (e.g. "don't know")."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""An answer (or a fact computed from one) that is not known. `None` means "not applicable"."""


def evaluate(cond: Condition, values: Mapping[str, Any]) -> Truth:
    """Evaluate `cond` over answers and derived facts (one namespace of ids).

    A value of `None` (question not asked, fact not applicable) is a definite absence: every
    comparison on it is false except `answered: false`. `UNKNOWN` makes the comparison unknown.
    """
    match cond:
        case AllOf(all=items):
            result = Truth.TRUE
            for item in items:
                result = Truth(min(result.value, evaluate(item, values).value))
            return result
        case AnyOf(any=items):
            result = Truth.FALSE
            for item in items:
                result = Truth(max(result.value, evaluate(item, values).value))
            return result
        case Not(not_=inner):
            return ~evaluate(inner, values)
        case Compare():
            return compare(cond, values.get(cond.subject))
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the union is closed


def compare(cmp: Compare, value: Any) -> Truth:
    op, operand = cmp.operator, cmp.operand
    if value is UNKNOWN:
        return Truth.UNKNOWN
    if op == "answered":
        return Truth.of((value is not None) == operand)
    if value is None:
        return Truth.FALSE
    match op:
        case "is_true":
            return Truth.of(value is True)
        case "equals":
            if isinstance(value, (list, tuple, frozenset, set)):
                return Truth.of(set(value) == set(operand if isinstance(operand, tuple) else ()))
            return Truth.of(_same(value, operand))
        case "in":
            return Truth.of(any(_same(value, o) for o in operand))
        case "includes_any":
            return Truth.of(bool(set(value) & set(operand)))
        case "includes_all":
            return Truth.of(set(operand) <= set(value))
        case "is_empty":
            return Truth.of((len(value) == 0) == operand)
        case "lt":
            return Truth.of(value < operand)
        case "le":
            return Truth.of(value <= operand)
        case "gt":
            return Truth.of(value > operand)
        case "ge":
            return Truth.of(value >= operand)
    raise ValueError(f"unknown operator {op}")  # pragma: no cover


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kind: True == 1 in Python, but a yes/no answer never equals 1."""
    comparable = type(a) is type(b) or (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )
    return comparable and bool(a == b)


def walk(cond: Condition) -> Iterator[Condition]:
    """Every node of the tree, parents before children."""
    yield cond
    match cond:
        case AllOf(all=items) | AnyOf(any=items):
            for item in items:
                yield from walk(item)
        case Not(not_=inner):
            yield from walk(inner)


def comparisons(cond: Condition) -> Iterator[Compare]:
    for node in walk(cond):
        if isinstance(node, Compare):
            yield node


def describe(cond: Condition, label: Mapping[str, str] | None = None) -> str:
    """A readable one-line rendering, e.g. `mark_types includes any of bruise, burn`."""
    label = label or {}
    match cond:
        case AllOf(all=items):
            return " AND ".join(_paren(describe(i, label), i) for i in items)
        case AnyOf(any=items):
            return " OR ".join(_paren(describe(i, label), i) for i in items)
        case Not(not_=inner):
            return f"NOT ({describe(inner, label)})"
        case Compare():
            name = label.get(cond.subject, cond.subject)
            op, operand = cond.operator, cond.operand
            if op == "is_true":
                return name
            shown = (
                ", ".join(_literal(x) for x in operand)
                if isinstance(operand, tuple)
                else _literal(operand)
            )
            words = {
                "equals": "is",
                "in": "is one of",
                "includes_any": "includes any of",
                "includes_all": "includes all of",
                "lt": "<",
                "le": "≤",
                "gt": ">",
                "ge": "≥",
            }
            if op == "is_empty":
                return f"{name} is {'empty' if operand else 'not empty'}"
            if op == "answered":
                return f"{name} is {'answered' if operand else 'not answered'}"
            if op == "equals" and isinstance(operand, tuple):
                return f"{name} is exactly [{shown}]"
            return f"{name} {words[op]} {shown}"
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _paren(text: str, cond: Condition) -> str:
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text


ConditionKind = Literal["all", "any", "not", "compare"]
