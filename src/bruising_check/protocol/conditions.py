"""Conditions are data: a small typed tree of all / any / not, quantifiers and comparisons.

A comparison looks at one subject, a question's answer (`question: id`), a derived fact
(`fact: id`) or, inside a quantifier over a repeated group, the current item's answer or item
fact (`item: id`), and compares it with constants only. The quantifiers `some`, `every` and
`count` look at every item of a group (docs/design/groups-unknowns-followon.md §2). Nothing here
is ever handed to `eval`; the tree is evaluated by pattern matching (`evaluate`) and can be walked
by the analyser (`walk`).

Evaluation is three-valued (Kleene logic) so that a question left unanswered is *unknown*, never
silently false: the engine then refuses to let an unknown lower the pathway.
"""

from collections.abc import Iterator, Mapping
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from typing_extensions import TypeAliasType

from bruising_check.protocol.ids import Id

Scalar = bool | int | float | str


class _Node(BaseModel):
    # Built on first use, not at import: a check validates whole protocols, whose one schema
    # holds every node (issue 15: building each class's validator at import cost the start-up).
    # The forward references to `Condition` are resolved then, from this module.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class AllOf(_Node):
    all: "Annotated[tuple[Condition, ...], Field(min_length=1)]"


class AnyOf(_Node):
    any: "Annotated[tuple[Condition, ...], Field(min_length=1)]"


class Not(_Node):
    not_: 'Annotated[Condition, Field(alias="not")]'


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
    "known",
)

UNKNOWN_KEYS = "?unknown"
"""Key (never a valid id) under which a mapping of values may hold the ids whose answers were
given as "not known": `known: false` is definite even when an unknown is being completed."""

MAYBE_ASKED_KEYS = "?maybe"
"""Key for the ids not answered whose `ask_if` is unknown: not known if asked, not asked
otherwise, so whether they are "known" is itself unknown."""

PENDING_KEYS = "?pending"
"""Key (never a valid id) for the ids whose answers were given but whose `ask_if` is unknown:
they read as UNKNOWN (the answer may be void) yet were not given as "not known"."""


class Compare(_Node):
    """One subject compared with constants. With no operator, a fact is tested for being true."""

    question: Id | None = None
    fact: Id | None = None
    item: Annotated[
        Id | None, Field(description="The current item's answer or item fact (in a group).")
    ] = None
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
    known: Annotated[
        bool | None,
        Field(description="`known: false` is true exactly when the answer was given as unknown."),
    ] = None

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> "Compare":
        named = [s for s in (self.question, self.fact, self.item) if s is not None]
        if len(named) != 1:
            raise ValueError("a comparison names exactly one of `question:`, `fact:` or `item:`")
        ops = self.operators()
        if len(ops) > 1:
            raise ValueError(f"a comparison takes one operator, found {', '.join(ops)}")
        if not ops and self.question is not None:
            raise ValueError(
                "a question comparison needs an operator (equals, in, includes_any, includes_all,"
                " is_empty, answered, known, lt, le, gt, ge)"
            )
        return self

    @property
    def subject(self) -> str:
        if self.question is not None:
            return self.question
        return str(self.fact) if self.fact is not None else str(self.item)

    @property
    def subject_kind(self) -> Literal["question", "fact", "item"]:
        if self.question is not None:
            return "question"
        return "fact" if self.fact is not None else "item"

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


class Quantified(_Node):
    """`group:` a repeated group's id; `where:` a condition on one item (may use `item:`,
    child-level `question:` and `fact:`)."""

    group: Id
    where: "Condition"


COUNT_OPERATORS = ("ge", "gt", "le", "lt", "equals")


class CountOf(Quantified):
    """The number of items where `where` holds, or the sum of the number item field `sum:` over
    them, compared with a number by exactly one of `ge`, `gt`, `le`, `lt`, `equals`."""

    sum: Annotated[Id | None, Field(description="A number item question or item fact.")] = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    equals: float | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> "CountOf":
        ops = self.operators()
        if len(ops) != 1:
            found = f"found {', '.join(ops)}" if ops else "found none"
            raise ValueError(f"`count` takes exactly one of ge, gt, le, lt, equals ({found})")
        return self

    def operators(self) -> list[str]:
        return [op for op in COUNT_OPERATORS if getattr(self, op) is not None]

    @property
    def operator(self) -> str:
        return self.operators()[0]

    @property
    def operand(self) -> float:
        value: float = getattr(self, self.operator)
        return value


class Some(_Node):
    """At least one item of the group satisfies `where`."""

    some: Quantified


class Every(_Node):
    """Every item of the group satisfies `where` (true when there are no items)."""

    every: Quantified


class Count(_Node):
    count: CountOf


Quantifier = Some | Every | Count


class RoleSpec(_Node):
    """Exactly one of: `in` (role ids), `equals` (one role id), `health_professional`."""

    in_: Annotated[tuple[Id, ...] | None, Field(alias="in", min_length=1)] = None
    equals: Id | None = None
    health_professional: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> "RoleSpec":
        keys = ("in_", "equals", "health_professional")
        if sum(getattr(self, k) is not None for k in keys) != 1:
            raise ValueError("a role test takes one of `in`, `equals`, `health_professional`")
        return self


class RoleIs(_Node):
    """Who is checking (the protocol's `roles:`, issue 14.3). The loader resolves it to a
    comparison on the reserved single-choice question `role` (`protocol.roles`), so the engine
    and the analysis treat the role as any other answer; an unresolved one is unknown."""

    role: RoleSpec


def _condition_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("all", "any", "not", "some", "every", "count"):
            if key in value:
                return key
        if "role" in value and not {"question", "fact", "item"} & set(value):
            return "role"
        return "compare"
    for model, tag in (
        (AllOf, "all"),
        (AnyOf, "any"),
        (Not, "not"),
        (Some, "some"),
        (Every, "every"),
        (Count, "count"),
        (RoleIs, "role"),
    ):
        if isinstance(value, model):
            return tag
    return "compare"


# A named alias (not a bare `Annotated`): pydantic builds the tagged union's schema once, as one
# definition every field that holds a condition refers to, instead of again at each of those
# fields (about a quarter of the `Protocol` schema's build time, every command that loads a
# protocol: issue 15.4). What is accepted, and every problem reported, is the same.
Condition = TypeAliasType(
    "Condition",
    Annotated[
        Annotated[AllOf, Tag("all")]
        | Annotated[AnyOf, Tag("any")]
        | Annotated[Not, Tag("not")]
        | Annotated[Some, Tag("some")]
        | Annotated[Every, Tag("every")]
        | Annotated[Count, Tag("count")]
        | Annotated[RoleIs, Tag("role")]
        | Annotated[Compare, Tag("compare")],
        Discriminator(_condition_kind),
    ],
)


class Truth(Enum):
    """Kleene three-valued truth."""

    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    @staticmethod
    def of(value: bool) -> "Truth":
        return Truth.TRUE if value else Truth.FALSE

    def __invert__(self) -> "Truth":
        return Truth(2 - self.value)


class _Unknown:
    """Marker for an answer that should have been given but was not (e.g. "don't know")."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""An answer (or a fact computed from one) that is not known. `None` means "not applicable"."""


def evaluate(
    cond: Condition, values: Mapping[str, Any], item: Mapping[str, Any] | None = None
) -> Truth:
    """Evaluate `cond` over answers and derived facts (one namespace of ids).

    A value of `None` (question not asked, fact not applicable) is a definite absence: every
    comparison on it is false except `answered: false`. `UNKNOWN` makes the comparison unknown.
    A repeated group's value is a sequence of item mappings (each holding the item's answers and
    item facts); `item` is the item a quantifier's `where` is looking at.
    """
    match cond:
        case AllOf(all=parts):
            result = Truth.TRUE
            for part in parts:
                result = Truth(min(result.value, evaluate(part, values, item).value))
                if result is Truth.FALSE:
                    break
            return result
        case AnyOf(any=parts):
            result = Truth.FALSE
            for part in parts:
                result = Truth(max(result.value, evaluate(part, values, item).value))
                if result is Truth.TRUE:
                    break
            return result
        case Not(not_=inner):
            return ~evaluate(inner, values, item)
        case Some(some=q):
            return _some(q, values)
        case Every(every=q):
            return _every(q, values)
        case Count(count=spec):
            return _count(spec, values)
        case RoleIs():
            return Truth.UNKNOWN  # unresolved (not loaded through the loader): never lowers
        case Compare():
            scope = item if cond.item is not None else values
            if scope is None:
                return Truth.UNKNOWN  # `item:` outside a quantifier: the validator forbids it
            value = scope.get(cond.subject)
            if cond.operator == "known":
                if value is UNKNOWN and cond.subject in scope.get(MAYBE_ASKED_KEYS, ()):
                    return Truth.UNKNOWN
                if value is UNKNOWN:
                    was_unknown = cond.subject not in scope.get(PENDING_KEYS, ())
                else:
                    was_unknown = value is not None and cond.subject in scope.get(UNKNOWN_KEYS, ())
                return Truth.of((not was_unknown) == cond.operand)
            return compare(cond, value)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the union is closed


def group_items(values: Mapping[str, Any], group: str) -> Any:
    """The items of `group`: a tuple of mappings, `()` when not asked, or UNKNOWN."""
    items = values.get(group)
    if items is UNKNOWN:
        return UNKNOWN
    return () if items is None else items


def _some(q: Quantified, values: Mapping[str, Any]) -> Truth:
    items = group_items(values, q.group)
    if items is UNKNOWN:
        return Truth.UNKNOWN
    result = Truth.FALSE
    for one in items:
        result = Truth(max(result.value, evaluate(q.where, values, one).value))
        if result is Truth.TRUE:
            break
    return result


def _every(q: Quantified, values: Mapping[str, Any]) -> Truth:
    items = group_items(values, q.group)
    if items is UNKNOWN:
        return Truth.UNKNOWN
    result = Truth.TRUE
    for one in items:
        result = Truth(min(result.value, evaluate(q.where, values, one).value))
        if result is Truth.FALSE:
            break
    return result


def _count(spec: CountOf, values: Mapping[str, Any]) -> Truth:
    """Kleene: the count (or sum) lies in [low, high]; true or false only when every value in
    that range gives the same answer."""
    items = group_items(values, spec.group)
    if items is UNKNOWN:
        return Truth.UNKNOWN
    low = high = 0.0
    for one in items:
        truth = evaluate(spec.where, values, one)
        if truth is Truth.FALSE:
            continue
        amount: Any = 1 if spec.sum is None else one.get(spec.sum)
        if amount is None:
            amount = 0  # not asked / not applicable: adds nothing
        if amount is UNKNOWN:
            return Truth.UNKNOWN
        if truth is Truth.TRUE:
            low += amount
            high += amount
        else:
            low, high = low + min(0, amount), high + max(0, amount)
    at_low, at_high = (
        _holds(spec.operator, low, spec.operand),
        _holds(spec.operator, high, spec.operand),
    )
    if spec.operator == "equals":
        if low == high:
            return Truth.of(at_low)
        return Truth.UNKNOWN if low <= spec.operand <= high else Truth.FALSE
    return Truth.of(at_low) if at_low == at_high else Truth.UNKNOWN


def _holds(op: str, value: float, bound: float) -> bool:
    match op:
        case "ge":
            return value >= bound
        case "gt":
            return value > bound
        case "le":
            return value <= bound
        case "lt":
            return value < bound
    return value == bound


def compare(cmp: Compare, value: Any) -> Truth:
    op, operand = cmp.operator, cmp.operand
    if op == "known":
        return Truth.of((value is not UNKNOWN) == operand)
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
        case Some(some=q) | Every(every=q) | Count(count=q):
            yield from walk(q.where)


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
        case Some(some=q):
            return f"some {label.get(q.group, q.group)} item has ({describe(q.where, label)})"
        case Every(every=q):
            return f"every {label.get(q.group, q.group)} item has ({describe(q.where, label)})"
        case Count(count=spec):
            what = (
                f"the total {label.get(spec.sum, spec.sum)} of"
                if spec.sum is not None
                else "the number of"
            )
            sign = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "equals": "="}[spec.operator]
            return (
                f"{what} {label.get(spec.group, spec.group)} items with"
                f" ({describe(spec.where, label)}) {sign} {_literal(spec.operand)}"
            )
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
            if op == "known":
                return f"{name} is {'known' if operand else 'not known'}"
            if op == "equals" and isinstance(operand, tuple):
                return f"{name} is exactly [{shown}]"
            return f"{name} {words[op]} {shown}"
        case RoleIs(role=spec):
            if spec.health_professional is not None:
                return (
                    "the role is "
                    + ("" if spec.health_professional else "not ")
                    + ("a health professional")
                )
            if spec.equals is not None:
                return f"the role is {spec.equals}"
            return f"the role is one of {', '.join(spec.in_ or ())}"
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _paren(text: str, cond: Condition) -> str:
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text
